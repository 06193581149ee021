//! The constrainable properties we support, with their names and kinds.

use crate::kind::MediaKind;

/// A constrainable property (`getSupportedConstraints()` lists them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Prop {
    DeviceId,
    GroupId,
    Width,
    Height,
    AspectRatio,
    FrameRate,
    FacingMode,
    ResizeMode,
    PixelFormat,
    SampleRate,
    SampleSize,
    ChannelCount,
    Latency,
    EchoCancellation,
    AutoGainControl,
    NoiseSuppression,
    VoiceIsolation,
    SampleFormat,
    WhiteBalanceMode,
    ExposureMode,
    FocusMode,
    ExposureCompensation,
    ExposureTime,
    ColorTemperature,
    Iso,
    Brightness,
    Contrast,
    Saturation,
    Sharpness,
    FocusDistance,
    Pan,
    Tilt,
    Zoom,
    Torch,
}

/// What values a property takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// `ConstrainULong`: a non-negative integer (width, height, sampleRate, ...).
    ULong,
    /// `ConstrainDouble`: a number (aspectRatio, frameRate, latency).
    Double,
    /// `ConstrainDOMString`: a string or list of strings.
    Str,
    /// `ConstrainBoolean`.
    Bool,
}

impl Prop {
    /// Every supported property, in the order used for reporting (and for naming
    /// the first unsatisfiable constraint).
    pub const ALL: [Prop; 34] = [
        Prop::DeviceId,
        Prop::GroupId,
        Prop::Width,
        Prop::Height,
        Prop::AspectRatio,
        Prop::FrameRate,
        Prop::FacingMode,
        Prop::ResizeMode,
        Prop::PixelFormat,
        Prop::SampleRate,
        Prop::SampleSize,
        Prop::ChannelCount,
        Prop::Latency,
        Prop::EchoCancellation,
        Prop::AutoGainControl,
        Prop::NoiseSuppression,
        Prop::VoiceIsolation,
        Prop::SampleFormat,
        Prop::WhiteBalanceMode,
        Prop::ExposureMode,
        Prop::FocusMode,
        Prop::ExposureCompensation,
        Prop::ExposureTime,
        Prop::ColorTemperature,
        Prop::Iso,
        Prop::Brightness,
        Prop::Contrast,
        Prop::Saturation,
        Prop::Sharpness,
        Prop::FocusDistance,
        Prop::Pan,
        Prop::Tilt,
        Prop::Zoom,
        Prop::Torch,
    ];

    /// The specification's (camelCase) name: `"frameRate"`.
    pub fn name(self) -> &'static str {
        match self {
            Prop::DeviceId => "deviceId",
            Prop::GroupId => "groupId",
            Prop::Width => "width",
            Prop::Height => "height",
            Prop::AspectRatio => "aspectRatio",
            Prop::FrameRate => "frameRate",
            Prop::FacingMode => "facingMode",
            Prop::ResizeMode => "resizeMode",
            Prop::PixelFormat => "pixelFormat",
            Prop::SampleRate => "sampleRate",
            Prop::SampleSize => "sampleSize",
            Prop::ChannelCount => "channelCount",
            Prop::Latency => "latency",
            Prop::EchoCancellation => "echoCancellation",
            Prop::AutoGainControl => "autoGainControl",
            Prop::NoiseSuppression => "noiseSuppression",
            Prop::VoiceIsolation => "voiceIsolation",
            Prop::SampleFormat => "sampleFormat",
            Prop::WhiteBalanceMode => "whiteBalanceMode",
            Prop::ExposureMode => "exposureMode",
            Prop::FocusMode => "focusMode",
            Prop::ExposureCompensation => "exposureCompensation",
            Prop::ExposureTime => "exposureTime",
            Prop::ColorTemperature => "colorTemperature",
            Prop::Iso => "iso",
            Prop::Brightness => "brightness",
            Prop::Contrast => "contrast",
            Prop::Saturation => "saturation",
            Prop::Sharpness => "sharpness",
            Prop::FocusDistance => "focusDistance",
            Prop::Pan => "pan",
            Prop::Tilt => "tilt",
            Prop::Zoom => "zoom",
            Prop::Torch => "torch",
        }
    }

    /// The property with this name, if we support it.
    pub fn from_name(name: &str) -> Option<Prop> {
        Prop::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The type of its values.
    pub fn prop_type(self) -> PropType {
        match self {
            Prop::DeviceId
            | Prop::GroupId
            | Prop::FacingMode
            | Prop::ResizeMode
            | Prop::PixelFormat
            | Prop::SampleFormat
            | Prop::WhiteBalanceMode
            | Prop::ExposureMode
            | Prop::FocusMode
            // `(boolean or DOMString)`: selected as the strings "true", "false", "all" and
            // "remote-only" (see `crate::audio::EchoCancellation::token`).
            | Prop::EchoCancellation => PropType::Str,
            Prop::Width
            | Prop::Height
            | Prop::SampleRate
            | Prop::SampleSize
            | Prop::ChannelCount => PropType::ULong,
            Prop::AspectRatio
            | Prop::FrameRate
            | Prop::Latency
            | Prop::ExposureCompensation
            | Prop::ExposureTime
            | Prop::ColorTemperature
            | Prop::Iso
            | Prop::Brightness
            | Prop::Contrast
            | Prop::Saturation
            | Prop::Sharpness
            | Prop::FocusDistance
            | Prop::Pan
            | Prop::Tilt
            | Prop::Zoom => PropType::Double,
            Prop::AutoGainControl
            | Prop::NoiseSuppression
            | Prop::VoiceIsolation
            | Prop::Torch => PropType::Bool,
        }
    }

    /// Whether the property is a camera control (Image Capture).
    pub fn is_control(self) -> bool {
        matches!(
            self,
            Prop::WhiteBalanceMode
                | Prop::ExposureMode
                | Prop::FocusMode
                | Prop::ExposureCompensation
                | Prop::ExposureTime
                | Prop::ColorTemperature
                | Prop::Iso
                | Prop::Brightness
                | Prop::Contrast
                | Prop::Saturation
                | Prop::Sharpness
                | Prop::FocusDistance
                | Prop::Pan
                | Prop::Tilt
                | Prop::Zoom
                | Prop::Torch
        )
    }

    /// Whether `true` may stand for the property (`pan: true`, `tilt: true`,
    /// `zoom: true` ask for a camera that has it: `(boolean or ConstrainDouble)`).
    pub fn accepts_bool(self) -> bool {
        matches!(self, Prop::Pan | Prop::Tilt | Prop::Zoom)
    }

    /// Whether the property applies to tracks of this kind (`width` does not apply to audio).
    pub fn applies_to(self, kind: MediaKind) -> bool {
        match self {
            Prop::DeviceId | Prop::GroupId => true,
            Prop::Width
            | Prop::Height
            | Prop::AspectRatio
            | Prop::FrameRate
            | Prop::FacingMode
            | Prop::ResizeMode
            | Prop::PixelFormat => kind == MediaKind::Video,
            p if p.is_control() => kind == MediaKind::Video,
            _ => kind == MediaKind::Audio,
        }
    }
}

impl std::fmt::Display for Prop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
