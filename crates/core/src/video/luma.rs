//! Reading one pixel's brightness from a picture of any raw format.

use crate::frame::{PixelFormat, VideoBuffer};

/// The BT.601 limited-range luma (16..=235) of pixel (`x`, `y`), whatever the
/// buffer's raw format; `None` outside the picture or for MJPEG.
pub(crate) fn luma_at(buf: &VideoBuffer, x: u32, y: u32) -> Option<u8> {
    if x >= buf.width() || y >= buf.height() || buf.plane_count() == 0 {
        return None;
    }
    let (x, y) = (x as usize, y as usize);
    let row = buf.plane(0).get(y * buf.stride(0)..)?;
    let rgb = |r: usize, g: usize, b: usize, size: usize| {
        let px = row.get(x * size..x * size + size)?;
        Some(rgb_to_luma(px[r], px[g], px[b]))
    };
    match buf.format() {
        PixelFormat::I420 | PixelFormat::Nv12 => row.get(x).copied(),
        PixelFormat::Yuy2 => row.get(x * 2).copied(),
        PixelFormat::Rgb24 => rgb(0, 1, 2, 3),
        PixelFormat::Bgr24 => rgb(2, 1, 0, 3),
        PixelFormat::Rgba => rgb(0, 1, 2, 4),
        PixelFormat::Bgra => rgb(2, 1, 0, 4),
        PixelFormat::Mjpeg => None,
    }
}

/// BT.601 limited-range luma of a full-range RGB colour.
pub(crate) fn rgb_to_luma(r: u8, g: u8, b: u8) -> u8 {
    let (r, g, b) = (u32::from(r), u32::from(g), u32::from(b));
    (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rgb_black_and_white_map_to_limited_range_luma() {
        assert_eq!(rgb_to_luma(0, 0, 0), 16);
        assert_eq!(rgb_to_luma(255, 255, 255), 235);
    }

    #[test]
    fn pixels_outside_the_picture_or_in_mjpeg_have_no_luma() {
        let buf = VideoBuffer::new(PixelFormat::Rgb24, 4, 2).expect("buffer");
        assert_eq!(luma_at(&buf, 3, 1), Some(16));
        assert_eq!(luma_at(&buf, 4, 0), None);
        assert_eq!(luma_at(&buf, 0, 2), None);
        let jpeg = VideoBuffer::new_encoded(4, 2, &[0xFF, 0xD8]).expect("buffer");
        assert_eq!(luma_at(&jpeg, 0, 0), None);
    }
}
