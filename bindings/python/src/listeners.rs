//! Event listeners.
//!
//! Listeners run on the library's event thread (`lms-events`), which takes
//! the GIL for each call. A listener that raises goes to
//! `sys.unraisablehook`; capture and later listeners go on. The core keeps
//! each listener's callable; the closure around it holds only a weak handle
//! of its track (to pass `event.target`), so a listener never keeps its own
//! track alive. A registry beside it remembers `(event, callable)` for
//! `remove_event_listener`, for as long as the core track lives, so
//! registrations survive a track's Python object being collected and
//! recreated.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use lms_core::{EventInfo, ListenerId, MediaDevices, MediaStreamTrack, TrackEvent, WeakTrack};
use pyo3::prelude::*;

use crate::detached::drop_detached;
use crate::errors::{invalid_argument, type_error};
use crate::identity::{wrap_track, PyTrack};

/// What a listener receives.
#[pyclass(module = "localmediastream", name = "Event", frozen)]
pub struct PyEvent {
    /// `"ended"`, `"mute"`, `"unmute"` or `"devicechange"`.
    #[pyo3(get, name = "type")]
    kind: String,
    /// Why, in words (e.g. `"device disconnected"`); may be empty.
    #[pyo3(get)]
    detail: String,
    /// The track that fired the event (`None` for `devicechange`, or when
    /// nothing holds the track any more).
    #[pyo3(get)]
    target: Option<Py<PyTrack>>,
}

#[pymethods]
impl PyEvent {
    fn __repr__(&self) -> String {
        format!("<Event {} {:?}>", self.kind, self.detail)
    }
}

/// Call `callback(event)` on the current (library) thread, taking the GIL;
/// an exception goes to `sys.unraisablehook`.
fn deliver(callback: &Py<PyAny>, info: &EventInfo, target: Option<&WeakTrack>) {
    Python::try_attach(|py| {
        let target_track = target.and_then(WeakTrack::upgrade);
        let result = (|| -> PyResult<()> {
            let target = match target_track.clone() {
                Some(t) => Some(wrap_track(py, t)?.unbind()),
                None => None,
            };
            let event = PyEvent {
                kind: info.name.to_owned(),
                detail: info.detail.clone(),
                target,
            };
            callback.call1(py, (event,))?;
            Ok(())
        })();
        if let Err(e) = result {
            e.write_unraisable(py, Some(callback.bind(py)));
        }
        drop_detached(target_track);
    });
}

struct Registration {
    event: &'static str,
    callback: Py<PyAny>,
    id: ListenerId,
}

struct TrackRegistrations {
    track: WeakTrack,
    list: Vec<Registration>,
}

#[derive(Default)]
struct Registry {
    tracks: HashMap<String, TrackRegistrations>,
    /// Prune registrations of dropped tracks when the map grows past this.
    prune_at: usize,
    devices: Vec<Registration>,
}

fn registry() -> MutexGuard<'static, Registry> {
    static REGISTRY: LazyLock<Mutex<Registry>> = LazyLock::new(Mutex::default);
    // The lock is only held for plain Rust work and reference-count increments:
    // never across a call into Python code or a drop of a Python object.
    REGISTRY.lock().unwrap_or_else(PoisonError::into_inner)
}

fn check_callable(py: Python<'_>, callback: &Bound<'_, PyAny>) -> PyResult<()> {
    if callback.is_callable() {
        Ok(())
    } else {
        Err(type_error(
            py,
            format!(
                "a listener must be callable, got {}",
                callback.get_type().name()?
            ),
        ))
    }
}

fn track_event(py: Python<'_>, name: &str) -> PyResult<TrackEvent> {
    TrackEvent::from_name(name).ok_or_else(|| {
        invalid_argument(
            py,
            format!("unknown track event \"{name}\": expected \"ended\", \"mute\" or \"unmute\""),
        )
    })
}

/// The registrations of `list` whose event is `event` and whose callable equals `callback`.
fn find(
    py: Python<'_>,
    list: Vec<(&'static str, Py<PyAny>, ListenerId)>,
    event: &str,
    callback: &Bound<'_, PyAny>,
) -> PyResult<Option<ListenerId>> {
    for (e, cb, id) in list {
        if e == event && cb.bind(py).eq(callback)? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

fn snapshot(py: Python<'_>, list: &[Registration]) -> Vec<(&'static str, Py<PyAny>, ListenerId)> {
    list.iter()
        .map(|r| (r.event, r.callback.clone_ref(py), r.id))
        .collect()
}

/// `track.add_event_listener(event, callback)`; adding the same pair again does nothing.
pub fn add_track_listener(
    py: Python<'_>,
    track: &MediaStreamTrack,
    event: &str,
    callback: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let kind = track_event(py, event)?;
    check_callable(py, callback)?;
    let current = {
        let reg = registry();
        reg.tracks
            .get(track.id())
            .map(|t| snapshot(py, &t.list))
            .unwrap_or_default()
    };
    if find(py, current, kind.name(), callback)?.is_some() {
        return Ok(());
    }
    let weak = track.downgrade();
    let cb = callback.clone().unbind();
    let id = {
        let cb = cb.clone_ref(py);
        let weak = weak.clone();
        track.add_event_listener(kind, move |info| deliver(&cb, info, Some(&weak)))
    };
    let (pruned, alive) = {
        let mut reg = registry();
        reg.tracks
            .entry(track.id().to_owned())
            .or_insert_with(|| TrackRegistrations {
                track: weak,
                list: Vec::new(),
            })
            .list
            .push(Registration {
                event: kind.name(),
                callback: cb,
                id,
            });
        prune(&mut reg)
    };
    // Outside the lock: these drops may run Python code or stop a track.
    drop(pruned);
    drop_detached(alive);
    Ok(())
}

/// Forget registrations of tracks that no longer exist, once the map has doubled.
fn prune(reg: &mut Registry) -> (Vec<TrackRegistrations>, Vec<MediaStreamTrack>) {
    if reg.tracks.len() < reg.prune_at.max(16) {
        return (Vec::new(), Vec::new());
    }
    let mut alive = Vec::new();
    let mut dead_ids = Vec::new();
    for (id, t) in &reg.tracks {
        match t.track.upgrade() {
            Some(track) => alive.push(track),
            None => dead_ids.push(id.clone()),
        }
    }
    let dead = dead_ids
        .iter()
        .filter_map(|id| reg.tracks.remove(id))
        .collect();
    reg.prune_at = reg.tracks.len() * 2;
    (dead, alive)
}

/// `track.remove_event_listener(event, callback)`; an unknown pair is ignored.
pub fn remove_track_listener(
    py: Python<'_>,
    track: &MediaStreamTrack,
    event: &str,
    callback: &Bound<'_, PyAny>,
) -> PyResult<()> {
    let kind = track_event(py, event)?;
    let current = {
        let reg = registry();
        reg.tracks
            .get(track.id())
            .map(|t| snapshot(py, &t.list))
            .unwrap_or_default()
    };
    if let Some(id) = find(py, current, kind.name(), callback)? {
        track.remove_event_listener(id);
        let removed = {
            let mut reg = registry();
            reg.tracks.get_mut(track.id()).map(|t| {
                let (gone, kept) = std::mem::take(&mut t.list)
                    .into_iter()
                    .partition::<Vec<_>, _>(|r| r.id == id);
                t.list = kept;
                gone
            })
        };
        drop(removed);
    }
    Ok(())
}

/// Drop every listener of a track that has stopped (no event can fire any
/// more), which also breaks cycles through listeners that refer to it.
pub fn clear_track_listeners(track: &MediaStreamTrack) {
    let removed = registry().tracks.remove(track.id());
    if let Some(t) = &removed {
        for r in &t.list {
            track.remove_event_listener(r.id);
        }
    }
    drop(removed);
}

/// `add_device_change_listener(callback)`: `callback(event)` whenever the list
/// of devices changes; adding the same callable again does nothing.
#[pyfunction]
pub fn add_device_change_listener(py: Python<'_>, callback: &Bound<'_, PyAny>) -> PyResult<()> {
    check_callable(py, callback)?;
    let current = snapshot(py, &registry().devices);
    if find(py, current, "devicechange", callback)?.is_some() {
        return Ok(());
    }
    let cb = callback.clone().unbind();
    let id = {
        let cb = cb.clone_ref(py);
        MediaDevices::global().add_device_change_listener(move |info| deliver(&cb, info, None))
    };
    registry().devices.push(Registration {
        event: "devicechange",
        callback: cb,
        id,
    });
    Ok(())
}

/// `remove_device_change_listener(callback)`; an unknown callable is ignored.
#[pyfunction]
pub fn remove_device_change_listener(py: Python<'_>, callback: &Bound<'_, PyAny>) -> PyResult<()> {
    let current = snapshot(py, &registry().devices);
    if let Some(id) = find(py, current, "devicechange", callback)? {
        MediaDevices::global().remove_device_change_listener(id);
        let removed: Vec<Registration> = {
            let mut reg = registry();
            let (gone, kept) = std::mem::take(&mut reg.devices)
                .into_iter()
                .partition(|r| r.id == id);
            reg.devices = kept;
            gone
        };
        drop(removed);
    }
    Ok(())
}

/// Wait until every event queued so far has been delivered to its listeners.
/// Not from inside a listener (InvalidStateError): it would wait for itself.
#[pyfunction]
pub fn flush_events(py: Python<'_>) -> PyResult<()> {
    if std::thread::current().name() == Some("lms-events") {
        return Err(crate::errors::to_py(
            py,
            lms_core::Error::InvalidState("flush_events() cannot be called from a listener".into()),
        ));
    }
    py.detach(lms_core::events::flush);
    Ok(())
}
