//! The GSV Studio desktop shell: a window over the engine. It translates between Tauri and the
//! engine crates and holds no product rules of its own.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;

use std::process::ExitCode;
use std::sync::Arc;

use gsv_core::{Engine, EngineConfig, WorkerCommand};
use tauri::{AppHandle, Emitter};

/// What every command can reach.
pub struct AppState {
    /// The experiment engine, shared with the CLI through the data folder.
    pub engine: Engine,
    /// The audio preview.
    pub player: Arc<gsv_audio::Player>,
}

fn main() -> ExitCode {
    // Stage workers are this same binary started as `gsv-studio __worker`.
    if std::env::args().nth(1).as_deref() == Some(gsv_core::worker::WORKER_ARG) {
        return gsv_core::worker::run(&gsv_stages::registry());
    }

    apply_data_dir_argument();
    let data_dir = match gsv_core::default_data_dir() {
        Ok(dir) => dir,
        Err(error) => {
            eprintln!("{error}");
            return ExitCode::FAILURE;
        }
    };
    let _log_guard = gsv_logging::init("gsv-studio", &data_dir.join("logs"))
        .map_err(|error| eprintln!("logging is off: {error}"))
        .ok();
    log::info!(
        "GSV Studio {} starting, data in {}",
        env!("CARGO_PKG_VERSION"),
        data_dir.display()
    );

    match open_engine(data_dir).and_then(run_window) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            log::error!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// `--data-dir PATH` chooses the data folder (a portable install, or a test's own folder) the
/// same way `GSV_DATA_DIR` does; the stage workers inherit it through the environment.
fn apply_data_dir_argument() {
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--data-dir" {
            if let Some(dir) = args.next() {
                // Still single-threaded here: nothing else reads the environment yet.
                std::env::set_var(gsv_core::engine::DATA_DIR_ENV, dir);
            }
        }
    }
}

fn open_engine(data_dir: std::path::PathBuf) -> Result<Engine, String> {
    let worker = WorkerCommand::current_exe().map_err(|error| error.to_string())?;
    Engine::open(EngineConfig { data_dir, worker }).map_err(|error| error.to_string())
}

fn run_window(engine: Engine) -> Result<(), String> {
    let state = AppState {
        engine: engine.clone(),
        player: Arc::new(gsv_audio::Player::new()),
    };

    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .manage(state)
        .setup(move |app| {
            forward_engine_events(app.handle().clone(), &engine)?;
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::list_experiments,
            commands::create_experiment,
            commands::get_experiment,
            commands::update_experiment,
            commands::delete_experiment,
            commands::execute_stage,
            commands::list_stages,
            commands::get_stage,
            commands::cancel_stage,
            commands::stage_snapshot,
            commands::data_dir,
            commands::engine_schema,
            commands::torch_report,
            commands::probe_audio,
            commands::waveform,
            commands::play_audio,
            commands::stop_audio,
        ])
        .run(tauri::generate_context!())
        .map_err(|error| format!("the window could not start: {error}"))
}

/// Sends every engine event, from this process and from a `gsv` sharing the data folder, to
/// the window.
fn forward_engine_events(app: AppHandle, engine: &Engine) -> Result<(), gsv_core::Error> {
    let subscription = engine.subscribe_all()?;
    std::thread::Builder::new()
        .name("engine-events".into())
        .spawn(move || {
            while let Some(event) = subscription.recv() {
                if let Err(error) = app.emit(commands::ENGINE_EVENT, &event) {
                    log::warn!("engine event not delivered: {error}");
                }
            }
        })
        .map_err(|error| gsv_core::Error::internal(format!("no event thread: {error}")))?;
    Ok(())
}
