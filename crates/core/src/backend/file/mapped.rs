//! Opening a file device's file: clear errors for a missing file, a
//! directory or an empty file, then a read-only memory map of it.

use std::fs::File;
use std::path::Path;
use std::sync::Arc;

use memmap2::Mmap;

use crate::error::{Error, Result};
use crate::platform::{file_id, FileId};

/// Identifies one version of a file: if it is the same, so are its contents
/// (as far as a cache of what it holds cares).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FileVersion {
    id: FileId,
    len: u64,
    modified: Option<std::time::SystemTime>,
}

/// The version of the file at `path`, or why it cannot be played.
pub(crate) fn version(path: &Path) -> Result<FileVersion> {
    let meta = std::fs::metadata(path).map_err(|e| {
        Error::NotReadable(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{}: no such file", path.display()),
            _ => format!("{}: cannot read it: {e}", path.display()),
        })
    })?;
    if meta.is_dir() {
        return Err(Error::NotReadable(format!(
            "{}: is a directory, not a file",
            path.display()
        )));
    }
    if meta.len() == 0 {
        return Err(Error::NotReadable(format!(
            "{}: the file is empty",
            path.display()
        )));
    }
    let id = file_id(path, &meta)
        .map_err(|e| Error::NotReadable(format!("{}: cannot read it: {e}", path.display())))?;
    Ok(FileVersion {
        id,
        len: meta.len(),
        modified: meta.modified().ok(),
    })
}

/// Map the whole file at `path` read-only.
///
/// Frames handed out are views into this map, so the file must not shrink
/// while it plays: reading a page past a truncated end faults (SIGBUS), as in
/// every program that maps files. Files that grow are fine (the new bytes are
/// not played).
pub(crate) fn map(path: &Path) -> Result<Arc<Mmap>> {
    version(path)?;
    let file = File::open(path)
        .map_err(|e| Error::NotReadable(format!("{}: cannot open it: {e}", path.display())))?;
    // SAFETY: the map is read-only and nothing in this process writes the file;
    // the bytes are only ever read through `&[u8]` views that the `Arc` keeps
    // mapped. Another process truncating the file while it plays is outside
    // what we can guard against (documented above and in the README).
    let map = unsafe { Mmap::map(&file) }
        .map_err(|e| Error::NotReadable(format!("{}: cannot map it: {e}", path.display())))?;
    Ok(Arc::new(map))
}
