//! YUV4MPEG2 (Y4M): reading any 8-bit 4:2:0, 4:2:2, 4:4:4 or mono file, and
//! writing 4:2:0 ones.
//!
//! A Y4M file is one header line (`YUV4MPEG2 W640 H480 F30:1 Ip A1:1 C420jpeg`)
//! then, per frame, a `FRAME` line (which may carry parameters) and the raw
//! planes: Y, then U and V. Every 4:2:0 variant (`C420`, `C420jpeg`,
//! `C420paldv`, `C420mpeg2`) stores its planes exactly as I420 does (they
//! differ only in where chroma samples sit), so those frames are handed out
//! in place; `C422`, `C444` and `Cmono` are converted to I420.
//!
//! The parser works on a byte slice (the memory-mapped file, or a fuzzer's
//! input); every error says what is wrong and at which byte or frame.

use std::io::{self, Write};

use crate::error::{Error, Result};
use crate::frame::{PixelFormat, VideoBuffer, MAX_DIMENSION};

/// The first bytes of every Y4M file.
pub const MAGIC: &[u8] = b"YUV4MPEG2";
/// Longest header line accepted (its `X` comments included).
pub const MAX_HEADER_BYTES: usize = 64 * 1024;
/// Longest `FRAME` line accepted.
pub const MAX_FRAME_HEADER_BYTES: usize = 1024;
/// The frame rate of a file whose header gives none.
pub const DEFAULT_FRAME_RATE: (u32, u32) = (30, 1);
/// Slowest and fastest frame rates accepted from a header.
pub const FRAME_RATE_LIMITS: (f64, f64) = (0.1, 1000.0);

/// How the chroma planes of a file are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chroma {
    /// 4:2:0: chroma halved in both directions (the planes of an I420 picture).
    C420,
    /// 4:2:2: chroma halved horizontally.
    C422,
    /// 4:4:4: full-size chroma.
    C444,
    /// Luma only.
    Mono,
}

impl Chroma {
    /// The `C` values of the header that mean this layout, 8 bits per sample.
    fn from_tag(tag: &str) -> Option<Chroma> {
        match tag {
            "420" | "420jpeg" | "420paldv" | "420mpeg2" => Some(Chroma::C420),
            "422" => Some(Chroma::C422),
            "444" => Some(Chroma::C444),
            "mono" => Some(Chroma::Mono),
            _ => None,
        }
    }

    /// Width and height of each chroma plane of a `width` x `height` picture (0x0 for mono).
    pub fn chroma_size(self, width: usize, height: usize) -> (usize, usize) {
        match self {
            Chroma::C420 => (width.div_ceil(2), height.div_ceil(2)),
            Chroma::C422 => (width.div_ceil(2), height),
            Chroma::C444 => (width, height),
            Chroma::Mono => (0, 0),
        }
    }
}

/// What a Y4M header says.
#[derive(Debug, Clone, PartialEq)]
pub struct Y4mHeader {
    pub width: u32,
    pub height: u32,
    /// Frames per second as a ratio (`F30000:1001`).
    pub frame_rate: (u32, u32),
    pub chroma: Chroma,
    /// The `C` tag as written (`420jpeg`, `444`, ...), `420jpeg` when absent.
    pub chroma_tag: String,
    /// Bytes of the header line, its newline included: where the first frame starts.
    pub header_len: usize,
}

impl Y4mHeader {
    /// Frames per second.
    pub fn fps(&self) -> f64 {
        f64::from(self.frame_rate.0) / f64::from(self.frame_rate.1)
    }

    /// Bytes of one frame's planes (without its `FRAME` line).
    pub fn frame_size(&self) -> usize {
        let (w, h) = (self.width as usize, self.height as usize);
        let (cw, ch) = self.chroma.chroma_size(w, h);
        // At most 3 * 16384^2 bytes: no overflow in a 64-bit usize.
        w * h + 2 * cw * ch
    }
}

fn unreadable(message: String) -> Error {
    Error::NotReadable(message)
}

/// Parse the header line at the start of `bytes`.
pub fn parse_header(bytes: &[u8]) -> Result<Y4mHeader> {
    if bytes.is_empty() {
        return Err(unreadable("the file is empty".into()));
    }
    if !bytes.starts_with(MAGIC) {
        let shown = &bytes[..bytes.len().min(MAGIC.len())];
        return Err(unreadable(format!(
            "not a Y4M file: it starts with {} where \"YUV4MPEG2\" belongs",
            show_bytes(shown)
        )));
    }
    let window = &bytes[..bytes.len().min(MAX_HEADER_BYTES)];
    let Some(end) = window.iter().position(|&b| b == b'\n') else {
        return Err(unreadable(if bytes.len() <= MAX_HEADER_BYTES {
            format!(
                "truncated Y4M header: the file ends at byte {} before the header's newline",
                bytes.len()
            )
        } else {
            format!("the Y4M header has no newline within its first {MAX_HEADER_BYTES} bytes")
        }));
    };
    let line = &bytes[..end];
    let (mut width, mut height, mut rate, mut tag) = (None, None, None, None);
    let mut at = MAGIC.len();
    for token in line[MAGIC.len()..].split(|&b| b == b' ') {
        let start = at;
        at += token.len() + 1;
        let Some((&kind, value)) = token.split_first() else {
            continue;
        };
        let value = std::str::from_utf8(value).map_err(|_| {
            unreadable(format!(
                "the Y4M header parameter at byte {start} is not text"
            ))
        })?;
        match kind {
            b'W' => width = Some(dimension(value, "width", start)?),
            b'H' => height = Some(dimension(value, "height", start)?),
            b'F' => rate = Some(frame_rate(value, start)?),
            b'C' => tag = Some((value.to_string(), start)),
            // Interlacing, pixel aspect, comments, and parameters of later versions.
            _ => {}
        }
    }
    let width = width.ok_or_else(|| unreadable("the Y4M header has no width (W)".into()))?;
    let height = height.ok_or_else(|| unreadable("the Y4M header has no height (H)".into()))?;
    let (chroma_tag, chroma) = match tag {
        None => ("420jpeg".to_string(), Chroma::C420),
        Some((tag, start)) => match Chroma::from_tag(&tag) {
            Some(c) => (tag, c),
            None => {
                return Err(unreadable(format!(
                    "the Y4M colour space C{tag} at byte {start} is not supported \
                     (8-bit C420, C420jpeg, C420paldv, C420mpeg2, C422, C444 and Cmono are)"
                )))
            }
        },
    };
    Ok(Y4mHeader {
        width,
        height,
        frame_rate: rate.unwrap_or(DEFAULT_FRAME_RATE),
        chroma,
        chroma_tag,
        header_len: end + 1,
    })
}

fn dimension(value: &str, what: &str, at: usize) -> Result<u32> {
    match value.parse::<u64>() {
        Ok(n) if n >= 1 && n <= u64::from(MAX_DIMENSION) => Ok(n as u32),
        Ok(n) => Err(unreadable(format!(
            "the Y4M {what} {n} at byte {at} is outside 1..={MAX_DIMENSION}"
        ))),
        Err(_) => Err(unreadable(format!(
            "the Y4M {what} \"{value}\" at byte {at} is not a number"
        ))),
    }
}

fn frame_rate(value: &str, at: usize) -> Result<(u32, u32)> {
    let parsed = value
        .split_once(':')
        .and_then(|(n, d)| Some((n.parse::<u32>().ok()?, d.parse::<u32>().ok()?)));
    let (lo, hi) = FRAME_RATE_LIMITS;
    match parsed {
        Some((_, 0)) => Err(unreadable(format!(
            "the Y4M frame rate F{value} at byte {at} has a zero denominator"
        ))),
        Some((n, d)) if (lo..=hi).contains(&(f64::from(n) / f64::from(d))) => Ok((n, d)),
        Some(_) => Err(unreadable(format!(
            "the Y4M frame rate F{value} at byte {at} is outside {lo}..={hi} frames per second"
        ))),
        None => Err(unreadable(format!(
            "the Y4M frame rate F{value} at byte {at} is not of the form F30:1"
        ))),
    }
}

/// Up to 16 bytes as hex, for messages.
pub(crate) fn show_bytes(bytes: &[u8]) -> String {
    let hex: Vec<String> = bytes.iter().take(16).map(|b| format!("{b:02X}")).collect();
    if hex.is_empty() {
        "nothing".into()
    } else {
        format!("bytes {}", hex.join(" "))
    }
}

/// Where one frame's planes lie in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FrameLocation {
    /// Frame number, from 0.
    pub index: u64,
    /// Byte offset of the frame's planes.
    pub offset: usize,
    /// Byte offset of the next frame's `FRAME` line.
    pub next: usize,
}

/// The frame whose `FRAME` line starts at byte `at` of `bytes`; `None` at the end.
pub fn frame_at(
    bytes: &[u8],
    header: &Y4mHeader,
    at: usize,
    index: u64,
) -> Result<Option<FrameLocation>> {
    let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) else {
        return Ok(None);
    };
    let marker = b"FRAME";
    if !rest.starts_with(marker) {
        if marker.starts_with(&rest[..rest.len().min(marker.len())]) {
            return Err(unreadable(format!(
                "frame {index} at byte {at} is truncated: the file ends inside its FRAME line"
            )));
        }
        return Err(unreadable(format!(
            "frame {index} at byte {at}: expected \"FRAME\", found {}",
            show_bytes(&rest[..rest.len().min(8)])
        )));
    }
    let window = &rest[..rest.len().min(MAX_FRAME_HEADER_BYTES)];
    let Some(newline) = window.iter().position(|&b| b == b'\n') else {
        return Err(unreadable(if rest.len() <= MAX_FRAME_HEADER_BYTES {
            format!("frame {index} at byte {at} is truncated: the file ends inside its FRAME line")
        } else {
            format!("frame {index} at byte {at}: its FRAME line is longer than {MAX_FRAME_HEADER_BYTES} bytes")
        }));
    };
    let offset = at + newline + 1;
    let size = header.frame_size();
    let available = bytes.len() - offset;
    if available < size {
        return Err(unreadable(format!(
            "frame {index} at byte {at} is truncated: a {}x{} C{} frame needs {size} bytes, \
             the file has {available} left",
            header.width, header.height, header.chroma_tag
        )));
    }
    Ok(Some(FrameLocation {
        index,
        offset,
        next: offset + size,
    }))
}

/// A whole file checked: its header and how many complete frames it holds.
#[derive(Debug, Clone, PartialEq)]
pub struct Y4mFile {
    pub header: Y4mHeader,
    pub frames: u64,
}

/// Parse the header and count the frames of `bytes`. Fails on the first
/// problem, or when there is no frame.
///
/// Where the length fits bare `FRAME` lines exactly (the usual file), the
/// count is arithmetic after checking the first and the last frame: opening
/// touches two pages, not one per frame (walking a cold 933 MB file took
/// 470 ms, all disk reads). A frame in between with a broken marker is then
/// found when it plays ([`frame_at`] checks every frame handed out, and the
/// track ends saying where). Otherwise every frame line is walked, which
/// names the first problem at open.
pub fn parse(bytes: &[u8]) -> Result<Y4mFile> {
    let header = parse_header(bytes)?;
    if let Some(frames) = count_bare_frames(bytes, &header) {
        return Ok(Y4mFile { header, frames });
    }
    let (mut at, mut frames) = (header.header_len, 0u64);
    while let Some(frame) = frame_at(bytes, &header, at, frames)? {
        at = frame.next;
        frames += 1;
    }
    if frames == 0 {
        return Err(unreadable(format!(
            "the Y4M file has a header but no frame (it ends at byte {})",
            bytes.len()
        )));
    }
    Ok(Y4mFile { header, frames })
}

/// The frame count when the file is exactly whole frames with bare `FRAME`
/// lines, the first and last of them checked; `None` otherwise.
fn count_bare_frames(bytes: &[u8], header: &Y4mHeader) -> Option<u64> {
    const LINE: &[u8] = b"FRAME\n";
    let stride = LINE.len().checked_add(header.frame_size())?;
    let body = bytes.len().checked_sub(header.header_len)?;
    if body == 0 || body % stride != 0 {
        return None;
    }
    let frames = body / stride;
    for index in [0, frames - 1] {
        let at = header.header_len + index * stride;
        if bytes.get(at..at + LINE.len())? != LINE {
            return None;
        }
    }
    u64::try_from(frames).ok()
}

/// Convert one frame's planes `src` (of `header`'s size and chroma layout) into
/// `dst`, an I420 picture of the same size. 4:2:2 and 4:4:4 chroma is averaged
/// down (rounding half up); mono gets neutral chroma (128).
pub fn to_i420(header: &Y4mHeader, src: &[u8], dst: &mut VideoBuffer) -> Result<()> {
    let (w, h) = (header.width as usize, header.height as usize);
    if !dst.is(PixelFormat::I420, header.width, header.height) || src.len() < header.frame_size() {
        return Err(Error::Internal(format!(
            "Y4M conversion: a {w}x{h} frame needs {} bytes and an I420 picture of its size",
            header.frame_size()
        )));
    }
    let (cw, ch) = header.chroma.chroma_size(w, h);
    let (luma, chroma) = src.split_at(w * h);
    let (u_src, v_src) = chroma.split_at(cw * ch);
    let [y, u, v, _] = dst.planes_mut();
    y.copy_from_slice(luma);
    let out_w = w.div_ceil(2);
    match header.chroma {
        Chroma::C420 => {
            u.copy_from_slice(&u_src[..u.len()]);
            v.copy_from_slice(&v_src[..v.len()]);
        }
        Chroma::Mono => {
            u.fill(128);
            v.fill(128);
        }
        Chroma::C422 | Chroma::C444 => {
            let step = if header.chroma == Chroma::C444 { 2 } else { 1 };
            for (from, to) in [(u_src, u), (v_src, v)] {
                downsample(from, cw, ch, to, out_w, step);
            }
        }
    }
    Ok(())
}

/// Average `step` x 2 blocks of a `width` x `height` plane into `out`, `out_w`
/// samples a row (blocks cut by the right or bottom edge average what they have).
fn downsample(from: &[u8], width: usize, height: usize, out: &mut [u8], out_w: usize, step: usize) {
    for (row, line) in out.chunks_exact_mut(out_w).enumerate() {
        let top = 2 * row;
        let rows = if top + 1 < height { 2 } else { 1 };
        for (col, px) in line.iter_mut().enumerate() {
            let left = step * col;
            let cols = if left + step <= width {
                step
            } else {
                width - left
            };
            let (mut sum, mut count) = (0u32, 0u32);
            for r in top..top + rows {
                for c in left..left + cols {
                    sum += u32::from(from[r * width + c]);
                    count += 1;
                }
            }
            *px = ((sum + count / 2) / count.max(1)) as u8;
        }
    }
}

/// The frame rate `fps` as the ratio a Y4M header writes: exact for whole
/// numbers, `30000:1001` style for NTSC rates, thousandths otherwise.
pub fn rate_ratio(fps: f64) -> (u32, u32) {
    let fps = if fps.is_finite() {
        fps.clamp(FRAME_RATE_LIMITS.0, FRAME_RATE_LIMITS.1)
    } else {
        30.0
    };
    if (fps - fps.round()).abs() < 1e-6 {
        return (fps.round() as u32, 1);
    }
    let ntsc = fps * 1001.0 / 1000.0;
    if (ntsc - ntsc.round()).abs() < 1e-3 {
        return (ntsc.round() as u32 * 1000, 1001);
    }
    let milli = (fps * 1000.0).round() as u32;
    let divisor = gcd(milli, 1000);
    (milli / divisor, 1000 / divisor)
}

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 {
        a.max(1)
    } else {
        gcd(b, a % b)
    }
}

/// Writes I420 pictures as a `C420jpeg` Y4M stream that [`parse`] reads back
/// and mpv, ffplay or VLC play.
pub struct Y4mWriter<W: Write> {
    out: W,
    width: u32,
    height: u32,
    frames: u64,
}

impl<W: Write> Y4mWriter<W> {
    /// Write the header for `width` x `height` pictures at `fps`.
    pub fn new(mut out: W, width: u32, height: u32, fps: f64) -> io::Result<Y4mWriter<W>> {
        let (n, d) = rate_ratio(fps);
        writeln!(
            out,
            "YUV4MPEG2 W{width} H{height} F{n}:{d} Ip A1:1 C420jpeg"
        )?;
        Ok(Y4mWriter {
            out,
            width,
            height,
            frames: 0,
        })
    }

    /// Append one picture, which must be I420 of the header's size.
    pub fn write_frame(&mut self, picture: &VideoBuffer) -> io::Result<()> {
        if !picture.is(PixelFormat::I420, self.width, self.height) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "Y4M writer: expected an I420 {}x{} picture, got {} {}x{}",
                    self.width,
                    self.height,
                    picture.format().name(),
                    picture.width(),
                    picture.height()
                ),
            ));
        }
        self.out.write_all(b"FRAME\n")?;
        for plane in 0..3 {
            self.out.write_all(picture.plane(plane))?;
        }
        self.frames += 1;
        Ok(())
    }

    /// Frames written so far.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Flush and hand back the output.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(header: &str, frames: &[&[u8]]) -> Vec<u8> {
        let mut out = format!("{header}\n").into_bytes();
        for f in frames {
            out.extend_from_slice(b"FRAME\n");
            out.extend_from_slice(f);
        }
        out
    }

    #[test]
    fn a_header_gives_size_rate_and_chroma_with_defaults_for_what_it_omits() {
        let h =
            parse_header(b"YUV4MPEG2 W640 H480 F30000:1001 It A1:1 C420paldv XYSCSS=420PALDV\n")
                .unwrap();
        assert_eq!(
            (h.width, h.height, h.frame_rate, h.chroma),
            (640, 480, (30000, 1001), Chroma::C420)
        );
        assert_eq!(h.chroma_tag, "420paldv");
        let h = parse_header(b"YUV4MPEG2 H2 W3\n").unwrap();
        assert_eq!(
            (h.frame_rate, h.chroma, h.header_len),
            ((30, 1), Chroma::C420, 16)
        );
        assert_eq!(h.frame_size(), 6 + 2 * 2);
    }

    #[test]
    fn frame_sizes_follow_the_chroma_layout_rounding_odd_sizes_up() {
        let size = |c: &str| {
            parse_header(format!("YUV4MPEG2 W5 H3 C{c}\n").as_bytes())
                .unwrap()
                .frame_size()
        };
        assert_eq!(size("420mpeg2"), 15 + 2 * 3 * 2);
        assert_eq!(size("422"), 15 + 2 * 3 * 3);
        assert_eq!(size("444"), 15 * 3);
        assert_eq!(size("mono"), 15);
    }

    #[test]
    fn every_header_problem_says_what_and_where() {
        let cases: [(&[u8], &str); 12] = [
            (b"", "empty"),
            (b"RIFF1234WAVE", "not a Y4M file"),
            (b"YUV4MPEG2 W10 H10", "truncated Y4M header"),
            (b"YUV4MPEG2 H10\n", "no width"),
            (b"YUV4MPEG2 W10\n", "no height"),
            (b"YUV4MPEG2 W0 H10\n", "width 0 at byte 10"),
            (b"YUV4MPEG2 W99999999999 H10\n", "outside 1..=16384"),
            (b"YUV4MPEG2 W10 H-3\n", "height \"-3\" at byte 14"),
            (
                b"YUV4MPEG2 W10 H10 F30:0\n",
                "F30:0 at byte 18 has a zero denominator",
            ),
            (b"YUV4MPEG2 W10 H10 F1000000:1\n", "outside 0.1..=1000"),
            (b"YUV4MPEG2 W10 H10 Fx\n", "not of the form"),
            (
                b"YUV4MPEG2 W10 H10 C420p10\n",
                "C420p10 at byte 18 is not supported",
            ),
        ];
        for (bytes, needle) in cases {
            let e = parse_header(bytes).expect_err(needle);
            assert_eq!(e.name(), "NotReadableError");
            assert!(e.message().contains(needle), "{needle}: {e}");
        }
        let long = [
            b"YUV4MPEG2 W1 H1 X".as_slice(),
            &vec![b'a'; MAX_HEADER_BYTES],
        ]
        .concat();
        assert!(parse_header(&long)
            .unwrap_err()
            .message()
            .contains("no newline"));
    }

    #[test]
    fn walking_the_frames_counts_them_and_finds_truncation_and_garbage() {
        let frame = [7u8; 6];
        let ok = file("YUV4MPEG2 W2 H2", &[&frame, &frame, &frame]);
        assert_eq!(parse(&ok).unwrap().frames, 3);
        let with_params = [b"YUV4MPEG2 W2 H2\nFRAME Ixyz\n".as_slice(), &frame].concat();
        assert_eq!(parse(&with_params).unwrap().frames, 1);

        let cut = &ok[..ok.len() - 1];
        let e = parse(cut).unwrap_err().message();
        assert!(
            e.contains("frame 2 at byte 40 is truncated")
                && e.contains("needs 6 bytes, the file has 5"),
            "{e}"
        );
        let e = parse(&ok[..ok.len() - 8]).unwrap_err().message();
        assert!(
            e.contains("frame 2 at byte 40 is truncated: the file ends inside its FRAME line"),
            "{e}"
        );
        // A broken marker between good first and last frames of the right
        // length: counted at open, found when that frame plays.
        let mut garbage = ok.clone();
        garbage[28] = b'X';
        let parsed = parse(&garbage).unwrap();
        assert_eq!(parsed.frames, 3);
        let e = frame_at(&garbage, &parsed.header, 28, 1)
            .unwrap_err()
            .message();
        assert!(e.contains("frame 1 at byte 28: expected \"FRAME\""), "{e}");
        // A broken first or last marker: the walk names it at open.
        for at in [16, 40] {
            let mut broken = ok.clone();
            broken[at] = b'X';
            let e = parse(&broken).unwrap_err().message();
            assert!(
                e.contains(&format!("at byte {at}: expected \"FRAME\"")),
                "{e}"
            );
        }
        let e = parse(b"YUV4MPEG2 W2 H2\n").unwrap_err().message();
        assert!(e.contains("no frame"), "{e}");
    }

    #[test]
    fn four_two_two_four_four_four_and_mono_become_i420() {
        // 3x3: chroma 2x3 (4:2:2) or 3x3 (4:4:4); odd edges average what they have.
        let header = |c: &str| parse_header(format!("YUV4MPEG2 W3 H3 C{c}\n").as_bytes()).unwrap();
        let luma: Vec<u8> = (10..19).collect();
        let mut out = VideoBuffer::new(PixelFormat::I420, 3, 3).unwrap();

        let u422 = [10, 20, 30, 41, 50, 60];
        let src = [luma.as_slice(), &u422, &u422.map(|x| 255 - x)].concat();
        to_i420(&header("422"), &src, &mut out).unwrap();
        assert_eq!(out.plane(0), luma.as_slice());
        assert_eq!(
            out.plane(1),
            &[20, 31, 50, 60],
            "rows 0+1 averaged (rounded), row 2 alone"
        );
        assert_eq!(out.plane(2), &[235, 225, 205, 195]);

        let u444 = [0, 10, 20, 30, 40, 50, 60, 70, 80];
        let src = [luma.as_slice(), &u444, &u444].concat();
        to_i420(&header("444"), &src, &mut out).unwrap();
        assert_eq!(out.plane(1), &[20, 35, 65, 80]);

        to_i420(&header("mono"), &luma, &mut out).unwrap();
        assert_eq!(
            (out.plane(0), out.plane(1), out.plane(2)),
            (luma.as_slice(), &[128u8; 4][..], &[128u8; 4][..])
        );
    }

    #[test]
    fn the_writer_writes_what_the_reader_reads() {
        let mut picture = VideoBuffer::new(PixelFormat::I420, 5, 3).unwrap();
        for (i, b) in picture.plane_mut(0).iter_mut().enumerate() {
            *b = i as u8;
        }
        let mut w = Y4mWriter::new(Vec::new(), 5, 3, 29.97).unwrap();
        w.write_frame(&picture).unwrap();
        w.write_frame(&picture).unwrap();
        assert!(w
            .write_frame(&VideoBuffer::new(PixelFormat::Rgb24, 5, 3).unwrap())
            .is_err());
        let bytes = w.finish().unwrap();
        let parsed = parse(&bytes).unwrap();
        assert_eq!(
            (parsed.frames, parsed.header.frame_rate),
            (2, (30000, 1001))
        );
        let first = frame_at(&bytes, &parsed.header, parsed.header.header_len, 0)
            .unwrap()
            .unwrap();
        assert_eq!(&bytes[first.offset..first.next], picture.bytes());
    }

    #[test]
    fn frame_rates_become_exact_ratios() {
        assert_eq!(rate_ratio(30.0), (30, 1));
        assert_eq!(rate_ratio(29.97), (30000, 1001));
        assert_eq!(rate_ratio(59.94), (60000, 1001));
        assert_eq!(rate_ratio(12.5), (25, 2));
        assert_eq!(rate_ratio(f64::NAN), (30, 1));
    }
}
