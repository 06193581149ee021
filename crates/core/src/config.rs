//! Run-time configuration: one JSON document, the same in every language.
//!
//! ```json
//! {"backends": ["fake"],
//!  "fake": {"pacing": "none", "video": 2, "audio": 1, "toneHz": 440},
//!  "permissions": {"camera": "granted", "microphone": "denied"},
//!  "queueSize": 4}
//! ```
//! Without a `configure` call the environment decides: `LMS_BACKENDS` (comma
//! list of `fake`, `file`, `cpal`, `nokhwa`), `LMS_FAKE_DEVICES` (the `fake`
//! object as JSON, or `video=2,audio=1,pacing=none,toneHz=440`) and
//! `LMS_FAKE_VIDEO_FILE` / `LMS_FAKE_AUDIO_FILE` (a path, optionally ending in
//! `%noloop`: the file devices, which also put `file` first in the backends).
//!
//! A fake microphone may be described by an object instead of a count:
//! `{"label": "Mic", "toneHz": 1000, "signal": "tone+noise", "amplitude": 0.5,
//! "noiseAmplitude": 0.05, "echo": {"delayMs": 50, "gain": 0.5}}`. `signal` is what
//! it hears (`tone`, the default, `noise`, `tone+noise`, `silence` or `voice`,
//! a speech-like buzz in syllables); `echo`
//! adds what `render()` was given, as a speaker beside it would (played at the
//! microphone's pace, `delayMs` later, times `gain`): for testing audio processing.
//!
//! File devices through the document:
//! ```json
//! {"backends": ["file"],
//!  "file": {"video": "/tmp/a.y4m", "audio": "/tmp/a.wav%noloop",
//!           "loop": true, "frameRate": 30, "pacing": "none"}}
//! ```
//! `video` and `audio` are paths (or `null` for none); a `%noloop` suffix, or
//! `"loop": false` for both, ends the tracks at the end of the file.
//! `frameRate` is the rate of MJPEG files (default 30) and overrides a Y4M
//! header's. `pacing` is as for fake devices. A document that names a file
//! but no `backends` puts `file` first in the environment's backends.

use std::path::PathBuf;

use serde_json::{Map, Value};

use crate::backend::fake_mic::{FakeEcho, FakeSignal, FakeSound};
use crate::error::{Error, Result};

/// Backends this build knows, in enumeration order.
pub const BACKEND_NAMES: [&str; 4] = ["fake", "file", "cpal", "nokhwa"];

/// The backends this build has compiled in, by name.
pub fn is_compiled(name: &str) -> bool {
    // Cameras: the `nokhwa` feature, on the systems it drives (V4L2, Media
    // Foundation, AVFoundation).
    let nokhwa = cfg!(all(
        feature = "nokhwa",
        any(
            target_os = "linux",
            target_os = "windows",
            target_os = "macos"
        )
    ));
    matches!(name, "fake" | "file")
        || (cfg!(feature = "cpal") && name == "cpal")
        || (nokhwa && name == "nokhwa")
}

/// Largest configuration document accepted.
const MAX_CONFIG_BYTES: usize = 1 << 20;
/// Most fake devices of one kind.
pub const MAX_FAKE_DEVICES: usize = 16;
/// Bounds of the per-track queue length.
pub const MAX_QUEUE_SIZE: usize = 1024;

/// How a fake or file device paces its frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pacing {
    /// At the device's frame rate, like a real camera.
    RealTime,
    /// As fast as the fastest consumer takes frames (tests, benchmarks).
    None,
}

/// One fake camera.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeVideoConfig {
    pub label: Option<String>,
    /// The facing mode it reports (`user`, `environment`, ...), or none.
    pub facing_mode: Option<String>,
    /// Largest size and frame rate it offers (default 3840x2160 at 60).
    pub max_width: u32,
    pub max_height: u32,
    pub max_frame_rate: f64,
}

/// One fake microphone.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeAudioConfig {
    pub label: Option<String>,
    /// Frequency of its sine, Hz.
    pub tone_hz: f64,
    /// What it hears: `tone` (default), `noise`, `tone+noise`, `silence`.
    pub signal: FakeSignal,
    /// Peak of the sine, 0..=1 (default 0.5).
    pub amplitude: f32,
    /// Peak of the white noise, 0..=1 (default 0.05).
    pub noise_amplitude: f32,
    /// A speaker it hears: the far end given to `render()`, delayed and attenuated.
    pub echo: Option<FakeEcho>,
}

impl FakeAudioConfig {
    /// How it sounds.
    pub fn sound(&self) -> FakeSound {
        FakeSound {
            signal: self.signal,
            tone_hz: self.tone_hz,
            amplitude: self.amplitude,
            noise_amplitude: self.noise_amplitude,
            echo: self.echo,
        }
    }
}

/// The fake backend's devices and pacing.
#[derive(Debug, Clone, PartialEq)]
pub struct FakeConfig {
    pub pacing: Pacing,
    pub video: Vec<FakeVideoConfig>,
    pub audio: Vec<FakeAudioConfig>,
}

/// A file that plays like a camera or microphone.
#[derive(Debug, Clone, PartialEq)]
pub struct FileSpec {
    pub path: PathBuf,
    /// False when the path carried the `%noloop` suffix.
    pub looping: bool,
}

impl FileSpec {
    /// `path` or `path%noloop`.
    pub fn parse(text: &str) -> FileSpec {
        match text.strip_suffix(NOLOOP_SUFFIX) {
            Some(path) => FileSpec {
                path: PathBuf::from(path),
                looping: false,
            },
            None => FileSpec {
                path: PathBuf::from(text),
                looping: true,
            },
        }
    }
}

/// The suffix of a file device path that turns looping off.
pub const NOLOOP_SUFFIX: &str = "%noloop";
/// Frame rates a file device may be told to play at (frames per second).
pub const FILE_FRAME_RATES: (f64, f64) = (0.1, 1000.0);

/// The file backend's devices (at most one camera and one microphone).
#[derive(Debug, Clone, PartialEq)]
pub struct FileConfig {
    /// A Y4M or MJPEG file for `file:video:0`.
    pub video: Option<FileSpec>,
    /// A WAV file for `file:audio:0`.
    pub audio: Option<FileSpec>,
    /// Whether the files loop (a `%noloop` suffix turns it off for that file).
    pub looping: bool,
    /// The frame rate of MJPEG files and, if set, of Y4M files instead of their header's.
    pub frame_rate: Option<f64>,
    pub pacing: Pacing,
}

impl Default for FileConfig {
    fn default() -> Self {
        FileConfig {
            video: None,
            audio: None,
            looping: true,
            frame_rate: None,
            pacing: Pacing::RealTime,
        }
    }
}

impl FileConfig {
    /// Whether `spec` (one of this configuration's files) loops.
    pub fn loops(&self, spec: &FileSpec) -> bool {
        self.looping && spec.looping
    }

    fn names_a_file(&self) -> bool {
        self.video.is_some() || self.audio.is_some()
    }
}

/// Whether the application allows a kind of device.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Permission {
    Granted,
    Denied,
}

/// The whole configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Backends in use, in enumeration order.
    pub backends: Vec<String>,
    pub fake: FakeConfig,
    pub file: FileConfig,
    pub camera: Permission,
    pub microphone: Permission,
    /// Frames each track's queue holds before dropping the oldest.
    pub queue_size: usize,
}

impl Default for FakeVideoConfig {
    fn default() -> Self {
        FakeVideoConfig {
            label: None,
            facing_mode: None,
            max_width: 3840,
            max_height: 2160,
            max_frame_rate: 60.0,
        }
    }
}

impl Default for FakeConfig {
    fn default() -> Self {
        FakeConfig {
            pacing: Pacing::RealTime,
            video: vec![FakeVideoConfig {
                facing_mode: Some("user".into()),
                ..Default::default()
            }],
            audio: vec![FakeAudioConfig::default()],
        }
    }
}

impl Default for Config {
    /// The real backends compiled in (as a browser without fake-device flags), fake devices as described.
    fn default() -> Self {
        Config {
            // The real backends this build has; a build without them has no devices
            // until configured (NotFoundError), rather than failing to start.
            backends: ["cpal", "nokhwa"]
                .into_iter()
                .filter(|name| is_compiled(name))
                .map(String::from)
                .collect(),
            fake: FakeConfig::default(),
            file: FileConfig::default(),
            camera: Permission::Granted,
            microphone: Permission::Granted,
            queue_size: 4,
        }
    }
}

impl Config {
    /// The configuration the environment describes (`LMS_BACKENDS`, `LMS_FAKE_DEVICES`).
    pub fn from_env() -> Result<Config> {
        let mut config = Config::default();
        config.file.video = file_from_env("LMS_FAKE_VIDEO_FILE")?;
        config.file.audio = file_from_env("LMS_FAKE_AUDIO_FILE")?;
        if config.file.names_a_file() {
            config.backends.insert(0, "file".into());
        }
        if let Ok(list) = std::env::var("LMS_BACKENDS") {
            config.backends = parse_backend_list(&list)?;
        }
        if let Ok(fake) = std::env::var("LMS_FAKE_DEVICES") {
            let value = if fake.trim_start().starts_with('{') {
                parse_json(&fake, "LMS_FAKE_DEVICES")?
            } else {
                short_form_to_json(&fake)?
            };
            config.fake = parse_fake(&value)?;
        }
        Ok(config)
    }

    /// Parse a configuration document; absent keys keep the environment's values.
    pub fn parse(json: &str) -> Result<Config> {
        let value = parse_json(json, "configuration")?;
        let mut config = Config::from_env()?;
        config.apply(&value)?;
        Ok(config)
    }

    /// Overlay a configuration document on this one.
    pub fn apply(&mut self, value: &Value) -> Result<()> {
        let obj = value
            .as_object()
            .ok_or_else(|| Error::Type("configuration: expected a JSON object".into()))?;
        for (key, v) in obj {
            match key.as_str() {
                "backends" => self.backends = parse_backends(v)?,
                "fake" => self.fake = parse_fake(v)?,
                "file" => apply_file(&mut self.file, v)?,
                "permissions" => self.apply_permissions(v)?,
                "queueSize" => {
                    self.queue_size = uint(v, "queueSize", 1, MAX_QUEUE_SIZE as u64)? as usize
                }
                other => {
                    return Err(Error::Type(format!(
                        "configuration: unknown key \"{other}\" (known: backends, fake, file, permissions, queueSize)"
                    )))
                }
            }
        }
        if obj.contains_key("file")
            && !obj.contains_key("backends")
            && self.file.names_a_file()
            && !self.backends.iter().any(|b| b == "file")
        {
            self.backends.insert(0, "file".into());
        }
        Ok(())
    }

    fn apply_permissions(&mut self, v: &Value) -> Result<()> {
        let obj = v.as_object().ok_or_else(|| {
            Error::Type("permissions: expected an object like {\"camera\": \"denied\"}".into())
        })?;
        for (key, value) in obj {
            let permission = match value.as_str() {
                Some("granted") => Permission::Granted,
                Some("denied") => Permission::Denied,
                _ => {
                    return Err(Error::Type(format!(
                        "permissions.{key}: expected \"granted\" or \"denied\", got {value}"
                    )))
                }
            };
            match key.as_str() {
                "camera" => self.camera = permission,
                "microphone" => self.microphone = permission,
                other => {
                    return Err(Error::Type(format!(
                        "permissions: unknown key \"{other}\" (known: camera, microphone)"
                    )))
                }
            }
        }
        Ok(())
    }
}

fn parse_json(text: &str, what: &str) -> Result<Value> {
    if text.len() > MAX_CONFIG_BYTES {
        return Err(Error::Type(format!(
            "{what}: {} bytes is larger than 1 MiB",
            text.len()
        )));
    }
    serde_json::from_str(text).map_err(|e| Error::Type(format!("{what} is not valid JSON: {e}")))
}

fn parse_backend_list(list: &str) -> Result<Vec<String>> {
    let names: Vec<Value> = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| Value::String(s.to_string()))
        .collect();
    parse_backends(&Value::Array(names)).map_err(|e| match e {
        Error::Type(m) => Error::Type(format!("LMS_BACKENDS: {m}")),
        other => other,
    })
}

fn parse_backends(v: &Value) -> Result<Vec<String>> {
    let list = v.as_array().ok_or_else(|| {
        Error::Type(format!(
            "backends: expected a list of names like [\"fake\"], got {v}"
        ))
    })?;
    let mut out: Vec<String> = Vec::new();
    for item in list {
        let name = item
            .as_str()
            .filter(|n| BACKEND_NAMES.contains(n))
            .ok_or_else(|| {
                Error::Type(format!(
                    "backends: unknown backend {item} (known: fake, file, cpal, nokhwa)"
                ))
            })?;
        if !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// `video=2,audio=1,pacing=none,toneHz=440` as the equivalent JSON object.
fn short_form_to_json(text: &str) -> Result<Value> {
    let mut map = Map::new();
    for part in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| Error::Type(format!("LMS_FAKE_DEVICES: \"{part}\" is not key=value")))?;
        let value = match value.parse::<f64>() {
            Ok(n) => serde_json::Number::from_f64(n)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            Err(_) => Value::String(value.to_string()),
        };
        map.insert(key.trim().to_string(), value);
    }
    Ok(Value::Object(map))
}

fn parse_fake(v: &Value) -> Result<FakeConfig> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::Type(format!("fake: expected an object, got {v}")))?;
    let mut fake = FakeConfig::default();
    let mut tone_hz = None;
    for (key, value) in obj {
        match key.as_str() {
            "pacing" => fake.pacing = pacing(value, "fake.pacing")?,
            "video" => fake.video = parse_fake_list(value, "fake.video", parse_fake_video)?,
            "audio" => fake.audio = parse_fake_list(value, "fake.audio", parse_fake_audio)?,
            "toneHz" => tone_hz = Some(frequency(value, "fake.toneHz")?),
            other => {
                return Err(Error::Type(format!(
                    "fake: unknown key \"{other}\" (known: pacing, video, audio, toneHz)"
                )))
            }
        }
    }
    if let Some(hz) = tone_hz {
        for mic in &mut fake.audio {
            mic.tone_hz = hz;
        }
    }
    Ok(fake)
}

/// A count (`2`: that many default devices) or a list of device objects.
fn parse_fake_list<T: Default>(
    v: &Value,
    what: &str,
    item: fn(&Value, &str, usize) -> Result<T>,
) -> Result<Vec<T>> {
    if let Some(list) = v.as_array() {
        if list.len() > MAX_FAKE_DEVICES {
            return Err(Error::Type(format!(
                "{what}: at most {MAX_FAKE_DEVICES} devices"
            )));
        }
        return list
            .iter()
            .enumerate()
            .map(|(i, d)| item(d, what, i))
            .collect();
    }
    let count = uint(v, what, 0, MAX_FAKE_DEVICES as u64)? as usize;
    (0..count)
        .map(|i| item(&Value::Object(Map::new()), what, i))
        .collect()
}

impl Default for FakeAudioConfig {
    fn default() -> Self {
        let sound = FakeSound::default();
        FakeAudioConfig {
            label: None,
            tone_hz: sound.tone_hz,
            signal: sound.signal,
            amplitude: sound.amplitude,
            noise_amplitude: sound.noise_amplitude,
            echo: None,
        }
    }
}

fn parse_fake_video(v: &Value, what: &str, index: usize) -> Result<FakeVideoConfig> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::Type(format!("{what}[{index}]: expected an object")))?;
    let mut cam = FakeVideoConfig {
        facing_mode: Some(if index == 0 { "user" } else { "environment" }.into()),
        ..Default::default()
    };
    for (key, value) in obj {
        let at = format!("{what}[{index}].{key}");
        match key.as_str() {
            "label" => cam.label = Some(string(value, &at)?),
            "facingMode" => {
                cam.facing_mode = if value.is_null() { None } else { Some(string(value, &at)?) }
            }
            "maxWidth" => cam.max_width = uint(value, &at, 1, 3840)? as u32,
            "maxHeight" => cam.max_height = uint(value, &at, 1, 2160)? as u32,
            "maxFrameRate" => cam.max_frame_rate = uint(value, &at, 1, 60)? as f64,
            other => {
                return Err(Error::Type(format!(
                    "{what}[{index}]: unknown key \"{other}\" (known: label, facingMode, maxWidth, maxHeight, maxFrameRate)"
                )))
            }
        }
    }
    Ok(cam)
}

fn parse_fake_audio(v: &Value, what: &str, index: usize) -> Result<FakeAudioConfig> {
    let obj = v
        .as_object()
        .ok_or_else(|| Error::Type(format!("{what}[{index}]: expected an object")))?;
    let mut mic = FakeAudioConfig::default();
    for (key, value) in obj {
        let at = format!("{what}[{index}].{key}");
        match key.as_str() {
            "label" => mic.label = Some(string(value, &at)?),
            "toneHz" => mic.tone_hz = frequency(value, &at)?,
            "signal" => {
                mic.signal = value
                    .as_str()
                    .and_then(FakeSignal::from_name)
                    .ok_or_else(|| {
                        Error::Type(format!(
                            "{at}: expected \"tone\", \"noise\", \"tone+noise\", \"silence\" or \"voice\", got {value}"
                        ))
                    })?
            }
            "amplitude" => mic.amplitude = unit(value, &at)?,
            "noiseAmplitude" => mic.noise_amplitude = unit(value, &at)?,
            "echo" => mic.echo = echo(value, &at)?,
            other => {
                return Err(Error::Type(format!(
                    "{what}[{index}]: unknown key \"{other}\" (known: label, toneHz, signal, amplitude, noiseAmplitude, echo)"
                )))
            }
        }
    }
    Ok(mic)
}

/// A level from 0 to 1.
fn unit(v: &Value, what: &str) -> Result<f32> {
    match v.as_f64() {
        Some(n) if (0.0..=1.0).contains(&n) => Ok(n as f32),
        _ => Err(Error::Type(format!(
            "{what}: expected a number from 0 to 1, got {v}"
        ))),
    }
}

/// A fake microphone's `echo`: `null` (none) or `{"delayMs": 0..=1000, "gain": 0..=1}`
/// (defaults 50 ms and 0.5).
fn echo(v: &Value, what: &str) -> Result<Option<FakeEcho>> {
    if v.is_null() {
        return Ok(None);
    }
    let obj = v.as_object().ok_or_else(|| {
        Error::Type(format!(
            "{what}: expected null or an object like {{\"delayMs\": 50, \"gain\": 0.5}}, got {v}"
        ))
    })?;
    let mut echo = FakeEcho {
        delay_ms: 50.0,
        gain: 0.5,
    };
    for (key, value) in obj {
        let at = format!("{what}.{key}");
        match key.as_str() {
            "delayMs" => {
                echo.delay_ms = match value.as_f64() {
                    Some(n) if (0.0..=1000.0).contains(&n) => n,
                    _ => {
                        return Err(Error::Type(format!(
                            "{at}: expected milliseconds from 0 to 1000, got {value}"
                        )))
                    }
                }
            }
            "gain" => echo.gain = unit(value, &at)?,
            other => {
                return Err(Error::Type(format!(
                    "{what}: unknown key \"{other}\" (known: delayMs, gain)"
                )))
            }
        }
    }
    Ok(Some(echo))
}

fn pacing(v: &Value, what: &str) -> Result<Pacing> {
    match v.as_str() {
        Some("realtime") | Some("real-time") => Ok(Pacing::RealTime),
        Some("none") => Ok(Pacing::None),
        _ => Err(Error::Type(format!(
            "{what}: expected \"realtime\" or \"none\", got {v}"
        ))),
    }
}

/// A file device path from the environment variable `name`, if set.
fn file_from_env(name: &str) -> Result<Option<FileSpec>> {
    match std::env::var_os(name) {
        None => Ok(None),
        Some(v) => {
            let text = v
                .into_string()
                .map_err(|_| Error::Type(format!("{name}: the path is not valid UTF-8")))?;
            file_spec(&Value::String(text), name)
        }
    }
}

/// A path string (`null`: no file) as a [`FileSpec`].
fn file_spec(v: &Value, what: &str) -> Result<Option<FileSpec>> {
    if v.is_null() {
        return Ok(None);
    }
    match v.as_str() {
        Some(text) if text.len() > 4096 => Err(Error::Type(format!(
            "{what}: a path of {} bytes is longer than 4096",
            text.len()
        ))),
        Some(text) => {
            let spec = FileSpec::parse(text.trim());
            if spec.path.as_os_str().is_empty() {
                return Err(Error::Type(format!(
                    "{what}: expected a file path (optionally ending in {NOLOOP_SUFFIX}), got an empty one"
                )));
            }
            Ok(Some(spec))
        }
        None => Err(Error::Type(format!(
            "{what}: expected a file path string or null, got {v}"
        ))),
    }
}

/// Overlay the `file` object on `file`.
fn apply_file(file: &mut FileConfig, v: &Value) -> Result<()> {
    let obj = v.as_object().ok_or_else(|| {
        Error::Type(format!(
            "file: expected an object like {{\"video\": \"/tmp/a.y4m\"}}, got {v}"
        ))
    })?;
    for (key, value) in obj {
        let at = format!("file.{key}");
        match key.as_str() {
            "video" => file.video = file_spec(value, &at)?,
            "audio" => file.audio = file_spec(value, &at)?,
            "loop" => {
                file.looping = value.as_bool().ok_or_else(|| {
                    Error::Type(format!("{at}: expected true or false, got {value}"))
                })?
            }
            "frameRate" => {
                let (lo, hi) = FILE_FRAME_RATES;
                file.frame_rate = match value.as_f64() {
                    _ if value.is_null() => None,
                    Some(n) if (lo..=hi).contains(&n) => Some(n),
                    _ => {
                        return Err(Error::Type(format!(
                            "{at}: expected frames per second from {lo} to {hi}, got {value}"
                        )))
                    }
                }
            }
            "pacing" => file.pacing = pacing(value, &at)?,
            other => {
                return Err(Error::Type(format!(
                    "file: unknown key \"{other}\" (known: video, audio, loop, frameRate, pacing)"
                )))
            }
        }
    }
    Ok(())
}

fn uint(v: &Value, what: &str, min: u64, max: u64) -> Result<u64> {
    match v.as_f64() {
        Some(n) if n.fract() == 0.0 && n >= min as f64 && n <= max as f64 => Ok(n as u64),
        _ => Err(Error::Type(format!(
            "{what}: expected an integer from {min} to {max}, got {v}"
        ))),
    }
}

fn frequency(v: &Value, what: &str) -> Result<f64> {
    match v.as_f64() {
        Some(n) if n > 0.0 && n <= 20_000.0 => Ok(n),
        _ => Err(Error::Type(format!(
            "{what}: expected a frequency in Hz in (0, 20000], got {v}"
        ))),
    }
}

fn string(v: &Value, what: &str) -> Result<String> {
    match v.as_str() {
        Some(s) if s.len() <= 256 => Ok(s.to_string()),
        _ => Err(Error::Type(format!(
            "{what}: expected a string of at most 256 bytes, got {v}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_configuration_names_only_backends_this_build_has() {
        let config = Config::default();
        assert!(
            config
                .backends
                .iter()
                .all(|b| crate::backend::is_compiled(b)),
            "{:?}",
            config.backends
        );
        assert!(crate::backend::create_all(&config).is_ok());
    }

    #[test]
    fn the_issue_example_parses() {
        let c = Config::parse(
            r#"{"backends": ["fake"], "fake": {"pacing": "none", "video": 2, "audio": 1, "toneHz": 440}}"#,
        )
        .unwrap();
        assert_eq!(c.backends, vec!["fake"]);
        assert_eq!(c.fake.pacing, Pacing::None);
        assert_eq!(c.fake.video.len(), 2);
        assert_eq!(c.fake.video[1].facing_mode.as_deref(), Some("environment"));
        assert_eq!(c.fake.audio[0].tone_hz, 440.0);
    }

    #[test]
    fn the_short_env_form_means_the_same_as_json() {
        let v = short_form_to_json("video=3, audio=0, pacing=none, toneHz=1000").unwrap();
        let fake = parse_fake(&v).unwrap();
        assert_eq!(
            (fake.video.len(), fake.audio.len(), fake.pacing),
            (3, 0, Pacing::None)
        );
    }

    #[test]
    fn bad_configuration_names_what_is_wrong() {
        let cases = [
            ("[]", "expected a JSON object"),
            (r#"{"backends": ["webcam"]}"#, "unknown backend \"webcam\""),
            (r#"{"fake": {"video": -1}}"#, "fake.video"),
            (r#"{"fake": {"video": 1000}}"#, "fake.video"),
            (r#"{"fake": {"toneHz": "loud"}}"#, "fake.toneHz"),
            (r#"{"fake": {"pacing": "fast"}}"#, "fake.pacing"),
            (r#"{"queueSize": 0}"#, "queueSize"),
            (
                r#"{"permissions": {"camera": "maybe"}}"#,
                "permissions.camera",
            ),
            (r#"{"bogus": 1}"#, "unknown key \"bogus\""),
            (r#"{"backends": "#, "not valid JSON"),
        ];
        for (json, needle) in cases {
            let err = Config::parse(json).expect_err(json);
            assert_eq!(err.name(), "TypeError", "{json}");
            assert!(err.message().contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn the_file_section_names_files_and_how_they_play() {
        let c = Config::parse(
            r#"{"backends": ["file"], "file": {"video": "/tmp/a.y4m", "audio": "/tmp/a.wav%noloop", "frameRate": 25, "pacing": "none"}}"#,
        )
        .unwrap();
        let video = c.file.video.clone().unwrap();
        let audio = c.file.audio.clone().unwrap();
        assert_eq!(video.path, PathBuf::from("/tmp/a.y4m"));
        assert_eq!(audio.path, PathBuf::from("/tmp/a.wav"));
        assert!(c.file.loops(&video) && !c.file.loops(&audio));
        assert_eq!(
            (c.file.frame_rate, c.file.pacing),
            (Some(25.0), Pacing::None)
        );
        let c =
            Config::parse(r#"{"backends": ["file"], "file": {"video": "a.y4m", "loop": false}}"#)
                .unwrap();
        assert!(!c.file.loops(c.file.video.as_ref().unwrap()));
    }

    #[test]
    fn naming_a_file_without_backends_puts_file_first() {
        let c = Config::parse(r#"{"file": {"audio": "a.wav"}}"#).unwrap();
        assert_eq!(c.backends.first().map(String::as_str), Some("file"));
        let c = Config::parse(r#"{"backends": ["fake"], "file": {"audio": "a.wav"}}"#).unwrap();
        assert_eq!(
            c.backends,
            vec!["fake"],
            "an explicit list is kept as it is"
        );
    }

    #[test]
    fn a_bad_file_section_names_the_key() {
        let cases = [
            (r#"{"file": []}"#, "file: expected an object"),
            (r#"{"file": {"video": 3}}"#, "file.video"),
            (r#"{"file": {"video": ""}}"#, "file.video"),
            (r#"{"file": {"video": "%noloop"}}"#, "empty"),
            (r#"{"file": {"loop": "no"}}"#, "file.loop"),
            (r#"{"file": {"frameRate": 0}}"#, "file.frameRate"),
            (r#"{"file": {"frameRate": 1e9}}"#, "file.frameRate"),
            (r#"{"file": {"pacing": "fast"}}"#, "file.pacing"),
            (r#"{"file": {"colour": 1}}"#, "unknown key \"colour\""),
        ];
        for (json, needle) in cases {
            let err = Config::parse(json).expect_err(json);
            assert_eq!(err.name(), "TypeError", "{json}");
            assert!(err.message().contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn deeply_nested_configuration_is_an_error_not_a_crash() {
        let json = "[".repeat(100_000);
        assert_eq!(Config::parse(&json).unwrap_err().name(), "TypeError");
    }
}
