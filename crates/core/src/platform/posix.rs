//! Linux (and other Unix systems but Apple's): `CLOCK_MONOTONIC`, the clock
//! V4L2 (`V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC`) and ALSA stamp buffers with.

// `time_t` and `c_long` are 32 bits wide on 32-bit systems: the casts widen.
#[allow(clippy::unnecessary_cast)]
pub(super) fn monotonic_us() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec and CLOCK_MONOTONIC always exists.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
    debug_assert_eq!(rc, 0);
    ts.tv_sec as i64 * 1_000_000 + ts.tv_nsec as i64 / 1_000
}
