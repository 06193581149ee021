//! Files the file-device tests play, made on the spot (no shipped blobs), and
//! what their pictures and samples must decode to.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use lms_core::MediaDevices;
use serde_json::{json, Value};

pub const TIMEOUT: Option<Duration> = Some(Duration::from_secs(5));

/// A fresh directory under the system's temp dir, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let dir = std::env::temp_dir().join(format!(
            "lms-file-test-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::SeqCst)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    /// Write `bytes` to `name` in this directory; its path.
    pub fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, bytes).expect("write test file");
        path
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

/// An instance playing `file` (the `file` section of the configuration), unpaced unless it says.
pub fn playing(file: Value) -> MediaDevices {
    let mut file = file;
    if file.get("pacing").is_none() {
        file["pacing"] = json!("none");
    }
    MediaDevices::from_json(&json!({"backends": ["file"], "file": file}).to_string())
        .expect("file configuration")
}

pub fn path_str(p: &Path) -> String {
    p.to_str().expect("utf-8 temp path").to_string()
}

/// Sample `i` of plane `plane` in frame `frame` of the generated Y4M files.
pub fn sample(plane: usize, frame: usize, i: usize) -> u8 {
    ((frame * 37 + plane * 71 + i * 13 + (i / 7) * 5) % 251) as u8
}

/// Width and height of the chroma planes of a `tag` (`420jpeg`, `422`, `444`, `mono`) file.
pub fn chroma_size(tag: &str, w: usize, h: usize) -> (usize, usize) {
    match tag {
        "422" => (w.div_ceil(2), h),
        "444" => (w, h),
        "mono" => (0, 0),
        _ => (w.div_ceil(2), h.div_ceil(2)),
    }
}

/// A Y4M file of `frames` frames of `w` x `h` with colour space `tag` (no `C`
/// parameter when empty), at `rate` (`30:1`), planes filled by [`sample`].
pub fn y4m(w: usize, h: usize, tag: &str, rate: &str, frames: usize) -> Vec<u8> {
    let colour = if tag.is_empty() {
        String::new()
    } else {
        format!(" C{tag}")
    };
    let mut out = format!("YUV4MPEG2 W{w} H{h} F{rate} Ip A1:1{colour}\n").into_bytes();
    let (cw, ch) = chroma_size(tag, w, h);
    for f in 0..frames {
        out.extend_from_slice(b"FRAME\n");
        for (plane, n) in [(0, w * h), (1, cw * ch), (2, cw * ch)] {
            out.extend((0..n).map(|i| sample(plane, f, i)));
        }
    }
    out
}

/// The I420 planes frame `frame` of such a file must decode to: 4:2:0 as it
/// is, 4:2:2 / 4:4:4 chroma averaged over the samples each I420 sample covers
/// (rounding half up), mono with neutral chroma.
pub fn expected_i420(w: usize, h: usize, tag: &str, frame: usize) -> [Vec<u8>; 3] {
    let luma: Vec<u8> = (0..w * h).map(|i| sample(0, frame, i)).collect();
    let (ow, oh) = (w.div_ceil(2), h.div_ceil(2));
    let (cw, ch) = chroma_size(tag, w, h);
    let chroma = |plane: usize| -> Vec<u8> {
        if tag == "mono" {
            return vec![128; ow * oh];
        }
        let (sx, sy) = (cw.div_ceil(ow), ch.div_ceil(oh));
        let mut out = Vec::new();
        for y in 0..oh {
            for x in 0..ow {
                let mut values = Vec::new();
                for yy in y * sy..((y + 1) * sy).min(ch) {
                    for xx in x * sx..((x + 1) * sx).min(cw) {
                        values.push(u32::from(sample(plane, frame, yy * cw + xx)));
                    }
                }
                let n = values.len() as u32;
                out.push(((values.iter().sum::<u32>() + n / 2) / n) as u8);
            }
        }
        out
    };
    [luma, chroma(1), chroma(2)]
}

/// A JPEG of a `w` x `h` picture filled with `rgb`.
pub fn jpeg(w: u16, h: u16, rgb: [u8; 3]) -> Vec<u8> {
    let pixels: Vec<u8> = (0..usize::from(w) * usize::from(h))
        .flat_map(|_| rgb)
        .collect();
    let mut out = Vec::new();
    jpeg_encoder::Encoder::new(&mut out, 95)
        .encode(&pixels, w, h, jpeg_encoder::ColorType::Rgb)
        .expect("encode JPEG");
    out
}

/// BT.601 limited-range luma of an RGB colour (what the core's conversions use).
pub fn luma_of(rgb: [u8; 3]) -> f64 {
    let [r, g, b] = rgb.map(f64::from);
    16.0 + (65.481 * r + 128.553 * g + 24.966 * b) / 255.0
}

/// Sample `i` (interleaved) of the generated WAV files, as a fraction of full scale in (-1, 1).
pub fn wave(i: usize) -> f64 {
    ((i * 7919) % 2001) as f64 / 1000.0 - 1.0
}

/// Write `samples` (fractions of full scale) as a WAV of `spec`, as the file stores them.
pub fn write_wav(path: &std::path::Path, spec: hound::WavSpec, samples: &[f64]) -> Vec<f32> {
    let mut w = hound::WavWriter::create(path, spec).expect("wav");
    let mut expected = Vec::new();
    for &x in samples {
        match (spec.sample_format, spec.bits_per_sample) {
            (hound::SampleFormat::Float, _) => {
                w.write_sample(x as f32).unwrap();
                expected.push(x as f32);
            }
            (_, bits) => {
                let full = f64::from((1u32 << (bits - 1)) - 1);
                let v = (x * full).round() as i32;
                w.write_sample(v).unwrap();
                expected.push((f64::from(v) / full) as f32);
            }
        }
    }
    w.finalize().expect("finalize");
    expected
}

/// xorshift64*: a small deterministic generator, so every run makes the same
/// cases and a failure can be replayed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// One of `from` (which must not be empty).
    pub fn pick<T: Copy>(&mut self, from: &[T]) -> T {
        from[self.below(from.len())]
    }
}
