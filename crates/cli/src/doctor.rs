//! `gsv doctor`: what this installation can do — libtorch, CUDA, the GPUs, the data folder and
//! the configured model paths.

use std::path::Path;
use std::process::ExitCode;

use gsv_core::{default_data_dir, Result};
use serde::Serialize;
use serde_json::Value;

/// The settings file the app writes (model paths, device, UI language), in the data folder.
pub const SETTINGS_FILE: &str = "settings.json";

#[derive(Serialize)]
struct DoctorReport {
    gsv_version: &'static str,
    torch: gsv_models::TorchReport,
    data_dir: String,
    log_dir: String,
    model_paths: Value,
}

/// Prints the report, as text or as JSON.
pub fn run(json: bool) -> Result<ExitCode> {
    let data_dir = default_data_dir()?;
    let report = DoctorReport {
        gsv_version: env!("CARGO_PKG_VERSION"),
        torch: gsv_models::torch_report(),
        data_dir: data_dir.display().to_string(),
        log_dir: data_dir.join("logs").display().to_string(),
        model_paths: configured_model_paths(&data_dir),
    };

    if json {
        crate::output::print_json(&report);
    } else {
        print_text(&report);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `models` object of the settings file, or `null` when nothing is configured yet.
fn configured_model_paths(data_dir: &Path) -> Value {
    let Ok(text) = std::fs::read_to_string(data_dir.join(SETTINGS_FILE)) else {
        return Value::Null;
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(settings) => settings.get("models").cloned().unwrap_or(Value::Null),
        Err(error) => Value::String(format!("{SETTINGS_FILE} is not valid JSON: {error}")),
    }
}

fn print_text(report: &DoctorReport) {
    let torch = &report.torch;
    println!("gsv {}", report.gsv_version);
    println!(
        "libtorch {} ({} CPU threads)",
        torch.libtorch_version, torch.cpu_threads
    );
    println!(
        "CUDA available: {}",
        if torch.cuda_available { "yes" } else { "no" }
    );
    if torch.cuda_built && !torch.cuda_available {
        println!("  (this libtorch supports CUDA, but no usable NVIDIA GPU or driver was found)");
    }
    for device in &torch.cuda_devices {
        let name = device.name.as_deref().unwrap_or("unknown GPU");
        let memory = device
            .total_memory_bytes
            .map(|bytes| format!("{:.1} GiB", bytes as f64 / (1u64 << 30) as f64))
            .unwrap_or_else(|| "memory unknown".into());
        println!("  cuda:{}  {name}  {memory}", device.index);
    }
    println!("data folder: {}", report.data_dir);
    println!("log folder: {}", report.log_dir);
    match &report.model_paths {
        Value::Null => {
            println!("model paths: none configured yet (set them in the app's Settings)")
        }
        Value::Object(paths) => {
            println!("model paths:");
            for (name, path) in paths {
                println!("  {name}: {}", path.as_str().unwrap_or("(not a path)"));
            }
        }
        other => println!("model paths: {other}"),
    }
}
