//! Capturing from a microphone through cpal allocates nothing per chunk once
//! running, on any thread of ours or cpal's: a 48 kHz stereo track (the
//! device's chunks as they are) and a 16 kHz mono one (resampled in the
//! callback) read for 2 s in real time through a user-space PulseAudio. (The
//! PulseAudio client library's threads allocate with C's malloc, which this
//! count does not see.) Its own test binary with one test: the count is
//! process-wide and it sets `ALSA_CONFIG_PATH`.
// ALSA devices (its file plugin, a user-space PulseAudio): Linux only; the
// Windows microphone test is cpal_wasapi.rs, run under Wine.
#![cfg(all(feature = "cpal", target_os = "linux"))]

mod alloc_counter;
mod cpal_support;

use alloc_counter::{fewest_allocations, Counting};
use cpal_support::pulse::PulseServer;
use cpal_support::{media_devices, TIMEOUT};

#[global_allocator]
static GLOBAL: Counting = Counting;

#[test]
fn cpal_capture_allocates_nothing_per_chunk() {
    let _pulse = PulseServer::start();
    let md = media_devices();
    let native = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 48000, "channelCount": 2}}"#)
        .expect("capture");
    let resampled = md
        .get_user_media_json(r#"{"audio": {"echoCancellation": false, "noiseSuppression": false, "autoGainControl": false, "sampleRate": 16000, "channelCount": 1}}"#)
        .expect("a second, resampled track");
    let tracks = [
        native.get_audio_tracks().remove(0),
        resampled.get_audio_tracks().remove(0),
    ];
    let mut checksum = 0.0f64;
    let round = |checksum: &mut f64| {
        for track in &tracks {
            let frame = track.read(TIMEOUT).expect("a chunk");
            if let Some(lms_core::Samples::F32(s)) = frame.audio().map(|a| a.samples()) {
                *checksum += f64::from(s[0]);
            }
        }
    };
    // Warm up: pools fill, the resampler and the watchdog settle.
    for _ in 0..50 {
        round(&mut checksum);
    }
    // The fewest of up to 3 windows: a pool may grow late, once (see fewest_allocations).
    let made = fewest_allocations(3, || {
        for _ in 0..200 {
            round(&mut checksum);
        }
    });
    eprintln!("cpal steady state: {made} allocations in 200 rounds");
    assert!(checksum.is_finite());
    // As in the other steady-state tests: a pool may still grow by a few buffers late.
    assert!(
        made <= 8,
        "{made} allocations in 200 rounds (2 s of audio on two tracks)"
    );
    native.stop();
    resampled.stop();
}
