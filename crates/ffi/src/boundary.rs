//! The panic boundary and argument checks every export goes through.

use std::ffi::{c_char, CStr, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};

use lms_core::{Error, Result};

use crate::status::{lms_status, set_last_error};

/// Run an export's body: errors become an `lms_status` and this thread's last
/// error; a panic is caught and reported as `LMS_ERR_INTERNAL`.
pub(crate) fn ffi(body: impl FnOnce() -> Result<()>) -> lms_status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => lms_status::LMS_OK,
        Ok(Err(e)) => {
            set_last_error(&e);
            lms_status::from(&e)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let e = Error::Internal(format!("panic inside localmediastream: {what}"));
            set_last_error(&e);
            lms_status::LMS_ERR_INTERNAL
        }
    }
}

/// Borrow a NUL-terminated UTF-8 string argument.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the call.
pub(crate) unsafe fn text<'a>(p: *const c_char, name: &str) -> Result<&'a str> {
    if p.is_null() {
        return Err(Error::InvalidArgument(format!("{name} is NULL")));
    }
    // SAFETY: non-NULL and NUL-terminated by the caller's contract.
    let s = unsafe { CStr::from_ptr(p) };
    s.to_str()
        .map_err(|e| Error::InvalidArgument(format!("{name} is not UTF-8: {e}")))
}

/// Check an out-parameter before doing any work.
pub(crate) fn out<T>(p: *mut T, name: &str) -> Result<*mut T> {
    if p.is_null() {
        Err(Error::InvalidArgument(format!("{name} is NULL")))
    } else {
        Ok(p)
    }
}

/// Write a result into a checked out-parameter.
///
/// # Safety
/// `p` came from [`out`] and points to writable memory for a `T`.
pub(crate) unsafe fn put<T>(p: *mut T, value: T) {
    // SAFETY: checked non-NULL by `out`; writable by the caller's contract.
    unsafe { p.write(value) }
}

/// Hand out a string the caller frees with `lms_string_free`.
pub(crate) fn owned_string(s: String) -> *mut c_char {
    CString::new(s.replace('\0', " "))
        .unwrap_or_default()
        .into_raw()
}
