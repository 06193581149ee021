//! Listing cameras: the `/dev/videoN` capture nodes, what each can deliver,
//! and the stable ids they get.
//!
//! Each node is opened and asked (`VIDIOC_QUERYCAP`, `ENUM_FMT`,
//! `ENUM_FRAMESIZES`, `ENUM_FRAMEINTERVALS`, the orientation control, the
//! camera controls and their menus, see `controls`): nothing
//! is set, so listing never disturbs a camera another program is using.
//! Metadata and output nodes, and nodes with no format we can deliver, are
//! left out.
//!
//! **Device ids** come from the bus the camera is on (`VIDIOC_QUERYCAP`'s
//! `bus_info`, e.g. `nokhwa:usb-0000:00:14.0-1`), not from the node number:
//! the kernel numbers nodes in plug order, so `/dev/video0` today may be
//! `/dev/video2` after a replug, while the port stays. The id is the same in
//! every process and run as long as the camera stays in its port. When
//! several capture nodes share one bus (a camera with an infrared sensor),
//! each gets `#k` appended, k counting those nodes in node order; a node
//! with no bus info falls back to its path (`nokhwa:/dev/video0`). The
//! `groupId` is the bus (`nokhwa:group:<bus_info>`), shared by the nodes of
//! one physical camera.
//!
//! **Modes**: intervals of `1/N` s give rate N (nokhwa opens only whole
//! rates); rate ranges and stepwise sizes are offered at the usual rates and
//! sizes inside them; the order is the shared one (`modes`).

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

use super::super::modes::{camera_entry, nearest_default_first, MAX_MODES};
use super::super::{Listed, PREFIX};
use super::v4l2::{self, fourcc, IntervalSpec, Node, SizeSpec};
use crate::controls::ControlCaps;
use crate::device::{Range, VideoMode};
use crate::frame::{PixelFormat, MAX_DIMENSION};
/// Sizes offered inside a stepwise or continuous size range (when they fit its steps).
const USUAL_SIZES: [(u32, u32); 11] = [
    (160, 120),
    (320, 240),
    (352, 288),
    (640, 360),
    (640, 480),
    (800, 600),
    (1280, 720),
    (1280, 960),
    (1920, 1080),
    (2560, 1440),
    (3840, 2160),
];
/// Rates offered inside a range of frame intervals.
const USUAL_RATES: [u32; 11] = [120, 90, 60, 50, 30, 25, 24, 20, 15, 10, 5];

/// The V4L2 formats we deliver, with our name for each.
const FORMATS: [(u32, PixelFormat); 5] = [
    (fourcc(b"YUYV"), PixelFormat::Yuy2),
    (fourcc(b"NV12"), PixelFormat::Nv12),
    (fourcc(b"RGB3"), PixelFormat::Rgb24),
    (fourcc(b"BGR3"), PixelFormat::Bgr24),
    (fourcc(b"MJPG"), PixelFormat::Mjpeg),
];

/// A `/dev/videoN` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodePath {
    pub number: u32,
    pub path: PathBuf,
}

/// The `/dev/videoN` nodes present now, by N.
pub(crate) fn node_paths() -> Vec<NodePath> {
    let mut numbers = Vec::new();
    node_numbers(&mut numbers);
    numbers
        .into_iter()
        .map(|number| NodePath {
            number,
            path: PathBuf::from(format!("/dev/video{number}")),
        })
        .collect()
}

/// The numbers N of the `/dev/videoN` nodes present now, sorted, into `out`.
/// Allocates nothing once `out` has room: the hotplug watcher calls it every second.
pub(crate) fn node_numbers(out: &mut Vec<u32>) {
    out.clear();
    // SAFETY: a valid NUL-terminated path.
    let dir = unsafe { libc::opendir(c"/dev".as_ptr()) };
    if dir.is_null() {
        return;
    }
    loop {
        // SAFETY: `dir` is an open directory stream, used by this thread only.
        let entry = unsafe { libc::readdir64(dir) };
        if entry.is_null() {
            break;
        }
        // SAFETY: readdir64 returned a valid entry with a NUL-terminated name,
        // which stays valid until the next call on `dir`.
        let name = unsafe { CStr::from_ptr((*entry).d_name.as_ptr()) };
        if let Some(number) = video_number(name.to_bytes()) {
            out.push(number);
        }
    }
    // SAFETY: `dir` came from opendir and is closed once.
    unsafe { libc::closedir(dir) };
    out.sort_unstable();
    out.dedup();
}

/// N for a node named `videoN`.
fn video_number(name: &[u8]) -> Option<u32> {
    let digits = name.strip_prefix(b"video")?;
    if digits.is_empty() {
        return None;
    }
    digits.iter().try_fold(0u32, |n, &d| {
        d.is_ascii_digit()
            .then(|| n.checked_mul(10)?.checked_add(u32::from(d - b'0')))
            .flatten()
    })
}

/// What one node says about itself.
struct Probed {
    node: NodePath,
    caps: v4l2::NodeCaps,
    modes: Vec<VideoMode>,
    facing_mode: Option<String>,
    controls: ControlCaps,
}

/// Every camera present now, in node order, with its stable id.
pub(crate) fn cameras() -> Vec<Listed> {
    let probed: Vec<Probed> = node_paths()
        .into_iter()
        .filter_map(|node| {
            let _access = super::super::access();
            // The `v4l` bindings and drivers are outside our control: a panic
            // while asking one node leaves that node out, nothing more.
            catch_unwind(AssertUnwindSafe(|| probe(node)))
                .ok()
                .flatten()
        })
        .collect();
    let mut per_bus: BTreeMap<&str, usize> = BTreeMap::new();
    for p in &probed {
        *per_bus.entry(p.caps.bus_info.as_str()).or_default() += 1;
    }
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for p in &probed {
        let bus = p.caps.bus_info.as_str();
        let path = p.node.path.display().to_string();
        let (device_id, group_id) = if bus.is_empty() {
            (format!("{PREFIX}{path}"), format!("{PREFIX}group:{path}"))
        } else if per_bus[bus] == 1 {
            (format!("{PREFIX}{bus}"), format!("{PREFIX}group:{bus}"))
        } else {
            let k = seen.entry(bus).or_default();
            *k += 1;
            (
                format!("{PREFIX}{bus}#{}", *k - 1),
                format!("{PREFIX}group:{bus}"),
            )
        };
        let label = if p.caps.card.is_empty() {
            path.clone()
        } else {
            p.caps.card.clone()
        };
        out.push(Listed {
            target: p.node.clone(),
            place: path,
            entry: camera_entry(
                device_id,
                label,
                group_id,
                p.modes.clone(),
                p.facing_mode.clone(),
                p.controls.clone(),
            ),
        });
    }
    out
}

fn probe(node: NodePath) -> Option<Probed> {
    let open = Node::open(&node.path).ok()?;
    let caps = v4l2::query_caps(open.fd()).ok()?;
    if !caps.captures {
        return None;
    }
    let modes = modes_of(open.fd());
    if modes.is_empty() {
        return None;
    }
    let facing_mode = match v4l2::orientation(open.fd()) {
        Some(0) => Some("user".to_string()),
        Some(1) => Some("environment".to_string()),
        _ => None,
    };
    let controls = super::controls::query(open.fd());
    Some(Probed {
        node,
        caps,
        modes,
        facing_mode,
        controls,
    })
}

/// Every (format, size, rate) the node offers that nokhwa can open and we can deliver.
fn modes_of(fd: i32) -> Vec<VideoMode> {
    let offered = v4l2::formats(fd);
    let mut modes = Vec::new();
    for (code, format) in FORMATS {
        if !offered.contains(&code) {
            continue;
        }
        let mut sizes: Vec<(u32, u32)> = v4l2::sizes(fd, code)
            .into_iter()
            .flat_map(sizes_in)
            .filter(|&(w, h)| (1..=MAX_DIMENSION).contains(&w) && (1..=MAX_DIMENSION).contains(&h))
            .collect();
        sizes.sort_unstable();
        sizes.dedup();
        for (width, height) in sizes {
            let mut rates: Vec<u32> = v4l2::intervals(fd, code, width, height)
                .into_iter()
                .flat_map(rates_in)
                .collect();
            rates.sort_unstable();
            rates.dedup();
            for rate in rates {
                if modes.len() == MAX_MODES {
                    break;
                }
                modes.push(VideoMode {
                    format,
                    width: Range::exactly(width),
                    height: Range::exactly(height),
                    frame_rate: Range::exactly(f64::from(rate)),
                });
            }
        }
    }
    nearest_default_first(&mut modes);
    modes
}

fn sizes_in(spec: SizeSpec) -> Vec<(u32, u32)> {
    match spec {
        SizeSpec::Discrete { width, height } => vec![(width, height)],
        SizeSpec::Stepwise {
            min_width,
            max_width,
            step_width,
            min_height,
            max_height,
            step_height,
        } => {
            let fits = |v: u32, min: u32, max: u32, step: u32| {
                (min..=max).contains(&v) && (v - min).is_multiple_of(step)
            };
            let mut out: Vec<(u32, u32)> = USUAL_SIZES
                .iter()
                .copied()
                .filter(|&(w, h)| {
                    fits(w, min_width, max_width, step_width)
                        && fits(h, min_height, max_height, step_height)
                })
                .collect();
            if !out.contains(&(max_width, max_height)) {
                out.push((max_width, max_height));
            }
            out
        }
    }
}

/// Whole frame rates: nokhwa opens a camera at `1/N` s per frame only.
fn rates_in(spec: IntervalSpec) -> Vec<u32> {
    match spec {
        IntervalSpec::Discrete {
            numerator: 1,
            denominator,
        } if denominator > 0 => vec![denominator],
        IntervalSpec::Discrete { .. } => Vec::new(),
        IntervalSpec::Range { shortest, longest } => {
            let rate = |(n, d): (u32, u32)| {
                if n == 0 {
                    f64::INFINITY
                } else {
                    f64::from(d) / f64::from(n)
                }
            };
            let (fastest, slowest) = (rate(shortest), rate(longest));
            USUAL_RATES
                .iter()
                .copied()
                .filter(|&r| f64::from(r) <= fastest + 1e-9 && f64::from(r) >= slowest - 1e-9)
                .collect()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_video_nodes_with_a_number_count() {
        assert_eq!(video_number(b"video0"), Some(0));
        assert_eq!(video_number(b"video12"), Some(12));
        for name in [
            &b"video"[..],
            b"videos",
            b"video-1",
            b"vbi0",
            b"video99999999999",
        ] {
            assert_eq!(
                video_number(name),
                None,
                "{}",
                String::from_utf8_lossy(name)
            );
        }
    }

    #[test]
    fn only_whole_rates_are_offered_and_ranges_give_the_usual_ones() {
        let discrete = |n, d| IntervalSpec::Discrete {
            numerator: n,
            denominator: d,
        };
        assert_eq!(rates_in(discrete(1, 30)), vec![30]);
        assert!(rates_in(discrete(1001, 30000)).is_empty());
        assert!(rates_in(discrete(1, 0)).is_empty());
        let range = IntervalSpec::Range {
            shortest: (1, 30),
            longest: (1, 10),
        };
        assert_eq!(rates_in(range), vec![30, 25, 24, 20, 15, 10]);
    }

    #[test]
    fn stepwise_sizes_give_the_usual_sizes_on_their_steps_and_the_largest() {
        let spec = SizeSpec::Stepwise {
            min_width: 320,
            max_width: 1600,
            step_width: 320,
            min_height: 240,
            max_height: 720,
            step_height: 240,
        };
        assert_eq!(
            sizes_in(spec),
            vec![(320, 240), (640, 480), (1280, 720), (1600, 720)]
        );
    }
}
