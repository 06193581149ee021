//! Errors of the command and their exit codes: one per error name of the
//! library (10 + the C API's `lms_status`), 1 for files that cannot be
//! written, 2 for a bad command line (clap's own).

use std::fmt;
use std::process::ExitCode;

/// What `lms --help` says about exit codes.
pub const EXIT_CODES_HELP: &str = "\
Exit status:
   0  success (also after Ctrl-C: the files are complete)
   1  an output file could not be written
   2  bad command line
  11  TypeError             malformed constraints or configuration
  12  NotFoundError         no such device, or no device of the kind
  13  NotReadableError      the device is busy or failing, or its file is broken
  14  OverconstrainedError  a required constraint cannot be met (the message names it)
  15  NotAllowedError       the permission policy denies the kind
  16  AbortError
  17  InvalidStateError
  18  InvalidHandleError
  19  InvalidArgumentError
  20  TimeoutError          the device delivered nothing in time
  21  EndedError            the track ended before anything was captured
  22  InternalError         a bug: please report it

Environment: LMS_BACKENDS, LMS_FAKE_DEVICES, LMS_FAKE_VIDEO_FILE, LMS_FAKE_AUDIO_FILE
(see the README); --config and --fake override them.";

/// An error that ends the command.
#[derive(Debug)]
pub enum CliError {
    /// An error of the library, by name.
    Media(lms_core::Error),
    /// Writing an output file failed.
    Output(String),
}

impl CliError {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            CliError::Output(_) => 1,
            CliError::Media(e) => media_code(e),
        })
    }

    /// An output error about `path`.
    pub fn output(path: &std::path::Path, what: impl fmt::Display) -> CliError {
        CliError::Output(format!("{}: {what}", path.display()))
    }
}

/// The exit code of a library error: 10 + its `lms_status`.
pub fn media_code(e: &lms_core::Error) -> u8 {
    match e.name() {
        "TypeError" => 11,
        "NotFoundError" => 12,
        "NotReadableError" => 13,
        "OverconstrainedError" => 14,
        "NotAllowedError" => 15,
        "AbortError" => 16,
        "InvalidStateError" => 17,
        "InvalidHandleError" => 18,
        "InvalidArgumentError" => 19,
        "TimeoutError" => 20,
        "EndedError" => 21,
        _ => 22,
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Media(e) => write!(f, "{e}"),
            CliError::Output(m) => write!(f, "cannot write output: {m}"),
        }
    }
}

impl From<lms_core::Error> for CliError {
    fn from(e: lms_core::Error) -> Self {
        CliError::Media(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lms_core::Error;

    #[test]
    fn every_error_name_has_its_own_exit_code() {
        let errors = [
            Error::Type(String::new()),
            Error::NotFound(String::new()),
            Error::NotReadable(String::new()),
            Error::overconstrained("width", ""),
            Error::NotAllowed(String::new()),
            Error::Abort(String::new()),
            Error::InvalidState(String::new()),
            Error::InvalidHandle(String::new()),
            Error::InvalidArgument(String::new()),
            Error::Timeout(1),
            Error::Ended(String::new()),
            Error::Internal(String::new()),
        ];
        let codes: Vec<u8> = errors.iter().map(media_code).collect();
        assert_eq!(codes, (11..=22).collect::<Vec<u8>>());
        for e in &errors {
            assert!(EXIT_CODES_HELP.contains(e.name()), "{}", e.name());
        }
    }
}
