//! A sound card made of ALSA user-space plugins, generated at test time: a
//! `file` PCM over the `null` PCM whose capture reads raw samples from a file
//! (`infile`), made the default device through `ALSA_CONFIG_PATH`. Over `null`
//! it is not paced (count samples, not time) and does not loop, and it reads
//! the file in exactly the format cpal opens it: F32 LE, 2 channels, 48 kHz.
#![allow(dead_code)]

pub mod pipewire;
pub mod pulse;

use std::path::PathBuf;
use std::time::Duration;

pub const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));
pub const RATE: u32 = 48_000;
pub const CHANNELS: usize = 2;
pub const TONE_HZ: f64 = 440.0;

/// The test's directory with `asound.conf` and `tone.raw`, and the tone's samples.
pub struct AlsaFixture {
    pub dir: PathBuf,
    pub samples: Vec<f32>,
}

/// Interleaved stereo: a 440 Hz sine on the left, 0.5 of it on the right.
pub fn tone(seconds: f64) -> Vec<f32> {
    let frames = (seconds * f64::from(RATE)) as usize;
    let mut out = Vec::with_capacity(frames * CHANNELS);
    for i in 0..frames {
        let v = (std::f64::consts::TAU * TONE_HZ * i as f64 / f64::from(RATE)).sin() * 0.5;
        out.push(v as f32);
        out.push((v * 0.5) as f32);
    }
    out
}

/// Write the fixture and point ALSA at it (call before anything opens ALSA;
/// environment variables are process-wide, so one test binary per setup).
pub fn install(seconds: f64) -> AlsaFixture {
    let dir = std::env::temp_dir().join(format!("lms-cpal-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let samples = tone(seconds);
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    let raw = dir.join("tone.raw");
    std::fs::write(&raw, bytes).expect("raw samples");
    let conf = dir.join("asound.conf");
    let text = format!(
        r#"</usr/share/alsa/alsa.conf>
pcm.!default {{
    type file
    slave.pcm "null"
    file "/dev/null"
    infile "{}"
    format "raw"
}}
"#,
        raw.display()
    );
    std::fs::write(&conf, text).expect("ALSA config");
    std::env::set_var("ALSA_CONFIG_PATH", &conf);
    std::env::remove_var("XDG_CONFIG_HOME");
    // ALSA even where a sound server runs (a developer's desktop).
    std::env::set_var("LMS_AUDIO_HOST", "alsa");
    AlsaFixture { dir, samples }
}

pub fn media_devices() -> lms_core::MediaDevices {
    lms_core::MediaDevices::from_json(r#"{"backends": ["cpal"], "queueSize": 1024}"#)
        .expect("configuration")
}

/// The f32 samples of `frames` frames read from `track`, with their sequence numbers.
pub fn read_f32(track: &lms_core::MediaStreamTrack, frames: usize) -> (Vec<f32>, Vec<u64>) {
    let (mut samples, mut sequences) = (Vec::new(), Vec::new());
    for _ in 0..frames {
        let frame = track.read(TIMEOUT).expect("a chunk of audio");
        sequences.push(frame.sequence());
        match frame.audio().expect("audio").samples() {
            lms_core::frame::Samples::F32(s) => samples.extend_from_slice(s),
            lms_core::frame::Samples::S16(s) => {
                samples.extend(s.iter().map(|&v| f32::from(v) / 32768.0))
            }
        }
    }
    (samples, sequences)
}
