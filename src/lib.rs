//! `liblocalmediastream`: the C library artifact. Everything lives in `lms-ffi`;
//! this crate only gives it the library name C programs link against.
pub use lms_ffi::*;
