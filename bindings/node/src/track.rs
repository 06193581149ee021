//! `NativeTrack`: one `lms_core::MediaStreamTrack`, owned by one JS
//! `MediaStreamTrack` (`lib/track.js`).
//!
//! The JS wrapper holds the only long-lived Rust handle to its track, so when
//! JavaScript collects the wrapper the handle drops and the core stops the
//! track, releasing the device if no other track uses it. (A read or
//! `applyConstraints()` in flight holds a second handle until it settles.)

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use lms_core::{ListenerId, MediaStreamTrack, ReadyState, TrackEvent};
use napi::bindgen_prelude::*;
use napi::ScopedTask;
use napi_derive::napi;

use crate::error::{check, to_js};
use crate::events::{track_listener, TrackEventCallback};
use crate::frame::{self, HeldFrames, RawFrame};

/// Longest read timeout accepted, in milliseconds (a day): bounds the
/// conversion to a `Duration`.
const MAX_TIMEOUT_MS: f64 = 86_400_000.0;

/// A track of the core, with its event watch.
#[napi]
pub struct NativeTrack {
    track: MediaStreamTrack,
    /// Only touched on the JS thread; a `Mutex` because napi methods take `&self`.
    watch: Mutex<Option<Watch>>,
    held: HeldFrames,
}

/// Core listeners forwarding `ended`, `mute` and `unmute` to a JS callback.
struct Watch {
    listeners: Vec<ListenerId>,
}

impl NativeTrack {
    /// The core's track.
    pub(crate) fn core(&self) -> &MediaStreamTrack {
        &self.track
    }

    /// The counter of frames of this track's device that JavaScript holds.
    pub(crate) fn held(&self) -> &HeldFrames {
        &self.held
    }

    pub(crate) fn new(track: MediaStreamTrack) -> NativeTrack {
        let held = HeldFrames::of_device(&track.device().device_id);
        NativeTrack {
            track,
            watch: Mutex::new(None),
            held,
        }
    }
}

#[napi]
impl NativeTrack {
    /// The track's id: a 36-character UUID.
    #[napi]
    pub fn id(&self) -> String {
        self.track.id().to_string()
    }
    /// `"audio"` or `"video"`.
    #[napi(ts_return_type = "'audio' | 'video'")]
    pub fn kind(&self) -> &'static str {
        self.track.kind().as_str()
    }
    /// The device's label.
    #[napi]
    pub fn label(&self) -> String {
        self.track.label().to_string()
    }
    #[napi]
    pub fn enabled(&self) -> bool {
        self.track.enabled()
    }
    /// Disabled tracks deliver black pictures and silent audio.
    #[napi]
    pub fn set_enabled(&self, enabled: bool) {
        self.track.set_enabled(enabled);
    }
    #[napi]
    pub fn muted(&self) -> bool {
        self.track.muted()
    }
    /// `"live"` or `"ended"`.
    #[napi(ts_return_type = "'live' | 'ended'")]
    pub fn ready_state(&self) -> &'static str {
        self.track.ready_state().as_str()
    }

    /// Stop the track (no `ended` event) and stop watching its events.
    #[napi]
    pub fn stop(&self) {
        self.track.stop();
        self.unwatch();
    }

    /// The specification's `clone()`: a new track on the same source.
    #[napi]
    pub fn clone_track(&self) -> NativeTrack {
        NativeTrack::new(self.track.clone_track())
    }

    /// `getSettings()` as JSON.
    #[napi]
    pub fn settings(&self) -> String {
        self.track.settings_json().to_string()
    }
    /// `getCapabilities()` as JSON.
    #[napi]
    pub fn capabilities(&self) -> String {
        self.track.get_capabilities().to_string()
    }
    /// `getConstraints()` as JSON.
    #[napi]
    pub fn constraints(&self) -> String {
        self.track.get_constraints().to_string()
    }

    /// `applyConstraints()` with constraints as JSON, off the JS thread.
    #[napi(ts_return_type = "Promise<void>")]
    pub fn apply_constraints(&self, constraints_json: String) -> AsyncTask<ApplyTask> {
        AsyncTask::new(ApplyTask {
            track: self.track.clone(),
            constraints_json,
        })
    }

    /// The next queued frame, or `null` at once when none is queued.
    #[napi]
    pub fn try_read<'env>(&self, env: &'env Env) -> Result<Option<RawFrame<'env>>> {
        self.track
            .try_read()
            .map(|f| frame::to_js(env, f, &self.held))
            .transpose()
    }

    /// The next frame, waiting on the thread pool up to `timeoutMs`
    /// (absent: until one comes). Rejects with `TimeoutError`, or with
    /// `EndedError` once the track has ended and its queue is empty.
    #[napi(ts_return_type = "Promise<RawFrame>")]
    pub fn read(&self, env: &Env, timeout_ms: Option<f64>) -> Result<AsyncTask<ReadTask>> {
        let timeout = match timeout_ms {
            None => None,
            Some(ms) if (0.0..=MAX_TIMEOUT_MS).contains(&ms) => {
                Some(Duration::from_secs_f64(ms / 1000.0))
            }
            Some(ms) => {
                return Err(to_js(
                    env,
                    &lms_core::Error::InvalidArgument(format!(
                        "timeout must be from 0 to {MAX_TIMEOUT_MS} ms, got {ms}"
                    )),
                ))
            }
        };
        Ok(AsyncTask::new(ReadTask {
            track: self.track.clone(),
            held: self.held.clone(),
            timeout,
        }))
    }

    /// Frames delivered to this track and dropped because its queue was full.
    #[napi]
    pub fn stats(&self) -> TrackStats {
        let stats = self.track.stats();
        TrackStats {
            frames_delivered: stats.frames_delivered as f64,
            frames_dropped: stats.frames_dropped as f64,
        }
    }

    /// Call `callback(trackId, name, detail)` for `ended`, `mute` and
    /// `unmute`. While watched, a live track keeps the process alive.
    /// Does nothing on an ended track or when already watching.
    #[napi(
        ts_args_type = "callback: (trackId: string, name: 'ended' | 'mute' | 'unmute', detail: string) => void"
    )]
    pub fn watch(&self, callback: TrackEventCallback) {
        let mut watch = self.lock_watch();
        if watch.is_some() || self.track.ready_state() == ReadyState::Ended {
            return;
        }
        let callback = Arc::new(callback);
        let listeners = [TrackEvent::Ended, TrackEvent::Mute, TrackEvent::Unmute]
            .into_iter()
            .map(|event| {
                self.track
                    .add_event_listener(event, track_listener(&callback, self.track.id()))
            })
            .collect();
        // Each listener holds a clone of `callback`: the thread-safe function is
        // released (and stops keeping the process alive) when the last goes.
        *watch = Some(Watch { listeners });
    }

    /// Stop forwarding events. Calling it again does nothing.
    #[napi]
    pub fn unwatch(&self) {
        let watch = self.lock_watch().take();
        if let Some(watch) = watch {
            for id in watch.listeners {
                self.track.remove_event_listener(id);
            }
        }
    }
}

impl NativeTrack {
    fn lock_watch(&self) -> MutexGuard<'_, Option<Watch>> {
        self.watch.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for NativeTrack {
    fn drop(&mut self) {
        self.unwatch();
    }
}

/// Frame counters of a track.
#[napi(object)]
pub struct TrackStats {
    pub frames_delivered: f64,
    pub frames_dropped: f64,
}

/// `NativeTrack.read()` on the thread pool.
pub struct ReadTask {
    track: MediaStreamTrack,
    held: HeldFrames,
    timeout: Option<Duration>,
}

impl<'task> ScopedTask<'task> for ReadTask {
    type Output = lms_core::Result<lms_core::Frame>;
    type JsValue = RawFrame<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.track.read(self.timeout))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        frame::to_js(env, check(env, output)?, &self.held)
    }
}

/// `NativeTrack.applyConstraints()` on the thread pool.
pub struct ApplyTask {
    track: MediaStreamTrack,
    constraints_json: String,
}

impl Task for ApplyTask {
    type Output = lms_core::Result<()>;
    type JsValue = ();

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.track.apply_constraints_json(&self.constraints_json))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<()> {
        check(&env, output)
    }
}
