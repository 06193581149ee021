//! `ImageCapture` (W3C *MediaStream Image Capture*) on a video track:
//! photos, single RGBA pictures, photo capabilities and settings.
//!
//! The browser's `ImageCapture` only wraps a track, so these are calls on the
//! track handle: nothing new to free but the photo or frame they give.
//! Camera controls (zoom, focus, exposure...) are constrainable properties of
//! the track: `lms_open`, `lms_track_apply_constraints`,
//! `lms_track_capabilities` and `lms_track_settings` handle them.

use std::ffi::{c_char, CStr};
use std::sync::Arc;
use std::time::Duration;

use lms_core::image_capture::{ImageType, DEFAULT_TIMEOUT};
use lms_core::{Error, ImageCapture, PhotoSettings};
use serde_json::Value;

use crate::boundary::{ffi, out, owned_string, put};
use crate::frame::describe;
use crate::handles::{FrameEntry, FRAMES, PHOTOS, TRACKS};
use crate::status::lms_status;
use crate::types::{lms_frame, lms_photo, lms_track};

/// The `ImageCapture` of a track handle: LMS_ERR_TYPE for an audio track.
fn capture_of(track: lms_track) -> lms_core::Result<ImageCapture> {
    ImageCapture::new(&TRACKS.get(track.id)?)
}

/// `timeout_ms` as the core takes it: 0 or negative is the default.
fn timeout(timeout_ms: i32) -> Duration {
    match u64::try_from(timeout_ms) {
        Ok(ms) if ms > 0 => Duration::from_millis(ms),
        _ => DEFAULT_TIMEOUT,
    }
}

/// The photo settings a C caller passes: NULL is the defaults.
///
/// # Safety
/// `json` is NULL or a NUL-terminated string that outlives the call.
unsafe fn photo_settings(json: *const c_char) -> lms_core::Result<PhotoSettings> {
    if json.is_null() {
        return Ok(PhotoSettings::default());
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let text = unsafe { CStr::from_ptr(json) }
        .to_str()
        .map_err(|e| Error::InvalidArgument(format!("photo_settings_json is not UTF-8: {e}")))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| Error::Type(format!("photo_settings_json is not valid JSON: {e}")))?;
    PhotoSettings::from_value(&value)
}

static MIME_JPEG: &CStr = c"image/jpeg";
static MIME_PNG: &CStr = c"image/png";

/// `takePhoto(photoSettings)`: the camera's next frame as a JPEG (or PNG)
/// file, written to `*out_photo`; free it with `lms_photo_free`.
///
/// `photo_settings_json` is NULL (the camera's size, JPEG) or a JSON object:
/// `{"imageWidth": 1280, "imageHeight": 720, "imageType": "image/png",
/// "fillLightMode": "off", "redEyeReduction": false}` (every member optional;
/// one side alone keeps the camera's aspect ratio). A photo is at most the
/// size the camera runs at now (see `lms_track_photo_capabilities`): it never
/// reconfigures a camera other tracks share.
///
/// Waits for the camera's next frame, up to `timeout_ms` milliseconds (0 or
/// negative: 10 s), blocking the calling thread only. Any thread, also
/// concurrently with reads, callbacks and other photos on the same track: the
/// photo is read through a short-lived clone of the track, so the track's own
/// reader or callback loses no frame.
///
/// Errors: LMS_ERR_TYPE for an audio track or settings that are not a JSON
/// object of the right types; LMS_ERR_OVERCONSTRAINED (with
/// `lms_last_error_constraint`: "imageWidth", "imageHeight", "fillLightMode",
/// "redEyeReduction") for a size or option the camera cannot give;
/// LMS_ERR_INVALID_STATE when the track has ended (or ends meanwhile);
/// LMS_ERR_TIMEOUT when no frame came in time.
#[no_mangle]
pub unsafe extern "C" fn lms_track_take_photo(
    track: lms_track,
    photo_settings_json: *const c_char,
    timeout_ms: i32,
    out_photo: *mut lms_photo,
) -> lms_status {
    ffi(|| {
        let out_photo = out(out_photo, "out")?;
        let capture = capture_of(track)?;
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let settings = unsafe { photo_settings(photo_settings_json) }?;
        let photo = Arc::new(capture.take_photo(&settings, Some(timeout(timeout_ms)))?);
        let mime = match photo.image_type {
            ImageType::Jpeg => MIME_JPEG,
            ImageType::Png => MIME_PNG,
        };
        let desc = lms_photo {
            handle: 0,
            data: photo.data.as_ptr(),
            size: photo.data.len(),
            mime_type: mime.as_ptr(),
            width: photo.width,
            height: photo.height,
            timestamp_us: photo.timestamp_us,
            sequence: photo.sequence,
        };
        let handle = PHOTOS.insert(photo);
        // SAFETY: checked by `out`.
        unsafe { put(out_photo, lms_photo { handle, ..desc }) };
        Ok(())
    })
}

/// Give a photo back: its `data` is invalid afterwards. Freeing a photo twice
/// (or a copy of the struct after the original was freed) is
/// LMS_ERR_INVALID_HANDLE; NULL is LMS_ERR_INVALID_ARGUMENT.
#[no_mangle]
pub unsafe extern "C" fn lms_photo_free(photo: *const lms_photo) -> lms_status {
    ffi(|| {
        if photo.is_null() {
            return Err(Error::InvalidArgument("photo is NULL".into()));
        }
        // SAFETY: non-NULL and readable by the contract; reading only the u64
        // field never trusts the rest of the struct.
        let handle = unsafe { std::ptr::addr_of!((*photo).handle).read_unaligned() };
        drop(PHOTOS.remove(handle)?);
        Ok(())
    })
}

/// `grabFrame()`: the camera's next frame as one RGBA plane
/// (LMS_PIXEL_FORMAT_RGBA) at the track's own width and height, written to
/// `*out_frame` as `lms_track_read_frame` does; release it with
/// `lms_frame_release`. Waits up to `timeout_ms` milliseconds (0 or negative:
/// 10 s), blocking the calling thread only. Any thread, concurrently with the
/// track's reader or callback, which lose no frame (a short-lived clone of
/// the track reads it). Errors: LMS_ERR_TYPE for an audio track,
/// LMS_ERR_INVALID_STATE when the track has ended, LMS_ERR_TIMEOUT.
#[no_mangle]
pub unsafe extern "C" fn lms_track_grab_frame(
    track: lms_track,
    timeout_ms: i32,
    out_frame: *mut lms_frame,
) -> lms_status {
    ffi(|| {
        let out_frame = out(out_frame, "out")?;
        let frame = capture_of(track)?.grab_frame(Some(timeout(timeout_ms)))?;
        let handle = FRAMES.insert(FrameEntry {
            frame: frame.clone(),
            lent: false,
        });
        // SAFETY: checked by `out`.
        unsafe { put(out_frame, describe(&frame, handle)) };
        Ok(())
    })
}

fn json_of(
    track: lms_track,
    out_json: *mut *mut c_char,
    f: impl FnOnce(&ImageCapture) -> lms_core::Result<Value>,
) -> lms_status {
    ffi(|| {
        let out_json = out(out_json, "out")?;
        let value = f(&capture_of(track)?)?;
        // SAFETY: checked by `out`.
        unsafe { put(out_json, owned_string(value.to_string())) };
        Ok(())
    })
}

/// `getPhotoCapabilities()` as JSON: `{"imageWidth": {"min", "max", "step"},
/// "imageHeight": {...}, "fillLightMode": ["off"], "redEyeReduction":
/// "never"}`; the maxima are the size the camera runs at now. Free `*out`
/// with `lms_string_free`. Does not block; any thread. LMS_ERR_TYPE for an
/// audio track, LMS_ERR_INVALID_STATE for an ended one.
#[no_mangle]
pub unsafe extern "C" fn lms_track_photo_capabilities(
    track: lms_track,
    out_json: *mut *mut c_char,
) -> lms_status {
    json_of(track, out_json, |c| c.photo_capabilities())
}

/// `getPhotoSettings()` as JSON: what a photo taken now without settings
/// gives (`{"imageWidth", "imageHeight", "fillLightMode", "redEyeReduction"}`).
/// Free `*out` with `lms_string_free`. Does not block; any thread.
/// LMS_ERR_TYPE for an audio track, LMS_ERR_INVALID_STATE for an ended one.
#[no_mangle]
pub unsafe extern "C" fn lms_track_photo_settings(
    track: lms_track,
    out_json: *mut *mut c_char,
) -> lms_status {
    json_of(track, out_json, |c| c.photo_settings())
}
