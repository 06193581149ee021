//! The capture clock: `CLOCK_MONOTONIC` in microseconds, the clock V4L2 and
//! ALSA stamp buffers with, comparable across processes.

/// Microseconds since an unspecified point (boot), never going backwards.
pub fn monotonic_us() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC always exists on Linux.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    debug_assert_eq!(rc, 0);
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1_000
}
