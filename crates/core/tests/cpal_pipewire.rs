//! Capture through PipeWire, as on today's Linux desktops: a user-space
//! PipeWire with WirePlumber and pipewire-pulse (cpal_support/pipewire.rs),
//! reached with `LMS_AUDIO_HOST` unset (our default: the sound server's own
//! protocol when `PULSE_SERVER` names a live socket). The default microphone
//! is a null sink's monitor that `pacat` plays a 440 Hz sine into; one
//! minute of 48 kHz stereo, processing off, must arrive without a lost
//! chunk or sample:
//! - (a) sequence numbers consecutive, nothing dropped by the track's queue;
//! - (b) timestamps: a chunk is stamped when it reaches us, so its lateness
//!   against the audio clock (`timestamp - first - audio before it`) is
//!   scheduling jitter, which only delays; lost audio would raise every later
//!   chunk's lateness for good. So the least late chunk of each 5 s stays
//!   within 3 chunks of the others' (jitter alone cannot make every chunk of
//!   5 s late), whatever the machine's load;
//! - (c) the tone: phase-continuous across the whole minute (each sample is
//!   what a sine's recurrence predicts from the two before), the same
//!   frequency and level every second.
//!
//! The device list names the devices by the server's names (stable) and lists
//! the sink as an `audiooutput`. Latencies are printed, not asserted.
//! (Its own test binary with one test: it sets `PULSE_SERVER` and
//! `PULSE_COOKIE`, the server's own cookie, so that the test does not depend
//! on one in the user's home: see [`PipeWireServer::cookie`].)
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod cpal_support;

use std::time::Instant;

use cpal_support::pipewire::{PipeWireServer, RATE, TONE_HZ, TONE_LEFT, TONE_RIGHT};
use cpal_support::{media_devices, TIMEOUT};
use lms_core::audio::testing::{channel, estimate_frequency, max_step};
use lms_core::clock::monotonic_us;

const RAW: &str =
    r#""echoCancellation": false, "noiseSuppression": false, "autoGainControl": false"#;
const SECONDS: usize = 60;
/// Audio read before the measured minute (the stream starting).
const SETTLE_SECONDS: f64 = 1.0;
/// The windows of (b).
const WINDOW_SECONDS: usize = 5;

struct Chunk {
    timestamp_us: i64,
    read_us: i64,
    frames: usize,
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
fn pipewire_delivers_a_minute_of_audio_without_a_gap() {
    let started = Instant::now();
    let mut server = PipeWireServer::start();
    server.play_tone(SECONDS as f64 + 60.0);
    // Our default path: no host chosen by hand, the server found through PULSE_SERVER.
    std::env::remove_var("LMS_AUDIO_HOST");
    std::env::remove_var("ALSA_CONFIG_PATH");
    std::env::set_var("PULSE_SERVER", server.pulse_server());
    std::env::set_var("PULSE_COOKIE", server.cookie());
    println!("PipeWire started in {:?}", started.elapsed());

    let md = media_devices();
    let devices = md.enumerate_devices().expect("devices");
    let kinds: Vec<(&str, &str, &str)> = devices
        .iter()
        .map(|d| (d.device_kind(), d.device_id.as_str(), d.label.as_str()))
        .collect();
    println!("devices: {kinds:?}");
    // Named by the server's source and sink names (not ALSA's): the native path.
    assert_eq!(
        kinds.first().map(|k| (k.0, k.1)),
        Some(("audioinput", "cpal:speaker.monitor")),
        "the default source first, by its name: {kinds:?}"
    );
    assert!(
        kinds.contains(&("audiooutput", "cpal:speaker", "Speaker")),
        "the sink listed as an output: {kinds:?}"
    );
    assert!(
        devices
            .iter()
            .any(|d| d.output && d.device_id == "cpal:speaker"),
        "{kinds:?}"
    );
    assert_eq!(
        md.enumerate_devices().expect("again"),
        devices,
        "the same list on every call"
    );

    let stream = md
        .get_user_media_json(&format!(
            r#"{{"audio": {{"sampleRate": 48000, "channelCount": 2, {RAW}}}}}"#
        ))
        .expect("capture the default microphone");
    let track = stream.get_audio_tracks().remove(0);
    let settings = track.settings_json();
    println!("settings: {settings}");
    assert_eq!(settings["deviceId"], "cpal:speaker.monitor", "{settings}");
    assert_eq!(settings["sampleRate"], 48000, "{settings}");
    assert_eq!(settings["channelCount"], 2, "{settings}");
    let latency = settings["latency"].as_f64().expect("latency");

    // Settle, then the minute.
    let mut chunks: Vec<Chunk> = Vec::new();
    let mut samples: Vec<f32> = Vec::with_capacity((SECONDS + 1) * RATE as usize * 2);
    let mut settle_frames = 0usize;
    let mut frames_total = 0usize;
    let mut sequences = Vec::new();
    let mut server_view = String::new();
    loop {
        let frame = track.read(TIMEOUT).expect("a chunk of audio");
        let read_us = monotonic_us();
        let audio = frame.audio().expect("audio");
        assert_eq!(audio.sample_rate(), RATE);
        assert_eq!(usize::from(audio.channels()), 2);
        sequences.push(frame.sequence());
        if (settle_frames as f64) < SETTLE_SECONDS * f64::from(RATE) {
            settle_frames += audio.frames();
            continue;
        }
        chunks.push(Chunk {
            timestamp_us: frame.timestamp_us(),
            read_us,
            frames: audio.frames(),
        });
        match audio.samples() {
            lms_core::frame::Samples::F32(s) => samples.extend_from_slice(s),
            lms_core::frame::Samples::S16(s) => {
                samples.extend(s.iter().map(|&v| f32::from(v) / 32768.0))
            }
        }
        let half = SECONDS * RATE as usize / 2;
        if frames_total < half && frames_total + audio.frames() >= half {
            // The server's view of the stream, half way.
            server_view = server
                .pactl(&["list", "source-outputs"])
                .lines()
                .filter(|l| l.contains("atency") || l.contains("Sample Spec"))
                .map(str::trim)
                .collect::<Vec<_>>()
                .join("; ");
        }
        frames_total += audio.frames();
        if frames_total >= SECONDS * RATE as usize {
            break;
        }
    }
    let stats = track.stats();
    stream.stop();
    server.kill();
    let audio_seconds = frames_total as f64 / f64::from(RATE);
    let chunk_frames = chunks[0].frames;
    let chunk_us = chunk_frames as f64 * 1e6 / f64::from(RATE);
    println!(
        "{} chunks of {chunk_frames} frames ({:.1} ms), {audio_seconds:.3} s of audio",
        chunks.len(),
        chunk_us / 1e3
    );

    // (a) Every chunk, in order; none dropped.
    assert!(
        chunks.iter().all(|c| c.frames == chunk_frames),
        "chunks of one size"
    );
    let skipped: Vec<(u64, u64)> = sequences
        .windows(2)
        .filter(|w| w[1] != w[0] + 1)
        .map(|w| (w[0], w[1]))
        .collect();
    assert!(skipped.is_empty(), "sequence numbers skipped: {skipped:?}");
    assert_eq!(stats.frames_dropped, 0, "the track's queue dropped chunks");

    // (b) Lateness against the audio clock.
    let t0 = chunks[0].timestamp_us;
    let lateness_us: Vec<f64> = chunks
        .iter()
        .enumerate()
        .map(|(i, c)| (c.timestamp_us - t0) as f64 - i as f64 * chunk_us)
        .collect();
    let span_s = (chunks.last().unwrap().timestamp_us - t0) as f64 / 1e6;
    let per_window = WINDOW_SECONDS * RATE as usize / chunk_frames;
    let window_min: Vec<f64> = lateness_us
        .chunks(per_window)
        .map(|w| w.iter().copied().fold(f64::INFINITY, f64::min))
        .collect();
    let mut sorted_min = window_min.clone();
    sorted_min.sort_by(f64::total_cmp);
    let reference = sorted_min[sorted_min.len() / 2];
    let gaps_ms: Vec<f64> = chunks
        .windows(2)
        .map(|w| (w[1].timestamp_us - w[0].timestamp_us) as f64 / 1e3)
        .collect();
    let max_gap_ms = gaps_ms.iter().copied().fold(0.0, f64::max);
    let mut jitter: Vec<f64> = lateness_us
        .iter()
        .map(|l| (l - sorted_min[0]) / 1e3)
        .collect();
    jitter.sort_by(f64::total_cmp);
    println!(
        "timestamps span {span_s:.4} s for {:.4} s of audio between the first and last chunk; \
         least lateness per {WINDOW_SECONDS} s (ms, from the median): {:?}",
        (chunks.len() - 1) as f64 * chunk_us / 1e6,
        window_min
            .iter()
            .map(|m| ((m - reference) / 1e3 * 100.0).round() / 100.0)
            .collect::<Vec<_>>()
    );
    println!(
        "arrival jitter (ms after the least late): p50 {:.2} p99 {:.2} max {:.2}; \
         largest gap between chunks {max_gap_ms:.2} ms ({:.1} chunks)",
        percentile(&jitter, 0.5),
        percentile(&jitter, 0.99),
        jitter.last().unwrap(),
        max_gap_ms * 1e3 / chunk_us
    );
    let steps: Vec<(usize, f64)> = window_min
        .iter()
        .enumerate()
        .filter(|(_, m)| (*m - reference).abs() > 3.0 * chunk_us)
        .map(|(i, m)| (i * WINDOW_SECONDS, (m - reference) / 1e3))
        .collect();
    assert!(
        steps.is_empty(),
        "audio lost or gained against the clock (second, ms): {steps:?}"
    );

    // (c) The tone, sample by sample and second by second.
    let w = std::f64::consts::TAU * TONE_HZ / f64::from(RATE);
    for (ch, gain) in [(0, TONE_LEFT), (1, TONE_RIGHT)] {
        let x = channel(&samples, 2, ch);
        let k = 2.0 * w.cos();
        let (worst_at, worst) = x
            .windows(3)
            .map(|s| (f64::from(s[2]) - k * f64::from(s[1]) + f64::from(s[0])).abs())
            .enumerate()
            .fold((0, 0.0), |a, (i, r)| if r > a.1 { (i, r) } else { a });
        let step = f64::from(max_step(&x));
        println!(
            "channel {ch}: largest step {step:.5} (a sine's {:.5}), largest miss of the sine's \
             recurrence {worst:.2e} at {:.4} s",
            gain * w,
            (worst_at + 2) as f64 / f64::from(RATE)
        );
        // One lost or repeated sample misses by about `gain * w` (0.014..0.029).
        assert!(
            worst < 2e-3,
            "channel {ch}: the tone breaks at {:.4} s of the minute (misses by {worst})",
            (worst_at + 2) as f64 / f64::from(RATE)
        );
        assert!(
            step < gain * w * 1.05 + 1e-3,
            "channel {ch}: a click ({step})"
        );
        let mut hz_seen = Vec::new();
        for (second, s) in x.chunks(RATE as usize).enumerate() {
            let hz = estimate_frequency(s, RATE);
            let peak = s.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            hz_seen.push(hz);
            assert!(
                (hz - TONE_HZ).abs() < 0.5,
                "channel {ch}, second {second}: {hz} Hz"
            );
            assert!(
                (f64::from(peak) - gain).abs() < 0.01,
                "channel {ch}, second {second}: peak {peak}"
            );
        }
        let lo = hz_seen.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = hz_seen.iter().copied().fold(0.0, f64::max);
        println!(
            "channel {ch}: {lo:.3}..{hi:.3} Hz over {} seconds",
            hz_seen.len()
        );
    }

    let mut delay: Vec<f64> = chunks
        .iter()
        .map(|c| (c.read_us - c.timestamp_us) as f64 / 1e3)
        .collect();
    delay.sort_by(f64::total_cmp);
    println!(
        "latency: settings {:.1} ms; from delivery to read() p50 {:.3} ms p99 {:.3} ms max {:.3} ms",
        latency * 1e3,
        percentile(&delay, 0.5),
        percentile(&delay, 0.99),
        delay.last().unwrap()
    );
    println!("the server's view: {server_view}");
    println!("test ran {:?}", started.elapsed());
}
