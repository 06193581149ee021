//! The file backend: a file that plays like a camera or a microphone, like a
//! browser's `--use-file-for-fake-video-capture` / `--use-file-for-fake-audio-capture`.
//!
//! - `file:video:0` plays a Y4M file (8-bit 4:2:0 in every header variant,
//!   4:2:2, 4:4:4 and mono, the last three converted to I420) or an MJPEG file
//!   (concatenated JPEGs at the configured frame rate, 30 by default), handed
//!   to a track that asks for `pixelFormat: "MJPEG"` untouched and decoded to
//!   I420 otherwise.
//! - `file:audio:0` plays a WAV file (8/16/24/32-bit PCM or 32-bit float, any
//!   rate from 1 to 384 kHz, 1 to 32 channels) as `f32`; each track gets its own rate, channels
//!   and sample format from the core's audio adapter.
//!
//! Files are memory-mapped and checked when they are opened, so a broken file
//! fails `getUserMedia()` with `NotReadableError` saying what is wrong and at
//! which byte or frame (a Y4M file of whole bare frames is counted by its
//! length, its first and last frames checked: a broken frame in between ends
//! the tracks when it plays, saying where). 4:2:0 Y4M frames and passed-through
//! JPEGs are zero-copy views into the map. Files loop by default with
//! sequence numbers that go on across the loop; a file that does not loop
//! (`%noloop`, `"loop": false`) ends its tracks with `ended` after its last
//! frame, having lost nothing: every frame and sample reaches every track once,
//! in order (or is counted as dropped by its queue); the last audio chunk
//! holds just the frames that were left. Capabilities are the file's own
//! size and rate (and crop-and-scale and decimation below them, as for every
//! camera).
//!
//! The parsers ([`y4m`], [`mjpeg`], [`wav`]) work on byte slices, so tests and
//! fuzz targets call them directly.

mod audio;
mod mapped;
pub mod mjpeg;
mod video;
pub mod wav;
pub mod y4m;

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use crate::audio::Processing;
use crate::backend::capture_thread::CaptureThread;
use crate::backend::{Backend, Driver, SourceSink};
use crate::config::{FileConfig, FileSpec};
use crate::device::{AudioMode, Capabilities, DeviceEntry, DeviceInfo, Range, VideoMode};
use crate::error::{Error, Result};
use crate::frame::{PixelFormat, SampleFormat, MAX_DIMENSION};
use crate::kind::MediaKind;
use crate::settings::NativeMode;

use audio::{AudioFile, AudioPlayback};
use mapped::FileVersion;
use video::{VideoFile, VideoPlayback};

/// The file camera's device id.
pub const VIDEO_DEVICE_ID: &str = "file:video:0";
/// The file microphone's device id.
pub const AUDIO_DEVICE_ID: &str = "file:audio:0";
/// Buffers a file source may have in flight (frames queued or held by consumers).
const POOL_SIZE: usize = 64;
/// Chunk durations a file microphone offers, in seconds.
const LATENCY: Range<f64> = Range {
    min: 0.001,
    max: 0.5,
};

/// The last check of one file, kept while the file stays the same version.
struct Checked<T> {
    version: FileVersion,
    file: Result<Arc<T>>,
}

type Cache<T> = Mutex<Option<Checked<T>>>;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The file backend.
pub struct FileBackend {
    config: FileConfig,
    video: Cache<VideoFile>,
    audio: Cache<AudioFile>,
}

impl FileBackend {
    pub fn new(config: FileConfig) -> FileBackend {
        FileBackend {
            config,
            video: Mutex::new(None),
            audio: Mutex::new(None),
        }
    }

    fn video_file(&self, spec: &FileSpec) -> Result<Arc<VideoFile>> {
        let rate = self.config.frame_rate;
        checked(&self.video, &spec.path, |p| VideoFile::open(p, rate))
    }

    fn audio_file(&self, spec: &FileSpec) -> Result<Arc<AudioFile>> {
        checked(&self.audio, &spec.path, AudioFile::open)
    }
}

/// The file at `path` checked by `open`, or the cached result while the file
/// has not changed (so listing devices does not read whole files again).
fn checked<T>(
    cache: &Cache<T>,
    path: &Path,
    open: impl FnOnce(&Path) -> Result<T>,
) -> Result<Arc<T>> {
    let version = mapped::version(path)?;
    let mut cache = lock(cache);
    if let Some(c) = cache.as_ref().filter(|c| c.version == version) {
        return c.file.clone();
    }
    let file = open(path).map(Arc::new);
    *cache = Some(Checked {
        version,
        file: file.clone(),
    });
    file
}

fn info(kind: MediaKind, spec: &FileSpec) -> DeviceInfo {
    let label = spec
        .path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| spec.path.display().to_string());
    let (device_id, group) = match kind {
        MediaKind::Video => (VIDEO_DEVICE_ID, 0),
        MediaKind::Audio => (AUDIO_DEVICE_ID, 1),
    };
    DeviceInfo {
        device_id: device_id.into(),
        kind,
        label,
        group_id: format!("file:group:{group}"),
        output: false,
    }
}

fn video_capabilities(file: Option<&VideoFile>) -> Capabilities {
    let Some(file) = file else {
        // An unreadable file: offer anything, so that opening it reports why it fails.
        return Capabilities::Video {
            controls: crate::controls::ControlCaps::new(),
            modes: vec![VideoMode {
                format: PixelFormat::I420,
                width: Range::new(1, MAX_DIMENSION),
                height: Range::new(1, MAX_DIMENSION),
                frame_rate: Range::new(1.0, 60.0),
            }],
            facing_mode: None,
            default_width: 640,
            default_height: 480,
            default_frame_rate: 30.0,
        };
    };
    let modes = file
        .formats()
        .iter()
        .map(|&format| VideoMode {
            format,
            width: Range::exactly(file.width),
            height: Range::exactly(file.height),
            frame_rate: Range::exactly(file.frame_rate),
        })
        .collect();
    Capabilities::Video {
        controls: crate::controls::ControlCaps::new(),
        modes,
        facing_mode: None,
        default_width: file.width,
        default_height: file.height,
        default_frame_rate: file.frame_rate,
    }
}

fn audio_capabilities(file: Option<&AudioFile>) -> Capabilities {
    // The file's own rate and channels (unreadable: anything, so that opening it says why).
    let (rate, channels) = match file {
        Some(f) => (
            Range::exactly(f.wav.sample_rate),
            Range::exactly(f.wav.channels),
        ),
        None => (Range::new(8_000, 48_000), Range::new(1, 1)),
    };
    Capabilities::Audio {
        modes: vec![AudioMode {
            format: SampleFormat::F32,
            sample_rate: rate,
            channels,
        }],
        latency: LATENCY,
        default_sample_rate: rate.max,
        default_channels: channels.max,
        // A file plays its samples as they are unless a track asks for processing.
        default_processing: Processing::OFF,
    }
}

impl Backend for FileBackend {
    fn name(&self) -> &'static str {
        "file"
    }

    fn devices(&self) -> Vec<DeviceEntry> {
        let mut out = Vec::new();
        if let Some(spec) = &self.config.video {
            let file = self.video_file(spec).ok();
            out.push(DeviceEntry {
                info: info(MediaKind::Video, spec),
                capabilities: video_capabilities(file.as_deref()),
            });
        }
        if let Some(spec) = &self.config.audio {
            let file = self.audio_file(spec).ok();
            out.push(DeviceEntry {
                info: info(MediaKind::Audio, spec),
                capabilities: audio_capabilities(file.as_deref()),
            });
        }
        out
    }

    fn open(
        &self,
        device_id: &str,
        mode: &NativeMode,
        sink: SourceSink,
    ) -> Result<Box<dyn Driver>> {
        let pacing = self.config.pacing;
        let mut thread = match (device_id, mode, &self.config.video, &self.config.audio) {
            (
                VIDEO_DEVICE_ID,
                &NativeMode::Video {
                    format,
                    width,
                    height,
                    frame_rate,
                },
                Some(spec),
                _,
            ) => {
                let file = self.video_file(spec)?;
                if (width, height) != (file.width, file.height) {
                    return Err(Error::NotReadable(format!(
                        "{}: the file is {}x{}, it cannot play at {width}x{height}",
                        spec.path.display(),
                        file.width,
                        file.height
                    )));
                }
                let playback = VideoPlayback::new(&file, format, frame_rate, self.config.loops(spec), pacing)
                    .map_err(|e| Error::NotReadable(format!("{}: {}", spec.path.display(), e.message())))?;
                let sink = sink.clone();
                CaptureThread::spawn("lms-file-video".into(), move |stop| playback.run(&stop, &sink))
            }
            (
                AUDIO_DEVICE_ID,
                &NativeMode::Audio {
                    format,
                    sample_rate,
                    channels,
                    chunk_frames,
                },
                _,
                Some(spec),
            ) => {
                let file = self.audio_file(spec)?;
                if (format, sample_rate, channels) != (SampleFormat::F32, file.wav.sample_rate, file.wav.channels) {
                    return Err(Error::NotReadable(format!(
                        "{}: the file is f32 {} Hz with {} channel(s), it cannot play as {} {sample_rate} Hz with {channels}",
                        spec.path.display(),
                        file.wav.sample_rate,
                        file.wav.channels,
                        format.name()
                    )));
                }
                let playback = AudioPlayback::new(&file, chunk_frames, self.config.loops(spec), pacing);
                let sink = sink.clone();
                CaptureThread::spawn("lms-file-audio".into(), move |stop| playback.run(&stop, &sink))
            }
            (VIDEO_DEVICE_ID | AUDIO_DEVICE_ID, other, _, _) if self.devices().iter().any(|d| d.info.device_id == device_id) => {
                return Err(Error::NotReadable(format!(
                    "file device {device_id} cannot run as {other:?}"
                )))
            }
            _ => return Err(Error::NotFound(format!("no file device {device_id}"))),
        }
        .map_err(|e| Error::NotReadable(format!("cannot start capture thread: {e}")))?;
        if let Some(room) = sink.room_signal() {
            thread.wake_on_stop(room);
        }
        Ok(Box::new(FileDriver {
            thread: Some(thread),
        }))
    }
}

/// One playing file.
struct FileDriver {
    thread: Option<CaptureThread>,
}

impl Driver for FileDriver {
    fn close(&mut self) {
        if let Some(mut thread) = self.thread.take() {
            thread.stop();
        }
    }
}

impl Drop for FileDriver {
    fn drop(&mut self) {
        self.close();
    }
}
