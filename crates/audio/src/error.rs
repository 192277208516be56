//! The one error type of the crate.

use std::path::{Path, PathBuf};

/// Everything that can go wrong while decoding, slicing, writing or playing audio.
///
/// Each variant has a stable code ([`AudioError::code`]) that the UI can branch on; the message
/// names the file or the parameter at fault.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// Reading or writing a file failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder that could not be read or written.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },

    /// A path that was given does not exist.
    #[error("{}: no such file or folder", path.display())]
    NotFound {
        /// The missing path.
        path: PathBuf,
    },

    /// The file is in a known format but its content could not be decoded.
    #[error("{}: cannot decode: {reason}", path.display())]
    Decode {
        /// The file that failed.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },

    /// The file's container or codec is not one this crate can decode.
    #[error("{}: unsupported format: {reason}", path.display())]
    UnsupportedFormat {
        /// The file that failed.
        path: PathBuf,
        /// Which container or codec was found.
        reason: String,
    },

    /// The audio is too short for the slicer.
    #[error("{}: too short to slice: {reason}", path.display())]
    TooShort {
        /// The file that failed.
        path: PathBuf,
        /// How short it is, and the minimum.
        reason: String,
    },

    /// A parameter is out of its range.
    #[error("invalid parameter `{field}`: {reason}")]
    InvalidParams {
        /// The name of the field, as in [`crate::SliceParams`].
        field: &'static str,
        /// The rule it breaks.
        reason: String,
    },

    /// No file among the inputs could be used.
    #[error("no usable audio: {reason}")]
    NoUsableAudio {
        /// Why nothing was left (no audio files found, or every file was skipped).
        reason: String,
    },

    /// The work was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,

    /// There is no audio output device, or its stream cannot be opened.
    #[error("no audio output device: {reason}")]
    NoAudioDevice {
        /// What the audio backend said.
        reason: String,
    },

    /// Playback started but the output stream failed.
    #[error("playback failed: {reason}")]
    Playback {
        /// What the audio backend said.
        reason: String,
    },
}

impl AudioError {
    /// A stable, machine-readable code for the kind of error.
    pub fn code(&self) -> &'static str {
        match self {
            AudioError::Io { .. } => "io",
            AudioError::NotFound { .. } => "not_found",
            AudioError::Decode { .. } => "decode",
            AudioError::UnsupportedFormat { .. } => "unsupported_format",
            AudioError::TooShort { .. } => "too_short",
            AudioError::InvalidParams { .. } => "invalid_params",
            AudioError::NoUsableAudio { .. } => "no_usable_audio",
            AudioError::Cancelled => "cancelled",
            AudioError::NoAudioDevice { .. } => "no_audio_device",
            AudioError::Playback { .. } => "playback",
        }
    }

    pub(crate) fn io(path: &Path, source: std::io::Error) -> Self {
        AudioError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    pub(crate) fn decode(path: &Path, reason: impl Into<String>) -> Self {
        AudioError::Decode {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn unsupported(path: &Path, reason: impl Into<String>) -> Self {
        AudioError::UnsupportedFormat {
            path: path.to_path_buf(),
            reason: reason.into(),
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        AudioError::InvalidParams {
            field,
            reason: reason.into(),
        }
    }
}

/// Shorthand for results of this crate.
pub type Result<T> = std::result::Result<T, AudioError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_and_messages_name_the_file() {
        let err = AudioError::decode(Path::new("/x/录音 1.wav"), "bad header");
        assert_eq!(err.code(), "decode");
        assert_eq!(err.to_string(), "/x/录音 1.wav: cannot decode: bad header");
        assert_eq!(AudioError::Cancelled.code(), "cancelled");
        let err = AudioError::invalid("hop_size", "must be > 0");
        assert_eq!(err.code(), "invalid_params");
        assert!(err.to_string().contains("hop_size"));
    }
}
