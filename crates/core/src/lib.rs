//! GSV Studio's experiment engine: experiments and their seven stages in SQLite, typed stage
//! parameters with GPT-SoVITS's defaults and ranges, a runner that executes stages in supervised
//! worker processes, and typed progress events.
//!
//! The engine knows nothing of Tauri or of libtorch: the desktop shell and the `gsv` CLI call
//! the same [`Engine`] functions, and the binaries that link the models register their stage
//! implementations with [`worker::StageRegistry`] and call [`worker::run`] when started as
//! `<binary> __worker`.

pub mod engine;
pub mod error;
pub mod events;
pub mod experiment;
mod owner;
pub mod params;
mod runner;
pub mod stage;
pub mod store;
pub mod worker;

pub use engine::{
    default_data_dir, DeleteOutcome, Engine, EngineConfig, ExecuteOutcome, ParamsInput,
    WorkerCommand,
};
pub use error::{Error, ErrorCode, ErrorPayload, Result};
pub use events::{Event, EventBody, LogLevel, Subscription};
pub use experiment::{
    BaseModels, Experiment, ExperimentDetail, ExperimentPage, ExperimentStatus, ExperimentUpdate,
    Language, ListQuery, ModelVersion, NewExperiment,
};
pub use params::{engine_schema, StageParams};
pub use stage::{StageKind, StageStatus};
pub use store::{MetricPoint, StageInfo};
