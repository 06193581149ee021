//! Core errors as JavaScript errors.
//!
//! Every failure is thrown (or rejects) as a JS `Error` whose `message` is the
//! core's message, whose `code` is the specification's error name
//! (`TypeError`, `OverconstrainedError`, `NotFoundError`, ..., see
//! [`lms_core::Error::name`]) and, for `OverconstrainedError`, whose
//! `constraint` names the constraint. `lib/errors.js` turns it into the
//! class a browser would use (`TypeError`, `OverconstrainedError`, a
//! `DOMException` of that name).

use napi::bindgen_prelude::*;
use napi::JsValue;

/// The JS error for a core error (thrown as is when returned from a napi function).
pub fn to_js(env: &Env, error: &lms_core::Error) -> napi::Error {
    build(env, error).unwrap_or_else(|failed| failed)
}

fn build(env: &Env, error: &lms_core::Error) -> Result<napi::Error> {
    let mut object = env.create_error(napi::Error::new(Status::GenericFailure, error.message()))?;
    object.set("code", error.name())?;
    if let Some(constraint) = error.constraint() {
        object.set("constraint", constraint)?;
    }
    Ok(napi::Error::from(object.to_unknown()))
}

/// `value`, or the JS error for the core's error.
pub fn check<T>(env: &Env, value: lms_core::Result<T>) -> Result<T> {
    value.map_err(|e| to_js(env, &e))
}
