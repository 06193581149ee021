//! The fake microphone's signal: a sine that continues seamlessly from one chunk to the next.

use std::f64::consts::TAU;

use crate::audio::convert::f32_to_s16;
use crate::frame::Samples;

/// Frames between exact phase anchors; the frames in between are reached by rotation.
const BLOCK: u64 = 32;

/// A phase-continuous sine generator.
///
/// The value of frame `n` depends only on `n`: every `BLOCK` frames the
/// phase is computed exactly (`n * step` in cycles, wrapped), and the frames in
/// between are reached by rotating that block's (sin, cos) by the per-frame
/// angle: two multiply-adds per frame instead of a `sin()`, so chunks of any
/// sizes join without a click and give exactly the samples of one long chunk,
/// and hours of audio neither drift nor lose precision.
#[derive(Debug, Clone)]
pub struct Tone {
    /// Cycles advanced per sample frame: `frequency / sample_rate`, wrapped to `[0, 1)`.
    step: f64,
    /// sin and cos of the per-frame angle.
    rotate: (f64, f64),
    /// The next frame's index.
    frame: u64,
    channels: usize,
    amplitude: f64,
}

impl Tone {
    /// A sine of `frequency_hz` at `sample_rate`, written to `channels` interleaved channels,
    /// peaking at `amplitude` (clamped to `[0, 1]`; NaN gives silence). A zero sample rate or a
    /// non-finite frequency gives silence; zero channels is treated as one. A frequency above
    /// half the sample rate aliases, as it would on a real converter.
    pub fn new(frequency_hz: f64, sample_rate: u32, channels: u16, amplitude: f32) -> Tone {
        let step = if sample_rate > 0 && frequency_hz.is_finite() {
            (frequency_hz / f64::from(sample_rate)).rem_euclid(1.0)
        } else {
            0.0
        };
        let amplitude = if amplitude.is_nan() {
            0.0
        } else {
            amplitude.clamp(0.0, 1.0)
        };
        Tone {
            step,
            rotate: (TAU * step).sin_cos(),
            frame: 0,
            channels: usize::from(channels.max(1)),
            amplitude: amplitude.into(),
        }
    }

    /// Fill interleaved samples (the same value on every channel), continuing the phase of the
    /// previous call. `F32` gets the sine itself, `S16` gets `round(x * 32767)`. A trailing
    /// partial frame (a length that is not a multiple of the channel count) is filled too.
    pub fn fill(&mut self, out: &mut Samples) {
        match out {
            Samples::F32(v) => self.fill_with(v, |x| x),
            Samples::S16(v) => self.fill_with(v, f32_to_s16),
        }
    }

    /// sin and cos of frame `n`'s phase, exactly.
    fn anchor(&self, n: u64) -> (f64, f64) {
        // n < 2^53 for 5,900 years at 48 kHz: the product is exact to an ulp.
        let cycles = (n as f64 * self.step).rem_euclid(1.0);
        (TAU * cycles).sin_cos()
    }

    fn fill_with<T: Copy>(&mut self, out: &mut [T], convert: impl Fn(f32) -> T) {
        let (rs, rc) = self.rotate;
        // Start at this call's first frame: from its block's anchor, rotated to it.
        let offset = self.frame % BLOCK;
        let (mut s, mut c) = self.anchor(self.frame - offset);
        for _ in 0..offset {
            (s, c) = (s * rc + c * rs, c * rc - s * rs);
        }
        for frame in out.chunks_mut(self.channels) {
            if self.frame.is_multiple_of(BLOCK) {
                (s, c) = self.anchor(self.frame);
            }
            frame.fill(convert((self.amplitude * s) as f32));
            (s, c) = (s * rc + c * rs, c * rc - s * rs);
            self.frame += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audio::testing::{estimate_frequency, max_step};

    fn f32_samples(tone: &mut Tone, len: usize) -> Vec<f32> {
        let mut s = Samples::F32(vec![0.0; len]);
        tone.fill(&mut s);
        match s {
            Samples::F32(v) => v,
            Samples::S16(_) => unreachable!("filled an F32 buffer"),
        }
    }

    #[test]
    fn one_second_of_440_hz_at_48_khz_measures_440_hz_within_a_tenth() {
        let mut tone = Tone::new(440.0, 48_000, 1, 0.8);
        let samples = f32_samples(&mut tone, 48_000);
        let measured = estimate_frequency(&samples, 48_000);
        assert!((measured - 440.0).abs() < 0.1, "measured {measured} Hz");
        let peak = samples.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        assert!((peak - 0.8).abs() < 1e-3, "peak {peak}");
    }

    #[test]
    fn chunks_of_480_then_1_then_1000_samples_join_without_a_click() {
        let (freq, rate, amplitude) = (440.0, 48_000u32, 0.8f32);
        let mut tone = Tone::new(freq, rate, 1, amplitude);
        let mut joined = f32_samples(&mut tone, 480);
        joined.extend(f32_samples(&mut tone, 1));
        joined.extend(f32_samples(&mut tone, 1000));
        // The largest step of a sampled sine is its slope times the sample period.
        let max_slope = f64::from(amplitude) * TAU * freq / f64::from(rate);
        assert!(f64::from(max_step(&joined)) <= max_slope * 1.01);
        // And the joined chunks are exactly the same as one long chunk.
        let whole = f32_samples(&mut Tone::new(freq, rate, 1, amplitude), 1481);
        assert_eq!(joined, whole);
    }

    #[test]
    fn every_channel_gets_the_same_value() {
        let samples = f32_samples(&mut Tone::new(1000.0, 8_000, 3, 1.0), 30);
        for frame in samples.chunks_exact(3) {
            assert!(frame[0] == frame[1] && frame[1] == frame[2], "{frame:?}");
        }
        assert!(samples.iter().any(|x| x.abs() > 0.5));
    }

    #[test]
    fn s16_matches_f32_within_one_lsb() {
        let float = f32_samples(&mut Tone::new(997.0, 44_100, 2, 1.0), 4410);
        let mut ints = Samples::S16(vec![0; 4410]);
        Tone::new(997.0, 44_100, 2, 1.0).fill(&mut ints);
        let Samples::S16(ints) = ints else {
            unreachable!("filled an S16 buffer")
        };
        for (f, i) in float.iter().zip(&ints) {
            assert!(
                (f64::from(*f) * 32767.0 - f64::from(*i)).abs() <= 1.0,
                "{f} vs {i}"
            );
        }
    }

    #[test]
    fn an_hour_of_audio_keeps_its_phase() {
        // A 440 Hz tone at 8 kHz makes a whole number of cycles every second: after
        // an hour (28.8 million samples) a second of it is still the first second.
        let mut tone = Tone::new(440.0, 8_000, 1, 1.0);
        let first = f32_samples(&mut tone.clone(), 8_000);
        let mut chunk = Samples::F32(vec![0.0; 8_000]);
        for _ in 0..3600 {
            tone.fill(&mut chunk);
        }
        let last = f32_samples(&mut tone, 8_000);
        let drift = first
            .iter()
            .zip(&last)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        assert!(drift < 1e-6, "an hour later the samples differ by {drift}");
    }

    #[test]
    fn bad_parameters_give_silence_instead_of_nan() {
        for mut tone in [
            Tone::new(440.0, 0, 1, 1.0),
            Tone::new(f64::NAN, 48_000, 1, 1.0),
            Tone::new(440.0, 48_000, 0, f32::NAN),
        ] {
            let samples = f32_samples(&mut tone, 100);
            assert!(samples.iter().all(|x| *x == 0.0));
        }
    }
}
