//! Devices as `enumerateDevices()` lists them, and what each can deliver.

use serde_json::{json, Map, Value};

use crate::audio::{EchoCancellation, Processing};
use crate::controls::{caps_json, ControlCaps};
use crate::frame::{PixelFormat, SampleFormat};
use crate::kind::MediaKind;

/// `MediaDeviceInfo`: one input device (`audioinput`, `videoinput`), or an
/// output (`audiooutput`: `output` is true, `kind` is audio), which is listed
/// but never captured from (its monitor, where the system has one, is an
/// `audioinput` of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceInfo {
    /// Stable across runs and processes, e.g. `fake:video:0`.
    pub device_id: String,
    pub kind: MediaKind,
    pub label: String,
    /// Devices of one physical product share it (a webcam's camera and microphone).
    pub group_id: String,
    /// An output device (`audiooutput`), not an input.
    pub output: bool,
}

impl DeviceInfo {
    /// `"audioinput"`, `"videoinput"` or `"audiooutput"`, as `MediaDeviceInfo.kind`.
    pub fn device_kind(&self) -> &'static str {
        if self.output {
            "audiooutput"
        } else {
            self.kind.device_kind()
        }
    }

    /// `{"deviceId", "kind", "label", "groupId"}` as the specification's `toJSON()`.
    pub fn to_json(&self) -> Value {
        json!({
            "deviceId": self.device_id,
            "kind": self.device_kind(),
            "label": self.label,
            "groupId": self.group_id,
        })
    }
}

/// An inclusive numeric range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range<T> {
    pub min: T,
    pub max: T,
}

impl<T: Copy> Range<T> {
    pub fn new(min: T, max: T) -> Range<T> {
        Range { min, max }
    }
    /// A range holding one value.
    pub fn exactly(v: T) -> Range<T> {
        Range { min: v, max: v }
    }
}

/// One way a camera can run natively: a format with sizes and rates (ranges,
/// or single values for a camera with discrete modes).
#[derive(Debug, Clone, PartialEq)]
pub struct VideoMode {
    pub format: PixelFormat,
    pub width: Range<u32>,
    pub height: Range<u32>,
    pub frame_rate: Range<f64>,
}

/// One way a microphone can run natively.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioMode {
    pub format: SampleFormat,
    pub sample_rate: Range<u32>,
    pub channels: Range<u16>,
}

/// What a device can deliver.
#[derive(Debug, Clone, PartialEq)]
pub enum Capabilities {
    Video {
        /// Native modes, preferred first.
        modes: Vec<VideoMode>,
        facing_mode: Option<String>,
        /// The camera's controls (Image Capture); empty for a camera without any.
        controls: ControlCaps,
        /// The size and rate a track gets when nothing is asked (640x480 at 30 where possible).
        default_width: u32,
        default_height: u32,
        default_frame_rate: f64,
    },
    Audio {
        modes: Vec<AudioMode>,
        /// Chunk durations offered, in seconds.
        latency: Range<f64>,
        default_sample_rate: u32,
        default_channels: u16,
        /// The processing a track gets when it asks for none (every microphone offers every
        /// processing): all on for real microphones, as browsers do; off for fake and file
        /// ones, whose purpose is sample-exact tests.
        default_processing: Processing,
    },
}

/// Sample rates and channel counts any audio track can be converted to.
pub const CONVERTED_SAMPLE_RATES: Range<u32> = Range {
    min: 8_000,
    max: 48_000,
};
pub const CONVERTED_CHANNELS: Range<u16> = Range { min: 1, max: 2 };
/// Default audio chunk: 10 ms.
pub const DEFAULT_LATENCY: f64 = 0.01;

impl Capabilities {
    pub fn kind(&self) -> MediaKind {
        match self {
            Capabilities::Video { .. } => MediaKind::Video,
            Capabilities::Audio { .. } => MediaKind::Audio,
        }
    }

    /// `getCapabilities()`: every property of the kind, ranges as `{min, max}`.
    pub fn to_json(&self, device: &DeviceInfo) -> Value {
        let mut m = Map::new();
        m.insert("deviceId".into(), json!(device.device_id));
        m.insert("groupId".into(), json!(device.group_id));
        match self {
            Capabilities::Video {
                modes,
                facing_mode,
                controls,
                ..
            } => {
                caps_json(controls, &mut m);
                let wmin = modes.iter().map(|m| m.width.min).min().unwrap_or(0);
                let wmax = modes.iter().map(|m| m.width.max).max().unwrap_or(0);
                let hmin = modes.iter().map(|m| m.height.min).min().unwrap_or(0);
                let hmax = modes.iter().map(|m| m.height.max).max().unwrap_or(0);
                let fmax = modes.iter().map(|m| m.frame_rate.max).fold(0.0, f64::max);
                // Crop-and-scale can deliver any size from 1x1 up to the largest native one,
                // and any frame rate down to 1.
                m.insert("width".into(), json!({"min": 1.min(wmin), "max": wmax}));
                m.insert("height".into(), json!({"min": 1.min(hmin), "max": hmax}));
                let (amin, amax) = if hmax > 0 && wmax > 0 {
                    (1.0 / hmax as f64, wmax as f64)
                } else {
                    (0.0, 0.0)
                };
                m.insert("aspectRatio".into(), json!({"min": amin, "max": amax}));
                m.insert(
                    "frameRate".into(),
                    json!({"min": 1.0f64.min(fmax), "max": fmax}),
                );
                m.insert(
                    "facingMode".into(),
                    json!(facing_mode.iter().cloned().collect::<Vec<String>>()),
                );
                m.insert("resizeMode".into(), json!(["none", "crop-and-scale"]));
                let mut formats: Vec<&str> = PixelFormat::RAW.iter().map(|f| f.name()).collect();
                if modes.iter().any(|m| m.format == PixelFormat::Mjpeg) {
                    formats.push(PixelFormat::Mjpeg.name());
                }
                m.insert("pixelFormat".into(), json!(formats));
            }
            Capabilities::Audio { latency, .. } => {
                let rates = CONVERTED_SAMPLE_RATES;
                let chans = CONVERTED_CHANNELS;
                m.insert(
                    "sampleRate".into(),
                    json!({"min": rates.min, "max": rates.max}),
                );
                m.insert("sampleSize".into(), json!({"min": 16, "max": 32}));
                m.insert(
                    "channelCount".into(),
                    json!({"min": chans.min, "max": chans.max}),
                );
                m.insert(
                    "latency".into(),
                    json!({"min": latency.min, "max": latency.max}),
                );
                let echo: Vec<Value> = EchoCancellation::ALL.iter().map(|e| e.to_json()).collect();
                m.insert("echoCancellation".into(), Value::Array(echo));
                m.insert("autoGainControl".into(), json!([true, false]));
                m.insert("noiseSuppression".into(), json!([true, false]));
                m.insert("voiceIsolation".into(), json!([false]));
                let formats: Vec<&str> = SampleFormat::ALL.iter().map(|f| f.name()).collect();
                m.insert("sampleFormat".into(), json!(formats));
            }
        }
        Value::Object(m)
    }
}

/// A device as a backend reports it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceEntry {
    pub info: DeviceInfo,
    pub capabilities: Capabilities,
}
