//! `Frame`: one delivered picture or chunk of audio, viewed without copies.

use pyo3::prelude::*;
use pyo3::types::{PyList, PyMemoryView};

use lms_core::{FrameData, MediaKind};

use crate::buffer::plane_view;
use crate::errors::to_py;

/// One video picture or audio chunk. Its bytes are shared, read-only and
/// reference-counted: `planes`, `samples` and `to_numpy()` are views that keep
/// the frame alive (also after its track stopped), never copies.
#[pyclass(module = "localmediastream", name = "Frame", frozen)]
pub struct PyFrame {
    pub(crate) inner: lms_core::Frame,
}

impl PyFrame {
    pub fn new(inner: lms_core::Frame) -> PyFrame {
        PyFrame { inner }
    }
    fn plane_count(&self) -> usize {
        match self.inner.data() {
            FrameData::Video(v) => v.plane_count(),
            FrameData::Audio(_) => 1,
        }
    }
}

#[pymethods]
impl PyFrame {
    /// `"video"` or `"audio"`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.inner.kind().as_str()
    }
    /// Video: the pixel format (`"I420"`, `"NV12"`, `"YUY2"`, `"RGB24"`,
    /// `"BGR24"`, `"RGBA"`, `"BGRA"`, `"MJPEG"`). Audio: `"f32"` or `"s16"`.
    #[getter]
    fn format(&self) -> &'static str {
        match self.inner.data() {
            FrameData::Video(v) => v.format().name(),
            FrameData::Audio(a) => a.format().name(),
        }
    }
    /// Picture width in pixels (0 for audio).
    #[getter]
    fn width(&self) -> u32 {
        self.inner.video().map_or(0, |v| v.width())
    }
    /// Picture height in pixels (0 for audio).
    #[getter]
    fn height(&self) -> u32 {
        self.inner.video().map_or(0, |v| v.height())
    }
    /// Bytes per row of each plane (audio: the byte length of the samples).
    #[getter]
    fn strides(&self) -> Vec<usize> {
        match self.inner.data() {
            FrameData::Video(v) => (0..v.plane_count()).map(|i| v.stride(i)).collect(),
            FrameData::Audio(a) => vec![a.bytes().len()],
        }
    }
    /// Microseconds on the OS capture clock when captured (CLOCK_MONOTONIC on
    /// Linux, the host clock on macOS, QueryPerformanceCounter on Windows).
    #[getter]
    fn timestamp_us(&self) -> i64 {
        self.inner.timestamp_us()
    }
    /// The source's capture sequence number: +1 per captured frame.
    #[getter]
    fn sequence(&self) -> u64 {
        self.inner.sequence()
    }
    /// Samples per second (0 for video).
    #[getter]
    fn sample_rate(&self) -> u32 {
        self.inner.audio().map_or(0, |a| a.sample_rate())
    }
    /// Interleaved channels (0 for video).
    #[getter]
    fn channels(&self) -> u16 {
        self.inner.audio().map_or(0, |a| a.channels())
    }
    /// Sample frames (samples per channel) in the chunk (0 for video); the
    /// last chunk of a file that ends holds just what was left.
    #[getter]
    fn sample_count(&self) -> usize {
        self.inner.audio().map_or(0, |a| a.frames())
    }
    /// Read-only, zero-copy `memoryview`s (format `"B"`) of every plane: I420
    /// Y, U, V; NV12 Y, UV; one plane for packed formats; audio: the
    /// interleaved samples as bytes.
    #[getter]
    fn planes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let views = (0..self.plane_count())
            .map(|i| plane_view(py, &self.inner, i))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, views)
    }
    /// Plane `index` as in `planes`, without building the others.
    fn plane<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyMemoryView>> {
        if index >= self.plane_count() {
            return Err(crate::errors::invalid_argument(
                py,
                format!(
                    "plane {index} does not exist: this {} frame has {}",
                    self.format(),
                    self.plane_count()
                ),
            ));
        }
        plane_view(py, &self.inner, index)
    }
    /// Audio: the interleaved samples as a read-only, zero-copy `memoryview`
    /// of format `"f"` (float32) or `"h"` (int16). InvalidStateError for video.
    #[getter]
    fn samples<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let Some(audio) = self.inner.audio() else {
            return Err(to_py(
                py,
                lms_core::Error::InvalidState(
                    "a video frame has no samples: use planes or to_numpy()".into(),
                ),
            ));
        };
        let code = match audio.format() {
            lms_core::SampleFormat::F32 => "f",
            lms_core::SampleFormat::S16 => "h",
        };
        plane_view(py, &self.inner, 0)?.call_method1("cast", (code,))
    }
    /// numpy arrays viewing the frame (no copy; numpy is imported on first use).
    /// I420: `[Y (h, w), U (h/2, w/2), V (h/2, w/2)]`; NV12: `[Y (h, w), UV (h/2, w/2, 2)]`;
    /// YUY2: `(h, w, 2)`; RGB24/BGR24: `(h, w, 3)`; RGBA/BGRA: `(h, w, 4)`;
    /// MJPEG: the JPEG bytes `(n,)`; audio: `(sample_count, channels)` float32 or int16.
    /// Every array is read-only and keeps the frame alive.
    fn to_numpy<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, PyAny>> {
        slf.py()
            .import("localmediastream._numpy")?
            .call_method1("frame_to_numpy", (slf,))
    }
    fn __repr__(&self) -> String {
        match self.inner.data() {
            FrameData::Video(v) => format!(
                "<Frame video {} {}x{} #{} at {} us>",
                v.format().name(),
                v.width(),
                v.height(),
                self.inner.sequence(),
                self.inner.timestamp_us()
            ),
            FrameData::Audio(a) => format!(
                "<Frame audio {} {} Hz x{} {} samples #{} at {} us>",
                a.format().name(),
                a.sample_rate(),
                a.channels(),
                a.frames(),
                self.inner.sequence(),
                self.inner.timestamp_us()
            ),
        }
    }
}

/// The sequence number painted into a fake camera's picture (low 32 bits), read
/// back from any raw format after scaling or conversion; `None` if the
/// picture carries none (audio, MJPEG, a real camera, too small).
#[pyfunction]
pub fn decode_sequence(frame: &Bound<'_, PyFrame>) -> Option<u64> {
    let f = &frame.get().inner;
    match f.kind() {
        MediaKind::Video => f.video().and_then(lms_core::video::decode_sequence),
        MediaKind::Audio => None,
    }
}
