//! Logging for the app and the CLI: every record goes to the terminal (standard error) and to a
//! file in the log folder; `RUST_LOG` chooses what is recorded; panics are logged, not lost.

use std::fmt;
use std::path::{Path, PathBuf};

use flexi_logger::{Duplicate, FileSpec, Logger, LoggerHandle, WriteMode};

/// The level spec used when `RUST_LOG` is not set.
pub const DEFAULT_SPEC: &str = "info";

/// Why logging could not start.
#[derive(Debug)]
pub struct LoggingError {
    log_dir: PathBuf,
    reason: String,
}

impl LoggingError {
    /// The stable error code the rest of the product uses.
    pub fn code(&self) -> &'static str {
        "io"
    }
}

impl fmt::Display for LoggingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot log to {}: {}",
            self.log_dir.display(),
            self.reason
        )
    }
}

impl std::error::Error for LoggingError {}

/// Keeps logging alive; dropping it flushes and closes the log file.
pub struct LogGuard {
    handle: LoggerHandle,
    file: PathBuf,
}

impl LogGuard {
    /// The file this process logs to.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// Writes buffered records to the file now.
    pub fn flush(&self) {
        self.handle.flush();
    }
}

/// How much of the log also goes to standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Terminal {
    /// Every recorded line (the app).
    All,
    /// Warnings and errors only (the CLI, whose standard error belongs to its own messages).
    WarningsOnly,
}

/// Starts logging for `program` into a new file under `log_dir` (created if missing) and every
/// line to standard error, and installs a panic hook that logs the panic before the default
/// report.
pub fn init(program: &str, log_dir: &Path) -> Result<LogGuard, LoggingError> {
    init_with(program, log_dir, Terminal::All)
}

/// Like [`init`], with a choice of what reaches standard error.
pub fn init_with(
    program: &str,
    log_dir: &Path,
    terminal: Terminal,
) -> Result<LogGuard, LoggingError> {
    let error = |reason: String| LoggingError {
        log_dir: log_dir.to_path_buf(),
        reason,
    };
    std::fs::create_dir_all(log_dir).map_err(|e| error(e.to_string()))?;

    let file_spec = FileSpec::default().directory(log_dir).basename(program);
    let handle = Logger::try_with_env_or_str(DEFAULT_SPEC)
        .map_err(|e| error(e.to_string()))?
        .log_to_file(file_spec.clone())
        .duplicate_to_stderr(match terminal {
            Terminal::All => Duplicate::All,
            Terminal::WarningsOnly => Duplicate::Warn,
        })
        .format_for_files(flexi_logger::detailed_format)
        .format_for_stderr(flexi_logger::default_format)
        .write_mode(WriteMode::Direct)
        .start()
        .map_err(|e| error(e.to_string()))?;

    install_panic_hook();
    let file = handle
        .existing_log_files(&flexi_logger::LogfileSelector::default())
        .ok()
        .and_then(|files| files.into_iter().last())
        .unwrap_or_else(|| file_spec.as_pathbuf(None));
    Ok(LogGuard { handle, file })
}

/// Logs every panic with its location and a backtrace, then runs the previous hook.
fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let backtrace = std::backtrace::Backtrace::force_capture();
        log::error!("panic: {info}\n{backtrace}");
        log::logger().flush();
        previous(info);
    }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_panics_reach_the_log_file() {
        let folder = tempfile::tempdir().unwrap();
        let guard = init("gsv-test", folder.path()).unwrap();

        log::info!("experiment 3 created");
        let panicked = std::panic::catch_unwind(|| panic!("stage exploded"));
        assert!(panicked.is_err());
        guard.flush();

        let text = std::fs::read_to_string(guard.file()).unwrap();
        assert!(text.contains("experiment 3 created"), "{text}");
        assert!(
            text.contains("panic: ") && text.contains("stage exploded"),
            "{text}"
        );
    }
}
