//! Camera controls (Image Capture) on V4L2, on our own ioctls (`v4l2`), with
//! Chromium's mapping (`v4l2_capture_delegate.cc`):
//!
//! | control | V4L2 control | values |
//! |---|---|---|
//! | `brightness`, `contrast`, `saturation`, `sharpness` | `BRIGHTNESS`, `CONTRAST`, `SATURATION`, `SHARPNESS` | the driver's units |
//! | `whiteBalanceMode` | `AUTO_WHITE_BALANCE` | 1 `continuous`, 0 `manual` |
//! | `colorTemperature` | `WHITE_BALANCE_TEMPERATURE` | kelvin |
//! | `exposureMode` | `EXPOSURE_AUTO` (menu) | `MANUAL` (1) `manual`; `APERTURE_PRIORITY` (3), else `AUTO` (0), `continuous` |
//! | `exposureTime` | `EXPOSURE_ABSOLUTE` | 100 µs units, as the specification |
//! | `exposureCompensation` | `AUTO_EXPOSURE_BIAS` (integer menu, 0.001 EV) | EV |
//! | `focusMode` | `FOCUS_AUTO` | 1 `continuous`, 0 `manual` |
//! | `focusDistance` | `FOCUS_ABSOLUTE` | the driver's units (as Chromium) |
//! | `pan`, `tilt` | `PAN_ABSOLUTE`, `TILT_ABSOLUTE` | arc seconds |
//! | `zoom` | `ZOOM_ABSOLUTE` | the driver's units |
//! | `iso` | `ISO_SENSITIVITY` (integer menu) | ISO |
//! | `torch` | `FLASH_LED_MODE` (menu, offered when it has `TORCH`) | `TORCH` (2) true, `NONE` (0) false |
//!
//! Ranges come from walking the controls (`VIDIOC_QUERY_EXT_CTRL` with
//! `NEXT_CTRL`, or `VIDIOC_QUERYCTRL` on old drivers), menus from
//! `VIDIOC_QUERYMENU`; values are read with `VIDIOC_G_EXT_CTRLS` (current
//! values) and written with `VIDIOC_S_EXT_CTRLS` (in the control's class),
//! one control per call, so a refusal names exactly one control.
//!
//! Choices:
//! - **Flags**: a `DISABLED` control is not offered. A `READ_ONLY` (or
//!   `WRITE_ONLY`) control is not offered either: the application could
//!   never set (or never see) it, and offering it would let a constraint be
//!   chosen that the camera then refuses. `INACTIVE` (e.g. the exposure time
//!   while exposure is automatic) is offered and read: the constraints
//!   planner switches the automatic mode to manual before writing it, and a
//!   driver that still refuses it (uvcvideo says `EACCES`) is reported. A
//!   `GRABBED` control (held by a capture in progress) fails a write with a
//!   `NotReadableError` saying so; the flags are asked again before every
//!   write.
//! - **Exposure modes**: `manual` is offered when the menu has `MANUAL`,
//!   `continuous` when it has `APERTURE_PRIORITY` (written for it, as
//!   Chromium) or else `AUTO` (written instead). Read back, only `MANUAL` is
//!   `manual`; `AUTO`, `APERTURE_PRIORITY` and `SHUTTER_PRIORITY` all meter
//!   continuously and read as `continuous` (as Chromium does).
//! - **Integer menus** (`iso`, `exposureCompensation`) are offered as the
//!   range from their smallest to their largest item, with the largest step
//!   every item lies on; a value is written as the nearest item.
//! - **Errors**: a driver that refuses a write (`EBUSY`, `EINVAL`, `ERANGE`,
//!   `EACCES`, ...) gives `NotReadableError: the camera refused zoom = 300:
//!   EBUSY (Device or resource busy)`. A value the driver clamps or rounds
//!   is not an error: settings are read back and show what it holds.
//! - **Descriptors**: each call opens the node and closes it again (V4L2
//!   allows controls on any descriptor, also while another one streams), so
//!   nothing stays open when no track is; opening and closing hold the
//!   backend's `access()`, as every other open of a node does.

use std::os::fd::RawFd;
use std::path::{Path, PathBuf};

use super::v4l2::{self, errno_text, ControlInfo, Node, CTRL_TYPE_INTEGER64};
use crate::controls::{
    Control, ControlCap, ControlCaps, ControlValue, ControlValues, DeviceControls, MeteringMode,
    ValueKind,
};
use crate::error::{Error, Result};

// Control ids, types and flags: the kernel's ABI, spelled out so that old
// headers (the `v4l` bindings are generated from the system's) do not matter.
const CID_BRIGHTNESS: u32 = 0x0098_0900;
const CID_CONTRAST: u32 = 0x0098_0901;
const CID_SATURATION: u32 = 0x0098_0902;
const CID_AUTO_WHITE_BALANCE: u32 = 0x0098_090c;
const CID_WHITE_BALANCE_TEMPERATURE: u32 = 0x0098_091a;
const CID_SHARPNESS: u32 = 0x0098_091b;
const CID_EXPOSURE_AUTO: u32 = 0x009a_0901;
const CID_EXPOSURE_ABSOLUTE: u32 = 0x009a_0902;
const CID_PAN_ABSOLUTE: u32 = 0x009a_0908;
const CID_TILT_ABSOLUTE: u32 = 0x009a_0909;
const CID_FOCUS_ABSOLUTE: u32 = 0x009a_090a;
const CID_FOCUS_AUTO: u32 = 0x009a_090c;
const CID_ZOOM_ABSOLUTE: u32 = 0x009a_090d;
const CID_AUTO_EXPOSURE_BIAS: u32 = 0x009a_0913;
const CID_ISO_SENSITIVITY: u32 = 0x009a_0917;
const CID_FLASH_LED_MODE: u32 = 0x009c_0901;

const TYPE_INTEGER: u32 = 1;
const TYPE_BOOLEAN: u32 = 2;
const TYPE_MENU: u32 = 3;
const TYPE_INTEGER_MENU: u32 = 9;

const FLAG_DISABLED: u32 = 0x0001;
const FLAG_GRABBED: u32 = 0x0002;
const FLAG_READ_ONLY: u32 = 0x0004;
const FLAG_WRITE_ONLY: u32 = 0x0040;

/// `V4L2_CID_EXPOSURE_AUTO`'s items.
const EXPOSURE_AUTO: u32 = 0;
const EXPOSURE_MANUAL: u32 = 1;
const EXPOSURE_APERTURE_PRIORITY: u32 = 3;
/// `V4L2_CID_FLASH_LED_MODE`'s items.
const FLASH_LED_MODE_NONE: u32 = 0;
const FLASH_LED_MODE_TORCH: u32 = 2;

/// Each control, its V4L2 control, and the size of one driver unit in the
/// specification's unit.
const MAP: [(Control, u32, f64); 16] = [
    (Control::WhiteBalanceMode, CID_AUTO_WHITE_BALANCE, 1.0),
    (Control::ExposureMode, CID_EXPOSURE_AUTO, 1.0),
    (Control::FocusMode, CID_FOCUS_AUTO, 1.0),
    (Control::ExposureCompensation, CID_AUTO_EXPOSURE_BIAS, 0.001),
    (Control::ExposureTime, CID_EXPOSURE_ABSOLUTE, 1.0),
    (
        Control::ColorTemperature,
        CID_WHITE_BALANCE_TEMPERATURE,
        1.0,
    ),
    (Control::Iso, CID_ISO_SENSITIVITY, 1.0),
    (Control::Brightness, CID_BRIGHTNESS, 1.0),
    (Control::Contrast, CID_CONTRAST, 1.0),
    (Control::Saturation, CID_SATURATION, 1.0),
    (Control::Sharpness, CID_SHARPNESS, 1.0),
    (Control::FocusDistance, CID_FOCUS_ABSOLUTE, 1.0),
    (Control::Pan, CID_PAN_ABSOLUTE, 1.0),
    (Control::Tilt, CID_TILT_ABSOLUTE, 1.0),
    (Control::Zoom, CID_ZOOM_ABSOLUTE, 1.0),
    (Control::Torch, CID_FLASH_LED_MODE, 1.0),
];

/// How one control's values map to the driver's.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// An integer range; a value is `raw * scale`.
    Range {
        min: i64,
        max: i64,
        step: i64,
        scale: f64,
        wide: bool,
    },
    /// An integer menu: (index, raw value) of each item offered; a value is
    /// `raw * scale`.
    IntMenu { items: Vec<(u32, i64)>, scale: f64 },
    /// A boolean automatic mode: 1 `continuous`, 0 `manual`; which of the
    /// two the driver's range allows.
    AutoSwitch { manual: bool, continuous: bool },
    /// `EXPOSURE_AUTO`: the menu items offered.
    ExposureMenu { items: Vec<u32> },
    /// `FLASH_LED_MODE`: the menu items offered.
    FlashMenu { items: Vec<u32> },
}

/// One control the camera has, as we use it.
#[derive(Debug, Clone, PartialEq)]
struct Mapped {
    control: Control,
    id: u32,
    shape: Shape,
}

/// The camera's controls, read when cameras are listed.
pub(crate) fn query(fd: RawFd) -> ControlCaps {
    caps_of(&table(fd))
}

/// The controls of the node we map, with their shapes.
fn table(fd: RawFd) -> Vec<Mapped> {
    let mut out: Vec<Mapped> = Vec::new();
    for info in v4l2::controls(fd) {
        if let Some(mapped) = map(fd, &info) {
            if !out.iter().any(|m| m.control == mapped.control) {
                out.push(mapped);
            }
        }
    }
    out.sort_by_key(|m| m.control);
    out
}

fn caps_of(table: &[Mapped]) -> ControlCaps {
    table
        .iter()
        .filter_map(|m| Some((m.control, cap(&m.shape)?)))
        .collect()
}

/// How we use a control the driver describes, if we do.
fn map(fd: RawFd, info: &ControlInfo) -> Option<Mapped> {
    if info.flags & (FLAG_DISABLED | FLAG_READ_ONLY | FLAG_WRITE_ONLY) != 0 {
        return None;
    }
    let &(control, id, scale) = MAP.iter().find(|(_, id, _)| *id == info.id)?;
    let indices = |integer: bool| v4l2::menu(fd, info, integer);
    let shape = match (control, info.kind) {
        (Control::ExposureMode, TYPE_MENU) => Shape::ExposureMenu {
            items: indices(false).into_iter().map(|(i, _, _)| i).collect(),
        },
        (Control::Torch, TYPE_MENU) => Shape::FlashMenu {
            items: indices(false).into_iter().map(|(i, _, _)| i).collect(),
        },
        (Control::WhiteBalanceMode | Control::FocusMode, TYPE_BOOLEAN | TYPE_INTEGER) => {
            Shape::AutoSwitch {
                manual: (info.min..=info.max).contains(&0),
                continuous: (info.min..=info.max).contains(&1),
            }
        }
        (c, TYPE_INTEGER | CTRL_TYPE_INTEGER64) if c.value_kind() == ValueKind::Num => {
            Shape::Range {
                min: info.min,
                max: info.max,
                step: i64::try_from(info.step).unwrap_or(1).max(1),
                scale,
                wide: info.kind == CTRL_TYPE_INTEGER64,
            }
        }
        (c, TYPE_INTEGER_MENU) if c.value_kind() == ValueKind::Num => Shape::IntMenu {
            items: indices(true).into_iter().map(|(i, _, v)| (i, v)).collect(),
            scale,
        },
        _ => return None,
    };
    Some(Mapped { control, id, shape })
}

/// What the control offers, if anything.
fn cap(shape: &Shape) -> Option<ControlCap> {
    match shape {
        Shape::Range {
            min,
            max,
            step,
            scale,
            ..
        } => (min <= max).then(|| ControlCap::Range {
            min: *min as f64 * scale,
            max: *max as f64 * scale,
            step: *step as f64 * scale,
        }),
        Shape::IntMenu { items, scale } => {
            let values: Vec<i64> = items.iter().map(|&(_, v)| v).collect();
            let (min, max) = (*values.iter().min()?, *values.iter().max()?);
            let step = values.iter().map(|v| v.abs_diff(min)).fold(0, gcd);
            Some(ControlCap::Range {
                min: min as f64 * scale,
                max: max as f64 * scale,
                step: step as f64 * scale,
            })
        }
        Shape::AutoSwitch { manual, continuous } => {
            let modes: Vec<MeteringMode> = [
                (*manual, MeteringMode::Manual),
                (*continuous, MeteringMode::Continuous),
            ]
            .into_iter()
            .filter_map(|(has, m)| has.then_some(m))
            .collect();
            (!modes.is_empty()).then_some(ControlCap::Modes(modes))
        }
        Shape::ExposureMenu { items } => {
            let mut modes = Vec::new();
            if items.contains(&EXPOSURE_MANUAL) {
                modes.push(MeteringMode::Manual);
            }
            if continuous_exposure(items).is_some() {
                modes.push(MeteringMode::Continuous);
            }
            (!modes.is_empty()).then_some(ControlCap::Modes(modes))
        }
        Shape::FlashMenu { items } => {
            // A flash without a torch mode has no torch.
            if !items.contains(&FLASH_LED_MODE_TORCH) {
                return None;
            }
            let flags: Vec<bool> = [(FLASH_LED_MODE_NONE, false), (FLASH_LED_MODE_TORCH, true)]
                .into_iter()
                .filter_map(|(item, flag)| items.contains(&item).then_some(flag))
                .collect();
            (!flags.is_empty()).then_some(ControlCap::Flags(flags))
        }
    }
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The `EXPOSURE_AUTO` item written for `continuous`: aperture priority
/// (as Chromium), else fully automatic.
fn continuous_exposure(items: &[u32]) -> Option<u32> {
    [EXPOSURE_APERTURE_PRIORITY, EXPOSURE_AUTO]
        .into_iter()
        .find(|i| items.contains(i))
}

/// A raw value the driver holds, as the control's value.
fn value_of(shape: &Shape, raw: i64) -> Option<ControlValue> {
    Some(match shape {
        Shape::Range { scale, .. } => ControlValue::Num(raw as f64 * scale),
        Shape::IntMenu { items, scale } => {
            let &(_, v) = items.iter().find(|&&(i, _)| i64::from(i) == raw)?;
            ControlValue::Num(v as f64 * scale)
        }
        Shape::AutoSwitch { .. } => ControlValue::Mode(if raw != 0 {
            MeteringMode::Continuous
        } else {
            MeteringMode::Manual
        }),
        Shape::ExposureMenu { .. } => ControlValue::Mode(if raw == i64::from(EXPOSURE_MANUAL) {
            MeteringMode::Manual
        } else {
            MeteringMode::Continuous
        }),
        Shape::FlashMenu { .. } => ControlValue::Flag(raw == i64::from(FLASH_LED_MODE_TORCH)),
    })
}

/// The raw value to write for `value`, if the control can take it.
fn raw_of(shape: &Shape, value: ControlValue) -> Option<i64> {
    match (shape, value) {
        (Shape::Range { scale, .. }, ControlValue::Num(v)) if v.is_finite() => {
            Some((v / scale).round() as i64)
        }
        (Shape::IntMenu { items, scale }, ControlValue::Num(v)) if v.is_finite() => items
            .iter()
            .min_by(|a, b| {
                let d = |x: i64| (x as f64 * scale - v).abs();
                d(a.1).total_cmp(&d(b.1))
            })
            .map(|&(i, _)| i64::from(i)),
        (Shape::AutoSwitch { manual, .. }, ControlValue::Mode(MeteringMode::Manual)) => {
            manual.then_some(0)
        }
        (Shape::AutoSwitch { continuous, .. }, ControlValue::Mode(MeteringMode::Continuous)) => {
            continuous.then_some(1)
        }
        (Shape::ExposureMenu { items }, ControlValue::Mode(MeteringMode::Manual)) => items
            .contains(&EXPOSURE_MANUAL)
            .then_some(i64::from(EXPOSURE_MANUAL)),
        (Shape::ExposureMenu { items }, ControlValue::Mode(MeteringMode::Continuous)) => {
            continuous_exposure(items).map(i64::from)
        }
        (Shape::FlashMenu { items }, ControlValue::Flag(on)) => {
            let item = if on {
                FLASH_LED_MODE_TORCH
            } else {
                FLASH_LED_MODE_NONE
            };
            items.contains(&item).then_some(i64::from(item))
        }
        _ => None,
    }
}

fn is_wide(shape: &Shape) -> bool {
    matches!(shape, Shape::Range { wide: true, .. })
}

/// The controls of one V4L2 camera, shared by every track on it.
pub(crate) struct V4l2Controls {
    path: PathBuf,
    /// The camera, for messages: `"Label" (/dev/video0)`.
    name: String,
    table: Vec<Mapped>,
    caps: ControlCaps,
}

impl V4l2Controls {
    /// The controls of the camera at `path`, read now; `None` when it has
    /// none we map (or cannot be opened).
    pub(crate) fn open(path: &Path, name: String) -> Option<V4l2Controls> {
        let node = {
            let _access = super::super::access();
            Node::open(path).ok()?
        };
        let table = table(node.fd());
        close(node);
        if table.is_empty() {
            return None;
        }
        Some(V4l2Controls {
            path: path.to_path_buf(),
            name,
            caps: caps_of(&table),
            table,
        })
    }

    /// Run `f` on a descriptor of the camera, opened and closed under the
    /// backend's lock.
    fn with_node<T>(&self, f: impl FnOnce(RawFd) -> T) -> Result<T> {
        let node = {
            let _access = super::super::access();
            Node::open(&self.path)
        }
        .map_err(|e| {
            Error::NotReadable(format!(
                "camera {} cannot be opened to reach its controls: {}",
                self.name,
                errno_text(&e)
            ))
        })?;
        let out = f(node.fd());
        close(node);
        Ok(out)
    }
}

/// Close a node under the backend's lock (a descriptor number freed while
/// nokhwa opens the camera could be taken for nokhwa's).
fn close(node: Node) {
    let _access = super::super::access();
    drop(node);
}

impl DeviceControls for V4l2Controls {
    fn capabilities(&self) -> ControlCaps {
        self.caps.clone()
    }

    fn read(&self) -> Result<ControlValues> {
        self.with_node(|fd| {
            self.table
                .iter()
                .filter_map(|m| {
                    // A control that cannot be read now is left out, not the whole reading.
                    let raw = v4l2::get_control(fd, m.id, is_wide(&m.shape)).ok()?;
                    Some((m.control, value_of(&m.shape, raw)?))
                })
                .collect()
        })
    }

    fn write(&self, control: Control, value: ControlValue) -> Result<()> {
        let refused = |why: &str| {
            Error::NotReadable(format!("the camera refused {control} = {value}: {why}"))
        };
        let Some(mapped) = self.table.iter().find(|m| m.control == control) else {
            return Err(refused(&format!(
                "camera {} has no such control",
                self.name
            )));
        };
        let Some(raw) = raw_of(&mapped.shape, value) else {
            return Err(refused("not a value it offers"));
        };
        self.with_node(|fd| {
            // The flags now: a control may be grabbed or disabled since it was listed.
            match v4l2::query_control(fd, mapped.id, false) {
                Ok(info) if info.flags & FLAG_GRABBED != 0 => {
                    return Err(refused(
                        "the control is grabbed (busy: held by a capture or another program)",
                    ))
                }
                Ok(info) if info.flags & (FLAG_DISABLED | FLAG_READ_ONLY) != 0 => {
                    return Err(refused("the control is disabled or read-only now"))
                }
                _ => {}
            }
            v4l2::set_control(fd, mapped.id, is_wide(&mapped.shape), raw)
                .map_err(|e| refused(&errno_text(&e)))
        })?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(min: i64, max: i64, step: i64, scale: f64) -> Shape {
        Shape::Range {
            min,
            max,
            step,
            scale,
            wide: false,
        }
    }

    #[test]
    fn ranges_and_integer_menus_offer_their_span_and_snap_to_items() {
        assert_eq!(
            cap(&range(-36000, 36000, 3600, 1.0)),
            Some(ControlCap::Range {
                min: -36000.0,
                max: 36000.0,
                step: 3600.0
            })
        );
        let bias = Shape::IntMenu {
            items: (0..9).map(|i| (i, -2000 + 500 * i64::from(i))).collect(),
            scale: 0.001,
        };
        assert_eq!(
            cap(&bias),
            Some(ControlCap::Range {
                min: -2.0,
                max: 2.0,
                step: 0.5
            })
        );
        assert_eq!(raw_of(&bias, ControlValue::Num(1.2)), Some(6));
        assert_eq!(value_of(&bias, 6), Some(ControlValue::Num(1.0)));
        assert_eq!(value_of(&bias, 42), None);
        let iso = Shape::IntMenu {
            items: vec![(0, 100), (1, 200), (2, 400), (3, 800)],
            scale: 1.0,
        };
        assert_eq!(
            cap(&iso),
            Some(ControlCap::Range {
                min: 100.0,
                max: 800.0,
                step: 100.0
            })
        );
        assert_eq!(raw_of(&iso, ControlValue::Num(700.0)), Some(3));
        assert_eq!(
            raw_of(&range(0, 10, 1, 1.0), ControlValue::Num(4.6)),
            Some(5)
        );
    }

    #[test]
    fn exposure_modes_follow_the_menu_and_only_manual_reads_as_manual() {
        let uvc = Shape::ExposureMenu { items: vec![1, 3] };
        assert_eq!(
            cap(&uvc),
            Some(ControlCap::Modes(vec![
                MeteringMode::Manual,
                MeteringMode::Continuous
            ]))
        );
        assert_eq!(
            raw_of(&uvc, ControlValue::Mode(MeteringMode::Continuous)),
            Some(3)
        );
        assert_eq!(
            raw_of(&uvc, ControlValue::Mode(MeteringMode::Manual)),
            Some(1)
        );
        assert_eq!(
            raw_of(&uvc, ControlValue::Mode(MeteringMode::SingleShot)),
            None
        );
        let sensor = Shape::ExposureMenu { items: vec![0, 1] };
        assert_eq!(
            raw_of(&sensor, ControlValue::Mode(MeteringMode::Continuous)),
            Some(0)
        );
        let manual_only = Shape::ExposureMenu { items: vec![1, 2] };
        assert_eq!(
            cap(&manual_only),
            Some(ControlCap::Modes(vec![MeteringMode::Manual]))
        );
        for (raw, mode) in [
            (0, MeteringMode::Continuous),
            (1, MeteringMode::Manual),
            (2, MeteringMode::Continuous),
            (3, MeteringMode::Continuous),
        ] {
            assert_eq!(value_of(&uvc, raw), Some(ControlValue::Mode(mode)));
        }
    }

    #[test]
    fn switches_and_the_torch_map_both_ways() {
        let focus = Shape::AutoSwitch {
            manual: true,
            continuous: true,
        };
        assert_eq!(
            raw_of(&focus, ControlValue::Mode(MeteringMode::Manual)),
            Some(0)
        );
        assert_eq!(
            value_of(&focus, 1),
            Some(ControlValue::Mode(MeteringMode::Continuous))
        );
        let torch = Shape::FlashMenu {
            items: vec![0, 1, 2],
        };
        assert_eq!(cap(&torch), Some(ControlCap::Flags(vec![false, true])));
        assert_eq!(raw_of(&torch, ControlValue::Flag(true)), Some(2));
        assert_eq!(value_of(&torch, 1), Some(ControlValue::Flag(false)));
        let no_torch = Shape::FlashMenu { items: vec![0, 1] };
        assert_eq!(cap(&no_torch), None);
        assert_eq!(raw_of(&no_torch, ControlValue::Flag(true)), None);
    }
}
