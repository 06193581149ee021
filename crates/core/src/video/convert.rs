//! Format conversion and crop-and-scale between raw pictures.
//!
//! Colour conversion is `yuvutils-rs` (SIMD, BT.601 limited range, matching
//! [`crate::video::fill_black`]); scaling is `pic-scale` (SIMD bilinear
//! convolution per plane, from plans whose filter weights are computed once per
//! size pair and run with scratch memory the converter keeps). Every picture
//! passes through I420: the source is turned into I420 if it is not already,
//! scaled in I420 at the target size (a third of the bytes of RGB), then turned
//! into the target format. Same size and format is a plain copy; packed RGB to
//! another packed RGB order at the same size is a channel shuffle.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use pic_scale::{
    BufferStore, ImageSize, ImageStore, ImageStoreMut, PicScaleError, Resampling,
    ResamplingFunction, Scaler,
};
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
    /// Crop-and-scale plans for the last source and target sizes.
    scaler: Option<I420Scaler>,
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
            scaler,
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
            return from_i420(planar, dst);
        }
        let scaler = I420Scaler::for_sizes(scaler, planar, width, height)?;
        if dst.format() == PixelFormat::I420 {
            scaler.scale(planar, dst)
        } else {
            let scaled = scratch_i420(planar_scaled, width, height)?;
            scaler.scale(planar, scaled)?;
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

/// A part of a plane, in samples of that plane.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Rect {
    left: usize,
    top: usize,
    width: usize,
    height: usize,
}

impl Rect {
    /// The centred part of a `from_width` x `from_height` picture with the aspect
    /// ratio of `to_width` x `to_height` (at least one pixel), its left and top
    /// rounded down to even so that the half-size chroma planes crop the same part.
    fn centred_crop(from_width: u32, from_height: u32, to_width: u32, to_height: u32) -> Rect {
        let [from_w, from_h, to_w, to_h] =
            [from_width, from_height, to_width, to_height].map(|n| u64::from(n.max(1)));
        // Widths and heights are u32, so these products cannot overflow u64.
        let (width, height) = if from_w * to_h > from_h * to_w {
            ((from_h * to_w + to_h / 2) / to_h, from_h)
        } else {
            (from_w, (from_w * to_h + to_w / 2) / to_w)
        };
        let (width, height) = (width.clamp(1, from_w), height.clamp(1, from_h));
        let even = |n: u64| (n & !1) as usize;
        Rect {
            left: even((from_w - width) / 2),
            top: even((from_h - height) / 2),
            width: width as usize,
            height: height as usize,
        }
    }

    /// The same part of a chroma plane (half size, rounded up).
    fn halved(self) -> Rect {
        Rect {
            left: self.left / 2,
            top: self.top / 2,
            width: self.width.div_ceil(2),
            height: self.height.div_ceil(2),
        }
    }
}

/// The size of plane `plane` of an I420 picture of `width` x `height`.
fn i420_plane_size(plane: usize, width: u32, height: u32) -> ImageSize {
    let (width, height) = (width as usize, height as usize);
    if plane == 0 {
        ImageSize::new(width, height)
    } else {
        ImageSize::new(width.div_ceil(2), height.div_ceil(2))
    }
}

fn scaling_failed(e: PicScaleError) -> Error {
    Error::Internal(format!("scaling failed: {e}"))
}

/// Crop-and-scale of I420 pictures of one size into I420 pictures of another:
/// the centred part of the source with the target's aspect ratio, each plane
/// scaled bilinearly on its own. The filter weights (per plane) and the scratch
/// memory are made once, when the sizes change; scaling then allocates nothing.
struct I420Scaler {
    /// Source width and height, target width and height.
    sizes: [u32; 4],
    /// Per plane (Y, U, V): the part of the source plane that is scaled.
    crops: [Rect; 3],
    /// Per plane: the plan scaling that part to the target plane.
    plans: [Arc<Resampling<u8, 1>>; 3],
    /// Scratch memory for the plans, as long as the longest needs.
    scratch: Vec<u8>,
}

impl fmt::Debug for I420Scaler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("I420Scaler")
            .field("sizes", &self.sizes)
            .field("crops", &self.crops)
            .finish_non_exhaustive()
    }
}

impl I420Scaler {
    /// The scaler in `slot`, (re)made unless it already scales `src`'s size to
    /// `width` x `height`.
    fn for_sizes<'a>(
        slot: &'a mut Option<I420Scaler>,
        src: &VideoBuffer,
        width: u32,
        height: u32,
    ) -> Result<&'a mut I420Scaler> {
        let sizes = [src.width(), src.height(), width, height];
        if slot.as_ref().is_none_or(|s| s.sizes != sizes) {
            *slot = Some(I420Scaler::new(sizes)?);
        }
        slot.as_mut()
            .ok_or_else(|| Error::Internal("scaler missing".into()))
    }

    fn new(sizes: [u32; 4]) -> Result<I420Scaler> {
        let [from_width, from_height, to_width, to_height] = sizes;
        let luma = Rect::centred_crop(from_width, from_height, to_width, to_height);
        let crops = [luma, luma.halved(), luma.halved()];
        let scaler = Scaler::new(ResamplingFunction::Bilinear);
        let plan = |plane: usize| {
            let crop = crops[plane];
            let from = ImageSize::new(crop.width, crop.height);
            let to = i420_plane_size(plane, to_width, to_height);
            scaler
                .plan_planar_resampling(from, to)
                .map_err(scaling_failed)
        };
        let plans = [plan(0)?, plan(1)?, plan(2)?];
        let scratch_size = plans.iter().map(|p| p.scratch_size()).max();
        Ok(I420Scaler {
            sizes,
            crops,
            plans,
            scratch: vec![0; scratch_size.unwrap_or(0)],
        })
    }

    /// Crop-and-scales I420 `src` into I420 `dst`, of the sizes this scaler was made for.
    fn scale(&mut self, src: &VideoBuffer, dst: &mut VideoBuffer) -> Result<()> {
        let strides = [dst.stride(0), dst.stride(1), dst.stride(2)];
        let [y_plane, u_plane, v_plane, _] = dst.planes_mut();
        for (plane, to) in [y_plane, u_plane, v_plane].into_iter().enumerate() {
            let (crop, plan) = (self.crops[plane], &self.plans[plane]);
            let stride = src.stride(plane);
            let from = ImageStore::<u8, 1> {
                buffer: Cow::Borrowed(
                    src.plane(plane)
                        .get(crop.top * stride + crop.left..)
                        .unwrap_or_default(),
                ),
                channels: 1,
                width: crop.width,
                height: crop.height,
                stride,
                bit_depth: 8,
            };
            let size = plan.target_size();
            let mut into = ImageStoreMut::<u8, 1> {
                buffer: BufferStore::Borrowed(to),
                channels: 1,
                width: size.width,
                height: size.height,
                stride: strides[plane],
                bit_depth: 8,
            };
            plan.resample_with_scratch(&from, &mut into, &mut self.scratch)
                .map_err(scaling_failed)?;
        }
        Ok(())
    }
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

    #[test]
    fn scaling_plans_are_made_once_per_size_pair_and_remade_when_a_size_changes() {
        let src = gradient(64, 48);
        let mut dst = VideoBuffer::new(PixelFormat::I420, 40, 30).expect("buffer");
        let mut converter = Converter::new();
        let plans = |c: &Converter| c.scaler.as_ref().map(|s| s.plans.clone()).expect("plans");
        converter.convert(&src, &mut dst).expect("first");
        let first = plans(&converter);
        converter.convert(&src, &mut dst).expect("second");
        let same = plans(&converter);
        assert!(first.iter().zip(&same).all(|(a, b)| Arc::ptr_eq(a, b)));

        let mut smaller = VideoBuffer::new(PixelFormat::I420, 20, 15).expect("buffer");
        converter.convert(&src, &mut smaller).expect("another size");
        let remade = plans(&converter);
        assert!(first.iter().zip(&remade).all(|(a, b)| !Arc::ptr_eq(a, b)));
        assert_eq!(remade[0].target_size(), ImageSize::new(20, 15));
        assert_eq!(remade[1].target_size(), ImageSize::new(10, 8));
    }

    #[test]
    fn the_centred_crop_has_the_target_aspect_ratio_and_even_offsets() {
        let crop = |from: (u32, u32), to: (u32, u32)| {
            let r = Rect::centred_crop(from.0, from.1, to.0, to.1);
            (r.left, r.top, r.width, r.height)
        };
        // Wider source: the sides go; taller source: the top and bottom go.
        assert_eq!(crop((1920, 1080), (480, 480)), (420, 0, 1080, 1080));
        assert_eq!(crop((640, 480), (640, 360)), (0, 60, 640, 360));
        assert_eq!(crop((1920, 1080), (1080, 1920)), (656, 0, 608, 1080));
        // Same aspect ratio: all of it.
        assert_eq!(crop((1920, 1080), (640, 360)), (0, 0, 1920, 1080));
        assert_eq!(crop((333, 5), (333, 5)), (0, 0, 333, 5));
        // An odd margin: the left offset rounds down to even.
        assert_eq!(crop((103, 10), (97, 10)), (2, 0, 97, 10));
        // Never empty, never larger than the source.
        assert_eq!(crop((1, 1), (3, 2)), (0, 0, 1, 1));
        assert_eq!(crop((1, 7), (1, 1)), (0, 2, 1, 1));
    }

    #[test]
    fn a_crop_to_the_target_size_copies_the_centred_part_of_every_plane() {
        let src = gradient(12, 8);
        let mut dst = VideoBuffer::new(PixelFormat::I420, 8, 8).expect("buffer");
        Converter::new().convert(&src, &mut dst).expect("crop");
        // Luma columns 2..10; chroma (6 wide) columns 1..5.
        for (plane, left) in [(0, 2), (1, 1), (2, 1)] {
            let (from, to) = (src.stride(plane), dst.stride(plane));
            for (row, out) in dst.plane(plane).chunks_exact(to).enumerate() {
                let start = row * from + left;
                assert_eq!(
                    out,
                    &src.plane(plane)[start..start + to],
                    "plane {plane} row {row}"
                );
            }
        }
    }

    #[test]
    fn scaling_keeps_a_flat_picture_flat_and_a_gradient_in_range() {
        let mut flat = VideoBuffer::new(PixelFormat::I420, 1920, 1080).expect("buffer");
        for (plane, value) in flat.planes_mut().into_iter().zip([90, 60, 200]) {
            plane.fill(value);
        }
        let src = gradient(1920, 1080);
        for (width, height) in [(640, 360), (1280, 720), (480, 480), (97, 31), (2000, 1200)] {
            let scaled = {
                let mut dst = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
                Converter::new().convert(&flat, &mut dst).expect("scale");
                dst
            };
            for (plane, value) in [(0, 90), (1, 60), (2, 200)] {
                assert!(
                    scaled.plane(plane).iter().all(|&v| v == value),
                    "{width}x{height} plane {plane}"
                );
            }
            let mut dst = VideoBuffer::new(PixelFormat::I420, width, height).expect("buffer");
            Converter::new().convert(&src, &mut dst).expect("scale");
            for plane in 0..3 {
                let bounds = |p: &[u8]| (p.iter().min().copied(), p.iter().max().copied());
                let ((lo, hi), (min, max)) = (bounds(src.plane(plane)), bounds(dst.plane(plane)));
                assert!(min >= lo && max <= hi, "{width}x{height} plane {plane}");
            }
        }
    }
}
