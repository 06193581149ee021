//! Cameras on Windows (Media Foundation) and macOS (AVFoundation), through
//! nokhwa's own listing (`nokhwa::query`) and capture.
//!
//! - `enumerate`: the cameras present, with stable ids from the system
//!   (`nokhwa:` and the symbolic link on Windows, the unique id on macOS;
//!   never a list index), and their modes as the system backend lists them.
//! - `device`: opening a listed camera through nokhwa and releasing it.
//! - `msmf` / `avfoundation`: what differs between the two: how a camera's
//!   modes are read, which formats are delivered, permission.
//!
//! Every call into nokhwa runs on a thread of ours (Media Foundation
//! initialises COM on the thread that first calls it: never the
//! application's), under `catch_unwind`, and one at a time (`access`).

#[cfg(target_os = "macos")]
mod avfoundation;
mod device;
mod enumerate;
#[cfg(target_os = "windows")]
mod msmf;

#[cfg(target_os = "macos")]
use avfoundation as api;
#[cfg(target_os = "windows")]
use msmf as api;

pub(crate) use api::on_thread;
pub(crate) use device::{
    allowed, capture_error, layout, open_error, release, runs_as, start, Waker, WATCHDOG,
};
pub(crate) use enumerate::{cameras, present, snapshot, Snapshot};

/// What opening a camera needs: its system id (nokhwa's `misc`).
pub(crate) type Target = String;

#[cfg(test)]
mod tests {
    use crate::MediaDevices;

    #[test]
    fn without_cameras_a_video_request_is_not_found_and_nothing_crashes() {
        let md = MediaDevices::from_json(r#"{"backends": ["nokhwa"]}"#).expect("configuration");
        let devices = md.enumerate_devices().expect("devices");
        // A machine without cameras (Wine, a CI runner): none listed, and
        // asking for one is a NotFoundError, not a panic. scripts/platforms
        // says none are expected (Wine has none), so this cannot pass by
        // finding cameras there.
        if std::env::var_os("LMS_EXPECT_NO_CAMERAS").is_some() {
            assert!(devices.is_empty(), "cameras where none exist: {devices:?}");
        }
        if devices.is_empty() {
            match md.get_user_media_json(r#"{"video": true}"#) {
                Ok(_) => panic!("a camera opened where none is listed"),
                Err(err) => assert_eq!(err.name(), "NotFoundError", "{err}"),
            }
        }
    }
}
