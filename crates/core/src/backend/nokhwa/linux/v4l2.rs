//! The few V4L2 calls we make ourselves, over the `v4l` crate's generated
//! bindings (nokhwa's own V4L2 layer): listing a camera's formats, sizes and
//! frame intervals without changing its format, reading its bus info, and
//! waking a capture blocked in `poll()` with `VIDIOC_STREAMOFF`.
//!
//! Every loop is bounded and every string is read lossily: a driver that
//! answers forever or writes bad bytes cannot hang or panic us (the `v4l`
//! crate's own listing does both).

use std::ffi::CString;
use std::io;
use std::mem;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use v4l::v4l2::vidioc;
use v4l::v4l_sys::{
    v4l2_buf_type_V4L2_BUF_TYPE_VIDEO_CAPTURE as BUF_TYPE_VIDEO_CAPTURE, v4l2_capability,
    v4l2_control, v4l2_fmtdesc, v4l2_format, v4l2_frmivalenum,
    v4l2_frmivaltypes_V4L2_FRMIVAL_TYPE_DISCRETE as FRMIVAL_DISCRETE, v4l2_frmsizeenum,
    v4l2_frmsizetypes_V4L2_FRMSIZE_TYPE_DISCRETE as FRMSIZE_DISCRETE, V4L2_CAP_DEVICE_CAPS,
    V4L2_CAP_STREAMING, V4L2_CAP_VIDEO_CAPTURE, V4L2_CID_CAMERA_ORIENTATION,
};

/// Most formats, sizes per format, and intervals per size read from one camera.
const MAX_FORMATS: u32 = 64;
const MAX_SIZES: u32 = 256;
const MAX_INTERVALS: u32 = 64;

/// A four-character code as V4L2 packs it (`v4l2_fourcc`).
pub(crate) const fn fourcc(code: &[u8; 4]) -> u32 {
    u32::from_le_bytes(*code)
}

/// An open V4L2 device node (closed on drop; a failing `close` is ignored).
pub(crate) struct Node {
    fd: OwnedFd,
}

impl Node {
    /// Open `path` the way nokhwa does: read-write, non-blocking.
    pub fn open(path: &Path) -> io::Result<Node> {
        let c_path = CString::new(path.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "NUL in device path"))?;
        // SAFETY: `c_path` is a valid NUL-terminated string; `open` has no other preconditions.
        let fd = unsafe {
            libc::open(
                c_path.as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned by nobody else.
        Ok(Node {
            fd: unsafe { OwnedFd::from_raw_fd(fd) },
        })
    }

    pub fn fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// `ioctl(fd, request, arg)` as the `v4l` crate issues it (through `syscall`), retried on `EINTR`.
///
/// # Safety
/// `request` must be an ioctl whose argument is a `T` (read and written by the kernel).
unsafe fn ioctl<T>(fd: RawFd, request: vidioc::_IOC_TYPE, arg: &mut T) -> io::Result<()> {
    loop {
        // SAFETY: the caller guarantees `arg` is the argument type of `request`; it is a
        // valid exclusive reference for the duration of the call.
        let result = unsafe { v4l::v4l2::ioctl(fd, request, (arg as *mut T).cast()) };
        match result {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

/// Text from a fixed-size, NUL-padded field.
fn text(bytes: &[u8]) -> String {
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(&bytes[..end]).trim().to_string()
}

/// What `VIDIOC_QUERYCAP` says about a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NodeCaps {
    pub driver: String,
    pub card: String,
    pub bus_info: String,
    /// Whether this node captures video by streaming (not a metadata or output node).
    pub captures: bool,
}

pub(crate) fn query_caps(fd: RawFd) -> io::Result<NodeCaps> {
    // SAFETY: v4l2_capability is plain old data; all zeroes is a valid value.
    let mut caps: v4l2_capability = unsafe { mem::zeroed() };
    // SAFETY: VIDIOC_QUERYCAP takes a v4l2_capability.
    unsafe { ioctl(fd, vidioc::VIDIOC_QUERYCAP, &mut caps)? };
    let flags = if caps.capabilities & V4L2_CAP_DEVICE_CAPS != 0 {
        caps.device_caps
    } else {
        caps.capabilities
    };
    let needed = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING;
    Ok(NodeCaps {
        driver: text(&caps.driver),
        card: text(&caps.card),
        bus_info: text(&caps.bus_info),
        captures: flags & needed == needed,
    })
}

/// The pixel formats (four-character codes) a capture node offers, in its order.
pub(crate) fn formats(fd: RawFd) -> Vec<u32> {
    let mut out = Vec::new();
    for index in 0..MAX_FORMATS {
        // SAFETY: v4l2_fmtdesc is plain old data; all zeroes is a valid value.
        let mut desc: v4l2_fmtdesc = unsafe { mem::zeroed() };
        desc.index = index;
        desc.type_ = BUF_TYPE_VIDEO_CAPTURE;
        // SAFETY: VIDIOC_ENUM_FMT takes a v4l2_fmtdesc.
        if unsafe { ioctl(fd, vidioc::VIDIOC_ENUM_FMT, &mut desc) }.is_err() {
            break;
        }
        if !out.contains(&desc.pixelformat) {
            out.push(desc.pixelformat);
        }
    }
    out
}

/// Frame sizes of one format: a list, or a range with steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SizeSpec {
    Discrete {
        width: u32,
        height: u32,
    },
    /// Continuous sizes have steps of 1.
    Stepwise {
        min_width: u32,
        max_width: u32,
        step_width: u32,
        min_height: u32,
        max_height: u32,
        step_height: u32,
    },
}

pub(crate) fn sizes(fd: RawFd, format: u32) -> Vec<SizeSpec> {
    let mut out = Vec::new();
    for index in 0..MAX_SIZES {
        // SAFETY: v4l2_frmsizeenum is plain old data; all zeroes is a valid value.
        let mut size: v4l2_frmsizeenum = unsafe { mem::zeroed() };
        size.index = index;
        size.pixel_format = format;
        // SAFETY: VIDIOC_ENUM_FRAMESIZES takes a v4l2_frmsizeenum.
        if unsafe { ioctl(fd, vidioc::VIDIOC_ENUM_FRAMESIZES, &mut size) }.is_err() {
            break;
        }
        if size.type_ == FRMSIZE_DISCRETE {
            // SAFETY: the driver says the union holds `discrete`.
            let d = unsafe { size.__bindgen_anon_1.discrete };
            out.push(SizeSpec::Discrete {
                width: d.width,
                height: d.height,
            });
        } else {
            // SAFETY: continuous and stepwise sizes both fill `stepwise`.
            let s = unsafe { size.__bindgen_anon_1.stepwise };
            out.push(SizeSpec::Stepwise {
                min_width: s.min_width,
                max_width: s.max_width,
                step_width: s.step_width.max(1),
                min_height: s.min_height,
                max_height: s.max_height,
                step_height: s.step_height.max(1),
            });
            // A range is the only entry.
            break;
        }
    }
    out
}

/// Frame rates of one format and size, as V4L2 frame intervals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum IntervalSpec {
    /// `numerator / denominator` seconds per frame.
    Discrete { numerator: u32, denominator: u32 },
    /// Any interval between the shortest and the longest (in steps we do not model).
    Range {
        shortest: (u32, u32),
        longest: (u32, u32),
    },
}

pub(crate) fn intervals(fd: RawFd, format: u32, width: u32, height: u32) -> Vec<IntervalSpec> {
    let mut out = Vec::new();
    for index in 0..MAX_INTERVALS {
        // SAFETY: v4l2_frmivalenum is plain old data; all zeroes is a valid value.
        let mut interval: v4l2_frmivalenum = unsafe { mem::zeroed() };
        interval.index = index;
        interval.pixel_format = format;
        interval.width = width;
        interval.height = height;
        // SAFETY: VIDIOC_ENUM_FRAMEINTERVALS takes a v4l2_frmivalenum.
        if unsafe { ioctl(fd, vidioc::VIDIOC_ENUM_FRAMEINTERVALS, &mut interval) }.is_err() {
            break;
        }
        if interval.type_ == FRMIVAL_DISCRETE {
            // SAFETY: the driver says the union holds `discrete`.
            let d = unsafe { interval.__bindgen_anon_1.discrete };
            out.push(IntervalSpec::Discrete {
                numerator: d.numerator,
                denominator: d.denominator,
            });
        } else {
            // SAFETY: continuous and stepwise intervals both fill `stepwise`.
            let s = unsafe { interval.__bindgen_anon_1.stepwise };
            out.push(IntervalSpec::Range {
                shortest: (s.min.numerator, s.min.denominator),
                longest: (s.max.numerator, s.max.denominator),
            });
            break;
        }
    }
    out
}

/// `V4L2_CID_CAMERA_ORIENTATION`: 0 front, 1 back, 2 external; `None` when the driver lacks it.
pub(crate) fn orientation(fd: RawFd) -> Option<u32> {
    let mut control = v4l2_control {
        id: V4L2_CID_CAMERA_ORIENTATION,
        value: 0,
    };
    // SAFETY: VIDIOC_G_CTRL takes a v4l2_control.
    unsafe { ioctl(fd, vidioc::VIDIOC_G_CTRL, &mut control) }.ok()?;
    u32::try_from(control.value).ok()
}

/// The current capture format's row length and largest picture, in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Layout {
    pub width: u32,
    pub height: u32,
    pub format: u32,
    pub bytes_per_line: u32,
    pub size_image: u32,
}

pub(crate) fn current_layout(fd: RawFd) -> io::Result<Layout> {
    // SAFETY: v4l2_format is plain old data; all zeroes is a valid value.
    let mut format: v4l2_format = unsafe { mem::zeroed() };
    format.type_ = BUF_TYPE_VIDEO_CAPTURE;
    // SAFETY: VIDIOC_G_FMT takes a v4l2_format.
    unsafe { ioctl(fd, vidioc::VIDIOC_G_FMT, &mut format)? };
    // SAFETY: a VIDEO_CAPTURE format fills `pix`.
    let pix = unsafe { format.fmt.pix };
    Ok(Layout {
        width: pix.width,
        height: pix.height,
        format: pix.pixelformat,
        bytes_per_line: pix.bytesperline,
        size_image: pix.sizeimage,
    })
}

/// `VIDIOC_STREAMOFF`: stops streaming and wakes a thread blocked in `poll()`
/// on the node (its `VIDIOC_DQBUF` then fails). Harmless when not streaming.
pub(crate) fn stream_off(fd: RawFd) -> io::Result<()> {
    let mut kind: u32 = BUF_TYPE_VIDEO_CAPTURE;
    // SAFETY: VIDIOC_STREAMOFF takes the buffer type as an int.
    unsafe { ioctl(fd, vidioc::VIDIOC_STREAMOFF, &mut kind) }
}

/// The `errno` inside an error message such as nokhwa's (`... (os error 16)`).
pub(crate) fn errno_in(message: &str) -> Option<i32> {
    let at = message.rfind("os error ")?;
    let digits: String = message[at + 9..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    digits.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fourcc_codes_errno_and_driver_text_read_back() {
        assert_eq!(fourcc(b"YUYV"), 0x5659_5559);
        assert_eq!(
            errno_in("Could not open: Device or resource busy (os error 16)"),
            Some(16)
        );
        assert_eq!(errno_in("no number here"), None);
        assert_eq!(text(b"Cam\0junk"), "Cam");
        assert_eq!(text(&[0xFF, b'x', 0]), "\u{FFFD}x");
    }
}
