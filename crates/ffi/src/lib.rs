//! The C ABI of localmediastream (`lms_open`, `lms_stop`, `lms_track_stop`, ...).
//! Issue 3 fills this crate in; until then it only re-exports the core version.

/// The library version, as in Cargo.toml.
pub const VERSION: &str = lms_core::VERSION;
