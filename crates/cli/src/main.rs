//! `gsv`: every GSV Studio engine operation from a terminal, on the same data folder as the app.
//!
//! Exit status: 0 on success; 1 when an operation fails (the message says why); 3 when a stage
//! that `stage run --wait` or `stage watch` followed ended `failed`, 4 when it ended
//! `cancelled`; 2 for command-line usage errors.

mod args;
mod commands;
mod doctor;
mod output;
mod text;

use std::process::ExitCode;

use clap::Parser;

use args::{Cli, Command};

fn main() -> ExitCode {
    // Worker mode first: it must not parse anything else from argv.
    if std::env::args().nth(1).as_deref() == Some(gsv_core::worker::WORKER_ARG) {
        return gsv_core::worker::run(&commands::stage_registry());
    }

    let cli = Cli::parse();
    let _log_guard = start_logging();
    if let Command::Worker = cli.command {
        return gsv_core::worker::run(&commands::stage_registry());
    }

    match commands::dispatch(cli.command, cli.json) {
        Ok(code) => code,
        Err(err) => {
            output::print_error(&err, cli.json);
            ExitCode::FAILURE
        }
    }
}

/// Logs to the app's log folder; only warnings reach the terminal, whose standard error belongs
/// to the command's own messages.
fn start_logging() -> Option<gsv_logging::LogGuard> {
    let log_dir = gsv_core::default_data_dir().ok()?.join("logs");
    gsv_logging::init_with("gsv", &log_dir, gsv_logging::Terminal::WarningsOnly)
        .map_err(|error| eprintln!("warning: logging is off: {error}"))
        .ok()
}
