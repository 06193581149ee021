//! Track generators (`VideoTrackGenerator`): a track fed by the program,
//! cloned, constrained and read back; settings that follow the frames
//! written; mute, close and the end of the last track.

mod common;

use lms_core::video::decode_sequence;
use lms_core::{Error, PixelFormat, TrackEvent, TrackGenerator, VideoBuffer};
use serde_json::json;

use common::{Counter, SECOND};

/// A picture whose bytes are a function of (plane, x, y, n).
fn picture(format: PixelFormat, width: u32, height: u32, n: u8) -> VideoBuffer {
    let mut p = VideoBuffer::new(format, width, height).unwrap();
    for i in 0..p.plane_count() {
        let stride = p.stride(i);
        for (k, b) in p.plane_mut(i).iter_mut().enumerate() {
            *b = ((k % stride) as u8) ^ ((k / stride) as u8).wrapping_mul(3) ^ n ^ (i as u8 * 85);
        }
    }
    p
}

fn planes(p: &VideoBuffer) -> (Vec<&[u8]>, Vec<usize>) {
    let n = p.plane_count();
    (
        (0..n).map(|i| p.plane(i)).collect(),
        (0..n).map(|i| p.stride(i)).collect(),
    )
}

fn settings(track: &lms_core::MediaStreamTrack) -> (u64, u64, String, String) {
    let s = track.settings_json();
    (
        s["width"].as_u64().unwrap(),
        s["height"].as_u64().unwrap(),
        s["pixelFormat"].as_str().unwrap().to_string(),
        s["resizeMode"].as_str().unwrap().to_string(),
    )
}

#[test]
fn frames_written_reach_the_track_and_its_clone_byte_exact() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    assert!(
        track.same_track(&g.track()),
        "track() is the same track each time"
    );
    assert_eq!(track.kind(), lms_core::MediaKind::Video);
    let clone = track.clone_track();
    for n in 0..5u8 {
        // Rows wider than the picture: the generator packs them.
        let p = picture(PixelFormat::I420, 64, 48, n);
        let padded: Vec<Vec<u8>> = (0..3)
            .map(|i| {
                let (stride, rows) = (p.stride(i), p.plane(i).len() / p.stride(i));
                let mut out = vec![0xEE; (stride + 7) * rows];
                for y in 0..rows {
                    out[y * (stride + 7)..y * (stride + 7) + stride]
                        .copy_from_slice(&p.plane(i)[y * stride..(y + 1) * stride]);
                }
                out
            })
            .collect();
        let refs: Vec<&[u8]> = padded.iter().map(|v| v.as_slice()).collect();
        let strides: Vec<usize> = (0..3).map(|i| p.stride(i) + 7).collect();
        g.write_video(
            PixelFormat::I420,
            64,
            48,
            1000 * i64::from(n),
            &refs,
            &strides,
        )
        .unwrap();
        for t in [&track, &clone] {
            let f = t.read(SECOND).unwrap();
            assert_eq!(f.sequence(), u64::from(n));
            assert_eq!(
                f.timestamp_us(),
                1000 * i64::from(n),
                "the written timestamp is kept"
            );
            let v = f.video().unwrap();
            assert!(v.is(PixelFormat::I420, 64, 48));
            for i in 0..3 {
                assert_eq!(v.plane(i), p.plane(i), "frame {n} plane {i}");
            }
        }
    }
    assert_eq!(settings(&track), (64, 48, "I420".into(), "none".into()));
}

#[test]
fn an_unconstrained_track_gets_the_frames_own_pixel_format() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    let i420 = track.clone_track();
    i420.apply_constraints(&json!({"pixelFormat": "I420"}))
        .unwrap();
    for format in [PixelFormat::Rgba, PixelFormat::Nv12, PixelFormat::Yuy2] {
        let p = picture(format, 32, 16, 9);
        let (pl, st) = planes(&p);
        g.write_video(format, 32, 16, 0, &pl, &st).unwrap();
        assert_eq!(settings(&track).2, format.name());
        let f = track.read(SECOND).unwrap();
        assert!(f.video().unwrap().is(format, 32, 16));
        assert_eq!(
            f.video().unwrap().bytes(),
            p.bytes(),
            "passed on as written"
        );
        assert_eq!(settings(&i420).2, "I420");
        assert!(i420
            .read(SECOND)
            .unwrap()
            .video()
            .unwrap()
            .is(PixelFormat::I420, 32, 16));
    }
}

#[test]
fn frames_of_a_camera_pass_through_without_a_copy_and_keep_their_sequence_code() {
    let devices = common::unpaced();
    let camera = devices
        .get_user_media_json(r#"{"video": {"width": 320, "height": 240}}"#)
        .unwrap()
        .get_video_tracks()[0]
        .clone();
    let g = TrackGenerator::video(8).unwrap();
    let out = g.track();
    for _ in 0..4 {
        let f = camera.read(SECOND).unwrap();
        let code = decode_sequence(f.video().unwrap());
        g.write(f.clone()).unwrap();
        let back = out.read(SECOND).unwrap();
        assert!(back.shares_buffer_with(&f), "no copy");
        assert_eq!(decode_sequence(back.video().unwrap()), code);
    }
    camera.stop();
}

#[test]
fn settings_follow_the_frames_and_constraints_choose_again_when_they_change_size() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    let small = track.clone_track();
    small
        .apply_constraints(&json!({"width": {"max": 160}, "pixelFormat": "RGBA"}))
        .unwrap();
    let big = track.clone_track();
    big.apply_constraints(&json!({"width": {"min": 1000}}))
        .unwrap();

    let write = |w: u32, h: u32, n: u8| {
        let p = picture(PixelFormat::I420, w, h, n);
        let (pl, st) = planes(&p);
        g.write_video(PixelFormat::I420, w, h, 0, &pl, &st).unwrap();
    };
    write(320, 240, 0);
    assert_eq!(settings(&track), (320, 240, "I420".into(), "none".into()));
    assert_eq!(
        settings(&small),
        (160, 120, "RGBA".into(), "crop-and-scale".into())
    );
    // Asks for more than the frames hold: the frames as they are.
    assert_eq!(settings(&big), (320, 240, "I420".into(), "none".into()));
    let f = small.read(SECOND).unwrap();
    assert!(f.video().unwrap().is(PixelFormat::Rgba, 160, 120));

    write(1280, 720, 1);
    assert_eq!(settings(&track), (1280, 720, "I420".into(), "none".into()));
    assert_eq!(
        settings(&small),
        (160, 90, "RGBA".into(), "crop-and-scale".into())
    );
    assert_eq!(settings(&big), (1280, 720, "I420".into(), "none".into()));
    let f = small.read(SECOND).unwrap();
    assert!(f.video().unwrap().is(PixelFormat::Rgba, 160, 90));
    let f = big.read(SECOND).unwrap();
    assert!(f.video().unwrap().is(PixelFormat::I420, 320, 240));
    let f = big.read(SECOND).unwrap();
    assert!(f.video().unwrap().is(PixelFormat::I420, 1280, 720));
    assert!(f.video().unwrap().plane(0) == picture(PixelFormat::I420, 1280, 720, 1).plane(0));
    assert_eq!(track.get_constraints(), json!({}));
    assert_eq!(small.get_constraints()["pixelFormat"], json!("RGBA"));
}

#[test]
fn constraints_no_frame_could_meet_are_overconstrained_and_change_nothing() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    for (c, name) in [
        (json!({"width": {"min": 20000}}), "width"),
        (json!({"frameRate": {"exact": 5000}}), "frameRate"),
        (json!({"facingMode": {"exact": "user"}}), "facingMode"),
    ] {
        match track.apply_constraints(&c) {
            Err(Error::Overconstrained { constraint, .. }) => assert_eq!(constraint, name),
            other => panic!("{c}: expected OverconstrainedError, got {other:?}"),
        }
    }
    assert_eq!(track.get_constraints(), json!({}));
    let caps = track.get_capabilities();
    assert_eq!(caps["width"]["max"], json!(16384));
    assert_eq!(caps["resizeMode"], json!(["none", "crop-and-scale"]));
    assert!(caps.get("facingMode").is_some_and(|f| f == &json!([])));
}

#[test]
fn muting_drops_frames_and_fires_mute_on_every_track() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    let clone = track.clone_track();
    let (mute, unmute) = (
        Counter::on(&clone, TrackEvent::Mute),
        Counter::on(&clone, TrackEvent::Unmute),
    );
    let p = picture(PixelFormat::Rgba, 8, 8, 0);
    let (pl, st) = planes(&p);
    g.set_muted(true);
    g.set_muted(true);
    assert!(g.muted() && track.muted() && clone.muted());
    g.write_video(PixelFormat::Rgba, 8, 8, 0, &pl, &st).unwrap();
    assert!(
        clone.try_read().is_none(),
        "a muted generator sends nothing"
    );
    g.set_muted(false);
    g.write_video(PixelFormat::Rgba, 8, 8, 5, &pl, &st).unwrap();
    assert_eq!(clone.read(SECOND).unwrap().timestamp_us(), 5);
    assert_eq!((mute.settled(), unmute.settled()), (1, 1));
}

#[test]
fn closing_ends_every_track_and_refuses_writes() {
    let g = TrackGenerator::video(8).unwrap();
    let track = g.track();
    let clone = track.clone_track();
    let ended = Counter::on(&clone, TrackEvent::Ended);
    let p = picture(PixelFormat::Rgba, 8, 8, 0);
    let (pl, st) = planes(&p);
    g.write_video(PixelFormat::Rgba, 8, 8, 0, &pl, &st).unwrap();
    g.close();
    g.close();
    assert!(g.is_closed());
    assert_eq!(clone.ready_state(), lms_core::ReadyState::Ended);
    assert_eq!(ended.settled(), 1);
    assert!(
        clone.read(SECOND).is_ok(),
        "frames queued before close stay readable"
    );
    assert!(matches!(
        g.write_video(PixelFormat::Rgba, 8, 8, 0, &pl, &st),
        Err(Error::InvalidState(_))
    ));
}

#[test]
fn when_the_last_track_stops_the_generator_closes() {
    let g = TrackGenerator::video(8).unwrap();
    let clone = g.track().clone_track();
    g.track().stop();
    assert!(!g.is_closed(), "a clone still reads");
    clone.stop();
    assert!(g.is_closed());
    let p = picture(PixelFormat::Rgba, 8, 8, 0);
    let (pl, st) = planes(&p);
    let e = g
        .write_video(PixelFormat::Rgba, 8, 8, 0, &pl, &st)
        .unwrap_err();
    assert!(matches!(e, Error::InvalidState(_)), "{e:?}");
}

#[test]
fn bad_pictures_are_type_errors_and_audio_frames_are_refused() {
    let g = TrackGenerator::video(8).unwrap();
    let y = vec![0u8; 16];
    let e = g
        .write_video(
            PixelFormat::I420,
            4,
            4,
            0,
            &[&y, &y[..2], &y[..4]],
            &[4, 2, 2],
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::Type(m) if m.contains("plane 1")),
        "{e:?}"
    );
    let devices = common::unpaced();
    let mic = devices
        .get_user_media_json(r#"{"audio": true}"#)
        .unwrap()
        .get_audio_tracks()[0]
        .clone();
    let chunk = mic.read(SECOND).unwrap();
    let e = g.write(chunk).unwrap_err();
    assert!(matches!(&e, Error::Type(m) if m.contains("audio")), "{e:?}");
    assert!(g.track().try_read().is_none());
}
