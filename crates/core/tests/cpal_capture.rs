//! The cpal backend end to end through ALSA user-space plugins, no sound card:
//! a 440 Hz tone file captured sample-exact at 48 kHz, converted to 16 kHz
//! mono, the device released after the last track, and a missing device.
//! (Its own test binary with one test: it sets `ALSA_CONFIG_PATH`.)
// ALSA devices (its file plugin, a user-space PulseAudio): Linux only; the
// Windows microphone test is cpal_wasapi.rs, run under Wine.
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use cpal_support::*;
use lms_core::audio::testing::{channel, estimate_frequency, max_step};
use lms_core::backend::cpal::usage_of;

#[test]
fn a_tone_file_arrives_through_cpal_exactly_and_converted() {
    // ALSA's file plugin is not paced: seconds of audio can pass between the
    // device opening and the track attaching, so the file is long.
    let fixture = install(60.0);
    let md = media_devices();
    let devices = md.enumerate_devices().expect("devices");
    assert!(!devices.is_empty(), "cpal lists the ALSA default device");
    let default = &devices[0];
    assert_eq!(
        default.device_id, "cpal:default",
        "the default device first"
    );
    assert!(!default.label.is_empty() && !default.group_id.is_empty());
    let caps = md
        .device_capabilities(&default.device_id)
        .expect("capabilities");
    assert_eq!(caps["sampleRate"]["max"], 48_000, "{caps}");
    assert_eq!(caps["channelCount"]["max"], 2, "{caps}");
    assert_eq!(
        caps["noiseSuppression"],
        serde_json::json!([true, false]),
        "{caps}"
    );

    // 48 kHz stereo f32: the file's samples, none lost or repeated.
    let stream = md
        .get_user_media_json(
            r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 48000, "channelCount": 2, "sampleSize": 32}}"#,
        )
        .expect("capture from cpal");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["deviceId"], "cpal:default", "{settings}");
    assert_eq!(settings["sampleRate"], 48_000, "{settings}");
    assert_eq!(usage_of("cpal:default").map(|u| u.is_open()), Some(true));
    let (got, sequences) = read_f32(&track, 100);
    assert!(
        sequences.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive chunks: {sequences:?}"
    );
    // Chunks captured before the track was attached went nowhere: count by sequence number.
    let start = sequences[0] as usize * got.len() / 100;
    assert_eq!(got.len(), 48_000 * CHANNELS, "one second of stereo");
    let expected = fixture
        .samples
        .get(start..start + got.len())
        .unwrap_or_else(|| {
            panic!("the track attached {start} samples in, past the end of the fixture")
        });
    assert_eq!(
        got[..],
        expected[..],
        "the samples are the file's, none lost or repeated"
    );
    let left = channel(&got, CHANNELS, 0);
    let hz = estimate_frequency(&left, RATE);
    assert!((hz - TONE_HZ).abs() < 1.0, "arrives as {hz} Hz");
    track.stop();
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(
        (usage.opens, usage.closes),
        (1, 1),
        "closed after the last track"
    );

    // 16 kHz mono, converted by the core from the 48 kHz stereo device.
    let stream = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 16000, "channelCount": 1}}"#)
        .expect("capture converted");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["sampleRate"], 16_000, "{settings}");
    assert_eq!(settings["channelCount"], 1, "{settings}");
    let (got, sequences) = read_f32(&track, 30);
    assert!(
        sequences.windows(2).all(|w| w[1] == w[0] + 1),
        "consecutive chunks: {sequences:?}"
    );
    let hz = estimate_frequency(&got, 16_000);
    assert!((hz - TONE_HZ).abs() < 1.0, "converted arrives as {hz} Hz");
    // Mono of 0.5 and 0.25 sines: slope at most 2π·440/16000·0.375 ≈ 0.065; a click is far above.
    let step = max_step(&got[200..]);
    assert!(step < 0.1, "no clicks at chunk boundaries: max step {step}");
    stream.stop();
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(
        (usage.opens, usage.closes),
        (2, 2),
        "closed after the last track"
    );

    // A real microphone processes by default, as browsers do (the tracks above asked for
    // none, and got the device's samples as they are).
    let processed = md
        .get_user_media_json(r#"{"audio": true}"#)
        .expect("default track");
    let settings = processed.get_audio_tracks()[0].settings_json();
    for p in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
        assert_eq!(settings[p], true, "{p}: {settings}");
    }
    processed.stop();

    // A device that is not there: an error, not a panic.
    let err = md
        .get_user_media_json(r#"{"audio": {"deviceId": {"exact": "cpal:no-such-device"}}}"#)
        .unwrap_err();
    assert_eq!(err.name(), "OverconstrainedError", "{err}");
    assert_eq!(err.constraint(), Some("deviceId"), "{err}");
    let _ = std::fs::remove_dir_all(&fixture.dir);
}
