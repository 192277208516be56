//! The one error type of this crate.
//!
//! Every variant names the file at fault and carries a stable code (see [`WeightsError::code`])
//! that the UI and the CLI can branch on.

use std::path::{Path, PathBuf};

/// What went wrong while reading, checking or writing a weight file.
#[derive(Debug, thiserror::Error)]
pub enum WeightsError {
    /// The file or folder does not exist.
    #[error("{path}: no such file or folder", path = .path.display())]
    NotFound {
        /// The path that was looked for.
        path: PathBuf,
    },

    /// The operating system failed to read or write the file.
    #[error("{path}: {source}", path = .path.display())]
    Io {
        /// The file being read or written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },

    /// The file is not what it claims to be, or is truncated or corrupt.
    #[error("{path}: {found} (expected {expected})", path = .path.display())]
    InvalidFormat {
        /// The file at fault.
        path: PathBuf,
        /// What the file should have been or contained.
        expected: String,
        /// What was found instead.
        found: String,
    },

    /// The file is well formed but of a version this product does not read or train.
    #[error("{path}: {detail}", path = .path.display())]
    UnsupportedVersion {
        /// The file at fault.
        path: PathBuf,
        /// Which version was found and which are supported.
        detail: String,
    },

    /// The pickle asked for a class or function that is not on the allow-list; nothing ran.
    #[error(
        "{path}: refused to unpickle `{class}`: only state-dict classes (OrderedDict, tensor \
         rebuild functions, storages, utils.HParams) are allowed",
        path = .path.display()
    )]
    RefusedPickle {
        /// The file at fault.
        path: PathBuf,
        /// The fully qualified name of the refused global (`posix.system`, ...).
        class: String,
    },

    /// Parameters the model needs are absent from the weights.
    #[error("{path}: missing parameter {}", .names.join(", "), path = .path.display())]
    MissingParameter {
        /// The weight file.
        path: PathBuf,
        /// The missing parameter names.
        names: Vec<String>,
    },

    /// The weights hold parameters the model does not have.
    #[error("{path}: unexpected parameter {}", .names.join(", "), path = .path.display())]
    UnexpectedParameter {
        /// The weight file.
        path: PathBuf,
        /// The parameter names the model does not know.
        names: Vec<String>,
    },

    /// A parameter has a different shape in the file than in the model.
    #[error(
        "{path}: parameter {name} has shape {found:?} in the file, the model expects {expected:?}",
        path = .path.display()
    )]
    ShapeMismatch {
        /// The weight file.
        path: PathBuf,
        /// The parameter name.
        name: String,
        /// The shape of the model's parameter.
        expected: Vec<i64>,
        /// The shape stored in the file.
        found: Vec<i64>,
    },

    /// A tensor has an element type that the requested operation cannot handle.
    #[error("{path}: tensor {name} has dtype {dtype}, {detail}", path = .path.display())]
    UnsupportedDtype {
        /// The weight file.
        path: PathBuf,
        /// The tensor name.
        name: String,
        /// The dtype found.
        dtype: String,
        /// What would have been accepted.
        detail: String,
    },

    /// libtorch reported an error while placing or copying a tensor.
    #[error("{path}: libtorch failed on {name}: {message}", path = .path.display())]
    Torch {
        /// The weight file.
        path: PathBuf,
        /// The tensor being handled.
        name: String,
        /// libtorch's message.
        message: String,
    },
}

impl WeightsError {
    /// A stable, machine-readable code for this kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound { .. } => "not_found",
            Self::Io { .. } => "io",
            Self::InvalidFormat { .. } => "invalid_format",
            Self::UnsupportedVersion { .. } => "unsupported_version",
            Self::RefusedPickle { .. } => "refused_pickle",
            Self::MissingParameter { .. } => "missing_parameter",
            Self::UnexpectedParameter { .. } => "unexpected_parameter",
            Self::ShapeMismatch { .. } => "shape_mismatch",
            Self::UnsupportedDtype { .. } => "unsupported_dtype",
            Self::Torch { .. } => "torch",
        }
    }

    /// Builds an [`WeightsError::Io`], or [`WeightsError::NotFound`] when the OS says so.
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        if source.kind() == std::io::ErrorKind::NotFound {
            return Self::NotFound {
                path: path.to_path_buf(),
            };
        }
        Self::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// Builds an [`WeightsError::InvalidFormat`].
    pub fn invalid(path: &Path, expected: impl Into<String>, found: impl Into<String>) -> Self {
        Self::InvalidFormat {
            path: path.to_path_buf(),
            expected: expected.into(),
            found: found.into(),
        }
    }
}

/// The result type of this crate.
pub type Result<T, E = WeightsError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_parameter_message_names_the_parameter() {
        let error = WeightsError::MissingParameter {
            path: PathBuf::from("g.pth"),
            names: vec!["enc_p.ssl_proj.weight".into()],
        };

        assert_eq!(
            error.to_string(),
            "g.pth: missing parameter enc_p.ssl_proj.weight"
        );
        assert_eq!(error.code(), "missing_parameter");
    }

    #[test]
    fn io_not_found_becomes_not_found() {
        let source = std::io::Error::from(std::io::ErrorKind::NotFound);

        let error = WeightsError::io(Path::new("x.pth"), source);

        assert_eq!(error.code(), "not_found");
    }
}
