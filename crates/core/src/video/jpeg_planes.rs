//! A grayscale JPEG's luma into our I420, without an RGB round trip.
//!
//! A JPEG (JFIF) holds full-range BT.601 samples (0..=255); our I420 is
//! BT.601 limited range (Y 16..=235), so luma needs only a range scaling and
//! the chroma of a gray picture is neutral (128). Plain integer arithmetic
//! over fixed-size blocks, which the compiler turns into SIMD; allocates
//! nothing.
//!
//! Colour JPEGs are not handled here: zune-jpeg 0.5 hands its YCbCr samples
//! only interleaved and upsampled, through a loop slower than its RGB
//! conversion, so they go through RGB (see `backend::file::mjpeg`).

use crate::frame::{PixelFormat, VideoBuffer};

/// Pixels per block of the inner loop (the compiler vectorises whole blocks).
const BLOCK: usize = 32;

/// Full-range luma (0..=255) to limited range: 16 + y * 219 / 255, rounded
/// (16.16 fixed point).
#[inline(always)]
fn luma(y: u8) -> u8 {
    ((u32::from(y) * 56_284 + (16 << 16) + (1 << 15)) >> 16) as u8
}

/// `src`, `dst.width()` x `dst.height()` full-range luma samples (rows
/// packed), into `dst`, an I420 picture of that size with neutral chroma.
pub(crate) fn gray_to_i420(src: &[u8], dst: &mut VideoBuffer) {
    debug_assert!(dst.format() == PixelFormat::I420);
    let [y_plane, u_plane, v_plane, _] = dst.planes_mut();
    for (from, to) in src.chunks_exact(BLOCK).zip(y_plane.chunks_exact_mut(BLOCK)) {
        for (t, &f) in to.iter_mut().zip(from) {
            *t = luma(f);
        }
    }
    let done = src.len() / BLOCK * BLOCK;
    for (t, &f) in y_plane.iter_mut().zip(src).skip(done) {
        *t = luma(f);
    }
    u_plane.fill(128);
    v_plane.fill(128);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_scaling_maps_full_range_onto_limited_range_rounded() {
        assert_eq!((luma(0), luma(128), luma(255)), (16, 126, 235));
        for y in 0..=255u8 {
            let exact = 16.0 + f64::from(y) * 219.0 / 255.0;
            assert!((f64::from(luma(y)) - exact).abs() <= 0.51, "{y}");
        }
    }

    #[test]
    fn gray_pictures_of_odd_sizes_get_every_sample_and_neutral_chroma() {
        for (w, h) in [(1u32, 1u32), (19, 3), (33, 5), (64, 2)] {
            let mut dst = VideoBuffer::new(PixelFormat::I420, w, h).unwrap();
            let gray: Vec<u8> = (0..w * h).map(|i| (i * 7) as u8).collect();
            gray_to_i420(&gray, &mut dst);
            let want: Vec<u8> = gray.iter().map(|&g| luma(g)).collect();
            assert_eq!(dst.plane(0), &want[..], "{w}x{h}");
            assert!(dst.plane(1).iter().chain(dst.plane(2)).all(|&c| c == 128));
        }
    }
}
