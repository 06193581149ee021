//! The C ABI of localmediastream: `lms_open`, `lms_stop`, `lms_track_stop`
//! and the whole surface. cbindgen turns these doc comments into
//! `include/localmediastream.h`, the C user's manual.
//!
//! Rules every export follows: handles are integer ids checked against typed
//! registries (a stale, freed, zero, forged or wrong-kind handle gives
//! `LMS_ERR_INVALID_HANDLE`); NULL where a pointer is required gives
//! `LMS_ERR_INVALID_ARGUMENT`; out-parameters are written only on success; a
//! panic is caught and reported as `LMS_ERR_INTERNAL`; the last error's
//! message is kept per thread.

// Every export's pointer contract is the same and stated once, in the header's
// preamble and in each function's doc: pointers are NULL (reported as
// LMS_ERR_INVALID_ARGUMENT) or valid for the documented use during the call.
#![allow(clippy::missing_safety_doc)]

pub mod audio_render;
mod boundary;
mod callbacks;
pub mod devices;
pub mod frame;
pub mod generator;
mod handles;
pub mod image_capture;
pub mod status;
pub mod stream;
pub mod track;
pub mod types;

pub use audio_render::*;
pub use devices::*;
pub use frame::*;
pub use generator::*;
pub use image_capture::*;
pub use status::lms_status;
pub use stream::*;
pub use track::*;
pub use types::*;

/// The library version, as in Cargo.toml.
pub const VERSION: &str = lms_core::VERSION;
