//! WAV files: 8, 16, 24 (in 3 or 4 bytes) and 32-bit integer PCM and 32-bit
//! float, any rate from 1 kHz to 384 kHz and 1 to 32 channels, read as `f32`.
//!
//! `hound` reads the header (RIFF, `fmt ` in all its variants including
//! WAVE_FORMAT_EXTENSIBLE); the samples are then converted straight from the
//! byte slice (the memory-mapped file), with the same symmetric scaling as
//! [`crate::audio::convert`]: a 16-bit sample `x` becomes `x / 32767`, so a
//! 16-bit file played to an `s16` track gives back its very samples.

use std::io::Cursor;

use crate::audio::{MAX_CHANNELS, MAX_SAMPLE_RATE, MIN_SAMPLE_RATE};
use crate::backend::file::y4m::show_bytes;
use crate::error::{Error, Result};

/// How the samples of a file are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WavEncoding {
    /// Unsigned 8-bit, 128 is silence.
    U8,
    I16,
    /// 24-bit in 3 bytes.
    I24,
    /// 24-bit in the low 3 bytes of 4.
    I24In32,
    I32,
    F32,
}

impl WavEncoding {
    /// Bytes one sample takes in the file.
    pub fn bytes(self) -> usize {
        match self {
            WavEncoding::U8 => 1,
            WavEncoding::I16 => 2,
            WavEncoding::I24 => 3,
            WavEncoding::I24In32 | WavEncoding::I32 | WavEncoding::F32 => 4,
        }
    }

    /// The sample at the start of `b` (at least [`WavEncoding::bytes`] long) in [-1, 1].
    fn sample(self, b: &[u8]) -> f32 {
        match self {
            WavEncoding::U8 => f32::from(i16::from(b[0]) - 128) / 127.0,
            WavEncoding::I16 => crate::audio::convert::s16_to_f32(i16::from_le_bytes([b[0], b[1]])),
            WavEncoding::I24 | WavEncoding::I24In32 => {
                // Sign-extend the 24 bits by putting them at the top of an i32.
                let x = i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8;
                (f64::from(x) / 8_388_607.0) as f32
            }
            WavEncoding::I32 => {
                (f64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])) / 2_147_483_647.0) as f32
            }
            WavEncoding::F32 => {
                let x = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
                if x.is_finite() {
                    x
                } else {
                    0.0
                }
            }
        }
    }
}

/// A WAV file checked: its format and where its samples lie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WavFile {
    pub sample_rate: u32,
    pub channels: u16,
    pub encoding: WavEncoding,
    /// Byte offset of the first sample.
    pub data_offset: usize,
    /// Sample frames (samples per channel) in the file.
    pub frames: u64,
}

impl WavFile {
    /// Bytes of one sample frame (all channels).
    pub fn frame_bytes(&self) -> usize {
        self.encoding.bytes() * usize::from(self.channels)
    }

    /// Convert sample frames `first..` of the file `bytes` into `out`
    /// (interleaved, `channels` per frame), as many as fit in `out` and remain
    /// in the file; returns how many frames were written.
    pub fn decode(&self, bytes: &[u8], first: u64, out: &mut [f32]) -> usize {
        let channels = usize::from(self.channels).max(1);
        let remaining = self.frames.saturating_sub(first);
        let frames = (out.len() / channels).min(usize::try_from(remaining).unwrap_or(usize::MAX));
        let size = self.encoding.bytes();
        let start = usize::try_from(first)
            .ok()
            .and_then(|f| f.checked_mul(self.frame_bytes()))
            .and_then(|o| o.checked_add(self.data_offset));
        let Some(data) = start.and_then(|s| bytes.get(s..)) else {
            return 0;
        };
        let mut written = 0;
        for (sample, to) in data
            .chunks_exact(size)
            .zip(out.iter_mut())
            .take(frames * channels)
        {
            *to = self.encoding.sample(sample);
            written += 1;
        }
        written / channels
    }
}

fn unreadable(message: String) -> Error {
    Error::NotReadable(message)
}

/// Parse the header of `bytes` and check that its samples are all there.
pub fn parse(bytes: &[u8]) -> Result<WavFile> {
    if bytes.is_empty() {
        return Err(unreadable("the file is empty".into()));
    }
    if !bytes.starts_with(b"RIFF") {
        return Err(unreadable(format!(
            "not a WAV file: it starts with {} where \"RIFF\" belongs",
            show_bytes(&bytes[..bytes.len().min(4)])
        )));
    }
    let mut cursor = Cursor::new(bytes);
    let reader = match hound::WavReader::new(&mut cursor) {
        Ok(r) => r,
        Err(e) => {
            let at = cursor.position();
            let at_end = usize::try_from(at).is_ok_and(|at| at >= bytes.len());
            return Err(unreadable(match e {
                hound::Error::IoError(_) if at_end => format!(
                    "truncated WAV header: the file ends at byte {} before the data chunk",
                    bytes.len()
                ),
                hound::Error::Unsupported => format!(
                    "the WAV encoding (format chunk before byte {at}) is not supported: \
                     8/16/24/32-bit integer PCM and 32-bit float are"
                ),
                other => format!("not a valid WAV file (near byte {at}): {other}"),
            }));
        }
    };
    let (spec, samples) = (reader.spec(), u64::from(reader.len()));
    // `reader` borrows `cursor`; its last use is above, so `cursor` is free again.
    // Just past the data chunk's header, whose length field says how many
    // bytes a sample takes (hound keeps that to itself): 24-bit is 3 or 4.
    let data_offset = usize::try_from(cursor.position()).unwrap_or(usize::MAX);
    let chunk = data_offset.saturating_sub(8);
    let data_len = bytes.get(chunk + 4..data_offset).map_or(0, |b| {
        u64::from(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    });
    if samples == 0 {
        return Err(unreadable(format!(
            "the WAV data chunk at byte {chunk} holds no samples"
        )));
    }
    let encoding = match (spec.sample_format, spec.bits_per_sample, data_len / samples) {
        (hound::SampleFormat::Float, 32, 4) => WavEncoding::F32,
        (hound::SampleFormat::Int, 8, 1) => WavEncoding::U8,
        (hound::SampleFormat::Int, 16, 2) => WavEncoding::I16,
        (hound::SampleFormat::Int, 24, 3) => WavEncoding::I24,
        (hound::SampleFormat::Int, 24, 4) => WavEncoding::I24In32,
        (hound::SampleFormat::Int, 32, 4) => WavEncoding::I32,
        (format, bits, container) => {
            return Err(unreadable(format!(
                "{bits}-bit {} WAV samples in {container} bytes are not supported: \
                 8/16/24/32-bit integer PCM and 32-bit float are",
                if format == hound::SampleFormat::Float {
                    "float"
                } else {
                    "integer"
                }
            )))
        }
    };
    if !(MIN_SAMPLE_RATE..=MAX_SAMPLE_RATE).contains(&spec.sample_rate) {
        return Err(unreadable(format!(
            "the WAV sample rate {} Hz is outside {MIN_SAMPLE_RATE}..={MAX_SAMPLE_RATE}",
            spec.sample_rate
        )));
    }
    if spec.channels > MAX_CHANNELS {
        return Err(unreadable(format!(
            "the WAV file has {} channels; at most {MAX_CHANNELS} are supported",
            spec.channels
        )));
    }
    let file = WavFile {
        sample_rate: spec.sample_rate,
        channels: spec.channels,
        encoding,
        data_offset,
        frames: samples / u64::from(spec.channels.max(1)),
    };
    let needed = samples * encoding.bytes() as u64;
    let available = bytes.len().saturating_sub(data_offset) as u64;
    if needed > available {
        return Err(unreadable(format!(
            "the WAV data chunk at byte {chunk} is truncated: it declares {needed} bytes of samples, \
             the file has {available} after its header"
        )));
    }
    Ok(file)
}
