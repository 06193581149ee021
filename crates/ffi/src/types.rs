//! The C types of the ABI. Names are the C names (`lms_stream`, `LMS_OK`).
#![allow(non_camel_case_types)]

use std::ffi::{c_char, c_void};

use lms_core::{MediaKind, PixelFormat, ReadyState, SampleFormat, TrackEvent};

/// A stream handle, passed by value. 0 is never a valid handle; a handle is
/// never reused after it is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct lms_stream {
    pub id: u64,
}

/// A track handle, passed by value. Every handle the library gives out is
/// freed once with `lms_track_free`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct lms_track {
    pub id: u64,
}

/// A listener registration, removed with `lms_listener_remove`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct lms_listener {
    pub id: u64,
}

/// A track's kind.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_track_kind {
    LMS_TRACK_KIND_AUDIO = 0,
    LMS_TRACK_KIND_VIDEO = 1,
}

/// A track's `readyState`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_ready_state {
    LMS_READY_STATE_LIVE = 0,
    LMS_READY_STATE_ENDED = 1,
}

/// Events delivered to listeners.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_event {
    /// The track's source ended by itself (device lost, driver failure, end of
    /// file). Never fired by `lms_track_stop` / `lms_stop`.
    LMS_EVENT_ENDED = 0,
    /// The source cannot deliver for now: no frames arrive until unmute.
    LMS_EVENT_MUTE = 1,
    LMS_EVENT_UNMUTE = 2,
    /// The list of devices changed.
    LMS_EVENT_DEVICE_CHANGE = 3,
}

/// Pixel layouts (`pixelFormat` in constraints and settings).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_pixel_format {
    /// Planes Y, U, V; chroma half width and half height. The default.
    LMS_PIXEL_FORMAT_I420,
    /// Planes Y, then interleaved UV at half resolution.
    LMS_PIXEL_FORMAT_NV12,
    /// One plane of Y0 U Y1 V.
    LMS_PIXEL_FORMAT_YUY2,
    LMS_PIXEL_FORMAT_RGB24,
    LMS_PIXEL_FORMAT_BGR24,
    LMS_PIXEL_FORMAT_RGBA,
    LMS_PIXEL_FORMAT_BGRA,
    /// One plane holding a JPEG picture of `plane_sizes[0]` bytes.
    LMS_PIXEL_FORMAT_MJPEG,
}

/// Audio sample encodings (`sampleFormat`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_sample_format {
    /// 32-bit float in [-1, 1]. The default.
    LMS_SAMPLE_FORMAT_F32,
    /// Signed 16-bit integers.
    LMS_SAMPLE_FORMAT_S16,
}

/// A delivered frame: a view into a buffer the library keeps alive until
/// `lms_frame_release(frame)`, even after the track stopped or was freed.
/// Plane `i` is `plane_sizes[i]` bytes at `planes[i]`, rows `strides[i]` bytes
/// apart. Audio: `planes[0]` holds `sample_count * channels` interleaved
/// samples. Read-only: never write through the plane pointers.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lms_frame {
    /// Give back with `lms_frame_release`.
    pub handle: u64,
    pub kind: lms_track_kind,
    /// Video only.
    pub pixel_format: lms_pixel_format,
    pub width: u32,
    pub height: u32,
    pub plane_count: u32,
    pub planes: [*const u8; 4],
    pub strides: [u32; 4],
    pub plane_sizes: [usize; 4],
    /// Audio only.
    pub sample_format: lms_sample_format,
    pub sample_rate: u32,
    pub channels: u32,
    /// Sample frames (samples per channel) in this chunk. Every chunk of a
    /// track has the same count, except the last of a file that ends, which
    /// holds just what was left.
    pub sample_count: u32,
    /// Microseconds when the frame was captured, on the clock the OS stamps
    /// captures with: CLOCK_MONOTONIC (Linux), the host clock (macOS),
    /// QueryPerformanceCounter (Windows).
    pub timestamp_us: i64,
    /// The source's capture sequence number (gaps mean frames this track skipped or dropped).
    pub sequence: u64,
}

/// A photo (`lms_track_take_photo`): a whole JPEG or PNG file in memory,
/// kept by the library until `lms_photo_free(photo)` (even after the track
/// stops or is freed). Read-only: never write through `data`.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct lms_photo {
    /// Give back with `lms_photo_free`.
    pub handle: u64,
    /// The file's `size` bytes: write them to a .jpg / .png file as they are.
    pub data: *const u8,
    pub size: usize,
    /// "image/jpeg" or "image/png". Static: valid for the life of the process, never free it.
    pub mime_type: *const c_char,
    /// The picture's size in pixels.
    pub width: u32,
    pub height: u32,
    /// Capture time of the frame the photo was made from, on the clock of
    /// `lms_frame.timestamp_us`.
    pub timestamp_us: i64,
    /// The source's sequence number of that frame.
    pub sequence: u64,
}

/// Delivery counters of a track.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct lms_track_stats {
    /// Frames handed to the reader or callback.
    pub frames_delivered: u64,
    /// Frames dropped because the reader fell behind (the queue was full).
    pub frames_dropped: u64,
}

/// Receives frames (see `lms_track_set_frame_callback`). `frame` is valid
/// during the call only; `lms_frame_retain` keeps it.
pub type lms_frame_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, frame: *const lms_frame)>;

/// Receives events. `detail` says why (e.g. "device disconnected"); valid during the call.
pub type lms_event_callback =
    Option<unsafe extern "C" fn(user_data: *mut c_void, event: lms_event, detail: *const c_char)>;

impl From<MediaKind> for lms_track_kind {
    fn from(k: MediaKind) -> Self {
        match k {
            MediaKind::Audio => lms_track_kind::LMS_TRACK_KIND_AUDIO,
            MediaKind::Video => lms_track_kind::LMS_TRACK_KIND_VIDEO,
        }
    }
}

impl From<ReadyState> for lms_ready_state {
    fn from(s: ReadyState) -> Self {
        match s {
            ReadyState::Live => lms_ready_state::LMS_READY_STATE_LIVE,
            ReadyState::Ended => lms_ready_state::LMS_READY_STATE_ENDED,
        }
    }
}

impl From<TrackEvent> for lms_event {
    fn from(e: TrackEvent) -> Self {
        match e {
            TrackEvent::Ended => lms_event::LMS_EVENT_ENDED,
            TrackEvent::Mute => lms_event::LMS_EVENT_MUTE,
            TrackEvent::Unmute => lms_event::LMS_EVENT_UNMUTE,
        }
    }
}

impl From<PixelFormat> for lms_pixel_format {
    fn from(f: PixelFormat) -> Self {
        use lms_pixel_format::*;
        match f {
            PixelFormat::I420 => LMS_PIXEL_FORMAT_I420,
            PixelFormat::Nv12 => LMS_PIXEL_FORMAT_NV12,
            PixelFormat::Yuy2 => LMS_PIXEL_FORMAT_YUY2,
            PixelFormat::Rgb24 => LMS_PIXEL_FORMAT_RGB24,
            PixelFormat::Bgr24 => LMS_PIXEL_FORMAT_BGR24,
            PixelFormat::Rgba => LMS_PIXEL_FORMAT_RGBA,
            PixelFormat::Bgra => LMS_PIXEL_FORMAT_BGRA,
            PixelFormat::Mjpeg => LMS_PIXEL_FORMAT_MJPEG,
        }
    }
}

impl From<SampleFormat> for lms_sample_format {
    fn from(f: SampleFormat) -> Self {
        match f {
            SampleFormat::F32 => lms_sample_format::LMS_SAMPLE_FORMAT_F32,
            SampleFormat::S16 => lms_sample_format::LMS_SAMPLE_FORMAT_S16,
        }
    }
}
