//! Frames as JavaScript objects over the frame's own memory (no copy).
//!
//! A frame becomes a [`RawFrame`]: `kind`, `format`, `sequence`, `timestamp`
//! (microseconds, monotonic clock), the layout, and `data`: one external
//! `ArrayBuffer` over every byte of the frame. The buffer's finalizer owns a
//! clone of the [`lms_core::Frame`], so the memory stays valid (and out of the
//! source's pool) until JavaScript drops the last view, even after the track
//! stopped. `lib/frame.js` cuts `data` into one `Buffer` per plane.
//!
//! Giving buffers back. A source captures into a bounded pool of buffers (64
//! for a device, 32 per converted size or format) and skips frames while
//! every buffer is held. JavaScript holds a frame until the garbage collector
//! frees it, and then Node runs the finalizer on a later turn of the event
//! loop. Three things keep capture flowing:
//! - `frame.close()` ([`release_frame`]) detaches the buffer at once; Node
//!   hands the frame back on the next turn of the event loop.
//! - Every frame counts as at least [`PRESSURE_PER_FRAME`] of external memory
//!   until it is finalized. V8 collects when external memory grew by 64 MiB
//!   since its last full collection, so frames left to the collector are freed
//!   about every 16 frames whatever their size; closed frames, finalized on
//!   the next turn, add no lasting pressure.
//! - While JavaScript holds [`MAX_HELD_PER_DEVICE`] frames of one device, the
//!   next frames of that device are copies in memory of their own (the core
//!   frame goes back at once), so frames kept by the application, or not yet
//!   collected, never starve the device.
//!
//! Reads also let the event loop turn at least every few frames (see
//! `lib/track.js`), since Node runs those finalizers between turns.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};

use lms_core::{Frame, FrameData, PixelFormat, VideoBuffer};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::check;

/// The external memory a frame counts as, at least (see the module documentation).
const PRESSURE_PER_FRAME: usize = 4 << 20;

/// Frames of one device JavaScript may hold without a copy (see the module
/// documentation): three quarters of the smallest pool (32), leaving the rest
/// for track queues.
pub const MAX_HELD_PER_DEVICE: usize = 24;

/// Frames whose memory JavaScript holds now, over every device.
static FRAMES_HELD: AtomicUsize = AtomicUsize::new(0);

/// How many frames JavaScript holds without a copy now: frames handed out
/// and neither closed nor collected yet (for tests and diagnostics).
#[napi]
pub fn frames_held() -> u32 {
    FRAMES_HELD.load(Ordering::Relaxed) as u32
}

/// Counts the frames of one device that JavaScript holds; shared by every
/// track on the device.
#[derive(Clone)]
pub struct HeldFrames(Arc<AtomicUsize>);

impl HeldFrames {
    /// The counter of `device_id`.
    pub fn of_device(device_id: &str) -> HeldFrames {
        static DEVICES: Mutex<Option<HashMap<String, Weak<AtomicUsize>>>> = Mutex::new(None);
        let mut devices = DEVICES.lock().unwrap_or_else(PoisonError::into_inner);
        let devices = devices.get_or_insert_with(HashMap::new);
        if let Some(counter) = devices.get(device_id).and_then(Weak::upgrade) {
            return HeldFrames(counter);
        }
        devices.retain(|_, counter| counter.strong_count() > 0);
        let counter = Arc::new(AtomicUsize::new(0));
        devices.insert(device_id.to_string(), Arc::downgrade(&counter));
        HeldFrames(counter)
    }
}

/// Detach a frame's `data` at once: its views become empty and the frame's
/// buffer goes back to its source on the next turn of the event loop.
#[napi]
pub fn release_frame(data: ArrayBuffer) -> Result<()> {
    if !data.is_detached()? {
        data.detach()?;
    }
    Ok(())
}

/// A frame as the native module hands it over; `lib/frame.js` makes the
/// public `VideoFrame` / `AudioFrame` of it.
#[napi(object, object_from_js = false)]
pub struct RawFrame<'env> {
    /// `"video"` or `"audio"`.
    #[napi(ts_type = "'video' | 'audio'")]
    pub kind: &'static str,
    /// Pixel format (`"I420"`, ...) or sample format (`"f32"`, `"s16"`).
    pub format: &'static str,
    pub sequence: f64,
    /// Microseconds on the monotonic clock when the frame was captured.
    pub timestamp: f64,
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Byte offset of each plane in `data`.
    pub offsets: Option<Vec<u32>>,
    /// Byte length of each plane.
    pub sizes: Option<Vec<u32>>,
    /// Bytes per row of each plane.
    pub strides: Option<Vec<u32>>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
    /// Sample frames (samples per channel); the last chunk of a file that ends holds just what was left.
    pub sample_count: Option<u32>,
    /// Every byte of the frame, without a copy (read-only by contract).
    pub data: ArrayBuffer<'env>,
}

/// The JS object for `frame` (see the module documentation); `held` counts
/// the frames of its device that JavaScript holds.
pub fn to_js<'env>(env: &'env Env, frame: Frame, held: &HeldFrames) -> Result<RawFrame<'env>> {
    let (sequence, timestamp) = (frame.sequence() as f64, frame.timestamp_us() as f64);
    let bytes: &[u8] = match frame.data() {
        FrameData::Video(video) => video.bytes(),
        FrameData::Audio(audio) => audio.bytes(),
    };
    let data = if bytes.is_empty() {
        ArrayBuffer::copy_from(env, bytes)?
    } else if held.0.load(Ordering::Relaxed) >= MAX_HELD_PER_DEVICE {
        // A copy in memory of its own, counted like a frame: collecting it
        // is what frees the held frames too.
        let mut copy = bytes.to_vec();
        let (ptr, len) = (copy.as_mut_ptr(), copy.len());
        let extra = PRESSURE_PER_FRAME.saturating_sub(len) as i64;
        // SAFETY: `ptr..ptr+len` is `copy`'s heap buffer, moved into the
        // finalizer hint, which frees it only when Node finalizes the ArrayBuffer.
        let data = unsafe {
            ArrayBuffer::from_external(env, ptr, len, copy, move |env, copy| {
                drop(copy);
                let _ = env.adjust_external_memory(-extra);
            })?
        };
        env.adjust_external_memory(extra)?;
        data
    } else {
        let (ptr, len) = (bytes.as_ptr().cast_mut(), bytes.len());
        let extra = PRESSURE_PER_FRAME.saturating_sub(len) as i64;
        let counter = Arc::clone(&held.0);
        // SAFETY: `ptr..ptr+len` is the frame's buffer, owned by an `Arc`
        // that the finalizer hint (a clone of `frame`) keeps alive until Node
        // finalizes the ArrayBuffer (collected or detached), and frame buffers
        // are never written after delivery (the pool reuses a buffer only once
        // every `Frame` clone is gone). JavaScript must treat it as read-only;
        // the documentation of `planes` says so.
        let data = unsafe {
            ArrayBuffer::from_external(env, ptr, len, frame.clone(), move |env, frame| {
                drop(frame);
                counter.fetch_sub(1, Ordering::Relaxed);
                FRAMES_HELD.fetch_sub(1, Ordering::Relaxed);
                // Fails only while the environment shuts down, when it no longer matters.
                let _ = env.adjust_external_memory(-extra);
            })?
        };
        held.0.fetch_add(1, Ordering::Relaxed);
        FRAMES_HELD.fetch_add(1, Ordering::Relaxed);
        env.adjust_external_memory(extra)?;
        data
    };
    let mut raw = RawFrame {
        kind: "video",
        format: "",
        sequence,
        timestamp,
        width: None,
        height: None,
        offsets: None,
        sizes: None,
        strides: None,
        sample_rate: None,
        channels: None,
        sample_count: None,
        data,
    };
    match frame.data() {
        FrameData::Video(video) => {
            let layout = video.layout();
            let planes = 0..video.plane_count();
            raw.format = video.format().name();
            raw.width = Some(video.width());
            raw.height = Some(video.height());
            raw.offsets = Some(planes.clone().map(|i| layout.offset(i) as u32).collect());
            raw.sizes = Some(planes.clone().map(|i| layout.sizes[i] as u32).collect());
            raw.strides = Some(planes.map(|i| layout.strides[i] as u32).collect());
        }
        FrameData::Audio(audio) => {
            raw.kind = "audio";
            raw.format = audio.format().name();
            raw.sample_rate = Some(audio.sample_rate());
            raw.channels = Some(u32::from(audio.channels()));
            raw.sample_count = Some(audio.frames() as u32);
        }
    }
    Ok(raw)
}

/// The frame number painted into a fake camera's picture
/// (`lms_core::video::decode_sequence`), or `null` when none can be read.
/// `planes` are the frame's planes (`frame.planes`), in order.
#[napi]
pub fn decode_sequence(
    env: &Env,
    format: String,
    width: u32,
    height: u32,
    planes: Vec<Buffer>,
) -> Result<Option<f64>> {
    check(env, decode(&format, width, height, &planes))
}

fn decode(
    format: &str,
    width: u32,
    height: u32,
    planes: &[Buffer],
) -> lms_core::Result<Option<f64>> {
    let bad = |why: String| lms_core::Error::Type(format!("decodeSequence: {why}"));
    let format = PixelFormat::from_name(format)
        .ok_or_else(|| bad(format!("unknown pixel format \"{format}\"")))?;
    if format == PixelFormat::Mjpeg {
        return Ok(None);
    }
    let mut picture = VideoBuffer::new(format, width, height).map_err(|e| bad(e.message()))?;
    if planes.len() != picture.plane_count() {
        return Err(bad(format!(
            "{} has {} planes, got {}",
            format.name(),
            picture.plane_count(),
            planes.len()
        )));
    }
    for (i, plane) in planes.iter().enumerate() {
        let target = picture.plane_mut(i);
        if plane.len() != target.len() {
            return Err(bad(format!(
                "plane {i} of a {width}x{height} {} picture has {} bytes, got {}",
                format.name(),
                target.len(),
                plane.len()
            )));
        }
        target.copy_from_slice(plane);
    }
    Ok(lms_core::video::decode_sequence(&picture).map(|n| n as f64))
}
