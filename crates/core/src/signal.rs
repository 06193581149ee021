//! A wake-up signal that costs nothing when nobody waits.
//!
//! A producer calls [`Signal::notify`] after publishing (a frame, free room);
//! it only takes the lock when a waiter registered. A waiter registers, checks
//! its condition again, and only then sleeps, so no wake-up is lost.

use std::sync::atomic::{fence, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Checks of the condition before a waiter sleeps (a few microseconds).
const SPINS: u32 = 100;

#[derive(Debug, Default)]
pub struct Signal {
    waiters: AtomicUsize,
    generation: Mutex<u64>,
    cv: Condvar,
}

impl Signal {
    pub fn new() -> Signal {
        Signal::default()
    }

    /// Wake every waiter, if any. Call after making the condition true.
    pub fn notify(&self) {
        fence(Ordering::SeqCst);
        if self.waiters.load(Ordering::SeqCst) > 0 {
            let mut g = self
                .generation
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            *g = g.wrapping_add(1);
            self.cv.notify_all();
        }
    }

    /// Wait until `ready()` is true or `deadline` passes (`None`: no deadline).
    /// Returns whether `ready()` became true.
    pub fn wait_until(&self, deadline: Option<Instant>, mut ready: impl FnMut() -> bool) -> bool {
        if ready() {
            return true;
        }
        // The other side is often a microsecond away (an unpaced source and its
        // reader on two cores): look again for a few microseconds before
        // sleeping, which costs two context switches and a futex each way.
        // Not when the deadline is already here: a zero timeout is a try.
        let spins = if deadline.is_some_and(|d| Instant::now() >= d) {
            0
        } else {
            SPINS
        };
        for _ in 0..spins {
            std::hint::spin_loop();
            if ready() {
                return true;
            }
        }
        let mut g = self
            .generation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        self.waiters.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            fence(Ordering::SeqCst);
            if ready() {
                break true;
            }
            let seen = *g;
            match deadline {
                None => {
                    while *g == seen {
                        g = self.cv.wait(g).unwrap_or_else(PoisonError::into_inner);
                    }
                }
                Some(deadline) => {
                    let now = Instant::now();
                    if now >= deadline {
                        break ready();
                    }
                    g = self
                        .cv
                        .wait_timeout(g, deadline - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0;
                }
            }
        };
        self.waiters.fetch_sub(1, Ordering::SeqCst);
        result
    }

    /// Wait at most `timeout` for `ready()`.
    pub fn wait_for(&self, timeout: Duration, ready: impl FnMut() -> bool) -> bool {
        self.wait_until(Instant::now().checked_add(timeout), ready)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn a_zero_timeout_is_a_try_not_a_spin() {
        let signal = Signal::new();
        let mut calls = 0;
        let ready = signal.wait_for(Duration::ZERO, || {
            calls += 1;
            false
        });
        assert!(!ready);
        assert!(calls <= 3, "looked {calls} times with no time to wait");
    }

    #[test]
    fn a_waiter_sees_a_notify_from_another_thread() {
        let signal = Arc::new(Signal::new());
        let flag = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (s, f) = (Arc::clone(&signal), Arc::clone(&flag));
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(20));
            f.store(true, Ordering::SeqCst);
            s.notify();
        });
        assert!(signal.wait_for(Duration::from_secs(5), || flag.load(Ordering::SeqCst)));
        t.join().unwrap();
    }
}
