//! The fake camera's controls through the public API: its capabilities, the
//! controls held by the device, what they do to the pixels, and the code that
//! stays readable under any setting.

use std::time::Duration;

use serde_json::{json, Value};

use lms_core::backend::fake::FakeBackend;
use lms_core::backend::fake_controls::{self, FakeControls};
use lms_core::backend::Backend;
use lms_core::config::FakeConfig;
use lms_core::controls::{Control, ControlValue, DeviceControls, MeteringMode};
use lms_core::video::{decode_sequence, Look, PaintState, Painter};
use lms_core::{Frame, MediaDevices, MediaStreamTrack, PixelFormat, VideoBuffer};

fn devices() -> MediaDevices {
    MediaDevices::from_json(r#"{"backends":["fake"],"fake":{"pacing":"none"}}"#)
        .expect("fake configuration")
}

#[test]
fn the_fake_camera_offers_every_control_with_realistic_ranges() {
    let caps = devices()
        .device_capabilities("fake:video:0")
        .expect("capabilities");
    let modes = json!(["manual", "continuous"]);
    let range = |min: f64, max: f64, step: f64| json!({"min": min, "max": max, "step": step});
    let expected = [
        ("whiteBalanceMode", modes.clone()),
        ("exposureMode", modes.clone()),
        ("focusMode", modes),
        ("exposureCompensation", range(-3.0, 3.0, 0.5)),
        ("exposureTime", range(1.0, 10_000.0, 1.0)),
        ("colorTemperature", range(2500.0, 7500.0, 100.0)),
        ("iso", range(100.0, 3200.0, 100.0)),
        ("brightness", range(0.0, 255.0, 1.0)),
        ("contrast", range(0.0, 255.0, 1.0)),
        ("saturation", range(0.0, 255.0, 1.0)),
        ("sharpness", range(0.0, 255.0, 1.0)),
        ("focusDistance", range(0.1, 10.0, 0.1)),
        ("pan", range(-180.0, 180.0, 1.0)),
        ("tilt", range(-90.0, 90.0, 1.0)),
        ("zoom", range(1.0, 4.0, 0.1)),
        ("torch", json!([false, true])),
    ];
    for (name, cap) in expected {
        assert_eq!(caps[name], cap, "{name}");
    }
    let mic = devices()
        .device_capabilities("fake:audio:0")
        .expect("capabilities");
    assert!(mic.get("zoom").is_none() && mic.get("torch").is_none());
}

#[test]
fn the_controls_test_actions_exist_for_cameras_only() {
    let md = devices();
    md.fake_device_control("fake:video:0", "controls-refuse")
        .expect("refuse");
    md.fake_device_control("fake:video:0", "controls-accept")
        .expect("accept");
    let error = md
        .fake_device_control("fake:audio:0", "controls-refuse")
        .expect_err("a microphone has no controls");
    assert_eq!(error.name(), "InvalidArgumentError");
}

#[test]
fn the_backend_hands_out_one_set_of_controls_per_camera_that_refuses_on_request() {
    let backend = FakeBackend::new(FakeConfig::default());
    assert!(backend.controls("fake:audio:0").is_none());
    let a = backend.controls("fake:video:0").expect("controls");
    let b = backend.controls("fake:video:0").expect("controls");
    assert_eq!(a.capabilities(), fake_controls::capabilities());
    a.write(Control::Zoom, ControlValue::Num(2.5))
        .expect("write");
    assert_eq!(
        b.read().expect("read")[&Control::Zoom],
        ControlValue::Num(2.5),
        "the values belong to the device"
    );
    backend
        .control("fake:video:0", "controls-refuse")
        .expect("action");
    let error = b
        .write(Control::Pan, ControlValue::Num(10.0))
        .expect_err("refused");
    assert_eq!(error.name(), "NotReadableError");
    assert!(error.to_string().contains("pan"), "{error}");
    backend
        .control("fake:video:0", "controls-accept")
        .expect("action");
    b.write(Control::Pan, ControlValue::Num(10.0))
        .expect("write");
}

/// A picture painted as a fake camera with `controls` written films it.
fn filmed(controls: &FakeControls, sequence: u64) -> VideoBuffer {
    let mut buf = VideoBuffer::new(PixelFormat::I420, 640, 480).expect("buffer");
    let look = Look::from_controls(&controls.read().expect("read"));
    assert_eq!(look, controls.look());
    Painter::new(640, 480).paint_with(&mut buf, &mut PaintState::default(), sequence, &look);
    buf
}

fn mean(plane: &[u8]) -> f64 {
    plane.iter().map(|&v| f64::from(v)).sum::<f64>() / plane.len() as f64
}

#[test]
fn written_controls_show_in_the_painted_picture_with_the_code_intact() {
    let controls = FakeControls::new();
    let plain = filmed(&controls, 7);
    controls
        .write(Control::Brightness, ControlValue::Num(255.0))
        .expect("write");
    let bright = filmed(&controls, 7);
    assert!(mean(bright.plane(0)) > mean(plain.plane(0)) + 30.0);
    assert_eq!(decode_sequence(&bright), Some(7));

    controls
        .write(
            Control::WhiteBalanceMode,
            ControlValue::Mode(MeteringMode::Manual),
        )
        .expect("write");
    controls
        .write(Control::ColorTemperature, ControlValue::Num(2500.0))
        .expect("write");
    let warm = filmed(&controls, 8);
    assert!(
        mean(warm.plane(2)) > mean(bright.plane(2)) + 10.0,
        "more red"
    );
    assert!(
        mean(warm.plane(1)) < mean(bright.plane(1)) - 5.0,
        "less blue"
    );
    assert_eq!(decode_sequence(&warm), Some(8));

    controls
        .write(Control::Zoom, ControlValue::Num(4.0))
        .expect("write");
    controls
        .write(Control::Pan, ControlValue::Num(-180.0))
        .expect("write");
    let far = filmed(&controls, 9);
    assert_eq!(decode_sequence(&far), Some(9));
}

// ---- End to end: applyConstraints, frames and settings of a track ----

/// A video track of the fake camera at 640x480.
fn camera(md: &MediaDevices) -> MediaStreamTrack {
    let stream = md
        .get_user_media_json(r#"{"video": {"width": {"exact": 640}, "height": {"exact": 480}}}"#)
        .expect("open");
    stream.get_video_tracks().remove(0)
}

/// A frame captured after everything before this call: the queue drained,
/// then a few frames skipped (a frame may be painted just before a write).
fn fresh_frame(track: &MediaStreamTrack) -> Frame {
    while track.try_read().is_some() {}
    for _ in 0..4 {
        track.read(Some(Duration::from_secs(5))).expect("a frame");
    }
    track.read(Some(Duration::from_secs(5))).expect("a frame")
}

fn mean_luma(frame: &Frame) -> f64 {
    mean(frame.video().expect("video").plane(0))
}

fn decodes(frame: &Frame) -> bool {
    decode_sequence(frame.video().expect("video")) == Some(frame.sequence() & 0xFFFF_FFFF)
}

#[test]
fn apply_constraints_changes_the_frames_and_the_settings() {
    let md = devices();
    let track = camera(&md);
    assert_eq!(track.settings_json()["brightness"], json!(128.0));
    let plain = fresh_frame(&track);
    assert!(decodes(&plain));

    track
        .apply_constraints_json(r#"{"brightness": 200}"#)
        .expect("apply");
    assert_eq!(track.settings_json()["brightness"], json!(200.0));
    let bright = fresh_frame(&track);
    assert!(mean_luma(&bright) > mean_luma(&plain) + 20.0);
    assert!(decodes(&bright));

    // A manual exposure time switches the exposure to manual first.
    track
        .apply_constraints_json(r#"{"exposureTime": {"exact": 3000}}"#)
        .expect("apply");
    let settings = track.settings_json();
    assert_eq!(settings["exposureMode"], json!("manual"), "{settings}");
    assert_eq!(settings["exposureTime"], json!(3000.0));
    let exposed = fresh_frame(&track);
    assert!(mean_luma(&exposed) > mean_luma(&bright) + 10.0);
    assert!(decodes(&exposed));

    track
        .apply_constraints_json(r#"{"zoom": 4, "pan": 180, "tilt": -90, "contrast": 0}"#)
        .expect("apply");
    let settings = track.settings_json();
    for (name, value) in [
        ("zoom", 4.0),
        ("pan", 180.0),
        ("tilt", -90.0),
        ("contrast", 0.0),
    ] {
        assert_eq!(settings[name], json!(value), "{name}: {settings}");
    }
    assert!(
        decodes(&fresh_frame(&track)),
        "the code reads at the extremes"
    );
    track.stop();
}

#[test]
fn another_track_on_the_camera_sees_the_change_and_it_outlives_a_reopen() {
    let md = devices();
    let first = camera(&md);
    let second = first.clone_track();
    first
        .apply_constraints_json(r#"{"saturation": 0}"#)
        .expect("apply");
    assert_eq!(second.settings_json()["saturation"], json!(0.0));
    let grey = fresh_frame(&second);
    let chroma = grey.video().expect("video");
    assert!(chroma
        .plane(1)
        .iter()
        .chain(chroma.plane(2))
        .all(|&c| c == 128));
    first.stop();
    second.stop();

    let again = camera(&md);
    assert_eq!(
        again.settings_json()["saturation"],
        json!(0.0),
        "held by the device"
    );
    again.stop();
}

#[test]
fn a_refusing_camera_fails_apply_constraints_and_keeps_its_settings() {
    let md = devices();
    let track = camera(&md);
    md.fake_device_control("fake:video:0", "controls-refuse")
        .expect("refuse");
    let error = track
        .apply_constraints_json(r#"{"zoom": 2}"#)
        .expect_err("refused");
    assert_eq!(error.name(), "NotReadableError", "{error}");
    assert!(error.to_string().contains("zoom"), "{error}");
    let settings: Value = track.settings_json();
    assert_eq!(settings["zoom"], json!(1.0));
    md.fake_device_control("fake:video:0", "controls-accept")
        .expect("accept");
    track
        .apply_constraints_json(r#"{"zoom": 2}"#)
        .expect("apply");
    assert_eq!(track.settings_json()["zoom"], json!(2.0));
    track.stop();
}
