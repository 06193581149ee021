//! Real speech for the audio processing tests and benchmark (issue 18): sentences spoken by
//! Debian's `espeak-ng` (22050 Hz mono s16), resampled to 48 kHz with the core's own
//! `AudioAdapter`, and the scenes built from them: a near end that hears an echo of the far
//! end through a synthetic room, speech in white noise, quiet speech. Each scene is played
//! through an unpaced file microphone (a float WAV in a temp dir) and measured against the
//! signals it was made of.
//!
//! Shared by `tests/speech_processing.rs` and `benches/audio_processing.rs` (by `#[path]`).
#![allow(dead_code)]

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lms_core::audio::{render, AudioAdapter, AudioTarget};
use lms_core::{AudioBuffer, MediaDevices, SampleFormat, Samples};
use serde_json::{json, Value};

/// The rate every scene is made and played at.
pub const RATE: u32 = 48_000;
/// 10 ms at [`RATE`]: the blocks the processing works in, and the unit of level frames.
pub const BLOCK: usize = 480;
/// Where the echo is heard after the far end is played: 80 ms.
pub const ECHO_DELAY: usize = 80 * RATE as usize / 1000;
/// Length of the synthetic room's impulse response: 200 ms.
pub const ROOM_LEN: usize = 200 * RATE as usize / 1000;
/// RT60 of the synthetic room: 150 ms.
pub const ROOM_RT60_S: f64 = 0.150;
/// The echo's level against the far end's (over the whole far end).
pub const ECHO_DB: f64 = -8.0;
/// The queue of the tracks that play scenes: the file runs at most this many 10 ms chunks
/// (plus the one being processed) ahead of the reader.
const QUEUE: usize = 1;
/// Far-end blocks rendered ahead of the chunks read: more than the file can run ahead of
/// the reader ([`QUEUE`] queued, one being processed, one in flight), well inside the far
/// end's 500 ms queue, and less than [`ECHO_DELAY`], so the canceller always has the far end
/// before the microphone hears it.
const RENDER_LEAD_BLOCKS: usize = QUEUE + 3;

pub fn seconds(s: f64) -> usize {
    (s * f64::from(RATE)).round() as usize
}

pub fn db(ratio: f64) -> f64 {
    10.0 * ratio.log10()
}

/// Mean square of `x` (0 when empty).
pub fn energy(x: &[f32]) -> f64 {
    x.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>() / x.len().max(1) as f64
}

/// Mean square of `x` over the 10 ms frames `frames` (indices of [`BLOCK`]-sized frames).
pub fn energy_over(x: &[f32], frames: &[usize]) -> f64 {
    let total: f64 = frames
        .iter()
        .map(|&f| energy(&x[(f * BLOCK).min(x.len())..((f + 1) * BLOCK).min(x.len())]))
        .sum();
    total / frames.len().max(1) as f64
}

/// The 10 ms frames of `clean` inside `range` where speech is active: within 30 dB of its
/// loudest frame.
pub fn active_frames(clean: &[f32], range: Range<usize>) -> Vec<usize> {
    let frames: Vec<usize> = (range.start.div_ceil(BLOCK)..range.end / BLOCK).collect();
    let loudest = frames
        .iter()
        .map(|&f| energy(&clean[f * BLOCK..(f + 1) * BLOCK]))
        .fold(0.0, f64::max);
    frames
        .into_iter()
        .filter(|&f| energy(&clean[f * BLOCK..(f + 1) * BLOCK]) >= loudest * 1e-3)
        .collect()
}

/// A fresh directory under the system's temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "lms-speech-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `text` spoken by espeak-ng's `voice` into `path` (22050 Hz mono s16 WAV). An error says
/// how to install espeak-ng when it is missing.
pub fn espeak_wav(voice: &str, text: &str, path: &Path) -> Result<(), String> {
    let status = Command::new("espeak-ng")
        .arg("-w")
        .arg(path)
        .args(["-v", voice, text])
        .status()
        .map_err(|e| {
            format!(
                "cannot run espeak-ng ({e}): the speech tests need it; install it with \
                 `apt-get install espeak-ng` (scripts/setup installs it)"
            )
        })?;
    if !status.success() {
        return Err(format!("espeak-ng -v {voice} failed: {status}"));
    }
    Ok(())
}

/// The samples of a mono s16 WAV file, as they are stored.
pub fn read_s16(path: &Path) -> (u32, Vec<i16>) {
    let mut reader = hound::WavReader::open(path).expect("espeak-ng's WAV");
    let spec = reader.spec();
    assert_eq!(
        (spec.channels, spec.bits_per_sample, spec.sample_format),
        (1, 16, hound::SampleFormat::Int),
        "espeak-ng writes mono s16"
    );
    let samples = reader
        .samples::<i16>()
        .collect::<Result<Vec<_>, _>>()
        .expect("WAV samples");
    (spec.sample_rate, samples)
}

/// `samples` (mono, `rate` Hz) at [`RATE`], through the core's `AudioAdapter`.
pub fn to_48k(samples: &[f32], rate: u32) -> Vec<f32> {
    let target = AudioTarget {
        format: SampleFormat::F32,
        sample_rate: RATE,
        channels: 1,
        chunk_frames: BLOCK,
    };
    let mut adapter = AudioAdapter::new(rate, 1, target).expect("resampler");
    let mut input = AudioBuffer::new(SampleFormat::F32, rate, 1, samples.len());
    if let Samples::F32(s) = input.samples_mut() {
        s.copy_from_slice(samples);
    }
    let mut out = Vec::with_capacity(samples.len() * RATE as usize / rate as usize + BLOCK);
    let mut keep = |c: &AudioBuffer| {
        if let Samples::F32(s) = c.samples() {
            out.extend_from_slice(s);
        }
    };
    adapter.push(&input, &mut keep).expect("resample");
    adapter.flush(&mut keep).expect("resample tail");
    out
}

/// `text` spoken by `voice`, at [`RATE`], without the silence espeak-ng puts around it,
/// scaled so that its active frames ([`active_frames`]) have an RMS of `dbfs`.
pub fn speech(dir: &Path, voice: &str, text: &str, dbfs: f64) -> Result<Vec<f32>, String> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = dir.join(format!(
        "espeak-{}.wav",
        NEXT.fetch_add(1, Ordering::SeqCst)
    ));
    espeak_wav(voice, text, &path)?;
    let (rate, raw) = read_s16(&path);
    let raw: Vec<f32> = raw.iter().map(|&x| f32::from(x) / 32768.0).collect();
    let mut s = to_48k(&raw, rate);
    let loud = |x: &f32| x.abs() > 1e-3;
    let start = s.iter().position(loud).unwrap_or(0);
    let end = s.iter().rposition(loud).map_or(0, |e| e + 1);
    s.truncate(end);
    s.drain(..start.min(s.len()));
    assert!(s.len() > RATE as usize, "espeak-ng said too little: {text}");
    let level = energy_over(&s, &active_frames(&s, 0..s.len()));
    let gain = (10f64.powf(dbfs / 10.0) / level).sqrt() as f32;
    s.iter_mut().for_each(|x| *x *= gain);
    Ok(s)
}

/// Add `src` into `dst` from `at` on (growing `dst`); the range it covers.
pub fn place(dst: &mut Vec<f32>, src: &[f32], at: usize) -> Range<usize> {
    if dst.len() < at + src.len() {
        dst.resize(at + src.len(), 0.0);
    }
    for (d, s) in dst[at..].iter_mut().zip(src) {
        *d += s;
    }
    at..at + src.len()
}

/// A deterministic uniform noise in -1..1 (xorshift32).
pub struct Noise(u32);

impl Noise {
    pub fn new(seed: u32) -> Noise {
        Noise(seed.max(1))
    }
    pub fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 17;
        self.0 ^= self.0 << 5;
        (f64::from(self.0) / f64::from(u32::MAX) * 2.0 - 1.0) as f32
    }
}

/// In-place radix-2 FFT of (`re`, `im`) (length a power of two); the inverse is scaled.
fn fft(re: &mut [f64], im: &mut [f64], inverse: bool) {
    let n = re.len();
    let mut j = 0;
    for i in 1..n {
        let mut bit = n >> 1;
        while j & bit != 0 {
            j ^= bit;
            bit >>= 1;
        }
        j |= bit;
        if i < j {
            re.swap(i, j);
            im.swap(i, j);
        }
    }
    let mut len = 2;
    while len <= n {
        let angle = std::f64::consts::TAU / len as f64 * if inverse { 1.0 } else { -1.0 };
        let (wr, wi) = (angle.cos(), angle.sin());
        for start in (0..n).step_by(len) {
            let (mut cr, mut ci) = (1.0, 0.0);
            for k in 0..len / 2 {
                let (a, b) = (start + k, start + k + len / 2);
                let (xr, xi) = (re[b] * cr - im[b] * ci, re[b] * ci + im[b] * cr);
                (re[b], im[b]) = (re[a] - xr, im[a] - xi);
                re[a] += xr;
                im[a] += xi;
                (cr, ci) = (cr * wr - ci * wi, cr * wi + ci * wr);
            }
        }
        len <<= 1;
    }
    if inverse {
        let scale = 1.0 / n as f64;
        re.iter_mut().chain(im.iter_mut()).for_each(|x| *x *= scale);
    }
}

/// `x` convolved with `h` (full length), by FFT.
pub fn convolve(x: &[f32], h: &[f32]) -> Vec<f32> {
    let out = x.len() + h.len() - 1;
    let n = out.next_power_of_two();
    let (mut xr, mut xi) = (vec![0.0; n], vec![0.0; n]);
    let (mut hr, mut hi) = (vec![0.0; n], vec![0.0; n]);
    xr.iter_mut().zip(x).for_each(|(d, s)| *d = f64::from(*s));
    hr.iter_mut().zip(h).for_each(|(d, s)| *d = f64::from(*s));
    fft(&mut xr, &mut xi, false);
    fft(&mut hr, &mut hi, false);
    for k in 0..n {
        (xr[k], xi[k]) = (xr[k] * hr[k] - xi[k] * hi[k], xr[k] * hi[k] + xi[k] * hr[k]);
    }
    fft(&mut xr, &mut xi, true);
    xr[..out].iter().map(|v| *v as f32).collect()
}

/// A synthetic room: [`ROOM_LEN`] samples of white noise decaying by 60 dB every
/// [`ROOM_RT60_S`], after a direct path (its first sample).
pub fn room_response() -> Vec<f32> {
    let mut noise = Noise::new(0x5eed_1234);
    let decay = -6.908 / (ROOM_RT60_S * f64::from(RATE));
    let mut h: Vec<f32> = (0..ROOM_LEN)
        .map(|n| noise.next() * 0.3 * (decay * n as f64).exp() as f32)
        .collect();
    h[0] = 1.0;
    h
}

/// The echo scene: a far-end talker (A) the near end hears through the room, and a
/// near-end talker (B), in clearly separated segments.
pub struct EchoScene {
    /// What the far end plays (given to `render()`).
    pub far: Vec<f32>,
    /// The far end as the microphone hears it: delayed [`ECHO_DELAY`], through the room.
    pub echo: Vec<f32>,
    /// Talker B as the microphone hears it.
    pub near: Vec<f32>,
    /// What the microphone records (echo + near): the file played.
    pub mic: Vec<f32>,
    /// Only the echo is heard (talker A and its room tail; B silent): after the first
    /// 2 s of the file.
    pub far_only: Vec<Range<usize>>,
    /// Only B is heard (the far end silent, its echo died away).
    pub near_only: Range<usize>,
    /// Both are heard.
    pub double_talk: Range<usize>,
}

/// The sentences talker A (the far end) says: about 10 s, then 4 s, then 4 s.
pub const FAR_TEXTS: [&str; 3] = [
    "The birch canoe slid on the smooth planks. Glue the sheet to the dark blue background. \
     It is easy to tell the depth of a well. These days a chicken leg is a rare dish.",
    "The box was thrown beside the parked truck. The hogs were fed chopped corn and garbage.",
    "The boy was there when the sun rose. A rod is used to catch pink salmon.",
];
/// The sentences talker B (the near end) says, alone and then over A.
pub const NEAR_TEXTS: [&str; 2] = [
    "Rice is often served in round bowls. The juice of lemons makes fine punch.",
    "Four hours of steady work faced us. A large size in stockings is hard to sell.",
];
pub const FAR_VOICE: &str = "en-us";
pub const NEAR_VOICE: &str = "en+f3";

impl EchoScene {
    /// Layout: 0.3 s of silence; A alone (~10 s); 0.8 s; B alone (~4 s); 0.5 s; A and B
    /// together (B from 0.5 s into A); 0.8 s; A alone (~4 s); 0.5 s.
    pub fn new(dir: &Path) -> Result<EchoScene, String> {
        let a: Vec<Vec<f32>> = FAR_TEXTS
            .iter()
            .map(|t| speech(dir, FAR_VOICE, t, -20.0))
            .collect::<Result<_, _>>()?;
        let b: Vec<Vec<f32>> = NEAR_TEXTS
            .iter()
            .map(|t| speech(dir, NEAR_VOICE, t, -24.0))
            .collect::<Result<_, _>>()?;
        let (mut far, mut near) = (Vec::new(), Vec::new());
        let a1 = place(&mut far, &a[0], seconds(0.3));
        let b1 = place(&mut near, &b[0], a1.end + seconds(0.8));
        let a2 = place(&mut far, &a[1], b1.end + seconds(0.5));
        let b2 = place(&mut near, &b[1], a2.start + seconds(0.5));
        let a3 = place(&mut far, &a[2], a2.end.max(b2.end) + seconds(0.8));
        let total = (a3.end + seconds(0.5)).next_multiple_of(BLOCK);
        far.resize(total, 0.0);
        near.resize(total, 0.0);
        // The echo: the far end through the room, delayed, at ECHO_DB below the far end.
        let mut echo = vec![0.0; ECHO_DELAY];
        echo.extend(convolve(&far, &room_response()));
        echo.truncate(total);
        let gain = (10f64.powf(ECHO_DB / 10.0) * energy(&far) / energy(&echo)).sqrt() as f32;
        echo.iter_mut().for_each(|x| *x *= gain);
        let mic: Vec<f32> = echo.iter().zip(&near).map(|(e, n)| e + n).collect();
        let tail = ECHO_DELAY + ROOM_LEN;
        Ok(EchoScene {
            far,
            echo,
            near,
            mic,
            far_only: vec![
                seconds(2.0).max(a1.start)..a1.end + tail,
                a3.start..a3.end + tail,
            ],
            near_only: b1.clone(),
            double_talk: (a2.start + ECHO_DELAY).max(b2.start)..(a2.end + ECHO_DELAY).min(b2.end),
        })
    }
}

/// What echo cancellation did to an [`EchoScene`].
#[derive(Debug, Clone, Copy)]
pub struct EchoFigures {
    /// Echo return loss enhancement over the far-end-only segments (dB): the raw echo's
    /// energy over the processed output's.
    pub erle: f64,
    /// The same for each far-end-only segment.
    pub erle_segments: [f64; 2],
    /// The processed level over the near-end-only segment against the raw level (dB).
    pub near_change: f64,
    /// During double talk: the processed level against B's alone (dB), and the raw
    /// recording's against B's alone.
    pub double_talk_kept: f64,
    pub double_talk_raw: f64,
}

impl EchoScene {
    pub fn figures(&self, out: &[f32]) -> EchoFigures {
        let cut =
            |x: &[f32], r: &Range<usize>| x[r.start.min(x.len())..r.end.min(x.len())].to_vec();
        let erle_over = |ranges: &[Range<usize>]| {
            let raw: Vec<f32> = ranges.iter().flat_map(|r| cut(&self.echo, r)).collect();
            let done: Vec<f32> = ranges.iter().flat_map(|r| cut(out, r)).collect();
            db(energy(&raw) / energy(&done).max(1e-20))
        };
        let level = |x: &[f32], r: &Range<usize>| energy(&cut(x, r));
        EchoFigures {
            erle: erle_over(&self.far_only),
            erle_segments: [
                erle_over(&self.far_only[..1]),
                erle_over(&self.far_only[1..]),
            ],
            near_change: db(level(out, &self.near_only) / level(&self.mic, &self.near_only)),
            double_talk_kept: db(
                level(out, &self.double_talk) / level(&self.near, &self.double_talk)
            ),
            double_talk_raw: db(
                level(&self.mic, &self.double_talk) / level(&self.near, &self.double_talk)
            ),
        }
    }
}

/// Speech in stationary white noise at 5 dB SNR over the speech's active frames.
pub struct NoiseScene {
    pub clean: Vec<f32>,
    pub noise: Vec<f32>,
    /// clean + noise: the file played.
    pub mic: Vec<f32>,
    /// Noise alone: the first after 1 s of it (the suppressor learns the noise), the
    /// others from 0.3 s after the speech before them.
    pub noise_only: Vec<Range<usize>>,
    /// The speech's active frames.
    pub speech_frames: Vec<usize>,
}

pub const NOISE_SNR_DB: f64 = 5.0;

impl NoiseScene {
    /// Layout: 2 s of noise; sentences (~10 s); 2 s of noise; sentences (~4 s); 2 s of noise.
    pub fn new(dir: &Path) -> Result<NoiseScene, String> {
        let s1 = speech(dir, FAR_VOICE, FAR_TEXTS[0], -20.0)?;
        let s2 = speech(dir, NEAR_VOICE, NEAR_TEXTS[0], -20.0)?;
        let mut clean = Vec::new();
        let r1 = place(&mut clean, &s1, seconds(2.0));
        let r2 = place(&mut clean, &s2, r1.end + seconds(2.0));
        let total = (r2.end + seconds(2.0)).next_multiple_of(BLOCK);
        clean.resize(total, 0.0);
        let mut speech_frames = active_frames(&clean, r1.clone());
        speech_frames.extend(active_frames(&clean, r2.clone()));
        let speech_level = energy_over(&clean, &speech_frames);
        let mut rng = Noise::new(0x0dd_ba11);
        let mut noise: Vec<f32> = (0..total).map(|_| rng.next()).collect();
        let gain = (speech_level / 10f64.powf(NOISE_SNR_DB / 10.0) / energy(&noise)).sqrt() as f32;
        noise.iter_mut().for_each(|x| *x *= gain);
        let mic = clean.iter().zip(&noise).map(|(s, n)| s + n).collect();
        Ok(NoiseScene {
            clean,
            noise,
            mic,
            noise_only: vec![
                seconds(1.0)..r1.start,
                r1.end + seconds(0.3)..r2.start,
                r2.end + seconds(0.3)..total,
            ],
            speech_frames,
        })
    }

    /// The SNR of the file over the speech's active frames (dB).
    pub fn snr(&self) -> f64 {
        db(energy_over(&self.clean, &self.speech_frames)
            / energy_over(&self.noise, &self.speech_frames))
    }
}

/// What noise suppression did to a [`NoiseScene`].
#[derive(Debug, Clone)]
pub struct NoiseFigures {
    /// How much quieter each noise-only segment is than in the file (dB).
    pub noise_reduction: Vec<f64>,
    /// The processed level over the speech's active frames against the clean speech's (dB).
    pub speech_vs_clean: f64,
    /// ... and against the file's (speech + noise) over the same frames (dB).
    pub speech_vs_raw: f64,
}

impl NoiseScene {
    pub fn figures(&self, out: &[f32]) -> NoiseFigures {
        let cut =
            |x: &[f32], r: &Range<usize>| x[r.start.min(x.len())..r.end.min(x.len())].to_vec();
        let speech = energy_over(out, &self.speech_frames);
        NoiseFigures {
            noise_reduction: self
                .noise_only
                .iter()
                .map(|r| db(energy(&cut(&self.mic, r)) / energy(&cut(out, r)).max(1e-20)))
                .collect(),
            speech_vs_clean: db(speech / energy_over(&self.clean, &self.speech_frames)),
            speech_vs_raw: db(speech / energy_over(&self.mic, &self.speech_frames)),
        }
    }
}

/// Write `samples` (mono, [`RATE`]) as a 32-bit float WAV file.
pub fn write_f32_wav(path: &Path, samples: &[f32]) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: RATE,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).expect("create WAV");
    for &x in samples {
        w.write_sample(x).expect("write WAV");
    }
    w.finalize().expect("finish WAV");
}

/// An instance with one unpaced file microphone playing `path` once.
pub fn file_mic(path: &Path) -> MediaDevices {
    let audio = format!("{}%noloop", path.to_str().expect("utf-8 temp path"));
    MediaDevices::from_json(
        &json!({"backends": ["file"], "queueSize": QUEUE,
                "file": {"audio": audio, "pacing": "none"}})
        .to_string(),
    )
    .expect("file configuration")
}

/// Play the WAV file at `path` through a file microphone with the track constraints
/// `audio`, and return every sample the track delivers (f32, mono) until the file ends.
///
/// With `far`, the far end is fed through `render()` as capture proceeds: before each
/// chunk is read, the far end is rendered up to [`RENDER_LEAD_BLOCKS`] blocks past what has
/// been read (silence once `far` is over), so it is never behind what the processing
/// reaches and never further ahead than the echo's delay.
pub fn play(path: &Path, audio: Value, far: Option<&[f32]>) -> Vec<f32> {
    let md = file_mic(path);
    let stream = md
        .get_user_media_json(&json!({ "audio": audio }).to_string())
        .expect("a file microphone track");
    let track = stream.get_audio_tracks()[0].clone();
    let mut out = Vec::new();
    let mut rendered = 0;
    let silence = [0.0f32; BLOCK];
    loop {
        if let Some(far) = far {
            while rendered < out.len() + RENDER_LEAD_BLOCKS * BLOCK {
                let block = far.get(rendered..rendered + BLOCK).unwrap_or(&silence);
                render(block, RATE, 1).expect("render");
                rendered += BLOCK;
            }
        }
        match track.read(Some(Duration::from_secs(30))) {
            Ok(frame) => match frame.audio().expect("audio").samples() {
                Samples::F32(s) => out.extend_from_slice(s),
                Samples::S16(_) => panic!("asked for f32"),
            },
            Err(e) => {
                assert_eq!(e.name(), "EndedError", "the file plays to its end: {e}");
                break;
            }
        }
    }
    assert_eq!(track.stats().frames_dropped, 0, "no chunk is lost");
    track.stop();
    out
}
