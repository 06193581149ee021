//! Handles: integer ids into typed registries. Ids come from one process-wide
//! counter, start at 1 and are never reused, so a stale, double-freed, forged
//! or wrong-kind id is simply absent from the registry it is looked up in.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError};

use lms_core::{
    Error, Frame, ListenerId, MediaStream, MediaStreamTrack, Photo, Result, TrackGenerator,
    WeakTrack,
};

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Objects of one kind, by handle id.
pub(crate) struct Registry<T> {
    what: &'static str,
    map: Mutex<HashMap<u64, T>>,
}

impl<T: Clone> Registry<T> {
    fn new(what: &'static str) -> Registry<T> {
        Registry {
            what,
            map: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<u64, T>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Register `value` under a new id.
    pub fn insert(&self, value: T) -> u64 {
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        self.lock().insert(id, value);
        id
    }

    /// The object behind `id`.
    pub fn get(&self, id: u64) -> Result<T> {
        self.lock()
            .get(&id)
            .cloned()
            .ok_or_else(|| self.invalid(id))
    }

    /// Unregister `id`, giving its object back (to drop it outside the lock).
    pub fn remove(&self, id: u64) -> Result<T> {
        self.lock().remove(&id).ok_or_else(|| self.invalid(id))
    }

    /// Unregister `id` if `allowed` accepts its object; otherwise `refusal` says why not.
    pub fn remove_if(
        &self,
        id: u64,
        allowed: impl Fn(&T) -> bool,
        refusal: impl Fn() -> Error,
    ) -> Result<T> {
        let mut map = self.lock();
        match map.get(&id) {
            None => Err(self.invalid(id)),
            Some(v) if !allowed(v) => Err(refusal()),
            Some(_) => map.remove(&id).ok_or_else(|| self.invalid(id)),
        }
    }

    fn invalid(&self, id: u64) -> Error {
        Error::InvalidHandle(format!(
            "{id} is not a live {} handle (zero, stale, released, forged or of another kind)",
            self.what
        ))
    }
}

/// A frame handed to C: `lent` frames belong to a running callback and are
/// released by the library when it returns.
#[derive(Clone)]
pub(crate) struct FrameEntry {
    pub frame: Frame,
    pub lent: bool,
}

/// What a listener handle removes.
#[derive(Clone)]
pub(crate) enum ListenerEntry {
    Track {
        track: WeakTrack,
        ids: Vec<ListenerId>,
    },
    DeviceChange(ListenerId),
}

pub(crate) static STREAMS: LazyLock<Registry<MediaStream>> =
    LazyLock::new(|| Registry::new("lms_stream"));
pub(crate) static TRACKS: LazyLock<Registry<MediaStreamTrack>> =
    LazyLock::new(|| Registry::new("lms_track"));
pub(crate) static FRAMES: LazyLock<Registry<FrameEntry>> =
    LazyLock::new(|| Registry::new("lms_frame"));
pub(crate) static LISTENERS: LazyLock<Registry<ListenerEntry>> =
    LazyLock::new(|| Registry::new("lms_listener"));
pub(crate) static PHOTOS: LazyLock<Registry<Arc<Photo>>> =
    LazyLock::new(|| Registry::new("lms_photo"));
pub(crate) static GENERATORS: LazyLock<Registry<TrackGenerator>> =
    LazyLock::new(|| Registry::new("lms_generator"));
