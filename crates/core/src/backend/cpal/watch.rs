//! `devicechange` for cpal: cpal 0.18 tells a stream when its device goes
//! (or, for a default-device stream, when the default changes) but has no
//! notification of the device list itself. So while a change notifier is set
//! a watcher thread looks once a second and calls the notifier when the
//! input device ids, the default first, changed (a device added or removed,
//! another default); a stream that reports its device gone or changed raises
//! the [`Alarm`], and the watcher calls the notifier at once.
//!
//! With a sound server (PulseAudio, PipeWire) the server is asked for its
//! list once a second. Through ALSA on Linux the once-a-second look is at
//! the capture nodes in `/dev/snd` (a sound card coming or going), without
//! allocating, and ALSA is asked for its list only when they changed: capture in steady state allocates
//! nothing, on any thread of ours (tests/cpal_steady_state.rs), and ALSA
//! (which parses its configuration for every list) is left alone. On Windows
//! and macOS the devices are listed each time (WASAPI's endpoint collection
//! and CoreAudio's device list: a few short calls).
//!
//! The notifier only asks the caller to look again: it compares the whole
//! device list with the one it last saw and fires `devicechange` only when
//! they differ, so a call too many (an alarm for a device still listed, then
//! the list changing a second later) fires one event, not two.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::{input_device_ids, quiet};
use crate::backend::capture_thread::CaptureThread;
use crate::backend::ChangeNotifier;
use crate::signal::Signal;

/// How often the watcher lists the devices.
const WATCH_PERIOD: Duration = Duration::from_secs(1);

/// Raised by a stream (from cpal's callback threads) whose device went away
/// or changed. Raising takes no lock unless the watcher sleeps.
#[derive(Debug, Default)]
pub(super) struct Alarm {
    raised: AtomicBool,
    signal: Arc<Signal>,
}

impl Alarm {
    pub(super) fn raise(&self) {
        self.raised.store(true, Ordering::Release);
        self.signal.notify();
    }

    fn take(&self) -> bool {
        self.raised.swap(false, Ordering::AcqRel)
    }

    fn is_raised(&self) -> bool {
        self.raised.load(Ordering::Acquire)
    }
}

/// The watcher thread; dropping it stops it.
pub(super) struct Watcher {
    _thread: CaptureThread,
}

impl Watcher {
    pub(super) fn start(notifier: ChangeNotifier, alarm: Arc<Alarm>) -> std::io::Result<Watcher> {
        // The devices as they are now, not when the thread first runs: a
        // microphone unplugged in between is a change too.
        let mut known = Vec::new();
        let mut nodes = sound_nodes();
        {
            let _quiet = quiet();
            input_device_ids(&mut known);
        }
        // An alarm raised before this watcher existed was for its predecessor.
        alarm.take();
        let signal = Arc::clone(&alarm.signal);
        let mut thread = CaptureThread::spawn("lms-cpal-watch".into(), move |stop| {
            let _quiet = quiet();
            let mut now = Vec::new();
            loop {
                let deadline = Instant::now() + WATCH_PERIOD;
                alarm
                    .signal
                    .wait_until(Some(deadline), || stop.is_stopped() || alarm.is_raised());
                if stop.is_stopped() {
                    return;
                }
                let raised = alarm.take();
                // A sound server's devices come and go without sound card
                // nodes changing (a sink loaded, a Bluetooth headset): asked
                // every time.
                let nodes_now = sound_nodes();
                if !raised && nodes_now.is_some() && nodes_now == nodes && !super::host::in_use() {
                    continue;
                }
                nodes = nodes_now;
                input_device_ids(&mut now);
                if raised || now != known {
                    std::mem::swap(&mut known, &mut now);
                    notifier();
                }
            }
        })?;
        thread.wake_on_stop(signal);
        Ok(Watcher { _thread: thread })
    }
}

/// A fingerprint of the sound card capture nodes (`/dev/snd/pcmC*D*c`), read
/// without allocating (glibc's `opendir` uses C's malloc, not Rust's
/// allocator): it changes when a card with a capture device comes or goes.
#[cfg(target_os = "linux")]
fn sound_nodes() -> Option<u64> {
    // SAFETY: a NUL-terminated path; the directory stream is closed below and
    // each entry's name is read before the next `readdir` on this thread.
    let dir = unsafe { libc::opendir(c"/dev/snd".as_ptr()) };
    if dir.is_null() {
        return Some(0); // no sound card at all
    }
    let (mut count, mut sum) = (0u64, 0u64);
    loop {
        // SAFETY: `dir` is an open directory stream.
        let entry = unsafe { libc::readdir(dir) };
        if entry.is_null() {
            break;
        }
        // SAFETY: `d_name` is NUL-terminated and lives until the next `readdir`.
        let name = unsafe { std::ffi::CStr::from_ptr((*entry).d_name.as_ptr()) }.to_bytes();
        if name.starts_with(b"pcmC") && name.ends_with(b"c") {
            count += 1;
            // FNV-1a of the name; summed, so the order of entries does not matter.
            let hash = name.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            sum = sum.wrapping_add(hash);
        }
    }
    // SAFETY: opened above, closed once.
    unsafe { libc::closedir(dir) };
    Some(sum ^ count.rotate_left(32))
}

/// No cheap look elsewhere: the devices are listed every time.
#[cfg(not(target_os = "linux"))]
fn sound_nodes() -> Option<u64> {
    None
}
