//! The capture clock: microseconds on the clock the OS stamps captured
//! buffers with (`CLOCK_MONOTONIC` on Linux, the host clock on macOS,
//! `QueryPerformanceCounter` on Windows; see [`crate::platform`]),
//! comparable across processes.

pub use crate::platform::monotonic_us;
