//! Events (`ended`, `mute`, `unmute`, `devicechange`) and the thread that runs listeners.
//!
//! Every listener runs on one library thread, `lms-events`, in the order the
//! events happened. No library lock is held while a listener runs, so a
//! listener may call any function of the library (stop its own track, open
//! another stream). A listener must not block for long: it delays every
//! later event. A listener that panics is caught; the next one still runs.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// Events a track fires.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackEvent {
    /// The source ended by itself (device lost, file over, driver failure). Never fired by `stop()`.
    Ended,
    /// The source can temporarily not deliver frames.
    Mute,
    /// The source delivers again.
    Unmute,
}

impl TrackEvent {
    pub fn name(self) -> &'static str {
        match self {
            TrackEvent::Ended => "ended",
            TrackEvent::Mute => "mute",
            TrackEvent::Unmute => "unmute",
        }
    }
    pub fn from_name(name: &str) -> Option<TrackEvent> {
        match name {
            "ended" => Some(TrackEvent::Ended),
            "mute" => Some(TrackEvent::Mute),
            "unmute" => Some(TrackEvent::Unmute),
            _ => None,
        }
    }
}

/// What a listener receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventInfo {
    /// `"ended"`, `"mute"`, `"unmute"` or `"devicechange"`.
    pub name: &'static str,
    /// Why, in words (e.g. `"device disconnected"`); may be empty.
    pub detail: String,
}

/// Identifies a registered listener, for removal. Never reused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListenerId(pub u64);

/// A listener function.
pub type Listener = Arc<dyn Fn(&EventInfo) + Send + Sync>;

static NEXT_LISTENER: AtomicU64 = AtomicU64::new(1);

/// Listeners of one object, each for one event name.
#[derive(Default)]
pub struct Listeners {
    list: Mutex<Vec<(ListenerId, &'static str, Listener)>>,
}

impl std::fmt::Debug for Listeners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.list.lock().map(|l| l.len()).unwrap_or(0);
        write!(f, "Listeners({n})")
    }
}

impl Listeners {
    pub fn add(&self, event: &'static str, listener: Listener) -> ListenerId {
        let id = ListenerId(NEXT_LISTENER.fetch_add(1, Ordering::Relaxed));
        self.lock().push((id, event, listener));
        id
    }

    /// Remove a listener; false if it was not registered here.
    pub fn remove(&self, id: ListenerId) -> bool {
        let mut list = self.lock();
        let before = list.len();
        list.retain(|(i, _, _)| *i != id);
        list.len() != before
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Whether no listener is registered.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Queue `event` for every listener of its name, on the event thread.
    pub fn fire(&self, name: &'static str, detail: &str) {
        let targets: Vec<Listener> = self
            .lock()
            .iter()
            .filter(|(_, e, _)| *e == name)
            .map(|(_, _, l)| Arc::clone(l))
            .collect();
        if targets.is_empty() {
            return;
        }
        let info = EventInfo {
            name,
            detail: detail.to_string(),
        };
        dispatch(Box::new(move || {
            for listener in targets {
                let _ = catch_unwind(AssertUnwindSafe(|| listener(&info)));
            }
        }));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(ListenerId, &'static str, Listener)>> {
        self.list.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

type Job = Box<dyn FnOnce() + Send>;

fn event_thread() -> &'static Mutex<Sender<Job>> {
    static SENDER: OnceLock<Mutex<Sender<Job>>> = OnceLock::new();
    SENDER.get_or_init(|| {
        let (tx, rx) = channel::<Job>();
        std::thread::Builder::new()
            .name("lms-events".into())
            .spawn(move || {
                for job in rx {
                    let _ = catch_unwind(AssertUnwindSafe(job));
                }
            })
            .expect("spawning the lms-events thread");
        Mutex::new(tx)
    })
}

/// Run `job` on the event thread after every job queued before it.
pub fn dispatch(job: Job) {
    let sender = event_thread()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .clone();
    // The event thread lives as long as the process; a send can only fail during exit.
    let _ = sender.send(job);
}

/// Wait until every event queued so far has been delivered (tests, orderly shutdown).
/// Must not be called from a listener.
pub fn flush() {
    let (tx, rx) = channel::<()>();
    dispatch(Box::new(move || {
        let _ = tx.send(());
    }));
    let _ = rx.recv();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listeners_run_in_order_on_the_event_thread_and_survive_a_panic() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listeners = Listeners::default();
        listeners.add("mute", Arc::new(|_| panic!("a listener that panics")));
        let s = Arc::clone(&seen);
        listeners.add(
            "mute",
            Arc::new(move |e| {
                let thread = std::thread::current().name().unwrap_or("").to_string();
                s.lock().unwrap().push((e.detail.clone(), thread));
            }),
        );
        listeners.fire("mute", "first");
        listeners.fire("unmute", "nobody listens");
        listeners.fire("mute", "second");
        flush();
        let seen = seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            vec![
                ("first".into(), "lms-events".into()),
                ("second".into(), "lms-events".into())
            ]
        );
    }

    #[test]
    fn a_removed_listener_is_not_called() {
        let count = Arc::new(AtomicU64::new(0));
        let listeners = Listeners::default();
        let c = Arc::clone(&count);
        let id = listeners.add(
            "ended",
            Arc::new(move |_| {
                c.fetch_add(1, Ordering::SeqCst);
            }),
        );
        assert!(listeners.remove(id));
        assert!(!listeners.remove(id));
        listeners.fire("ended", "");
        flush();
        assert_eq!(count.load(Ordering::SeqCst), 0);
    }
}
