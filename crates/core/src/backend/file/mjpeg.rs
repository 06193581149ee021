//! MJPEG files: JPEG pictures one after another (what `ffmpeg -f mjpeg` and
//! many cameras write), split without decoding, and decoded to I420 when a
//! track wants raw pictures.
//!
//! The splitter walks each JPEG's marker segments (so a thumbnail inside an
//! EXIF segment cannot end the frame early) and its entropy-coded data, which
//! never holds a bare `FF D9`, up to the end-of-image marker. It works on a
//! byte slice (the memory-mapped file, or a fuzzer's input) and says at which
//! byte and frame a file is broken.

use std::panic::{catch_unwind, AssertUnwindSafe};

use zune_jpeg::zune_core::bytestream::ZCursor;
use zune_jpeg::zune_core::colorspace::ColorSpace;
use zune_jpeg::zune_core::options::DecoderOptions;
use zune_jpeg::JpegDecoder;

use crate::backend::file::y4m::show_bytes;
use crate::error::{Error, Result};
use crate::frame::{PixelFormat, VideoBuffer, MAX_DIMENSION};
use crate::video::{jpeg_planes, Converter};

/// One JPEG picture of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JpegFrame {
    /// Frame number, from 0.
    pub index: u64,
    /// Byte offset of its start-of-image marker.
    pub offset: usize,
    /// Its length in bytes, both markers included.
    pub len: usize,
    pub width: u32,
    pub height: u32,
}

impl JpegFrame {
    /// Byte offset just past its end-of-image marker: where the next JPEG starts.
    pub fn end(&self) -> usize {
        self.offset + self.len
    }
}

fn unreadable(message: String) -> Error {
    Error::NotReadable(message)
}

/// Whether `marker` starts a frame (SOF0..SOF15 but DHT, JPG and DAC), which gives the size.
fn is_start_of_frame(marker: u8) -> bool {
    matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC)
}

/// The JPEG whose start-of-image marker is at byte `at`; `None` at the end of `bytes`.
pub fn frame_at(bytes: &[u8], at: usize, index: u64) -> Result<Option<JpegFrame>> {
    let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    if !rest.starts_with(&[0xFF, 0xD8]) {
        return Err(unreadable(if at == 0 {
            format!(
                "not an MJPEG file: it starts with {} where a JPEG's FF D8 belongs",
                show_bytes(&rest[..rest.len().min(4)])
            )
        } else {
            format!(
                "frame {index} at byte {at}: expected a JPEG start (FF D8), found {}",
                show_bytes(&rest[..rest.len().min(4)])
            )
        }));
    }
    let truncated = |what: &str| {
        unreadable(format!(
            "frame {index} at byte {at} is truncated: the file ends {what} (no end-of-image marker)"
        ))
    };
    let mut pos = at + 2;
    let mut size = None;
    loop {
        // A marker: FF (any number of fill FFs) then its code.
        match bytes.get(pos) {
            None => return Err(truncated("between segments")),
            Some(0xFF) => {}
            Some(&other) => {
                return Err(unreadable(format!(
                    "frame {index}: expected a JPEG marker at byte {pos}, found byte {other:02X}"
                )))
            }
        }
        while bytes.get(pos) == Some(&0xFF) {
            pos += 1;
        }
        let Some(&marker) = bytes.get(pos) else {
            return Err(truncated("inside a marker"));
        };
        pos += 1;
        match marker {
            0xD9 => break,
            0xD0..=0xD7 | 0x01 => continue,
            0xD8 => {
                return Err(unreadable(format!(
                    "frame {index}: a second start-of-image marker at byte {} before the first picture ended",
                    pos - 2
                )))
            }
            _ => {}
        }
        let Some(length) = bytes.get(pos..pos + 2) else {
            return Err(truncated("inside a segment length"));
        };
        let length = usize::from(u16::from_be_bytes([length[0], length[1]]));
        if length < 2 {
            return Err(unreadable(format!(
                "frame {index}: the segment at byte {} has length {length} (at least 2)",
                pos - 2
            )));
        }
        let segment_end = pos + length;
        if segment_end > bytes.len() {
            return Err(truncated(&format!(
                "inside the {length}-byte segment FF {marker:02X} at byte {}",
                pos - 2
            )));
        }
        if is_start_of_frame(marker) {
            size = Some(frame_size(&bytes[pos..segment_end], index, pos - 2)?);
        }
        pos = segment_end;
        if marker == 0xDA {
            if size.is_none() {
                return Err(unreadable(format!(
                    "frame {index} at byte {at}: its scan starts (byte {}) before any start-of-frame segment",
                    pos - length - 2
                )));
            }
            pos = end_of_entropy_data(bytes, pos)
                .ok_or_else(|| truncated("inside compressed data"))?;
        }
    }
    let (width, height) = size.ok_or_else(|| {
        unreadable(format!(
            "frame {index} at byte {at} ends without a start-of-frame segment (no picture size)"
        ))
    })?;
    Ok(Some(JpegFrame {
        index,
        offset: at,
        len: pos - at,
        width,
        height,
    }))
}

/// The picture size a start-of-frame segment (`length` bytes from its length field) gives.
fn frame_size(segment: &[u8], index: u64, at: usize) -> Result<(u32, u32)> {
    // length(2) precision(1) height(2) width(2) components(1) ...
    let field = |i: usize| {
        segment
            .get(i..i + 2)
            .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])))
    };
    let (Some(height), Some(width)) = (field(3), field(5)) else {
        return Err(unreadable(format!(
            "frame {index}: the start-of-frame segment at byte {at} is too short to give a size"
        )));
    };
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return Err(unreadable(format!(
            "frame {index}: the picture size {width}x{height} at byte {at} is outside 1x1..{MAX_DIMENSION}x{MAX_DIMENSION}"
        )));
    }
    Ok((width, height))
}

/// Where compressed data starting at `pos` ends: the `FF` of the next marker
/// that is neither a stuffed `FF 00` nor a restart marker. `None` if the file ends first.
fn end_of_entropy_data(bytes: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        pos += bytes.get(pos..)?.iter().position(|&b| b == 0xFF)?;
        match bytes.get(pos + 1)? {
            0x00 | 0xD0..=0xD7 | 0xFF => pos += 1,
            _ => return Some(pos),
        }
    }
}

/// A whole MJPEG file checked: every JPEG split, all of one size.
#[derive(Debug, Clone, PartialEq)]
pub struct MjpegFile {
    pub width: u32,
    pub height: u32,
    pub frames: u64,
}

/// Split every JPEG of `bytes`. Fails at the first broken one, at a JPEG
/// whose size differs from the first's, or when there is none.
pub fn parse(bytes: &[u8]) -> Result<MjpegFile> {
    if bytes.is_empty() {
        return Err(unreadable("the file is empty".into()));
    }
    let (mut at, mut frames, mut size) = (0usize, 0u64, None);
    while let Some(frame) = frame_at(bytes, at, frames)? {
        let (w, h) = *size.get_or_insert((frame.width, frame.height));
        if (frame.width, frame.height) != (w, h) {
            return Err(unreadable(format!(
                "frame {frames} at byte {at} is {}x{} but the first frame is {w}x{h} \
                 (every picture of an MJPEG file must have one size)",
                frame.width, frame.height
            )));
        }
        at = frame.end();
        frames += 1;
    }
    let (width, height) = size.unwrap_or((0, 0));
    Ok(MjpegFile {
        width,
        height,
        frames,
    })
}

/// Decodes JPEG pictures into I420 buffers, keeping its scratch pictures and
/// colour converter between calls (nothing is allocated in steady state but
/// the decoder's own working memory).
///
/// A grayscale JPEG goes straight into the planes: zune-jpeg hands its luma
/// and [`jpeg_planes`] scales it from JPEG's full range to our limited range.
/// A colour JPEG is decoded to RGB (zune-jpeg's SIMD colour conversion) and
/// converted to I420 (yuvutils, SIMD). Asking zune-jpeg (0.5) for its YCbCr
/// samples instead, to skip the RGB round trip, costs more: it interleaves
/// them with a scalar loop slower than its RGB conversion, and upsamples the
/// chroma all the same (`benches/camera_decode.rs` weighs both). Entropy
/// decoding and the inverse DCT are most of a frame's cost either way.
#[derive(Debug, Default)]
pub struct JpegDecoderI420 {
    /// The full-range luma of the last grayscale picture.
    luma: Vec<u8>,
    /// The last colour picture in RGB.
    rgb: Option<VideoBuffer>,
    converter: Converter,
}

impl JpegDecoderI420 {
    pub fn new() -> JpegDecoderI420 {
        JpegDecoderI420::default()
    }

    /// Decode `jpeg` into `dst`, an I420 picture of the JPEG's size. Never
    /// panics: a decoder panic on a malformed picture is reported as an error.
    pub fn decode(&mut self, jpeg: &[u8], dst: &mut VideoBuffer) -> Result<()> {
        let (width, height) = (dst.width(), dst.height());
        if dst.format() != PixelFormat::I420 {
            return Err(Error::Internal(
                "JPEG decoding goes into I420 pictures".into(),
            ));
        }
        let (luma, rgb) = (&mut self.luma, &mut self.rgb);
        let gray = decode_to(jpeg, width, height, |input| {
            if input == ColorSpace::Luma {
                let len = width as usize * height as usize;
                if luma.len() != len {
                    luma.clear();
                    luma.resize(len, 0);
                }
                return Ok(Target::Luma(luma));
            }
            if !rgb
                .as_ref()
                .is_some_and(|b| b.is(PixelFormat::Rgb24, width, height))
            {
                *rgb = Some(
                    VideoBuffer::new(PixelFormat::Rgb24, width, height)
                        .map_err(|e| e.to_string())?,
                );
            }
            let picture = rgb.as_mut().ok_or("no RGB scratch picture")?;
            Ok(Target::Rgb(picture.plane_mut(0)))
        })?;
        if gray {
            jpeg_planes::gray_to_i420(&self.luma, dst);
            return Ok(());
        }
        let rgb = self
            .rgb
            .as_ref()
            .ok_or_else(|| Error::Internal("JPEG scratch picture missing".into()))?;
        self.converter.convert(rgb, dst)
    }
}

/// Where a JPEG's pixels go, chosen once its headers give its colour space.
enum Target<'a> {
    /// Packed RGB, 3 bytes a pixel.
    Rgb(&'a mut [u8]),
    /// Full-range luma, 1 byte a pixel (grayscale JPEGs only).
    Luma(&'a mut [u8]),
}

/// Decode `jpeg`, which must be `width` x `height`, into the target `choose`
/// picks for its colour space (parsing its headers once). Whether it went
/// into luma. Never panics: a decoder panic is reported as an error.
fn decode_to<'a>(
    jpeg: &[u8],
    width: u32,
    height: u32,
    choose: impl FnOnce(ColorSpace) -> std::result::Result<Target<'a>, String>,
) -> Result<bool> {
    let (width, height) = (width as usize, height as usize);
    let limit = MAX_DIMENSION as usize;
    // RGB while the headers are read: zune-jpeg picks its colour converter then.
    let options = DecoderOptions::default()
        .jpeg_set_out_colorspace(ColorSpace::RGB)
        .set_max_width(limit)
        .set_max_height(limit);
    let decoded = catch_unwind(AssertUnwindSafe(|| {
        let mut decoder = JpegDecoder::new_with_options(ZCursor::new(jpeg), options);
        decoder.decode_headers().map_err(|e| e.to_string())?;
        let info = decoder.info().ok_or("no picture information")?;
        if (usize::from(info.width), usize::from(info.height)) != (width, height) {
            return Err(format!(
                "the picture is {}x{}, not {width}x{height}",
                info.width, info.height
            ));
        }
        let input = decoder.input_colorspace().ok_or("no colour space")?;
        match choose(input)? {
            Target::Rgb(out) => decoder.decode_into(out).map(|()| false),
            Target::Luma(out) => {
                decoder.set_options(options.jpeg_set_out_colorspace(ColorSpace::Luma));
                decoder.decode_into(out).map(|()| true)
            }
        }
        .map_err(|e| e.to_string())
    }));
    match decoded {
        Ok(Ok(gray)) => Ok(gray),
        Ok(Err(why)) => Err(unreadable(format!("JPEG decoding failed: {why}"))),
        Err(_) => Err(unreadable(
            "JPEG decoding failed: the decoder gave up on a malformed picture".into(),
        )),
    }
}

/// Decode `jpeg` into `dst`, an RGB24 picture that must have the JPEG's size.
pub fn decode_rgb(jpeg: &[u8], dst: &mut VideoBuffer) -> Result<()> {
    let (width, height) = (dst.width(), dst.height());
    decode_to(jpeg, width, height, |_| Ok(Target::Rgb(dst.plane_mut(0)))).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A structurally valid JPEG skeleton (not decodable): SOI, APP0, SOF0, SOS, data, EOI.
    fn skeleton(width: u16, height: u16, data: &[u8]) -> Vec<u8> {
        let mut j = vec![0xFF, 0xD8];
        j.extend_from_slice(&[0xFF, 0xE0, 0x00, 0x06, 0xFF, 0xD9, 0xFF, 0xD8]); // an APP0 holding EOI/SOI bytes
        let [h1, h0] = height.to_be_bytes();
        let [w1, w0] = width.to_be_bytes();
        j.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x0B, 8, h1, h0, w1, w0, 1, 1, 0x11, 0]);
        j.extend_from_slice(&[0xFF, 0xDA, 0x00, 0x08, 1, 1, 0, 0, 63, 0]);
        j.extend_from_slice(data);
        j.extend_from_slice(&[0xFF, 0xD9]);
        j
    }

    #[test]
    fn concatenated_jpegs_split_at_their_end_markers_not_inside_segments_or_stuffed_data() {
        let data = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD3, 0x56];
        let a = skeleton(640, 480, &data);
        let b = skeleton(640, 480, &[]);
        let file = [a.as_slice(), &b, &a].concat();
        let parsed = parse(&file).unwrap();
        assert_eq!((parsed.width, parsed.height, parsed.frames), (640, 480, 3));
        let second = frame_at(&file, a.len(), 1).unwrap().unwrap();
        assert_eq!((second.offset, second.len), (a.len(), b.len()));
        assert_eq!(frame_at(&file, file.len(), 3).unwrap(), None);
    }

    #[test]
    fn every_broken_file_says_what_and_where() {
        let a = skeleton(64, 48, &[1, 2, 3]);
        let two = [a.as_slice(), &a].concat();
        let cases: Vec<(Vec<u8>, &str)> = vec![
            (vec![], "empty"),
            (b"YUV4MPEG2".to_vec(), "not an MJPEG file"),
            (
                two[..two.len() - 1].to_vec(),
                "frame 1 at byte 38 is truncated",
            ),
            (
                [a.as_slice(), b"junk"].concat(),
                "frame 1 at byte 38: expected a JPEG start",
            ),
            (skeleton(0, 48, &[]), "size 0x48"),
            (skeleton(20000, 48, &[]), "outside 1x1..16384x16384"),
            (
                [a.as_slice(), &skeleton(32, 48, &[])].concat(),
                "frame 1 at byte 38 is 32x48 but the first frame is 64x48",
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xD9],
                "before any start-of-frame",
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xD9],
                "length 1",
            ),
            (
                vec![0xFF, 0xD8, 0xFF, 0xE0, 0x10, 0x00],
                "truncated: the file ends inside the 4096-byte segment FF E0 at byte 2",
            ),
            (vec![0xFF, 0xD8, 0x00], "expected a JPEG marker at byte 2"),
            (vec![0xFF, 0xD8, 0xFF, 0xD9], "without a start-of-frame"),
        ];
        for (bytes, needle) in cases {
            let e = parse(&bytes).expect_err(needle);
            assert_eq!(e.name(), "NotReadableError");
            assert!(e.message().contains(needle), "{needle}: {e}");
        }
    }

    /// A `width` x `height` JPEG of the fake camera's picture (sequence
    /// `sequence`), in colour with that chroma sampling or, for `None`, gray.
    fn painted_jpeg(
        width: u32,
        height: u32,
        sequence: u64,
        sampling: Option<jpeg_encoder::SamplingFactor>,
    ) -> Vec<u8> {
        use crate::video::{PaintState, Painter};
        let mut i420 = VideoBuffer::new(PixelFormat::I420, width, height).unwrap();
        Painter::new(width, height).paint(&mut i420, &mut PaintState::default(), sequence);
        let mut out = Vec::new();
        let mut encoder = jpeg_encoder::Encoder::new(&mut out, 90);
        let (w, h) = (width as u16, height as u16);
        match sampling {
            Some(factor) => {
                let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, width, height).unwrap();
                Converter::new().convert(&i420, &mut rgb).unwrap();
                encoder.set_sampling_factor(factor);
                encoder
                    .encode(rgb.plane(0), w, h, jpeg_encoder::ColorType::Rgb)
                    .unwrap();
            }
            None => {
                // Limited-range luma back to the full range a JPEG holds.
                let luma: Vec<u8> = i420
                    .plane(0)
                    .iter()
                    .map(|&y| ((i32::from(y) - 16) * 255 / 219).clamp(0, 255) as u8)
                    .collect();
                encoder
                    .encode(&luma, w, h, jpeg_encoder::ColorType::Luma)
                    .unwrap();
            }
        }
        out
    }

    /// The old way to I420: zune-jpeg to RGB, then the colour converter.
    fn through_rgb(jpeg: &[u8], width: u32, height: u32) -> VideoBuffer {
        let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, width, height).unwrap();
        decode_rgb(jpeg, &mut rgb).unwrap();
        let mut i420 = VideoBuffer::new(PixelFormat::I420, width, height).unwrap();
        Converter::new().convert(&rgb, &mut i420).unwrap();
        i420
    }

    #[test]
    fn every_kind_of_jpeg_decodes_like_rgb_then_converted_and_keeps_its_sequence_code() {
        use crate::video::decode_sequence;
        use jpeg_encoder::SamplingFactor as S;
        let kinds = [
            ("4:2:2", Some(S::F_2_1)),
            ("4:2:0", Some(S::F_2_2)),
            ("4:4:4", Some(S::F_1_1)),
            ("gray", None),
        ];
        let mut decoder = JpegDecoderI420::new();
        for (width, height) in [(320, 240), (321, 241), (640, 360)] {
            for (sequence, (name, sampling)) in (40u64..).zip(kinds) {
                let jpeg = painted_jpeg(width, height, sequence, sampling);
                let mut ours = VideoBuffer::new(PixelFormat::I420, width, height).unwrap();
                // Twice: the second time on the decoder's kept scratch.
                for _ in 0..2 {
                    ours.planes_mut().iter_mut().for_each(|p| p.fill(0));
                    decoder.decode(&jpeg, &mut ours).unwrap();
                }
                let old = through_rgb(&jpeg, width, height);
                for plane in 0..3 {
                    let (a, b) = (ours.plane(plane), old.plane(plane));
                    let diffs = a.iter().zip(b).map(|(&x, &y)| x.abs_diff(y));
                    let max = diffs.clone().max().unwrap_or(0);
                    let mean = diffs.map(f64::from).sum::<f64>() / a.len() as f64;
                    assert!(
                        max <= 3 && mean <= 1.0,
                        "{name} {width}x{height} plane {plane}: max {max}, mean {mean:.3}"
                    );
                }
                assert_eq!(
                    decode_sequence(&ours),
                    Some(sequence),
                    "{name} {width}x{height}"
                );
            }
        }
    }

    #[test]
    fn a_jpeg_of_another_size_is_an_error() {
        let jpeg = painted_jpeg(64, 48, 1, None);
        let mut dst = VideoBuffer::new(PixelFormat::I420, 64, 50).unwrap();
        let e = JpegDecoderI420::new().decode(&jpeg, &mut dst).unwrap_err();
        assert!(
            e.message().contains("the picture is 64x48, not 64x50"),
            "{e}"
        );
    }

    #[test]
    fn a_picture_that_does_not_decode_is_an_error_not_a_panic() {
        let mut dst = VideoBuffer::new(PixelFormat::I420, 64, 48).unwrap();
        let e = JpegDecoderI420::new()
            .decode(&skeleton(64, 48, &[1, 2, 3]), &mut dst)
            .unwrap_err();
        assert!(e.message().contains("JPEG decoding failed"), "{e}");
    }
}
