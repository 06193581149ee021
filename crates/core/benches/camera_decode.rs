//! What a camera's MJPEG frame costs a raw track: one 1280x720 4:2:2 JPEG
//! (camera-like: the fake camera's picture with noise, quality 85), decoded
//! and converted to I420 as the core does once per frame for every raw track
//! (zune-jpeg to RGB, then yuvutils to I420), against nokhwa's own decoding
//! to RGB (mozjpeg, as nokhwa 0.10's `mjpeg_to_rgb` calls it: what
//! `Buffer::decode_image::<RgbFormat>` runs). Criterion's "time" is the cost
//! per frame.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use lms_core::backend::file::mjpeg::{decode_rgb, JpegDecoderI420};
use lms_core::video::{Converter, PaintState, Painter};
use lms_core::{PixelFormat, VideoBuffer};

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

/// nokhwa 0.10's `mjpeg_to_rgb(data, false)`: mozjpeg into a new RGB buffer.
fn nokhwa_mjpeg_to_rgb(data: &[u8]) -> Vec<u8> {
    let decompress = mozjpeg::Decompress::new_mem(data).expect("a JPEG");
    let mut started = decompress.rgb().expect("RGB output");
    let pixels = started.read_scanlines::<u8>().expect("scanlines");
    started.finish().expect("finish");
    pixels
}

fn camera_decode(c: &mut Criterion) {
    let jpeg = camera_jpeg();
    let mut i420 = VideoBuffer::new(PixelFormat::I420, W, H).expect("picture");
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, W, H).expect("picture");
    let mut ours = JpegDecoderI420::new();
    ours.decode(&jpeg, &mut i420).expect("our decoder reads it");
    let theirs = nokhwa_mjpeg_to_rgb(&jpeg);
    assert_eq!(theirs.len(), (W * H * 3) as usize, "mozjpeg reads it");
    println!(
        "camera_decode: one 1280x720 4:2:2 JPEG of {} bytes",
        jpeg.len()
    );

    let mut group = c.benchmark_group("mjpeg_1280x720");
    group.throughput(Throughput::Elements(1));
    group.measurement_time(Duration::from_secs(5));
    group.bench_function("lms_decode_and_convert_to_i420", |b| {
        b.iter(|| ours.decode(black_box(&jpeg), &mut i420).expect("decode"))
    });
    group.bench_function("lms_decode_to_rgb24", |b| {
        b.iter(|| decode_rgb(black_box(&jpeg), &mut rgb).expect("decode"))
    });
    group.bench_function("nokhwa_mjpeg_to_rgb", |b| {
        b.iter(|| nokhwa_mjpeg_to_rgb(black_box(&jpeg)))
    });
    group.finish();
}

criterion_group!(benches, camera_decode);
criterion_main!(benches);
