//! `LMS_FAKE_VIDEO_FILE` / `LMS_FAKE_AUDIO_FILE` add file devices, as a
//! browser's `--use-file-for-fake-*-capture` flags do. (Its own test binary:
//! it sets environment variables, which every thread of a process shares.)

mod file_support;

use file_support::*;
use lms_core::{Config, MediaDevices, ReadyState};

#[test]
fn the_environment_names_the_files_and_a_noloop_suffix_ends_the_tracks() {
    let dir = TempDir::new();
    let video = dir.file("env.y4m", &y4m(16, 8, "420", "30:1", 2));
    let wav_path = dir.file("env.wav", b"");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 8_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav_path, spec).unwrap();
    for i in 0..800 {
        w.write_sample(i as i16).unwrap();
    }
    w.finalize().unwrap();
    // This binary has one test, so no other thread reads the environment meanwhile.
    std::env::set_var(
        "LMS_FAKE_VIDEO_FILE",
        format!("{}%noloop", path_str(&video)),
    );
    std::env::set_var("LMS_FAKE_AUDIO_FILE", path_str(&wav_path));
    std::env::remove_var("LMS_BACKENDS");

    let config = Config::from_env().expect("environment");
    assert_eq!(
        config.backends.first().map(String::as_str),
        Some("file"),
        "the file backend comes first"
    );
    assert!(!config.file.video.as_ref().unwrap().looping);
    assert!(config.file.audio.as_ref().unwrap().looping);

    std::env::set_var("LMS_BACKENDS", "file");
    let md = MediaDevices::from_json(r#"{"file": {"pacing": "none"}}"#).expect("configuration");
    let ids: Vec<String> = md
        .enumerate_devices()
        .unwrap()
        .into_iter()
        .map(|d| d.device_id)
        .collect();
    // Microphones first, then cameras (the specification's order).
    assert_eq!(ids, vec!["file:audio:0", "file:video:0"]);
    let labels: Vec<String> = md
        .enumerate_devices()
        .unwrap()
        .into_iter()
        .map(|d| d.label)
        .collect();
    assert_eq!(labels, vec!["env.wav", "env.y4m"]);
    let stream = md
        .get_user_media_json(r#"{"video": true, "audio": true}"#)
        .unwrap();
    let video_track = stream.get_video_tracks().remove(0);
    for _ in 0..2 {
        video_track.read(TIMEOUT).expect("frame");
    }
    assert_eq!(video_track.read(TIMEOUT).unwrap_err().name(), "EndedError");
    assert_eq!(video_track.ready_state(), ReadyState::Ended);
    let audio_track = stream.get_audio_tracks().remove(0);
    for _ in 0..20 {
        audio_track.read(TIMEOUT).expect("the audio file loops");
    }
    std::env::set_var("LMS_FAKE_VIDEO_FILE", "");
    assert_eq!(Config::from_env().unwrap_err().name(), "TypeError");
}
