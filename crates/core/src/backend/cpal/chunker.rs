//! Cuts cpal's callback buffers into the source's chunks and delivers them.

use std::sync::Arc;

use super::health::Health;
use super::Shape;
use crate::backend::SourceSink;
use crate::clock::monotonic_us;
use crate::frame::{AudioBuffer, Frame, FrameData, SampleFormat, Samples};
use crate::pool::FramePool;

/// Seconds of audio the pool of a source holds at most (frames queued or held by consumers).
const POOL_SECONDS: f64 = 2.0;
const POOL_MIN: usize = 16;
const POOL_MAX: usize = 256;

/// Cuts the callback's buffers into chunks of the source's size, without allocating.
pub(super) struct Chunker {
    shape: Shape,
    sink: SourceSink,
    pool: FramePool,
    staging_f32: Vec<f32>,
    staging_s16: Vec<i16>,
    filled: usize,
    sequence: u64,
    gone: bool,
    health: Arc<Health>,
}

impl Chunker {
    pub(super) fn new(shape: Shape, sink: SourceSink, health: Arc<Health>) -> Chunker {
        let samples = shape.chunk * usize::from(shape.channels);
        let size = ((POOL_SECONDS * f64::from(shape.rate) / shape.chunk as f64).ceil() as usize)
            .clamp(POOL_MIN, POOL_MAX);
        let mut pool = FramePool::new(size);
        // Fill the pool now, so the callback never allocates.
        let mut held = Vec::with_capacity(size);
        for _ in 0..size {
            if let Some((slot, _)) = pool.acquire(|_| false, || make(shape)) {
                held.push(pool.share(slot));
            }
        }
        drop(held);
        let (staging_f32, staging_s16) = match shape.format {
            SampleFormat::F32 => (vec![0.0; samples], Vec::new()),
            SampleFormat::S16 => (Vec::new(), vec![0; samples]),
        };
        Chunker {
            shape,
            sink,
            pool,
            staging_f32,
            staging_s16,
            filled: 0,
            sequence: 0,
            gone: false,
            health,
        }
    }

    pub(super) fn push(&mut self, data: &cpal::Data) {
        self.health.data_arrived();
        if self.gone {
            return;
        }
        match self.shape.format {
            SampleFormat::F32 => {
                if let Some(input) = data.as_slice::<f32>() {
                    self.push_samples(input, |c| &mut c.staging_f32);
                }
            }
            SampleFormat::S16 => {
                if let Some(input) = data.as_slice::<i16>() {
                    self.push_samples(input, |c| &mut c.staging_s16);
                }
            }
        }
    }

    fn push_samples<T: Copy>(&mut self, mut input: &[T], staging: fn(&mut Chunker) -> &mut Vec<T>) {
        while !input.is_empty() && !self.gone {
            let filled = self.filled;
            let buf = staging(self);
            let len = buf.len();
            if len == 0 {
                return; // no chunk to fill (capabilities() refuses such devices)
            }
            let n = (len - filled).min(input.len());
            buf[filled..filled + n].copy_from_slice(&input[..n]);
            input = &input[n..];
            self.filled += n;
            if self.filled == len {
                self.filled = 0;
                self.flush();
            }
        }
    }

    /// Hand the full staging chunk to the tracks in a pooled buffer.
    fn flush(&mut self) {
        let shape = self.shape;
        let acquired = self.pool.acquire(
            |d| {
                d.audio()
                    .is_some_and(|a| a.is(shape.format, shape.rate, shape.channels, shape.chunk))
            },
            || make(shape),
        );
        let sequence = self.sequence;
        self.sequence += 1;
        // Every buffer is held by consumers: this chunk is lost (its sequence number skipped).
        let Some((slot, data)) = acquired else {
            return;
        };
        match data.audio_mut().map(AudioBuffer::samples_mut) {
            Some(Samples::F32(out)) => out.copy_from_slice(&self.staging_f32),
            Some(Samples::S16(out)) => out.copy_from_slice(&self.staging_s16),
            None => return,
        }
        let frame = Frame::new(self.pool.share(slot), sequence, monotonic_us());
        if !self.sink.deliver(frame) {
            self.gone = true;
        }
    }
}

fn make(shape: Shape) -> FrameData {
    FrameData::Audio(AudioBuffer::new(
        shape.format,
        shape.rate,
        shape.channels,
        shape.chunk,
    ))
}
