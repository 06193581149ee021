//! Real microphones through cpal (ALSA on Linux, CoreAudio, WASAPI).
//!
//! Devices are the input devices of cpal's default host, the default one
//! first. A device id is `cpal:` + cpal's own device id (the ALSA PCM name,
//! e.g. `cpal:default`), so it is the same in every process and run.
//!
//! A device advertises its default configuration (sample rate, channel count,
//! f32 / s16): ALSA's `default` / `plug` PCMs claim every rate and channel
//! count and convert badly (or, in front of some plugins, drop data); the core
//! converts per track with rubato instead, so the device runs natively.
//!
//! The stream lives on a thread of its own that builds, plays and finally
//! drops it (cpal's `Stream` is `!Send` on some platforms). The data callback
//! re-chunks into a staging buffer allocated at open, copies full chunks into
//! buffers of a [`FramePool`] filled at open, and calls [`SourceSink::deliver`]:
//! it never blocks and allocates nothing in steady state.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::thread::{JoinHandle, ThreadId};

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use crate::backend::fake::DeviceUsage;
use crate::backend::{Backend, Driver, SourceSink};
use crate::clock::monotonic_us;
use crate::device::{AudioMode, Capabilities, DeviceEntry, DeviceInfo, Range};
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, Frame, FrameData, SampleFormat, Samples};
use crate::kind::MediaKind;
use crate::pool::FramePool;
use crate::settings::NativeMode;

/// The prefix of every cpal device id.
pub const PREFIX: &str = "cpal:";
/// Seconds of audio the pool of a source holds at most (frames queued or held by consumers).
const POOL_SECONDS: f64 = 2.0;
const POOL_MIN: usize = 16;
const POOL_MAX: usize = 256;

/// Opens and closes per device id, for the whole process: a backend made by
/// one `MediaDevices` and a test looking with another see the same counts.
fn usage_table() -> &'static Mutex<BTreeMap<String, DeviceUsage>> {
    static TABLE: OnceLock<Mutex<BTreeMap<String, DeviceUsage>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

fn count(device_id: &str, f: impl FnOnce(&mut DeviceUsage)) {
    let mut table = usage_table().lock().unwrap_or_else(PoisonError::into_inner);
    f(table.entry(device_id.to_string()).or_default());
}

/// How often this process opened and closed the cpal device `device_id`.
pub fn usage_of(device_id: &str) -> Option<DeviceUsage> {
    usage_table()
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(device_id)
        .copied()
}

/// The cpal backend.
#[derive(Default)]
pub struct CpalBackend {}

impl CpalBackend {
    pub fn new() -> CpalBackend {
        CpalBackend {}
    }
}

fn device_id_of(device: &cpal::Device) -> Option<String> {
    let raw = match device.id() {
        Ok(id) => id.id().to_string(),
        Err(_) => device.description().ok()?.name().to_string(),
    };
    Some(format!("{PREFIX}{raw}"))
}

fn label_of(device: &cpal::Device, fallback: &str) -> String {
    device
        .description()
        .map(|d| d.name().to_string())
        .unwrap_or_else(|_| fallback.to_string())
}

fn lms_format(f: cpal::SampleFormat) -> Option<SampleFormat> {
    match f {
        cpal::SampleFormat::F32 => Some(SampleFormat::F32),
        cpal::SampleFormat::I16 => Some(SampleFormat::S16),
        _ => None,
    }
}

fn cpal_format(f: SampleFormat) -> cpal::SampleFormat {
    match f {
        SampleFormat::F32 => cpal::SampleFormat::F32,
        SampleFormat::S16 => cpal::SampleFormat::I16,
    }
}

/// What a device can deliver: its default rate and channel count, in the
/// formats (f32 / s16) it supports there, the default format first.
fn capabilities(device: &cpal::Device) -> Option<Capabilities> {
    let default = match device.default_input_config() {
        Ok(d) => d,
        Err(_) => return None,
    };
    let (rate, channels) = (default.sample_rate(), default.channels());
    let ranges: Vec<cpal::SupportedStreamConfigRange> = match device.supported_input_configs() {
        Ok(r) => r.collect(),
        Err(_) => return None,
    };

    let mut formats: Vec<SampleFormat> = Vec::new();
    formats.extend(lms_format(default.sample_format()));
    for r in &ranges {
        if r.channels() == channels && r.contains_rate(rate) {
            if let Some(f) = lms_format(r.sample_format()) {
                if formats.is_empty() {
                    // The default format is neither f32 nor s16: take the first that is.
                    formats.push(f);
                }
            }
        }
    }
    let format = *formats.first()?;
    let latency = match default.buffer_size() {
        cpal::SupportedBufferSize::Range { min, max } if *max > 0 && rate > 0 => Range::new(
            (f64::from(*min) / f64::from(rate)).max(0.001),
            (f64::from(*max) / f64::from(rate)).clamp(0.001, 1.0),
        ),
        _ => Range::new(0.001, 0.5),
    };
    let latency = if latency.min <= latency.max {
        latency
    } else {
        Range::new(0.001, 0.5)
    };
    Some(Capabilities::Audio {
        modes: vec![AudioMode {
            format,
            sample_rate: Range::exactly(rate),
            channels: Range::exactly(channels),
        }],
        latency,
        default_sample_rate: rate,
        default_channels: channels,
    })
}

/// The input devices of the default host, the default one first.
fn input_devices() -> Vec<(String, cpal::Device)> {
    let host = cpal::default_host();
    let default_id = host.default_input_device().as_ref().and_then(device_id_of);

    let mut out: Vec<(String, cpal::Device)> = Vec::new();
    if let Ok(devices) = host.input_devices() {
        for d in devices {
            if let Some(id) = device_id_of(&d) {
                if !out.iter().any(|(known, _)| *known == id) {
                    out.push((id, d));
                }
            }
        }
    }
    if let Some(default_id) = default_id {
        match out.iter().position(|(id, _)| *id == default_id) {
            Some(i) => {
                let d = out.remove(i);
                out.insert(0, d);
            }
            None => {
                if let Some(d) = host.default_input_device() {
                    out.insert(0, (default_id, d));
                }
            }
        }
    }
    out
}

impl Backend for CpalBackend {
    fn name(&self) -> &'static str {
        "cpal"
    }

    fn devices(&self) -> Vec<DeviceEntry> {
        input_devices()
            .into_iter()
            .filter_map(|(id, device)| {
                let capabilities = capabilities(&device)?;
                let label = label_of(&device, &id[PREFIX.len()..]);
                Some(DeviceEntry {
                    info: DeviceInfo {
                        group_id: format!("cpal:group:{label}"),
                        device_id: id,
                        kind: MediaKind::Audio,
                        label,
                    },
                    capabilities,
                })
            })
            .collect()
    }

    fn open(
        &self,
        device_id: &str,
        mode: &NativeMode,
        sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        let NativeMode::Audio {
            format,
            sample_rate,
            channels,
            chunk_frames,
        } = *mode
        else {
            return Err(Error::NotReadable(format!(
                "cpal device {device_id} cannot run as {mode:?}"
            )));
        };
        let device = input_devices()
            .into_iter()
            .find(|(id, _)| id == device_id)
            .map(|(_, d)| d)
            .ok_or_else(|| Error::NotFound(format!("no cpal input device {device_id}")))?;
        let shape = Shape {
            format,
            rate: sample_rate,
            channels,
            chunk: chunk_frames.max(1),
        };
        let owner = StreamOwner::start(device, shape, sink, device_id)?;
        count(device_id, |u| u.opens += 1);
        Ok(Box::new(CpalDriver {
            device_id: device_id.to_string(),
            owner: Some(owner),
        }))
    }

    fn usage(&self, device_id: &str) -> Option<DeviceUsage> {
        usage_of(device_id)
    }
}

#[derive(Debug, Clone, Copy)]
struct Shape {
    format: SampleFormat,
    rate: u32,
    channels: u16,
    chunk: usize,
}

/// The thread that owns a cpal stream: it builds and plays it, then waits for
/// the word to drop it.
struct StreamOwner {
    stop: mpsc::Sender<()>,
    thread: JoinHandle<()>,
    /// The thread cpal calls the data callback on, once known.
    callback_thread: Arc<OnceLock<ThreadId>>,
}

impl StreamOwner {
    fn start(
        device: cpal::Device,
        shape: Shape,
        sink: SourceSink,
        device_id: &str,
    ) -> Result<StreamOwner> {
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<std::result::Result<(), String>>();
        let callback_thread = Arc::new(OnceLock::new());
        let callback_thread_in = Arc::clone(&callback_thread);
        let id = device_id.to_string();
        let thread = std::thread::Builder::new()
            .name("lms-cpal".into())
            .spawn(move || {
                let stream = match build(&device, shape, sink, callback_thread_in) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                if let Err(e) = stream.play() {
                    let _ = ready_tx.send(Err(format!("cannot start {id}: {e}")));
                    return;
                }
                let _ = ready_tx.send(Ok(()));
                // Until closed (or the driver is gone): then the stream is dropped here.
                let _ = stop_rx.recv();
                drop(stream);
            })
            .map_err(|e| Error::NotReadable(format!("cannot start cpal thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(StreamOwner {
                stop: stop_tx,
                thread,
                callback_thread,
            }),
            Ok(Err(message)) => {
                let _ = thread.join();
                Err(Error::NotReadable(message))
            }
            Err(_) => {
                let _ = thread.join();
                Err(Error::NotReadable(format!(
                    "the cpal thread of {device_id} stopped while opening it"
                )))
            }
        }
    }

    /// Drop the stream; waits for it unless called from cpal's own callback thread.
    fn stop(self) {
        let _ = self.stop.send(());
        let here = std::thread::current().id();
        if self.callback_thread.get() != Some(&here) && self.thread.thread().id() != here {
            let _ = self.thread.join();
        }
    }
}

fn build(
    device: &cpal::Device,
    shape: Shape,
    sink: SourceSink,
    callback_thread: Arc<OnceLock<ThreadId>>,
) -> std::result::Result<cpal::Stream, String> {
    let name = label_of(device, "cpal device");
    let fixed = cpal::StreamConfig {
        channels: shape.channels,
        sample_rate: shape.rate,
        buffer_size: cpal::BufferSize::Fixed(shape.chunk as u32),
    };
    let supports_fixed = device.supported_input_configs().is_ok_and(|mut rs| {
        rs.any(|r| {
            r.channels() == shape.channels
                && r.contains_rate(shape.rate)
                && r.sample_format() == cpal_format(shape.format)
                && matches!(*r.buffer_size(), cpal::SupportedBufferSize::Range { min, max }
                    if (min..=max).contains(&(shape.chunk as u32)))
        })
    });
    let mut configs = Vec::new();
    if supports_fixed {
        configs.push(fixed);
    }
    configs.push(cpal::StreamConfig {
        buffer_size: cpal::BufferSize::Default,
        ..fixed
    });
    let mut last = String::new();
    for config in configs {
        let mut chunker = Chunker::new(shape, sink.clone(), Arc::clone(&callback_thread));
        let error_sink = sink.clone();
        let failed = Arc::new(AtomicBool::new(false));
        let result = device.build_input_stream_raw(
            config,
            cpal_format(shape.format),
            move |data: &cpal::Data, _: &cpal::InputCallbackInfo| chunker.push(data),
            move |e: cpal::Error| {
                if matches!(
                    e.kind(),
                    cpal::ErrorKind::Xrun | cpal::ErrorKind::RealtimeDenied
                ) {
                    return;
                }
                if !failed.swap(true, Ordering::AcqRel) {
                    error_sink.end(&format!("cpal stream error: {e}"));
                }
            },
            None,
        );
        match result {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("cannot open {name}: {e}"),
        }
    }
    Err(last)
}

/// Cuts the callback's buffers into chunks of the source's size, without allocating.
struct Chunker {
    shape: Shape,
    sink: SourceSink,
    pool: FramePool,
    staging_f32: Vec<f32>,
    staging_s16: Vec<i16>,
    filled: usize,
    sequence: u64,
    gone: bool,
    callback_thread: Arc<OnceLock<ThreadId>>,
}

impl Chunker {
    fn new(shape: Shape, sink: SourceSink, callback_thread: Arc<OnceLock<ThreadId>>) -> Chunker {
        let samples = shape.chunk * usize::from(shape.channels);
        let size = ((POOL_SECONDS * f64::from(shape.rate) / shape.chunk as f64).ceil() as usize)
            .clamp(POOL_MIN, POOL_MAX);
        let mut pool = FramePool::new(size);
        // Fill the pool now, so the callback never allocates.
        let mut held = Vec::with_capacity(size);
        for _ in 0..size {
            if let Some((slot, _)) = pool.acquire(|_| false, || make(shape)) {
                held.push(pool.share(slot));
            }
        }
        drop(held);
        let (staging_f32, staging_s16) = match shape.format {
            SampleFormat::F32 => (vec![0.0; samples], Vec::new()),
            SampleFormat::S16 => (Vec::new(), vec![0; samples]),
        };
        Chunker {
            shape,
            sink,
            pool,
            staging_f32,
            staging_s16,
            filled: 0,
            sequence: 0,
            gone: false,
            callback_thread,
        }
    }

    fn push(&mut self, data: &cpal::Data) {
        if self.callback_thread.get().is_none() {
            let _ = self.callback_thread.set(std::thread::current().id());
        }
        if self.gone {
            return;
        }
        match self.shape.format {
            SampleFormat::F32 => {
                if let Some(input) = data.as_slice::<f32>() {
                    self.push_samples(input, |c| &mut c.staging_f32);
                }
            }
            SampleFormat::S16 => {
                if let Some(input) = data.as_slice::<i16>() {
                    self.push_samples(input, |c| &mut c.staging_s16);
                }
            }
        }
    }

    fn push_samples<T: Copy>(&mut self, mut input: &[T], staging: fn(&mut Chunker) -> &mut Vec<T>) {
        while !input.is_empty() && !self.gone {
            let filled = self.filled;
            let buf = staging(self);
            let len = buf.len();
            let n = (len - filled).min(input.len());
            buf[filled..filled + n].copy_from_slice(&input[..n]);
            input = &input[n..];
            self.filled += n;
            if self.filled == len {
                self.filled = 0;
                self.flush();
            }
        }
    }

    /// Hand the full staging chunk to the tracks in a pooled buffer.
    fn flush(&mut self) {
        let shape = self.shape;
        let acquired = self.pool.acquire(
            |d| {
                d.audio()
                    .is_some_and(|a| a.is(shape.format, shape.rate, shape.channels, shape.chunk))
            },
            || make(shape),
        );
        let sequence = self.sequence;
        self.sequence += 1;
        // Every buffer is held by consumers: this chunk is lost (its sequence number skipped).
        let Some((slot, data)) = acquired else {
            return;
        };
        match data.audio_mut().map(AudioBuffer::samples_mut) {
            Some(Samples::F32(out)) => out.copy_from_slice(&self.staging_f32),
            Some(Samples::S16(out)) => out.copy_from_slice(&self.staging_s16),
            None => return,
        }
        let frame = Frame::new(self.pool.share(slot), sequence, monotonic_us());
        if !self.sink.deliver(frame) {
            self.gone = true;
        }
    }
}

fn make(shape: Shape) -> FrameData {
    FrameData::Audio(AudioBuffer::new(
        shape.format,
        shape.rate,
        shape.channels,
        shape.chunk,
    ))
}

struct CpalDriver {
    device_id: String,
    owner: Option<StreamOwner>,
}

impl Driver for CpalDriver {
    fn close(&mut self) {
        if let Some(owner) = self.owner.take() {
            owner.stop();
            count(&self.device_id, |u| u.closes += 1);
        }
    }
}

impl Drop for CpalDriver {
    fn drop(&mut self) {
        self.close();
    }
}
