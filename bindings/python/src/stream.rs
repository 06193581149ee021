//! `MediaStream` (with `stop()`, the obsolete `LocalMediaStream` method), a context manager.

use lms_core::{MediaStream, MediaStreamTrack};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::detached::Detached;
use crate::errors::type_error;
use crate::identity::{wrap_track, PyTrack};
use crate::listeners;

/// A set of tracks. `with localmediastream.open(video=True) as stream:` stops
/// every track when the block ends, also on an exception. A stream that Python
/// collects stops the tracks nothing else holds.
#[pyclass(module = "localmediastream", name = "MediaStream", frozen, weakref)]
pub struct PyStream {
    inner: Detached<MediaStream>,
}

impl PyStream {
    pub fn new(stream: MediaStream) -> PyStream {
        PyStream {
            inner: Detached::new(stream),
        }
    }
}

fn wrap_all<'py>(py: Python<'py>, tracks: Vec<MediaStreamTrack>) -> PyResult<Bound<'py, PyList>> {
    let objects = tracks
        .into_iter()
        .map(|t| wrap_track(py, t))
        .collect::<PyResult<Vec<_>>>()?;
    PyList::new(py, objects)
}

#[pymethods]
impl PyStream {
    /// `MediaStream()`: no tracks, inactive. `MediaStream(stream)`: a new stream
    /// holding the same track objects. `MediaStream([track, ...])`: those tracks.
    #[new]
    #[pyo3(signature = (tracks = None))]
    fn py_new(py: Python<'_>, tracks: Option<&Bound<'_, PyAny>>) -> PyResult<PyStream> {
        let Some(arg) = tracks else {
            return Ok(PyStream::new(MediaStream::new()));
        };
        if let Ok(other) = arg.cast::<PyStream>() {
            return Ok(PyStream::new(MediaStream::from_stream(&other.get().inner)));
        }
        let not_tracks =
            || {
                type_error(
                    py,
                    format!(
                    "MediaStream() takes a MediaStream or an iterable of MediaStreamTrack, got {}",
                    arg.get_type().name().map(|n| n.to_string()).unwrap_or_default()
                ),
                )
            };
        let mut list = Vec::new();
        for item in arg.try_iter().map_err(|_| not_tracks())? {
            let item = item?;
            let track = item.cast::<PyTrack>().map_err(|_| not_tracks())?;
            list.push(track.get().core().clone());
        }
        Ok(PyStream::new(MediaStream::from_tracks(&list)))
    }

    /// A 36-character UUID, distinct per stream.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }
    /// True while at least one track is not ended.
    #[getter]
    fn active(&self) -> bool {
        self.inner.active()
    }
    /// The current tracks, in the order they were added.
    fn get_tracks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        wrap_all(py, self.inner.get_tracks())
    }
    fn get_audio_tracks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        wrap_all(py, self.inner.get_audio_tracks())
    }
    fn get_video_tracks<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        wrap_all(py, self.inner.get_video_tracks())
    }
    /// The track with this id (the same object), or None.
    fn get_track_by_id<'py>(
        &self,
        py: Python<'py>,
        id: &str,
    ) -> PyResult<Option<Bound<'py, PyTrack>>> {
        self.inner
            .get_track_by_id(id)
            .map(|t| wrap_track(py, t))
            .transpose()
    }
    /// Add a track; one already present is not added again. Allowed on an inactive stream.
    fn add_track(&self, track: &Bound<'_, PyTrack>) {
        self.inner.add_track(track.get().core())
    }
    /// Remove a track; an absent one is ignored.
    fn remove_track(&self, track: &Bound<'_, PyTrack>) {
        self.inner.remove_track(track.get().core())
    }
    /// A new stream (new id) of clones of every track (new ids, same devices).
    fn clone(&self, py: Python<'_>) -> PyStream {
        PyStream::new(py.detach(|| self.inner.clone_stream()))
    }
    /// Stop every track (`LocalMediaStream.stop()`).
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.inner.stop());
        for t in self.inner.get_tracks() {
            listeners::clear_track_listeners(&t);
        }
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    /// Stops every track; never swallows the exception.
    #[pyo3(signature = (_exc_type = None, _exc = None, _traceback = None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        self.stop(py);
        false
    }

    fn __repr__(&self) -> String {
        let kinds: Vec<&str> = self
            .inner
            .get_tracks()
            .iter()
            .map(|t| t.kind().as_str())
            .collect();
        format!(
            "<MediaStream {} [{}]{}>",
            self.inner.id(),
            kinds.join(", "),
            if self.inner.active() { "" } else { " inactive" }
        )
    }
}
