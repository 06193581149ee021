//! The files a capture writes: DIR/video.y4m (or video.mjpeg), DIR/audio.wav
//! and DIR/snapshot.png. Each is valid after every `flush`, so a capture that
//! stops early (Ctrl-C, a device lost) still leaves files that play.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use lms_core::backend::file::mjpeg::JpegDecoderI420;
use lms_core::backend::file::y4m::Y4mWriter;
use lms_core::video::Converter;
use lms_core::{AudioBuffer, Frame, PixelFormat, Samples, VideoBuffer};

use crate::exit::CliError;
use crate::wav::{WavSampleFormat, WavWriter};

/// Buffer of the video file's writer: a few 1080p frames.
const VIDEO_BUFFER: usize = 8 << 20;

fn create(path: &Path) -> Result<BufWriter<File>, CliError> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(VIDEO_BUFFER, f))
        .map_err(|e| CliError::output(path, e))
}

enum VideoFile {
    /// Raw pictures, converted to I420 when the track delivers another format.
    Y4m {
        writer: Y4mWriter<BufWriter<File>>,
        converter: Box<Converter>,
        scratch: Option<VideoBuffer>,
    },
    /// JPEGs one after another, as the track delivered them.
    Mjpeg { out: BufWriter<File>, frames: u64 },
}

/// What a finished video file holds.
pub struct VideoResult {
    pub path: PathBuf,
    pub frames: u64,
    /// DIR/snapshot.png and the sequence number of its picture.
    pub snapshot: Option<(PathBuf, u64)>,
}

/// DIR/video.y4m, or DIR/video.mjpeg for a track that delivers MJPEG; made at the first frame.
pub struct VideoOut {
    dir: PathBuf,
    fps: f64,
    file: Option<VideoFile>,
    path: Option<PathBuf>,
    last: Option<Frame>,
}

impl VideoOut {
    pub fn new(dir: &Path, fps: f64) -> VideoOut {
        VideoOut {
            dir: dir.to_path_buf(),
            fps,
            file: None,
            path: None,
            last: None,
        }
    }

    /// Append a frame (the first one decides the file's kind and size).
    pub fn write(&mut self, frame: &Frame) -> Result<(), CliError> {
        let Some(picture) = frame.video() else {
            return Ok(());
        };
        if self.file.is_none() {
            self.start(picture)?;
        }
        let path = self.path.clone().unwrap_or_default();
        match self.file.as_mut() {
            Some(VideoFile::Mjpeg { out, frames }) => {
                out.write_all(picture.plane(0))
                    .map_err(|e| CliError::output(&path, e))?;
                *frames += 1;
            }
            Some(VideoFile::Y4m {
                writer,
                converter,
                scratch,
            }) => {
                let written = if picture.format() == PixelFormat::I420
                    && Some((picture.width(), picture.height()))
                        == scratch.as_ref().map(|s| (s.width(), s.height()))
                {
                    writer.write_frame(picture)
                } else {
                    let Some(i420) = scratch.as_mut() else {
                        return Ok(());
                    };
                    converter.convert(picture, i420)?;
                    writer.write_frame(i420)
                };
                written.map_err(|e| CliError::output(&path, e))?;
            }
            None => {}
        }
        self.last = Some(frame.clone());
        Ok(())
    }

    fn start(&mut self, picture: &VideoBuffer) -> Result<(), CliError> {
        let (w, h) = (picture.width(), picture.height());
        if picture.format() == PixelFormat::Mjpeg {
            let path = self.dir.join("video.mjpeg");
            self.file = Some(VideoFile::Mjpeg {
                out: create(&path)?,
                frames: 0,
            });
            self.path = Some(path);
            return Ok(());
        }
        let path = self.dir.join("video.y4m");
        let writer = Y4mWriter::new(create(&path)?, w, h, self.fps)
            .map_err(|e| CliError::output(&path, e))?;
        self.file = Some(VideoFile::Y4m {
            writer,
            converter: Box::default(),
            scratch: Some(VideoBuffer::new(PixelFormat::I420, w, h)?),
        });
        self.path = Some(path);
        Ok(())
    }

    pub fn frames(&self) -> u64 {
        match &self.file {
            Some(VideoFile::Y4m { writer, .. }) => writer.frames(),
            Some(VideoFile::Mjpeg { frames, .. }) => *frames,
            None => 0,
        }
    }

    /// Push what is buffered to the file.
    pub fn flush(&mut self) -> Result<(), CliError> {
        let path = self.path.clone().unwrap_or_default();
        let flushed = match self.file.as_mut() {
            Some(VideoFile::Mjpeg { out, .. }) => out.flush(),
            // The Y4M writer flushes its output when finished; until then BufWriter holds at most a few frames.
            Some(VideoFile::Y4m { .. }) | None => Ok(()),
        };
        flushed.map_err(|e| CliError::output(&path, e))
    }

    /// Finish the file and write DIR/snapshot.png from the last picture.
    pub fn finish(self) -> Result<Option<VideoResult>, CliError> {
        let frames = self.frames();
        let (Some(file), Some(path)) = (self.file, self.path) else {
            return Ok(None);
        };
        match file {
            VideoFile::Y4m { writer, .. } => {
                writer.finish().map_err(|e| CliError::output(&path, e))?;
            }
            VideoFile::Mjpeg { mut out, .. } => {
                out.flush().map_err(|e| CliError::output(&path, e))?
            }
        }
        let snapshot = match &self.last {
            Some(frame) => {
                let png = self.dir.join("snapshot.png");
                write_snapshot(frame, &png)?;
                Some((png, frame.sequence()))
            }
            None => None,
        };
        Ok(Some(VideoResult {
            path,
            frames,
            snapshot,
        }))
    }
}

/// Write `frame`'s picture as an 8-bit RGB PNG at `path`.
pub fn write_snapshot(frame: &Frame, path: &Path) -> Result<(), CliError> {
    let Some(picture) = frame.video() else {
        return Ok(());
    };
    let (w, h) = (picture.width(), picture.height());
    let mut rgb = VideoBuffer::new(PixelFormat::Rgb24, w, h)?;
    if picture.format() == PixelFormat::Mjpeg {
        let mut i420 = VideoBuffer::new(PixelFormat::I420, w, h)?;
        JpegDecoderI420::new().decode(picture.plane(0), &mut i420)?;
        Converter::new().convert(&i420, &mut rgb)?;
    } else {
        Converter::new().convert(picture, &mut rgb)?;
    }
    let file = File::create(path).map_err(|e| CliError::output(path, e))?;
    let mut encoder = png::Encoder::new(BufWriter::new(file), w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // One picture per capture: worth the smallest file.
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(rgb.plane(0)))
        .map_err(|e| CliError::output(path, e))
}

/// DIR/audio.wav in the sample format `--sample-format` chose (16-bit PCM by
/// default), whatever format the track delivers; made at the first chunk.
pub struct AudioOut {
    path: PathBuf,
    format: WavSampleFormat,
    writer: Option<WavWriter<BufWriter<File>>>,
    frames: u64,
    sample_rate: u32,
}

impl AudioOut {
    pub fn new(dir: &Path, format: WavSampleFormat) -> AudioOut {
        AudioOut {
            path: dir.join("audio.wav"),
            format,
            writer: None,
            frames: 0,
            sample_rate: 0,
        }
    }

    /// Append up to `limit` sample frames of `chunk` (all of it when `None`).
    pub fn write(&mut self, chunk: &AudioBuffer, limit: Option<u64>) -> Result<(), CliError> {
        if self.writer.is_none() {
            let file = File::create(&self.path).map_err(|e| CliError::output(&self.path, e))?;
            let writer = WavWriter::new(
                BufWriter::new(file),
                self.format,
                chunk.sample_rate(),
                chunk.channels(),
            )
            .map_err(|e| CliError::output(&self.path, e))?;
            self.writer = Some(writer);
            self.sample_rate = chunk.sample_rate();
        }
        let Some(writer) = self.writer.as_mut() else {
            return Ok(());
        };
        let channels = usize::from(chunk.channels().max(1));
        let frames = limit.map_or(chunk.frames(), |l| chunk.frames().min(l as usize));
        let written = match chunk.samples() {
            Samples::F32(s) => writer.write_f32(&s[..frames * channels]),
            Samples::S16(s) => writer.write_s16(&s[..frames * channels]),
        };
        written.map_err(|e| CliError::output(&self.path, e))?;
        self.frames += frames as u64;
        Ok(())
    }

    /// Sample frames written.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// Seconds of audio written.
    pub fn seconds(&self) -> f64 {
        if self.sample_rate == 0 {
            0.0
        } else {
            self.frames as f64 / f64::from(self.sample_rate)
        }
    }

    /// Update the header so the file is valid as it stands.
    pub fn flush(&mut self) -> Result<(), CliError> {
        match self.writer.as_mut() {
            Some(w) => w.flush().map_err(|e| CliError::output(&self.path, e)),
            None => Ok(()),
        }
    }

    /// Finish the file; its path and seconds, if anything was written.
    pub fn finish(self) -> Result<Option<(PathBuf, f64)>, CliError> {
        let seconds = self.seconds();
        match self.writer {
            Some(w) => {
                w.finish().map_err(|e| CliError::output(&self.path, e))?;
                Ok(Some((self.path, seconds)))
            }
            None => Ok(None),
        }
    }
}
