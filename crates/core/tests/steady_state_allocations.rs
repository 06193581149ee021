//! Steady-state capture allocates nothing: after warm-up, capturing,
//! converting, resampling, fanning out and reading frames makes no heap
//! allocation on any thread. (Its own test binary: the counting allocator
//! sees every thread of the process, so nothing else may run beside it.)

mod alloc_counter;

use alloc_counter::{fewest_allocations, Counting};

use std::time::Duration;

use lms_core::{MediaDevices, MediaStreamTrack};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations allowed in a measured window for late pool growth (4 buffers).
const POOL_GROWTH_ALLOWANCE: u64 = 8;

fn read_round(tracks: &[MediaStreamTrack]) {
    for t in tracks {
        let frame = t.read(Some(Duration::from_secs(5))).expect("a frame");
        std::hint::black_box(frame.plane(0).map(|p| p[0]));
    }
}

/// Heap allocations while reading 500 rounds from the tracks `constraints` opens
/// (plus a clone of the first), after 300 rounds of warm-up: the fewest of up
/// to 3 such windows (see [`fewest_allocations`]).
fn allocations_in_steady_state(md: &MediaDevices, constraints: &str) -> u64 {
    let stream = md.get_user_media_json(constraints).expect(constraints);
    let mut tracks = stream.get_tracks();
    tracks.push(tracks[0].clone_track());
    for _ in 0..300 {
        read_round(&tracks);
    }
    let allocated = fewest_allocations(3, || {
        for _ in 0..500 {
            read_round(&tracks);
        }
    });
    stream.stop();
    allocated
}

#[test]
fn capture_conversion_fan_out_and_reading_allocate_nothing_in_steady_state() {
    let md = MediaDevices::from_json(
        r#"{"backends": ["fake"], "fake": {"pacing": "none", "video": 1, "audio": 1}}"#,
    )
    .expect("fake configuration");
    let cases = [
        (
            "native video",
            r#"{"video": {"width": 320, "height": 240}}"#,
        ),
        ("native audio", r#"{"audio": {"sampleRate": 48000}}"#),
        (
            "scaled RGB video",
            r#"{"video": {"width": {"exact": 160}, "height": {"exact": 120}, "pixelFormat": {"exact": "RGB24"}}}"#,
        ),
        (
            "resampled s16 audio",
            r#"{"audio": {"sampleRate": {"exact": 16000}, "sampleFormat": {"exact": "s16"}}}"#,
        ),
        // Last: the controls stay on the device, and the fake camera paints them.
        (
            "video with camera controls",
            r#"{"video": {"width": 320, "height": 240, "brightness": 200, "zoom": 2, "colorTemperature": 3000}}"#,
        ),
    ];
    // A stream that stays open: every case shares its 320x240 / 48 kHz sources, so
    // the converted cases really crop-and-scale and resample.
    let keep = md
        .get_user_media_json(
            r#"{"video": {"width": 320, "height": 240}, "audio": {"sampleRate": 48000}}"#,
        )
        .expect("open");
    let mut report = Vec::new();
    for (name, constraints) in cases {
        report.push((name, allocations_in_steady_state(&md, constraints)));
    }
    keep.stop();
    // Zero per frame. A pool may still grow by a buffer or two when the scheduler
    // lets the producer run further ahead than it ever did before (one buffer is 2
    // allocations: the Arc and its bytes); an allocation per frame would show >= 500.
    assert!(
        report.iter().all(|(_, n)| *n <= POOL_GROWTH_ALLOWANCE),
        "heap allocations in 500 rounds: {report:?}"
    );
}
