//! The stream of one opened cpal device: a thread of its own builds, plays
//! and finally drops it (cpal's `Stream` is `!Send` on some platforms).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};

use super::chunker::Chunker;
use super::health::Health;
use super::watch::Alarm;
use super::{count, cpal_format, label_of, Shape};
use crate::backend::{Driver, SourceSink};
use crate::error::{Error, Result};

/// A device that delivers nothing for this long (or four chunks, if longer)
/// has stopped: its tracks end. ALSA's `pulse` plugin, for one, neither calls
/// back nor reports an error when the PulseAudio server dies.
const STALL_LIMIT: Duration = Duration::from_secs(2);
/// How often the owner thread looks for a stall.
const WATCH_EVERY: Duration = Duration::from_millis(100);
/// How long closing waits for cpal to drop a stream. A stream whose device
/// hangs in the driver is abandoned to its thread rather than hanging the
/// caller's `stop()` (and is not counted as closed).
const CLOSE_LIMIT: Duration = Duration::from_secs(3);

/// The thread that owns a cpal stream: it builds and plays it, watches it
/// for stalls, and drops it when told to.
pub(super) struct StreamOwner {
    stop: mpsc::Sender<()>,
    /// Receives once the stream is dropped.
    dropped: mpsc::Receiver<()>,
    thread: JoinHandle<()>,
    health: Arc<Health>,
}

impl StreamOwner {
    pub(super) fn start(
        device: cpal::Device,
        shape: Shape,
        sink: SourceSink,
        device_id: &str,
        alarm: Arc<Alarm>,
    ) -> Result<StreamOwner> {
        let (stop_tx, stop_rx) = mpsc::channel::<()>();
        let (dropped_tx, dropped_rx) = mpsc::channel::<()>();
        let (ready_tx, ready_rx) = mpsc::channel::<std::result::Result<(), String>>();
        let health = Arc::new(Health::new());
        let health_in = Arc::clone(&health);
        let id = device_id.to_string();
        let stall_limit = STALL_LIMIT.max(Duration::from_secs_f64(
            4.0 * shape.chunk as f64 / f64::from(shape.rate.max(1)),
        ));
        let thread = std::thread::Builder::new()
            .name("lms-cpal".into())
            .spawn(move || {
                let _quiet = super::quiet();
                let stream = match build(&device, &id, shape, sink.clone(), &health_in, &alarm) {
                    Ok(s) => s,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                if let Err(e) = stream.play() {
                    let _ = ready_tx.send(Err(format!("cannot start {id}: {e}")));
                    return;
                }
                health_in.started();
                let _ = ready_tx.send(Ok(()));
                // Until closed (or the driver is gone), watching for a stall.
                loop {
                    match stop_rx.recv_timeout(WATCH_EVERY) {
                        Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
                        Err(RecvTimeoutError::Timeout) => {
                            let silent = health_in.silent_for();
                            if silent >= stall_limit && !health_in.has_failed() {
                                alarm.raise();
                                health_in.fail(
                                    &sink,
                                    &format!(
                                        "cpal device {id} delivered no audio for {:.1} s \
                                         (the device or its sound server stopped)",
                                        silent.as_secs_f64()
                                    ),
                                );
                            }
                        }
                    }
                }
                drop(stream);
                let _ = dropped_tx.send(());
            })
            .map_err(|e| Error::NotReadable(format!("cannot start cpal thread: {e}")))?;
        match ready_rx.recv() {
            Ok(Ok(())) => Ok(StreamOwner {
                stop: stop_tx,
                dropped: dropped_rx,
                thread,
                health,
            }),
            Ok(Err(message)) => {
                let _ = thread.join();
                Err(Error::NotReadable(message))
            }
            Err(_) => {
                let _ = thread.join();
                Err(Error::NotReadable(format!(
                    "the cpal thread of {device_id} stopped while opening it"
                )))
            }
        }
    }

    /// Drop the stream. Waits for it (up to [`CLOSE_LIMIT`]) unless called from
    /// cpal's callback thread or the owner thread itself, which cannot wait
    /// for themselves. False when the stream did not go within the limit.
    fn stop(self) -> bool {
        let _ = self.stop.send(());
        let here = std::thread::current().id();
        if self.health.on_callback_thread() || self.thread.thread().id() == here {
            return true;
        }
        match self.dropped.recv_timeout(CLOSE_LIMIT) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => {
                let _ = self.thread.join();
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
        }
    }
}

fn build(
    device: &cpal::Device,
    id: &str,
    shape: Shape,
    sink: SourceSink,
    health: &Arc<Health>,
    alarm: &Arc<Alarm>,
) -> std::result::Result<cpal::Stream, String> {
    let name = format!("{id} ({})", label_of(device, "cpal device"));
    let on_alsa = device
        .id()
        .is_ok_and(|id| id.host().name().eq_ignore_ascii_case("alsa"));
    let period = device_period(shape.chunk, on_alsa);
    let fixed = cpal::StreamConfig {
        channels: shape.channels,
        sample_rate: shape.rate,
        buffer_size: cpal::BufferSize::Fixed(period as u32),
    };
    let supports_fixed = device.supported_input_configs().is_ok_and(|mut rs| {
        rs.any(|r| {
            r.channels() == shape.channels
                && r.contains_rate(shape.rate)
                && r.sample_format() == cpal_format(shape.format)
                && matches!(*r.buffer_size(), cpal::SupportedBufferSize::Range { min, max }
                    if (min..=max).contains(&(period as u32)))
        })
    });
    let mut configs = Vec::new();
    if supports_fixed {
        configs.push(fixed);
    }
    configs.push(cpal::StreamConfig {
        buffer_size: cpal::BufferSize::Default,
        ..fixed
    });
    let mut last = String::new();
    for config in configs {
        let mut chunker = Chunker::new(shape, sink.clone(), Arc::clone(health));
        let error_sink = sink.clone();
        let error_health = Arc::clone(health);
        let error_alarm = Arc::clone(alarm);
        let error_id = id.to_string();
        let result = device.build_input_stream_raw(
            config,
            cpal_format(shape.format),
            move |data: &cpal::Data, _: &cpal::InputCallbackInfo| chunker.push(data),
            move |e: cpal::Error| {
                let verdict = verdict(e.kind());
                if verdict.device_change {
                    error_alarm.raise();
                }
                if let Some(why) = verdict.ends {
                    // cpal may call again and again until the stream is dropped: end once.
                    error_health.error_arrived();
                    if !error_health.has_failed() {
                        error_health.fail(
                            &error_sink,
                            &format!("cpal stream error: device {error_id} {why} ({e})"),
                        );
                    }
                }
            },
            None,
        );
        match result {
            Ok(stream) => return Ok(stream),
            Err(e) => last = format!("cannot open {name}: {e}"),
        }
    }
    Err(last)
}

/// The period (frames per callback) to ask the device for, for chunks of
/// `chunk` frames: through ALSA a power of two, the largest not above the
/// chunk but at least [`MIN_ALSA_PERIOD`], and the chunker cuts the callbacks
/// into chunks. Plugins and sound servers behind ALSA run in power-of-two
/// quanta: other periods (480 frames, 10 ms at 48 kHz) give PipeWire's ALSA
/// plugin continuous xruns (cpal #1250), and below 512 frames ALSA's `pulse`
/// plugin on pipewire-pulse spins a whole core (measured: 256 frames, 988 ms
/// of CPU per second; 512 frames, 10 ms). Elsewhere the chunk itself (a sound
/// server's fragment, WASAPI's and CoreAudio's buffer).
pub(super) fn device_period(chunk: usize, on_alsa: bool) -> usize {
    if !on_alsa {
        return chunk.max(1);
    }
    let chunk = chunk.max(MIN_ALSA_PERIOD);
    1usize << (usize::BITS - 1 - chunk.leading_zeros())
}

/// The shortest period asked of ALSA (frames): 10.7 ms at 48 kHz.
const MIN_ALSA_PERIOD: usize = 512;

/// What a stream error means for the tracks and the device list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Verdict {
    /// Ends the tracks, saying this (followed by cpal's message).
    pub(super) ends: Option<&'static str>,
    /// The device list may have changed (a device gone, another default).
    pub(super) device_change: bool,
}

/// How the cpal backend answers each kind of error cpal reports on a running
/// stream. Only glitches keep a stream going; every other kind means cpal's
/// stream delivers no more (WASAPI's capture thread returns after it,
/// CoreAudio pauses the unit, ALSA's worker stops).
pub(super) fn verdict(kind: cpal::ErrorKind) -> Verdict {
    use cpal::ErrorKind as K;
    let (ends, device_change) = match kind {
        // An overrun (a period lost, WASAPI's data discontinuity, CoreAudio's
        // processor overload) or real-time priority refused: a glitch, not an end.
        K::Xrun | K::RealtimeDenied => (None, false),
        // cpal moved a default-device stream to the new default by itself
        // (PipeWire, iOS): it keeps running, and the default changed.
        K::DeviceChanged => (None, true),
        // Unplugged, disabled, WASAPI's AUDCLNT_E_DEVICE_INVALIDATED,
        // CoreAudio's "device is alive" turning false, ALSA's ENODEV.
        K::DeviceNotAvailable => (Some("was disconnected or removed"), true),
        // WASAPI's AUDCLNT_E_RESOURCES_INVALIDATED or a default-device stream
        // whose default moved elsewhere, CoreAudio's sample rate changed
        // under the stream: this stream cannot go on.
        K::StreamInvalidated => (
            Some("stopped: its stream was invalidated (the device was reconfigured or the system default changed)"),
            true,
        ),
        // The Windows audio service or the sound server stopped.
        K::HostUnavailable => (Some("stopped: the audio service went away"), true),
        K::PermissionDenied => (Some("stopped: access to it was revoked"), false),
        K::DeviceBusy => (Some("stopped: another program took it"), false),
        _ => (Some("failed"), false),
    };
    Verdict {
        ends,
        device_change,
    }
}

pub(super) struct CpalDriver {
    pub(super) device_id: String,
    pub(super) owner: Option<StreamOwner>,
}

impl Driver for CpalDriver {
    fn close(&mut self) {
        if let Some(owner) = self.owner.take() {
            if owner.stop() {
                count(&self.device_id, |u| u.closes += 1);
            }
        }
    }
}

impl Drop for CpalDriver {
    fn drop(&mut self) {
        self.close();
    }
}

#[cfg(test)]
mod tests {
    use super::{device_period, verdict};
    use cpal::ErrorKind as K;

    #[test]
    fn alsa_periods_are_powers_of_two_within_the_chunk_and_never_below_512() {
        assert_eq!(device_period(480, true), 512);
        assert_eq!(device_period(512, true), 512);
        assert_eq!(device_period(1000, true), 512);
        assert_eq!(device_period(2400, true), 2048);
        assert_eq!(device_period(441, true), 512);
        assert_eq!(device_period(1, true), 512);
        assert_eq!(device_period(480, false), 480);
        assert_eq!(device_period(0, false), 1);
    }

    #[test]
    fn glitches_go_on_and_a_device_gone_ends_and_is_a_change() {
        for glitch in [K::Xrun, K::RealtimeDenied] {
            let v = verdict(glitch);
            assert!(v.ends.is_none() && !v.device_change, "{glitch:?}");
        }
        let rerouted = verdict(K::DeviceChanged);
        assert!(rerouted.ends.is_none() && rerouted.device_change);
        for gone in [
            K::DeviceNotAvailable,
            K::StreamInvalidated,
            K::HostUnavailable,
        ] {
            let v = verdict(gone);
            assert!(v.ends.is_some() && v.device_change, "{gone:?}");
        }
        for fatal in [
            K::PermissionDenied,
            K::DeviceBusy,
            K::BackendError,
            K::Other,
        ] {
            let v = verdict(fatal);
            assert!(v.ends.is_some() && !v.device_change, "{fatal:?}");
        }
        assert_eq!(
            verdict(K::DeviceNotAvailable).ends,
            Some("was disconnected or removed")
        );
    }
}
