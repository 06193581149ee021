//! Pictures as files: RGB or RGBA pictures encoded as JPEG (jpeg-encoder) or
//! PNG (png), both pure Rust.

use crate::error::{Error, Result};
use crate::frame::{PixelFormat, VideoBuffer};

/// JPEG quality of photos (libjpeg's scale, 1-100): Chromium's fake and real
/// photo paths encode at about this.
pub const JPEG_QUALITY: u8 = 92;

/// The encodings a photo may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageType {
    Jpeg,
    Png,
}

impl ImageType {
    /// The MIME type: `image/jpeg`, `image/png`.
    pub fn mime(self) -> &'static str {
        match self {
            ImageType::Jpeg => "image/jpeg",
            ImageType::Png => "image/png",
        }
    }

    /// From a MIME type (`image/jpeg`, `image/png`).
    pub fn from_mime(mime: &str) -> Option<ImageType> {
        match mime.to_ascii_lowercase().as_str() {
            "image/jpeg" | "image/jpg" => Some(ImageType::Jpeg),
            "image/png" => Some(ImageType::Png),
            _ => None,
        }
    }
}

/// Tightly packed pixel rows of `picture` (RGB24 or RGBA), without row padding.
fn packed(picture: &VideoBuffer, bytes_per_pixel: usize) -> Vec<u8> {
    let row = picture.width() as usize * bytes_per_pixel;
    let stride = picture.stride(0);
    picture
        .plane(0)
        .chunks(stride)
        .take(picture.height() as usize)
        .flat_map(|r| &r[..row])
        .copied()
        .collect()
}

/// Encode an RGB24 or RGBA picture.
pub fn encode(picture: &VideoBuffer, as_type: ImageType) -> Result<Vec<u8>> {
    let (w, h) = (picture.width(), picture.height());
    let (bpp, rgba) = match picture.format() {
        PixelFormat::Rgb24 => (3, false),
        PixelFormat::Rgba => (4, true),
        other => {
            return Err(Error::Internal(format!(
                "pictures are encoded from RGB24 or RGBA, not {}",
                other.name()
            )))
        }
    };
    let pixels = packed(picture, bpp);
    let mut out = Vec::new();
    match as_type {
        ImageType::Jpeg => {
            let (w16, h16) = match (u16::try_from(w), u16::try_from(h)) {
                (Ok(w), Ok(h)) if w < u16::MAX && h < u16::MAX => (w, h),
                _ => {
                    return Err(Error::InvalidArgument(format!(
                        "a {w}x{h} picture is too large for JPEG (65534 pixels a side at most)"
                    )))
                }
            };
            let color = if rgba {
                jpeg_encoder::ColorType::Rgba
            } else {
                jpeg_encoder::ColorType::Rgb
            };
            jpeg_encoder::Encoder::new(&mut out, JPEG_QUALITY)
                .encode(&pixels, w16, h16, color)
                .map_err(|e| Error::Internal(format!("JPEG encoding failed: {e}")))?;
        }
        ImageType::Png => {
            let mut encoder = png::Encoder::new(&mut out, w, h);
            encoder.set_color(if rgba {
                png::ColorType::Rgba
            } else {
                png::ColorType::Rgb
            });
            encoder.set_depth(png::BitDepth::Eight);
            let mut writer = encoder
                .write_header()
                .map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))?;
            writer
                .write_image_data(&pixels)
                .map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))?;
            writer
                .finish()
                .map_err(|e| Error::Internal(format!("PNG encoding failed: {e}")))?;
        }
    }
    Ok(out)
}
