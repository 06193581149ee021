//! A capture thread that can be stopped at once, even in the middle of a
//! paced wait, and from any thread including itself.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Instant;

use crate::signal::Signal;

/// Shared between a capture thread and whoever stops it.
#[derive(Debug, Default)]
pub struct StopFlag {
    stopped: AtomicBool,
    signal: Signal,
}

impl StopFlag {
    pub fn is_stopped(&self) -> bool {
        self.stopped.load(Ordering::Acquire)
    }
    pub fn stop(&self) {
        self.stopped.store(true, Ordering::Release);
        self.signal.notify();
    }
    /// Sleep until `deadline`; returns false at once if stopped meanwhile.
    pub fn sleep_until(&self, deadline: Instant) -> bool {
        !self.signal.wait_until(Some(deadline), || self.is_stopped())
    }
}

/// A named thread running a capture loop.
#[derive(Debug)]
pub struct CaptureThread {
    stop: Arc<StopFlag>,
    handle: Option<JoinHandle<()>>,
    on_stop: Vec<Arc<crate::signal::Signal>>,
}

impl CaptureThread {
    /// Spawn `body`, which must return soon after its `StopFlag` is stopped.
    pub fn spawn(
        name: String,
        body: impl FnOnce(Arc<StopFlag>) + Send + 'static,
    ) -> std::io::Result<CaptureThread> {
        let stop = Arc::new(StopFlag::default());
        let flag = Arc::clone(&stop);
        let handle = std::thread::Builder::new()
            .name(name)
            .spawn(move || body(flag))?;
        Ok(CaptureThread {
            stop,
            handle: Some(handle),
            on_stop: Vec::new(),
        })
    }

    /// Also wake waiters on `signal` when stopping (e.g. the source's "room" signal).
    pub fn wake_on_stop(&mut self, signal: Arc<crate::signal::Signal>) {
        self.on_stop.push(signal);
    }

    pub fn stop_flag(&self) -> &Arc<StopFlag> {
        &self.stop
    }

    /// Stop the thread and wait for it, unless called from the thread itself
    /// (then it exits as soon as the current frame returns).
    pub fn stop(&mut self) {
        self.stop.stop();
        for s in &self.on_stop {
            s.notify();
        }
        if let Some(handle) = self.handle.take() {
            if handle.thread().id() != std::thread::current().id() {
                let _ = handle.join();
            }
        }
    }
}

impl Drop for CaptureThread {
    fn drop(&mut self) {
        self.stop();
    }
}
