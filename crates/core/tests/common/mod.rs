//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lms_core::{MediaDevices, MediaStreamTrack, TrackEvent};

/// An isolated instance with fake devices that run as fast as they are read.
pub fn unpaced() -> MediaDevices {
    MediaDevices::from_json(
        r#"{"backends": ["fake"], "fake": {"pacing": "none", "video": 2, "audio": 1}}"#,
    )
    .expect("fake configuration")
}

/// An isolated instance with fake devices paced in real time.
pub fn realtime() -> MediaDevices {
    MediaDevices::from_json(
        r#"{"backends": ["fake"], "fake": {"pacing": "realtime", "video": 1, "audio": 1}}"#,
    )
    .expect("fake configuration")
}

pub fn with(config: &str) -> MediaDevices {
    MediaDevices::from_json(config).expect("configuration")
}

pub const SECOND: Option<Duration> = Some(Duration::from_secs(5));

/// Wait up to 30 s for `cond`: long, as it returns as soon as `cond` holds;
/// only a failing test waits it out.
pub fn eventually(mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    cond()
}

/// Counts the events of one kind a track fires.
pub struct Counter(pub Arc<AtomicUsize>);

impl Counter {
    pub fn on(track: &MediaStreamTrack, event: TrackEvent) -> Counter {
        let n = Arc::new(AtomicUsize::new(0));
        let c = Arc::clone(&n);
        track.add_event_listener(event, move |_| {
            c.fetch_add(1, Ordering::SeqCst);
        });
        Counter(n)
    }
    /// The count once every event queued so far has been delivered.
    pub fn settled(&self) -> usize {
        lms_core::events::flush();
        self.0.load(Ordering::SeqCst)
    }
}

/// Records event details in order.
#[derive(Clone, Default)]
pub struct Log(pub Arc<Mutex<Vec<String>>>);

impl Log {
    pub fn push(&self, s: impl Into<String>) {
        self.0.lock().unwrap().push(s.into());
    }
    pub fn settled(&self) -> Vec<String> {
        lms_core::events::flush();
        self.0.lock().unwrap().clone()
    }
}
