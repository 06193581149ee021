//! lms-core errors as Python exceptions, variant by variant.
//!
//! The classes live in `localmediastream/_errors.py` (one per name, all
//! subclasses of `localmediastream.Error`; `TypeError` is also Python's
//! `TypeError`, `TimeoutError` Python's `TimeoutError`, `InvalidArgumentError`
//! a `ValueError`). This module looks the class up by the error's name, so
//! the Rust and Python sides cannot drift apart without a test noticing.

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::PyModule;

static ERRORS: PyOnceLock<Py<PyModule>> = PyOnceLock::new();

/// The Python exception for a core error: `localmediastream.<name>(message)`,
/// and for `OverconstrainedError` `(message, constraint)`.
pub fn to_py(py: Python<'_>, e: lms_core::Error) -> PyErr {
    match build(py, &e) {
        Ok(err) => err,
        // Only when the pure-Python package is missing (the extension imported alone).
        Err(_) => PyRuntimeError::new_err(e.to_string()),
    }
}

fn build(py: Python<'_>, e: &lms_core::Error) -> PyResult<PyErr> {
    let module = ERRORS.get_or_try_init(py, || {
        py.import("localmediastream._errors").map(Bound::unbind)
    })?;
    let class = module.bind(py).getattr(e.name())?;
    let value = match e.constraint() {
        Some(constraint) => class.call1((e.message(), constraint))?,
        None => class.call1((e.message(),))?,
    };
    Ok(PyErr::from_value(value))
}

/// `lms.TypeError(message)`: malformed input, as the specification's TypeError.
pub fn type_error(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, lms_core::Error::Type(message.into()))
}

/// `lms.InvalidArgumentError(message)`: an argument out of range.
pub fn invalid_argument(py: Python<'_>, message: impl Into<String>) -> PyErr {
    to_py(py, lms_core::Error::InvalidArgument(message.into()))
}

/// `.or_raise(py)`: a core result as a Python result.
pub trait OrRaise<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> OrRaise<T> for lms_core::Result<T> {
    fn or_raise(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| to_py(py, e))
    }
}
