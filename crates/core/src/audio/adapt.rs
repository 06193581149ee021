//! Deliver what a track asked for from what a device gives.

use crate::audio::chunker::Chunker;
use crate::audio::convert::ToF32;
use crate::audio::resample::ResampleStage;
use crate::audio::{MAX_CHANNELS, MAX_CHUNK_SECONDS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, SampleFormat, Samples};

/// The audio a track asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AudioTarget {
    /// Sample encoding of the delivered chunks.
    pub format: SampleFormat,
    /// Sample rate of the delivered chunks (Hz).
    pub sample_rate: u32,
    /// Interleaved channels per frame.
    pub channels: u16,
    /// Frames per delivered chunk (see [`crate::audio::chunk_frames_for`]).
    pub chunk_frames: usize,
}

/// Converts a device's chunks (its native rate, channels and format, any sizes) into chunks of
/// exactly [`AudioTarget::chunk_frames`] frames at the target rate, channels and format.
///
/// Stages: convert to `f32` and down-mix (if the target has fewer channels), resample with
/// `rubato` (only when the rates differ), up-mix (if the target has more channels), collect
/// whole chunks, convert to the target format. The mixing rule is in [`crate::audio::convert`].
/// With equal rates no resampler is made, and equal channels and format pass through
/// bit-exact.
///
/// **Real-time safe:** every buffer is allocated in [`AudioAdapter::new`]; [`push`] neither
/// allocates nor blocks, so a device's audio callback may call it.
///
/// **Latency:** without resampling, a frame waits only for its chunk to fill. With resampling,
/// add [`latency_frames`] target frames: waiting for one resampler block (about 10 ms of
/// input) plus the filter delay (about 5 ms). The filter's start-up output is dropped, so the
/// first frame emitted after [`new`] or [`reset`] is the first frame pushed: emitted frame `k`
/// is input frame `k * src_rate / target_rate`.
///
/// [`push`]: AudioAdapter::push
/// [`new`]: AudioAdapter::new
/// [`reset`]: AudioAdapter::reset
/// [`latency_frames`]: AudioAdapter::latency_frames
#[derive(Debug)]
pub struct AudioAdapter {
    src_rate: u32,
    src_channels: u16,
    target: AudioTarget,
    resampler: Option<ResampleStage>,
    chunker: Chunker,
}

impl AudioAdapter {
    /// An adapter from a device delivering `src_rate` Hz and `src_channels` channels to
    /// `target`. Rates must lie in [`MIN_SAMPLE_RATE`]`..=`[`MAX_SAMPLE_RATE`], channel
    /// counts in `1..=`[`MAX_CHANNELS`], and `chunk_frames` in `1..=` one second
    /// ([`MAX_CHUNK_SECONDS`]) at the target rate; anything else is
    /// [`Error::InvalidArgument`].
    pub fn new(src_rate: u32, src_channels: u16, target: AudioTarget) -> Result<AudioAdapter> {
        check_rate("source", src_rate)?;
        check_rate("target", target.sample_rate)?;
        check_channels("source", src_channels)?;
        check_channels("target", target.channels)?;
        let max_chunk = target.sample_rate as usize * MAX_CHUNK_SECONDS as usize;
        if target.chunk_frames == 0 || target.chunk_frames > max_chunk {
            return Err(Error::InvalidArgument(format!(
                "chunk of {} frames is outside 1..={max_chunk} (at most {MAX_CHUNK_SECONDS} s)",
                target.chunk_frames
            )));
        }
        let resampler = if src_rate == target.sample_rate {
            None
        } else {
            let channels = src_channels.min(target.channels);
            Some(ResampleStage::new(
                src_rate,
                target.sample_rate,
                usize::from(channels),
            )?)
        };
        Ok(AudioAdapter {
            src_rate,
            src_channels,
            target,
            resampler,
            chunker: Chunker::new(&target),
        })
    }

    /// What this adapter delivers.
    pub fn target(&self) -> &AudioTarget {
        &self.target
    }

    /// The sample rate `push` expects (Hz).
    pub fn source_rate(&self) -> u32 {
        self.src_rate
    }

    /// The channel count `push` expects.
    pub fn source_channels(&self) -> u16 {
        self.src_channels
    }

    /// Whether the rates differ, so a resampler is at work.
    pub fn resamples(&self) -> bool {
        self.resampler.is_some()
    }

    /// Worst-case latency the resampler adds, in target frames: one resampler block of input
    /// converted to the target rate, plus the filter delay. 0 when the rates are equal.
    /// (Collecting a chunk adds up to `chunk_frames` more, with or without a resampler.)
    pub fn latency_frames(&self) -> usize {
        self.resampler.as_ref().map_or(0, |stage| {
            let block = stage.block_frames() as u64 * u64::from(self.target.sample_rate);
            let block = block.div_ceil(u64::from(self.src_rate)) as usize;
            block + stage.delay_frames()
        })
    }

    /// Feed one device chunk (any [`SampleFormat`]; its rate and channels must match the
    /// source's, else [`Error::InvalidArgument`] and nothing is consumed). Calls `emit` once
    /// per completed target chunk, on this thread, before returning; the buffer is reused for
    /// the next chunk, so `emit` copies what it keeps (e.g. into a pooled frame buffer) and
    /// must not block. A trailing partial frame of `input` is ignored.
    pub fn push(&mut self, input: &AudioBuffer, emit: &mut dyn FnMut(&AudioBuffer)) -> Result<()> {
        if input.sample_rate() != self.src_rate || input.channels() != self.src_channels {
            return Err(Error::InvalidArgument(format!(
                "audio chunk is {} Hz x {} channels, the adapter expects {} Hz x {}",
                input.sample_rate(),
                input.channels(),
                self.src_rate,
                self.src_channels
            )));
        }
        match input.samples() {
            Samples::F32(samples) => self.feed(samples, emit),
            Samples::S16(samples) => self.feed(samples, emit),
        }
    }

    fn feed<T: ToF32>(&mut self, samples: &[T], emit: &mut dyn FnMut(&AudioBuffer)) -> Result<()> {
        let src_channels = usize::from(self.src_channels);
        let chunker = &mut self.chunker;
        match &mut self.resampler {
            None => {
                chunker.push(samples, src_channels, emit);
                Ok(())
            }
            Some(stage) => {
                let mid_channels = usize::from(self.src_channels.min(self.target.channels));
                stage.push(samples, src_channels, &mut |resampled: &[f32]| {
                    chunker.push(resampled, mid_channels, &mut *emit)
                })
            }
        }
    }

    /// The input has ended (a file's last chunk was pushed): emit everything still held, the
    /// resampler's tail and then the partly filled chunk as a short last chunk, so that `n`
    /// frames pushed give exactly `ceil(n * target_rate / source_rate)` frames emitted (`n`
    /// without resampling). Afterwards the adapter starts afresh, as after [`reset`].
    ///
    /// [`reset`]: AudioAdapter::reset
    pub fn flush(&mut self, emit: &mut dyn FnMut(&AudioBuffer)) -> Result<()> {
        let chunker = &mut self.chunker;
        if let Some(stage) = &mut self.resampler {
            let mid_channels = usize::from(self.src_channels.min(self.target.channels));
            let flushed = stage
                .flush(&mut |resampled: &[f32]| chunker.push(resampled, mid_channels, &mut *emit));
            if flushed.is_err() {
                self.reset();
                return flushed;
            }
        }
        self.chunker.flush(emit);
        Ok(())
    }

    /// Forget buffered audio and resampler state (after a gap in the input or a
    /// reconfiguration). The next frame pushed is the next frame emitted.
    pub fn reset(&mut self) {
        self.chunker.reset();
        if let Some(stage) = &mut self.resampler {
            stage.reset();
        }
    }
}

fn check_rate(side: &str, rate: u32) -> Result<()> {
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate) {
        return Err(Error::InvalidArgument(format!(
            "{side} sample rate {rate} Hz is outside {MIN_SAMPLE_RATE}..={MAX_SAMPLE_RATE}"
        )));
    }
    Ok(())
}

fn check_channels(side: &str, channels: u16) -> Result<()> {
    if !(1..=MAX_CHANNELS).contains(&channels) {
        return Err(Error::InvalidArgument(format!(
            "{side} channel count {channels} is outside 1..={MAX_CHANNELS}"
        )));
    }
    Ok(())
}
