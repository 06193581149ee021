//! Events from the library's event thread (`lms-events`) to JavaScript.
//!
//! Each watch holds a thread-safe function over one JavaScript dispatcher
//! (module-level in `lib/`, so it keeps no track object alive) and calls it
//! with the event's name and detail. A track's watch is *referenced*: while it
//! exists the process stays alive, as it does for any open resource with
//! listeners; the JS layer keeps one only while the track is live and has
//! `ended`/`mute`/`unmute` listeners, so a stopped or ended track never keeps
//! the process alive. The `devicechange` watch is *unreferenced*: a listener
//! on the global `mediaDevices` never keeps the process alive by itself.

use std::sync::Arc;

use lms_core::{EventInfo, ListenerId, MediaDevices};
use napi::bindgen_prelude::*;
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;

/// `(trackId, eventName, detail)`, called on the JS thread.
pub type TrackEventCallback = ThreadsafeFunction<
    FnArgs<(String, String, String)>,
    Unknown<'static>,
    FnArgs<(String, String, String)>,
    Status,
    false,
    false,
>;

/// `(eventName, detail)`, called on the JS thread; does not keep the process alive.
pub type DeviceChangeCallback = ThreadsafeFunction<
    FnArgs<(String, String)>,
    Unknown<'static>,
    FnArgs<(String, String)>,
    Status,
    false,
    true,
>;

/// Forward a track event to JavaScript (runs on the `lms-events` thread).
pub(crate) fn track_listener(
    callback: &Arc<TrackEventCallback>,
    track_id: &str,
) -> impl Fn(&EventInfo) + Send + Sync + 'static {
    let callback = Arc::clone(callback);
    let track_id = track_id.to_string();
    move |event: &EventInfo| {
        // Non-blocking on an unbounded queue: fails only while Node shuts down.
        callback.call(
            (
                track_id.clone(),
                event.name.to_string(),
                event.detail.clone(),
            )
                .into(),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    }
}

/// A `devicechange` listener on the global `MediaDevices`; `close()` (or
/// garbage collection) removes it.
#[napi]
pub struct DeviceChangeWatch {
    listener: Option<ListenerId>,
}

/// Call `callback("devicechange", detail)` whenever the list of devices changes.
#[napi(ts_args_type = "callback: (name: 'devicechange', detail: string) => void")]
pub fn watch_device_change(callback: DeviceChangeCallback) -> DeviceChangeWatch {
    let callback = Arc::new(callback);
    let id = MediaDevices::global().add_device_change_listener(move |event| {
        callback.call(
            (event.name.to_string(), event.detail.clone()).into(),
            ThreadsafeFunctionCallMode::NonBlocking,
        );
    });
    DeviceChangeWatch { listener: Some(id) }
}

#[napi]
impl DeviceChangeWatch {
    /// Stop calling the callback. Calling it again does nothing.
    #[napi]
    pub fn close(&mut self) {
        if let Some(id) = self.listener.take() {
            MediaDevices::global().remove_device_change_listener(id);
        }
    }
}

impl Drop for DeviceChangeWatch {
    fn drop(&mut self) {
        self.close();
    }
}
