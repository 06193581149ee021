//! Microphone capture latency and CPU through cpal: measured against ALSA
//! devices (a user-space PulseAudio, ALSA's `file` plugin), so on Linux
//! only; see cpal_latency/linux.rs. Elsewhere it says so and exits.

#[cfg(target_os = "linux")]
#[path = "cpal_latency/linux.rs"]
mod linux;

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    eprintln!("cpal_latency: measured through ALSA devices, so Linux only");
}
