//! File identity on Unix systems: the device and inode numbers.

use std::fs::Metadata;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use super::FileId;

pub(super) fn file_id(_path: &Path, meta: &Metadata) -> std::io::Result<FileId> {
    Ok(FileId {
        volume: meta.dev(),
        index: meta.ino(),
    })
}
