//! The cpal backend in real time, through a user-space PulseAudio server and
//! ALSA's `pulse` plugin: capture is paced by the wall clock, the `latency`
//! setting sets the chunk length, a resampled track stays real time, a server
//! that dies ends the tracks (once, saying why) and makes opening the device
//! a `NotReadableError`, and a restarted server works again.
//! (Its own test binary with one test: it sets `ALSA_CONFIG_PATH`.)
// ALSA devices (its file plugin, a user-space PulseAudio): Linux only; the
// Windows microphone test is cpal_wasapi.rs, run under Wine.
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cpal_support::pulse::{PulseServer, SINE_HZ};
use cpal_support::*;
use lms_core::audio::testing::{channel, estimate_frequency, max_step};
use lms_core::backend::cpal::usage_of;
use lms_core::clock::monotonic_us;
use lms_core::events::TrackEvent;
use lms_core::track::ReadyState;

/// Read `count` chunks; their samples (f32), frame counts, sequence numbers and timestamps.
struct Run {
    samples: Vec<f32>,
    frames: Vec<usize>,
    sequences: Vec<u64>,
    timestamps_us: Vec<i64>,
    wall: Duration,
}

fn read_run(track: &lms_core::MediaStreamTrack, count: usize) -> Run {
    // The first chunk may have waited in the queue: start the clocks after it.
    track.read(TIMEOUT).expect("a first chunk");
    let started = Instant::now();
    let mut run = Run {
        samples: Vec::new(),
        frames: Vec::new(),
        sequences: Vec::new(),
        timestamps_us: Vec::new(),
        wall: Duration::ZERO,
    };
    for _ in 0..count {
        let frame = track.read(TIMEOUT).expect("a chunk of audio");
        let audio = frame.audio().expect("audio");
        run.frames.push(audio.frames());
        run.sequences.push(frame.sequence());
        run.timestamps_us.push(frame.timestamp_us());
        match audio.samples() {
            lms_core::frame::Samples::F32(s) => run.samples.extend_from_slice(s),
            lms_core::frame::Samples::S16(s) => run
                .samples
                .extend(s.iter().map(|&v| f32::from(v) / 32768.0)),
        }
    }
    run.wall = started.elapsed();
    run
}

impl Run {
    fn consecutive(&self) -> bool {
        self.sequences.windows(2).all(|w| w[1] == w[0] + 1)
    }
    /// Seconds between the first and the last chunk's capture timestamps.
    fn captured_span(&self) -> f64 {
        (self.timestamps_us[self.timestamps_us.len() - 1] - self.timestamps_us[0]) as f64 / 1e6
    }
    /// The first chunk (by its timestamp) that came before its audio could
    /// exist: chunk `s` of a device opened at `opened_us` holds audio captured
    /// `s` chunks of `chunk_s` seconds later at the earliest. Real-time capture
    /// has none, however busy the machine (which only makes chunks late, or
    /// come in a burst after a stall); an unpaced or made-up source has them.
    fn ahead_of_real_time(&self, opened_us: i64, chunk_s: f64) -> Option<(u64, i64)> {
        self.sequences
            .iter()
            .zip(&self.timestamps_us)
            .map(|(&s, &t)| (s, t - opened_us))
            .find(|&(s, after_us)| (after_us as f64) < s as f64 * chunk_s * 1e6)
    }
}

#[test]
fn pulseaudio_paces_capture_latency_sets_chunks_and_a_dead_server_ends_tracks() {
    let mut pulse = PulseServer::start();
    let md = media_devices();
    let devices = md.enumerate_devices().expect("devices");
    assert_eq!(
        devices.first().map(|d| d.device_id.as_str()),
        Some("cpal:default"),
        "the PulseAudio default source is offered first: {devices:?}"
    );

    // 48 kHz stereo in the default 10 ms chunks, paced by the wall clock.
    let opened_us = monotonic_us();
    let stream = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 48000, "channelCount": 2}}"#)
        .expect("capture through PulseAudio");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["latency"], 0.01, "{settings}");
    let run = read_run(&track, 150);
    assert!(run.consecutive(), "no chunk lost: {:?}", run.sequences);
    assert!(
        run.frames.iter().all(|&f| f == 480),
        "10 ms chunks: {:?}",
        run.frames
    );
    // Real time: no chunk before its audio could exist. How close to its
    // audio each comes (1.5 s of audio over ~1.5 s on a quiet machine) is a
    // figure, not a pass/fail: a busy machine delivers late, or in a burst
    // after a stall (benches/cpal_latency.rs measures the latency).
    let span = run.captured_span();
    println!(
        "10 ms chunks: 149 captured over {span:.3} s of timestamps, 150 read in {:?}",
        run.wall
    );
    assert_eq!(
        run.ahead_of_real_time(opened_us, 0.01),
        None,
        "(chunk, microseconds after opening) of 10 ms chunks: not real time"
    );
    let hz = estimate_frequency(&channel(&run.samples, 2, 0), 48_000);
    assert!((hz - SINE_HZ).abs() < 1.0, "the sine arrives as {hz} Hz");
    stream.stop();
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(
        (usage.opens, usage.closes),
        (1, 1),
        "closed after the last track"
    );

    // latency 50 ms: 2,400-frame chunks, one every 50 ms.
    let opened_us = monotonic_us();
    let stream = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 48000, "latency": 0.05}}"#)
        .expect("capture at 50 ms latency");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["latency"], 0.05, "{settings}");
    let run = read_run(&track, 21);
    assert!(run.consecutive(), "no chunk lost: {:?}", run.sequences);
    assert!(
        run.frames.iter().all(|&f| f == 2400),
        "50 ms chunks: {:?}",
        run.frames
    );
    let mean_gap = run.captured_span() / 20.0;
    println!("50 ms chunks: {mean_gap:.4} s apart on average");
    assert_eq!(
        run.ahead_of_real_time(opened_us, 0.05),
        None,
        "(chunk, microseconds after opening) of 50 ms chunks: not real time"
    );
    stream.stop();

    // Two tracks on one microphone at different rates: one device open, each
    // track in its own format and both in real time.
    let native = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 48000, "channelCount": 2}}"#)
        .expect("the first track");
    let converted = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 16000, "channelCount": 1}}"#)
        .expect("a second track on the same microphone");
    let (high, low) = (
        native.get_audio_tracks().remove(0),
        converted.get_audio_tracks().remove(0),
    );
    assert_eq!(high.settings_json()["sampleRate"], 48_000);
    assert_eq!(low.settings_json()["sampleRate"], 16_000);
    assert_eq!(low.settings_json()["deviceId"], "cpal:default");
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(usage.opens, 3, "the second track shares the open device");
    let (mut high_samples, mut high_sequences) = (Vec::new(), Vec::new());
    let (mut low_samples, mut low_sequences) = (Vec::new(), Vec::new());
    for _ in 0..50 {
        let (s, q) = read_f32(&high, 1);
        high_samples.extend(s);
        high_sequences.extend(q);
        let (s, q) = read_f32(&low, 1);
        low_samples.extend(s);
        low_sequences.extend(q);
    }
    for (name, sequences) in [("48 kHz", &high_sequences), ("16 kHz", &low_sequences)] {
        assert!(
            sequences.windows(2).all(|w| w[1] == w[0] + 1),
            "{name}: consecutive chunks: {sequences:?}"
        );
    }
    assert_eq!(high_samples.len(), 50 * 480 * 2);
    assert_eq!(low_samples.len(), 50 * 160);
    let hz = estimate_frequency(&channel(&high_samples, 2, 0), 48_000);
    assert!((hz - SINE_HZ).abs() < 1.0, "48 kHz track: {hz} Hz");
    let hz = estimate_frequency(&low_samples, 16_000);
    assert!((hz - SINE_HZ).abs() < 1.0, "16 kHz track: {hz} Hz");
    high.stop();
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(usage.closes, 2, "still open for the 16 kHz track");
    low.stop();
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(
        (usage.opens, usage.closes),
        (3, 3),
        "closed after the last track"
    );

    // 16 kHz mono, 20 ms: resampled by the core, still real time, no clicks.
    let opened_us = monotonic_us();
    let stream = md
        .get_user_media_json(
            r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 16000, "channelCount": 1, "latency": 0.02}}"#,
        )
        .expect("capture resampled");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["sampleRate"], 16_000, "{settings}");
    let run = read_run(&track, 50);
    assert!(run.consecutive(), "no chunk lost: {:?}", run.sequences);
    assert!(
        run.frames.iter().all(|&f| f == 320),
        "20 ms chunks at 16 kHz: {:?}",
        run.frames
    );
    let span = run.captured_span();
    println!("20 ms chunks at 16 kHz: 49 captured over {span:.3} s of timestamps");
    assert_eq!(
        run.ahead_of_real_time(opened_us, 0.02),
        None,
        "(chunk, microseconds after opening) of 20 ms chunks at 16 kHz: not real time"
    );
    let hz = estimate_frequency(&run.samples, 16_000);
    assert!(
        (hz - SINE_HZ).abs() < 1.0,
        "resampled sine arrives as {hz} Hz"
    );
    let step = max_step(&run.samples);
    assert!(
        step < 0.25,
        "no clicks at chunk boundaries: max step {step}"
    );

    // The server dies while capturing: the track ends once, saying why.
    let ended: Arc<Mutex<Vec<String>>> = Arc::default();
    let seen = Arc::clone(&ended);
    track.add_event_listener(TrackEvent::Ended, move |e| {
        seen.lock().unwrap().push(e.detail.clone())
    });
    pulse.kill();
    let deadline = Instant::now() + Duration::from_secs(30);
    let released = || usage_of("cpal:default").is_some_and(|u| u.opens == u.closes);
    while track.ready_state() != ReadyState::Ended {
        assert!(
            Instant::now() < deadline,
            "the track did not end after the server died"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    // The track ends just before `ended` is queued and the device is closed
    // just after: wait for both (generously; they come at once).
    while ended.lock().unwrap().is_empty() || !released() {
        assert!(
            Instant::now() < deadline,
            "no ended event or the device still open: {:?}, {:?}",
            usage_of("cpal:default"),
            ended.lock().unwrap()
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    lms_core::events::flush();
    let details = ended.lock().unwrap().clone();
    assert_eq!(details.len(), 1, "ended once: {details:?}");
    assert!(
        details[0].contains("delivered no audio") || details[0].contains("stream error"),
        "the detail says why: {details:?}"
    );
    let usage = usage_of("cpal:default").expect("counted");
    assert_eq!(
        usage.opens, usage.closes,
        "the device is released after the failure"
    );

    // With the server gone the device is still configured: opening it fails, naming it.
    let err = md
        .get_user_media_json(r#"{"audio": true}"#)
        .expect_err("no server, no capture");
    assert_eq!(err.name(), "NotReadableError", "{err}");
    assert!(err.to_string().contains("default"), "{err}");

    // A restarted server is usable again.
    pulse.restart();
    let stream = md
        .get_user_media_json(r#"{"audio": true}"#)
        .expect("capture after the restart");
    let track = stream.get_audio_tracks().remove(0);
    let run = read_run(&track, 20);
    assert!(run.consecutive());
    stream.stop();
}
