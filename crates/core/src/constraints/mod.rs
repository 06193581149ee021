//! The constraints engine of the Media Capture and Streams specification.
//!
//! - [`parse`]: the JSON form of `MediaStreamConstraints` / `MediaTrackConstraints` into typed
//!   constraint sets (`TypeError` on malformed input).
//! - [`select`]: SelectSettings with its fitness distance, over candidate settings given as
//!   spaces (intervals for continuous ranges); `OverconstrainedError` names the constraint
//!   that cannot be met.

mod interval;
pub mod parse;
mod report;
pub mod select;
mod size;

#[cfg(test)]
mod tests;

pub use interval::Interval;
pub use parse::{
    parse_json, BoolConstraint, Constraint, ConstraintSet, MediaStreamConstraints, NumConstraint,
    StrConstraint, TrackConstraints, ECHO_CANCELLATION_MODES, MAX_CONSTRAINTS_LEN,
    MAX_CONSTRAINT_STRING_LEN, MAX_CONSTRAINT_STRING_SEQ_LEN,
};
pub use select::{fitness_distance, select_settings, Chosen, Space, DOUBLE_TOLERANCE};
