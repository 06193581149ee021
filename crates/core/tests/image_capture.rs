//! ImageCapture on the fake camera: photos decode to the asked size with the
//! frame's sequence code readable; grabFrame's RGBA is pixel-exact against
//! the I420 frame of the same sequence; bad settings and ended tracks fail
//! with the specification's errors.

mod common;

use std::time::Duration;

use lms_core::image_capture::{ImageType, PhotoSettings};
use lms_core::video::{decode_sequence, Converter};
use lms_core::{Error, ImageCapture, MediaStreamTrack, PixelFormat, VideoBuffer};
use serde_json::json;

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(10));

fn camera(constraints: &str) -> MediaStreamTrack {
    let devices = common::realtime();
    let stream = devices.get_user_media_json(constraints).expect("camera");
    stream.get_video_tracks()[0].clone()
}

/// An RGB24 picture from JPEG bytes.
fn decode_jpeg(bytes: &[u8]) -> VideoBuffer {
    let mut d = zune_jpeg::JpegDecoder::new(zune_jpeg::zune_core::bytestream::ZCursor::new(bytes));
    let pixels = d.decode().expect("a JPEG");
    let info = d.info().expect("JPEG info");
    let (w, h) = (u32::from(info.width), u32::from(info.height));
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, w, h).expect("picture");
    let stride = rgb.stride(0);
    for (y, row) in pixels.chunks(w as usize * 3).enumerate() {
        rgb.plane_mut(0)[y * stride..y * stride + row.len()].copy_from_slice(row);
    }
    rgb
}

fn sequence_in(rgb: &VideoBuffer) -> Option<u64> {
    let mut i420 = VideoBuffer::new(PixelFormat::I420, rgb.width(), rgb.height()).unwrap();
    Converter::new().convert(rgb, &mut i420).unwrap();
    decode_sequence(&i420)
}

#[test]
fn a_photo_is_a_jpeg_of_the_camera_size_with_its_sequence_readable() {
    let track = camera(r#"{"video": {"width": 640, "height": 480}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let photo = capture
        .take_photo(&PhotoSettings::default(), TIMEOUT)
        .unwrap();
    assert_eq!(photo.image_type, ImageType::Jpeg);
    assert_eq!(&photo.data[..3], &[0xFF, 0xD8, 0xFF], "JPEG magic");
    let rgb = decode_jpeg(&photo.data);
    assert_eq!((rgb.width(), rgb.height()), (640, 480));
    assert_eq!(sequence_in(&rgb), Some(photo.sequence));
    // The track's own consumer lost nothing to the photo.
    assert!(track.read(TIMEOUT).is_ok());
}

#[test]
fn a_photo_takes_the_asked_size_and_one_side_keeps_the_aspect_ratio() {
    let track = camera(r#"{"video": {"width": 640, "height": 480}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let both = PhotoSettings::from_value(&json!({"imageWidth": 320, "imageHeight": 200})).unwrap();
    let photo = capture.take_photo(&both, TIMEOUT).unwrap();
    let rgb = decode_jpeg(&photo.data);
    assert_eq!(
        (rgb.width(), rgb.height(), photo.width, photo.height),
        (320, 200, 320, 200)
    );
    let one = PhotoSettings::from_value(&json!({"imageWidth": 320})).unwrap();
    let photo = capture.take_photo(&one, TIMEOUT).unwrap();
    assert_eq!((photo.width, photo.height), (320, 240));
    assert_eq!(sequence_in(&decode_jpeg(&photo.data)), Some(photo.sequence));
}

#[test]
fn a_png_photo_is_lossless() {
    let track = camera(r#"{"video": {"width": 320, "height": 240}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let settings = PhotoSettings::from_value(&json!({"imageType": "image/png"})).unwrap();
    let photo = capture.take_photo(&settings, TIMEOUT).unwrap();
    assert_eq!(photo.image_type, ImageType::Png);
    let decoder = png::Decoder::new(std::io::Cursor::new(&photo.data));
    let mut reader = decoder.read_info().expect("a PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("PNG pixels");
    assert_eq!((info.width, info.height), (320, 240));
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, 320, 240).unwrap();
    let stride = rgb.stride(0);
    for (y, row) in pixels.chunks(320 * 3).take(240).enumerate() {
        rgb.plane_mut(0)[y * stride..y * stride + row.len()].copy_from_slice(row);
    }
    assert_eq!(sequence_in(&rgb), Some(photo.sequence));
}

#[test]
fn grab_frame_is_rgba_pixel_exact_against_the_i420_frame_of_the_same_sequence() {
    let track = camera(r#"{"video": {"width": 320, "height": 240, "pixelFormat": "I420"}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let grabbed = capture.grab_frame(TIMEOUT).unwrap();
    let rgba = grabbed.video().unwrap();
    assert_eq!(
        (rgba.format(), rgba.width(), rgba.height()),
        (PixelFormat::Rgba, 320, 240)
    );
    // The track got the same frame: find it in its queue and convert it ourselves.
    let twin = loop {
        let f = track.read(TIMEOUT).expect("the track's frames");
        assert!(
            f.sequence() <= grabbed.sequence(),
            "the grabbed frame never reached the track"
        );
        if f.sequence() == grabbed.sequence() {
            break f;
        }
    };
    let mut expected = VideoBuffer::new(PixelFormat::Rgba, 320, 240).unwrap();
    Converter::new()
        .convert(twin.video().unwrap(), &mut expected)
        .unwrap();
    let row = 320 * 4;
    for y in 0..240 {
        let a = &rgba.plane(0)[y * rgba.stride(0)..][..row];
        let b = &expected.plane(0)[y * expected.stride(0)..][..row];
        assert!(a == b, "row {y} differs");
    }
}

#[test]
fn photo_capabilities_and_settings_follow_the_camera() {
    let track = camera(r#"{"video": {"width": 640, "height": 360}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let caps = capture.photo_capabilities().unwrap();
    assert_eq!(
        caps["imageWidth"]["max"],
        json!(track.native_mode().map(|m| match m {
            lms_core::settings::NativeMode::Video { width, .. } => width,
            _ => 0,
        }))
    );
    assert_eq!(caps["redEyeReduction"], json!("never"));
    assert_eq!(caps["fillLightMode"], json!(["off"]));
    let settings = capture.photo_settings().unwrap();
    assert_eq!(settings["imageWidth"], caps["imageWidth"]["max"]);
    assert_eq!(settings["redEyeReduction"], json!(false));
}

#[test]
fn bad_photo_settings_name_what_was_wrong() {
    let track = camera(r#"{"video": {"width": 640, "height": 480}}"#);
    let capture = ImageCapture::new(&track).unwrap();
    let too_wide = PhotoSettings::from_value(&json!({"imageWidth": 100000})).unwrap();
    match capture.take_photo(&too_wide, TIMEOUT) {
        Err(Error::Overconstrained { constraint, .. }) => assert_eq!(constraint, "imageWidth"),
        other => panic!("expected OverconstrainedError, got {other:?}"),
    }
    let flash = PhotoSettings::from_value(&json!({"fillLightMode": "flash"})).unwrap();
    assert!(matches!(
        capture.take_photo(&flash, TIMEOUT),
        Err(Error::Overconstrained { constraint, .. }) if constraint == "fillLightMode"
    ));
    for bad in [
        json!({"imageType": "image/gif"}),
        json!({"imageWidth": "wide"}),
        json!({"imageWidth": -1}),
        json!("big"),
    ] {
        let err = PhotoSettings::from_value(&bad).unwrap_err();
        assert_eq!(err.name(), "TypeError", "{bad}: {err}");
    }
}

#[test]
fn every_call_on_an_ended_track_is_invalid_state() {
    let track = camera(r#"{"video": true}"#);
    let capture = ImageCapture::new(&track).unwrap();
    track.stop();
    let names = [
        capture.photo_capabilities().map(|_| ()).unwrap_err().name(),
        capture.photo_settings().map(|_| ()).unwrap_err().name(),
        capture
            .take_photo(&PhotoSettings::default(), TIMEOUT)
            .map(|_| ())
            .unwrap_err()
            .name(),
        capture.grab_frame(TIMEOUT).map(|_| ()).unwrap_err().name(),
    ];
    assert_eq!(names, ["InvalidStateError"; 4]);
}

#[test]
fn an_audio_track_cannot_take_photos() {
    let devices = common::realtime();
    let stream = devices.get_user_media_json(r#"{"audio": true}"#).unwrap();
    let err = ImageCapture::new(&stream.get_audio_tracks()[0]).unwrap_err();
    assert_eq!(err.name(), "TypeError");
}

#[test]
fn stopping_the_track_ends_a_photo_that_waits_for_a_frame() {
    let devices = common::realtime();
    let stream = devices
        .get_user_media_json(r#"{"video": true}"#)
        .expect("camera");
    let track = stream.get_video_tracks()[0].clone();
    // A muted camera sends nothing: the photo waits.
    devices
        .fake_device_control(&track.device().device_id, "mute")
        .unwrap();
    let capture = ImageCapture::new(&track).unwrap();
    let waiting = std::thread::spawn(move || {
        capture
            .take_photo(&PhotoSettings::default(), Some(Duration::from_secs(30)))
            .map(|_| ())
    });
    std::thread::sleep(Duration::from_millis(200));
    let started = std::time::Instant::now();
    track.stop();
    let err = waiting.join().unwrap().unwrap_err();
    assert_eq!(err.name(), "InvalidStateError", "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the photo waited on"
    );
}
