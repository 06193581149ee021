//! Everything in the core that differs between operating systems, in one
//! place: one module per OS, each giving the same functions, and the rest of
//! the core uses only what this module exports (no `cfg(unix)` elsewhere).
//!
//! - the capture clock, [`monotonic_us`]: the time base the OS stamps captured
//!   buffers with, so a frame's timestamp compares with other processes' and
//!   with the device's own (`CLOCK_MONOTONIC` on Linux, as V4L2 and ALSA;
//!   the host clock `mach_absolute_time` on macOS, as CoreAudio and
//!   AVFoundation; `QueryPerformanceCounter` on Windows, as WASAPI and Media
//!   Foundation);
//! - file identity, [`FileId`]: which file a path names (device and inode;
//!   volume serial number and file index), so file devices notice a file
//!   replaced under the same name.
//!
//! Backends with OS-specific halves (cpal's libasound loader, the V4L2
//! camera code) keep those halves in their own folders, chosen by `cfg` in
//! their `mod.rs`.

#[cfg(target_vendor = "apple")]
mod apple;
#[cfg(all(unix, not(target_vendor = "apple")))]
mod posix;
#[cfg(unix)]
mod unix_file;
#[cfg(windows)]
mod windows;

#[cfg(target_vendor = "apple")]
use apple as os;
#[cfg(all(unix, not(target_vendor = "apple")))]
use posix as os;
#[cfg(unix)]
use unix_file as os_file;
#[cfg(windows)]
use windows as os;
#[cfg(windows)]
use windows as os_file;

use std::fs::Metadata;
use std::path::Path;

/// Microseconds since an unspecified point (boot, on every OS we support),
/// never going backwards, on the clock the OS stamps captured buffers with.
pub fn monotonic_us() -> i64 {
    os::monotonic_us()
}

/// Which file a path names: the same for two paths (or two moments) exactly
/// when they name the same file on the same file system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct FileId {
    /// The file system: `st_dev`, or the volume serial number.
    pub(crate) volume: u64,
    /// The file in it: `st_ino`, or the NTFS file index.
    pub(crate) index: u64,
}

/// The identity of the file at `path`, whose metadata is `meta` (not a
/// directory). On Windows this opens the file to ask.
pub(crate) fn file_id(path: &Path, meta: &Metadata) -> std::io::Result<FileId> {
    os_file::file_id(path, meta)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_moves_forward_in_microseconds() {
        let a = monotonic_us();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let b = monotonic_us();
        assert!(a > 0, "{a}");
        // At least the 20 ms slept; far less than a minute (the unit is µs, not ns).
        assert!((20_000..60_000_000).contains(&(b - a)), "{a} -> {b}");
    }

    #[test]
    fn a_file_replaced_under_its_name_has_another_identity() {
        let dir = std::env::temp_dir().join(format!("lms-file-id-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (a, b) = (dir.join("a"), dir.join("b"));
        std::fs::write(&a, b"one").unwrap();
        std::fs::write(&b, b"two").unwrap();
        let id = |p: &Path| file_id(p, &std::fs::metadata(p).unwrap()).unwrap();
        let first = id(&a);
        assert_eq!(first, id(&a), "the same file twice");
        assert_ne!(first, id(&b), "two files");
        let b_id = id(&b);
        std::fs::rename(&b, &a).unwrap();
        assert_eq!(
            id(&a),
            b_id,
            "a rename keeps the identity of the file moved"
        );
        assert_ne!(id(&a), first, "the name now names another file");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
