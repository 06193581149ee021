//! Media Foundation (Windows): what differs from AVFoundation.
//!
//! A camera's modes are read from its source reader's native media types
//! (nokhwa's `compatible_format_list`, which opens the camera's media source
//! without setting a type, and so without disturbing another program using
//! it). nokhwa 0.10 reads each rate from the ratio's numerator and keeps only
//! whole rates (`N/1`), and sets a rate by matching that same reading
//! exactly, so a listed rate is one it can set; it reads the *current* rate
//! back wrongly (the denominator, issues #110 and #144), which is why
//! `device::runs_as` does not compare rates.
//!
//! COM: nokhwa initialises it (single-threaded apartment) only on the
//! thread that first starts Media Foundation, and calls Media Foundation
//! from whichever thread it is on; so each thread of ours that calls nokhwa
//! enters that same apartment first, and leaves it when done ([`on_thread`]).
//!
//! Delivered as the camera sends them: YUY2, NV12 (contiguous planes) and
//! MJPEG. Not RGB24, which Media Foundation stores bottom-up with padded rows.

use nokhwa::utils::{ApiBackend, CameraFormat, CameraIndex};
use nokhwa_bindings_windows::wmf::MediaFoundationDevice;
use windows::Win32::System::Com::{
    CoInitializeEx, CoUninitialize, COINIT_APARTMENTTHREADED, COINIT_DISABLE_OLE1DDE,
};

use crate::error::Result;
use crate::frame::PixelFormat;

pub(super) const API: ApiBackend = ApiBackend::MediaFoundation;

/// What we take from a Media Foundation camera, in order of preference.
pub(super) const DELIVERS: &[PixelFormat] =
    &[PixelFormat::Yuy2, PixelFormat::Nv12, PixelFormat::Mjpeg];

/// Every (format, size, rate) the camera `id` (its symbolic link) lists.
pub(super) fn formats(id: &str) -> std::result::Result<Vec<CameraFormat>, String> {
    let mut device = MediaFoundationDevice::new(CameraIndex::String(id.to_string()))
        .map_err(|e| e.to_string())?;
    if device.symlink() != id {
        return Err("another camera answered at its id".into());
    }
    device.compatible_format_list().map_err(|e| e.to_string())
}

/// Windows asks no permission of the program itself (its privacy settings
/// make opening fail instead).
pub(crate) fn allowed(_name: &str) -> Result<()> {
    Ok(())
}

/// COM entered on this thread, as nokhwa's Media Foundation layer enters it,
/// until dropped (on the same thread).
pub(crate) struct OnThread {
    entered: bool,
    /// Left on the thread that entered it.
    _not_send: std::marker::PhantomData<*const ()>,
}

/// Enter COM on this thread of ours before calling nokhwa.
pub(crate) fn on_thread() -> OnThread {
    // SAFETY: no reserved pointer; undone on this same thread by `OnThread`'s
    // drop when it succeeded (S_OK or S_FALSE).
    let entered =
        unsafe { CoInitializeEx(None, COINIT_APARTMENTTHREADED | COINIT_DISABLE_OLE1DDE) }.is_ok();
    OnThread {
        entered,
        _not_send: std::marker::PhantomData,
    }
}

impl Drop for OnThread {
    fn drop(&mut self) {
        if self.entered {
            // SAFETY: balances the successful CoInitializeEx of this thread.
            unsafe { CoUninitialize() };
        }
    }
}
