//! `VideoTrackGenerator` (W3C *Media Capture Transform*): a video track whose
//! frames the program writes. The core (`lms_core::TrackGenerator`) does the
//! work; this converts what Python hands to `write()`:
//!
//! - a `Frame` of this binding (e.g. read from a camera's track): passed on
//!   without a copy (`TrackGenerator::write`);
//! - a picture as bytes, with `format=` (and `width=`/`height=` unless its
//!   shape tells them): one buffer-protocol object holding every plane back to
//!   back as `PixelFormat::layout` packs them (what `bytes` of a frame's
//!   `planes` joined give), or a list of one buffer per plane (what
//!   `frame.planes` and `frame.to_numpy()` give). The core copies it once into
//!   a buffer of the generator's pool (`TrackGenerator::write_video`).
//!
//! Buffers are read in place (`PyObject_GetBuffer`) with the GIL released
//! during the copy; rows may be padded (a numpy view of part of a larger
//! picture: its row stride is passed on). Anything else (a Fortran-ordered or
//! reversed array) is first made contiguous with `memoryview.tobytes()`.
//! `PyObject_GetBuffer` is in the limited API only since 3.11, but CPython has
//! exported it unchanged since 3.0 (as `buffer.rs` relies on for the type
//! slot); on Windows, where an abi3 module links `python3.dll`, which exports
//! it only from 3.11, every buffer takes the `tobytes()` way instead.

use std::sync::Arc;

use lms_core::frame::MAX_DIMENSION;
use lms_core::{MediaDevices, PixelFormat, TrackGenerator};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList, PyMemoryView, PyTuple};

use crate::detached::Detached;
use crate::errors::{type_error, OrRaise};
use crate::frame::PyFrame;
use crate::identity::{wrap_track, PyTrack};

/// A video track whose frames the program writes (`VideoTrackGenerator()`).
///
/// `write(frame)` sends a `Frame` (read from another track: no copy) or a
/// picture given as bytes (`format=`, `width=`, `height=`: copied once) to
/// every track of the generator. `track` is its `MediaStreamTrack` (the same
/// object each time), which can be cloned, constrained (crop-and-scale,
/// frame-rate decimation, pixel-format conversion), read and stopped as any
/// other; its settings follow the frames written. While `muted`, frames
/// written are dropped. `close()` (or leaving a `with` block) ends every
/// track; once closed, or once every track has been stopped, `write()`
/// raises InvalidStateError.
#[pyclass(module = "localmediastream", name = "VideoTrackGenerator", frozen)]
pub struct PyVideoTrackGenerator {
    inner: Detached<TrackGenerator>,
    track: Py<PyTrack>,
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// Bytes per pixel of the packed formats (YUY2: 2 per pixel, 4 per pair); None for planar ones.
fn channels(format: PixelFormat) -> Option<usize> {
    match format {
        PixelFormat::Rgba | PixelFormat::Bgra => Some(4),
        PixelFormat::Rgb24 | PixelFormat::Bgr24 => Some(3),
        PixelFormat::Yuy2 => Some(2),
        _ => None,
    }
}

fn shape_text(shape: &[usize]) -> String {
    match shape {
        [n] => format!("({n},)"),
        _ => format!(
            "({})",
            shape
                .iter()
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The bytes of one buffer-protocol object, held for as long as this lives.
struct Plane {
    ptr: *const u8,
    /// Bytes readable from `ptr` (for padded rows: up to the end of the last row).
    len: usize,
    shape: Vec<usize>,
    /// Bytes from one row to the next when the rows are not back to back.
    row_stride: Option<usize>,
    _hold: Hold,
}

/// What keeps a plane's bytes alive (only ever dropped).
#[allow(dead_code)]
enum Hold {
    #[cfg(not(windows))]
    Exported(export::Export),
    Bytes(Py<PyBytes>),
}

impl Plane {
    fn bytes(&self) -> &[u8] {
        if self.len == 0 {
            return &[];
        }
        // SAFETY: `ptr` points to `len` readable bytes of a buffer that `_hold`
        // keeps exported (or of an immutable `bytes`) for as long as `self` lives.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}

fn not_a_buffer(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyErr {
    type_error(
        py,
        format!(
            "VideoTrackGenerator.write() takes a Frame, a buffer (bytes, bytearray, memoryview, \
             numpy array) of a picture, or a list of one buffer per plane; got {}",
            type_name(obj)
        ),
    )
}

fn not_bytes(py: Python<'_>, itemsize: usize, format: &str) -> PyErr {
    type_error(
        py,
        format!(
            "a picture's buffer must hold bytes (e.g. a numpy uint8 array), got items of \
             {itemsize} bytes (format {format:?})"
        ),
    )
}

/// `obj`'s bytes made C-contiguous by `memoryview(obj).tobytes()` (one copy).
fn copied(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Plane> {
    let view = PyMemoryView::from(obj).map_err(|_| not_a_buffer(py, obj))?;
    let itemsize: usize = view.getattr("itemsize")?.extract()?;
    if itemsize != 1 {
        let format: String = view.getattr("format")?.extract()?;
        return Err(not_bytes(py, itemsize, &format));
    }
    let shape: Vec<usize> = view.getattr("shape")?.extract()?;
    let bytes = view.call_method0("tobytes")?.cast_into::<PyBytes>()?;
    let (ptr, len) = (bytes.as_bytes().as_ptr(), bytes.as_bytes().len());
    Ok(Plane {
        ptr,
        len,
        shape,
        row_stride: None,
        _hold: Hold::Bytes(bytes.unbind()),
    })
}

#[cfg(windows)]
fn plane_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Plane> {
    copied(py, obj)
}

#[cfg(not(windows))]
fn plane_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Plane> {
    export::plane_of(py, obj)
}

#[cfg(not(windows))]
mod export {
    //! Reading a buffer in place through `PyObject_GetBuffer`.

    use std::ffi::{c_int, CStr};
    use std::ptr;

    use pyo3::ffi;
    use pyo3::prelude::*;

    use super::{copied, not_bytes, Hold, Plane};

    use crate::buffer::PyBufferView as RawBuffer;

    extern "C" {
        fn PyObject_GetBuffer(obj: *mut ffi::PyObject, view: *mut RawBuffer, flags: c_int)
            -> c_int;
        fn PyBuffer_Release(view: *mut RawBuffer);
    }

    /// `PyBUF_RECORDS_RO`: strides, shape and format; read-only is enough.
    const PYBUF_RECORDS_RO: c_int = 0x0010 | 0x0008 | 0x0004;

    /// An exported buffer, released (with the GIL) when dropped. Boxed: an
    /// exporter may point `shape` / `strides` into the view itself.
    pub(super) struct Export(Box<RawBuffer>);

    impl Drop for Export {
        fn drop(&mut self) {
            Python::attach(|_| {
                // SAFETY: the view was filled by a successful PyObject_GetBuffer
                // and is released once, holding the GIL.
                unsafe { PyBuffer_Release(&mut *self.0) }
            });
        }
    }

    pub(super) fn plane_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Plane> {
        let mut view = Box::new(RawBuffer {
            buf: ptr::null_mut(),
            obj: ptr::null_mut(),
            len: 0,
            itemsize: 0,
            readonly: 0,
            ndim: 0,
            format: ptr::null_mut(),
            shape: ptr::null_mut(),
            strides: ptr::null_mut(),
            suboffsets: ptr::null_mut(),
            internal: ptr::null_mut(),
        });
        // SAFETY: `obj` is a live object, `view` a writable Py_buffer; the GIL is held.
        if unsafe { PyObject_GetBuffer(obj.as_ptr(), &mut *view, PYBUF_RECORDS_RO) } != 0 {
            // Not a buffer (copied() says so), or one that only exports with
            // suboffsets, which memoryview() asks for.
            drop(PyErr::take(py));
            return copied(py, obj);
        }
        let export = Export(view);
        let v = &*export.0;
        let itemsize = v.itemsize.max(0) as usize;
        if itemsize != 1 {
            let format = if v.format.is_null() {
                "B".to_string()
            } else {
                // SAFETY: a non-NULL format is a NUL-terminated string owned by the view.
                unsafe { CStr::from_ptr(v.format) }
                    .to_string_lossy()
                    .into_owned()
            };
            return Err(not_bytes(py, itemsize, &format));
        }
        let ndim = v.ndim.max(0) as usize;
        let len = v.len.max(0) as usize;
        let (shape, strides): (Vec<usize>, Vec<isize>) = if v.shape.is_null() || ndim == 0 {
            (vec![len], vec![1])
        } else {
            // SAFETY: with PyBUF_ND requested, `shape` (and with PyBUF_STRIDES,
            // a non-NULL `strides`) hold `ndim` entries.
            let shape: Vec<usize> = unsafe { std::slice::from_raw_parts(v.shape, ndim) }
                .iter()
                .map(|&n| n.max(0) as usize)
                .collect();
            let strides = if v.strides.is_null() {
                contiguous_strides(&shape)
            } else {
                unsafe { std::slice::from_raw_parts(v.strides, ndim) }.to_vec()
            };
            (shape, strides)
        };
        let ptr = v.buf as *const u8;
        if len == 0 || v.suboffsets.is_null() && strides == contiguous_strides(&shape) {
            return Ok(Plane {
                ptr,
                len,
                shape,
                row_stride: None,
                _hold: Hold::Exported(export),
            });
        }
        // Rows one after another at a larger stride, each row contiguous (a
        // numpy view of part of a larger picture): read in place.
        let row: usize = shape[1..].iter().product();
        if v.suboffsets.is_null()
            && shape.len() >= 2
            && strides[1..] == contiguous_strides(&shape[1..])[..]
            && strides[0] >= row as isize
        {
            let stride = strides[0] as usize;
            return Ok(Plane {
                ptr,
                len: stride * (shape[0] - 1) + row,
                shape,
                row_stride: Some(stride),
                _hold: Hold::Exported(export),
            });
        }
        drop(export);
        copied(py, obj)
    }

    /// The strides of a C-contiguous array of bytes of this shape.
    fn contiguous_strides(shape: &[usize]) -> Vec<isize> {
        let mut strides = vec![1isize; shape.len()];
        for k in (0..shape.len().saturating_sub(1)).rev() {
            strides[k] = strides[k + 1] * shape[k + 1] as isize;
        }
        strides
    }
}

/// Width and height as the shape of the first plane tells them: a packed
/// format's `(height, width, bytes per pixel)` array, or the `(height, width)`
/// Y plane of a list of planes.
fn shape_size(
    py: Python<'_>,
    format: PixelFormat,
    first: &Plane,
    listed: bool,
) -> PyResult<Option<(usize, usize)>> {
    match (channels(format), first.shape.as_slice()) {
        (Some(c), &[h, w, k]) => {
            if k != c {
                return Err(type_error(
                    py,
                    format!(
                        "a picture of shape {} does not hold {} pixels ({c} bytes each)",
                        shape_text(&first.shape),
                        format.name()
                    ),
                ));
            }
            Ok(Some((w, h)))
        }
        (None, &[h, w]) if listed => Ok(Some((w, h))),
        _ => Ok(None),
    }
}

fn pixels(v: Option<i64>) -> Option<u32> {
    v.and_then(|n| u32::try_from(n).ok())
        .filter(|&n| (1..=MAX_DIMENSION).contains(&n))
}

impl PyVideoTrackGenerator {
    #[allow(clippy::too_many_arguments)]
    fn write_picture(
        &self,
        py: Python<'_>,
        picture: &Bound<'_, PyAny>,
        timestamp: Option<i64>,
        format: Option<&str>,
        width: Option<i64>,
        height: Option<i64>,
    ) -> PyResult<()> {
        let Some(name) = format else {
            return Err(type_error(
                py,
                "VideoTrackGenerator.write(): a picture given as bytes needs format= \
                 ('I420', 'NV12', 'YUY2', 'RGB24', 'BGR24', 'RGBA' or 'BGRA')",
            ));
        };
        let format = match PixelFormat::from_name(name) {
            Some(f) if f != PixelFormat::Mjpeg => f,
            _ => {
                return Err(type_error(
                    py,
                    format!(
                        "format must be 'I420', 'NV12', 'YUY2', 'RGB24', 'BGR24', 'RGBA' or \
                         'BGRA', got {name:?}"
                    ),
                ))
            }
        };
        let listed = picture.is_instance_of::<PyList>() || picture.is_instance_of::<PyTuple>();
        let mut planes = if listed {
            picture
                .try_iter()?
                .map(|p| plane_of(py, &p?))
                .collect::<PyResult<Vec<_>>>()?
        } else {
            vec![plane_of(py, picture)?]
        };
        let Some(first) = planes.first() else {
            return Err(type_error(
                py,
                format!(
                    "a {} picture needs its planes, got an empty list",
                    format.name()
                ),
            ));
        };

        let inferred = shape_size(py, format, first, listed)?;
        let (width, height) = match (width, height, inferred) {
            (None, None, Some((w, h))) => (w as i64, h as i64),
            (Some(w), Some(h), Some((iw, ih))) if (w, h) != (iw as i64, ih as i64) => {
                return Err(type_error(
                    py,
                    format!(
                        "width={w}, height={h} do not match the picture's shape {} ({iw}x{ih})",
                        shape_text(&first.shape)
                    ),
                ))
            }
            (w, h, Some((iw, ih))) => (w.unwrap_or(iw as i64), h.unwrap_or(ih as i64)),
            (Some(w), Some(h), None) => (w, h),
            _ => {
                return Err(type_error(
                    py,
                    format!(
                        "width= and height= are needed for a {} picture given as a buffer of \
                         shape {}{}",
                        format.name(),
                        shape_text(&first.shape),
                        if listed { " in a list" } else { "" }
                    ),
                ))
            }
        };
        let (Some(w), Some(h)) = (pixels(Some(width)), pixels(Some(height))) else {
            return Err(type_error(
                py,
                format!(
                    "track generator: a picture must be 1 to {MAX_DIMENSION} pixels each way, \
                     got {width}x{height}"
                ),
            ));
        };

        let layout = format.layout(w, h);
        let what = format!("a {w}x{h} {} picture", format.name());
        if listed && planes.len() != layout.count {
            return Err(type_error(
                py,
                format!(
                    "track generator: {} has {} planes, got a list of {}",
                    format.name(),
                    layout.count,
                    planes.len()
                ),
            ));
        }
        if !listed && layout.count > 1 && planes[0].row_stride.is_some() {
            // Planes back to back in one buffer: make it contiguous first.
            planes = vec![copied(py, picture)?];
        }

        let mut slices: Vec<&[u8]> = Vec::with_capacity(layout.count);
        let mut strides: Vec<usize> = Vec::with_capacity(layout.count);
        if listed || layout.count == 1 {
            for (i, plane) in planes.iter().enumerate() {
                let rows = layout.sizes[i] / layout.strides[i];
                match plane.row_stride {
                    Some(stride) => {
                        if plane.shape[0] != rows {
                            return Err(type_error(
                                py,
                                format!(
                                    "track generator: plane {i} of {what} has {rows} rows, \
                                     got an array of shape {}",
                                    shape_text(&plane.shape)
                                ),
                            ));
                        }
                        strides.push(stride);
                    }
                    None => {
                        if plane.len > layout.sizes[i] {
                            return Err(type_error(
                                py,
                                format!(
                                    "track generator: plane {i} of {what} is {} bytes, got {}",
                                    layout.sizes[i], plane.len
                                ),
                            ));
                        }
                        strides.push(layout.strides[i]);
                    }
                }
                slices.push(plane.bytes());
            }
        } else {
            // Every plane in one buffer, back to back: split it where the layout
            // says (a short buffer gives short planes, which the core names).
            let all = planes[0].bytes();
            if all.len() > layout.total() {
                return Err(type_error(
                    py,
                    format!(
                        "track generator: {what} is {} bytes ({} planes of {}), got {}",
                        layout.total(),
                        layout.count,
                        layout.sizes[..layout.count]
                            .iter()
                            .map(|n| n.to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                        all.len()
                    ),
                ));
            }
            for i in 0..layout.count {
                let start = layout.offset(i).min(all.len());
                let end = (layout.offset(i) + layout.sizes[i]).min(all.len());
                slices.push(&all[start..end]);
                strides.push(layout.strides[i]);
            }
        }
        let timestamp = timestamp.unwrap_or_else(lms_core::clock::monotonic_us);
        let generator: &TrackGenerator = &self.inner;
        py.detach(|| generator.write_video(format, w, h, timestamp, &slices, &strides))
            .or_raise(py)
    }
}

#[pymethods]
impl PyVideoTrackGenerator {
    /// `VideoTrackGenerator()`: a generator and its live video track, whose
    /// queue holds the configuration's `queue_size` frames. The track has no
    /// size until the first frame is written.
    #[new]
    fn py_new(py: Python<'_>) -> PyResult<PyVideoTrackGenerator> {
        let generator = py
            .detach(|| TrackGenerator::video(MediaDevices::global().config().queue_size))
            .or_raise(py)?;
        let track = wrap_track(py, generator.track())?.unbind();
        Ok(PyVideoTrackGenerator {
            inner: Detached::new(generator),
            track,
        })
    }

    /// The generator's `MediaStreamTrack` (the same object each time; `clone()` it for more).
    #[getter]
    fn track(&self, py: Python<'_>) -> Py<PyTrack> {
        self.track.clone_ref(py)
    }

    /// Send a picture to every track of the generator.
    ///
    /// `frame`: a `Frame` of this library (a video frame, e.g. read from a
    /// camera's track; passed on without a copy; `format`/`width`/`height`
    /// must not be given), or a picture as bytes with `format=` (`"I420"`,
    /// `"NV12"`, `"YUY2"`, `"RGB24"`, `"BGR24"`, `"RGBA"`, `"BGRA"`): one
    /// buffer (bytes, bytearray, memoryview, numpy uint8 array) holding every
    /// plane back to back with rows packed as a frame's are, or a list of one
    /// buffer per plane (as `frame.planes` or `frame.to_numpy()` give them). A
    /// `(height, width, bytes per pixel)` array of a packed format, or a list
    /// of planes whose first is a `(height, width)` array, gives `width` and
    /// `height`; otherwise pass them. Numpy views with padded rows are read in
    /// place. The picture is copied once, with the GIL released.
    ///
    /// `timestamp`: microseconds (default: the frame's own, or for bytes the
    /// capture clock now, `time.monotonic_ns() // 1000` on Linux).
    ///
    /// TypeError for an audio frame or a picture whose size, format or planes
    /// are wrong (naming the plane); InvalidStateError once closed (by
    /// `close()`, or because every track has been stopped). Frames written
    /// while `muted` are dropped.
    #[pyo3(signature = (frame, timestamp = None, *, format = None, width = None, height = None))]
    fn write(
        &self,
        py: Python<'_>,
        frame: &Bound<'_, PyAny>,
        timestamp: Option<i64>,
        format: Option<&str>,
        width: Option<i64>,
        height: Option<i64>,
    ) -> PyResult<()> {
        let Ok(frame) = frame.cast::<PyFrame>() else {
            return self.write_picture(py, frame, timestamp, format, width, height);
        };
        if format.is_some() || width.is_some() || height.is_some() {
            return Err(type_error(
                py,
                "VideoTrackGenerator.write(): format=, width= and height= describe a picture \
                 given as bytes; a Frame carries its own",
            ));
        }
        let own = &frame.get().inner;
        let frame = match timestamp {
            None => own.clone(),
            Some(t) => lms_core::Frame::new(Arc::clone(own.shared_data()), own.sequence(), t),
        };
        let generator: &TrackGenerator = &self.inner;
        py.detach(|| generator.write(frame)).or_raise(py)
    }

    /// Whether frames written are dropped and the tracks are muted. Setting it
    /// fires `mute` / `unmute` on every track when it changes.
    #[getter]
    fn muted(&self) -> bool {
        self.inner.muted()
    }
    #[setter]
    fn set_muted(&self, py: Python<'_>, muted: bool) {
        py.detach(|| self.inner.set_muted(muted))
    }

    /// Whether `write()` is refused: `close()` was called, or every track ended.
    #[getter]
    fn closed(&self) -> bool {
        self.inner.is_closed()
    }

    /// End every track (their `ended` fires; frames already queued stay
    /// readable) and refuse further writes. Calling it again does nothing.
    fn close(&self, py: Python<'_>) {
        py.detach(|| self.inner.close())
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }
    /// Closes the generator; never swallows the exception.
    #[pyo3(signature = (_exc_type = None, _exc = None, _traceback = None))]
    fn __exit__(
        &self,
        py: Python<'_>,
        _exc_type: Option<&Bound<'_, PyAny>>,
        _exc: Option<&Bound<'_, PyAny>>,
        _traceback: Option<&Bound<'_, PyAny>>,
    ) -> bool {
        self.close(py);
        false
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let track = self.track.bind(py).get().core();
        format!(
            "<VideoTrackGenerator of {}{}{}>",
            track.id(),
            if self.inner.is_closed() {
                " closed"
            } else {
                ""
            },
            if self.inner.muted() { " muted" } else { "" }
        )
    }
}
