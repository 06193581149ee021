//! Track generators: tracks whose frames the program writes, as Media Capture
//! Transform's `VideoTrackGenerator` makes them (for processed video: read a
//! camera's frames, change them, write them to a generator, and hand its track
//! on as any other track).
//!
//! A generator is a source of its own (not listed among the devices). Its
//! track behaves as any other: it can be cloned, stopped, disabled, read, and
//! constrained to what crop-and-scale, decimation and pixel-format conversion
//! make of the written frames. The source runs at whatever the last frame
//! written is (size, format; the frame rate is estimated from when frames
//! arrive), and every track's settings follow it: when the frames change size,
//! each track's constraints choose again. Constraints no frame could meet
//! (beyond [`MAX_DIMENSION`] or [`MAX_FRAME_RATE`], a `facingMode`) are
//! `OverconstrainedError`; constraints the frames written now cannot meet (a
//! size larger than they are) give the frames as they are.
//!
//! Writing never blocks: a frame goes to every track's queue as a camera's
//! does (the oldest frame is dropped from a full queue). [`TrackGenerator::write`]
//! passes a frame on without a copy; [`TrackGenerator::write_video`] copies
//! the caller's planes once into a buffer of the generator's own pool. While
//! the generator is muted, frames written are dropped. Closing the generator
//! ends its tracks (`ended` fires); when its last track ends (stopped), the
//! generator is closed and writes fail with `InvalidStateError`.
//!
//! ```
//! use lms_core::{PixelFormat, TrackGenerator};
//! let generator = TrackGenerator::video(4)?;              // tracks hold up to 4 frames
//! let track = generator.track();                          // clone_track(), stop(), read(), constraints
//! let picture = vec![128u8; 64 * 48 * 4];
//! generator.write_video(PixelFormat::Rgba, 64, 48, 0, &[&picture], &[64 * 4])?; // copied once
//! let frame = track.read(Some(std::time::Duration::from_secs(1)))?;
//! generator.write(frame)?;                                // a frame of any track: no copy
//! generator.close();                                      // ends every track ("ended" fires)
//! # Ok::<(), lms_core::Error>(())
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use crate::backend::{Backend, Driver, SourceSink, SourceTarget};
use crate::constraints::TrackConstraints;
use crate::device::{Capabilities, DeviceEntry, DeviceInfo, Range, VideoMode};
use crate::error::{Error, Result};
use crate::frame::{Frame, FrameData, PixelFormat, VideoBuffer, MAX_DIMENSION};
use crate::kind::MediaKind;
use crate::pool::{FramePool, HELD_FRAMES};
use crate::selection;
use crate::settings::NativeMode;
use crate::sink::TrackSink;
use crate::source::Source;
use crate::track::{new_id, MediaStreamTrack};

/// The highest frame rate a generator's tracks offer (`getCapabilities()`).
pub const MAX_FRAME_RATE: f64 = 1000.0;

/// How much each new interval moves the frame-rate estimate.
const RATE_SMOOTHING: f64 = 0.125;
/// A change of the estimate smaller than this share does not re-settle the tracks.
const RATE_TOLERANCE: f64 = 0.05;

/// A source fed by the program (`VideoTrackGenerator`). Cloning the handle
/// gives the same generator.
#[derive(Clone)]
pub struct TrackGenerator {
    inner: Arc<Inner>,
}

struct Inner {
    source: Arc<Source>,
    track: MediaStreamTrack,
    /// Set by [`TrackGenerator::close`] and when the last track ended.
    closed: Arc<AtomicBool>,
    muted: AtomicBool,
    writer: Mutex<Writer>,
}

struct Writer {
    pool: FramePool,
    sequence: u64,
    last_arrival: Option<Instant>,
    /// Smoothed seconds between frames.
    interval: Option<f64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl std::fmt::Debug for TrackGenerator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TrackGenerator")
            .field("track", &self.inner.track)
            .field("closed", &self.is_closed())
            .field("muted", &self.muted())
            .finish()
    }
}

impl TrackGenerator {
    /// A video generator and its track; tracks hold up to `queue_size` frames
    /// (the configuration's `queueSize` is what `getUserMedia()` tracks get).
    pub fn video(queue_size: usize) -> Result<TrackGenerator> {
        let closed = Arc::new(AtomicBool::new(false));
        let backend: Arc<dyn Backend> = Arc::new(GeneratorBackend {
            closed: Arc::clone(&closed),
        });
        let device = DeviceInfo {
            device_id: format!("generator:{}", new_id()),
            kind: MediaKind::Video,
            label: String::new(),
            group_id: String::new(),
            output: false,
        };
        let capabilities = capabilities();
        // No frame yet: nothing to say about size or rate.
        let native = NativeMode::Video {
            format: PixelFormat::I420,
            width: 0,
            height: 0,
            frame_rate: 0.0,
        };
        let source = Source::open_following(backend, device, capabilities, native.clone())?;
        let constraints = TrackConstraints::empty(MediaKind::Video);
        let settings =
            selection::following(&source.device, &source.capabilities, &native, &constraints);
        let track = MediaStreamTrack::attach(&source, settings, constraints.raw, queue_size)?;
        Ok(TrackGenerator {
            inner: Arc::new(Inner {
                source,
                track,
                closed,
                muted: AtomicBool::new(false),
                writer: Mutex::new(Writer {
                    pool: FramePool::new(queue_size + HELD_FRAMES),
                    sequence: 0,
                    last_arrival: None,
                    interval: None,
                }),
            }),
        })
    }

    /// The generator's track (the same track each call; `clone_track()` it for more).
    pub fn track(&self) -> MediaStreamTrack {
        self.inner.track.clone()
    }

    /// Whether writes are refused: [`TrackGenerator::close`] was called, or every track ended.
    pub fn is_closed(&self) -> bool {
        self.inner.closed.load(Ordering::Acquire)
    }

    /// Whether frames written are dropped and the tracks are muted.
    pub fn muted(&self) -> bool {
        self.inner.muted.load(Ordering::Acquire)
    }

    /// Mute or unmute every track (`mute` / `unmute` fire on a change);
    /// frames written while muted are dropped.
    pub fn set_muted(&self, muted: bool) {
        if self.inner.muted.swap(muted, Ordering::AcqRel) != muted {
            let why = if muted {
                "the generator was muted"
            } else {
                "the generator was unmuted"
            };
            SourceTarget::set_muted(self.inner.source.as_ref(), muted, why);
        }
    }

    /// End every track (their `ended` fires; frames already queued stay
    /// readable) and refuse further writes. Calling it again does nothing.
    pub fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::AcqRel) {
            self.inner.source.end("the generator was closed");
        }
    }

    /// Send `frame` (a video frame, e.g. one read from another track) to every
    /// track, without a copy. `InvalidStateError` once closed, `TypeError` for audio.
    pub fn write(&self, frame: Frame) -> Result<()> {
        let mut writer = self.writable()?;
        let Some(video) = frame.video() else {
            return Err(Error::Type(
                "a video track generator takes video frames, got an audio frame".into(),
            ));
        };
        let (format, width, height) = (video.format(), video.width(), video.height());
        let data = Arc::clone(frame.shared_data());
        self.send(
            &mut writer,
            data,
            format,
            width,
            height,
            frame.timestamp_us(),
        );
        Ok(())
    }

    /// Send a picture given as planes (`planes[i]` with `strides[i]` bytes per
    /// row, I420 and NV12 planes in their usual order), copied once into a
    /// buffer of the generator's pool; `timestamp_us` is the frame's time.
    /// `TypeError` naming what is wrong for a bad size, format or plane;
    /// `InvalidStateError` once closed.
    pub fn write_video(
        &self,
        format: PixelFormat,
        width: u32,
        height: u32,
        timestamp_us: i64,
        planes: &[&[u8]],
        strides: &[usize],
    ) -> Result<()> {
        let mut writer = self.writable()?;
        check_picture(format, width, height, planes, strides)?;
        if self.muted() {
            return Ok(());
        }
        writer
            .pool
            .allow(self.inner.source.largest_queue() + HELD_FRAMES);
        let acquired = writer.pool.acquire(
            |d| d.video().is_some_and(|v| v.is(format, width, height)),
            || {
                // check_picture bounded the size, so this cannot fail.
                FrameData::Video(VideoBuffer::new(format, width, height).unwrap_or_else(|_| {
                    VideoBuffer::new(PixelFormat::I420, 2, 2).expect("2x2 is a valid size")
                }))
            },
        );
        let Some((slot, FrameData::Video(picture))) = acquired else {
            // Every buffer is still held by readers: dropped, as a camera does.
            SourceTarget::count_drop(self.inner.source.as_ref());
            return Ok(());
        };
        for (i, (plane, stride)) in planes.iter().zip(strides).enumerate() {
            let row = picture.stride(i);
            for (y, out) in picture.plane_mut(i).chunks_exact_mut(row).enumerate() {
                out.copy_from_slice(&plane[y * stride..y * stride + row]);
            }
        }
        let data = writer.pool.share(slot);
        self.send(&mut writer, data, format, width, height, timestamp_us);
        Ok(())
    }

    fn writable(&self) -> Result<MutexGuard<'_, Writer>> {
        if self.is_closed() {
            return Err(Error::InvalidState(
                "the track generator is closed (closed, or every track it feeds ended)".into(),
            ));
        }
        Ok(lock(&self.inner.writer))
    }

    fn send(
        &self,
        writer: &mut Writer,
        data: Arc<FrameData>,
        format: PixelFormat,
        width: u32,
        height: u32,
        timestamp_us: i64,
    ) {
        if self.muted() {
            return;
        }
        let rate = writer.estimate_rate(Instant::now());
        let source = &self.inner.source;
        let current = source.native();
        let NativeMode::Video {
            format: f,
            width: w,
            height: h,
            frame_rate: r,
        } = current
        else {
            return;
        };
        let rate_moved = (rate - r).abs() > r * RATE_TOLERANCE;
        if (f, w, h) != (format, width, height) || rate_moved {
            let mode = NativeMode::Video {
                format,
                width,
                height,
                frame_rate: rate,
            };
            source.follow(mode, |native, sink| settle(source, native, sink));
        }
        let frame = Frame::new(data, writer.sequence, timestamp_us);
        writer.sequence += 1;
        SourceTarget::deliver(source.as_ref(), frame);
    }
}

impl Writer {
    /// The frame rate frames arrive at, smoothed; 0 until two have come.
    fn estimate_rate(&mut self, now: Instant) -> f64 {
        if let Some(last) = self.last_arrival {
            let gap = now
                .duration_since(last)
                .as_secs_f64()
                .max(1.0 / MAX_FRAME_RATE);
            self.interval = Some(match self.interval {
                None => gap,
                Some(i) => i + (gap - i) * RATE_SMOOTHING,
            });
        }
        self.last_arrival = Some(now);
        self.interval.map_or(0.0, |i| (1.0 / i).min(MAX_FRAME_RATE))
    }
}

/// Choose a track's settings again for frames at `native`, from its constraints.
fn settle(source: &Source, native: &NativeMode, sink: &TrackSink) {
    let raw = sink.constraints().clone();
    let constraints = TrackConstraints::of_track(&raw, MediaKind::Video)
        .unwrap_or_else(|_| TrackConstraints::empty(MediaKind::Video));
    let settings = selection::following(&source.device, &source.capabilities, native, &constraints);
    sink.settings.store(Arc::new(settings));
}

/// What a generator's tracks can be: any size a buffer can have, any rate up to
/// [`MAX_FRAME_RATE`], every raw pixel format.
fn capabilities() -> Capabilities {
    let modes = PixelFormat::RAW
        .iter()
        .map(|&format| VideoMode {
            format,
            width: Range::new(1, MAX_DIMENSION),
            height: Range::new(1, MAX_DIMENSION),
            frame_rate: Range::new(0.0, MAX_FRAME_RATE),
        })
        .collect();
    Capabilities::Video {
        modes,
        facing_mode: None,
        controls: Default::default(),
        default_width: 640,
        default_height: 480,
        default_frame_rate: 30.0,
    }
}

/// `TypeError` naming what is wrong with a picture given as planes.
fn check_picture(
    format: PixelFormat,
    width: u32,
    height: u32,
    planes: &[&[u8]],
    strides: &[usize],
) -> Result<()> {
    let bad = |why: String| Err(Error::Type(format!("track generator: {why}")));
    if format == PixelFormat::Mjpeg {
        return bad("MJPEG frames are written with write(), not as planes".into());
    }
    if width == 0 || height == 0 || width > MAX_DIMENSION || height > MAX_DIMENSION {
        return bad(format!(
            "a picture must be 1 to {MAX_DIMENSION} pixels each way, got {width}x{height}"
        ));
    }
    let layout = format.layout(width, height);
    if planes.len() != layout.count || strides.len() != layout.count {
        return bad(format!(
            "{} has {} planes, got {} planes and {} strides",
            format.name(),
            layout.count,
            planes.len(),
            strides.len()
        ));
    }
    for i in 0..layout.count {
        let (row, rows) = (layout.strides[i], layout.sizes[i] / layout.strides[i]);
        let (stride, len) = (strides[i], planes[i].len());
        if stride < row {
            return bad(format!(
                "plane {i} of a {width}x{height} {} picture has rows of {row} bytes, but its stride is {stride}",
                format.name()
            ));
        }
        let Some(needed) = stride
            .checked_mul(rows - 1)
            .and_then(|n| n.checked_add(row))
        else {
            return bad(format!(
                "plane {i} of a {width}x{height} {} picture: stride {stride} is too large",
                format.name()
            ));
        };
        if len < needed {
            return bad(format!(
                "plane {i} of a {width}x{height} {} picture needs {needed} bytes at stride {stride}, got {len}",
                format.name()
            ));
        }
    }
    Ok(())
}

/// The backend behind one generator: no devices to list; its "driver" only
/// marks the generator closed when the source closes (its last track ended).
struct GeneratorBackend {
    closed: Arc<AtomicBool>,
}

impl Backend for GeneratorBackend {
    fn name(&self) -> &'static str {
        "generator"
    }
    fn devices(&self) -> Vec<DeviceEntry> {
        Vec::new()
    }
    fn open(
        &self,
        _device_id: &str,
        _mode: &NativeMode,
        _sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        Ok(Box::new(GeneratorDriver {
            closed: Arc::clone(&self.closed),
        }))
    }
}

struct GeneratorDriver {
    closed: Arc<AtomicBool>,
}

impl Driver for GeneratorDriver {
    fn close(&mut self) {
        self.closed.store(true, Ordering::Release);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::{ResizeMode, TrackSettings, VideoSettings};

    /// The settings of a track on frames of `format` at `width` x `height`, as
    /// they are (for tests).
    fn as_written(format: PixelFormat, width: u32, height: u32) -> TrackSettings {
        TrackSettings::Video(VideoSettings {
            width,
            height,
            frame_rate: 0.0,
            pixel_format: format,
            resize_mode: ResizeMode::None,
            facing_mode: None,
        })
    }

    #[test]
    fn bad_planes_are_type_errors_naming_the_plane() {
        let y = vec![0u8; 16 * 16];
        let c = vec![0u8; 8 * 8];
        assert!(check_picture(PixelFormat::I420, 16, 16, &[&y, &c, &c], &[16, 8, 8]).is_ok());
        let e = check_picture(PixelFormat::I420, 16, 16, &[&y, &c], &[16, 8]).unwrap_err();
        assert!(e.message().contains("3 planes"), "{e}");
        let e =
            check_picture(PixelFormat::I420, 16, 16, &[&y, &c, &c[..10]], &[16, 8, 8]).unwrap_err();
        assert!(e.message().contains("plane 2"), "{e}");
        let e = check_picture(PixelFormat::I420, 16, 16, &[&y, &c, &c], &[8, 8, 8]).unwrap_err();
        assert!(e.message().contains("stride is 8"), "{e}");
        let e = check_picture(
            PixelFormat::I420,
            16,
            16,
            &[&y, &c, &c],
            &[usize::MAX, 8, 8],
        )
        .unwrap_err();
        assert!(e.message().contains("too large"), "{e}");
        let e = check_picture(PixelFormat::Rgba, 0, 16, &[&y], &[0]).unwrap_err();
        assert!(e.message().contains("0x16"), "{e}");
    }

    #[test]
    fn a_new_generator_has_no_size_until_a_frame_comes() {
        let g = TrackGenerator::video(4).unwrap();
        assert_eq!(
            g.track().get_settings(),
            as_written(PixelFormat::I420, 0, 0)
        );
    }
}
