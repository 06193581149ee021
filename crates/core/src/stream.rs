//! `MediaStream` (and the obsolete `LocalMediaStream.stop()`).

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::kind::MediaKind;
use crate::track::{new_id, MediaStreamTrack, ReadyState};

/// A set of tracks. Cloning the Rust handle gives the same stream;
/// [`MediaStream::clone_stream`] is the specification's `clone()`.
#[derive(Clone)]
pub struct MediaStream {
    inner: Arc<StreamInner>,
}

struct StreamInner {
    id: String,
    tracks: Mutex<Vec<MediaStreamTrack>>,
}

impl std::fmt::Debug for MediaStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStream")
            .field("id", &self.id())
            .field("active", &self.active())
            .field("tracks", &self.get_tracks())
            .finish()
    }
}

impl Default for MediaStream {
    fn default() -> Self {
        MediaStream::new()
    }
}

impl MediaStream {
    /// `new MediaStream()`: no tracks, inactive.
    pub fn new() -> MediaStream {
        MediaStream::from_tracks(&[])
    }

    /// `new MediaStream(tracks)`: holds those very tracks (duplicates once).
    pub fn from_tracks(tracks: &[MediaStreamTrack]) -> MediaStream {
        let stream = MediaStream {
            inner: Arc::new(StreamInner {
                id: new_id(),
                tracks: Mutex::new(Vec::new()),
            }),
        };
        for t in tracks {
            stream.add_track(t);
        }
        stream
    }

    /// `new MediaStream(stream)`: a new stream holding the same track objects.
    pub fn from_stream(other: &MediaStream) -> MediaStream {
        MediaStream::from_tracks(&other.get_tracks())
    }

    /// A 36-character UUID, distinct per stream.
    pub fn id(&self) -> &str {
        &self.inner.id
    }

    /// True while at least one track is not ended.
    pub fn active(&self) -> bool {
        self.lock()
            .iter()
            .any(|t| t.ready_state() == ReadyState::Live)
    }

    /// The current tracks, in the order they were added.
    pub fn get_tracks(&self) -> Vec<MediaStreamTrack> {
        self.lock().clone()
    }
    pub fn get_audio_tracks(&self) -> Vec<MediaStreamTrack> {
        self.of_kind(MediaKind::Audio)
    }
    pub fn get_video_tracks(&self) -> Vec<MediaStreamTrack> {
        self.of_kind(MediaKind::Video)
    }
    /// The track with this id (the same object), or `None`.
    pub fn get_track_by_id(&self, id: &str) -> Option<MediaStreamTrack> {
        self.lock().iter().find(|t| t.id() == id).cloned()
    }

    /// Add a track; one already present is not added again. Fires no event.
    /// Allowed on an inactive stream.
    pub fn add_track(&self, track: &MediaStreamTrack) {
        let mut tracks = self.lock();
        if !tracks.iter().any(|t| t.same_track(track)) {
            tracks.push(track.clone());
        }
    }

    /// Remove a track; an absent one is ignored. Fires no event.
    pub fn remove_track(&self, track: &MediaStreamTrack) {
        self.lock().retain(|t| !t.same_track(track));
    }

    /// `clone()`: a new stream (new id) of clones of every track (new ids, same sources).
    pub fn clone_stream(&self) -> MediaStream {
        let clones: Vec<MediaStreamTrack> =
            self.get_tracks().iter().map(|t| t.clone_track()).collect();
        MediaStream::from_tracks(&clones)
    }

    /// `LocalMediaStream.stop()`: stop every track.
    pub fn stop(&self) {
        for t in self.get_tracks() {
            t.stop();
        }
    }

    /// Whether two handles are the same stream.
    pub fn same_stream(&self, other: &MediaStream) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    fn of_kind(&self, kind: MediaKind) -> Vec<MediaStreamTrack> {
        self.lock()
            .iter()
            .filter(|t| t.kind() == kind)
            .cloned()
            .collect()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<MediaStreamTrack>> {
        self.inner
            .tracks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}
