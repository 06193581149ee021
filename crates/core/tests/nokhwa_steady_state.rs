//! Capturing from a camera allocates nothing in steady state: each frame is
//! copied into a buffer of a pool filled when the camera opened and converted
//! into pooled pictures, and the hotplug watcher's look at /dev once a second
//! reuses its lists. (Its own test binary: the counting allocator sees every
//! thread of the process.)
#![cfg(all(feature = "nokhwa", target_os = "linux"))]

mod alloc_counter;
mod v4l2_support;

use alloc_counter::{fewest_allocations, Counting};
use v4l2_support::*;

#[global_allocator]
static GLOBAL: Counting = Counting;

const FRAMES: usize = 90;

#[test]
fn capturing_from_a_camera_allocates_nothing_in_steady_state() {
    if !in_standin("capturing_from_a_camera_allocates_nothing_in_steady_state") {
        return;
    }
    // Short queues: a reader that falls behind loses frames rather than
    // making the conversion pools grow while allocations are counted.
    let md = lms_core::MediaDevices::from_json(r#"{"backends": ["nokhwa"], "queueSize": 2}"#)
        .expect("configuration");
    // YUYV from the camera: one I420 track at its size, one scaled.
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let small = md
        .get_user_media_json(&format!(
            r#"{{"video": {{"deviceId": "{DEVICE_ID}", "width": {{"exact": 320}}, "height": {{"exact": 240}}}}}}"#
        ))
        .expect("a scaled track");
    let tracks = [
        stream.get_video_tracks().remove(0),
        small.get_video_tracks().remove(0),
    ];
    let read_all = || {
        for track in &tracks {
            let frame = track.read(TIMEOUT).expect("a frame");
            std::hint::black_box(frame.plane(0).map(|p| p[0]));
        }
    };
    for _ in 0..60 {
        read_all();
    }
    // The fewest of up to 3 windows: a pool may grow late, once (see fewest_allocations).
    let allocated = fewest_allocations(3, || {
        for _ in 0..FRAMES {
            read_all();
        }
    });
    println!("{allocated} allocations in {FRAMES} frames of two tracks");
    // Zero per frame; a conversion pool may still grow by a buffer or two
    // (2 allocations each) if the camera runs further ahead than in warm-up.
    assert!(
        allocated <= 8,
        "{allocated} allocations in {FRAMES} frames of two tracks"
    );
}
