//! macOS (and Apple's other systems): the host clock, `mach_absolute_time`,
//! which CoreAudio stamps buffers with (`AudioTimeStamp::mHostTime`) and
//! AVFoundation's capture session runs on. `CLOCK_UPTIME_RAW` is that clock
//! in nanoseconds (it stops while the machine sleeps, as capture does).

pub(super) fn monotonic_us() -> i64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_UPTIME_RAW exists since macOS 10.12.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_UPTIME_RAW, &mut ts) };
    debug_assert_eq!(rc, 0);
    ts.tv_sec * 1_000_000 + ts.tv_nsec / 1_000
}
