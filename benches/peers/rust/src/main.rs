//! localmediastream from Rust, for benches/peers/run.py (one JSON line).
//!
//! `lms-peers-bench v2 FILE.y4m PASSES`: every frame of a Y4M file through the
//! file device, unpaced, PASSES times (each pass opens the file device and
//! reads until the track ends; the open is not timed). The consumer reads one
//! byte of each plane of each frame (views into the mapped file).
//! V1 (the unpaced fake camera) is crates/core/examples/read_loop.rs.

use std::time::{Duration, Instant};

use lms_core::{Error, MediaDevices};

fn v2(path: &str, passes: u32) -> Result<(), Error> {
    let config = serde_json::json!({"backends": ["file"], "file": {"video": format!("{path}%noloop"), "pacing": "none"}});
    let devices = MediaDevices::from_json(&config.to_string())?;
    let (mut frames, mut seconds, mut sum) = (0u64, 0f64, 0u64);
    for _ in 0..passes {
        let stream = devices.get_user_media_json(r#"{"video": true}"#)?;
        let track = stream.get_tracks().remove(0);
        let start = Instant::now();
        loop {
            match track.read(Some(Duration::from_secs(5))) {
                Ok(f) => {
                    let v = f.video().expect("video");
                    for p in 0..v.plane_count() {
                        sum += u64::from(v.plane(p)[0]);
                    }
                    frames += 1;
                }
                Err(Error::Ended(_)) => break,
                Err(e) => return Err(e),
            }
        }
        seconds += start.elapsed().as_secs_f64();
        stream.stop();
    }
    println!(
        "{}",
        serde_json::json!({"frames": frames, "seconds": seconds, "fps": frames as f64 / seconds, "checksum": sum % 1000})
    );
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("v2") if args.len() == 4 => v2(&args[2], args[3].parse().expect("PASSES")),
        _ => {
            eprintln!("usage: lms-peers-bench v2 FILE.y4m PASSES");
            std::process::exit(2);
        }
    };
    if let Err(e) = result {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
