//! What every camera system shares about modes: our pixel formats against
//! nokhwa's, the order modes are listed in, the default mode, and the device
//! entry a listed camera becomes.
//!
//! Modes are exact (format, size, rate) triples, since cameras have discrete
//! modes and nokhwa opens only whole frame rates. Where several modes fit a
//! request equally well the first one wins, so they are listed nearest the
//! default first (640x480 at 30 where the camera has it, see [`defaults`]):
//! by size, then rate, then format, raw formats before MJPEG (no decoding).
//! The entry also carries the camera's controls, as the system's part
//! (`os`) read them.

use nokhwa::utils::FrameFormat;

use crate::controls::ControlCaps;
use crate::device::{Capabilities, DeviceEntry, DeviceInfo, VideoMode};
use crate::frame::PixelFormat;
use crate::kind::MediaKind;

/// Most modes offered per camera.
pub(crate) const MAX_MODES: usize = 512;

/// The formats a camera may deliver to us, in order of preference, with
/// nokhwa's name for each.
const FORMATS: [(PixelFormat, FrameFormat); 5] = [
    (PixelFormat::Yuy2, FrameFormat::YUYV),
    (PixelFormat::Nv12, FrameFormat::NV12),
    (PixelFormat::Rgb24, FrameFormat::RAWRGB),
    (PixelFormat::Bgr24, FrameFormat::RAWBGR),
    (PixelFormat::Mjpeg, FrameFormat::MJPEG),
];

/// nokhwa's name for a format a camera can deliver itself.
pub(crate) fn frame_format(format: PixelFormat) -> Option<FrameFormat> {
    FORMATS.iter().find(|(p, _)| *p == format).map(|(_, f)| *f)
}

/// Order modes by how far they are from the default size and rate, then by
/// format (raw before MJPEG).
pub(crate) fn nearest_default_first(modes: &mut [VideoMode]) {
    let (width, height, rate) = defaults(modes);
    let rank = |f: PixelFormat| {
        FORMATS
            .iter()
            .position(|(g, _)| *g == f)
            .unwrap_or(FORMATS.len())
    };
    modes.sort_by(|a, b| {
        let key = |m: &VideoMode| {
            (
                m.width.max.abs_diff(width) + m.height.max.abs_diff(height),
                (m.frame_rate.max - rate).abs(),
                rank(m.format),
            )
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.total_cmp(&kb.1))
            .then(ka.2.cmp(&kb.2))
    });
}

/// The size and rate a track gets when nothing is asked: 640x480 at 30 where
/// the camera has it, else the largest size up to 640 wide (or the smallest
/// size), at 30 or the fastest rate below it (or its slowest).
pub(crate) fn defaults(modes: &[VideoMode]) -> (u32, u32, f64) {
    let sizes: Vec<(u32, u32)> = modes.iter().map(|m| (m.width.max, m.height.max)).collect();
    let size = if sizes.contains(&(640, 480)) {
        (640, 480)
    } else {
        sizes
            .iter()
            .copied()
            .filter(|&(w, _)| w <= 640)
            .max_by_key(|&(w, h)| u64::from(w) * u64::from(h))
            .or_else(|| {
                sizes
                    .iter()
                    .copied()
                    .min_by_key(|&(w, h)| u64::from(w) * u64::from(h))
            })
            .unwrap_or((640, 480))
    };
    let rates: Vec<f64> = modes
        .iter()
        .filter(|m| (m.width.max, m.height.max) == size)
        .map(|m| m.frame_rate.max)
        .collect();
    let rate = if rates.contains(&30.0) {
        30.0
    } else {
        rates
            .iter()
            .copied()
            .filter(|&r| r < 30.0)
            .fold(None, |best: Option<f64>, r| {
                Some(best.map_or(r, |b| b.max(r)))
            })
            .or_else(|| rates.iter().copied().reduce(f64::min))
            .unwrap_or(30.0)
    };
    (size.0, size.1, rate)
}

/// A camera's device entry; `modes` already in order.
pub(crate) fn camera_entry(
    device_id: String,
    label: String,
    group_id: String,
    modes: Vec<VideoMode>,
    facing_mode: Option<String>,
    controls: ControlCaps,
) -> DeviceEntry {
    let (default_width, default_height, default_frame_rate) = defaults(&modes);
    DeviceEntry {
        info: DeviceInfo {
            device_id,
            kind: MediaKind::Video,
            label,
            group_id,
            output: false,
        },
        capabilities: Capabilities::Video {
            controls,
            modes,
            facing_mode,
            default_width,
            default_height,
            default_frame_rate,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Range;

    fn mode(format: PixelFormat, w: u32, h: u32, fps: f64) -> VideoMode {
        VideoMode {
            format,
            width: Range::exactly(w),
            height: Range::exactly(h),
            frame_rate: Range::exactly(fps),
        }
    }

    #[test]
    fn formats_map_and_i420_is_never_asked_of_a_camera() {
        for (ours, theirs) in FORMATS {
            assert_eq!(frame_format(ours), Some(theirs));
        }
        assert!(frame_format(PixelFormat::I420).is_none());
    }

    #[test]
    fn modes_are_listed_nearest_the_default_first_raw_before_mjpeg() {
        let (y, j) = (PixelFormat::Yuy2, PixelFormat::Mjpeg);
        let mut modes = vec![
            mode(j, 1280, 720, 30.0),
            mode(y, 320, 240, 30.0),
            mode(j, 640, 480, 30.0),
            mode(y, 640, 480, 15.0),
            mode(y, 640, 480, 30.0),
        ];
        nearest_default_first(&mut modes);
        let order: Vec<(PixelFormat, u32, f64)> = modes
            .iter()
            .map(|m| (m.format, m.width.max, m.frame_rate.max))
            .collect();
        assert_eq!(
            order,
            vec![
                (y, 640, 30.0),
                (j, 640, 30.0),
                (y, 640, 15.0),
                (y, 320, 30.0),
                (j, 1280, 30.0)
            ]
        );
    }

    #[test]
    fn defaults_prefer_vga_at_30_then_the_nearest_below() {
        let y = PixelFormat::Yuy2;
        let vga = [
            mode(y, 320, 240, 30.0),
            mode(y, 640, 480, 15.0),
            mode(y, 640, 480, 30.0),
        ];
        assert_eq!(defaults(&vga), (640, 480, 30.0));
        let no_vga = [
            mode(y, 320, 240, 60.0),
            mode(y, 320, 240, 20.0),
            mode(y, 1280, 720, 30.0),
        ];
        assert_eq!(defaults(&no_vga), (320, 240, 20.0));
        let only_big = [mode(y, 1920, 1080, 60.0), mode(y, 1280, 720, 60.0)];
        assert_eq!(defaults(&only_big), (1280, 720, 60.0));
    }
}
