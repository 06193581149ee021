//! End-to-end checks: paint, convert, scale, crop, decode.

use super::*;
use crate::frame::{PixelFormat, VideoBuffer};
use crate::video::luma::luma_at;

fn painted(width: u32, height: u32, sequence: u64) -> VideoBuffer {
    let mut buf = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
    Painter::new(width, height).paint(&mut buf, &mut PaintState::default(), sequence);
    buf
}

fn converted(src: &VideoBuffer, format: PixelFormat, width: u32, height: u32) -> VideoBuffer {
    let mut dst = VideoBuffer::new(format, width, height).expect("buffer");
    Converter::new().convert(src, &mut dst).expect("conversion");
    dst
}

const SEQUENCES: [u64; 8] = [
    0,
    1,
    255,
    65_535,
    4_294_967_295,
    123_456_789,
    2_718_281_828,
    77,
];

#[test]
fn painted_sequence_numbers_decode_back_at_common_and_odd_sizes() {
    for (width, height) in [
        (1920, 1080),
        (640, 480),
        (160, 120),
        (321, 241),
        (1279, 719),
        (120, 160),
    ] {
        for sequence in SEQUENCES {
            let buf = painted(width, height, sequence);
            assert_eq!(
                decode_sequence(&buf),
                Some(sequence),
                "{width}x{height} #{sequence}"
            );
        }
    }
}

#[test]
fn only_the_low_32_bits_of_the_sequence_are_painted() {
    let buf = painted(640, 480, (7 << 32) | 42);
    assert_eq!(decode_sequence(&buf), Some(42));
}

#[test]
fn the_code_survives_conversion_to_every_raw_format_and_back() {
    for (width, height) in [(640, 480), (1920, 1080), (161, 121)] {
        let source = painted(width, height, 2_718_281_828);
        for format in PixelFormat::RAW {
            let there = converted(&source, format, width, height);
            assert_eq!(
                decode_sequence(&there),
                Some(2_718_281_828),
                "{} {width}x{height}",
                format.name()
            );
            let back = converted(&there, PixelFormat::I420, width, height);
            assert_eq!(
                decode_sequence(&back),
                Some(2_718_281_828),
                "{} and back",
                format.name()
            );
        }
    }
}

#[test]
fn the_code_survives_downscaling_and_upscaling() {
    let cases = [
        ((1920, 1080), (320, 180)),
        ((640, 480), (160, 120)),
        ((160, 120), (640, 480)),
        ((320, 180), (1280, 720)),
    ];
    for ((from_w, from_h), (to_w, to_h)) in cases {
        let source = painted(from_w, from_h, 65_535);
        for format in [PixelFormat::I420, PixelFormat::Rgb24, PixelFormat::Yuy2] {
            let scaled = converted(&source, format, to_w, to_h);
            assert_eq!(
                decode_sequence(&scaled),
                Some(65_535),
                "{from_w}x{from_h} -> {to_w}x{to_h} {}",
                format.name()
            );
        }
    }
}

#[test]
fn the_code_survives_a_centred_crop_to_another_aspect_ratio() {
    let cases = [
        ((1920, 1080), (480, 480)),
        ((640, 480), (640, 360)),
        ((1920, 1080), (1080, 1920)),
        ((1920, 1080), (160, 120)),
        ((1080, 1920), (320, 180)),
        ((640, 480), (360, 640)),
    ];
    for ((from_w, from_h), (to_w, to_h)) in cases {
        for sequence in SEQUENCES {
            let cropped = converted(
                &painted(from_w, from_h, sequence),
                PixelFormat::I420,
                to_w,
                to_h,
            );
            assert_eq!(
                decode_sequence(&cropped),
                Some(sequence),
                "{from_w}x{from_h} -> {to_w}x{to_h}"
            );
        }
    }
}

#[test]
fn every_source_format_crop_scales_into_every_target_format() {
    let source = painted(640, 480, 99);
    for from in PixelFormat::RAW {
        let source = converted(&source, from, 640, 480);
        for to in PixelFormat::RAW {
            for (width, height) in [(320, 240), (480, 270)] {
                let out = converted(&source, to, width, height);
                assert_eq!(
                    decode_sequence(&out),
                    Some(99),
                    "{} -> {} {width}x{height}",
                    from.name(),
                    to.name()
                );
            }
        }
    }
}

/// A small deterministic generator for "random" test inputs.
fn xorshift(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

#[test]
fn random_sequence_numbers_round_trip() {
    let mut seed = 0x9E37_79B9_7F4A_7C15;
    for _ in 0..200 {
        let sequence = xorshift(&mut seed) & 0xFFFF_FFFF;
        assert_eq!(
            decode_sequence(&painted(320, 240, sequence)),
            Some(sequence)
        );
    }
}

#[test]
fn a_reused_buffer_painted_incrementally_equals_a_freshly_painted_one() {
    for (width, height) in [(1920, 1080), (640, 480), (161, 121), (35, 17), (1, 1)] {
        let painter = Painter::new(width, height);
        let mut reused = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
        let mut state = PaintState::default();
        painter.paint(&mut reused, &mut state, 1);
        painter.paint(&mut reused, &mut state, 5);
        assert_eq!(
            reused.bytes(),
            painted(width, height, 5).bytes(),
            "{width}x{height}: 1 then 5"
        );

        let mut seed = u64::from(width) * 7919 + u64::from(height);
        for _ in 0..40 {
            let sequence = xorshift(&mut seed) % 1000;
            painter.paint(&mut reused, &mut state, sequence);
            assert!(
                reused.bytes() == painted(width, height, sequence).bytes(),
                "{width}x{height} #{sequence}"
            );
        }
    }
}

#[test]
fn a_buffer_of_another_size_or_format_is_left_untouched() {
    let painter = Painter::new(64, 48);
    let mut state = PaintState::default();
    let mut wrong_size = VideoBuffer::new(PixelFormat::I420, 48, 64).expect("buffer");
    painter.paint(&mut wrong_size, &mut state, 3);
    assert!(wrong_size.bytes().iter().all(|&b| b == 0));
    let mut wrong_format = VideoBuffer::new(PixelFormat::Rgb24, 64, 48).expect("buffer");
    painter.paint(&mut wrong_format, &mut state, 3);
    assert!(wrong_format.bytes().iter().all(|&b| b == 0));
}

/// Luma of the top-left quadrant, left of and above both code bands.
fn top_left_quadrant(buf: &VideoBuffer) -> Vec<u8> {
    let (width, height) = (buf.width() as usize, buf.height() as usize);
    let rows = buf.plane(0).chunks_exact(width).take(height * 23 / 48);
    rows.flat_map(|row| row[..width * 23 / 48].iter().copied())
        .collect()
}

#[test]
fn the_moving_box_moves_outside_the_code_bands() {
    let pictures: Vec<Vec<u8>> = (0..4)
        .map(|s| top_left_quadrant(&painted(640, 480, s)))
        .collect();
    for pair in pictures.windows(2) {
        assert_ne!(
            pair[0], pair[1],
            "consecutive frames look the same away from the code"
        );
    }
}

#[test]
fn black_converts_to_rgb_zero() {
    let mut black = VideoBuffer::new(PixelFormat::I420, 64, 48).expect("buffer");
    fill_black(&mut black);
    for format in [PixelFormat::Rgb24, PixelFormat::Bgr24] {
        let rgb = converted(&black, format, 64, 48);
        assert!(rgb.plane(0).iter().all(|&c| c <= 1), "{}", format.name());
    }
    let rgba = converted(&black, PixelFormat::Rgba, 32, 32);
    assert!(rgba
        .plane(0)
        .chunks_exact(4)
        .all(|p| p[0] <= 1 && p[1] <= 1 && p[2] <= 1 && p[3] == 255));
}

/// The RGB of pixel (x, y) of an RGB24 picture.
fn rgb_at(buf: &VideoBuffer, x: usize, y: usize) -> [u8; 3] {
    let at = y * buf.stride(0) + x * 3;
    [buf.plane(0)[at], buf.plane(0)[at + 1], buf.plane(0)[at + 2]]
}

#[test]
fn the_colour_bars_convert_to_their_rgb_colours() {
    let (width, height) = (640, 480);
    let rgb = converted(
        &painted(width, height, 0),
        PixelFormat::Rgb24,
        width,
        height,
    );
    // A row below the horizontal band and above the grey ramp, in the middle of each bar.
    let y = height as usize * 7 / 12;
    for (bar, expected) in pattern::BARS.iter().enumerate() {
        let x = (bar * 2 + 1) * width as usize / 16;
        let got = rgb_at(&rgb, x, y);
        let close = got.iter().zip(expected).all(|(&g, &e)| g.abs_diff(e) <= 3);
        assert!(close, "bar {bar}: got {got:?}, expected {expected:?}");
    }
    let bgra = converted(&painted(width, height, 0), PixelFormat::Bgra, width, height);
    let yellow = &bgra.plane(0)[(y * width as usize + 3 * width as usize / 16) * 4..][..4];
    assert!(
        yellow[0] <= 3 && yellow[1] >= 252 && yellow[2] >= 252 && yellow[3] == 255,
        "{yellow:?}"
    );
}

#[test]
fn tiny_and_odd_pictures_paint_and_convert_without_panicking() {
    let sizes = [
        (1, 1),
        (2, 1),
        (1, 3),
        (3, 3),
        (5, 2),
        (17, 9),
        (41, 43),
        (42, 42),
    ];
    for (width, height) in sizes {
        let buf = painted(width, height, 12);
        let _ = decode_sequence(&buf);
        for format in PixelFormat::RAW {
            for (to_w, to_h) in [(1, 1), (3, 2), (width, height), (width + 1, height * 2)] {
                let out = converted(&buf, format, to_w, to_h);
                let _ = decode_sequence(&out);
                let _ = converted(&out, PixelFormat::I420, width, height);
            }
        }
    }
}

#[test]
fn foreign_pictures_carry_no_code() {
    let mut seed = 12345;
    for format in PixelFormat::RAW {
        for (width, height) in [(1, 1), (41, 41), (320, 240)] {
            let mut noise = VideoBuffer::new(format, width, height).expect("buffer");
            assert_eq!(decode_sequence(&noise), None, "all zero {}", format.name());
            for plane in noise.planes_mut() {
                plane
                    .iter_mut()
                    .for_each(|b| *b = xorshift(&mut seed) as u8);
            }
            assert_eq!(decode_sequence(&noise), None, "noise {}", format.name());
        }
    }
    let mut ramp = VideoBuffer::new(PixelFormat::I420, 320, 240).expect("buffer");
    ramp.plane_mut(0)
        .iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = (i % 320 * 255 / 319) as u8);
    assert_eq!(decode_sequence(&ramp), None, "a smooth ramp");
    let jpeg = VideoBuffer::new_encoded(640, 480, &[0xFF, 0xD8, 0xFF]).expect("buffer");
    assert_eq!(decode_sequence(&jpeg), None);
}

#[test]
fn mjpeg_cannot_be_converted() {
    let jpeg = VideoBuffer::new_encoded(64, 48, &[0xFF, 0xD8]).expect("buffer");
    let mut dst = VideoBuffer::new(PixelFormat::I420, 64, 48).expect("buffer");
    let error = Converter::new()
        .convert(&jpeg, &mut dst)
        .expect_err("MJPEG is not raw");
    assert_eq!(error.name(), "InvalidArgumentError");
}

#[test]
fn the_luma_reader_agrees_across_formats() {
    let source = painted(64, 48, 7);
    for format in PixelFormat::RAW {
        let there = converted(&source, format, 64, 48);
        for (x, y) in [(0, 0), (10, 30), (63, 47)] {
            let (a, b) = (luma_at(&source, x, y), luma_at(&there, x, y));
            assert!(
                a.zip(b).is_some_and(|(a, b)| a.abs_diff(b) <= 3),
                "{} at {x},{y}",
                format.name()
            );
        }
    }
}

/// Prints (does not assert) the cost of one 1080p paint into a pool of 4 reused
/// buffers; run with `cargo test --release -- --nocapture paint_speed`.
#[test]
fn paint_speed_1080p() {
    let painter = Painter::new(1920, 1080);
    let mut pool: Vec<(VideoBuffer, PaintState)> = (0..4)
        .map(|_| {
            (
                VideoBuffer::new(PixelFormat::I420, 1920, 1080).expect("buffer"),
                PaintState::default(),
            )
        })
        .collect();
    for (sequence, (buf, state)) in pool.iter_mut().enumerate() {
        painter.paint(buf, state, sequence as u64);
    }
    let frames = 2000u64;
    let started = std::time::Instant::now();
    for sequence in 4..4 + frames {
        let (buf, state) = &mut pool[(sequence % 4) as usize];
        painter.paint(buf, state, sequence);
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / frames as f64;
    println!("paint 1920x1080 incremental: {micros:.2} us/frame");
    assert_eq!(decode_sequence(&pool[3].0), Some(frames + 3));
}

#[test]
fn every_aspect_ratio_from_9_16_to_16_9_at_the_smallest_promised_size_decodes() {
    let sources = [
        (1920, 1080),
        (1280, 720),
        (640, 480),
        (1080, 1920),
        (352, 288),
    ];
    let targets = [
        (160, 120),
        (120, 160),
        (213, 120),
        (120, 213),
        (160, 160),
        (176, 144),
    ];
    for (from_w, from_h) in sources {
        for sequence in [0x5555_5555, 0xAAAA_AAAA, 4_294_967_295] {
            let source = painted(from_w, from_h, sequence);
            for (to_w, to_h) in targets {
                let out = converted(&source, PixelFormat::Nv12, to_w, to_h);
                let what = format!("{from_w}x{from_h} -> {to_w}x{to_h} #{sequence}");
                assert_eq!(decode_sequence(&out), Some(sequence), "{what}");
            }
        }
    }
}
