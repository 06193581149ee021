//! Issue 18's acceptance tests: audio processing on real speech (Debian's espeak-ng),
//! played through unpaced file microphones, measured against the signals each recording
//! was made of (`speech_support`). Without espeak-ng these tests fail, saying to install
//! it (scripts/setup does).
//!
//! - echoCancellation: a near end that hears talker A (the far end, fed through `render()`
//!   as capture proceeds) 80 ms late through a synthetic room, and talker B alone and over
//!   A: the echo is at least 20 dB lower (ERLE) where only A is heard, after the first 2 s;
//!   B alone keeps its level within 6 dB.
//! - noiseSuppression: speech in white noise at 5 dB SNR: the noise alone at least 15 dB
//!   lower, the speech within 3 dB of its level.
//! - autoGainControl: speech at -40 dBFS RMS comes out between -30 and -15 dBFS after 3 s.
//! - all three off: the file's samples, bit for bit.
//!
//! `cargo test -p lms-core --test speech_processing -- --nocapture` prints the figures.
// espeak-ng is a program of the machine the tests run on: under Wine (the
// Windows run of these tests) it is not reachable, and the processing is
// the same code on every platform (tests/audio_processing.rs runs there).
#![cfg(unix)]

mod speech_support;

use std::time::Duration;

use lms_core::Samples;
use serde_json::json;
use speech_support::*;

/// A scene, or the test fails saying why (espeak-ng missing).
fn need<T>(scene: Result<T, String>) -> T {
    scene.unwrap_or_else(|e| panic!("{e}"))
}

/// Track constraints: exactly the processing asked, mono at 48 kHz (the file's own).
fn processing(echo: bool, noise: bool, gain: bool) -> serde_json::Value {
    json!({"echoCancellation": {"exact": echo}, "noiseSuppression": {"exact": noise},
           "autoGainControl": {"exact": gain}, "sampleRate": {"exact": RATE},
           "channelCount": {"exact": 1}})
}

#[test]
fn echo_cancellation_removes_a_talkers_echo_and_keeps_the_near_end_talker() {
    let dir = TempDir::new();
    let scene = need(EchoScene::new(dir.path()));
    let path = dir.path().join("near-end.wav");
    write_f32_wav(&path, &scene.mic);
    let out = play(&path, processing(true, false, false), Some(&scene.far));
    assert_eq!(out.len(), scene.mic.len(), "the whole file is processed");
    let f = scene.figures(&out);
    eprintln!(
        "speech echo cancellation ({:.1} s, echo {ECHO_DB} dB, {} ms late, RT60 {} ms): \
         ERLE {:.1} dB over the far-end-only speech after 2 s ({:.1} dB and {:.1} dB per \
         segment; goal >= 20); near end alone {:+.1} dB (goal within 6 dB); double talk: \
         near end {:+.1} dB processed, {:+.1} dB raw",
        scene.mic.len() as f64 / f64::from(RATE),
        ECHO_DELAY * 1000 / RATE as usize,
        ROOM_RT60_S * 1000.0,
        f.erle,
        f.erle_segments[0],
        f.erle_segments[1],
        f.near_change,
        f.double_talk_kept,
        f.double_talk_raw,
    );
    assert!(
        f.erle >= 20.0,
        "ERLE over the far-end-only speech is {:.1} dB ({:.1} / {:.1} dB per segment), \
         below 20 dB",
        f.erle,
        f.erle_segments[0],
        f.erle_segments[1]
    );
    assert!(
        f.near_change.abs() <= 6.0,
        "the near-end talker alone changes by {:+.1} dB (more than 6 dB)",
        f.near_change
    );
    // The control: the same recording with no far end rendered keeps its echo, so the
    // ERLE above is the canceller's work, not the measurement's.
    let alone = scene.figures(&play(&path, processing(true, false, false), None));
    eprintln!(
        "  control, no far end rendered: ERLE {:.1} dB, near end alone {:+.1} dB",
        alone.erle, alone.near_change
    );
    assert!(
        alone.erle < 6.0,
        "without a far end the echo is {:.1} dB lower: the measurement is wrong",
        alone.erle
    );
}

#[test]
fn noise_suppression_lowers_the_noise_around_speech_and_keeps_the_speech() {
    let dir = TempDir::new();
    let scene = need(NoiseScene::new(dir.path()));
    let path = dir.path().join("noisy.wav");
    write_f32_wav(&path, &scene.mic);
    let out = play(&path, processing(false, true, false), None);
    assert_eq!(out.len(), scene.mic.len(), "the whole file is processed");
    let f = scene.figures(&out);
    let reductions: Vec<String> = f
        .noise_reduction
        .iter()
        .map(|r| format!("{r:.1}"))
        .collect();
    eprintln!(
        "speech noise suppression (SNR {:.1} dB): noise alone {} dB lower (goal >= 15); \
         speech {:+.1} dB from the clean speech (goal within 3 dB), {:+.1} dB from the noisy \
         file",
        scene.snr(),
        reductions.join(" / "),
        f.speech_vs_clean,
        f.speech_vs_raw
    );
    assert!(
        (scene.snr() - NOISE_SNR_DB).abs() < 0.1,
        "{:.2}",
        scene.snr()
    );
    for (r, range) in f.noise_reduction.iter().zip(&scene.noise_only) {
        assert!(
            *r >= 15.0,
            "the noise alone from {:.2} s to {:.2} s is only {r:.1} dB lower (goal 15 dB)",
            range.start as f64 / f64::from(RATE),
            range.end as f64 / f64::from(RATE)
        );
    }
    assert!(
        f.speech_vs_clean.abs() <= 3.0,
        "the speech is {:+.1} dB from its clean level (more than 3 dB)",
        f.speech_vs_clean
    );
}

#[test]
fn gain_control_brings_quiet_speech_to_a_normal_level() {
    let dir = TempDir::new();
    let mut clean = Vec::new();
    let mut at = seconds(0.3);
    for text in FAR_TEXTS {
        let s = need(speech(dir.path(), FAR_VOICE, text, -40.0));
        at = place(&mut clean, &s, at).end + seconds(0.4);
    }
    clean.resize(at.next_multiple_of(BLOCK), 0.0);
    let path = dir.path().join("quiet.wav");
    write_f32_wav(&path, &clean);
    let out = play(&path, processing(false, false, true), None);
    assert_eq!(out.len(), clean.len(), "the whole file is processed");
    let frames = active_frames(&clean, seconds(3.0)..clean.len());
    let input = db(energy_over(&clean, &frames));
    let level = db(energy_over(&out, &frames));
    eprintln!(
        "speech gain control: speech at {input:.1} dBFS RMS comes out at {level:.1} dBFS \
         after 3 s (goal -30..-15 dBFS; {:.1} s of speech)",
        clean.len() as f64 / f64::from(RATE)
    );
    assert!(
        (-30.0..=-15.0).contains(&level),
        "speech at {input:.1} dBFS comes out at {level:.1} dBFS after 3 s, outside -30..-15"
    );
}

#[test]
fn with_processing_off_a_speech_file_plays_bit_for_bit() {
    let dir = TempDir::new();
    // espeak-ng's own file (22050 Hz s16), read as s16 at its rate.
    let path = dir.path().join("espeak.wav");
    need(espeak_wav(FAR_VOICE, FAR_TEXTS[1], &path));
    let (rate, file) = read_s16(&path);
    let md = file_mic(&path);
    let audio = json!({"echoCancellation": false, "noiseSuppression": false,
                       "autoGainControl": false, "sampleRate": {"exact": rate},
                       "sampleSize": {"exact": 16}, "channelCount": {"exact": 1}});
    let stream = md
        .get_user_media_json(&json!({ "audio": audio }).to_string())
        .expect("the file at its own rate, s16");
    let track = stream.get_audio_tracks()[0].clone();
    let mut got: Vec<i16> = Vec::new();
    loop {
        match track.read(Some(Duration::from_secs(30))) {
            Ok(frame) => match frame.audio().expect("audio").samples() {
                Samples::S16(s) => got.extend_from_slice(s),
                Samples::F32(_) => panic!("asked for s16"),
            },
            Err(e) => {
                assert_eq!(e.name(), "EndedError", "{e}");
                break;
            }
        }
    }
    assert_eq!(track.stats().frames_dropped, 0);
    track.stop();
    assert_eq!(got.len(), file.len(), "every sample of espeak-ng's file");
    let first = got.iter().zip(&file).position(|(a, b)| a != b);
    assert_eq!(first, None, "s16 sample differs from the file");
    // The same speech at 48 kHz in a float file, read as f32: the same bits.
    let speech = need(speech(dir.path(), FAR_VOICE, FAR_TEXTS[1], -20.0));
    let path = dir.path().join("speech48k.wav");
    write_f32_wav(&path, &speech);
    let out = play(&path, processing(false, false, false), None);
    assert_eq!(out.len(), speech.len());
    let first = out
        .iter()
        .zip(&speech)
        .position(|(a, b)| a.to_bits() != b.to_bits());
    assert_eq!(first, None, "f32 sample differs from the file");
    eprintln!(
        "processing off: {} s16 samples at {rate} Hz and {} f32 samples at 48 kHz, bit for bit",
        file.len(),
        speech.len()
    );
}
