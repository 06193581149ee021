//! Unpaced 1920x1080 I420 Y4M playback into one Rust consumer, from a file in
//! the page cache (made in the temp dir, read once before measuring).
//! Criterion prints frames per second as "thrpt" (elem/s):
//! - `view`: the consumer touches one byte of each plane (frames are views
//!   into the memory-mapped file: no copy anywhere);
//! - `copy_out`: the consumer copies every frame into its own buffer (what
//!   one memcpy of each frame costs on top).

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lms_core::{MediaDevices, MediaStreamTrack};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));
const FRAMES: usize = 60;
const W: usize = 1920;
const H: usize = 1080;

/// Frames in the file: enough to leave the CPU caches when benchmarking, a
/// few when `cargo test --all-targets` runs this once as a test.
fn frame_count() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        FRAMES
    } else {
        4
    }
}

fn make_file(frames: usize) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("lms-bench-1080p-{}.y4m", std::process::id()));
    let mut bytes = format!("YUV4MPEG2 W{W} H{H} F30:1 Ip A1:1 C420jpeg\n").into_bytes();
    let picture: Vec<u8> = (0..W * H * 3 / 2).map(|i| (i % 219 + 16) as u8).collect();
    bytes.reserve(frames * (picture.len() + 6));
    for f in 0..frames {
        bytes.extend_from_slice(b"FRAME\n");
        let start = bytes.len();
        bytes.extend_from_slice(&picture);
        bytes[start] = f as u8;
    }
    std::fs::write(&path, bytes).expect("write the bench file");
    path
}

fn open(path: &std::path::Path) -> MediaStreamTrack {
    let config =
        serde_json::json!({"backends": ["file"], "file": {"video": path, "pacing": "none"}});
    let devices = MediaDevices::from_json(&config.to_string()).expect("file configuration");
    devices
        .get_user_media_json(r#"{"video": true}"#)
        .expect("the 1080p file")
        .get_tracks()
        .remove(0)
}

fn file_playback(c: &mut Criterion) {
    let frames = frame_count();
    let path = make_file(frames);
    let track = open(&path);
    let mut own = vec![0u8; W * H * 3 / 2];
    for _ in 0..2 * frames {
        // Two loops through the file: every page in the cache and mapped.
        std::hint::black_box(track.read(TIMEOUT).expect("frame"));
    }
    let mut group = c.benchmark_group("file_1080p_i420_unpaced");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("view", |b| {
        b.iter(|| {
            let f = track.read(TIMEOUT).expect("frame");
            let v = f.video().expect("video");
            std::hint::black_box((0..3).map(|p| u64::from(v.plane(p)[0])).sum::<u64>())
        })
    });
    group.bench_function("copy_out", |b| {
        b.iter(|| {
            let f = track.read(TIMEOUT).expect("frame");
            own.copy_from_slice(f.video().expect("video").bytes());
            std::hint::black_box(own[own.len() / 2])
        })
    });
    group.finish();
    println!("  frames dropped: {}", track.stats().frames_dropped);
    track.stop();
    let _ = std::fs::remove_file(path);
}

criterion_group!(benches, file_playback);
criterion_main!(benches);
