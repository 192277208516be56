//! Helpers shared by gsv-core's integration tests: a real data folder in a temp dir, an engine
//! whose workers are the real `gsv-test-worker` process, and waiting for stage runs.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use gsv_core::{
    Engine, EngineConfig, Event, EventBody, ExperimentDetail, Language, NewExperiment, ParamsInput,
    StageInfo, StageKind, StageStatus, WorkerCommand,
};
use serde_json::Value;

/// The test worker binary.
pub fn test_worker_program() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gsv-test-worker"))
}

/// Workers with a test implementation for every stage.
pub fn test_worker() -> WorkerCommand {
    WorkerCommand {
        program: test_worker_program(),
        args: vec!["__worker".into()],
    }
}

/// Opens an engine on `data_dir` with the test worker.
pub fn open(data_dir: &Path) -> Engine {
    open_with(data_dir, test_worker())
}

/// Opens an engine on `data_dir` with the given worker.
pub fn open_with(data_dir: &Path, worker: WorkerCommand) -> Engine {
    Engine::open(EngineConfig {
        data_dir: data_dir.to_path_buf(),
        worker,
    })
    .expect("engine opens")
}

/// A temp data folder and an engine on it.
pub struct TestEnv {
    /// Kept alive for the test's duration.
    pub dir: tempfile::TempDir,
    /// The engine.
    pub engine: Engine,
}

impl TestEnv {
    /// Fresh folder, fresh engine.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let engine = open(dir.path());
        Self { dir, engine }
    }

    /// Creates an experiment with default settings.
    pub fn create(&self, name: &str) -> ExperimentDetail {
        self.engine
            .create_experiment(NewExperiment::new(name, Language::En))
            .expect("created")
    }

    /// Creates an experiment on a device.
    pub fn create_on(&self, name: &str, device: &str) -> ExperimentDetail {
        let mut new = NewExperiment::new(name, Language::En);
        new.device = device.to_string();
        self.engine.create_experiment(new).expect("created")
    }
}

/// Sets how the test stages of an experiment behave, e.g.
/// `{"asr": {"mode": "ok", "steps": 20, "step_ms": 50}}`.
pub fn set_behaviour(detail: &ExperimentDetail, behaviour: Value) {
    let path = Path::new(&detail.experiment.dir).join("test-behaviour.json");
    std::fs::write(path, behaviour.to_string()).expect("behaviour written");
}

/// Executes a stage with default parameters.
pub fn execute(engine: &Engine, exp: &str, stage: StageKind) -> gsv_core::ExecuteOutcome {
    engine
        .execute_stage(exp, stage.as_str(), ParamsInput::Json(Value::Null))
        .unwrap_or_else(|err| panic!("execute {stage}: {err}"))
}

/// Waits until a stage is no longer queued or running.
pub fn wait_until_done(engine: &Engine, exp: &str, stage: StageKind) -> StageInfo {
    wait_for(engine, exp, stage, Duration::from_secs(30), |info| {
        !info.status.is_active()
    })
}

/// Waits until a stage's state satisfies `done`.
pub fn wait_for(
    engine: &Engine,
    exp: &str,
    stage: StageKind,
    timeout: Duration,
    done: impl Fn(&StageInfo) -> bool,
) -> StageInfo {
    let deadline = Instant::now() + timeout;
    loop {
        let info = engine
            .get_stage(exp, stage.as_str())
            .expect("stage readable");
        if done(&info) {
            return info;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting on {stage}: {info:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs stages one after another to completion.
pub fn complete(engine: &Engine, exp: &str, stages: &[StageKind]) {
    for stage in stages {
        execute(engine, exp, *stage);
        let info = wait_until_done(engine, exp, *stage);
        assert_eq!(
            info.status,
            StageStatus::Completed,
            "{stage}: {:?}",
            info.error
        );
    }
}

/// Collects a subscription's events up to and including the first terminal one.
pub fn collect_run(subscription: &gsv_core::Subscription) -> Vec<Event> {
    let mut events = Vec::new();
    while let Some(event) = subscription.recv_timeout(Duration::from_secs(30)) {
        let terminal = event.is_terminal();
        events.push(event);
        if terminal {
            return events;
        }
    }
    panic!("no terminal event; got {events:?}");
}

/// The `type` tag of an event, for compact assertions.
pub fn kind_of(event: &Event) -> &'static str {
    match event.body {
        EventBody::Snapshot { .. } => "snapshot",
        EventBody::Status { .. } => "status",
        EventBody::Progress { .. } => "progress",
        EventBody::Metric { .. } => "metric",
        EventBody::Checkpoint { .. } => "checkpoint",
        EventBody::Log { .. } => "log",
        EventBody::Completed { .. } => "completed",
        EventBody::Failed { .. } => "failed",
        EventBody::Cancelled {} => "cancelled",
        EventBody::ExperimentCreated {} => "experiment_created",
        EventBody::ExperimentUpdated {} => "experiment_updated",
        EventBody::ExperimentDeleted {} => "experiment_deleted",
    }
}
