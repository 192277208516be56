//! The runner: queueing, atomic claims, device slots, supervised worker processes, cancel, and
//! recovery of runs whose process died.
//!
//! Each engine runs three kinds of threads: one bus tail (delivers recorded events), one
//! scheduler (recovers dead owners' runs, claims this engine's queued stages when their device
//! is free), and one supervisor per running stage (starts the worker, records what it reports,
//! enforces cancel). Only these threads and the API write the database; workers never do.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{params, Transaction};
use serde_json::json;

use crate::engine::{mark_stale, ExecuteOutcome, Shared};
use crate::error::{Error, ErrorCode, Result};
use crate::events::EventBody;
use crate::experiment::Experiment;
use crate::owner;
use crate::params::StageParams;
use crate::stage::{StageKind, StageStatus};
use crate::store::{self, now_ms, StageInfo};

mod supervisor;

/// Scheduler poll when nothing wakes it (picks up other processes' changes).
const SCHEDULER_POLL: Duration = Duration::from_millis(250);
/// Bus poll when nothing wakes it (picks up other processes' events).
const BUS_POLL: Duration = Duration::from_millis(150);

/// Cancel flag of a run this engine supervises.
#[derive(Debug, Default)]
pub(crate) struct RunControl {
    pub(super) cancel: AtomicBool,
}

/// The runs this engine supervises.
#[derive(Default)]
pub(crate) struct Runs {
    active: Mutex<HashMap<(String, StageKind), Arc<RunControl>>>,
    supervisors: Mutex<Vec<JoinHandle<()>>>,
}

impl Runs {
    fn control(&self, experiment_id: &str, kind: StageKind) -> Option<Arc<RunControl>> {
        lock(&self.active)
            .get(&(experiment_id.to_string(), kind))
            .cloned()
    }

    /// Asks every supervised run to stop.
    pub(crate) fn cancel_all(&self) {
        for control in lock(&self.active).values() {
            control.cancel.store(true, Ordering::SeqCst);
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Waits for every supervisor thread to finish.
pub(crate) fn join_supervisors(shared: &Shared) {
    let handles = std::mem::take(&mut *lock(&shared.runs.supervisors));
    for handle in handles {
        let _ = handle.join();
    }
}

/// Queues a stage inside the caller's transaction (see `Engine::execute_stage`).
pub(crate) fn queue_stage(
    shared: &Shared,
    tx: &Transaction<'_>,
    experiment: &Experiment,
    kind: StageKind,
    stages: &[StageInfo],
    params: &StageParams,
) -> Result<ExecuteOutcome> {
    let current = check_queueable(experiment, kind, stages)?;
    let rerun = current.status == StageStatus::Completed;
    let stale = stale_after_rerun(kind, stages);
    let attempt = current.attempt + 1;

    claim_for_queue(shared, tx, experiment, kind, attempt, params)?;
    mark_stale(tx, &experiment.id, &stale)?;
    tx.execute(
        "DELETE FROM events WHERE experiment_id = ?1 AND stage = ?2 AND attempt < ?3 AND time < ?4",
        params![
            experiment.id,
            kind.as_str(),
            attempt,
            now_ms() - store::EVENT_RETENTION_MS
        ],
    )?;
    let queued = EventBody::Status {
        status: StageStatus::Queued,
    };
    store::insert_event(tx, &experiment.id, Some(kind), attempt, &queued)?;
    store::refresh_experiment_status(tx, &experiment.id)?;

    let info = store::stage(tx, &experiment.id, kind)?;
    log::info!(
        "queued {kind} of experiment {} (attempt {attempt}, rerun {rerun})",
        experiment.id
    );
    Ok(ExecuteOutcome {
        experiment_id: experiment.id.clone(),
        stage: kind,
        attempt,
        rerun,
        stale,
        info,
    })
}

/// The stage's current state, if neither it nor anything downstream of it is active.
fn check_queueable<'a>(
    experiment: &Experiment,
    kind: StageKind,
    stages: &'a [StageInfo],
) -> Result<&'a StageInfo> {
    let current = stages
        .iter()
        .find(|stage| stage.kind == kind)
        .ok_or_else(|| Error::not_found("stage", kind.as_str()))?;
    if current.status.is_active() {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "stage {kind} of experiment '{}' is already {}",
                experiment.name, current.status
            ),
        ));
    }

    let downstream = kind.downstream();
    let busy = stages
        .iter()
        .find(|stage| downstream.contains(&stage.kind) && stage.status.is_active());
    if let Some(busy) = busy {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "stage {} of experiment '{}' depends on {kind} and is {}; cancel it first",
                busy.kind, experiment.name, busy.status
            ),
        ));
    }
    Ok(current)
}

/// The downstream stages that had run and become `stale` when `kind` runs again. Stages that
/// never ran stay `pending`.
fn stale_after_rerun(kind: StageKind, stages: &[StageInfo]) -> Vec<StageKind> {
    let downstream = kind.downstream();
    stages
        .iter()
        .filter(|stage| downstream.contains(&stage.kind))
        .filter(|stage| {
            matches!(
                stage.status,
                StageStatus::Completed | StageStatus::Failed | StageStatus::Cancelled
            )
        })
        .map(|stage| stage.kind)
        .collect()
}

fn claim_for_queue(
    shared: &Shared,
    tx: &Transaction<'_>,
    experiment: &Experiment,
    kind: StageKind,
    attempt: u32,
    params: &StageParams,
) -> Result<()> {
    // Conditional: if another process queued it since we read it, nothing changes.
    let changed = tx.execute(
        "UPDATE stages SET status = 'queued', params = ?3, result = NULL, artifacts = '[]', \
         error = NULL, attempt = ?4, queued_at = ?5, started_at = NULL, finished_at = NULL, \
         owner = ?6, device = ?7, cancel_requested = 0, \
         queue_order = (SELECT coalesce(max(queue_order), 0) + 1 FROM stages) \
         WHERE experiment_id = ?1 AND kind = ?2 AND status NOT IN ('queued', 'running')",
        params![
            experiment.id,
            kind.as_str(),
            serde_json::to_string(&params.to_json())?,
            attempt,
            now_ms(),
            shared.owner.id(),
            experiment.device,
        ],
    )?;
    if changed != 1 {
        return Err(Error::new(
            ErrorCode::Conflict,
            format!(
                "stage {kind} of experiment '{}' was started by someone else",
                experiment.name
            ),
        ));
    }
    Ok(())
}

enum CancelRequest {
    Done,
    Requested,
}

/// Cancels a queued stage at once, or asks the owner of a running stage to stop it.
pub(crate) fn request_cancel(shared: &Shared, experiment_id: &str, kind: StageKind) -> Result<()> {
    let request = shared.write(|tx| {
        let info = store::stage(tx, experiment_id, kind)?;
        match info.status {
            StageStatus::Queued => {
                let changed = tx.execute(
                    "UPDATE stages SET status = 'cancelled', finished_at = ?3, cancel_requested = 0 \
                     WHERE experiment_id = ?1 AND kind = ?2 AND status = 'queued'",
                    params![experiment_id, kind.as_str(), now_ms()],
                )?;
                if changed == 1 {
                    store::insert_event(tx, experiment_id, Some(kind), info.attempt, &EventBody::Cancelled {})?;
                    store::refresh_experiment_status(tx, experiment_id)?;
                }
                Ok(CancelRequest::Done)
            }
            StageStatus::Running => {
                tx.execute(
                    "UPDATE stages SET cancel_requested = 1 \
                     WHERE experiment_id = ?1 AND kind = ?2 AND status = 'running'",
                    params![experiment_id, kind.as_str()],
                )?;
                Ok(CancelRequest::Requested)
            }
            status => Err(not_running(tx, experiment_id, kind, status)),
        }
    })?;

    if let CancelRequest::Requested = request {
        if let Some(control) = shared.runs.control(experiment_id, kind) {
            control.cancel.store(true, Ordering::SeqCst);
        }
    }
    shared.wake_scheduler();
    Ok(())
}

fn not_running(
    tx: &Transaction<'_>,
    experiment_id: &str,
    kind: StageKind,
    status: StageStatus,
) -> Error {
    let name: String = tx
        .query_row(
            "SELECT name FROM experiments WHERE id = ?1",
            [experiment_id],
            |row| row.get(0),
        )
        .unwrap_or_else(|_| experiment_id.to_string());
    Error::new(
        ErrorCode::NotRunning,
        format!("stage {kind} of experiment '{name}' is not queued or running (it is {status})"),
    )
    .with_details(json!({ "stage": kind, "status": status }))
}

/// Marks `queued`/`running` stages whose owner process is gone as `failed` (interrupted).
pub(crate) fn recover_interrupted(shared: &Shared) -> Result<()> {
    let candidates: Vec<(String, String, Option<String>, u32, String)> = {
        let conn = shared.conn();
        let mut statement = conn.prepare_cached(
            "SELECT experiment_id, kind, owner, attempt, status FROM stages \
             WHERE status IN ('queued', 'running') AND owner IS NOT ?1",
        )?;
        let rows = statement.query_map([shared.owner.id()], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };

    let dead: Vec<_> = candidates
        .into_iter()
        .filter(|(_, _, owner, _, _)| match owner {
            Some(owner) => !owner::is_alive(&shared.locks_dir, owner),
            None => true,
        })
        .collect();
    if dead.is_empty() {
        return Ok(());
    }

    shared.write(|tx| {
        for (experiment_id, kind, owner, attempt, status) in &dead {
            let kind: StageKind = kind.parse()?;
            let error = Error::new(
                ErrorCode::Interrupted,
                format!("interrupted: the process running stage {kind} ended before it finished"),
            )
            .with_details(json!({ "previous_status": status }));
            let changed = tx.execute(
                "UPDATE stages SET status = 'failed', error = ?5, finished_at = ?6, \
                 cancel_requested = 0 WHERE experiment_id = ?1 AND kind = ?2 \
                 AND status IN ('queued', 'running') AND owner IS ?3 AND attempt = ?4",
                params![
                    experiment_id,
                    kind.as_str(),
                    owner,
                    attempt,
                    serde_json::to_string(&error.payload())?,
                    now_ms()
                ],
            )?;
            if changed == 1 {
                log::warn!("stage {kind} of experiment {experiment_id} was interrupted");
                let body = EventBody::Failed {
                    error: error.payload(),
                };
                store::insert_event(tx, experiment_id, Some(kind), *attempt, &body)?;
                store::refresh_experiment_status(tx, experiment_id)?;
            }
        }
        Ok(())
    })
}

/// Starts the thread that delivers recorded events to subscribers.
pub(crate) fn spawn_bus_tail(shared: &Arc<Shared>) -> Result<JoinHandle<()>> {
    let conn = store::connect(&shared.db_path)?;
    let shared = Arc::clone(shared);
    Ok(std::thread::spawn(move || {
        const BATCH: i64 = 1000;
        let mut full_batch = false;
        while !shared.is_shutting_down() {
            if !full_batch {
                shared.bus.wait(BUS_POLL);
            }
            match store::events_after(&conn, shared.bus.delivered_seq(), BATCH) {
                Ok(events) => {
                    full_batch = events.len() as i64 == BATCH;
                    shared.bus.deliver(events);
                }
                Err(err) => {
                    full_batch = false;
                    log::warn!("reading events failed: {err}");
                }
            }
        }
    }))
}

/// Starts the scheduler thread.
pub(crate) fn spawn_scheduler(shared: &Arc<Shared>) -> JoinHandle<()> {
    let shared = Arc::clone(shared);
    std::thread::spawn(move || {
        while !shared.is_shutting_down() {
            if let Err(err) = recover_interrupted(&shared) {
                log::warn!("recovering interrupted stages failed: {err}");
            }
            match shared.write(|tx| claim_runnable(&shared, tx)) {
                Ok(claimed) => claimed
                    .into_iter()
                    .for_each(|run| start_supervisor(&shared, run)),
                Err(err) => log::warn!("claiming queued stages failed: {err}"),
            }
            shared.wait_for_scheduler(SCHEDULER_POLL);
        }
    })
}

/// A stage this engine claimed and now runs.
#[derive(Debug, Clone)]
struct ClaimedRun {
    experiment_id: String,
    kind: StageKind,
    attempt: u32,
}

fn heavy_kinds_sql() -> String {
    let heavy: Vec<String> = StageKind::ALL
        .iter()
        .filter(|kind| kind.gpu_heavy())
        .map(|kind| format!("'{}'", kind.as_str()))
        .collect();
    heavy.join(", ")
}

/// Claims this engine's queued stages that may start now: light stages at once, GPU-heavy ones
/// when no heavy stage runs on their device and none was queued before them there (by any
/// process). Runs in one write transaction, so two processes never claim the same slot.
fn claim_runnable(shared: &Shared, tx: &Transaction<'_>) -> Result<Vec<ClaimedRun>> {
    let candidates: Vec<(String, String, String, i64, u32)> = {
        let mut statement = tx.prepare_cached(
            "SELECT experiment_id, kind, device, queue_order, attempt FROM stages \
             WHERE status = 'queued' AND owner = ?1 ORDER BY queue_order",
        )?;
        let rows = statement.query_map([shared.owner.id()], |row| {
            Ok((
                row.get(0)?,
                row.get(1)?,
                row.get(2)?,
                row.get(3)?,
                row.get(4)?,
            ))
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };

    let heavy = heavy_kinds_sql();
    let mut claimed = Vec::new();
    for (experiment_id, kind, device, queue_order, attempt) in candidates {
        let kind: StageKind = kind.parse()?;
        if kind.gpu_heavy() && !device_free(tx, &heavy, &device, queue_order)? {
            continue;
        }

        let changed = tx.execute(
            "UPDATE stages SET status = 'running', started_at = ?3 \
             WHERE experiment_id = ?1 AND kind = ?2 AND status = 'queued' AND owner = ?4",
            params![experiment_id, kind.as_str(), now_ms(), shared.owner.id()],
        )?;
        if changed == 1 {
            let body = EventBody::Status {
                status: StageStatus::Running,
            };
            store::insert_event(tx, &experiment_id, Some(kind), attempt, &body)?;
            store::refresh_experiment_status(tx, &experiment_id)?;
            claimed.push(ClaimedRun {
                experiment_id,
                kind,
                attempt,
            });
        }
    }
    Ok(claimed)
}

fn device_free(tx: &Transaction<'_>, heavy: &str, device: &str, queue_order: i64) -> Result<bool> {
    let blocking: i64 = tx.query_row(
        &format!(
            "SELECT count(*) FROM stages WHERE device = ?1 AND kind IN ({heavy}) AND \
             (status = 'running' OR (status = 'queued' AND queue_order < ?2))"
        ),
        params![device, queue_order],
        |row| row.get(0),
    )?;
    Ok(blocking == 0)
}

fn start_supervisor(shared: &Arc<Shared>, run: ClaimedRun) {
    let control = Arc::new(RunControl::default());
    lock(&shared.runs.active).insert((run.experiment_id.clone(), run.kind), Arc::clone(&control));

    let thread_shared = Arc::clone(shared);
    let handle = std::thread::spawn(move || {
        supervisor::supervise(&thread_shared, &run, &control);
        lock(&thread_shared.runs.active).remove(&(run.experiment_id.clone(), run.kind));
        thread_shared.wake_scheduler();
    });

    let mut supervisors = lock(&shared.runs.supervisors);
    supervisors.retain(|handle| !handle.is_finished());
    supervisors.push(handle);
}
