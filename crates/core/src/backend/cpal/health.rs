//! What the callbacks and the owner thread of a cpal stream share: when data
//! last arrived, whether the tracks were ended, and the callback's thread.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::OnceLock;
use std::thread::ThreadId;
use std::time::Duration;

use crate::backend::SourceSink;
use crate::clock::monotonic_us;

/// What the callbacks and the owner thread share about a running stream.
pub(super) struct Health {
    /// `monotonic_us` of the last data callback (of the start, before the first).
    last_data_us: AtomicI64,
    /// The tracks were ended by a stream error or a stall (once only).
    failed: AtomicBool,
    /// The thread cpal calls the data callback on, once known.
    callback_thread: OnceLock<ThreadId>,
    /// The thread cpal called the error callback on, once it has.
    error_thread: OnceLock<ThreadId>,
}

impl Health {
    pub(super) fn new() -> Health {
        Health {
            last_data_us: AtomicI64::new(monotonic_us()),
            failed: AtomicBool::new(false),
            callback_thread: OnceLock::new(),
            error_thread: OnceLock::new(),
        }
    }

    /// The stream started playing: the stall clock starts now. (It does not
    /// say which thread the callbacks run on: only they know.)
    pub(super) fn started(&self) {
        self.last_data_us.store(monotonic_us(), Ordering::Relaxed);
    }

    /// Whether the calling thread is one cpal runs our callbacks on (which
    /// must not wait for the stream to be dropped: dropping it joins them).
    pub(super) fn on_callback_thread(&self) -> bool {
        let here = Some(std::thread::current().id());
        self.callback_thread.get().copied() == here || self.error_thread.get().copied() == here
    }

    /// Called by the data callback: cheap, no allocation.
    pub(super) fn data_arrived(&self) {
        if self.callback_thread.get().is_none() {
            let _ = self.callback_thread.set(std::thread::current().id());
        }
        self.last_data_us.store(monotonic_us(), Ordering::Relaxed);
    }

    /// Called by the error callback before it ends the tracks.
    pub(super) fn error_arrived(&self) {
        if self.error_thread.get().is_none() {
            let _ = self.error_thread.set(std::thread::current().id());
        }
    }

    /// End the tracks, once, saying why.
    pub(super) fn fail(&self, sink: &SourceSink, why: &str) {
        if !self.failed.swap(true, Ordering::AcqRel) {
            sink.end(why);
        }
    }

    /// Whether the tracks were ended already.
    pub(super) fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    /// How long since data last arrived (or the stream started).
    pub(super) fn silent_for(&self) -> Duration {
        let quiet_us = monotonic_us() - self.last_data_us.load(Ordering::Relaxed);
        Duration::from_micros(quiet_us.max(0) as u64)
    }
}
