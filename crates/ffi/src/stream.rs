//! `MediaStream` calls, and `lms_open` (getUserMedia) / `lms_stop`.

use std::ffi::c_char;

use lms_core::{Error, MediaDevices, MediaStream, MediaStreamTrack};

use crate::boundary::{ffi, out, owned_string, put, text};
use crate::handles::{STREAMS, TRACKS};
use crate::status::lms_status;
use crate::types::{lms_stream, lms_track};

/// `getUserMedia()`: open the devices the constraints ask for (JSON, e.g.
/// `{"video": {"width": {"ideal": 1280}}, "audio": true}`) and write a new
/// stream handle to `*out` (free it with `lms_stream_free`; its tracks keep
/// running until stopped or until no handle and no stream holds them).
/// Errors: LMS_ERR_TYPE (bad JSON, `{}`), LMS_ERR_OVERCONSTRAINED (see
/// `lms_last_error_constraint`), LMS_ERR_NOT_FOUND, LMS_ERR_NOT_READABLE,
/// LMS_ERR_NOT_ALLOWED. Blocks while the devices open. Any thread.
#[no_mangle]
pub unsafe extern "C" fn lms_open(
    constraints_json: *const c_char,
    out_stream: *mut lms_stream,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let json = unsafe { text(constraints_json, "constraints_json") }?;
        let out_stream = out(out_stream, "out")?;
        let stream = MediaDevices::global().get_user_media_json(json)?;
        // SAFETY: checked by `out`.
        unsafe {
            put(
                out_stream,
                lms_stream {
                    id: STREAMS.insert(stream),
                },
            )
        };
        Ok(())
    })
}

/// `LocalMediaStream.stop()`: stop every track of the stream (no `ended`
/// events; devices no other track uses are released before this returns).
/// The handle stays valid: free it with `lms_stream_free`.
#[no_mangle]
pub extern "C" fn lms_stop(stream: lms_stream) -> lms_status {
    ffi(|| {
        STREAMS.get(stream.id)?.stop();
        Ok(())
    })
}

/// `new MediaStream(tracks)`: a new stream holding these tracks (`tracks` may
/// be NULL when `count` is 0: an empty, inactive stream). The track handles
/// stay the caller's.
#[no_mangle]
pub unsafe extern "C" fn lms_stream_new(
    tracks: *const lms_track,
    count: usize,
    out_stream: *mut lms_stream,
) -> lms_status {
    ffi(|| {
        let out_stream = out(out_stream, "out")?;
        let handles: &[lms_track] = if count == 0 {
            &[]
        } else if tracks.is_null() {
            return Err(Error::InvalidArgument(
                "tracks is NULL but count is not 0".into(),
            ));
        } else {
            // SAFETY: the caller passes `count` readable handles at `tracks`.
            unsafe { std::slice::from_raw_parts(tracks, count) }
        };
        let list = handles
            .iter()
            .map(|t| TRACKS.get(t.id))
            .collect::<Result<Vec<MediaStreamTrack>, _>>()?;
        let stream = MediaStream::from_tracks(&list);
        // SAFETY: checked by `out`.
        unsafe {
            put(
                out_stream,
                lms_stream {
                    id: STREAMS.insert(stream),
                },
            )
        };
        Ok(())
    })
}

/// `clone()`: a new stream (new id) of clones of every track (new ids, same
/// devices). Free it with `lms_stream_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_stream_clone(
    stream: lms_stream,
    out_stream: *mut lms_stream,
) -> lms_status {
    ffi(|| {
        let out_stream = out(out_stream, "out")?;
        let clone = STREAMS.get(stream.id)?.clone_stream();
        // SAFETY: checked by `out`.
        unsafe {
            put(
                out_stream,
                lms_stream {
                    id: STREAMS.insert(clone),
                },
            )
        };
        Ok(())
    })
}

/// The stream's id (a 36-character UUID). Free `*out` with `lms_string_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_stream_id(stream: lms_stream, out_id: *mut *mut c_char) -> lms_status {
    ffi(|| {
        let out_id = out(out_id, "out")?;
        let id = STREAMS.get(stream.id)?.id().to_string();
        // SAFETY: checked by `out`.
        unsafe { put(out_id, owned_string(id)) };
        Ok(())
    })
}

/// Whether any track of the stream is live.
#[no_mangle]
pub unsafe extern "C" fn lms_stream_active(
    stream: lms_stream,
    out_active: *mut bool,
) -> lms_status {
    ffi(|| {
        let out_active = out(out_active, "out")?;
        let active = STREAMS.get(stream.id)?.active();
        // SAFETY: checked by `out`.
        unsafe { put(out_active, active) };
        Ok(())
    })
}

/// The stream's tracks: `*out_count` = how many there are; the first
/// min(capacity, count) are written to `out` as NEW handles, each to be freed
/// with `lms_track_free`. `out` may be NULL when `capacity` is 0 (to count).
#[no_mangle]
pub unsafe extern "C" fn lms_stream_tracks(
    stream: lms_stream,
    out_tracks: *mut lms_track,
    capacity: usize,
    out_count: *mut usize,
) -> lms_status {
    ffi(|| {
        let out_count = out(out_count, "out_count")?;
        if capacity > 0 {
            out(out_tracks, "out")?;
        }
        let tracks = STREAMS.get(stream.id)?.get_tracks();
        for (i, t) in tracks.iter().take(capacity).enumerate() {
            // SAFETY: the caller passes `capacity` writable slots at `out_tracks` (non-NULL, checked).
            unsafe {
                put(
                    out_tracks.add(i),
                    lms_track {
                        id: TRACKS.insert(t.clone()),
                    },
                )
            };
        }
        // SAFETY: checked by `out`.
        unsafe { put(out_count, tracks.len()) };
        Ok(())
    })
}

/// `getTrackById()`: a NEW handle to the stream's track with this id, or
/// LMS_ERR_NOT_FOUND. Free it with `lms_track_free`.
#[no_mangle]
pub unsafe extern "C" fn lms_stream_track_by_id(
    stream: lms_stream,
    track_id: *const c_char,
    out_track: *mut lms_track,
) -> lms_status {
    ffi(|| {
        // SAFETY: the caller passes a NUL-terminated string or NULL.
        let id = unsafe { text(track_id, "track_id") }?;
        let out_track = out(out_track, "out")?;
        let track = STREAMS
            .get(stream.id)?
            .get_track_by_id(id)
            .ok_or_else(|| Error::NotFound(format!("the stream has no track {id}")))?;
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

/// `addTrack()`: add the track (a track already there is not added twice).
#[no_mangle]
pub extern "C" fn lms_stream_add_track(stream: lms_stream, track: lms_track) -> lms_status {
    ffi(|| {
        let (s, t) = (STREAMS.get(stream.id)?, TRACKS.get(track.id)?);
        s.add_track(&t);
        Ok(())
    })
}

/// `removeTrack()`: remove the track (an absent one is ignored).
#[no_mangle]
pub extern "C" fn lms_stream_remove_track(stream: lms_stream, track: lms_track) -> lms_status {
    ffi(|| {
        let (s, t) = (STREAMS.get(stream.id)?, TRACKS.get(track.id)?);
        s.remove_track(&t);
        Ok(())
    })
}

/// Free a stream handle. Tracks that no other stream or handle holds stop.
#[no_mangle]
pub extern "C" fn lms_stream_free(stream: lms_stream) -> lms_status {
    ffi(|| {
        drop(STREAMS.remove(stream.id)?);
        Ok(())
    })
}
