//! The fake backend: synthetic cameras and microphones, always compiled, like
//! a browser's fake capture devices.
//!
//! The camera renders I420 at any size up to its maximum (3840x2160, 60 fps)
//! with a moving pattern and the frame's sequence number painted in (see
//! [`crate::video::decode_sequence`]); the microphone plays a phase-continuous
//! sine (or noise, or silence, and an echo of the far end: see
//! [`crate::backend::fake_mic`]). Test controls make device loss, `mute` and `devicechange` testable:
//! `disconnect`, `reconnect`, `mute`, `unmute`, `fail` (a live device breaks;
//! it stays listed), `busy` / `free` (opening it fails with `NotReadableError`),
//! `controls-refuse` / `controls-accept` (a camera's control writes fail with
//! `NotReadableError` naming the control, or succeed again).
//!
//! Each camera has every Image Capture control (see
//! [`crate::backend::fake_controls`] for the table), held by the device, so the
//! values persist while it is closed and reopened; the capture thread paints
//! each frame through the [`crate::video::Look`] they give (brighter, warmer,
//! zoomed, panned...), with the sequence code on top, unaffected.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use crate::audio::Processing;
use crate::backend::capture_thread::{CaptureThread, StopFlag};
use crate::backend::fake_controls::{self, FakeControls};
use crate::backend::fake_mic::{FakeSound, MicSignal};
use crate::backend::pacing::{drop_for_want_of_buffer, wait_turn};
use crate::backend::usage::DeviceUsage;
use crate::backend::{Backend, ChangeNotifier, Driver, SourceSink};
use crate::clock::monotonic_us;
use crate::config::{FakeConfig, Pacing};
use crate::controls::DeviceControls;
use crate::device::{AudioMode, Capabilities, DeviceEntry, DeviceInfo, Range, VideoMode};
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, Frame, FrameData, PixelFormat, SampleFormat, VideoBuffer};
use crate::kind::MediaKind;
use crate::pool::FramePool;
use crate::settings::NativeMode;
use crate::video::{Look, PaintState, Painter};

/// Buffers a fake source may have in flight (frames queued or held by consumers).
const POOL_SIZE: usize = 64;
/// The test controls a fake device accepts.
pub const ACTIONS: [&str; 9] = [
    "disconnect",
    "reconnect",
    "mute",
    "unmute",
    "fail",
    "busy",
    "free",
    "controls-refuse",
    "controls-accept",
];

struct FakeDevice {
    entry: DeviceEntry,
    sound: FakeSound,
    connected: bool,
    busy: bool,
    muted: Arc<AtomicBool>,
    /// A camera's controls (none for a microphone).
    controls: Option<Arc<FakeControls>>,
    usage: DeviceUsage,
    /// Sinks of the drivers open on this device now, by driver number.
    live: Vec<(u64, SourceSink)>,
}

struct State {
    devices: Vec<FakeDevice>,
    next_driver: u64,
    notifier: Option<ChangeNotifier>,
}

/// The fake backend.
pub struct FakeBackend {
    pacing: Pacing,
    state: Arc<Mutex<State>>,
}

fn lock(m: &Mutex<State>) -> MutexGuard<'_, State> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl FakeBackend {
    pub fn new(config: FakeConfig) -> FakeBackend {
        let mut devices = Vec::new();
        for (i, cam) in config.video.iter().enumerate() {
            let (w, h, fps) = (cam.max_width, cam.max_height, cam.max_frame_rate);
            devices.push(FakeDevice::new(
                DeviceEntry {
                    info: info(
                        MediaKind::Video,
                        i,
                        cam.label.clone().unwrap_or(format!("Fake Camera {i}")),
                    ),
                    capabilities: Capabilities::Video {
                        controls: fake_controls::capabilities(),
                        modes: vec![VideoMode {
                            format: PixelFormat::I420,
                            width: Range::new(1, w),
                            height: Range::new(1, h),
                            frame_rate: Range::new(1.0, fps),
                        }],
                        facing_mode: cam.facing_mode.clone(),
                        default_width: 640.min(w),
                        default_height: 480.min(h),
                        default_frame_rate: 30.0f64.min(fps),
                    },
                },
                FakeSound::default(),
            ));
        }
        for (i, mic) in config.audio.iter().enumerate() {
            let modes = SampleFormat::ALL
                .iter()
                .map(|&format| AudioMode {
                    format,
                    sample_rate: Range::new(8_000, 48_000),
                    channels: Range::new(1, 2),
                })
                .collect();
            devices.push(FakeDevice::new(
                DeviceEntry {
                    info: info(
                        MediaKind::Audio,
                        i,
                        mic.label.clone().unwrap_or(format!("Fake Microphone {i}")),
                    ),
                    capabilities: Capabilities::Audio {
                        modes,
                        latency: Range::new(0.001, 0.5),
                        default_sample_rate: 48_000,
                        default_channels: 1,
                        // Fake microphones are for sample-exact tests: processing only on request.
                        default_processing: Processing::OFF,
                    },
                },
                mic.sound(),
            ));
        }
        FakeBackend {
            pacing: config.pacing,
            state: Arc::new(Mutex::new(State {
                devices,
                next_driver: 1,
                notifier: None,
            })),
        }
    }

    fn notify_change(&self) {
        let notifier = lock(&self.state).notifier.clone();
        if let Some(n) = notifier {
            n();
        }
    }
}

fn info(kind: MediaKind, index: usize, label: String) -> DeviceInfo {
    DeviceInfo {
        device_id: format!("fake:{}:{index}", kind.as_str()),
        kind,
        label,
        group_id: format!("fake:group:{index}"),
        output: false,
    }
}

impl FakeDevice {
    fn new(entry: DeviceEntry, sound: FakeSound) -> FakeDevice {
        let camera = entry.info.kind == MediaKind::Video;
        FakeDevice {
            entry,
            sound,
            connected: true,
            busy: false,
            muted: Arc::new(AtomicBool::new(false)),
            controls: camera.then(|| Arc::new(FakeControls::new())),
            usage: DeviceUsage::default(),
            live: Vec::new(),
        }
    }
}

impl Backend for FakeBackend {
    fn name(&self) -> &'static str {
        "fake"
    }

    fn devices(&self) -> Vec<DeviceEntry> {
        lock(&self.state)
            .devices
            .iter()
            .filter(|d| d.connected)
            .map(|d| d.entry.clone())
            .collect()
    }

    fn open(
        &self,
        device_id: &str,
        mode: &NativeMode,
        sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        let mut state = lock(&self.state);
        let number = state.next_driver;
        let device = state
            .devices
            .iter_mut()
            .find(|d| d.entry.info.device_id == device_id && d.connected)
            .ok_or_else(|| Error::NotFound(format!("no fake device {device_id}")))?;
        if device.busy {
            return Err(Error::NotReadable(format!(
                "device {device_id} is busy (fake test control)"
            )));
        }
        let muted = Arc::clone(&device.muted);
        let pacing = self.pacing;
        let name = format!("lms-fake-{}", device.entry.info.kind);
        let mut thread = match *mode {
            NativeMode::Video {
                format: PixelFormat::I420,
                width,
                height,
                frame_rate,
            } => {
                VideoBuffer::new(PixelFormat::I420, width, height)?;
                let sink = sink.clone();
                let controls = device.controls.clone();
                CaptureThread::spawn(name, move |stop| {
                    let shape = (width, height, frame_rate);
                    run_video(&stop, &sink, shape, pacing, &muted, controls.as_deref())
                })
            }
            NativeMode::Audio {
                format,
                sample_rate,
                channels,
                chunk_frames,
            } => {
                let tone = MicSignal::new(&device.sound, sample_rate, channels);
                let shape = (format, sample_rate, channels, chunk_frames);
                let sink = sink.clone();
                CaptureThread::spawn(name, move |stop| {
                    run_audio(&stop, &sink, tone, shape, pacing, &muted)
                })
            }
            ref other => {
                return Err(Error::NotReadable(format!(
                    "fake device cannot run as {other:?}"
                )))
            }
        }
        .map_err(|e| Error::NotReadable(format!("cannot start capture thread: {e}")))?;
        if let Some(room) = sink.room_signal() {
            thread.wake_on_stop(room);
        }
        if device.muted.load(Ordering::Acquire) {
            sink.set_muted(true, "device muted (fake test control)");
        }
        device.usage.opens += 1;
        device.live.push((number, sink));
        state.next_driver += 1;
        Ok(Box::new(FakeDriver {
            device_id: device_id.to_string(),
            number,
            thread: Some(thread),
            state: Arc::clone(&self.state),
        }))
    }

    fn control(&self, device_id: &str, action: &str) -> Result<()> {
        let mut state = lock(&self.state);
        let device = state
            .devices
            .iter_mut()
            .find(|d| d.entry.info.device_id == device_id)
            .ok_or_else(|| Error::NotFound(format!("no fake device {device_id}")))?;
        let sinks: Vec<SourceSink> = device.live.iter().map(|(_, s)| s.clone()).collect();
        let mut list_changed = false;
        match action {
            "disconnect" => {
                list_changed = device.connected;
                device.connected = false;
            }
            "reconnect" => {
                list_changed = !device.connected;
                device.connected = true;
            }
            "mute" => device.muted.store(true, Ordering::Release),
            "unmute" => device.muted.store(false, Ordering::Release),
            "busy" => device.busy = true,
            "free" => device.busy = false,
            "controls-refuse" | "controls-accept" => match &device.controls {
                Some(controls) => controls.set_refusing(action == "controls-refuse"),
                None => {
                    return Err(Error::InvalidArgument(format!(
                        "fake device {device_id} has no camera controls"
                    )))
                }
            },
            "fail" => {}
            other => {
                return Err(Error::InvalidArgument(format!(
                    "unknown fake device action \"{other}\" (known: {})",
                    ACTIONS.join(", ")
                )))
            }
        }
        drop(state);
        // Events and driver shutdown run without the backend's lock held.
        for sink in sinks {
            match action {
                "disconnect" => sink.end("device disconnected"),
                "fail" => sink.end("device failed"),
                "mute" => sink.set_muted(true, "device muted"),
                "unmute" => sink.set_muted(false, "device unmuted"),
                _ => {}
            }
        }
        if list_changed {
            self.notify_change();
        }
        Ok(())
    }

    fn controls(&self, device_id: &str) -> Option<Arc<dyn DeviceControls>> {
        lock(&self.state)
            .devices
            .iter()
            .find(|d| d.entry.info.device_id == device_id)
            .and_then(|d| d.controls.clone())
            .map(|c| c as Arc<dyn DeviceControls>)
    }

    fn usage(&self, device_id: &str) -> Option<DeviceUsage> {
        lock(&self.state)
            .devices
            .iter()
            .find(|d| d.entry.info.device_id == device_id)
            .map(|d| d.usage)
    }

    fn set_change_notifier(&self, notifier: ChangeNotifier) {
        lock(&self.state).notifier = Some(notifier);
    }
}

struct FakeDriver {
    device_id: String,
    number: u64,
    thread: Option<CaptureThread>,
    state: Arc<Mutex<State>>,
}

impl Driver for FakeDriver {
    fn close(&mut self) {
        let Some(mut thread) = self.thread.take() else {
            return;
        };
        thread.stop();
        let mut state = lock(&self.state);
        if let Some(d) = state
            .devices
            .iter_mut()
            .find(|d| d.entry.info.device_id == self.device_id)
        {
            d.usage.closes += 1;
            d.live.retain(|(n, _)| *n != self.number);
        }
    }
}

impl Drop for FakeDriver {
    fn drop(&mut self) {
        self.close();
    }
}

fn run_video(
    stop: &StopFlag,
    sink: &SourceSink,
    (w, h, fps): (u32, u32, f64),
    pacing: Pacing,
    muted: &AtomicBool,
    controls: Option<&FakeControls>,
) {
    let painter = Painter::new(w, h);
    let mut pool = FramePool::new(POOL_SIZE);
    let mut states: Vec<PaintState> = Vec::new();
    let period = Duration::from_secs_f64(1.0 / fps.max(1.0));
    let mut next = Instant::now();
    let mut sequence = 0u64;
    while wait_turn(stop, sink, pacing, &mut next, period) {
        if muted.load(Ordering::Acquire) {
            if pacing == Pacing::None
                && !stop.sleep_until(Instant::now() + Duration::from_millis(5))
            {
                return;
            }
            continue;
        }
        let acquired = pool.acquire(
            |d| d.video().is_some_and(|v| v.is(PixelFormat::I420, w, h)),
            || {
                FrameData::Video(
                    VideoBuffer::new(PixelFormat::I420, w, h)
                        .unwrap_or_else(|_| unreachable_size()),
                )
            },
        );
        let Some((slot, data)) = acquired else {
            if drop_for_want_of_buffer(stop, pacing) {
                sequence += 1;
            }
            continue;
        };
        while states.len() <= slot {
            states.push(PaintState::default());
        }
        if let Some(buf) = data.video_mut() {
            let look = controls.map_or_else(Look::neutral, FakeControls::look);
            painter.paint_with(buf, &mut states[slot], sequence, &look);
        }
        if !sink.deliver(Frame::new(pool.share(slot), sequence, monotonic_us())) {
            return;
        }
        sequence += 1;
    }
}

fn unreachable_size() -> VideoBuffer {
    // The size was validated before the thread started.
    VideoBuffer::new(PixelFormat::I420, 1, 1).expect("1x1 is a valid size")
}

fn run_audio(
    stop: &StopFlag,
    sink: &SourceSink,
    mut tone: MicSignal,
    (format, rate, channels, chunk): (SampleFormat, u32, u16, usize),
    pacing: Pacing,
    muted: &AtomicBool,
) {
    let mut pool = FramePool::new(POOL_SIZE);
    let period = Duration::from_secs_f64(chunk as f64 / rate.max(1) as f64);
    let mut next = Instant::now();
    let mut sequence = 0u64;
    while wait_turn(stop, sink, pacing, &mut next, period) {
        if muted.load(Ordering::Acquire) {
            if pacing == Pacing::None
                && !stop.sleep_until(Instant::now() + Duration::from_millis(5))
            {
                return;
            }
            continue;
        }
        let acquired = pool.acquire(
            |d| {
                d.audio()
                    .is_some_and(|a| a.is(format, rate, channels, chunk))
            },
            || FrameData::Audio(AudioBuffer::new(format, rate, channels, chunk)),
        );
        let Some((slot, data)) = acquired else {
            if drop_for_want_of_buffer(stop, pacing) {
                sequence += 1;
            }
            continue;
        };
        tone.listen();
        if let Some(buf) = data.audio_mut() {
            tone.fill(buf.samples_mut());
        }
        if !sink.deliver(Frame::new(pool.share(slot), sequence, monotonic_us())) {
            return;
        }
        sequence += 1;
    }
}
