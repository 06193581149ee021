//! What `lms capture` writes as DIR/audio.wav, read byte by byte: 16-bit PCM
//! (format tag 1) by default, 32-bit IEEE float (format tag 3) with
//! `--sample-format f32`, WAVE_FORMAT_EXTENSIBLE only for more than 2
//! channels; exactly round(duration x rate) sample frames; and every variant
//! plays back through the file device sample for sample.
//!
//! The fake microphone runs unpaced here, so no assertion depends on how
//! busy the machine is.

mod support;

use std::path::{Path, PathBuf};

use lms_core::audio::testing::{channel, estimate_frequency};
use serde_json::json;
use support::{lms, out_dir, s, text};

const PCM: u16 = 1;
const IEEE_FLOAT: u16 = 3;
const EXTENSIBLE: u16 = 0xFFFE;

/// A WAV file as its bytes say, without any WAV library.
#[derive(Debug)]
struct Wav {
    /// wFormatTag: bytes 20-21 of the file.
    tag: u16,
    /// The SubFormat GUID's first two bytes (the real format) of an EXTENSIBLE file.
    subformat: Option<u16>,
    channels: u16,
    sample_rate: u32,
    bits: u16,
    /// The `fact` chunk's sample frame count, if there is one.
    fact_frames: Option<u32>,
    /// Sample frames in the data chunk.
    frames: usize,
    /// The samples, interleaved, in [-1, 1] (16-bit as x / 32767).
    samples: Vec<f32>,
    /// The samples as 16-bit integers (16-bit files only).
    s16: Vec<i16>,
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn read_wav(path: &Path) -> Wav {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!((&b[0..4], &b[8..12]), (&b"RIFF"[..], &b"WAVE"[..]));
    assert_eq!(
        u32_at(&b, 4) as usize,
        b.len() - 8,
        "the RIFF size is the file's"
    );
    assert_eq!(&b[12..16], b"fmt ", "the format chunk comes first");
    let mut wav = Wav {
        tag: u16_at(&b, 20),
        subformat: None,
        channels: u16_at(&b, 22),
        sample_rate: u32_at(&b, 24),
        bits: u16_at(&b, 34),
        fact_frames: None,
        frames: 0,
        samples: Vec::new(),
        s16: Vec::new(),
    };
    let block_align = usize::from(u16_at(&b, 32));
    assert_eq!(block_align, usize::from(wav.channels * wav.bits / 8));
    assert_eq!(
        u32_at(&b, 28),
        wav.sample_rate * block_align as u32,
        "byte rate"
    );
    if wav.tag == EXTENSIBLE {
        assert_eq!(
            (u32_at(&b, 16), u16_at(&b, 36)),
            (40, 22),
            "fmt size, cbSize"
        );
        wav.subformat = Some(u16_at(&b, 44));
        assert_eq!(
            &b[46..60],
            &[0, 0, 0, 0, 0x10, 0, 0x80, 0, 0, 0xAA, 0, 0x38, 0x9B, 0x71],
            "a KSDATAFORMAT_SUBTYPE GUID"
        );
    }
    let mut at = 20 + u32_at(&b, 16) as usize;
    loop {
        let (id, size) = (&b[at..at + 4], u32_at(&b, at + 4) as usize);
        match id {
            b"fact" => wav.fact_frames = Some(u32_at(&b, at + 8)),
            b"data" => {
                let data = &b[at + 8..at + 8 + size];
                assert_eq!(at + 8 + size, b.len(), "the data chunk ends the file");
                wav.frames = size / block_align;
                match wav.subformat.unwrap_or(wav.tag) {
                    PCM => {
                        assert_eq!(wav.bits, 16);
                        wav.s16 = data
                            .chunks_exact(2)
                            .map(|x| i16::from_le_bytes([x[0], x[1]]))
                            .collect();
                        wav.samples = wav.s16.iter().map(|&x| f32::from(x) / 32767.0).collect();
                    }
                    IEEE_FLOAT => {
                        assert_eq!(wav.bits, 32);
                        wav.samples = data
                            .chunks_exact(4)
                            .map(|x| f32::from_le_bytes([x[0], x[1], x[2], x[3]]))
                            .collect();
                    }
                    other => panic!("format {other}"),
                }
                return wav;
            }
            other => panic!("unexpected chunk {other:?} at byte {at}"),
        }
        at += 8 + size;
    }
}

/// `lms capture --audio` from `source` with `args`, into `dir`: must succeed;
/// returns DIR/audio.wav.
fn capture(dir: &Path, source: &[String], args: &[&str]) -> PathBuf {
    let mut all = vec!["capture", "--audio", "--out", s(dir)];
    all.extend(source.iter().map(String::as_str));
    all.extend(args);
    let out = lms(&all);
    assert!(out.status.success(), "{all:?}: {}", text(&out.stderr));
    dir.join("audio.wav")
}

/// The fake microphone, unpaced: the capture takes what it asks for at once.
fn fake_mic(channels: u16) -> Vec<String> {
    vec![
        "--fake".into(),
        "--config".into(),
        json!({"fake": {"pacing": "none"}}).to_string(),
        "--constraints".into(),
        json!({"audio": {"channelCount": {"exact": channels}}}).to_string(),
    ]
}

#[test]
fn audio_wav_is_16_bit_pcm_by_default_and_ieee_float_on_request_exactly_as_long_as_asked() {
    let cases: [(&[&str], u16, u16, Option<u32>); 3] = [
        (&[], PCM, 16, None),
        (&["--sample-format", "s16"], PCM, 16, None),
        (&["--sample-format", "f32"], IEEE_FLOAT, 32, Some(48_000)),
    ];
    for (format_args, tag, bits, fact) in cases {
        for channels in [1u16, 2] {
            let dir = out_dir("format");
            let args = [&["--duration", "1s"], format_args].concat();
            let wav = read_wav(&capture(&dir, &fake_mic(channels), &args));
            let what = format!("{format_args:?} {channels} ch");
            assert_eq!(wav.tag, tag, "{what}: format tag (bytes 20-21)");
            assert_eq!(
                (wav.sample_rate, wav.channels, wav.bits),
                (48_000, channels, bits),
                "{what}"
            );
            assert_eq!(
                wav.frames, 48_000,
                "{what}: 1 s at 48 kHz is round(1 x 48000) frames"
            );
            assert_eq!(wav.fact_frames, fact, "{what}: float has a fact chunk");
            for c in 0..usize::from(channels) {
                let tone = channel(&wav.samples, usize::from(channels), c);
                let hz = estimate_frequency(&tone, 48_000);
                assert!(
                    (hz - 440.0).abs() < 0.1,
                    "{what}: channel {c} plays {hz} Hz"
                );
                let peak = tone.iter().fold(0f32, |m, x| m.max(x.abs()));
                assert!(peak > 0.1 && peak <= 1.0, "{what}: peak {peak}");
            }
        }
    }
}

#[test]
fn a_duration_that_is_not_a_whole_chunk_still_gives_round_duration_times_rate_frames() {
    let dir = out_dir("duration");
    let wav = read_wav(&capture(&dir, &fake_mic(1), &["--duration", "1.23456s"]));
    assert_eq!(
        wav.frames, 59_259,
        "round(1.23456 x 48000) = round(59258.88)"
    );
}

/// A 4-channel 16 kHz file of 0.5 s: a different tone on each channel.
fn four_channel_source(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir).expect("folder");
    let path = dir.join("source.wav");
    let spec = hound::WavSpec {
        channels: 4,
        sample_rate: 16_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut w = hound::WavWriter::create(&path, spec).expect("source.wav");
    for i in 0..8_000 {
        for hz in [300.0, 500.0, 700.0, 900.0] {
            let x = (2.0 * std::f64::consts::PI * hz * f64::from(i) / 16_000.0).sin() * 0.5;
            w.write_sample((x * 32767.0).round() as i16)
                .expect("sample");
        }
    }
    w.finalize().expect("source.wav");
    path
}

/// The file device playing `path` once, unpaced, at its own rate and channel count.
fn file_device(path: &Path, rate: u32, channels: u16) -> Vec<String> {
    vec![
        "--config".into(),
        json!({"backends": ["file"], "file": {"audio": format!("{}%noloop", s(path)), "pacing": "none"}})
            .to_string(),
        "--constraints".into(),
        json!({"audio": {"sampleRate": {"exact": rate}, "channelCount": {"exact": channels}}})
            .to_string(),
        // Longer than any file here: the end of the file stops the capture.
        "--duration".into(),
        "10s".into(),
    ]
}

#[test]
fn more_than_two_channels_are_wave_format_extensible_in_both_sample_formats() {
    let dir = out_dir("extensible");
    let source = four_channel_source(&dir);
    for (format, subformat, bits) in [("s16", PCM, 16), ("f32", IEEE_FLOAT, 32)] {
        let wav = read_wav(&capture(
            &dir.join(format),
            &file_device(&source, 16_000, 4),
            &["--sample-format", format],
        ));
        assert_eq!(
            (wav.tag, wav.subformat),
            (EXTENSIBLE, Some(subformat)),
            "{format}"
        );
        assert_eq!(
            (wav.sample_rate, wav.channels, wav.bits),
            (16_000, 4, bits),
            "{format}"
        );
        assert_eq!(
            wav.frames, 8_000,
            "{format}: the whole file, 50 chunks of 10 ms"
        );
        for (c, hz) in [300.0, 500.0, 700.0, 900.0].into_iter().enumerate() {
            let got = estimate_frequency(&channel(&wav.samples, 4, c), 16_000);
            assert!(
                (got - hz).abs() < 0.1,
                "{format}: channel {c} plays {got} Hz, not {hz}"
            );
        }
    }
    let source = read_wav(&source);
    let copy = read_wav(&dir.join("s16").join("audio.wav"));
    assert_eq!(
        copy.s16, source.s16,
        "16-bit samples through the file device and back are untouched"
    );
}

#[test]
fn every_variant_lms_capture_writes_plays_back_through_the_file_device_sample_for_sample() {
    let dir = out_dir("playback");
    let source = four_channel_source(&dir);
    for format in ["s16", "f32"] {
        // Mono and stereo from the fake microphone, 4 channels from a file.
        let sources: [(Vec<String>, u32, u16); 3] = [
            (fake_mic(1), 48_000, 1),
            (fake_mic(2), 48_000, 2),
            (file_device(&source, 16_000, 4), 16_000, 4),
        ];
        for (from, rate, channels) in sources {
            let what = format!("{format} {channels} ch");
            let first_dir = dir.join(format!("{format}-{channels}"));
            let mut args = vec!["--sample-format", format];
            if channels < 4 {
                args.extend(["--duration", "0.5s"]);
            }
            let first_path = capture(&first_dir, &from, &args);
            let first = read_wav(&first_path);
            assert!(first.frames >= 8_000, "{what}: {} frames", first.frames);

            let again = read_wav(&capture(
                &first_dir.join("again"),
                &file_device(&first_path, rate, channels),
                &["--sample-format", format],
            ));
            assert_eq!(
                (again.tag, again.subformat),
                (first.tag, first.subformat),
                "{what}"
            );
            assert_eq!(
                (again.sample_rate, again.channels),
                (rate, channels),
                "{what}"
            );
            // The last chunk of a file that ends is padded with silence.
            let n = first.samples.len();
            assert!(again.frames >= first.frames, "{what}");
            assert_eq!(
                again.samples[..n],
                first.samples[..],
                "{what}: every sample as written"
            );
            assert!(
                again.samples[n..].iter().all(|&x| x == 0.0),
                "{what}: then silence"
            );
        }
    }
}

#[test]
fn an_unknown_sample_format_is_a_usage_error_naming_the_flag_and_its_values() {
    let dir = out_dir("bad-format");
    let out = lms(&[
        "capture",
        "--fake",
        "--sample-format",
        "s24",
        "--out",
        s(&dir),
    ]);
    assert_eq!(out.status.code(), Some(2), "a bad command line");
    let stderr = text(&out.stderr);
    for needle in ["s24", "--sample-format", "s16", "f32"] {
        assert!(stderr.contains(needle), "{needle}: {stderr}");
    }
    assert!(!dir.join("audio.wav").exists(), "nothing captured");
}
