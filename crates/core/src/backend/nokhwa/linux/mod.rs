//! Cameras on Linux: V4L2 nodes, listed with our own ioctls and captured
//! through nokhwa's V4L2 backend.
//!
//! - `enumerate`: the `/dev/videoN` capture nodes, their stable ids (from
//!   the bus they are on, not a node number) and their modes, read without
//!   changing them.
//! - `device`: opening a node through nokhwa and releasing it without
//!   letting `v4l`'s panics take the process down.
//! - `wake`: waking a capture thread that waits for a frame, so closing
//!   never hangs on a camera that stopped sending.
//! - `controls`: the camera controls (Image Capture) on V4L2 controls, read
//!   when cameras are listed and read and written per call.
//! - `v4l2`: the V4L2 calls we make ourselves.

mod controls;
mod device;
mod enumerate;
mod v4l2;
mod wake;

pub(crate) use controls::V4l2Controls;
pub(crate) use device::{
    allowed, capture_error, layout, on_thread, open_error, release, runs_as, start, WATCHDOG,
};
pub(crate) use enumerate::{cameras, NodePath as Target};
pub(crate) use wake::Waker;

/// What the hotplug watcher compares: the node numbers present.
pub(crate) type Snapshot = Vec<u32>;

/// The cameras present now, for the hotplug watcher (allocates nothing once
/// `out` has room). Always true: reading `/dev` cannot fail in a way that
/// should count as a change.
pub(crate) fn snapshot(out: &mut Snapshot) -> bool {
    enumerate::node_numbers(out);
    true
}

/// Whether the node is still there.
pub(crate) fn present(target: &Target) -> bool {
    target.path.exists()
}
