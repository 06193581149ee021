//! The system's output as a far end (`echoCancellation: "all"`): while some
//! echo canceller asks for it, the monitor of the sound server's default
//! output is recorded and handed to [`render_system`]. Registered with the
//! audio layer by the cpal backend ([`crate::audio::render::set_system_feed`]);
//! where no sound server is in use there is nothing to record and `"all"`
//! cancels the application's far end, as `true` does.
//!
//! The recording runs on a thread of its own, started without waiting (the
//! first canceller asking is on a capture thread) and stopped when the last
//! canceller goes. The output's monitor is found by the server's naming:
//! PulseAudio and PipeWire name the monitor of sink `S` `S.monitor`.

use std::sync::mpsc;

use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};

use super::host;
use crate::audio::render::render_system;

/// The running recording; dropping it stops it (without waiting for it).
struct Feed {
    _stop: mpsc::Sender<()>,
}

/// Start recording the default output's monitor, or `None` where no sound
/// server is in use.
pub(super) fn start() -> Option<Box<dyn Send + Sync>> {
    if !host::in_use() {
        return None;
    }
    let (stop, stopped) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("lms-system-far-end".into())
        .spawn(move || {
            // The stream lives until the feed is dropped (the sender goes).
            let _stream = open();
            let _ = stopped.recv();
        })
        .ok()?;
    // A `Sender` is `Sync` since Rust 1.72.
    Some(Box::new(Feed { _stop: stop }))
}

/// The default output's monitor, playing into [`render_system`].
fn open() -> Option<cpal::Stream> {
    let _quiet = super::quiet();
    let host = host::host().ok()?;
    if !host::is_server(&host) {
        return None;
    }
    let output = host.default_output_device()?.id().ok()?;
    let monitor = format!("{}.monitor", output.id());
    let device = host
        .input_devices()
        .ok()?
        .find(|d| d.id().is_ok_and(|id| id.id() == monitor))?;
    let default = device.default_input_config().ok()?;
    let (rate, channels) = (default.sample_rate(), default.channels());
    let config = cpal::StreamConfig {
        channels,
        sample_rate: rate,
        buffer_size: cpal::BufferSize::Fixed(rate / 100),
    };
    let stream = device
        .build_input_stream(
            config,
            move |data: &[f32], _: &cpal::InputCallbackInfo| {
                let _ = render_system(data, rate, channels);
            },
            // The far end stopping only leaves the cancellers without a reference.
            |_| {},
            None,
        )
        .ok()?;
    stream.play().ok()?;
    Some(stream)
}
