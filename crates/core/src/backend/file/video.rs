//! File cameras: a Y4M or MJPEG file checked once, and the capture loop that
//! plays it frame after frame.

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use memmap2::Mmap;

use crate::backend::capture_thread::StopFlag;
use crate::backend::file::mjpeg::{self, JpegDecoderI420};
use crate::backend::file::y4m::{self, Chroma, Y4mHeader};
use crate::backend::file::{mapped, POOL_SIZE};
use crate::backend::pacing::{drop_for_want_of_buffer, wait_for_first_track, wait_turn};
use crate::backend::SourceSink;
use crate::clock::monotonic_us;
use crate::config::Pacing;
use crate::error::{Error, Result};
use crate::frame::{Frame, FrameData, PixelFormat, SharedBytes, VideoBuffer};
use crate::pool::{FramePool, HELD_FRAMES};

/// How often an unpaced file source waits 1 ms for a free buffer before it
/// counts the frame as lost.
const MAX_BUFFER_WAITS: usize = 100;

/// The two kinds of video file.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VideoKind {
    Y4m(Y4mHeader),
    Mjpeg,
}

/// A video file, mapped, its header and frame count checked (see [`y4m::parse`]).
pub(crate) struct VideoFile {
    pub map: Arc<Mmap>,
    pub kind: VideoKind,
    pub width: u32,
    pub height: u32,
    pub frame_rate: f64,
    pub frames: u64,
}

impl VideoFile {
    /// Map and check the file at `path`. `frame_rate` is the configured rate:
    /// MJPEG's (30 when `None`), and for Y4M a replacement for its header's.
    pub fn open(path: &Path, frame_rate: Option<f64>) -> Result<VideoFile> {
        let map = mapped::map(path)?;
        let bytes: &[u8] = &map;
        let in_file = |e: Error| Error::NotReadable(format!("{}: {}", path.display(), e.message()));
        if bytes.starts_with(&[0xFF, 0xD8]) {
            let file = mjpeg::parse(bytes).map_err(in_file)?;
            return Ok(VideoFile {
                kind: VideoKind::Mjpeg,
                width: file.width,
                height: file.height,
                frame_rate: frame_rate.unwrap_or(30.0),
                frames: file.frames,
                map,
            });
        }
        if bytes.starts_with(y4m::MAGIC) {
            let file = y4m::parse(bytes).map_err(in_file)?;
            return Ok(VideoFile {
                width: file.header.width,
                height: file.header.height,
                frame_rate: frame_rate.unwrap_or(file.header.fps()),
                frames: file.frames,
                kind: VideoKind::Y4m(file.header),
                map,
            });
        }
        Err(Error::NotReadable(format!(
            "{}: not a Y4M or MJPEG file: it starts with {} (a Y4M file starts with \"YUV4MPEG2\", an MJPEG one with FF D8)",
            path.display(),
            y4m::show_bytes(&bytes[..bytes.len().min(9)])
        )))
    }

    /// The native pixel formats this file can be played as, preferred first.
    pub fn formats(&self) -> &'static [PixelFormat] {
        match self.kind {
            VideoKind::Y4m(_) => &[PixelFormat::I420],
            VideoKind::Mjpeg => &[PixelFormat::I420, PixelFormat::Mjpeg],
        }
    }
}

/// Steps through the frames of a checked file, looping or not.
struct Player {
    map: SharedBytes,
    kind: VideoKind,
    first: usize,
    frames: u64,
    looping: bool,
    at: usize,
    index: u64,
}

/// Where a frame's bytes lie in the map.
#[derive(Debug, Clone, Copy)]
struct Span {
    offset: usize,
    len: usize,
}

impl Player {
    fn new(file: &VideoFile, looping: bool) -> Player {
        let first = match &file.kind {
            VideoKind::Y4m(h) => h.header_len,
            VideoKind::Mjpeg => 0,
        };
        Player {
            map: Arc::clone(&file.map) as SharedBytes,
            kind: file.kind.clone(),
            first,
            frames: file.frames,
            looping,
            at: first,
            index: 0,
        }
    }

    fn bytes(&self) -> &[u8] {
        (*self.map).as_ref()
    }

    /// The next frame; `None` at the end of a file that does not loop.
    fn next(&mut self) -> Result<Option<Span>> {
        if self.index >= self.frames {
            if !self.looping {
                return Ok(None);
            }
            (self.at, self.index) = (self.first, 0);
        }
        let bytes = (*self.map).as_ref();
        let span = match &self.kind {
            VideoKind::Y4m(header) => y4m::frame_at(bytes, header, self.at, self.index)?.map(|f| {
                (
                    Span {
                        offset: f.offset,
                        len: f.next - f.offset,
                    },
                    f.next,
                )
            }),
            VideoKind::Mjpeg => mjpeg::frame_at(bytes, self.at, self.index)?.map(|f| {
                (
                    Span {
                        offset: f.offset,
                        len: f.len,
                    },
                    f.end(),
                )
            }),
        };
        let (span, next) = span.ok_or_else(|| {
            Error::NotReadable(format!(
                "frame {} expected at byte {} is missing (the file shrank, or a frame line \
                 with parameters made the count from the file's length wrong)",
                self.index, self.at
            ))
        })?;
        (self.at, self.index) = (next, self.index + 1);
        Ok(Some(span))
    }
}

/// How each frame becomes a picture for the source.
enum Produce {
    /// 4:2:0 Y4M frames handed out in place.
    SharedI420,
    /// 4:2:2, 4:4:4 or mono Y4M frames converted into pooled I420 pictures.
    ConvertedI420(Y4mHeader),
    /// JPEGs handed out in place.
    SharedJpeg,
    /// JPEGs decoded into pooled I420 pictures.
    DecodedI420(Box<JpegDecoderI420>),
}

/// What the capture loop needs: the file, how to play it, at what size and rate.
pub(crate) struct VideoPlayback {
    player: Player,
    produce: Produce,
    width: u32,
    height: u32,
    period: Duration,
    pacing: Pacing,
}

impl VideoPlayback {
    /// Get ready to play `file` as `format` at `frame_rate`; fails (before any
    /// thread starts) when that format is not one the file offers, or when the
    /// first JPEG does not decode.
    pub fn new(
        file: &VideoFile,
        format: PixelFormat,
        frame_rate: f64,
        looping: bool,
        pacing: Pacing,
    ) -> Result<VideoPlayback> {
        let produce = match (&file.kind, format) {
            (VideoKind::Y4m(h), PixelFormat::I420) if h.chroma == Chroma::C420 => {
                Produce::SharedI420
            }
            (VideoKind::Y4m(h), PixelFormat::I420) => Produce::ConvertedI420(h.clone()),
            (VideoKind::Mjpeg, PixelFormat::Mjpeg) => Produce::SharedJpeg,
            (VideoKind::Mjpeg, PixelFormat::I420) => Produce::DecodedI420(Box::default()),
            (_, other) => {
                return Err(Error::NotReadable(format!(
                    "this file cannot play as {}",
                    other.name()
                )))
            }
        };
        let mut playback = VideoPlayback {
            player: Player::new(file, looping),
            produce,
            width: file.width,
            height: file.height,
            period: Duration::from_secs_f64(1.0 / frame_rate.max(0.1)),
            pacing,
        };
        if let Produce::DecodedI420(decoder) = &mut playback.produce {
            let first = mjpeg::frame_at(playback.player.bytes(), 0, 0)?
                .ok_or_else(|| Error::NotReadable("the MJPEG file has no frame".into()))?;
            let mut picture = VideoBuffer::new(PixelFormat::I420, file.width, file.height)?;
            let jpeg = &(*playback.player.map).as_ref()[first.offset..first.end()];
            decoder
                .decode(jpeg, &mut picture)
                .map_err(|e| Error::NotReadable(format!("frame 0 at byte 0: {}", e.message())))?;
        }
        Ok(playback)
    }

    /// The capture loop: one frame per turn until stopped, the end of a file
    /// that does not loop (`ended`), or a file that became unreadable.
    pub fn run(mut self, stop: &StopFlag, sink: &SourceSink) {
        let mut pool = FramePool::new(POOL_SIZE);
        if !wait_for_first_track(stop, sink) {
            return;
        }
        let mut next = Instant::now();
        let mut sequence = 0u64;
        while wait_turn(stop, sink, self.pacing, &mut next, self.period) {
            let span = match self.player.next() {
                Ok(Some(span)) => span,
                Ok(None) => {
                    sink.end("end of file");
                    return;
                }
                Err(e) => {
                    sink.end(&format!("the file became unreadable: {}", e.message()));
                    return;
                }
            };
            // `None`: every buffer is held by consumers, or a JPEG did not decode.
            // Unpaced, wait for a buffer (a bounded number of times: a broken JPEG
            // never decodes); otherwise the frame is lost and the sequence shows the gap.
            pool.allow(sink.largest_queue() + HELD_FRAMES);
            let mut picture = self.picture(&mut pool, span);
            for _ in 0..MAX_BUFFER_WAITS {
                if picture.is_some()
                    || drop_for_want_of_buffer(stop, self.pacing)
                    || stop.is_stopped()
                {
                    break;
                }
                picture = self.picture(&mut pool, span);
            }
            if let Some(data) = picture {
                if !sink.deliver(Frame::new(data, sequence, monotonic_us())) {
                    return;
                }
            } else {
                sink.count_drop();
            }
            sequence += 1;
        }
    }

    fn picture(&mut self, pool: &mut FramePool, span: Span) -> Option<Arc<FrameData>> {
        let (w, h) = (self.width, self.height);
        let map = &self.player.map;
        let bytes = (**map).as_ref().get(span.offset..span.offset + span.len)?;
        let (slot, data) = match &self.produce {
            Produce::SharedI420 => pool.acquire(
                |d| {
                    d.video()
                        .is_some_and(|v| v.is_shared() && v.is(PixelFormat::I420, w, h))
                },
                || {
                    shared_or_blank(VideoBuffer::shared(
                        PixelFormat::I420,
                        w,
                        h,
                        Arc::clone(map),
                        span.offset,
                    ))
                },
            )?,
            Produce::SharedJpeg => pool.acquire(
                |d| {
                    d.video()
                        .is_some_and(|v| v.is_shared() && v.is(PixelFormat::Mjpeg, w, h))
                },
                || {
                    shared_or_blank(VideoBuffer::shared_encoded(
                        w,
                        h,
                        Arc::clone(map),
                        span.offset,
                        span.len,
                    ))
                },
            )?,
            Produce::ConvertedI420(_) | Produce::DecodedI420(_) => pool.acquire(
                |d| {
                    d.video()
                        .is_some_and(|v| !v.is_shared() && v.is(PixelFormat::I420, w, h))
                },
                || shared_or_blank(VideoBuffer::new(PixelFormat::I420, w, h)),
            )?,
        };
        let picture = data.video_mut()?;
        let done = match &mut self.produce {
            Produce::SharedI420 | Produce::SharedJpeg => {
                picture.set_shared(map, span.offset, span.len)
            }
            Produce::ConvertedI420(header) => y4m::to_i420(header, bytes, picture),
            Produce::DecodedI420(decoder) => decoder.decode(bytes, picture),
        };
        done.ok()?;
        Some(pool.share(slot))
    }
}

/// The picture made, or a 1x1 stand-in that never fits (sizes were checked
/// when the file was opened, so this does not happen).
fn shared_or_blank(made: Result<VideoBuffer>) -> FrameData {
    FrameData::Video(made.unwrap_or_else(|_| {
        VideoBuffer::new(PixelFormat::Rgb24, 1, 1).expect("1x1 is a valid size")
    }))
}
