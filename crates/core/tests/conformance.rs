//! One test (at least) per rule of CONFORMANCE.md, named after the rule.

mod common;

use common::{eventually, realtime, unpaced, with, Counter, Log, SECOND};
use lms_core::{MediaDevices, MediaKind, MediaStream, ReadyState, TrackEvent};
use serde_json::json;

fn error_of(md: &MediaDevices, constraints: &str) -> lms_core::Error {
    md.get_user_media_json(constraints).expect_err(constraints)
}

// ---- getUserMedia ----

#[test]
fn rule_01_no_kind_requested_is_a_type_error() {
    let md = unpaced();
    for c in [
        "{}",
        r#"{"audio": false, "video": false}"#,
        r#"{"audio": false}"#,
    ] {
        assert_eq!(error_of(&md, c).name(), "TypeError", "{c}");
    }
}

#[test]
fn rule_02_an_impossible_required_constraint_is_overconstrained_naming_it() {
    let md = unpaced();
    let cases = [
        (r#"{"video": {"width": {"min": 100000000}}}"#, "width"),
        (r#"{"video": {"facingMode": {"exact": ""}}}"#, "facingMode"),
        (r#"{"video": {"deviceId": {"exact": "nope"}}}"#, "deviceId"),
        (r#"{"audio": {"deviceId": {"exact": "nope"}}}"#, "deviceId"),
        (r#"{"video": {"height": {"max": 0}}}"#, "height"),
        // `[Clamp] unsigned long`: -1 is 0, so this is impossible, not malformed.
        (r#"{"video": {"width": {"max": -1}}}"#, "width"),
        (
            r#"{"audio": {"voiceIsolation": {"exact": true}}}"#,
            "voiceIsolation",
        ),
    ];
    for (c, name) in cases {
        let e = error_of(&md, c);
        assert_eq!(e.name(), "OverconstrainedError", "{c}: {e}");
        assert_eq!(e.constraint(), Some(name), "{c}: {e}");
    }
}

#[test]
fn echo_cancellation_modes_select_as_themselves_and_voice_isolation_reports_false() {
    let md = unpaced();
    let s = md
        .get_user_media_json(
            r#"{"audio": {"echoCancellation": "all", "voiceIsolation": true,
                "advanced": [{"echoCancellation": "remote-only"}]}}"#,
        )
        .unwrap();
    let t = &s.get_audio_tracks()[0];
    let settings = t.settings_json();
    // The advanced set is required and can be met: it wins over the basic ideal.
    assert_eq!(settings["echoCancellation"], json!("remote-only"));
    assert_eq!(settings["voiceIsolation"], json!(false));
    assert_eq!(t.get_capabilities()["voiceIsolation"], json!([false]));
    assert_eq!(t.get_constraints()["echoCancellation"], json!("all"));
    for (asked, reported) in [
        (json!({"exact": "all"}), json!("all")),
        (json!({"exact": "remote-only"}), json!("remote-only")),
        (json!({"exact": true}), json!(true)),
        (json!(false), json!(false)),
    ] {
        let c = json!({"audio": {"echoCancellation": asked}}).to_string();
        let s = md.get_user_media_json(&c).unwrap();
        let settings = s.get_audio_tracks()[0].settings_json();
        assert_eq!(settings["echoCancellation"], reported, "{c}");
    }
    let e = error_of(&md, r#"{"audio": {"echoCancellation": "on"}}"#);
    assert_eq!(e.name(), "TypeError", "{e}");
}

#[test]
fn a_device_or_group_id_over_500_characters_is_a_type_error_as_in_chromium() {
    let md = unpaced();
    let long = "a".repeat(501);
    for c in [
        json!({"video": {"deviceId": {"exact": long}}}),
        json!({"video": {"deviceId": {"ideal": long}}}),
        json!({"audio": {"groupId": long}}),
        json!({"audio": {"groupId": {"ideal": [long]}}}),
    ] {
        let e = error_of(&md, &c.to_string());
        assert_eq!(e.name(), "TypeError", "{e}");
        assert!(e.to_string().contains("Constraint string too long."), "{e}");
    }
    let at_limit = json!({"video": {"deviceId": "a".repeat(500)}});
    assert!(md.get_user_media_json(&at_limit.to_string()).is_ok());
}

#[test]
fn rule_03_unknown_keys_and_constraints_of_the_other_kind_are_ignored() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": {"bogus": {"exact": 1}}, "audio": {"width": {"min": 100000000}, "frameRate": {"exact": -1}}, "peerIdentity": "x"}"#)
        .expect("ignored constraints must not fail");
    assert_eq!(s.get_tracks().len(), 2);
}

#[test]
fn rule_04_an_unsatisfiable_advanced_set_is_skipped() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": {"advanced": [{"width": 100000000}, {"width": 320}]}}"#)
        .expect("advanced sets never fail");
    assert_eq!(s.get_video_tracks()[0].settings_json()["width"], 320);
}

#[test]
fn rule_05_width_ideal_within_min_is_delivered() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": {"width": {"ideal": 320, "min": 160}}}"#)
        .unwrap();
    let track = &s.get_video_tracks()[0];
    assert_eq!(track.settings_json()["width"], 320);
    let frame = track.read(SECOND).unwrap();
    assert_eq!(frame.video().unwrap().width(), 320);
}

#[test]
fn rule_06_audio_only_gives_one_audio_track_and_video_only_one_video_track() {
    let md = unpaced();
    let a = md.get_user_media_json(r#"{"audio": true}"#).unwrap();
    assert_eq!(
        (a.get_audio_tracks().len(), a.get_video_tracks().len()),
        (1, 0)
    );
    let v = md
        .get_user_media_json(r#"{"video": true, "audio": false}"#)
        .unwrap();
    assert_eq!(
        (v.get_audio_tracks().len(), v.get_video_tracks().len()),
        (0, 1)
    );
    let both = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    assert_eq!(
        (both.get_audio_tracks().len(), both.get_video_tracks().len()),
        (1, 1)
    );
}

#[test]
fn rule_07_no_device_is_not_found_busy_is_not_readable_policy_is_not_allowed() {
    let none = with(r#"{"backends": ["fake"], "fake": {"video": 0, "audio": 1}}"#);
    assert_eq!(
        error_of(&none, r#"{"video": true}"#).name(),
        "NotFoundError"
    );
    let empty = with(r#"{"backends": []}"#);
    assert_eq!(
        error_of(&empty, r#"{"audio": true}"#).name(),
        "NotFoundError"
    );

    let md = unpaced();
    md.fake_device_control("fake:video:0", "busy").unwrap();
    md.fake_device_control("fake:video:1", "busy").unwrap();
    let e = error_of(&md, r#"{"video": true}"#);
    assert_eq!(e.name(), "NotReadableError", "{e}");
    md.fake_device_control("fake:video:0", "free").unwrap();
    md.get_user_media_json(r#"{"video": true}"#)
        .expect("free again");

    let denied = with(r#"{"backends": ["fake"], "permissions": {"camera": "denied"}}"#);
    assert_eq!(
        error_of(&denied, r#"{"video": true}"#).name(),
        "NotAllowedError"
    );
    denied
        .get_user_media_json(r#"{"audio": true}"#)
        .expect("the microphone is allowed");
}

// ---- MediaStream ----

#[test]
fn rule_08_stream_ids_are_distinct_uuids_and_constructors_hold_the_given_tracks() {
    let md = unpaced();
    let a = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let b = MediaStream::new();
    assert_eq!(a.id().len(), 36);
    assert!(uuid_like(a.id()) && uuid_like(b.id()));
    assert_ne!(a.id(), b.id());
    assert!(b.get_tracks().is_empty() && !b.active());
    let c = MediaStream::from_stream(&a);
    assert_ne!(c.id(), a.id());
    assert_eq!(c.get_tracks().len(), 2);
    for (x, y) in a.get_tracks().iter().zip(c.get_tracks().iter()) {
        assert!(
            x.same_track(y),
            "built from a stream it holds the same track objects"
        );
    }
    let v = a.get_video_tracks();
    let d = MediaStream::from_tracks(&v);
    assert_eq!(d.get_tracks().len(), 1);
    assert!(d.get_tracks()[0].same_track(&v[0]));
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36
        && s.chars().enumerate().all(|(i, c)| {
            if [8, 13, 18, 23].contains(&i) {
                c == '-'
            } else {
                c.is_ascii_hexdigit()
            }
        })
}

#[test]
fn rule_09_track_lists_are_current_and_get_track_by_id_gives_the_same_object() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let video = s.get_video_tracks()[0].clone();
    let audio = s.get_audio_tracks()[0].clone();
    assert!(s.get_track_by_id(video.id()).unwrap().same_track(&video));
    assert!(s.get_track_by_id("not-a-track").is_none());
    s.remove_track(&audio);
    assert_eq!(s.get_tracks().len(), 1);
    assert!(s.get_audio_tracks().is_empty());
    assert!(s.get_track_by_id(audio.id()).is_none());
}

#[test]
fn rule_10_adding_a_present_track_or_removing_an_absent_one_does_nothing() {
    let md = unpaced();
    let s = md.get_user_media_json(r#"{"video": true}"#).unwrap();
    let t = s.get_tracks()[0].clone();
    s.add_track(&t);
    assert_eq!(s.get_tracks().len(), 1);
    let other = md
        .get_user_media_json(r#"{"audio": true}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    s.remove_track(&other);
    assert_eq!(s.get_tracks().len(), 1);
    assert!(s.get_tracks()[0].same_track(&t));
    // The library has no addtrack/removetrack events at all: only the UA fires them,
    // and never for addTrack()/removeTrack().
}

#[test]
fn rule_11_active_while_any_track_is_live_and_inactive_streams_accept_changes() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    assert!(s.active());
    s.get_video_tracks()[0].stop();
    assert!(s.active(), "one track is still live");
    s.get_audio_tracks()[0].stop();
    assert!(!s.active());
    let t = md
        .get_user_media_json(r#"{"audio": true}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    let ended = s.get_video_tracks()[0].clone();
    s.remove_track(&ended);
    s.add_track(&t);
    assert!(
        s.active(),
        "adding a live track to an inactive stream is allowed"
    );
}

#[test]
fn rule_12_clone_has_new_ids_and_outlives_the_original() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let c = s.clone_stream();
    assert_ne!(c.id(), s.id());
    let old: Vec<String> = s.get_tracks().iter().map(|t| t.id().to_string()).collect();
    for t in c.get_tracks() {
        assert!(!old.contains(&t.id().to_string()));
    }
    s.stop();
    assert!(c.active());
    for t in c.get_tracks() {
        assert_eq!(t.ready_state(), ReadyState::Live);
        t.read(SECOND)
            .expect("a clone keeps delivering after the original stopped");
    }
}

#[test]
fn rule_13_stream_stop_stops_every_track() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    s.stop();
    assert!(s
        .get_tracks()
        .iter()
        .all(|t| t.ready_state() == ReadyState::Ended));
    assert!(!s.active());
    assert!(!md.fake_device_usage("fake:video:0").unwrap().is_open());
    assert!(!md.fake_device_usage("fake:audio:0").unwrap().is_open());
}

// ---- MediaStreamTrack ----

#[test]
fn rule_14_a_new_track_is_live_enabled_unmuted_with_a_kind_and_distinct_id() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let (a, v) = (
        s.get_audio_tracks()[0].clone(),
        s.get_video_tracks()[0].clone(),
    );
    for t in [&a, &v] {
        assert_eq!(t.ready_state(), ReadyState::Live);
        assert!(t.enabled() && !t.muted());
        assert!(uuid_like(t.id()));
    }
    assert_eq!((a.kind(), v.kind()), (MediaKind::Audio, MediaKind::Video));
    assert_eq!((a.kind().as_str(), v.kind().as_str()), ("audio", "video"));
    assert_ne!(a.id(), v.id());
}

#[test]
fn rule_15_stop_ends_at_once_fires_no_ended_and_is_idempotent() {
    let md = unpaced();
    let t = md
        .get_user_media_json(r#"{"video": true}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    let ended = Counter::on(&t, TrackEvent::Ended);
    t.stop();
    assert_eq!(t.ready_state(), ReadyState::Ended);
    t.stop();
    assert_eq!(t.ready_state(), ReadyState::Ended);
    assert_eq!(ended.settled(), 0, "stop() fires no ended event");
    assert_eq!(t.read(SECOND).unwrap_err().name(), "EndedError");
}

#[test]
fn rule_16_ended_fires_once_when_the_source_ends_by_itself() {
    let md = realtime();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let v = s.get_video_tracks()[0].clone();
    let clone = v.clone_track();
    let log = Log::default();
    for (name, t) in [
        ("video", &v),
        ("clone", &clone),
        ("audio", &s.get_audio_tracks()[0]),
    ] {
        let l = log.clone();
        t.add_event_listener(TrackEvent::Ended, move |e| {
            l.push(format!("{name}: {}", e.detail))
        });
    }
    md.fake_device_control("fake:video:0", "disconnect")
        .unwrap();
    assert_eq!(v.ready_state(), ReadyState::Ended);
    assert_eq!(clone.ready_state(), ReadyState::Ended);
    md.fake_device_control("fake:video:0", "reconnect").unwrap();
    md.fake_device_control("fake:video:0", "disconnect")
        .unwrap();
    md.fake_device_control("fake:audio:0", "fail").unwrap();
    let mut seen = log.settled();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            "audio: device failed",
            "clone: device disconnected",
            "video: device disconnected"
        ]
    );
    assert!(!s.active());
}

#[test]
fn rule_17_a_clone_has_a_new_id_same_source_and_settings_and_a_clone_of_ended_is_ended() {
    let md = unpaced();
    let t = md
        .get_user_media_json(r#"{"video": {"width": 320, "height": 240}}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    t.set_enabled(false);
    let c = t.clone_track();
    assert_ne!(c.id(), t.id());
    assert_eq!(c.get_settings(), t.get_settings());
    assert_eq!(c.settings_json()["deviceId"], t.settings_json()["deviceId"]);
    assert_eq!(c.get_constraints(), t.get_constraints());
    assert!(!c.enabled(), "enabled is copied");
    assert_eq!(
        md.fake_device_usage("fake:video:0").unwrap().opens,
        1,
        "same source, not a second open"
    );
    t.stop();
    let cc = t.clone_track();
    assert_eq!(cc.ready_state(), ReadyState::Ended);
    assert_eq!(c.ready_state(), ReadyState::Live);
}

#[test]
fn rule_18_the_device_is_released_when_the_last_track_goes_and_not_before() {
    let md = unpaced();
    let usage = || md.fake_device_usage("fake:video:0").unwrap();
    let s = md.get_user_media_json(r#"{"video": true}"#).unwrap();
    let t = s.get_tracks()[0].clone();
    let c = t.clone_track();
    let second = md
        .get_user_media_json(r#"{"video": {"deviceId": {"exact": "fake:video:0"}}}"#)
        .unwrap();
    assert_eq!(
        (usage().opens, usage().closes),
        (1, 0),
        "three tracks share one open"
    );
    t.stop();
    assert!(usage().is_open());
    second.stop();
    assert!(usage().is_open());
    drop(s);
    drop(t);
    assert!(usage().is_open(), "the clone still uses the device");
    drop(c);
    assert_eq!(
        (usage().opens, usage().closes),
        (1, 1),
        "dropping the last track released it"
    );
}

#[test]
fn rule_19_a_disabled_track_delivers_black_video_and_silent_audio() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": {"width": 160, "height": 120}, "audio": true}"#)
        .unwrap();
    let (v, a) = (
        s.get_video_tracks()[0].clone(),
        s.get_audio_tracks()[0].clone(),
    );
    let live = v.read(SECOND).unwrap();
    assert!(
        live.video().unwrap().plane(0).iter().any(|&y| y > 100),
        "a live picture is not black"
    );
    v.set_enabled(false);
    a.set_enabled(false);
    // Frames queued before disabling may still be live pictures: skip the queue.
    let mut black = None;
    for _ in 0..20 {
        let f = v.read(SECOND).unwrap();
        if f.video().unwrap().plane(0).iter().all(|&y| y == 16) {
            black = Some(f);
            break;
        }
    }
    let black = black.expect("a disabled video track delivers black frames");
    assert!(black.video().unwrap().plane(1).iter().all(|&u| u == 128));
    let mut silent = false;
    for _ in 0..20 {
        let f = a.read(SECOND).unwrap();
        if f.audio().unwrap().bytes().iter().all(|&b| b == 0) {
            silent = true;
            break;
        }
    }
    assert!(silent, "a disabled audio track delivers silence");
    s.stop();
    v.set_enabled(true); // allowed on an ended track; changes nothing else
    assert_eq!(v.ready_state(), ReadyState::Ended);
}

#[test]
fn rule_20_settings_report_what_is_delivered_with_matching_ids() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": {"width": 352, "height": 288, "frameRate": 15}, "audio": {"sampleRate": 16000}}"#)
        .unwrap();
    let devices = md.enumerate_devices().unwrap();
    for t in s.get_tracks() {
        let settings = t.settings_json();
        let dev = devices
            .iter()
            .find(|d| d.device_id == settings["deviceId"])
            .expect("deviceId is listed");
        assert_eq!(settings["groupId"], json!(dev.group_id));
        assert_eq!(dev.kind, t.kind());
    }
    let v = &s.get_video_tracks()[0];
    let settings = v.settings_json();
    assert!(settings["width"].is_u64() && settings["height"].is_u64());
    let frame = v.read(SECOND).unwrap();
    let buf = frame.video().unwrap();
    assert_eq!(
        (json!(buf.width()), json!(buf.height())),
        (settings["width"].clone(), settings["height"].clone())
    );
    assert_eq!(settings["frameRate"], 15.0);
    let a = &s.get_audio_tracks()[0];
    let chunk = a.read(SECOND).unwrap();
    assert_eq!(a.settings_json()["sampleRate"], 16000);
    assert_eq!(chunk.audio().unwrap().sample_rate(), 16000);
    assert_eq!(
        chunk.audio().unwrap().frames(),
        160,
        "10 ms chunks by default"
    );
}

#[test]
fn rule_21_capabilities_have_every_property_of_the_kind_with_ordered_ranges() {
    let md = unpaced();
    let s = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let video_props = [
        "width",
        "height",
        "aspectRatio",
        "frameRate",
        "facingMode",
        "resizeMode",
        "deviceId",
        "groupId",
        "pixelFormat",
    ];
    let audio_props = [
        "sampleRate",
        "sampleSize",
        "channelCount",
        "latency",
        "echoCancellation",
        "autoGainControl",
        "noiseSuppression",
        "voiceIsolation",
        "deviceId",
        "groupId",
        "sampleFormat",
    ];
    for (t, props) in [
        (&s.get_video_tracks()[0], &video_props[..]),
        (&s.get_audio_tracks()[0], &audio_props[..]),
    ] {
        let caps = t.get_capabilities();
        for p in props {
            let v = &caps[*p];
            assert!(!v.is_null(), "{p} missing from {caps}");
            if let Some(obj) = v.as_object() {
                let (min, max) = (obj["min"].as_f64().unwrap(), obj["max"].as_f64().unwrap());
                assert!(min <= max, "{p}: {min} > {max}");
            }
        }
        assert!(caps["deviceId"].is_string() && caps["groupId"].is_string());
    }
}

#[test]
fn rule_22_apply_constraints_fails_without_changing_anything_or_accepts_ideals() {
    let md = unpaced();
    let t = md
        .get_user_media_json(r#"{"video": {"width": 640, "height": 480}}"#)
        .unwrap()
        .get_tracks()[0]
        .clone();
    let before = t.get_settings();
    let before_constraints = t.get_constraints();
    let e = t
        .apply_constraints(&json!({"width": {"min": 100000000}}))
        .unwrap_err();
    assert_eq!(
        (e.name(), e.constraint()),
        ("OverconstrainedError", Some("width"))
    );
    assert_eq!(t.get_settings(), before);
    assert_eq!(t.get_constraints(), before_constraints);
    t.apply_constraints(&json!({"width": {"ideal": 100000000}}))
        .expect("an impossible ideal is fine");
    t.apply_constraints(&json!({"width": 320, "height": 240}))
        .unwrap();
    assert_eq!(
        (
            t.settings_json()["width"].clone(),
            t.settings_json()["height"].clone()
        ),
        (json!(320), json!(240))
    );
    assert_eq!(t.get_constraints(), json!({"width": 320, "height": 240}));
    let mut got = None;
    for _ in 0..20 {
        let f = t.read(SECOND).unwrap();
        if f.video().unwrap().width() == 320 {
            got = Some(f);
            break;
        }
    }
    assert_eq!(
        got.expect("frames follow the new settings")
            .video()
            .unwrap()
            .height(),
        240
    );
    t.stop();
    let ended = t.get_settings();
    t.apply_constraints(&json!({"width": {"exact": 1}}))
        .expect("on an ended track it succeeds");
    assert_eq!(t.get_settings(), ended, "and changes nothing");
}

#[test]
fn rule_23_two_tracks_of_one_device_get_their_own_widths() {
    let md = unpaced();
    let big = md
        .get_user_media_json(
            r#"{"video": {"deviceId": "fake:video:0", "width": 640, "height": 480}}"#,
        )
        .unwrap();
    let small = md
        .get_user_media_json(
            r#"{"video": {"deviceId": {"exact": "fake:video:0"}, "width": {"exact": 320}}}"#,
        )
        .unwrap();
    assert_eq!(
        md.fake_device_usage("fake:video:0").unwrap().opens,
        1,
        "one device, one open"
    );
    let (b, s) = (big.get_tracks()[0].clone(), small.get_tracks()[0].clone());
    assert_eq!(b.read(SECOND).unwrap().video().unwrap().width(), 640);
    assert_eq!(s.read(SECOND).unwrap().video().unwrap().width(), 320);
    assert_eq!(s.settings_json()["width"], 320);
    assert_eq!(s.settings_json()["height"], 240, "the aspect ratio is kept");
    assert_eq!(s.settings_json()["resizeMode"], "crop-and-scale");
}

// ---- MediaDevices ----

#[test]
fn rule_24_enumerate_devices_lists_inputs_stably() {
    let md = unpaced();
    let a = md.enumerate_devices().unwrap();
    let b = md.enumerate_devices().unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 3);
    // The specification's order: microphones, then cameras, each kind's default first.
    let ids: Vec<&str> = a.iter().map(|d| d.device_id.as_str()).collect();
    assert_eq!(ids, ["fake:audio:0", "fake:video:0", "fake:video:1"]);
    for d in &a {
        assert!(["audioinput", "videoinput"].contains(&d.kind.device_kind()));
        assert!(!d.device_id.is_empty() && !d.label.is_empty() && !d.group_id.is_empty());
        let j = d.to_json();
        for k in ["deviceId", "kind", "label", "groupId"] {
            assert!(j[k].is_string(), "{k}");
        }
    }
}

#[test]
fn rule_25_supported_constraints_are_all_true() {
    let supported = MediaDevices::get_supported_constraints();
    for name in [
        "deviceId",
        "groupId",
        "width",
        "height",
        "aspectRatio",
        "frameRate",
        "facingMode",
        "resizeMode",
        "sampleRate",
        "sampleSize",
        "channelCount",
        "latency",
        "echoCancellation",
        "autoGainControl",
        "noiseSuppression",
        "voiceIsolation",
        "pixelFormat",
        "sampleFormat",
    ] {
        assert_eq!(supported.get(name), Some(&true), "{name}");
    }
}

#[test]
fn rule_26_devicechange_fires_when_the_list_changes() {
    let md = unpaced();
    let log = Log::default();
    let l = log.clone();
    md.add_device_change_listener(move |e| l.push(e.name));
    md.fake_device_control("fake:video:1", "mute").unwrap();
    assert!(log.settled().is_empty(), "mute does not change the list");
    md.fake_device_control("fake:video:1", "disconnect")
        .unwrap();
    assert_eq!(md.enumerate_devices().unwrap().len(), 2);
    md.fake_device_control("fake:video:1", "reconnect").unwrap();
    assert_eq!(log.settled(), vec!["devicechange", "devicechange"]);
    md.configure(r#"{"backends": ["fake"], "fake": {"video": 1, "audio": 0}}"#)
        .unwrap();
    assert!(
        eventually(|| log.settled().len() == 3),
        "reconfiguring changed the list"
    );
}
