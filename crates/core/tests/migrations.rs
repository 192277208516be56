//! Opening database files written by older (and newer) builds.

mod common;

use gsv_core::{
    Engine, EngineConfig, ExperimentStatus, ListQuery, StageKind, StageStatus, WorkerCommand,
};
use rusqlite::Connection;

/// The schema of the first release (user_version 1), written out as that build wrote it.
const VERSION_1_SCHEMA: &str = "
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
PRAGMA user_version = 1;
";

const EXPERIMENT_ID: &str = "6f1c1a52-7c1e-4a2e-9a55-0d6f3f0f0001";

fn write_version_1_file(data_dir: &std::path::Path) {
    let conn = Connection::open(data_dir.join("gsv.sqlite3")).unwrap();
    conn.execute_batch(VERSION_1_SCHEMA).unwrap();
    conn.execute(
        "INSERT INTO experiments VALUES (?1, 'old voice', 'from v1', 'zh', 'v2', '{}', 'cpu', \
         '[]', 1700000000000, 1700000000000)",
        [EXPERIMENT_ID],
    )
    .unwrap();
    for kind in StageKind::ALL {
        let status = match kind {
            StageKind::AudioSlice => "completed",
            StageKind::Asr => "running",
            _ => "pending",
        };
        conn.execute(
            "INSERT INTO stages (experiment_id, kind, status, params, attempt) \
             VALUES (?1, ?2, ?3, '{}', 1)",
            [EXPERIMENT_ID, kind.as_str(), status],
        )
        .unwrap();
    }
}

#[test]
fn a_version_1_file_is_migrated_and_its_data_kept() {
    let dir = tempfile::tempdir().unwrap();
    write_version_1_file(dir.path());

    let engine = common::open(dir.path());
    let detail = engine.get_experiment("old voice").unwrap();
    let version: i64 = Connection::open(dir.path().join("gsv.sqlite3"))
        .unwrap()
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();

    assert_eq!(version, 2);
    assert_eq!(detail.experiment.id, EXPERIMENT_ID);
    assert_eq!(detail.experiment.description, "from v1");
    assert_eq!(detail.stages[0].status, StageStatus::Completed);
    // It was running when the old build stopped: nobody owns it now.
    assert_eq!(detail.stages[1].status, StageStatus::Failed);
    assert_eq!(
        detail.stages[1].error.as_ref().unwrap().code.as_str(),
        "interrupted"
    );
    assert_eq!(detail.experiment.status, ExperimentStatus::Failed);
    let failed = ListQuery {
        status: Some(ExperimentStatus::Failed),
        ..Default::default()
    };
    assert_eq!(engine.list_experiments(&failed).unwrap().total, 1);
}

#[test]
fn a_migrated_file_runs_stages_and_stores_metrics() {
    let dir = tempfile::tempdir().unwrap();
    write_version_1_file(dir.path());
    let engine = common::open(dir.path());
    std::fs::create_dir_all(dir.path().join("experiments").join(EXPERIMENT_ID)).unwrap();

    common::complete(&engine, "old voice", &[StageKind::Asr]);
    let snapshot = engine
        .subscribe("old voice", "asr")
        .unwrap()
        .recv()
        .unwrap();

    let gsv_core::EventBody::Snapshot { info, metrics } = snapshot.body else {
        panic!()
    };
    assert_eq!(info.attempt, 2);
    assert_eq!(metrics.len(), 3);
}

#[test]
fn a_file_from_a_newer_build_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let conn = Connection::open(dir.path().join("gsv.sqlite3")).unwrap();
    conn.execute_batch("PRAGMA user_version = 99;").unwrap();
    drop(conn);

    let worker = WorkerCommand {
        program: "unused".into(),
        args: vec![],
    };
    let opened = Engine::open(EngineConfig {
        data_dir: dir.path().to_path_buf(),
        worker,
    });

    let err = opened.err().expect("refused");
    assert_eq!(err.code(), "database");
    assert!(err.message().contains("schema version 99"));
}
