//! The engine: every operation on experiments and stages, as plain synchronous functions that
//! the Tauri shell and the `gsv` CLI both call.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, TransactionBehavior};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use crate::error::{Error, ErrorCode, Result};
use crate::events::{Bus, Event, EventBody, Filter, Subscription};
use crate::experiment::{
    normalize_device, validate_base_models, validate_description, validate_name, validate_sources,
    Experiment, ExperimentDetail, ExperimentPage, ExperimentStatus, ExperimentUpdate, ListQuery,
    NewExperiment,
};
use crate::owner::OwnerLock;
use crate::params::StageParams;
use crate::stage::{StageKind, StageStatus};
use crate::store::{self, now_ms, MetricPoint, StageInfo};
use crate::{runner, worker};

/// File name of the database inside the data folder.
pub const DATABASE_FILE: &str = "gsv.sqlite3";

/// Environment variable that overrides the data folder (tests, portable installs).
pub const DATA_DIR_ENV: &str = "GSV_DATA_DIR";

/// The application's data folder: `$GSV_DATA_DIR` when set, else `gsv-studio` in the
/// operating system's data folder (e.g. `~/.local/share/gsv-studio` on Linux). The app and
/// `gsv` both use this, so they share one database.
pub fn default_data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|dir| !dir.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|dir| dir.join("gsv-studio"))
        .ok_or_else(|| {
            Error::internal(format!(
                "this system has no data folder; set {DATA_DIR_ENV}"
            ))
        })
}

/// How a worker process is started: `program args...`, with the job on its stdin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerCommand {
    /// Executable.
    pub program: PathBuf,
    /// Arguments, usually `["__worker"]`.
    pub args: Vec<String>,
}

impl WorkerCommand {
    /// The running executable in worker mode (`<this binary> __worker`).
    pub fn current_exe() -> Result<Self> {
        let program = std::env::current_exe()
            .map_err(|err| Error::internal(format!("cannot find the running executable: {err}")))?;
        Ok(Self {
            program,
            args: vec![worker::WORKER_ARG.to_string()],
        })
    }
}

/// Where the engine keeps its data and how it starts workers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EngineConfig {
    /// The application's data folder: database, experiment folders, owner locks.
    pub data_dir: PathBuf,
    /// How stage workers are started.
    pub worker: WorkerCommand,
}

/// Parameters as given by a caller.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamsInput {
    /// A JSON object (the UI); `null` means all defaults.
    Json(Value),
    /// `key=value` strings (the CLI).
    Pairs(Vec<String>),
}

/// What `execute stage` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExecuteOutcome {
    /// The experiment.
    pub experiment_id: String,
    /// The stage.
    pub stage: StageKind,
    /// The new attempt number.
    pub attempt: u32,
    /// `true` when the stage had completed before and runs again.
    pub rerun: bool,
    /// Downstream stages that became `stale`.
    pub stale: Vec<StageKind>,
    /// The stage's state right after it was queued.
    pub info: StageInfo,
}

/// What `delete experiment` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct DeleteOutcome {
    /// The deleted experiment's id.
    pub experiment_id: String,
    /// Its folder.
    pub dir: String,
    /// Whether the folder is gone.
    pub folder_removed: bool,
    /// Why the folder could not be removed (the rows are deleted all the same).
    pub folder_error: Option<String>,
}

/// The experiment engine. Cheap to clone; all clones share one database connection, one event
/// bus and one runner. The last clone to be dropped stops the runner: running workers are
/// stopped and their stages recorded as failed (interrupted).
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

struct Inner {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

/// State shared by the API, the bus thread, the scheduler and the run supervisors.
pub(crate) struct Shared {
    pub(crate) config: EngineConfig,
    pub(crate) db_path: PathBuf,
    pub(crate) experiments_root: PathBuf,
    pub(crate) locks_dir: PathBuf,
    pub(crate) owner: OwnerLock,
    conn: Mutex<Connection>,
    pub(crate) bus: Bus,
    pub(crate) runs: runner::Runs,
    scheduler_wake: (Mutex<bool>, Condvar),
    pub(crate) shutdown: AtomicBool,
}

impl Shared {
    /// The API connection.
    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `change` in one immediate (write-locked) transaction, then wakes the event bus.
    pub(crate) fn write<T>(
        &self,
        change: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let result = {
            let mut conn = self.conn();
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let value = change(&tx)?;
            tx.commit()?;
            value
        };
        self.bus.wake();
        Ok(result)
    }

    /// Wakes the scheduler.
    pub(crate) fn wake_scheduler(&self) {
        let (flag, condvar) = &self.scheduler_wake;
        *flag.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = true;
        condvar.notify_all();
    }

    /// Waits until the scheduler is woken or `timeout` passes.
    pub(crate) fn wait_for_scheduler(&self, timeout: Duration) {
        let (flag, condvar) = &self.scheduler_wake;
        let mut woken = flag.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if !*woken {
            woken = condvar
                .wait_timeout(woken, timeout)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|poisoned| poisoned.into_inner().0);
        }
        *woken = false;
    }

    pub(crate) fn is_shutting_down(&self) -> bool {
        self.shutdown.load(Ordering::SeqCst)
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::SeqCst);
        self.shared.wake_scheduler();
        self.shared.bus.wake();
        self.shared.runs.cancel_all();

        let threads = std::mem::take(
            &mut *self
                .threads
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        for thread in threads {
            let _ = thread.join();
        }
        runner::join_supervisors(&self.shared);
        self.shared.bus.close();
    }
}

/// How long `cancel` and `delete` wait for a running stage to stop.
const STOP_WAIT: Duration = Duration::from_secs(5);

impl Engine {
    /// Opens (creating if needed) the data folder, migrates the database, marks runs left by
    /// dead processes as failed (interrupted), and starts the event bus and the runner.
    pub fn open(config: EngineConfig) -> Result<Self> {
        let experiments_root = config.data_dir.join("experiments");
        let locks_dir = config.data_dir.join("locks");
        std::fs::create_dir_all(&experiments_root)
            .map_err(|err| Error::io("create folder", &experiments_root, &err))?;

        let db_path = config.data_dir.join(DATABASE_FILE);
        let conn = store::open(&db_path)?;
        crate::owner::sweep_dead(&locks_dir);
        let owner = OwnerLock::acquire(&locks_dir)?;
        let start_seq = store::last_event_seq(&conn)?;

        let shared = Arc::new(Shared {
            config,
            db_path,
            experiments_root,
            locks_dir,
            owner,
            conn: Mutex::new(conn),
            bus: Bus::default(),
            runs: runner::Runs::default(),
            scheduler_wake: (Mutex::new(false), Condvar::new()),
            shutdown: AtomicBool::new(false),
        });
        shared.bus.start_after(start_seq);
        runner::recover_interrupted(&shared)?;

        let threads = vec![
            runner::spawn_bus_tail(&shared)?,
            runner::spawn_scheduler(&shared),
        ];
        Ok(Self {
            inner: Arc::new(Inner {
                shared,
                threads: Mutex::new(threads),
            }),
        })
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    /// The data folder.
    pub fn data_dir(&self) -> &Path {
        &self.shared().config.data_dir
    }

    /// The JSON schema of every stage's parameters plus the stage graph, for the UI's forms.
    pub fn schema() -> Value {
        crate::params::engine_schema()
    }

    /// Creates an experiment with every stage `pending`, and its folder.
    pub fn create_experiment(&self, new: NewExperiment) -> Result<ExperimentDetail> {
        let experiment = self.checked_new_experiment(new)?;

        let dir = PathBuf::from(&experiment.dir);
        std::fs::create_dir_all(&dir).map_err(|err| Error::io("create folder", &dir, &err))?;

        let inserted = self.shared().write(|tx| {
            if store::name_taken(tx, &experiment.name, None)? {
                return Err(name_conflict(&experiment.name));
            }
            store::insert_experiment(tx, &experiment)?;
            store::insert_event(
                tx,
                &experiment.id,
                None,
                0,
                &EventBody::ExperimentCreated {},
            )?;
            Ok(())
        });
        if let Err(err) = inserted {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(err);
        }

        log::info!("created experiment {} ({})", experiment.name, experiment.id);
        self.get_experiment(&experiment.id)
    }

    fn checked_new_experiment(&self, new: NewExperiment) -> Result<Experiment> {
        validate_name(&new.name)?;
        validate_description(&new.description)?;
        let device = normalize_device(&new.device)?;
        let sources = validate_sources(&new.sources)?;
        let base_models = validate_base_models(&new.base_models)?;

        let id = uuid::Uuid::new_v4().to_string();
        let now = now_ms();
        Ok(Experiment {
            dir: store::experiment_dir(&self.shared().experiments_root, &id)
                .to_string_lossy()
                .into_owned(),
            id,
            name: new.name,
            description: new.description,
            language: new.language,
            model_version: new.model_version,
            base_models,
            device,
            sources,
            status: ExperimentStatus::Pending,
            created_at: now,
            updated_at: now,
        })
    }

    /// One page of experiments, newest first, with the total matching the filter.
    pub fn list_experiments(&self, query: &ListQuery) -> Result<ExperimentPage> {
        let (limit, offset) = query.bounds()?;

        let conn = self.shared().conn();
        let (items, total) = store::list_experiments(
            &conn,
            &self.shared().experiments_root,
            query.status,
            limit,
            offset,
        )?;
        Ok(ExperimentPage {
            items,
            total,
            limit,
            offset,
        })
    }

    /// An experiment (by id or name) with all its stages.
    pub fn get_experiment(&self, key: &str) -> Result<ExperimentDetail> {
        let conn = self.shared().conn();
        let experiment = store::find_experiment(&conn, &self.shared().experiments_root, key)?;
        let stages = store::stages(&conn, &experiment.id)?;
        Ok(ExperimentDetail { experiment, stages })
    }

    /// Changes the base configuration of an experiment; stage parameters and states are never
    /// touched.
    pub fn update_experiment(&self, key: &str, update: ExperimentUpdate) -> Result<Experiment> {
        let current = self.get_experiment(key)?.experiment;
        let updated = checked_update(current, update)?;

        self.shared().write(|tx| {
            if store::name_taken(tx, &updated.name, Some(&updated.id))? {
                return Err(name_conflict(&updated.name));
            }
            store::update_experiment(tx, &updated)?;
            store::insert_event(tx, &updated.id, None, 0, &EventBody::ExperimentUpdated {})?;
            Ok(())
        })?;
        Ok(self.get_experiment(&updated.id)?.experiment)
    }

    /// Deletes an experiment: cancels its running stages first, then removes its rows (in one
    /// transaction) and its folder. A folder that cannot be removed is reported in the outcome;
    /// the rows are gone all the same.
    pub fn delete_experiment(&self, key: &str) -> Result<DeleteOutcome> {
        let detail = self.get_experiment(key)?;
        let id = detail.experiment.id.clone();
        for stage in detail
            .stages
            .iter()
            .filter(|stage| stage.status.is_active())
        {
            match self.cancel_kind(&id, stage.kind) {
                Ok(_) => {}
                Err(err) if err.kind() == ErrorCode::NotRunning => {}
                Err(err) => return Err(err),
            }
        }

        self.shared().write(|tx| {
            let still_active: Vec<StageInfo> = store::stages(tx, &id)?
                .into_iter()
                .filter(|stage| stage.status.is_active())
                .collect();
            if let Some(stage) = still_active.first() {
                return Err(Error::new(
                    ErrorCode::Conflict,
                    format!(
                        "stage {} of experiment '{}' is still {}",
                        stage.kind, detail.experiment.name, stage.status
                    ),
                ));
            }
            store::delete_experiment(tx, &id)?;
            store::insert_event(tx, &id, None, 0, &EventBody::ExperimentDeleted {})?;
            Ok(())
        })?;

        Ok(remove_experiment_folder(&detail.experiment))
    }

    /// Queues a stage. Checks, in this order: the stage type is known; the experiment exists;
    /// every stage it needs is `completed`; the parameters are valid. A stage that had completed
    /// runs again (`rerun: true`) and every stage downstream of it that had run becomes `stale`.
    pub fn execute_stage(
        &self,
        key: &str,
        stage: &str,
        params: ParamsInput,
    ) -> Result<ExecuteOutcome> {
        let kind: StageKind = stage.parse()?;
        let experiment = self.get_experiment(key)?.experiment;

        let outcome = self.shared().write(|tx| {
            let stages = store::stages(tx, &experiment.id)?;
            check_dependencies(&experiment, kind, &stages)?;
            let params = match &params {
                ParamsInput::Json(value) => StageParams::from_json(kind, value)?,
                ParamsInput::Pairs(pairs) => StageParams::from_pairs(kind, pairs)?,
            };
            runner::queue_stage(self.shared(), tx, &experiment, kind, &stages, &params)
        })?;

        self.shared().wake_scheduler();
        Ok(outcome)
    }

    /// All stages of an experiment, in pipeline order.
    pub fn list_stages(&self, key: &str) -> Result<Vec<StageInfo>> {
        Ok(self.get_experiment(key)?.stages)
    }

    /// One stage: status, parameters used, result, artifacts, error, timings, attempt count.
    pub fn get_stage(&self, key: &str, stage: &str) -> Result<StageInfo> {
        let kind: StageKind = stage.parse()?;
        let conn = self.shared().conn();
        let experiment = store::find_experiment(&conn, &self.shared().experiments_root, key)?;
        store::stage(&conn, &experiment.id, kind)
    }

    /// The metrics stored for one attempt of a stage (the latest when `attempt` is `None`), in
    /// recording order: the loss curves of a finished or earlier run.
    pub fn stage_metrics(
        &self,
        key: &str,
        stage: &str,
        attempt: Option<u32>,
    ) -> Result<Vec<MetricPoint>> {
        let kind: StageKind = stage.parse()?;
        let conn = self.shared().conn();
        let experiment = store::find_experiment(&conn, &self.shared().experiments_root, key)?;
        let attempt = match attempt {
            Some(attempt) => attempt,
            None => store::stage(&conn, &experiment.id, kind)?.attempt,
        };
        store::metrics(&conn, &experiment.id, kind, attempt)
    }

    /// Cancels a `queued` or `running` stage (anything else is `not_running`) and waits until
    /// the cancel took effect (at most two seconds for a running worker). Returns the stage's
    /// state afterwards.
    pub fn cancel_stage(&self, key: &str, stage: &str) -> Result<StageInfo> {
        let kind: StageKind = stage.parse()?;
        let experiment = self.get_experiment(key)?.experiment;
        self.cancel_kind(&experiment.id, kind)
    }

    fn cancel_kind(&self, experiment_id: &str, kind: StageKind) -> Result<StageInfo> {
        runner::request_cancel(self.shared(), experiment_id, kind)?;

        let deadline = Instant::now() + STOP_WAIT;
        loop {
            let info = store::stage(&self.shared().conn(), experiment_id, kind)?;
            if !info.status.is_active() || Instant::now() >= deadline {
                return Ok(info);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Events of one stage. The first event is a `snapshot` with the stage's current state and
    /// the metrics stored for its current attempt; live events follow, from every process that
    /// shares the data folder.
    pub fn subscribe(&self, key: &str, stage: &str) -> Result<Subscription> {
        let kind: StageKind = stage.parse()?;
        let experiment = self.get_experiment(key)?.experiment;
        let filter = Filter::Stage {
            experiment_id: experiment.id.clone(),
            stage: kind,
        };

        self.shared().bus.subscribe(filter, || {
            let mut conn = self.shared().conn();
            let tx = conn.transaction()?;
            let info = store::stage(&tx, &experiment.id, kind)?;
            let metrics = store::metrics(&tx, &experiment.id, kind, info.attempt)?;
            let seq = store::last_event_seq(&tx)?;
            tx.commit()?;

            let snapshot = Event {
                seq,
                time: now_ms(),
                experiment_id: experiment.id.clone(),
                stage: Some(kind),
                attempt: info.attempt,
                body: EventBody::Snapshot {
                    info: Box::new(info),
                    metrics,
                },
            };
            Ok::<_, Error>((seq, vec![snapshot]))
        })
    }

    /// Every event recorded from now on, of every experiment and stage, from every process
    /// sharing the data folder (for the app to forward to its window).
    pub fn subscribe_all(&self) -> Result<Subscription> {
        self.shared().bus.subscribe(Filter::All, || {
            let seq = store::last_event_seq(&self.shared().conn())?;
            Ok::<_, Error>((seq, Vec::new()))
        })
    }
}

fn name_conflict(name: &str) -> Error {
    Error::new(
        ErrorCode::Conflict,
        format!("an experiment named '{name}' already exists"),
    )
    .with_details(json!({ "field": "name", "name": name }))
}

fn checked_update(mut experiment: Experiment, update: ExperimentUpdate) -> Result<Experiment> {
    if let Some(name) = update.name {
        validate_name(&name)?;
        experiment.name = name;
    }
    if let Some(description) = update.description {
        validate_description(&description)?;
        experiment.description = description;
    }
    if let Some(language) = update.language {
        experiment.language = language;
    }
    if let Some(device) = update.device {
        experiment.device = normalize_device(&device)?;
    }
    if let Some(sources) = update.sources {
        experiment.sources = validate_sources(&sources)?;
    }
    if let Some(base_models) = update.base_models {
        experiment.base_models = validate_base_models(&base_models)?;
    }
    experiment.updated_at = now_ms();
    Ok(experiment)
}

fn check_dependencies(
    experiment: &Experiment,
    kind: StageKind,
    stages: &[StageInfo],
) -> Result<()> {
    let missing: Vec<&StageInfo> = stages
        .iter()
        .filter(|stage| kind.needs().contains(&stage.kind))
        .filter(|stage| stage.status != StageStatus::Completed)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }

    let listed: Vec<String> = missing
        .iter()
        .map(|stage| format!("{} ({})", stage.kind, stage.status))
        .collect();
    let details: Vec<Value> = missing
        .iter()
        .map(|stage| json!({ "stage": stage.kind, "status": stage.status }))
        .collect();
    Err(Error::new(
        ErrorCode::DependencyUnmet,
        format!(
            "stage {kind} of experiment '{}' needs these stages completed first: {}",
            experiment.name,
            listed.join(", ")
        ),
    )
    .with_details(json!({ "stage": kind, "missing": details })))
}

fn remove_experiment_folder(experiment: &Experiment) -> DeleteOutcome {
    let dir = PathBuf::from(&experiment.dir);
    let removal = match std::fs::remove_dir_all(&dir) {
        Err(err) if err.kind() != std::io::ErrorKind::NotFound => Err(err),
        _ => Ok(()),
    };
    if let Err(err) = &removal {
        log::warn!(
            "experiment {} deleted, but its folder {} remains: {err}",
            experiment.id,
            dir.display()
        );
    }

    DeleteOutcome {
        experiment_id: experiment.id.clone(),
        dir: experiment.dir.clone(),
        folder_removed: removal.is_ok(),
        folder_error: removal
            .err()
            .map(|err| format!("cannot remove {}: {err}", dir.display())),
    }
}

/// Marks stages `stale`, recording one status event each (used by the runner's queueing).
pub(crate) fn mark_stale(
    tx: &rusqlite::Transaction<'_>,
    experiment_id: &str,
    kinds: &[StageKind],
) -> Result<()> {
    for kind in kinds {
        let attempt: u32 = tx.query_row(
            "UPDATE stages SET status = 'stale' WHERE experiment_id = ?1 AND kind = ?2 \
             RETURNING attempt",
            params![experiment_id, kind.as_str()],
            |row| row.get(0),
        )?;
        let body = EventBody::Status {
            status: StageStatus::Stale,
        };
        store::insert_event(tx, experiment_id, Some(*kind), attempt, &body)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_can_be_shared_across_threads() {
        fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

        assert_send_sync::<Engine>();
    }
}
