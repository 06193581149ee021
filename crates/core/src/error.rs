//! The one error type of the library. Every binding maps it variant by variant
//! (C: `lms_status`, Python: a class per name, Node: `.name`).

/// An error, named as the Media Capture and Streams specification names it
/// (`TypeError`, `OverconstrainedError`, ...) or, for native-only conditions,
/// `InvalidHandleError`, `InvalidArgumentError`, `TimeoutError`, `EndedError`
/// and `InternalError`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// The request is malformed: no kind asked for, a constraint of the wrong type, bad JSON.
    #[error("TypeError: {0}")]
    Type(String),
    /// No device of the kind asked for exists.
    #[error("NotFoundError: {0}")]
    NotFound(String),
    /// The device exists but could not be opened or read (busy, failing, broken file).
    #[error("NotReadableError: {0}")]
    NotReadable(String),
    /// A required constraint cannot be met; `constraint` names it.
    #[error("OverconstrainedError: {message}")]
    Overconstrained { constraint: String, message: String },
    /// The application's permission policy refused the request.
    #[error("NotAllowedError: {0}")]
    NotAllowed(String),
    /// The request was aborted for another reason.
    #[error("AbortError: {0}")]
    Abort(String),
    /// The object is in a state that does not allow the call.
    #[error("InvalidStateError: {0}")]
    InvalidState(String),
    /// A native handle is stale, released, forged or of the wrong kind.
    #[error("InvalidHandleError: {0}")]
    InvalidHandle(String),
    /// An argument is out of range (a NULL pointer, a negative timeout, an unknown action).
    #[error("InvalidArgumentError: {0}")]
    InvalidArgument(String),
    /// No frame arrived before the timeout.
    #[error("TimeoutError: no frame within {0} ms")]
    Timeout(u64),
    /// The track has ended and its queue is empty.
    #[error("EndedError: {0}")]
    Ended(String),
    /// A bug or an unexpected failure inside the library.
    #[error("InternalError: {0}")]
    Internal(String),
}

/// Shorthand used across the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The error's name: `"OverconstrainedError"`, `"NotFoundError"`, ...
    pub fn name(&self) -> &'static str {
        match self {
            Error::Type(_) => "TypeError",
            Error::NotFound(_) => "NotFoundError",
            Error::NotReadable(_) => "NotReadableError",
            Error::Overconstrained { .. } => "OverconstrainedError",
            Error::NotAllowed(_) => "NotAllowedError",
            Error::Abort(_) => "AbortError",
            Error::InvalidState(_) => "InvalidStateError",
            Error::InvalidHandle(_) => "InvalidHandleError",
            Error::InvalidArgument(_) => "InvalidArgumentError",
            Error::Timeout(_) => "TimeoutError",
            Error::Ended(_) => "EndedError",
            Error::Internal(_) => "InternalError",
        }
    }

    /// The message without the name.
    pub fn message(&self) -> String {
        match self {
            Error::Type(m)
            | Error::NotFound(m)
            | Error::NotReadable(m)
            | Error::NotAllowed(m)
            | Error::Abort(m)
            | Error::InvalidState(m)
            | Error::InvalidHandle(m)
            | Error::InvalidArgument(m)
            | Error::Ended(m)
            | Error::Internal(m) => m.clone(),
            Error::Overconstrained { message, .. } => message.clone(),
            Error::Timeout(ms) => format!("no frame within {ms} ms"),
        }
    }

    /// For `OverconstrainedError`, the constraint that could not be met; else `None`.
    pub fn constraint(&self) -> Option<&str> {
        match self {
            Error::Overconstrained { constraint, .. } => Some(constraint),
            _ => None,
        }
    }

    /// An `OverconstrainedError` for `constraint` with a message saying why.
    pub fn overconstrained(constraint: impl Into<String>, why: impl std::fmt::Display) -> Error {
        let constraint = constraint.into();
        Error::Overconstrained {
            message: format!("{constraint}: {why}"),
            constraint,
        }
    }
}
