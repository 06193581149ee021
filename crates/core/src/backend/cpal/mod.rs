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
//! buffers of a [`crate::pool::FramePool`] filled at open, and calls [`SourceSink::deliver`]:
//! it never blocks and allocates nothing in steady state.
//!
//! On Linux the backend first loads the system's libasound (libasound.rs);
//! without it the backend is unavailable and says why, and no ALSA function
//! is called.

mod chunker;
mod health;
mod libasound;
#[cfg(target_os = "linux")]
mod quiet_alsa;
mod stream;

use std::collections::BTreeMap;
use std::sync::{Mutex, OnceLock, PoisonError};

use cpal::traits::{DeviceTrait, HostTrait};

use crate::backend::usage::{DeviceUsage, UsageTable};
use crate::backend::{Backend, Driver, SourceSink};
use crate::device::{AudioMode, Capabilities, DeviceEntry, DeviceInfo, Range};
use crate::error::{Error, Result};
use crate::frame::SampleFormat;
use crate::kind::MediaKind;
use crate::settings::NativeMode;
use stream::{CpalDriver, StreamOwner};

/// The prefix of every cpal device id.
pub const PREFIX: &str = "cpal:";

/// Opens and closes per device id, for the whole process.
static USAGE: UsageTable = UsageTable::new();

pub(super) fn count(device_id: &str, f: impl FnOnce(&mut DeviceUsage)) {
    USAGE.count(device_id, f);
}

/// How often this process opened and closed the cpal device `device_id`.
pub fn usage_of(device_id: &str) -> Option<DeviceUsage> {
    USAGE.get(device_id)
}

/// Keeps alsa-lib's messages off stderr on this thread while the value lives.
#[cfg(target_os = "linux")]
pub(super) fn quiet() -> quiet_alsa::QuietAlsa {
    quiet_alsa::QuietAlsa::new()
}

#[cfg(not(target_os = "linux"))]
pub(super) fn quiet() {}

/// ALSA PCMs that are not microphones, by plugin name (the part of the id
/// before any `:`): `null` captures silence forever; the others are alsa-lib's
/// and alsa-plugins' rate converters and bridges to sound servers, which
/// `default` already stands for when the system routes through them. Probing
/// them would also make their client libraries print (libjack writes to
/// stderr when no JACK server runs). A machine without a sound card thus has
/// no microphone: `NotFoundError`, not a device of silence.
const NOT_MICROPHONES: [&str; 13] = [
    "null",
    "jack",
    "oss",
    "pulse",
    "pipewire",
    "lavrate",
    "samplerate",
    "speexrate",
    "speex",
    "upmix",
    "vdownmix",
    "a52",
    "usbstream",
];

/// Whether the device id names one of [`NOT_MICROPHONES`].
fn is_not_a_microphone(id: &str) -> bool {
    let pcm = id.strip_prefix(PREFIX).unwrap_or(id);
    let plugin = pcm.split(':').next().unwrap_or(pcm);
    NOT_MICROPHONES.contains(&plugin)
}

/// The cpal backend.
pub struct CpalBackend {
    /// Why it cannot be used on this machine (no libasound): it then calls
    /// no ALSA function, lists no device and refuses to open any.
    unavailable: Option<String>,
}

impl Default for CpalBackend {
    fn default() -> Self {
        CpalBackend::new()
    }
}

impl CpalBackend {
    /// Loads the system's audio library first (`libasound.so.2` on Linux, see
    /// backend/cpal/libasound.rs); the backend is unavailable, saying why,
    /// when that fails.
    pub fn new() -> CpalBackend {
        CpalBackend {
            unavailable: libasound::load().err(),
        }
    }
}

fn device_id_of(device: &cpal::Device) -> Option<String> {
    let raw = match device.id() {
        Ok(id) => id.id().to_string(),
        Err(_) => device.description().ok()?.name().to_string(),
    };
    Some(format!("{PREFIX}{raw}"))
}

pub(super) fn label_of(device: &cpal::Device, fallback: &str) -> String {
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

pub(super) fn cpal_format(f: SampleFormat) -> cpal::SampleFormat {
    match f {
        SampleFormat::F32 => cpal::SampleFormat::F32,
        SampleFormat::S16 => cpal::SampleFormat::I16,
    }
}

/// The capabilities of every device this process has queried, by device id.
fn capability_table() -> &'static Mutex<BTreeMap<String, Capabilities>> {
    static TABLE: OnceLock<Mutex<BTreeMap<String, Capabilities>>> = OnceLock::new();
    TABLE.get_or_init(|| Mutex::new(BTreeMap::new()))
}

/// A device's capabilities now, or as last seen when it cannot be queried now
/// (busy, or its sound server stopped answering) while ALSA still names it: it
/// stays listed and opening it says why it fails (`NotReadableError`), as in a
/// browser, instead of vanishing. A device never queried successfully is not
/// offered.
fn remembered_capabilities(id: &str, device: &cpal::Device) -> Option<Capabilities> {
    let now = capabilities(device);
    let mut table = capability_table()
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match now {
        Some(now) => {
            table.insert(id.to_string(), now.clone());
            Some(now)
        }
        None => table.get(id).cloned(),
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
    // A device claiming 0 channels or an impossible rate is not a microphone we
    // can convert from (and would make the chunker's buffer empty).
    use crate::audio::{MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&rate)
        || !(1..=MAX_CHANNELS).contains(&channels)
    {
        return None;
    }
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
    let default_id = host
        .default_input_device()
        .as_ref()
        .and_then(device_id_of)
        .filter(|id| !is_not_a_microphone(id));

    let mut out: Vec<(String, cpal::Device)> = Vec::new();
    if let Ok(devices) = host.input_devices() {
        for d in devices {
            if let Some(id) = device_id_of(&d) {
                if is_not_a_microphone(&id) {
                    continue;
                }
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
        if self.unavailable.is_some() {
            return Vec::new();
        }
        let _quiet = quiet();
        input_devices()
            .into_iter()
            .filter_map(|(id, device)| {
                let capabilities = remembered_capabilities(&id, &device)?;
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
        if let Some(why) = &self.unavailable {
            return Err(Error::NotFound(format!(
                "no cpal input device {device_id}: the cpal backend is unavailable: {why}"
            )));
        }
        let _quiet = quiet();
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

    fn unavailable(&self) -> Option<String> {
        self.unavailable.clone()
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) format: SampleFormat,
    pub(super) rate: u32,
    pub(super) channels: u16,
    pub(super) chunk: usize,
}
