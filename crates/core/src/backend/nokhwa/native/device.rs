//! Opening and releasing a Media Foundation or AVFoundation camera through
//! nokhwa.
//!
//! The camera is opened by its system id (never a list index, which may
//! have moved since listing) at exactly a mode it listed, once the system's
//! permission is given where there is one ([`allowed`], asked before the
//! capture thread starts). Opening and dropping hold
//! `access`: nokhwa's Media Foundation start-up and shut-down are counted
//! without locks.
//!
//! Neither backend lets another thread wake a read that waits for a frame
//! (Media Foundation's `ReadSample` blocks; AVFoundation's read waits on a
//! channel whose sender nokhwa itself keeps, so it waits for ever once the
//! camera is gone): stopping waits for the next frame, boundedly (see
//! `driver`), and a watchdog notices a vanished camera ([`WATCHDOG`]).
//! Frames are stamped on arrival: Media Foundation's sample times are on
//! another clock, and nokhwa drops them from raw reads anyway.

use std::panic::{catch_unwind, AssertUnwindSafe};

use nokhwa::utils::{CameraFormat, CameraIndex, RequestedFormat, RequestedFormatType};
use nokhwa::Camera;

use super::super::access;
use super::super::driver::{disconnected, Opening};
use super::api;
pub(crate) use super::api::allowed;
use crate::error::{Error, Result};

/// A vanished camera may leave a read waiting for ever (AVFoundation).
pub(crate) const WATCHDOG: bool = true;

/// Nothing can wake a read that waits inside nokhwa here.
#[derive(Debug, Default)]
pub(crate) struct Waker;

impl Waker {
    pub fn new() -> Waker {
        Waker
    }

    /// False: the capture thread returns after the camera's next frame.
    pub fn wake(&self) -> bool {
        false
    }
}

/// Open the camera through nokhwa at exactly `wanted` (a mode it listed).
pub(crate) fn start(opening: &Opening, wanted: CameraFormat, _waker: &Waker) -> Result<Camera> {
    let formats = [wanted.format()];
    let made = {
        let _access = access();
        catch_unwind(AssertUnwindSafe(|| {
            Camera::with_backend(
                CameraIndex::String(opening.target.clone()),
                RequestedFormat::with_formats(RequestedFormatType::Exact(wanted), &formats),
                api::API,
            )
        }))
    };
    let camera = match made {
        Ok(Ok(camera)) => camera,
        Ok(Err(e)) => return Err(open_error(opening, &e.to_string())),
        Err(_) => return Err(open_error(opening, "nokhwa panicked while opening it")),
    };
    // The camera at that id when opening must be the one listed.
    let id = catch_unwind(AssertUnwindSafe(|| camera.info().misc()));
    if id.as_ref().ok() != Some(&opening.target) {
        release(camera, _waker);
        return Err(open_error(opening, "another camera answered at its id"));
    }
    Ok(camera)
}

/// The format and size nokhwa reports must be the ones asked for. Not the
/// rate: nokhwa 0.10's Media Foundation layer reads it back upside down
/// (the ratio's denominator, issues #110 and #144), and AVFoundation reports
/// the fastest rate of the active format. The rate set is the listed one
/// asked for, matched exactly by nokhwa.
pub(crate) fn runs_as(wanted: CameraFormat, got: CameraFormat) -> bool {
    wanted.format() == got.format() && wanted.resolution() == got.resolution()
}

/// Row length and largest frame: not known ahead (0); see `picture`.
pub(crate) fn layout(_waker: &Waker) -> (usize, usize) {
    (0, 0)
}

/// Drop the camera on this (its own) thread, a panic in nokhwa contained.
pub(crate) fn release(camera: Camera, _waker: &Waker) {
    let _access = access();
    let _ = catch_unwind(AssertUnwindSafe(move || drop(camera)));
}

/// `NotReadableError` for a camera that could not be opened or started.
pub(crate) fn open_error(opening: &Opening, message: &str) -> Error {
    let name = &opening.name;
    let lower = message.to_ascii_lowercase();
    Error::NotReadable(if lower.contains("in use") || lower.contains("busy") {
        format!("camera {name} is busy (another program may be using it): {message}")
    } else if lower.contains("not found") || lower.contains("no device") {
        format!("camera {name} is gone (unplugged?): {message}")
    } else {
        format!("camera {name} failed to start: {message}")
    })
}

/// Why a capturing camera's tracks ended.
pub(crate) fn capture_error(opening: &Opening, message: &str) -> String {
    // MF_E_VIDEO_RECORDING_DEVICE_INVALIDATED, MF_E_HW_MFT_FAILED_START_STREAMING.
    let lower = message.to_ascii_lowercase();
    if lower.contains("0xc00d3ea2") || (lower.contains("device") && lower.contains("removed")) {
        disconnected(opening)
    } else {
        format!("camera {} failed: {message}", opening.name)
    }
}

#[cfg(test)]
mod tests {
    use nokhwa::utils::{FrameFormat, Resolution};

    use super::*;
    use crate::frame::PixelFormat;

    fn opening() -> Opening {
        Opening {
            target: "0x1420000046d0825".into(),
            name: "\"Cam\" (0x1420000046d0825)".into(),
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
            "Could not initialize AVFoundation: Already in use",
        );
        assert_eq!(busy.name(), "NotReadableError");
        assert!(
            busy.message()
                .contains("\"Cam\" (0x1420000046d0825) is busy"),
            "{busy}"
        );
        let gone = open_error(&opening(), "Could not open device 3: Not Found");
        assert!(gone.message().contains("is gone"), "{gone}");
        let failed = capture_error(&opening(), "Could not capture frame: boom");
        assert!(failed.starts_with("camera \"Cam\""), "{failed}");
        assert!(
            failed.ends_with("failed: Could not capture frame: boom"),
            "{failed}"
        );
    }

    #[test]
    fn the_rate_read_back_is_not_trusted() {
        let at = |w, h, f, r| CameraFormat::new(Resolution::new(w, h), f, r);
        let wanted = at(640, 480, FrameFormat::YUYV, 30);
        assert!(runs_as(wanted, at(640, 480, FrameFormat::YUYV, 1)));
        assert!(!runs_as(wanted, at(640, 360, FrameFormat::YUYV, 30)));
        assert!(!runs_as(wanted, at(640, 480, FrameFormat::MJPEG, 30)));
    }
}
