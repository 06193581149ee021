//! The fake camera's controls (Image Capture): every control, with ranges like
//! a UVC webcam's (and Chromium's fake device), applied visibly to its picture
//! (see [`crate::video::Look`]).
//!
//! | control | capability | default | unit |
//! |---|---|---|---|
//! | `whiteBalanceMode` | `["manual", "continuous"]` | `continuous` | |
//! | `exposureMode` | `["manual", "continuous"]` | `continuous` | |
//! | `focusMode` | `["manual", "continuous"]` | `continuous` | |
//! | `exposureCompensation` | -3..3 step 0.5 | 0 | EV (stops) |
//! | `exposureTime` | 1..10000 step 1 | 333 (1/30 s) | 100 µs |
//! | `colorTemperature` | 2500..7500 step 100 | 6500 | kelvin |
//! | `iso` | 100..3200 step 100 | 100 | |
//! | `brightness`, `contrast`, `saturation`, `sharpness` | 0..255 step 1 | 128 | |
//! | `focusDistance` | 0.1..10 step 0.1 | 1 | metres |
//! | `pan` | -180..180 step 1 | 0 | degrees (+: right) |
//! | `tilt` | -90..90 step 1 | 0 | degrees (+: up) |
//! | `zoom` | 1..4 step 0.1 | 1 | × |
//! | `torch` | `[false, true]` | `false` | |
//!
//! The values belong to the device: one [`FakeControls`] per fake camera,
//! made with the backend, so they persist while the camera is closed and
//! reopened, like a real camera's, and every track on it sees the same ones.
//!
//! Writes behave like a camera's:
//! - A value off the step grid is rounded to the nearest step, and read back
//!   as a clean decimal (`0.3`, not `0.30000000000000004`): steps of 0.1 are
//!   not exact in binary, so the grid is compared with a tolerance and the
//!   stored value rounded to 6 decimals.
//! - A value outside the range, or of the wrong kind, is refused with
//!   `InvalidArgumentError` (the write planner never sends one).
//! - `exposureTime`, `colorTemperature` and `focusDistance` are manual values:
//!   while their mode (`exposureMode`, `whiteBalanceMode`, `focusMode`) is not
//!   `manual`, the camera chooses them (and they read as its choice: 333,
//!   6500, 1), and a write of one is ignored. Switching the mode to manual
//!   keeps the value the camera chose, until a manual value is written;
//!   switching back to automatic returns to the camera's choice.
//! - The `controls-refuse` test control makes every write fail with
//!   `NotReadableError` naming the control, until `controls-accept`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use crate::controls::{
    Control, ControlCap, ControlCaps, ControlValue, ControlValues, DeviceControls, MeteringMode,
};
use crate::error::{Error, Result};
use crate::video::Look;

/// Decimals a stored number keeps: enough for every step of the table, and
/// it turns float noise such as `0.30000000000000004` back into `0.3`.
const DECIMALS: f64 = 1e6;

/// The fake camera's controls and what each offers.
pub fn capabilities() -> ControlCaps {
    let modes = || ControlCap::Modes(vec![MeteringMode::Manual, MeteringMode::Continuous]);
    let range = |min: f64, max: f64, step: f64| ControlCap::Range { min, max, step };
    let byte = || range(0.0, 255.0, 1.0);
    ControlCaps::from([
        (Control::WhiteBalanceMode, modes()),
        (Control::ExposureMode, modes()),
        (Control::FocusMode, modes()),
        (Control::ExposureCompensation, range(-3.0, 3.0, 0.5)),
        (Control::ExposureTime, range(1.0, 10_000.0, 1.0)),
        (Control::ColorTemperature, range(2500.0, 7500.0, 100.0)),
        (Control::Iso, range(100.0, 3200.0, 100.0)),
        (Control::Brightness, byte()),
        (Control::Contrast, byte()),
        (Control::Saturation, byte()),
        (Control::Sharpness, byte()),
        (Control::FocusDistance, range(0.1, 10.0, 0.1)),
        (Control::Pan, range(-180.0, 180.0, 1.0)),
        (Control::Tilt, range(-90.0, 90.0, 1.0)),
        (Control::Zoom, range(1.0, 4.0, 0.1)),
        (Control::Torch, ControlCap::Flags(vec![false, true])),
    ])
}

/// The value the camera chooses for a manual value while its mode is automatic.
fn automatic(control: Control) -> Option<f64> {
    match control {
        Control::ExposureTime => Some(Look::NEUTRAL_EXPOSURE_TIME),
        Control::ColorTemperature => Some(Look::NEUTRAL_COLOR_TEMPERATURE),
        Control::FocusDistance => Some(Look::SCENE_DISTANCE),
        _ => None,
    }
}

/// Every control's value when the camera is new: a neutral picture.
pub fn defaults() -> ControlValues {
    let continuous = ControlValue::Mode(MeteringMode::Continuous);
    let num = ControlValue::Num;
    ControlValues::from([
        (Control::WhiteBalanceMode, continuous),
        (Control::ExposureMode, continuous),
        (Control::FocusMode, continuous),
        (Control::ExposureCompensation, num(0.0)),
        (Control::ExposureTime, num(Look::NEUTRAL_EXPOSURE_TIME)),
        (
            Control::ColorTemperature,
            num(Look::NEUTRAL_COLOR_TEMPERATURE),
        ),
        (Control::Iso, num(Look::NEUTRAL_ISO)),
        (Control::Brightness, num(128.0)),
        (Control::Contrast, num(128.0)),
        (Control::Saturation, num(128.0)),
        (Control::Sharpness, num(128.0)),
        (Control::FocusDistance, num(Look::SCENE_DISTANCE)),
        (Control::Pan, num(0.0)),
        (Control::Tilt, num(0.0)),
        (Control::Zoom, num(1.0)),
        (Control::Torch, ControlValue::Flag(false)),
    ])
}

/// `value` checked against `cap` and put on its grid, or why not.
fn on_grid(control: Control, cap: &ControlCap, value: ControlValue) -> Result<ControlValue> {
    let accepted = match (cap, value) {
        (&ControlCap::Range { min, max, step }, ControlValue::Num(v)) => {
            let slack = step.abs().max(1e-9) * 1e-6;
            (v.is_finite() && v >= min - slack && v <= max + slack).then(|| {
                let snapped = cap.nearest(v).unwrap_or(v);
                ControlValue::Num(((snapped * DECIMALS).round() / DECIMALS).clamp(min, max))
            })
        }
        (ControlCap::Modes(modes), ControlValue::Mode(m)) => modes.contains(&m).then_some(value),
        (ControlCap::Flags(flags), ControlValue::Flag(b)) => flags.contains(&b).then_some(value),
        _ => None,
    };
    accepted.ok_or_else(|| {
        Error::InvalidArgument(format!(
            "the fake camera's {control} cannot be {value} (it offers {})",
            cap.to_json()
        ))
    })
}

struct Inner {
    values: ControlValues,
    look: Look,
}

/// One fake camera's controls: the values, and the [`Look`] they give its
/// picture, which the capture thread reads every frame.
pub struct FakeControls {
    caps: ControlCaps,
    inner: Mutex<Inner>,
    refusing: AtomicBool,
}

impl Default for FakeControls {
    fn default() -> FakeControls {
        FakeControls::new()
    }
}

impl std::fmt::Debug for FakeControls {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeControls")
            .field("values", &self.lock().values)
            .field("refusing", &self.refusing.load(Ordering::Relaxed))
            .finish()
    }
}

impl FakeControls {
    /// A camera's controls at their defaults (a neutral picture).
    pub fn new() -> FakeControls {
        let values = defaults();
        FakeControls {
            caps: capabilities(),
            inner: Mutex::new(Inner {
                look: Look::from_controls(&values),
                values,
            }),
            refusing: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// What the controls do to the picture now. Cheap and allocation-free:
    /// the capture thread calls it every frame.
    pub fn look(&self) -> Look {
        self.lock().look
    }

    /// Make every write fail with `NotReadableError` (the `controls-refuse`
    /// test control), or accept writes again (`controls-accept`).
    pub fn set_refusing(&self, refusing: bool) {
        self.refusing.store(refusing, Ordering::Release);
    }
}

impl DeviceControls for FakeControls {
    fn capabilities(&self) -> ControlCaps {
        self.caps.clone()
    }

    fn read(&self) -> Result<ControlValues> {
        Ok(self.lock().values.clone())
    }

    fn write(&self, control: Control, value: ControlValue) -> Result<()> {
        if self.refusing.load(Ordering::Acquire) {
            return Err(Error::NotReadable(format!(
                "the camera refused {control} = {value}: the fake camera refuses control \
                 writes (test control controls-refuse)"
            )));
        }
        let cap = self.caps.get(&control).ok_or_else(|| {
            Error::InvalidArgument(format!("the fake camera has no control {control}"))
        })?;
        let value = on_grid(control, cap, value)?;
        let mut inner = self.lock();
        let automatic_mode = |c: Control, values: &ControlValues| {
            values.get(&c).and_then(|v| v.mode()) != Some(MeteringMode::Manual)
        };
        if let Some(mode) = control.governing_mode() {
            if automatic_mode(mode, &inner.values) {
                // The camera chooses this value itself: the write is ignored,
                // and the setting reads back what the camera uses.
                return Ok(());
            }
        }
        inner.values.insert(control, value);
        if value.mode().is_some_and(|m| m != MeteringMode::Manual) {
            // Back to automatic: the governed values are the camera's choice again.
            for governed in Control::ALL {
                if governed.governing_mode() == Some(control) {
                    if let Some(auto) = automatic(governed) {
                        inner.values.insert(governed, ControlValue::Num(auto));
                    }
                }
            }
        }
        inner.look = Look::from_controls(&inner.values);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(c: &FakeControls, control: Control) -> f64 {
        c.read().expect("read")[&control].num().expect("a number")
    }

    #[test]
    fn every_control_is_offered_and_its_default_is_in_range() {
        let caps = capabilities();
        let values = defaults();
        assert_eq!(caps.len(), Control::ALL.len());
        for control in Control::ALL {
            let (cap, value) = (&caps[&control], values[&control]);
            assert_eq!(on_grid(control, cap, value).ok(), Some(value), "{control}");
        }
        assert!(Look::from_controls(&values).is_neutral());
    }

    #[test]
    fn writes_are_stored_rounded_to_the_step_and_strict_about_the_range() {
        let c = FakeControls::new();
        c.write(Control::Brightness, ControlValue::Num(200.0))
            .expect("write");
        assert_eq!(num(&c, Control::Brightness), 200.0);
        c.write(Control::Zoom, ControlValue::Num(1.0 + 0.1 + 0.1 + 0.1))
            .expect("write");
        assert_eq!(num(&c, Control::Zoom), 1.3);
        c.write(Control::Zoom, ControlValue::Num(2.04))
            .expect("write");
        assert_eq!(num(&c, Control::Zoom), 2.0);
        for (control, value) in [
            (Control::Brightness, ControlValue::Num(256.0)),
            (Control::Zoom, ControlValue::Num(0.5)),
            (Control::Pan, ControlValue::Num(f64::NAN)),
            (Control::Torch, ControlValue::Num(1.0)),
            (
                Control::ExposureMode,
                ControlValue::Mode(MeteringMode::SingleShot),
            ),
        ] {
            let error = c.write(control, value).expect_err("out of range");
            assert_eq!(error.name(), "InvalidArgumentError", "{control} = {value}");
        }
        assert_eq!(
            num(&c, Control::Zoom),
            2.0,
            "a refused write changes nothing"
        );
    }

    #[test]
    fn manual_values_need_manual_mode_and_automatic_mode_reads_the_cameras_choice() {
        let c = FakeControls::new();
        let mode = |m| ControlValue::Mode(m);
        c.write(Control::ExposureTime, ControlValue::Num(1000.0))
            .expect("write");
        assert_eq!(num(&c, Control::ExposureTime), 333.0, "ignored in auto");
        assert!(c.look().is_neutral());
        c.write(Control::ExposureMode, mode(MeteringMode::Manual))
            .expect("write");
        assert_eq!(
            num(&c, Control::ExposureTime),
            333.0,
            "keeps the auto value"
        );
        c.write(Control::ExposureTime, ControlValue::Num(1000.0))
            .expect("write");
        assert_eq!(num(&c, Control::ExposureTime), 1000.0);
        assert!((c.look().gain - 1000.0 / 333.0).abs() < 1e-9);
        c.write(Control::ExposureMode, mode(MeteringMode::Continuous))
            .expect("write");
        assert_eq!(num(&c, Control::ExposureTime), 333.0);
        assert!(c.look().is_neutral());
    }

    #[test]
    fn a_refusing_camera_names_the_control_until_it_accepts_again() {
        let c = FakeControls::new();
        c.set_refusing(true);
        let error = c
            .write(Control::Zoom, ControlValue::Num(2.0))
            .expect_err("refused");
        assert_eq!(error.name(), "NotReadableError");
        assert!(error.to_string().contains("zoom"), "{error}");
        assert_eq!(num(&c, Control::Zoom), 1.0);
        c.set_refusing(false);
        c.write(Control::Zoom, ControlValue::Num(2.0))
            .expect("accepted");
        assert_eq!(c.look().zoom, 2.0);
    }

    mod capture {
        //! The fake camera's capture thread paints through its controls.

        use std::sync::{Arc, Mutex, Weak};
        use std::time::{Duration, Instant};

        use crate::backend::fake::FakeBackend;
        use crate::backend::{Backend, SourceSink, SourceTarget};
        use crate::config::{FakeConfig, Pacing};
        use crate::controls::{Control, ControlValue};
        use crate::frame::{Frame, PixelFormat};
        use crate::settings::NativeMode;
        use crate::signal::Signal;
        use crate::video::decode_sequence;

        /// Keeps the latest frame a driver delivers, and counts them.
        struct Latest {
            frame: Mutex<(u64, Option<Frame>)>,
            room: Arc<Signal>,
        }

        impl SourceTarget for Latest {
            fn deliver(&self, frame: Frame) -> bool {
                let mut latest = self.frame.lock().expect("lock");
                *latest = (latest.0 + 1, Some(frame));
                true
            }
            fn end(&self, _: &str) {}
            fn set_muted(&self, _: bool, _: &str) {}
            fn room(&self) -> Arc<Signal> {
                Arc::clone(&self.room)
            }
            fn any_room(&self) -> bool {
                true
            }
            fn largest_queue(&self) -> usize {
                0
            }
            fn count_drop(&self) {}
        }

        impl Latest {
            /// A frame painted after this call: the third delivered from now.
            fn fresh_frame(&self) -> Frame {
                let start = self.frame.lock().expect("lock").0;
                let deadline = Instant::now() + Duration::from_secs(10);
                loop {
                    let latest = self.frame.lock().expect("lock").clone();
                    if let (n, Some(frame)) = latest {
                        if n >= start + 3 {
                            return frame;
                        }
                    }
                    assert!(Instant::now() < deadline, "no frame");
                    std::thread::sleep(Duration::from_millis(2));
                }
            }
        }

        /// Mean luma of a frame's picture.
        fn mean_luma(frame: &Frame) -> f64 {
            let y = frame.video().expect("video").plane(0);
            y.iter().map(|&v| f64::from(v)).sum::<f64>() / y.len() as f64
        }

        #[test]
        fn frames_show_the_controls_and_the_values_outlive_a_close() {
            let backend = FakeBackend::new(FakeConfig {
                pacing: Pacing::RealTime,
                ..FakeConfig::default()
            });
            assert!(backend.controls("fake:audio:0").is_none());
            let controls = backend.controls("fake:video:0").expect("a camera");
            let mode = NativeMode::Video {
                format: PixelFormat::I420,
                width: 320,
                height: 240,
                frame_rate: 60.0,
            };
            let latest = Arc::new(Latest {
                frame: Mutex::new((0, None)),
                room: Arc::new(Signal::new()),
            });
            let target: Arc<dyn SourceTarget> = latest.clone();
            let open = || {
                let sink = SourceSink::new(Arc::downgrade(&target) as Weak<dyn SourceTarget>);
                backend.open("fake:video:0", &mode, sink).expect("open")
            };

            let mut driver = open();
            let plain = latest.fresh_frame();
            controls
                .write(Control::Brightness, ControlValue::Num(220.0))
                .expect("write");
            let bright = latest.fresh_frame();
            assert!(
                mean_luma(&bright) > mean_luma(&plain) + 20.0,
                "{} vs {}",
                mean_luma(&bright),
                mean_luma(&plain)
            );
            for frame in [&plain, &bright] {
                let seq = decode_sequence(frame.video().expect("video"));
                assert_eq!(seq, Some(frame.sequence()));
            }
            driver.close();

            let mut driver = open();
            let again = latest.fresh_frame();
            assert!(mean_luma(&again) > mean_luma(&plain) + 20.0, "still bright");
            assert_eq!(
                controls.read().expect("read")[&Control::Brightness],
                ControlValue::Num(220.0)
            );

            backend
                .control("fake:video:0", "controls-refuse")
                .expect("action");
            let error = controls
                .write(Control::Brightness, ControlValue::Num(20.0))
                .expect_err("refused");
            assert_eq!(error.name(), "NotReadableError");
            assert!(error.to_string().contains("brightness"), "{error}");
            backend
                .control("fake:video:0", "controls-accept")
                .expect("action");
            controls
                .write(Control::Brightness, ControlValue::Num(128.0))
                .expect("accepted");
            let error = backend
                .control("fake:audio:0", "controls-refuse")
                .expect_err("a microphone has no controls");
            assert_eq!(error.name(), "InvalidArgumentError");
            driver.close();
        }
    }
}
