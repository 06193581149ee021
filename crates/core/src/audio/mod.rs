//! Audio signal processing: the fake microphone's tone, and the adapter that turns what a
//! microphone delivers into what each track asked for.
//!
//! - [`Tone`]: a phase-continuous sine generator (the fake microphone's signal).
//! - [`AudioAdapter`]: sample format conversion, channel mixing, resampling (with `rubato`)
//!   and re-chunking from a device's native chunks to a track's [`AudioTarget`].
//! - [`convert`]: the sample conversions and the channel-mixing rule every part of the crate
//!   shares, so that a WAV file, a real microphone and the fake one agree to the last bit.
//! - [`processing`]: echo cancellation, noise suppression and gain control (sonora), run per
//!   source for each distinct [`Processing`] its tracks ask for, fed by the far end that
//!   [`render()`] receives.
//! - [`testing`]: signal measurements (frequency, largest step) that tests reuse.

mod adapt;
#[cfg(test)]
mod adapt_tests;
mod chunker;
pub mod convert;
pub mod processing;
pub mod render;
mod resample;
pub mod testing;
mod tone;

pub use adapt::{AudioAdapter, AudioTarget};
pub use processing::{EchoCancellation, Processing};
pub use render::render;
pub use tone::Tone;

/// Lowest sample rate an adapter accepts, on either side (Hz).
pub const MIN_SAMPLE_RATE: u32 = 1_000;
/// Highest sample rate an adapter accepts, on either side (Hz). Bounds every allocation.
pub const MAX_SAMPLE_RATE: u32 = 384_000;
/// Most channels an adapter accepts, on either side.
pub const MAX_CHANNELS: u16 = 32;
/// Longest chunk an adapter delivers, in seconds of audio.
pub const MAX_CHUNK_SECONDS: u32 = 1;
/// The chunk duration a track gets unless it asks for a `latency`: 10 ms.
pub const DEFAULT_CHUNK_SECONDS: f64 = 0.010;

/// Frames in a chunk of `seconds` at `sample_rate`, rounded to the nearest frame and kept
/// within 1 frame ..= [`MAX_CHUNK_SECONDS`]. A non-finite or non-positive duration gives the
/// default chunk ([`DEFAULT_CHUNK_SECONDS`]).
///
/// `chunk_frames_for(48_000, 0.010) == 480`; `chunk_frames_for(44_100, 0.010) == 441`.
pub fn chunk_frames_for(sample_rate: u32, seconds: f64) -> usize {
    let seconds = if seconds.is_finite() && seconds > 0.0 {
        seconds
    } else {
        DEFAULT_CHUNK_SECONDS
    };
    let seconds = seconds.min(f64::from(MAX_CHUNK_SECONDS));
    let frames = (f64::from(sample_rate) * seconds).round();
    // `frames` is finite and at most `u32::MAX` (seconds <= 1), so the cast cannot truncate.
    (frames as usize).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_chunk_is_ten_milliseconds() {
        assert_eq!(chunk_frames_for(48_000, DEFAULT_CHUNK_SECONDS), 480);
        assert_eq!(chunk_frames_for(44_100, DEFAULT_CHUNK_SECONDS), 441);
        assert_eq!(chunk_frames_for(16_000, DEFAULT_CHUNK_SECONDS), 160);
    }

    #[test]
    fn a_latency_sets_the_chunk_and_bad_latencies_fall_back_to_the_default() {
        assert_eq!(chunk_frames_for(48_000, 0.020), 960);
        assert_eq!(chunk_frames_for(48_000, f64::NAN), 480);
        assert_eq!(chunk_frames_for(48_000, -1.0), 480);
        assert_eq!(chunk_frames_for(48_000, 1e9), 48_000);
        assert_eq!(chunk_frames_for(8_000, 1e-9), 1);
    }
}
