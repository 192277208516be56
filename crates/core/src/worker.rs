//! The worker side of a stage run, and the protocol between runner and worker.
//!
//! A binary started as `<binary> __worker` calls [`run`] with the stages it implements. The
//! runner writes one [`Job`] as a JSON line on the worker's stdin, and later, at most, a
//! [`HostMessage::Cancel`] line; closing stdin also means cancel (the runner is gone). The worker
//! answers with [`WorkerMessage`] JSON lines on stdout and ends with exactly one of `result`,
//! `error` or `cancelled`. Anything else the process prints (a library writing to stdout or
//! stderr) reaches the stage's log. Workers never touch the database.

use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, Write};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, ErrorCode, ErrorPayload, Result};
use crate::events::LogLevel;
use crate::experiment::{BaseModels, Language};
use crate::stage::StageKind;

/// Name of the hidden subcommand that starts a binary in worker mode.
pub const WORKER_ARG: &str = "__worker";

/// What a stage the job depends on produced.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UpstreamOutput {
    /// Its result summary.
    pub result: Option<Value>,
    /// Its files, relative to the experiment folder.
    pub artifacts: Vec<String>,
}

/// Everything a worker needs to run one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Job {
    /// The experiment.
    pub experiment_id: String,
    /// The experiment's folder; the stage writes under it.
    pub experiment_dir: String,
    /// Which stage.
    pub stage: StageKind,
    /// Attempt number (1 for the first run).
    pub attempt: u32,
    /// Validated parameters, every field present.
    pub params: Value,
    /// Device to run on (`cpu`, `cuda:0`...).
    pub device: String,
    /// Language of the recordings.
    pub language: Language,
    /// Pretrained model paths.
    pub base_models: BaseModels,
    /// Audio files and folders to import.
    pub sources: Vec<String>,
    /// Outputs of the stages this one needs.
    pub upstream: BTreeMap<StageKind, UpstreamOutput>,
}

/// Runner → worker messages after the job line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum HostMessage {
    /// Stop at the next check; report `cancelled`.
    Cancel,
}

/// Worker → runner messages, one JSON object per line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkerMessage {
    /// Progress, with loss values.
    Progress {
        /// Steps done.
        step: u64,
        /// Current epoch.
        epoch: Option<u32>,
        /// Steps in all.
        total: Option<u64>,
        /// Loss values by name.
        losses: BTreeMap<String, f64>,
    },
    /// A named value to store.
    Metric {
        /// Name.
        name: String,
        /// Value.
        value: f64,
        /// Step.
        step: u64,
        /// Epoch.
        epoch: Option<u32>,
    },
    /// A checkpoint was saved.
    Checkpoint {
        /// Epoch.
        epoch: u32,
        /// Path relative to the experiment folder.
        path: String,
    },
    /// A log line.
    Log {
        /// Severity.
        level: LogLevel,
        /// Text.
        message: String,
    },
    /// Final: success.
    Result {
        /// Summary (counts, durations, final losses).
        result: Value,
        /// Files written, relative to the experiment folder.
        artifacts: Vec<String>,
    },
    /// Final: failure.
    Error {
        /// Why.
        error: ErrorPayload,
    },
    /// Final: stopped on request.
    Cancelled,
}

impl WorkerMessage {
    /// Whether this message ends the run.
    pub fn is_final(&self) -> bool {
        matches!(
            self,
            Self::Result { .. } | Self::Error { .. } | Self::Cancelled
        )
    }
}

/// What a successful stage returns.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StageResult {
    /// Summary shown in the UI (counts, durations, final losses).
    pub summary: Value,
    /// Files written, relative to the experiment folder. The runner checks that each exists
    /// before it marks the stage `completed`.
    pub artifacts: Vec<String>,
}

/// Progress of a stage, as reported through [`StageContext::progress`].
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Progress {
    /// Steps done.
    pub step: u64,
    /// Current epoch, for training stages.
    pub epoch: Option<u32>,
    /// Steps in all, when known.
    pub total: Option<u64>,
    /// Loss values by name.
    pub losses: BTreeMap<String, f64>,
}

/// One stage implementation.
pub trait StageImpl: Send + Sync {
    /// Runs the stage. It checks [`StageContext::check_cancelled`] between items and between
    /// steps, and returns `Err` with code `cancelled` when asked to stop.
    fn run(&self, ctx: &mut StageContext) -> Result<StageResult>;
}

/// The stage implementations a binary provides.
#[derive(Default)]
pub struct StageRegistry {
    stages: HashMap<StageKind, Box<dyn StageImpl>>,
}

impl StageRegistry {
    /// An empty registry: every stage fails with `not_implemented`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers (or replaces) the implementation of a stage.
    pub fn register(&mut self, kind: StageKind, stage: impl StageImpl + 'static) -> &mut Self {
        self.stages.insert(kind, Box::new(stage));
        self
    }

    /// The implementation of a stage, if any.
    pub fn get(&self, kind: StageKind) -> Option<&dyn StageImpl> {
        self.stages.get(&kind).map(Box::as_ref)
    }
}

type SharedOutput = Arc<Mutex<Box<dyn Write + Send>>>;

/// What a running stage sees: its job, the cancel flag and the reporting channel.
pub struct StageContext {
    job: Job,
    cancel: Arc<AtomicBool>,
    output: SharedOutput,
}

impl StageContext {
    /// The job.
    pub fn job(&self) -> &Job {
        &self.job
    }

    /// The stage being run.
    pub fn stage(&self) -> StageKind {
        self.job.stage
    }

    /// The parameters as a typed struct (e.g. [`crate::params::AudioSliceParams`]).
    pub fn params<T: DeserializeOwned>(&self) -> Result<T> {
        serde_json::from_value(self.job.params.clone()).map_err(|err| {
            Error::invalid_field(
                "params",
                format!("do not fit stage {}: {err}", self.job.stage),
            )
        })
    }

    /// The experiment folder.
    pub fn experiment_dir(&self) -> &Path {
        Path::new(&self.job.experiment_dir)
    }

    /// The device to run on.
    pub fn device(&self) -> &str {
        &self.job.device
    }

    /// Whether a cancel was asked.
    pub fn is_cancelled(&self) -> bool {
        self.cancel.load(Ordering::SeqCst)
    }

    /// `Err(cancelled)` when a cancel was asked; call between items and steps.
    pub fn check_cancelled(&self) -> Result<()> {
        if self.is_cancelled() {
            return Err(Error::cancelled());
        }
        Ok(())
    }

    /// Reports progress (and stores its losses as metrics).
    pub fn progress(&self, progress: Progress) {
        self.send(&WorkerMessage::Progress {
            step: progress.step,
            epoch: progress.epoch,
            total: progress.total,
            losses: progress.losses,
        });
    }

    /// Stores a named value.
    pub fn metric(&self, name: &str, value: f64, step: u64, epoch: Option<u32>) {
        self.send(&WorkerMessage::Metric {
            name: name.to_string(),
            value,
            step,
            epoch,
        });
    }

    /// Announces a saved checkpoint (path relative to the experiment folder).
    pub fn checkpoint(&self, epoch: u32, path: &str) {
        self.send(&WorkerMessage::Checkpoint {
            epoch,
            path: path.to_string(),
        });
    }

    /// Writes a line to the stage's log.
    pub fn log(&self, level: LogLevel, message: impl Into<String>) {
        self.send(&WorkerMessage::Log {
            level,
            message: message.into(),
        });
    }

    fn send(&self, message: &WorkerMessage) {
        if write_message(&self.output, message).is_err() {
            // The runner is gone: nobody will record what we do, so stop.
            self.cancel.store(true, Ordering::SeqCst);
        }
    }
}

fn write_message(output: &SharedOutput, message: &WorkerMessage) -> std::io::Result<()> {
    let line = serde_json::to_string(message).map_err(std::io::Error::other)?;
    let mut output = output
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    writeln!(output, "{line}")?;
    output.flush()
}

/// Worker mode: reads the job from stdin, runs the registered stage, reports on stdout.
pub fn run(registry: &StageRegistry) -> ExitCode {
    let stdin = std::io::BufReader::new(std::io::stdin());
    serve(registry, stdin, Box::new(std::io::stdout()))
}

/// [`run`] over any input and output (used by tests).
pub fn serve(
    registry: &StageRegistry,
    mut input: impl BufRead + Send + 'static,
    output: Box<dyn Write + Send>,
) -> ExitCode {
    let output: SharedOutput = Arc::new(Mutex::new(output));

    let mut first_line = String::new();
    let job = match input.read_line(&mut first_line) {
        Ok(_) => serde_json::from_str::<Job>(&first_line)
            .map_err(|err| Error::internal(format!("worker received an unreadable job: {err}"))),
        Err(err) => Err(Error::internal(format!(
            "worker could not read its job: {err}"
        ))),
    };
    let job = match job {
        Ok(job) => job,
        Err(err) => return finish(&output, Err(err)),
    };

    let cancel = Arc::new(AtomicBool::new(false));
    watch_for_cancel(input, Arc::clone(&cancel));

    let Some(stage) = registry.get(job.stage) else {
        let err = Error::new(
            ErrorCode::NotImplemented,
            format!("stage {} is not implemented in this build", job.stage),
        )
        .with_details(serde_json::json!({ "stage": job.stage }));
        return finish(&output, Err(err));
    };

    let mut ctx = StageContext {
        job,
        cancel,
        output: Arc::clone(&output),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| stage.run(&mut ctx))).unwrap_or_else(|panic| {
        Err(Error::internal(format!(
            "stage panicked: {}",
            panic_text(&panic)
        )))
    });
    finish(&output, outcome)
}

fn watch_for_cancel(input: impl BufRead + Send + 'static, cancel: Arc<AtomicBool>) {
    std::thread::spawn(move || {
        for line in input.lines() {
            let Ok(line) = line else { break };
            if let Ok(HostMessage::Cancel) = serde_json::from_str(&line) {
                break;
            }
        }
        // A cancel line or the end of stdin: either way, stop.
        cancel.store(true, Ordering::SeqCst);
    });
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(text) = panic.downcast_ref::<&str>() {
        return (*text).to_string();
    }
    panic
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_else(|| "unknown panic".to_string())
}

fn finish(output: &SharedOutput, outcome: Result<StageResult>) -> ExitCode {
    let (message, code) = match outcome {
        Ok(result) => (
            WorkerMessage::Result {
                result: result.summary,
                artifacts: result.artifacts,
            },
            0,
        ),
        Err(err) if err.kind() == ErrorCode::Cancelled => (WorkerMessage::Cancelled, 0),
        Err(err) => (
            WorkerMessage::Error {
                error: err.payload(),
            },
            1,
        ),
    };
    if write_message(output, &message).is_err() {
        return ExitCode::from(2);
    }
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        fn messages(&self) -> Vec<WorkerMessage> {
            let text = String::from_utf8(self.0.lock().unwrap().clone()).unwrap();
            text.lines()
                .map(|line| serde_json::from_str(line).unwrap())
                .collect()
        }
    }

    fn job_line(stage: StageKind) -> String {
        let job = Job {
            experiment_id: "e".into(),
            experiment_dir: "/tmp".into(),
            stage,
            attempt: 1,
            params: serde_json::json!({}),
            device: "cpu".into(),
            language: Language::En,
            base_models: BaseModels::default(),
            sources: vec![],
            upstream: BTreeMap::new(),
        };
        format!("{}\n", serde_json::to_string(&job).unwrap())
    }

    struct Counts;

    impl StageImpl for Counts {
        fn run(&self, ctx: &mut StageContext) -> Result<StageResult> {
            ctx.progress(Progress {
                step: 1,
                total: Some(1),
                ..Progress::default()
            });
            Ok(StageResult {
                summary: serde_json::json!({ "items": 1 }),
                artifacts: vec![],
            })
        }
    }

    #[test]
    fn unregistered_stage_reports_not_implemented() {
        let output = Captured::default();
        let input = Cursor::new(job_line(StageKind::Asr).into_bytes());

        serve(&StageRegistry::new(), input, Box::new(output.clone()));

        let messages = output.messages();
        let WorkerMessage::Error { error } = &messages[0] else {
            panic!("{messages:?}")
        };
        assert_eq!(error.code, ErrorCode::NotImplemented);
    }

    #[test]
    fn registered_stage_reports_progress_then_result() {
        let output = Captured::default();
        let mut registry = StageRegistry::new();
        registry.register(StageKind::Asr, Counts);

        let code = serve(
            &registry,
            Cursor::new(job_line(StageKind::Asr).into_bytes()),
            Box::new(output.clone()),
        );

        let messages = output.messages();
        assert_eq!(code, ExitCode::SUCCESS);
        assert!(matches!(
            messages[0],
            WorkerMessage::Progress { step: 1, .. }
        ));
        assert!(matches!(messages[1], WorkerMessage::Result { .. }));
    }
}
