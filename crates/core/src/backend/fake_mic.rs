//! What a fake microphone hears: its sine (the default), white noise, both, or nothing, plus
//! optionally an echo of the far end ([`crate::audio::render`]) as a speaker next to it would
//! give: the rendered audio played at the microphone's pace, delayed and attenuated. With
//! these, noise suppression, gain control and echo cancellation are testable without
//! hardware.

use std::collections::VecDeque;
use std::sync::Arc;

use crate::audio::convert::f32_to_s16;
use crate::audio::render::{subscribe, FarEndTap, FAR_END_RATE};
use crate::audio::{AudioAdapter, AudioTarget, Tone};
use crate::frame::{AudioBuffer, SampleFormat, Samples};

/// The fake microphone's own signal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FakeSignal {
    /// The sine (`toneHz`, `amplitude`).
    Tone,
    /// White noise (`noiseAmplitude`).
    Noise,
    /// The sine plus white noise.
    ToneAndNoise,
    /// Nothing (only the echo, if any).
    Silence,
    /// Something like a voice (`amplitude`): a buzz at a gliding pitch near 130 Hz, in
    /// syllables of 200 ms with 100 ms pauses; what gain control takes for speech.
    Voice,
}

impl FakeSignal {
    /// The names the configuration takes: `tone`, `noise`, `tone+noise`, `silence`.
    pub fn from_name(name: &str) -> Option<FakeSignal> {
        match name {
            "tone" => Some(FakeSignal::Tone),
            "noise" => Some(FakeSignal::Noise),
            "tone+noise" => Some(FakeSignal::ToneAndNoise),
            "silence" => Some(FakeSignal::Silence),
            "voice" => Some(FakeSignal::Voice),
            _ => None,
        }
    }
}

/// A speaker heard by the microphone: what [`crate::audio::render`] was given, `delay_ms`
/// after it was played and scaled by `gain`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FakeEcho {
    pub delay_ms: f64,
    pub gain: f32,
}

/// How a fake microphone sounds (the audio part of
/// [`FakeAudioConfig`](crate::config::FakeAudioConfig)).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FakeSound {
    pub signal: FakeSignal,
    pub tone_hz: f64,
    /// Peak of the sine, 0..=1 (default 0.5).
    pub amplitude: f32,
    /// Peak of the noise, 0..=1 (default 0.05).
    pub noise_amplitude: f32,
    pub echo: Option<FakeEcho>,
}

impl Default for FakeSound {
    fn default() -> Self {
        FakeSound {
            signal: FakeSignal::Tone,
            tone_hz: 440.0,
            amplitude: 0.5,
            noise_amplitude: 0.05,
            echo: None,
        }
    }
}

/// The most far-end audio the speaker holds before it drops the oldest (1 s).
const SPEAKER_SECONDS: usize = 1;

/// Generates a fake microphone's chunks.
#[derive(Debug)]
pub struct MicSignal {
    sound: FakeSound,
    tone: Tone,
    noise: Noise,
    voice: Voice,
    channels: usize,
    echo: Option<EchoPath>,
    /// One chunk of the mix, as floats (made on first use).
    mix: Vec<f32>,
}

impl MicSignal {
    /// The signal of a microphone running at `rate` Hz with `channels` channels.
    pub fn new(sound: &FakeSound, rate: u32, channels: u16) -> MicSignal {
        MicSignal {
            sound: *sound,
            tone: Tone::new(sound.tone_hz, rate, channels, sound.amplitude),
            noise: Noise::default(),
            voice: Voice::new(rate),
            channels: usize::from(channels.max(1)),
            echo: sound.echo.and_then(|e| EchoPath::new(e, rate)),
            mix: Vec::new(),
        }
    }

    /// Fill the next chunk (interleaved, every channel the same).
    pub fn fill(&mut self, out: &mut Samples) {
        if self.sound.signal == FakeSignal::Tone && self.echo.is_none() {
            // The plain sine, exactly as it has always been.
            self.tone.fill(out);
            return;
        }
        let len = match out {
            Samples::F32(v) => v.len(),
            Samples::S16(v) => v.len(),
        };
        let mut mix = std::mem::take(&mut self.mix);
        mix.resize(len, 0.0);
        let mut tone = Samples::F32(mix);
        match self.sound.signal {
            FakeSignal::Tone | FakeSignal::ToneAndNoise => self.tone.fill(&mut tone),
            FakeSignal::Noise | FakeSignal::Silence | FakeSignal::Voice => {
                if let Samples::F32(v) = &mut tone {
                    v.fill(0.0);
                }
            }
        }
        let Samples::F32(mut mix) = tone else {
            return;
        };
        let noisy = matches!(
            self.sound.signal,
            FakeSignal::Noise | FakeSignal::ToneAndNoise
        );
        let peak = self.sound.noise_amplitude;
        for frame in mix.chunks_mut(self.channels) {
            let mut x = 0.0;
            if noisy {
                x += self.noise.next() * peak;
            }
            if self.sound.signal == FakeSignal::Voice {
                x += self.voice.next() * self.sound.amplitude;
            }
            if let Some(echo) = &mut self.echo {
                x += echo.next();
            }
            for s in frame {
                *s = (*s + x).clamp(-1.0, 1.0);
            }
        }
        match out {
            Samples::F32(v) => v.copy_from_slice(&mix),
            Samples::S16(v) => {
                for (o, x) in v.iter_mut().zip(&mix) {
                    *o = f32_to_s16(*x);
                }
            }
        }
        self.mix = mix;
    }

    /// Take what was rendered since the last chunk (call once per chunk, before `fill`).
    pub fn listen(&mut self) {
        if let Some(echo) = &mut self.echo {
            echo.listen();
        }
    }
}

/// Uniform white noise in [-1, 1) from a fixed seed (xorshift32): the same every run.
#[derive(Debug, Clone)]
struct Noise(u32);

impl Default for Noise {
    fn default() -> Self {
        Noise(0x9E37_79B9)
    }
}

impl Noise {
    fn next(&mut self) -> f32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        (x as f32 / u32::MAX as f32) * 2.0 - 1.0
    }
}

/// A voice-like buzz: the first 20 harmonics of a pitch gliding around 130 Hz (1/k
/// amplitudes), in syllables of 200 ms with smooth edges and 100 ms pauses. Peaks near 1.
#[derive(Debug, Clone)]
struct Voice {
    rate: f64,
    /// Frames so far.
    frame: u64,
    /// Phase of the fundamental, in cycles.
    phase: f64,
}

impl Voice {
    fn new(rate: u32) -> Voice {
        Voice {
            rate: f64::from(rate.max(1)),
            frame: 0,
            phase: 0.0,
        }
    }

    fn next(&mut self) -> f32 {
        use std::f64::consts::TAU;
        let t = self.frame as f64 / self.rate;
        self.frame += 1;
        let pitch = 130.0 * (1.0 + 0.1 * (TAU * 0.7 * t).sin());
        self.phase = (self.phase + pitch / self.rate).fract();
        let in_syllable = (t % 0.3) / 0.2;
        let envelope = if in_syllable < 1.0 {
            (std::f64::consts::PI * in_syllable).sin()
        } else {
            0.0
        };
        let buzz: f64 = (1..=20)
            .map(|k| (TAU * self.phase * f64::from(k)).sin() / f64::from(k))
            .sum();
        (0.5 * envelope * buzz) as f32
    }
}

/// The far end through a speaker: played at the microphone's pace, delayed, attenuated.
#[derive(Debug)]
struct EchoPath {
    tap: Arc<FarEndTap>,
    /// Far-end blocks to the microphone's rate.
    adapter: AudioAdapter,
    /// Played next, at the microphone's rate.
    speaker: VecDeque<f32>,
    speaker_max: usize,
    /// What was played, `delay` frames ago first.
    delay: VecDeque<f32>,
    gain: f32,
}

impl EchoPath {
    fn new(echo: FakeEcho, rate: u32) -> Option<EchoPath> {
        let adapter = AudioAdapter::new(
            FAR_END_RATE,
            1,
            AudioTarget {
                format: SampleFormat::F32,
                sample_rate: rate,
                channels: 1,
                chunk_frames: (rate as usize / 100).max(1),
            },
        )
        .ok()?;
        let delay_frames = (echo.delay_ms.clamp(0.0, 1000.0) * f64::from(rate) / 1000.0) as usize;
        let speaker_max = rate as usize * SPEAKER_SECONDS;
        Some(EchoPath {
            tap: subscribe(),
            adapter,
            speaker: VecDeque::with_capacity(speaker_max + rate as usize / 10),
            speaker_max,
            delay: std::iter::repeat_n(0.0, delay_frames).collect(),
            gain: echo.gain,
        })
    }

    fn listen(&mut self) {
        let EchoPath {
            tap,
            adapter,
            speaker,
            speaker_max,
            ..
        } = self;
        while let Some(block) = tap.pop() {
            let mut buf = AudioBuffer::new(SampleFormat::F32, FAR_END_RATE, 1, block.len());
            if let Samples::F32(v) = buf.samples_mut() {
                v.copy_from_slice(&block);
            }
            let _ = adapter.push(&buf, &mut |chunk: &AudioBuffer| {
                if let Samples::F32(v) = chunk.samples() {
                    speaker.extend(v.iter().copied());
                }
            });
            while speaker.len() > *speaker_max {
                speaker.pop_front();
            }
        }
    }

    fn next(&mut self) -> f32 {
        let played = self.speaker.pop_front().unwrap_or(0.0);
        self.delay.push_back(played);
        self.delay.pop_front().unwrap_or(0.0) * self.gain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(signal: &mut MicSignal, frames: usize) -> Vec<f32> {
        let mut s = Samples::F32(vec![0.0; frames]);
        signal.fill(&mut s);
        match s {
            Samples::F32(v) => v,
            Samples::S16(_) => unreachable!("filled an F32 buffer"),
        }
    }

    #[test]
    fn the_default_sound_is_the_plain_tone() {
        let mut mic = MicSignal::new(&FakeSound::default(), 48_000, 1);
        let mut tone = Tone::new(440.0, 48_000, 1, 0.5);
        let mut expected = Samples::F32(vec![0.0; 480]);
        tone.fill(&mut expected);
        assert_eq!(Samples::F32(fill(&mut mic, 480)), expected);
    }

    #[test]
    fn noise_is_white_bounded_and_the_same_every_run() {
        let sound = FakeSound {
            signal: FakeSignal::Noise,
            noise_amplitude: 0.1,
            ..Default::default()
        };
        let a = fill(&mut MicSignal::new(&sound, 48_000, 1), 48_000);
        let b = fill(&mut MicSignal::new(&sound, 48_000, 1), 48_000);
        assert_eq!(a, b);
        assert!(a.iter().all(|x| x.abs() <= 0.1));
        let rms = (a.iter().map(|x| x * x).sum::<f32>() / a.len() as f32).sqrt();
        // Uniform in [-0.1, 0.1]: RMS 0.1 / sqrt(3).
        assert!((rms - 0.0577).abs() < 0.003, "{rms}");
    }
}
