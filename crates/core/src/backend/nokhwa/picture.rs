//! From a camera buffer to a pooled picture: the one copy a camera frame takes.
//!
//! nokhwa hands out each frame as a view into the camera's buffer (V4L2's
//! memory-mapped buffer, which the camera reuses as soon as the next frame is
//! asked for; elsewhere a copy of the system's); so each frame is copied once
//! into a buffer of a [`FramePool`] filled when the camera opens, and from
//! there shared by every track (the core converts per track: crop-and-scale,
//! pixel format, MJPEG decoded once per frame). Raw rows are repacked from
//! the camera's row length (V4L2's `bytesperline`; where the system does not
//! say, a one-plane picture's buffer split evenly into its rows) to tight
//! rows; an MJPEG frame is cut at its end-of-image marker, since the camera
//! buffer may be larger than the picture.

use std::sync::Arc;

use crate::backend::file::mjpeg;
use crate::error::{Error, Result};
use crate::frame::{FrameData, PixelFormat, VideoBuffer};
use crate::pool::FramePool;

/// Memory the pool of one camera may hold, and its bounds in buffers.
const POOL_BYTES: usize = 32 << 20;
const POOL_MIN: usize = 4;
const POOL_MAX: usize = 16;

/// Pooled pictures of one camera mode.
pub(crate) struct Pictures {
    format: PixelFormat,
    width: u32,
    height: u32,
    /// Bytes per row in the camera's buffer (raw formats).
    camera_stride: usize,
    /// Whether the camera said so (else it is read off each buffer's length).
    stride_given: bool,
    pool: FramePool,
}

impl Pictures {
    /// Pictures of `format` at `width` x `height` from a camera whose rows are
    /// `camera_stride` bytes (0: tightly packed) and whose frames are at most
    /// `largest` bytes (0: unknown); the pool is filled now.
    pub fn new(
        format: PixelFormat,
        width: u32,
        height: u32,
        camera_stride: usize,
        largest: usize,
    ) -> Result<Pictures> {
        let bytes = if format == PixelFormat::Mjpeg {
            // A JPEG is rarely larger than a YUYV picture of its size. The
            // driver's own bound (sizeimage) is taken up to twice that: a
            // driver that claims gigabytes must not size a pool of 16.
            let yuyv = PixelFormat::Yuy2.layout(width, height).total();
            if largest > 0 {
                largest.min(yuyv.saturating_mul(2))
            } else {
                yuyv
            }
        } else {
            VideoBuffer::new(format, width, height)?.layout().total()
        };
        let size = (POOL_BYTES / bytes.max(1)).clamp(POOL_MIN, POOL_MAX);
        let tight = format.layout(width, height).strides[0];
        let mut pictures = Pictures {
            format,
            width,
            height,
            camera_stride: camera_stride.max(tight),
            stride_given: camera_stride > 0,
            pool: FramePool::new(size),
        };
        // Fill the pool now, so capture never allocates.
        let mut held = Vec::with_capacity(size);
        for _ in 0..size {
            let made = pictures
                .pool
                .acquire(|_| false, || make(format, width, height, bytes));
            if let Some((slot, _)) = made {
                held.push(pictures.pool.share(slot));
            }
        }
        if held.iter().any(|d| !pictures.fits(d)) {
            return Err(Error::NotReadable(format!(
                "cannot make {width}x{height} {} pictures",
                format.name()
            )));
        }
        Ok(pictures)
    }

    fn fits(&self, data: &FrameData) -> bool {
        data.video()
            .is_some_and(|v| v.is(self.format, self.width, self.height))
    }

    /// The frame in `camera` (a camera buffer) as a pooled picture; `None`
    /// when every buffer is still held by consumers, or when the buffer is
    /// too short or not a whole JPEG of the mode's size (the frame is lost).
    pub fn copy(&mut self, camera: &[u8], sequence: u64) -> Option<Arc<FrameData>> {
        let (format, width, height) = (self.format, self.width, self.height);
        let stride = if self.stride_given || format.layout(width, height).count != 1 {
            self.camera_stride
        } else {
            row_length(camera.len(), height, self.camera_stride)
        };
        let jpeg = if format == PixelFormat::Mjpeg {
            let frame = mjpeg::frame_at(camera, 0, sequence).ok()??;
            if (frame.width, frame.height) != (width, height) {
                return None;
            }
            Some(camera.get(..frame.len)?)
        } else {
            None
        };
        let (slot, data) = self.pool.acquire(
            |d| d.video().is_some_and(|v| v.is(format, width, height)),
            || make(format, width, height, 0),
        )?;
        let picture = data.video_mut()?;
        match jpeg {
            Some(bytes) => picture.set_encoded(bytes),
            None => repack(camera, stride, picture)?,
        }
        Some(self.pool.share(slot))
    }
}

/// Copy the planes of a raw camera picture with rows of `stride` bytes into
/// `dst`'s tight rows. V4L2's single-buffer NV12 has its U/V rows right after
/// the Y rows, at the same row length.
fn repack(camera: &[u8], stride: usize, dst: &mut VideoBuffer) -> Option<()> {
    let layout = *dst.layout();
    let mut at = 0usize;
    for (i, plane) in dst.planes_mut().into_iter().enumerate().take(layout.count) {
        let row = layout.strides[i];
        let rows = layout.sizes[i].checked_div(row).unwrap_or(0);
        let needed = stride.checked_mul(rows.checked_sub(1)?)?.checked_add(row)?;
        let source = camera.get(at..at.checked_add(needed)?)?;
        for (to, from) in plane.chunks_exact_mut(row).zip(source.chunks(stride)) {
            to.copy_from_slice(from.get(..row)?);
        }
        at = at.checked_add(stride.checked_mul(rows)?)?;
    }
    Some(())
}

/// The row length of a one-plane picture of `height` rows in a buffer of
/// `len` bytes: the buffer split evenly into rows when it splits into rows at
/// least `tight` long, else `tight`.
fn row_length(len: usize, height: u32, tight: usize) -> usize {
    let rows = height as usize;
    match len.checked_div(rows) {
        Some(row) if row > tight && len.is_multiple_of(rows) => row,
        _ => tight,
    }
}

/// A pooled picture; an MJPEG one with room for `bytes` bytes.
fn make(format: PixelFormat, width: u32, height: u32, bytes: usize) -> FrameData {
    let made = if format == PixelFormat::Mjpeg {
        VideoBuffer::new_encoded(width, height, &vec![0; bytes]).map(|mut b| {
            // Keep the room, drop the content.
            b.set_encoded(&[]);
            b
        })
    } else {
        VideoBuffer::new(format, width, height)
    };
    // A size that fails here was refused by `Pictures::new` already; this
    // stand-in never fits, so it is never handed out.
    FrameData::Video(made.unwrap_or_else(|_| {
        VideoBuffer::new(PixelFormat::Rgba, 1, 1).expect("1x1 is a valid size")
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padded_rows_are_repacked_tight_and_short_buffers_are_lost() {
        let (w, h) = (4u32, 2u32);
        let mut pictures = Pictures::new(PixelFormat::Yuy2, w, h, 12, 0).unwrap();
        // Two rows of 8 picture bytes, each padded to 12.
        let camera: Vec<u8> = (0..24).collect();
        let frame = pictures.copy(&camera, 0).expect("a picture");
        let picture = frame.video().unwrap();
        let expected: Vec<u8> = (0..8).chain(12..20).collect();
        assert_eq!(picture.plane(0), &expected[..]);
        assert!(pictures.copy(&camera[..19], 1).is_none(), "too short");
    }

    #[test]
    fn rows_of_a_camera_that_does_not_say_are_read_off_the_buffer_length() {
        assert_eq!(row_length(2 * 16, 2, 8), 16);
        assert_eq!(row_length(2 * 8, 2, 8), 8);
        assert_eq!(row_length(17, 2, 8), 8, "not whole rows");
        assert_eq!(row_length(0, 0, 8), 8);
        let mut pictures = Pictures::new(PixelFormat::Yuy2, 4, 2, 0, 0).unwrap();
        let camera: Vec<u8> = (0..24).collect();
        let frame = pictures.copy(&camera, 0).expect("a picture");
        let expected: Vec<u8> = (0..8).chain(12..20).collect();
        assert_eq!(frame.video().unwrap().plane(0), &expected[..]);
    }

    #[test]
    fn nv12_chroma_rows_follow_the_luma_rows_at_the_same_stride() {
        let mut pictures = Pictures::new(PixelFormat::Nv12, 2, 2, 4, 0).unwrap();
        let camera = [1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0];
        let frame = pictures.copy(&camera, 0).expect("a picture");
        let picture = frame.video().unwrap();
        assert_eq!(picture.plane(0), &[1, 2, 3, 4]);
        assert_eq!(picture.plane(1), &[5, 6]);
    }

    #[test]
    fn a_jpeg_is_cut_at_its_end_and_must_have_the_mode_size() {
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 2, 0, 4, 1, 1, 0x11, 0, 0xFF, 0xDA, 0x00,
            0x08, 1, 1, 0, 0, 63, 0, 0x12, 0xFF, 0xD9,
        ];
        let mut camera = jpeg.to_vec();
        camera.extend_from_slice(&[0xAA; 100]);
        let mut pictures = Pictures::new(PixelFormat::Mjpeg, 4, 2, 0, 256).unwrap();
        let frame = pictures.copy(&camera, 0).expect("a picture");
        assert_eq!(frame.video().unwrap().plane(0), &jpeg[..]);
        let mut other = Pictures::new(PixelFormat::Mjpeg, 8, 2, 0, 256).unwrap();
        assert!(other.copy(&camera, 0).is_none(), "another size is lost");
        assert!(pictures.copy(&[0u8; 64], 1).is_none(), "not a JPEG");
    }
}
