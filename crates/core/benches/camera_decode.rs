//! What a camera's MJPEG frame costs a raw track: one 1280x720 4:2:2 JPEG
//! (camera-like: the fake camera's picture with noise, quality 85), decoded
//! to I420 as the core does once per frame for every raw track, against its
//! peers on the same picture:
//!
//! - `old_zune_rgb_then_convert`: zune-jpeg to RGB, then yuvutils to I420
//!   (`decode_rgb` + `Converter`), the baseline of issue 17;
//! - `new_jpeg_decoder_i420`: `JpegDecoderI420::decode`, what the core runs;
//! - `zune_ycbcr_interleaved_only`: zune-jpeg asked for its YCbCr samples
//!   instead of RGB, decoding only (no deinterleave, no range scaling): a
//!   lower bound of a "no RGB round trip" path on zune-jpeg 0.5;
//! - `nokhwa_mjpeg_to_rgb`: nokhwa's own decoding to RGB (mozjpeg, as nokhwa
//!   0.10's `mjpeg_to_rgb` calls it: what `Buffer::decode_image::<RgbFormat>`
//!   runs);
//! - `mozjpeg_raw_planes_to_i420`: libjpeg-turbo's `jpeg_read_raw_data`
//!   (through mozjpeg, what Chromium does) with reused buffers, then the
//!   chroma rows averaged in pairs and the range scaled: the C option.
//!
//! Criterion's "time" is the cost per frame. With `--bench`, a summary
//! follows, each path timed again in a loop of its own: ms per frame, wall
//! clock and the thread's CPU time (steadier on a shared machine), the ratio
//! new/old (issue 17's goal: <= 0.7), and ffmpeg's own MJPEG decoder and
//! scaler (`-threads 1 -pix_fmt yuv420p`, and decoding alone) on the same
//! frames: the user CPU time (`utime`) `ffmpeg -benchmark` reports for the
//! whole run divided by the frame count (start-up included). Without ffmpeg
//! the summary says so and goes on.

use std::hint::black_box;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use criterion::{criterion_group, Criterion, Throughput};
use lms_core::backend::file::mjpeg::{decode_rgb, JpegDecoderI420};
use lms_core::video::{Converter, PaintState, Painter};
use lms_core::{PixelFormat, VideoBuffer};
use mozjpeg::CompInfoExt;
use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;

const W: u32 = 1280;
const H: u32 = 720;

/// A 1280x720 camera-like JPEG: the fake camera's picture, plus noise so the
/// entropy-coded data is as busy as a real camera's.
fn camera_jpeg() -> Vec<u8> {
    let mut i420 = VideoBuffer::new(PixelFormat::I420, W, H).expect("picture");
    Painter::new(W, H).paint(&mut i420, &mut PaintState::default(), 7);
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, W, H).expect("picture");
    Converter::new().convert(&i420, &mut rgb).expect("to RGB");
    let mut seed = 0x2545_f491u32;
    for v in rgb.plane_mut(0) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        *v = v.saturating_add((seed % 13) as u8).saturating_sub(6);
    }
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, 85);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_1);
    encoder
        .encode(
            rgb.plane(0),
            W as u16,
            H as u16,
            jpeg_encoder::ColorType::Rgb,
        )
        .expect("JPEG");
    out
}

/// The baseline: zune-jpeg to RGB, then the colour converter to I420.
struct OldPath {
    rgb: VideoBuffer,
    converter: Converter,
}

impl OldPath {
    fn new() -> OldPath {
        OldPath {
            rgb: VideoBuffer::new(PixelFormat::Rgb24, W, H).expect("picture"),
            converter: Converter::new(),
        }
    }

    fn decode(&mut self, jpeg: &[u8], dst: &mut VideoBuffer) {
        decode_rgb(jpeg, &mut self.rgb).expect("decode");
        self.converter.convert(&self.rgb, dst).expect("convert");
    }
}

/// zune-jpeg to full-resolution interleaved YCbCr, nothing after.
fn zune_ycbcr(jpeg: &[u8], out: &mut [u8]) {
    let options = DecoderOptions::default().jpeg_set_out_colorspace(ColorSpace::YCbCr);
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(jpeg), options);
    decoder.decode_into(out).expect("decode");
}

/// nokhwa 0.10's `mjpeg_to_rgb(data, false)`: mozjpeg into a new RGB buffer.
fn nokhwa_mjpeg_to_rgb(data: &[u8]) -> Vec<u8> {
    let decompress = mozjpeg::Decompress::new_mem(data).expect("a JPEG");
    let mut started = decompress.rgb().expect("RGB output");
    let pixels = started.read_scanlines::<u8>().expect("scanlines");
    started.finish().expect("finish");
    pixels
}

/// libjpeg-turbo's raw planes (no upsampling, no colour conversion) into
/// I420: a 4:2:2 JPEG's chroma rows averaged in pairs, full range scaled to
/// limited range by table. Its buffers are kept between frames.
struct MozjpegRaw {
    planes: [Vec<u8>; 3],
    luma: [u8; 256],
    chroma: [u8; 511],
}

impl MozjpegRaw {
    fn new() -> MozjpegRaw {
        let scale = |v: f64| v.round().clamp(0.0, 255.0) as u8;
        MozjpegRaw {
            planes: Default::default(),
            luma: std::array::from_fn(|y| scale(16.0 + y as f64 * 219.0 / 255.0)),
            // Indexed by the sum of two samples.
            chroma: std::array::from_fn(|s| {
                scale(128.0 + (s as f64 / 2.0 - 128.0) * 224.0 / 255.0)
            }),
        }
    }

    fn decode(&mut self, jpeg: &[u8], dst: &mut VideoBuffer) {
        let decompress = mozjpeg::Decompress::new_mem(jpeg).expect("a JPEG");
        let mut started = decompress.raw().expect("raw output");
        let strides: Vec<usize> = started
            .components()
            .iter()
            .map(|c| c.row_stride())
            .collect();
        let [a, b, c] = &mut self.planes;
        for p in [&mut *a, &mut *b, &mut *c] {
            p.clear();
        }
        started.read_raw_data(&mut [a, b, c]);
        started.finish().expect("finish");
        let (w, cw) = (W as usize, W.div_ceil(2) as usize);
        let [y_plane, u_plane, v_plane, _] = dst.planes_mut();
        for (to, from) in y_plane
            .chunks_exact_mut(w)
            .zip(self.planes[0].chunks_exact(strides[0]))
        {
            for (t, &f) in to.iter_mut().zip(&from[..w]) {
                *t = self.luma[usize::from(f)];
            }
        }
        for (i, to_plane) in [(1, u_plane), (2, v_plane)] {
            let rows = self.planes[i].chunks_exact(2 * strides[i]);
            for (to, pair) in to_plane.chunks_exact_mut(cw).zip(rows) {
                let (top, bottom) = pair.split_at(strides[i]);
                for ((t, &a), &b) in to.iter_mut().zip(&top[..cw]).zip(&bottom[..cw]) {
                    *t = self.chroma[usize::from(a) + usize::from(b)];
                }
            }
        }
    }
}

fn camera_decode(c: &mut Criterion) {
    let jpeg = camera_jpeg();
    let mut i420 = VideoBuffer::new(PixelFormat::I420, W, H).expect("picture");
    let mut ours = JpegDecoderI420::new();
    ours.decode(&jpeg, &mut i420).expect("our decoder reads it");
    let mut old = OldPath::new();
    let mut ycbcr = vec![0u8; (W * H * 3) as usize];
    let mut raw = MozjpegRaw::new();
    let theirs = nokhwa_mjpeg_to_rgb(&jpeg);
    assert_eq!(theirs.len(), (W * H * 3) as usize, "mozjpeg reads it");
    println!(
        "camera_decode: one 1280x720 4:2:2 JPEG of {} bytes",
        jpeg.len()
    );

    let mut group = c.benchmark_group("mjpeg_1280x720");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("old_zune_rgb_then_convert", |b| {
        b.iter(|| old.decode(black_box(&jpeg), &mut i420))
    });
    group.bench_function("new_jpeg_decoder_i420", |b| {
        b.iter(|| ours.decode(black_box(&jpeg), &mut i420).expect("decode"))
    });
    group.bench_function("zune_ycbcr_interleaved_only", |b| {
        b.iter(|| zune_ycbcr(black_box(&jpeg), &mut ycbcr))
    });
    group.bench_function("nokhwa_mjpeg_to_rgb", |b| {
        b.iter(|| nokhwa_mjpeg_to_rgb(black_box(&jpeg)))
    });
    group.bench_function("mozjpeg_raw_planes_to_i420", |b| {
        b.iter(|| raw.decode(black_box(&jpeg), &mut i420))
    });
    group.finish();
}

/// This thread's CPU time so far (falls back to the wall clock where there
/// is no per-thread clock): comparable with ffmpeg's `utime`, and not
/// inflated by waiting for a core on a busy machine.
fn thread_cpu_time() -> Duration {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime writes one timespec through a valid pointer.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return Duration::new(t.tv_sec as u64, t.tv_nsec as u32);
        }
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

/// Milliseconds per call of `f`, wall clock and this thread's CPU time: the
/// median of several rounds of each.
fn ms_per_frame(mut f: impl FnMut()) -> (f64, f64) {
    const ROUNDS: usize = 9;
    const FRAMES: u32 = 60;
    for _ in 0..10 {
        f();
    }
    let (mut wall, mut cpu): (Vec<f64>, Vec<f64>) = (0..ROUNDS)
        .map(|_| {
            let (start, start_cpu) = (Instant::now(), thread_cpu_time());
            for _ in 0..FRAMES {
                f();
            }
            let per_frame = |d: Duration| d.as_secs_f64() * 1e3 / f64::from(FRAMES);
            (
                per_frame(start.elapsed()),
                per_frame(thread_cpu_time().saturating_sub(start_cpu)),
            )
        })
        .unzip();
    wall.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    (wall[ROUNDS / 2], cpu[ROUNDS / 2])
}

/// ffmpeg's ms per frame (user CPU time / frames) decoding `frames` copies of
/// `jpeg` as MJPEG, with `args` between input and output; an explanation when
/// it cannot say.
fn ffmpeg_ms_per_frame(file: &Path, frames: u32, args: &[&str]) -> Result<f64, String> {
    let output = Command::new("ffmpeg")
        .args(["-hide_banner", "-nostdin", "-benchmark", "-threads", "1"])
        .args(["-f", "mjpeg", "-i"])
        .arg(file)
        .args(args)
        .args(["-f", "null", "-"])
        .output()
        .map_err(|e| format!("ffmpeg could not be run ({e}): install it to compare"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    if !output.status.success() {
        return Err(format!(
            "ffmpeg failed ({}): {}",
            output.status,
            log.lines().last().unwrap_or("")
        ));
    }
    let utime = log
        .lines()
        .find_map(|l| l.trim().strip_prefix("bench: utime="))
        .and_then(|rest| rest.split('s').next())
        .and_then(|s| s.parse::<f64>().ok())
        .ok_or("ffmpeg printed no `bench: utime=` line")?;
    Ok(utime * 1e3 / f64::from(frames))
}

fn summary() {
    let jpeg = camera_jpeg();
    let mut i420 = VideoBuffer::new(PixelFormat::I420, W, H).expect("picture");
    let mut ours = JpegDecoderI420::new();
    let mut old = OldPath::new();
    let mut raw = MozjpegRaw::new();
    let mut ycbcr = vec![0u8; (W * H * 3) as usize];
    let old_ms = ms_per_frame(|| old.decode(black_box(&jpeg), &mut i420));
    let new_ms = ms_per_frame(|| ours.decode(black_box(&jpeg), &mut i420).expect("decode"));
    let nokhwa_ms = ms_per_frame(|| {
        black_box(nokhwa_mjpeg_to_rgb(black_box(&jpeg)));
    });
    let raw_ms = ms_per_frame(|| raw.decode(black_box(&jpeg), &mut i420));
    let ycbcr_ms = ms_per_frame(|| zune_ycbcr(black_box(&jpeg), &mut ycbcr));

    const FRAMES: u32 = 500;
    let dir = std::env::temp_dir().join(format!("lms-camera-decode-{}", std::process::id()));
    let file = dir.join("frames.mjpeg");
    let ffmpeg = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(&file, jpeg.repeat(FRAMES as usize)))
        .map_err(|e| format!("could not write {}: {e}", file.display()))
        .and_then(|()| {
            Ok((
                ffmpeg_ms_per_frame(&file, FRAMES, &["-pix_fmt", "yuv420p"])?,
                ffmpeg_ms_per_frame(&file, FRAMES, &[])?,
            ))
        });
    let _ = std::fs::remove_dir_all(&dir);

    println!();
    println!(
        "camera_decode summary: 1280x720 4:2:2 JPEG of {} bytes, ms per frame \
         (median of 9 rounds of 60), wall clock / this thread's CPU time",
        jpeg.len()
    );
    let line = |what: &str, (wall, cpu): (f64, f64), note: &str| {
        println!("  {what:<52} {wall:7.3} ms / {cpu:7.3} ms cpu{note}");
    };
    line(
        "old  zune-jpeg -> RGB, yuvutils -> I420 (baseline)",
        old_ms,
        "",
    );
    line("new  JpegDecoderI420::decode -> I420", new_ms, "");
    println!(
        "  {:<52} {:7.3}      / {:7.3}      (goal <= 0.7)",
        "ratio new/old",
        new_ms.0 / old_ms.0,
        new_ms.1 / old_ms.1
    );
    line(
        "zune-jpeg -> interleaved YCbCr only (no I420 yet)",
        ycbcr_ms,
        "   a lower bound of skipping RGB",
    );
    line("nokhwa mozjpeg -> RGB (mjpeg_to_rgb)", nokhwa_ms, "");
    line(
        "mozjpeg raw planes -> I420 (C option)",
        raw_ms,
        &format!(
            "   ratio to old {:.3} / {:.3} cpu",
            raw_ms.0 / old_ms.0,
            raw_ms.1 / old_ms.1
        ),
    );
    match ffmpeg {
        Ok((to_420, native)) => {
            let note = format!("(utime / {FRAMES} frames, start-up included)");
            let what = "ffmpeg -threads 1 mjpeg -> yuv420p";
            println!("  {what:<52}              {to_420:7.3} ms cpu {note}");
            let what = "ffmpeg -threads 1 mjpeg decode only (yuvj422p)";
            println!("  {what:<52}              {native:7.3} ms cpu {note}");
        }
        Err(why) => println!("  ffmpeg: not measured: {why}"),
    }
}

criterion_group!(benches, camera_decode);

fn main() {
    benches();
    Criterion::default().configure_from_args().final_summary();
    // Only when benchmarking: `cargo test --benches` runs each bench once.
    if std::env::args().any(|a| a == "--bench") {
        summary();
    }
}
