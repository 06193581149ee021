//! `MediaStreamTrack` calls.

use std::ffi::{c_char, c_void};

use lms_core::{Error, MediaStreamTrack, TrackEvent};
use serde_json::Value;

use crate::boundary::{ffi, out, owned_string, put, text};
use crate::callbacks::UserData;
use crate::handles::{ListenerEntry, LISTENERS, TRACKS};
use crate::status::lms_status;
use crate::types::{
    lms_event_callback, lms_listener, lms_ready_state, lms_track, lms_track_kind, lms_track_stats,
};

fn get(track: lms_track) -> lms_core::Result<MediaStreamTrack> {
    TRACKS.get(track.id)
}

/// Run `f` on the track and write its result to `*out`.
fn query<T>(
    track: lms_track,
    out_value: *mut T,
    f: impl FnOnce(&MediaStreamTrack) -> T,
) -> lms_status {
    ffi(|| {
        let out_value = out(out_value, "out")?;
        let value = f(&get(track)?);
        // SAFETY: checked by `out`.
        unsafe { put(out_value, value) };
        Ok(())
    })
}

/// `stop()`: the track ends at once (`readyState` ended), fires no `ended`
/// event, discards its queued frames, and its device is released before this
/// returns if no other track uses it. Calling it again does nothing. May be
/// called from a callback of the same track. The handle stays valid.
#[no_mangle]
pub extern "C" fn lms_track_stop(track: lms_track) -> lms_status {
    ffi(|| {
        get(track)?.stop();
        Ok(())
    })
}

/// Free a track handle. When no handle and no stream holds a live track any
/// more, it stops (and its device is released if no other track uses it).
#[no_mangle]
pub extern "C" fn lms_track_free(track: lms_track) -> lms_status {
    ffi(|| {
        drop(TRACKS.remove(track.id)?);
        Ok(())
    })
}

/// `clone()`: a new track (new id) on the same device with the same settings,
/// constraints and `enabled`; a clone of an ended track is ended. Free it with
/// `lms_track_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_clone(
    track: lms_track,
    out_track: *mut lms_track,
) -> lms_status {
    ffi(|| {
        let out_track = out(out_track, "out")?;
        let clone = get(track)?.clone_track();
        // SAFETY: checked by `out`.
        unsafe {
            put(
                out_track,
                lms_track {
                    id: TRACKS.insert(clone),
                },
            )
        };
        Ok(())
    })
}

/// The track's kind.
#[no_mangle]
pub unsafe extern "C" fn lms_track_kind_of(
    track: lms_track,
    out_kind: *mut lms_track_kind,
) -> lms_status {
    query(track, out_kind, |t| t.kind().into())
}

fn string_query(
    track: lms_track,
    out_text: *mut *mut c_char,
    f: impl FnOnce(&MediaStreamTrack) -> String,
) -> lms_status {
    ffi(|| {
        let out_text = out(out_text, "out")?;
        let s = f(&get(track)?);
        // SAFETY: checked by `out`.
        unsafe { put(out_text, owned_string(s)) };
        Ok(())
    })
}

/// The track's id (a 36-character UUID). Free `*out` with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_id(track: lms_track, out_id: *mut *mut c_char) -> lms_status {
    string_query(track, out_id, |t| t.id().to_string())
}

/// The device's label. Free `*out` with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_label(
    track: lms_track,
    out_label: *mut *mut c_char,
) -> lms_status {
    string_query(track, out_label, |t| t.label().to_string())
}

/// `readyState`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_ready_state(
    track: lms_track,
    out_state: *mut lms_ready_state,
) -> lms_status {
    query(track, out_state, |t| t.ready_state().into())
}

/// `enabled`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_enabled(track: lms_track, out_enabled: *mut bool) -> lms_status {
    query(track, out_enabled, |t| t.enabled())
}

/// Set `enabled`: a disabled track delivers black pictures / silent audio.
/// Allowed on an ended track (changes nothing else).
#[no_mangle]
pub extern "C" fn lms_track_set_enabled(track: lms_track, enabled: bool) -> lms_status {
    ffi(|| {
        get(track)?.set_enabled(enabled);
        Ok(())
    })
}

/// `muted`: the source cannot deliver for now.
#[no_mangle]
pub unsafe extern "C" fn lms_track_muted(track: lms_track, out_muted: *mut bool) -> lms_status {
    query(track, out_muted, |t| t.muted())
}

fn json_query(
    track: lms_track,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&MediaStreamTrack) -> Value,
) -> lms_status {
    string_query(track, out_json, |t| f(t).to_string())
}

/// `getSettings()` as JSON (integers for width and height; deviceId and
/// groupId as `lms_enumerate_devices` lists them). A camera's controls
/// (`brightness`, `zoom`, `exposureMode`, ...) are read back from the device
/// on each call: they belong to the device, so every track on it shows the
/// same values. Free with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_settings(
    track: lms_track,
    out_json: *mut *mut c_char,
) -> lms_status {
    json_query(track, out_json, |t| t.settings_json())
}

/// `getCapabilities()` as JSON (ranges as {"min", "max"}; a camera's controls
/// as {"min", "max", "step"} or a list of modes). Free with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_capabilities(
    track: lms_track,
    out_json: *mut *mut c_char,
) -> lms_status {
    json_query(track, out_json, |t| t.get_capabilities())
}

/// `getConstraints()`: the constraints of the last successful open or
/// `lms_track_apply_constraints`, as JSON. Free with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_track_constraints(
    track: lms_track,
    out_json: *mut *mut c_char,
) -> lms_status {
    json_query(track, out_json, |t| t.get_constraints())
}

/// `applyConstraints()` (JSON). An impossible required value fails with
/// LMS_ERR_OVERCONSTRAINED (see `lms_last_error_constraint`) and changes
/// nothing; an impossible ideal is accepted; on an ended track it succeeds and
/// changes nothing. Frames already queued keep their old shape.
/// Camera controls (W3C Image Capture: `zoom`, `focusMode`, `exposureTime`,
/// `torch`, ...) are constraints too; only those named are written, a manual
/// value first switches its mode to "manual", and a camera refusing a write
/// gives LMS_ERR_NOT_READABLE naming the control. Blocks while the device is
/// written or reconfigured.
#[no_mangle]
pub unsafe extern "C" fn lms_track_apply_constraints(
    track: lms_track,
    constraints_json: *const c_char,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let json = unsafe { text(constraints_json, "constraints_json") }?;
        get(track)?.apply_constraints_json(json)
    })
}

/// Frames delivered and dropped so far.
#[no_mangle]
pub unsafe extern "C" fn lms_track_stats_get(
    track: lms_track,
    out_stats: *mut lms_track_stats,
) -> lms_status {
    query(track, out_stats, |t| {
        let s = t.stats();
        lms_track_stats {
            frames_delivered: s.frames_delivered,
            frames_dropped: s.frames_dropped,
        }
    })
}

/// Call `cb(user_data, event, detail)` for the track's `ended` (only when the
/// source ends by itself), `mute` and `unmute` events, on the library's event
/// thread (one thread runs every listener, in order, with no library lock
/// held: the callback may call the library, including stopping this track,
/// but must not block for long). `user_data` must stay valid until
/// `lms_listener_remove(*out)`. The listener does not keep the track alive.
#[no_mangle]
pub unsafe extern "C" fn lms_track_add_event_listener(
    track: lms_track,
    cb: lms_event_callback,
    user_data: *mut c_void,
    out_listener: *mut lms_listener,
) -> lms_status {
    ffi(|| {
        let cb = cb.ok_or_else(|| Error::InvalidArgument("cb is NULL".into()))?;
        let out_listener = out(out_listener, "out")?;
        let t = get(track)?;
        let data = UserData(user_data);
        let ids = [TrackEvent::Ended, TrackEvent::Mute, TrackEvent::Unmute]
            .into_iter()
            .map(|event| {
                t.add_event_listener(event, move |e| {
                    // SAFETY: the caller keeps `cb` and `user_data` valid until the listener is removed.
                    unsafe { data.event(cb, event.into(), &e.detail) }
                })
            })
            .collect();
        let handle = LISTENERS.insert(ListenerEntry::Track {
            track: t.downgrade(),
            ids,
        });
        // SAFETY: checked by `out`.
        unsafe { put(out_listener, lms_listener { id: handle }) };
        Ok(())
    })
}

/// Remove a listener (track or device-change). After it returns the callback
/// is not called again, except for an event already being delivered on the
/// event thread.
#[no_mangle]
pub extern "C" fn lms_listener_remove(listener: lms_listener) -> lms_status {
    ffi(|| {
        match LISTENERS.remove(listener.id)? {
            ListenerEntry::Track { track, ids } => {
                if let Some(t) = track.upgrade() {
                    for id in ids {
                        t.remove_event_listener(id);
                    }
                }
            }
            ListenerEntry::DeviceChange(id) => {
                lms_core::MediaDevices::global().remove_device_change_listener(id);
            }
        }
        Ok(())
    })
}
