//! The few V4L2 calls we make ourselves, over the `v4l` crate's generated
//! bindings (nokhwa's own V4L2 layer): listing a camera's formats, sizes and
//! frame intervals without changing its format, reading its bus info,
//! waking a capture blocked in `poll()` with `VIDIOC_STREAMOFF`, and the
//! control calls (`VIDIOC_QUERY_EXT_CTRL` / `QUERYCTRL`, `QUERYMENU`,
//! `G/S_EXT_CTRLS` / `G/S_CTRL`) the camera controls (`controls`) sit on.
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
    v4l2_control, v4l2_ext_control, v4l2_ext_controls, v4l2_fmtdesc, v4l2_format, v4l2_frmivalenum,
    v4l2_frmivaltypes_V4L2_FRMIVAL_TYPE_DISCRETE as FRMIVAL_DISCRETE, v4l2_frmsizeenum,
    v4l2_frmsizetypes_V4L2_FRMSIZE_TYPE_DISCRETE as FRMSIZE_DISCRETE, v4l2_query_ext_ctrl,
    v4l2_queryctrl, v4l2_querymenu, V4L2_CAP_DEVICE_CAPS, V4L2_CAP_STREAMING,
    V4L2_CAP_VIDEO_CAPTURE, V4L2_CID_CAMERA_ORIENTATION,
};

/// Most formats, sizes per format, and intervals per size read from one camera.
const MAX_FORMATS: u32 = 64;
const MAX_SIZES: u32 = 256;
const MAX_INTERVALS: u32 = 64;
/// Most controls read from one camera, and menu items per control.
const MAX_CONTROLS: usize = 1024;
const MAX_MENU_ITEMS: i64 = 64;

/// `V4L2_CTRL_FLAG_NEXT_CTRL` and `V4L2_CTRL_FLAG_NEXT_COMPOUND`: ask for the
/// control after an id (a walk).
const FLAG_NEXT_CTRL: u32 = 0x8000_0000;
const FLAG_NEXT_COMPOUND: u32 = 0x4000_0000;
/// `V4L2_CTRL_WHICH_CUR_VAL`: read current values, of any class.
const WHICH_CUR_VAL: u32 = 0;
/// `V4L2_CTRL_TYPE_INTEGER64`: a control whose value is `value64`.
pub(crate) const CTRL_TYPE_INTEGER64: u32 = 5;

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

/// One control as `VIDIOC_QUERY_EXT_CTRL` (or, on old drivers,
/// `VIDIOC_QUERYCTRL`) describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ControlInfo {
    pub id: u32,
    /// `V4L2_CTRL_TYPE_*`.
    pub kind: u32,
    pub name: String,
    pub min: i64,
    pub max: i64,
    pub step: u64,
    pub default: i64,
    /// `V4L2_CTRL_FLAG_*`.
    pub flags: u32,
}

/// The control `id`, or with `next` the first control after `id` (a walk
/// starts at 0). `VIDIOC_QUERY_EXT_CTRL`, or `VIDIOC_QUERYCTRL` where the
/// driver lacks it (`ENOTTY`).
pub(crate) fn query_control(fd: RawFd, id: u32, next: bool) -> io::Result<ControlInfo> {
    let asked = if next {
        id | FLAG_NEXT_CTRL
    } else {
        id & !(FLAG_NEXT_CTRL | FLAG_NEXT_COMPOUND)
    };
    // SAFETY: v4l2_query_ext_ctrl is plain old data; all zeroes is a valid value.
    let mut ext: v4l2_query_ext_ctrl = unsafe { mem::zeroed() };
    ext.id = asked;
    // SAFETY: VIDIOC_QUERY_EXT_CTRL takes a v4l2_query_ext_ctrl.
    match unsafe { ioctl(fd, vidioc::VIDIOC_QUERY_EXT_CTRL, &mut ext) } {
        Ok(()) => {
            return Ok(ControlInfo {
                id: ext.id,
                kind: ext.type_,
                name: text(&ext.name.map(|c| c as u8)),
                min: ext.minimum,
                max: ext.maximum,
                step: ext.step,
                default: ext.default_value,
                flags: ext.flags,
            })
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTTY) => {}
        Err(e) => return Err(e),
    }
    // SAFETY: v4l2_queryctrl is plain old data; all zeroes is a valid value.
    let mut old: v4l2_queryctrl = unsafe { mem::zeroed() };
    old.id = asked;
    // SAFETY: VIDIOC_QUERYCTRL takes a v4l2_queryctrl.
    unsafe { ioctl(fd, vidioc::VIDIOC_QUERYCTRL, &mut old)? };
    Ok(ControlInfo {
        id: old.id,
        kind: old.type_,
        name: text(&old.name),
        min: i64::from(old.minimum),
        max: i64::from(old.maximum),
        step: u64::try_from(old.step).unwrap_or(0),
        default: i64::from(old.default_value),
        flags: old.flags,
    })
}

/// Every control of the node, in id order (walked with `NEXT_CTRL`; bounded,
/// and stopped by a driver that does not move forward).
pub(crate) fn controls(fd: RawFd) -> Vec<ControlInfo> {
    let mut out: Vec<ControlInfo> = Vec::new();
    let mut id = 0;
    while out.len() < MAX_CONTROLS {
        let Ok(info) = query_control(fd, id, true) else {
            break;
        };
        let base = info.id & !(FLAG_NEXT_CTRL | FLAG_NEXT_COMPOUND);
        if base <= id {
            break;
        }
        id = base;
        out.push(info);
    }
    out
}

/// The items of a menu control (`VIDIOC_QUERYMENU` over `min..=max`): the
/// indices the driver offers, each with its name (`MENU`) or value
/// (`INTEGER_MENU`, read as `integer`).
pub(crate) fn menu(fd: RawFd, info: &ControlInfo, integer: bool) -> Vec<(u32, String, i64)> {
    let mut out = Vec::new();
    let (Ok(min), Ok(max)) = (u32::try_from(info.min), u32::try_from(info.max)) else {
        return out;
    };
    for index in (min..=max).take(MAX_MENU_ITEMS as usize) {
        // SAFETY: v4l2_querymenu is plain old data; all zeroes is a valid value.
        let mut item: v4l2_querymenu = unsafe { mem::zeroed() };
        item.id = info.id;
        item.index = index;
        // SAFETY: VIDIOC_QUERYMENU takes a v4l2_querymenu.
        if unsafe { ioctl(fd, vidioc::VIDIOC_QUERYMENU, &mut item) }.is_err() {
            // An index the driver skips (not offered).
            continue;
        }
        // SAFETY: the union holds `value` for an integer menu, `name` otherwise;
        // both are plain data, read by value from the packed struct.
        let (name, value) = unsafe {
            let union = item.__bindgen_anon_1;
            if integer {
                (String::new(), union.value)
            } else {
                (text(&union.name), i64::from(index))
            }
        };
        out.push((index, name, value));
    }
    out
}

/// `V4L2_CTRL_ID2CLASS`: the class a control id belongs to.
fn class_of(id: u32) -> u32 {
    id & 0x0fff_0000
}

/// The current value of control `id` (`VIDIOC_G_EXT_CTRLS`, current values;
/// `VIDIOC_G_CTRL` where the driver lacks it). `wide`: a 64-bit control.
pub(crate) fn get_control(fd: RawFd, id: u32, wide: bool) -> io::Result<i64> {
    // SAFETY: v4l2_ext_control is plain old data; all zeroes is a valid value.
    let mut control: v4l2_ext_control = unsafe { mem::zeroed() };
    control.id = id;
    // SAFETY: v4l2_ext_controls is plain old data; all zeroes is a valid value.
    let mut set: v4l2_ext_controls = unsafe { mem::zeroed() };
    set.__bindgen_anon_1.which = WHICH_CUR_VAL;
    set.count = 1;
    set.controls = &mut control;
    // SAFETY: VIDIOC_G_EXT_CTRLS takes a v4l2_ext_controls whose `controls`
    // points at `count` (1) v4l2_ext_control, alive for the call.
    match unsafe { ioctl(fd, vidioc::VIDIOC_G_EXT_CTRLS, &mut set) } {
        Ok(()) => {
            // SAFETY: the driver wrote `value` (or `value64` for 64-bit controls).
            let union = control.__bindgen_anon_1;
            return Ok(unsafe {
                if wide {
                    union.value64
                } else {
                    i64::from(union.value)
                }
            });
        }
        Err(e) if e.raw_os_error() == Some(libc::ENOTTY) && !wide => {}
        Err(e) => return Err(e),
    }
    let mut old = v4l2_control { id, value: 0 };
    // SAFETY: VIDIOC_G_CTRL takes a v4l2_control.
    unsafe { ioctl(fd, vidioc::VIDIOC_G_CTRL, &mut old)? };
    Ok(i64::from(old.value))
}

/// Set control `id` (`VIDIOC_S_EXT_CTRLS` in the control's class;
/// `VIDIOC_S_CTRL` where the driver lacks it). The driver may clamp or round
/// the value; read it back to know.
pub(crate) fn set_control(fd: RawFd, id: u32, wide: bool, value: i64) -> io::Result<()> {
    let narrow = if wide {
        0
    } else {
        i32::try_from(value).map_err(|_| io::Error::from_raw_os_error(libc::ERANGE))?
    };
    // SAFETY: v4l2_ext_control is plain old data; all zeroes is a valid value.
    let mut control: v4l2_ext_control = unsafe { mem::zeroed() };
    control.id = id;
    if wide {
        control.__bindgen_anon_1.value64 = value;
    } else {
        control.__bindgen_anon_1.value = narrow;
    }
    // SAFETY: v4l2_ext_controls is plain old data; all zeroes is a valid value.
    let mut set: v4l2_ext_controls = unsafe { mem::zeroed() };
    set.__bindgen_anon_1.ctrl_class = class_of(id);
    set.count = 1;
    set.controls = &mut control;
    // SAFETY: VIDIOC_S_EXT_CTRLS takes a v4l2_ext_controls whose `controls`
    // points at `count` (1) v4l2_ext_control, alive for the call.
    match unsafe { ioctl(fd, vidioc::VIDIOC_S_EXT_CTRLS, &mut set) } {
        Err(e) if e.raw_os_error() == Some(libc::ENOTTY) && !wide => {}
        other => return other,
    }
    let mut old = v4l2_control { id, value: narrow };
    // SAFETY: VIDIOC_S_CTRL takes a v4l2_control.
    unsafe { ioctl(fd, vidioc::VIDIOC_S_CTRL, &mut old) }
}

/// The name of an `errno` a driver returns, with its text:
/// `EBUSY (Device or resource busy)`.
pub(crate) fn errno_text(error: &io::Error) -> String {
    let Some(code) = error.raw_os_error() else {
        return error.to_string();
    };
    let name = match code {
        libc::EBUSY => "EBUSY",
        libc::EINVAL => "EINVAL",
        libc::ERANGE => "ERANGE",
        libc::EACCES => "EACCES",
        libc::EPERM => "EPERM",
        libc::EIO => "EIO",
        libc::ENODEV => "ENODEV",
        libc::ENOENT => "ENOENT",
        libc::ENOTTY => "ENOTTY",
        libc::EAGAIN => "EAGAIN",
        libc::ETIMEDOUT => "ETIMEDOUT",
        libc::EPROTO => "EPROTO",
        libc::EILSEQ => "EILSEQ",
        _ => return error.to_string(),
    };
    let text = error.to_string();
    let text = text.split(" (os error").next().unwrap_or(&text);
    format!("{name} ({text})")
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
        assert_eq!(
            errno_text(&io::Error::from_raw_os_error(libc::EBUSY)),
            "EBUSY (Device or resource busy)"
        );
        assert_eq!(class_of(0x009a_090d), 0x009a_0000);
    }
}
