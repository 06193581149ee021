//! System-audio loopback from the command line, the acceptance test: a null
//! sink ("music") plays a 1 kHz tone (pacat); `lms devices` lists its monitor
//! as a microphone and the sink as an output, and `lms capture` of the
//! monitor writes an audio.wav that measures 1 kHz.
//!
//! Each command runs under tests/support/pulse-loopback (a private PulseAudio
//! with that sink and tone; `PULSE_SERVER` and `LMS_AUDIO_HOST=pulseaudio` set
//! for the command) with `LMS_BACKENDS=cpal`, so only the sound server's
//! devices are listed. Missing pulseaudio / pulseaudio-utils fail the tests
//! (scripts/setup installs them): they are never skipped.
#![cfg(target_os = "linux")]

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use lms_core::audio::testing::{channel, estimate_frequency};
use support::{out_dir, s, text};

const MONITOR: &str = "cpal:music.monitor";
const OUTPUT: &str = "cpal:music";
const TONE_HZ: f64 = 1000.0;

fn wrapper() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/support/pulse-loopback")
}

/// `lms args` under the wrapper, with only the cpal backend.
fn lms_with_pulse(args: &[&str]) -> Output {
    let out = Command::new(wrapper())
        .arg(env!("CARGO_BIN_EXE_lms"))
        .args(args)
        .env("LMS_BACKENDS", "cpal")
        .env_remove("LMS_FAKE_DEVICES")
        .env_remove("LMS_FAKE_VIDEO_FILE")
        .env_remove("LMS_FAKE_AUDIO_FILE")
        .output()
        .expect("run tests/support/pulse-loopback");
    println!(
        "$ lms {}\n{}{}",
        args.join(" "),
        text(&out.stdout),
        text(&out.stderr)
    );
    out
}

#[test]
fn devices_lists_the_monitor_as_a_microphone_and_the_sink_as_an_output() {
    let out = lms_with_pulse(&["devices"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    let row = |id: &str| -> Vec<String> {
        let line = table
            .lines()
            .find(|l| l.split_whitespace().next() == Some(id))
            .unwrap_or_else(|| panic!("no row for {id}:\n{table}"));
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    let monitor = row(MONITOR);
    assert_eq!(monitor[1..3], ["audioinput", "Monitor of Music"], "{table}");
    assert!(monitor[3].contains("48000 Hz"), "{table}");
    let output = row(OUTPUT);
    assert_eq!(output[1..3], ["audiooutput", "Music"], "{table}");
    assert!(output[3].contains("output"), "{table}");
    let at = |id: &str| table.find(&format!("{id} ")).expect("listed");
    assert!(at(MONITOR) < at(OUTPUT), "inputs first:\n{table}");
}

#[test]
fn devices_json_lists_the_monitor_with_capabilities_and_the_output_without() {
    let out = lms_with_pulse(&["devices", "--json"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let devices: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).expect("JSON");
    let find = |id: &str| {
        devices
            .iter()
            .find(|d| d["deviceId"] == id)
            .unwrap_or_else(|| panic!("no {id} in {devices:?}"))
    };
    let monitor = find(MONITOR);
    assert_eq!(monitor["kind"], "audioinput");
    assert_eq!(monitor["label"], "Monitor of Music");
    assert_eq!(monitor["capabilities"]["deviceId"], MONITOR);
    let output = find(OUTPUT);
    assert_eq!(output["kind"], "audiooutput");
    assert_eq!(output["label"], "Music");
    assert!(output["capabilities"].is_null(), "{output}");
    let kinds: Vec<&str> = devices
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds
            .iter()
            .skip_while(|k| **k == "audioinput")
            .all(|k| *k == "audiooutput"),
        "only microphones then outputs: {kinds:?}"
    );
}

/// A 16-bit PCM WAV file: (channels, rate, samples in [-1, 1] interleaved).
fn read_wav_s16(path: &Path) -> (usize, u32, Vec<f32>) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!((&b[0..4], &b[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    let u16_at = |at: usize| u16::from_le_bytes([b[at], b[at + 1]]);
    let u32_at = |at: usize| u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
    let (mut format, mut data) = (None, None);
    let mut at = 12;
    while at + 8 <= b.len() {
        let size = u32_at(at + 4) as usize;
        match &b[at..at + 4] {
            b"fmt " => {
                format = Some((
                    u16_at(at + 8),
                    u16_at(at + 10),
                    u32_at(at + 12),
                    u16_at(at + 22),
                ))
            }
            b"data" => data = Some(&b[at + 8..(at + 8 + size).min(b.len())]),
            _ => {}
        }
        at += 8 + size + size % 2;
    }
    let (tag, channels, rate, bits) = format.expect("a fmt chunk");
    assert_eq!((tag, bits), (1, 16), "16-bit PCM");
    let samples = data
        .expect("a data chunk")
        .chunks_exact(2)
        .map(|p| f32::from(i16::from_le_bytes([p[0], p[1]])) / 32768.0)
        .collect();
    (usize::from(channels), rate, samples)
}

#[test]
fn capture_of_the_monitor_writes_a_wav_at_1_khz() {
    let dir = out_dir("loopback");
    let constraints = format!(r#"{{"audio": {{"deviceId": {{"exact": "{MONITOR}"}}}}}}"#);
    let out = lms_with_pulse(&[
        "capture",
        "--constraints",
        &constraints,
        "--duration",
        "1s",
        "--out",
        s(&dir),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("Monitor of Music")
            || text(&out.stdout).contains("Monitor of Music"),
        "the capture names the monitor"
    );
    let wav = dir.join("audio.wav");
    let (channels, rate, samples) = read_wav_s16(&wav);
    assert_eq!(samples.len() / channels, rate as usize, "1 s of audio");
    let left = channel(&samples, channels, 0);
    // Each 10 ms on its own (10 periods of the tone): a glitch of a loaded
    // machine spoils one block, not the measurement.
    let block = rate as usize / 100;
    let mut hz: Vec<f64> = left
        .chunks_exact(block)
        .map(|c| estimate_frequency(c, rate))
        .collect();
    let near = hz.iter().filter(|f| (**f - TONE_HZ).abs() < 1.0).count();
    hz.sort_by(f64::total_cmp);
    let median = hz[hz.len() / 2];
    let whole = estimate_frequency(&left, rate);
    let peak = left.iter().fold(0f32, |m, v| m.max(v.abs()));
    println!(
        "audio.wav: {channels} ch {rate} Hz; median 10 ms block {median:.3} Hz, {near} of {} blocks \
         within 1 Hz, whole file {whole:.3} Hz, peak {peak:.3}",
        hz.len()
    );
    assert!(peak > 0.1, "the monitor hears the tone: peak {peak}");
    assert!((median - TONE_HZ).abs() < 1.0, "{hz:?}");
    assert!(near * 10 >= hz.len() * 9, "{hz:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn capture_of_the_output_itself_is_overconstrained() {
    let dir = out_dir("loopback-output");
    let constraints = format!(r#"{{"audio": {{"deviceId": {{"exact": "{OUTPUT}"}}}}}}"#);
    let out = lms_with_pulse(&[
        "capture",
        "--constraints",
        &constraints,
        "--duration",
        "1s",
        "--out",
        s(&dir),
    ]);
    assert_eq!(
        out.status.code(),
        Some(14),
        "OverconstrainedError's exit status"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("OverconstrainedError") && stderr.contains("deviceId"),
        "{stderr}"
    );
    assert!(!dir.join("audio.wav").exists());
    let _ = std::fs::remove_dir_all(&dir);
}
