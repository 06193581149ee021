//! `ImageCapture` (W3C *MediaStream Image Capture*): photos and single
//! pictures from a video track.
//!
//! A photo is the next frame the camera captures, cropped and scaled to the
//! photo size (within the size the camera runs at now: a photo never
//! reconfigures a camera other tracks share), encoded as JPEG (or PNG on
//! request). `grab_frame` gives the next frame as RGBA at the track's own
//! size. Both read through a short-lived clone of the track, so the track's
//! own consumers lose no frame. Every call on an ended track is
//! `InvalidStateError`.
//!
//! - [`encode`]: RGB pictures to JPEG and PNG.

pub mod encode;

use std::time::{Duration, Instant};

use serde_json::{json, Map, Value};

pub use encode::ImageType;

use crate::error::{Error, Result};
use crate::frame::{Frame, PixelFormat};
use crate::kind::MediaKind;
use crate::settings::NativeMode;
use crate::track::{MediaStreamTrack, ReadyState};

/// What `take_photo` is asked for (the specification's `PhotoSettings`, plus
/// our `imageType`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PhotoSettings {
    pub image_width: Option<u32>,
    pub image_height: Option<u32>,
    /// `"off"` is the only fill light mode offered.
    pub fill_light_mode: Option<String>,
    /// `true` cannot be honoured (no camera of ours reduces red eye).
    pub red_eye_reduction: Option<bool>,
    /// JPEG unless asked otherwise (`"imageType": "image/png"`).
    pub image_type: Option<ImageType>,
}

impl PhotoSettings {
    /// From the dictionary form: `{"imageWidth": 640, "imageHeight": 480,
    /// "imageType": "image/png"}`; `null` means none. Unknown members are
    /// ignored (a WebIDL dictionary); a member of the wrong type is a `TypeError`.
    pub fn from_value(v: &Value) -> Result<PhotoSettings> {
        let m = match v {
            Value::Null => return Ok(PhotoSettings::default()),
            Value::Object(m) => m,
            other => {
                return Err(Error::Type(format!(
                    "photo settings must be an object such as {{\"imageWidth\": 640}}, got {other}"
                )))
            }
        };
        let size = |name: &str| -> Result<Option<u32>> {
            match m.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::Number(n)) => match n.as_f64() {
                    Some(x) if x.is_finite() && x >= 0.0 => Ok(Some(x.min(u32::MAX as f64) as u32)),
                    _ => Err(Error::Type(format!(
                        "{name} must be a non-negative number, got {n}"
                    ))),
                },
                Some(other) => Err(Error::Type(format!("{name} must be a number, got {other}"))),
            }
        };
        let fill_light_mode = match m.get("fillLightMode") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                return Err(Error::Type(format!(
                    "fillLightMode must be a string, got {other}"
                )))
            }
        };
        let red_eye_reduction = match m.get("redEyeReduction") {
            None | Some(Value::Null) => None,
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                return Err(Error::Type(format!(
                    "redEyeReduction must be a boolean, got {other}"
                )))
            }
        };
        let image_type = match m.get("imageType") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(ImageType::from_mime(s).ok_or_else(|| {
                Error::Type(format!(
                    "imageType must be \"image/jpeg\" or \"image/png\", got \"{s}\""
                ))
            })?),
            Some(other) => {
                return Err(Error::Type(format!(
                    "imageType must be a string, got {other}"
                )))
            }
        };
        Ok(PhotoSettings {
            image_width: size("imageWidth")?,
            image_height: size("imageHeight")?,
            fill_light_mode,
            red_eye_reduction,
            image_type,
        })
    }
}

/// An encoded photo.
#[derive(Debug, Clone, PartialEq)]
pub struct Photo {
    /// The JPEG or PNG file's bytes.
    pub data: Vec<u8>,
    pub image_type: ImageType,
    pub width: u32,
    pub height: u32,
    /// The captured frame's sequence number and capture time.
    pub sequence: u64,
    pub timestamp_us: i64,
}

/// How long a photo or a grabbed frame waits for the camera's next frame by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How often a wait for the next frame checks whether the track was stopped.
const STOP_CHECK: Duration = Duration::from_millis(50);

/// Photos and pictures from one video track.
#[derive(Debug, Clone)]
pub struct ImageCapture {
    track: MediaStreamTrack,
}

impl ImageCapture {
    /// An `ImageCapture` for a video track (a `TypeError` for an audio track,
    /// as the specification's `NotSupportedError`).
    pub fn new(track: &MediaStreamTrack) -> Result<ImageCapture> {
        if track.kind() != MediaKind::Video {
            return Err(Error::Type(
                "ImageCapture needs a video track; this track is audio".into(),
            ));
        }
        Ok(ImageCapture {
            track: track.clone(),
        })
    }

    /// The track photos come from.
    pub fn track(&self) -> &MediaStreamTrack {
        &self.track
    }

    fn live(&self, what: &str) -> Result<()> {
        if self.track.ready_state() == ReadyState::Ended {
            return Err(Error::InvalidState(format!(
                "cannot {what}: the track has ended"
            )));
        }
        Ok(())
    }

    /// The size the camera runs at now: the largest photo.
    fn native_size(&self) -> Result<(u32, u32)> {
        match self.track.native_mode() {
            Some(NativeMode::Video { width, height, .. }) => Ok((width, height)),
            _ => Err(Error::InvalidState(
                "the track's camera is no longer open".into(),
            )),
        }
    }

    /// `getPhotoCapabilities()`: `{redEyeReduction, imageHeight, imageWidth, fillLightMode}`.
    pub fn photo_capabilities(&self) -> Result<Value> {
        self.live("get photo capabilities")?;
        let (w, h) = self.native_size()?;
        Ok(json!({
            "redEyeReduction": "never",
            "imageHeight": {"min": 1, "max": h, "step": 1},
            "imageWidth": {"min": 1, "max": w, "step": 1},
            "fillLightMode": ["off"],
        }))
    }

    /// `getPhotoSettings()`: what a photo taken now without settings gives.
    pub fn photo_settings(&self) -> Result<Value> {
        self.live("get photo settings")?;
        let (w, h) = self.native_size()?;
        let mut m = Map::new();
        m.insert("fillLightMode".into(), json!("off"));
        m.insert("imageHeight".into(), json!(h));
        m.insert("imageWidth".into(), json!(w));
        m.insert("redEyeReduction".into(), json!(false));
        Ok(Value::Object(m))
    }

    /// The photo size `settings` ask for: the camera's size by default, one
    /// side alone keeps the camera's aspect ratio.
    fn photo_size(&self, settings: &PhotoSettings) -> Result<(u32, u32)> {
        let (w, h) = self.native_size()?;
        let (pw, ph) = match (settings.image_width, settings.image_height) {
            (None, None) => (w, h),
            (Some(pw), Some(ph)) => (pw, ph),
            (Some(pw), None) => (pw, scaled(pw, h, w)),
            (None, Some(ph)) => (scaled(ph, w, h), ph),
        };
        for (name, asked, max) in [("imageWidth", pw, w), ("imageHeight", ph, h)] {
            if asked < 1 || asked > max {
                return Err(Error::overconstrained(
                    name,
                    format!("{name} {asked} is outside the camera's 1..{max}"),
                ));
            }
        }
        Ok((pw, ph))
    }

    /// `takePhoto()`: the next frame at the photo size, encoded.
    pub fn take_photo(&self, settings: &PhotoSettings, timeout: Option<Duration>) -> Result<Photo> {
        self.live("take a photo")?;
        if let Some(mode) = settings.fill_light_mode.as_deref().filter(|m| *m != "off") {
            return Err(Error::overconstrained(
                "fillLightMode",
                format!("fillLightMode \"{mode}\" is not offered (only \"off\")"),
            ));
        }
        if settings.red_eye_reduction == Some(true) {
            return Err(Error::overconstrained(
                "redEyeReduction",
                "red-eye reduction is not offered by this camera",
            ));
        }
        let (w, h) = self.photo_size(settings)?;
        let frame = self.next_picture(PixelFormat::Rgb24, w, h, timeout)?;
        let picture = frame
            .video()
            .ok_or_else(|| Error::Internal("a video track delivered audio".into()))?;
        let image_type = settings.image_type.unwrap_or(ImageType::Jpeg);
        Ok(Photo {
            data: encode::encode(picture, image_type)?,
            image_type,
            width: picture.width(),
            height: picture.height(),
            sequence: frame.sequence(),
            timestamp_us: frame.timestamp_us(),
        })
    }

    /// `grabFrame()`: the next frame as RGBA at the track's size.
    pub fn grab_frame(&self, timeout: Option<Duration>) -> Result<Frame> {
        self.live("grab a frame")?;
        let (w, h) = match self.track.get_settings().video() {
            Some(v) => (v.width, v.height),
            None => {
                return Err(Error::Internal(
                    "a video track without video settings".into(),
                ))
            }
        };
        self.next_picture(PixelFormat::Rgba, w, h, timeout)
    }

    /// The next frame the camera captures, as `format` at `w`x`h`, read
    /// through a clone of the track that is stopped again at once.
    fn next_picture(
        &self,
        format: PixelFormat,
        w: u32,
        h: u32,
        timeout: Option<Duration>,
    ) -> Result<Frame> {
        let probe = self.track.clone_track();
        let got = (|| {
            if probe.ready_state() == ReadyState::Ended {
                return Err(Error::InvalidState(
                    "the track ended while taking its picture".into(),
                ));
            }
            probe.apply_constraints(&json!({
                "width": {"exact": w},
                "height": {"exact": h},
                "pixelFormat": {"exact": format.name()},
            }))?;
            // Frames captured before the new settings took hold come first: skip them.
            // The wait is sliced so that stopping the track ends it too (the
            // probe, a clone, would live on).
            let timeout = timeout.unwrap_or(DEFAULT_TIMEOUT);
            let started = Instant::now();
            loop {
                if self.track.ready_state() == ReadyState::Ended {
                    return Err(Error::InvalidState(
                        "the track ended while taking its picture".into(),
                    ));
                }
                let left = timeout.saturating_sub(started.elapsed());
                if left.is_zero() {
                    return Err(Error::Timeout(
                        timeout.as_millis().min(u64::MAX as u128) as u64
                    ));
                }
                let frame = match probe.read(Some(left.min(STOP_CHECK))) {
                    Err(Error::Timeout(_)) => continue,
                    other => other?,
                };
                if frame.video().is_some_and(|v| v.is(format, w, h)) {
                    return Ok(frame);
                }
            }
        })();
        probe.stop();
        match got {
            Err(Error::Ended(_)) => Err(Error::InvalidState(
                "the track ended while taking its picture".into(),
            )),
            other => other,
        }
    }
}

fn scaled(side: u32, num: u32, den: u32) -> u32 {
    ((side as u64 * num as u64 + den as u64 / 2) / den.max(1) as u64).max(1) as u32
}
