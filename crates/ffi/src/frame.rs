//! Frames: reading, callbacks, retaining and releasing.

use std::ffi::c_void;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::Duration;

use lms_core::{Error, Frame, FrameData};

use crate::boundary::{ffi, out, put};
use crate::callbacks::UserData;
use crate::handles::{FrameEntry, FRAMES, TRACKS};
use crate::status::lms_status;
use crate::types::{lms_frame, lms_frame_callback, lms_pixel_format, lms_sample_format, lms_track};

/// Describe `frame` for C under `handle`.
pub(crate) fn describe(frame: &Frame, handle: u64) -> lms_frame {
    let mut f = lms_frame {
        handle,
        kind: frame.kind().into(),
        pixel_format: lms_pixel_format::LMS_PIXEL_FORMAT_I420,
        width: 0,
        height: 0,
        plane_count: 0,
        planes: [std::ptr::null(); 4],
        strides: [0; 4],
        plane_sizes: [0; 4],
        sample_format: lms_sample_format::LMS_SAMPLE_FORMAT_F32,
        sample_rate: 0,
        channels: 0,
        sample_count: 0,
        timestamp_us: frame.timestamp_us(),
        sequence: frame.sequence(),
    };
    match frame.data() {
        FrameData::Video(v) => {
            f.pixel_format = v.format().into();
            (f.width, f.height) = (v.width(), v.height());
            f.plane_count = v.plane_count() as u32;
            for i in 0..v.plane_count().min(4) {
                let plane = v.plane(i);
                f.planes[i] = plane.as_ptr();
                f.strides[i] = v.stride(i) as u32;
                f.plane_sizes[i] = plane.len();
            }
        }
        FrameData::Audio(a) => {
            f.sample_format = a.format().into();
            (f.sample_rate, f.channels, f.sample_count) =
                (a.sample_rate(), a.channels().into(), a.frames() as u32);
            f.plane_count = 1;
            let bytes = a.bytes();
            f.planes[0] = bytes.as_ptr();
            f.strides[0] = bytes.len() as u32;
            f.plane_sizes[0] = bytes.len();
        }
    }
    f
}

/// The handle of a frame C passes back, read without trusting the rest of the struct.
///
/// # Safety
/// `frame` is NULL or points to readable memory the size of an `lms_frame`.
unsafe fn handle_of(frame: *const lms_frame) -> lms_core::Result<u64> {
    if frame.is_null() {
        return Err(Error::InvalidArgument("frame is NULL".into()));
    }
    // SAFETY: non-NULL and readable by the contract; reading only the u64 field
    // never loads the (possibly corrupted) enum fields.
    Ok(unsafe { std::ptr::addr_of!((*frame).handle).read_unaligned() })
}

/// Take the next frame of the track, waiting up to `timeout_ms` milliseconds
/// (negative: until one comes; 0: only if one is queued). On success `*out`
/// describes it: its planes stay valid until `lms_frame_release(out)`, even
/// after the track stops or is freed. LMS_ERR_TIMEOUT when none came,
/// LMS_ERR_ENDED once the track ended and its queue is empty (a stopped track
/// discards its queue). Blocks the calling thread only; any thread; several
/// threads may read one track (each frame goes to one of them).
#[no_mangle]
pub unsafe extern "C" fn lms_track_read_frame(
    track: lms_track,
    timeout_ms: i32,
    out_frame: *mut lms_frame,
) -> lms_status {
    ffi(|| {
        let out_frame = out(out_frame, "out")?;
        let t = TRACKS.get(track.id)?;
        let timeout = u64::try_from(timeout_ms).ok().map(Duration::from_millis);
        let frame = t.read(timeout)?;
        let desc = describe(
            &frame,
            FRAMES.insert(FrameEntry {
                frame: frame.clone(),
                lent: false,
            }),
        );
        // SAFETY: checked by `out`.
        unsafe { put(out_frame, desc) };
        Ok(())
    })
}

/// Keep a frame beyond the callback it was given to (or keep a second
/// reference to a read frame): `*out` is the same frame under a new handle,
/// released on its own with `lms_frame_release`.
#[no_mangle]
pub unsafe extern "C" fn lms_frame_retain(
    frame: *const lms_frame,
    out_frame: *mut lms_frame,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a frame the library described, or NULL.
        let handle = unsafe { handle_of(frame) }?;
        let out_frame = out(out_frame, "out")?;
        let f = FRAMES.get(handle)?.frame;
        let desc = describe(
            &f,
            FRAMES.insert(FrameEntry {
                frame: f.clone(),
                lent: false,
            }),
        );
        // SAFETY: checked by `out`.
        unsafe { put(out_frame, desc) };
        Ok(())
    })
}

/// Give a frame back: its planes are invalid afterwards. Releasing a frame
/// twice, or one given to a callback (which the library releases itself after
/// the call), is LMS_ERR_INVALID_HANDLE.
#[no_mangle]
pub unsafe extern "C" fn lms_frame_release(frame: *const lms_frame) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a frame the library described, or NULL.
        let handle = unsafe { handle_of(frame) }?;
        let refused = || {
            Error::InvalidHandle(format!(
                "frame {handle} was lent to a callback: the library releases it when the callback returns (lms_frame_retain keeps it)"
            ))
        };
        drop(FRAMES.remove_if(handle, |e| !e.lent, refused)?);
        Ok(())
    })
}

/// Deliver the track's frames to `cb(user_data, frame)` instead of to
/// `lms_track_read_frame`; NULL `cb` stops push delivery. The callback runs on
/// the track's own library thread, one frame at a time, in order; `frame` is
/// valid during the call (`lms_frame_retain` keeps it). It must not block for
/// long: frames arriving meanwhile wait in the track's queue and the oldest are
/// dropped (and counted) when it is full. It may call the library, including
/// `lms_track_stop` on its own track and `lms_track_set_frame_callback`.
/// `user_data` must stay valid until the callback is cleared or the track ends.
#[no_mangle]
pub unsafe extern "C" fn lms_track_set_frame_callback(
    track: lms_track,
    cb: lms_frame_callback,
    user_data: *mut c_void,
) -> lms_status {
    ffi(|| {
        let t = TRACKS.get(track.id)?;
        let Some(cb) = cb else {
            return t.set_frame_callback(None);
        };
        let data = UserData(user_data);
        // The first call waits until this function has dropped its own handle
        // of the track: a callback that frees the last handle then stops the
        // track at once, and is not called again.
        let armed = Arc::new(Armed::default());
        let ready = Arc::clone(&armed);
        let result = t.set_frame_callback(Some(Arc::new(move |frame: &Frame| {
            ready.wait();
            let handle = FRAMES.insert(FrameEntry {
                frame: frame.clone(),
                lent: true,
            });
            let desc = describe(frame, handle);
            // SAFETY: the caller keeps `cb` and `user_data` valid while the callback is set.
            unsafe { data.frame(cb, &desc) };
            let _ = FRAMES.remove(handle);
        })));
        drop(t);
        armed.arm();
        result
    })
}

/// Set once the setter of a frame callback no longer holds the track.
#[derive(Default)]
struct Armed {
    set: AtomicBool,
    lock: Mutex<()>,
    changed: Condvar,
}

impl Armed {
    fn arm(&self) {
        let _guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        self.set.store(true, Ordering::Release);
        self.changed.notify_all();
    }

    fn wait(&self) {
        if self.set.load(Ordering::Acquire) {
            return;
        }
        let mut guard = self.lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !self.set.load(Ordering::Acquire) {
            guard = self
                .changed
                .wait(guard)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }
}

/// The sequence number the fake camera paints into every picture, read back
/// from the pixels (works after scaling and format conversion): lets tests
/// check that a frame's content is the frame it claims to be.
/// LMS_ERR_NOT_FOUND when the picture carries no such code.
#[no_mangle]
pub unsafe extern "C" fn lms_frame_decode_sequence(
    frame: *const lms_frame,
    out_sequence: *mut u64,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a frame the library described, or NULL.
        let handle = unsafe { handle_of(frame) }?;
        let out_sequence = out(out_sequence, "out")?;
        let f = FRAMES.get(handle)?.frame;
        let video = f
            .video()
            .ok_or_else(|| Error::NotFound("an audio frame has no picture".into()))?;
        let seq = lms_core::video::decode_sequence(video)
            .ok_or_else(|| Error::NotFound("the picture carries no sequence code".into()))?;
        // SAFETY: checked by `out`.
        unsafe { put(out_sequence, seq) };
        Ok(())
    })
}
