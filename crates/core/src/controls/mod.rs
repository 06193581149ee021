//! Camera controls (W3C *MediaStream Image Capture*): zoom, pan, tilt, focus,
//! exposure, white balance, brightness... as constrainable properties of a
//! video track.
//!
//! Controls belong to the device, not the track: every track on one camera
//! sees the same values, and a change through one shows in the others'
//! settings. A backend that has controls hands out a [`DeviceControls`] for a
//! device; [`plan`] turns chosen values into ordered writes (a manual value
//! switches its automatic mode off first, as Chromium does), and settings are
//! always read back from the device, so a value a driver clamps or ignores
//! shows as what the device really holds.
//!
//! - [`plan`]: from chosen values to ordered writes, and writing them.

pub mod plan;

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::error::Result;
use crate::property::Prop;

/// A camera control: one of the Image Capture specification's constrainable
/// properties (`pointsOfInterest` is not offered: no backend can honour it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Control {
    WhiteBalanceMode,
    ExposureMode,
    FocusMode,
    ExposureCompensation,
    /// In 100 µs units, as the specification (and V4L2's `EXPOSURE_ABSOLUTE`).
    ExposureTime,
    /// In kelvin.
    ColorTemperature,
    Iso,
    Brightness,
    Contrast,
    Saturation,
    Sharpness,
    FocusDistance,
    Pan,
    Tilt,
    Zoom,
    Torch,
}

impl Control {
    /// Every control, in the order they are reported and written.
    pub const ALL: [Control; 16] = [
        Control::WhiteBalanceMode,
        Control::ExposureMode,
        Control::FocusMode,
        Control::ExposureCompensation,
        Control::ExposureTime,
        Control::ColorTemperature,
        Control::Iso,
        Control::Brightness,
        Control::Contrast,
        Control::Saturation,
        Control::Sharpness,
        Control::FocusDistance,
        Control::Pan,
        Control::Tilt,
        Control::Zoom,
        Control::Torch,
    ];

    /// The constrainable property of the same name.
    pub fn prop(self) -> Prop {
        match self {
            Control::WhiteBalanceMode => Prop::WhiteBalanceMode,
            Control::ExposureMode => Prop::ExposureMode,
            Control::FocusMode => Prop::FocusMode,
            Control::ExposureCompensation => Prop::ExposureCompensation,
            Control::ExposureTime => Prop::ExposureTime,
            Control::ColorTemperature => Prop::ColorTemperature,
            Control::Iso => Prop::Iso,
            Control::Brightness => Prop::Brightness,
            Control::Contrast => Prop::Contrast,
            Control::Saturation => Prop::Saturation,
            Control::Sharpness => Prop::Sharpness,
            Control::FocusDistance => Prop::FocusDistance,
            Control::Pan => Prop::Pan,
            Control::Tilt => Prop::Tilt,
            Control::Zoom => Prop::Zoom,
            Control::Torch => Prop::Torch,
        }
    }

    /// The control a property names, if it is one.
    pub fn of_prop(prop: Prop) -> Option<Control> {
        Control::ALL.iter().copied().find(|c| c.prop() == prop)
    }

    /// The specification's name: `"exposureTime"`.
    pub fn name(self) -> &'static str {
        self.prop().name()
    }

    /// The control with this name.
    pub fn from_name(name: &str) -> Option<Control> {
        Control::ALL.iter().copied().find(|c| c.name() == name)
    }

    /// What kind of values it takes.
    pub fn value_kind(self) -> ValueKind {
        match self {
            Control::WhiteBalanceMode | Control::ExposureMode | Control::FocusMode => {
                ValueKind::Mode
            }
            Control::Torch => ValueKind::Flag,
            _ => ValueKind::Num,
        }
    }

    /// The mode that must be `manual` for this value to take effect
    /// (`exposureTime` needs `exposureMode: manual`), if any.
    pub fn governing_mode(self) -> Option<Control> {
        match self {
            Control::ExposureTime => Some(Control::ExposureMode),
            Control::FocusDistance => Some(Control::FocusMode),
            Control::ColorTemperature => Some(Control::WhiteBalanceMode),
            _ => None,
        }
    }
}

impl std::fmt::Display for Control {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The kinds of control values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// A number in a range with a step.
    Num,
    /// A `MeteringMode`.
    Mode,
    /// A boolean (`torch`).
    Flag,
}

/// The specification's `MeteringMode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MeteringMode {
    None,
    Manual,
    SingleShot,
    Continuous,
}

impl MeteringMode {
    pub const ALL: [MeteringMode; 4] = [
        MeteringMode::None,
        MeteringMode::Manual,
        MeteringMode::SingleShot,
        MeteringMode::Continuous,
    ];
    pub fn name(self) -> &'static str {
        match self {
            MeteringMode::None => "none",
            MeteringMode::Manual => "manual",
            MeteringMode::SingleShot => "single-shot",
            MeteringMode::Continuous => "continuous",
        }
    }
    pub fn from_name(s: &str) -> Option<MeteringMode> {
        MeteringMode::ALL.iter().copied().find(|m| m.name() == s)
    }
}

/// What a device offers for one control (`getCapabilities()`).
#[derive(Debug, Clone, PartialEq)]
pub enum ControlCap {
    /// `MediaSettingsRange`: `{min, max, step}` (step 0: any value).
    Range { min: f64, max: f64, step: f64 },
    /// The modes offered, in the device's order.
    Modes(Vec<MeteringMode>),
    /// The boolean values offered (`torch`: `[false, true]`).
    Flags(Vec<bool>),
}

impl ControlCap {
    /// The nearest value of the range to `v`, on the step grid from `min`.
    pub fn nearest(&self, v: f64) -> Option<f64> {
        let ControlCap::Range { min, max, step } = *self else {
            return None;
        };
        let clamped = v.clamp(min, max);
        if step <= 0.0 {
            return Some(clamped);
        }
        let k = ((clamped - min) / step).round();
        let snapped = min + k * step;
        Some(if snapped > max + 1e-9 {
            min + (k - 1.0) * step
        } else {
            snapped
        })
    }

    /// As `getCapabilities()` reports it.
    pub fn to_json(&self) -> Value {
        match self {
            ControlCap::Range { min, max, step } => json!({"min": min, "max": max, "step": step}),
            ControlCap::Modes(modes) => {
                json!(modes.iter().map(|m| m.name()).collect::<Vec<_>>())
            }
            ControlCap::Flags(flags) => json!(flags),
        }
    }
}

/// One control's value.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ControlValue {
    Num(f64),
    Mode(MeteringMode),
    Flag(bool),
}

impl ControlValue {
    pub fn num(self) -> Option<f64> {
        match self {
            ControlValue::Num(v) => Some(v),
            _ => None,
        }
    }
    pub fn mode(self) -> Option<MeteringMode> {
        match self {
            ControlValue::Mode(m) => Some(m),
            _ => None,
        }
    }
    pub fn flag(self) -> Option<bool> {
        match self {
            ControlValue::Flag(b) => Some(b),
            _ => None,
        }
    }
    /// As `getSettings()` reports it.
    pub fn to_json(self) -> Value {
        match self {
            ControlValue::Num(v) => json!(v),
            ControlValue::Mode(m) => json!(m.name()),
            ControlValue::Flag(b) => json!(b),
        }
    }
}

impl std::fmt::Display for ControlValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ControlValue::Num(v) => write!(f, "{v}"),
            ControlValue::Mode(m) => f.write_str(m.name()),
            ControlValue::Flag(b) => write!(f, "{b}"),
        }
    }
}

/// A device's controls and what each offers.
pub type ControlCaps = BTreeMap<Control, ControlCap>;
/// A device's current control values.
pub type ControlValues = BTreeMap<Control, ControlValue>;

/// `caps` as members of `getCapabilities()`.
pub fn caps_json(caps: &ControlCaps, into: &mut Map<String, Value>) {
    for (c, cap) in caps {
        into.insert(c.name().into(), cap.to_json());
    }
}

/// `values` as members of `getSettings()`.
pub fn values_json(values: &ControlValues, into: &mut Map<String, Value>) {
    for (c, v) in values {
        into.insert(c.name().into(), v.to_json());
    }
}

/// The controls of one device, shared by every track on it. Implementations
/// talk to the device (or, for the fake camera, hold its state); they are
/// called from any thread, never from a capture callback.
pub trait DeviceControls: Send + Sync {
    /// The controls the device has and their ranges or modes.
    fn capabilities(&self) -> ControlCaps;

    /// Every control's value, read back from the device now.
    fn read(&self) -> Result<ControlValues>;

    /// Set one control. The value is within the capabilities (the caller
    /// checked); the device may still clamp it, round it, ignore it or refuse
    /// it. A refusal is an error naming the control, the value and the
    /// driver's reason (e.g. `NotReadableError: the camera refused zoom = 300:
    /// EBUSY`).
    fn write(&self, control: Control, value: ControlValue) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_controls_are_exactly_the_properties_marked_as_controls() {
        let marked: Vec<Prop> = Prop::ALL.into_iter().filter(|p| p.is_control()).collect();
        let controls: Vec<Prop> = Control::ALL.into_iter().map(Control::prop).collect();
        assert_eq!(marked, controls);
        for c in Control::ALL {
            assert_eq!(Control::from_name(c.name()), Some(c));
        }
    }

    #[test]
    fn nearest_stays_on_the_grid_and_in_range() {
        let cap = ControlCap::Range {
            min: 0.0,
            max: 250.0,
            step: 5.0,
        };
        assert_eq!(cap.nearest(12.0), Some(10.0));
        assert_eq!(cap.nearest(13.0), Some(15.0));
        assert_eq!(cap.nearest(-3.0), Some(0.0));
        assert_eq!(cap.nearest(999.0), Some(250.0));
        let odd = ControlCap::Range {
            min: 0.0,
            max: 7.0,
            step: 5.0,
        };
        assert_eq!(odd.nearest(7.0), Some(5.0));
    }
}
