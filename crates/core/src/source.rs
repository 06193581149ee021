//! Sources: opened devices, shared by every track that uses them.
//!
//! A source is opened for its first track and closed (its driver released)
//! exactly when its last track stops or ends - or at once when the device
//! ends by itself. Drivers deliver frames to the source through a
//! [`SourceSink`] from their own thread; the source fans them out.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, Weak};

use arc_swap::ArcSwap;

use crate::backend::{Backend, Driver, SourceSink, SourceTarget};
use crate::constraints::{Chosen, TrackConstraints};
use crate::controls::{plan, ControlValues, DeviceControls};
use crate::device::{Capabilities, DeviceInfo};
use crate::error::{Error, Result};
use crate::fanout::Fanout;
use crate::frame::Frame;
use crate::settings::NativeMode;
use crate::signal::Signal;
use crate::sink::TrackSink;

/// An opened device.
pub(crate) struct Source {
    pub device: DeviceInfo,
    pub capabilities: Capabilities,
    backend: Arc<dyn Backend>,
    native: Mutex<NativeMode>,
    sinks: ArcSwap<Vec<Arc<TrackSink>>>,
    /// Serialises attach / detach / end / reconfigure (never taken by the capture thread).
    lifecycle: Mutex<Lifecycle>,
    fanout: Mutex<Fanout>,
    room: Arc<Signal>,
    ended: AtomicBool,
    muted: AtomicBool,
    frames_captured: AtomicU64,
    /// The camera's controls (shared with every other source ever opened on
    /// the device: they belong to the device), if it has any.
    controls: Option<Arc<dyn DeviceControls>>,
    /// The controls' values as last read back; held while writing, so writes
    /// through two tracks do not interleave.
    control_values: Mutex<ControlValues>,
    /// Whether the source runs at whatever its frames are (a track generator):
    /// constraints never move it, and each track's settings follow its frames.
    follows_frames: bool,
}

struct Lifecycle {
    driver: Option<Box<dyn Driver>>,
    closed: bool,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Source {
    /// Open `device` at `mode` through `backend`.
    pub fn open(
        backend: Arc<dyn Backend>,
        device: DeviceInfo,
        capabilities: Capabilities,
        mode: NativeMode,
    ) -> Result<Arc<Source>> {
        Source::open_with(backend, device, capabilities, mode, false)
    }

    /// Open a source that runs at whatever its frames are (see [`Source::follow`]).
    pub fn open_following(
        backend: Arc<dyn Backend>,
        device: DeviceInfo,
        capabilities: Capabilities,
        mode: NativeMode,
    ) -> Result<Arc<Source>> {
        Source::open_with(backend, device, capabilities, mode, true)
    }

    fn open_with(
        backend: Arc<dyn Backend>,
        device: DeviceInfo,
        capabilities: Capabilities,
        mode: NativeMode,
        follows_frames: bool,
    ) -> Result<Arc<Source>> {
        let controls = match &capabilities {
            Capabilities::Video { controls, .. } if !controls.is_empty() => {
                backend.controls(&device.device_id)
            }
            _ => None,
        };
        let control_values = controls
            .as_ref()
            .and_then(|c| c.read().ok())
            .unwrap_or_default();
        let source = Arc::new(Source {
            device,
            capabilities,
            backend,
            native: Mutex::new(mode.clone()),
            sinks: ArcSwap::from_pointee(Vec::new()),
            lifecycle: Mutex::new(Lifecycle {
                driver: None,
                closed: false,
            }),
            fanout: Mutex::new(Fanout::new(mode.clone())),
            room: Arc::new(Signal::new()),
            ended: AtomicBool::new(false),
            muted: AtomicBool::new(false),
            frames_captured: AtomicU64::new(0),
            controls,
            control_values: Mutex::new(control_values),
            follows_frames,
        });
        let sink = SourceSink::new(Arc::downgrade(&source) as Weak<dyn SourceTarget>);
        let driver = source.backend.open(&source.device.device_id, &mode, sink)?;
        lock(&source.lifecycle).driver = Some(driver);
        Ok(source)
    }

    /// The camera's control values, read back from the device now (the last
    /// values read when the device cannot be read: it is gone, say).
    pub fn control_values(&self) -> ControlValues {
        let Some(controls) = &self.controls else {
            return ControlValues::new();
        };
        let mut cache = lock(&self.control_values);
        if let Ok(now) = controls.read() {
            *cache = now;
        }
        cache.clone()
    }

    /// Set the controls `constraints` name to the values SelectSettings chose,
    /// in the order the device needs, then read every value back. On a
    /// refusal the writes made before it stay (settings show them: they are
    /// read back) and the error names the control.
    pub fn apply_controls(&self, constraints: &TrackConstraints, chosen: &Chosen) -> Result<()> {
        let (Some(controls), Capabilities::Video { controls: caps, .. }) =
            (&self.controls, &self.capabilities)
        else {
            return Ok(());
        };
        let named = plan::named(constraints);
        if named.is_empty() {
            return Ok(());
        }
        let mut cache = lock(&self.control_values);
        if let Ok(now) = controls.read() {
            *cache = now;
        }
        let writes = plan::writes(caps, &cache, &plan::chosen_values(caps, chosen), &named);
        let result = plan::apply(controls.as_ref(), &writes);
        if let Ok(now) = controls.read() {
            *cache = now;
        }
        result
    }

    /// How the device runs now.
    pub fn native(&self) -> NativeMode {
        lock(&self.native).clone()
    }

    /// Whether the source runs at whatever its frames are (see [`Source::follow`]).
    pub fn follows_frames(&self) -> bool {
        self.follows_frames
    }

    /// Run at `mode` from the next frame on: a new fan-out, and every track's
    /// settings chosen again by `settle` (its constraints against the new mode).
    /// Serialised with [`Source::settle`]. Nothing happens when `mode` is the current one.
    pub fn follow(&self, mode: NativeMode, settle: impl Fn(&NativeMode, &TrackSink)) {
        let mut native = lock(&self.native);
        if *native == mode {
            return;
        }
        *lock(&self.fanout) = Fanout::new(mode.clone());
        *native = mode;
        for sink in self.sinks.load().iter() {
            settle(&native, sink);
        }
    }

    /// Run `f` with the current mode, which does not change meanwhile (for a
    /// track choosing its settings on a source that follows its frames).
    pub fn settle<R>(&self, f: impl FnOnce(&NativeMode) -> R) -> R {
        let native = lock(&self.native);
        f(&native)
    }

    /// The signal queues raise when a consumer frees room (for unpaced capture).
    pub fn room(&self) -> Arc<Signal> {
        Arc::clone(&self.room)
    }

    /// Whether new tracks can still attach.
    pub fn is_usable(&self) -> bool {
        !lock(&self.lifecycle).closed && !self.ended.load(Ordering::Acquire)
    }

    pub fn is_muted(&self) -> bool {
        self.muted.load(Ordering::Acquire)
    }

    /// Add a track. Fails if the source closed or ended meanwhile.
    pub fn attach(&self, sink: Arc<TrackSink>) -> Result<()> {
        let life = lock(&self.lifecycle);
        if life.closed || self.ended.load(Ordering::Acquire) {
            return Err(Error::InvalidState(format!(
                "device {} is no longer open",
                self.device.device_id
            )));
        }
        sink.muted.store(self.is_muted(), Ordering::Release);
        let mut list = Vec::clone(&self.sinks.load());
        list.push(sink);
        self.sinks.store(Arc::new(list));
        drop(life);
        self.room.notify();
        Ok(())
    }

    /// Remove a track; closing the device if it was the last one.
    pub fn detach(&self, sink: &Arc<TrackSink>) {
        let mut life = lock(&self.lifecycle);
        let list: Vec<Arc<TrackSink>> = self
            .sinks
            .load()
            .iter()
            .filter(|s| !Arc::ptr_eq(s, sink))
            .cloned()
            .collect();
        let last = list.is_empty();
        self.sinks.store(Arc::new(list));
        let driver = if last && !life.closed {
            life.closed = true;
            life.driver.take()
        } else {
            None
        };
        drop(life);
        if let Some(mut driver) = driver {
            driver.close();
        }
    }

    /// Number of tracks attached.
    pub fn track_count(&self) -> usize {
        self.sinks.load().len()
    }

    /// Restart the device at another mode (a track alone on it asked for more than it gives).
    pub fn reconfigure(self: &Arc<Self>, mode: NativeMode) -> Result<()> {
        let mut life = lock(&self.lifecycle);
        if life.closed || self.ended.load(Ordering::Acquire) {
            return Err(Error::InvalidState(format!(
                "device {} is no longer open",
                self.device.device_id
            )));
        }
        let old = self.native();
        if old == mode {
            return Ok(());
        }
        if let Some(mut driver) = life.driver.take() {
            driver.close();
        }
        *lock(&self.fanout) = Fanout::new(mode.clone());
        *lock(&self.native) = mode.clone();
        let sink = SourceSink::new(Arc::downgrade(self) as Weak<dyn SourceTarget>);
        match self
            .backend
            .open(&self.device.device_id, &mode, sink.clone())
        {
            Ok(driver) => {
                life.driver = Some(driver);
                Ok(())
            }
            Err(e) => {
                // Go back to what worked; if even that fails the device is lost.
                *lock(&self.fanout) = Fanout::new(old.clone());
                *lock(&self.native) = old.clone();
                match self.backend.open(&self.device.device_id, &old, sink) {
                    Ok(driver) => life.driver = Some(driver),
                    Err(again) => {
                        drop(life);
                        self.end(&format!("device failed to reopen: {again}"));
                    }
                }
                Err(e)
            }
        }
    }

    /// The device ended by itself: end every track once and release the device.
    pub fn end(&self, detail: &str) {
        if self.ended.swap(true, Ordering::AcqRel) {
            return;
        }
        let mut life = lock(&self.lifecycle);
        life.closed = true;
        let driver = life.driver.take();
        let sinks = self.sinks.swap(Arc::new(Vec::new()));
        drop(life);
        // What the fan-out still holds (a resampler's tail, a part-filled chunk)
        // reaches the tracks before they end.
        lock(&self.fanout).flush(&sinks);
        for sink in sinks.iter() {
            sink.end_by_source(detail);
        }
        if let Some(mut driver) = driver {
            driver.close();
        }
        self.room.notify();
    }
}

impl Drop for Source {
    fn drop(&mut self) {
        let life = self
            .lifecycle
            .get_mut()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(mut driver) = life.driver.take() {
            driver.close();
        }
    }
}

/// What the driver reaches through its [`SourceSink`].
impl SourceTarget for Source {
    fn deliver(&self, frame: Frame) -> bool {
        if self.ended.load(Ordering::Acquire) {
            return false;
        }
        self.frames_captured.fetch_add(1, Ordering::Relaxed);
        let sinks = self.sinks.load();
        if !sinks.is_empty() {
            lock(&self.fanout).deliver(&frame, &sinks);
        }
        true
    }

    fn end(&self, detail: &str) {
        Source::end(self, detail);
    }

    fn set_muted(&self, muted: bool, detail: &str) {
        self.muted.store(muted, Ordering::Release);
        for sink in self.sinks.load().iter() {
            sink.set_muted(muted, detail);
        }
    }

    fn room(&self) -> Arc<Signal> {
        Source::room(self)
    }

    fn any_room(&self) -> bool {
        self.sinks
            .load()
            .iter()
            .any(|s| !s.is_ended() && s.queue.has_room())
    }

    fn largest_queue(&self) -> usize {
        let sinks = self.sinks.load();
        sinks.iter().map(|s| s.queue.capacity()).max().unwrap_or(0)
    }

    fn count_drop(&self) {
        for sink in self.sinks.load().iter() {
            if !sink.is_ended() {
                sink.queue.count_drop();
            }
        }
    }
}
