//! Experiment operations on a real SQLite file: creation, listing, update, delete.

mod common;

use std::path::Path;
use std::time::Duration;

use common::{execute, set_behaviour, wait_for, TestEnv};
use gsv_core::{
    ExperimentStatus, ExperimentUpdate, Language, ListQuery, NewExperiment, StageKind, StageStatus,
};
use serde_json::json;

#[test]
fn creation_sets_every_stage_pending_and_makes_the_folder() {
    let env = TestEnv::new();
    let audio = env.dir.path().join("voice.wav");
    std::fs::write(&audio, b"RIFF").unwrap();
    let mut new = NewExperiment::new("Alice", Language::Zh);
    new.sources = vec![audio.to_string_lossy().into_owned()];
    new.device = "cuda".into();

    let detail = env.engine.create_experiment(new).unwrap();

    assert_eq!(detail.experiment.name, "Alice");
    assert_eq!(detail.experiment.status, ExperimentStatus::Pending);
    assert_eq!(detail.experiment.device, "cuda:0");
    assert_eq!(detail.stages.len(), 7);
    assert!(detail
        .stages
        .iter()
        .all(|stage| stage.status == StageStatus::Pending));
    assert!(detail
        .stages
        .iter()
        .all(|stage| stage.attempt == 0 && stage.params.is_none()));
    assert!(Path::new(&detail.experiment.dir).is_dir());
    assert!(detail.experiment.dir.ends_with(&detail.experiment.id));
}

#[test]
fn creation_rejects_bad_configuration_naming_the_field() {
    let env = TestEnv::new();
    let cases = [
        (
            NewExperiment::new("", Language::En),
            "name: must be 1 to 64 characters, got 0",
        ),
        (
            NewExperiment::new("x".repeat(65), Language::En),
            "name: must be 1 to 64 characters, got 65",
        ),
        (NewExperiment::new("../escape", Language::En), ""),
    ];

    for (new, message) in cases {
        let name = new.name.clone();
        let outcome = env.engine.create_experiment(new);
        if message.is_empty() {
            // A name with path characters is fine: it never reaches a path.
            let detail = outcome.unwrap();
            assert!(!detail.experiment.dir.contains(&name));
        } else {
            let err = outcome.unwrap_err();
            assert_eq!(err.code(), "invalid_params");
            assert_eq!(err.message(), message);
        }
    }

    let mut missing = NewExperiment::new("m", Language::En);
    missing.sources = vec!["/no/such/file.wav".into()];
    let err = env.engine.create_experiment(missing).unwrap_err();
    assert_eq!(
        err.message(),
        "sources[0]: '/no/such/file.wav' does not exist"
    );

    let mut device = NewExperiment::new("d", Language::En);
    device.device = "tpu".into();
    assert_eq!(
        env.engine.create_experiment(device).unwrap_err().details()["field"],
        "device"
    );
}

#[test]
fn duplicate_name_is_a_conflict() {
    let env = TestEnv::new();
    env.create("same");

    let err = env
        .engine
        .create_experiment(NewExperiment::new("same", Language::En))
        .unwrap_err();

    assert_eq!(err.code(), "conflict");
    assert_eq!(err.message(), "an experiment named 'same' already exists");
}

#[test]
fn experiments_are_found_by_id_or_name() {
    let env = TestEnv::new();
    let created = env.create("findme");

    let by_name = env.engine.get_experiment("findme").unwrap();
    let by_id = env.engine.get_experiment(&created.experiment.id).unwrap();
    let missing = env.engine.get_experiment("nobody").unwrap_err();

    assert_eq!(by_name, by_id);
    assert_eq!(missing.code(), "not_found");
    assert_eq!(missing.message(), "experiment 'nobody' not found");
}

#[test]
fn listing_pages_with_bounds_and_total() {
    let env = TestEnv::new();
    for index in 0..7 {
        env.create(&format!("exp-{index}"));
    }

    let first = env.engine.list_experiments(&ListQuery {
        limit: Some(3),
        ..Default::default()
    });
    let last = env
        .engine
        .list_experiments(&ListQuery {
            limit: Some(3),
            offset: Some(6),
            status: None,
        })
        .unwrap();
    let beyond = env
        .engine
        .list_experiments(&ListQuery {
            limit: Some(3),
            offset: Some(50),
            status: None,
        })
        .unwrap();
    let default = env.engine.list_experiments(&ListQuery::default()).unwrap();

    let first = first.unwrap();
    assert_eq!(
        (first.items.len(), first.total, first.limit, first.offset),
        (3, 7, 3, 0)
    );
    assert_eq!(last.items.len(), 1);
    assert_eq!((beyond.items.len(), beyond.total), (0, 7));
    assert_eq!((default.items.len(), default.limit), (7, 50));
    let mut all_names: Vec<String> = default.items.iter().map(|item| item.name.clone()).collect();
    all_names.dedup();
    assert_eq!(all_names.len(), 7, "pages never repeat an experiment");
}

#[test]
fn listing_rejects_out_of_range_bounds() {
    let env = TestEnv::new();
    let query = |limit, offset| ListQuery {
        limit,
        offset,
        status: None,
    };

    let zero = env
        .engine
        .list_experiments(&query(Some(0), None))
        .unwrap_err();
    let too_many = env
        .engine
        .list_experiments(&query(Some(101), None))
        .unwrap_err();
    let negative = env
        .engine
        .list_experiments(&query(None, Some(-1)))
        .unwrap_err();
    let largest = env.engine.list_experiments(&query(Some(100), Some(0)));

    assert_eq!(zero.message(), "limit: must be between 1 and 100, got 0");
    assert_eq!(
        too_many.message(),
        "limit: must be between 1 and 100, got 101"
    );
    assert_eq!(negative.message(), "offset: must be 0 or more, got -1");
    assert!(largest.is_ok());
}

#[test]
fn listing_filters_by_status() {
    let env = TestEnv::new();
    let done = env.create("done-slicing");
    env.create("untouched");
    let failing = env.create("failing");
    set_behaviour(&failing, json!({ "audio_slice": { "mode": "error" } }));
    common::complete(&env.engine, "done-slicing", &[StageKind::AudioSlice]);
    execute(&env.engine, "failing", StageKind::AudioSlice);
    common::wait_until_done(&env.engine, "failing", StageKind::AudioSlice);

    let by_status = |status| {
        let query = ListQuery {
            status: Some(status),
            ..Default::default()
        };
        let page = env.engine.list_experiments(&query).unwrap();
        let names: Vec<String> = page.items.into_iter().map(|item| item.name).collect();
        (names, page.total)
    };

    assert_eq!(
        by_status(ExperimentStatus::InProgress),
        (vec!["done-slicing".to_string()], 1)
    );
    assert_eq!(
        by_status(ExperimentStatus::Pending),
        (vec!["untouched".to_string()], 1)
    );
    assert_eq!(
        by_status(ExperimentStatus::Failed),
        (vec!["failing".to_string()], 1)
    );
    assert_eq!(by_status(ExperimentStatus::Completed).1, 0);
    assert_eq!(done.experiment.status, ExperimentStatus::Pending);
}

#[test]
fn update_changes_base_configuration_only() {
    let env = TestEnv::new();
    env.create("before");
    common::complete(&env.engine, "before", &[StageKind::AudioSlice]);
    let stages_before = env.engine.list_stages("before").unwrap();

    let update = ExperimentUpdate {
        name: Some("after".into()),
        description: Some("new words".into()),
        language: Some(Language::Ja),
        device: Some("cuda:1".into()),
        ..Default::default()
    };
    let updated = env.engine.update_experiment("before", update).unwrap();

    assert_eq!(updated.name, "after");
    assert_eq!(updated.description, "new words");
    assert_eq!(updated.language, Language::Ja);
    assert_eq!(updated.device, "cuda:1");
    assert_eq!(env.engine.list_stages("after").unwrap(), stages_before);
    assert_eq!(
        env.engine.get_experiment("before").unwrap_err().code(),
        "not_found"
    );
}

#[test]
fn update_rejects_stage_parameters_and_bad_values() {
    let env = TestEnv::new();
    env.create("one");
    env.create("two");

    let with_params =
        serde_json::from_value::<ExperimentUpdate>(json!({ "params": { "epochs": 3 } }));
    let taken = env
        .engine
        .update_experiment(
            "two",
            ExperimentUpdate {
                name: Some("one".into()),
                ..Default::default()
            },
        )
        .unwrap_err();
    let bad_name = env
        .engine
        .update_experiment(
            "two",
            ExperimentUpdate {
                name: Some(String::new()),
                ..Default::default()
            },
        )
        .unwrap_err();

    assert!(with_params
        .unwrap_err()
        .to_string()
        .contains("unknown field `params`"));
    assert_eq!(taken.code(), "conflict");
    assert_eq!(bad_name.details()["field"], "name");
}

#[test]
fn delete_removes_rows_and_folder() {
    let env = TestEnv::new();
    let detail = env.create("doomed");
    common::complete(&env.engine, "doomed", &[StageKind::AudioSlice]);

    let outcome = env.engine.delete_experiment("doomed").unwrap();

    assert!(outcome.folder_removed);
    assert_eq!(outcome.folder_error, None);
    assert!(!Path::new(&detail.experiment.dir).exists());
    assert_eq!(
        env.engine
            .get_experiment(&detail.experiment.id)
            .unwrap_err()
            .code(),
        "not_found"
    );
    assert_eq!(
        env.engine
            .list_experiments(&ListQuery::default())
            .unwrap()
            .total,
        0
    );
}

#[test]
fn delete_while_running_cancels_first() {
    let env = TestEnv::new();
    let detail = env.create("busy");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 200, "step_ms": 50 } }),
    );
    let events = env.engine.subscribe("busy", "audio_slice").unwrap();
    execute(&env.engine, "busy", StageKind::AudioSlice);
    wait_for(
        &env.engine,
        "busy",
        StageKind::AudioSlice,
        Duration::from_secs(10),
        |info| info.status == StageStatus::Running,
    );

    let outcome = env.engine.delete_experiment("busy").unwrap();

    assert!(outcome.folder_removed);
    assert_eq!(
        env.engine.get_experiment("busy").unwrap_err().code(),
        "not_found"
    );
    let run = common::collect_run(&events);
    assert_eq!(common::kind_of(run.last().unwrap()), "cancelled");
}

#[test]
fn a_folder_that_cannot_be_removed_is_reported_and_the_rows_are_gone() {
    let env = TestEnv::new();
    let detail = env.create("stuck");
    let dir = Path::new(&detail.experiment.dir);
    // A file where the folder should be: removing it as a folder fails.
    std::fs::remove_dir_all(dir).unwrap();
    std::fs::write(dir, b"not a folder").unwrap();

    let outcome = env.engine.delete_experiment("stuck").unwrap();

    assert!(!outcome.folder_removed);
    assert!(outcome.folder_error.unwrap().starts_with("cannot remove"));
    assert_eq!(
        env.engine.get_experiment("stuck").unwrap_err().code(),
        "not_found"
    );
    assert_eq!(
        env.engine
            .list_experiments(&ListQuery::default())
            .unwrap()
            .total,
        0
    );
}

#[test]
fn a_stage_watcher_learns_that_its_experiment_was_deleted() {
    let env = TestEnv::new();
    env.create("watched-away");
    let subscription = env.engine.subscribe("watched-away", "asr").unwrap();
    let snapshot = subscription.recv_timeout(Duration::from_secs(5)).unwrap();

    env.engine.delete_experiment("watched-away").unwrap();
    let next = subscription.recv_timeout(Duration::from_secs(5)).unwrap();

    assert_eq!(common::kind_of(&snapshot), "snapshot");
    assert_eq!(common::kind_of(&next), "experiment_deleted");
}
