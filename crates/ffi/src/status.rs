//! `lms_status`, the mapping from core errors, and the per-thread last error.
#![allow(non_camel_case_types)]

use std::cell::RefCell;
use std::ffi::{c_char, CString};

use lms_core::Error;

/// The result of every fallible call. The numbers are stable.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum lms_status {
    LMS_OK = 0,
    /// TypeError: malformed constraints or configuration (bad JSON, wrong types, no kind asked).
    LMS_ERR_TYPE = 1,
    /// NotFoundError: no device of the kind, or no such device.
    LMS_ERR_NOT_FOUND = 2,
    /// NotReadableError: the device is busy or failed to open.
    LMS_ERR_NOT_READABLE = 3,
    /// OverconstrainedError: `lms_last_error_constraint()` names the constraint.
    LMS_ERR_OVERCONSTRAINED = 4,
    /// NotAllowedError: the configured permission policy denies the kind.
    LMS_ERR_NOT_ALLOWED = 5,
    LMS_ERR_ABORT = 6,
    LMS_ERR_INVALID_STATE = 7,
    /// A stale, released, zero, forged or wrong-kind handle.
    LMS_ERR_INVALID_HANDLE = 8,
    /// A NULL pointer where one is required, text that is not UTF-8, an unknown action.
    LMS_ERR_INVALID_ARGUMENT = 9,
    /// No frame arrived within the timeout.
    LMS_ERR_TIMEOUT = 10,
    /// The track has ended and has no frame left.
    LMS_ERR_ENDED = 11,
    /// A bug in the library (a caught panic): the message says where.
    LMS_ERR_INTERNAL = 12,
}

impl From<&Error> for lms_status {
    fn from(e: &Error) -> Self {
        use lms_status::*;
        match e {
            Error::Type(_) => LMS_ERR_TYPE,
            Error::NotFound(_) => LMS_ERR_NOT_FOUND,
            Error::NotReadable(_) => LMS_ERR_NOT_READABLE,
            Error::Overconstrained { .. } => LMS_ERR_OVERCONSTRAINED,
            Error::NotAllowed(_) => LMS_ERR_NOT_ALLOWED,
            Error::Abort(_) => LMS_ERR_ABORT,
            Error::InvalidState(_) => LMS_ERR_INVALID_STATE,
            Error::InvalidHandle(_) => LMS_ERR_INVALID_HANDLE,
            Error::InvalidArgument(_) => LMS_ERR_INVALID_ARGUMENT,
            Error::Timeout(_) => LMS_ERR_TIMEOUT,
            Error::Ended(_) => LMS_ERR_ENDED,
            Error::Internal(_) => LMS_ERR_INTERNAL,
        }
    }
}

/// The NUL-terminated name of a status value.
pub(crate) fn status_name(code: i32) -> &'static [u8] {
    match code {
        0 => b"OK\0",
        1 => b"TypeError\0",
        2 => b"NotFoundError\0",
        3 => b"NotReadableError\0",
        4 => b"OverconstrainedError\0",
        5 => b"NotAllowedError\0",
        6 => b"AbortError\0",
        7 => b"InvalidStateError\0",
        8 => b"InvalidHandleError\0",
        9 => b"InvalidArgumentError\0",
        10 => b"TimeoutError\0",
        11 => b"EndedError\0",
        12 => b"InternalError\0",
        _ => b"UnknownStatus\0",
    }
}

struct LastError {
    message: CString,
    constraint: CString,
}

thread_local! {
    static LAST_ERROR: RefCell<LastError> =
        RefCell::new(LastError { message: CString::default(), constraint: CString::default() });
}

fn c_text(s: &str) -> CString {
    CString::new(s.replace('\0', " ")).unwrap_or_default()
}

/// Remember `e` as this thread's last error.
pub(crate) fn set_last_error(e: &Error) {
    let message = c_text(&e.to_string());
    let constraint = c_text(e.constraint().unwrap_or(""));
    LAST_ERROR.with(|l| {
        *l.borrow_mut() = LastError {
            message,
            constraint,
        }
    });
}

pub(crate) fn last_message() -> *const c_char {
    LAST_ERROR.with(|l| l.borrow().message.as_ptr())
}

pub(crate) fn last_constraint() -> *const c_char {
    LAST_ERROR.with(|l| l.borrow().constraint.as_ptr())
}
