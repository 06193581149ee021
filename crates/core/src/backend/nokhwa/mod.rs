//! Real cameras through nokhwa (V4L2 on Linux).
//!
//! - `enumerate`: the cameras present, their stable ids (from the bus they
//!   are on, not a list index) and their modes, read without changing them.
//! - `driver`: one open camera: a thread owns nokhwa's `Camera`, opened at
//!   exactly the mode the constraints picked, and releases it when the last
//!   track stops; capture errors and unplugging end the tracks (`ended`, once);
//!   a busy or failing camera is a `NotReadableError` naming it.
//! - `picture`: each frame copied once from the camera's buffer into a
//!   pooled picture (steady-state capture allocates nothing). The source
//!   converts per track as for every device: I420 by default, any other
//!   format, crop-and-scale and frame-rate decimation, MJPEG decoded once per
//!   frame with zune-jpeg, or passed through untouched to tracks that ask for
//!   `MJPEG`.
//! - `wake`: waking a capture thread that waits for a frame, so closing
//!   never hangs on a camera that stopped sending.
//! - `v4l2`: the V4L2 calls we make ourselves.
//!
//! Hotplug: while a `devicechange` listener can be told (a change notifier
//! is set), one thread looks at the `/dev/videoN` names once a second.
//!
//! Only Linux for now: nokhwa also drives AVFoundation and Media Foundation,
//! but enumeration here is V4L2's.

mod driver;
mod enumerate;
mod picture;
mod v4l2;
mod wake;

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::backend::capture_thread::CaptureThread;
use crate::backend::usage::{DeviceUsage, UsageTable};
use crate::backend::{Backend, ChangeNotifier, Driver, SourceSink};
use crate::device::{Capabilities, DeviceEntry};
use crate::error::{Error, Result};
use crate::settings::NativeMode;

pub use driver::FIRST_FRAME_TIMEOUT;

/// The prefix of every nokhwa device id.
pub const PREFIX: &str = "nokhwa:";
/// How often the hotplug watcher looks at `/dev`.
const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// Held while this process opens a camera node for listing, or while nokhwa
/// opens one and we look for its descriptor (`wake`).
fn access() -> MutexGuard<'static, ()> {
    static ACCESS: Mutex<()> = Mutex::new(());
    ACCESS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Opens and closes per device id, for the whole process.
static USAGE: UsageTable = UsageTable::new();

fn count(device_id: &str, f: impl FnOnce(&mut DeviceUsage)) {
    USAGE.count(device_id, f);
}

/// How often this process opened and closed the camera `device_id` (a
/// driver made, and released: the device is closed when `close` returns).
pub fn usage_of(device_id: &str) -> Option<DeviceUsage> {
    USAGE.get(device_id)
}

/// The nokhwa backend.
#[derive(Default)]
pub struct NokhwaBackend {
    watcher: Mutex<Option<CaptureThread>>,
}

impl NokhwaBackend {
    pub fn new() -> NokhwaBackend {
        NokhwaBackend::default()
    }
}

impl Backend for NokhwaBackend {
    fn name(&self) -> &'static str {
        "nokhwa"
    }

    fn devices(&self) -> Vec<DeviceEntry> {
        enumerate::cameras().into_iter().map(|c| c.entry).collect()
    }

    fn open(
        &self,
        device_id: &str,
        mode: &NativeMode,
        sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        let cameras = enumerate::cameras();
        let Some(camera) = cameras.iter().find(|c| c.entry.info.device_id == device_id) else {
            let ids: Vec<&str> = cameras
                .iter()
                .map(|c| c.entry.info.device_id.as_str())
                .collect();
            return Err(Error::NotFound(format!(
                "no camera with deviceId \"{device_id}\" (cameras now: {})",
                if ids.is_empty() {
                    "none".to_string()
                } else {
                    ids.join(", ")
                }
            )));
        };
        let name = format!(
            "\"{}\" ({})",
            camera.entry.info.label,
            camera.node.path.display()
        );
        let NativeMode::Video {
            format,
            width,
            height,
            frame_rate,
        } = *mode
        else {
            return Err(Error::NotReadable(format!(
                "camera {name} cannot run as {mode:?}"
            )));
        };
        let offered = match &camera.entry.capabilities {
            Capabilities::Video { modes, .. } => modes.iter().any(|m| {
                m.format == format
                    && m.width.max == width
                    && m.height.max == height
                    && (m.frame_rate.max - frame_rate).abs() < 1e-6
            }),
            Capabilities::Audio { .. } => false,
        };
        if !offered {
            return Err(Error::NotReadable(format!(
                "camera {name} has no mode {} {width}x{height} at {frame_rate} fps",
                format.name()
            )));
        }
        let opening = driver::Opening {
            number: camera.node.number,
            path: camera.node.path.clone(),
            name,
            format,
            width,
            height,
            rate: frame_rate.round() as u32,
        };
        let capture = driver::Capture::start(opening, sink)?;
        count(device_id, |u| u.opens += 1);
        Ok(Box::new(NokhwaDriver {
            device_id: device_id.to_string(),
            capture: Some(capture),
        }))
    }

    fn usage(&self, device_id: &str) -> Option<DeviceUsage> {
        usage_of(device_id)
    }

    fn set_change_notifier(&self, notifier: ChangeNotifier) {
        // The cameras as they are now, not when the thread first runs: a
        // camera unplugged in between is a change too.
        let mut known = Vec::new();
        enumerate::node_numbers(&mut known);
        let watcher = CaptureThread::spawn("lms-nokhwa-watch".into(), move |stop| {
            let mut now = Vec::new();
            while stop.sleep_until(Instant::now() + WATCH_PERIOD) {
                enumerate::node_numbers(&mut now);
                if now != known {
                    std::mem::swap(&mut known, &mut now);
                    notifier();
                }
            }
        });
        // Without a thread there is no `devicechange` from this backend; capture still works.
        let old = std::mem::replace(
            &mut *self.watcher.lock().unwrap_or_else(PoisonError::into_inner),
            watcher.ok(),
        );
        drop(old);
    }
}

struct NokhwaDriver {
    device_id: String,
    capture: Option<driver::Capture>,
}

impl Driver for NokhwaDriver {
    fn close(&mut self) {
        if let Some(mut capture) = self.capture.take() {
            capture.stop();
            count(&self.device_id, |u| u.closes += 1);
        }
    }
}

impl Drop for NokhwaDriver {
    fn drop(&mut self) {
        self.close();
    }
}
