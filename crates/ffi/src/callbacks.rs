//! Calling back into C.

use std::ffi::{c_char, c_void, CString};

use crate::types::{lms_event, lms_frame};

/// The caller's `user_data`, handed back to its callbacks on library threads.
#[derive(Clone, Copy)]
pub(crate) struct UserData(pub *mut c_void);

// SAFETY: the header's contract: user_data is passed to callbacks on library
// threads as given; the caller promises it may be used from those threads.
unsafe impl Send for UserData {}
// SAFETY: as above; the library never dereferences it.
unsafe impl Sync for UserData {}

/// The function inside a non-NULL `lms_event_callback`.
pub(crate) type EventFn = unsafe extern "C" fn(*mut c_void, lms_event, *const c_char);
/// The function inside a non-NULL `lms_frame_callback`.
pub(crate) type FrameFn = unsafe extern "C" fn(*mut c_void, *const lms_frame);

impl UserData {
    /// # Safety
    /// `cb` and `self` are valid as the registering call's contract says.
    pub unsafe fn event(self, cb: EventFn, event: lms_event, detail: &str) {
        let detail = CString::new(detail.replace('\0', " ")).unwrap_or_default();
        // SAFETY: per this function's contract; `detail` outlives the call.
        unsafe { cb(self.0, event, detail.as_ptr()) }
    }

    /// # Safety
    /// `cb` and `self` are valid as the registering call's contract says.
    pub unsafe fn frame(self, cb: FrameFn, frame: &lms_frame) {
        // SAFETY: per this function's contract; `frame` outlives the call.
        unsafe { cb(self.0, frame) }
    }
}
