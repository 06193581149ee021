//! Module-level calls on the process-wide `MediaDevices` (configured by
//! `configure()` or the environment: `LMS_BACKENDS`, `LMS_FAKE_DEVICES`).

use lms_core::{DeviceInfo, MediaDevices, MediaStreamConstraints};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert;
use crate::errors::OrRaise;
use crate::stream::PyStream;

fn devices() -> &'static MediaDevices {
    MediaDevices::global()
}

/// Replace the configuration with a JSON document (see `localmediastream.configure`).
#[pyfunction]
pub fn configure_json(py: Python<'_>, config_json: &str) -> PyResult<()> {
    py.detach(|| devices().configure(config_json)).or_raise(py)
}

/// `getUserMedia()`: constraints as a dict (or JSON text).
#[pyfunction]
pub fn get_user_media(py: Python<'_>, constraints: &Bound<'_, PyAny>) -> PyResult<PyStream> {
    let value = convert::to_json(py, constraints, "constraints")?;
    let constraints = MediaStreamConstraints::from_value(&value).or_raise(py)?;
    let stream = py
        .detach(|| devices().get_user_media(&constraints))
        .or_raise(py)?;
    Ok(PyStream::new(stream))
}

/// A device as `enumerate_devices()` lists it: an input (`audioinput`,
/// `videoinput`) or an audio output (`audiooutput`, listed, never captured
/// from). Equal to another `DeviceInfo` with the same fields.
#[pyclass(module = "localmediastream", name = "DeviceInfo", frozen, eq, hash)]
#[derive(PartialEq, Eq, Hash)]
pub struct PyDeviceInfo {
    /// Stable across runs, e.g. `"fake:video:0"`.
    #[pyo3(get)]
    device_id: String,
    /// `"audioinput"`, `"videoinput"` or `"audiooutput"`.
    #[pyo3(get)]
    kind: &'static str,
    #[pyo3(get)]
    label: String,
    /// Devices of one physical product share it.
    #[pyo3(get)]
    group_id: String,
}

impl From<DeviceInfo> for PyDeviceInfo {
    fn from(d: DeviceInfo) -> PyDeviceInfo {
        PyDeviceInfo {
            kind: d.device_kind(),
            device_id: d.device_id,
            label: d.label,
            group_id: d.group_id,
        }
    }
}

#[pymethods]
impl PyDeviceInfo {
    /// What the device can deliver, as `get_capabilities()` of a track on it.
    fn get_capabilities<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let caps = py
            .detach(|| devices().device_capabilities(&self.device_id))
            .or_raise(py)?;
        convert::to_py(py, &caps)
    }
    /// `{"deviceId", "kind", "label", "groupId"}` (the specification's `toJSON()`).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let json = serde_json::json!({
            "deviceId": self.device_id,
            "kind": self.kind,
            "label": self.label,
            "groupId": self.group_id,
        });
        convert::to_py(py, &json)
    }
    fn __repr__(&self) -> String {
        format!(
            "DeviceInfo(device_id={:?}, kind={:?}, label={:?}, group_id={:?})",
            self.device_id, self.kind, self.label, self.group_id
        )
    }
}

/// `enumerateDevices()`: every input device, microphones first, then cameras,
/// each kind's system default first; the same order on every call while
/// nothing changes (new objects each call).
#[pyfunction]
pub fn enumerate_devices<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
    let list = py.detach(|| devices().enumerate_devices()).or_raise(py)?;
    PyList::new(py, list.into_iter().map(PyDeviceInfo::from))
}

/// `getSupportedConstraints()`: every supported constraint name mapped to True.
#[pyfunction]
pub fn get_supported_constraints<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
    convert::to_py(
        py,
        &serde_json::json!(MediaDevices::get_supported_constraints()),
    )
}

/// Apply a test control to a fake device: `"disconnect"`, `"reconnect"`,
/// `"mute"`, `"unmute"`, `"fail"`, `"busy"`, `"free"`, and for a camera
/// `"controls-refuse"` (its control writes fail with NotReadableError) and
/// `"controls-accept"` (they work again).
/// InvalidArgumentError for another action, NotFoundError for an unknown device.
#[pyfunction]
pub fn fake_device_control(py: Python<'_>, device_id: &str, action: &str) -> PyResult<()> {
    py.detach(|| devices().fake_device_control(device_id, action))
        .or_raise(py)
}

/// How often a fake device was opened and closed; open while `opens > closes`.
#[pyclass(module = "localmediastream", name = "DeviceUsage", frozen, eq)]
#[derive(PartialEq)]
pub struct PyDeviceUsage {
    #[pyo3(get)]
    opens: u64,
    #[pyo3(get)]
    closes: u64,
}

#[pymethods]
impl PyDeviceUsage {
    /// Whether a driver holds the device now.
    #[getter]
    fn is_open(&self) -> bool {
        self.opens > self.closes
    }
    fn __repr__(&self) -> String {
        format!("DeviceUsage(opens={}, closes={})", self.opens, self.closes)
    }
}

/// Open/close counts of a fake device (they restart at 0 when `configure()` makes new devices).
#[pyfunction]
pub fn fake_device_usage(py: Python<'_>, device_id: &str) -> PyResult<PyDeviceUsage> {
    let usage = devices().fake_device_usage(device_id).or_raise(py)?;
    Ok(PyDeviceUsage {
        opens: usage.opens,
        closes: usage.closes,
    })
}
