//! What a driver delivers into: a [`SourceSink`], which holds its source
//! weakly through the [`SourceTarget`] trait, so this layer needs nothing from
//! the sources above it.

use std::sync::{Arc, Weak};
use std::time::Instant;

use crate::frame::Frame;
use crate::signal::Signal;

/// The side of an opened device that its driver feeds: the source, seen from
/// the backend layer. Every method is called from the driver's own thread and
/// must not block.
pub(crate) trait SourceTarget: Send + Sync {
    /// Hand a captured frame to every track. Returns false (and drops the
    /// frame) when the source has ended.
    fn deliver(&self, frame: Frame) -> bool;

    /// The device ended by itself: end every track once, with `detail` saying why.
    fn end(&self, detail: &str);

    /// The device stopped (or resumed) delivering for a while.
    fn set_muted(&self, muted: bool, detail: &str);

    /// The signal queues raise when a consumer frees room.
    fn room(&self) -> Arc<Signal>;

    /// Whether some live track has room for a frame.
    fn any_room(&self) -> bool;

    /// The largest queue among the tracks.
    fn largest_queue(&self) -> usize;

    /// Count a lost frame as dropped on every live track.
    fn count_drop(&self);
}

/// What a driver delivers into. Cheap to clone; holds the source weakly, so a
/// driver never keeps its source alive.
#[derive(Clone)]
pub struct SourceSink {
    target: Weak<dyn SourceTarget>,
}

impl SourceSink {
    /// A sink feeding `target` (made by the source when it opens its driver).
    pub(crate) fn new(target: Weak<dyn SourceTarget>) -> SourceSink {
        SourceSink { target }
    }

    /// Hand a captured frame to every track. Never blocks. Returns false when
    /// the source is gone or ended: the driver should stop capturing.
    pub fn deliver(&self, frame: Frame) -> bool {
        self.target.upgrade().is_some_and(|s| s.deliver(frame))
    }

    /// The device ended by itself (unplugged, end of file, driver error): the
    /// tracks end and fire `ended` once, with `detail` saying why.
    pub fn end(&self, detail: &str) {
        if let Some(s) = self.target.upgrade() {
            s.end(detail);
        }
    }

    /// The largest queue among the tracks: a driver's pool needs that many
    /// buffers (and a few for frames consumers hold) before it runs dry.
    pub fn largest_queue(&self) -> usize {
        self.target.upgrade().map_or(0, |s| s.largest_queue())
    }

    /// A frame was lost before it could be delivered (every buffer held by
    /// consumers): count it as dropped on every track, so no loss goes unseen.
    pub fn count_drop(&self) {
        if let Some(s) = self.target.upgrade() {
            s.count_drop();
        }
    }

    /// The device stopped (or resumed) delivering for a while: `mute` / `unmute`.
    pub fn set_muted(&self, muted: bool, detail: &str) {
        if let Some(s) = self.target.upgrade() {
            s.set_muted(muted, detail);
        }
    }

    /// For unpaced capture: wait until some track has room for a frame, so the
    /// source runs as fast as its fastest consumer. Returns false if `stopped()`
    /// became true or the source is gone.
    pub fn wait_for_room(&self, deadline: Option<Instant>, stopped: &dyn Fn() -> bool) -> bool {
        // Hold the source only long enough to take its signal: a driver that
        // waits must not keep the source alive.
        let Some(source) = self.target.upgrade() else {
            return false;
        };
        let room = source.room();
        drop(source);
        let mut has_room = false;
        room.wait_until(deadline, || {
            if stopped() {
                return true;
            }
            has_room = self.target.upgrade().is_some_and(|s| s.any_room());
            has_room
        });
        has_room && !stopped()
    }

    /// The signal to wake [`SourceSink::wait_for_room`] with when stopping.
    pub fn room_signal(&self) -> Option<Arc<Signal>> {
        self.target.upgrade().map(|s| s.room())
    }
}
