//! From devices to candidate settings and back: the spaces the constraints
//! engine chooses among, and what a choice means for the track and the device.
//!
//! A device not yet open offers each native mode as it is (`resizeMode:
//! none`) and cropped-and-scaled below it, in every pixel format we convert
//! to; an open device (shared by another track) offers its current mode, or
//! crop-and-scale and decimation below it. Audio is offered natively and
//! converted (any rate 8-48 kHz, 1-2 channels, either sample format).

use std::sync::Arc;

use crate::audio::{EchoCancellation, Processing};
use crate::constraints::{select_settings, Chosen, Interval, Space, TrackConstraints};
use crate::controls::{Control, ControlCap, ControlCaps, ControlValues};
use crate::device::{
    AudioMode, Capabilities, DeviceInfo, Range, VideoMode, CONVERTED_CHANNELS,
    CONVERTED_SAMPLE_RATES,
};
use crate::error::Result;
use crate::frame::{PixelFormat, SampleFormat};
use crate::property::Prop;
use crate::settings::{AudioSettings, NativeMode, ResizeMode, TrackSettings, VideoSettings};
use crate::source::Source;

/// A chosen configuration: what the track delivers and how the device must run.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Choice {
    pub settings: TrackSettings,
    pub native: NativeMode,
    /// Every property's chosen value (camera controls are read from it).
    pub chosen: Chosen,
}

/// How to turn a point of a space into a [`Choice`].
#[derive(Debug, Clone)]
pub(crate) enum Plan {
    /// Open (or move) the device to a mode within these bounds.
    FreshVideo {
        mode: VideoMode,
        resize: ResizeMode,
        format: PixelFormat,
        facing: Option<String>,
    },
    FreshAudio {
        mode: AudioMode,
        format: SampleFormat,
    },
    /// Keep the device's current mode.
    Keep {
        native: NativeMode,
        resize: ResizeMode,
        facing: Option<String>,
    },
}

/// Defaults for properties the constraints leave open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Defaults {
    pub width: u32,
    pub height: u32,
    pub frame_rate: f64,
    pub sample_rate: u32,
    pub channels: u16,
    pub latency: f64,
    pub processing: Processing,
}

impl Defaults {
    /// A device's own defaults.
    pub fn of(caps: &Capabilities) -> Defaults {
        let mut d = Defaults {
            width: 640,
            height: 480,
            frame_rate: 30.0,
            sample_rate: 48_000,
            channels: 1,
            latency: crate::device::DEFAULT_LATENCY,
            processing: Processing::OFF,
        };
        match caps {
            Capabilities::Video {
                default_width,
                default_height,
                default_frame_rate,
                ..
            } => {
                (d.width, d.height, d.frame_rate) =
                    (*default_width, *default_height, *default_frame_rate);
            }
            Capabilities::Audio {
                default_sample_rate,
                default_channels,
                default_processing,
                ..
            } => {
                (d.sample_rate, d.channels, d.processing) =
                    (*default_sample_rate, *default_channels, *default_processing);
            }
        }
        d
    }

    /// Defaults that keep what a track has now (for `applyConstraints()`).
    pub fn keeping(mut self, settings: &TrackSettings) -> Defaults {
        match settings {
            TrackSettings::Video(v) => {
                (self.width, self.height, self.frame_rate) = (v.width, v.height, v.frame_rate)
            }
            TrackSettings::Audio(a) => {
                (
                    self.sample_rate,
                    self.channels,
                    self.latency,
                    self.processing,
                ) = (a.sample_rate, a.channels, a.latency, a.processing)
            }
        }
        self
    }

    /// Defaults of an open device: its current mode.
    pub fn of_native(mut self, native: &NativeMode) -> Defaults {
        match native {
            NativeMode::Video {
                width,
                height,
                frame_rate,
                ..
            } => (self.width, self.height, self.frame_rate) = (*width, *height, *frame_rate),
            NativeMode::Audio {
                sample_rate,
                channels,
                ..
            } => (self.sample_rate, self.channels) = (*sample_rate, *channels),
        }
        self
    }
}

fn iv<T: Into<f64> + Copy>(r: Range<T>) -> Interval {
    Interval {
        lo: r.min.into(),
        hi: r.max.into(),
    }
}

fn base_space(device: &DeviceInfo, d: &Defaults, video: bool) -> Space {
    let mut s = Space::default();
    s.strs.insert(Prop::DeviceId, device.device_id.clone());
    s.strs.insert(Prop::GroupId, device.group_id.clone());
    if video {
        s.defaults.insert(Prop::Width, d.width as f64);
        s.defaults.insert(Prop::Height, d.height as f64);
        s.defaults.insert(Prop::FrameRate, d.frame_rate);
    } else {
        s.defaults.insert(Prop::SampleRate, d.sample_rate as f64);
        s.defaults.insert(Prop::ChannelCount, d.channels as f64);
        s.defaults.insert(Prop::Latency, d.latency);
        add_processing(&mut s, &d.processing);
    }
    s
}

/// Audio processing in a space: every microphone can have each kind on or off, per track
/// (the default first, so that it is chosen when nothing is asked); `echoCancellation` also
/// takes its modes, as tokens (see [`EchoCancellation::token`]). `voiceIsolation` is not
/// offered.
fn add_processing(s: &mut Space, default: &Processing) {
    let echo = default.echo_cancellation;
    let mut modes = vec![echo.token().to_string()];
    modes.extend(
        EchoCancellation::ALL
            .iter()
            .filter(|e| **e != echo)
            .map(|e| e.token().to_string()),
    );
    s.choices.insert(Prop::EchoCancellation, modes);
    for (prop, on) in [
        (Prop::NoiseSuppression, default.noise_suppression),
        (Prop::AutoGainControl, default.auto_gain_control),
    ] {
        s.flags.insert(prop, vec![on, !on]);
    }
    s.bools.insert(Prop::VoiceIsolation, false);
}

/// The processing chosen in a space (see [`add_processing`]).
fn chosen_processing(c: &Chosen) -> Processing {
    Processing {
        echo_cancellation: c
            .strs
            .get(&Prop::EchoCancellation)
            .and_then(|t| EchoCancellation::from_token(t))
            .unwrap_or_default(),
        noise_suppression: c
            .bools
            .get(&Prop::NoiseSuppression)
            .copied()
            .unwrap_or(false),
        auto_gain_control: c
            .bools
            .get(&Prop::AutoGainControl)
            .copied()
            .unwrap_or(false),
    }
}

/// The camera's controls in a space: numeric ones as ranges with steps
/// (defaulting to what the device holds now), modes and torch as choices (the
/// current one first), and for `pan`, `tilt`, `zoom` whether the camera has
/// them (what `pan: true` asks for).
fn add_controls(s: &mut Space, caps: &ControlCaps, current: &ControlValues) {
    for (&control, cap) in caps {
        let prop = control.prop();
        match cap {
            ControlCap::Range { min, max, step } => {
                s.nums.insert(prop, Interval { lo: *min, hi: *max });
                if *step > 0.0 {
                    s.steps.insert(prop, *step);
                }
                if let Some(v) = current.get(&control).and_then(|v| v.num()) {
                    s.defaults.insert(prop, v);
                }
            }
            ControlCap::Modes(modes) => {
                let now = current.get(&control).and_then(|v| v.mode());
                let mut list: Vec<String> = now.iter().map(|m| m.name().to_string()).collect();
                list.extend(
                    modes
                        .iter()
                        .filter(|m| Some(**m) != now)
                        .map(|m| m.name().to_string()),
                );
                s.choices.insert(prop, list);
            }
            ControlCap::Flags(flags) => {
                let now = current.get(&control).and_then(|v| v.flag());
                let mut list: Vec<bool> = now.into_iter().collect();
                list.extend(flags.iter().filter(|f| Some(**f) != now));
                s.flags.insert(prop, list);
            }
        }
    }
    for prop in [Prop::Pan, Prop::Tilt, Prop::Zoom] {
        let has = Control::of_prop(prop).is_some_and(|c| caps.contains_key(&c));
        s.bools.insert(prop, has);
    }
}

/// A camera's controls and their values now, for its spaces.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ControlsNow<'a> {
    pub caps: &'a ControlCaps,
    pub current: &'a ControlValues,
}

fn video_space(
    device: &DeviceInfo,
    d: &Defaults,
    controls: ControlsNow<'_>,
    facing: &Option<String>,
    (w, h, fps): (Interval, Interval, Interval),
    resize: ResizeMode,
    format: PixelFormat,
) -> Space {
    let mut s = base_space(device, d, true);
    add_controls(&mut s, controls.caps, controls.current);
    if let Some(f) = facing {
        s.strs.insert(Prop::FacingMode, f.clone());
    }
    s.strs.insert(Prop::ResizeMode, resize.name().into());
    s.strs.insert(Prop::PixelFormat, format.name().into());
    s.nums.insert(Prop::Width, w);
    s.nums.insert(Prop::Height, h);
    s.nums.insert(Prop::FrameRate, fps);
    s
}

/// Below a native size/rate: what crop-and-scale and decimation can deliver.
fn scaled(w: f64, h: f64, fps: f64) -> (Interval, Interval, Interval) {
    (
        Interval { lo: 1.0, hi: w },
        Interval { lo: 1.0, hi: h },
        Interval {
            lo: fps.min(1.0),
            hi: fps,
        },
    )
}

/// The formats a track can get from a native format: raw ones first, so a
/// track that does not ask for a format gets I420 (spaces tie to the
/// earliest), and MJPEG as it is from an MJPEG camera that is not rescaled.
fn formats_for(native: PixelFormat, resize: ResizeMode) -> Vec<PixelFormat> {
    let mut formats: Vec<PixelFormat> = PixelFormat::RAW.to_vec();
    if native == PixelFormat::Mjpeg && resize == ResizeMode::None {
        formats.push(PixelFormat::Mjpeg);
    }
    formats
}

fn audio_space(
    device: &DeviceInfo,
    d: &Defaults,
    latency: Range<f64>,
    (rate, channels): (Interval, Interval),
    format: SampleFormat,
) -> Space {
    let mut s = base_space(device, d, false);
    s.nums.insert(Prop::SampleRate, rate);
    s.nums.insert(Prop::ChannelCount, channels);
    let bits = format.bits() as f64;
    s.nums
        .insert(Prop::SampleSize, Interval { lo: bits, hi: bits });
    s.nums.insert(Prop::Latency, iv(latency));
    s.strs.insert(Prop::SampleFormat, format.name().into());
    s
}

/// Spaces of a device that is not open (or that one track alone may move).
pub(crate) fn fresh_spaces(
    device: &DeviceInfo,
    caps: &Capabilities,
    d: &Defaults,
    current: &ControlValues,
) -> Vec<(Space, Plan)> {
    let mut out = Vec::new();
    match caps {
        Capabilities::Video {
            modes,
            facing_mode,
            controls,
            ..
        } => {
            let controls = ControlsNow {
                caps: controls,
                current,
            };
            // Every native configuration before any rescaled one: where both fit
            // equally, the camera's own pictures win.
            for resize in [ResizeMode::None, ResizeMode::CropAndScale] {
                for mode in modes {
                    let bounds = match resize {
                        ResizeMode::None => (iv(mode.width), iv(mode.height), iv(mode.frame_rate)),
                        ResizeMode::CropAndScale => scaled(
                            mode.width.max as f64,
                            mode.height.max as f64,
                            mode.frame_rate.max,
                        ),
                    };
                    for format in formats_for(mode.format, resize) {
                        let space =
                            video_space(device, d, controls, facing_mode, bounds, resize, format);
                        let plan = Plan::FreshVideo {
                            mode: mode.clone(),
                            resize,
                            format,
                            facing: facing_mode.clone(),
                        };
                        out.push((space, plan));
                    }
                }
            }
        }
        Capabilities::Audio { modes, latency, .. } => {
            let converted = (iv(CONVERTED_SAMPLE_RATES), iv(CONVERTED_CHANNELS));
            for native_only in [true, false] {
                for mode in modes {
                    for format in SampleFormat::ALL {
                        if native_only && format != mode.format {
                            continue;
                        }
                        let bounds = if native_only {
                            (iv(mode.sample_rate), iv(mode.channels))
                        } else {
                            converted
                        };
                        let space = audio_space(device, d, *latency, bounds, format);
                        out.push((
                            space,
                            Plan::FreshAudio {
                                mode: mode.clone(),
                                format,
                            },
                        ));
                    }
                }
            }
        }
    }
    out
}

/// Spaces of a device already open at `native`.
pub(crate) fn shared_spaces(
    device: &DeviceInfo,
    caps: &Capabilities,
    native: &NativeMode,
    d: &Defaults,
    current: &ControlValues,
) -> Vec<(Space, Plan)> {
    let mut out = Vec::new();
    match (native, caps) {
        (
            NativeMode::Video {
                format,
                width,
                height,
                frame_rate,
            },
            Capabilities::Video {
                facing_mode,
                controls,
                ..
            },
        ) => {
            let controls = ControlsNow {
                caps: controls,
                current,
            };
            let (w, h, fps) = (*width as f64, *height as f64, *frame_rate);
            for resize in [ResizeMode::None, ResizeMode::CropAndScale] {
                let bounds = match resize {
                    ResizeMode::None => (
                        Interval { lo: w, hi: w },
                        Interval { lo: h, hi: h },
                        Interval { lo: fps, hi: fps },
                    ),
                    ResizeMode::CropAndScale => scaled(w, h, fps),
                };
                for f in formats_for(*format, resize) {
                    let space = video_space(device, d, controls, facing_mode, bounds, resize, f);
                    out.push((
                        space,
                        Plan::Keep {
                            native: native.clone(),
                            resize,
                            facing: facing_mode.clone(),
                        },
                    ));
                }
            }
        }
        (
            NativeMode::Audio {
                format,
                sample_rate,
                channels,
                ..
            },
            Capabilities::Audio { latency, .. },
        ) => {
            let exact = (
                Interval {
                    lo: *sample_rate as f64,
                    hi: *sample_rate as f64,
                },
                Interval {
                    lo: *channels as f64,
                    hi: *channels as f64,
                },
            );
            let converted = (iv(CONVERTED_SAMPLE_RATES), iv(CONVERTED_CHANNELS));
            out.push((
                audio_space(device, d, *latency, exact, *format),
                keep(native),
            ));
            for f in SampleFormat::ALL {
                out.push((audio_space(device, d, *latency, converted, f), keep(native)));
            }
        }
        _ => {}
    }
    out
}

fn keep(native: &NativeMode) -> Plan {
    Plan::Keep {
        native: native.clone(),
        resize: ResizeMode::None,
        facing: None,
    }
}

fn num(c: &Chosen, p: Prop, fallback: f64) -> f64 {
    c.nums.get(&p).copied().unwrap_or(fallback)
}

fn clamp_u32(v: f64, r: Range<u32>) -> u32 {
    (v.round() as i64).clamp(r.min as i64, r.max as i64) as u32
}

/// What a chosen point of a space means.
pub(crate) fn to_choice(plan: &Plan, c: &Chosen) -> Choice {
    let sample_format = c
        .strs
        .get(&Prop::SampleFormat)
        .and_then(|s| SampleFormat::from_name(s))
        .unwrap_or(SampleFormat::F32);
    match plan {
        Plan::FreshVideo {
            mode,
            resize,
            format,
            facing,
        } => {
            let (w, h, fps) = (
                num(c, Prop::Width, 640.0),
                num(c, Prop::Height, 480.0),
                num(c, Prop::FrameRate, 30.0),
            );
            let native = NativeMode::Video {
                format: mode.format,
                width: clamp_u32(w, mode.width),
                height: clamp_u32(h, mode.height),
                frame_rate: fps.clamp(mode.frame_rate.min, mode.frame_rate.max),
            };
            Choice {
                settings: video_settings(c, *format, *resize, facing),
                native,
                chosen: c.clone(),
            }
        }
        Plan::FreshAudio { mode, format } => {
            let rate = num(c, Prop::SampleRate, 48_000.0);
            let channels = num(c, Prop::ChannelCount, 1.0);
            let settings = audio_settings(c, *format);
            let native_rate = clamp_u32(rate, mode.sample_rate);
            let native = NativeMode::Audio {
                format: mode.format,
                sample_rate: native_rate,
                channels: (channels.round() as i64)
                    .clamp(mode.channels.min as i64, mode.channels.max as i64)
                    as u16,
                chunk_frames: crate::audio::chunk_frames_for(native_rate, settings.latency),
            };
            Choice {
                settings: TrackSettings::Audio(settings),
                native,
                chosen: c.clone(),
            }
        }
        Plan::Keep {
            native,
            resize,
            facing,
        } => {
            let settings = match native {
                NativeMode::Video { .. } => {
                    let format = c
                        .strs
                        .get(&Prop::PixelFormat)
                        .and_then(|s| PixelFormat::from_name(s))
                        .unwrap_or(PixelFormat::I420);
                    video_settings(c, format, *resize, facing)
                }
                NativeMode::Audio { .. } => TrackSettings::Audio(audio_settings(c, sample_format)),
            };
            Choice {
                settings,
                native: native.clone(),
                chosen: c.clone(),
            }
        }
    }
}

fn video_settings(
    c: &Chosen,
    format: PixelFormat,
    resize: ResizeMode,
    facing: &Option<String>,
) -> TrackSettings {
    TrackSettings::Video(VideoSettings {
        width: num(c, Prop::Width, 640.0).round().max(1.0) as u32,
        height: num(c, Prop::Height, 480.0).round().max(1.0) as u32,
        frame_rate: num(c, Prop::FrameRate, 30.0),
        pixel_format: format,
        resize_mode: resize,
        facing_mode: facing.clone(),
    })
}

fn audio_settings(c: &Chosen, format: SampleFormat) -> AudioSettings {
    AudioSettings {
        sample_rate: num(c, Prop::SampleRate, 48_000.0).round().max(1.0) as u32,
        channels: num(c, Prop::ChannelCount, 1.0).round().max(1.0) as u16,
        sample_format: format,
        latency: num(c, Prop::Latency, crate::device::DEFAULT_LATENCY),
        processing: chosen_processing(c),
    }
}

/// Choose among `candidates` (spaces with their plans, best-preferred first).
pub(crate) fn choose(
    candidates: &[(Space, Plan)],
    constraints: &TrackConstraints,
) -> Result<(usize, Choice)> {
    let spaces: Vec<Space> = candidates.iter().map(|(s, _)| s.clone()).collect();
    let (index, chosen) = select_settings(&spaces, constraints)?;
    Ok((index, to_choice(&candidates[index].1, &chosen)))
}

/// `OverconstrainedError` when no frame a device of `caps` could give meets
/// `constraints` (for a source that follows its frames).
pub(crate) fn check_possible(
    device: &DeviceInfo,
    caps: &Capabilities,
    constraints: &TrackConstraints,
) -> Result<()> {
    let spaces = fresh_spaces(device, caps, &Defaults::of(caps), &ControlValues::new());
    choose(&spaces, constraints).map(|_| ())
}

/// The settings of a track on a source that follows its frames, now at
/// `native`: what its constraints make of such frames (crop-and-scale,
/// decimation, another pixel format), or the frames as they are when the
/// constraints ask for more than they hold (a size larger than the frames),
/// and before the first frame (a size of 0x0).
pub(crate) fn following(
    device: &DeviceInfo,
    caps: &Capabilities,
    native: &NativeMode,
    constraints: &TrackConstraints,
) -> TrackSettings {
    let no_frame_yet = matches!(native, NativeMode::Video { width: 0, .. });
    let d = Defaults::of(caps).of_native(native);
    let spaces = shared_spaces(device, caps, native, &d, &ControlValues::new());
    match choose(&spaces, constraints) {
        Ok((_, mut choice)) if !no_frame_yet => {
            // Unasked, a track gets the frames' own pixel format (a camera's
            // tracks get I420 by default; a generator's frames are the
            // program's choice already).
            let asks_format = std::iter::once(&constraints.basic)
                .chain(&constraints.advanced)
                .any(|set| set.get(Prop::PixelFormat).is_some());
            if let (TrackSettings::Video(v), NativeMode::Video { format, .. }) =
                (&mut choice.settings, native)
            {
                if !asks_format && *format != PixelFormat::Mjpeg {
                    v.pixel_format = *format;
                }
            }
            return choice.settings;
        }
        _ => {}
    }
    match native {
        NativeMode::Video {
            format,
            width,
            height,
            frame_rate,
        } => TrackSettings::Video(VideoSettings {
            width: *width,
            height: *height,
            frame_rate: *frame_rate,
            pixel_format: *format,
            resize_mode: ResizeMode::None,
            facing_mode: None,
        }),
        NativeMode::Audio {
            format,
            sample_rate,
            channels,
            ..
        } => TrackSettings::Audio(AudioSettings {
            sample_rate: *sample_rate,
            channels: *channels,
            sample_format: *format,
            latency: crate::device::DEFAULT_LATENCY,
            processing: Processing::OFF,
        }),
    }
}

/// New settings for a track on `source` (`applyConstraints()`); a track alone
/// on its device may also move the device to another mode.
pub(crate) fn choose_for_source(
    source: &Arc<Source>,
    constraints: &TrackConstraints,
    current: &TrackSettings,
    alone: bool,
    controls: &ControlValues,
) -> Result<Choice> {
    let d = Defaults::of(&source.capabilities).keeping(current);
    let mut candidates = shared_spaces(
        &source.device,
        &source.capabilities,
        &source.native(),
        &d,
        controls,
    );
    if alone {
        candidates.extend(fresh_spaces(
            &source.device,
            &source.capabilities,
            &d,
            controls,
        ));
    }
    choose(&candidates, constraints).map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kind::MediaKind;
    use serde_json::json;

    fn microphone(default_processing: Processing) -> (DeviceInfo, Capabilities) {
        let device = DeviceInfo {
            device_id: "mic".into(),
            kind: MediaKind::Audio,
            label: "Microphone".into(),
            group_id: "group".into(),
            output: false,
        };
        let caps = Capabilities::Audio {
            modes: vec![AudioMode {
                format: SampleFormat::F32,
                sample_rate: Range::exactly(48_000),
                channels: Range::exactly(1),
            }],
            latency: Range::new(0.001, 0.5),
            default_sample_rate: 48_000,
            default_channels: 1,
            default_processing,
        };
        (device, caps)
    }

    fn processing_for(default_processing: Processing, asked: serde_json::Value) -> Processing {
        let (device, caps) = microphone(default_processing);
        let spaces = fresh_spaces(&device, &caps, &Defaults::of(&caps), &ControlValues::new());
        let constraints = TrackConstraints::from_value(&asked, MediaKind::Audio).unwrap();
        let (_, choice) = choose(&spaces, &constraints).unwrap();
        choice.settings.audio().expect("audio settings").processing
    }

    #[test]
    fn a_real_microphone_processes_by_default_as_browsers_do() {
        assert_eq!(processing_for(Processing::ON, json!({})), Processing::ON);
        let without_noise = processing_for(Processing::ON, json!({"noiseSuppression": false}));
        assert_eq!(
            without_noise,
            Processing {
                noise_suppression: false,
                ..Processing::ON
            }
        );
        let all = processing_for(
            Processing::ON,
            json!({"echoCancellation": {"exact": "all"}}),
        );
        assert_eq!(all.echo_cancellation, EchoCancellation::All);
        let off =
            json!({"echoCancellation": false, "autoGainControl": false, "noiseSuppression": false});
        assert!(processing_for(Processing::ON, off).is_off());
    }

    #[test]
    fn a_fake_or_file_microphone_processes_only_on_request() {
        assert_eq!(processing_for(Processing::OFF, json!({})), Processing::OFF);
        let asked = json!({"echoCancellation": true, "autoGainControl": {"exact": true}});
        let p = processing_for(Processing::OFF, asked);
        assert_eq!(p.echo_cancellation, EchoCancellation::On);
        assert!(p.auto_gain_control && !p.noise_suppression);
    }
}
