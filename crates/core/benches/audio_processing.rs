//! The cost of audio processing (sonora: AEC3, NS, AGC2) on the capture thread: CPU time per
//! 10 ms block and milliseconds of one core per second of 48 kHz audio, for each feature
//! and all three, mono and stereo. The echo canceller gets a far end through `render()`
//! before each block, as it would in a call. Printed beside the budget we hold it to:
//! 10 ms of CPU per second of audio (1% of a core) for all three.
//!
//! Then what each feature does to real speech (espeak-ng, the scenes of
//! `tests/speech_processing.rs`, played through a file microphone): ERLE and the near-end
//! level for echo cancellation, the noise reduction and speech level for noise
//! suppression, the output level for gain control, each beside issue 18's goal. Without
//! espeak-ng those figures are left out (scripts/setup installs it).
//!
//! `cargo bench -p lms-core --bench audio_processing`

use std::hint::black_box;
use std::time::Duration;

use lms_core::audio::processing::Processor;
use lms_core::audio::{render, EchoCancellation, Processing};
use lms_core::{AudioBuffer, SampleFormat, Samples};
use serde_json::json;

#[path = "../tests/speech_support/mod.rs"]
mod speech_support;

/// Seconds of audio processed per measurement.
const SECONDS: usize = 10;
/// The budget for all three features, in ms of CPU per second of audio.
const LIMIT_MS: f64 = 10.0;

/// CPU time of this thread (wall time where there is no such clock): what processing costs
/// even while other processes share the cores.
#[cfg(unix)]
fn cpu_now() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid, writable timespec; the clock id is a constant libc defines.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

#[cfg(not(unix))]
fn cpu_now() -> Duration {
    use std::sync::OnceLock;
    static START: OnceLock<std::time::Instant> = OnceLock::new();
    START.get_or_init(std::time::Instant::now).elapsed()
}

fn noise(seed: &mut u32) -> f32 {
    *seed ^= *seed << 13;
    *seed ^= *seed >> 17;
    *seed ^= *seed << 5;
    (*seed as f32 / u32::MAX as f32 - 0.5) * 0.2
}

/// ms of CPU per second of audio, and µs per 10 ms block.
fn measure(processing: Processing, channels: u16) -> (f64, f64) {
    let mut processor = Processor::new(processing, 48_000, channels).expect("processor");
    let mut block = AudioBuffer::new(SampleFormat::F32, 48_000, channels, 480);
    let mut far = vec![0.0f32; 480];
    let mut seed = 0x2545_f491u32;
    let blocks = SECONDS * 100;
    let mut spent = Duration::ZERO;
    for i in 0..blocks + 100 {
        for x in far.iter_mut() {
            *x = noise(&mut seed);
        }
        if processing.echo_cancellation.is_on() {
            render(&far, 48_000, 1).expect("render");
        }
        if let Samples::F32(s) = block.samples_mut() {
            for (j, x) in s.iter_mut().enumerate() {
                // The far end heard 20 ms later at half level, plus a little noise.
                *x = 0.5 * far[(j / usize::from(channels) + 240) % 480] + noise(&mut seed) * 0.05;
            }
        }
        let start = cpu_now();
        processor.push(&block).expect("process");
        black_box(processor.blocks());
        // The first second warms up (allocation of the output blocks, adaptation).
        if i >= 100 {
            spent += cpu_now().saturating_sub(start);
        }
    }
    let per_second_ms = spent.as_secs_f64() * 1000.0 / SECONDS as f64;
    let per_block_us = spent.as_secs_f64() * 1e6 / blocks as f64;
    (per_second_ms, per_block_us)
}

/// Track constraints: exactly the processing asked, mono at 48 kHz.
fn constraints(echo: bool, noise: bool, gain: bool) -> serde_json::Value {
    json!({"echoCancellation": {"exact": echo}, "noiseSuppression": {"exact": noise},
           "autoGainControl": {"exact": gain}, "sampleRate": {"exact": 48_000},
           "channelCount": {"exact": 1}})
}

/// What each feature does to espeak-ng's speech, beside issue 18's goals.
fn speech_figures() -> Result<(), String> {
    use speech_support::*;
    let dir = TempDir::new();
    println!("on espeak-ng speech through a file microphone (issue 18's goals in brackets):");

    let scene = EchoScene::new(dir.path())?;
    let path = dir.path().join("near-end.wav");
    write_f32_wav(&path, &scene.mic);
    let f = scene.figures(&play(
        &path,
        constraints(true, false, false),
        Some(&scene.far),
    ));
    println!(
        "  AEC3  ERLE {:5.1} dB on far-end-only speech after 2 s [>= 20]; near end alone \
         {:+.1} dB [within 6]; double talk: near end {:+.1} dB (raw {:+.1} dB)",
        f.erle, f.near_change, f.double_talk_kept, f.double_talk_raw
    );

    let scene = NoiseScene::new(dir.path())?;
    let path = dir.path().join("noisy.wav");
    write_f32_wav(&path, &scene.mic);
    let f = scene.figures(&play(&path, constraints(false, true, false), None));
    let worst = f
        .noise_reduction
        .iter()
        .copied()
        .fold(f64::INFINITY, f64::min);
    println!(
        "  NS    noise alone {worst:5.1} dB lower at least [>= 15] at {:.1} dB SNR; speech \
         {:+.1} dB from clean [within 3]",
        scene.snr(),
        f.speech_vs_clean
    );

    let mut clean = Vec::new();
    let mut at = seconds(0.3);
    for text in FAR_TEXTS {
        let s = speech(dir.path(), FAR_VOICE, text, -40.0)?;
        at = place(&mut clean, &s, at).end + seconds(0.4);
    }
    clean.resize(at.next_multiple_of(BLOCK), 0.0);
    let path = dir.path().join("quiet.wav");
    write_f32_wav(&path, &clean);
    let out = play(&path, constraints(false, false, true), None);
    let frames = active_frames(&clean, seconds(3.0)..clean.len());
    println!(
        "  AGC2  speech at {:.1} dBFS comes out at {:.1} dBFS after 3 s [-30..-15]",
        db(energy_over(&clean, &frames)),
        db(energy_over(&out, &frames))
    );
    Ok(())
}

fn main() {
    let off = Processing::OFF;
    let features = [
        (
            "AEC3",
            Processing {
                echo_cancellation: EchoCancellation::On,
                ..off
            },
        ),
        (
            "NS",
            Processing {
                noise_suppression: true,
                ..off
            },
        ),
        (
            "AGC2",
            Processing {
                auto_gain_control: true,
                ..off
            },
        ),
        ("AEC3+NS+AGC2", Processing::ON),
    ];
    println!("audio processing at 48 kHz on one core (limit {LIMIT_MS} ms CPU per s of audio for all three):");
    for channels in [1u16, 2] {
        for (name, processing) in features {
            let (ms, us) = measure(processing, channels);
            let verdict = if processing == Processing::ON {
                if ms <= LIMIT_MS {
                    "  within the limit"
                } else {
                    "  OVER the limit"
                }
            } else {
                ""
            };
            println!(
                "  {:<6} {name:<13} {us:7.1} µs per 10 ms block, {ms:6.2} ms CPU per s of audio{verdict}",
                if channels == 1 { "mono" } else { "stereo" }
            );
        }
    }
    if let Err(e) = speech_figures() {
        println!("  speech figures left out: {e}");
    }
}
