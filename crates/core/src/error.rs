//! The engine's one error type: a stable code the UI can branch on, a message that names the
//! thing at fault, and structured details.

use std::fmt;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

/// Result type of every engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable error codes. They are part of the contract with the UI and with scripts that call
/// `gsv --json`: never rename one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An experiment or stage does not exist.
    NotFound,
    /// A stage name is not one of the known stage kinds.
    InvalidStage,
    /// A stage was executed before the stages it needs completed.
    DependencyUnmet,
    /// A parameter or configuration field is missing, unknown or out of range.
    InvalidParams,
    /// An input file (a recording, a model) cannot be read or used: undecodable, unsupported,
    /// too short, empty.
    InvalidInput,
    /// A cancel was asked for a stage that is neither queued nor running.
    NotRunning,
    /// The operation collides with the current state (a name taken, a stage already running).
    Conflict,
    /// The stage has no implementation yet.
    NotImplemented,
    /// The stage was cancelled (used by stage implementations to unwind).
    Cancelled,
    /// The worker process running a stage ended abnormally (crash, signal, kill for memory).
    WorkerCrashed,
    /// A stage was running when its process ended; it did not finish.
    Interrupted,
    /// A file system operation failed.
    Io,
    /// The SQLite database failed.
    Database,
    /// No audio output device could be opened.
    NoAudioDevice,
    /// A bug: something that should not happen did.
    Internal,
}

impl ErrorCode {
    /// The code as it appears on the wire, e.g. `"dependency_unmet"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::InvalidStage => "invalid_stage",
            Self::DependencyUnmet => "dependency_unmet",
            Self::InvalidParams => "invalid_params",
            Self::InvalidInput => "invalid_input",
            Self::NotRunning => "not_running",
            Self::Conflict => "conflict",
            Self::NotImplemented => "not_implemented",
            Self::Cancelled => "cancelled",
            Self::WorkerCrashed => "worker_crashed",
            Self::Interrupted => "interrupted",
            Self::Io => "io",
            Self::Database => "database",
            Self::NoAudioDevice => "no_audio_device",
            Self::Internal => "internal",
        }
    }
}

/// What crosses to the UI and to `--json` output: `{code, message, details}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ErrorPayload {
    /// Stable code.
    pub code: ErrorCode,
    /// Human-readable message naming the thing at fault.
    pub message: String,
    /// Structured facts about the failure (field names, allowed ranges, exit status...).
    pub details: Value,
}

/// The engine's error.
#[derive(Debug, Clone, PartialEq)]
pub struct Error {
    code: ErrorCode,
    message: String,
    details: Value,
}

impl Error {
    /// An error with the given code and message and no details.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Value::Null,
        }
    }

    /// Adds structured details.
    pub fn with_details(mut self, details: Value) -> Self {
        self.details = details;
        self
    }

    /// The stable code, e.g. `"not_found"`.
    pub fn code(&self) -> &'static str {
        self.code.as_str()
    }

    /// The code as an enum.
    pub fn kind(&self) -> ErrorCode {
        self.code
    }

    /// The message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The structured details (`null` when there are none).
    pub fn details(&self) -> &Value {
        &self.details
    }

    /// The `{code, message, details}` form.
    pub fn payload(&self) -> ErrorPayload {
        ErrorPayload {
            code: self.code,
            message: self.message.clone(),
            details: self.details.clone(),
        }
    }

    /// `not_found` for a thing of a kind (`"experiment"`) with a key (an id or a name).
    pub fn not_found(what: &str, key: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} '{key}' not found"))
            .with_details(json!({ "what": what, "key": key }))
    }

    /// `invalid_params` about one field.
    pub fn invalid_field(field: &str, problem: impl Into<String>) -> Self {
        let problem = problem.into();
        Self::new(ErrorCode::InvalidParams, format!("{field}: {problem}"))
            .with_details(json!({ "field": field, "problem": problem }))
    }

    /// `io` for an operation on a path.
    pub fn io(action: &str, path: &Path, err: &std::io::Error) -> Self {
        let path = path.display().to_string();
        Self::new(ErrorCode::Io, format!("cannot {action} {path}: {err}"))
            .with_details(json!({ "path": path, "action": action }))
    }

    /// `internal` for something that should not happen.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorCode::Internal, message)
    }

    /// `cancelled`: returned by a stage implementation that stopped because it was asked to.
    pub fn cancelled() -> Self {
        Self::new(ErrorCode::Cancelled, "cancelled")
    }
}

impl From<ErrorPayload> for Error {
    fn from(payload: ErrorPayload) -> Self {
        Self {
            code: payload.code,
            message: payload.message,
            details: payload.details,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl Serialize for Error {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.payload().serialize(serializer)
    }
}

impl From<rusqlite::Error> for Error {
    fn from(err: rusqlite::Error) -> Self {
        Self::new(ErrorCode::Database, format!("database error: {err}"))
    }
}

impl From<serde_json::Error> for Error {
    fn from(err: serde_json::Error) -> Self {
        Self::internal(format!("corrupt JSON in the database: {err}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_as_code_message_details() {
        let err = Error::invalid_field("batch_size", "must be in 1..=40, got 0");

        let value = serde_json::to_value(&err).unwrap();

        assert_eq!(value["code"], "invalid_params");
        assert_eq!(value["message"], "batch_size: must be in 1..=40, got 0");
        assert_eq!(value["details"]["field"], "batch_size");
    }

    #[test]
    fn code_strings_match_serde_names() {
        for code in [
            ErrorCode::NotFound,
            ErrorCode::DependencyUnmet,
            ErrorCode::InvalidInput,
            ErrorCode::NoAudioDevice,
        ] {
            assert_eq!(serde_json::to_value(code).unwrap(), code.as_str());
        }
    }
}
