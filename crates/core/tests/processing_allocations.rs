//! What audio processing allocates per 10 ms block in steady state, feature by feature
//! (its own test binary: the counting allocator sees every thread of the process).
//! sonora allocates while it processes, so the processed path is not yet free of
//! allocations as the raw path is (tests/steady_state_allocations.rs); this test
//! keeps the count known and bounded.

mod alloc_counter;

use alloc_counter::{fewest_allocations, Counting};
use lms_core::audio::processing::Processor;
use lms_core::audio::{render, EchoCancellation, Processing};
use lms_core::{AudioBuffer, SampleFormat, Samples};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations per block we accept (found: see the printed figures).
const MOST_PER_BLOCK: f64 = 64.0;

#[test]
fn processing_allocates_a_bounded_amount_per_block() {
    let off = Processing::OFF;
    for (name, processing) in [
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
        ("all three", Processing::ON),
    ] {
        let mut p = Processor::new(processing, 48_000, 1).expect("processor");
        let mut block = AudioBuffer::new(SampleFormat::F32, 48_000, 1, 480);
        let far = vec![0.01f32; 480];
        let mut step = |i: usize| {
            if let Samples::F32(s) = block.samples_mut() {
                for (j, x) in s.iter_mut().enumerate() {
                    *x = (((i * 480 + j) % 97) as f32 / 97.0 - 0.5) * 0.1;
                }
            }
            if processing.echo_cancellation.is_on() {
                render(&far, 48_000, 1).expect("render");
            }
            p.push(&block).expect("process");
        };
        for i in 0..200 {
            step(i);
        }
        let mut i = 200;
        let n = fewest_allocations(3, || {
            for _ in 0..100 {
                step(i);
                i += 1;
            }
        });
        // What render() itself allocates (on the caller's thread, not the capture thread).
        let rendering = if processing.echo_cancellation.is_on() {
            fewest_allocations(3, || {
                for _ in 0..100 {
                    render(&far, 48_000, 1).expect("render");
                }
            })
        } else {
            0
        };
        let per_block = n.saturating_sub(rendering) as f64 / 100.0;
        eprintln!(
            "{name}: {per_block:.1} allocations per 10 ms block on the capture thread \
             (render: {:.1} per call)",
            rendering as f64 / 100.0
        );
        assert!(per_block <= MOST_PER_BLOCK, "{name}: {per_block}");
    }
}
