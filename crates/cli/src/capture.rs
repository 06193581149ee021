//! `lms capture`: record a camera and a microphone into files, with a live
//! progress line, until a duration or frame count is reached, the tracks end,
//! or Ctrl-C.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use lms_core::clock::monotonic_us;
use lms_core::{Error, MediaKind, MediaStreamTrack, ReadyState, Samples, TrackSettings};
use serde_json::json;

use crate::exit::CliError;
use crate::outputs::{AudioOut, VideoOut};
use crate::progress::{Progress, Status};
use crate::setup::Setup;
use crate::CaptureArgs;

/// Frames a track may hold while the files are written (a disk hiccup is not a drop).
const CAPTURE_QUEUE: usize = 32;
/// How long a duration capture waits past its end for audio still on its way.
const AUDIO_GRACE: Duration = Duration::from_secs(1);
/// A device that delivers nothing for this long has stalled.
const STALL: Duration = Duration::from_secs(5);
/// How long the loop sleeps when no frame is waiting.
const POLL: Duration = Duration::from_millis(2);
/// The files of a capture, removed first so that none is left from an earlier one.
const OUTPUTS: [&str; 4] = ["video.y4m", "video.mjpeg", "audio.wav", "snapshot.png"];

/// When a capture stops.
#[derive(Debug, Clone, Copy)]
enum Until {
    Elapsed(Duration),
    Frames(u64),
}

/// Why the capture loop ended.
#[derive(Debug)]
enum Stop {
    Done,
    Interrupted,
    Ended(String),
    Stalled(&'static str),
    Failed(CliError),
}

pub fn run(setup: &Setup, args: &CaptureArgs) -> Result<(), CliError> {
    let until = match (args.frames, args.duration) {
        (Some(n), _) => Until::Frames(n),
        (None, Some(d)) => Until::Elapsed(d),
        (None, None) => Until::Elapsed(Duration::from_secs(5)),
    };
    prepare(&args.out)?;
    let md = setup.devices(Some(CAPTURE_QUEUE))?;
    let constraints = match &args.constraints {
        Some(c) => c.clone(),
        None if args.video || args.audio => {
            json!({"video": args.video, "audio": args.audio}).to_string()
        }
        None => {
            // Neither asked: every kind that has a device (both, on most machines).
            let devices = md.enumerate_devices()?;
            let has = |kind: MediaKind| devices.iter().any(|d| d.kind == kind && !d.output);
            let (video, audio) = (has(MediaKind::Video), has(MediaKind::Audio));
            json!({"video": video || !audio, "audio": audio}).to_string()
        }
    };
    let stream = md.get_user_media_json(&constraints)?;
    let video = stream.get_video_tracks().into_iter().next();
    let audio = stream.get_audio_tracks().into_iter().next();
    for track in video.iter().chain(&audio) {
        println!(
            "{}: \"{}\" ({}) {}",
            track.kind().as_str(),
            track.label(),
            track.device().device_id,
            describe(&track.get_settings())
        );
    }

    let interrupted = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&interrupted);
    if let Err(e) = ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst)) {
        eprintln!("lms: Ctrl-C will not stop the capture cleanly: {e}");
    }

    let fps = video
        .as_ref()
        .and_then(|t| t.get_settings().video().map(|v| v.frame_rate))
        .unwrap_or(30.0);
    let mut recorder = Recorder {
        video: video.as_ref().map(|t| (t, VideoOut::new(&args.out, fps))),
        audio: audio
            .as_ref()
            .map(|t| (t, AudioOut::new(&args.out, args.sample_format))),
        until,
    };
    let stop = recorder.run(&interrupted);
    stream.stop();
    let Recorder {
        video: v, audio: a, ..
    } = recorder;
    let video_result = v.map(|(_, out)| out.finish()).transpose()?.flatten();
    let audio_result = a.map(|(_, out)| out.finish()).transpose()?.flatten();
    if let Some(video) = &video_result {
        println!("video: {} frames -> {}", video.frames, video.path.display());
        if let Some((png, sequence)) = &video.snapshot {
            println!("snapshot: frame {sequence} -> {}", png.display());
        }
    }
    if let Some((path, seconds)) = &audio_result {
        println!(
            "audio: {seconds:.2} s, {} -> {}",
            args.sample_format.describe(),
            path.display()
        );
    }
    match stop {
        Stop::Done => Ok(()),
        Stop::Interrupted => {
            println!("stopped by Ctrl-C");
            Ok(())
        }
        Stop::Ended(why) if video_result.is_some() || audio_result.is_some() => {
            println!("{why}");
            Ok(())
        }
        Stop::Ended(why) => Err(Error::Ended(format!("nothing was captured: {why}")).into()),
        Stop::Stalled(kind) => {
            eprintln!(
                "lms: the {kind} device delivered nothing for {} s",
                STALL.as_secs()
            );
            Err(Error::Timeout(STALL.as_millis() as u64).into())
        }
        Stop::Failed(e) => Err(e),
    }
}

/// Make the folder and remove the files of an earlier capture.
fn prepare(dir: &Path) -> Result<(), CliError> {
    std::fs::create_dir_all(dir).map_err(|e| CliError::output(dir, e))?;
    for name in OUTPUTS {
        let path = dir.join(name);
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(CliError::output(&path, e)),
        }
    }
    Ok(())
}

/// `640x480 I420 30 fps` / `48000 Hz 1 ch f32`.
pub fn describe(settings: &TrackSettings) -> String {
    match settings {
        TrackSettings::Video(v) => format!(
            "{}x{} {} {} fps",
            v.width,
            v.height,
            v.pixel_format.name(),
            v.frame_rate
        ),
        TrackSettings::Audio(a) => format!(
            "{} Hz {} ch {}",
            a.sample_rate,
            a.channels,
            a.sample_format.name()
        ),
    }
}

struct Recorder<'a> {
    video: Option<(&'a MediaStreamTrack, VideoOut)>,
    audio: Option<(&'a MediaStreamTrack, AudioOut)>,
    until: Until,
}

/// How far one kind has got.
#[derive(Default)]
struct Kind {
    done: bool,
    ended: Option<String>,
    last_arrival: Option<Instant>,
}

impl Recorder<'_> {
    fn run(&mut self, interrupted: &AtomicBool) -> Stop {
        let start = Instant::now();
        let start_us = monotonic_us();
        let mut progress = Progress::new();
        let (mut v, mut a) = (Kind::default(), Kind::default());
        (v.done, a.done) = (self.video.is_none(), self.audio.is_none());
        let (mut shown_frames, mut shown_at, mut peak, mut shown_peak) = (0u64, start, 0f32, 0f32);
        let mut last_flush = start;
        let stop = loop {
            if interrupted.load(Ordering::SeqCst) {
                break Stop::Interrupted;
            }
            let now = Instant::now();
            let (mut busy, mut failed) = (false, None);
            if let (Some((track, out)), false) = (self.video.as_mut(), v.done) {
                while let Some(frame) = track.try_read() {
                    (v.last_arrival, busy) = (Some(now), true);
                    if let Until::Elapsed(d) = self.until {
                        if frame.timestamp_us() - start_us >= d.as_micros() as i64 {
                            v.done = true;
                            break;
                        }
                    }
                    if let Err(e) = out.write(&frame) {
                        failed = Some(e);
                        break;
                    }
                    if matches!(self.until, Until::Frames(n) if out.frames() >= n) {
                        v.done = true;
                        break;
                    }
                }
                if let Until::Elapsed(d) = self.until {
                    v.done |= now >= start + d + AUDIO_GRACE;
                }
                v.check_end(track);
            }
            if let (Some((track, out)), false) = (self.audio.as_mut(), a.done) {
                let rate = track
                    .get_settings()
                    .audio()
                    .map_or(48_000, |s| s.sample_rate);
                while let Some(chunk) = track.try_read() {
                    (a.last_arrival, busy) = (Some(now), true);
                    let Some(buf) = chunk.audio() else { continue };
                    peak = peak.max(chunk_peak(buf.samples()));
                    let target = match self.until {
                        Until::Elapsed(d) => {
                            Some((d.as_secs_f64() * f64::from(rate)).round() as u64)
                        }
                        Until::Frames(n) if self.video.is_none() => {
                            Some(n.saturating_mul(buf.frames() as u64))
                        }
                        Until::Frames(_) => None,
                    };
                    let room = target.map(|t| t.saturating_sub(out.frames()));
                    if let Err(e) = out.write(buf, room) {
                        failed = Some(e);
                        break;
                    }
                    if target.is_some_and(|t| out.frames() >= t) {
                        a.done = true;
                        break;
                    }
                }
                // Audio beside video stops with it; a duration capture waits a little for late chunks.
                a.done |= matches!(self.until, Until::Frames(_)) && self.video.is_some() && v.done;
                if let Until::Elapsed(d) = self.until {
                    a.done |= now >= start + d + AUDIO_GRACE;
                }
                a.check_end(track);
            }
            if let Some(e) = failed {
                break Stop::Failed(e);
            }
            if v.done && a.done {
                break match v.ended.clone().or(a.ended.clone()) {
                    Some(why) => Stop::Ended(why),
                    None => Stop::Done,
                };
            }
            if let Some(kind) = [("video", &v), ("audio", &a)]
                .into_iter()
                .find(|(_, k)| {
                    !k.done && now.duration_since(k.last_arrival.unwrap_or(start)) > STALL
                })
                .map(|(kind, _)| kind)
            {
                break Stop::Stalled(kind);
            }
            if progress.due() {
                let frames = self.video.as_ref().map_or(0, |(_, o)| o.frames());
                let secs = now.duration_since(shown_at).as_secs_f64().max(1e-3);
                progress.show(&self.status(start, (frames - shown_frames) as f64 / secs, peak));
                (shown_frames, shown_at, shown_peak, peak) = (frames, now, peak, 0.0);
            }
            if now.duration_since(last_flush) >= Duration::from_secs(1) {
                // Keep the WAV header current, so even a killed capture leaves a readable file.
                if let Some(Err(e)) = self.audio.as_mut().map(|(_, out)| out.flush()) {
                    break Stop::Failed(e);
                }
                if let Some(Err(e)) = self.video.as_mut().map(|(_, out)| out.flush()) {
                    break Stop::Failed(e);
                }
                last_flush = now;
            }
            if !busy {
                std::thread::sleep(POLL);
            }
        };
        let frames = self.video.as_ref().map_or(0, |(_, o)| o.frames());
        let secs = start.elapsed().as_secs_f64().max(1e-3);
        progress.done(&self.status(start, frames as f64 / secs, peak.max(shown_peak)));
        stop
    }

    fn status(&self, start: Instant, fps: f64, peak: f32) -> Status {
        Status {
            elapsed: start.elapsed(),
            video: self
                .video
                .as_ref()
                .map(|(t, o)| (o.frames(), fps, t.stats().frames_dropped)),
            audio: self
                .audio
                .as_ref()
                .map(|(t, o)| (o.seconds(), peak, t.stats().frames_dropped)),
        }
    }
}

impl Kind {
    /// A track that ended is done once its queue is drained: the first time
    /// the end is seen, one more round reads what it still holds.
    fn check_end(&mut self, track: &MediaStreamTrack) {
        if self.done || track.ready_state() != ReadyState::Ended {
            return;
        }
        if self.ended.is_some() {
            self.done = true;
        } else {
            self.ended = Some(format!(
                "the {} track ended (at the end of its file, or its device was lost)",
                track.kind().as_str()
            ));
        }
    }
}

/// The largest absolute sample of a chunk, in 0..=1.
fn chunk_peak(samples: &Samples) -> f32 {
    match samples {
        Samples::F32(s) => s.iter().fold(0.0f32, |m, x| m.max(x.abs())),
        Samples::S16(s) => s
            .iter()
            .fold(0.0f32, |m, &x| m.max(f32::from(x).abs() / 32767.0)),
    }
}
