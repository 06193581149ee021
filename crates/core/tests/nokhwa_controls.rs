//! Camera controls (Image Capture) on V4L2, through nokhwa's Linux backend,
//! on the V4L2 stand-in (`v4l2_support`): the controls listed as the camera
//! describes them (ranges, menus, flags), read and written through the
//! backend's `DeviceControls` (what reaches the driver, in order, and what
//! it holds after), and end to end through `applyConstraints()` /
//! `getSettings()` / `getCapabilities()`.
#![cfg(all(feature = "nokhwa", target_os = "linux"))]

mod v4l2_support;

use std::sync::Arc;

use lms_core::backend::nokhwa::NokhwaBackend;
use lms_core::backend::Backend;
use lms_core::controls::{Control, ControlCap, ControlValue, DeviceControls, MeteringMode};
use lms_core::{Error, MediaStreamTrack};
use serde_json::{json, Value};
use v4l2_support::*;

const ZOOM_ABSOLUTE: u32 = 0x009a_090d;
const EXPOSURE_AUTO: u32 = 0x009a_0901;
const EXPOSURE_ABSOLUTE: u32 = 0x009a_0902;

fn controls() -> Arc<dyn DeviceControls> {
    NokhwaBackend::new()
        .controls(DEVICE_ID)
        .expect("the stand-in camera has controls")
}

fn range(min: f64, max: f64, step: f64) -> Value {
    json!({"min": min, "max": max, "step": step})
}

fn num(values: &lms_core::controls::ControlValues, control: Control) -> f64 {
    values[&control]
        .num()
        .unwrap_or_else(|| panic!("{control}: {values:?}"))
}

/// The log as (name, asked, result, held), for messages and comparisons.
fn log_lines() -> Vec<(String, i64, String, i64)> {
    control_log()
        .into_iter()
        .map(|s| (s.name, s.asked, s.result, s.held))
        .collect()
}

fn camera_track() -> MediaStreamTrack {
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    stream.get_video_tracks().remove(0)
}

#[test]
fn the_controls_are_listed_as_the_camera_describes_them() {
    if !in_standin("the_controls_are_listed_as_the_camera_describes_them") {
        return;
    }
    let md = media_devices();
    let caps = md.device_capabilities(DEVICE_ID).expect("capabilities");
    let modes = json!(["manual", "continuous"]);
    let expected = [
        ("brightness", range(0.0, 255.0, 1.0)),
        ("contrast", range(0.0, 255.0, 1.0)),
        ("saturation", range(0.0, 255.0, 1.0)),
        ("sharpness", range(0.0, 255.0, 1.0)),
        ("whiteBalanceMode", modes.clone()),
        ("colorTemperature", range(2000.0, 6500.0, 1.0)),
        ("exposureMode", modes.clone()),
        ("exposureTime", range(3.0, 2047.0, 1.0)),
        ("focusMode", modes.clone()),
        ("focusDistance", range(0.0, 250.0, 5.0)),
        ("pan", range(-36000.0, 36000.0, 3600.0)),
        ("tilt", range(-36000.0, 36000.0, 3600.0)),
        ("zoom", range(100.0, 500.0, 1.0)),
    ];
    for (name, want) in &expected {
        assert_eq!(&caps[*name], want, "{name} in {caps}");
    }
    // What a plain UVC webcam lacks is not offered; gain and the power line
    // frequency have no Image Capture property.
    for absent in ["torch", "iso", "exposureCompensation", "gain"] {
        assert!(caps.get(absent).is_none(), "{absent} in {caps}");
    }
    let seen = usage();
    assert_eq!(seen.open_now, 0, "listing leaves no descriptor open");
    assert_eq!(seen.streamons, 0, "listing does not stream");
    assert!(control_log().is_empty(), "listing sets nothing");
}

#[test]
fn integer_menus_and_the_torch_are_offered_where_the_camera_has_them() {
    if !in_standin("integer_menus_and_the_torch_are_offered_where_the_camera_has_them") {
        return;
    }
    extend_controls();
    let md = media_devices();
    let caps = md.device_capabilities(DEVICE_ID).expect("capabilities");
    assert_eq!(caps["iso"], range(100.0, 1600.0, 100.0), "{caps}");
    assert_eq!(
        caps["exposureCompensation"],
        range(-2.0, 2.0, 0.5),
        "{caps}"
    );
    assert_eq!(caps["torch"], json!([false, true]), "{caps}");
    let c = controls();
    let values = c.read().expect("values");
    assert_eq!(num(&values, Control::Iso), 100.0);
    assert_eq!(num(&values, Control::ExposureCompensation), 0.0);
    assert_eq!(values[&Control::Torch], ControlValue::Flag(false));
    // A value between menu items is written as the nearest item's index.
    c.write(Control::ExposureCompensation, ControlValue::Num(1.2))
        .expect("exposureCompensation");
    c.write(Control::Iso, ControlValue::Num(700.0))
        .expect("iso");
    c.write(Control::Torch, ControlValue::Flag(true))
        .expect("torch");
    let log = log_lines();
    assert_eq!(
        log,
        vec![
            ("auto_exposure_bias".into(), 6, "ok".into(), 6),
            ("iso_sensitivity".into(), 3, "ok".into(), 3),
            ("led_mode".into(), 2, "ok".into(), 2),
        ]
    );
    let values = c.read().expect("values");
    assert_eq!(num(&values, Control::ExposureCompensation), 1.0);
    assert_eq!(num(&values, Control::Iso), 800.0);
    assert_eq!(values[&Control::Torch], ControlValue::Flag(true));
    c.write(Control::Torch, ControlValue::Flag(false))
        .expect("torch off");
    assert_eq!(sets_of("led_mode").last().map(|s| s.held), Some(0));
}

#[test]
fn disabled_and_read_only_controls_are_not_offered() {
    if !in_standin("disabled_and_read_only_controls_are_not_offered") {
        return;
    }
    flag_control("sharpness", FLAG_DISABLED);
    flag_control("saturation", FLAG_READ_ONLY);
    let md = media_devices();
    let caps = md.device_capabilities(DEVICE_ID).expect("capabilities");
    assert!(caps.get("sharpness").is_none(), "{caps}");
    assert!(caps.get("saturation").is_none(), "{caps}");
    assert_eq!(caps["brightness"], range(0.0, 255.0, 1.0), "{caps}");
    let c = controls();
    assert!(!c.capabilities().contains_key(&Control::Saturation));
    let err = c
        .write(Control::Saturation, ControlValue::Num(10.0))
        .expect_err("not offered, not written");
    assert_eq!(err.name(), "NotReadableError", "{err}");
    assert!(control_log().is_empty(), "{:?}", log_lines());
}

#[test]
fn an_old_driver_is_listed_read_and_written_through_the_old_calls() {
    if !in_standin("an_old_driver_is_listed_read_and_written_through_the_old_calls") {
        return;
    }
    legacy_controls();
    let md = media_devices();
    let caps = md.device_capabilities(DEVICE_ID).expect("capabilities");
    assert_eq!(caps["zoom"], range(100.0, 500.0, 1.0), "{caps}");
    assert_eq!(caps["pan"], range(-36000.0, 36000.0, 3600.0), "{caps}");
    assert_eq!(
        caps["exposureMode"],
        json!(["manual", "continuous"]),
        "{caps}"
    );
    let c = controls();
    c.write(Control::Zoom, ControlValue::Num(300.0))
        .expect("zoom");
    let set = &sets_of("zoom_absolute")[0];
    assert_eq!(
        (set.call.as_str(), set.asked, set.ok()),
        ("S_CTRL", 300, true)
    );
    let values = c.read().expect("values");
    assert_eq!(num(&values, Control::Zoom), 300.0);
    assert_eq!(
        values[&Control::ExposureMode],
        ControlValue::Mode(MeteringMode::Continuous)
    );
}

#[test]
fn values_are_read_back_from_the_driver() {
    if !in_standin("values_are_read_back_from_the_driver") {
        return;
    }
    let c = controls();
    let caps = c.capabilities();
    assert_eq!(
        caps[&Control::Zoom],
        ControlCap::Range {
            min: 100.0,
            max: 500.0,
            step: 1.0
        }
    );
    let values = c.read().expect("values");
    for (control, want) in [
        (Control::Brightness, 128.0),
        (Control::Contrast, 32.0),
        (Control::Saturation, 64.0),
        (Control::Sharpness, 3.0),
        (Control::ColorTemperature, 4600.0),
        (Control::ExposureTime, 250.0),
        (Control::FocusDistance, 0.0),
        (Control::Pan, 0.0),
        (Control::Tilt, 0.0),
        (Control::Zoom, 100.0),
    ] {
        assert_eq!(num(&values, control), want, "{control}");
    }
    for control in [
        Control::WhiteBalanceMode,
        Control::ExposureMode,
        Control::FocusMode,
    ] {
        assert_eq!(
            values[&control],
            ControlValue::Mode(MeteringMode::Continuous),
            "{control}"
        );
    }
    assert_eq!(usage().open_now, 0, "reading leaves no descriptor open");
}

#[test]
fn writes_reach_the_driver_which_clamps_and_rounds() {
    if !in_standin("writes_reach_the_driver_which_clamps_and_rounds") {
        return;
    }
    let c = controls();
    c.write(Control::Zoom, ControlValue::Num(300.0))
        .expect("zoom");
    let set = &sets_of("zoom_absolute")[0];
    assert_eq!(
        (set.call.as_str(), set.id, set.asked, set.ok(), set.held),
        ("S_EXT_CTRLS", ZOOM_ABSOLUTE, 300, true, 300)
    );
    assert_eq!(num(&c.read().expect("values"), Control::Zoom), 300.0);
    // Pan moves in steps of 3600: the driver rounds to the nearest.
    c.write(Control::Pan, ControlValue::Num(5000.0))
        .expect("pan");
    assert_eq!(num(&c.read().expect("values"), Control::Pan), 3600.0);
    // While focus is automatic the driver refuses a distance (uvcvideo's
    // EACCES); manual first, then the distance, rounded to its step of 5.
    let err = c
        .write(Control::FocusDistance, ControlValue::Num(12.0))
        .expect_err("focus distance while focus is automatic");
    assert_eq!(err.name(), "NotReadableError", "{err}");
    assert!(
        err.message()
            .contains("the camera refused focusDistance = 12: EACCES"),
        "{err}"
    );
    c.write(Control::FocusMode, ControlValue::Mode(MeteringMode::Manual))
        .expect("focus manual");
    c.write(Control::FocusDistance, ControlValue::Num(12.0))
        .expect("focus distance");
    let values = c.read().expect("values");
    assert_eq!(
        values[&Control::FocusMode],
        ControlValue::Mode(MeteringMode::Manual)
    );
    assert_eq!(num(&values, Control::FocusDistance), 10.0);
    // Exposure: manual is menu item 1, continuous aperture priority (3).
    c.write(
        Control::ExposureMode,
        ControlValue::Mode(MeteringMode::Manual),
    )
    .expect("exposure manual");
    c.write(Control::ExposureTime, ControlValue::Num(100.0))
        .expect("exposure time");
    c.write(
        Control::ExposureMode,
        ControlValue::Mode(MeteringMode::Continuous),
    )
    .expect("exposure continuous");
    let exposure: Vec<(u32, i64, bool)> = control_log()
        .into_iter()
        .filter(|s| s.id == EXPOSURE_AUTO || s.id == EXPOSURE_ABSOLUTE)
        .map(|s| (s.id, s.asked, s.ok()))
        .collect();
    assert_eq!(
        exposure,
        vec![
            (EXPOSURE_AUTO, 1, true),
            (EXPOSURE_ABSOLUTE, 100, true),
            (EXPOSURE_AUTO, 3, true)
        ]
    );
    let values = c.read().expect("values");
    assert_eq!(
        values[&Control::ExposureMode],
        ControlValue::Mode(MeteringMode::Continuous)
    );
    assert_eq!(num(&values, Control::ExposureTime), 100.0);
    assert_eq!(usage().open_now, 0, "writing leaves no descriptor open");
}

#[test]
fn a_refused_or_grabbed_control_is_a_not_readable_error_naming_it() {
    if !in_standin("a_refused_or_grabbed_control_is_a_not_readable_error_naming_it") {
        return;
    }
    let c = controls();
    refuse_control("zoom_absolute", libc::EBUSY);
    let err = c
        .write(Control::Zoom, ControlValue::Num(300.0))
        .expect_err("refused");
    assert!(
        matches!(&err, Error::NotReadable(m) if m.starts_with("the camera refused zoom = 300: EBUSY")),
        "{err}"
    );
    assert_eq!(num(&c.read().expect("values"), Control::Zoom), 100.0);
    control("controls-ok");
    flag_control("zoom_absolute", FLAG_GRABBED);
    let err = c
        .write(Control::Zoom, ControlValue::Num(300.0))
        .expect_err("grabbed");
    assert_eq!(err.name(), "NotReadableError", "{err}");
    assert!(err.message().contains("grabbed"), "{err}");
    assert_eq!(
        log_lines(),
        vec![("zoom_absolute".into(), 300, "EBUSY".into(), 100)],
        "a grabbed control is not written"
    );
    // A driver that clamps silently: no error, and the value it holds reads back.
    control("controls-ok");
    limit_control("zoom_absolute", 400);
    c.write(Control::Zoom, ControlValue::Num(450.0))
        .expect("clamped silently");
    assert_eq!(num(&c.read().expect("values"), Control::Zoom), 400.0);
}

#[test]
fn controls_work_while_the_camera_streams() {
    if !in_standin("controls_work_while_the_camera_streams") {
        return;
    }
    let track = camera_track();
    track.read(TIMEOUT).expect("a frame");
    let c = controls();
    c.write(Control::Brightness, ControlValue::Num(200.0))
        .expect("brightness while streaming");
    assert_eq!(num(&c.read().expect("values"), Control::Brightness), 200.0);
    track.read(TIMEOUT).expect("frames go on");
    assert!(usage().streaming());
    assert!(NokhwaBackend::new()
        .controls("nokhwa:no-such-camera")
        .is_none());
    track.stop();
    assert!(within(WAIT, || usage().open_now == 0), "{:?}", usage());
}

// ---- end to end: applyConstraints / getSettings / getCapabilities ----

#[test]
fn apply_constraints_zoom_reaches_the_driver_and_settings_read_it_back() {
    if !in_standin("apply_constraints_zoom_reaches_the_driver_and_settings_read_it_back") {
        return;
    }
    let track = camera_track();
    let caps = track.get_capabilities();
    assert_eq!(caps["zoom"], range(100.0, 500.0, 1.0), "{caps}");
    assert_eq!(track.settings_json()["zoom"], 100.0);
    track
        .apply_constraints_json(r#"{"zoom": 300}"#)
        .expect("zoom 300");
    let zoom = sets_of("zoom_absolute");
    assert_eq!(
        zoom.iter().map(|s| (s.asked, s.ok())).collect::<Vec<_>>(),
        vec![(300, true)],
        "{:?}",
        log_lines()
    );
    assert_eq!(track.settings_json()["zoom"], 300.0);
    track.read(TIMEOUT).expect("frames go on");
}

#[test]
fn apply_constraints_exposure_time_switches_exposure_to_manual_first() {
    if !in_standin("apply_constraints_exposure_time_switches_exposure_to_manual_first") {
        return;
    }
    let track = camera_track();
    track
        .apply_constraints_json(r#"{"exposureTime": 100}"#)
        .expect("exposureTime 100");
    let exposure: Vec<(u32, i64, String)> = control_log()
        .into_iter()
        .filter(|s| s.id == EXPOSURE_AUTO || s.id == EXPOSURE_ABSOLUTE)
        .map(|s| (s.id, s.asked, s.result))
        .collect();
    assert_eq!(
        exposure,
        vec![
            (EXPOSURE_AUTO, 1, "ok".into()),
            (EXPOSURE_ABSOLUTE, 100, "ok".into())
        ],
        "{:?}",
        log_lines()
    );
    let settings = track.settings_json();
    assert_eq!(settings["exposureMode"], "manual", "{settings}");
    assert_eq!(settings["exposureTime"], 100.0, "{settings}");
}

#[test]
fn an_impossible_exact_zoom_is_overconstrained_and_sets_nothing() {
    if !in_standin("an_impossible_exact_zoom_is_overconstrained_and_sets_nothing") {
        return;
    }
    let track = camera_track();
    let err = track
        .apply_constraints_json(r#"{"zoom": {"exact": 900}}"#)
        .expect_err("zoom 900 is beyond 500");
    assert!(
        matches!(&err, Error::Overconstrained { constraint, .. } if constraint == "zoom"),
        "{err:?}"
    );
    assert!(control_log().is_empty(), "{:?}", log_lines());
    assert_eq!(track.settings_json()["zoom"], 100.0);
}

#[test]
fn an_ideal_focus_distance_is_rounded_to_its_step_after_manual_focus() {
    if !in_standin("an_ideal_focus_distance_is_rounded_to_its_step_after_manual_focus") {
        return;
    }
    let track = camera_track();
    track
        .apply_constraints_json(r#"{"focusDistance": 12}"#)
        .expect("focusDistance 12");
    let focus: Vec<(String, i64, String)> = control_log()
        .into_iter()
        .filter(|s| s.name.starts_with("focus_"))
        .map(|s| (s.name, s.asked, s.result))
        .collect();
    assert_eq!(
        focus,
        vec![
            ("focus_automatic_continuous".into(), 0, "ok".into()),
            ("focus_absolute".into(), 10, "ok".into())
        ],
        "{:?}",
        log_lines()
    );
    let settings = track.settings_json();
    assert_eq!(settings["focusMode"], "manual", "{settings}");
    assert_eq!(settings["focusDistance"], 10.0, "{settings}");
}

#[test]
fn a_camera_that_refuses_zoom_fails_apply_constraints_and_keeps_its_value() {
    if !in_standin("a_camera_that_refuses_zoom_fails_apply_constraints_and_keeps_its_value") {
        return;
    }
    let track = camera_track();
    refuse_control("zoom_absolute", libc::EBUSY);
    let err = track
        .apply_constraints_json(r#"{"zoom": 300}"#)
        .expect_err("the driver refuses zoom");
    assert_eq!(err.name(), "NotReadableError", "{err}");
    assert!(err.message().contains("zoom"), "{err}");
    assert!(err.message().contains("EBUSY"), "{err}");
    assert_eq!(
        log_lines(),
        vec![("zoom_absolute".into(), 300, "EBUSY".into(), 100)]
    );
    assert_eq!(track.settings_json()["zoom"], 100.0);
    track.read(TIMEOUT).expect("frames go on");
}

#[test]
fn a_camera_that_clamps_zoom_silently_shows_the_clamped_value() {
    if !in_standin("a_camera_that_clamps_zoom_silently_shows_the_clamped_value") {
        return;
    }
    let track = camera_track();
    limit_control("zoom_absolute", 400);
    track
        .apply_constraints_json(r#"{"zoom": 450}"#)
        .expect("zoom 450, clamped by the driver");
    assert_eq!(
        log_lines(),
        vec![("zoom_absolute".into(), 450, "ok".into(), 400)]
    );
    assert_eq!(track.settings_json()["zoom"], 400.0);
}

#[test]
fn tracks_on_one_camera_share_its_control_values() {
    if !in_standin("tracks_on_one_camera_share_its_control_values") {
        return;
    }
    let md = media_devices();
    let first = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera")
        .get_video_tracks()
        .remove(0);
    let clone = first.clone_track();
    let second = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera again")
        .get_video_tracks()
        .remove(0);
    first
        .apply_constraints_json(r#"{"zoom": 250, "brightness": 90}"#)
        .expect("zoom and brightness");
    for track in [&first, &clone, &second] {
        let settings = track.settings_json();
        assert_eq!(settings["zoom"], 250.0, "{settings}");
        assert_eq!(settings["brightness"], 90.0, "{settings}");
    }
    second
        .apply_constraints_json(r#"{"pan": 7200}"#)
        .expect("pan");
    assert_eq!(first.settings_json()["pan"], 7200.0);
    assert_eq!(clone.settings_json()["pan"], 7200.0);
    // Settings are what the camera holds, whoever changed it.
    controls()
        .write(Control::Tilt, ControlValue::Num(-3600.0))
        .expect("tilt, from elsewhere");
    assert_eq!(first.settings_json()["tilt"], -3600.0);
}

#[test]
fn a_color_temperature_switches_white_balance_to_manual_first() {
    if !in_standin("a_color_temperature_switches_white_balance_to_manual_first") {
        return;
    }
    let track = camera_track();
    let settings = track.settings_json();
    assert_eq!(settings["whiteBalanceMode"], "continuous", "{settings}");
    assert_eq!(settings["colorTemperature"], 4600.0, "{settings}");
    track
        .apply_constraints_json(r#"{"colorTemperature": {"exact": 3000}}"#)
        .expect("colorTemperature 3000");
    assert_eq!(
        log_lines(),
        vec![
            ("white_balance_automatic".into(), 0, "ok".into(), 0),
            ("white_balance_temperature".into(), 3000, "ok".into(), 3000)
        ]
    );
    let settings = track.settings_json();
    assert_eq!(settings["whiteBalanceMode"], "manual", "{settings}");
    assert_eq!(settings["colorTemperature"], 3000.0, "{settings}");
    track
        .apply_constraints_json(
            r#"{"whiteBalanceMode": "continuous", "exposureMode": "continuous"}"#,
        )
        .expect("automatic again");
    let settings = track.settings_json();
    assert_eq!(settings["whiteBalanceMode"], "continuous", "{settings}");
    assert_eq!(settings["exposureMode"], "continuous", "{settings}");
    assert_eq!(
        sets_of("white_balance_automatic")
            .last()
            .map(|s| (s.asked, s.ok())),
        Some((1, true))
    );
}
