//! Real microphones through cpal (on Linux the sound server's own protocol,
//! else ALSA; CoreAudio on macOS, WASAPI on Windows): host.rs chooses.
//!
//! Devices are the input devices of that host, the system default one first,
//! and its output devices are listed as `audiooutput` (never opened). A
//! device id is `cpal:` + cpal's own stable device id
//! ([`cpal::DeviceId::id`], without its host prefix), the same in every
//! process and run, never a list position or a label:
//! - PulseAudio / PipeWire: the source's (or sink's) name
//!   (`cpal:alsa_input.pci-0000_00_1f.3.analog-stereo`); an output's monitor
//!   is a source (`cpal:<sink>.monitor`, "Monitor of ..."): system loopback;
//! - ALSA: the PCM name (`cpal:default`, `cpal:hw:CARD=0,DEV=0`);
//! - WASAPI: the endpoint id string of the `IMMDevice`
//!   (`cpal:{0.0.1.00000000}.{9c5b0b8c-...}`), kept by Windows for the
//!   endpoint across reboots and re-plugging into the same port;
//! - CoreAudio: the device's UID (`kAudioDevicePropertyDeviceUID`, e.g.
//!   `cpal:BuiltInMicrophoneDevice`), which CoreAudio keeps across boots.
//!
//! A device cpal cannot name (its id query fails) is not listed.
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
//! Errors cpal reports on a running stream (stream.rs, [`stream::verdict`]):
//! xruns (and a refused real-time priority) are only glitches and change
//! nothing; a device that went away (`DeviceNotAvailable`: unplugged,
//! disabled, WASAPI's `AUDCLNT_E_DEVICE_INVALIDATED`, CoreAudio's
//! `kAudioDevicePropertyDeviceIsAlive`), a stream invalidated (WASAPI's
//! `AUDCLNT_E_RESOURCES_INVALIDATED` or a default-device stream whose
//! default changed, CoreAudio's sample rate changed under it) or a host
//! gone (the Windows audio service, PulseAudio) end the tracks, once, saying
//! so, and are a possible `devicechange`; a stream cpal rerouted by itself
//! (`DeviceChanged`) keeps running and is a possible `devicechange`.
//!
//! `devicechange` (watch.rs): cpal 0.18 has no device-list notifications (its
//! WASAPI and CoreAudio listeners serve only its own streams), so while a
//! change notifier is set a watcher thread lists the input device ids (the
//! default first) once a second (on Linux: when the capture nodes in
//! `/dev/snd` changed) and calls the notifier when the list changed, and at
//! once when a stream reported its device gone or changed.
//!
//! On Linux the backend first loads the system's libasound (libasound.rs);
//! without it the backend is unavailable and says why, and no ALSA function
//! is called.

mod chunker;
mod health;
pub mod host;
mod libasound;
mod loopback;
#[cfg(target_os = "linux")]
mod quiet_alsa;
mod stream;
mod watch;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use cpal::traits::{DeviceTrait, HostTrait};

use crate::audio::Processing;
use crate::backend::usage::{DeviceUsage, UsageTable};
use crate::backend::{Backend, ChangeNotifier, Driver, SourceSink};
use crate::device::{AudioMode, Capabilities, DeviceEntry, DeviceInfo, Range};
use crate::error::{Error, Result};
use crate::frame::SampleFormat;
use crate::kind::MediaKind;
use crate::settings::NativeMode;
use stream::{CpalDriver, StreamOwner};
use watch::{Alarm, Watcher};

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

/// Nothing to keep quiet without ALSA (a value all the same, held like Linux's).
#[cfg(not(target_os = "linux"))]
pub(super) struct Quiet;

#[cfg(not(target_os = "linux"))]
pub(super) fn quiet() -> Quiet {
    Quiet
}

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

/// Whether `id` is an ALSA PCM named in [`NOT_MICROPHONES`]. Only ALSA
/// names devices by plugin: a WASAPI endpoint id or a CoreAudio UID that
/// happens to start with `pulse` or `null` is a device like any other.
fn is_not_a_microphone(id: &cpal::DeviceId) -> bool {
    if !id.host().name().eq_ignore_ascii_case("alsa") {
        return false;
    }
    let pcm = id.id();
    let plugin = pcm.split(':').next().unwrap_or(pcm);
    NOT_MICROPHONES.contains(&plugin)
}

/// Whether `id` is a sound server's monitor of an output (PulseAudio and
/// PipeWire name the monitor of sink `S` `S.monitor`).
fn is_monitor(id: &str) -> bool {
    id.ends_with(".monitor")
}

/// The cpal backend.
pub struct CpalBackend {
    /// Why it cannot be used on this machine (no libasound): it then calls
    /// no ALSA function, lists no device and refuses to open any.
    unavailable: Option<String>,
    /// Raised by a stream whose device went away or changed: the watcher
    /// then calls the change notifier at once.
    alarm: Arc<Alarm>,
    /// Watches the device list while a change notifier is set.
    watcher: Mutex<Option<Watcher>>,
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
        // `echoCancellation: "all"`: the system's output as a far end, where a server is in use.
        crate::audio::render::set_system_feed(loopback::start);
        CpalBackend {
            unavailable: libasound::load().err(),
            alarm: Arc::new(Alarm::default()),
            watcher: Mutex::new(None),
        }
    }
}

/// Our id of a device: `cpal:` + cpal's stable id, or `None` when cpal
/// cannot name it or it is an ALSA PCM that is not a microphone.
fn device_id_of(device: &cpal::Device) -> Option<String> {
    let id = device.id().ok()?;
    if is_not_a_microphone(&id) {
        return None;
    }
    Some(format!("{PREFIX}{}", id.id()))
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
        // As browsers do: echo cancellation, noise suppression and gain control on.
        default_processing: Processing::ON,
    })
}

/// The input devices of the host in use ([`host::host`]), the system default
/// one first; with a sound server, its sources, outputs' monitors among them.
///
/// cpal's default device is a device of its own on some hosts (WASAPI's
/// follows the system default from stream to stream); its id is that of the
/// endpoint it stands for now, so the listed device of that id is moved
/// first and kept, and the default handle is used only when the list lacks it.
fn input_devices() -> Vec<(String, cpal::Device)> {
    devices_of(Direction::Input)
}

/// The output devices of the host in use, the system default one first.
fn output_devices() -> Vec<(String, cpal::Device)> {
    devices_of(Direction::Output)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Direction {
    Input,
    Output,
}

fn devices_of(direction: Direction) -> Vec<(String, cpal::Device)> {
    let Ok(host) = host::host() else {
        return Vec::new();
    };
    let (default, listed) = match direction {
        Direction::Input => (host.default_input_device(), host.input_devices()),
        Direction::Output => (host.default_output_device(), host.output_devices()),
    };
    let default_id = default.as_ref().and_then(device_id_of);

    let mut out: Vec<(String, cpal::Device)> = Vec::new();
    match listed {
        Ok(devices) => {
            for d in devices {
                if let Some(id) = device_id_of(&d) {
                    if !out.iter().any(|(known, _)| *known == id) {
                        out.push((id, d));
                    }
                }
            }
        }
        // The server went away: connect again (or fall back to ALSA) next time.
        Err(_) if host::is_server(&host) => host::forget(&host),
        Err(_) => {}
    }
    // ALSA lists in its configuration's order (`default` and the system's
    // choices first). WASAPI's endpoint collection has no order of its own
    // (Wine's differs from process to process), nor has a sound server's
    // (its indexes grow as devices come): sorted by id, the list is the same
    // in every process and changes only when a device comes or goes.
    if !host.id().name().eq_ignore_ascii_case("alsa") {
        out.sort_by(|(a, _), (b, _)| a.cmp(b));
    }
    if let (Some(default_id), Some(default)) = (default_id, default) {
        match out.iter().position(|(id, _)| *id == default_id) {
            Some(i) => {
                let d = out.remove(i);
                out.insert(0, d);
            }
            None => out.insert(0, (default_id, default)),
        }
    }
    out
}

/// The ids of the input devices now, the default first, then the outputs',
/// into `out`.
fn input_device_ids(out: &mut Vec<String>) {
    out.clear();
    out.extend(input_devices().into_iter().map(|(id, _)| id));
    out.extend(
        output_devices()
            .into_iter()
            .map(|(id, _)| format!("out:{id}")),
    );
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
                let mut capabilities = remembered_capabilities(&id, &device)?;
                if is_monitor(&id) {
                    // What an output plays is not a voice in a room: recorded as
                    // it is unless a track asks otherwise (browsers leave system
                    // audio unprocessed too).
                    if let Capabilities::Audio {
                        default_processing, ..
                    } = &mut capabilities
                    {
                        *default_processing = Processing::OFF;
                    }
                }
                let label = label_of(&device, &id[PREFIX.len()..]);
                Some(DeviceEntry {
                    info: DeviceInfo {
                        group_id: format!("cpal:group:{label}"),
                        device_id: id,
                        kind: MediaKind::Audio,
                        label,
                        output: false,
                    },
                    capabilities,
                })
            })
            .collect()
    }

    fn outputs(&self) -> Vec<DeviceInfo> {
        if self.unavailable.is_some() {
            return Vec::new();
        }
        let _quiet = quiet();
        output_devices()
            .into_iter()
            // As for microphones: a device that cannot say how it plays (an
            // ALSA PCM with no card behind it) is not offered.
            .filter(|(_, device)| device.default_output_config().is_ok())
            .map(|(id, device)| {
                let label = label_of(&device, &id[PREFIX.len()..]);
                DeviceInfo {
                    group_id: format!("cpal:group:{label}"),
                    device_id: id,
                    kind: MediaKind::Audio,
                    label,
                    output: true,
                }
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
        let owner = StreamOwner::start(device, shape, sink, device_id, Arc::clone(&self.alarm))?;
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

    fn set_change_notifier(&self, notifier: ChangeNotifier) {
        if self.unavailable.is_some() {
            return;
        }
        // Without a thread there is no `devicechange` from this backend; capture still works.
        let watcher = Watcher::start(notifier, Arc::clone(&self.alarm)).ok();
        let old = std::mem::replace(
            &mut *self.watcher.lock().unwrap_or_else(PoisonError::into_inner),
            watcher,
        );
        drop(old);
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Shape {
    pub(super) format: SampleFormat,
    pub(super) rate: u32,
    pub(super) channels: u16,
    pub(super) chunk: usize,
}

#[cfg(test)]
mod tests {
    use super::is_not_a_microphone;

    #[cfg(target_os = "linux")]
    #[test]
    fn alsa_plugins_that_are_not_microphones_are_left_out() {
        let alsa = |pcm: &str| cpal::DeviceId::new(cpal::HostId::Alsa, pcm);
        assert!(is_not_a_microphone(&alsa("null")));
        assert!(is_not_a_microphone(&alsa("pulse")));
        assert!(is_not_a_microphone(&alsa("jack:foo")));
        assert!(!is_not_a_microphone(&alsa("default")));
        assert!(!is_not_a_microphone(&alsa("hw:CARD=0,DEV=0")));
    }

    #[cfg(windows)]
    #[test]
    fn only_alsa_names_devices_by_plugin() {
        let id = cpal::DeviceId::new(cpal::HostId::Wasapi, "null");
        assert!(!is_not_a_microphone(&id));
    }

    #[cfg(target_os = "macos")]
    #[test]
    fn only_alsa_names_devices_by_plugin() {
        let id = cpal::DeviceId::new(cpal::HostId::CoreAudio, "pulse");
        assert!(!is_not_a_microphone(&id));
    }
}
