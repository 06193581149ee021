//! `NativeImageCapture`: one `lms_core::ImageCapture`, owned by one JS
//! `ImageCapture` (`lib/image_capture.js`).
//!
//! Everything is the core's: photo capabilities and settings (JSON), photo
//! size and encoding, the RGBA picture of `grabFrame()`, the errors (a
//! `TypeError` for an audio track, `InvalidStateError` once the track has
//! ended, `OverconstrainedError` for a photo size the camera cannot give).
//! Photos and grabbed frames wait for the camera's next frame, so they run as
//! napi `AsyncTask`s on the libuv thread pool.

use lms_core::{ImageCapture, Photo, PhotoSettings};
use napi::bindgen_prelude::*;
use napi::ScopedTask;
use napi_derive::napi;

use crate::error::check;
use crate::frame::{self, HeldFrames, RawFrame};
use crate::track::NativeTrack;

/// Photos and pictures from one video track.
#[napi]
pub struct NativeImageCapture {
    capture: ImageCapture,
    held: HeldFrames,
}

#[napi]
impl NativeImageCapture {
    /// An `ImageCapture` for a video track; a `TypeError` for an audio track.
    #[napi(constructor)]
    pub fn new(env: Env, track: &NativeTrack) -> Result<Self> {
        Ok(NativeImageCapture {
            capture: check(&env, ImageCapture::new(track.core()))?,
            held: track.held().clone(),
        })
    }

    /// `getPhotoCapabilities()` as JSON (`InvalidStateError` once the track has ended).
    #[napi]
    pub fn photo_capabilities(&self, env: &Env) -> Result<String> {
        check(env, self.capture.photo_capabilities()).map(|v| v.to_string())
    }

    /// `getPhotoSettings()` as JSON (`InvalidStateError` once the track has ended).
    #[napi]
    pub fn photo_settings(&self, env: &Env) -> Result<String> {
        check(env, self.capture.photo_settings()).map(|v| v.to_string())
    }

    /// `takePhoto()` with the photo settings as JSON (`null`: none): the
    /// camera's next frame encoded, waiting on the thread pool. Settings of
    /// the wrong type throw a `TypeError` at once.
    #[napi(ts_return_type = "Promise<RawPhoto>")]
    pub fn take_photo(
        &self,
        env: &Env,
        settings_json: Option<String>,
    ) -> Result<AsyncTask<PhotoTask>> {
        let settings = check(env, parse_settings(settings_json.as_deref()))?;
        Ok(AsyncTask::new(PhotoTask {
            capture: self.capture.clone(),
            settings,
        }))
    }

    /// `grabFrame()`: the camera's next frame as RGBA at the track's size,
    /// waiting on the thread pool.
    #[napi(ts_return_type = "Promise<RawFrame>")]
    pub fn grab_frame(&self) -> AsyncTask<GrabTask> {
        AsyncTask::new(GrabTask {
            capture: self.capture.clone(),
            held: self.held.clone(),
        })
    }
}

fn parse_settings(json: Option<&str>) -> lms_core::Result<PhotoSettings> {
    let value = match json {
        None => serde_json::Value::Null,
        Some(text) => serde_json::from_str(text).map_err(|e| {
            lms_core::Error::Type(format!("photo settings are not valid JSON: {e}"))
        })?,
    };
    PhotoSettings::from_value(&value)
}

/// An encoded photo, as the native module hands it over.
#[napi(object, object_from_js = false)]
pub struct RawPhoto {
    /// The JPEG or PNG file.
    pub data: Buffer,
    /// `"image/jpeg"` or `"image/png"`.
    #[napi(js_name = "type", ts_type = "'image/jpeg' | 'image/png'")]
    pub image_type: &'static str,
    pub width: u32,
    pub height: u32,
    /// The captured frame's sequence number.
    pub sequence: f64,
    /// Microseconds on the monotonic clock when the frame was captured.
    pub timestamp: f64,
}

/// `NativeImageCapture.takePhoto()` on the thread pool.
pub struct PhotoTask {
    capture: ImageCapture,
    settings: PhotoSettings,
}

impl Task for PhotoTask {
    type Output = lms_core::Result<Photo>;
    type JsValue = RawPhoto;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.capture.take_photo(&self.settings, None))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> Result<RawPhoto> {
        let photo = check(&env, output)?;
        Ok(RawPhoto {
            image_type: photo.image_type.mime(),
            width: photo.width,
            height: photo.height,
            sequence: photo.sequence as f64,
            timestamp: photo.timestamp_us as f64,
            data: photo.data.into(),
        })
    }
}

/// `NativeImageCapture.grabFrame()` on the thread pool.
pub struct GrabTask {
    capture: ImageCapture,
    held: HeldFrames,
}

impl<'task> ScopedTask<'task> for GrabTask {
    type Output = lms_core::Result<lms_core::Frame>;
    type JsValue = RawFrame<'task>;

    fn compute(&mut self) -> Result<Self::Output> {
        Ok(self.capture.grab_frame(None))
    }

    fn resolve(&mut self, env: &'task Env, output: Self::Output) -> Result<Self::JsValue> {
        frame::to_js(env, check(env, output)?, &self.held)
    }
}
