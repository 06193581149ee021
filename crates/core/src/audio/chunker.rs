//! The last stage of an [`AudioAdapter`](super::AudioAdapter): mix to the target channels,
//! collect exactly `chunk_frames` frames, convert to the target format and emit.

use crate::audio::convert::{f32_to_s16, mix_frames, ToF32};
use crate::audio::AudioTarget;
use crate::frame::{AudioBuffer, Samples};

/// Collects frames into fixed-size chunks. `push` never allocates.
#[derive(Debug)]
pub(crate) struct Chunker {
    /// One chunk of interleaved target-channel frames, as floats.
    pending: Vec<f32>,
    /// Frames of `pending` already filled.
    filled: usize,
    channels: usize,
    /// The chunk handed to `emit`, in the target format.
    out: AudioBuffer,
}

impl Chunker {
    /// A chunker for `target` (whose sizes the caller has checked).
    pub(crate) fn new(target: &AudioTarget) -> Chunker {
        let channels = usize::from(target.channels);
        Chunker {
            pending: vec![0.0; target.chunk_frames * channels],
            filled: 0,
            channels,
            out: AudioBuffer::new(
                target.format,
                target.sample_rate,
                target.channels,
                target.chunk_frames,
            ),
        }
    }

    /// Mix interleaved `src` frames of `src_channels` in, calling `emit` for every chunk
    /// completed. Frames of a completed chunk never wait for a later call.
    pub(crate) fn push<T: ToF32>(
        &mut self,
        src: &[T],
        src_channels: usize,
        emit: &mut dyn FnMut(&AudioBuffer),
    ) {
        let mut rest = src;
        while let Some(room) = self.pending.get_mut(self.filled * self.channels..) {
            let taken = mix_frames(rest, src_channels, room, self.channels);
            if taken == 0 {
                break;
            }
            self.filled += taken;
            rest = rest.get(taken * src_channels..).unwrap_or_default();
            if self.filled * self.channels >= self.pending.len() {
                self.filled = 0;
                self.convert_out();
                emit(&self.out);
            }
        }
    }

    fn convert_out(&mut self) {
        match self.out.samples_mut() {
            // Both hold chunk_frames * channels samples, by construction in `new`.
            Samples::F32(out) => out.copy_from_slice(&self.pending),
            Samples::S16(out) => {
                for (o, x) in out.iter_mut().zip(&self.pending) {
                    *o = f32_to_s16(*x);
                }
            }
        }
    }

    /// The input has ended: emit the partly filled chunk, if any, as a short chunk of
    /// just the frames it holds (allocates that one buffer).
    pub(crate) fn flush(&mut self, emit: &mut dyn FnMut(&AudioBuffer)) {
        let frames = std::mem::take(&mut self.filled);
        if frames == 0 {
            return;
        }
        let mut short = AudioBuffer::new(
            self.out.format(),
            self.out.sample_rate(),
            self.out.channels(),
            frames,
        );
        let pending = &self.pending[..frames * self.channels];
        match short.samples_mut() {
            Samples::F32(out) => out.copy_from_slice(pending),
            Samples::S16(out) => {
                for (o, x) in out.iter_mut().zip(pending) {
                    *o = f32_to_s16(*x);
                }
            }
        }
        emit(&short);
    }

    /// Drop the partly filled chunk.
    pub(crate) fn reset(&mut self) {
        self.filled = 0;
    }
}
