//! The GSV Studio desktop shell: a window over the engine. It translates between Tauri and the
//! engine crates and holds no product rules of its own.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

fn main() {
    let log_dir = data_dir().join("logs");
    let _log_guard = match gsv_logging::init("gsv-studio", &log_dir) {
        Ok(guard) => Some(guard),
        Err(error) => {
            eprintln!("logging is off: {error}");
            None
        }
    };

    log::info!("GSV Studio {} starting", env!("CARGO_PKG_VERSION"));
    tauri::Builder::default()
        .plugin(tauri_plugin_store::Builder::default().build())
        .run(tauri::generate_context!())
        .unwrap_or_else(|error| {
            log::error!("the window could not start: {error}");
            std::process::exit(1);
        });
}

/// The application's data folder, shared with the `gsv` CLI; `GSV_DATA_DIR` overrides it.
fn data_dir() -> std::path::PathBuf {
    if let Some(dir) = std::env::var_os("GSV_DATA_DIR") {
        return dir.into();
    }
    dirs::data_dir().unwrap_or_else(std::env::temp_dir).join("gsv-studio")
}
