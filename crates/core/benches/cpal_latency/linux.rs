//! Microphone capture through cpal, no sound card: the latency from cpal's
//! data callback (where a chunk gets its capture timestamp) to a consumer
//! reading the track, and the CPU this process uses per second of audio.
//!
//! - `pulse`: real time, through a user-space PulseAudio server (a 440 Hz
//!   sine into a null sink, its monitor as the default source) and ALSA's
//!   `pulse` plugin; 10 ms chunks at 48 kHz stereo, read by a thread blocked
//!   in `read()`, and the same as a 16 kHz mono track (resampled in the
//!   callback), and a `set_frame_callback` consumer. CPU includes the
//!   PulseAudio client library's threads in this process, not the server.
//! - `file`: unpaced, ALSA's `file` plugin over `null`: what capturing one
//!   second of 48 kHz stereo costs at full speed (cpal + our chunking).
//!
//! `cargo bench -p lms-core --bench cpal_latency` (10 s per real-time case);
//! `cargo test --all-targets` runs it for a moment as a smoke test.

#[path = "../../tests/cpal_support/pulse.rs"]
#[allow(dead_code)]
mod pulse;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use lms_core::clock::monotonic_us;
use lms_core::{MediaDevices, MediaStreamTrack};

const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));

fn cpu_seconds() -> f64 {
    // SAFETY: getrusage fills the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    t(usage.ru_utime) + t(usage.ru_stime)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

struct Report {
    latencies_ms: Vec<f64>,
    audio_seconds: f64,
    cpu_seconds: f64,
    wall_seconds: f64,
}

impl Report {
    fn print(mut self, name: &str) {
        self.latencies_ms.sort_by(f64::total_cmp);
        let l = &self.latencies_ms;
        println!(
            "{name:<34} chunks {:>5}  latency p50 {:>6.3} ms  p99 {:>6.3} ms  max {:>6.3} ms  \
             CPU {:>6.2} ms per s of audio ({:.2}% of a core over {:.1} s)",
            l.len(),
            percentile(l, 0.5),
            percentile(l, 0.99),
            l.last().copied().unwrap_or(f64::NAN),
            1e3 * self.cpu_seconds / self.audio_seconds.max(1e-9),
            100.0 * self.cpu_seconds / self.wall_seconds.max(1e-9),
            self.wall_seconds,
        );
    }
}

/// Read `seconds` of audio from a new track; latency of every chunk.
fn read_case(md: &MediaDevices, constraints: &str, seconds: f64) -> Report {
    let stream = md.get_user_media_json(constraints).expect("capture");
    let track = stream.get_audio_tracks().remove(0);
    // Let the device settle: the first chunks may have waited in the queue.
    for _ in 0..10 {
        track.read(TIMEOUT).expect("a chunk");
    }
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    let mut report = Report {
        latencies_ms: Vec::new(),
        audio_seconds: 0.0,
        cpu_seconds: 0.0,
        wall_seconds: 0.0,
    };
    while report.audio_seconds < seconds {
        let frame = track.read(TIMEOUT).expect("a chunk");
        let now = monotonic_us();
        report
            .latencies_ms
            .push((now - frame.timestamp_us()) as f64 / 1e3);
        let audio = frame.audio().expect("audio");
        report.audio_seconds += audio.frames() as f64 / f64::from(audio.sample_rate());
    }
    report.cpu_seconds = cpu_seconds() - cpu0;
    report.wall_seconds = wall0.elapsed().as_secs_f64();
    stream.stop();
    report
}

/// The same with a frame callback as the consumer.
fn callback_case(md: &MediaDevices, constraints: &str, seconds: f64) -> Report {
    let stream = md.get_user_media_json(constraints).expect("capture");
    let track: MediaStreamTrack = stream.get_audio_tracks().remove(0);
    let seen: Arc<Mutex<(Vec<f64>, f64)>> = Arc::new(Mutex::new((Vec::with_capacity(4096), 0.0)));
    let sink = Arc::clone(&seen);
    std::thread::sleep(Duration::from_millis(100));
    let (cpu0, wall0) = (cpu_seconds(), Instant::now());
    track
        .set_frame_callback(Some(Arc::new(move |frame: &lms_core::Frame| {
            let now = monotonic_us();
            if let Some(audio) = frame.audio() {
                let mut s = sink.lock().unwrap();
                s.0.push((now - frame.timestamp_us()) as f64 / 1e3);
                s.1 += audio.frames() as f64 / f64::from(audio.sample_rate());
            }
        })))
        .expect("set the callback");
    while seen.lock().unwrap().1 < seconds {
        std::thread::sleep(Duration::from_millis(20));
    }
    let cpu = cpu_seconds() - cpu0;
    let wall = wall0.elapsed().as_secs_f64();
    track.set_frame_callback(None).expect("clear the callback");
    stream.stop();
    let (latencies_ms, audio_seconds) = seen.lock().unwrap().clone();
    Report {
        latencies_ms,
        audio_seconds,
        cpu_seconds: cpu,
        wall_seconds: wall,
    }
}

/// ALSA's file plugin over `null`: unpaced, the file's samples as fast as cpal reads.
fn file_case(seconds: f64) -> Report {
    let dir = std::env::temp_dir().join(format!("lms-cpal-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let frames = ((seconds + 2.0) * 48_000.0) as usize;
    let bytes: Vec<u8> = (0..frames * 2)
        .flat_map(|i| ((i as f32 * 0.01).sin() * 0.5).to_le_bytes())
        .collect();
    std::fs::write(dir.join("tone.raw"), bytes).expect("samples");
    let conf = dir.join("asound.conf");
    std::fs::write(
        &conf,
        format!(
            "</usr/share/alsa/alsa.conf>\npcm.!default {{ type file slave.pcm \"null\" \
             file \"/dev/null\" infile \"{}\" format \"raw\" }}\n",
            dir.join("tone.raw").display()
        ),
    )
    .expect("config");
    std::env::set_var("ALSA_CONFIG_PATH", &conf);
    let md = MediaDevices::from_json(r#"{"backends": ["cpal"], "queueSize": 1024}"#)
        .expect("configuration");
    let report = read_case(&md, r#"{"audio": {"sampleRate": 48000}}"#, seconds);
    let _ = std::fs::remove_dir_all(&dir);
    report
}

pub fn main() {
    let benching = std::env::args().any(|a| a == "--bench");
    let seconds: f64 = if benching { 10.0 } else { 0.3 };
    println!("cpal capture, {seconds} s per case (latency: capture timestamp in cpal's callback -> consumer)");

    // Through ALSA in every case (the sound server's own protocol is measured
    // by benches/sound_server_cpu.rs), even where a server's socket is in the
    // environment.
    std::env::set_var("LMS_AUDIO_HOST", "alsa");
    // Each case points ALSA_CONFIG_PATH at its own file: alsa-lib rereads its
    // configuration when the files change (snd_config_update).
    file_case(seconds.min(5.0)).print("file plugin, unpaced, 48 kHz stereo");

    let server = pulse::PulseServer::start();
    let md = MediaDevices::from_json(r#"{"backends": ["cpal"]}"#).expect("configuration");
    read_case(
        &md,
        r#"{"audio": {"sampleRate": 48000, "channelCount": 2}}"#,
        seconds,
    )
    .print("pulse, read(), 48 kHz stereo 10 ms");
    read_case(
        &md,
        r#"{"audio": {"sampleRate": 16000, "channelCount": 1}}"#,
        seconds,
    )
    .print("pulse, read(), 16 kHz mono 10 ms");
    callback_case(
        &md,
        r#"{"audio": {"sampleRate": 48000, "channelCount": 2}}"#,
        seconds,
    )
    .print("pulse, callback, 48 kHz stereo");
    drop(server);
}
