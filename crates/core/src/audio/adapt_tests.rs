//! Tests of [`AudioAdapter`]: what a track receives from a device of another shape.

use std::f64::consts::TAU;

use crate::audio::convert::s16_to_f32;
use crate::audio::testing::{channel, estimate_frequency, max_step};
use crate::audio::{AudioAdapter, AudioTarget, Tone};
use crate::error::Error;
use crate::frame::{AudioBuffer, SampleFormat, Samples};

/// Irregular device chunk sizes, as a real driver might deliver them.
const DEVICE_CHUNKS: [usize; 6] = [480, 17, 1000, 333, 1, 2048];

/// `seconds` of a tone cut into device chunks of irregular sizes.
fn tone_chunks(
    format: SampleFormat,
    rate: u32,
    channels: u16,
    freq: f64,
    amplitude: f32,
    seconds: f64,
) -> Vec<AudioBuffer> {
    let mut tone = Tone::new(freq, rate, channels, amplitude);
    let mut left = (f64::from(rate) * seconds) as usize;
    let mut chunks = Vec::new();
    for &size in DEVICE_CHUNKS.iter().cycle() {
        if left == 0 {
            break;
        }
        let mut chunk = AudioBuffer::new(format, rate, channels, size.min(left));
        tone.fill(chunk.samples_mut());
        left -= chunk.frames();
        chunks.push(chunk);
    }
    chunks
}

/// Interleaved f32 samples cut into device chunks of irregular sizes.
fn sample_chunks(samples: &[f32], rate: u32, channels: u16) -> Vec<AudioBuffer> {
    let mut rest = samples;
    let mut chunks = Vec::new();
    for &size in DEVICE_CHUNKS.iter().cycle() {
        if rest.is_empty() {
            break;
        }
        let (head, tail) = rest.split_at((size * usize::from(channels)).min(rest.len()));
        let mut chunk = AudioBuffer::new(SampleFormat::F32, rate, channels, 0);
        *chunk.samples_mut() = Samples::F32(head.to_vec());
        chunks.push(chunk);
        rest = tail;
    }
    chunks
}

/// Push every chunk and collect what the adapter emits.
fn run(adapter: &mut AudioAdapter, input: &[AudioBuffer]) -> Vec<AudioBuffer> {
    let mut out = Vec::new();
    for chunk in input {
        adapter
            .push(chunk, &mut |b: &AudioBuffer| out.push(b.clone()))
            .expect("push");
    }
    out
}

fn as_f32(buffer: &AudioBuffer) -> Vec<f32> {
    match buffer.samples() {
        Samples::F32(v) => v.clone(),
        Samples::S16(v) => v.iter().copied().map(s16_to_f32).collect(),
    }
}

fn joined(chunks: &[AudioBuffer]) -> Vec<f32> {
    chunks.iter().flat_map(as_f32).collect()
}

fn target(
    format: SampleFormat,
    sample_rate: u32,
    channels: u16,
    chunk_frames: usize,
) -> AudioTarget {
    AudioTarget {
        format,
        sample_rate,
        channels,
        chunk_frames,
    }
}

fn assert_every_chunk_is(chunks: &[AudioBuffer], t: &AudioTarget) {
    assert!(!chunks.is_empty(), "nothing emitted");
    for c in chunks {
        assert!(
            c.is(t.format, t.sample_rate, t.channels, t.chunk_frames),
            "chunk {c:?}"
        );
        let samples = match c.samples() {
            Samples::F32(v) => v.len(),
            Samples::S16(v) => v.len(),
        };
        assert_eq!(samples, t.chunk_frames * usize::from(t.channels));
    }
}

/// Largest step of a sampled sine: its slope times the sample period.
fn sine_step(amplitude: f32, freq: f64, rate: u32) -> f32 {
    (f64::from(amplitude) * TAU * freq / f64::from(rate)) as f32
}

#[test]
fn stereo_48k_f32_to_mono_16k_s16_keeps_440_hz_in_exact_chunks_without_clicks() {
    let t = target(SampleFormat::S16, 16_000, 1, 160);
    let mut adapter = AudioAdapter::new(48_000, 2, t).expect("valid adapter");
    assert!(adapter.resamples());
    let input = tone_chunks(SampleFormat::F32, 48_000, 2, 440.0, 0.8, 1.0);
    let out = run(&mut adapter, &input);

    assert_every_chunk_is(&out, &t);
    let mono = joined(&out);
    // Total output is one second at 16 kHz, short by at most the resampler's latency and
    // one partly filled chunk.
    let short_by = 16_000 - mono.len();
    assert!(
        short_by <= adapter.latency_frames() + t.chunk_frames,
        "short by {short_by}"
    );
    // After the filter's start-up (its first block), the tone is intact: same frequency,
    // same level, and no step anywhere (chunk boundaries included) steeper than the sine's.
    let settled = &mono[160..];
    let measured = estimate_frequency(settled, 16_000);
    assert!((measured - 440.0).abs() < 1.0, "measured {measured} Hz");
    let peak = settled.iter().fold(0.0f32, |m, x| m.max(x.abs()));
    assert!((peak - 0.8).abs() < 0.01, "peak {peak}");
    let bound = sine_step(0.8, 440.0, 16_000) * 1.05;
    assert!(
        max_step(settled) <= bound,
        "step {} > {bound}",
        max_step(settled)
    );
}

#[test]
fn mono_44_1k_s16_to_stereo_48k_f32_keeps_1_khz_on_both_channels() {
    let t = target(SampleFormat::F32, 48_000, 2, 480);
    let mut adapter = AudioAdapter::new(44_100, 1, t).expect("valid adapter");
    let input = tone_chunks(SampleFormat::S16, 44_100, 1, 1000.0, 0.5, 1.0);
    let out = run(&mut adapter, &input);

    assert_every_chunk_is(&out, &t);
    let samples = joined(&out);
    let (left, right) = (channel(&samples, 2, 0), channel(&samples, 2, 1));
    assert_eq!(
        left, right,
        "up-mixing duplicates the resampled mono channel"
    );
    assert!(48_000 - left.len() <= adapter.latency_frames() + t.chunk_frames);
    let measured = estimate_frequency(&left[480..], 48_000);
    assert!((measured - 1000.0).abs() < 1.0, "measured {measured} Hz");
    let bound = sine_step(0.5, 1000.0, 48_000) * 1.05;
    assert!(max_step(&left[480..]) <= bound);
}

#[test]
fn rates_without_a_usable_common_divisor_use_the_sinc_resampler_and_keep_the_tone() {
    // gcd(44100, 16001) = 1: an FFT block would be a second long.
    let t = target(SampleFormat::F32, 16_001, 1, 160);
    let mut adapter = AudioAdapter::new(44_100, 1, t).expect("valid adapter");
    let input = tone_chunks(SampleFormat::F32, 44_100, 1, 440.0, 0.8, 1.0);
    let out = run(&mut adapter, &input);

    assert_every_chunk_is(&out, &t);
    let mono = joined(&out);
    assert!(16_001 - mono.len() <= adapter.latency_frames() + t.chunk_frames);
    let measured = estimate_frequency(&mono[320..], 16_001);
    assert!((measured - 440.0).abs() < 1.0, "measured {measured} Hz");
    assert!(max_step(&mono[320..]) <= sine_step(0.8, 440.0, 16_001) * 1.05);
}

#[test]
fn equal_shapes_pass_through_bit_exact_in_whole_chunks() {
    // Values outside [-1, 1], tiny values and negative zero must all survive untouched.
    let mut samples: Vec<f32> = (0..2 * 4_000)
        .map(|n| ((n as f32) * 0.37).sin() * 1.5)
        .collect();
    samples[10] = -0.0;
    samples[11] = 1e-30;
    let t = target(SampleFormat::F32, 48_000, 2, 480);
    let mut adapter = AudioAdapter::new(48_000, 2, t).expect("valid adapter");
    assert!(!adapter.resamples());
    assert_eq!(adapter.latency_frames(), 0);
    let out = run(&mut adapter, &sample_chunks(&samples, 48_000, 2));

    assert_every_chunk_is(&out, &t);
    let delivered = joined(&out);
    assert_eq!(
        delivered.len(),
        8 * 480 * 2,
        "8 whole chunks of 4000 frames"
    );
    let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert_eq!(bits(&delivered), bits(&samples[..delivered.len()]));
}

#[test]
fn s16_to_f32_and_back_to_s16_is_exact_for_every_value() {
    let all: Vec<i16> = (i16::MIN..=i16::MAX).collect();
    let mut input = AudioBuffer::new(SampleFormat::S16, 8_000, 1, 0);
    *input.samples_mut() = Samples::S16(all.clone());
    let mut to_f32 =
        AudioAdapter::new(8_000, 1, target(SampleFormat::F32, 8_000, 1, 256)).expect("valid");
    let mut to_s16 =
        AudioAdapter::new(8_000, 1, target(SampleFormat::S16, 8_000, 1, 256)).expect("valid");

    let mut back = Vec::new();
    for floats in run(&mut to_f32, &[input]) {
        for ints in run(&mut to_s16, &[floats]) {
            let Samples::S16(v) = ints.samples() else {
                panic!("s16 target gave {ints:?}")
            };
            back.extend_from_slice(v);
        }
    }
    assert_eq!(back, all, "65536 values are 256 whole chunks");
}

#[test]
fn mono_to_stereo_duplicates_each_sample() {
    let input = tone_chunks(SampleFormat::F32, 16_000, 1, 440.0, 0.7, 0.1);
    let t = target(SampleFormat::F32, 16_000, 2, 160);
    let out = run(&mut AudioAdapter::new(16_000, 1, t).expect("valid"), &input);

    assert_every_chunk_is(&out, &t);
    let stereo = joined(&out);
    let mono = joined(&input);
    assert_eq!(channel(&stereo, 2, 0), mono);
    assert_eq!(channel(&stereo, 2, 1), mono);
}

#[test]
fn stereo_to_mono_averages_different_left_and_right_signals() {
    let left = tone_chunks(SampleFormat::F32, 16_000, 1, 440.0, 0.5, 0.1);
    let right = tone_chunks(SampleFormat::F32, 16_000, 1, 1234.0, 0.3, 0.1);
    let (left, right) = (joined(&left), joined(&right));
    let interleaved: Vec<f32> = left
        .iter()
        .zip(&right)
        .flat_map(|(l, r)| [*l, *r])
        .collect();
    let t = target(SampleFormat::F32, 16_000, 1, 160);
    let out = run(
        &mut AudioAdapter::new(16_000, 2, t).expect("valid"),
        &sample_chunks(&interleaved, 16_000, 2),
    );

    assert_every_chunk_is(&out, &t);
    let mono = joined(&out);
    assert_eq!(mono.len(), 1600);
    for ((m, l), r) in mono.iter().zip(&left).zip(&right) {
        assert!(
            (m - (l + r) / 2.0).abs() < 1e-7,
            "{m} is not the mean of {l} and {r}"
        );
    }
}

#[test]
fn reset_forgets_buffered_audio_and_resampler_state() {
    let t = target(SampleFormat::F32, 16_000, 1, 160);
    let input = tone_chunks(SampleFormat::F32, 48_000, 1, 440.0, 0.8, 0.2);
    let fresh = run(&mut AudioAdapter::new(48_000, 1, t).expect("valid"), &input);

    let mut reused = AudioAdapter::new(48_000, 1, t).expect("valid");
    let noise = tone_chunks(SampleFormat::F32, 48_000, 1, 3000.0, 1.0, 0.05);
    run(&mut reused, &noise);
    reused.reset();
    let after_reset = run(&mut reused, &input);
    assert_eq!(joined(&after_reset), joined(&fresh));
}

#[test]
fn bad_arguments_are_invalid_argument_errors() {
    let good = target(SampleFormat::F32, 48_000, 2, 480);
    let cases = [
        (0, 2, good),
        (999, 2, good),
        (10_000_000, 2, good),
        (48_000, 0, good),
        (48_000, 1000, good),
        (
            48_000,
            2,
            AudioTarget {
                sample_rate: 0,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                sample_rate: u32::MAX,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                channels: 0,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                channels: u16::MAX,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                chunk_frames: 0,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                chunk_frames: 48_001,
                ..good
            },
        ),
        (
            48_000,
            2,
            AudioTarget {
                chunk_frames: usize::MAX,
                ..good
            },
        ),
    ];
    for (rate, channels, t) in cases {
        let result = AudioAdapter::new(rate, channels, t);
        assert!(
            matches!(result, Err(Error::InvalidArgument(_))),
            "{rate} Hz x {channels} -> {t:?} gave {result:?}"
        );
    }
    assert!(AudioAdapter::new(
        48_000,
        2,
        AudioTarget {
            chunk_frames: 48_000,
            ..good
        }
    )
    .is_ok());
}

#[test]
fn a_chunk_of_the_wrong_shape_is_refused_and_changes_nothing() {
    let t = target(SampleFormat::F32, 48_000, 1, 480);
    let mut adapter = AudioAdapter::new(48_000, 2, t).expect("valid");
    let mut emitted = 0;
    for wrong in [
        AudioBuffer::new(SampleFormat::F32, 44_100, 2, 480),
        AudioBuffer::new(SampleFormat::S16, 48_000, 1, 480),
        AudioBuffer::new(SampleFormat::F32, 0, 0, 0),
    ] {
        let result = adapter.push(&wrong, &mut |_: &AudioBuffer| emitted += 1);
        assert!(
            matches!(result, Err(Error::InvalidArgument(_))),
            "{wrong:?} gave {result:?}"
        );
    }
    assert_eq!(emitted, 0);
    let right = AudioBuffer::new(SampleFormat::F32, 48_000, 2, 480);
    adapter
        .push(&right, &mut |_: &AudioBuffer| emitted += 1)
        .expect("push");
    assert_eq!(
        emitted, 1,
        "exactly one chunk: nothing of the refused chunks was kept"
    );
}

#[test]
fn a_trailing_partial_frame_is_ignored() {
    let t = target(SampleFormat::F32, 8_000, 1, 2);
    let mut adapter = AudioAdapter::new(8_000, 2, t).expect("valid");
    let mut odd = AudioBuffer::new(SampleFormat::F32, 8_000, 2, 0);
    *odd.samples_mut() = Samples::F32(vec![0.2, 0.4, 0.6, 0.8, 1.0]);
    let out = run(&mut adapter, &[odd]);
    assert_eq!(out.len(), 1);
    let mono = joined(&out);
    assert!(
        (mono[0] - 0.3).abs() < 1e-6 && (mono[1] - 0.7).abs() < 1e-6,
        "{mono:?}"
    );
}

#[test]
fn an_adapter_can_move_to_a_device_callback_thread() {
    fn assert_send<T: Send>() {}
    assert_send::<AudioAdapter>();
    assert_send::<Tone>();
}
