//! Windows: `QueryPerformanceCounter`, the clock WASAPI
//! (`IAudioCaptureClient::GetBuffer`'s QPC position) and Media Foundation
//! (`MFGetSystemTime`-based sample times) stamp buffers with; and file
//! identity from `GetFileInformationByHandle` (volume serial, file index).

use std::fs::{File, Metadata};
use std::os::windows::io::AsRawHandle;
use std::path::Path;
use std::sync::OnceLock;

use windows_sys::Win32::Storage::FileSystem::{
    GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION,
};
use windows_sys::Win32::System::Performance::{QueryPerformanceCounter, QueryPerformanceFrequency};

use super::FileId;

/// Ticks per second of the performance counter (fixed at boot).
fn frequency() -> i64 {
    static FREQUENCY: OnceLock<i64> = OnceLock::new();
    *FREQUENCY.get_or_init(|| {
        let mut f = 0i64;
        // SAFETY: `f` is a valid, writable i64; this never fails on XP or later.
        unsafe { QueryPerformanceFrequency(&mut f) };
        f.max(1)
    })
}

pub(super) fn monotonic_us() -> i64 {
    let mut ticks = 0i64;
    // SAFETY: `ticks` is a valid, writable i64; this never fails on XP or later.
    unsafe { QueryPerformanceCounter(&mut ticks) };
    let f = frequency();
    // Whole seconds and the rest apart: ticks * 1e6 would overflow after
    // about 10 days of uptime at a 10 MHz counter.
    (ticks / f) * 1_000_000 + (ticks % f) * 1_000_000 / f
}

pub(super) fn file_id(path: &Path, _meta: &Metadata) -> std::io::Result<FileId> {
    let file = File::open(path)?;
    // SAFETY: all-zero is a valid BY_HANDLE_FILE_INFORMATION (plain integers).
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: the handle is open for the call; `info` is valid and writable.
    let ok = unsafe { GetFileInformationByHandle(file.as_raw_handle() as _, &mut info) };
    if ok == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(FileId {
        volume: u64::from(info.dwVolumeSerialNumber),
        index: (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
    })
}
