//! Bad input is a clear error naming the problem: no panic, no huge allocation.

mod common;

use common::{unpaced, SECOND};
use lms_core::{MediaDevices, MediaStreamConstraints};
use serde_json::json;

fn err(md: &MediaDevices, c: &str) -> lms_core::Error {
    md.get_user_media_json(c).expect_err(c)
}

#[test]
fn malformed_json_is_a_type_error_saying_so() {
    let md = unpaced();
    for c in [
        r#"{"video": "#,
        "",
        "nope",
        r#"{"video": tru}"#,
        r#"{"video": {"width": NaN}}"#,
    ] {
        let e = err(&md, c);
        assert_eq!(e.name(), "TypeError", "{c}");
        assert!(e.message().contains("JSON"), "{c}: {e}");
    }
}

#[test]
fn wrong_types_name_the_constraint() {
    let md = unpaced();
    let cases = [
        (r#"{"video": {"width": "big"}}"#, "width"),
        (r#"{"video": {"frameRate": {"min": "fast"}}}"#, "frameRate"),
        (r#"{"video": {"facingMode": 7}}"#, "facingMode"),
        (
            r#"{"audio": {"echoCancellation": "yes"}}"#,
            "echoCancellation",
        ),
        (r#"{"video": {"advanced": {"width": 1}}}"#, "advanced"),
        (r#"{"video": 3}"#, "video"),
        (r#"[1, 2]"#, "object"),
    ];
    for (c, needle) in cases {
        let e = err(&md, c);
        assert_eq!(e.name(), "TypeError", "{c}: {e}");
        assert!(e.message().contains(needle), "{c}: {e}");
    }
}

#[test]
fn absurd_and_negative_numbers_are_refused_with_their_name() {
    let md = unpaced();
    let e = err(&md, r#"{"video": {"width": {"exact": 4000000000}}}"#);
    assert_eq!(
        (e.name(), e.constraint()),
        ("OverconstrainedError", Some("width"))
    );
    // `[Clamp] unsigned long`: negative numbers are 0 and huge ones 4294967295, so these
    // are impossible requirements, not malformed ones ...
    for (c, name) in [
        (r#"{"video": {"width": {"max": -5}}}"#, "width"),
        (r#"{"video": {"height": {"exact": -1}}}"#, "height"),
        (r#"{"audio": {"sampleRate": {"min": 1e300}}}"#, "sampleRate"),
    ] {
        let e = err(&md, c);
        assert_eq!(
            (e.name(), e.constraint()),
            ("OverconstrainedError", Some(name)),
            "{c}: {e}"
        );
    }
    // ... and ideals or bounds that are easy to meet.
    for c in [
        r#"{"video": {"width": -5}}"#,
        r#"{"video": {"height": {"min": -1}}}"#,
        r#"{"audio": {"sampleRate": 1e300}}"#,
    ] {
        md.get_user_media_json(c).expect(c);
    }
    let e = err(&md, r#"{"video": {"frameRate": {"exact": -1}}}"#);
    assert_eq!(
        (e.name(), e.constraint()),
        ("OverconstrainedError", Some("frameRate"))
    );
}

#[test]
fn deeply_nested_or_huge_input_is_refused_without_a_crash() {
    let md = unpaced();
    let deep = format!(
        "{{\"video\": {}{}}}",
        "[".repeat(200_000),
        "]".repeat(200_000)
    );
    assert_eq!(err(&md, &deep).name(), "TypeError");
    let huge = format!(
        "{{\"video\": {{\"deviceId\": \"{}\"}}}}",
        "x".repeat(2 << 20)
    );
    assert_eq!(err(&md, &huge).name(), "TypeError");
    assert!(MediaStreamConstraints::parse(&"{".repeat(10_000)).is_err());
}

#[test]
fn bad_apply_constraints_leave_the_track_as_it_was() {
    let md = unpaced();
    let t = md
        .get_user_media_json(r#"{"video": true}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    let before = t.get_settings();
    for bad in [
        json!("wide"),
        json!({"width": "wide"}),
        json!({"width": {"max": "-1"}}),
        json!({"deviceId": "x".repeat(501)}),
        json!([1]),
    ] {
        let e = t.apply_constraints(&bad).expect_err(&bad.to_string());
        assert_eq!(e.name(), "TypeError", "{bad}: {e}");
    }
    let e = t
        .apply_constraints(&json!({"width": {"max": -1}}))
        .expect_err("max -1 is max 0");
    assert_eq!(
        (e.name(), e.constraint()),
        ("OverconstrainedError", Some("width"))
    );
    assert_eq!(t.get_settings(), before);
    t.read(SECOND).expect("still delivering");
}

#[test]
fn bad_controls_and_configuration_are_clear_errors() {
    let md = unpaced();
    let e = md
        .fake_device_control("fake:video:0", "explode")
        .unwrap_err();
    assert_eq!(e.name(), "InvalidArgumentError");
    assert!(
        e.message().contains("disconnect"),
        "lists the valid actions: {e}"
    );
    assert_eq!(
        md.fake_device_control("fake:video:9", "mute")
            .unwrap_err()
            .name(),
        "NotFoundError"
    );
    assert_eq!(
        md.configure(r#"{"backends": ["nope"]}"#)
            .unwrap_err()
            .name(),
        "TypeError"
    );
    assert_eq!(
        md.configure(r#"{"fake": {"video": 100000}}"#)
            .unwrap_err()
            .name(),
        "TypeError"
    );
    md.get_user_media_json(r#"{"video": true}"#)
        .expect("a refused configure keeps the old one");
}

#[test]
fn a_zero_timeout_read_is_a_timeout_not_a_hang() {
    let md = MediaDevices::from_json(r#"{"backends": ["fake"], "fake": {"pacing": "realtime"}}"#)
        .unwrap();
    let t = md
        .get_user_media_json(r#"{"video": {"frameRate": 1}}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    t.read(SECOND).unwrap();
    // The next frame would be a second away; muted, none comes however slowly this runs.
    md.fake_device_control("fake:video:0", "mute").unwrap();
    let e = t.read(Some(std::time::Duration::ZERO)).unwrap_err();
    assert_eq!(e.name(), "TimeoutError");
}
