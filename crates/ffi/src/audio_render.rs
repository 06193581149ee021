//! The far end: the audio the program plays, handed to every echo canceller
//! (`lms_core::audio::render`).

use lms_core::{Error, Result};

use crate::boundary::ffi;
use crate::status::lms_status;

/// The core's error with this function's name in front of its message.
fn named(e: Error) -> Error {
    match e {
        Error::Type(m) => Error::Type(format!(
            "lms_audio_render: {}",
            m.strip_prefix("render: ").unwrap_or(&m)
        )),
        other => other,
    }
}

/// Borrow the `frames * channels` samples C passed, after checking that they
/// fit in memory and that the pointer may be read as floats.
///
/// # Safety
/// `samples` is NULL or points to `frames * channels` readable floats that
/// outlive the call.
unsafe fn borrow_samples<'a>(
    samples: *const f32,
    frames: usize,
    channels: u16,
) -> Result<&'a [f32]> {
    let count = frames
        .checked_mul(usize::from(channels))
        .filter(|&n| n <= isize::MAX as usize / size_of::<f32>())
        .ok_or_else(|| {
            Error::Type(format!(
                "lms_audio_render: frames is {frames}: {frames} frames of {channels} channels do \
                 not fit in memory"
            ))
        })?;
    if count == 0 {
        return Ok(&[]);
    }
    if samples.is_null() {
        return Err(Error::InvalidArgument(format!(
            "samples is NULL (with frames {frames}; NULL is allowed only with frames 0)"
        )));
    }
    if !samples.is_aligned() {
        return Err(Error::InvalidArgument(
            "samples is not aligned for float".into(),
        ));
    }
    // SAFETY: non-NULL, aligned, and `count` readable floats by the contract;
    // `count * 4` bytes fit in an isize (checked above).
    Ok(unsafe { std::slice::from_raw_parts(samples, count) })
}

/// Give the echo cancellers the audio the program plays (the far end, what
/// its speakers play): `frames` frames of `channels` interleaved float
/// samples (`frames * channels` floats at `samples`), at `sample_rate` Hz,
/// in the order they are played and as they are played (at most 500 ms
/// ahead: a far end further ahead loses its oldest audio). The library
/// converts it to 48 kHz mono; any rate and channel count in range may be
/// passed, and they may change from one call to the next.
///
/// Every audio track with `echoCancellation` `true` or `"remote-only"`
/// removes this audio from what its microphone hears; tracks with it off are
/// not affected. `"all"` cancels what the system's output plays instead
/// (this audio included, when it is played there), recorded from the
/// output's monitor where a sound server is in use, and this audio where
/// none is. The far end is process-wide: every echo
/// canceller of the process gets every call's audio. The samples are copied
/// during the call and not used after it. Never blocks on capture (a far
/// end that stops or never comes leaves capture running, without echo
/// cancellation). Any thread; calls from several threads are taken one at a
/// time, and the audio of each call is kept whole.
///
/// `samples` may be NULL only when `frames` is 0 (nothing to render: LMS_OK).
///
/// Errors, with nothing rendered: LMS_ERR_TYPE naming the argument for a
/// `sample_rate` outside 8000 to 384000, `channels` outside 1 to 32, a
/// sample that is NaN or infinite (the message gives its index), or
/// `frames * channels` floats that do not fit in memory;
/// LMS_ERR_INVALID_ARGUMENT for NULL `samples` with `frames` > 0, or
/// `samples` not aligned for float.
#[no_mangle]
pub unsafe extern "C" fn lms_audio_render(
    samples: *const f32,
    frames: usize,
    sample_rate: u32,
    channels: u16,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes `frames * channels` readable floats, or NULL.
        let samples = unsafe { borrow_samples(samples, frames, channels) }?;
        lms_core::audio::render(samples, sample_rate, channels).map_err(named)
    })
}
