//! `localmediastream._native`: the Python binding of lms-core (PyO3, abi3 for
//! CPython 3.9+). The pure-Python package `localmediastream` around it adds
//! `open()`, `configure()`, the error classes, `async for`, numpy views and the
//! type stubs; everything else is a thin translation of the core.
//!
//! Threads: blocking calls (reading frames, opening and stopping devices,
//! applying constraints, taking photos) release the GIL. Event listeners run
//! on the core's `lms-events` thread and frame callbacks on each track's
//! `lms-track` thread; both take the GIL for each call.

mod buffer;
mod convert;
mod detached;
mod devices;
mod errors;
mod frame;
mod generator;
mod identity;
mod image_capture;
mod listeners;
mod render;
mod stream;
mod track;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", lms_core::VERSION)?;
    m.add_class::<stream::PyStream>()?;
    m.add_class::<identity::PyTrack>()?;
    m.add_class::<track::PyTrackStats>()?;
    m.add_class::<frame::PyFrame>()?;
    m.add_class::<image_capture::PyImageCapture>()?;
    m.add_class::<generator::PyVideoTrackGenerator>()?;
    m.add_class::<devices::PyDeviceInfo>()?;
    m.add_class::<devices::PyDeviceUsage>()?;
    m.add_class::<listeners::PyEvent>()?;
    m.add_function(wrap_pyfunction!(devices::configure_json, m)?)?;
    m.add_function(wrap_pyfunction!(devices::get_user_media, m)?)?;
    m.add_function(wrap_pyfunction!(devices::enumerate_devices, m)?)?;
    m.add_function(wrap_pyfunction!(devices::get_supported_constraints, m)?)?;
    m.add_function(wrap_pyfunction!(devices::fake_device_control, m)?)?;
    m.add_function(wrap_pyfunction!(devices::fake_device_usage, m)?)?;
    m.add_function(wrap_pyfunction!(listeners::add_device_change_listener, m)?)?;
    m.add_function(wrap_pyfunction!(
        listeners::remove_device_change_listener,
        m
    )?)?;
    m.add_function(wrap_pyfunction!(listeners::flush_events, m)?)?;
    m.add_function(wrap_pyfunction!(frame::decode_sequence, m)?)?;
    m.add_function(wrap_pyfunction!(render::render_audio, m)?)?;
    Ok(())
}
