//! File devices play like cameras and microphones: looping seamlessly,
//! ending once with `%noloop`, paced at the file's rate unless told not to.

mod file_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use file_support::*;
use lms_core::{MediaStreamTrack, ReadyState, Samples, TrackEvent};
use serde_json::json;

fn count_ended(track: &MediaStreamTrack) -> Arc<AtomicUsize> {
    let n = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&n);
    track.add_event_listener(TrackEvent::Ended, move |e| {
        assert_eq!(e.detail, "end of file");
        counter.fetch_add(1, Ordering::SeqCst);
    });
    n
}

/// The count once it reached at least one (the event is queued just after the
/// track's queue closes, so a reader can see the end first) and every event
/// queued by then was delivered.
fn settled(count: &AtomicUsize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while count.load(Ordering::SeqCst) == 0 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    lms_core::events::flush();
    count.load(Ordering::SeqCst)
}

fn first_luma(track: &MediaStreamTrack) -> (u64, u8) {
    let f = track.read(TIMEOUT).expect("frame");
    (f.sequence(), f.video().expect("picture").plane(0)[0])
}

#[test]
fn a_looping_video_file_goes_round_with_sequence_numbers_that_never_restart() {
    let dir = TempDir::new();
    let path = dir.file("five.y4m", &y4m(16, 8, "420jpeg", "30:1", 5));
    let md = playing(json!({"video": path_str(&path)}));
    let track = md
        .get_user_media_json(r#"{"video": true}"#)
        .unwrap()
        .get_video_tracks()
        .remove(0);
    for expected in 0..23u64 {
        let (sequence, luma) = first_luma(&track);
        assert_eq!(
            sequence, expected,
            "sequence numbers continue across the loop"
        );
        assert_eq!(
            luma,
            sample(0, (expected % 5) as usize, 0),
            "frame {expected} is frame {} of the file",
            expected % 5
        );
    }
    assert_eq!(track.ready_state(), ReadyState::Live);
    assert_eq!(track.stats().frames_dropped, 0);
}

#[test]
fn a_video_file_that_does_not_loop_ends_its_tracks_once_after_its_last_frame() {
    let dir = TempDir::new();
    // More frames than a track's queue holds (4), so the file cannot end
    // before the test has added its listeners.
    let path = dir.file("twelve.y4m", &y4m(16, 8, "420", "30:1", 12));
    for config in [
        json!({"video": format!("{}%noloop", path_str(&path))}),
        json!({"video": path_str(&path), "loop": false}),
    ] {
        let md = playing(config.clone());
        let stream = md.get_user_media_json(r#"{"video": true}"#).unwrap();
        let track = stream.get_video_tracks().remove(0);
        let clone = track.clone_track();
        let (ended, clone_ended) = (count_ended(&track), count_ended(&clone));
        // (The clone, never read, lets the unpaced source run ahead, so the
        // original may drop its oldest frames: order and content still hold.)
        let mut last = None;
        let e = loop {
            match track.read(TIMEOUT) {
                Ok(f) => {
                    let luma = f.video().expect("picture").plane(0)[0];
                    assert!(f.sequence() < 12, "{config}: no frame past the end");
                    assert_eq!(luma, sample(0, f.sequence() as usize, 0), "{config}");
                    assert!(last < Some(f.sequence()), "{config}: in order");
                    last = Some(f.sequence());
                }
                Err(e) => break e,
            }
        };
        assert_eq!(
            last,
            Some(11),
            "{config}: the last frame of the file arrives"
        );
        assert_eq!(e.name(), "EndedError", "{config}");
        assert_eq!(track.ready_state(), ReadyState::Ended);
        assert_eq!(settled(&ended), 1, "ended fires once: {config}");
        assert_eq!(
            settled(&clone_ended),
            1,
            "and once on every track of the file"
        );
        assert!(!stream.active());
        // The file can be opened again and plays from its start.
        let again = md
            .get_user_media_json(r#"{"video": true}"#)
            .unwrap()
            .get_video_tracks()
            .remove(0);
        assert_eq!(first_luma(&again).0, 0);
    }
}

fn chunk_samples(track: &MediaStreamTrack) -> Option<Vec<f32>> {
    let chunk = track.read(TIMEOUT).ok()?;
    match chunk.audio()?.samples() {
        Samples::F32(s) => Some(s.clone()),
        Samples::S16(_) => None,
    }
}

fn ramp_wav(dir: &TempDir, frames: usize) -> std::path::PathBuf {
    let path = dir.file("ramp.wav", b"");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).unwrap();
    for i in 0..frames {
        w.write_sample((i as i16) * 10).unwrap();
    }
    w.finalize().unwrap();
    path
}

#[test]
fn a_looping_audio_file_goes_round_without_a_gap_or_a_repeat() {
    let dir = TempDir::new();
    let path = ramp_wav(&dir, 1_000);
    let md = playing(json!({"audio": path_str(&path)}));
    let track = md
        .get_user_media_json(r#"{"audio": {"sampleRate": 8000}}"#)
        .unwrap()
        .get_audio_tracks()
        .remove(0);
    let mut all = Vec::new();
    let mut last_sequence = None;
    while all.len() < 3_500 {
        let chunk = track.read(TIMEOUT).expect("chunk");
        if let Some(prev) = last_sequence {
            assert_eq!(chunk.sequence(), prev + 1);
        }
        last_sequence = Some(chunk.sequence());
        let Some(Samples::F32(s)) = chunk.audio().map(|a| a.samples()) else {
            panic!("an f32 audio chunk");
        };
        assert_eq!(s.len(), 80, "10 ms chunks at 8 kHz");
        all.extend_from_slice(s);
    }
    for (k, &x) in all.iter().enumerate() {
        let expected = ((k % 1_000) as f32 * 10.0) / 32767.0;
        assert!((x - expected).abs() < 1e-6, "sample {k}: {x} vs {expected}");
    }
}

#[test]
fn an_audio_file_that_does_not_loop_pads_its_last_chunk_and_ends_once() {
    let dir = TempDir::new();
    let path = ramp_wav(&dir, 1_000);
    let md = playing(json!({"audio": format!("{}%noloop", path_str(&path))}));
    let track = md
        .get_user_media_json(r#"{"audio": {"sampleRate": 8000}}"#)
        .unwrap()
        .get_audio_tracks()
        .remove(0);
    let ended = count_ended(&track);
    let mut chunks = Vec::new();
    while let Some(s) = chunk_samples(&track) {
        chunks.push(s);
    }
    assert_eq!(
        chunks.len(),
        13,
        "1000 samples in 80-sample chunks: 12 and a padded one"
    );
    assert!(chunks[12][40..].iter().all(|&x| x == 0.0));
    assert_eq!(settled(&ended), 1);
    assert_eq!(track.ready_state(), ReadyState::Ended);
}

#[test]
fn a_paced_file_plays_at_its_frame_rate() {
    let dir = TempDir::new();
    let path = dir.file("ten.y4m", &y4m(16, 8, "420", "20:1", 3));
    let md = playing(json!({"video": path_str(&path), "pacing": "realtime"}));
    let track = md
        .get_user_media_json(r#"{"video": true}"#)
        .unwrap()
        .get_video_tracks()
        .remove(0);
    let first = track.read(TIMEOUT).unwrap();
    let mut last = first.clone();
    for _ in 0..10 {
        let frame = track.read(TIMEOUT).unwrap();
        assert_eq!(
            frame.sequence(),
            last.sequence() + 1,
            "one frame after another"
        );
        last = frame;
    }
    // Frame k is due k periods (50 ms) after the first; a late frame is
    // followed at once by those already due (up to 3 periods' worth), a later
    // one restarts the clock. So however busy the machine is, 10 frames span
    // at least 7 periods: never faster than the file says. How close to 20 fps
    // it keeps is a figure, printed here, not a pass/fail: a busy machine
    // makes it slower.
    let seconds = (last.timestamp_us() - first.timestamp_us()) as f64 / 1e6;
    let fps = 10.0 / seconds;
    println!("a 20 fps file: 10 frames in {seconds} s of timestamps, {fps:.2} fps");
    assert!(
        seconds >= 7.0 * 0.05 - 0.005,
        "10 frames in {seconds} s: {fps} fps, faster than the file's 20"
    );
}

#[test]
fn the_configured_frame_rate_replaces_a_y4m_header_rate() {
    let dir = TempDir::new();
    let path = dir.file("a.y4m", &y4m(16, 8, "420", "20:1", 3));
    let md = playing(json!({"video": path_str(&path), "frameRate": 12.5}));
    let track = md
        .get_user_media_json(r#"{"video": true}"#)
        .unwrap()
        .get_video_tracks()
        .remove(0);
    assert_eq!(track.get_settings().video().unwrap().frame_rate, 12.5);
}

#[test]
fn a_track_asking_a_lower_rate_gets_every_nth_frame_of_the_file() {
    let dir = TempDir::new();
    let path = dir.file("a.y4m", &y4m(16, 8, "420", "30:1", 6));
    let md = playing(json!({"video": path_str(&path)}));
    let track = md
        .get_user_media_json(r#"{"video": {"frameRate": {"exact": 10}}}"#)
        .unwrap()
        .get_video_tracks()
        .remove(0);
    let sequences: Vec<u64> = (0..4)
        .map(|_| track.read(TIMEOUT).unwrap().sequence())
        .collect();
    assert_eq!(sequences, vec![0, 3, 6, 9]);
}

#[test]
fn a_paced_file_starts_playing_when_its_track_is_there_so_nothing_is_lost() {
    let dir = TempDir::new();
    let path = dir.file("three.y4m", &y4m(16, 8, "420", "60:1", 3));
    let wav = ramp_wav(&dir, 1_000);
    // Queues that hold the whole files: a reader held up by a busy machine
    // loses nothing either, so a loss can only be the source starting early.
    let md = lms_core::MediaDevices::from_json(
        &json!({"backends": ["file"], "queueSize": 32, "file": {
            "video": format!("{}%noloop", path_str(&path)),
            "audio": format!("{}%noloop", path_str(&wav)),
            "pacing": "realtime",
        }})
        .to_string(),
    )
    .expect("file configuration");
    let stream = md
        .get_user_media_json(r#"{"video": true, "audio": {"sampleRate": 8000}}"#)
        .unwrap();
    // Time for a source that (wrongly) started before its tracks to run ahead.
    std::thread::sleep(std::time::Duration::from_millis(30));
    let audio = stream.get_audio_tracks().remove(0);
    let first = chunk_samples(&audio).expect("a chunk");
    assert_eq!(first[1], 10.0 / 32767.0, "the file's first samples");
    let rest = std::iter::from_fn(|| chunk_samples(&audio)).count();
    assert_eq!(1 + rest, 13, "every chunk of the file");
    let video = stream.get_video_tracks().remove(0);
    let frames: Vec<(u64, u8)> = std::iter::from_fn(|| video.read(TIMEOUT).ok())
        .map(|f| (f.sequence(), f.video().unwrap().plane(0)[0]))
        .collect();
    let expected: Vec<(u64, u8)> = (0..3).map(|i| (i, sample(0, i as usize, 0))).collect();
    assert_eq!(
        frames, expected,
        "every frame of the file, the first included"
    );
}
