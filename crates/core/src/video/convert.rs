//! Format conversion and crop-and-scale between raw pictures.
//!
//! Colour conversion is `yuvutils-rs` (SIMD, BT.601 limited range, matching
//! [`crate::video::fill_black`]); scaling is `fast_image_resize` (SIMD
//! convolution per U8 plane, with a fractional crop box). Every picture passes
//! through I420: the source is turned into I420 if it is not already, scaled in
//! I420 at the target size (a third of the bytes of RGB), then turned into the
//! target format. Same size and format is a plain copy; packed RGB to another
//! packed RGB order at the same size is a channel shuffle.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{CropBox, FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use yuvutils_rs::{
    BufferStoreMut, YuvConversionMode, YuvError, YuvPackedImageMut, YuvPlanarImage,
    YuvPlanarImageMut, YuvRange, YuvStandardMatrix,
};

use crate::error::{Error, Result};
use crate::frame::{PixelFormat, VideoBuffer};

const RANGE: YuvRange = YuvRange::Limited;
const MATRIX: YuvStandardMatrix = YuvStandardMatrix::Bt601;

/// Converts and crop-and-scales pictures; keeps scratch buffers so steady-state
/// conversion allocates nothing.
///
/// One converter per conversion target (it is `Send`, not shared): its scratch
/// buffers are sized by the last pictures it saw.
#[derive(Debug, Default)]
pub struct Converter {
    resizer: Resizer,
    /// The source turned into I420 at its own size (when it is not I420).
    planar_source: Option<VideoBuffer>,
    /// The I420 picture at the target size (when the target is not I420).
    planar_scaled: Option<VideoBuffer>,
}

impl Converter {
    /// A converter with no scratch buffers yet.
    pub fn new() -> Converter {
        Converter::default()
    }

    /// Fit `src` into `dst` (whose format and size are already set): centred crop
    /// of `src` to `dst`'s aspect ratio, scale, convert format. Both may be any
    /// raw format; I420 to I420 is the fastest path.
    ///
    /// Fails with `InvalidArgument` for MJPEG on either side (decode it first).
    pub fn convert(&mut self, src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
        if src.format() == PixelFormat::Mjpeg || dst.format() == PixelFormat::Mjpeg {
            return Err(Error::InvalidArgument(
                "MJPEG pictures are not raw: decode them before converting".into(),
            ));
        }
        let (width, height) = (dst.width(), dst.height());
        let same_size = src.width() == width && src.height() == height;
        if same_size && src.format() == dst.format() {
            copy_planes(src, dst);
            return Ok(());
        }
        if same_size && is_packed_rgb(src.format()) && is_packed_rgb(dst.format()) {
            return shuffle(src, dst);
        }
        if same_size && dst.format() == PixelFormat::I420 {
            return to_i420(src, dst);
        }

        let Converter {
            resizer,
            planar_source,
            planar_scaled,
        } = self;
        let planar: &VideoBuffer = if src.format() == PixelFormat::I420 {
            src
        } else {
            let scratch = scratch_i420(planar_source, src.width(), src.height())?;
            to_i420(src, scratch)?;
            scratch
        };
        if same_size {
            from_i420(planar, dst)
        } else if dst.format() == PixelFormat::I420 {
            scale_i420(resizer, planar, dst)
        } else {
            let scaled = scratch_i420(planar_scaled, width, height)?;
            scale_i420(resizer, planar, scaled)?;
            from_i420(scaled, dst)
        }
    }
}

/// The I420 scratch buffer in `slot`, (re)made if it is not `width` x `height`.
fn scratch_i420(
    slot: &mut Option<VideoBuffer>,
    width: u32,
    height: u32,
) -> Result<&mut VideoBuffer> {
    if !slot
        .as_ref()
        .is_some_and(|b| b.is(PixelFormat::I420, width, height))
    {
        *slot = Some(VideoBuffer::new(PixelFormat::I420, width, height)?);
    }
    slot.as_mut()
        .ok_or_else(|| Error::Internal("conversion scratch buffer missing".into()))
}

fn copy_planes(src: &VideoBuffer, dst: &mut VideoBuffer) {
    for (i, to) in dst
        .planes_mut()
        .into_iter()
        .enumerate()
        .take(src.plane_count())
    {
        to.copy_from_slice(src.plane(i));
    }
}

fn is_packed_rgb(format: PixelFormat) -> bool {
    matches!(
        format,
        PixelFormat::Rgb24 | PixelFormat::Bgr24 | PixelFormat::Rgba | PixelFormat::Bgra
    )
}

fn yuv_failed(e: YuvError) -> Error {
    Error::Internal(format!("colour conversion failed: {e}"))
}

/// Reorders the channels of a packed RGB picture into another packed RGB order.
fn shuffle(src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
    use yuvutils_rs as y;
    use PixelFormat::{Bgr24, Bgra, Rgb24, Rgba};
    type Shuffle = fn(&[u8], u32, &mut [u8], u32, u32, u32) -> Result<(), YuvError>;
    let convert: Shuffle = match (src.format(), dst.format()) {
        (Rgb24, Bgr24) => y::rgb_to_bgr,
        (Rgb24, Rgba) => y::rgb_to_rgba,
        (Rgb24, Bgra) => y::rgb_to_bgra,
        (Bgr24, Rgb24) => y::bgr_to_rgb,
        (Bgr24, Rgba) => y::bgr_to_rgba,
        (Bgr24, Bgra) => y::bgr_to_bgra,
        (Rgba, Rgb24) => y::rgba_to_rgb,
        (Rgba, Bgr24) => y::rgba_to_bgr,
        (Rgba, Bgra) => y::rgba_to_bgra,
        (Bgra, Rgb24) => y::bgra_to_rgb,
        (Bgra, Bgr24) => y::bgra_to_bgr,
        (Bgra, Rgba) => y::bgra_to_rgba,
        (from, to) => {
            return Err(Error::Internal(format!(
                "no shuffle from {} to {}",
                from.name(),
                to.name()
            )))
        }
    };
    let (width, height, to_stride) = (dst.width(), dst.height(), dst.stride(0) as u32);
    convert(
        src.plane(0),
        src.stride(0) as u32,
        dst.plane_mut(0),
        to_stride,
        width,
        height,
    )
    .map_err(yuv_failed)
}

/// A read-only I420 view of `buf` (which must be I420) for yuvutils.
fn planar_view(buf: &VideoBuffer) -> YuvPlanarImage<'_, u8> {
    YuvPlanarImage {
        y_plane: buf.plane(0),
        y_stride: buf.stride(0) as u32,
        u_plane: buf.plane(1),
        u_stride: buf.stride(1) as u32,
        v_plane: buf.plane(2),
        v_stride: buf.stride(2) as u32,
        width: buf.width(),
        height: buf.height(),
    }
}

/// Converts `src` (any raw format) into `dst`, an I420 picture of the same size.
fn to_i420(src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
    use yuvutils_rs as y;
    let (width, height) = (dst.width(), dst.height());
    let strides = [dst.stride(0), dst.stride(1), dst.stride(2)].map(|s| s as u32);
    let [y_plane, u_plane, v_plane, _] = dst.planes_mut();
    match src.format() {
        PixelFormat::I420 => {
            for (i, to) in [y_plane, u_plane, v_plane].into_iter().enumerate() {
                to.copy_from_slice(src.plane(i));
            }
            return Ok(());
        }
        PixelFormat::Nv12 => {
            y_plane.copy_from_slice(src.plane(0));
            // Splitting interleaved U/V into two planes: yuvutils has no NV12 <-> I420.
            for ((pair, u), v) in src.plane(1).chunks_exact(2).zip(u_plane).zip(v_plane) {
                *u = pair[0];
                *v = pair[1];
            }
            return Ok(());
        }
        PixelFormat::Yuy2 => {
            yuy2_to_i420(src, y_plane, u_plane, v_plane);
            return Ok(());
        }
        _ => {}
    }
    let mut planar = YuvPlanarImageMut {
        y_plane: BufferStoreMut::Borrowed(y_plane),
        y_stride: strides[0],
        u_plane: BufferStoreMut::Borrowed(u_plane),
        u_stride: strides[1],
        v_plane: BufferStoreMut::Borrowed(v_plane),
        v_stride: strides[2],
        width,
        height,
    };
    let (pixels, stride) = (src.plane(0), src.stride(0) as u32);
    let mode = YuvConversionMode::Balanced;
    match src.format() {
        PixelFormat::Rgb24 => y::rgb_to_yuv420(&mut planar, pixels, stride, RANGE, MATRIX, mode),
        PixelFormat::Bgr24 => y::bgr_to_yuv420(&mut planar, pixels, stride, RANGE, MATRIX, mode),
        PixelFormat::Rgba => y::rgba_to_yuv420(&mut planar, pixels, stride, RANGE, MATRIX, mode),
        PixelFormat::Bgra => y::bgra_to_yuv420(&mut planar, pixels, stride, RANGE, MATRIX, mode),
        PixelFormat::I420 | PixelFormat::Nv12 | PixelFormat::Yuy2 | PixelFormat::Mjpeg => Ok(()),
    }
    .map_err(yuv_failed)
}

/// Unpacks YUY2 `src` into I420 planes of the same size, averaging the chroma of
/// each pair of rows.
///
/// Written out because `yuvutils_rs::yuyv422_to_yuv420` (0.8.3) leaves the last
/// pixels of every row unwritten whenever its SIMD loop stops short of the row's
/// end (e.g. the last 16 of a 640-pixel row): its scalar tail skips `cx` pixel
/// pairs where it should skip `cx / 2`.
fn yuy2_to_i420(src: &VideoBuffer, y_plane: &mut [u8], u_plane: &mut [u8], v_plane: &mut [u8]) {
    let (width, packed_stride) = (src.width() as usize, src.stride(0));
    let chroma_width = width.div_ceil(2);
    let rows = src
        .plane(0)
        .chunks(2 * packed_stride)
        .zip(y_plane.chunks_mut(2 * width))
        .zip(
            u_plane
                .chunks_exact_mut(chroma_width)
                .zip(v_plane.chunks_exact_mut(chroma_width)),
        );
    for ((packed_pair, luma_pair), (u_row, v_row)) in rows {
        for (packed, luma) in packed_pair
            .chunks_exact(packed_stride)
            .zip(luma_pair.chunks_mut(width))
        {
            for (pixels, yuyv) in luma.chunks_mut(2).zip(packed.chunks_exact(4)) {
                pixels.copy_from_slice(&[yuyv[0], yuyv[2]][..pixels.len()]);
            }
        }
        let top = packed_pair
            .chunks_exact(packed_stride)
            .next()
            .unwrap_or_default();
        let bottom = packed_pair
            .chunks_exact(packed_stride)
            .last()
            .unwrap_or_default();
        let pairs = top.chunks_exact(4).zip(bottom.chunks_exact(4));
        for ((u, v), (above, below)) in u_row.iter_mut().zip(v_row.iter_mut()).zip(pairs) {
            *u = average(above[1], below[1]);
            *v = average(above[3], below[3]);
        }
    }
}

/// The mean of two samples, rounded half up.
fn average(a: u8, b: u8) -> u8 {
    (u16::from(a) + u16::from(b)).div_ceil(2) as u8
}

/// Converts `src`, an I420 picture, into `dst` (any raw format) of the same size.
fn from_i420(src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
    use yuvutils_rs as y;
    let planar = planar_view(src);
    let (format, stride) = (dst.format(), dst.stride(0) as u32);
    let (width, height) = (dst.width(), dst.height());
    let [first, second, _, _] = dst.planes_mut();
    match format {
        PixelFormat::I420 => {
            copy_planes(src, dst);
            Ok(())
        }
        PixelFormat::Nv12 => {
            first.copy_from_slice(src.plane(0));
            // Interleaving two planes into U/V pairs: yuvutils has no I420 <-> NV12.
            for ((pair, u), v) in second
                .chunks_exact_mut(2)
                .zip(src.plane(1))
                .zip(src.plane(2))
            {
                pair.copy_from_slice(&[*u, *v]);
            }
            Ok(())
        }
        PixelFormat::Yuy2 => {
            let mut packed = YuvPackedImageMut {
                yuy: BufferStoreMut::Borrowed(first),
                yuy_stride: stride,
                width,
                height,
            };
            y::yuv420_to_yuyv422(&mut packed, &planar).map_err(yuv_failed)
        }
        PixelFormat::Rgb24 => {
            y::yuv420_to_rgb(&planar, first, stride, RANGE, MATRIX).map_err(yuv_failed)
        }
        PixelFormat::Bgr24 => {
            y::yuv420_to_bgr(&planar, first, stride, RANGE, MATRIX).map_err(yuv_failed)
        }
        PixelFormat::Rgba => {
            y::yuv420_to_rgba(&planar, first, stride, RANGE, MATRIX).map_err(yuv_failed)
        }
        PixelFormat::Bgra => {
            y::yuv420_to_bgra(&planar, first, stride, RANGE, MATRIX).map_err(yuv_failed)
        }
        PixelFormat::Mjpeg => Err(Error::InvalidArgument("cannot convert to MJPEG".into())),
    }
}

/// Crop-and-scales I420 `src` into I420 `dst`: the centred part of `src` with
/// `dst`'s aspect ratio, each plane scaled on its own (chroma with the crop halved).
fn scale_i420(resizer: &mut Resizer, src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
    let luma_crop = CropBox::fit_src_into_dst_size(
        src.width(),
        src.height(),
        dst.width(),
        dst.height(),
        Some((0.5, 0.5)),
    );
    let (to_width, to_height) = (dst.width(), dst.height());
    let [y_plane, u_plane, v_plane, _] = dst.planes_mut();
    for (i, to) in [y_plane, u_plane, v_plane].into_iter().enumerate() {
        let (divisor, from_width, from_height, width, height) = if i == 0 {
            (1.0, src.width(), src.height(), to_width, to_height)
        } else {
            let half = |n: u32| n.div_ceil(2);
            (
                2.0,
                half(src.width()),
                half(src.height()),
                half(to_width),
                half(to_height),
            )
        };
        let from = ImageRef::new(from_width, from_height, src.plane(i), PixelType::U8)
            .map_err(|e| Error::Internal(format!("scaling source: {e}")))?;
        let mut into = Image::from_slice_u8(width, height, to, PixelType::U8)
            .map_err(|e| Error::Internal(format!("scaling target: {e}")))?;
        let left = luma_crop.left / divisor;
        let top = luma_crop.top / divisor;
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Bilinear))
            .crop(
                left,
                top,
                (luma_crop.width / divisor).min(f64::from(from_width) - left),
                (luma_crop.height / divisor).min(f64::from(from_height) - top),
            );
        resizer
            .resize(&from, &mut into, &options)
            .map_err(|e| Error::Internal(format!("scaling failed: {e}")))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An I420 picture with gently varying luma and chroma that stays inside the RGB gamut.
    fn gradient(width: u32, height: u32) -> VideoBuffer {
        let mut buf = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
        let (luma_width, chroma_width) = (buf.stride(0), buf.stride(1));
        let [y, u, v, _] = buf.planes_mut();
        for (i, px) in y.iter_mut().enumerate() {
            *px = 40 + ((i % luma_width) * 7 + (i / luma_width) * 3) as u8 % 160;
        }
        for (i, (u, v)) in u.iter_mut().zip(v.iter_mut()).enumerate() {
            *u = 118 + ((i % chroma_width) % 20) as u8;
            *v = 138 - ((i / chroma_width) % 20) as u8;
        }
        buf
    }

    fn round_trip(src: &VideoBuffer, through: PixelFormat) -> VideoBuffer {
        let (width, height) = (src.width(), src.height());
        let mut there = VideoBuffer::new(through, width, height).expect("buffer");
        let mut back = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
        let mut converter = Converter::new();
        converter.convert(src, &mut there).expect("there");
        converter.convert(&there, &mut back).expect("back");
        back
    }

    #[test]
    fn every_pixel_survives_a_round_trip_through_each_format() {
        // Widths chosen so SIMD loops leave tails of every length, odd ones included.
        for (width, height) in [(640, 4), (333, 5), (97, 3), (1, 1)] {
            let src = gradient(width, height);
            for format in PixelFormat::RAW {
                let back = round_trip(&src, format);
                let lossless = matches!(format, PixelFormat::Nv12 | PixelFormat::Yuy2);
                let tolerance = if lossless { 0 } else { 3 };
                for plane in 0..3 {
                    let worst = src
                        .plane(plane)
                        .iter()
                        .zip(back.plane(plane))
                        .map(|(a, b)| a.abs_diff(*b))
                        .max();
                    assert!(
                        worst <= Some(tolerance),
                        "{} {width}x{height} plane {plane}: off by {worst:?}",
                        format.name()
                    );
                }
            }
        }
    }

    #[test]
    fn same_size_and_format_is_an_exact_copy() {
        let src = gradient(33, 7);
        let mut dst = VideoBuffer::new(PixelFormat::I420, 33, 7).expect("buffer");
        Converter::new().convert(&src, &mut dst).expect("copy");
        assert_eq!(src.bytes(), dst.bytes());
    }

    #[test]
    fn steady_state_conversion_reuses_its_scratch_buffers() {
        let src = VideoBuffer::new(PixelFormat::Yuy2, 64, 48).expect("buffer");
        let mut dst = VideoBuffer::new(PixelFormat::Rgba, 32, 24).expect("buffer");
        let mut converter = Converter::new();
        let scratch_addresses = |c: &Converter| {
            [&c.planar_source, &c.planar_scaled].map(|b| b.as_ref().map(|b| b.bytes().as_ptr()))
        };
        converter.convert(&src, &mut dst).expect("first");
        let first = scratch_addresses(&converter);
        assert!(first.iter().all(Option::is_some));
        converter.convert(&src, &mut dst).expect("second");
        assert_eq!(scratch_addresses(&converter), first);
    }
}
