//! `render_audio()`: the far end, the audio the program plays, handed to every
//! echo canceller of the process (`lms_core::audio::render`).
//!
//! The samples are float32, interleaved: a numpy array (1-D interleaved, or
//! 2-D `(frames, channels)`) or any buffer-protocol object of format `'f'`
//! (`array.array('f')`, a `memoryview` cast to `'f'`). The buffer is read
//! through a `memoryview` (every Python version and platform of the abi3
//! wheel has it) and copied once, C-contiguous, by `tobytes()`; the samples
//! are then converted and rendered with the GIL released.

use lms_core::audio::render::MIN_RENDER_RATE;
use lms_core::audio::{MAX_CHANNELS, MAX_SAMPLE_RATE};
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyInt, PyMemoryView};

use crate::errors::{type_error, OrRaise};

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".into())
}

/// The `(`..`)` text of a shape, as numpy prints it.
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

/// Whether a struct-module format string is float32 in this machine's byte order.
fn is_native_f32(format: &str) -> bool {
    match format {
        "f" | "@f" | "=f" => true,
        "<f" => cfg!(target_endian = "little"),
        ">f" | "!f" => cfg!(target_endian = "big"),
        _ => false,
    }
}

/// An integer argument (not a bool), as i128 so that any Python int in range
/// of the checks below converts; `what` names it in the TypeError.
fn integer(py: Python<'_>, value: &Bound<'_, PyAny>, what: &str) -> PyResult<i128> {
    if !value.is_instance_of::<PyInt>() || value.is_instance_of::<PyBool>() {
        return Err(type_error(
            py,
            format!(
                "render_audio(): {what} must be an int, got {}",
                type_name(value)
            ),
        ));
    }
    // Beyond i128 is out of every range below.
    Ok(value.extract::<i128>().unwrap_or(i128::MAX))
}

/// `samples` as a memoryview of native float32, or the TypeError naming what it is.
fn float32_view<'py>(
    py: Python<'py>,
    samples: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyMemoryView>> {
    let view = PyMemoryView::from(samples).map_err(|_| {
        type_error(
            py,
            format!(
                "render_audio(): samples must be float32 audio, a numpy array of dtype float32 \
                 or another buffer of format 'f' (e.g. array.array('f')); got {}",
                type_name(samples)
            ),
        )
    })?;
    let format: String = view.getattr("format")?.extract()?;
    if !is_native_f32(&format) {
        let itemsize: usize = view.getattr("itemsize")?.extract()?;
        // A numpy array says its dtype; any other buffer its format.
        let what = match samples.getattr("dtype") {
            Ok(dtype) if samples.hasattr("shape").unwrap_or(false) => {
                format!("a numpy array of dtype {}", dtype.str()?)
            }
            _ => format!(
                "{} of format '{format}' ({itemsize}-byte items)",
                type_name(samples)
            ),
        };
        return Err(type_error(
            py,
            format!(
                "render_audio(): samples must be float32 (format 'f', native byte order), got \
                 {what}; convert with numpy.asarray(samples, dtype=numpy.float32)"
            ),
        ));
    }
    Ok(view)
}

/// Give the echo cancellers the audio the program plays (the far end).
///
/// `samples`: float32, interleaved: a 1-D numpy array (or any buffer of
/// format 'f') of `channels` samples per frame, or a 2-D array of shape
/// (frames, channels). `sample_rate`: 8000 to 384000 Hz; `channels`: 1 to 32
/// (default: the array's second dimension, else 1). Call it with what is
/// played, as it is played: every track with echoCancellation on, in this
/// process, removes it from what its microphone hears. Copies the samples;
/// never waits for capture; releases the GIL. Raises TypeError naming what
/// is wrong (dtype, shape, rate, channel count, a NaN or infinite sample),
/// with nothing rendered.
#[pyfunction]
#[pyo3(signature = (samples, sample_rate, channels=None))]
pub fn render_audio(
    py: Python<'_>,
    samples: &Bound<'_, PyAny>,
    sample_rate: &Bound<'_, PyAny>,
    channels: Option<&Bound<'_, PyAny>>,
) -> PyResult<()> {
    let view = float32_view(py, samples)?;
    let shape: Vec<usize> = view.getattr("shape")?.extract()?;
    let asked = channels.map(|c| integer(py, c, "channels")).transpose()?;
    let channels: i128 = match (shape.as_slice(), asked) {
        ([_], asked) => asked.unwrap_or(1),
        ([_, width], None) => *width as i128,
        ([_, width], Some(asked)) if asked == *width as i128 => asked,
        ([_, width], Some(asked)) => {
            return Err(type_error(
                py,
                format!(
                    "render_audio(): channels={asked} contradicts samples of shape {} \
                     ({width} channels)",
                    shape_text(&shape)
                ),
            ))
        }
        _ => {
            return Err(type_error(
                py,
                format!(
                    "render_audio(): samples must be 1-D (interleaved) or 2-D (frames, channels), \
                     got shape {}",
                    shape_text(&shape)
                ),
            ))
        }
    };
    let rate = integer(py, sample_rate, "sample_rate")?;
    let rate = u32::try_from(rate).map_err(|_| {
        type_error(
            py,
            format!(
                "render_audio(): sample rate {rate} Hz is outside \
                 {MIN_RENDER_RATE}..={MAX_SAMPLE_RATE}"
            ),
        )
    })?;
    let channels = u16::try_from(channels).map_err(|_| {
        type_error(
            py,
            format!("render_audio(): channel count {channels} is outside 1..={MAX_CHANNELS}"),
        )
    })?;
    let copy = view.call_method0("tobytes")?.cast_into::<PyBytes>()?;
    let bytes: &[u8] = copy.as_bytes();
    py.detach(|| {
        // SAFETY: every bit pattern is a valid f32; `align_to` hands out only
        // the aligned middle, whole floats.
        let (head, middle, tail) = unsafe { bytes.align_to::<f32>() };
        let copied: Vec<f32>;
        let floats = if head.is_empty() && tail.is_empty() {
            middle
        } else {
            copied = bytes
                .chunks_exact(4)
                .map(|c| f32::from_ne_bytes([c[0], c[1], c[2], c[3]]))
                .collect();
            &copied
        };
        lms_core::audio::render(floats, rate, channels).map_err(|e| match e {
            lms_core::Error::Type(m) => lms_core::Error::Type(format!(
                "render_audio(): {}",
                m.strip_prefix("render: ").unwrap_or(&m)
            )),
            other => other,
        })
    })
    .or_raise(py)
}
