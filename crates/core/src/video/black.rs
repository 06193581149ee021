//! Black pictures, delivered by disabled video tracks.

use crate::frame::{PixelFormat, VideoBuffer};

/// BT.601 limited-range black luma.
const BLACK_Y: u8 = 16;
/// Neutral chroma.
const NEUTRAL: u8 = 128;

/// Paints `buf` black in its own format: BT.601 limited-range black for YUV
/// formats (Y = 16, U = V = 128), 0, 0, 0 for RGB ones with alpha 255.
/// An MJPEG buffer (no raw pixels) is left as it is.
pub fn fill_black(buf: &mut VideoBuffer) {
    let format = buf.format();
    let [first, second, third, _] = buf.planes_mut();
    match format {
        PixelFormat::I420 => {
            first.fill(BLACK_Y);
            second.fill(NEUTRAL);
            third.fill(NEUTRAL);
        }
        PixelFormat::Nv12 => {
            first.fill(BLACK_Y);
            second.fill(NEUTRAL);
        }
        PixelFormat::Yuy2 => repeat(first, [BLACK_Y, NEUTRAL, BLACK_Y, NEUTRAL]),
        PixelFormat::Rgb24 | PixelFormat::Bgr24 => first.fill(0),
        PixelFormat::Rgba | PixelFormat::Bgra => repeat(first, [0, 0, 0, 255]),
        PixelFormat::Mjpeg => {}
    }
}

/// Fills `plane` with copies of `pattern` (its length is a multiple of 4 for
/// every format that uses this).
fn repeat(plane: &mut [u8], pattern: [u8; 4]) {
    for chunk in plane.chunks_exact_mut(4) {
        chunk.copy_from_slice(&pattern);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::luma::luma_at;

    fn black(format: PixelFormat, width: u32, height: u32) -> VideoBuffer {
        let mut buf = VideoBuffer::new(format, width, height).expect("buffer");
        // Start from white-ish garbage so the test sees fill_black do the work.
        for plane in buf.planes_mut() {
            plane.fill(200);
        }
        fill_black(&mut buf);
        buf
    }

    #[test]
    fn every_raw_format_is_filled_with_limited_range_black() {
        for format in PixelFormat::RAW {
            let buf = black(format, 7, 5);
            for (x, y) in [(0, 0), (6, 4), (3, 2)] {
                assert_eq!(
                    luma_at(&buf, x, y),
                    Some(16),
                    "{} at {x},{y}",
                    format.name()
                );
            }
        }
    }

    #[test]
    fn yuv_black_has_neutral_chroma() {
        let i420 = black(PixelFormat::I420, 7, 5);
        assert!(i420.plane(1).iter().chain(i420.plane(2)).all(|&c| c == 128));
        let nv12 = black(PixelFormat::Nv12, 7, 5);
        assert!(nv12.plane(1).iter().all(|&c| c == 128));
        let yuy2 = black(PixelFormat::Yuy2, 7, 5);
        assert!(yuy2
            .plane(0)
            .chunks_exact(4)
            .all(|c| c == [16, 128, 16, 128]));
    }

    #[test]
    fn rgb_black_is_zero_with_opaque_alpha() {
        for format in [PixelFormat::Rgb24, PixelFormat::Bgr24] {
            assert!(black(format, 3, 3).plane(0).iter().all(|&b| b == 0));
        }
        for format in [PixelFormat::Rgba, PixelFormat::Bgra] {
            assert!(black(format, 3, 3)
                .plane(0)
                .chunks_exact(4)
                .all(|p| p == [0, 0, 0, 255]));
        }
    }

    #[test]
    fn an_mjpeg_buffer_is_left_alone() {
        let mut jpeg = VideoBuffer::new_encoded(2, 2, &[1, 2, 3]).expect("buffer");
        fill_black(&mut jpeg);
        assert_eq!(jpeg.bytes(), [1, 2, 3]);
    }
}
