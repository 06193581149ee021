//! Playing a file allocates nothing in steady state: Y4M frames are views
//! into the mapped file from pooled buffers, WAV chunks pooled buffers. (Its
//! own test binary: the counting allocator sees every thread of the process.)

mod alloc_counter;

use alloc_counter::{fewest_allocations, Counting};

mod file_support;

use file_support::*;
use lms_core::MediaStreamTrack;
use serde_json::json;

#[global_allocator]
static GLOBAL: Counting = Counting;

fn read_round(tracks: &[MediaStreamTrack]) {
    for t in tracks {
        let frame = t.read(TIMEOUT).expect("a frame");
        std::hint::black_box(frame.plane(0).map(|p| p[0]));
    }
}

#[test]
fn playing_y4m_and_wav_files_allocates_nothing_in_steady_state() {
    let dir = TempDir::new();
    let video = dir.file("a.y4m", &y4m(64, 48, "420jpeg", "30:1", 7));
    let wav_path = dir.file("a.wav", b"");
    let spec = hound::WavSpec {
        channels: 2,
        sample_rate: 48_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&wav_path, spec).unwrap();
    for i in 0..9_000 {
        w.write_sample((i % 300) as i16).unwrap();
    }
    w.finalize().unwrap();
    let md = playing(json!({"video": path_str(&video), "audio": path_str(&wav_path)}));
    let stream = md
        .get_user_media_json(
            r#"{"video": true, "audio": {"sampleRate": 48000, "channelCount": 2}}"#,
        )
        .unwrap();
    let mut tracks = stream.get_tracks();
    tracks.push(tracks[0].clone_track());
    for _ in 0..300 {
        read_round(&tracks);
    }
    // The fewest of up to 3 windows: a pool may grow late, once (see fewest_allocations).
    let allocated = fewest_allocations(3, || {
        for _ in 0..500 {
            read_round(&tracks);
        }
    });
    stream.stop();
    // Zero per frame; a pool may still grow by a buffer or two (2 allocations each)
    // if the scheduler lets the producer run further ahead than during warm-up.
    assert!(
        allocated <= 8,
        "{allocated} allocations while playing 500 rounds (looping included)"
    );
}
