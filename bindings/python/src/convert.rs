//! Python values <-> JSON values (constraints in, settings and capabilities out).

use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

use crate::errors::type_error;

/// Deepest nesting accepted from Python (constraints are 3-4 levels deep);
/// also what stops a self-referencing dict.
const MAX_DEPTH: usize = 32;

/// A constraints argument: a dict (or list, bool, number, string, None) made of
/// JSON-like values, or a `str` of JSON text. `what` names the argument in errors.
pub fn to_json(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<Value> {
    if let Ok(text) = value.cast::<PyString>() {
        return lms_core::constraints::parse_json(&text.to_cow()?)
            .map_err(|e| crate::errors::to_py(py, e));
    }
    convert(py, value, what, 0)
}

fn convert(py: Python<'_>, v: &Bound<'_, PyAny>, at: &str, depth: usize) -> PyResult<Value> {
    if depth > MAX_DEPTH {
        return Err(type_error(
            py,
            format!("{at}: nested deeper than {MAX_DEPTH} levels"),
        ));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = v.extract::<u64>() {
            return Ok(Value::from(u));
        }
        let f: f64 = v.extract()?;
        return number(py, f, at);
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return number(py, f.value(), at);
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(s.to_cow()?.into_owned()));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, item) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                type_error(
                    py,
                    format!("{at}: keys must be strings, got {}", type_name(&k)),
                )
            })?;
            let key = key.to_cow()?.into_owned();
            let path = format!("{at}.{key}");
            let value = convert(py, &item, &path, depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut list = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            list.push(convert(py, &item?, &format!("{at}[{i}]"), depth + 1)?);
        }
        return Ok(Value::Array(list));
    }
    Err(type_error(
        py,
        format!(
            "{at}: expected a dict, list, str, number, bool or None, got {}",
            type_name(v)
        ),
    ))
}

fn number(py: Python<'_>, f: f64, at: &str) -> PyResult<Value> {
    Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| type_error(py, format!("{at}: {f} is not a finite number")))
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// A JSON value as the equivalent Python object (dict, list, str, int, float, bool, None).
pub fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}
