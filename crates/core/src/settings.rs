//! What a track actually delivers (`getSettings()`), and how a source runs.

use serde_json::{json, Value};

use crate::audio::Processing;
use crate::device::DeviceInfo;
use crate::frame::{PixelFormat, SampleFormat};

/// `resizeMode`: whether the picture is the device's own or cropped and scaled from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResizeMode {
    None,
    CropAndScale,
}

impl ResizeMode {
    pub fn name(self) -> &'static str {
        match self {
            ResizeMode::None => "none",
            ResizeMode::CropAndScale => "crop-and-scale",
        }
    }
    pub fn from_name(s: &str) -> Option<ResizeMode> {
        match s {
            "none" => Some(ResizeMode::None),
            "crop-and-scale" => Some(ResizeMode::CropAndScale),
            _ => None,
        }
    }
}

/// A video track's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoSettings {
    pub width: u32,
    pub height: u32,
    pub frame_rate: f64,
    pub pixel_format: PixelFormat,
    pub resize_mode: ResizeMode,
    pub facing_mode: Option<String>,
}

/// An audio track's settings.
#[derive(Debug, Clone, PartialEq)]
pub struct AudioSettings {
    pub sample_rate: u32,
    pub channels: u16,
    pub sample_format: SampleFormat,
    /// Chunk duration in seconds.
    pub latency: f64,
    /// Echo cancellation, noise suppression, gain control.
    pub processing: Processing,
}

impl AudioSettings {
    /// Sample frames per delivered chunk.
    pub fn chunk_frames(&self) -> usize {
        crate::audio::chunk_frames_for(self.sample_rate, self.latency)
    }
}

/// A track's settings, either kind.
#[derive(Debug, Clone, PartialEq)]
pub enum TrackSettings {
    Video(VideoSettings),
    Audio(AudioSettings),
}

impl TrackSettings {
    /// `getSettings()` as JSON, with the device's `deviceId` and `groupId`.
    pub fn to_json(&self, device: &DeviceInfo) -> Value {
        let mut v = match self {
            TrackSettings::Video(s) => {
                // A generator's track has no size before its first frame.
                let aspect = (s.height > 0).then(|| s.width as f64 / s.height as f64);
                let mut v = json!({
                    "width": s.width,
                    "height": s.height,
                    "aspectRatio": aspect,
                    "frameRate": s.frame_rate,
                    "resizeMode": s.resize_mode.name(),
                    "pixelFormat": s.pixel_format.name(),
                });
                if aspect.is_none() {
                    if let Some(members) = v.as_object_mut() {
                        members.remove("aspectRatio");
                    }
                }
                if let Some(f) = &s.facing_mode {
                    v["facingMode"] = json!(f);
                }
                v
            }
            TrackSettings::Audio(s) => json!({
                "sampleRate": s.sample_rate,
                "sampleSize": s.sample_format.bits(),
                "channelCount": s.channels,
                "latency": s.latency,
                "sampleFormat": s.sample_format.name(),
                "echoCancellation": s.processing.echo_cancellation.to_json(),
                "autoGainControl": s.processing.auto_gain_control,
                "noiseSuppression": s.processing.noise_suppression,
                "voiceIsolation": false,
            }),
        };
        v["deviceId"] = json!(device.device_id);
        v["groupId"] = json!(device.group_id);
        v
    }

    pub fn video(&self) -> Option<&VideoSettings> {
        match self {
            TrackSettings::Video(v) => Some(v),
            TrackSettings::Audio(_) => None,
        }
    }
    pub fn audio(&self) -> Option<&AudioSettings> {
        match self {
            TrackSettings::Audio(a) => Some(a),
            TrackSettings::Video(_) => None,
        }
    }
}

/// How a source (an opened device) runs natively.
#[derive(Debug, Clone, PartialEq)]
pub enum NativeMode {
    Video {
        format: PixelFormat,
        width: u32,
        height: u32,
        frame_rate: f64,
    },
    Audio {
        format: SampleFormat,
        sample_rate: u32,
        channels: u16,
        chunk_frames: usize,
    },
}
