//! Track generators (W3C *Media Capture Transform*'s `VideoTrackGenerator`):
//! a video track whose frames the program writes.
//!
//! A generator handle (`lms_generator`) is checked like every other handle.
//! Its track (`lms_generator_track`) is an ordinary `lms_track`: it can be
//! read, cloned, constrained, disabled, stopped and put in a stream, and its
//! handles are freed with `lms_track_free`.

use std::mem::MaybeUninit;

use lms_core::frame::MAX_DIMENSION;
use lms_core::{Error, MediaDevices, PixelFormat, Result, TrackGenerator};

use crate::boundary::{ffi, out, put};
use crate::handles::{FRAMES, GENERATORS, TRACKS};
use crate::status::lms_status;
use crate::types::{lms_frame, lms_pixel_format, lms_track};

/// A track generator handle (`VideoTrackGenerator`), passed by value: made by
/// `lms_generator_new`, freed once with `lms_generator_free`. 0 is never a
/// valid handle; a handle is never reused after it is freed.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct lms_generator {
    pub id: u64,
}

fn get(generator: lms_generator) -> Result<TrackGenerator> {
    GENERATORS.get(generator.id)
}

/// The core's pixel format for an `lms_pixel_format` value C passed, read as
/// the integer it is: a value outside the enum is an error, not undefined
/// behaviour.
fn pixel_format(format: MaybeUninit<lms_pixel_format>) -> Result<PixelFormat> {
    const _: () = assert!(size_of::<lms_pixel_format>() == size_of::<u32>());
    // SAFETY: same size (checked above); C passed an initialised integer, and
    // every bit pattern is a valid u32.
    let value: u32 = unsafe { std::mem::transmute(format) };
    PixelFormat::ALL
        .iter()
        .copied()
        .find(|&f| lms_pixel_format::from(f) as u32 == value)
        .ok_or_else(|| {
            Error::InvalidArgument(format!("format {value} is not an lms_pixel_format value"))
        })
}

/// Borrow the planes C passed as slices of exactly the bytes a `width` x
/// `height` picture of `format` reads at these strides, after checking every
/// argument so that no slice reaches past what the caller promised.
///
/// # Safety
/// `planes` and `strides` are NULL or point to `plane_count` readable entries;
/// each non-NULL `planes[i]` points to `strides[i] * (rows - 1) + row` readable
/// bytes (rows and row of plane `i` of such a picture) that outlive the call.
unsafe fn borrow_planes<'a>(
    format: PixelFormat,
    width: u32,
    height: u32,
    planes: *const *const u8,
    strides: *const usize,
    plane_count: usize,
) -> Result<(Vec<&'a [u8]>, Vec<usize>)> {
    if planes.is_null() {
        return Err(Error::InvalidArgument("planes is NULL".into()));
    }
    if strides.is_null() {
        return Err(Error::InvalidArgument("strides is NULL".into()));
    }
    let bad = |why: String| Err(Error::Type(format!("lms_generator_write: {why}")));
    if format == PixelFormat::Mjpeg {
        return bad("format is MJPEG: pass MJPEG frames on with lms_generator_write_frame".into());
    }
    if width == 0 || width > MAX_DIMENSION {
        return bad(format!("width must be 1 to {MAX_DIMENSION}, got {width}"));
    }
    if height == 0 || height > MAX_DIMENSION {
        return bad(format!("height must be 1 to {MAX_DIMENSION}, got {height}"));
    }
    let layout = format.layout(width, height);
    if plane_count != layout.count {
        return bad(format!(
            "plane_count is {plane_count}, but {} has {} plane{}",
            format.name(),
            layout.count,
            if layout.count == 1 { "" } else { "s" }
        ));
    }
    // SAFETY: non-NULL, and `plane_count` entries each by the contract.
    let (planes, strides) = unsafe {
        (
            std::slice::from_raw_parts(planes, plane_count),
            std::slice::from_raw_parts(strides, plane_count),
        )
    };
    let mut slices = Vec::with_capacity(plane_count);
    for i in 0..plane_count {
        let (row, rows) = (layout.strides[i], layout.sizes[i] / layout.strides[i]);
        let stride = strides[i];
        if stride < row {
            return bad(format!(
                "strides[{i}] is {stride}, but plane {i} of a {width}x{height} {} picture has rows of {row} bytes",
                format.name()
            ));
        }
        let len = stride
            .checked_mul(rows - 1)
            .and_then(|n| n.checked_add(row))
            .filter(|&n| n <= isize::MAX as usize)
            .ok_or_else(|| {
                Error::Type(format!(
                    "lms_generator_write: strides[{i}] is {stride}: {rows} rows of it do not fit in memory"
                ))
            })?;
        if planes[i].is_null() {
            return Err(Error::InvalidArgument(format!("planes[{i}] is NULL")));
        }
        // SAFETY: non-NULL, `len` readable bytes by the contract, checked to
        // fit in an isize.
        slices.push(unsafe { std::slice::from_raw_parts(planes[i], len) });
    }
    Ok((slices, strides.to_vec()))
}

/// `new VideoTrackGenerator()`: a new generator and its live video track,
/// written to `*out` (free it with `lms_generator_free`). The track holds up
/// to the configuration's `queueSize` frames (see `lms_configure`), as the
/// tracks of `lms_open` do. Its settings follow the frames written: until
/// the first frame it has no size (width and height 0). Does not block.
#[no_mangle]
pub unsafe extern "C" fn lms_generator_new(out_generator: *mut lms_generator) -> lms_status {
    ffi(|| {
        let out_generator = out(out_generator, "out")?;
        let queue_size = MediaDevices::global().config().queue_size;
        let generator = TrackGenerator::video(queue_size)?;
        let id = GENERATORS.insert(generator);
        // SAFETY: checked by `out`.
        unsafe { put(out_generator, lms_generator { id }) };
        Ok(())
    })
}

/// `generator.track`: a NEW handle to the generator's track, written to
/// `*out`; free it with `lms_track_free`. Every call gives a handle to the
/// same track (same id); `lms_track_clone` makes more tracks of the
/// generator. The track is an ordinary track: `lms_track_read_frame`,
/// callbacks, constraints (crop-and-scale, frame-rate decimation and
/// `pixelFormat` conversion of the frames written; a size larger than the
/// frames gives the frames as they are), `lms_track_stop`. Stopping it
/// through any of its handles stops the generator's track; once it and
/// every clone have ended the generator is closed. The generator keeps its
/// track alive: freeing track handles does not stop it while the generator
/// handle lives. Allowed after close (the track is then ended).
#[no_mangle]
pub unsafe extern "C" fn lms_generator_track(
    generator: lms_generator,
    out_track: *mut lms_track,
) -> lms_status {
    ffi(|| {
        let out_track = out(out_track, "out")?;
        let track = get(generator)?.track();
        // SAFETY: checked by `out`.
        unsafe {
            put(
                out_track,
                lms_track {
                    id: TRACKS.insert(track),
                },
            )
        };
        Ok(())
    })
}

/// Send a picture to every track of the generator, copied once (into a
/// buffer of the generator's own pool; the caller's memory is not used after
/// the call). `format` is the layout of the planes (any but
/// LMS_PIXEL_FORMAT_MJPEG); `plane_count` entries of `planes` and `strides`
/// give each plane's first byte and the bytes from one row to the next
/// (I420: Y, U, V; NV12: Y, UV; the packed formats: one plane). Plane `i` is
/// read for `strides[i] * (rows - 1) + row` bytes, `row` and `rows` being its
/// visible row length and row count; strides may be larger than a row
/// (padding is skipped). `timestamp_us` becomes the frame's `timestamp_us`
/// as given (use the clock of `lms_frame.timestamp_us` to mix with captured
/// frames); frames get the generator's own `sequence`, from 0.
///
/// Tracks deliver what their constraints choose from the frames written:
/// as every track, one that asks for no `pixelFormat` gets I420 (frames of
/// another format are converted; ask for `{"pixelFormat": "RGBA"}` to get
/// RGBA frames as written), and one that asks for no size gets the frames'
/// size. A frame of another size or format than the last one makes each
/// track's constraints choose again. Never blocks on readers: a track whose
/// queue is full drops its oldest frame (counted in `lms_track_stats_get`).
/// While the generator is muted the frame is dropped and LMS_OK returned.
///
/// Errors: LMS_ERR_INVALID_ARGUMENT when `planes`, `strides` or a
/// `planes[i]` is NULL or `format` is no lms_pixel_format value;
/// LMS_ERR_TYPE naming the argument for a `width` or `height` outside 1 to
/// 16384, a `plane_count` other than the format's, a `strides[i]` shorter
/// than a row, or LMS_PIXEL_FORMAT_MJPEG; LMS_ERR_INVALID_STATE once the
/// generator is closed (`lms_generator_close`, or every track ended). Any
/// thread; writes from several threads are taken one at a time.
#[allow(clippy::too_many_arguments)]
#[no_mangle]
pub unsafe extern "C" fn lms_generator_write(
    generator: lms_generator,
    format: MaybeUninit<lms_pixel_format>,
    width: u32,
    height: u32,
    timestamp_us: i64,
    planes: *const *const u8,
    strides: *const usize,
    plane_count: usize,
) -> lms_status {
    ffi(|| {
        let g = get(generator)?;
        let format = pixel_format(format)?;
        // SAFETY: the caller passes `plane_count` planes and strides, or NULL,
        // each plane as long as the documentation says.
        let (planes, strides) =
            unsafe { borrow_planes(format, width, height, planes, strides, plane_count) }?;
        g.write_video(format, width, height, timestamp_us, &planes, &strides)
    })
}

/// Send a frame the library handed out (read from any video track, retained,
/// or given to a frame callback, during the callback) to every track of the
/// generator without a copy: the tracks deliver the same buffer (the same
/// plane pointers) unless they convert it (another size, or another
/// `pixelFormat` than the frame's: a track that asks for none gets I420),
/// with the frame's `timestamp_us`; frames get the generator's own
/// `sequence`. The caller still owns `frame` and releases it as usual; the
/// buffer stays valid for as long as any track holds it. Otherwise as
/// `lms_generator_write` (never blocks on readers; settings follow the
/// frames; dropped while muted).
///
/// Errors: LMS_ERR_INVALID_ARGUMENT for NULL `frame`; LMS_ERR_INVALID_HANDLE
/// for a frame already released (or not from the library); LMS_ERR_TYPE for
/// an audio frame; LMS_ERR_INVALID_STATE once the generator is closed. Any
/// thread.
#[no_mangle]
pub unsafe extern "C" fn lms_generator_write_frame(
    generator: lms_generator,
    frame: *const lms_frame,
) -> lms_status {
    ffi(|| {
        if frame.is_null() {
            return Err(Error::InvalidArgument("frame is NULL".into()));
        }
        // SAFETY: non-NULL and readable by the contract; reading only the u64
        // field never loads the (possibly corrupted) enum fields.
        let handle = unsafe { std::ptr::addr_of!((*frame).handle).read_unaligned() };
        let g = get(generator)?;
        let f = FRAMES.get(handle)?.frame;
        g.write(f)
    })
}

/// Mute (`muted` true) or unmute the generator: every track's `muted`
/// follows and LMS_EVENT_MUTE / LMS_EVENT_UNMUTE fire on a change (not when
/// the value stays); frames written while muted are dropped. Allowed after
/// close. Any thread.
#[no_mangle]
pub extern "C" fn lms_generator_set_muted(generator: lms_generator, muted: bool) -> lms_status {
    ffi(|| {
        get(generator)?.set_muted(muted);
        Ok(())
    })
}

/// Whether the generator is muted (`lms_generator_set_muted`), to `*out`.
#[no_mangle]
pub unsafe extern "C" fn lms_generator_muted(
    generator: lms_generator,
    out_muted: *mut bool,
) -> lms_status {
    ffi(|| {
        let out_muted = out(out_muted, "out")?;
        let muted = get(generator)?.muted();
        // SAFETY: checked by `out`.
        unsafe { put(out_muted, muted) };
        Ok(())
    })
}

/// Close the generator: every track it feeds ends (`readyState` ended,
/// LMS_EVENT_ENDED fires on each, as when a camera is lost; frames already
/// queued stay readable) and later writes fail with LMS_ERR_INVALID_STATE.
/// Calling it again does nothing. The handle stays valid: free it with
/// `lms_generator_free`. Any thread.
#[no_mangle]
pub extern "C" fn lms_generator_close(generator: lms_generator) -> lms_status {
    ffi(|| {
        get(generator)?.close();
        Ok(())
    })
}

/// Whether writes are refused, to `*out`: `lms_generator_close` was called,
/// or the generator's track and every clone of it have ended (stopped).
#[no_mangle]
pub unsafe extern "C" fn lms_generator_closed(
    generator: lms_generator,
    out_closed: *mut bool,
) -> lms_status {
    ffi(|| {
        let out_closed = out(out_closed, "out")?;
        let closed = get(generator)?.is_closed();
        // SAFETY: checked by `out`.
        unsafe { put(out_closed, closed) };
        Ok(())
    })
}

/// Free a generator handle. It does not close the generator: its tracks
/// stay live, with no more frames coming, while track handles or streams
/// hold them (call `lms_generator_close` first to end them); a track no
/// handle holds any more stops. Freeing twice is LMS_ERR_INVALID_HANDLE.
#[no_mangle]
pub extern "C" fn lms_generator_free(generator: lms_generator) -> lms_status {
    ffi(|| {
        // Dropped here, outside the registry's lock: the last handle of the
        // track may stop it.
        drop(GENERATORS.remove(generator.id)?);
        Ok(())
    })
}
