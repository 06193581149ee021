//! The WAV writer behind DIR/audio.wav, with the header every reader opens.
//!
//! `hound` (which reads WAV everywhere else) writes 32-bit float only as
//! WAVE_FORMAT_EXTENSIBLE, which Python's `wave` and many simple tools refuse.
//! So the header is written here, picking the plainest format that holds the
//! samples:
//!
//! | samples | 1 or 2 channels | more than 2 channels |
//! |---|---|---|
//! | 16-bit PCM | format tag 1 (WAVE_FORMAT_PCM) | 0xFFFE (WAVE_FORMAT_EXTENSIBLE), subformat PCM |
//! | 32-bit float | format tag 3 (WAVE_FORMAT_IEEE_FLOAT), with a `fact` chunk | 0xFFFE, subformat IEEE float, with a `fact` chunk |
//!
//! More than 2 channels need EXTENSIBLE for its speaker mask: the lowest bits
//! of the standard order (L R C LFE Ls Rs ...), as the core's mixing assumes.
//!
//! Samples are converted with the core's symmetric rule
//! ([`lms_core::audio::convert`]): a float `x` becomes the 16-bit
//! `round(x * 32767)` clamped to -32768..=32767 (NaN becomes 0), and a 16-bit
//! `x` becomes the float `x / 32767`.

use std::io::{self, Seek, SeekFrom, Write};

use lms_core::audio::convert::{f32_to_s16, s16_to_f32};

/// How DIR/audio.wav stores its samples (`lms capture --sample-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WavSampleFormat {
    /// 16-bit integer PCM (WAV format tag 1), which every WAV reader opens; a float sample x
    /// becomes round(x * 32767), clamped to -32768..=32767.
    S16,
    /// 32-bit IEEE float (format tag 3), for soundfile, sox, ffmpeg and the like.
    F32,
}

impl WavSampleFormat {
    /// `16-bit PCM` / `32-bit float`.
    pub fn describe(self) -> &'static str {
        match self {
            WavSampleFormat::S16 => "16-bit PCM",
            WavSampleFormat::F32 => "32-bit float",
        }
    }

    fn bytes(self) -> u16 {
        match self {
            WavSampleFormat::S16 => 2,
            WavSampleFormat::F32 => 4,
        }
    }

    /// The WAVE format tag of the plain (not EXTENSIBLE) header.
    fn tag(self) -> u16 {
        match self {
            WavSampleFormat::S16 => FORMAT_PCM,
            WavSampleFormat::F32 => FORMAT_IEEE_FLOAT,
        }
    }
}

const FORMAT_PCM: u16 = 1;
const FORMAT_IEEE_FLOAT: u16 = 3;
const FORMAT_EXTENSIBLE: u16 = 0xFFFE;
/// The KSDATAFORMAT_SUBTYPE GUIDs after their first two bytes (the format tag).
const SUBTYPE_GUID_TAIL: [u8; 14] = [
    0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71,
];
/// Speaker positions WAVE_FORMAT_EXTENSIBLE defines (the mask's other bits are reserved).
const SPEAKER_POSITIONS: u16 = 18;

/// A WAV file being written: the header first (sizes 0), samples appended,
/// and the header rewritten with the sizes at every [`WavWriter::flush`], so
/// the file is valid after each flush.
pub struct WavWriter<W: Write + Seek> {
    out: W,
    format: WavSampleFormat,
    sample_rate: u32,
    channels: u16,
    /// Bytes of one sample frame (all channels).
    block_align: u16,
    data_bytes: u32,
    /// One chunk's samples, encoded (kept to avoid an allocation per chunk).
    scratch: Vec<u8>,
}

impl<W: Write + Seek> WavWriter<W> {
    /// Start a file of `channels` at `sample_rate` Hz (neither 0; a sample
    /// frame must fit the header's 16-bit field: up to 16383 float channels).
    pub fn new(
        out: W,
        format: WavSampleFormat,
        sample_rate: u32,
        channels: u16,
    ) -> io::Result<WavWriter<W>> {
        let block_align = channels.checked_mul(format.bytes());
        let Some(block_align) = block_align.filter(|&b| b > 0 && sample_rate > 0) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("a WAV file cannot hold {channels} channels at {sample_rate} Hz"),
            ));
        };
        let mut writer = WavWriter {
            out,
            format,
            sample_rate,
            channels,
            block_align,
            data_bytes: 0,
            scratch: Vec::new(),
        };
        let header = writer.header();
        writer.out.write_all(&header)?;
        Ok(writer)
    }

    /// Append interleaved float samples (whole frames), converted to the file's format.
    pub fn write_f32(&mut self, samples: &[f32]) -> io::Result<()> {
        let format = self.format;
        self.append(samples, |x, bytes| match format {
            WavSampleFormat::F32 => bytes.extend_from_slice(&x.to_le_bytes()),
            WavSampleFormat::S16 => bytes.extend_from_slice(&f32_to_s16(x).to_le_bytes()),
        })
    }

    /// Append interleaved 16-bit samples (whole frames), converted to the file's format.
    pub fn write_s16(&mut self, samples: &[i16]) -> io::Result<()> {
        let format = self.format;
        self.append(samples, |x, bytes| match format {
            WavSampleFormat::S16 => bytes.extend_from_slice(&x.to_le_bytes()),
            WavSampleFormat::F32 => bytes.extend_from_slice(&s16_to_f32(x).to_le_bytes()),
        })
    }

    fn append<T: Copy>(
        &mut self,
        samples: &[T],
        encode: impl Fn(T, &mut Vec<u8>),
    ) -> io::Result<()> {
        let size = samples.len() * usize::from(self.format.bytes());
        // The RIFF size counts the header after its first 8 bytes: all must fit in 32 bits.
        let total = u64::from(self.data_bytes) + size as u64 + self.header_len() as u64 - 8;
        if total > u64::from(u32::MAX) {
            return Err(io::Error::new(
                io::ErrorKind::FileTooLarge,
                "a WAV file holds at most 4 GiB; the audio stops here",
            ));
        }
        self.scratch.clear();
        self.scratch.reserve(size);
        for &x in samples {
            encode(x, &mut self.scratch);
        }
        self.out.write_all(&self.scratch)?;
        self.data_bytes += size as u32;
        Ok(())
    }

    /// Sample frames written.
    pub fn frames(&self) -> u32 {
        self.data_bytes / u32::from(self.block_align)
    }

    /// Rewrite the header with the sizes so far and push everything to the output.
    pub fn flush(&mut self) -> io::Result<()> {
        let header = self.header();
        self.out.seek(SeekFrom::Start(0))?;
        self.out.write_all(&header)?;
        self.out.seek(SeekFrom::End(0))?;
        self.out.flush()
    }

    /// Flush and hand back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush()?;
        Ok(self.out)
    }

    fn extensible(&self) -> bool {
        self.channels > 2
    }

    fn header_len(&self) -> usize {
        let fmt = if self.extensible() {
            40
        } else if self.format == WavSampleFormat::F32 {
            18
        } else {
            16
        };
        let fact = if self.format == WavSampleFormat::F32 {
            12
        } else {
            0
        };
        12 + 8 + fmt + fact + 8
    }

    /// RIFF header, `fmt ` chunk, `fact` chunk (float), `data` chunk header.
    fn header(&self) -> Vec<u8> {
        let len = self.header_len();
        let mut h = Vec::with_capacity(len);
        let riff_size = (len - 8) as u32 + self.data_bytes;
        h.extend_from_slice(b"RIFF");
        h.extend_from_slice(&riff_size.to_le_bytes());
        h.extend_from_slice(b"WAVE");

        let bits = self.format.bytes() * 8;
        let block_align = self.block_align;
        let (tag, fmt_size): (u16, u32) = match (self.extensible(), self.format) {
            (true, _) => (FORMAT_EXTENSIBLE, 40),
            (false, WavSampleFormat::F32) => (FORMAT_IEEE_FLOAT, 18),
            (false, WavSampleFormat::S16) => (FORMAT_PCM, 16),
        };
        h.extend_from_slice(b"fmt ");
        h.extend_from_slice(&fmt_size.to_le_bytes());
        h.extend_from_slice(&tag.to_le_bytes());
        h.extend_from_slice(&self.channels.to_le_bytes());
        h.extend_from_slice(&self.sample_rate.to_le_bytes());
        let byte_rate = self.sample_rate.saturating_mul(u32::from(block_align));
        h.extend_from_slice(&byte_rate.to_le_bytes());
        h.extend_from_slice(&block_align.to_le_bytes());
        h.extend_from_slice(&bits.to_le_bytes());
        if fmt_size >= 18 {
            // cbSize: the bytes of the format that follow.
            h.extend_from_slice(&((fmt_size - 18) as u16).to_le_bytes());
        }
        if self.extensible() {
            h.extend_from_slice(&bits.to_le_bytes()); // wValidBitsPerSample
            let speakers = self.channels.min(SPEAKER_POSITIONS);
            let mask = ((1u64 << speakers) - 1) as u32;
            h.extend_from_slice(&mask.to_le_bytes());
            h.extend_from_slice(&self.format.tag().to_le_bytes());
            h.extend_from_slice(&SUBTYPE_GUID_TAIL);
        }

        if self.format == WavSampleFormat::F32 {
            // Required for every format but PCM: the sample frames in the file.
            h.extend_from_slice(b"fact");
            h.extend_from_slice(&4u32.to_le_bytes());
            h.extend_from_slice(&self.frames().to_le_bytes());
        }

        h.extend_from_slice(b"data");
        h.extend_from_slice(&self.data_bytes.to_le_bytes());
        debug_assert_eq!(h.len(), len);
        h
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    use lms_core::backend::file::wav::{self as reader, WavEncoding};

    fn u16_at(b: &[u8], at: usize) -> u16 {
        u16::from_le_bytes([b[at], b[at + 1]])
    }

    fn u32_at(b: &[u8], at: usize) -> u32 {
        u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
    }

    /// A file of `frames` frames of a ramp from -1.5 to 1.5 (beyond full scale at both ends).
    fn file(format: WavSampleFormat, channels: u16, frames: usize) -> (Vec<u8>, Vec<f32>) {
        let n = frames * usize::from(channels);
        let ramp: Vec<f32> = (0..n)
            .map(|i| -1.5 + 3.0 * i as f32 / (n - 1) as f32)
            .collect();
        let mut w = WavWriter::new(Cursor::new(Vec::new()), format, 44_100, channels).unwrap();
        w.write_f32(&ramp[..n / 2]).unwrap();
        w.flush().unwrap();
        w.write_f32(&ramp[n / 2..]).unwrap();
        (w.finish().unwrap().into_inner(), ramp)
    }

    #[test]
    fn sixteen_bit_mono_and_stereo_are_plain_pcm_format_tag_1() {
        for channels in [1, 2] {
            let (bytes, _) = file(WavSampleFormat::S16, channels, 10);
            assert_eq!(&bytes[..4], b"RIFF");
            assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8);
            assert_eq!((&bytes[8..16], u32_at(&bytes, 16)), (&b"WAVEfmt "[..], 16));
            assert_eq!(u16_at(&bytes, 20), 1, "format tag PCM");
            assert_eq!(u16_at(&bytes, 22), channels);
            assert_eq!(u32_at(&bytes, 24), 44_100);
            assert_eq!(u32_at(&bytes, 28), 44_100 * 2 * u32::from(channels));
            assert_eq!((u16_at(&bytes, 32), u16_at(&bytes, 34)), (2 * channels, 16));
            assert_eq!(
                (&bytes[36..40], u32_at(&bytes, 40)),
                (&b"data"[..], 20 * u32::from(channels))
            );
            assert_eq!(
                bytes.len(),
                44 + 20 * usize::from(channels),
                "the canonical 44-byte header"
            );
        }
    }

    #[test]
    fn float_mono_and_stereo_are_ieee_float_format_tag_3_with_a_fact_chunk() {
        for channels in [1, 2] {
            let (bytes, _) = file(WavSampleFormat::F32, channels, 10);
            assert_eq!(u32_at(&bytes, 16), 18, "WAVEFORMATEX");
            assert_eq!(u16_at(&bytes, 20), 3, "format tag IEEE float");
            assert_eq!((u16_at(&bytes, 32), u16_at(&bytes, 34)), (4 * channels, 32));
            assert_eq!(u16_at(&bytes, 36), 0, "cbSize");
            assert_eq!(
                (&bytes[38..42], u32_at(&bytes, 42), u32_at(&bytes, 46)),
                (&b"fact"[..], 4, 10)
            );
            assert_eq!(
                (&bytes[50..54], u32_at(&bytes, 54)),
                (&b"data"[..], 40 * u32::from(channels))
            );
            assert_eq!(u32_at(&bytes, 4) as usize, bytes.len() - 8);
        }
    }

    #[test]
    fn more_than_two_channels_are_extensible_with_the_standard_speaker_mask() {
        for (format, subtype) in [(WavSampleFormat::S16, 1u8), (WavSampleFormat::F32, 3)] {
            let (bytes, _) = file(format, 6, 10);
            assert_eq!((u32_at(&bytes, 16), u16_at(&bytes, 20)), (40, 0xFFFE));
            assert_eq!(u16_at(&bytes, 36), 22, "cbSize");
            assert_eq!(u16_at(&bytes, 38), format.bytes() * 8, "valid bits");
            assert_eq!(u32_at(&bytes, 40), 0b11_1111, "L R C LFE Ls Rs");
            assert_eq!(bytes[44], subtype);
            assert_eq!(&bytes[46..60], &SUBTYPE_GUID_TAIL);
        }
        let (bytes, _) = file(WavSampleFormat::S16, 32, 2);
        assert_eq!(
            u32_at(&bytes, 40),
            0x3_FFFF,
            "only the 18 defined positions"
        );
    }

    #[test]
    fn every_variant_reads_back_through_the_file_device_parser_and_hound() {
        for format in [WavSampleFormat::S16, WavSampleFormat::F32] {
            for channels in [1u16, 2, 3, 8] {
                let (bytes, ramp) = file(format, channels, 101);
                let what = format!("{format:?} {channels} ch");
                let parsed = reader::parse(&bytes).unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(
                    (parsed.sample_rate, parsed.channels, parsed.frames),
                    (44_100, channels, 101),
                    "{what}"
                );
                let encoding = match format {
                    WavSampleFormat::S16 => WavEncoding::I16,
                    WavSampleFormat::F32 => WavEncoding::F32,
                };
                assert_eq!(parsed.encoding, encoding, "{what}");
                let mut decoded = vec![0.0; ramp.len()];
                assert_eq!(parsed.decode(&bytes, 0, &mut decoded), 101);
                let expected: Vec<f32> = match format {
                    // Rounded and clamped to 16 bits, read back as x / 32767.
                    WavSampleFormat::S16 => {
                        ramp.iter().map(|&x| s16_to_f32(f32_to_s16(x))).collect()
                    }
                    WavSampleFormat::F32 => ramp.clone(),
                };
                assert_eq!(decoded, expected, "{what}");

                let hound = hound::WavReader::new(Cursor::new(&bytes))
                    .unwrap_or_else(|e| panic!("{what}: {e}"));
                assert_eq!(hound.duration(), 101, "{what}");
                assert_eq!(hound.spec().bits_per_sample, format.bytes() * 8, "{what}");
            }
        }
    }

    #[test]
    fn float_becomes_sixteen_bit_by_rounding_and_clamping() {
        let mut w =
            WavWriter::new(Cursor::new(Vec::new()), WavSampleFormat::S16, 8_000, 1).unwrap();
        let x = [0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 0.25, -0.75, f32::NAN];
        w.write_f32(&x).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let samples: Vec<i16> = bytes[44..]
            .chunks_exact(2)
            .map(|b| i16::from_le_bytes([b[0], b[1]]))
            .collect();
        // 16383.5 rounds away from zero; 8191.75 and -24575.25 to the nearest.
        assert_eq!(
            samples,
            [0, 32767, -32767, 32767, -32768, 16384, 8192, -24575, 0]
        );
    }

    #[test]
    fn sixteen_bit_samples_survive_a_float_file_exactly() {
        let mut w =
            WavWriter::new(Cursor::new(Vec::new()), WavSampleFormat::F32, 8_000, 1).unwrap();
        let x: Vec<i16> = vec![i16::MIN, -12345, -1, 0, 1, 12345, i16::MAX];
        w.write_s16(&x).unwrap();
        let bytes = w.finish().unwrap().into_inner();
        let back: Vec<i16> = bytes[58..]
            .chunks_exact(4)
            .map(|b| f32_to_s16(f32::from_le_bytes([b[0], b[1], b[2], b[3]])))
            .collect();
        assert_eq!(back, x);
    }

    #[test]
    fn zero_channels_or_rate_or_frames_too_big_for_the_header_are_refused() {
        let new = |format, rate, channels| {
            WavWriter::new(Cursor::new(Vec::new()), format, rate, channels)
        };
        assert!(new(WavSampleFormat::S16, 48_000, 0).is_err());
        assert!(new(WavSampleFormat::S16, 0, 1).is_err());
        assert!(new(WavSampleFormat::F32, 48_000, 16_384).is_err());
        assert!(new(WavSampleFormat::F32, 48_000, 16_383).is_ok());
    }
}
