//! The `lms` command as a person runs it: its files are valid (the Y4M read
//! back by our own reader, the WAV by hound, the PNG by png; audio_wav.rs
//! checks the WAV formats byte by byte) with the frames
//! and duration asked for; Ctrl-C mid-capture leaves valid files; every
//! error name has its own exit code.

mod support;

use std::path::Path;

use lms_core::backend::file::y4m;
use serde_json::Value;
use support::{lms, out_dir, s, text};

/// The Y4M header and frame count, read by our own reader.
fn read_y4m(path: &Path) -> y4m::Y4mFile {
    let bytes = std::fs::read(path).expect("video.y4m");
    y4m::parse(&bytes).expect("a valid Y4M file")
}

fn read_wav(path: &Path) -> (hound::WavSpec, f64) {
    let reader = hound::WavReader::open(path).expect("a valid WAV file");
    let spec = reader.spec();
    let seconds = f64::from(reader.duration()) / f64::from(spec.sample_rate);
    let samples = match spec.sample_format {
        hound::SampleFormat::Float => reader.into_samples::<f32>().filter(Result::is_ok).count(),
        hound::SampleFormat::Int => reader.into_samples::<i32>().filter(Result::is_ok).count(),
    };
    assert_eq!(
        samples as f64,
        seconds * f64::from(spec.sample_rate) * f64::from(spec.channels),
        "every sample is there"
    );
    (spec, seconds)
}

fn read_png(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).expect("snapshot.png"));
    let mut reader = decoder.read_info().expect("a valid PNG");
    let mut pixels = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut pixels).expect("its picture decodes");
    (info.width, info.height)
}

#[test]
fn capture_frames_writes_exactly_that_many_frames_and_matching_audio() {
    let dir = out_dir("frames");
    let out = lms(&["capture", "--fake", "--frames", "12", "--out", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let video = read_y4m(&dir.join("video.y4m"));
    assert_eq!(
        (video.header.width, video.header.height, video.frames),
        (640, 480, 12)
    );
    assert_eq!(video.header.frame_rate, (30, 1));
    let (spec, seconds) = read_wav(&dir.join("audio.wav"));
    assert_eq!((spec.sample_rate, spec.channels), (48_000, 1));
    assert!(
        (seconds - 0.4).abs() < 0.15,
        "12 frames at 30 fps is 0.4 s of audio, got {seconds}"
    );
    assert_eq!(read_png(&dir.join("snapshot.png")), (640, 480));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("video: 12 frames"), "{stdout}");
    assert!(
        stdout.contains("dropped"),
        "plain progress lines when stdout is not a terminal: {stdout}"
    );
    assert!(!stdout.contains('\r'), "{stdout:?}");
}

#[test]
fn capture_duration_writes_that_much_video_and_audio() {
    let dir = out_dir("duration");
    let out = lms(&["capture", "--fake", "--duration", "1s", "--out", s(&dir)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let video = read_y4m(&dir.join("video.y4m"));
    assert!(
        (28..=31).contains(&video.frames),
        "1 s at 30 fps: {} frames",
        video.frames
    );
    let (_, seconds) = read_wav(&dir.join("audio.wav"));
    assert!((seconds - 1.0).abs() < 0.011, "1 s of audio, got {seconds}");
}

#[test]
fn constraints_choose_the_size_format_and_kinds() {
    let dir = out_dir("constraints");
    let out = lms(&[
        "capture",
        "--fake",
        "--frames",
        "3",
        "--out",
        s(&dir),
        "--constraints",
        r#"{"video": {"width": 320, "height": 180, "pixelFormat": {"exact": "RGB24"}}}"#,
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let video = read_y4m(&dir.join("video.y4m"));
    assert_eq!(
        (video.header.width, video.header.height, video.frames),
        (320, 180, 3),
        "RGB converted to I420 for the file"
    );
    assert!(
        !dir.join("audio.wav").exists(),
        "no audio asked, none written"
    );
    assert_eq!(read_png(&dir.join("snapshot.png")), (320, 180));

    let out = lms(&[
        "capture",
        "--fake",
        "--audio",
        "--frames",
        "5",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(!dir.join("video.y4m").exists(), "the earlier video is gone");
    let (spec, seconds) = read_wav(&dir.join("audio.wav"));
    assert_eq!(
        (spec.sample_format, spec.bits_per_sample),
        (hound::SampleFormat::Int, 16),
        "16-bit PCM by default"
    );
    assert!(
        (seconds - 0.05).abs() < 1e-9,
        "5 chunks of 10 ms: {seconds}"
    );
}

#[test]
fn a_captured_file_plays_back_through_the_file_device_frame_for_frame() {
    let dir = out_dir("roundtrip");
    let out = lms(&[
        "capture",
        "--fake",
        "--video",
        "--frames",
        "4",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let first = dir.join("video.y4m");
    let again = dir.join("again");
    let config = serde_json::json!({"backends": ["file"], "file": {"video": format!("{}%noloop", s(&first)), "pacing": "none"}});
    let out = lms(&[
        "capture",
        "--config",
        &config.to_string(),
        "--out",
        s(&again),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("track ended"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(again.join("video.y4m")).unwrap()
    );
}

/// Whether the capture into `dir` has written at least 20 frames of 640x480
/// video (counted as if 4:4:4, the largest) and 0.7 s of audio, by the sizes
/// of the files, which grow as it goes.
#[cfg(unix)]
fn captured_enough(dir: &Path) -> bool {
    let len = |name: &str| std::fs::metadata(dir.join(name)).map_or(0, |m| m.len());
    let Ok(wav) = hound::WavReader::open(dir.join("audio.wav")) else {
        return false;
    };
    let spec = wav.spec();
    let audio_per_second = u64::from(spec.sample_rate)
        * u64::from(spec.channels)
        * u64::from(spec.bits_per_sample / 8);
    let largest_frame = 6 + 640 * 480 * 3;
    len("video.y4m") >= 100 + 20 * largest_frame
        && len("audio.wav") >= 100 + audio_per_second * 7 / 10
}

// Ctrl-C is SIGINT on Unix; on Windows it is a console control event that
// one process cannot send another's console without sharing it (not run there).
#[cfg(unix)]
#[test]
fn ctrl_c_mid_capture_stops_cleanly_and_leaves_valid_files() {
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};
    let dir = out_dir("sigint");
    let child = Command::new(env!("CARGO_BIN_EXE_lms"))
        .args(["capture", "--fake", "--duration", "60s", "--out", s(&dir)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start lms");
    let started = Instant::now();
    // Until the files hold what is checked below (not for a set time: a busy
    // machine may capture slower).
    while !captured_enough(&dir) {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "capture did not get going"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: kill() with a pid we started and a valid signal number has no memory effects.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
    assert_eq!(rc, 0);
    let out = child.wait_with_output().expect("lms exits");
    assert!(
        out.status.success(),
        "Ctrl-C is a clean stop: {:?} {}",
        out.status,
        text(&out.stderr)
    );
    assert!(
        started.elapsed() < Duration::from_secs(50),
        "it stopped well before its 60 s"
    );
    assert!(
        text(&out.stdout).contains("stopped by Ctrl-C"),
        "{}",
        text(&out.stdout)
    );
    let video = read_y4m(&dir.join("video.y4m"));
    assert!(video.frames >= 20, "{} frames", video.frames);
    let (_, seconds) = read_wav(&dir.join("audio.wav"));
    assert!(seconds >= 0.7, "{seconds} s");
    assert_eq!(read_png(&dir.join("snapshot.png")), (640, 480));
}

#[test]
fn devices_lists_every_device_as_a_table_or_json() {
    let out = lms(&["devices", "--fake"]);
    assert!(out.status.success());
    let table = text(&out.stdout);
    assert!(table.starts_with("DEVICE ID"), "{table}");
    assert!(
        table.contains("fake:video:0") && table.contains("1-3840 x 1-2160, 1-60 fps"),
        "{table}"
    );
    assert!(
        table.contains("fake:audio:0") && table.contains("8000-48000 Hz"),
        "{table}"
    );
    let out = lms(&[
        "devices",
        "--json",
        "--config",
        r#"{"backends": ["fake"], "fake": {"video": 2, "audio": 0}}"#,
    ]);
    let list: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let list = list.as_array().expect("an array");
    assert_eq!(list.len(), 2);
    assert_eq!(list[1]["deviceId"], "fake:video:1");
    assert_eq!(list[1]["capabilities"]["width"]["max"], 3840);
}

#[test]
fn probe_reports_capabilities_settings_and_the_rate_achieved() {
    let out = lms(&["probe", "fake:video:0", "--fake", "--duration", "500ms"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    for needle in [
        "capabilities: 1-3840 x 1-2160",
        "default settings: 640x480 I420 30 fps",
        "rate achieved:",
        "jitter",
        "dropped: 0 by the queue, 0 sequence numbers missing",
    ] {
        assert!(report.contains(needle), "{needle}: {report}");
    }
    let out = lms(&[
        "probe",
        "fake:audio:0",
        "--fake",
        "--duration",
        "300ms",
        "--json",
    ]);
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rate = report["report"]["rate"].as_f64().expect("rate");
    assert!((rate - 100.0).abs() < 10.0, "10 ms chunks: {rate}/s");
    assert_eq!(report["settings"]["sampleRate"], 48_000);
}

#[test]
fn each_error_name_exits_with_its_own_code_and_says_what_went_wrong() {
    let dir = out_dir("errors");
    let cases: [(&[&str], i32, &str); 7] = [
        (
            &["capture", "--fake", "--constraints", "{}"],
            11,
            "TypeError",
        ),
        (
            &["capture", "--fake", "--constraints", "{\"video\": "],
            11,
            "not valid JSON",
        ),
        (
            &["probe", "fake:video:9", "--fake"],
            12,
            "NotFoundError: no device with deviceId \"fake:video:9\"",
        ),
        (&["devices"], 12, "use --fake"),
        (
            &[
                "capture",
                "--config",
                r#"{"backends": ["file"], "file": {"video": "/nonexistent/clip.y4m"}}"#,
                "--video",
            ],
            13,
            "NotReadableError: /nonexistent/clip.y4m: no such file",
        ),
        (
            &[
                "capture",
                "--fake",
                "--constraints",
                r#"{"video": {"width": {"min": 100000}}}"#,
            ],
            14,
            "OverconstrainedError: width",
        ),
        (
            &[
                "capture",
                "--fake",
                "--config",
                r#"{"permissions": {"camera": "denied"}}"#,
                "--video",
            ],
            15,
            "NotAllowedError",
        ),
    ];
    for (args, code, needle) in cases {
        let mut args = args.to_vec();
        if args[0] == "capture" {
            args.extend(["--out", s(&dir)]);
        }
        let out = lms(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(
            stderr.starts_with("lms: ") && stderr.contains(needle),
            "{args:?}: {stderr}"
        );
    }
    let out = lms(&["capture", "--duration", "5x"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a bad command line is clap's usage error"
    );
    assert!(text(&out.stderr).contains("5x"));
    let out = lms(&["capture", "--out", "/proc/lms-cannot-write-here", "--fake"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

#[test]
fn help_explains_every_command_and_option() {
    let top = text(&lms(&["--help"]).stdout);
    for needle in [
        "devices",
        "capture",
        "probe",
        "--fake",
        "--config",
        "Exit status",
        "OverconstrainedError",
        "LMS_FAKE_VIDEO_FILE",
    ] {
        assert!(top.contains(needle), "{needle}: {top}");
    }
    let capture = text(&lms(&["capture", "--help"]).stdout);
    for needle in [
        "--video",
        "--audio",
        "--constraints",
        "--duration",
        "--frames",
        "--out",
        "--fake",
        "Ctrl-C",
        "--sample-format",
        "16-bit PCM",
        "f32: 32-bit IEEE float",
    ] {
        assert!(capture.contains(needle), "{needle}: {capture}");
    }
    let probe = text(&lms(&["probe", "--help"]).stdout);
    for needle in ["DEVICE_ID", "--duration", "--json", "jitter"] {
        assert!(probe.contains(needle), "{needle}: {probe}");
    }
}
