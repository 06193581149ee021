//! Backends: kinds of devices. A backend lists its devices and opens a
//! [`Driver`] for one of them; the driver delivers frames to a [`SourceSink`].

pub mod capture_thread;
#[cfg(feature = "cpal")]
pub mod cpal;
pub mod fake;
pub mod fake_controls;
pub mod fake_mic;
pub mod file;
#[cfg(all(
    feature = "nokhwa",
    any(target_os = "linux", target_os = "windows", target_os = "macos")
))]
pub mod nokhwa;
pub mod pacing;
mod source_sink;
pub mod usage;

use std::sync::Arc;

pub use crate::config::is_compiled;
use crate::config::Config;
use crate::controls::DeviceControls;
use crate::device::{DeviceEntry, DeviceInfo};
use crate::error::{Error, Result};
use crate::settings::NativeMode;
pub use source_sink::SourceSink;
pub(crate) use source_sink::SourceTarget;

/// Called by a backend when its list of devices may have changed.
pub type ChangeNotifier = Arc<dyn Fn() + Send + Sync>;

/// A kind of device: `fake`, `file`, `cpal`, `nokhwa`.
pub trait Backend: Send + Sync {
    /// The name used in `LMS_BACKENDS` and in device ids.
    fn name(&self) -> &'static str;

    /// The devices present now, each with what it can deliver.
    fn devices(&self) -> Vec<DeviceEntry>;

    /// The output devices present now (`audiooutput`), listed by
    /// `enumerateDevices()` after the inputs and never opened.
    fn outputs(&self) -> Vec<DeviceInfo> {
        Vec::new()
    }

    /// Open a device to run at `mode`; frames go to `sink` until the driver is closed.
    /// `NotFoundError` for an unknown device, `NotReadableError` when it is busy or fails.
    fn open(&self, device_id: &str, mode: &NativeMode, sink: SourceSink)
        -> Result<Box<dyn Driver>>;

    /// Test controls (`disconnect`, `reconnect`, `mute`, `unmute`, ...); only fake devices have them.
    fn control(&self, device_id: &str, action: &str) -> Result<()> {
        let _ = action;
        Err(Error::InvalidArgument(format!(
            "device {device_id} of backend \"{}\" has no test controls (only fake devices do)",
            self.name()
        )))
    }

    /// The controls of a camera (Image Capture), shared by every track on it;
    /// `None` for a device without controls.
    fn controls(&self, device_id: &str) -> Option<Arc<dyn DeviceControls>> {
        let _ = device_id;
        None
    }

    /// How often a device was opened and closed, where the backend counts it.
    fn usage(&self, device_id: &str) -> Option<usage::DeviceUsage> {
        let _ = device_id;
        None
    }

    /// Why this backend cannot work on this machine (a system library is
    /// missing, say), or `None`. An unavailable backend lists no devices.
    fn unavailable(&self) -> Option<String> {
        None
    }

    /// Register the function to call when the device list may have changed.
    fn set_change_notifier(&self, notifier: ChangeNotifier) {
        let _ = notifier;
    }
}

/// One opened device. Dropping or closing it releases the device.
pub trait Driver: Send {
    /// Stop capturing and release the device. Safe to call from the driver's own
    /// capture thread (it then exits after the current frame), and more than once.
    fn close(&mut self);
}

/// Make the backends a configuration names, in its order.
pub fn create_all(config: &Config) -> Result<Vec<Arc<dyn Backend>>> {
    let mut out: Vec<Arc<dyn Backend>> = Vec::new();
    for name in &config.backends {
        match name.as_str() {
            "fake" => out.push(Arc::new(fake::FakeBackend::new(config.fake.clone()))),
            "file" => out.push(Arc::new(file::FileBackend::new(config.file.clone()))),
            #[cfg(feature = "cpal")]
            "cpal" => out.push(Arc::new(cpal::CpalBackend::new())),
            #[cfg(all(
                feature = "nokhwa",
                any(target_os = "linux", target_os = "windows", target_os = "macos")
            ))]
            "nokhwa" => out.push(Arc::new(nokhwa::NokhwaBackend::new())),
            other if !is_compiled(other) => {
                return Err(Error::NotFound(format!(
                    "backend \"{other}\" is not compiled into this build of localmediastream"
                )))
            }
            other => {
                return Err(Error::Internal(format!(
                    "backend \"{other}\" has no constructor"
                )))
            }
        }
    }
    Ok(out)
}
