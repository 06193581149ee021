//! A track's bounded frame queue.
//!
//! Lock-free for the producer: pushing never blocks and never waits for a
//! consumer. When the queue is full the oldest frame is dropped and counted,
//! so a slow consumer loses frames instead of stalling the source or another
//! track. Readers block with a timeout.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_queue::ArrayQueue;

use crate::error::{Error, Result};
use crate::frame::Frame;
use crate::signal::Signal;

/// Counters of one track's delivery.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrackStats {
    /// Frames handed to the consumer (read or passed to the callback).
    pub frames_delivered: u64,
    /// Frames dropped because the consumer fell behind (the queue was full).
    pub frames_dropped: u64,
}

/// The most frames one captured frame may turn into that a queue holds beyond
/// its configured size (see [`FrameQueue::set_burst`]).
pub const MAX_BURST: usize = 256;

#[derive(Debug)]
pub struct FrameQueue {
    frames: ArrayQueue<Frame>,
    /// The configured size: frames held before the oldest is dropped.
    size: usize,
    /// The most frames one captured frame can turn into for this track: the
    /// queue holds at least that many, so no burst is cut short by the queue's
    /// own size, and an unpaced source waits for room for all of them.
    burst: AtomicUsize,
    delivered: AtomicU64,
    dropped: AtomicU64,
    closed: AtomicBool,
    /// Readers wait on this for frames.
    frame_ready: Signal,
    /// The source waits on this (unpaced capture) for room in any queue.
    room: Arc<Signal>,
}

impl FrameQueue {
    /// A queue of `capacity` frames (at least 1) that signals `room` when a frame is taken.
    pub fn new(capacity: usize, room: Arc<Signal>) -> FrameQueue {
        let size = capacity.max(1);
        FrameQueue {
            frames: ArrayQueue::new(size.max(MAX_BURST)),
            size,
            burst: AtomicUsize::new(1),
            delivered: AtomicU64::new(0),
            dropped: AtomicU64::new(0),
            closed: AtomicBool::new(false),
            frame_ready: Signal::new(),
            room,
        }
    }

    /// Add a frame, dropping (and counting) the oldest when full. Never blocks.
    pub fn push(&self, frame: Frame) {
        if self.closed.load(Ordering::Acquire) {
            return;
        }
        let limit = self.limit();
        while self.frames.len() >= limit {
            match self.frames.pop() {
                Some(_) => self.dropped.fetch_add(1, Ordering::Relaxed),
                None => break,
            };
        }
        if self.frames.force_push(frame).is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
        self.frame_ready.notify();
    }

    /// The configured size: how many frames the queue holds before dropping
    /// the oldest (more while one burst needs it, see [`FrameQueue::set_burst`]).
    pub fn capacity(&self) -> usize {
        self.size
    }

    /// Tell the queue how many frames one captured frame can turn into for its
    /// track (an audio track with shorter chunks than its device's, or behind a
    /// resampler that works in blocks). The queue then holds at least that many
    /// (up to [`MAX_BURST`]), and [`FrameQueue::has_room`] means room for all of them.
    pub fn set_burst(&self, frames: usize) {
        self.burst
            .store(frames.clamp(1, MAX_BURST), Ordering::Relaxed);
    }

    /// Frames held before the oldest is dropped: the configured size, or one burst.
    fn limit(&self) -> usize {
        self.size.max(self.burst.load(Ordering::Relaxed))
    }

    /// Count a frame this track should have had but could not get (no buffer free).
    pub fn count_drop(&self) {
        self.dropped.fetch_add(1, Ordering::Relaxed);
    }

    /// Whether what one captured frame may give (a burst) fits without dropping any.
    pub fn has_room(&self) -> bool {
        let (limit, burst) = (self.limit(), self.burst.load(Ordering::Relaxed));
        limit.saturating_sub(self.frames.len()) >= burst && !self.closed.load(Ordering::Acquire)
    }

    /// Take the oldest frame without waiting.
    pub fn try_pop(&self) -> Option<Frame> {
        let frame = self.frames.pop()?;
        self.delivered.fetch_add(1, Ordering::Relaxed);
        self.room.notify();
        Some(frame)
    }

    /// Take the oldest frame, waiting up to `timeout` (`None`: until one comes
    /// or the queue closes). A closed queue still gives the frames it holds,
    /// then `Ended`.
    pub fn pop(&self, timeout: Option<Duration>) -> Result<Frame> {
        let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
        let mut frame = None;
        self.frame_ready.wait_until(deadline, || {
            frame = self.try_pop();
            frame.is_some() || self.closed.load(Ordering::Acquire)
        });
        match frame {
            Some(f) => Ok(f),
            None if self.closed.load(Ordering::Acquire) => {
                // A frame pushed just before closing is still delivered.
                self.try_pop()
                    .ok_or_else(|| Error::Ended("the track has ended".into()))
            }
            None => Err(Error::Timeout(timeout.map_or(0, |t| t.as_millis() as u64))),
        }
    }

    /// Refuse further frames and wake readers. `discard` empties the queue at once
    /// (`stop()`); otherwise readers still get what is queued (the source ended).
    pub fn close(&self, discard: bool) {
        self.closed.store(true, Ordering::Release);
        if discard {
            while self.frames.pop().is_some() {}
        }
        self.frame_ready.notify();
        self.room.notify();
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    pub fn stats(&self) -> TrackStats {
        TrackStats {
            frames_delivered: self.delivered.load(Ordering::Relaxed),
            frames_dropped: self.dropped.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frame::{AudioBuffer, FrameData, SampleFormat};

    fn frame(seq: u64) -> Frame {
        let data = FrameData::Audio(AudioBuffer::new(SampleFormat::F32, 8000, 1, 1));
        Frame::new(Arc::new(data), seq, 0)
    }

    #[test]
    fn a_full_queue_drops_the_oldest_frame_and_counts_it() {
        let q = FrameQueue::new(2, Arc::new(Signal::new()));
        for seq in 0..5 {
            q.push(frame(seq));
        }
        assert_eq!(q.try_pop().unwrap().sequence(), 3);
        assert_eq!(q.try_pop().unwrap().sequence(), 4);
        assert_eq!(
            q.stats(),
            TrackStats {
                frames_delivered: 2,
                frames_dropped: 3
            }
        );
    }

    #[test]
    fn a_read_times_out_when_nothing_comes() {
        let q = FrameQueue::new(2, Arc::new(Signal::new()));
        let err = q.pop(Some(Duration::from_millis(20))).unwrap_err();
        assert_eq!(err, Error::Timeout(20));
    }

    #[test]
    fn a_blocked_reader_wakes_for_a_frame_pushed_by_another_thread() {
        let q = Arc::new(FrameQueue::new(2, Arc::new(Signal::new())));
        let producer = {
            let q = Arc::clone(&q);
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(20));
                q.push(frame(7));
            })
        };
        assert_eq!(q.pop(Some(Duration::from_secs(5))).unwrap().sequence(), 7);
        producer.join().unwrap();
    }

    #[test]
    fn closing_delivers_what_is_queued_then_ended() {
        let q = FrameQueue::new(4, Arc::new(Signal::new()));
        q.push(frame(1));
        q.close(false);
        q.push(frame(2));
        assert_eq!(q.pop(None).unwrap().sequence(), 1);
        assert_eq!(q.pop(None).unwrap_err().name(), "EndedError");
    }

    #[test]
    fn closing_with_discard_empties_the_queue_and_wakes_a_blocked_reader() {
        let q = Arc::new(FrameQueue::new(4, Arc::new(Signal::new())));
        let reader = {
            let q = Arc::clone(&q);
            std::thread::spawn(move || q.pop(None))
        };
        std::thread::sleep(Duration::from_millis(20));
        q.push(frame(1));
        q.close(true);
        let first = reader.join().unwrap();
        // The reader either got the frame before the close, or Ended; never hangs.
        assert!(first.is_ok() || first.unwrap_err().name() == "EndedError");
        assert!(q.try_pop().is_none());
    }
}
