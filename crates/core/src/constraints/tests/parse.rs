//! Parsing `MediaStreamConstraints` JSON: forms, WebIDL-like checks, `TypeError` messages.

use serde_json::json;

use crate::constraints::{
    BoolConstraint, Constraint, MediaStreamConstraints, NumConstraint, StrConstraint,
    TrackConstraints, MAX_CONSTRAINTS_LEN, MAX_CONSTRAINT_STRING_LEN,
    MAX_CONSTRAINT_STRING_SEQ_LEN,
};
use crate::error::Error;
use crate::kind::MediaKind;
use crate::property::Prop;

fn type_error(json: &str) -> String {
    match MediaStreamConstraints::parse(json) {
        Err(Error::Type(message)) => message,
        other => panic!("expected a TypeError for {json:.80}, got {other:?}"),
    }
}

fn video(json: serde_json::Value) -> TrackConstraints {
    TrackConstraints::from_value(&json, MediaKind::Video).expect("valid video constraints")
}

fn num(c: Option<&Constraint>) -> NumConstraint {
    match c {
        Some(Constraint::Num(n)) => n.clone(),
        other => panic!("expected a numeric constraint, got {other:?}"),
    }
}

#[test]
fn true_requests_a_kind_with_no_constraints_and_an_empty_raw_object() {
    let c = MediaStreamConstraints::parse(r#"{"video": true}"#).unwrap();
    assert!(c.audio.is_none());
    let v = c.video.expect("video requested");
    assert_eq!(v, TrackConstraints::empty(MediaKind::Video));
    assert!(v.basic.is_empty() && v.advanced.is_empty());
    assert_eq!(v.raw, json!({}));
}

#[test]
fn an_empty_dictionary_is_a_type_error() {
    assert!(type_error("{}").contains("no media kind requested"));
}

#[test]
fn audio_and_video_both_false_is_a_type_error() {
    assert!(type_error(r#"{"audio": false, "video": false}"#).contains("no media kind requested"));
}

#[test]
fn a_kind_that_is_neither_boolean_nor_object_is_a_type_error() {
    assert_eq!(
        type_error(r#"{"video": 1}"#),
        "video: expected true, false or an object of constraints, got a number"
    );
    assert!(type_error(r#"{"audio": "yes"}"#).starts_with("audio: expected true"));
}

#[test]
fn constraints_that_are_not_an_object_are_a_type_error() {
    assert!(type_error("[]").contains("got an array"));
    assert!(type_error("true").contains("got a boolean"));
}

#[test]
fn malformed_json_is_a_type_error_with_its_position() {
    let message = type_error(r#"{"video": tru}"#);
    assert!(
        message.starts_with("constraints are not valid JSON: "),
        "{message}"
    );
    assert!(message.contains("line 1 column"), "{message}");
}

#[test]
fn deeply_nested_json_is_a_type_error_not_a_stack_overflow() {
    let deep = "[".repeat(100_000);
    assert!(type_error(&deep).contains("recursion limit"));
    let deep_member = format!(r#"{{"video": {{"x": {}}}}}"#, "[".repeat(100_000));
    assert!(type_error(&deep_member).starts_with("constraints are not valid JSON"));
}

#[test]
fn text_over_one_mebibyte_is_a_type_error_naming_its_size() {
    let big = format!(
        "{}{}",
        " ".repeat(MAX_CONSTRAINTS_LEN),
        r#"{"video": true}"#
    );
    let message = type_error(&big);
    assert!(message.contains(&big.len().to_string()), "{message}");
    assert!(message.contains("1 MiB"), "{message}");
    let at_limit = format!(
        "{}{}",
        " ".repeat(MAX_CONSTRAINTS_LEN - 15),
        r#"{"video": true}"#
    );
    assert_eq!(at_limit.len(), MAX_CONSTRAINTS_LEN);
    assert!(MediaStreamConstraints::parse(&at_limit).is_ok());
}

#[test]
fn a_bare_value_means_ideal_in_the_basic_set_and_exact_in_advanced_sets() {
    let c = video(json!({"width": 640, "advanced": [{"width": 1280}]}));
    assert_eq!(
        num(c.basic.get(Prop::Width)),
        NumConstraint {
            ideal: Some(640.0),
            ..Default::default()
        }
    );
    assert_eq!(
        num(c.advanced[0].get(Prop::Width)),
        NumConstraint {
            exact: Some(1280.0),
            ..Default::default()
        }
    );
}

#[test]
fn range_objects_keep_every_field_and_ignore_unknown_ones() {
    let c =
        video(json!({"frameRate": {"exact": 30, "min": 15, "max": 60, "ideal": 25, "step": "x"}}));
    let expected = NumConstraint {
        exact: Some(30.0),
        min: Some(15.0),
        max: Some(60.0),
        ideal: Some(25.0),
    };
    assert_eq!(num(c.basic.get(Prop::FrameRate)), expected);
}

#[test]
fn an_ideal_inside_an_advanced_set_is_kept() {
    let c = video(json!({"advanced": [{"width": {"ideal": 1920}}]}));
    assert_eq!(num(c.advanced[0].get(Prop::Width)).ideal, Some(1920.0));
    assert!(!c.advanced[0].get(Prop::Width).unwrap().is_required());
}

#[test]
fn string_constraints_take_a_string_a_list_or_exact_and_ideal() {
    let c = video(json!({
        "facingMode": "user",
        "deviceId": {"exact": ["a", "b"], "ideal": "b"},
        "advanced": [{"groupId": ["g1", "g2"]}],
    }));
    assert_eq!(
        c.basic.get(Prop::FacingMode),
        Some(&Constraint::Str(StrConstraint {
            exact: None,
            ideal: Some(vec!["user".into()])
        }))
    );
    assert_eq!(
        c.basic.get(Prop::DeviceId),
        Some(&Constraint::Str(StrConstraint {
            exact: Some(vec!["a".into(), "b".into()]),
            ideal: Some(vec!["b".into()]),
        }))
    );
    assert_eq!(
        c.advanced[0].get(Prop::GroupId),
        Some(&Constraint::Str(StrConstraint {
            exact: Some(vec!["g1".into(), "g2".into()]),
            ideal: None
        }))
    );
}

#[test]
fn boolean_constraints_take_a_boolean_or_exact_and_ideal() {
    let audio = TrackConstraints::from_value(
        &json!({"autoGainControl": true, "noiseSuppression": {"exact": false}}),
        MediaKind::Audio,
    )
    .unwrap();
    assert_eq!(
        audio.basic.get(Prop::AutoGainControl),
        Some(&Constraint::Bool(BoolConstraint {
            exact: None,
            ideal: Some(true)
        }))
    );
    assert_eq!(
        audio.basic.get(Prop::NoiseSuppression),
        Some(&Constraint::Bool(BoolConstraint {
            exact: Some(false),
            ideal: None
        }))
    );
}

#[test]
fn a_negative_unsigned_long_clamps_to_zero_like_webidl() {
    // `[Clamp] unsigned long`: -5 is 0, not a TypeError.
    let c = video(json!({"width": {"min": -5, "max": -1}, "height": -0.4}));
    assert_eq!(num(c.basic.get(Prop::Width)).min, Some(0.0));
    assert_eq!(num(c.basic.get(Prop::Width)).max, Some(0.0));
    let h = num(c.basic.get(Prop::Height)).ideal.unwrap();
    assert_eq!(h, 0.0);
    assert!(h.is_sign_positive(), "never -0");
}

#[test]
fn a_fractional_unsigned_long_rounds_to_nearest_ties_to_even_like_webidl_clamp() {
    let c = video(json!({
        "width": 640.9,
        "height": {"min": 0.5, "max": 1.5, "exact": 2.5, "ideal": 2.4},
        "advanced": [{"width": 3.5}],
    }));
    assert_eq!(num(c.basic.get(Prop::Width)).ideal, Some(641.0));
    let h = num(c.basic.get(Prop::Height));
    assert_eq!(
        (h.min, h.max, h.exact, h.ideal),
        (Some(0.0), Some(2.0), Some(2.0), Some(2.0))
    );
    assert_eq!(num(c.advanced[0].get(Prop::Width)).exact, Some(4.0));
}

#[test]
fn an_unsigned_long_above_its_range_clamps_to_the_largest_and_a_double_may_be_huge() {
    let c = video(json!({"width": 1e300, "height": {"exact": 4294967296u64}}));
    assert_eq!(num(c.basic.get(Prop::Width)).ideal, Some(4294967295.0));
    assert_eq!(num(c.basic.get(Prop::Height)).exact, Some(4294967295.0));
    let c = video(json!({"frameRate": 1e300, "aspectRatio": {"min": -2.5}}));
    assert_eq!(num(c.basic.get(Prop::FrameRate)).ideal, Some(1e300));
    assert_eq!(num(c.basic.get(Prop::AspectRatio)).min, Some(-2.5));
}

#[test]
fn the_clamp_conversion_follows_webidl_for_nan_infinities_and_halves() {
    use crate::constraints::parse::clamp_ulong;
    assert_eq!(clamp_ulong(f64::NAN), 0.0);
    assert!(clamp_ulong(f64::NAN).is_sign_positive());
    assert_eq!(clamp_ulong(f64::INFINITY), 4294967295.0);
    assert_eq!(clamp_ulong(f64::NEG_INFINITY), 0.0);
    assert!(clamp_ulong(-0.0).is_sign_positive());
    assert_eq!(clamp_ulong(0.5), 0.0);
    assert_eq!(clamp_ulong(1.5), 2.0);
    assert_eq!(clamp_ulong(2.5), 2.0);
    assert_eq!(clamp_ulong(4294967294.5), 4294967294.0);
    assert_eq!(clamp_ulong(4294967295.4), 4294967295.0);
}

#[test]
fn four_billion_is_a_valid_width_to_parse() {
    let c = video(json!({"width": {"exact": 4_000_000_000u64}}));
    assert_eq!(num(c.basic.get(Prop::Width)).exact, Some(4e9));
}

#[test]
fn voice_isolation_is_an_audio_boolean_constraint() {
    let audio = TrackConstraints::from_value(
        &json!({"voiceIsolation": {"exact": true}, "advanced": [{"voiceIsolation": false}]}),
        MediaKind::Audio,
    )
    .unwrap();
    assert_eq!(
        audio.basic.get(Prop::VoiceIsolation),
        Some(&Constraint::Bool(BoolConstraint {
            exact: Some(true),
            ideal: None
        }))
    );
    assert_eq!(
        audio.advanced[0].get(Prop::VoiceIsolation),
        Some(&Constraint::Bool(BoolConstraint {
            exact: Some(false),
            ideal: None
        }))
    );
    assert!(video(json!({"voiceIsolation": true})).basic.is_empty());
    assert!(type_error(r#"{"audio": {"voiceIsolation": "all"}}"#)
        .contains("audio.voiceIsolation: expected true, false or an object"));
}

#[test]
fn echo_cancellation_is_a_string_constraint_over_its_four_values() {
    let tokens = |t: &[&str]| Some(t.iter().map(|s| s.to_string()).collect::<Vec<_>>());
    let audio = TrackConstraints::from_value(
        &json!({
            "echoCancellation": {"exact": "all", "ideal": "remote-only"},
            "advanced": [{"echoCancellation": "remote-only"}, {"echoCancellation": {"ideal": true}}],
        }),
        MediaKind::Audio,
    )
    .unwrap();
    assert_eq!(
        audio.basic.get(Prop::EchoCancellation),
        Some(&Constraint::Str(StrConstraint {
            exact: tokens(&["all"]),
            ideal: tokens(&["remote-only"])
        }))
    );
    assert_eq!(
        audio.advanced[0].get(Prop::EchoCancellation),
        Some(&Constraint::Str(StrConstraint {
            exact: tokens(&["remote-only"]),
            ideal: None
        }))
    );
    assert_eq!(
        audio.advanced[1].get(Prop::EchoCancellation),
        Some(&Constraint::Str(StrConstraint {
            exact: None,
            ideal: tokens(&["true"])
        }))
    );
    let bare = TrackConstraints::from_value(&json!({"echoCancellation": false}), MediaKind::Audio)
        .unwrap();
    assert_eq!(
        bare.basic.get(Prop::EchoCancellation),
        Some(&Constraint::Str(StrConstraint {
            exact: None,
            ideal: tokens(&["false"])
        }))
    );
    // getConstraints() gives back what was asked.
    assert_eq!(bare.raw, json!({"echoCancellation": false}));
}

#[test]
fn other_echo_cancellation_strings_are_type_errors_naming_the_value() {
    assert_eq!(
        type_error(r#"{"audio": {"echoCancellation": "yes"}}"#),
        "audio.echoCancellation: \"yes\" is not a valid value (expected true, false, \"all\" or \
         \"remote-only\")"
    );
    assert!(
        type_error(r#"{"audio": {"echoCancellation": {"exact": "All"}}}"#)
            .starts_with("audio.echoCancellation.exact: \"All\" is not a valid value")
    );
    assert!(type_error(r#"{"audio": {"echoCancellation": ["all"]}}"#)
        .contains("echoCancellation: expected true, false, \"all\", \"remote-only\" or an object"));
    let long = "x".repeat(1000);
    let message = type_error(&format!(r#"{{"audio": {{"echoCancellation": "{long}"}}}}"#));
    assert!(message.len() < 200, "{message}");
}

#[test]
fn a_constraint_string_longer_than_500_utf16_units_is_a_type_error_as_in_chromium() {
    let ok = "a".repeat(MAX_CONSTRAINT_STRING_LEN);
    let long = "a".repeat(MAX_CONSTRAINT_STRING_LEN + 1);
    for json in [
        json!({"video": {"deviceId": {"exact": long}}}),
        json!({"video": {"deviceId": {"ideal": long}}}),
        json!({"video": {"deviceId": long}}),
        json!({"audio": {"groupId": {"exact": ["ok", long]}}}),
        json!({"audio": {"advanced": [{"groupId": long}]}}),
        json!({"video": {"facingMode": long}}),
        // Checked whatever the kind, like every value.
        json!({"audio": {"facingMode": {"ideal": long}}}),
    ] {
        match MediaStreamConstraints::from_value(&json) {
            Err(Error::Type(message)) => {
                assert!(message.contains("Constraint string too long."), "{message}");
                assert!(message.len() < 200, "{message}");
            }
            other => panic!("{json:.60}: expected a TypeError, got {other:?}"),
        }
    }
    assert!(type_error(&format!(
        r#"{{"video": {{"deviceId": {{"exact": "{long}"}}}}}}"#
    ))
    .starts_with("video.deviceId.exact: Constraint string too long. (501 UTF-16 code units"));
    assert!(
        MediaStreamConstraints::from_value(&json!({"video": {"deviceId": {"exact": ok}}})).is_ok()
    );
    // UTF-16 code units, as a JavaScript string's length: 500 "é" (1000 bytes) pass, 251
    // astral characters (502 units) do not.
    let accents = "é".repeat(MAX_CONSTRAINT_STRING_LEN);
    assert!(MediaStreamConstraints::from_value(&json!({"video": {"deviceId": accents}})).is_ok());
    let astral = "😀".repeat(251);
    assert!(
        type_error(&json!({"video": {"groupId": astral}}).to_string())
            .contains("Constraint string too long. (502 UTF-16 code units")
    );
}

#[test]
fn a_list_of_more_than_100_constraint_strings_is_a_type_error_as_in_chromium() {
    let many: Vec<String> = (0..=MAX_CONSTRAINT_STRING_SEQ_LEN)
        .map(|i| i.to_string())
        .collect();
    assert!(
        type_error(&json!({"video": {"deviceId": {"exact": many}}}).to_string())
            .contains("video.deviceId.exact: Constraint string sequence too long. (101 strings")
    );
    let enough = &many[..MAX_CONSTRAINT_STRING_SEQ_LEN];
    assert!(MediaStreamConstraints::from_value(&json!({"video": {"deviceId": enough}})).is_ok());
}

#[test]
fn values_of_the_wrong_type_are_type_errors_naming_the_property() {
    let cases = [
        (
            r#"{"video": {"width": "640"}}"#,
            "width: expected a number or an object",
        ),
        (
            r#"{"video": {"width": {"ideal": null}}}"#,
            "width.ideal: expected a number, got null",
        ),
        (
            r#"{"video": {"deviceId": 5}}"#,
            "deviceId: expected a string, an array of strings",
        ),
        (
            r#"{"video": {"deviceId": ["a", 5]}}"#,
            "deviceId[1]: expected a string, got a number",
        ),
        (
            r#"{"video": {"facingMode": {"exact": 3}}}"#,
            "facingMode.exact: expected a string",
        ),
        (
            r#"{"audio": {"echoCancellation": 1}}"#,
            "echoCancellation: expected true, false",
        ),
        (
            r#"{"audio": {"autoGainControl": {"ideal": 1}}}"#,
            "autoGainControl.ideal: expected true",
        ),
    ];
    for (json, expected) in cases {
        let message = type_error(json);
        assert!(message.contains(expected), "{json}: {message}");
    }
}

#[test]
fn advanced_must_be_an_array_of_objects() {
    assert!(type_error(r#"{"video": {"advanced": {}}}"#)
        .contains("advanced: expected an array of constraint sets, got an object"));
    assert!(type_error(r#"{"video": {"advanced": [{}, 1]}}"#)
        .contains("advanced[1]: expected an object of constraints, got a number"));
    assert!(
        type_error(r#"{"video": {"advanced": [{"width": {"max": "-1"}}]}}"#)
            .contains("video.advanced[0].width.max: expected a number, got a string")
    );
}

#[test]
fn unknown_keys_are_ignored_at_every_level() {
    let c = MediaStreamConstraints::parse(
        r#"{"video": {"pointsOfInterest": 3, "width": {"ideal": 320, "foo": []}, "advanced": [{"bar": 1}]},
            "peerIdentity": "x"}"#,
    )
    .unwrap();
    let v = c.video.unwrap();
    assert_eq!(
        v.basic.iter().map(|(p, _)| *p).collect::<Vec<_>>(),
        [Prop::Width]
    );
    assert!(v.advanced[0].is_empty());
}

#[test]
fn constraints_of_the_other_kind_are_dropped_even_when_impossible() {
    let c = MediaStreamConstraints::parse(
        r#"{"audio": {"width": {"min": 100000000}, "sampleRate": 48000}}"#,
    )
    .unwrap();
    let audio = c.audio.unwrap();
    assert!(audio.basic.get(Prop::Width).is_none());
    assert!(audio.basic.get(Prop::SampleRate).is_some());
    // ... but still type-checked.
    assert!(type_error(r#"{"audio": {"width": "big"}}"#).contains("audio.width"));
}

#[test]
fn a_set_lists_its_constraints_in_property_order_whatever_the_json_order() {
    let c = video(json!({"frameRate": 30, "deviceId": "x", "width": 640}));
    let order: Vec<Prop> = c.basic.iter().map(|(p, _)| *p).collect();
    assert_eq!(order, [Prop::DeviceId, Prop::Width, Prop::FrameRate]);
}

#[test]
fn raw_keeps_the_track_constraints_as_given() {
    let given = json!({"width": {"ideal": 320}, "zoom": true, "advanced": [{"height": 240}]});
    let c = MediaStreamConstraints::from_value(&json!({"video": given.clone(), "audio": true}))
        .unwrap();
    assert_eq!(c.video.unwrap().raw, given);
    assert_eq!(c.audio.unwrap().raw, json!({}));
}

#[test]
fn track_constraints_must_be_an_object() {
    let err = TrackConstraints::from_value(&json!(true), MediaKind::Audio).unwrap_err();
    assert_eq!(
        err,
        Error::Type("expected an object of constraints, got a boolean".into())
    );
}
