//! The SQLite store: schema, migrations, and the queries of the engine.
//!
//! The database is the one source of truth for what ran. Every multi-row change happens in one
//! transaction; every recorded event goes to the `events` table in the same transaction as the
//! state change it announces.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rusqlite::{params, Connection, OptionalExtension, Row, Transaction};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{Error, ErrorPayload, Result};
use crate::events::{Event, EventBody};
use crate::experiment::{Experiment, ExperimentStatus};
use crate::stage::{StageKind, StageStatus};

/// Schema version this build writes (SQLite `user_version`).
pub const SCHEMA_VERSION: i64 = 2;

/// Version 1: experiments and stages only (the first release).
const MIGRATION_1: &str = "
CREATE TABLE experiments (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL,
    model_version TEXT NOT NULL,
    base_models TEXT NOT NULL,
    device TEXT NOT NULL,
    sources TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE stages (
    experiment_id TEXT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    params TEXT,
    result TEXT,
    artifacts TEXT NOT NULL DEFAULT '[]',
    error TEXT,
    attempt INTEGER NOT NULL DEFAULT 0,
    queued_at INTEGER,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (experiment_id, kind)
);
";

/// Version 2: derived experiment status for filtering, run ownership and queue order for the
/// runner, cancel requests across processes, metrics and the event log.
const MIGRATION_2: &str = "
ALTER TABLE experiments ADD COLUMN status TEXT NOT NULL DEFAULT 'pending';
CREATE INDEX experiments_by_created ON experiments (created_at DESC, id);
CREATE INDEX experiments_by_status ON experiments (status, created_at DESC, id);
ALTER TABLE stages ADD COLUMN owner TEXT;
ALTER TABLE stages ADD COLUMN device TEXT;
ALTER TABLE stages ADD COLUMN queue_order INTEGER;
ALTER TABLE stages ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0;
CREATE INDEX stages_by_status ON stages (status, queue_order);
CREATE TABLE metrics (
    experiment_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    step INTEGER NOT NULL,
    epoch INTEGER,
    name TEXT NOT NULL,
    value REAL NOT NULL,
    time INTEGER NOT NULL,
    FOREIGN KEY (experiment_id, stage) REFERENCES stages (experiment_id, kind) ON DELETE CASCADE
);
CREATE INDEX metrics_by_run ON metrics (experiment_id, stage, attempt, step);
CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    time INTEGER NOT NULL,
    experiment_id TEXT NOT NULL,
    stage TEXT,
    attempt INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX events_by_stage ON events (experiment_id, stage, attempt);
";

/// Current time in milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|elapsed| elapsed.as_millis() as i64)
        .unwrap_or(0)
}

/// Opens the database file with the engine's settings and brings its schema up to date.
pub(crate) fn open(path: &Path) -> Result<Connection> {
    let mut conn = connect(path)?;
    migrate(&mut conn)?;
    prune_events(&conn)?;
    Ok(conn)
}

/// Opens another connection to an already migrated database.
pub(crate) fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    // Another process (the app or a terminal `gsv`) may hold the write lock briefly.
    conn.busy_timeout(Duration::from_secs(10))?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    Ok(conn)
}

fn migrate(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(Error::new(
            crate::ErrorCode::Database,
            format!(
                "the database has schema version {version}, newer than this build's \
                 {SCHEMA_VERSION}; update the application"
            ),
        ));
    }

    if version < 1 {
        tx.execute_batch(MIGRATION_1)?;
    }
    if version < 2 {
        tx.execute_batch(MIGRATION_2)?;
        let ids: Vec<String> = query_strings(&tx, "SELECT id FROM experiments", [])?;
        for id in ids {
            refresh_experiment_status(&tx, &id)?;
        }
    }

    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}

fn query_strings(conn: &Connection, sql: &str, args: impl rusqlite::Params) -> Result<Vec<String>> {
    let mut statement = conn.prepare(sql)?;
    let rows = statement.query_map(args, |row| row.get::<_, String>(0))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The state of one stage of one experiment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct StageInfo {
    /// The experiment.
    pub experiment_id: String,
    /// Which stage.
    pub kind: StageKind,
    /// Current status.
    pub status: StageStatus,
    /// The stages it needs.
    pub needs: Vec<StageKind>,
    /// Whether it needs the device to itself.
    pub gpu_heavy: bool,
    /// Parameters of the latest run (`null` before the first run).
    pub params: Option<Value>,
    /// Result summary of the latest completed run.
    pub result: Option<Value>,
    /// Files the latest completed run wrote, relative to the experiment folder.
    pub artifacts: Vec<String>,
    /// Why the latest run failed.
    pub error: Option<ErrorPayload>,
    /// How many times it was executed.
    pub attempt: u32,
    /// When the latest run was queued, ms since the Unix epoch.
    #[ts(type = "number | null")]
    pub queued_at: Option<i64>,
    /// When its worker started.
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    /// When it ended.
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
    /// Device of the latest run.
    pub device: Option<String>,
    /// Whether a cancel was asked and has not taken effect yet.
    pub cancel_requested: bool,
}

/// One stored metric value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct MetricPoint {
    /// Step.
    #[ts(type = "number")]
    pub step: u64,
    /// Epoch, for training stages.
    pub epoch: Option<u32>,
    /// Name, e.g. `loss_mel`.
    pub name: String,
    /// Value.
    pub value: f64,
    /// When it was recorded, ms since the Unix epoch.
    #[ts(type = "number")]
    pub time: i64,
}

/// Where experiment folders live.
pub(crate) fn experiment_dir(experiments_root: &Path, id: &str) -> PathBuf {
    experiments_root.join(id)
}

const EXPERIMENT_COLUMNS: &str = "id, name, description, language, model_version, base_models, \
    device, sources, status, created_at, updated_at";

fn conversion_error(
    index: usize,
    err: impl std::error::Error + Send + Sync + 'static,
) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(index, rusqlite::types::Type::Text, Box::new(err))
}

/// Reads a column holding a JSON document.
fn json_column<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_str(&text).map_err(|err| conversion_error(index, err))
}

/// Reads a column holding the plain name of a serde enum variant.
fn enum_column<T: serde::de::DeserializeOwned>(row: &Row<'_>, index: usize) -> rusqlite::Result<T> {
    let text: String = row.get(index)?;
    serde_json::from_value(Value::String(text)).map_err(|err| conversion_error(index, err))
}

fn experiment_from_row(row: &Row<'_>, experiments_root: &Path) -> rusqlite::Result<Experiment> {
    let id: String = row.get(0)?;
    Ok(Experiment {
        dir: experiment_dir(experiments_root, &id)
            .to_string_lossy()
            .into_owned(),
        id,
        name: row.get(1)?,
        description: row.get(2)?,
        language: enum_column(row, 3)?,
        model_version: enum_column(row, 4)?,
        base_models: json_column(row, 5)?,
        device: row.get(6)?,
        sources: json_column(row, 7)?,
        status: enum_column(row, 8)?,
        created_at: row.get(9)?,
        updated_at: row.get(10)?,
    })
}

/// Inserts an experiment and its seven `pending` stages.
pub(crate) fn insert_experiment(tx: &Transaction<'_>, experiment: &Experiment) -> Result<()> {
    tx.execute(
        &format!("INSERT INTO experiments ({EXPERIMENT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"),
        params![
            experiment.id,
            experiment.name,
            experiment.description,
            enum_text(&experiment.language),
            enum_text(&experiment.model_version),
            serde_json::to_string(&experiment.base_models)?,
            experiment.device,
            serde_json::to_string(&experiment.sources)?,
            experiment.status.as_str(),
            experiment.created_at,
            experiment.updated_at,
        ],
    )?;

    for kind in StageKind::ALL {
        tx.execute(
            "INSERT INTO stages (experiment_id, kind, status) VALUES (?1, ?2, 'pending')",
            params![experiment.id, kind.as_str()],
        )?;
    }
    Ok(())
}

/// Writes the base configuration of an experiment.
pub(crate) fn update_experiment(tx: &Transaction<'_>, experiment: &Experiment) -> Result<()> {
    tx.execute(
        "UPDATE experiments SET name = ?2, description = ?3, language = ?4, base_models = ?5, \
         device = ?6, sources = ?7, updated_at = ?8 WHERE id = ?1",
        params![
            experiment.id,
            experiment.name,
            experiment.description,
            enum_text(&experiment.language),
            serde_json::to_string(&experiment.base_models)?,
            experiment.device,
            serde_json::to_string(&experiment.sources)?,
            experiment.updated_at,
        ],
    )?;
    Ok(())
}

fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(text)) => text,
        _ => String::new(),
    }
}

/// Finds an experiment by id, or else by name.
pub(crate) fn find_experiment(
    conn: &Connection,
    experiments_root: &Path,
    key: &str,
) -> Result<Experiment> {
    let sql = format!(
        "SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE id = ?1 \
         UNION ALL SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE name = ?1 LIMIT 1"
    );
    conn.query_row(&sql, [key], |row| {
        experiment_from_row(row, experiments_root)
    })
    .optional()?
    .ok_or_else(|| Error::not_found("experiment", key))
}

/// Whether another experiment already has this name.
pub(crate) fn name_taken(conn: &Connection, name: &str, except_id: Option<&str>) -> Result<bool> {
    let count: i64 = conn.query_row(
        "SELECT count(*) FROM experiments WHERE name = ?1 AND id IS NOT ?2",
        params![name, except_id],
        |row| row.get(0),
    )?;
    Ok(count > 0)
}

/// One page of experiments (newest first) and the total matching the filter.
pub(crate) fn list_experiments(
    conn: &Connection,
    experiments_root: &Path,
    status: Option<ExperimentStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<Experiment>, i64)> {
    let status = status.map(ExperimentStatus::as_str);
    let total: i64 = conn.query_row(
        "SELECT count(*) FROM experiments WHERE ?1 IS NULL OR status = ?1",
        [status],
        |row| row.get(0),
    )?;

    let sql = format!(
        "SELECT {EXPERIMENT_COLUMNS} FROM experiments WHERE ?1 IS NULL OR status = ?1 \
         ORDER BY created_at DESC, id LIMIT ?2 OFFSET ?3"
    );
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map(params![status, limit, offset], |row| {
        experiment_from_row(row, experiments_root)
    })?;
    let items = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((items, total))
}

/// Events younger than this outlive the rows they are about, so that subscribers in other
/// processes (which poll) still receive a run's last events.
pub(crate) const EVENT_RETENTION_MS: i64 = 60_000;

/// Deletes an experiment; its stages and metrics go with it, its events once they are old.
pub(crate) fn delete_experiment(tx: &Transaction<'_>, id: &str) -> Result<()> {
    tx.execute("DELETE FROM experiments WHERE id = ?1", [id])?;
    prune_events(tx)
}

/// Removes old events of deleted experiments.
pub(crate) fn prune_events(conn: &Connection) -> Result<()> {
    conn.execute(
        "DELETE FROM events WHERE time < ?1 AND experiment_id NOT IN (SELECT id FROM experiments)",
        [now_ms() - EVENT_RETENTION_MS],
    )?;
    Ok(())
}

const STAGE_COLUMNS: &str = "experiment_id, kind, status, params, result, artifacts, error, \
    attempt, queued_at, started_at, finished_at, device, cancel_requested";

fn stage_from_row(row: &Row<'_>) -> rusqlite::Result<StageInfo> {
    let optional_json = |index: usize| -> rusqlite::Result<Option<Value>> {
        let text: Option<String> = row.get(index)?;
        text.map(|text| serde_json::from_str(&text).map_err(|err| conversion_error(index, err)))
            .transpose()
    };
    let kind: StageKind = row
        .get::<_, String>(1)?
        .parse()
        .map_err(|err| conversion_error(1, err))?;
    let status: StageStatus = row
        .get::<_, String>(2)?
        .parse()
        .map_err(|err| conversion_error(2, err))?;

    Ok(StageInfo {
        experiment_id: row.get(0)?,
        kind,
        status,
        needs: kind.needs().to_vec(),
        gpu_heavy: kind.gpu_heavy(),
        params: optional_json(3)?,
        result: optional_json(4)?,
        artifacts: json_column(row, 5)?,
        error: optional_json(6)?
            .map(serde_json::from_value)
            .transpose()
            .map_err(|err| conversion_error(6, err))?,
        attempt: row.get(7)?,
        queued_at: row.get(8)?,
        started_at: row.get(9)?,
        finished_at: row.get(10)?,
        device: row.get(11)?,
        cancel_requested: row.get::<_, i64>(12)? != 0,
    })
}

/// All stages of an experiment, in pipeline order.
pub(crate) fn stages(conn: &Connection, experiment_id: &str) -> Result<Vec<StageInfo>> {
    let sql = format!("SELECT {STAGE_COLUMNS} FROM stages WHERE experiment_id = ?1");
    let mut statement = conn.prepare_cached(&sql)?;
    let rows = statement.query_map([experiment_id], stage_from_row)?;
    let mut stages = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    stages.sort_by_key(|stage| stage.kind);
    Ok(stages)
}

/// One stage.
pub(crate) fn stage(conn: &Connection, experiment_id: &str, kind: StageKind) -> Result<StageInfo> {
    let sql = format!("SELECT {STAGE_COLUMNS} FROM stages WHERE experiment_id = ?1 AND kind = ?2");
    conn.query_row(&sql, params![experiment_id, kind.as_str()], stage_from_row)
        .optional()?
        .ok_or_else(|| Error::not_found("stage", &format!("{experiment_id}/{kind}")))
}

/// Recomputes the derived status of an experiment from its stages.
pub(crate) fn refresh_experiment_status(conn: &Connection, experiment_id: &str) -> Result<()> {
    let statuses = query_strings(
        conn,
        "SELECT status FROM stages WHERE experiment_id = ?1",
        [experiment_id],
    )?;
    let statuses = statuses
        .iter()
        .map(|status| status.parse::<StageStatus>())
        .collect::<Result<Vec<_>>>()?;

    let status = ExperimentStatus::derive(&statuses);
    conn.execute(
        "UPDATE experiments SET status = ?2, updated_at = ?3 WHERE id = ?1",
        params![experiment_id, status.as_str(), now_ms()],
    )?;
    Ok(())
}

/// Records an event; returns its seq.
pub(crate) fn insert_event(
    conn: &Connection,
    experiment_id: &str,
    stage: Option<StageKind>,
    attempt: u32,
    body: &EventBody,
) -> Result<i64> {
    conn.execute(
        "INSERT INTO events (time, experiment_id, stage, attempt, body) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![now_ms(), experiment_id, stage.map(StageKind::as_str), attempt, serde_json::to_string(body)?],
    )?;
    Ok(conn.last_insert_rowid())
}

/// Events recorded after `seq`, oldest first.
pub(crate) fn events_after(conn: &Connection, seq: i64, limit: i64) -> Result<Vec<Event>> {
    let mut statement = conn.prepare_cached(
        "SELECT seq, time, experiment_id, stage, attempt, body FROM events WHERE seq > ?1 \
         ORDER BY seq LIMIT ?2",
    )?;
    let rows = statement.query_map(params![seq, limit], |row| {
        Ok((
            row.get::<_, i64>(0)?,
            row.get::<_, i64>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
            row.get::<_, u32>(4)?,
            row.get::<_, String>(5)?,
        ))
    })?;

    let mut events = Vec::new();
    for row in rows {
        let (seq, time, experiment_id, stage, attempt, body) = row?;
        events.push(Event {
            seq,
            time,
            experiment_id,
            stage: stage.map(|stage| stage.parse()).transpose()?,
            attempt,
            body: serde_json::from_str(&body)?,
        });
    }
    Ok(events)
}

/// The highest seq ever given to an event (0 when none was).
pub(crate) fn last_event_seq(conn: &Connection) -> Result<i64> {
    let seq: Option<i64> = conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'events'",
            [],
            |row| row.get(0),
        )
        .optional()?;
    Ok(seq.unwrap_or(0))
}

/// Records one metric value.
pub(crate) fn insert_metric(
    conn: &Connection,
    experiment_id: &str,
    stage: StageKind,
    attempt: u32,
    point: &MetricPoint,
) -> Result<()> {
    conn.execute(
        "INSERT INTO metrics (experiment_id, stage, attempt, step, epoch, name, value, time) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            experiment_id,
            stage.as_str(),
            attempt,
            point.step as i64,
            point.epoch,
            point.name,
            point.value,
            point.time
        ],
    )?;
    Ok(())
}

/// The metrics stored for one attempt of a stage, in recording order.
pub(crate) fn metrics(
    conn: &Connection,
    experiment_id: &str,
    stage: StageKind,
    attempt: u32,
) -> Result<Vec<MetricPoint>> {
    let mut statement = conn.prepare_cached(
        "SELECT step, epoch, name, value, time FROM metrics \
         WHERE experiment_id = ?1 AND stage = ?2 AND attempt = ?3 ORDER BY rowid",
    )?;
    let rows = statement.query_map(params![experiment_id, stage.as_str(), attempt], |row| {
        Ok(MetricPoint {
            step: row.get::<_, i64>(0)? as u64,
            epoch: row.get(1)?,
            name: row.get(2)?,
            value: row.get(3)?,
            time: row.get(4)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}
