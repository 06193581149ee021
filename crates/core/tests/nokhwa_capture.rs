//! Cameras through nokhwa's real Linux path (the `v4l` crate's ioctls, mmap'd
//! buffers, poll), on a V4L2 camera made in user space (`v4l2_support`): the
//! camera listed as it is, its pictures arriving pixel for pixel in I420 and
//! RGB24 and untouched in MJPEG, at the rate asked for, per track sizes, the
//! camera closed exactly when its last track stops, and unplugging.
#![cfg(all(feature = "nokhwa", target_os = "linux"))]

mod common;
mod v4l2_support;

use std::time::Duration;

use common::Counter;
use lms_core::backend::nokhwa::usage_of;
use lms_core::{PixelFormat, ReadyState, TrackEvent};
use v4l2_support::*;

#[test]
fn the_camera_is_listed_with_a_stable_id_its_label_group_facing_and_modes() {
    if !in_standin("the_camera_is_listed_with_a_stable_id_its_label_group_facing_and_modes") {
        return;
    }
    let md = media_devices();
    let devices = md.enumerate_devices().expect("devices");
    assert_eq!(devices.len(), 1, "{devices:?}");
    let camera = &devices[0];
    assert_eq!(
        camera.device_id, DEVICE_ID,
        "the id is the bus, not an index"
    );
    assert_eq!(camera.label, LABEL);
    assert_eq!(camera.group_id, GROUP_ID);
    assert_eq!(camera.kind.device_kind(), "videoinput");
    let caps = md.device_capabilities(DEVICE_ID).expect("capabilities");
    assert_eq!(caps["width"]["max"], 640, "{caps}");
    assert_eq!(caps["height"]["max"], 480, "{caps}");
    assert_eq!(caps["frameRate"]["max"], 30.0, "{caps}");
    assert_eq!(caps["facingMode"], serde_json::json!(["user"]), "{caps}");
    let formats = caps["pixelFormat"].as_array().expect("formats");
    assert!(formats.contains(&"MJPEG".into()), "{caps}");
    assert!(formats.contains(&"I420".into()), "{caps}");
    let seen = usage();
    assert_eq!(seen.open_now, 0, "listing leaves no descriptor open");
    assert_eq!(seen.streamons, 0, "listing does not stream");
}

#[test]
fn pictures_arrive_in_i420_pixel_for_pixel_with_their_counters_in_order() {
    if !in_standin("pictures_arrive_in_i420_pixel_for_pixel_with_their_counters_in_order") {
        return;
    }
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    let settings = track.settings_json();
    assert_eq!(settings["deviceId"], DEVICE_ID, "{settings}");
    assert_eq!(settings["pixelFormat"], "I420", "{settings}");
    assert_eq!(
        (settings["width"].as_u64(), settings["height"].as_u64()),
        (Some(640), Some(480))
    );
    assert_eq!(settings["frameRate"], 30.0, "{settings}");
    let (mut counters, mut sequences) = (Vec::new(), Vec::new());
    for _ in 0..20 {
        let frame = track.read(TIMEOUT).expect("a frame");
        let picture = frame.video().expect("video");
        assert!(picture.is(PixelFormat::I420, 640, 480));
        let k = counter(picture);
        // YUYV from the painted I420 and back: luma exact, chroma as painted.
        let want = reference(640, 480, k);
        for plane in 0..3 {
            let diff = max_difference(picture.plane(plane), want.plane(plane));
            assert!(diff <= 1, "plane {plane} of picture {k} differs by {diff}");
        }
        counters.push(k);
        sequences.push(frame.sequence());
    }
    assert_in_order(&counters);
    assert!(sequences.windows(2).all(|w| w[1] > w[0]), "{sequences:?}");
    assert_eq!(usage_of(DEVICE_ID).map(|u| u.is_open()), Some(true));
}

#[test]
fn padded_camera_rows_arrive_tight() {
    if !in_standin("padded_camera_rows_arrive_tight") {
        return;
    }
    // 320x240 YUYV is served with 64 bytes of padding after each row.
    let md = media_devices();
    let stream = md
        .get_user_media_json(
            r#"{"video": {"width": {"exact": 320}, "height": {"exact": 240}, "resizeMode": "none"}}"#,
        )
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    for _ in 0..5 {
        let frame = track.read(TIMEOUT).expect("a frame");
        let picture = frame.video().expect("video");
        let want = reference(320, 240, counter(picture));
        assert!(max_difference(picture.plane(0), want.plane(0)) <= 1);
    }
}

#[test]
fn pictures_arrive_in_rgb24() {
    if !in_standin("pictures_arrive_in_rgb24") {
        return;
    }
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": {"pixelFormat": {"exact": "RGB24"}}}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    assert_eq!(track.settings_json()["pixelFormat"], "RGB24");
    let mut counters = Vec::new();
    for _ in 0..10 {
        let frame = track.read(TIMEOUT).expect("a frame");
        let picture = frame.video().expect("video");
        assert!(picture.is(PixelFormat::Rgb24, 640, 480));
        let k = counter(picture);
        let want = converted(&reference(640, 480, k), PixelFormat::Rgb24);
        let diff = max_difference(picture.plane(0), want.plane(0));
        assert!(diff <= 3, "RGB of picture {k} differs by {diff}");
        counters.push(k);
    }
    assert_in_order(&counters);
}

#[test]
fn mjpeg_passes_through_untouched_and_decodes_once_for_raw_tracks() {
    if !in_standin("mjpeg_passes_through_untouched_and_decodes_once_for_raw_tracks") {
        return;
    }
    let jpegs: Vec<Vec<u8>> = (0..PICTURES).map(|k| jpeg(640, 480, k)).collect();
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": {"pixelFormat": {"exact": "MJPEG"}}}"#)
        .expect("the camera as MJPEG");
    let jpeg_track = stream.get_video_tracks().remove(0);
    assert_eq!(jpeg_track.settings_json()["pixelFormat"], "MJPEG");
    // A second track on the same camera, wanting I420: the same JPEGs decoded.
    let raw = md
        .get_user_media_json(&format!(
            r#"{{"video": {{"deviceId": {{"exact": "{DEVICE_ID}"}}}}}}"#
        ))
        .expect("a raw track on the MJPEG camera");
    let raw_track = raw.get_video_tracks().remove(0);
    assert_eq!(raw_track.settings_json()["pixelFormat"], "I420");
    assert_eq!(
        usage_of(DEVICE_ID).map(|u| u.opens),
        Some(1),
        "one camera for both"
    );
    let mut counters = Vec::new();
    for _ in 0..10 {
        let frame = jpeg_track.read(TIMEOUT).expect("a JPEG");
        let bytes = frame.video().expect("video").plane(0);
        let k = jpegs
            .iter()
            .position(|j| j[..] == *bytes)
            .unwrap_or_else(|| {
                panic!("a JPEG of {} bytes that the camera never sent", bytes.len())
            });
        counters.push(k as u64);
    }
    assert_in_order(&counters);
    for _ in 0..5 {
        let frame = raw_track.read(TIMEOUT).expect("a decoded frame");
        let picture = frame.video().expect("video");
        assert!(picture.is(PixelFormat::I420, 640, 480));
        let want = reference(640, 480, counter(picture));
        let diff = mean_difference(picture.plane(0), want.plane(0));
        assert!(diff < 2.0, "decoded luma differs by {diff} on average");
    }
}

/// The sequence numbers and timestamps of `count` frames of `track`.
fn read_frames(track: &lms_core::MediaStreamTrack, count: usize) -> Vec<(u64, i64)> {
    (0..count)
        .map(|_| {
            let frame = track.read(TIMEOUT).expect("a frame");
            (frame.sequence(), frame.timestamp_us())
        })
        .collect()
}

/// Frames per second over `frames`' timestamps: a figure to print, not to
/// assert (a busy machine delivers fewer, as a busy camera would).
fn timestamp_rate(frames: &[(u64, i64)]) -> f64 {
    let span = (frames[frames.len() - 1].1 - frames[0].1) as f64 / 1e6;
    (frames.len() - 1) as f64 / span
}

#[test]
fn the_frame_rate_asked_for_is_the_rate_delivered() {
    if !in_standin("the_frame_rate_asked_for_is_the_rate_delivered") {
        return;
    }
    let md = media_devices();
    // 15 fps is a mode of the camera: it runs at 15 and the track gets every frame.
    let stream = md
        .get_user_media_json(r#"{"video": {"frameRate": {"exact": 15}}}"#)
        .expect("the camera at 15 fps");
    let track = stream.get_video_tracks().remove(0);
    assert_eq!(track.settings_json()["frameRate"], 15.0);
    assert_eq!(usage().frame_rate, 15, "the camera is set to 15 fps");
    let frames = read_frames(&track, 30);
    assert!(
        frames.windows(2).all(|w| w[1].0 == w[0].0 + 1),
        "every frame of the 15 fps camera: {frames:?}"
    );
    println!(
        "15 fps asked: {:.2} fps by the timestamps",
        timestamp_rate(&frames)
    );
    stream.stop();
    // 10 fps is not: the camera runs faster and the track keeps 10 of each
    // second's frames (every third or so).
    let stream = md
        .get_user_media_json(r#"{"video": {"frameRate": {"exact": 10}}}"#)
        .expect("the camera at 10 fps");
    let track = stream.get_video_tracks().remove(0);
    assert_eq!(track.settings_json()["frameRate"], 10.0);
    let native = usage().frame_rate;
    assert!(native > 10, "the camera runs faster than 10 fps: {native}");
    let frames = read_frames(&track, 20);
    let camera_frames = (frames[frames.len() - 1].0 - frames[0].0) as f64;
    let kept = (frames.len() - 1) as f64;
    assert!(
        (kept - camera_frames * 10.0 / native as f64).abs() <= 1.0,
        "10 fps asked of a {native} fps camera: {kept} frames kept of {camera_frames}: {frames:?}"
    );
    println!(
        "10 fps asked: {:.2} fps by the timestamps",
        timestamp_rate(&frames)
    );
}

#[test]
fn two_tracks_on_one_camera_get_their_own_sizes() {
    if !in_standin("two_tracks_on_one_camera_get_their_own_sizes") {
        return;
    }
    let md = media_devices();
    let big = md
        .get_user_media_json(r#"{"video": {"width": 640, "height": 480}}"#)
        .expect("640x480");
    let small = md
        .get_user_media_json(&format!(
            r#"{{"video": {{"deviceId": "{DEVICE_ID}", "width": {{"exact": 320}}, "height": {{"exact": 180}}}}}}"#
        ))
        .expect("320x180");
    let (big, small) = (
        big.get_video_tracks().remove(0),
        small.get_video_tracks().remove(0),
    );
    assert_eq!(usage().streamons, 1, "one camera stream for both tracks");
    let b = big.read(TIMEOUT).expect("a big frame");
    let s = small.read(TIMEOUT).expect("a small frame");
    assert!(b.video().unwrap().is(PixelFormat::I420, 640, 480));
    assert!(s.video().unwrap().is(PixelFormat::I420, 320, 180));
    // Cropped and scaled, the picture still carries its counter.
    counter(s.video().unwrap());
    counter(b.video().unwrap());
}

#[test]
fn the_camera_is_closed_exactly_when_its_last_track_stops() {
    if !in_standin("the_camera_is_closed_exactly_when_its_last_track_stops") {
        return;
    }
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let first = stream.get_video_tracks().remove(0);
    let second = first.clone_track();
    first.read(TIMEOUT).expect("a frame");
    first.stop();
    let now = usage();
    assert!(
        now.open_now >= 1 && now.streaming(),
        "still open for the clone: {now:?}"
    );
    second.read(TIMEOUT).expect("the clone still gets frames");
    second.stop();
    let now = usage();
    assert_eq!(now.open_now, 0, "closed when stop() returned: {now:?}");
    assert!(!now.streaming(), "{now:?}");
    let ours = usage_of(DEVICE_ID).expect("counted");
    assert_eq!((ours.opens, ours.closes), (1, 1));

    // Dropping the last handle releases it too.
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera again");
    stream.get_video_tracks()[0].read(TIMEOUT).expect("a frame");
    assert_eq!(usage().open_now, 1);
    drop(stream);
    assert_eq!(usage().open_now, 0, "closed when the last handle went");
    assert_eq!(
        usage_of(DEVICE_ID).map(|u| (u.opens, u.closes)),
        Some((2, 2))
    );
}

#[test]
fn an_unplugged_camera_ends_its_tracks_once_and_plugging_it_in_is_a_devicechange() {
    if !in_standin("an_unplugged_camera_ends_its_tracks_once_and_plugging_it_in_is_a_devicechange")
    {
        return;
    }
    let md = media_devices();
    let changes = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&changes);
    md.add_device_change_listener(move |_| {
        seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    });
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    let clone = track.clone_track();
    let (ended, clone_ended) = (
        Counter::on(&track, TrackEvent::Ended),
        Counter::on(&clone, TrackEvent::Ended),
    );
    track.read(TIMEOUT).expect("a frame");
    control("vanish");
    assert!(
        within(WAIT, || {
            track.ready_state() == ReadyState::Ended && clone.ready_state() == ReadyState::Ended
        }),
        "the tracks end when the camera goes"
    );
    assert!(
        within(WAIT, || ended.settled() >= 1 && clone_ended.settled() >= 1),
        "ended fires on each track"
    );
    std::thread::sleep(Duration::from_millis(200)); // time for a wrong second one
    assert_eq!(
        (ended.settled(), clone_ended.settled()),
        (1, 1),
        "ended once each"
    );
    assert!(
        within(WAIT, || usage().open_now == 0),
        "the camera is released: {:?}",
        usage()
    );
    let gone = std::sync::atomic::Ordering::SeqCst;
    assert!(
        within(WAIT, || changes.load(gone) >= 1),
        "devicechange when it goes"
    );
    assert!(md.enumerate_devices().expect("devices").is_empty());
    let err = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect_err("no camera");
    assert_eq!(err.name(), "NotFoundError", "{err}");

    control("return");
    assert!(
        within(WAIT, || changes.load(gone) >= 2),
        "devicechange when it is back"
    );
    let devices = md.enumerate_devices().expect("devices");
    assert_eq!(devices.len(), 1);
    assert_eq!(
        devices[0].device_id, DEVICE_ID,
        "the same id after replugging"
    );
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera again");
    stream.get_video_tracks()[0]
        .read(TIMEOUT)
        .expect("frames again");
}
