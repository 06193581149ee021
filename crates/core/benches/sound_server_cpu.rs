//! CPU per second of 48 kHz stereo microphone capture through a sound
//! server, by path: our native client of the server's protocol, ALSA's
//! `pulse` plugin, and the server's own `parec`; against a user-space
//! PulseAudio and a user-space PipeWire. Linux only; see
//! sound_server_cpu/linux.rs. Elsewhere it says so and exits.

#[cfg(target_os = "linux")]
#[path = "sound_server_cpu/linux.rs"]
mod linux;

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    eprintln!("sound_server_cpu: measured against PulseAudio and PipeWire, so Linux only");
}
