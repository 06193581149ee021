//! File devices decode every format they accept to the right pixels and samples.

mod file_support;

use file_support::*;
use lms_core::audio::convert::{f32_to_s16, s16_to_f32};
use lms_core::{PixelFormat, Samples};
use serde_json::json;

#[test]
fn every_y4m_colour_space_decodes_to_the_right_i420_pixels() {
    let dir = TempDir::new();
    // Odd sizes make every chroma rounding rule count.
    for (w, h) in [(64, 48), (33, 17)] {
        for tag in [
            "", "420", "420jpeg", "420paldv", "420mpeg2", "422", "444", "mono",
        ] {
            let path = dir.file(&format!("{tag}-{w}x{h}.y4m"), &y4m(w, h, tag, "25:1", 3));
            let md = playing(json!({"video": path_str(&path)}));
            let stream = md.get_user_media_json(r#"{"video": true}"#).expect(tag);
            let track = stream.get_video_tracks().remove(0);
            let settings = track.get_settings();
            let s = settings.video().expect("video settings");
            assert_eq!(
                (s.width, s.height, s.frame_rate),
                (w as u32, h as u32, 25.0),
                "C{tag}"
            );
            for frame in 0..3 {
                let f = track.read(TIMEOUT).expect("frame");
                let v = f.video().expect("a picture");
                assert_eq!(v.format(), PixelFormat::I420);
                let expected = expected_i420(w, h, tag, frame);
                for (plane, want) in expected.iter().enumerate() {
                    assert_eq!(
                        v.plane(plane),
                        want.as_slice(),
                        "C{tag} {w}x{h} frame {frame} plane {plane}"
                    );
                }
                let in_place = matches!(tag, "" | "420" | "420jpeg" | "420paldv" | "420mpeg2");
                assert_eq!(
                    v.is_shared(),
                    in_place,
                    "C{tag}: 4:2:0 frames are views into the file, others are converted"
                );
            }
            stream.stop();
        }
    }
}

#[test]
fn a_y4m_file_plays_scaled_and_converted_like_any_camera() {
    let dir = TempDir::new();
    let path = dir.file("a.y4m", &y4m(64, 48, "420jpeg", "30:1", 4));
    let md = playing(json!({"video": path_str(&path)}));
    let stream = md
        .get_user_media_json(
            r#"{"video": {"width": 32, "height": 24, "pixelFormat": {"exact": "RGB24"}}}"#,
        )
        .expect("scaled RGB track");
    let track = stream.get_video_tracks().remove(0);
    let f = track.read(TIMEOUT).expect("frame");
    let v = f.video().expect("picture");
    assert_eq!(
        (v.format(), v.width(), v.height()),
        (PixelFormat::Rgb24, 32, 24)
    );
    let caps = md
        .device_capabilities("file:video:0")
        .expect("capabilities");
    assert_eq!(caps["width"], json!({"min": 1, "max": 64}));
    assert_eq!(caps["height"], json!({"min": 1, "max": 48}));
    assert_eq!(caps["frameRate"]["max"], json!(30.0));
    let e = md
        .get_user_media_json(r#"{"video": {"width": {"min": 65}}}"#)
        .expect_err("larger than the file");
    assert_eq!(e.constraint(), Some("width"));
    let devices = md.enumerate_devices().expect("devices");
    assert_eq!(devices[0].label, "a.y4m", "the label is the file name");
    assert_eq!(devices[0].device_id, "file:video:0");
}

#[test]
fn mjpeg_passes_through_untouched_or_decodes_to_i420() {
    let dir = TempDir::new();
    let colours = [[200, 30, 30], [30, 200, 30], [30, 30, 200]];
    let jpegs: Vec<Vec<u8>> = colours.iter().map(|&c| jpeg(64, 48, c)).collect();
    let path = dir.file("a.mjpeg", &jpegs.concat());
    let md = playing(json!({"video": path_str(&path), "frameRate": 15}));

    let passthrough = md
        .get_user_media_json(r#"{"video": {"pixelFormat": {"exact": "MJPEG"}}}"#)
        .expect("MJPEG track")
        .get_video_tracks()
        .remove(0);
    let s = passthrough.get_settings();
    let s = s.video().expect("settings");
    assert_eq!(
        (s.width, s.height, s.frame_rate, s.pixel_format),
        (64, 48, 15.0, PixelFormat::Mjpeg)
    );
    for jpeg in jpegs.iter().chain(&jpegs) {
        let f = passthrough.read(TIMEOUT).expect("frame");
        let v = f.video().expect("picture");
        assert_eq!(
            (v.format(), v.width(), v.height()),
            (PixelFormat::Mjpeg, 64, 48)
        );
        assert_eq!(v.plane(0), jpeg.as_slice(), "the JPEG as it is in the file");
        assert!(v.is_shared(), "and not copied");
    }
    passthrough.stop();

    let decoded = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("raw track")
        .get_video_tracks()
        .remove(0);
    for colour in colours {
        let f = decoded.read(TIMEOUT).expect("frame");
        let v = f.video().expect("picture");
        assert_eq!(
            (v.format(), v.width(), v.height()),
            (PixelFormat::I420, 64, 48)
        );
        let mean = v.plane(0).iter().map(|&y| f64::from(y)).sum::<f64>() / (64.0 * 48.0);
        assert!(
            (mean - luma_of(colour)).abs() < 3.0,
            "{colour:?}: luma {mean} vs {}",
            luma_of(colour)
        );
    }
}

#[test]
fn every_wav_format_decodes_to_the_right_samples() {
    let dir = TempDir::new();
    let formats = [
        (hound::SampleFormat::Int, 8, 8_000, 1),
        (hound::SampleFormat::Int, 16, 44_100, 2),
        (hound::SampleFormat::Int, 24, 48_000, 1),
        (hound::SampleFormat::Int, 32, 22_050, 3),
        (hound::SampleFormat::Float, 32, 96_000, 2),
        (hound::SampleFormat::Int, 16, 11_025, 6),
    ];
    for (format, bits, rate, channels) in formats {
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample: bits,
            sample_format: format,
        };
        let frames = 1_000usize;
        let samples: Vec<f64> = (0..frames * usize::from(channels)).map(wave).collect();
        let name = format!("{bits}-{format:?}-{rate}-{channels}.wav");
        let path = dir.file(&name, b"");
        let expected = write_wav(&path, spec, &samples);
        let md = playing(json!({"audio": format!("{}%noloop", path_str(&path))}));
        let caps = md.device_capabilities("file:audio:0").expect("caps");
        assert_eq!(caps["deviceId"], json!("file:audio:0"), "{name}");
        let track = md
            .get_user_media_json(&json!({"audio": {"sampleRate": {"exact": rate}, "channelCount": {"exact": channels}}}).to_string())
            .expect(&name)
            .get_audio_tracks()
            .remove(0);
        let mut got: Vec<f32> = Vec::new();
        while let Ok(chunk) = track.read(TIMEOUT) {
            let a = chunk.audio().expect("audio");
            assert_eq!((a.sample_rate(), a.channels()), (rate, channels), "{name}");
            match a.samples() {
                Samples::F32(s) => got.extend_from_slice(s),
                other => panic!("{name}: expected f32, got {other:?}"),
            }
        }
        assert_eq!(
            got.len(),
            expected.len(),
            "{name}: every sample once, the last chunk short rather than padded"
        );
        for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
            assert!(
                (g - e).abs() <= 1e-6,
                "{name}: sample {i} is {g}, expected {e}"
            );
        }
    }
}

#[test]
fn a_16_bit_wav_played_to_an_s16_track_gives_back_its_very_samples() {
    let dir = TempDir::new();
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let path = dir.file("s16.wav", b"");
    let samples: Vec<f64> = (0..1600).map(wave).collect();
    let expected: Vec<i16> = write_wav(&path, spec, &samples)
        .into_iter()
        .map(f32_to_s16)
        .collect();
    assert_eq!(
        s16_to_f32(expected[1]),
        (f64::from(expected[1]) / 32767.0) as f32
    );
    let md = playing(json!({"audio": path_str(&path), "loop": false}));
    let track = md
        .get_user_media_json(
            r#"{"audio": {"sampleRate": 16000, "sampleFormat": {"exact": "s16"}}}"#,
        )
        .expect("s16 track")
        .get_audio_tracks()
        .remove(0);
    let mut got: Vec<i16> = Vec::new();
    while let Ok(chunk) = track.read(TIMEOUT) {
        match chunk.audio().expect("audio").samples() {
            Samples::S16(s) => got.extend_from_slice(s),
            other => panic!("expected s16, got {other:?}"),
        }
    }
    assert_eq!(got, expected, "every sample, nothing more");
}

#[test]
fn a_wav_file_plays_converted_to_what_the_track_asks() {
    let dir = TempDir::new();
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 44_100,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let path = dir.file("stereo.wav", b"");
    let tone: Vec<f64> = (0..44_100 * 2)
        .map(|i| 0.5 * (2.0 * std::f64::consts::PI * 1000.0 * (i / 2) as f64 / 44_100.0).sin())
        .collect();
    write_wav(&path, spec, &tone);
    let md = playing(json!({"audio": path_str(&path)}));
    let track = md
        .get_user_media_json(r#"{"audio": {"sampleRate": 16000, "channelCount": 1}}"#)
        .expect("converted track")
        .get_audio_tracks()
        .remove(0);
    let mut mono = Vec::new();
    while mono.len() < 16_000 {
        let chunk = track.read(TIMEOUT).expect("chunk");
        let a = chunk.audio().expect("audio");
        assert_eq!((a.sample_rate(), a.channels()), (16_000, 1));
        if let Samples::F32(s) = a.samples() {
            mono.extend_from_slice(s);
        }
    }
    let hz = lms_core::audio::testing::estimate_frequency(&mono[4_000..16_000], 16_000);
    assert!(
        (hz - 1000.0).abs() < 20.0,
        "the 1 kHz tone survives resampling: {hz} Hz"
    );
}

#[test]
fn an_mjpeg_track_and_a_raw_track_share_one_jpeg_source() {
    let dir = TempDir::new();
    let colours = [[200, 30, 30], [30, 200, 30], [30, 30, 200]];
    let jpegs: Vec<Vec<u8>> = colours.iter().map(|&c| jpeg(64, 48, c)).collect();
    let path = dir.file("a.mjpeg", &jpegs.concat());
    let md = playing(json!({"video": path_str(&path), "frameRate": 15}));
    let jpeg_track = md
        .get_user_media_json(r#"{"video": {"pixelFormat": {"exact": "MJPEG"}}}"#)
        .expect("MJPEG track")
        .get_video_tracks()
        .remove(0);
    let raw = md
        .get_user_media_json(
            r#"{"video": {"pixelFormat": {"exact": "RGB24"}, "width": {"exact": 32}}}"#,
        )
        .expect("a raw track on the same device")
        .get_video_tracks()
        .remove(0);
    for _ in 0..6 {
        let j = jpeg_track.read(TIMEOUT).expect("a JPEG");
        assert_eq!(j.video().expect("picture").format(), PixelFormat::Mjpeg);
        let r = raw.read(TIMEOUT).unwrap_or_else(|e| {
            panic!(
                "the raw track gets decoded pictures too: {e} {:?} {}",
                raw.stats(),
                raw.settings_json()
            )
        });
        let v = r.video().expect("picture");
        assert_eq!(
            (v.format(), v.width(), v.height()),
            (PixelFormat::Rgb24, 32, 24)
        );
    }
    // Unpaced, the source runs as fast as the faster reader: the other may drop
    // frames, but it receives decoded pictures (before the fix it received none).
    assert!(raw.stats().frames_delivered >= 6);
}
