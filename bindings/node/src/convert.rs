//! Pixel-format conversion for WebCodecs `VideoFrame.copyTo({format})`.
//!
//! `lib/video_frame.js` hands over the part of a frame to convert (its bytes,
//! and the offset of the part's first sample and the bytes per row of each
//! plane); [`convert_picture`] gathers those rows into a packed picture of the
//! core, converts it with [`lms_core::video::Converter`] (BT.601 limited range
//! for YUV, as everywhere in the library) and returns the packed result.
//! Placing it in the caller's destination (`layout`) is the JavaScript side's.

use lms_core::video::Converter;
use lms_core::{PixelFormat, VideoBuffer};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::check;

/// A `width` x `height` picture in `format` (`"I420"`, `"NV12"`, `"RGBA"`,
/// `"BGRA"`), whose plane `i` starts at `offsets[i]` in `data` with
/// `strides[i]` bytes per row, converted into `target_format` (same size):
/// a new Buffer holding the planes packed one after the other. A `TypeError`
/// for an unknown format, a wrong number of planes, a stride shorter than a
/// row or planes that do not fit in `data`.
#[napi]
#[allow(clippy::too_many_arguments)] // a flat JS signature: one call per copyTo()
pub fn convert_picture(
    env: &Env,
    format: String,
    width: u32,
    height: u32,
    data: Buffer,
    offsets: Vec<u32>,
    strides: Vec<u32>,
    target_format: String,
) -> Result<Buffer> {
    let converted = check(
        env,
        convert(
            &format,
            width,
            height,
            &data,
            &offsets,
            &strides,
            &target_format,
        ),
    )?;
    Ok(Buffer::from(converted))
}

fn raw_format(name: &str, what: &str) -> lms_core::Result<PixelFormat> {
    match PixelFormat::from_name(name) {
        Some(f) if f != PixelFormat::Mjpeg => Ok(f),
        _ => Err(lms_core::Error::Type(format!(
            "convertPicture: unknown {what} pixel format \"{name}\""
        ))),
    }
}

fn convert(
    format: &str,
    width: u32,
    height: u32,
    data: &[u8],
    offsets: &[u32],
    strides: &[u32],
    target_format: &str,
) -> lms_core::Result<Vec<u8>> {
    let bad = |why: String| lms_core::Error::Type(format!("convertPicture: {why}"));
    let source_format = raw_format(format, "source")?;
    let target_format = raw_format(target_format, "target")?;
    let mut source =
        VideoBuffer::new(source_format, width, height).map_err(|e| bad(e.message()))?;
    let planes = source.plane_count();
    if offsets.len() != planes || strides.len() != planes {
        return Err(bad(format!(
            "{} has {planes} planes, got {} offsets and {} strides",
            source_format.name(),
            offsets.len(),
            strides.len()
        )));
    }
    for i in 0..planes {
        let row = source.stride(i);
        let rows = source.layout().sizes[i] / row.max(1);
        let (offset, stride) = (offsets[i] as usize, strides[i] as usize);
        if stride < row {
            return Err(bad(format!(
                "plane {i}: stride {stride} is less than a row ({row} bytes)"
            )));
        }
        let end = offset + stride * (rows - 1) + row;
        if end > data.len() {
            return Err(bad(format!(
                "plane {i} ends at byte {end}, beyond the {} bytes given",
                data.len()
            )));
        }
        let target = source.plane_mut(i);
        for (r, to) in target.chunks_exact_mut(row).enumerate() {
            let from = offset + r * stride;
            to.copy_from_slice(&data[from..from + row]);
        }
    }
    if source_format == target_format {
        return Ok(source.bytes().to_vec());
    }
    let mut target =
        VideoBuffer::new(target_format, width, height).map_err(|e| bad(e.message()))?;
    Converter::new().convert(&source, &mut target)?;
    Ok(target.bytes().to_vec())
}
