//! From the values SelectSettings chose to the writes a camera needs, in the
//! order real cameras need them.
//!
//! Only controls the constraints name are written; the others keep what the
//! device holds. A manual value (`exposureTime`, `focusDistance`,
//! `colorTemperature`) switches its mode (`exposureMode`, `focusMode`,
//! `whiteBalanceMode`) to `manual` first, unless the constraints ask for that
//! mode themselves, as Chromium does: a UVC camera ignores (or refuses) an
//! exposure time while auto exposure is on. Modes going to `manual` are
//! written first, then values, then modes going anywhere else.

use std::collections::BTreeSet;

use super::{Control, ControlCaps, ControlValue, ControlValues, DeviceControls, MeteringMode};
use crate::constraints::{Chosen, Constraint, TrackConstraints};
use crate::error::Result;

/// The controls the constraints name with a value to reach (a number, a mode,
/// a torch state): in the basic set or any advanced set. `pan: true` names no
/// value: it only asks for a camera that has pan.
pub fn named(constraints: &TrackConstraints) -> BTreeSet<Control> {
    std::iter::once(&constraints.basic)
        .chain(constraints.advanced.iter())
        .flat_map(|set| set.iter())
        .filter_map(|(prop, c)| {
            let control = Control::of_prop(*prop)?;
            let asks_value = match (control.value_kind(), c) {
                (_, Constraint::Num(n)) => {
                    n.ideal.is_some() || n.exact.is_some() || n.min.is_some() || n.max.is_some()
                }
                (super::ValueKind::Flag, Constraint::Bool(_)) => true,
                (super::ValueKind::Mode, Constraint::Str(_)) => true,
                _ => false,
            };
            asks_value.then_some(control)
        })
        .collect()
}

/// The control values of a chosen settings point, for the controls `caps` has.
pub fn chosen_values(caps: &ControlCaps, chosen: &Chosen) -> ControlValues {
    caps.keys()
        .filter_map(|&c| {
            let prop = c.prop();
            let value = match c.value_kind() {
                super::ValueKind::Num => chosen.nums.get(&prop).copied().map(ControlValue::Num),
                super::ValueKind::Mode => chosen
                    .strs
                    .get(&prop)
                    .and_then(|s| MeteringMode::from_name(s))
                    .map(ControlValue::Mode),
                super::ValueKind::Flag => chosen.bools.get(&prop).copied().map(ControlValue::Flag),
            }?;
            Some((c, value))
        })
        .collect()
}

fn same(a: Option<&ControlValue>, b: &ControlValue) -> bool {
    match (a, b) {
        (Some(ControlValue::Num(x)), ControlValue::Num(y)) => {
            (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0)
        }
        (Some(a), b) => a == b,
        (None, _) => false,
    }
}

/// The writes that take the device from `current` to `chosen` for the
/// controls in `named`, in order.
pub fn writes(
    caps: &ControlCaps,
    current: &ControlValues,
    chosen: &ControlValues,
    named: &BTreeSet<Control>,
) -> Vec<(Control, ControlValue)> {
    let mut target: Vec<(Control, ControlValue)> = Vec::new();
    let mut force: BTreeSet<Control> = BTreeSet::new();
    for &c in named {
        if let Some(v) = chosen.get(&c) {
            target.push((c, *v));
        }
    }
    // A manual value needs its mode manual, unless the constraints name the mode.
    for &c in named {
        let Some(mode) = c.governing_mode() else {
            continue;
        };
        let offers_manual = matches!(caps.get(&mode),
            Some(super::ControlCap::Modes(m)) if m.contains(&MeteringMode::Manual));
        if named.contains(&mode) || !offers_manual || !chosen.contains_key(&c) {
            continue;
        }
        let manual = ControlValue::Mode(MeteringMode::Manual);
        if !same(current.get(&mode), &manual) {
            // The value an automatic mode shows is not one the camera keeps: write it again.
            force.insert(c);
        }
        target.push((mode, manual));
    }
    let changes = |(c, v): &(Control, ControlValue)| force.contains(c) || !same(current.get(c), v);
    let to_manual =
        |(_, v): &(Control, ControlValue)| *v == ControlValue::Mode(MeteringMode::Manual);
    let is_mode = |(c, _): &(Control, ControlValue)| c.value_kind() == super::ValueKind::Mode;
    let mut out: Vec<(Control, ControlValue)> = Vec::new();
    out.extend(
        target
            .iter()
            .filter(|w| is_mode(w) && to_manual(w) && changes(w)),
    );
    out.extend(target.iter().filter(|w| !is_mode(w) && changes(w)));
    out.extend(
        target
            .iter()
            .filter(|w| is_mode(w) && !to_manual(w) && changes(w)),
    );
    out
}

/// Write `writes` in order, stopping at the first the device refuses.
pub fn apply(controls: &dyn DeviceControls, writes: &[(Control, ControlValue)]) -> Result<()> {
    writes.iter().try_for_each(|(c, v)| controls.write(*c, *v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::ControlCap;

    fn caps() -> ControlCaps {
        let modes = ControlCap::Modes(vec![MeteringMode::Manual, MeteringMode::Continuous]);
        ControlCaps::from([
            (Control::ExposureMode, modes.clone()),
            (Control::FocusMode, modes),
            (
                Control::ExposureTime,
                ControlCap::Range {
                    min: 3.0,
                    max: 2047.0,
                    step: 1.0,
                },
            ),
            (
                Control::Zoom,
                ControlCap::Range {
                    min: 100.0,
                    max: 500.0,
                    step: 1.0,
                },
            ),
        ])
    }

    fn current() -> ControlValues {
        ControlValues::from([
            (
                Control::ExposureMode,
                ControlValue::Mode(MeteringMode::Continuous),
            ),
            (
                Control::FocusMode,
                ControlValue::Mode(MeteringMode::Continuous),
            ),
            (Control::ExposureTime, ControlValue::Num(250.0)),
            (Control::Zoom, ControlValue::Num(100.0)),
        ])
    }

    #[test]
    fn a_manual_value_switches_its_mode_to_manual_first() {
        let mut chosen = current();
        chosen.insert(Control::ExposureTime, ControlValue::Num(100.0));
        let w = writes(
            &caps(),
            &current(),
            &chosen,
            &BTreeSet::from([Control::ExposureTime]),
        );
        assert_eq!(
            w,
            vec![
                (
                    Control::ExposureMode,
                    ControlValue::Mode(MeteringMode::Manual)
                ),
                (Control::ExposureTime, ControlValue::Num(100.0)),
            ]
        );
    }

    #[test]
    fn the_same_value_under_an_automatic_mode_is_written_again_after_the_switch() {
        let w = writes(
            &caps(),
            &current(),
            &current(),
            &BTreeSet::from([Control::ExposureTime]),
        );
        assert_eq!(w.len(), 2, "{w:?}");
        assert_eq!(w[1], (Control::ExposureTime, ControlValue::Num(250.0)));
    }

    #[test]
    fn unnamed_controls_and_unchanged_values_are_not_written() {
        let mut chosen = current();
        chosen.insert(Control::Zoom, ControlValue::Num(300.0));
        let none = writes(&caps(), &current(), &chosen, &BTreeSet::new());
        assert!(none.is_empty());
        let same = writes(&caps(), &chosen, &chosen, &BTreeSet::from([Control::Zoom]));
        assert!(same.is_empty());
    }

    #[test]
    fn an_automatic_mode_asked_for_is_written_after_the_values() {
        let mut cur = current();
        cur.insert(
            Control::ExposureMode,
            ControlValue::Mode(MeteringMode::Manual),
        );
        let mut chosen = cur.clone();
        chosen.insert(
            Control::ExposureMode,
            ControlValue::Mode(MeteringMode::Continuous),
        );
        chosen.insert(Control::Zoom, ControlValue::Num(200.0));
        let w = writes(
            &caps(),
            &cur,
            &chosen,
            &BTreeSet::from([Control::ExposureMode, Control::Zoom]),
        );
        assert_eq!(
            w,
            vec![
                (Control::Zoom, ControlValue::Num(200.0)),
                (
                    Control::ExposureMode,
                    ControlValue::Mode(MeteringMode::Continuous)
                ),
            ]
        );
    }
}
