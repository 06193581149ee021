//! Capture through the sound server's own protocol (cpal's `pulseaudio`
//! host), against a user-space PulseAudio: the sources are the microphones,
//! outputs' monitors among them ("Monitor of ..."), named by the server's
//! source names; the sinks are listed as `audiooutput`; a monitor records
//! what its output plays (system-audio loopback: `pacat` playing 1 kHz into a
//! null sink); capture is paced by the wall clock with the `latency` asked;
//! an output is not a capture device; a server that dies ends the tracks
//! once, and a restarted one is found again.
//! (Its own test binary with one test: it sets `PULSE_SERVER` and `LMS_AUDIO_HOST`.)
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal_support::pulse::{PulseServer, MUSIC_HZ, SINE_HZ};
use cpal_support::*;
use lms_core::audio::testing::{channel, estimate_frequency};
use lms_core::backend::cpal::usage_of;
use lms_core::events::TrackEvent;
use lms_core::track::ReadyState;

const RAW: &str =
    r#""echoCancellation": false, "noiseSuppression": false, "autoGainControl": false"#;

/// `count` chunks of `track`: samples (f32), frames per chunk, sequence numbers.
fn read(track: &lms_core::MediaStreamTrack, count: usize) -> (Vec<f32>, Vec<usize>, Vec<u64>) {
    let (mut samples, mut frames, mut sequences) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..count {
        let frame = track.read(TIMEOUT).expect("a chunk of audio");
        let audio = frame.audio().expect("audio");
        frames.push(audio.frames());
        sequences.push(frame.sequence());
        match audio.samples() {
            lms_core::frame::Samples::F32(s) => samples.extend_from_slice(s),
            lms_core::frame::Samples::S16(s) => {
                samples.extend(s.iter().map(|&v| f32::from(v) / 32768.0))
            }
        }
    }
    (samples, frames, sequences)
}

fn consecutive(sequences: &[u64]) -> bool {
    sequences.windows(2).all(|w| w[1] == w[0] + 1)
}

#[test]
fn the_sound_server_serves_sources_monitors_and_outputs_natively() {
    let mut pulse = PulseServer::start_native();
    // A home where no PulseAudio client ran: the cookie the protocol needs is
    // made there, as libpulse does (without it the server refuses us).
    let home = pulse.dir.join("client-home");
    std::env::set_var("HOME", &home);
    let md = media_devices();
    let devices = md.enumerate_devices().expect("devices");
    let cookie = std::fs::read(home.join(".config/pulse/cookie")).expect("a cookie was made");
    assert_eq!(cookie.len(), 256);
    let kinds: Vec<(&str, &str, &str)> = devices
        .iter()
        .map(|d| (d.device_kind(), d.device_id.as_str(), d.label.as_str()))
        .collect();
    println!("devices: {kinds:?}");
    // The default source first, named by the server; every output's monitor a
    // capture device saying what it is; then the outputs, the default first.
    assert_eq!(
        kinds.first(),
        Some(&(
            "audioinput",
            "cpal:speaker.monitor",
            "Monitor of Null Output"
        )),
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("audioinput", "cpal:music.monitor", "Monitor of Music")),
        "{kinds:?}"
    );
    let outputs: Vec<&(&str, &str, &str)> = kinds.iter().filter(|k| k.0 == "audiooutput").collect();
    assert_eq!(
        outputs,
        [
            &("audiooutput", "cpal:speaker", "Null Output"),
            &("audiooutput", "cpal:music", "Music")
        ],
        "{kinds:?}"
    );
    let inputs_then_outputs = kinds
        .iter()
        .skip_while(|k| k.0 == "audioinput")
        .all(|k| k.0 == "audiooutput");
    assert!(inputs_then_outputs, "{kinds:?}");
    assert_eq!(
        md.enumerate_devices().expect("again"),
        devices,
        "the same list on every call"
    );

    // Loopback: the music sink's monitor records what pacat plays into it,
    // unprocessed unless asked (a microphone's default is processed).
    let stream = md
        .get_user_media_json(r#"{"audio": {"deviceId": {"exact": "cpal:music.monitor"}}}"#)
        .expect("capture the music sink's monitor");
    let track = stream.get_audio_tracks().remove(0);
    assert_eq!(track.label(), "Monitor of Music");
    let settings = track.settings_json();
    assert_eq!(settings["deviceId"], "cpal:music.monitor", "{settings}");
    for processing in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
        assert_eq!(settings[processing], false, "{settings}");
    }
    let (samples, frames, sequences) = read(&track, 100);
    assert!(consecutive(&sequences), "{sequences:?}");
    assert!(frames.iter().all(|&f| f == 480), "10 ms chunks: {frames:?}");
    let channels = settings["channelCount"].as_u64().expect("channelCount") as usize;
    let hz = estimate_frequency(&channel(&samples, channels, 0), 48_000);
    println!("music.monitor: {hz:.2} Hz");
    assert!((hz - MUSIC_HZ).abs() < 1.0, "the monitor hears {hz} Hz");
    stream.stop();

    // The default source, 50 ms chunks, paced by the wall clock.
    let stream = md
        .get_user_media_json(&format!(
            r#"{{"audio": {{"latency": 0.05, "sampleRate": 48000, {RAW}}}}}"#
        ))
        .expect("capture the default source");
    let track = stream.get_audio_tracks().remove(0);
    assert_eq!(track.settings_json()["deviceId"], "cpal:speaker.monitor");
    assert_eq!(track.settings_json()["latency"], 0.05);
    track.read(TIMEOUT).expect("a first chunk");
    let started = Instant::now();
    let (samples, frames, sequences) = read(&track, 20);
    let wall = started.elapsed();
    assert!(consecutive(&sequences), "{sequences:?}");
    assert!(
        frames.iter().all(|&f| f == 2400),
        "50 ms chunks: {frames:?}"
    );
    println!("20 chunks of 50 ms in {wall:?}");
    // 1 s of audio cannot come in much less than 1 s (the first may have queued).
    assert!(
        wall >= Duration::from_millis(850),
        "not real time: {wall:?}"
    );
    let channels = track.settings_json()["channelCount"].as_u64().unwrap() as usize;
    let hz = estimate_frequency(&channel(&samples, channels, 0), 48_000);
    assert!(
        (hz - SINE_HZ).abs() < 1.0,
        "the default source hears {hz} Hz"
    );

    // A sink loaded on the server is a change of the device list: its
    // monitor and itself come (the server is asked, no sound card changed).
    let changes = Arc::new(Mutex::new(0usize));
    let counter = Arc::clone(&changes);
    let listener = md.add_device_change_listener(move |_| *counter.lock().unwrap() += 1);
    pulse.pactl(&[
        "load-module",
        "module-null-sink",
        "sink_name=extra",
        "sink_properties=device.description=Extra",
    ]);
    let deadline = Instant::now() + Duration::from_secs(20);
    while *changes.lock().unwrap() == 0 {
        assert!(Instant::now() < deadline, "no devicechange for a new sink");
        std::thread::sleep(Duration::from_millis(20));
    }
    md.remove_device_change_listener(listener);
    let now = md.enumerate_devices().expect("devices");
    assert!(
        now.iter()
            .any(|d| d.device_id == "cpal:extra.monitor" && d.label == "Monitor of Extra"),
        "{now:?}"
    );
    assert!(
        now.iter()
            .any(|d| d.device_id == "cpal:extra" && d.device_kind() == "audiooutput"),
        "{now:?}"
    );

    // An output is listed but is not a capture device.
    let err = md
        .get_user_media_json(r#"{"audio": {"deviceId": {"exact": "cpal:music"}}}"#)
        .expect_err("an output cannot be captured");
    assert_eq!(err.name(), "OverconstrainedError", "{err}");

    // The server dies while capturing: the track ends once, saying why.
    let ended: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&ended);
    track.add_event_listener(TrackEvent::Ended, move |e| {
        seen.lock().unwrap().push(e.detail.clone())
    });
    pulse.kill();
    let deadline = Instant::now() + Duration::from_secs(30);
    let released = || usage_of("cpal:speaker.monitor").is_some_and(|u| u.opens == u.closes);
    while track.ready_state() != ReadyState::Ended
        || ended.lock().unwrap().is_empty()
        || !released()
    {
        assert!(
            Instant::now() < deadline,
            "the track did not end (or stayed open) after the server died: {:?} {:?}",
            usage_of("cpal:speaker.monitor"),
            ended.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    lms_core::events::flush();
    let details = ended.lock().unwrap().clone();
    assert_eq!(details.len(), 1, "ended once: {details:?}");
    println!("ended: {}", details[0]);
    // With no server (and LMS_AUDIO_HOST=pulseaudio: no ALSA fallback) there is no microphone.
    let err = md
        .get_user_media_json(r#"{"audio": true}"#)
        .expect_err("no server, no capture");
    assert_eq!(err.name(), "NotFoundError", "{err}");

    // A restarted server is found again.
    pulse.restart();
    let stream = md
        .get_user_media_json(&format!(r#"{{"audio": {{{RAW}}}}}"#))
        .expect("capture after the restart");
    let track = stream.get_audio_tracks().remove(0);
    assert_eq!(track.settings_json()["deviceId"], "cpal:speaker.monitor");
    let (_, _, sequences) = read(&track, 20);
    assert!(consecutive(&sequences), "{sequences:?}");
    stream.stop();
}
