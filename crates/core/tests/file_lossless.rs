//! A file device loses nothing: every sample (and every frame of a Y4M or
//! MJPEG file) that does not loop reaches every track that is read, in order,
//! exactly once, whatever the pacing, conversion, queue size or timing, and the
//! track ends only after the last of it has been delivered - or its queue
//! counted as dropped exactly what is missing.
//!
//! Each test opens hundreds of files of varied formats, converting tracks and
//! queue sizes, reads them with a reader that now and then pauses (so the source
//! runs ahead of it), and checks every delivered chunk against the file by its
//! sequence number: delivered chunk `s` is chunk `s` of the file converted by
//! the documented rule (the core's `AudioAdapter` fed the whole file at once,
//! then flushed: `n` frames at rate `a` give `ceil(n * b / a)` frames at rate
//! `b`, the last chunk short rather than padded). `LMS_LOSSLESS_OPENS` scales
//! the number of opens (the default is 1; `scripts/test-under-load` raises it).

mod file_support;

use std::io::Write;
use std::time::Duration;

use file_support::*;
use lms_core::audio::{AudioAdapter, AudioTarget};
use lms_core::{AudioBuffer, MediaDevices, MediaStreamTrack, SampleFormat, Samples, TrackSettings};
use serde_json::{json, Value};

fn scale() -> usize {
    std::env::var("LMS_LOSSLESS_OPENS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1usize)
        .max(1)
}

fn say(line: &str) {
    // Straight to stderr: the test harness's capture would hide the count.
    let _ = writeln!(std::io::stderr(), "{line}");
}

fn devices(file: Value, queue: usize) -> MediaDevices {
    MediaDevices::from_json(
        &json!({"backends": ["file"], "queueSize": queue, "file": file}).to_string(),
    )
    .expect("file configuration")
}

/// The reader: now and then it pauses, so that the source runs ahead of it.
fn pause(cases: &mut Rng) {
    match cases.below(16) {
        0 => std::thread::sleep(Duration::from_millis(2)),
        1 | 2 => std::thread::sleep(Duration::from_micros(200)),
        3 => std::thread::yield_now(),
        _ => {}
    }
}

/// Read until the track ends; every chunk as (sequence, samples as bits).
fn drain_audio(track: &MediaStreamTrack, cases: &mut Rng) -> Vec<(u64, Vec<u32>)> {
    let mut got = Vec::new();
    loop {
        match track.read(Some(Duration::from_secs(30))) {
            Ok(frame) => {
                let a = frame.audio().expect("an audio chunk");
                got.push((frame.sequence(), bits(a)));
            }
            Err(e) => {
                assert_eq!(e.name(), "EndedError", "the track ends, it does not stall");
                return got;
            }
        }
        pause(cases);
    }
}

fn bits(a: &AudioBuffer) -> Vec<u32> {
    match a.samples() {
        Samples::F32(s) => s.iter().map(|x| x.to_bits()).collect(),
        Samples::S16(s) => s.iter().map(|&x| u32::from(x as u16)).collect(),
    }
}

/// The file's samples as the track must get them, chunk by chunk.
fn reference(file: &[f32], rate: u32, channels: u16, target: AudioTarget) -> Vec<Vec<u32>> {
    let mut adapter = AudioAdapter::new(rate, channels, target).expect("adapter");
    let mut input = AudioBuffer::new(
        SampleFormat::F32,
        rate,
        channels,
        file.len() / usize::from(channels),
    );
    if let Samples::F32(s) = input.samples_mut() {
        s.copy_from_slice(file);
    }
    let mut chunks = Vec::new();
    adapter
        .push(&input, &mut |c| chunks.push(bits(c)))
        .expect("push");
    adapter.flush(&mut |c| chunks.push(bits(c))).expect("flush");
    chunks
}

/// Check what one track got against the reference; returns chunks delivered.
/// `from_start`: the track was there before the file started to play (a clone
/// made afterwards may have missed its first chunks, as any late track does).
fn check_audio(
    what: &str,
    got: &[(u64, Vec<u32>)],
    want: &[Vec<u32>],
    track: &MediaStreamTrack,
    frames_out: usize,
    channels: u16,
    from_start: bool,
) -> usize {
    let samples: usize = want.iter().map(Vec::len).sum();
    assert_eq!(
        samples,
        frames_out * usize::from(channels),
        "{what}: the documented length"
    );
    let mut last = None;
    for (sequence, chunk) in got {
        assert!(
            last < Some(*sequence),
            "{what}: chunk {sequence} in order, once"
        );
        last = Some(*sequence);
        let expected = want.get(*sequence as usize).unwrap_or_else(|| {
            panic!(
                "{what}: chunk {sequence} is past the end ({} chunks)",
                want.len()
            )
        });
        assert!(
            chunk == expected,
            "{what}: chunk {sequence} differs from the file"
        );
    }
    let stats = track.stats();
    assert_eq!(
        stats.frames_delivered,
        got.len() as u64,
        "{what}: delivered count"
    );
    let accounted = got.len() as u64 + stats.frames_dropped;
    let message = format!(
        "{what}: delivered {} + dropped {} must be the file's {} chunks",
        got.len(),
        stats.frames_dropped,
        want.len()
    );
    if from_start {
        assert_eq!(accounted, want.len() as u64, "{message}");
    } else {
        assert!(accounted <= want.len() as u64, "{message} at most");
    }
    got.len()
}

#[test]
fn every_sample_of_an_audio_file_reaches_every_track_or_is_counted_as_dropped() {
    let dir = TempDir::new();
    let mut cases = Rng(0x9E37_79B9_7F4A_7C15);
    let opens = 240 * scale();
    let (mut chunks_seen, mut dropped, mut short_last) = (0usize, 0u64, 0usize);
    for open in 0..opens {
        let (kind, bits_per_sample) = cases.pick(&[
            (hound::SampleFormat::Int, 8),
            (hound::SampleFormat::Int, 16),
            (hound::SampleFormat::Int, 24),
            (hound::SampleFormat::Float, 32),
        ]);
        let rate = cases.pick(&[8_000u32, 11_025, 16_000, 22_050, 44_100, 48_000]);
        let channels = cases.pick(&[1u16, 2]);
        // Real time plays a file at its own pace: keep those short.
        let realtime = open % 10 == 9;
        let frames = if realtime {
            1 + cases.below(rate as usize / 20)
        } else {
            1 + cases.below(rate as usize / 4)
        };
        let spec = hound::WavSpec {
            channels,
            sample_rate: rate,
            bits_per_sample,
            sample_format: kind,
        };
        let path = dir.file(&format!("{open}.wav"), b"");
        let file: Vec<f64> = (0..frames * usize::from(channels)).map(wave).collect();
        let samples = write_wav(&path, spec, &file);

        let want_rate = cases.pick(&[rate, rate, 8_000, 16_000, 44_100, 48_000]);
        let want_channels = cases.pick(&[channels, 1, 2]);
        let want_format = cases.pick(&["f32", "s16"]);
        let latency = cases.pick(&[0.010, 0.010, 0.002, 0.005, 0.023, 0.1]);
        let queue = cases.pick(&[1usize, 2, 4, 16, 1024]);
        // The clone is made after the file started to play: only where the file
        // has many more chunks than the read track's queue holds, so that the
        // source (waiting for that queue) cannot have reached the end by then.
        let chunks = (frames as u64 * u64::from(want_rate)).div_ceil(u64::from(rate))
            / lms_core::audio::chunk_frames_for(want_rate, latency) as u64;
        let clone = cases.below(4) == 0 && !realtime && chunks > queue as u64 + 32;
        let pacing = if realtime { "realtime" } else { "none" };
        let what = format!(
            "open {open}: {bits_per_sample}-bit {kind:?} {rate} Hz x{channels}, {frames} frames -> \
             {want_format} {want_rate} Hz x{want_channels} latency {latency}, queue {queue}, {pacing}, clone {clone}"
        );
        let md = devices(
            json!({"audio": format!("{}%noloop", path_str(&path)), "pacing": pacing}),
            queue,
        );
        let constraints = json!({"audio": {
            "sampleRate": {"exact": want_rate},
            "channelCount": {"exact": want_channels},
            "sampleFormat": {"exact": want_format},
            "latency": latency,
        }});
        let track = md
            .get_user_media_json(&constraints.to_string())
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .get_audio_tracks()
            .remove(0);
        // A clone shares the source and its chunks but is read only after the end:
        // its queue keeps the newest, so it must hold the file's last chunk.
        let unread = clone.then(|| track.clone_track());
        let TrackSettings::Audio(s) = track.get_settings() else {
            panic!("{what}: audio settings")
        };
        assert_eq!(
            (s.sample_rate, s.channels, s.sample_format.name()),
            (want_rate, want_channels, want_format),
            "{what}"
        );
        let target = AudioTarget {
            format: s.sample_format,
            sample_rate: s.sample_rate,
            channels: s.channels,
            chunk_frames: s.chunk_frames(),
        };
        let want = reference(&samples, rate, channels, target);
        let frames_out = (frames as u64 * u64::from(want_rate)).div_ceil(u64::from(rate)) as usize;
        let got = drain_audio(&track, &mut cases);
        chunks_seen += check_audio(&what, &got, &want, &track, frames_out, want_channels, true);
        dropped += track.stats().frames_dropped;
        if !realtime && !clone {
            // Unpaced, the source waits for room in the queue of the track that is
            // read. (With a clone that is not read, the source runs as fast as the
            // faster of the two, which is the clone while its queue has room, so
            // then the read track may drop: counted, as checked above.)
            assert_eq!(
                track.stats().frames_dropped,
                0,
                "{what}: unpaced, a track that is read loses nothing"
            );
        }
        if !frames_out.is_multiple_of(target.chunk_frames)
            && got.last().map(|(s, _)| *s as usize) == Some(want.len() - 1)
        {
            short_last += 1;
        }
        if let Some(unread) = unread {
            let mut rest = Vec::new();
            while let Ok(frame) = unread.read(Some(Duration::from_secs(30))) {
                rest.push((frame.sequence(), bits(frame.audio().expect("audio"))));
            }
            let delivered = check_audio(
                &format!("{what} (unread clone)"),
                &rest,
                &want,
                &unread,
                frames_out,
                want_channels,
                false,
            );
            assert!(
                delivered > 0,
                "{what}: the unread clone kept the newest chunks"
            );
            assert_eq!(
                rest.last().map(|(s, _)| *s as usize),
                Some(want.len() - 1),
                "{what}: the unread clone holds the file's last chunk"
            );
        }
    }
    say(&format!(
        "file_lossless audio: {opens} opens, {chunks_seen} chunks checked, {dropped} counted as dropped (real time, or beside an unread clone), {short_last} short last chunks"
    ));
    assert!(short_last > 0, "some files end in a short chunk");
}

/// Read until the track ends; every frame as (sequence, format, planes).
fn drain_video(track: &MediaStreamTrack, cases: &mut Rng) -> Vec<(u64, Vec<Vec<u8>>)> {
    let mut got = Vec::new();
    loop {
        match track.read(Some(Duration::from_secs(30))) {
            Ok(frame) => {
                let v = frame.video().expect("a picture");
                let planes = (0..v.plane_count()).map(|p| v.plane(p).to_vec()).collect();
                got.push((frame.sequence(), planes));
            }
            Err(e) => {
                assert_eq!(e.name(), "EndedError", "the track ends, it does not stall");
                return got;
            }
        }
        pause(cases);
    }
}

#[test]
fn every_frame_of_a_video_file_reaches_every_track_once_in_order() {
    let dir = TempDir::new();
    let mut cases = Rng(0xD1B5_4A32_D192_ED03);
    let opens = 120 * scale();
    let (mut frames_seen, mut dropped) = (0usize, 0u64);
    let colours: Vec<[u8; 3]> = (0..12u16)
        .map(|i| [(i * 20) as u8, (255 - i * 20) as u8, ((i * 53) % 255) as u8])
        .collect();
    let jpegs: Vec<Vec<u8>> = colours.iter().map(|&c| jpeg(32, 16, c)).collect();
    for open in 0..opens {
        let mjpeg = open % 3 == 2;
        let realtime = open % 10 == 9;
        let count = if realtime {
            1 + cases.below(6)
        } else {
            1 + cases.below(40)
        };
        let (w, h) = (32usize, 16usize);
        let tag = cases.pick(&["420", "420jpeg", "422"]);
        let (path, format) = if mjpeg {
            let bytes: Vec<u8> = (0..count)
                .flat_map(|i| jpegs[i % jpegs.len()].clone())
                .collect();
            (
                dir.file(&format!("{open}.mjpeg"), &bytes),
                cases.pick(&["MJPEG", "I420", "NV12"]),
            )
        } else {
            (
                dir.file(&format!("{open}.y4m"), &y4m(w, h, tag, "30:1", count)),
                cases.pick(&["I420", "I420", "NV12"]),
            )
        };
        let half = cases.below(4) == 0 && format != "MJPEG";
        let (tw, th) = if half { (w / 2, h / 2) } else { (w, h) };
        let queue = cases.pick(&[1usize, 2, 4, 16, 1024]);
        let pacing = if realtime { "realtime" } else { "none" };
        let what = format!(
            "open {open}: {} {count} frames -> {format} {tw}x{th}, queue {queue}, {pacing}",
            if mjpeg {
                "MJPEG".to_string()
            } else {
                format!("Y4M {tag}")
            }
        );
        let md = devices(
            json!({"video": format!("{}%noloop", path_str(&path)), "pacing": pacing, "frameRate": 30}),
            queue,
        );
        let constraints = json!({"video": {
            "pixelFormat": {"exact": format},
            "width": {"exact": tw},
            "height": {"exact": th},
        }});
        let track = md
            .get_user_media_json(&constraints.to_string())
            .unwrap_or_else(|e| panic!("{what}: {e}"))
            .get_video_tracks()
            .remove(0);
        let got = drain_video(&track, &mut cases);
        let mut last = None;
        for (sequence, planes) in &got {
            let i = *sequence as usize;
            assert!(i < count, "{what}: frame {i} is past the end");
            assert!(last < Some(i), "{what}: frame {i} in order, once");
            last = Some(i);
            match (mjpeg, format, half) {
                (true, "MJPEG", _) => assert!(
                    planes[0] == jpegs[i % jpegs.len()],
                    "{what}: JPEG {i} passed through untouched"
                ),
                (true, _, false) => {
                    let mean = planes[0].iter().map(|&y| f64::from(y)).sum::<f64>()
                        / planes[0].len() as f64;
                    let want = luma_of(colours[i % colours.len()]);
                    assert!(
                        (mean - want).abs() < 4.0,
                        "{what}: frame {i} luma {mean}, expected {want}"
                    );
                }
                (false, "I420", false) => {
                    let want = expected_i420(w, h, tag, i);
                    assert!(planes[..] == want[..], "{what}: frame {i} pixels exact");
                }
                (false, "NV12", false) => {
                    let want = expected_i420(w, h, tag, i);
                    assert!(planes[0] == want[0], "{what}: frame {i} luma exact");
                }
                _ => {}
            }
        }
        let stats = track.stats();
        assert_eq!(stats.frames_delivered, got.len() as u64, "{what}");
        assert_eq!(
            got.len() as u64 + stats.frames_dropped,
            count as u64,
            "{what}: delivered {} + dropped {} must be the file's {count} frames",
            got.len(),
            stats.frames_dropped
        );
        assert_eq!(
            last,
            Some(count - 1),
            "{what}: the last frame arrives (a queue keeps the newest)"
        );
        if !realtime {
            assert_eq!(
                stats.frames_dropped, 0,
                "{what}: unpaced, a track that is read loses nothing"
            );
        }
        frames_seen += got.len();
        dropped += stats.frames_dropped;
    }
    say(&format!(
        "file_lossless video: {opens} opens, {frames_seen} frames checked, {dropped} counted as dropped (real time only)"
    ));
}
