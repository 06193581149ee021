//! Real cameras through nokhwa: V4L2 on Linux, Media Foundation on
//! Windows, AVFoundation on macOS.
//!
//! What every system shares:
//! - this module: the backend (listing, opening a listed camera at one of
//!   its listed modes and nothing else, counting opens and closes, the
//!   hotplug watcher).
//! - `driver`: one open camera: a thread owns nokhwa's `Camera`, opened at
//!   exactly the mode the constraints picked, and releases it when the last
//!   track stops; capture errors and unplugging end the tracks (`ended`,
//!   once); a busy or failing camera is a `NotReadableError` naming it;
//!   stopping never hangs.
//! - `picture`: each frame copied once from the camera's buffer into a
//!   pooled picture (steady-state capture allocates nothing). The source
//!   converts per track as for every device: I420 by default, any other
//!   format, crop-and-scale and frame-rate decimation, MJPEG decoded once per
//!   frame with zune-jpeg, or passed through untouched to tracks that ask for
//!   `MJPEG`.
//! - `modes`: our formats against nokhwa's, the order modes are listed in
//!   and the default mode.
//!
//! What differs, behind the same functions (`os`):
//! - `linux`: V4L2 nodes listed with our own ioctls (nokhwa sets a format to
//!   list one), stable ids from the bus, a blocked read woken through the
//!   camera's descriptor, and the camera controls (Image Capture) on V4L2
//!   controls (`Backend::controls`).
//! - `native`: Media Foundation and AVFoundation through `nokhwa::query`,
//!   stable ids from the system's own (the symbolic link, the unique id);
//!   no camera controls yet.
//!
//! Hotplug: while a `devicechange` listener can be told (a change notifier
//! is set), one thread looks at the cameras present once a second.

mod driver;
#[cfg(target_os = "linux")]
mod linux;
mod modes;
#[cfg(any(target_os = "windows", target_os = "macos"))]
mod native;
mod picture;

#[cfg(target_os = "linux")]
use linux as os;
#[cfg(any(target_os = "windows", target_os = "macos"))]
use native as os;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::backend::capture_thread::CaptureThread;
use crate::backend::usage::{DeviceUsage, UsageTable};
use crate::backend::{Backend, ChangeNotifier, Driver, SourceSink};
use crate::controls::DeviceControls;
use crate::device::{Capabilities, DeviceEntry};
use crate::error::{Error, Result};
use crate::settings::NativeMode;

pub use driver::FIRST_FRAME_TIMEOUT;

/// The prefix of every nokhwa device id.
pub const PREFIX: &str = "nokhwa:";
/// How often the hotplug watcher looks at the cameras present.
const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// Held while this process lists cameras or nokhwa opens or releases one:
/// on Linux while we look for the descriptor nokhwa opened; elsewhere
/// because nokhwa's Media Foundation start-up and shut-down counts are not
/// safe to run from two threads at once.
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

/// A camera as listed: how to open it, and what it offers.
pub(crate) struct Listed {
    pub target: os::Target,
    /// Where it is, for messages: its node, or its system id.
    pub place: String,
    pub entry: DeviceEntry,
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
        os::cameras().into_iter().map(|c| c.entry).collect()
    }

    fn open(
        &self,
        device_id: &str,
        mode: &NativeMode,
        sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        let cameras = os::cameras();
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
        let name = format!("\"{}\" ({})", camera.entry.info.label, camera.place);
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
        os::allowed(&name)?;
        let opening = driver::Opening {
            target: camera.target.clone(),
            name,
            format,
            width,
            height,
            rate: frame_rate.round() as u32,
        };
        let late = device_id.to_string();
        let capture = driver::Capture::start(opening, sink, move || {
            count(&late, |u| u.closes += 1);
        })?;
        count(device_id, |u| u.opens += 1);
        Ok(Box::new(NokhwaDriver {
            device_id: device_id.to_string(),
            capture: Some(capture),
        }))
    }

    fn usage(&self, device_id: &str) -> Option<DeviceUsage> {
        usage_of(device_id)
    }

    /// The camera's controls: on Linux its V4L2 controls (`linux::controls`);
    /// not implemented yet on Media Foundation and AVFoundation (`None`).
    fn controls(&self, device_id: &str) -> Option<Arc<dyn DeviceControls>> {
        controls_of(device_id)
    }

    fn set_change_notifier(&self, notifier: ChangeNotifier) {
        // The cameras as they are now, not when the thread first runs: a
        // camera unplugged in between is a change too.
        let mut known = os::Snapshot::new();
        os::snapshot(&mut known);
        let watcher = CaptureThread::spawn("lms-nokhwa-watch".into(), move |stop| {
            let mut now = os::Snapshot::new();
            while stop.sleep_until(Instant::now() + WATCH_PERIOD) {
                if os::snapshot(&mut now) && now != known {
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

/// The controls of the listed camera `device_id`, read now; `None` for a
/// camera not listed or without controls.
#[cfg(target_os = "linux")]
fn controls_of(device_id: &str) -> Option<Arc<dyn DeviceControls>> {
    let cameras = os::cameras();
    let camera = cameras
        .iter()
        .find(|c| c.entry.info.device_id == device_id)?;
    match &camera.entry.capabilities {
        Capabilities::Video { controls, .. } if !controls.is_empty() => {}
        _ => return None,
    }
    let name = format!("\"{}\" ({})", camera.entry.info.label, camera.place);
    let controls = linux::V4l2Controls::open(&camera.target.path, name)?;
    Some(Arc::new(controls))
}

#[cfg(not(target_os = "linux"))]
fn controls_of(_device_id: &str) -> Option<Arc<dyn DeviceControls>> {
    None
}

struct NokhwaDriver {
    device_id: String,
    capture: Option<driver::Capture>,
}

impl Driver for NokhwaDriver {
    fn close(&mut self) {
        // A capture that could not be stopped in time counts its close
        // itself when the camera is finally released.
        if let Some(mut capture) = self.capture.take() {
            if capture.stop() {
                count(&self.device_id, |u| u.closes += 1);
            }
        }
    }
}

impl Drop for NokhwaDriver {
    fn drop(&mut self) {
        self.close();
    }
}
