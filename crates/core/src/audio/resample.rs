//! The resampling stage of an [`AudioAdapter`](super::AudioAdapter): a `rubato` resampler fed
//! fixed-size blocks from a preallocated staging buffer.
//!
//! Which resampler:
//! - [`rubato::Fft`] (synchronous, FFT based, best quality per CPU cycle) when the two rates
//!   share a common divisor of at least [`MIN_FFT_GCD`] Hz, which covers every usual pair
//!   (48k/44.1k/32k/24k/22.05k/16k/11.025k/8k: the FFT block is about 10 ms and at most 50 ms).
//! - [`rubato::Async`] with sinc interpolation (same quality, more CPU) otherwise, e.g. 44.1 kHz
//!   to 47.999 kHz, where an FFT block would have to be a whole second long.
//!
//! Added latency: the stage waits for one full block of input ([`ResampleStage::block_frames`],
//! about 10 ms) and the filter delays the signal by [`ResampleStage::delay_frames`] output
//! frames (half an FFT block, about 5 ms; for the sinc resampler half its 256-tap filter).
//! The delay's start-up output is dropped, so the first frame out is the first frame in.

use rubato::audioadapter_buffers::direct::InterleavedSlice;
use rubato::{Async, Fft, FixedAsync, FixedSync, Resampler, SincInterpolationParameters};

use crate::audio::convert::{mix_frames, ToF32};
use crate::error::{Error, Result};

/// Smallest greatest common divisor of the two rates (Hz) for which the FFT resampler is used:
/// its block must hold a whole number of `rate / gcd` frames, so 20 Hz bounds it to 50 ms.
pub(crate) const MIN_FFT_GCD: u32 = 20;

/// Input frames per resampler call: 10 ms of input (the FFT resampler rounds it up to a whole
/// number of its minimum blocks).
fn block_hint(src_rate: u32) -> usize {
    (src_rate / 100).max(1) as usize
}

/// A resampler and its preallocated buffers. `push` never allocates.
pub(crate) struct ResampleStage {
    resampler: Box<dyn Resampler<f32>>,
    channels: usize,
    /// Interleaved input frames waiting for a full block (`input_frames_max` frames of room).
    input: Vec<f32>,
    /// Frames currently staged in `input`.
    staged: usize,
    /// Interleaved output of one call (`output_frames_max` frames of room).
    output: Vec<f32>,
    /// Output frames still to drop before the first real one (the filter's start-up delay).
    startup_left: usize,
    /// The two rates, for the length of a flushed output.
    rates: (u32, u32),
    /// Input frames taken and output frames handed on since the start or the last reset.
    frames_in: u64,
    frames_out: u64,
}

impl std::fmt::Debug for ResampleStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResampleStage")
            .field("channels", &self.channels)
            .field("block_frames", &self.block_frames())
            .field("delay_frames", &self.delay_frames())
            .field("staged", &self.staged)
            .field("frames_in", &self.frames_in)
            .field("frames_out", &self.frames_out)
            .finish_non_exhaustive()
    }
}

impl ResampleStage {
    /// A stage converting `channels` channels from `src_rate` to `dst_rate` (both nonzero and
    /// different; sizes are checked by the caller).
    pub(crate) fn new(src_rate: u32, dst_rate: u32, channels: usize) -> Result<ResampleStage> {
        if channels == 0 || src_rate == 0 || dst_rate == 0 {
            return Err(Error::InvalidArgument(
                "resampling needs nonzero rates and channels".into(),
            ));
        }
        let resampler = make_resampler(src_rate, dst_rate, channels)?;
        let input = vec![0.0; resampler.input_frames_max() * channels];
        let output = vec![0.0; resampler.output_frames_max() * channels];
        let startup_left = resampler.output_delay();
        Ok(ResampleStage {
            resampler,
            channels,
            input,
            staged: 0,
            output,
            startup_left,
            rates: (src_rate, dst_rate),
            frames_in: 0,
            frames_out: 0,
        })
    }

    /// Input frames consumed per resampler call.
    pub(crate) fn block_frames(&self) -> usize {
        self.resampler.input_frames_next()
    }

    /// The filter's delay, in output frames.
    pub(crate) fn delay_frames(&self) -> usize {
        self.resampler.output_delay()
    }

    /// Mix `src` (interleaved, `src_channels`) into the staging buffer; each time a block is
    /// full, resample it and hand the resampled frames (interleaved, this stage's channels) to
    /// `sink`. Non-finite samples enter the filter as 0 so they cannot poison its state.
    pub(crate) fn push<T: ToF32>(
        &mut self,
        src: &[T],
        src_channels: usize,
        sink: &mut dyn FnMut(&[f32]),
    ) -> Result<()> {
        let mut rest = src;
        while rest.len() >= src_channels.max(1) {
            let need = self.block_frames();
            let room = self
                .input
                .get_mut(self.staged * self.channels..need * self.channels);
            let Some(room) = room.filter(|r| !r.is_empty()) else {
                return Err(Error::Internal("resampler staging buffer too small".into()));
            };
            let taken = mix_frames(rest, src_channels, room, self.channels);
            if taken == 0 {
                return Err(Error::Internal("resampler input made no progress".into()));
            }
            for x in room.iter_mut().take(taken * self.channels) {
                if !x.is_finite() {
                    *x = 0.0;
                }
            }
            self.staged += taken;
            self.frames_in += taken as u64;
            rest = rest.get(taken * src_channels..).unwrap_or_default();
            if self.staged == need {
                self.staged = 0;
                self.process_block(need, usize::MAX, sink)?;
            }
        }
        Ok(())
    }

    /// The input has ended: hand on every output frame still held (staged input and the
    /// filter's delay line, fed with silence), so that `n` input frames give exactly
    /// `ceil(n * dst_rate / src_rate)` output frames in all: every output instant that lies
    /// within the input. Then start afresh, as [`ResampleStage::reset`]. Allocates nothing.
    pub(crate) fn flush(&mut self, sink: &mut dyn FnMut(&[f32])) -> Result<()> {
        let (src, dst) = (u128::from(self.rates.0), u128::from(self.rates.1));
        let total = (u128::from(self.frames_in) * dst).div_ceil(src);
        let total = u64::try_from(total).unwrap_or(u64::MAX);
        // Each block of silence moves the output on by about a block; the delay line and the
        // staged input need a few. The bound only stops a resampler that makes no progress.
        let mut blocks_left = 8 + self.delay_frames() / self.block_frames().max(1);
        while self.frames_out < total && blocks_left > 0 {
            let need = self.block_frames();
            let staged = self.staged * self.channels;
            if let Some(rest) = self.input.get_mut(staged..need * self.channels) {
                rest.fill(0.0);
            }
            self.staged = 0;
            let wanted = usize::try_from(total - self.frames_out).unwrap_or(usize::MAX);
            self.process_block(need, wanted, sink)?;
            blocks_left -= 1;
        }
        self.reset();
        Ok(())
    }

    /// Resample one staged block of `frames` input frames, handing on at most `limit` frames.
    fn process_block(
        &mut self,
        frames: usize,
        limit: usize,
        sink: &mut dyn FnMut(&[f32]),
    ) -> Result<()> {
        let internal = |e: &dyn std::fmt::Display| Error::Internal(format!("resampler: {e}"));
        let out_room = self.output.len() / self.channels;
        let input = InterleavedSlice::new(&self.input[..], self.channels, frames)
            .map_err(|e| internal(&e))?;
        let mut output = InterleavedSlice::new_mut(&mut self.output[..], self.channels, out_room)
            .map_err(|e| internal(&e))?;
        let (_, written) = self
            .resampler
            .process_into_buffer(&input, &mut output, None)
            .map_err(|e| internal(&e))?;
        let dropped = self.startup_left.min(written);
        self.startup_left -= dropped;
        let end = written.min(dropped.saturating_add(limit));
        if let Some(fresh) = self
            .output
            .get(dropped * self.channels..end * self.channels)
        {
            if !fresh.is_empty() {
                self.frames_out += (end - dropped) as u64;
                sink(fresh);
            }
        }
        Ok(())
    }

    /// Forget staged input and the filter's state; the next output starts afresh.
    pub(crate) fn reset(&mut self) {
        self.resampler.reset();
        self.staged = 0;
        self.startup_left = self.resampler.output_delay();
        self.frames_in = 0;
        self.frames_out = 0;
    }
}

fn make_resampler(
    src_rate: u32,
    dst_rate: u32,
    channels: usize,
) -> Result<Box<dyn Resampler<f32>>> {
    let refused = |e: rubato::ResamplerConstructionError| {
        Error::InvalidArgument(format!(
            "cannot resample {src_rate} Hz to {dst_rate} Hz: {e}"
        ))
    };
    let chunk = block_hint(src_rate);
    if gcd(src_rate, dst_rate) >= MIN_FFT_GCD {
        let fft = Fft::<f32>::new(
            src_rate as usize,
            dst_rate as usize,
            chunk,
            channels,
            FixedSync::Both,
        )
        .map_err(refused)?;
        Ok(Box::new(fft))
    } else {
        let ratio = f64::from(dst_rate) / f64::from(src_rate);
        let params = SincInterpolationParameters::default();
        let sinc = Async::<f32>::new_sinc(ratio, 1.0, &params, chunk, channels, FixedAsync::Input)
            .map_err(refused)?;
        Ok(Box::new(sinc))
    }
}

fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usual_rate_pairs_get_a_short_fft_block_and_odd_pairs_a_sinc_filter() {
        let stage = ResampleStage::new(44_100, 48_000, 2).expect("valid rates");
        assert_eq!(stage.block_frames(), 441);
        assert_eq!(stage.delay_frames(), 240);
        let stage = ResampleStage::new(48_000, 16_000, 1).expect("valid rates");
        assert_eq!(stage.block_frames(), 480);
        assert_eq!(stage.delay_frames(), 80);
        let stage = ResampleStage::new(44_100, 47_999, 1).expect("valid rates");
        assert_eq!(stage.block_frames(), 441);
        assert!(stage.delay_frames() <= 160, "{stage:?}");
    }

    #[test]
    fn gcd_of_common_rates() {
        assert_eq!(gcd(44_100, 48_000), 300);
        assert_eq!(gcd(48_000, 16_000), 16_000);
        assert_eq!(gcd(44_100, 47_999), 7);
        assert_eq!(gcd(44_100, 16_001), 1);
    }
}
