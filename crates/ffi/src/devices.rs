//! Library-wide calls: version, errors, configuration, devices.

use std::ffi::{c_char, c_int, c_void, CStr, CString};

use lms_core::{Error, EventInfo, MediaDevices};
use serde_json::Value;

use crate::boundary::{ffi, out, owned_string, put, text};
use crate::callbacks::UserData;
use crate::handles::{ListenerEntry, LISTENERS};
use crate::status::{last_constraint, last_message, lms_status, status_name};
use crate::types::{lms_event, lms_event_callback, lms_listener};

fn devices() -> &'static MediaDevices {
    MediaDevices::global()
}

/// The library version, e.g. "0.1.0". Static: never free it.
#[no_mangle]
pub extern "C" fn lms_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(v) => v,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

/// The name of a status as the specification names the error:
/// "OverconstrainedError", "NotFoundError", ... ("OK" for LMS_OK,
/// "UnknownStatus" for a value that is not an lms_status). Static: never free it.
#[no_mangle]
pub extern "C" fn lms_status_name(status: c_int) -> *const c_char {
    status_name(status).as_ptr().cast()
}

/// The message of the last error on the calling thread ("" if none). Valid until
/// the next failing call on this thread; never free it, never NULL.
#[no_mangle]
pub extern "C" fn lms_last_error_message() -> *const c_char {
    last_message()
}

/// For LMS_ERR_OVERCONSTRAINED, the constraint that could not be met (e.g.
/// "width"); "" for other errors. Same lifetime as `lms_last_error_message`.
#[no_mangle]
pub extern "C" fn lms_last_error_constraint() -> *const c_char {
    last_constraint()
}

/// Replace the configuration (backends, fake devices, permissions, queue size)
/// with a JSON document, e.g. `{"backends": ["fake"], "fake": {"pacing": "none",
/// "video": 2, "audio": 1, "toneHz": 440}, "permissions": {"camera": "denied"},
/// "queueSize": 4}`. Open tracks keep running. LMS_ERR_TYPE names what is wrong.
/// Without a call, the environment decides (LMS_BACKENDS, LMS_FAKE_DEVICES).
#[no_mangle]
pub unsafe extern "C" fn lms_configure(config_json: *const c_char) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let json = unsafe { text(config_json, "config_json") }?;
        devices().configure(json)
    })
}

/// Free a string the library handed out (`char **out` results). NULL is ignored.
/// Freeing any other pointer, or twice, is undefined behaviour, as with free().
#[no_mangle]
pub unsafe extern "C" fn lms_string_free(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from CString::into_raw in this library (the contract above).
        drop(unsafe { CString::from_raw(s) });
    }
}

fn json_out(
    out_json: *mut *mut c_char,
    value: impl FnOnce() -> lms_core::Result<Value>,
) -> lms_status {
    ffi(|| {
        let out_json = out(out_json, "out_json")?;
        let text = value()?.to_string();
        // SAFETY: checked by `out`.
        unsafe { put(out_json, owned_string(text)) };
        Ok(())
    })
}

/// `enumerateDevices()`: a JSON array of `{"deviceId", "kind", "label",
/// "groupId"}` ("audioinput" / "videoinput" / "audiooutput"): microphones
/// first, then cameras, then audio outputs (listed, never captured from; with
/// a sound server each output's monitor is an "audioinput" of its own, "Monitor
/// of ..."), each kind's system default first (the specification's order),
/// the same order on every call while nothing changes. Free `*out_json` with
/// `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_enumerate_devices(out_json: *mut *mut c_char) -> lms_status {
    json_out(out_json, || {
        let list = devices().enumerate_devices()?;
        Ok(Value::Array(list.iter().map(|d| d.to_json()).collect()))
    })
}

/// `getSupportedConstraints()`: a JSON object of every supported constraint,
/// each `true`. Free `*out_json` with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_get_supported_constraints(out_json: *mut *mut c_char) -> lms_status {
    json_out(out_json, || {
        Ok(serde_json::json!(MediaDevices::get_supported_constraints()))
    })
}

/// The capabilities of a device (as `getCapabilities()` of a track on it) as
/// JSON. LMS_ERR_NOT_FOUND for an unknown id, LMS_ERR_TYPE for an output's (outputs have
/// no capabilities). Free `*out_json` with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_device_capabilities(
    device_id: *const c_char,
    out_json: *mut *mut c_char,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let id = unsafe { text(device_id, "device_id") }?;
        let out_json = out(out_json, "out_json")?;
        let caps = devices().device_capabilities(id)?;
        // SAFETY: checked by `out`.
        unsafe { put(out_json, owned_string(caps.to_string())) };
        Ok(())
    })
}

/// Call `cb(user_data, LMS_EVENT_DEVICE_CHANGE, detail)` whenever the list of
/// devices changes, on the library's event thread (one thread runs every
/// listener, in order, with no library lock held: the callback may call the
/// library, but must not block for long). `user_data` is passed as given and
/// must stay valid until `lms_listener_remove(*out)`.
#[no_mangle]
pub unsafe extern "C" fn lms_on_device_change(
    cb: lms_event_callback,
    user_data: *mut c_void,
    out_listener: *mut lms_listener,
) -> lms_status {
    ffi(|| {
        let cb = cb.ok_or_else(|| Error::InvalidArgument("cb is NULL".into()))?;
        let out_listener = out(out_listener, "out")?;
        let data = UserData(user_data);
        let id = devices().add_device_change_listener(move |e: &EventInfo| {
            // SAFETY: the caller keeps `cb` and `user_data` valid until the listener is removed.
            unsafe { data.event(cb, lms_event::LMS_EVENT_DEVICE_CHANGE, &e.detail) };
        });
        let handle = LISTENERS.insert(ListenerEntry::DeviceChange(id));
        // SAFETY: checked by `out`.
        unsafe { put(out_listener, lms_listener { id: handle }) };
        Ok(())
    })
}

/// Apply a test control to a fake device: "disconnect", "reconnect" (the
/// device leaves / rejoins the list: tracks end, devicechange fires), "mute",
/// "unmute", "fail" (a live device breaks: its tracks end), "busy", "free"
/// (opening it fails with LMS_ERR_NOT_READABLE). LMS_ERR_INVALID_ARGUMENT for
/// another action, LMS_ERR_NOT_FOUND for an unknown device.
#[no_mangle]
pub unsafe extern "C" fn lms_fake_device_control(
    device_id: *const c_char,
    action: *const c_char,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes NUL-terminated strings or NULL.
        let (id, action) = unsafe { (text(device_id, "device_id")?, text(action, "action")?) };
        devices().fake_device_control(id, action)
    })
}

/// How often a fake device was opened and closed so far (a device is open
/// while opens > closes): proves a device is released when its last track goes.
#[no_mangle]
pub unsafe extern "C" fn lms_fake_device_usage(
    device_id: *const c_char,
    out_opens: *mut u64,
    out_closes: *mut u64,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let id = unsafe { text(device_id, "device_id") }?;
        let (o, c) = (out(out_opens, "out_opens")?, out(out_closes, "out_closes")?);
        let usage = devices().fake_device_usage(id)?;
        // SAFETY: checked by `out`.
        unsafe {
            put(o, usage.opens);
            put(c, usage.closes);
        }
        Ok(())
    })
}
