//! `ImageCapture` (W3C *MediaStream Image Capture*): photos and RGBA pictures
//! from a video track. The core (`lms_core::ImageCapture`) does the work; this
//! only converts arguments and results, and waits with the GIL released.

use std::time::Duration;

use lms_core::image_capture::ImageType;
use lms_core::{ImageCapture, PhotoSettings};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyString};
use serde_json::Value;

use crate::convert;
use crate::detached::Detached;
use crate::errors::{invalid_argument, type_error, OrRaise};
use crate::frame::PyFrame;
use crate::identity::PyTrack;

/// Photos and single pictures from a video track: `ImageCapture(track)`.
///
/// `take_photo()` encodes the camera's next frame as JPEG (or PNG) at the size
/// the camera runs at now, or smaller on request; `grab_frame()` gives the
/// next frame as an RGBA `Frame` at the track's own size. Both read through a
/// short-lived clone of the track, so the track's own readers lose no frame,
/// and both wait with the GIL released. Every call on an ended track raises
/// InvalidStateError.
#[pyclass(module = "localmediastream", name = "ImageCapture", frozen)]
pub struct PyImageCapture {
    inner: Detached<ImageCapture>,
    track: Py<PyTrack>,
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

fn absent<'a, 'py>(v: Option<&'a Bound<'py, PyAny>>) -> Option<&'a Bound<'py, PyAny>> {
    v.filter(|v| !v.is_none())
}

/// A number of pixels: an int (or anything with `__index__`) or a float; not a bool.
fn pixels(py: Python<'_>, v: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Value> {
    let Some(v) = absent(v) else {
        return Ok(Value::Null);
    };
    if !v.is_instance_of::<PyBool>() {
        if v.is_instance_of::<PyFloat>() {
            return convert::to_json(py, v, name);
        }
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::from(i));
        }
    }
    Err(type_error(
        py,
        format!("{name} must be a number of pixels, got {}", type_name(v)),
    ))
}

fn text(py: Python<'_>, v: Option<&Bound<'_, PyAny>>, name: &str) -> PyResult<Option<String>> {
    let Some(v) = absent(v) else {
        return Ok(None);
    };
    match v.cast::<PyString>() {
        Ok(s) => Ok(Some(s.to_cow()?.into_owned())),
        Err(_) => Err(type_error(
            py,
            format!("{name} must be a str, got {}", type_name(v)),
        )),
    }
}

/// The longest wait for a photo's frame.
const LONGEST: Duration = Duration::from_secs(365 * 24 * 3600);

/// A timeout in seconds; `None` is the library's default (10 s).
fn photo_timeout(py: Python<'_>, seconds: Option<f64>) -> PyResult<Option<Duration>> {
    match seconds {
        None => Ok(None),
        Some(s) if s.is_nan() || s < 0.0 => Err(invalid_argument(
            py,
            format!("timeout must be None or a number of seconds >= 0, got {s}"),
        )),
        // Beyond a year (or what a Duration holds): a year, which is no limit
        // in practice and keeps the core's deadline arithmetic in range.
        Some(s) => Ok(Some(
            Duration::try_from_secs_f64(s).map_or(LONGEST, |d| d.min(LONGEST)),
        )),
    }
}

#[pymethods]
impl PyImageCapture {
    /// `ImageCapture(track)`: `track` must be a video `MediaStreamTrack`
    /// (TypeError otherwise). The track may be ended: then every call raises
    /// InvalidStateError.
    #[new]
    fn py_new(py: Python<'_>, track: &Bound<'_, PyAny>) -> PyResult<PyImageCapture> {
        let track = track.cast::<PyTrack>().map_err(|_| {
            type_error(
                py,
                format!(
                    "ImageCapture() takes a video MediaStreamTrack, got {}",
                    type_name(track)
                ),
            )
        })?;
        let inner = ImageCapture::new(track.get().core()).or_raise(py)?;
        Ok(PyImageCapture {
            inner: Detached::new(inner),
            track: track.clone().unbind(),
        })
    }

    /// The track photos come from (the same object that was passed in).
    #[getter]
    fn track(&self, py: Python<'_>) -> Py<PyTrack> {
        self.track.clone_ref(py)
    }

    /// `getPhotoCapabilities()`: `{"redEyeReduction": "never", "imageHeight":
    /// {"min", "max", "step"}, "imageWidth": {...}, "fillLightMode": ["off"]}`;
    /// the maximum size is the size the camera runs at now.
    fn get_photo_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let caps = py.detach(|| self.inner.photo_capabilities()).or_raise(py)?;
        convert::to_py(py, &caps)
    }

    /// `getPhotoSettings()`: what `take_photo()` without arguments gives now
    /// (`imageWidth`, `imageHeight`, `fillLightMode`, `redEyeReduction`).
    fn get_photo_settings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let settings = py.detach(|| self.inner.photo_settings()).or_raise(py)?;
        convert::to_py(py, &settings)
    }

    /// `takePhoto()`: the camera's next frame as a JPEG file's bytes (PNG with
    /// `image_type="image/png"`). The photo has the camera's current size
    /// unless `image_width` / `image_height` ask for a smaller one (one side
    /// alone keeps the aspect ratio); a size outside the camera's, a
    /// `fill_light_mode` other than `"off"` or `red_eye_reduction=True` raise
    /// OverconstrainedError naming it. Waits up to `timeout` seconds for the
    /// frame (None: 10 s) with the GIL released, then raises TimeoutError.
    #[pyo3(
        signature = (*, image_width = None, image_height = None, fill_light_mode = None,
                     red_eye_reduction = None, image_type = None, timeout = None),
        text_signature = "(self, *, image_width=None, image_height=None, fill_light_mode=None, \
                          red_eye_reduction=None, image_type='image/jpeg', timeout=None)"
    )]
    #[allow(clippy::too_many_arguments)]
    fn take_photo<'py>(
        &self,
        py: Python<'py>,
        image_width: Option<&Bound<'py, PyAny>>,
        image_height: Option<&Bound<'py, PyAny>>,
        fill_light_mode: Option<&Bound<'py, PyAny>>,
        red_eye_reduction: Option<&Bound<'py, PyAny>>,
        image_type: Option<&Bound<'py, PyAny>>,
        timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut dict = serde_json::Map::new();
        dict.insert("imageWidth".into(), pixels(py, image_width, "image_width")?);
        dict.insert(
            "imageHeight".into(),
            pixels(py, image_height, "image_height")?,
        );
        if let Some(mode) = text(py, fill_light_mode, "fill_light_mode")? {
            dict.insert("fillLightMode".into(), Value::String(mode));
        }
        if let Some(v) = absent(red_eye_reduction) {
            let b = v.cast::<PyBool>().map_err(|_| {
                type_error(
                    py,
                    format!("red_eye_reduction must be a bool, got {}", type_name(v)),
                )
            })?;
            dict.insert("redEyeReduction".into(), Value::Bool(b.is_true()));
        }
        if let Some(mime) = text(py, image_type, "image_type")? {
            if ImageType::from_mime(&mime).is_none() {
                return Err(type_error(
                    py,
                    format!("image_type must be \"image/jpeg\" or \"image/png\", got {mime:?}"),
                ));
            }
            dict.insert("imageType".into(), Value::String(mime));
        }
        let settings = PhotoSettings::from_value(&Value::Object(dict)).or_raise(py)?;
        let timeout = photo_timeout(py, timeout)?;
        let photo = py
            .detach(|| self.inner.take_photo(&settings, timeout))
            .or_raise(py)?;
        Ok(PyBytes::new(py, &photo.data))
    }

    /// `grabFrame()`: the camera's next frame as an RGBA `Frame` (one plane,
    /// `to_numpy()` gives `(height, width, 4)`) at the track's own size.
    /// Waits up to `timeout` seconds (None: 10 s) with the GIL released, then
    /// raises TimeoutError.
    #[pyo3(signature = (timeout = None))]
    fn grab_frame(&self, py: Python<'_>, timeout: Option<f64>) -> PyResult<PyFrame> {
        let timeout = photo_timeout(py, timeout)?;
        let frame = py.detach(|| self.inner.grab_frame(timeout)).or_raise(py)?;
        Ok(PyFrame::new(frame))
    }

    fn __repr__(&self, py: Python<'_>) -> String {
        let track = self.track.bind(py).get().core();
        format!(
            "<ImageCapture of {} {:?} {}>",
            track.id(),
            track.label(),
            track.ready_state().as_str()
        )
    }
}
