//! The Rust side of benches/run-c-vs-rust: read unpaced fake 1080p I420
//! frames and drop them, printing wall time and the reading thread's CPU
//! time per frame. `cargo run --release -p lms-core --example read_loop -- [FRAMES]`

use std::time::{Duration, Instant};

use lms_core::MediaDevices;

/// The reading thread's CPU time (Unix systems; elsewhere NaN, printed as such).
#[cfg(unix)]
fn thread_cpu_ns() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock exists on Linux and macOS.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 * 1e9 + ts.tv_nsec as f64
}

#[cfg(not(unix))]
fn thread_cpu_ns() -> f64 {
    f64::NAN
}

fn main() -> Result<(), lms_core::Error> {
    let frames: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let devices = MediaDevices::from_json(
        r#"{"backends": ["fake"], "fake": {"pacing": "none", "video": 1, "audio": 0}}"#,
    )?;
    let stream = devices.get_user_media_json(
        r#"{"video": {"width": {"exact": 1920}, "height": {"exact": 1080}}}"#,
    )?;
    let track = stream.get_tracks().remove(0);
    let timeout = Some(Duration::from_secs(5));
    let mut sum = 0u64;
    for _ in 0..200 {
        track.read(timeout)?;
    }
    let (wall, cpu) = (Instant::now(), thread_cpu_ns());
    for _ in 0..frames {
        let f = track.read(timeout)?;
        let v = f.video().expect("video");
        for p in 0..v.plane_count() {
            sum += v.plane(p)[0] as u64;
        }
    }
    let wall = wall.elapsed().as_nanos() as f64;
    let cpu = thread_cpu_ns() - cpu;
    let n = frames as f64;
    println!(
        "Rust read+drop    1080p I420: {:8.0} frames/s  {:7.0} ns/frame wall  {:6.0} ns/frame reader CPU  (checksum {})",
        n / (wall / 1e9),
        wall / n,
        cpu / n,
        sum % 1000
    );
    stream.stop();
    Ok(())
}
