//! Cameras that misbehave, through nokhwa's real Linux path on the user-space
//! V4L2 camera (`v4l2_support`): busy or failing to start is a
//! `NotReadableError` naming the camera, never a panic; a camera that fails
//! while capturing, or even refuses to stop, ends its tracks once without
//! taking the process down; one that stops sending (or never starts) is
//! closed at once, never hanging the caller.
#![cfg(all(feature = "nokhwa", target_os = "linux"))]

mod common;
mod v4l2_support;

use std::time::{Duration, Instant};

use common::Counter;
use lms_core::{ReadyState, TrackEvent};
use v4l2_support::*;

fn assert_not_readable(result: lms_core::Result<lms_core::MediaStream>, needle: &str) {
    let err = match result {
        Ok(_) => panic!("the camera opened; expected NotReadableError ({needle})"),
        Err(e) => e,
    };
    assert_eq!(err.name(), "NotReadableError", "{err}");
    let message = err.message();
    assert!(message.contains(needle), "{message}");
    assert!(
        message.contains(LABEL) && message.contains("/dev/video0"),
        "names the camera: {message}"
    );
}

#[test]
fn a_busy_camera_is_not_readable_and_is_left_closed() {
    if !in_standin("a_busy_camera_is_not_readable_and_is_left_closed") {
        return;
    }
    let md = media_devices();
    control("busy");
    assert_not_readable(md.get_user_media_json(r#"{"video": true}"#), "is busy");
    assert_eq!(usage().open_now, 0, "{:?}", usage());
    control("ok");
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("free again");
    stream.get_video_tracks()[0].read(TIMEOUT).expect("a frame");
}

#[test]
fn a_camera_that_fails_to_start_is_not_readable_and_is_left_closed() {
    if !in_standin("a_camera_that_fails_to_start_is_not_readable_and_is_left_closed") {
        return;
    }
    let md = media_devices();
    control("broken");
    assert_not_readable(
        md.get_user_media_json(r#"{"video": true}"#),
        "failed to start",
    );
    assert_eq!(usage().open_now, 0, "{:?}", usage());
}

#[test]
fn a_camera_that_never_sends_a_frame_is_not_readable_in_bounded_time() {
    if !in_standin("a_camera_that_never_sends_a_frame_is_not_readable_in_bounded_time") {
        return;
    }
    let md = media_devices();
    control("stall");
    let start = Instant::now();
    assert_not_readable(
        md.get_user_media_json(r#"{"video": true}"#),
        "sent no frame",
    );
    let waited = start.elapsed();
    let limit = lms_core::backend::nokhwa::FIRST_FRAME_TIMEOUT;
    // It waits FIRST_FRAME_TIMEOUT for a first frame, then gives up: never
    // sooner, and never a hang (the generous margin is for a busy machine).
    assert!(
        waited >= limit && waited < limit + Duration::from_secs(25),
        "gave up after {waited:?}"
    );
    assert_eq!(usage().open_now, 0, "{:?}", usage());
}

#[test]
fn a_camera_that_stops_sending_is_still_closed_at_once() {
    if !in_standin("a_camera_that_stops_sending_is_still_closed_at_once") {
        return;
    }
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    track.read(TIMEOUT).expect("a frame");
    control("stall");
    // Likely (not necessarily) blocked in poll() by now; either way stop() must
    // wake it rather than wait for a frame that never comes.
    std::thread::sleep(Duration::from_millis(300));
    let start = Instant::now();
    track.stop();
    println!("stop() of a stalled camera took {:?}", start.elapsed());
    // Closed when stop() returned: had stop() not woken the capture thread, it
    // would have given up waiting for it and returned with the camera still
    // open (the thread still blocked in poll()).
    assert_eq!(usage().open_now, 0, "{:?}", usage());
}

#[test]
fn a_capture_error_ends_the_tracks_once_and_releases_the_camera() {
    if !in_standin("a_capture_error_ends_the_tracks_once_and_releases_the_camera") {
        return;
    }
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    let ended = Counter::on(&track, TrackEvent::Ended);
    track.read(TIMEOUT).expect("a frame");
    control("error");
    assert!(within(WAIT, || track.ready_state() == ReadyState::Ended));
    assert!(within(WAIT, || ended.settled() >= 1), "ended fires");
    std::thread::sleep(Duration::from_millis(200)); // time for a wrong second one
    assert_eq!(ended.settled(), 1, "ended once");
    assert!(within(WAIT, || usage().open_now == 0), "{:?}", usage());
}

#[test]
fn a_camera_that_refuses_to_stop_ends_its_tracks_without_taking_the_process_down() {
    if !in_standin("a_camera_that_refuses_to_stop_ends_its_tracks_without_taking_the_process_down")
    {
        return;
    }
    // Every call fails from now on, VIDIOC_STREAMOFF and VIDIOC_REQBUFS too:
    // dropping nokhwa's camera would panic twice in the `v4l` crate (an abort).
    let md = media_devices();
    let stream = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the camera");
    let track = stream.get_video_tracks().remove(0);
    let ended = Counter::on(&track, TrackEvent::Ended);
    track.read(TIMEOUT).expect("a frame");
    control("wedged");
    assert!(within(WAIT, || track.ready_state() == ReadyState::Ended));
    assert!(within(WAIT, || ended.settled() >= 1), "ended fires");
    std::thread::sleep(Duration::from_millis(300)); // time for a wrong second one
    assert_eq!(ended.settled(), 1, "ended once");
    // Left open rather than dropped into an abort: such a camera stays busy.
    assert_eq!(usage().open_now, 1, "{:?}", usage());
    drop(stream);
    drop(md);
    // Still here: the process was not aborted.
}
