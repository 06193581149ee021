//! `MediaStreamTrack`: its methods (the class itself and its one object per
//! core track are in `identity.rs`).

use std::time::{Duration, Instant};

use lms_core::{Frame, MediaStreamTrack};
use pyo3::prelude::*;

use crate::convert;
use crate::errors::{invalid_argument, to_py, OrRaise};
use crate::frame::PyFrame;
use crate::identity::{wrap_track, PyTrack};
use crate::listeners;

/// How long one blocking wait lasts before checking for Ctrl-C (KeyboardInterrupt).
const POLL: Duration = Duration::from_millis(100);

/// Counters of a track's delivery.
#[pyclass(module = "localmediastream", name = "TrackStats", frozen, eq)]
#[derive(PartialEq)]
pub struct PyTrackStats {
    /// Frames handed to the consumer (read, iterated or passed to the frame callback).
    #[pyo3(get)]
    frames_delivered: u64,
    /// Frames dropped because the consumer fell behind (its queue was full).
    #[pyo3(get)]
    frames_dropped: u64,
}

#[pymethods]
impl PyTrackStats {
    fn __repr__(&self) -> String {
        format!(
            "TrackStats(frames_delivered={}, frames_dropped={})",
            self.frames_delivered, self.frames_dropped
        )
    }
}

/// A timeout in seconds (`None`: no limit) as a Duration (`None`: no limit).
fn timeout_of(py: Python<'_>, seconds: Option<f64>) -> PyResult<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_nan() || s < 0.0 => Err(invalid_argument(
            py,
            format!("timeout must be None or a number of seconds >= 0, got {s}"),
        )),
        // Longer than a Duration holds: no limit.
        Some(s) => Ok(Duration::try_from_secs_f64(s).ok()),
    }
}

/// The next frame, waiting up to `timeout` with the GIL released, in slices
/// that let Ctrl-C through. The outer error is Python's (KeyboardInterrupt),
/// the inner one the core's (TimeoutError, EndedError).
fn next_frame(
    py: Python<'_>,
    track: &MediaStreamTrack,
    timeout: Option<Duration>,
) -> PyResult<lms_core::Result<Frame>> {
    if let Some(frame) = track.try_read() {
        return Ok(Ok(frame));
    }
    // A timeout beyond what an Instant can hold (1e19 s) is no limit.
    let deadline = timeout.and_then(|t| Instant::now().checked_add(t));
    loop {
        let slice = match deadline {
            None => POLL,
            Some(d) => d.saturating_duration_since(Instant::now()).min(POLL),
        };
        match py.detach(|| track.read(Some(slice))) {
            Err(lms_core::Error::Timeout(_)) => {
                py.check_signals()?;
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    let ms = timeout.map_or(0, |t| t.as_millis() as u64);
                    return Ok(Err(lms_core::Error::Timeout(ms)));
                }
            }
            other => return Ok(other),
        }
    }
}

#[pymethods]
impl PyTrack {
    /// A 36-character UUID, distinct for every track.
    #[getter]
    fn id(&self) -> &str {
        self.inner.id()
    }
    /// `"audio"` or `"video"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }
    /// The device's label.
    #[getter]
    fn label(&self) -> &str {
        self.inner.label()
    }
    /// A disabled track delivers black pictures and silent audio. Settable, also
    /// on an ended track (where it changes nothing else).
    #[getter]
    fn enabled(&self) -> bool {
        self.inner.enabled()
    }
    #[setter]
    fn set_enabled(&self, enabled: bool) {
        self.inner.set_enabled(enabled)
    }
    /// Whether the source cannot deliver for now (no frames arrive while muted).
    #[getter]
    fn muted(&self) -> bool {
        self.inner.muted()
    }
    /// `"live"` or `"ended"`.
    #[getter]
    fn ready_state(&self) -> &'static str {
        self.inner.ready_state().as_str()
    }
    /// Frames delivered and dropped so far.
    #[getter]
    fn stats(&self) -> PyTrackStats {
        let s = self.inner.stats();
        PyTrackStats {
            frames_delivered: s.frames_delivered,
            frames_dropped: s.frames_dropped,
        }
    }

    /// End the track at once (`ready_state` becomes `"ended"`), fire no `ended`
    /// event, discard queued frames and release the device if no other track
    /// uses it. Calling it again does nothing.
    fn stop(&self, py: Python<'_>) {
        py.detach(|| self.inner.stop());
        listeners::clear_track_listeners(&self.inner);
    }

    /// A new track (new id) on the same device with the same settings,
    /// constraints and `enabled`; the clone of an ended track is ended.
    fn clone<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTrack>> {
        let clone = py.detach(|| self.inner.clone_track());
        wrap_track(py, clone)
    }

    /// What the track delivers now, as the specification's dictionary
    /// (`width`, `height`, `frameRate`, `deviceId`, ... or `sampleRate`, `channelCount`, ...).
    fn get_settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_py(py, &self.inner.settings_json())
    }
    /// Every property of the kind: ranges as `{"min", "max"}`, lists of choices.
    fn get_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_py(py, &self.inner.get_capabilities())
    }
    /// The constraints of the last successful open or `apply_constraints()`.
    fn get_constraints<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        convert::to_py(py, &self.inner.get_constraints())
    }
    /// Change the track's settings. An impossible required value raises
    /// OverconstrainedError naming it and changes nothing; an impossible ideal
    /// is accepted; on an ended track it succeeds and changes nothing.
    /// `constraints`: a dict such as `{"width": 320}` (or JSON text); None means `{}`.
    #[pyo3(signature = (constraints = None))]
    fn apply_constraints(
        &self,
        py: Python<'_>,
        constraints: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let value = match constraints {
            Some(c) => convert::to_json(py, c, "constraints")?,
            None => serde_json::Value::Null,
        };
        py.detach(|| self.inner.apply_constraints(&value))
            .or_raise(py)
    }

    /// The next frame, waiting up to `timeout` seconds (None: until one comes)
    /// with the GIL released. TimeoutError when none came in time; EndedError
    /// once the track has ended and its queue is empty.
    #[pyo3(signature = (timeout = None))]
    fn read(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyFrame> {
        let timeout = timeout_of(py, timeout)?;
        match next_frame(py, &self.inner, timeout)? {
            Ok(frame) => Ok(PyFrame::new(frame)),
            Err(e) => Err(to_py(py, e)),
        }
    }
    /// The next frame if one is queued, else None. Never waits.
    fn try_read(&self) -> Option<PyFrame> {
        self.inner.try_read().map(PyFrame::new)
    }

    /// `for frame in track`: frames until the track ends.
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    fn __next__(&self, py: Python<'_>) -> PyResult<Option<PyFrame>> {
        match next_frame(py, &self.inner, None)? {
            Ok(frame) => Ok(Some(PyFrame::new(frame))),
            Err(lms_core::Error::Ended(_)) => Ok(None),
            Err(e) => Err(to_py(py, e)),
        }
    }
    /// `async for frame in track`: frames until the track ends; waits in a
    /// worker thread, so the event loop keeps running.
    fn __aiter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("localmediastream._aio")?
            .call_method1("frames", (slf,))
    }

    /// Call `callback(event)` when the track fires `event` (`"ended"`, `"mute"`
    /// or `"unmute"`). It runs on the library's event thread holding the GIL and
    /// must not block for long; an exception goes to `sys.unraisablehook`.
    fn add_event_listener(
        &self,
        py: Python<'_>,
        event: &str,
        callback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        listeners::add_track_listener(py, &self.inner, event, callback)
    }
    /// Remove a listener added with `add_event_listener`; an unknown one is ignored.
    fn remove_event_listener(
        &self,
        py: Python<'_>,
        event: &str,
        callback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        listeners::remove_track_listener(py, &self.inner, event, callback)
    }

    /// Push delivery: call `callback(frame)` for every frame, in order, on the
    /// track's own delivery thread (`lms-track`) holding the GIL, instead of
    /// queueing frames for `read()`. None stops it. An exception goes to
    /// `sys.unraisablehook` and delivery goes on. The callback may stop the track.
    fn set_frame_callback(
        &self,
        py: Python<'_>,
        callback: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<()> {
        let callback = match callback {
            Some(cb) if !cb.is_callable() => {
                return Err(crate::errors::type_error(
                    py,
                    format!(
                        "a frame callback must be callable, got {}",
                        cb.get_type().name()?
                    ),
                ))
            }
            Some(cb) => {
                let cb = cb.clone().unbind();
                let deliver = move |frame: &Frame| {
                    Python::try_attach(|py| {
                        if let Err(e) = cb.call1(py, (PyFrame::new(frame.clone()),)) {
                            e.write_unraisable(py, Some(cb.bind(py)));
                        }
                    });
                };
                Some(std::sync::Arc::new(deliver) as lms_core::FrameCallback)
            }
            None => None,
        };
        // Replacing a callback waits for the old delivery thread, which may need the GIL.
        py.detach(|| self.inner.set_frame_callback(callback))
            .or_raise(py)
    }

    fn __repr__(&self) -> String {
        format!(
            "<MediaStreamTrack {} {} {:?} {}>",
            self.inner.kind(),
            self.inner.id(),
            self.inner.label(),
            self.inner.ready_state().as_str()
        )
    }
}
