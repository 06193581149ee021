//! The cost of audio processing (sonora: AEC3, NS, AGC2) on the capture thread: CPU time per
//! 10 ms block and milliseconds of one core per second of 48 kHz audio, for each feature
//! and all three, mono and stereo. The echo canceller gets a far end through `render()`
//! before each block, as it would in a call. Printed beside the budget we hold it to:
//! 10 ms of CPU per second of audio (1% of a core) for all three.
//!
//! `cargo bench -p lms-core --bench audio_processing`

use std::hint::black_box;
use std::time::Duration;

use lms_core::audio::processing::Processor;
use lms_core::audio::{render, EchoCancellation, Processing};
use lms_core::{AudioBuffer, SampleFormat, Samples};

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
}
