//! Unpaced fake 1920x1080 I420 capture: frames per second into one Rust
//! consumer, and the same source fanned out to 4 tracks (the consumer reads
//! one frame from each track per source frame). Criterion prints the rate
//! as "thrpt" in frames/s (elem/s); compare the two times per frame.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lms_core::{MediaDevices, MediaStreamTrack};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));

fn open(devices: &MediaDevices, tracks: usize) -> Vec<MediaStreamTrack> {
    let first = devices
        .get_user_media_json(r#"{"video": {"width": {"exact": 1920}, "height": {"exact": 1080}}}"#)
        .expect("fake 1080p camera")
        .get_tracks()
        .remove(0);
    let mut all = vec![first.clone()];
    all.extend((1..tracks).map(|_| first.clone_track()));
    all
}

/// Read the next frame of every track, touching one byte of each plane.
fn read_all(tracks: &[MediaStreamTrack]) -> u64 {
    let mut sum = 0u64;
    for t in tracks {
        let f = t.read(TIMEOUT).expect("frame");
        let v = f.video().expect("video");
        for p in 0..v.plane_count() {
            sum += v.plane(p)[0] as u64;
        }
    }
    sum
}

fn fake_capture(c: &mut Criterion) {
    let mut group = c.benchmark_group("fake_1080p_i420_unpaced");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    for n in [1usize, 4] {
        let devices = MediaDevices::from_json(
            r#"{"backends": ["fake"], "fake": {"pacing": "none", "video": 1, "audio": 0}}"#,
        )
        .expect("fake configuration");
        let tracks = open(&devices, n);
        read_all(&tracks); // first frame paints the whole picture once
        group.bench_function(format!("{n}_track{}", if n > 1 { "s" } else { "" }), |b| {
            b.iter(|| std::hint::black_box(read_all(&tracks)))
        });
        let dropped: u64 = tracks.iter().map(|t| t.stats().frames_dropped).sum();
        println!("  {n} track(s): frames dropped {dropped}");
        for t in &tracks {
            t.stop();
        }
    }
    group.finish();
}

criterion_group!(benches, fake_capture);
criterion_main!(benches);
