//! Fan-out: one captured frame to every track of a source.
//!
//! Tracks that want the source's own format and size get the very same
//! buffer. Tracks that want something else get a converted frame, made once
//! per distinct target and shared by every track with that target. Disabled
//! tracks get a black picture / silence of their own shape (one cached buffer
//! per shape). Frame-rate decimation is per track. Runs on the capture thread
//! only, and never blocks: queues drop their oldest frame when full.
//!
//! Audio tracks that ask for processing (echo cancellation, noise suppression,
//! gain control) are fed from a processed stream instead of the device's: one
//! [`Processor`] per distinct processing, run once per captured chunk before
//! the tracks' own resampling and chunking.

use std::sync::Arc;

use crate::audio::processing::{ProcessingKey, Processor};
use crate::audio::{AudioAdapter, AudioTarget};
use crate::backend::file::mjpeg::JpegDecoderI420;
use crate::frame::{AudioBuffer, Frame, FrameData, PixelFormat, Samples, VideoBuffer};
use crate::pool::{FramePool, HELD_FRAMES};
use crate::settings::{AudioSettings, NativeMode};
use crate::sink::TrackSink;
use crate::video::{fill_black, Converter};

/// Buffers a converted target may have in flight before frames for it are skipped.
const TARGET_POOL_SIZE: usize = 32;
/// A target no track asked for during this many frames is forgotten.
const TARGET_IDLE_FRAMES: u64 = 120;

type VideoKey = (PixelFormat, u32, u32);

struct VideoTarget {
    key: VideoKey,
    pool: FramePool,
    converter: Converter,
    black: Option<Arc<FrameData>>,
    last_used: u64,
}

struct AudioTargetState {
    settings: AudioSettings,
    adapter: Option<AudioAdapter>,
    pool: FramePool,
    silence: Option<Arc<FrameData>>,
    produced: Vec<Frame>,
    /// Chunks of the last captured frame that found no free buffer (counted as dropped).
    lost: usize,
    /// The most chunks one captured frame can give (see [`crate::queue::FrameQueue::set_burst`]).
    burst: usize,
    /// The last captured frame's timestamp, to date what a flush hands on.
    anchor_us: i64,
    sequence: u64,
    frames_out: u64,
    /// Device frames given to the adapter so far (this chunk's included).
    frames_in: u64,
    last_used: u64,
}

/// One distinct processing of the source's audio, shared by every track that asks for it.
struct ProcessorState {
    key: ProcessingKey,
    /// The device's rate and channels it was made for.
    source: (u32, u16),
    processor: Processor,
    /// The captured chunk it last processed (`frames_seen`), and whether that worked.
    ran_at: u64,
    ran_ok: bool,
    last_used: u64,
}

/// Per-source fan-out state (lives behind the source's fan-out lock).
pub(crate) struct Fanout {
    native: NativeMode,
    frames_seen: u64,
    video: Vec<VideoTarget>,
    audio: Vec<AudioTargetState>,
    processors: Vec<ProcessorState>,
    converted_now: Vec<(VideoKey, Frame)>,
    /// Made when a raw track first asks for pictures of a JPEG source.
    jpeg: Option<Box<JpegDecoderI420>>,
    /// Buffers a video target's pool may hold: the largest queue it feeds, and
    /// the frames consumers hold ([`HELD_FRAMES`]).
    video_pool_size: usize,
}

impl Fanout {
    pub fn new(native: NativeMode) -> Fanout {
        Fanout {
            native,
            frames_seen: 0,
            video: Vec::new(),
            audio: Vec::new(),
            processors: Vec::new(),
            converted_now: Vec::new(),
            jpeg: None,
            video_pool_size: TARGET_POOL_SIZE,
        }
    }

    /// Deliver one captured frame to `sinks`.
    pub fn deliver(&mut self, frame: &Frame, sinks: &[Arc<TrackSink>]) {
        self.frames_seen += 1;
        match frame.data() {
            FrameData::Video(v) => self.deliver_video(frame, v, sinks),
            FrameData::Audio(a) => self.deliver_audio(frame, a, sinks),
        }
        let now = self.frames_seen;
        self.video
            .retain(|t| now - t.last_used <= TARGET_IDLE_FRAMES);
        self.audio
            .retain(|t| now - t.last_used <= TARGET_IDLE_FRAMES);
        self.processors
            .retain(|p| now - p.last_used <= TARGET_IDLE_FRAMES);
    }

    fn deliver_video(&mut self, frame: &Frame, src: &VideoBuffer, sinks: &[Arc<TrackSink>]) {
        let native_rate = match self.native {
            NativeMode::Video { frame_rate, .. } => frame_rate,
            NativeMode::Audio { .. } => return,
        };
        self.converted_now.clear();
        let largest = sinks.iter().map(|s| s.queue.capacity()).max().unwrap_or(0);
        self.video_pool_size = largest + HELD_FRAMES;
        for sink in sinks {
            if sink.is_ended() {
                continue;
            }
            let settings = sink.settings.load();
            let Some(s) = settings.video() else { continue };
            if !decimation_keeps(frame.sequence(), s.frame_rate, native_rate) {
                continue;
            }
            let key = (s.pixel_format, s.width, s.height);
            let enabled = sink.enabled.load(std::sync::atomic::Ordering::Acquire);
            let out = if !enabled {
                self.black_frame(key, frame)
            } else if src.is(key.0, key.1, key.2)
                || (key.0 == PixelFormat::Mjpeg && src.format() == PixelFormat::Mjpeg)
            {
                Some(frame.clone())
            } else if src.format() == PixelFormat::Mjpeg {
                // A raw track on a JPEG source: decode once per frame, then convert.
                self.decoded_frame(frame, src).and_then(|decoded| {
                    let picture = decoded.video()?;
                    if picture.is(key.0, key.1, key.2) {
                        return Some(decoded.clone());
                    }
                    self.converted_frame(key, frame, picture)
                })
            } else {
                self.converted_frame(key, frame, src)
            };
            match out {
                Some(out) => sink.queue.push(out),
                None => sink.queue.count_drop(),
            }
        }
    }

    fn target_index(&mut self, key: VideoKey) -> usize {
        let now = self.frames_seen;
        if let Some(i) = self.video.iter().position(|t| t.key == key) {
            self.video[i].last_used = now;
            self.video[i].pool.allow(self.video_pool_size);
            return i;
        }
        self.video.push(VideoTarget {
            key,
            pool: FramePool::new(TARGET_POOL_SIZE.max(self.video_pool_size)),
            converter: Converter::new(),
            black: None,
            last_used: now,
        });
        self.video.len() - 1
    }

    fn converted_frame(
        &mut self,
        key: VideoKey,
        frame: &Frame,
        src: &VideoBuffer,
    ) -> Option<Frame> {
        if let Some((_, f)) = self.converted_now.iter().find(|(k, _)| *k == key) {
            return Some(f.clone());
        }
        let i = self.target_index(key);
        let target = &mut self.video[i];
        let (slot, data) = target.pool.acquire(
            |d| d.video().is_some_and(|v| v.is(key.0, key.1, key.2)),
            || {
                FrameData::Video(
                    VideoBuffer::new(key.0, key.1, key.2).unwrap_or_else(|_| placeholder()),
                )
            },
        )?;
        let dst = data.video_mut()?;
        if !dst.is(key.0, key.1, key.2) || target.converter.convert(src, dst).is_err() {
            return None;
        }
        let out = Frame::new(
            target.pool.share(slot),
            frame.sequence(),
            frame.timestamp_us(),
        );
        self.converted_now.push((key, out.clone()));
        Some(out)
    }

    /// The JPEG `src` decoded to I420 at its own size, once per captured frame.
    fn decoded_frame(&mut self, frame: &Frame, src: &VideoBuffer) -> Option<Frame> {
        let key = (PixelFormat::I420, src.width(), src.height());
        if let Some((_, f)) = self.converted_now.iter().find(|(k, _)| *k == key) {
            return Some(f.clone());
        }
        let i = self.target_index(key);
        let decoder = self.jpeg.get_or_insert_with(Box::default);
        let target = &mut self.video[i];
        let (slot, data) = target.pool.acquire(
            |d| d.video().is_some_and(|v| v.is(key.0, key.1, key.2)),
            || {
                FrameData::Video(
                    VideoBuffer::new(key.0, key.1, key.2).unwrap_or_else(|_| placeholder()),
                )
            },
        )?;
        let dst = data.video_mut()?;
        if !dst.is(key.0, key.1, key.2) || decoder.decode(src.plane(0), dst).is_err() {
            return None;
        }
        let out = Frame::new(
            target.pool.share(slot),
            frame.sequence(),
            frame.timestamp_us(),
        );
        self.converted_now.push((key, out.clone()));
        Some(out)
    }

    fn black_frame(&mut self, key: VideoKey, frame: &Frame) -> Option<Frame> {
        let i = self.target_index(key);
        let target = &mut self.video[i];
        if target.black.is_none() {
            let mut buf = VideoBuffer::new(key.0, key.1, key.2).ok()?;
            fill_black(&mut buf);
            target.black = Some(Arc::new(FrameData::Video(buf)));
        }
        let black = target.black.as_ref()?;
        Some(Frame::new(
            Arc::clone(black),
            frame.sequence(),
            frame.timestamp_us(),
        ))
    }

    fn deliver_audio(&mut self, frame: &Frame, src: &AudioBuffer, sinks: &[Arc<TrackSink>]) {
        let now = self.frames_seen;
        let pool_size = sinks.iter().map(|s| s.queue.capacity()).max().unwrap_or(0);
        // Produce each distinct target's chunks once.
        for sink in sinks {
            if sink.is_ended() {
                continue;
            }
            let settings = sink.settings.load();
            let Some(s) = settings.audio() else { continue };
            let t = match self.audio.iter().position(|t| t.settings == *s) {
                Some(i) => &mut self.audio[i],
                None => {
                    let processed = !s.processing.is_off();
                    self.audio
                        .push(AudioTargetState::new(s.clone(), src, processed, now));
                    let last = self.audio.len() - 1;
                    &mut self.audio[last]
                }
            };
            sink.queue.set_burst(t.burst);
            t.last_used = now;
        }
        for t in self.audio.iter_mut().filter(|t| t.last_used == now) {
            t.pool.allow(pool_size + t.burst + HELD_FRAMES);
            if t.settings.processing.is_off() {
                t.produce(frame, src);
                continue;
            }
            let key = t.settings.processing.key();
            match processed(&mut self.processors, key, src, now) {
                Some(p) => t.produce_processed(frame, p.blocks()),
                None => {
                    t.produced.clear();
                    t.lost = 0;
                }
            }
        }
        self.push_produced(sinks, now);
    }

    /// The source ended: every audio target hands on what its adapter still holds
    /// (the resampler's tail, a part-filled chunk as a short last chunk).
    pub fn flush(&mut self, sinks: &[Arc<TrackSink>]) {
        self.frames_seen += 1;
        let now = self.frames_seen;
        let mut any = false;
        for t in self.audio.iter_mut() {
            let wanted = sinks
                .iter()
                .any(|sink| !sink.is_ended() && sink.settings.load().audio() == Some(&t.settings));
            if wanted {
                t.last_used = now;
                t.flush();
                any = true;
            }
        }
        if any {
            self.push_produced(sinks, now);
        }
    }

    /// Queue what the targets used at `now` produced, on each of their tracks.
    fn push_produced(&mut self, sinks: &[Arc<TrackSink>], now: u64) {
        for sink in sinks {
            if sink.is_ended() {
                continue;
            }
            let settings = sink.settings.load();
            let Some(s) = settings.audio() else { continue };
            let Some(t) = self
                .audio
                .iter_mut()
                .find(|t| t.settings == *s && t.last_used == now)
            else {
                continue;
            };
            let enabled = sink.enabled.load(std::sync::atomic::Ordering::Acquire);
            for i in 0..t.produced.len() {
                let out = if enabled {
                    Some(t.produced[i].clone())
                } else {
                    t.silent(i)
                };
                match out {
                    Some(out) => sink.queue.push(out),
                    None => sink.queue.count_drop(),
                }
            }
            for _ in 0..t.lost {
                sink.queue.count_drop();
            }
        }
    }
}

/// The processor for `key`, made on first use, run on the captured chunk `src` once per
/// captured chunk (`now`); `None` when it cannot be made or failed.
fn processed<'a>(
    processors: &'a mut Vec<ProcessorState>,
    key: ProcessingKey,
    src: &AudioBuffer,
    now: u64,
) -> Option<&'a Processor> {
    let source = (src.sample_rate(), src.channels());
    let i = match processors
        .iter()
        .position(|p| p.key == key && p.source == source)
    {
        Some(i) => i,
        None => {
            let processor = Processor::with_key(key, src.sample_rate(), src.channels()).ok()?;
            processors.push(ProcessorState {
                key,
                source,
                processor,
                ran_at: 0,
                ran_ok: false,
                last_used: now,
            });
            processors.len() - 1
        }
    };
    let p = &mut processors[i];
    p.last_used = now;
    if p.ran_at != now {
        p.ran_at = now;
        p.ran_ok = p.processor.push(src).is_ok();
    }
    p.ran_ok.then_some(&p.processor)
}

impl AudioTargetState {
    /// A target fed from the device's chunks like `src`, or (`processed`) from a processor's
    /// 10 ms blocks of them.
    fn new(
        settings: AudioSettings,
        src: &AudioBuffer,
        processed: bool,
        now: u64,
    ) -> AudioTargetState {
        // What the adapter is fed: the device's chunks, or the processor's blocks.
        let (src_rate, src_channels, src_frames) = if processed {
            let rate = crate::audio::processing::processing_rate(src.sample_rate());
            let frames = (src.frames() as u64 * u64::from(rate))
                .div_ceil(u64::from(src.sample_rate().max(1))) as usize
                + (rate / 100) as usize;
            (rate, src.channels().clamp(1, 2), frames)
        } else {
            (src.sample_rate(), src.channels(), src.frames())
        };
        let identity = !processed
            && src.is(
                settings.sample_format,
                settings.sample_rate,
                settings.channels,
                settings.chunk_frames(),
            );
        let adapter = if identity {
            None
        } else {
            AudioAdapter::new(
                src_rate,
                src_channels,
                AudioTarget {
                    format: settings.sample_format,
                    sample_rate: settings.sample_rate,
                    channels: settings.channels,
                    chunk_frames: settings.chunk_frames(),
                },
            )
            .ok()
        };
        // Out per captured chunk: its frames at the target rate, plus whatever the
        // resampler held back (at most its latency), cut into chunks.
        let chunk = settings.chunk_frames().max(1);
        let rate_in = u64::from(src_rate.max(1));
        let most_out = (src_frames as u64 * u64::from(settings.sample_rate)).div_ceil(rate_in)
            as usize
            + adapter.as_ref().map_or(0, AudioAdapter::latency_frames);
        let burst = if adapter.is_some() {
            most_out.div_ceil(chunk) + 1
        } else {
            1
        };
        AudioTargetState {
            settings,
            adapter,
            pool: FramePool::new(TARGET_POOL_SIZE),
            silence: None,
            produced: Vec::new(),
            lost: 0,
            burst,
            anchor_us: 0,
            sequence: 0,
            frames_out: 0,
            frames_in: 0,
            last_used: now,
        }
    }

    /// Turn one device chunk into this target's chunks (`self.produced`).
    fn produce(&mut self, frame: &Frame, src: &AudioBuffer) {
        self.produced.clear();
        self.lost = 0;
        let s = &self.settings;
        let Some(mut adapter) = self.adapter.take() else {
            // The device's own chunks (the last one of a file may be shorter).
            if src.format() == s.sample_format
                && src.sample_rate() == s.sample_rate
                && src.channels() == s.channels
                && src.frames() <= s.chunk_frames()
            {
                self.produced.push(frame.clone());
            }
            return;
        };
        // A device chunk's timestamp is when its last frame arrived. A produced
        // chunk gets the time its last frame arrived in the device chunk that
        // completes it: this chunk's timestamp, less the device frames after it
        // (by sample position), so each is anchored to the newest device
        // timestamp and start-up jitter does not shift all that follow.
        self.frames_in += src.frames() as u64;
        self.anchor_us = frame.timestamp_us();
        let mut emit = self.emitter(adapter.source_rate(), true);
        let _ = adapter.push(src, &mut emit);
        drop(emit);
        self.adapter = Some(adapter);
    }

    /// Turn the processed blocks of one device chunk into this target's chunks, dated from
    /// the device chunk's timestamp as [`AudioTargetState::produce`] dates them.
    fn produce_processed(&mut self, frame: &Frame, blocks: &[AudioBuffer]) {
        self.produced.clear();
        self.lost = 0;
        let Some(mut adapter) = self.adapter.take() else {
            return;
        };
        self.frames_in += blocks.iter().map(|b| b.frames() as u64).sum::<u64>();
        self.anchor_us = frame.timestamp_us();
        let mut emit = self.emitter(adapter.source_rate(), true);
        for block in blocks {
            let _ = adapter.push(block, &mut emit);
        }
        drop(emit);
        self.adapter = Some(adapter);
    }

    /// The source ended: what the adapter still holds becomes this target's last chunks.
    fn flush(&mut self) {
        self.produced.clear();
        self.lost = 0;
        let Some(mut adapter) = self.adapter.take() else {
            return;
        };
        // Dated as if the samples had kept coming at the device's rate.
        let mut emit = self.emitter(adapter.source_rate(), false);
        let _ = adapter.flush(&mut emit);
        drop(emit);
        self.adapter = Some(adapter);
    }

    /// What the adapter calls with each chunk: copy it into a pooled buffer and
    /// add it to `produced` (or count it lost when no buffer is free). `capped`
    /// keeps a timestamp from passing the device chunk's own.
    fn emitter(&mut self, source_rate: u32, capped: bool) -> impl FnMut(&AudioBuffer) + '_ {
        let (rate_out, rate_in) = (
            i128::from(self.settings.sample_rate.max(1)),
            i128::from(source_rate.max(1)),
        );
        let anchor_us = i128::from(self.anchor_us);
        let in_us = i128::from(self.frames_in) * 1_000_000 / rate_in;
        let (pool, produced, lost) = (&mut self.pool, &mut self.produced, &mut self.lost);
        let (sequence, frames_out) = (&mut self.sequence, &mut self.frames_out);
        move |chunk: &AudioBuffer| {
            let acquired = pool.acquire(
                |d| {
                    d.audio().is_some_and(|a| {
                        a.is(
                            chunk.format(),
                            chunk.sample_rate(),
                            chunk.channels(),
                            chunk.frames(),
                        )
                    })
                },
                || {
                    FrameData::Audio(AudioBuffer::new(
                        chunk.format(),
                        chunk.sample_rate(),
                        chunk.channels(),
                        chunk.frames(),
                    ))
                },
            );
            if let Some((slot, data)) = acquired {
                if let Some(dst) = data.audio_mut() {
                    copy_samples(chunk.samples(), dst.samples_mut());
                }
                let end = i128::from(*frames_out + chunk.frames() as u64);
                let ts = anchor_us + end * 1_000_000 / rate_out - in_us;
                let ts = if capped { ts.min(anchor_us) } else { ts };
                produced.push(Frame::new(pool.share(slot), *sequence, ts as i64));
            } else {
                *lost += 1;
            }
            *sequence += 1;
            *frames_out += chunk.frames() as u64;
        }
    }

    /// Silence shaped like produced chunk `i`, with its sequence and timestamp.
    fn silent(&mut self, i: usize) -> Option<Frame> {
        let like = self.produced.get(i)?;
        let a = like.audio()?;
        let fits = self
            .silence
            .as_ref()
            .and_then(|d| d.audio())
            .is_some_and(|s| s.is(a.format(), a.sample_rate(), a.channels(), a.frames()));
        if !fits {
            let buf = AudioBuffer::new(a.format(), a.sample_rate(), a.channels(), a.frames());
            self.silence = Some(Arc::new(FrameData::Audio(buf)));
        }
        let silence = self.silence.as_ref()?;
        Some(Frame::new(
            Arc::clone(silence),
            like.sequence(),
            like.timestamp_us(),
        ))
    }
}

fn copy_samples(src: &Samples, dst: &mut Samples) {
    match (src, dst) {
        (Samples::F32(s), Samples::F32(d)) if s.len() == d.len() => d.copy_from_slice(s),
        (Samples::S16(s), Samples::S16(d)) if s.len() == d.len() => d.copy_from_slice(s),
        _ => {}
    }
}

/// A 1x1 picture standing in for one that could not be allocated (never delivered:
/// the caller checks the shape before converting into it).
fn placeholder() -> VideoBuffer {
    VideoBuffer::new(PixelFormat::I420, 1, 1).expect("1x1 is a valid size")
}

/// Whether a track at `rate` fps keeps frame `sequence` of a source at `native` fps:
/// frame 0 always, then one frame each time `sequence * rate / native` passes an integer.
pub(crate) fn decimation_keeps(sequence: u64, rate: f64, native: f64) -> bool {
    if rate >= native - 1e-6 || native <= 0.0 || sequence == 0 {
        return true;
    }
    let ratio = rate / native;
    (sequence as f64 * ratio).floor() > ((sequence - 1) as f64 * ratio).floor()
}

#[cfg(test)]
mod tests {
    use super::decimation_keeps;

    #[test]
    fn decimation_keeps_the_asked_share_of_frames_evenly() {
        let kept: Vec<u64> = (0..60)
            .filter(|&s| decimation_keeps(s, 10.0, 30.0))
            .collect();
        assert_eq!(kept.len(), 20);
        assert!(kept.windows(2).all(|w| w[1] - w[0] == 3), "{kept:?}");
        assert_eq!(
            (0..300).filter(|&s| decimation_keeps(s, 7.5, 30.0)).count(),
            75
        );
        assert!((0..50).all(|s| decimation_keeps(s, 30.0, 30.0)));
        assert!((0..50).all(|s| decimation_keeps(s, 60.0, 30.0)));
    }
}
