//! The far end: what the speakers play, handed to every echo canceller in the process.
//!
//! Two far ends ([`FarEnd`]): the application's, which it gives to [`render`] (the audio it
//! plays: interleaved `f32`, any rate and channel count), for `echoCancellation` `true` and
//! `"remote-only"`; and the system's, everything the default output plays, which a backend
//! that can record it (the cpal backend, through the default output's monitor on a sound
//! server) feeds while some canceller asks for it ([`set_system_feed`]), for `"all"`. Each is
//! converted to [`FAR_END_RATE`] mono and cut into 10 ms blocks, and each block is offered
//! to every [`FarEndTap`] of that far end: one per echo canceller (and one per fake
//! microphone that simulates an echo). A tap is a bounded lock-free queue: the
//! capture thread takes what is there before each 10 ms block it processes and never waits
//! for more. So a far end that stops, is late, or never comes never stalls capture (the
//! canceller then has no reference), and a far end faster than capture loses its oldest
//! blocks ([`FAR_END_QUEUE_BLOCKS`] are kept per tap).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use arc_swap::ArcSwap;
use crossbeam_queue::ArrayQueue;

use crate::audio::{AudioAdapter, AudioTarget, MAX_CHANNELS, MAX_SAMPLE_RATE};
use crate::error::{Error, Result};
use crate::frame::{AudioBuffer, SampleFormat, Samples};

/// The rate far-end audio is kept at (Hz).
pub const FAR_END_RATE: u32 = 48_000;
/// Frames in one far-end block: 10 ms at [`FAR_END_RATE`].
pub const FAR_END_BLOCK: usize = 480;
/// Blocks a tap keeps (500 ms); a far end further ahead than that loses its oldest blocks.
pub const FAR_END_QUEUE_BLOCKS: usize = 50;
/// Lowest sample rate [`render`] accepts (Hz).
pub const MIN_RENDER_RATE: u32 = 8_000;
/// Frames [`render`] converts at a time (bounds the copy it makes of a long call).
const RENDER_PIECE_FRAMES: usize = 4_800;

/// One 10 ms mono block of far-end audio.
pub type FarEndBlock = [f32; FAR_END_BLOCK];

/// Which far end a tap listens to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FarEnd {
    /// What the application gives [`render`].
    #[default]
    Application,
    /// What the system's default output plays (its monitor), where a backend can record it;
    /// else the application's.
    System,
}

/// Starts recording what the system plays into [`render_system`]; the value it returns
/// keeps the recording going until dropped. `None` where it cannot (no sound server).
pub type SystemFeedStarter = fn() -> Option<Box<dyn Send + Sync>>;

/// One listener's queue of far-end blocks.
pub struct FarEndTap {
    queue: ArrayQueue<FarEndBlock>,
    dropped: AtomicU64,
    far_end: FarEnd,
    /// Keeps the system's recording going while a [`FarEnd::System`] tap lives.
    _feed: Option<Arc<Box<dyn Send + Sync>>>,
}

impl std::fmt::Debug for FarEndTap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FarEndTap")
            .field("far_end", &self.far_end)
            .field("queued", &self.queue.len())
            .field("dropped", &self.dropped())
            .finish()
    }
}

impl FarEndTap {
    /// The oldest block not taken yet, if any. Never blocks.
    pub fn pop(&self) -> Option<FarEndBlock> {
        self.queue.pop()
    }

    /// Blocks lost because this tap's queue was full (the far end ran ahead of capture).
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// The far end this tap hears (a [`FarEnd::System`] tap where no backend records the
    /// system hears the application's).
    pub fn far_end(&self) -> FarEnd {
        self.far_end
    }

    fn push(&self, block: &FarEndBlock) {
        if self.queue.force_push(*block).is_some() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// The converter from what the application renders to far-end blocks.
struct Converter {
    rate: u32,
    channels: u16,
    adapter: AudioAdapter,
}

struct Hub {
    taps: ArcSwap<Vec<Weak<FarEndTap>>>,
    converter: Mutex<Option<Converter>>,
}

fn hub(far_end: FarEnd) -> &'static Hub {
    static HUBS: OnceLock<[Hub; 2]> = OnceLock::new();
    let hubs = HUBS.get_or_init(|| {
        [(), ()].map(|()| Hub {
            taps: ArcSwap::from_pointee(Vec::new()),
            converter: Mutex::new(None),
        })
    });
    &hubs[far_end as usize]
}

/// The backend's way to record the system's output, once registered.
static SYSTEM_FEED_STARTER: OnceLock<SystemFeedStarter> = OnceLock::new();
/// The running recording of the system's output, while a tap holds it.
static SYSTEM_FEED: Mutex<Weak<Box<dyn Send + Sync>>> = Mutex::new(Weak::new());

/// Register how to record what the system plays (the first registration stays): the cpal
/// backend does, where a sound server offers its outputs' monitors.
pub fn set_system_feed(starter: SystemFeedStarter) {
    let _ = SYSTEM_FEED_STARTER.set(starter);
}

/// The running system recording, started if none runs; `None` where none can run.
fn system_feed() -> Option<Arc<Box<dyn Send + Sync>>> {
    let starter = SYSTEM_FEED_STARTER.get()?;
    let mut feed = SYSTEM_FEED.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(running) = feed.upgrade() {
        return Some(running);
    }
    let running = Arc::new(starter()?);
    *feed = Arc::downgrade(&running);
    Some(running)
}

/// A new tap of the application's far end: it receives every block [`render`] gets from
/// now on, until dropped. Lock-free (the capture thread may call it).
pub fn subscribe() -> Arc<FarEndTap> {
    subscribe_to(FarEnd::Application)
}

/// A new tap of `far_end`. A [`FarEnd::System`] tap starts the system's recording if none
/// runs (it stops when the last such tap is dropped); where nothing can record the system
/// it hears the application's far end instead ([`FarEndTap::far_end`] says which).
pub fn subscribe_to(far_end: FarEnd) -> Arc<FarEndTap> {
    let feed = match far_end {
        FarEnd::Application => None,
        FarEnd::System => system_feed(),
    };
    let far_end = if feed.is_some() {
        FarEnd::System
    } else {
        FarEnd::Application
    };
    let tap = Arc::new(FarEndTap {
        queue: ArrayQueue::new(FAR_END_QUEUE_BLOCKS),
        dropped: AtomicU64::new(0),
        far_end,
        _feed: feed,
    });
    let weak = Arc::downgrade(&tap);
    hub(far_end).taps.rcu(|taps| {
        let mut next: Vec<Weak<FarEndTap>> = taps
            .iter()
            .filter(|t| t.strong_count() > 0)
            .cloned()
            .collect();
        next.push(weak.clone());
        next
    });
    tap
}

/// Give the echo cancellers the audio the application is playing (the far end): `samples`
/// interleaved, `channels` per frame, at `sample_rate` Hz, in the order it is played and as
/// it is played (ahead of time by at most [`FAR_END_QUEUE_BLOCKS`] blocks of 10 ms).
///
/// Every track with `echoCancellation` on (`true`, `"remote-only"`, `"all"`) removes this
/// audio from what its microphone hears. It may be called from any thread; it never waits
/// for capture. A rate outside 8000..=384000 Hz, a channel count outside 1..=32, a length
/// that is not a whole number of frames or a sample that is not finite is a `TypeError`
/// naming it, and nothing is rendered.
pub fn render(samples: &[f32], sample_rate: u32, channels: u16) -> Result<()> {
    feed(FarEnd::Application, samples, sample_rate, channels)
}

/// What the system's output plays, for the `"all"` cancellers: called by the backend
/// recording it (see [`set_system_feed`]). As [`render`] otherwise.
pub fn render_system(samples: &[f32], sample_rate: u32, channels: u16) -> Result<()> {
    feed(FarEnd::System, samples, sample_rate, channels)
}

fn feed(far_end: FarEnd, samples: &[f32], sample_rate: u32, channels: u16) -> Result<()> {
    if !(MIN_RENDER_RATE..=MAX_SAMPLE_RATE).contains(&sample_rate) {
        return Err(Error::Type(format!(
            "render: sample rate {sample_rate} Hz is outside {MIN_RENDER_RATE}..={MAX_SAMPLE_RATE}"
        )));
    }
    if !(1..=MAX_CHANNELS).contains(&channels) {
        return Err(Error::Type(format!(
            "render: channel count {channels} is outside 1..={MAX_CHANNELS}"
        )));
    }
    let width = usize::from(channels);
    if !samples.len().is_multiple_of(width) {
        return Err(Error::Type(format!(
            "render: {} samples are not a whole number of {channels}-channel frames",
            samples.len()
        )));
    }
    if let Some(i) = samples.iter().position(|x| !x.is_finite()) {
        return Err(Error::Type(format!(
            "render: samples[{i}] is {} (samples must be finite)",
            samples[i]
        )));
    }
    let hub = hub(far_end);
    let mut guard = hub.converter.lock().unwrap_or_else(PoisonError::into_inner);
    let fresh = !matches!(&*guard, Some(c) if c.rate == sample_rate && c.channels == channels);
    if fresh {
        let target = AudioTarget {
            format: SampleFormat::F32,
            sample_rate: FAR_END_RATE,
            channels: 1,
            chunk_frames: FAR_END_BLOCK,
        };
        let adapter = AudioAdapter::new(sample_rate, channels, target)
            .map_err(|e| Error::Type(format!("render: {}", e.message())))?;
        *guard = Some(Converter {
            rate: sample_rate,
            channels,
            adapter,
        });
    }
    let Some(converter) = guard.as_mut() else {
        return Ok(());
    };
    let taps = hub.taps.load();
    let mut emit = |chunk: &AudioBuffer| {
        let Samples::F32(s) = chunk.samples() else {
            return;
        };
        let Ok(block) = <&FarEndBlock>::try_from(&s[..]) else {
            return;
        };
        for tap in taps.iter().filter_map(Weak::upgrade) {
            tap.push(block);
        }
    };
    for piece in samples.chunks(RENDER_PIECE_FRAMES * width) {
        let mut buf = AudioBuffer::new(
            SampleFormat::F32,
            sample_rate,
            channels,
            piece.len() / width,
        );
        if let Samples::F32(dst) = buf.samples_mut() {
            dst.copy_from_slice(piece);
        }
        converter.adapter.push(&buf, &mut emit)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_render_input_is_a_type_error_naming_it() {
        let message = |r: Result<()>| match r {
            Err(Error::Type(m)) => m,
            other => panic!("expected a TypeError, got {other:?}"),
        };
        assert!(message(render(&[0.0; 480], 7_999, 1)).contains("sample rate 7999"));
        assert!(message(render(&[0.0; 480], 48_000, 0)).contains("channel count 0"));
        assert!(message(render(&[0.0; 480], 48_000, 33)).contains("channel count 33"));
        assert!(message(render(&[0.0; 3], 48_000, 2)).contains("whole number"));
        assert!(message(render(&[0.0, f32::NAN], 48_000, 1)).contains("samples[1]"));
        render(&[], 48_000, 1).expect("nothing to render is fine");
    }

    #[test]
    fn every_tap_gets_the_far_end_in_ten_millisecond_mono_blocks_and_drops_its_oldest() {
        let a = subscribe();
        let b = subscribe();
        // Stereo at 48 kHz: mixed to mono, no resampling, so the blocks are exact.
        let frames = FAR_END_BLOCK * (FAR_END_QUEUE_BLOCKS + 3);
        let samples: Vec<f32> = (0..frames)
            .flat_map(|i| {
                let x = (i % 1000) as f32 / 1000.0;
                [x, x]
            })
            .collect();
        render(&samples, 48_000, 2).unwrap();
        for tap in [&a, &b] {
            // Other tests in this process may render too: only check what is ours.
            let mut got = Vec::new();
            while let Some(block) = tap.pop() {
                got.push(block);
            }
            assert!(got.len() >= FAR_END_QUEUE_BLOCKS - 1, "{}", got.len());
            assert!(tap.dropped() >= 3);
        }
    }
}
