//! Audio processing: echo cancellation, noise suppression and automatic gain control, with
//! `sonora` (a pure-Rust port of WebRTC's audio processing module: AEC3, NS, AGC2).
//!
//! [`Processing`] is what a track asked for (part of its
//! [`AudioSettings`](crate::settings::AudioSettings)). A [`Processor`] runs one distinct
//! processing on a source's audio, on the capture thread, before each track's own resampling
//! and chunking: it cuts the device's chunks into 10 ms blocks (at the device's rate when
//! 10 ms is a whole number of frames there, else resampled to 48 kHz first), processes each
//! block and hands it on. Tracks without processing never go through it, so they stay
//! sample-exact.
//!
//! The echo canceller's reference is the far end ([`crate::audio::render`]): before each
//! capture block the processor takes every far-end block rendered since, without waiting.
//!
//! A processed track's chunks are dated like a raw track's, from the device chunk that
//! completed them (a block held back until the next device chunk, when the device's chunks
//! are not whole 10 ms blocks, is dated up to 10 ms late); when a file source ends, the
//! last partial 10 ms block is not processed.

use std::sync::Arc;

use serde_json::{json, Value};
use sonora::config::{
    AdaptiveDigital, EchoCanceller, GainController2, MaxProcessingRate, NoiseSuppression,
    NoiseSuppressionLevel, Pipeline,
};
use sonora::{AudioProcessing, Config, StreamConfig};

use crate::audio::render::{subscribe_to, FarEnd, FarEndTap, FAR_END_BLOCK, FAR_END_RATE};
use crate::audio::{AudioAdapter, AudioTarget};
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, SampleFormat, Samples};

/// `echoCancellation`: off, on (`true`: we decide what to cancel), or one of the
/// specification's `EchoCancellationModeEnum` values.
///
/// `true` and `"remote-only"` cancel the far end the application gives
/// [`crate::audio::render`]. `"all"` cancels everything the system plays: the default
/// output's monitor is recorded while such a track runs (with a sound server: the cpal
/// backend, [`crate::audio::render::FarEnd::System`]) and is its far end (it holds what the
/// application plays too); where nothing can record the system's output, `"all"` cancels
/// what `true` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum EchoCancellation {
    /// `false`.
    #[default]
    Off,
    /// `true`.
    On,
    /// `"all"`.
    All,
    /// `"remote-only"`.
    RemoteOnly,
}

impl EchoCancellation {
    /// Every value, in the order capabilities list them.
    pub const ALL: [EchoCancellation; 4] = [
        EchoCancellation::On,
        EchoCancellation::Off,
        EchoCancellation::All,
        EchoCancellation::RemoteOnly,
    ];

    /// The value as `getSettings()` and `getCapabilities()` give it: `true`, `false`,
    /// `"all"`, `"remote-only"`.
    pub fn to_json(self) -> Value {
        match self {
            EchoCancellation::Off => json!(false),
            EchoCancellation::On => json!(true),
            EchoCancellation::All => json!("all"),
            EchoCancellation::RemoteOnly => json!("remote-only"),
        }
    }

    /// The token the constraints engine uses for it: `"false"`, `"true"`, `"all"`,
    /// `"remote-only"` (see [`crate::constraints`]).
    pub fn token(self) -> &'static str {
        match self {
            EchoCancellation::Off => "false",
            EchoCancellation::On => "true",
            EchoCancellation::All => "all",
            EchoCancellation::RemoteOnly => "remote-only",
        }
    }

    /// The value of a token (see [`EchoCancellation::token`]).
    pub fn from_token(token: &str) -> Option<EchoCancellation> {
        EchoCancellation::ALL
            .into_iter()
            .find(|e| e.token() == token)
    }

    /// Whether echo is cancelled.
    pub fn is_on(self) -> bool {
        self != EchoCancellation::Off
    }
}

/// The processing a track asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Processing {
    pub echo_cancellation: EchoCancellation,
    pub noise_suppression: bool,
    pub auto_gain_control: bool,
}

impl Processing {
    /// No processing: the device's samples as they are (fake and file microphones' default).
    pub const OFF: Processing = Processing {
        echo_cancellation: EchoCancellation::Off,
        noise_suppression: false,
        auto_gain_control: false,
    };

    /// All three on, as browsers do by default (real microphones' default).
    pub const ON: Processing = Processing {
        echo_cancellation: EchoCancellation::On,
        noise_suppression: true,
        auto_gain_control: true,
    };

    /// Whether nothing is done to the samples.
    pub fn is_off(&self) -> bool {
        self.key() == ProcessingKey::default()
    }

    /// What is actually done (two tracks with the same key share one processor).
    pub(crate) fn key(&self) -> ProcessingKey {
        ProcessingKey {
            echo: match self.echo_cancellation {
                EchoCancellation::Off => None,
                EchoCancellation::On | EchoCancellation::RemoteOnly => Some(FarEnd::Application),
                EchoCancellation::All => Some(FarEnd::System),
            },
            noise: self.noise_suppression,
            gain: self.auto_gain_control,
        }
    }
}

/// The work a processor does: `true` and `"remote-only"` cancel the same far end (the
/// application's), `"all"` the system's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub(crate) struct ProcessingKey {
    /// The far end echo is cancelled from, if any.
    pub echo: Option<FarEnd>,
    pub noise: bool,
    pub gain: bool,
}

/// The rate a processor runs at for a device at `rate`: the device's own when 10 ms is a
/// whole number of frames there (sonora takes 8..384 kHz in 10 ms blocks), else 48 kHz.
pub fn processing_rate(rate: u32) -> u32 {
    if rate.is_multiple_of(100) && (8_000..=384_000).contains(&rate) {
        rate
    } else {
        48_000
    }
}

/// One distinct processing of one source's audio. [`Processor::push`] never waits (the far
/// end is taken without blocking), and our part of it allocates nothing after the first
/// chunks; sonora itself allocates while processing (about 43 small allocations per 10 ms
/// block for AEC3, 11 for AGC2, none for NS: `tests/processing_allocations.rs`).
pub struct Processor {
    apm: AudioProcessing,
    rate: u32,
    channels: u16,
    /// Device chunks to 10 ms `f32` blocks at `rate` (resampling only when the device's rate
    /// is not `rate`).
    blocks_in: AudioAdapter,
    /// Deinterleaved input and output of one block, per channel (at most two).
    planes: [(Vec<f32>, Vec<f32>); 2],
    /// Where sonora copies the far end it was given (unused).
    far_scratch: Vec<f32>,
    /// The processed blocks of the last [`Processor::push`]; the first `ready` are valid.
    blocks_out: Vec<AudioBuffer>,
    ready: usize,
    far_end: Option<Arc<FarEndTap>>,
}

impl std::fmt::Debug for Processor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Processor")
            .field("rate", &self.rate)
            .field("channels", &self.channels)
            .field("echo", &self.far_end.is_some())
            .finish()
    }
}

impl Processor {
    /// A processor for a device delivering `src_rate` Hz and `src_channels` channels. Its
    /// blocks have the device's channels (stereo at most: more are mixed down to two).
    pub fn new(processing: Processing, src_rate: u32, src_channels: u16) -> Result<Processor> {
        Processor::with_key(processing.key(), src_rate, src_channels)
    }

    /// A processor doing `key`'s work (see [`Processor::new`]).
    pub(crate) fn with_key(
        key: ProcessingKey,
        src_rate: u32,
        src_channels: u16,
    ) -> Result<Processor> {
        let rate = processing_rate(src_rate);
        // Stereo at most: more channels are mixed down before and up again after.
        let channels = src_channels.clamp(1, 2);
        let block = (rate / 100) as usize;
        let blocks_in = AudioAdapter::new(
            src_rate,
            src_channels,
            AudioTarget {
                format: SampleFormat::F32,
                sample_rate: rate,
                channels,
                chunk_frames: block,
            },
        )?;
        let config = Config {
            // WebRTC's voice settings: processing at up to 32 kHz (content above 16 kHz is
            // not kept on processed tracks) on the mono mix, copied to every channel:
            // about 9 ms of CPU per second of 48 kHz audio for all three (benches/).
            pipeline: Pipeline {
                maximum_internal_processing_rate: MaxProcessingRate::Rate32kHz,
                multi_channel_capture: false,
                multi_channel_render: false,
                ..Default::default()
            },
            echo_canceller: key.echo.map(|_| EchoCanceller::default()),
            noise_suppression: key.noise.then(|| NoiseSuppression {
                level: NoiseSuppressionLevel::High,
                ..Default::default()
            }),
            gain_controller2: key.gain.then(|| GainController2 {
                adaptive_digital: Some(AdaptiveDigital::default()),
                ..Default::default()
            }),
            ..Default::default()
        };
        let apm = AudioProcessing::builder()
            .config(config)
            .capture_config(StreamConfig::new(rate, channels))
            .render_config(StreamConfig::new(FAR_END_RATE, 1))
            .build();
        Ok(Processor {
            apm,
            rate,
            channels,
            blocks_in,
            planes: [
                (vec![0.0; block], vec![0.0; block]),
                (vec![0.0; block], vec![0.0; block]),
            ],
            far_scratch: vec![0.0; FAR_END_BLOCK],
            blocks_out: Vec::new(),
            ready: 0,
            far_end: key.echo.map(subscribe_to),
        })
    }

    /// The rate of the processed blocks (Hz).
    pub fn rate(&self) -> u32 {
        self.rate
    }

    /// The channels of the processed blocks.
    pub fn channels(&self) -> u16 {
        self.channels
    }

    /// Frames in one processed block (10 ms).
    pub fn block_frames(&self) -> usize {
        (self.rate / 100) as usize
    }

    /// Process one device chunk; the blocks it completes are then [`Processor::blocks`].
    pub fn push(&mut self, src: &AudioBuffer) -> Result<()> {
        self.ready = 0;
        let Processor {
            apm,
            rate,
            channels,
            blocks_in,
            planes,
            far_scratch,
            blocks_out,
            ready,
            far_end,
        } = self;
        let (rate, channels) = (*rate, *channels);
        let mut failed = None;
        blocks_in.push(src, &mut |block: &AudioBuffer| {
            let Samples::F32(input) = block.samples() else {
                return;
            };
            if let Some(tap) = far_end {
                while let Some(far) = tap.pop() {
                    let _ = apm.process_render_f32(&[&far[..]], &mut [&mut far_scratch[..]]);
                }
            }
            let [(in0, out0), (in1, out1)] = planes;
            let done = if channels == 1 {
                in0.copy_from_slice(input);
                apm.process_capture_f32(&[&in0[..]], &mut [&mut out0[..]])
            } else {
                for ((a, b), frame) in in0
                    .iter_mut()
                    .zip(in1.iter_mut())
                    .zip(input.chunks_exact(2))
                {
                    (*a, *b) = (frame[0], frame[1]);
                }
                apm.process_capture_f32(&[&in0[..], &in1[..]], &mut [&mut out0[..], &mut out1[..]])
            };
            if let Err(e) = done {
                failed = Some(e);
            }
            if blocks_out.len() <= *ready {
                let frames = input.len() / usize::from(channels);
                blocks_out.push(AudioBuffer::new(SampleFormat::F32, rate, channels, frames));
            }
            if let Some(Samples::F32(out)) = blocks_out.get_mut(*ready).map(|b| b.samples_mut()) {
                if channels == 1 {
                    out.copy_from_slice(out0);
                } else {
                    for ((frame, a), b) in out.chunks_exact_mut(2).zip(out0.iter()).zip(out1.iter())
                    {
                        (frame[0], frame[1]) = (*a, *b);
                    }
                }
            }
            *ready += 1;
        })?;
        match failed {
            Some(e) => Err(Error::Internal(format!("audio processing failed: {e}"))),
            None => Ok(()),
        }
    }

    /// The blocks the last [`Processor::push`] completed (10 ms each, `f32`).
    pub fn blocks(&self) -> &[AudioBuffer] {
        &self.blocks_out[..self.ready]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stereo_block(i: usize) -> AudioBuffer {
        let mut b = AudioBuffer::new(SampleFormat::F32, 48_000, 2, 480);
        if let Samples::F32(s) = b.samples_mut() {
            for (j, frame) in s.chunks_exact_mut(2).enumerate() {
                let t = (i * 480 + j) as f32 / 48_000.0;
                let x = 0.3 * (std::f32::consts::TAU * 440.0 * t).sin();
                (frame[0], frame[1]) = (x, 0.5 * x);
            }
        }
        b
    }

    #[test]
    fn a_stereo_device_gives_processed_stereo_blocks_of_ten_milliseconds() {
        let processing = Processing {
            noise_suppression: true,
            ..Processing::OFF
        };
        let mut p = Processor::new(processing, 48_000, 2).unwrap();
        assert_eq!((p.rate(), p.channels(), p.block_frames()), (48_000, 2, 480));
        let (mut left, mut right) = (0.0, 0.0);
        for i in 0..100 {
            p.push(&stereo_block(i)).unwrap();
            assert_eq!(p.blocks().len(), 1);
            let Samples::F32(s) = p.blocks()[0].samples() else {
                panic!("f32 blocks")
            };
            assert_eq!(s.len(), 960);
            for frame in s.chunks_exact(2) {
                left += f64::from(frame[0]).powi(2);
                right += f64::from(frame[1]).powi(2);
            }
        }
        assert!(left > 1.0, "the tone comes through ({left})");
        // The right channel had half the left's amplitude: the stereo image is kept.
        let image = 10.0 * (right / left).log10();
        assert!(
            (image + 6.0).abs() < 1.0,
            "right is {image:.1} dB from left"
        );
    }

    #[test]
    fn a_rate_without_whole_ten_millisecond_blocks_is_processed_at_48_khz() {
        assert_eq!(processing_rate(44_100), 44_100);
        assert_eq!(processing_rate(16_000), 16_000);
        assert_eq!(processing_rate(22_050), 48_000);
        assert_eq!(processing_rate(11_025), 48_000);
        let mut p = Processor::new(Processing::ON, 22_050, 1).unwrap();
        assert_eq!((p.rate(), p.block_frames()), (48_000, 480));
        let chunk = AudioBuffer::new(SampleFormat::S16, 22_050, 1, 2205);
        p.push(&chunk).unwrap();
        assert!(p.blocks().len() <= 10);
        assert!(p.blocks().iter().all(|b| b.frames() == 480));
    }

    #[test]
    fn echo_cancellation_modes_read_back_as_the_specification_spells_them() {
        let values: Vec<Value> = EchoCancellation::ALL.iter().map(|e| e.to_json()).collect();
        assert_eq!(
            Value::Array(values),
            json!([true, false, "all", "remote-only"])
        );
        for e in EchoCancellation::ALL {
            assert_eq!(EchoCancellation::from_token(e.token()), Some(e));
        }
        assert!(Processing::OFF.is_off() && !Processing::ON.is_off());
        // true and "remote-only" share a processor (the application's far end);
        // "all" cancels the system's output, so it has its own.
        let with = |echo_cancellation| Processing {
            echo_cancellation,
            ..Processing::ON
        };
        assert_eq!(
            with(EchoCancellation::RemoteOnly).key(),
            Processing::ON.key()
        );
        assert_ne!(with(EchoCancellation::All).key(), Processing::ON.key());
        assert_eq!(with(EchoCancellation::All).key().echo, Some(FarEnd::System));
    }
}
