//! Dropping core handles without holding the GIL.
//!
//! Dropping the last handle of a live track stops it, and stopping waits for
//! the track's delivery thread, which may itself be waiting for the GIL to
//! run a Python frame callback. So every core handle a Python object owns is
//! dropped with the GIL released.

use std::ops::Deref;

use pyo3::prelude::*;

/// A value dropped with the GIL released (see the module docs).
pub struct Detached<T: Send>(Option<T>);

impl<T: Send> Detached<T> {
    pub fn new(value: T) -> Detached<T> {
        Detached(Some(value))
    }
}

impl<T: Send> Deref for Detached<T> {
    type Target = T;
    fn deref(&self) -> &T {
        self.0
            .as_ref()
            .expect("a Detached value is present until it is dropped")
    }
}

impl<T: Send> Drop for Detached<T> {
    fn drop(&mut self) {
        drop_detached(self.0.take());
    }
}

/// Drop `value` with the GIL released if this thread holds it.
pub fn drop_detached<T: Send>(value: T) {
    let mut value = Some(value);
    Python::try_attach(|py| py.detach(|| drop(value.take())));
    drop(value);
}
