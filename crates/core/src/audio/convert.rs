//! Sample-format conversion and channel mixing, shared by every audio path of the crate.
//!
//! Scaling is symmetric: `s16 = round(f32 * 32767)` (clamped to the `i16` range, NaN gives 0)
//! and `f32 = s16 / 32767`, so every `i16` survives a round trip through `f32` unchanged.
//! (`-32768` maps to `-1.0000305`, just below `-1.0`.)
//!
//! # Channel mixing from N to M channels
//!
//! - N = M: every channel is copied.
//! - N > M (down-mix): output channel `j` is the **average** of the input channels
//!   `j, j + M, j + 2M, ...`. Stereo to mono is `(L + R) / 2`; 5.1 (L R C LFE Ls Rs) to
//!   stereo gives `L' = (L + C + Ls) / 3`, `R' = (R + LFE + Rs) / 3`.
//! - N < M (up-mix): output channel `j` **copies** input channel `j mod N`. Mono to stereo
//!   duplicates; stereo to 4 channels repeats L R L R.
//!
//! No input channel is ever dropped and no output channel is ever left silent.

/// A sample type a device chunk may hold, read as `f32` in `[-1, 1]`.
pub trait ToF32: Copy {
    /// This sample as a float (`i16` is scaled by `1 / 32767`).
    fn to_f32(self) -> f32;
}

impl ToF32 for f32 {
    fn to_f32(self) -> f32 {
        self
    }
}

impl ToF32 for i16 {
    fn to_f32(self) -> f32 {
        s16_to_f32(self)
    }
}

/// `round(x * 32767)`, clamped to the `i16` range; NaN gives 0.
pub fn f32_to_s16(x: f32) -> i16 {
    // `as` saturates and maps NaN to 0; the clamp keeps the intent explicit.
    (x * 32767.0).round().clamp(-32768.0, 32767.0) as i16
}

/// `x / 32767`: exact inverse of [`f32_to_s16`] on every `i16`.
pub fn s16_to_f32(x: i16) -> f32 {
    f32::from(x) / 32767.0
}

/// Convert and mix interleaved `src` frames of `src_channels` into interleaved `dst` frames
/// of `dst_channels` (rule in the [module documentation](self)). Processes as many whole
/// frames as both slices hold and returns that count; a trailing partial frame is left alone.
/// Zero channel counts process nothing.
pub fn mix_frames<T: ToF32>(
    src: &[T],
    src_channels: usize,
    dst: &mut [f32],
    dst_channels: usize,
) -> usize {
    if src_channels == 0 || dst_channels == 0 {
        return 0;
    }
    let frames = (src.len() / src_channels).min(dst.len() / dst_channels);
    if src_channels == dst_channels {
        for (s, d) in src.iter().zip(dst.iter_mut()).take(frames * src_channels) {
            *d = s.to_f32();
        }
        return frames;
    }
    let src_frames = src.chunks_exact(src_channels).take(frames);
    let dst_frames = dst.chunks_exact_mut(dst_channels).take(frames);
    if src_channels > dst_channels {
        for (frame, out) in src_frames.zip(dst_frames) {
            for (j, d) in out.iter_mut().enumerate() {
                let (mut sum, mut count) = (0.0f32, 0u16);
                for s in frame.iter().skip(j).step_by(dst_channels) {
                    sum += s.to_f32();
                    count += 1;
                }
                // count >= 1 because j < dst_channels < src_channels.
                *d = sum / f32::from(count.max(1));
            }
        }
    } else {
        for (frame, out) in src_frames.zip(dst_frames) {
            for (d, s) in out.iter_mut().zip(frame.iter().cycle()) {
                *d = s.to_f32();
            }
        }
    }
    frames
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_s16_value_survives_a_round_trip_through_f32() {
        for x in i16::MIN..=i16::MAX {
            assert_eq!(f32_to_s16(s16_to_f32(x)), x, "value {x}");
        }
    }

    #[test]
    fn f32_to_s16_rounds_and_clamps() {
        assert_eq!(f32_to_s16(1.0), 32767);
        assert_eq!(f32_to_s16(-1.0), -32767);
        assert_eq!(f32_to_s16(2.0), 32767);
        assert_eq!(f32_to_s16(-2.0), -32768);
        assert_eq!(f32_to_s16(0.6 / 32767.0), 1);
        assert_eq!(f32_to_s16(0.4 / 32767.0), 0);
        assert_eq!(f32_to_s16(f32::NAN), 0);
        assert_eq!(f32_to_s16(f32::INFINITY), 32767);
    }

    #[test]
    fn stereo_to_mono_averages_left_and_right() {
        let src = [0.5f32, -0.25, 1.0, 0.0];
        let mut dst = [9.0f32; 2];
        assert_eq!(mix_frames(&src, 2, &mut dst, 1), 2);
        assert_eq!(dst, [0.125, 0.5]);
    }

    #[test]
    fn mono_to_stereo_duplicates() {
        let src = [3i16, -7];
        let mut dst = [0.0f32; 4];
        assert_eq!(mix_frames(&src, 1, &mut dst, 2), 2);
        let (a, b) = (s16_to_f32(3), s16_to_f32(-7));
        assert_eq!(dst, [a, a, b, b]);
    }

    #[test]
    fn six_channels_fold_into_stereo_by_averaging_every_other_channel() {
        let src = [0.1f32, 0.2, 0.3, 0.4, 0.5, 0.6];
        let mut dst = [0.0f32; 2];
        mix_frames(&src, 6, &mut dst, 2);
        assert!(
            (dst[0] - 0.3).abs() < 1e-6 && (dst[1] - 0.4).abs() < 1e-6,
            "{dst:?}"
        );
    }

    #[test]
    fn stereo_to_four_channels_repeats_left_right() {
        let src = [0.1f32, 0.2];
        let mut dst = [0.0f32; 4];
        mix_frames(&src, 2, &mut dst, 4);
        assert_eq!(dst, [0.1, 0.2, 0.1, 0.2]);
    }

    #[test]
    fn mixing_stops_at_the_shorter_side_and_ignores_partial_frames() {
        let src = [0.1f32, 0.2, 0.3, 0.4, 0.5];
        let mut dst = [0.0f32; 3];
        assert_eq!(mix_frames(&src, 2, &mut dst, 1), 2);
        assert_eq!(dst[2], 0.0);
        assert_eq!(mix_frames(&src, 0, &mut dst, 1), 0);
        assert_eq!(mix_frames(&src, 2, &mut dst, 0), 0);
    }
}
