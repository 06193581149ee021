//! The part of a track its source sees: where frames go and what the track wants.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use arc_swap::ArcSwap;
use serde_json::Value;

use crate::events::Listeners;
use crate::kind::MediaKind;
use crate::queue::FrameQueue;
use crate::settings::TrackSettings;
use crate::signal::Signal;

/// A track's delivery end, shared by the track and the source feeding it.
#[derive(Debug)]
pub(crate) struct TrackSink {
    pub id: String,
    pub kind: MediaKind,
    pub queue: FrameQueue,
    /// What the track delivers; replaced whole by `applyConstraints()`.
    pub settings: ArcSwap<TrackSettings>,
    /// `getConstraints()`: the constraints the settings were chosen for (a
    /// source whose frames change size chooses again from them).
    constraints: Mutex<Value>,
    pub enabled: AtomicBool,
    pub ended: AtomicBool,
    pub muted: AtomicBool,
    pub listeners: Listeners,
}

impl TrackSink {
    pub fn new(
        id: String,
        settings: TrackSettings,
        constraints: Value,
        queue_size: usize,
        room: Arc<Signal>,
    ) -> TrackSink {
        let kind = match settings {
            TrackSettings::Video(_) => MediaKind::Video,
            TrackSettings::Audio(_) => MediaKind::Audio,
        };
        TrackSink {
            id,
            kind,
            queue: FrameQueue::new(queue_size, room),
            settings: ArcSwap::from_pointee(settings),
            constraints: Mutex::new(constraints),
            enabled: AtomicBool::new(true),
            ended: AtomicBool::new(false),
            muted: AtomicBool::new(false),
            listeners: Listeners::default(),
        }
    }

    /// The constraints the track's settings answer.
    pub fn constraints(&self) -> MutexGuard<'_, Value> {
        self.constraints
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub fn is_ended(&self) -> bool {
        self.ended.load(Ordering::Acquire)
    }

    /// The source ended by itself: end the track (once), keep its queued frames
    /// for the reader, fire `ended`. No-op for a track already ended or stopped.
    pub fn end_by_source(&self, detail: &str) {
        if !self.ended.swap(true, Ordering::AcqRel) {
            self.queue.close(false);
            self.listeners.fire("ended", detail);
        }
    }

    /// The source became muted or unmuted: fire `mute` / `unmute` on a change.
    pub fn set_muted(&self, muted: bool, detail: &str) {
        if self.is_ended() {
            return;
        }
        if self.muted.swap(muted, Ordering::AcqRel) != muted {
            self.listeners
                .fire(if muted { "mute" } else { "unmute" }, detail);
        }
    }
}
