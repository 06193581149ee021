//! SelectSettings and the fitness distance, walked through on hand-built candidates: discrete
//! settings dictionaries (degenerate intervals) and continuous spaces.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::constraints::{
    fitness_distance, select_settings, Chosen, Interval, MediaStreamConstraints, Space,
    TrackConstraints,
};
use crate::error::Error;
use crate::kind::MediaKind;
use crate::property::Prop;

fn video(constraints: Value) -> TrackConstraints {
    TrackConstraints::from_value(&constraints, MediaKind::Video).expect("valid constraints")
}

fn audio(constraints: Value) -> TrackConstraints {
    TrackConstraints::from_value(&constraints, MediaKind::Audio).expect("valid constraints")
}

/// A camera that renders any size in `1..=max_w` x `1..=max_h` at 1..=60 fps (like the fake
/// camera), defaulting to 640x480 at 30 fps.
fn continuous_camera(id: &str, max_w: f64, max_h: f64) -> Space {
    Space {
        nums: BTreeMap::from([
            (Prop::Width, Interval::new(1.0, max_w)),
            (Prop::Height, Interval::new(1.0, max_h)),
            (Prop::FrameRate, Interval::new(1.0, 60.0)),
        ]),
        strs: BTreeMap::from([
            (Prop::DeviceId, id.to_string()),
            (Prop::ResizeMode, "crop-and-scale".to_string()),
        ]),
        bools: BTreeMap::new(),
        defaults: BTreeMap::from([
            (Prop::Width, 640.0),
            (Prop::Height, 480.0),
            (Prop::FrameRate, 30.0),
        ]),
        ..Default::default()
    }
}

/// One discrete camera mode: a settings dictionary of the specification.
fn mode(id: &str, width: f64, height: f64, fps: f64) -> Space {
    Space {
        nums: BTreeMap::from([
            (Prop::Width, Interval::point(width)),
            (Prop::Height, Interval::point(height)),
            (Prop::FrameRate, Interval::point(fps)),
        ]),
        strs: BTreeMap::from([(Prop::DeviceId, id.to_string())]),
        ..Space::default()
    }
}

fn three_modes() -> Vec<Space> {
    vec![
        mode("cam", 640.0, 480.0, 30.0),
        mode("cam", 1280.0, 720.0, 30.0),
        mode("cam", 1920.0, 1080.0, 15.0),
    ]
}

fn microphone(echo_cancellation: bool) -> Space {
    Space {
        nums: BTreeMap::from([
            (Prop::SampleRate, Interval::new(8000.0, 96000.0)),
            (Prop::ChannelCount, Interval::new(1.0, 2.0)),
            (Prop::Latency, Interval::new(0.001, 0.1)),
        ]),
        strs: BTreeMap::from([
            (Prop::DeviceId, "mic".to_string()),
            (Prop::EchoCancellation, echo_cancellation.to_string()),
        ]),
        defaults: BTreeMap::from([
            (Prop::SampleRate, 48000.0),
            (Prop::ChannelCount, 1.0),
            (Prop::Latency, 0.01),
        ]),
        ..Default::default()
    }
}

fn size(chosen: &Chosen) -> (f64, f64) {
    (chosen.nums[&Prop::Width], chosen.nums[&Prop::Height])
}

fn overconstrained(spaces: &[Space], c: &TrackConstraints) -> (String, String) {
    match select_settings(spaces, c) {
        Err(Error::Overconstrained {
            constraint,
            message,
        }) => (constraint, message),
        other => panic!("expected OverconstrainedError, got {other:?}"),
    }
}

fn settings(nums: &[(Prop, f64)], strs: &[(Prop, &str)], bools: &[(Prop, bool)]) -> Chosen {
    Chosen {
        nums: nums.iter().copied().collect(),
        strs: strs.iter().map(|(p, s)| (*p, s.to_string())).collect(),
        bools: bools.iter().copied().collect(),
    }
}

// --- fitness distance -------------------------------------------------------------------------

#[test]
fn numeric_ideal_distance_is_the_relative_difference() {
    let at_640 = settings(&[(Prop::Width, 640.0), (Prop::Height, 480.0)], &[], &[]);
    assert_eq!(
        fitness_distance(&at_640, &video(json!({"width": 1280})).basic),
        0.5
    );
    assert_eq!(
        fitness_distance(&at_640, &video(json!({"width": 320})).basic),
        0.5
    );
    assert_eq!(
        fitness_distance(&at_640, &video(json!({"width": 640})).basic),
        0.0
    );
    // Distances add up over the set's properties.
    let both = fitness_distance(&at_640, &video(json!({"width": 1280, "height": 720})).basic);
    assert!((both - (0.5 + 240.0 / 720.0)).abs() < 1e-12);
}

#[test]
fn string_ideal_distance_is_zero_when_among_the_ideals_else_one() {
    let user = settings(&[], &[(Prop::FacingMode, "user")], &[]);
    assert_eq!(
        fitness_distance(&user, &video(json!({"facingMode": "environment"})).basic),
        1.0
    );
    assert_eq!(
        fitness_distance(
            &user,
            &video(json!({"facingMode": ["environment", "user"]})).basic
        ),
        0.0
    );
}

#[test]
fn boolean_ideal_distance_is_zero_when_equal_else_one() {
    let no_noise = settings(&[], &[], &[(Prop::NoiseSuppression, false)]);
    assert_eq!(
        fitness_distance(&no_noise, &audio(json!({"noiseSuppression": true})).basic),
        1.0
    );
    assert_eq!(
        fitness_distance(&no_noise, &audio(json!({"noiseSuppression": false})).basic),
        0.0
    );
}

#[test]
fn an_unsatisfied_required_constraint_is_infinitely_far() {
    let at_640 = settings(
        &[(Prop::Width, 640.0)],
        &[(Prop::DeviceId, "a")],
        &[(Prop::NoiseSuppression, false)],
    );
    let far = |c: Value| fitness_distance(&at_640, &video(c).basic);
    assert_eq!(far(json!({"width": {"min": 641}})), f64::INFINITY);
    assert_eq!(
        far(json!({"width": {"max": 639, "ideal": 640}})),
        f64::INFINITY
    );
    assert_eq!(far(json!({"deviceId": {"exact": "b"}})), f64::INFINITY);
    assert_eq!(far(json!({"width": {"min": 640, "max": 640}})), 0.0);
    let noise = fitness_distance(
        &at_640,
        &audio(json!({"noiseSuppression": {"exact": true}})).basic,
    );
    assert_eq!(noise, f64::INFINITY);
}

#[test]
fn a_missing_property_is_infinitely_far_when_required_and_one_away_when_only_ideal() {
    let bare = settings(&[(Prop::Width, 640.0)], &[], &[]);
    assert_eq!(
        fitness_distance(
            &bare,
            &video(json!({"facingMode": {"exact": "user"}})).basic
        ),
        f64::INFINITY
    );
    assert_eq!(
        fitness_distance(&bare, &video(json!({"facingMode": "user"})).basic),
        1.0
    );
    assert_eq!(
        fitness_distance(&bare, &video(json!({"frameRate": 30})).basic),
        1.0
    );
}

#[test]
fn a_constraint_without_ideal_does_not_move_the_distance() {
    let at_640 = settings(&[(Prop::Width, 640.0)], &[], &[]);
    assert_eq!(
        fitness_distance(&at_640, &video(json!({"width": {"min": 1}})).basic),
        0.0
    );
}

// --- discrete settings dictionaries -----------------------------------------------------------

#[test]
fn without_constraints_the_first_candidate_wins_the_tie() {
    let (index, chosen) = select_settings(&three_modes(), &video(json!({}))).unwrap();
    assert_eq!(index, 0);
    assert_eq!(size(&chosen), (640.0, 480.0));
    assert_eq!(chosen.nums[&Prop::AspectRatio], 640.0 / 480.0);
    assert_eq!(chosen.strs[&Prop::DeviceId], "cam");
}

#[test]
fn the_candidate_closest_to_the_ideals_wins() {
    let (index, _) = select_settings(&three_modes(), &video(json!({"width": 1280}))).unwrap();
    assert_eq!(index, 1);
    let (index, _) = select_settings(&three_modes(), &video(json!({"height": 1000}))).unwrap();
    assert_eq!(index, 2);
    let (index, _) = select_settings(
        &three_modes(),
        &video(json!({"width": 1000, "height": 600})),
    )
    .unwrap();
    assert_eq!(index, 1);
}

#[test]
fn required_constraints_remove_candidates_before_ideals_rank_the_rest() {
    // 1920x1080 is the closest to the ideal but runs at 15 fps only.
    let c = video(json!({"width": 1920, "frameRate": {"min": 25}}));
    let (index, chosen) = select_settings(&three_modes(), &c).unwrap();
    assert_eq!(index, 1);
    assert_eq!(chosen.nums[&Prop::FrameRate], 30.0);
}

#[test]
fn exact_width_and_height_select_the_matching_mode() {
    let c = video(json!({"width": {"exact": 1920}, "height": {"exact": 1080}}));
    assert_eq!(select_settings(&three_modes(), &c).unwrap().0, 2);
}

#[test]
fn ties_go_to_the_earliest_space_and_an_ideal_device_id_breaks_them() {
    let spaces = [
        continuous_camera("a", 1920.0, 1080.0),
        continuous_camera("b", 1920.0, 1080.0),
    ];
    assert_eq!(
        select_settings(&spaces, &video(json!({"width": 1280})))
            .unwrap()
            .0,
        0
    );
    assert_eq!(
        select_settings(&spaces, &video(json!({"deviceId": "b"})))
            .unwrap()
            .0,
        1
    );
}

#[test]
fn an_exact_device_id_list_accepts_any_listed_device() {
    let spaces = [
        continuous_camera("a", 1920.0, 1080.0),
        continuous_camera("b", 1920.0, 1080.0),
    ];
    let c = video(json!({"deviceId": {"exact": ["nope", "b"]}}));
    let (index, chosen) = select_settings(&spaces, &c).unwrap();
    assert_eq!(index, 1);
    assert_eq!(chosen.strs[&Prop::DeviceId], "b");
}

// --- OverconstrainedError ---------------------------------------------------------------------

#[test]
fn an_impossible_min_width_names_width_and_what_is_available() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (constraint, message) =
        overconstrained(&spaces, &video(json!({"width": {"min": 100000000}})));
    assert_eq!(constraint, "width");
    assert_eq!(
        message,
        "width: no device can deliver min 100000000 (available 1..3840)"
    );
}

#[test]
fn an_empty_exact_facing_mode_names_facing_mode() {
    let mut front = continuous_camera("front", 1280.0, 720.0);
    front.strs.insert(Prop::FacingMode, "user".into());
    let spaces = [front, continuous_camera("plain", 1280.0, 720.0)];
    let (constraint, message) =
        overconstrained(&spaces, &video(json!({"facingMode": {"exact": ""}})));
    assert_eq!(constraint, "facingMode");
    assert_eq!(
        message,
        r#"facingMode: no device can deliver exact "" (available "user")"#
    );
}

#[test]
fn a_required_facing_mode_on_devices_without_one_says_so() {
    let spaces = [continuous_camera("plain", 1280.0, 720.0)];
    let (_, message) = overconstrained(&spaces, &video(json!({"facingMode": {"exact": "user"}})));
    assert_eq!(
        message,
        r#"facingMode: no device can deliver exact "user" (no device reports facingMode)"#
    );
}

#[test]
fn an_unknown_exact_device_id_names_device_id() {
    let spaces = [
        continuous_camera("fake:video:0", 640.0, 480.0),
        continuous_camera("fake:video:1", 640.0, 480.0),
    ];
    let (constraint, message) =
        overconstrained(&spaces, &video(json!({"deviceId": {"exact": "nope"}})));
    assert_eq!(constraint, "deviceId");
    assert_eq!(
        message,
        r#"deviceId: no device can deliver exact "nope" (available "fake:video:0", "fake:video:1")"#
    );
}

#[test]
fn min_above_max_is_unsatisfiable() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (constraint, message) = overconstrained(
        &spaces,
        &video(json!({"width": {"min": 2000, "max": 1000}})),
    );
    assert_eq!(constraint, "width");
    assert_eq!(message, "width: no value can satisfy min 2000 and max 1000");
}

#[test]
fn required_echo_cancellation_on_a_microphone_without_it_names_echo_cancellation() {
    let c = audio(json!({"echoCancellation": {"exact": true}}));
    let (constraint, message) = overconstrained(&[microphone(false)], &c);
    assert_eq!(constraint, "echoCancellation");
    assert_eq!(
        message,
        "echoCancellation: no device can deliver exact true (available false)"
    );
    assert!(select_settings(&[microphone(false), microphone(true)], &c).is_ok_and(|(i, _)| i == 1));
}

#[test]
fn four_billion_parses_then_is_overconstrained() {
    let c =
        MediaStreamConstraints::parse(r#"{"video": {"width": {"exact": 4000000000}}}"#).unwrap();
    let (constraint, message) = overconstrained(&three_modes(), &c.video.unwrap());
    assert_eq!(constraint, "width");
    assert_eq!(
        message,
        "width: no device can deliver exact 4000000000 (available 640, 1280, 1920)"
    );
}

#[test]
fn the_first_failing_property_in_property_order_is_named() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(
        json!({"frameRate": {"min": 1000}, "height": {"min": 100000}, "width": {"min": 100000}}),
    );
    assert_eq!(overconstrained(&spaces, &c).0, "width");
}

#[test]
fn a_combination_no_mode_offers_names_the_property_that_emptied_the_list() {
    // 1920 wide exists, 480 high exists, but not together.
    let c = video(json!({"width": {"exact": 1920}, "height": {"exact": 480}}));
    let (constraint, message) = overconstrained(&three_modes(), &c);
    assert_eq!(constraint, "height");
    assert_eq!(
        message,
        "height: no device can deliver exact 480 (available 1080)"
    );
}

#[test]
fn no_candidates_at_all_is_not_found() {
    assert!(matches!(
        select_settings(&[], &video(json!({}))),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn candidates_with_only_empty_ranges_are_an_internal_error() {
    let broken = Space {
        nums: BTreeMap::from([(Prop::Width, Interval::new(10.2, 10.8))]),
        ..Space::default()
    };
    assert!(matches!(
        select_settings(&[broken], &video(json!({}))),
        Err(Error::Internal(_))
    ));
}

// --- advanced sets ----------------------------------------------------------------------------

#[test]
fn advanced_sets_apply_in_order_and_one_that_cannot_be_met_is_skipped() {
    // The first set keeps 1280x720; the second cannot hold with it and is skipped.
    let c = video(json!({"advanced": [{"width": 1280}, {"width": 1920}]}));
    assert_eq!(select_settings(&three_modes(), &c).unwrap().0, 1);
    let c = video(json!({"advanced": [{"width": 1920}, {"width": 1280}]}));
    assert_eq!(select_settings(&three_modes(), &c).unwrap().0, 2);
}

#[test]
fn an_impossible_advanced_set_is_not_an_error() {
    let c = video(json!({"advanced": [{"width": {"min": 100000}}, {"facingMode": "left"}]}));
    let (index, chosen) = select_settings(&three_modes(), &c).unwrap();
    assert_eq!((index, size(&chosen)), (0, (640.0, 480.0)));
}

#[test]
fn an_advanced_set_narrows_a_continuous_range_against_the_basic_ideal() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"width": {"ideal": 640}, "advanced": [{"width": {"min": 1280}}]}));
    let (_, chosen) = select_settings(&spaces, &c).unwrap();
    assert_eq!(chosen.nums[&Prop::Width], 1280.0);
}

#[test]
fn an_ideal_inside_an_advanced_set_never_filters_nor_ranks() {
    let c = video(json!({"advanced": [{"width": {"ideal": 1920}}]}));
    assert_eq!(select_settings(&three_modes(), &c).unwrap().0, 0);
}

#[test]
fn an_advanced_set_is_all_or_nothing() {
    // 1920 exists and 30 fps exists, but not together: the whole set is skipped.
    let c = video(json!({"advanced": [{"width": 1920, "frameRate": 30}]}));
    assert_eq!(select_settings(&three_modes(), &c).unwrap().0, 0);
}

// --- CONFORMANCE rules 3 and 5 ----------------------------------------------------------------

#[test]
fn width_inside_audio_is_ignored_even_when_impossible() {
    let c = MediaStreamConstraints::parse(
        r#"{"audio": {"width": {"min": 100000000}, "shoeSize": {"exact": 3}}}"#,
    )
    .unwrap();
    let (_, chosen) = select_settings(&[microphone(false)], &c.audio.unwrap()).unwrap();
    assert_eq!(chosen.nums[&Prop::SampleRate], 48000.0);
    assert!(!chosen.nums.contains_key(&Prop::Width));
}

#[test]
fn ideal_width_within_a_min_is_delivered_as_asked() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(
        &spaces,
        &video(json!({"width": {"ideal": 320, "min": 160}})),
    )
    .unwrap();
    // The height follows the default 4:3 shape.
    assert_eq!(size(&chosen), (320.0, 240.0));
}

// --- continuous spaces ------------------------------------------------------------------------

#[test]
fn defaults_are_chosen_where_the_constraints_have_no_ideal() {
    let (_, chosen) = select_settings(&[microphone(false)], &audio(json!({}))).unwrap();
    assert_eq!(chosen.nums[&Prop::SampleRate], 48000.0);
    assert_eq!(chosen.nums[&Prop::ChannelCount], 1.0);
    assert_eq!(chosen.nums[&Prop::Latency], 0.01);
    assert_eq!(chosen.strs[&Prop::EchoCancellation], "false");
}

#[test]
fn without_a_default_the_low_end_of_the_range_is_chosen() {
    let mut mic = microphone(false);
    mic.defaults.clear();
    let (_, chosen) = select_settings(&[mic], &audio(json!({}))).unwrap();
    assert_eq!(chosen.nums[&Prop::SampleRate], 8000.0);
}

#[test]
fn an_ideal_outside_the_range_gives_the_nearest_end() {
    let spaces = [continuous_camera("cam", 1920.0, 1080.0)];
    let (_, chosen) = select_settings(
        &spaces,
        &video(json!({"width": 4000, "height": 3000, "frameRate": 120})),
    )
    .unwrap();
    assert_eq!(size(&chosen), (1920.0, 1080.0));
    assert_eq!(chosen.nums[&Prop::FrameRate], 60.0);
}

#[test]
fn an_exact_frame_rate_is_delivered_as_asked_not_at_the_tolerance_edge() {
    let spaces = [continuous_camera("cam", 1920.0, 1080.0)];
    let (_, chosen) =
        select_settings(&spaces, &video(json!({"frameRate": {"exact": 24}}))).unwrap();
    assert_eq!(chosen.nums[&Prop::FrameRate], 24.0);
}

#[test]
fn a_double_within_the_tolerance_of_exact_matches() {
    let spaces = [mode("ntsc", 720.0, 480.0, 30000.0 / 1001.0)];
    let (_, chosen) =
        select_settings(&spaces, &video(json!({"frameRate": {"exact": 29.97003}}))).unwrap();
    assert_eq!(chosen.nums[&Prop::FrameRate], 30000.0 / 1001.0);
}

#[test]
fn integer_properties_are_chosen_as_integers_inside_their_range() {
    let odd = Space {
        nums: BTreeMap::from([(Prop::ChannelCount, Interval::new(0.5, 2.5))]),
        ..Space::default()
    };
    let (_, chosen) = select_settings(&[odd], &audio(json!({"channelCount": 7}))).unwrap();
    assert_eq!(chosen.nums[&Prop::ChannelCount], 2.0);
}

#[test]
fn a_lone_height_ideal_derives_the_width_through_the_default_shape() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(&spaces, &video(json!({"height": 720}))).unwrap();
    assert_eq!(size(&chosen), (960.0, 720.0));
}

#[test]
fn a_small_camera_keeps_the_default_shape_when_the_default_size_does_not_fit() {
    let spaces = [continuous_camera("cam", 320.0, 480.0)];
    let (_, chosen) = select_settings(&spaces, &video(json!({}))).unwrap();
    assert_eq!(size(&chosen), (320.0, 240.0));
}

// --- aspectRatio ------------------------------------------------------------------------------

#[test]
fn an_exact_aspect_ratio_gives_an_integer_size_of_exactly_that_shape() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(
        &spaces,
        &video(json!({"aspectRatio": {"exact": 16.0 / 9.0}})),
    )
    .unwrap();
    assert_eq!(size(&chosen), (640.0, 360.0));
    assert_eq!(chosen.nums[&Prop::AspectRatio], 16.0 / 9.0);
}

#[test]
fn an_exact_aspect_ratio_with_a_width_ideal_gets_the_nearest_width_of_that_shape() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"width": 1000, "aspectRatio": {"exact": 16.0 / 9.0}}));
    let (_, chosen) = select_settings(&spaces, &c).unwrap();
    let (w, h) = size(&chosen);
    assert_eq!(w * 9.0, h * 16.0, "{w}x{h} is 16:9");
    // 1000 is not a multiple of 16; 992 and 1008 are the nearest that are.
    assert!(w == 992.0 || w == 1008.0, "{w}x{h}");
}

#[test]
fn an_approximate_exact_aspect_ratio_is_matched_within_the_tolerance() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(
        &spaces,
        &video(json!({"width": 1280, "aspectRatio": {"exact": 1.7777777}})),
    )
    .unwrap();
    assert_eq!(size(&chosen), (1280.0, 720.0));
}

#[test]
fn an_exact_aspect_ratio_stays_inside_the_width_and_height_ranges() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"width": 3840, "aspectRatio": {"exact": 4.0 / 3.0}}));
    let (_, chosen) = select_settings(&spaces, &c).unwrap();
    assert_eq!(size(&chosen), (2880.0, 2160.0));
}

#[test]
fn a_portrait_aspect_ratio_is_honoured() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) =
        select_settings(&spaces, &video(json!({"aspectRatio": {"exact": 0.5}}))).unwrap();
    let (w, h) = size(&chosen);
    assert_eq!(w * 2.0, h);
    assert_eq!(w, 640.0);
}

#[test]
fn an_aspect_ratio_range_moves_the_default_size_as_little_as_possible() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) =
        select_settings(&spaces, &video(json!({"aspectRatio": {"min": 1.5}}))).unwrap();
    let (w, h) = size(&chosen);
    assert_eq!(w, 640.0);
    assert!(w / h >= 1.5 && h >= 426.0, "{w}x{h}");
}

#[test]
fn an_ideal_aspect_ratio_shapes_the_default_size() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(&spaces, &video(json!({"aspectRatio": 16.0 / 9.0}))).unwrap();
    assert_eq!(size(&chosen), (640.0, 360.0));
}

#[test]
fn an_exact_aspect_ratio_selects_the_mode_of_that_shape() {
    let (index, _) = select_settings(
        &three_modes(),
        &video(json!({"aspectRatio": {"exact": 16.0 / 9.0}})),
    )
    .unwrap();
    assert_eq!(index, 1);
}

#[test]
fn an_aspect_ratio_no_mode_has_names_aspect_ratio() {
    let (constraint, message) =
        overconstrained(&three_modes(), &video(json!({"aspectRatio": {"exact": 2}})));
    assert_eq!(constraint, "aspectRatio");
    assert_eq!(
        message,
        "aspectRatio: no device can deliver exact 2 (available 1.333333, 1.777778)"
    );
}

#[test]
fn an_aspect_ratio_with_no_whole_pixel_size_in_range_is_overconstrained() {
    // 100 wide at 16:9 would be 56.25 high.
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"width": {"exact": 100}, "aspectRatio": {"exact": 16.0 / 9.0}}));
    assert_eq!(overconstrained(&spaces, &c).0, "aspectRatio");
}

#[test]
fn an_advanced_set_that_breaks_a_required_aspect_ratio_is_skipped() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(
        json!({"aspectRatio": {"exact": 16.0 / 9.0}, "advanced": [{"width": 100}, {"width": 1920}]}),
    );
    let (_, chosen) = select_settings(&spaces, &c).unwrap();
    assert_eq!(size(&chosen), (1920.0, 1080.0));
}

#[test]
fn an_odd_exact_aspect_ratio_finds_a_whole_pixel_size_of_that_ratio() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) = select_settings(
        &spaces,
        &video(json!({"aspectRatio": {"exact": 1.2345678}})),
    )
    .unwrap();
    let (w, h) = size(&chosen);
    assert!(((w / h) / 1.2345678 - 1.0).abs() <= 1e-6, "{w}x{h}");
}

#[test]
fn an_aspect_ratio_search_on_an_absurdly_large_range_ends_with_a_fitting_size_or_an_error() {
    // The nearest whole-pixel sizes of this ratio are ~666666 pixels high, beyond the bounded
    // search around the default size.
    let spaces = [continuous_camera("cam", 4_000_000_000.0, 4_000_000_000.0)];
    match select_settings(
        &spaces,
        &video(json!({"aspectRatio": {"exact": 1.0000015}})),
    ) {
        Ok((_, chosen)) => {
            let (w, h) = size(&chosen);
            assert!(((w / h) / 1.0000015 - 1.0).abs() <= 1e-6, "{w}x{h}");
        }
        Err(e) => assert_eq!(e.constraint(), Some("aspectRatio")),
    }
}

#[test]
fn an_aspect_ratio_maximum_below_one_gives_a_portrait_size() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let (_, chosen) =
        select_settings(&spaces, &video(json!({"aspectRatio": {"max": 0.75}}))).unwrap();
    let (w, h) = size(&chosen);
    assert!(w / h <= 0.75, "{w}x{h}");
    assert_eq!(w, 640.0);
}

#[test]
fn a_negative_or_zero_aspect_ratio_is_overconstrained() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    for asked in [json!({"exact": -1}), json!({"max": 0}), json!({"exact": 0})] {
        let c = video(json!({ "aspectRatio": asked }));
        assert_eq!(overconstrained(&spaces, &c).0, "aspectRatio", "{asked}");
    }
}

#[test]
fn an_empty_exact_list_is_overconstrained() {
    let (constraint, message) =
        overconstrained(&three_modes(), &video(json!({"deviceId": {"exact": []}})));
    assert_eq!(constraint, "deviceId");
    assert_eq!(message, "deviceId: no value can be in an empty exact list");
}

#[test]
fn a_portrait_ratio_with_a_width_ideal_keeps_the_width() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"width": 600, "aspectRatio": {"exact": 0.75}}));
    assert_eq!(
        size(&select_settings(&spaces, &c).unwrap().1),
        (600.0, 800.0)
    );
}

#[test]
fn a_height_ideal_with_an_exact_ratio_keeps_the_height() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let c = video(json!({"height": 1080, "aspectRatio": {"exact": 16.0 / 9.0}}));
    assert_eq!(
        size(&select_settings(&spaces, &c).unwrap().1),
        (1920.0, 1080.0)
    );
}

#[test]
fn every_exact_ratio_and_width_gives_a_whole_pixel_size_inside_the_camera_ranges() {
    let spaces = [continuous_camera("cam", 3840.0, 2160.0)];
    let ratios = [
        0.3,
        0.5,
        0.75,
        1.0,
        1.25,
        4.0 / 3.0,
        1.5,
        16.0 / 9.0,
        2.0,
        2.39,
        1.2345678,
    ];
    for ratio in ratios {
        for width in [1, 100, 640, 1000, 3839, 5000] {
            let c = video(json!({"width": width, "aspectRatio": {"exact": ratio}}));
            let (_, chosen) = select_settings(&spaces, &c)
                .unwrap_or_else(|e| panic!("ratio {ratio}, width {width}: {e}"));
            let (w, h) = size(&chosen);
            assert!(
                (1.0..=3840.0).contains(&w) && (1.0..=2160.0).contains(&h),
                "{w}x{h}"
            );
            assert_eq!((w.fract(), h.fract()), (0.0, 0.0));
            assert!(
                ((w / h) / ratio - 1.0).abs() <= 1e-6,
                "ratio {ratio}: {w}x{h}"
            );
            assert!(fitness_distance(&chosen, &c.basic).is_finite());
        }
    }
}

#[test]
fn many_advanced_sets_with_unreachable_ratios_are_skipped_and_later_sets_still_apply() {
    // Each of these sets costs a search over every height; together they exceed the search
    // budget, after which such sets are skipped without searching.
    let mut advanced = vec![json!({"aspectRatio": {"exact": 1.0000015}}); 3000];
    advanced.push(json!({"width": 1280}));
    let c = video(json!({ "advanced": advanced }));
    let (_, chosen) = select_settings(&[continuous_camera("cam", 3840.0, 2160.0)], &c).unwrap();
    assert_eq!(size(&chosen), (1280.0, 960.0));
}

#[test]
fn a_negative_max_width_clamps_to_zero_and_is_overconstrained_not_a_type_error() {
    let (constraint, _) = overconstrained(&three_modes(), &video(json!({"width": {"max": -1}})));
    assert_eq!(constraint, "width");
}

#[test]
fn an_echo_cancellation_mode_selects_only_itself() {
    let exact = audio(json!({"echoCancellation": {"exact": "all"}}));
    let (constraint, _) = overconstrained(&[microphone(false), microphone(true)], &exact);
    assert_eq!(constraint, "echoCancellation");
    let mut every_mode = microphone(false);
    every_mode.choices.insert(
        Prop::EchoCancellation,
        ["false", "true", "all", "remote-only"]
            .map(String::from)
            .to_vec(),
    );
    let (_, chosen) = select_settings(std::slice::from_ref(&every_mode), &exact).unwrap();
    assert_eq!(chosen.strs[&Prop::EchoCancellation], "all");
    let ideal = audio(json!({"echoCancellation": "remote-only"}));
    let (_, chosen) = select_settings(&[microphone(false), microphone(true)], &ideal).unwrap();
    assert_eq!(chosen.strs[&Prop::EchoCancellation], "false");
    let (_, chosen) = select_settings(&[every_mode], &ideal).unwrap();
    assert_eq!(chosen.strs[&Prop::EchoCancellation], "remote-only");
    let (_, chosen) = select_settings(
        &[microphone(false), microphone(true)],
        &audio(json!({"echoCancellation": true})),
    )
    .unwrap();
    assert_eq!(chosen.strs[&Prop::EchoCancellation], "true");
}
