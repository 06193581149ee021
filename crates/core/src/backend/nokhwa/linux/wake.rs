//! Waking a capture that waits inside nokhwa.
//!
//! nokhwa's V4L2 capture waits for each frame in `poll()` with no timeout and
//! does not say which descriptor it opened, so a camera that stops sending
//! frames (or never starts) would keep its capture thread, and whoever waits
//! to close it, waiting for ever. We find the descriptor nokhwa opened (the
//! one on the camera's node in `/proc/self/fd` that was not there before
//! opening; opening and listing hold `access` (the backend module) so our own listing
//! cannot add one meanwhile) and, to stop, issue `VIDIOC_STREAMOFF` on it:
//! the kernel then wakes the waiting `poll()` and nokhwa's `VIDIOC_DQBUF`
//! fails, so the thread returns at once.
//!
//! The descriptor is used only while the capture thread still owns the
//! camera: the thread calls [`Waker::forget`] before dropping it, under the
//! same lock [`Waker::wake`] holds, so a descriptor number reused after the
//! camera closed is never touched.

use std::os::fd::RawFd;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use super::v4l2;

/// This process's descriptors open on `node` (a `/dev/videoN` path) now.
pub(crate) fn descriptors_on(node: &Path) -> Vec<RawFd> {
    let Ok(entries) = std::fs::read_dir("/proc/self/fd") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| {
            let entry = entry.ok()?;
            let fd: RawFd = entry.file_name().to_str()?.parse().ok()?;
            (std::fs::read_link(entry.path()).ok()? == node).then_some(fd)
        })
        .collect()
}

/// The one descriptor in `after` that is not in `before`, if exactly one is.
pub(crate) fn the_new_one(before: &[RawFd], after: &[RawFd]) -> Option<RawFd> {
    let mut new = after.iter().copied().filter(|fd| !before.contains(fd));
    match (new.next(), new.next()) {
        (Some(fd), None) => Some(fd),
        _ => None,
    }
}

/// The descriptor of a camera being captured from, while its capture thread owns it.
#[derive(Debug, Default)]
pub(crate) struct Waker {
    fd: Mutex<Option<RawFd>>,
}

impl Waker {
    pub fn new() -> Waker {
        Waker::default()
    }

    /// The capture thread found its camera's descriptor.
    pub fn set(&self, fd: RawFd) {
        *self.fd.lock().unwrap_or_else(PoisonError::into_inner) = Some(fd);
    }

    /// The descriptor, while known.
    pub fn fd(&self) -> Option<RawFd> {
        *self.fd.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The capture thread is about to drop its camera: never touch the descriptor again.
    pub fn forget(&self) -> Option<RawFd> {
        self.fd
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
    }

    /// Wake the capture thread if it waits for a frame (it must already have
    /// been told to stop). False when the descriptor is not known.
    pub fn wake(&self) -> bool {
        let fd = self.fd.lock().unwrap_or_else(PoisonError::into_inner);
        match *fd {
            Some(fd) => {
                // An error here (the camera is gone) also ends the wait.
                let _ = v4l2::stream_off(fd);
                true
            }
            None => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_descriptor_is_found_only_when_there_is_exactly_one() {
        assert_eq!(the_new_one(&[3, 4], &[3, 4, 9]), Some(9));
        assert_eq!(the_new_one(&[3], &[3]), None);
        assert_eq!(the_new_one(&[], &[5, 6]), None);
    }

    #[test]
    fn a_forgotten_descriptor_is_never_woken() {
        let waker = Waker::new();
        assert!(!waker.wake());
        waker.set(-1);
        assert_eq!(waker.forget(), Some(-1));
        assert!(!waker.wake());
    }
}
