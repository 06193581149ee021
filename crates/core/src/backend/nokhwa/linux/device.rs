//! Opening and releasing a V4L2 camera through nokhwa.
//!
//! nokhwa's `Camera` unwraps `stop_stream()` in its `Drop`, and the `v4l`
//! crate under it panics when `VIDIOC_STREAMOFF` or `VIDIOC_REQBUFS` fails
//! (twice, and so aborts the process, when both do): we issue
//! `VIDIOC_STREAMOFF` first ourselves, drop the camera inside
//! `catch_unwind`, and if even our `VIDIOC_STREAMOFF` fails with anything but
//! "no such device" we leave that camera unreleased (`mem::forget`) rather
//! than let the process abort. The descriptor nokhwa opened is found as it
//! opens (see `wake`), both to wake a blocked read and to read the buffer
//! layout.

use std::panic::{catch_unwind, AssertUnwindSafe};

use nokhwa::utils::{ApiBackend, CameraFormat, CameraIndex, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::super::driver::{disconnected, Opening};
use super::v4l2::{self, errno_in};
use super::wake::{descriptors_on, the_new_one, Waker};
use crate::error::{Error, Result};

/// A blocked read fails when the camera goes (`VIDIOC_DQBUF` says
/// `ENODEV`), so no watchdog is needed.
pub(crate) const WATCHDOG: bool = false;

/// Nothing to set up on a thread before calling nokhwa's V4L2 backend.
pub(crate) struct OnThread;

/// Nothing to set up on a thread before calling nokhwa's V4L2 backend.
pub(crate) fn on_thread() -> OnThread {
    OnThread
}

/// V4L2 asks no permission of the program itself (the node's file mode
/// makes opening fail instead).
pub(crate) fn allowed(_name: &str) -> Result<()> {
    Ok(())
}

/// Open the camera through nokhwa at exactly `wanted`, noting its descriptor.
pub(crate) fn start(opening: &Opening, wanted: CameraFormat, waker: &Waker) -> Result<Camera> {
    let formats = [wanted.format()];
    let made = {
        // No listing of ours may open the node while we look for nokhwa's descriptor.
        let _access = super::super::access();
        let before = descriptors_on(&opening.target.path);
        let made = catch_unwind(AssertUnwindSafe(|| {
            Camera::with_backend(
                CameraIndex::Index(opening.target.number),
                RequestedFormat::with_formats(RequestedFormatType::Exact(wanted), &formats),
                ApiBackend::Video4Linux,
            )
        }));
        if let Ok(Ok(_)) = &made {
            if let Some(fd) = the_new_one(&before, &descriptors_on(&opening.target.path)) {
                waker.set(fd);
            }
        }
        made
    };
    match made {
        Ok(Ok(camera)) => Ok(camera),
        Ok(Err(e)) => Err(open_error(opening, &e.to_string())),
        Err(_) => Err(open_error(opening, "nokhwa panicked while opening it")),
    }
}

/// V4L2 reports the mode it set faithfully.
pub(crate) fn runs_as(wanted: CameraFormat, got: CameraFormat) -> bool {
    wanted == got
}

/// The camera's row length and largest frame (0: unknown).
pub(crate) fn layout(waker: &Waker) -> (usize, usize) {
    waker
        .fd()
        .and_then(|fd| v4l2::current_layout(fd).ok())
        .map_or((0, 0), |l| {
            (l.bytes_per_line as usize, l.size_image as usize)
        })
}

/// Drop the camera on this (its own) thread, never letting a panic of nokhwa
/// or `v4l` out and never giving them the chance to panic twice.
pub(crate) fn release(camera: Camera, waker: &Waker) {
    if let Some(fd) = waker.forget() {
        if let Err(e) = v4l2::stream_off(fd) {
            if e.raw_os_error() != Some(libc::ENODEV) {
                // Dropping would panic in `v4l` twice and abort the process.
                std::mem::forget(camera);
                return;
            }
        }
    }
    let _ = catch_unwind(AssertUnwindSafe(move || drop(camera)));
}

/// `NotReadableError` for a camera that could not be opened or started.
pub(crate) fn open_error(opening: &Opening, message: &str) -> Error {
    let name = &opening.name;
    Error::NotReadable(match errno_in(message) {
        Some(libc::EBUSY) => {
            format!("camera {name} is busy (another program may be using it): {message}")
        }
        Some(libc::ENODEV | libc::ENOENT | libc::ENXIO) => {
            format!("camera {name} is gone (unplugged?): {message}")
        }
        Some(libc::EACCES | libc::EPERM) => format!(
            "camera {name} may not be opened by this user (on Linux: the \"video\" group): {message}"
        ),
        _ => format!("camera {name} failed to start: {message}"),
    })
}

/// Why a capturing camera's tracks ended.
pub(crate) fn capture_error(opening: &Opening, message: &str) -> String {
    match errno_in(message) {
        Some(libc::ENODEV | libc::ENOENT | libc::ENXIO) => disconnected(opening),
        _ => format!("camera {} failed: {message}", opening.name),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::super::enumerate::NodePath;
    use super::*;
    use crate::frame::PixelFormat;

    fn opening() -> Opening {
        Opening {
            target: NodePath {
                number: 0,
                path: PathBuf::from("/dev/video0"),
            },
            name: "\"Cam\" (/dev/video0)".into(),
            format: PixelFormat::Yuy2,
            width: 640,
            height: 480,
            rate: 30,
        }
    }

    #[test]
    fn errors_say_which_camera_and_why() {
        let busy = open_error(
            &opening(),
            "Could not open device stream: Device or resource busy (os error 16)",
        );
        assert_eq!(busy.name(), "NotReadableError");
        assert!(
            busy.message().contains("\"Cam\" (/dev/video0) is busy"),
            "{busy}"
        );
        let other = open_error(&opening(), "Input/output error (os error 5)");
        assert!(other.message().contains("failed to start"), "{other}");
        assert_eq!(
            capture_error(
                &opening(),
                "Could not capture frame: No such device (os error 19)"
            ),
            "camera \"Cam\" (/dev/video0) was disconnected"
        );
    }
}
