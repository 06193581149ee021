//! File microphones: a WAV file checked once, and the capture loop that plays
//! it in chunks of the source's size.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use memmap2::Mmap;

use crate::backend::capture_thread::StopFlag;
use crate::backend::file::wav::{self, WavFile};
use crate::backend::file::{mapped, POOL_SIZE};
use crate::backend::pacing::{drop_for_want_of_buffer, wait_for_first_track, wait_turn};
use crate::backend::SourceSink;
use crate::clock::monotonic_us;
use crate::config::Pacing;
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, Frame, FrameData, SampleFormat, Samples};
use crate::pool::{FramePool, HELD_FRAMES};

/// A WAV file, mapped and checked.
pub(crate) struct AudioFile {
    pub map: Arc<Mmap>,
    pub wav: WavFile,
}

impl AudioFile {
    pub fn open(path: &Path) -> Result<AudioFile> {
        let map = mapped::map(path)?;
        let wav = wav::parse(&map)
            .map_err(|e| Error::NotReadable(format!("{}: {}", path.display(), e.message())))?;
        Ok(AudioFile { map, wav })
    }
}

/// What the capture loop needs.
pub(crate) struct AudioPlayback {
    map: Arc<Mmap>,
    wav: WavFile,
    chunk_frames: usize,
    looping: bool,
    pacing: Pacing,
}

impl AudioPlayback {
    pub fn new(
        file: &AudioFile,
        chunk_frames: usize,
        looping: bool,
        pacing: Pacing,
    ) -> AudioPlayback {
        AudioPlayback {
            map: Arc::clone(&file.map),
            wav: file.wav.clone(),
            chunk_frames: chunk_frames.max(1),
            looping,
            pacing,
        }
    }

    /// The capture loop: one chunk per turn until stopped or, for a file that
    /// does not loop, its end: the last chunk holds just the frames that were
    /// left (it is shorter than the others, never padded), then `ended`.
    pub fn run(self, stop: &StopFlag, sink: &SourceSink) {
        let (rate, channels, chunk) = (self.wav.sample_rate, self.wav.channels, self.chunk_frames);
        let mut pool = FramePool::new(POOL_SIZE);
        let period = Duration::from_secs_f64(chunk as f64 / f64::from(rate.max(1)));
        if !wait_for_first_track(stop, sink) {
            return;
        }
        let mut next = Instant::now();
        let (mut sequence, mut position) = (0u64, 0u64);
        while wait_turn(stop, sink, self.pacing, &mut next, period) {
            let frames = self.chunk_at(position);
            if frames == 0 {
                sink.end("end of file");
                return;
            }
            pool.allow(sink.largest_queue() + HELD_FRAMES);
            let acquired = pool.acquire(
                |d| {
                    d.audio()
                        .is_some_and(|a| a.is(SampleFormat::F32, rate, channels, frames))
                },
                || FrameData::Audio(AudioBuffer::new(SampleFormat::F32, rate, channels, frames)),
            );
            let Some((slot, data)) = acquired else {
                // Every buffer is held by consumers: paced, this chunk is lost (and
                // counted on every track) and time goes on; unpaced, wait for a
                // buffer and try again.
                if drop_for_want_of_buffer(stop, self.pacing) {
                    sink.count_drop();
                    position = self.advance(position, frames as u64);
                    sequence += 1;
                    if !self.looping && position >= self.wav.frames {
                        sink.end("end of file");
                        return;
                    }
                }
                continue;
            };
            if let Some(Samples::F32(out)) = data.audio_mut().map(AudioBuffer::samples_mut) {
                position = self.fill(position, out);
            }
            if !sink.deliver(Frame::new(pool.share(slot), sequence, monotonic_us())) {
                return;
            }
            sequence += 1;
            if !self.looping && position >= self.wav.frames {
                // One more turn before the end: unpaced, the tracks first make room
                // for what the fan-out still holds (a resampler's tail), so it is
                // not dropped; in real time the end comes one chunk after the last.
                if wait_turn(stop, sink, self.pacing, &mut next, period) {
                    sink.end("end of file");
                }
                return;
            }
        }
    }

    /// Frames in the chunk that starts at `position`: a whole chunk, or what is
    /// left of a file that does not loop.
    fn chunk_at(&self, position: u64) -> usize {
        if self.looping && self.wav.frames > 0 {
            return self.chunk_frames;
        }
        let left = self.wav.frames.saturating_sub(position);
        usize::try_from(left).map_or(self.chunk_frames, |left| left.min(self.chunk_frames))
    }

    /// Fill `out` with the frames from `position` on, wrapping around when
    /// looping; returns the new position.
    fn fill(&self, mut position: u64, out: &mut [f32]) -> u64 {
        let channels = usize::from(self.wav.channels);
        let mut filled = 0;
        while filled * channels < out.len() {
            let n = self
                .wav
                .decode(&self.map, position, &mut out[filled * channels..]);
            (filled, position) = (filled + n, position + n as u64);
            if position >= self.wav.frames && self.looping {
                position = 0;
            } else if n == 0 {
                // Cannot happen for a checked file (a chunk never passes the end
                // of a file that does not loop); never spin on it.
                out[filled * channels..].fill(0.0);
                break;
            }
        }
        position
    }

    fn advance(&self, position: u64, frames: u64) -> u64 {
        let end = position + frames;
        if self.looping {
            end % self.wav.frames.max(1)
        } else {
            end.min(self.wav.frames)
        }
    }
}
