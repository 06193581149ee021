//! `MediaStreamTrack`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use crate::constraints::TrackConstraints;
use crate::controls::{values_json, ControlValues};
use crate::device::{Capabilities, DeviceInfo};
use crate::error::{Error, Result};
use crate::events::{EventInfo, ListenerId, TrackEvent};
use crate::frame::Frame;
use crate::kind::MediaKind;
use crate::queue::TrackStats;
use crate::selection;
use crate::settings::TrackSettings;
use crate::signal::Signal;
use crate::sink::TrackSink;
use crate::source::Source;

/// `readyState`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadyState {
    Live,
    Ended,
}

impl ReadyState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReadyState::Live => "live",
            ReadyState::Ended => "ended",
        }
    }
}

/// A push-delivery callback. It runs on the track's own delivery thread
/// (`lms-track`), one frame at a time in order; the frame stays valid after
/// the call if the callback keeps a clone. It must not block for long: frames
/// that arrive meanwhile wait in the track's queue, and the oldest are dropped
/// (and counted) when it is full. It may call any library function, including
/// stopping its own track.
pub type FrameCallback = Arc<dyn Fn(&Frame) + Send + Sync>;

/// A track: one kind of media from one source. Cloning the Rust handle gives
/// the same track; [`MediaStreamTrack::clone_track`] is the specification's `clone()`.
/// When the last handle of a live track is dropped the track stops, and the
/// device is released if no other track uses it.
#[derive(Clone)]
pub struct MediaStreamTrack {
    inner: Arc<TrackInner>,
}

/// A weak handle to a track: does not keep it alive or stop it from stopping
/// when its last strong handle goes.
#[derive(Clone)]
pub struct WeakTrack(std::sync::Weak<TrackInner>);

impl WeakTrack {
    /// The track, if some strong handle still holds it.
    pub fn upgrade(&self) -> Option<MediaStreamTrack> {
        self.0.upgrade().map(|inner| MediaStreamTrack { inner })
    }
}

struct TrackInner {
    sink: Arc<TrackSink>,
    label: String,
    device: DeviceInfo,
    capabilities: Capabilities,
    source: Mutex<Option<Arc<Source>>>,
    /// The camera's control values as last read.
    controls: Mutex<ControlValues>,
    delivery: Mutex<Option<Delivery>>,
    delivery_wake: Arc<Signal>,
}

/// A push-delivery thread. At most one runs a track's callback at a time: a
/// new one waits until the one it replaced has finished.
struct Delivery {
    cancelled: Arc<AtomicBool>,
    finished: Arc<AtomicBool>,
    handle: JoinHandle<()>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl std::fmt::Debug for MediaStreamTrack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaStreamTrack")
            .field("id", &self.id())
            .field("kind", &self.kind())
            .field("label", &self.label())
            .field("readyState", &self.ready_state())
            .finish()
    }
}

impl MediaStreamTrack {
    /// A live track on `source`, attached to it.
    pub(crate) fn attach(
        source: &Arc<Source>,
        settings: TrackSettings,
        constraints: Value,
        queue_size: usize,
    ) -> Result<MediaStreamTrack> {
        let sink = Arc::new(TrackSink::new(
            new_id(),
            settings,
            constraints,
            queue_size,
            source.room(),
        ));
        source.attach(Arc::clone(&sink))?;
        Ok(MediaStreamTrack {
            inner: Arc::new(TrackInner {
                sink,
                label: source.device.label.clone(),
                device: source.device.clone(),
                capabilities: source.capabilities.clone(),
                source: Mutex::new(Some(Arc::clone(source))),
                controls: Mutex::new(source.control_values()),
                delivery: Mutex::new(None),
                delivery_wake: Arc::new(Signal::new()),
            }),
        })
    }

    /// A 36-character UUID, distinct for every track.
    pub fn id(&self) -> &str {
        &self.inner.sink.id
    }
    pub fn kind(&self) -> MediaKind {
        self.inner.sink.kind
    }
    pub fn label(&self) -> &str {
        &self.inner.label
    }
    /// The device this track captures from.
    pub fn device(&self) -> &DeviceInfo {
        &self.inner.device
    }
    pub fn enabled(&self) -> bool {
        self.inner.sink.enabled.load(Ordering::Acquire)
    }
    /// A disabled track keeps delivering frames, but black pictures and silent audio.
    /// Allowed on an ended track, where it changes nothing else.
    pub fn set_enabled(&self, enabled: bool) {
        self.inner.sink.enabled.store(enabled, Ordering::Release);
    }
    /// Whether the source cannot deliver for now (no frames arrive while muted).
    pub fn muted(&self) -> bool {
        self.inner.sink.muted.load(Ordering::Acquire)
    }
    pub fn ready_state(&self) -> ReadyState {
        if self.inner.sink.is_ended() {
            ReadyState::Ended
        } else {
            ReadyState::Live
        }
    }

    /// A handle that does not keep the track alive (for listeners kept elsewhere).
    pub fn downgrade(&self) -> WeakTrack {
        WeakTrack(Arc::downgrade(&self.inner))
    }

    /// Whether two handles are the same track.
    pub fn same_track(&self, other: &MediaStreamTrack) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }

    /// `stop()`: `readyState` becomes `ended` at once, no `ended` event fires,
    /// queued frames are discarded, and the device is released if no other
    /// track uses it. Calling it again does nothing.
    pub fn stop(&self) {
        self.inner.stop();
    }

    /// `clone()`: a new track (new id) on the same source with the same settings,
    /// constraints and `enabled`; a clone of an ended track is ended.
    pub fn clone_track(&self) -> MediaStreamTrack {
        let sink = &self.inner.sink;
        let settings = TrackSettings::clone(&sink.settings.load());
        let constraints = self.get_constraints();
        let source = lock(&self.inner.source).clone();
        let queue_size = sink.queue.capacity();
        let live = source.as_ref().filter(|_| !sink.is_ended()).and_then(|s| {
            MediaStreamTrack::attach(s, settings.clone(), constraints.clone(), queue_size).ok()
        });
        let clone = live.unwrap_or_else(|| {
            let room = source.as_ref().map(|s| s.room()).unwrap_or_default();
            let ended = Arc::new(TrackSink::new(
                new_id(),
                settings,
                constraints,
                queue_size,
                room,
            ));
            ended.ended.store(true, Ordering::Release);
            ended.queue.close(true);
            MediaStreamTrack {
                inner: Arc::new(TrackInner {
                    sink: ended,
                    label: self.inner.label.clone(),
                    device: self.inner.device.clone(),
                    capabilities: self.inner.capabilities.clone(),
                    source: Mutex::new(None),
                    controls: Mutex::new(lock(&self.inner.controls).clone()),
                    delivery: Mutex::new(None),
                    delivery_wake: Arc::new(Signal::new()),
                }),
            }
        });
        clone.set_enabled(self.enabled());
        clone
            .inner
            .sink
            .muted
            .store(self.muted(), Ordering::Release);
        clone
    }

    /// How the track's device runs now; `None` once the track no longer uses it.
    pub fn native_mode(&self) -> Option<crate::settings::NativeMode> {
        lock(&self.inner.source).as_ref().map(|s| s.native())
    }

    /// `getSettings()`: what the track delivers now.
    pub fn get_settings(&self) -> TrackSettings {
        TrackSettings::clone(&self.inner.sink.settings.load())
    }
    /// `getSettings()` as the specification's JSON dictionary.
    /// A camera's controls are read back from the device each time (they
    /// belong to the device: another track may have changed them, and an
    /// automatic mode moves them); a stopped track shows the last values read.
    pub fn settings_json(&self) -> Value {
        let mut v = self.get_settings().to_json(&self.inner.device);
        if let Value::Object(members) = &mut v {
            values_json(&self.control_values(), members);
        }
        v
    }

    /// The camera's control values (empty for microphones and cameras without controls).
    pub fn control_values(&self) -> ControlValues {
        let source = lock(&self.inner.source).clone();
        let mut last = lock(&self.inner.controls);
        if let Some(source) = source {
            *last = source.control_values();
        }
        last.clone()
    }
    /// `getCapabilities()` as JSON.
    pub fn get_capabilities(&self) -> Value {
        self.inner.capabilities.to_json(&self.inner.device)
    }
    /// `getConstraints()`: the constraints of the last successful open or `applyConstraints()`.
    pub fn get_constraints(&self) -> Value {
        self.inner.sink.constraints().clone()
    }

    /// `applyConstraints()`. An impossible required value fails with
    /// `OverconstrainedError` naming it and changes nothing; an impossible
    /// ideal is accepted. On an ended track it succeeds and changes nothing.
    pub fn apply_constraints(&self, constraints: &Value) -> Result<()> {
        let parsed = TrackConstraints::of_track(constraints, self.kind())?;
        let Some(source) = lock(&self.inner.source).clone() else {
            return Ok(());
        };
        if self.inner.sink.is_ended() {
            return Ok(());
        }
        if source.follows_frames() {
            // Anything a frame could be is possible; what the track gets is
            // what its constraints make of the frames written now.
            selection::check_possible(&source.device, &source.capabilities, &parsed)?;
            return source.settle(|native| {
                let settings =
                    selection::following(&source.device, &source.capabilities, native, &parsed);
                self.inner.sink.settings.store(Arc::new(settings));
                *self.inner.sink.constraints() = parsed.raw;
                Ok(())
            });
        }
        // Alone on its device, a track may move the device to another mode;
        // sharing it, a track gets what crop-and-scale and decimation make of it.
        let alone = source.track_count() <= 1;
        let current = self.get_settings();
        let controls = source.control_values();
        let choice = selection::choose_for_source(&source, &parsed, &current, alone, &controls)?;
        // Controls first: a camera that refuses one leaves the track as it was.
        source.apply_controls(&parsed, &choice.chosen)?;
        if choice.native != source.native() {
            source.reconfigure(choice.native.clone())?;
        }
        self.inner.sink.settings.store(Arc::new(choice.settings));
        *self.inner.sink.constraints() = parsed.raw;
        Ok(())
    }

    /// `applyConstraints()` with constraints as JSON text.
    pub fn apply_constraints_json(&self, json: &str) -> Result<()> {
        self.apply_constraints(&crate::constraints::parse_json(json)?)
    }

    /// The next frame, waiting up to `timeout` (`None`: until one comes).
    /// `TimeoutError` when none came; `EndedError` once the track has ended
    /// and its queue is empty (a stopped track discards its queue).
    pub fn read(&self, timeout: Option<Duration>) -> Result<Frame> {
        self.inner.sink.queue.pop(timeout)
    }
    /// The next frame if one is queued.
    pub fn try_read(&self) -> Option<Frame> {
        self.inner.sink.queue.try_pop()
    }
    /// Frames delivered and dropped so far.
    pub fn stats(&self) -> TrackStats {
        self.inner.sink.queue.stats()
    }

    /// Deliver frames to `callback` (see [`FrameCallback`] for the thread it
    /// runs on) instead of the queue readers; `None` stops push delivery.
    /// May be called from inside the callback.
    pub fn set_frame_callback(&self, callback: Option<FrameCallback>) -> Result<()> {
        let inner = &self.inner;
        let mut slot = lock(&inner.delivery);
        let old = slot.take();
        if let Some(old) = &old {
            old.cancelled.store(true, Ordering::Release);
            inner.delivery_wake.notify();
        }
        if let Some(callback) = callback.filter(|_| !inner.sink.is_ended()) {
            let predecessor = old.as_ref().map(|o| Arc::clone(&o.finished));
            *slot = Some(Delivery::spawn(
                &inner.sink,
                callback,
                predecessor,
                &inner.delivery_wake,
            )?);
        }
        drop(slot);
        // Whoever replaces a delivery thread waits for it (unless it is that very thread,
        // calling from its own callback): once this returns, the old callback is not running.
        if let Some(old) = old {
            old.join();
        }
        Ok(())
    }

    /// Listen for `ended`, `mute` or `unmute`. Listeners run on the library's
    /// event thread (see [`crate::events`]).
    pub fn add_event_listener(
        &self,
        event: TrackEvent,
        listener: impl Fn(&EventInfo) + Send + Sync + 'static,
    ) -> ListenerId {
        self.inner
            .sink
            .listeners
            .add(event.name(), Arc::new(listener))
    }
    /// Remove a listener; false if it was not registered on this track.
    pub fn remove_event_listener(&self, id: ListenerId) -> bool {
        self.inner.sink.listeners.remove(id)
    }
}

impl TrackInner {
    fn stop(&self) {
        if !self.sink.ended.swap(true, Ordering::AcqRel) {
            self.sink.queue.close(true);
        }
        let source = lock(&self.source).take();
        if let Some(source) = source {
            source.detach(&self.sink);
        }
        let delivery = lock(&self.delivery).take();
        if let Some(d) = delivery {
            d.cancelled.store(true, Ordering::Release);
            self.delivery_wake.notify();
            d.join();
        }
    }
}

impl Drop for TrackInner {
    fn drop(&mut self) {
        self.stop();
    }
}

impl Delivery {
    fn spawn(
        sink: &Arc<TrackSink>,
        callback: FrameCallback,
        predecessor: Option<Arc<AtomicBool>>,
        wake: &Arc<Signal>,
    ) -> Result<Delivery> {
        let (sink, wake) = (Arc::clone(sink), Arc::clone(wake));
        let cancelled = Arc::new(AtomicBool::new(false));
        let finished = Arc::new(AtomicBool::new(false));
        let (stop, done) = (Arc::clone(&cancelled), Arc::clone(&finished));
        let handle = std::thread::Builder::new()
            .name("lms-track".into())
            .spawn(move || {
                if let Some(p) = predecessor {
                    wake.wait_until(None, || {
                        p.load(Ordering::Acquire) || stop.load(Ordering::Acquire)
                    });
                }
                while !stop.load(Ordering::Acquire) {
                    match sink.queue.pop(Some(Duration::from_millis(20))) {
                        Ok(frame) => {
                            let _ = catch_unwind(AssertUnwindSafe(|| callback(&frame)));
                        }
                        Err(Error::Timeout(_)) => continue,
                        Err(_) => break,
                    }
                }
                done.store(true, Ordering::Release);
                wake.notify();
            })
            .map_err(|e| Error::Internal(format!("cannot start the delivery thread: {e}")))?;
        Ok(Delivery {
            cancelled,
            finished,
            handle,
        })
    }

    /// Wait for the (cancelled) thread to end, unless called from it.
    fn join(self) {
        if self.handle.thread().id() != std::thread::current().id() {
            let _ = self.handle.join();
        }
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}
