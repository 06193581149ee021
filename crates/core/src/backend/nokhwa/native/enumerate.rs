//! Listing cameras through `nokhwa::query`.
//!
//! **Device ids** are `nokhwa:` and the id the system gives the camera
//! (nokhwa's `CameraInfo::misc`: the symbolic link on Windows, e.g.
//! `\\?\usb#vid_046d&pid_0825&mi_00#...`, which stays the same while the
//! camera stays in its port; the `uniqueID` on macOS), not the position in
//! the list, which changes as cameras come and go. Each camera is its own
//! group (`nokhwa:group:` and the same id).
//!
//! **Modes** are what the system backend lists (see `msmf` /
//! `avfoundation`), exactly: only a mode listed here is ever handed to
//! nokhwa. Reading them may mean opening the camera (Media Foundation), so
//! each camera's modes are read once while it stays plugged in and kept. A
//! camera whose modes cannot be read (or that has none we deliver) is left
//! out, as on Linux.
//!
//! A machine without cameras, or where the system backend fails to list
//! (Wine has no Media Foundation capture devices), lists none.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Mutex, PoisonError};

use nokhwa::utils::{CameraFormat, CameraInfo};

use super::super::modes::{camera_entry, frame_format, nearest_default_first, MAX_MODES};
use super::super::{access, Listed, PREFIX};
use super::api;
use crate::device::{Range, VideoMode};
use crate::frame::MAX_DIMENSION;

/// What the hotplug watcher compares: the system ids present, sorted.
pub(crate) type Snapshot = Vec<String>;

/// The modes read so far, by system id, for the cameras still present.
static MODES: Mutex<BTreeMap<String, Vec<VideoMode>>> = Mutex::new(BTreeMap::new());

/// Run `f` on a short-lived thread of ours, holding [`access`], a panic
/// counting as a failure: no call into nokhwa runs on an application thread.
fn on_own_thread<T: Send>(f: impl FnOnce() -> Option<T> + Send) -> Option<T> {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("lms-nokhwa-list".into())
            .spawn_scoped(scope, || {
                let _com = api::on_thread();
                let _access = access();
                catch_unwind(AssertUnwindSafe(f)).ok().flatten()
            })
            .ok()?;
        worker.join().ok().flatten()
    })
}

/// The cameras the system lists now, or `None` when it cannot say.
fn query() -> Option<Vec<CameraInfo>> {
    nokhwa::query(api::API).ok()
}

/// Every camera present now, in the system's order, with its stable id.
pub(crate) fn cameras() -> Vec<Listed> {
    on_own_thread(|| {
        let infos = query()?;
        let mut known = MODES.lock().unwrap_or_else(PoisonError::into_inner);
        known.retain(|id, _| infos.iter().any(|i| i.misc() == *id));
        let mut out = Vec::new();
        for info in infos {
            let id = info.misc();
            if id.is_empty() || out.iter().any(|c: &Listed| c.target == id) {
                continue;
            }
            let modes = match known.get(&id) {
                Some(modes) => modes.clone(),
                None => {
                    let read = catch_unwind(AssertUnwindSafe(|| api::formats(&id)));
                    let Ok(Ok(formats)) = read else { continue };
                    let modes = modes_of(&formats);
                    known.insert(id.clone(), modes.clone());
                    modes
                }
            };
            if modes.is_empty() {
                continue;
            }
            let label = match info.human_name() {
                name if name.trim().is_empty() => id.clone(),
                name => name,
            };
            out.push(Listed {
                place: id.clone(),
                entry: camera_entry(
                    format!("{PREFIX}{id}"),
                    label,
                    format!("{PREFIX}group:{id}"),
                    modes,
                    None,
                    // Camera controls are not implemented on Media Foundation / AVFoundation yet.
                    crate::controls::ControlCaps::new(),
                ),
                target: id,
            });
        }
        Some(out)
    })
    .unwrap_or_default()
}

/// The modes we offer from what the system backend lists: the formats we
/// deliver, sizes we can hold, each (format, size, rate) once, nearest the
/// default first.
fn modes_of(formats: &[CameraFormat]) -> Vec<VideoMode> {
    let mut modes: Vec<VideoMode> = Vec::new();
    for f in formats {
        let Some(format) = api::DELIVERS
            .iter()
            .copied()
            .find(|&p| frame_format(p) == Some(f.format()))
        else {
            continue;
        };
        let (width, height, rate) = (f.width(), f.height(), f.frame_rate());
        let fits = (1..=MAX_DIMENSION).contains(&width) && (1..=MAX_DIMENSION).contains(&height);
        let mode = VideoMode {
            format,
            width: Range::exactly(width),
            height: Range::exactly(height),
            frame_rate: Range::exactly(f64::from(rate)),
        };
        if fits && rate > 0 && !modes.contains(&mode) && modes.len() < MAX_MODES {
            modes.push(mode);
        }
    }
    nearest_default_first(&mut modes);
    modes
}

/// The system ids present now, sorted, into `out`; false (and `out` left
/// alone) when the system cannot say, which is no change.
pub(crate) fn snapshot(out: &mut Snapshot) -> bool {
    let Some(ids) = on_own_thread(|| Some(query()?.iter().map(CameraInfo::misc).collect())) else {
        return false;
    };
    *out = ids;
    out.sort_unstable();
    true
}

/// Whether the camera is still listed (yes, when the system cannot say).
pub(crate) fn present(id: &str) -> bool {
    let mut ids = Snapshot::new();
    !snapshot(&mut ids) || ids.iter().any(|i| i == id)
}

#[cfg(test)]
mod tests {
    use nokhwa::utils::{FrameFormat, Resolution};

    use super::*;
    use crate::frame::PixelFormat;

    #[test]
    fn listing_never_panics_and_offers_only_cameras_with_modes() {
        // No cameras (Wine, a CI machine): none listed, nothing panics.
        for camera in cameras() {
            assert!(camera.entry.info.device_id.starts_with(PREFIX));
            assert!(matches!(
                &camera.entry.capabilities,
                crate::device::Capabilities::Video { modes, .. } if !modes.is_empty()
            ));
        }
        let mut ids = Snapshot::new();
        if snapshot(&mut ids) {
            assert!(!ids.iter().any(|id| id == "no such camera"));
            assert!(!present("no such camera"));
        }
    }

    #[test]
    fn listed_formats_become_exact_modes_we_deliver_once_each() {
        let format = |w, h, f, r| CameraFormat::new(Resolution::new(w, h), f, r);
        let listed = [
            format(1280, 720, FrameFormat::YUYV, 10),
            format(640, 480, FrameFormat::YUYV, 30),
            format(640, 480, FrameFormat::YUYV, 30),
            format(640, 480, FrameFormat::GRAY, 30),
            format(640, 480, FrameFormat::YUYV, 0),
            format(0, 480, FrameFormat::YUYV, 30),
        ];
        let modes = modes_of(&listed);
        let got: Vec<(PixelFormat, u32, u32, f64)> = modes
            .iter()
            .map(|m| (m.format, m.width.max, m.height.max, m.frame_rate.max))
            .collect();
        assert_eq!(
            got,
            vec![
                (PixelFormat::Yuy2, 640, 480, 30.0),
                (PixelFormat::Yuy2, 1280, 720, 10.0)
            ]
        );
    }
}
