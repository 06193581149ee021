//! Track identity: one Python object per core track while any Python code
//! holds it (`stream.get_track_by_id(id) is track`), kept in a
//! `weakref.WeakValueDictionary` from track id to `MediaStreamTrack`. The map
//! holds no strong reference, so it never keeps a track alive.
//!
//! The class `MediaStreamTrack` is defined here, below the listeners that
//! pass it as `event.target`; its methods are in `track.rs`.

use lms_core::MediaStreamTrack;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

use crate::detached::Detached;

/// One kind of media from one device. `stop()` ends it at once; a live track
/// that Python collects is stopped too, releasing its device when no other
/// track uses it. The same track is always the same Python object while any
/// Python code holds it.
#[pyclass(
    module = "localmediastream",
    name = "MediaStreamTrack",
    frozen,
    weakref
)]
pub struct PyTrack {
    /// The core track (its methods, in `track.rs`, use it directly).
    pub(crate) inner: Detached<MediaStreamTrack>,
}

impl PyTrack {
    /// A new object for `track`; [`wrap_track`] keeps it the only one.
    pub fn new(track: MediaStreamTrack) -> PyTrack {
        PyTrack {
            inner: Detached::new(track),
        }
    }

    /// The core track.
    pub fn core(&self) -> &MediaStreamTrack {
        &self.inner
    }
}

static TRACK_OBJECTS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python object of a core track: the existing one if Python holds it, else a new one.
pub fn wrap_track<'py>(py: Python<'py>, track: MediaStreamTrack) -> PyResult<Bound<'py, PyTrack>> {
    let objects = TRACK_OBJECTS
        .get_or_try_init(py, || {
            py.import("weakref")?
                .getattr("WeakValueDictionary")?
                .call0()
                .map(Bound::unbind)
        })?
        .bind(py);
    let id = track.id().to_owned();
    let existing = objects.call_method1("get", (&id,))?;
    if let Ok(obj) = existing.cast_into::<PyTrack>() {
        // `obj` owns a handle of the same track, so this one is not the last.
        drop(track);
        return Ok(obj);
    }
    let obj = Bound::new(py, PyTrack::new(track))?;
    // Another thread may have made one meanwhile (creating an object can run
    // the GC, whose finalizers may let other threads in): keep the first.
    Ok(objects
        .call_method1("setdefault", (id, &obj))?
        .cast_into::<PyTrack>()?)
}
