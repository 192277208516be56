//! The Tauri commands: each one hands its arguments to the engine on a blocking thread and
//! returns what the engine returns. Errors cross as `{code, message, details}`.

use std::path::{Path, PathBuf};

use gsv_audio::{ImportSummary, PlaybackEvent, WaveformPeaks};
use gsv_core::{
    DeleteOutcome, Engine, ErrorPayload, Event, ExecuteOutcome, ExperimentDetail, ExperimentPage,
    ExperimentUpdate, ListQuery, NewExperiment, ParamsInput, StageInfo,
};
use gsv_models::TorchReport;
use gsv_stages::audio_engine_error;
use serde_json::Value;
use tauri::{AppHandle, Emitter, State};

use crate::AppState;

/// The event name under which every engine event reaches the window.
pub const ENGINE_EVENT: &str = "gsv://engine";

/// The event name under which playback progress reaches the window.
pub const PLAYBACK_EVENT: &str = "gsv://playback";

type CommandResult<T> = Result<T, ErrorPayload>;

/// Runs an engine call off the async runtime.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, gsv_core::Error> + Send + 'static,
) -> CommandResult<T> {
    match tauri::async_runtime::spawn_blocking(work).await {
        Ok(result) => result.map_err(|error| error.payload()),
        Err(join_error) => Err(gsv_core::Error::internal(join_error.to_string()).payload()),
    }
}

/// Lists experiments, filtered and paged.
#[tauri::command]
pub async fn list_experiments(
    state: State<'_, AppState>,
    query: ListQuery,
) -> CommandResult<ExperimentPage> {
    let engine = state.engine.clone();
    blocking(move || engine.list_experiments(&query)).await
}

/// Creates an experiment; every stage starts `pending`.
#[tauri::command]
pub async fn create_experiment(
    state: State<'_, AppState>,
    experiment: NewExperiment,
) -> CommandResult<ExperimentDetail> {
    let engine = state.engine.clone();
    blocking(move || engine.create_experiment(experiment)).await
}

/// One experiment with all its stages.
#[tauri::command]
pub async fn get_experiment(
    state: State<'_, AppState>,
    key: String,
) -> CommandResult<ExperimentDetail> {
    let engine = state.engine.clone();
    blocking(move || engine.get_experiment(&key)).await
}

/// Changes an experiment's base configuration (never stage parameters).
#[tauri::command]
pub async fn update_experiment(
    state: State<'_, AppState>,
    key: String,
    update: ExperimentUpdate,
) -> CommandResult<gsv_core::Experiment> {
    let engine = state.engine.clone();
    blocking(move || engine.update_experiment(&key, update)).await
}

/// Deletes an experiment, cancelling its running stages first.
#[tauri::command]
pub async fn delete_experiment(
    state: State<'_, AppState>,
    key: String,
) -> CommandResult<DeleteOutcome> {
    let engine = state.engine.clone();
    blocking(move || engine.delete_experiment(&key)).await
}

/// Runs a stage (or runs it again) with the given parameters; `null` means all defaults.
#[tauri::command]
pub async fn execute_stage(
    state: State<'_, AppState>,
    key: String,
    stage: String,
    params: Option<Value>,
) -> CommandResult<ExecuteOutcome> {
    let engine = state.engine.clone();
    let params = ParamsInput::Json(params.unwrap_or(Value::Null));
    blocking(move || engine.execute_stage(&key, &stage, params)).await
}

/// Every stage of an experiment.
#[tauri::command]
pub async fn list_stages(state: State<'_, AppState>, key: String) -> CommandResult<Vec<StageInfo>> {
    let engine = state.engine.clone();
    blocking(move || engine.list_stages(&key)).await
}

/// One stage: status, parameters, result, artifacts, error, timings, attempts.
#[tauri::command]
pub async fn get_stage(
    state: State<'_, AppState>,
    key: String,
    stage: String,
) -> CommandResult<StageInfo> {
    let engine = state.engine.clone();
    blocking(move || engine.get_stage(&key, &stage)).await
}

/// Cancels a queued or running stage.
#[tauri::command]
pub async fn cancel_stage(
    state: State<'_, AppState>,
    key: String,
    stage: String,
) -> CommandResult<StageInfo> {
    let engine = state.engine.clone();
    blocking(move || engine.cancel_stage(&key, &stage)).await
}

/// The current state and stored metric history of a stage, for a window that opens mid-run;
/// live events follow on [`ENGINE_EVENT`].
#[tauri::command]
pub async fn stage_snapshot(
    state: State<'_, AppState>,
    key: String,
    stage: String,
) -> CommandResult<Event> {
    let engine = state.engine.clone();
    blocking(move || {
        let subscription = engine.subscribe(&key, &stage)?;
        subscription
            .recv()
            .ok_or_else(|| gsv_core::Error::internal("the event bus closed before the snapshot"))
    })
    .await
}

/// The data folder shared with `gsv`; the settings file lives there so `gsv doctor` reads it.
#[tauri::command]
pub fn data_dir(state: State<'_, AppState>) -> String {
    state.engine.data_dir().display().to_string()
}

/// The parameter schema of every stage and the stage graph.
#[tauri::command]
pub fn engine_schema() -> Value {
    Engine::schema()
}

/// What libtorch was linked and which devices it can use.
#[tauri::command]
pub async fn torch_report() -> CommandResult<TorchReport> {
    blocking(|| Ok(gsv_models::torch_report())).await
}

/// What a set of dropped files and folders holds: audio found, durations, formats, skips.
#[tauri::command]
pub async fn probe_audio(paths: Vec<String>) -> CommandResult<ImportSummary> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    blocking(move || gsv_audio::probe(&paths).map_err(audio_engine_error)).await
}

/// Peaks of a clip for drawing its waveform.
#[tauri::command]
pub async fn waveform(path: String, buckets: usize) -> CommandResult<WaveformPeaks> {
    blocking(move || {
        gsv_audio::waveform_peaks(Path::new(&path), buckets).map_err(audio_engine_error)
    })
    .await
}

/// Plays an audio file; progress arrives on [`PLAYBACK_EVENT`].
#[tauri::command]
pub async fn play_audio(
    app: AppHandle,
    state: State<'_, AppState>,
    path: String,
) -> CommandResult<()> {
    let player = state.player.clone();
    blocking(move || {
        let forward = move |event: PlaybackEvent| {
            if let Err(error) = app.emit(PLAYBACK_EVENT, &event) {
                log::warn!("playback event not delivered: {error}");
            }
        };
        player
            .play_file(Path::new(&path), forward)
            .map_err(audio_engine_error)
    })
    .await
}

/// Stops playback.
#[tauri::command]
pub fn stop_audio(state: State<'_, AppState>) {
    state.player.stop();
}
