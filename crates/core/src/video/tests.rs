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

// ---- The camera controls' look (see look.rs) ----

use crate::backend::fake_controls;
use crate::controls::{Control, ControlValue, MeteringMode};
use crate::video::code::band_span;

const MANUAL: ControlValue = ControlValue::Mode(MeteringMode::Manual);

/// The look of the fake camera with its defaults changed by `changes`.
fn look(changes: &[(Control, ControlValue)]) -> Look {
    let mut values = fake_controls::defaults();
    values.extend(changes.iter().copied());
    Look::from_controls(&values)
}

fn num(control: Control, value: f64) -> (Control, ControlValue) {
    (control, ControlValue::Num(value))
}

fn looked(width: u32, height: u32, sequence: u64, look: &Look) -> VideoBuffer {
    let mut buf = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
    Painter::new(width, height).paint_with(&mut buf, &mut PaintState::default(), sequence, look);
    buf
}

/// Whether luma pixel (x, y) is off both code bands: part of the filmed pattern.
fn off_bands(buf: &VideoBuffer, x: u32, y: u32) -> bool {
    let (rows, cols) = (band_span(buf.height()), band_span(buf.width()));
    !(rows.0..rows.1).contains(&y) && !(cols.0..cols.1).contains(&x)
}

/// Mean luma, Cb and Cr of an I420 picture off the code bands.
fn means(buf: &VideoBuffer) -> [f64; 3] {
    let (w, h) = (buf.width(), buf.height());
    let mut sums = [0f64; 3];
    let mut counts = [0f64; 3];
    for y in 0..h {
        for x in 0..w {
            if !off_bands(buf, x, y) {
                continue;
            }
            sums[0] += f64::from(buf.plane(0)[y as usize * buf.stride(0) + x as usize]);
            counts[0] += 1.0;
            if x % 2 == 0 && y % 2 == 0 && off_bands(buf, x + 1, y + 1) {
                let at = (y / 2) as usize * buf.stride(1) + (x / 2) as usize;
                for plane in 1..3 {
                    sums[plane] += f64::from(buf.plane(plane)[at]);
                    counts[plane] += 1.0;
                }
            }
        }
    }
    [0, 1, 2].map(|i| sums[i] / counts[i].max(1.0))
}

/// Luma row `y` of an I420 picture.
fn luma_row(buf: &VideoBuffer, y: u32) -> &[u8] {
    let w = buf.width() as usize;
    &buf.plane(0)[y as usize * buf.stride(0)..][..w]
}

/// The largest step between neighbouring luma pixels of row `y`, off the bands.
fn sharpest_edge(buf: &VideoBuffer, y: u32) -> u8 {
    let row = luma_row(buf, y);
    (1..buf.width())
        .filter(|&x| off_bands(buf, x - 1, y) && off_bands(buf, x, y))
        .map(|x| row[x as usize].abs_diff(row[x as usize - 1]))
        .max()
        .unwrap_or(0)
}

/// A row through the colour bars, below the horizontal band and above the ramp
/// (the box never goes there).
const BARS_ROW: u32 = 480 * 7 / 12;

#[test]
fn the_default_controls_paint_exactly_the_plain_pattern() {
    let defaults = look(&[]);
    assert!(defaults.is_neutral());
    for sequence in [0, 5, 77] {
        assert_eq!(
            looked(640, 480, sequence, &defaults).bytes(),
            painted(640, 480, sequence).bytes()
        );
    }
}

/// Mean luma off the bands, under each look, must rise strictly.
fn assert_luma_rises(what: &str, looks: &[Look]) {
    let lumas: Vec<f64> = looks
        .iter()
        .map(|l| means(&looked(640, 480, 3, l))[0])
        .collect();
    assert!(
        lumas.windows(2).all(|p| p[1] > p[0] + 1.0),
        "{what}: mean luma {lumas:?}"
    );
}

#[test]
fn brightness_exposure_iso_and_the_torch_brighten_the_picture() {
    let brightness: Vec<Look> = [0.0, 64.0, 128.0, 200.0, 255.0]
        .map(|b| look(&[num(Control::Brightness, b)]))
        .into();
    assert_luma_rises("brightness", &brightness);
    let exposure: Vec<Look> = [1.0, 100.0, 333.0, 600.0, 2000.0]
        .map(|t| {
            look(&[
                (Control::ExposureMode, MANUAL),
                num(Control::ExposureTime, t),
            ])
        })
        .into();
    assert_luma_rises("manual exposureTime", &exposure);
    let compensation: Vec<Look> = [-3.0, -1.0, 0.0, 0.5, 2.0]
        .map(|ev| look(&[num(Control::ExposureCompensation, ev)]))
        .into();
    assert_luma_rises("exposureCompensation", &compensation);
    let iso: Vec<Look> = [100.0, 200.0, 400.0, 1600.0]
        .map(|iso| look(&[num(Control::Iso, iso)]))
        .into();
    assert_luma_rises("iso", &iso);
    let torch = [false, true].map(|on| look(&[(Control::Torch, ControlValue::Flag(on))]));
    assert_luma_rises("torch", &torch);
    // Manual exposure time has no effect while the exposure is automatic.
    assert!(look(&[num(Control::ExposureTime, 5000.0)]).is_neutral());
}

#[test]
fn contrast_zero_is_flat_grey_and_more_contrast_spreads_the_levels() {
    let spread = |l: &Look| {
        let buf = looked(640, 480, 3, l);
        let row = luma_row(&buf, BARS_ROW);
        let pattern = (0..640).filter(|&x| off_bands(&buf, x, BARS_ROW));
        // Mean distance from mid grey.
        let levels: Vec<f64> = pattern.map(|x| f64::from(row[x as usize])).collect();
        levels.iter().map(|v| (v - 125.5).abs()).sum::<f64>() / levels.len() as f64
    };
    assert!(spread(&look(&[num(Control::Contrast, 0.0)])) <= 0.5);
    let (low, mid, high) = (
        spread(&look(&[num(Control::Contrast, 64.0)])),
        spread(&look(&[])),
        spread(&look(&[num(Control::Contrast, 255.0)])),
    );
    assert!(low < mid && mid < high, "{low} {mid} {high}");
}

#[test]
fn a_warm_colour_temperature_raises_cr_and_lowers_cb() {
    let cast: Vec<[f64; 3]> = [2500.0, 4000.0, 5500.0, 6500.0, 7500.0]
        .iter()
        .map(|&k| {
            let l = look(&[
                (Control::WhiteBalanceMode, MANUAL),
                num(Control::ColorTemperature, k),
            ]);
            means(&looked(640, 480, 3, &l))
        })
        .collect();
    for pair in cast.windows(2) {
        let ([_, cb_warm, cr_warm], [_, cb_cool, cr_cool]) = (pair[0], pair[1]);
        assert!(cr_warm > cr_cool + 2.0, "{cast:?}");
        assert!(cb_warm + 2.0 < cb_cool, "{cast:?}");
    }
    // Automatic white balance keeps the picture neutral whatever the value says.
    assert!(look(&[num(Control::ColorTemperature, 2500.0)]).is_neutral());
}

#[test]
fn saturation_zero_is_grey_and_more_saturation_is_more_colourful() {
    let chroma_spread = |l: &Look| {
        let buf = looked(640, 480, 3, l);
        buf.plane(1)
            .iter()
            .chain(buf.plane(2))
            .map(|&c| f64::from(c.abs_diff(128)))
            .sum::<f64>()
    };
    let grey = looked(640, 480, 3, &look(&[num(Control::Saturation, 0.0)]));
    assert!(grey.plane(1).iter().chain(grey.plane(2)).all(|&c| c == 128));
    let (low, mid, high) = (
        chroma_spread(&look(&[num(Control::Saturation, 64.0)])),
        chroma_spread(&look(&[])),
        chroma_spread(&look(&[num(Control::Saturation, 200.0)])),
    );
    assert!(low < mid && mid < high, "{low} {mid} {high}");
}

#[test]
fn sharpness_and_manual_focus_change_how_hard_the_edges_are() {
    let edge = |l: Look| sharpest_edge(&looked(640, 480, 3, &l), BARS_ROW);
    let soft = edge(look(&[num(Control::Sharpness, 0.0)]));
    let plain = edge(look(&[]));
    let hard = edge(look(&[num(Control::Sharpness, 255.0)]));
    assert!(soft < plain && plain < hard, "{soft} {plain} {hard}");
    let focus = |metres| {
        edge(look(&[
            (Control::FocusMode, MANUAL),
            num(Control::FocusDistance, metres),
        ]))
    };
    assert_eq!(focus(1.0), plain, "the scene is 1 m away: in focus");
    assert!(focus(0.1) < plain && focus(10.0) < plain);
}

/// How many pixels of row `y` off the bands have luma `value`.
fn count_luma(buf: &VideoBuffer, y: u32, value: u8) -> usize {
    let row = luma_row(buf, y);
    (0..buf.width())
        .filter(|&x| off_bands(buf, x, y) && row[x as usize] == value)
        .count()
}

#[test]
fn zoom_two_shows_the_central_half_twice_as_large() {
    let cyan = pattern::yuv(pattern::BARS[2])[0];
    let plain = painted(640, 480, 3);
    let zoomed = looked(640, 480, 3, &look(&[num(Control::Zoom, 2.0)]));
    assert_eq!(count_luma(&plain, BARS_ROW, cyan), 80, "bar 2 of 8");
    assert_eq!(count_luma(&zoomed, BARS_ROW, cyan), 160, "twice as wide");
    // The third bar (160..240) now starts at the left edge, the sixth ends at the right.
    let row = luma_row(&zoomed, BARS_ROW);
    assert_eq!(row[0], cyan);
    assert_eq!(row[639], pattern::yuv(pattern::BARS[5])[0]);
    // The bars end (the ramp starts) at 2/3 of the height: 320 in the scene,
    // 240 + (320 - 240) * 2 = 400 in the zoomed picture.
    let column = |buf: &VideoBuffer, x: usize| -> Vec<u8> {
        (0..480)
            .map(|y| buf.plane(0)[y * buf.stride(0) + x])
            .collect()
    };
    let last_bars_row = |buf: &VideoBuffer, x| column(buf, x).iter().rposition(|&v| v == cyan);
    assert_eq!(last_bars_row(&plain, 200), Some(319));
    assert_eq!(last_bars_row(&zoomed, 100), Some(399));
}

#[test]
fn pan_and_tilt_move_the_picture() {
    let plain = painted(640, 480, 3);
    let base = luma_row(&plain, BARS_ROW);
    // 60 degrees across 640 pixels: 6 degrees is 64 pixels.
    for (pan, shift) in [(6.0, 64i64), (-6.0, -64)] {
        let panned = looked(640, 480, 3, &look(&[num(Control::Pan, pan)]));
        let row = luma_row(&panned, BARS_ROW);
        let mut compared = 0;
        for x in 0..640i64 {
            let from = (x + shift).rem_euclid(640);
            if off_bands(&plain, x as u32, BARS_ROW) && off_bands(&plain, from as u32, BARS_ROW) {
                assert_eq!(row[x as usize], base[from as usize], "pan {pan} x {x}");
                compared += 1;
            }
        }
        assert!(compared > 500);
        assert_ne!(row, base);
    }
    // Tilting up 3 degrees (32 pixels) moves the content down: the bars end lower.
    // The last white row of the first bar below the horizontal band (rows 230..250).
    let bars_end = |buf: &VideoBuffer| {
        (260..480u32)
            .find(|&y| buf.plane(0)[y as usize * buf.stride(0) + 40] != 235)
            .map(|y| y - 1)
    };
    let tilted = looked(640, 480, 3, &look(&[num(Control::Tilt, 3.0)]));
    assert_eq!(bars_end(&plain), Some(319));
    assert_eq!(bars_end(&tilted), Some(351));
    let down = looked(640, 480, 3, &look(&[num(Control::Tilt, -3.0)]));
    assert_eq!(bars_end(&down), Some(287));
}

/// Every control at its extremes, alone and together.
fn extreme_looks() -> Vec<(String, Look)> {
    let mut out = Vec::new();
    let mut add = |what: &str, changes: &[(Control, ControlValue)]| {
        out.push((what.to_string(), look(changes)));
    };
    for (control, values) in [
        (Control::Brightness, [0.0, 255.0]),
        (Control::Contrast, [0.0, 255.0]),
        (Control::Saturation, [0.0, 255.0]),
        (Control::Sharpness, [0.0, 255.0]),
        (Control::ExposureCompensation, [-3.0, 3.0]),
        (Control::Iso, [3200.0, 1600.0]),
        (Control::Zoom, [4.0, 2.5]),
        (Control::Pan, [-180.0, 180.0]),
        (Control::Tilt, [-90.0, 90.0]),
    ] {
        for v in values {
            add(&format!("{control} {v}"), &[num(control, v)]);
        }
    }
    for (mode, control, values) in [
        (
            Control::ExposureMode,
            Control::ExposureTime,
            [1.0, 10_000.0],
        ),
        (
            Control::WhiteBalanceMode,
            Control::ColorTemperature,
            [2500.0, 7500.0],
        ),
        (Control::FocusMode, Control::FocusDistance, [0.1, 10.0]),
    ] {
        for v in values {
            add(
                &format!("{control} {v}"),
                &[(mode, MANUAL), num(control, v)],
            );
        }
    }
    add("torch", &[(Control::Torch, ControlValue::Flag(true))]);
    add(
        "everything at once",
        &[
            num(Control::Brightness, 255.0),
            num(Control::Contrast, 0.0),
            num(Control::Zoom, 4.0),
            num(Control::Pan, 37.0),
            num(Control::Tilt, -11.0),
            num(Control::Sharpness, 255.0),
            (Control::WhiteBalanceMode, MANUAL),
            num(Control::ColorTemperature, 2500.0),
            (Control::Torch, ControlValue::Flag(true)),
        ],
    );
    out
}

#[test]
fn the_code_stays_readable_under_every_extreme_setting() {
    for (what, l) in extreme_looks() {
        assert!(!l.is_neutral(), "{what}");
        for (width, height) in [(640, 480), (1280, 720), (160, 120), (321, 241)] {
            for sequence in [0, 77, 4_294_967_295, 2_718_281_828] {
                let buf = looked(width, height, sequence, &l);
                assert_eq!(
                    decode_sequence(&buf),
                    Some(sequence),
                    "{what} {width}x{height} #{sequence}"
                );
            }
        }
        let source = looked(1280, 720, 65_535, &l);
        for (format, width, height) in [
            (PixelFormat::Rgb24, 320, 240),
            (PixelFormat::Nv12, 480, 270),
        ] {
            let out = converted(&source, format, width, height);
            assert_eq!(
                decode_sequence(&out),
                Some(65_535),
                "{what} {}",
                format.name()
            );
        }
    }
}

#[test]
fn a_reused_buffer_painted_through_a_look_equals_a_freshly_painted_one() {
    let mut looks = extreme_looks();
    looks.push(("neutral".into(), Look::neutral()));
    for (width, height) in [(640, 480), (161, 121), (35, 17)] {
        let painter = Painter::new(width, height);
        let mut reused = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
        let mut state = PaintState::default();
        let mut seed = u64::from(width) * 31 + u64::from(height);
        // Each look for a few frames, switching looks on the same buffer.
        for (what, l) in &looks {
            for _ in 0..4 {
                let sequence = xorshift(&mut seed) % 500;
                painter.paint_with(&mut reused, &mut state, sequence, l);
                assert!(
                    reused.bytes() == looked(width, height, sequence, l).bytes(),
                    "{what} {width}x{height} #{sequence}"
                );
            }
        }
    }
}

/// Prints (does not assert) the cost of one 1080p paint through a non-neutral
/// look with the box moving in view (incremental: the rows showing the box),
/// and of a full render; run with `--release -- --nocapture look_speed`.
#[test]
fn look_speed_1080p() {
    let painter = Painter::new(1920, 1080);
    let l = look(&[
        num(Control::Brightness, 150.0),
        num(Control::Saturation, 200.0),
    ]);
    let mut buf = VideoBuffer::new(PixelFormat::I420, 1920, 1080).expect("buffer");
    let mut state = PaintState::default();
    painter.paint_with(&mut buf, &mut state, 0, &l);
    let frames = 20u64;
    let started = std::time::Instant::now();
    for sequence in 1..=frames {
        painter.paint_with(&mut buf, &mut state, sequence, &l);
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / frames as f64;
    println!("paint 1920x1080 through a look, incremental: {micros:.0} us/frame");
    let started = std::time::Instant::now();
    for sequence in 1..=frames {
        painter.paint_with(&mut buf, &mut PaintState::default(), sequence, &l);
    }
    let micros = started.elapsed().as_secs_f64() * 1e6 / frames as f64;
    println!("paint 1920x1080 through a look, full: {micros:.0} us/frame");
    assert_eq!(decode_sequence(&buf), Some(frames));
}
