//! A broken file fails `getUserMedia()` with `NotReadableError` saying what is
//! wrong and where: never a panic, never a huge allocation. The device stays
//! listed (so that opening it can say why it fails).

mod file_support;

use file_support::*;
use serde_json::json;

/// The error opening `kind` from `path` gives, after checking that the device is listed.
fn open_error(kind: &str, path: &str) -> lms_core::Error {
    let md = playing(json!({ kind: path }));
    let devices = md.enumerate_devices().expect("devices");
    assert_eq!(devices.len(), 1, "{path}: a broken file is still a device");
    let e = md
        .get_user_media_json(&json!({ kind: true }).to_string())
        .expect_err(path);
    assert_eq!(e.name(), "NotReadableError", "{path}: {e}");
    e
}

fn y4m_frame_of(size: usize) -> Vec<u8> {
    [b"FRAME\n".as_slice(), &vec![16u8; size]].concat()
}

#[test]
fn every_broken_video_file_says_what_is_wrong_and_where() {
    let dir = TempDir::new();
    let good = y4m(16, 8, "420", "30:1", 3);
    let header_len = b"YUV4MPEG2 W16 H8 F30:1 Ip A1:1 C420\n".len();
    let frame = 6 + 16 * 8 * 3 / 2;
    let jpegs = [jpeg(16, 8, [9, 9, 9]), jpeg(16, 8, [99, 9, 9])].concat();
    let cases: Vec<(&str, Vec<u8>, String)> = vec![
        ("empty.y4m", vec![], "the file is empty".into()),
        ("wrong-magic.y4m", b"RIFF\0\0\0\0WAVEfmt ".to_vec(), "not a Y4M or MJPEG file: it starts with bytes 52 49 46 46".into()),
        ("header.y4m", good[..20].to_vec(), "truncated Y4M header: the file ends at byte 20".into()),
        ("frame.y4m", good[..good.len() - 7].to_vec(), format!("frame 2 at byte {} is truncated: a 16x8 C420 frame needs 192 bytes, the file has 185 left", header_len + 2 * frame)),
        ("frame-line.y4m", good[..header_len + 3].to_vec(), format!("frame 0 at byte {header_len} is truncated: the file ends inside its FRAME line")),
        ("garbage.y4m", [&good[..header_len + frame], b"GARBAGE"].concat(), format!("frame 1 at byte {}: expected \"FRAME\"", header_len + frame)),
        ("absurd.y4m", b"YUV4MPEG2 W100000 H8\n".to_vec(), "the Y4M width 100000 at byte 10 is outside 1..=16384".into()),
        ("zero.y4m", b"YUV4MPEG2 W0 H8\n".to_vec(), "width 0 at byte 10".into()),
        // The largest size allowed, with one short frame: refused before any 400 MB buffer is made.
        ("huge.y4m", [b"YUV4MPEG2 W16384 H16384 C444\n".as_slice(), &y4m_frame_of(10)].concat(), "needs 805306368 bytes, the file has 10 left".into()),
        ("rate.y4m", b"YUV4MPEG2 W16 H8 F1:0\n".to_vec(), "frame rate F1:0 at byte 17 has a zero denominator".into()),
        ("colour.y4m", b"YUV4MPEG2 W16 H8 C420p10\nFRAME\n".to_vec(), "C420p10 at byte 17 is not supported".into()),
        ("no-frames.y4m", b"YUV4MPEG2 W16 H8\n".to_vec(), "no frame".into()),
        ("cut.mjpeg", jpegs[..jpegs.len() - 40].to_vec(), "frame 1 at byte".into()),
        ("cut-inside.mjpeg", jpegs[..jpegs.len() - 40].to_vec(), "is truncated".into()),
        ("junk.mjpeg", [jpegs.as_slice(), b"junk"].concat(), format!("frame 2 at byte {}: expected a JPEG start (FF D8)", jpegs.len())),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.file(name, &bytes);
        let e = open_error("video", &path_str(&path));
        assert!(e.message().contains(&needle), "{name}: {e}");
        assert!(
            e.message().contains(name),
            "{name}: the message names the file: {e}"
        );
    }
}

#[test]
fn a_missing_file_or_a_directory_is_not_readable_and_says_so() {
    let dir = TempDir::new();
    let missing = dir.path().join("nope.y4m");
    let e = open_error("video", &path_str(&missing));
    assert!(e.message().contains("nope.y4m: no such file"), "{e}");
    let e = open_error("audio", &path_str(dir.path()));
    assert!(e.message().contains("is a directory, not a file"), "{e}");
}

#[test]
fn every_broken_audio_file_says_what_is_wrong_and_where() {
    let dir = TempDir::new();
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let good_path = dir.file("good.wav", b"");
    let mut w = hound::WavWriter::create(&good_path, spec).unwrap();
    for i in 0..200 {
        w.write_sample(i as i16).unwrap();
    }
    w.finalize().unwrap();
    let good = std::fs::read(&good_path).unwrap();
    let mut adpcm = good.clone();
    adpcm[20] = 2; // the format tag: ADPCM
    let mut silent = good.clone();
    silent[40..44].copy_from_slice(&0u32.to_le_bytes());
    let mut rate = good.clone();
    rate[24..28].copy_from_slice(&100u32.to_le_bytes());
    rate[28..32].copy_from_slice(&400u32.to_le_bytes());
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.wav", vec![], "the file is empty"),
        ("magic.wav", b"YUV4MPEG2 W1 H1\n".to_vec(), "not a WAV file: it starts with bytes 59 55 56 34"),
        ("header.wav", good[..30].to_vec(), "truncated WAV header: the file ends at byte 30"),
        ("data.wav", good[..good.len() - 3].to_vec(), "the WAV data chunk at byte 36 is truncated: it declares 400 bytes of samples, the file has 397"),
        ("adpcm.wav", adpcm, "is not supported"),
        ("silent.wav", silent[..44].to_vec(), "holds no samples"),
        ("rate.wav", rate, "sample rate 100 Hz is outside 1000..=384000"),
    ];
    for (name, bytes, needle) in cases {
        let path = dir.file(name, &bytes);
        let e = open_error("audio", &path_str(&path));
        assert!(e.message().contains(needle), "{name}: {e}");
        assert!(
            e.message().contains(name),
            "{name}: the message names the file: {e}"
        );
    }
}

#[test]
fn a_file_fixed_after_a_failure_plays() {
    let dir = TempDir::new();
    let path = dir.file("later.y4m", b"YUV4MPEG2");
    let md = playing(json!({"video": path_str(&path)}));
    assert!(md.get_user_media_json(r#"{"video": true}"#).is_err());
    std::fs::write(&path, y4m(16, 8, "420", "30:1", 2)).unwrap();
    let track = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the fixed file")
        .get_video_tracks()
        .remove(0);
    assert_eq!(track.get_settings().video().map(|v| v.width), Some(16));
}

#[test]
fn a_broken_frame_in_the_middle_ends_the_track_when_it_plays_saying_where() {
    // Opening counts the frames of a file of whole, bare frames by its length
    // (checking the first and the last): a broken marker in between is found
    // when that frame plays.
    let dir = TempDir::new();
    let mut bytes = y4m(16, 8, "420", "30:1", 3);
    let header_len = b"YUV4MPEG2 W16 H8 F30:1 Ip A1:1 C420\n".len();
    let frame = 6 + 16 * 8 * 3 / 2;
    bytes[header_len + frame] = b'X';
    let path = dir.file("middle.y4m", &bytes);
    // A queue of one frame: the unpaced source plays frame 1 (and ends) only
    // once frame 0 was read, so the listener below is there before it can.
    let md = lms_core::MediaDevices::from_json(
        &json!({"backends": ["file"], "queueSize": 1, "file": {
            "video": format!("{}%noloop", path_str(&path)),
            "pacing": "none",
        }})
        .to_string(),
    )
    .expect("file configuration");
    let track = md
        .get_user_media_json(r#"{"video": true}"#)
        .expect("opens: the first and last frames are sound")
        .get_video_tracks()
        .remove(0);
    let ended: std::sync::Arc<std::sync::Mutex<Vec<String>>> = Default::default();
    let seen = std::sync::Arc::clone(&ended);
    track.add_event_listener(lms_core::TrackEvent::Ended, move |e| {
        seen.lock().unwrap().push(e.detail.clone())
    });
    track
        .read(Some(std::time::Duration::from_secs(5)))
        .expect("frame 0 plays");
    let e = track
        .read(Some(std::time::Duration::from_secs(5)))
        .expect_err("frame 1 is broken");
    assert_eq!(e.name(), "EndedError", "{e}");
    // The track's queue closes just before `ended` is queued, so a reader can
    // learn of the end first: wait for the event (not for a set time).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while ended.lock().unwrap().is_empty() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    lms_core::events::flush();
    let details = ended.lock().unwrap().clone();
    assert_eq!(details.len(), 1, "ended once: {details:?}");
    assert!(
        details[0].contains(&format!(
            "frame 1 at byte {}: expected \"FRAME\"",
            header_len + frame
        )),
        "{details:?}"
    );
}
