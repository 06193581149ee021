//! Audio processing (echoCancellation, noiseSuppression, autoGainControl) on fake
//! microphones: per track, on or off, and what each does to what the microphone hears.
//! Every device here is unpaced, so nothing depends on timing; levels are measured
//! over whole seconds of audio once the processing has settled.

mod common;

use std::sync::Mutex;

use common::{with, SECOND};
use lms_core::audio::render;
use lms_core::backend::fake_mic::{FakeSignal, FakeSound, MicSignal};
use lms_core::{MediaDevices, MediaStreamTrack, Samples};
use serde_json::json;

/// `render()` feeds every echo canceller in the process: tests that render or that
/// need no far end run one at a time.
static FAR_END: Mutex<()> = Mutex::new(());

fn far_end_lock() -> std::sync::MutexGuard<'static, ()> {
    FAR_END.lock().unwrap_or_else(|e| e.into_inner())
}

/// An unpaced fake microphone described by `mic` (the `fake.audio[0]` object).
fn mic(mic: serde_json::Value) -> MediaDevices {
    with(
        &json!({"backends": ["fake"], "queueSize": 2,
                "fake": {"pacing": "none", "video": 0, "audio": [mic]}})
        .to_string(),
    )
}

fn track(md: &MediaDevices, audio: serde_json::Value) -> MediaStreamTrack {
    let s = md
        .get_user_media_json(&json!({ "audio": audio }).to_string())
        .expect("a microphone track");
    s.get_audio_tracks()[0].clone()
}

/// The next chunk's samples and sequence number.
fn next(track: &MediaStreamTrack) -> (u64, Vec<f32>) {
    let frame = track.read(SECOND).expect("a chunk");
    let audio = frame.audio().expect("audio");
    match audio.samples() {
        Samples::F32(v) => (frame.sequence(), v.clone()),
        Samples::S16(_) => panic!("asked for f32"),
    }
}

fn energy(samples: &[f32]) -> f64 {
    samples.iter().map(|x| f64::from(*x).powi(2)).sum::<f64>() / samples.len().max(1) as f64
}

fn db(ratio: f64) -> f64 {
    10.0 * ratio.log10()
}

/// Read `chunks` chunks from each track in turn (calling `before` ahead of each round) and
/// return the samples of the last `measured` of them, per track.
fn run(
    tracks: &[&MediaStreamTrack],
    chunks: usize,
    measured: usize,
    mut before: impl FnMut(usize),
) -> Vec<Vec<f32>> {
    let mut out = vec![Vec::new(); tracks.len()];
    for i in 0..chunks {
        before(i);
        for (t, o) in tracks.iter().zip(&mut out) {
            let (_, samples) = next(t);
            if i >= chunks - measured {
                o.extend(samples);
            }
        }
    }
    out
}

#[test]
fn fake_microphones_offer_every_processing_and_default_to_none() {
    let md = mic(json!({}));
    let t = track(&md, json!(true));
    let caps = t.get_capabilities();
    assert_eq!(
        caps["echoCancellation"],
        json!([true, false, "all", "remote-only"])
    );
    assert_eq!(caps["noiseSuppression"], json!([true, false]));
    assert_eq!(caps["autoGainControl"], json!([true, false]));
    assert_eq!(caps["voiceIsolation"], json!([false]));
    let settings = t.settings_json();
    for p in [
        "echoCancellation",
        "noiseSuppression",
        "autoGainControl",
        "voiceIsolation",
    ] {
        assert_eq!(settings[p], json!(false), "{p}");
    }
    let supported = MediaDevices::get_supported_constraints();
    for p in ["echoCancellation", "noiseSuppression", "autoGainControl"] {
        assert_eq!(supported.get(p), Some(&true), "{p}");
    }
    let t = track(
        &md,
        json!({"echoCancellation": {"exact": "remote-only"}, "noiseSuppression": true,
               "autoGainControl": {"exact": true}}),
    );
    let settings = t.settings_json();
    assert_eq!(settings["echoCancellation"], json!("remote-only"));
    assert_eq!(settings["noiseSuppression"], json!(true));
    assert_eq!(settings["autoGainControl"], json!(true));
}

#[test]
fn voice_isolation_stays_unavailable_and_exact_true_is_overconstrained() {
    let md = mic(json!({}));
    let e = md
        .get_user_media_json(r#"{"audio": {"voiceIsolation": {"exact": true}}}"#)
        .expect_err("no voice isolation");
    assert_eq!(e.name(), "OverconstrainedError");
    assert_eq!(e.constraint(), Some("voiceIsolation"));
}

#[test]
fn noise_suppression_lowers_the_noise_of_its_track_only_and_the_raw_track_stays_exact() {
    let md = mic(json!({"signal": "noise", "noiseAmplitude": 0.1}));
    let raw = track(&md, json!({"noiseSuppression": false}));
    let quiet = raw.clone_track();
    quiet
        .apply_constraints(&json!({"noiseSuppression": true}))
        .expect("noise suppression on a shared microphone");
    assert_eq!(quiet.settings_json()["noiseSuppression"], json!(true));
    assert_eq!(raw.settings_json()["noiseSuppression"], json!(false));

    // The raw track is the fake microphone's signal, sample for sample.
    let sound = FakeSound {
        signal: FakeSignal::Noise,
        noise_amplitude: 0.1,
        ..Default::default()
    };
    let mut expected = MicSignal::new(&sound, 48_000, 1);
    let mut made: Vec<Vec<f32>> = Vec::new();
    let mut check_raw = |seq: u64, samples: &[f32]| {
        while made.len() <= seq as usize {
            let mut chunk = Samples::F32(vec![0.0; 480]);
            expected.fill(&mut chunk);
            let Samples::F32(chunk) = chunk else {
                unreachable!()
            };
            made.push(chunk);
        }
        assert_eq!(samples, &made[seq as usize][..], "raw chunk {seq} differs");
    };
    let (mut raw_tail, mut quiet_tail) = (Vec::new(), Vec::new());
    for i in 0..400 {
        let (seq, r) = next(&raw);
        check_raw(seq, &r);
        let (_, q) = next(&quiet);
        if i >= 300 {
            raw_tail.extend(r);
            quiet_tail.extend(q);
        }
    }
    let reduction = db(energy(&raw_tail) / energy(&quiet_tail));
    eprintln!("noise suppression: noise {reduction:.1} dB lower on the processed track");
    assert!(reduction > 10.0, "only {reduction:.1} dB");
}

#[test]
fn echo_cancellation_removes_the_far_end_heard_by_the_microphone() {
    let _far = far_end_lock();
    let md = mic(json!({"signal": "silence", "echo": {"delayMs": 40, "gain": 0.5}}));
    let raw = track(&md, json!({"echoCancellation": false}));
    let cancelled = raw.clone_track();
    cancelled
        .apply_constraints(&json!({"echoCancellation": {"exact": "remote-only"}}))
        .expect("echo cancellation on a shared microphone");
    // The far end: deterministic white-ish noise, rendered 10 ms per chunk read.
    let mut seed = 0x1234_5678u32;
    let mut far = vec![0.0f32; 480];
    let tails = run(&[&raw, &cancelled], 600, 200, |_| {
        for x in far.iter_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *x = (seed as f32 / u32::MAX as f32 - 0.5) * 0.5;
        }
        render(&far, 48_000, 1).expect("render");
    });
    let raw_energy = energy(&tails[0]);
    assert!(
        raw_energy > 1e-4,
        "the microphone hears the echo ({raw_energy})"
    );
    let erle = db(raw_energy / energy(&tails[1]).max(1e-12));
    eprintln!("echo cancellation: residual echo {erle:.1} dB below the raw echo");
    assert!(erle > 20.0, "only {erle:.1} dB");
}

#[test]
fn during_double_talk_the_near_end_voice_is_kept() {
    let _far = far_end_lock();
    let voice = json!({"signal": "voice", "amplitude": 0.2, "echo": {"delayMs": 60, "gain": 0.5}});
    let md = mic(voice);
    let raw = track(&md, json!({}));
    let cancelled = raw.clone_track();
    cancelled
        .apply_constraints(&json!({"echoCancellation": true}))
        .unwrap();
    let mut seed = 0x0bad_cafeu32;
    let mut far = vec![0.0f32; 480];
    // 7 s, the last 2.1 s (seven whole syllable periods) measured.
    let tails = run(&[&raw, &cancelled], 700, 210, |_| {
        for x in far.iter_mut() {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            *x = (seed as f32 / u32::MAX as f32 - 0.5) * 0.5;
        }
        render(&far, 48_000, 1).expect("render");
    });
    // The voice alone, as the microphone makes it.
    let sound = FakeSound {
        signal: FakeSignal::Voice,
        amplitude: 0.2,
        ..Default::default()
    };
    let mut clean = Samples::F32(vec![0.0; 480 * 700]);
    MicSignal::new(&sound, 48_000, 1).fill(&mut clean);
    let Samples::F32(clean) = clean else {
        unreachable!()
    };
    let voice_energy = energy(&clean[480 * 490..]);
    let kept = db(energy(&tails[1]) / voice_energy);
    let echo_to_voice = db(energy(&tails[0]) / voice_energy);
    eprintln!(
        "double talk: the processed track is {kept:+.1} dB from the near-end voice alone \
         (the raw track {echo_to_voice:+.1} dB)"
    );
    assert!(kept.abs() < 6.0, "{kept:.1} dB");
}

#[test]
fn without_a_far_end_capture_flows_and_a_clean_tone_keeps_its_level() {
    let _far = far_end_lock();
    let md = mic(json!({"echo": {"delayMs": 40, "gain": 0.5}}));
    let raw = track(&md, json!({}));
    let cancelled = raw.clone_track();
    cancelled
        .apply_constraints(&json!({"echoCancellation": true}))
        .unwrap();
    assert_eq!(cancelled.settings_json()["echoCancellation"], json!(true));
    let tails = run(&[&raw, &cancelled], 300, 100, |_| {});
    let change = db(energy(&tails[1]) / energy(&tails[0]));
    eprintln!("echo cancellation with no far end: a clean tone changes by {change:.2} dB");
    assert!(change.abs() < 3.0, "{change:.2} dB");
}

#[test]
fn automatic_gain_control_raises_a_quiet_voice() {
    let md = mic(json!({"signal": "voice", "amplitude": 0.02}));
    let raw = track(&md, json!({}));
    let loud = raw.clone_track();
    loud.apply_constraints(&json!({"autoGainControl": true}))
        .unwrap();
    let tails = run(&[&raw, &loud], 600, 200, |_| {});
    let rms = |s: &[f32]| db(energy(s));
    let gain = rms(&tails[1]) - rms(&tails[0]);
    eprintln!(
        "gain control: a voice at {:.1} dBFS RMS comes out at {:.1} dBFS ({gain:+.1} dB)",
        rms(&tails[0]),
        rms(&tails[1])
    );
    assert!(gain > 6.0, "only {gain:.1} dB");
}

#[test]
fn gain_control_takes_a_steady_tone_for_noise_and_does_not_raise_it() {
    // WebRTC's AGC2 raises speech; a stationary tone is noise to its voice detector.
    let md = mic(json!({"amplitude": 0.01}));
    let raw = track(&md, json!({}));
    let agc = raw.clone_track();
    agc.apply_constraints(&json!({"autoGainControl": true}))
        .unwrap();
    let tails = run(&[&raw, &agc], 300, 100, |_| {});
    let gain = db(energy(&tails[1]) / energy(&tails[0]));
    eprintln!("gain control: a -40 dBFS tone changes by {gain:+.1} dB");
    assert!(gain < 6.0, "{gain:.1} dB");
}

#[test]
fn apply_constraints_turns_processing_on_and_off_on_a_live_track() {
    let md = mic(json!({"signal": "noise"}));
    let t = track(&md, json!({}));
    let sound = FakeSound {
        signal: FakeSignal::Noise,
        ..Default::default()
    };
    let mut expected = MicSignal::new(&sound, 48_000, 1);
    let mut made: Vec<Vec<f32>> = Vec::new();
    let mut exact = |seq: u64, samples: &[f32]| {
        while made.len() <= seq as usize {
            let mut chunk = Samples::F32(vec![0.0; 480]);
            expected.fill(&mut chunk);
            let Samples::F32(chunk) = chunk else {
                unreachable!()
            };
            made.push(chunk);
        }
        samples == &made[seq as usize][..]
    };
    for _ in 0..10 {
        let (seq, s) = next(&t);
        assert!(exact(seq, &s));
    }
    t.apply_constraints(&json!({"noiseSuppression": true}))
        .unwrap();
    assert_eq!(t.settings_json()["noiseSuppression"], json!(true));
    // Past what was queued before the change, the samples are processed.
    let mut processed = 0;
    for _ in 0..50 {
        let (seq, s) = next(&t);
        if !exact(seq, &s) {
            processed += 1;
        }
    }
    assert!(processed >= 40, "{processed} of 50 chunks processed");
    t.apply_constraints(&json!({"noiseSuppression": false}))
        .unwrap();
    assert_eq!(t.settings_json()["noiseSuppression"], json!(false));
    for _ in 0..5 {
        next(&t);
    }
    for _ in 0..20 {
        let (seq, s) = next(&t);
        assert!(
            exact(seq, &s),
            "chunk {seq} is not the microphone's own again"
        );
    }
}

#[test]
fn bad_render_input_is_a_type_error() {
    for (samples, rate, channels, what) in [
        (vec![0.0; 480], 0, 1, "sample rate"),
        (vec![0.0; 480], 1_000_000, 1, "sample rate"),
        (vec![0.0; 480], 48_000, 0, "channel count"),
        (vec![0.0; 481], 48_000, 2, "whole number"),
        (vec![f32::INFINITY; 2], 48_000, 1, "samples[0]"),
    ] {
        let e = render(&samples, rate, channels).expect_err(what);
        assert_eq!(e.name(), "TypeError", "{e}");
        assert!(e.message().contains(what), "{e}");
    }
}
