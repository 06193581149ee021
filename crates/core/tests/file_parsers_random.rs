//! The file parsers never panic, whatever the bytes: thousands of damaged
//! Y4M, MJPEG and WAV files (cut short, bytes flipped, bytes inserted, header
//! numbers changed) each give a result or an error. The same parsers have
//! cargo-fuzz targets under fuzz/ for longer runs.

mod file_support;

use file_support::*;
use lms_core::backend::file::{mjpeg, wav, y4m};
use lms_core::{PixelFormat, VideoBuffer};

fn damage(rng: &mut Rng, good: &[u8]) -> Vec<u8> {
    let mut bytes = good.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(5) {
            0 => bytes.truncate(rng.below(bytes.len() + 1)),
            1 => {
                for _ in 0..1 + rng.below(8) {
                    if !bytes.is_empty() {
                        let i = rng.below(bytes.len());
                        bytes[i] = rng.next() as u8;
                    }
                }
            }
            2 => {
                let at = rng.below(bytes.len() + 1);
                let junk: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
                bytes.splice(at..at, junk);
            }
            3 => {
                // Damage near the start, where the headers are.
                let i = rng.below(bytes.len().min(64));
                if let Some(b) = bytes.get_mut(i) {
                    *b = [b'0', b'9', 0xFF, 0x00, b' ', b'\n', b':'][rng.below(7)];
                }
            }
            _ => {
                let from = rng.below(bytes.len() + 1);
                let to = (from + rng.below(64)).min(bytes.len());
                bytes.drain(from..to);
            }
        }
    }
    bytes
}

fn wav_bytes(spec: hound::WavSpec) -> Vec<u8> {
    let mut cursor = std::io::Cursor::new(Vec::new());
    let mut w = hound::WavWriter::new(&mut cursor, spec).unwrap();
    for i in 0..64 {
        if spec.sample_format == hound::SampleFormat::Float {
            w.write_sample(i as f32 / 64.0).unwrap();
        } else {
            w.write_sample(i - 32).unwrap();
        }
    }
    w.finalize().unwrap();
    cursor.into_inner()
}

#[test]
fn damaged_y4m_files_never_panic_the_parser() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let seeds = [
        y4m(8, 4, "420jpeg", "30:1", 3),
        y4m(5, 3, "444", "25:1", 2),
        y4m(4, 4, "mono", "1:1", 2),
    ];
    for seed in &seeds {
        y4m::parse(seed).expect("an undamaged seed parses");
    }
    let mut parsed = 0;
    for round in 0..4_000 {
        let bytes = damage(&mut rng, &seeds[round % seeds.len()]);
        if let Ok(file) = y4m::parse(&bytes) {
            parsed += 1;
            let h = &file.header;
            assert!(
                file.frames >= 1 && h.width >= 1 && h.height >= 1,
                "round {round}"
            );
            if h.frame_size() < 1 << 20 {
                let frame = y4m::frame_at(&bytes, h, h.header_len, 0).unwrap().unwrap();
                let mut out = VideoBuffer::new(PixelFormat::I420, h.width, h.height).unwrap();
                y4m::to_i420(h, &bytes[frame.offset..frame.next], &mut out).unwrap();
            }
        }
    }
    assert!(
        parsed > 0,
        "some damaged files still parse: the checks above ran"
    );
}

#[test]
fn damaged_mjpeg_files_never_panic_the_splitter_or_the_decoder() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let seed = [jpeg(16, 8, [10, 200, 30]), jpeg(16, 8, [250, 20, 99])].concat();
    let mut decoder = mjpeg::JpegDecoderI420::new();
    mjpeg::parse(&seed).expect("the undamaged seed parses");
    let mut parsed = 0;
    for _ in 0..1_500 {
        let bytes = damage(&mut rng, &seed);
        if let Ok(file) = mjpeg::parse(&bytes) {
            parsed += 1;
            if let Ok(Some(frame)) = mjpeg::frame_at(&bytes, 0, 0) {
                if u64::from(file.width) * u64::from(file.height) < 1 << 22 {
                    let mut out =
                        VideoBuffer::new(PixelFormat::I420, file.width, file.height).unwrap();
                    let _ = decoder.decode(&bytes[frame.offset..frame.end()], &mut out);
                }
            }
        }
    }
    assert!(
        parsed > 0,
        "some damaged files still parse: the decoder ran"
    );
}

#[test]
fn damaged_wav_files_never_panic_the_parser_or_the_sample_conversion() {
    let mut rng = Rng(0x94D0_49BB_1331_11EB);
    let spec = |bits, format, channels| hound::WavSpec {
        channels,
        sample_rate: 8_000,
        bits_per_sample: bits,
        sample_format: format,
    };
    let seeds = [
        wav_bytes(spec(8, hound::SampleFormat::Int, 1)),
        wav_bytes(spec(16, hound::SampleFormat::Int, 2)),
        wav_bytes(spec(24, hound::SampleFormat::Int, 1)),
        wav_bytes(spec(32, hound::SampleFormat::Float, 2)),
    ];
    let mut out = vec![0f32; 4096];
    for seed in &seeds {
        wav::parse(seed).expect("an undamaged seed parses");
    }
    let mut parsed = 0;
    for round in 0..4_000 {
        let bytes = damage(&mut rng, &seeds[round % seeds.len()]);
        if let Ok(file) = wav::parse(&bytes) {
            parsed += 1;
            assert!(file.frames >= 1, "round {round}");
            let frames = file.decode(&bytes, 0, &mut out);
            assert!(frames as u64 <= file.frames);
            assert!(out[..frames * usize::from(file.channels)]
                .iter()
                .all(|x| x.is_finite()));
        }
    }
    assert!(
        parsed > 0,
        "some damaged files still parse: the decoding ran"
    );
}
