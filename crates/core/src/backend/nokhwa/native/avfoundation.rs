//! AVFoundation (macOS): what differs from Media Foundation.
//!
//! nokhwa opens a mode by setting the device's active format to the *last*
//! format of the size asked for, and the frame duration of a range of
//! formats of that size whose fastest rate is within 1 fps of the rate
//! asked for; an active format and duration that do not go together raise
//! an Objective-C exception (nokhwa issues #246 to #249). So the modes
//! offered are, for each size, the rates nokhwa lists for that last format
//! only, read without opening or locking the camera.
//!
//! Delivered as YUY2 only: nokhwa asks the capture output for `yuvs`
//! (YUY2), which AVFoundation converts to from any format of the camera;
//! its other requests are unusable (NV12 asks for a 10-bit format, MJPEG is
//! not an output format and raises, RGB is not offered by the output).
//!
//! Permission: a program needs the user's consent to use cameras; opening
//! one asks for it (the system shows its prompt) and waits for the answer.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use nokhwa::utils::{ApiBackend, CameraFormat, FrameFormat, Resolution};
use nokhwa_bindings_macos::AVCaptureDevice;

use crate::error::{Error, Result};
use crate::frame::PixelFormat;

pub(super) const API: ApiBackend = ApiBackend::AVFoundation;

/// What we take from an AVFoundation camera.
pub(super) const DELIVERS: &[PixelFormat] = &[PixelFormat::Yuy2];

/// How long opening waits for the user to answer the permission prompt.
const PERMISSION_TIMEOUT: Duration = Duration::from_secs(60);

/// Every (size, rate) nokhwa can open on camera `id` (its unique id), as YUY2.
pub(super) fn formats(id: &str) -> std::result::Result<Vec<CameraFormat>, String> {
    let device = AVCaptureDevice::from_id(id, None).map_err(|e| e.to_string())?;
    let listed = device.supported_formats_raw().map_err(|e| e.to_string())?;
    // The last format of each size is the one nokhwa makes active.
    let mut last: BTreeMap<(u32, u32), Vec<f64>> = BTreeMap::new();
    for format in &listed {
        let (width, height) = (format.resolution.width, format.resolution.height);
        if let (Ok(width), Ok(height)) = (u32::try_from(width), u32::try_from(height)) {
            last.insert((width, height), format.fps_list.clone());
        }
    }
    let mut out = Vec::new();
    for ((width, height), rates) in last {
        for rate in rates {
            // nokhwa's own rounding of a listed rate (29.97 is 29).
            let rate = rate as u32;
            if rate > 0 {
                out.push(CameraFormat::new(
                    Resolution::new(width, height),
                    FrameFormat::YUYV,
                    rate,
                ));
            }
        }
    }
    Ok(out)
}

/// The user's consent to use cameras, asked for when not given yet.
pub(crate) fn allowed(name: &str) -> Result<()> {
    if catch_unwind(nokhwa::nokhwa_check).unwrap_or(false) {
        return Ok(());
    }
    let (tx, rx) = mpsc::channel();
    let asked = catch_unwind(AssertUnwindSafe(|| {
        nokhwa::nokhwa_initialize(move |granted| {
            let _ = tx.send(granted);
        });
    }));
    if asked.is_err() {
        return Err(Error::NotReadable(format!(
            "camera {name}: asking for permission to use cameras failed"
        )));
    }
    match rx.recv_timeout(PERMISSION_TIMEOUT) {
        Ok(true) => Ok(()),
        Ok(false) => Err(Error::NotAllowed(format!(
            "camera {name}: this program may not use cameras (System Settings, Privacy & Security, Camera)"
        ))),
        Err(_) => Err(Error::NotAllowed(format!(
            "camera {name}: no answer to the camera permission prompt within {} s",
            PERMISSION_TIMEOUT.as_secs()
        ))),
    }
}

/// Nothing to set up on a thread before calling AVFoundation.
pub(crate) struct OnThread;

/// Nothing to set up on a thread before calling AVFoundation.
pub(crate) fn on_thread() -> OnThread {
    OnThread
}
