//! Camera controls in SelectSettings: ranges with steps, modes and torch as
//! choices (the current value first), and `pan: true` asking for a camera
//! that has pan.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::constraints::{select_settings, Interval, Space, TrackConstraints};
use crate::error::Error;
use crate::kind::MediaKind;
use crate::property::Prop;

fn video(constraints: Value) -> TrackConstraints {
    TrackConstraints::from_value(&constraints, MediaKind::Video).expect("valid constraints")
}

/// A camera with zoom 100..=500 step 1 (now 100), focus distance 0..=250 step
/// 5 (now 50), focus mode continuous (manual offered), torch off (on offered).
fn ptz_camera(id: &str) -> Space {
    Space {
        nums: BTreeMap::from([
            (Prop::Zoom, Interval::new(100.0, 500.0)),
            (Prop::FocusDistance, Interval::new(0.0, 250.0)),
        ]),
        strs: BTreeMap::from([(Prop::DeviceId, id.to_string())]),
        bools: BTreeMap::from([(Prop::Pan, false), (Prop::Tilt, false), (Prop::Zoom, true)]),
        choices: BTreeMap::from([(
            Prop::FocusMode,
            vec!["continuous".to_string(), "manual".to_string()],
        )]),
        flags: BTreeMap::from([(Prop::Torch, vec![false, true])]),
        steps: BTreeMap::from([(Prop::Zoom, 1.0), (Prop::FocusDistance, 5.0)]),
        defaults: BTreeMap::from([(Prop::Zoom, 100.0), (Prop::FocusDistance, 50.0)]),
    }
}

/// A camera without any control.
fn plain_camera(id: &str) -> Space {
    Space {
        strs: BTreeMap::from([(Prop::DeviceId, id.to_string())]),
        bools: BTreeMap::from([(Prop::Pan, false), (Prop::Tilt, false), (Prop::Zoom, false)]),
        ..Default::default()
    }
}

#[test]
fn an_ideal_is_clamped_and_rounded_to_the_step() {
    let (_, c) = select_settings(&[ptz_camera("a")], &video(json!({"focusDistance": 12}))).unwrap();
    assert_eq!(c.nums[&Prop::FocusDistance], 10.0);
    let (_, c) = select_settings(&[ptz_camera("a")], &video(json!({"focusDistance": 13}))).unwrap();
    assert_eq!(c.nums[&Prop::FocusDistance], 15.0);
    let (_, c) = select_settings(&[ptz_camera("a")], &video(json!({"zoom": 9000}))).unwrap();
    assert_eq!(c.nums[&Prop::Zoom], 500.0);
    let (_, c) =
        select_settings(&[ptz_camera("a")], &video(json!({"focusDistance": 999}))).unwrap();
    assert_eq!(c.nums[&Prop::FocusDistance], 250.0);
}

#[test]
fn without_a_constraint_a_control_keeps_its_current_value() {
    let (_, c) = select_settings(&[ptz_camera("a")], &video(json!({}))).unwrap();
    assert_eq!(c.nums[&Prop::Zoom], 100.0);
    assert_eq!(c.nums[&Prop::FocusDistance], 50.0);
    assert_eq!(c.strs[&Prop::FocusMode], "continuous");
    assert!(!c.bools[&Prop::Torch]);
}

#[test]
fn an_exact_value_out_of_range_names_the_control() {
    let err =
        select_settings(&[ptz_camera("a")], &video(json!({"zoom": {"exact": 900}}))).unwrap_err();
    match err {
        Error::Overconstrained {
            constraint,
            message,
        } => {
            assert_eq!(constraint, "zoom");
            assert!(message.contains("100..500"), "{message}");
        }
        other => panic!("expected OverconstrainedError, got {other:?}"),
    }
    // A camera without the control cannot meet any required value of it.
    let err =
        select_settings(&[plain_camera("b")], &video(json!({"zoom": {"min": 1}}))).unwrap_err();
    assert!(matches!(err, Error::Overconstrained { constraint, .. } if constraint == "zoom"));
}

#[test]
fn modes_and_torch_are_chosen_among_what_the_camera_offers() {
    let (_, c) = select_settings(
        &[ptz_camera("a")],
        &video(json!({"focusMode": "manual", "torch": true})),
    )
    .unwrap();
    assert_eq!(c.strs[&Prop::FocusMode], "manual");
    assert!(c.bools[&Prop::Torch]);
    // An ideal the camera does not offer keeps the current mode.
    let (_, c) = select_settings(
        &[ptz_camera("a")],
        &video(json!({"focusMode": "single-shot"})),
    )
    .unwrap();
    assert_eq!(c.strs[&Prop::FocusMode], "continuous");
    let err = select_settings(
        &[ptz_camera("a")],
        &video(json!({"focusMode": {"exact": "single-shot"}})),
    )
    .unwrap_err();
    match err {
        Error::Overconstrained {
            constraint,
            message,
        } => {
            assert_eq!(constraint, "focusMode");
            assert!(message.contains("manual"), "{message}");
        }
        other => panic!("expected OverconstrainedError, got {other:?}"),
    }
}

#[test]
fn zoom_true_prefers_a_camera_with_zoom_and_an_advanced_set_requires_it() {
    let cams = [plain_camera("plain"), ptz_camera("ptz")];
    let (i, _) = select_settings(&cams, &video(json!({"zoom": true}))).unwrap();
    assert_eq!(i, 1);
    let (i, _) = select_settings(&cams, &video(json!({}))).unwrap();
    assert_eq!(i, 0, "without the wish the first camera wins");
    let (i, _) = select_settings(&cams, &video(json!({"advanced": [{"zoom": true}]}))).unwrap();
    assert_eq!(i, 1);
    // pan: true where no camera has pan is only a wish: the first camera still comes.
    let (i, _) = select_settings(&cams, &video(json!({"pan": true}))).unwrap();
    assert_eq!(i, 0);
}

#[test]
fn advanced_control_sets_apply_in_order_and_impossible_ones_are_skipped() {
    let c = video(json!({"advanced": [{"zoom": 900}, {"zoom": 300}, {"zoom": 200}]}));
    let (_, chosen) = select_settings(&[ptz_camera("a")], &c).unwrap();
    assert_eq!(chosen.nums[&Prop::Zoom], 300.0);
}
