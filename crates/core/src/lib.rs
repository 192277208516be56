//! GSV Studio's experiment engine: experiments and their seven stages in SQLite, typed stage
//! parameters with GPT-SoVITS's defaults and ranges, a runner that executes stages in supervised
//! worker processes, and typed progress events.
//!
//! The engine knows nothing of Tauri or of libtorch: the desktop shell and the `gsv` CLI call
//! the same [`Engine`] functions, and the binaries that link the models register their stage
//! implementations with [`worker::StageRegistry`] and call [`worker::run`] when started as
//! `<binary> __worker`.
//!
//! # Using it from a binary
//!
//! 1. First thing in `main`: if the first argument is [`worker::WORKER_ARG`], build the
//!    registry of implemented stages and `return worker::run(&registry)`.
//! 2. Otherwise open one engine for the process with [`default_data_dir`] and
//!    [`WorkerCommand::current_exe`], and share clones of it.
//! 3. Every operation is a short synchronous call returning [`Result`]; call them from async
//!    code through a blocking task. Errors serialise as `{code, message, details}`.
//! 4. Forward [`Engine::subscribe_all`] to the UI, or follow one stage with
//!    [`Engine::subscribe`] (a snapshot first, then live events, from every process sharing the
//!    data folder).
//!
//! # Layout of the data folder
//!
//! `gsv.sqlite3` (WAL), `experiments/<id>/` per experiment (stage outputs, `logs/<stage>-<n>.log`
//! per run), `locks/<owner>.lock` (one per open engine; the OS releases it when the process
//! dies, which is how a run left behind by a dead process is recognised).

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
