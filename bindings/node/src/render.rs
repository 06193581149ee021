//! `renderAudio()`: the far end, the audio the program plays, handed to every
//! echo canceller of the process (`lms_core::audio::render`). `index.js`
//! converts the arguments as WebIDL would (a `Float32Array`, an `unsigned
//! long` rate, an `unsigned short` channel count) before calling this.

use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::check;

/// Render `samples` (interleaved, `channels` per frame, at `sampleRate` Hz)
/// as the far end. Borrows the array during the call (the core copies what
/// it keeps); never waits for capture.
#[napi]
pub fn render_audio(
    env: Env,
    samples: Float32ArraySlice,
    sample_rate: u32,
    channels: u32,
) -> Result<()> {
    let result = u16::try_from(channels)
        .map_err(|_| {
            lms_core::Error::Type(format!(
                "render: channel count {channels} is outside 1..={}",
                lms_core::audio::MAX_CHANNELS
            ))
        })
        .and_then(|channels| lms_core::audio::render(&samples, sample_rate, channels))
        .map_err(|e| match e {
            lms_core::Error::Type(m) => lms_core::Error::Type(format!(
                "renderAudio(): {}",
                m.strip_prefix("render: ").unwrap_or(&m)
            )),
            other => other,
        });
    check(&env, result)
}
