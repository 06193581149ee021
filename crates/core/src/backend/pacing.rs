//! When a fake or file source produces its next frame: at its frame rate like
//! a camera (`realtime`), or as soon as some track has room (`none`).

use std::time::{Duration, Instant};

use crate::backend::capture_thread::StopFlag;
use crate::backend::SourceSink;
use crate::config::Pacing;

/// How long an unpaced source waits for room before checking its stop flag again.
const ROOM_POLL: Duration = Duration::from_millis(100);

/// Wait for the next frame time: the pacing deadline `next` (then moved on by
/// `period`), or room in a track's queue. Returns false when the thread must stop.
///
/// Real-time pacing that falls far behind (a stall) starts again from now
/// instead of bursting to catch up, as a camera would.
pub fn wait_turn(
    stop: &StopFlag,
    sink: &SourceSink,
    pacing: Pacing,
    next: &mut Instant,
    period: Duration,
) -> bool {
    match pacing {
        Pacing::RealTime => {
            if !stop.sleep_until(*next) {
                return false;
            }
            let now = Instant::now();
            *next += period;
            if *next + period < now {
                *next = now + period;
            }
            true
        }
        Pacing::None => loop {
            if stop.is_stopped() {
                return false;
            }
            if sink.wait_for_room(Some(Instant::now() + ROOM_POLL), &|| stop.is_stopped()) {
                return true;
            }
        },
    }
}

/// Wait until some track is attached and has room, so that a source that
/// must not lose its first frame (a file's first picture or samples) starts
/// playing only once it has a listener. Returns false when the thread must stop.
pub fn wait_for_first_track(stop: &StopFlag, sink: &SourceSink) -> bool {
    while !stop.is_stopped() {
        if sink.wait_for_room(Some(Instant::now() + ROOM_POLL), &|| stop.is_stopped()) {
            return true;
        }
    }
    false
}

/// Every buffer of a source's pool is still held by consumers (frames kept by
/// a garbage-collected binding, say). In real time the frame is lost, as a
/// camera drops one: returns true (count it, move on). Unpaced, the source
/// waits a moment for a consumer to give a buffer back and tries the same
/// frame again: returns false. It never spins; the caller gives up on a frame
/// (and skips its sequence number) only after waiting a bounded time.
pub fn drop_for_want_of_buffer(stop: &StopFlag, pacing: Pacing) -> bool {
    match pacing {
        Pacing::RealTime => true,
        Pacing::None => {
            stop.sleep_until(Instant::now() + Duration::from_millis(1));
            false
        }
    }
}
