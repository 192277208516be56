//! Stage rules on a real SQLite file with real worker processes: the execute checks, reruns and
//! staleness, cancel, events, late subscription, stage errors.

mod common;

use std::time::{Duration, Instant};

use common::{collect_run, complete, execute, kind_of, set_behaviour, wait_for, TestEnv};
use gsv_core::{EventBody, ParamsInput, StageKind, StageStatus, WorkerCommand};
use serde_json::json;

use StageKind::*;

#[test]
fn execute_checks_stage_type_first() {
    let env = TestEnv::new();

    // Unknown stage and unknown experiment: the stage type is checked first.
    let err = env.engine.execute_stage(
        "nobody",
        "make_coffee",
        ParamsInput::Json(json!({ "x": 1 })),
    );

    let err = err.unwrap_err();
    assert_eq!(err.code(), "invalid_stage");
    assert!(err.message().starts_with("unknown stage 'make_coffee'"));
}

#[test]
fn execute_checks_experiment_before_dependencies() {
    let env = TestEnv::new();

    let err = env
        .engine
        .execute_stage("nobody", "gpt_train", ParamsInput::Json(json!({ "x": 1 })));

    assert_eq!(err.unwrap_err().code(), "not_found");
}

#[test]
fn execute_checks_dependencies_before_parameters_and_lists_the_missing() {
    let env = TestEnv::new();
    env.create("deps");
    complete(&env.engine, "deps", &[AudioSlice, Asr, TextFeature]);

    let params = ParamsInput::Json(json!({ "epochs": 999 }));
    let err = env
        .engine
        .execute_stage("deps", "sovits_train", params)
        .unwrap_err();

    assert_eq!(err.code(), "dependency_unmet");
    assert_eq!(
        err.message(),
        "stage sovits_train of experiment 'deps' needs these stages completed first: \
         semantic_token (pending)"
    );
    assert_eq!(
        err.details()["missing"],
        json!([{ "stage": "semantic_token", "status": "pending" }])
    );
}

#[test]
fn execute_checks_parameters_last() {
    let env = TestEnv::new();
    env.create("params");

    let range = env
        .engine
        .execute_stage(
            "params",
            "audio_slice",
            ParamsInput::Pairs(vec!["max=1.5".into()]),
        )
        .unwrap_err();
    let unknown = env
        .engine
        .execute_stage(
            "params",
            "audio_slice",
            ParamsInput::Json(json!({ "speed": 2 })),
        )
        .unwrap_err();

    assert_eq!(range.code(), "invalid_params");
    assert_eq!(range.message(), "max: must be between 0.01 and 1, got 1.5");
    assert_eq!(unknown.code(), "invalid_params");
    assert_eq!(unknown.details()["field"], "speed");
    let stage = env.engine.get_stage("params", "audio_slice").unwrap();
    assert_eq!((stage.status, stage.attempt), (StageStatus::Pending, 0));
}

#[test]
fn completed_stage_records_params_result_artifacts_and_timings() {
    let env = TestEnv::new();
    env.create("record");

    let params = ParamsInput::Pairs(vec!["threshold=-40".into()]);
    env.engine
        .execute_stage("record", "audio_slice", params)
        .unwrap();
    let info = common::wait_until_done(&env.engine, "record", AudioSlice);

    assert_eq!(info.status, StageStatus::Completed);
    assert_eq!(info.attempt, 1);
    assert_eq!(info.params.as_ref().unwrap()["threshold"], -40.0);
    assert_eq!(info.params.as_ref().unwrap()["min_length"], 4000);
    assert_eq!(info.result, Some(json!({ "steps": 3 })));
    assert_eq!(info.artifacts, vec!["audio_slice.out".to_string()]);
    assert_eq!(info.error, None);
    let (queued, started, finished) = (
        info.queued_at.unwrap(),
        info.started_at.unwrap(),
        info.finished_at.unwrap(),
    );
    assert!(queued <= started && started <= finished);
    let dir = env.engine.get_experiment("record").unwrap().experiment.dir;
    let log = std::fs::read_to_string(std::path::Path::new(&dir).join("logs/audio_slice-1.log"));
    let log = log.expect("one log file per run");
    assert!(log.contains("test stage audio_slice in mode ok"), "{log}");
    assert!(log.trim_end().ends_with("run ended: completed"), "{log}");
}

#[test]
fn rerun_marks_the_whole_downstream_graph_stale() {
    let env = TestEnv::new();
    env.create("graph");
    complete(&env.engine, "graph", &StageKind::ALL);

    let outcome = execute(&env.engine, "graph", HubertFeature);
    common::wait_until_done(&env.engine, "graph", HubertFeature);
    let statuses: Vec<(StageKind, StageStatus)> = env
        .engine
        .list_stages("graph")
        .unwrap()
        .into_iter()
        .map(|stage| (stage.kind, stage.status))
        .collect();

    assert!(outcome.rerun);
    assert_eq!(outcome.attempt, 2);
    assert_eq!(outcome.stale, vec![SemanticToken, SovitsTrain, GptTrain]);
    assert_eq!(
        statuses,
        vec![
            (AudioSlice, StageStatus::Completed),
            (Asr, StageStatus::Completed),
            (TextFeature, StageStatus::Completed),
            (HubertFeature, StageStatus::Completed),
            (SemanticToken, StageStatus::Stale),
            (SovitsTrain, StageStatus::Stale),
            (GptTrain, StageStatus::Stale),
        ]
    );
}

#[test]
fn rerun_of_the_first_stage_stales_everything_and_blocks_dependents() {
    let env = TestEnv::new();
    env.create("root");
    complete(&env.engine, "root", &[AudioSlice, Asr, HubertFeature]);

    let outcome = execute(&env.engine, "root", AudioSlice);
    common::wait_until_done(&env.engine, "root", AudioSlice);
    let blocked = env
        .engine
        .execute_stage("root", "text_feature", ParamsInput::Json(json!({})));

    assert!(outcome.rerun);
    assert_eq!(outcome.stale, vec![Asr, HubertFeature]);
    let err = blocked.unwrap_err();
    assert_eq!(err.code(), "dependency_unmet");
    assert!(err.message().ends_with("asr (stale)"));
}

#[test]
fn first_run_is_not_a_rerun() {
    let env = TestEnv::new();
    env.create("first");

    let outcome = execute(&env.engine, "first", AudioSlice);

    assert!(!outcome.rerun);
    assert!(outcome.stale.is_empty());
    assert_eq!(outcome.info.status, StageStatus::Queued);
}

#[test]
fn executing_an_active_stage_is_a_conflict() {
    let env = TestEnv::new();
    let detail = env.create("twice");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 100, "step_ms": 20 } }),
    );
    execute(&env.engine, "twice", AudioSlice);

    let err = env
        .engine
        .execute_stage("twice", "audio_slice", ParamsInput::Json(json!(null)));

    let err = err.unwrap_err();
    assert_eq!(err.code(), "conflict");
    assert!(err
        .message()
        .starts_with("stage audio_slice of experiment 'twice' is already"));
    env.engine.cancel_stage("twice", "audio_slice").unwrap();
}

#[test]
fn cancel_applies_to_queued_or_running_only() {
    let env = TestEnv::new();
    env.create("idle");
    complete(&env.engine, "idle", &[AudioSlice]);

    let pending = env.engine.cancel_stage("idle", "asr").unwrap_err();
    let completed = env.engine.cancel_stage("idle", "audio_slice").unwrap_err();
    let unknown = env.engine.cancel_stage("idle", "nap").unwrap_err();

    assert_eq!(pending.code(), "not_running");
    assert_eq!(
        pending.message(),
        "stage asr of experiment 'idle' is not queued or running (it is pending)"
    );
    assert_eq!(completed.code(), "not_running");
    assert_eq!(unknown.code(), "invalid_stage");
}

#[test]
fn cancel_of_a_running_stage_takes_effect_within_two_seconds() {
    let env = TestEnv::new();
    let detail = env.create("cancel");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 1000, "step_ms": 50 } }),
    );
    let events = env.engine.subscribe("cancel", "audio_slice").unwrap();
    execute(&env.engine, "cancel", AudioSlice);
    wait_for(
        &env.engine,
        "cancel",
        AudioSlice,
        Duration::from_secs(10),
        |info| info.status == StageStatus::Running,
    );

    let asked = Instant::now();
    let info = env.engine.cancel_stage("cancel", "audio_slice").unwrap();
    let took = asked.elapsed();

    assert_eq!(info.status, StageStatus::Cancelled);
    assert!(took < Duration::from_secs(2), "cancel took {took:?}");
    let run = collect_run(&events);
    assert_eq!(kind_of(run.last().unwrap()), "cancelled");
}

#[test]
fn a_worker_that_ignores_cancel_is_killed_within_two_seconds() {
    let env = TestEnv::new();
    let detail = env.create("stubborn");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "mode": "ignore_cancel", "steps": 1, "step_ms": 30000 } }),
    );
    execute(&env.engine, "stubborn", AudioSlice);
    wait_for(
        &env.engine,
        "stubborn",
        AudioSlice,
        Duration::from_secs(10),
        |info| info.status == StageStatus::Running,
    );

    let asked = Instant::now();
    let info = env.engine.cancel_stage("stubborn", "audio_slice").unwrap();
    let took = asked.elapsed();

    assert_eq!(info.status, StageStatus::Cancelled);
    assert!(took < Duration::from_secs(2), "cancel took {took:?}");
}

#[test]
fn cancel_of_a_queued_stage_is_immediate() {
    let env = TestEnv::new();
    let first = env.create("gpu-a");
    env.create("gpu-b");
    complete(&env.engine, "gpu-a", &[AudioSlice]);
    complete(&env.engine, "gpu-b", &[AudioSlice]);
    set_behaviour(&first, json!({ "asr": { "steps": 1000, "step_ms": 20 } }));
    execute(&env.engine, "gpu-a", Asr);
    wait_for(&env.engine, "gpu-a", Asr, Duration::from_secs(10), |info| {
        info.status == StageStatus::Running
    });
    execute(&env.engine, "gpu-b", Asr);

    let queued = env.engine.get_stage("gpu-b", "asr").unwrap();
    let cancelled = env.engine.cancel_stage("gpu-b", "asr").unwrap();

    assert_eq!(queued.status, StageStatus::Queued);
    assert_eq!(cancelled.status, StageStatus::Cancelled);
    assert_eq!(cancelled.started_at, None);
    env.engine.cancel_stage("gpu-a", "asr").unwrap();
}

#[test]
fn events_arrive_in_order_with_exactly_one_terminal_event() {
    let env = TestEnv::new();
    let detail = env.create("events");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 4, "step_ms": 20 } }),
    );
    let subscription = env.engine.subscribe("events", "audio_slice").unwrap();

    execute(&env.engine, "events", AudioSlice);
    let mut run = collect_run(&subscription);
    // Anything after the terminal event would be a second terminal event or noise.
    std::thread::sleep(Duration::from_millis(400));
    while let Some(extra) = subscription.recv_timeout(Duration::from_millis(50)) {
        run.push(extra);
    }

    let kinds: Vec<&str> = run.iter().map(kind_of).collect();
    assert_eq!(kinds[0], "snapshot");
    assert_eq!(kinds[1..3], ["status", "status"]);
    assert_eq!(*kinds.last().unwrap(), "completed");
    assert_eq!(
        kinds
            .iter()
            .filter(|kind| ["completed", "failed", "cancelled"].contains(kind))
            .count(),
        1
    );
    let progress_steps: Vec<u64> = run
        .iter()
        .filter_map(|event| match event.body {
            EventBody::Progress { step, .. } => Some(step),
            _ => None,
        })
        .collect();
    // Progress reported faster than it is recorded is coalesced; its order is kept.
    assert!(
        progress_steps.windows(2).all(|pair| pair[0] < pair[1]),
        "{progress_steps:?}"
    );
    assert_eq!(progress_steps.last(), Some(&4));
    assert_eq!(
        kinds.iter().filter(|kind| **kind == "checkpoint").count(),
        2
    );
    let seqs: Vec<i64> = run[1..].iter().map(|event| event.seq).collect();
    assert!(seqs.windows(2).all(|pair| pair[0] < pair[1]));
}

#[test]
fn late_subscriber_gets_state_and_metric_history_first() {
    let env = TestEnv::new();
    let detail = env.create("late");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 200, "step_ms": 20 } }),
    );
    execute(&env.engine, "late", AudioSlice);
    wait_for(
        &env.engine,
        "late",
        AudioSlice,
        Duration::from_secs(10),
        |info| info.status == StageStatus::Running,
    );
    std::thread::sleep(Duration::from_millis(300));

    let subscription = env.engine.subscribe("late", "audio_slice").unwrap();
    let snapshot = subscription.recv_timeout(Duration::from_secs(5)).unwrap();
    let next = subscription.recv_timeout(Duration::from_secs(5)).unwrap();

    let EventBody::Snapshot { info, metrics } = &snapshot.body else {
        panic!("{snapshot:?}")
    };
    assert_eq!(info.status, StageStatus::Running);
    assert!(metrics.len() >= 3, "history so far: {metrics:?}");
    assert_eq!(metrics[0].step, 1);
    assert_eq!(metrics[0].name, "loss");
    assert!(next.seq > snapshot.seq);
    env.engine.cancel_stage("late", "audio_slice").unwrap();
}

#[test]
fn subscriber_after_the_end_gets_the_final_state() {
    let env = TestEnv::new();
    env.create("after");
    complete(&env.engine, "after", &[AudioSlice]);

    let subscription = env.engine.subscribe("after", "audio_slice").unwrap();
    let snapshot = subscription.recv_timeout(Duration::from_secs(5)).unwrap();

    let EventBody::Snapshot { info, metrics } = snapshot.body else {
        panic!()
    };
    assert_eq!(info.status, StageStatus::Completed);
    assert_eq!(metrics.len(), 3);
}

#[test]
fn a_stage_without_implementation_fails_with_not_implemented() {
    let dir = tempfile::tempdir().unwrap();
    let worker = WorkerCommand {
        program: common::test_worker_program(),
        args: vec!["__worker-empty".into()],
    };
    let engine = common::open_with(dir.path(), worker);
    engine
        .create_experiment(gsv_core::NewExperiment::new("bare", gsv_core::Language::En))
        .unwrap();

    execute(&engine, "bare", AudioSlice);
    let info = common::wait_until_done(&engine, "bare", AudioSlice);

    assert_eq!(info.status, StageStatus::Failed);
    let error = info.error.unwrap();
    assert_eq!(error.code.as_str(), "not_implemented");
    assert_eq!(
        error.message,
        "stage audio_slice is not implemented in this build"
    );
}

#[test]
fn a_stage_error_keeps_its_code() {
    let env = TestEnv::new();
    let detail = env.create("refuse");
    set_behaviour(&detail, json!({ "audio_slice": { "mode": "error" } }));

    execute(&env.engine, "refuse", AudioSlice);
    let info = common::wait_until_done(&env.engine, "refuse", AudioSlice);

    assert_eq!(info.status, StageStatus::Failed);
    assert_eq!(info.error.unwrap().message, "test stage refused its input");
}

#[test]
fn a_missing_output_fails_the_stage() {
    let env = TestEnv::new();
    let detail = env.create("liar");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "mode": "missing_artifact" } }),
    );

    execute(&env.engine, "liar", AudioSlice);
    let info = common::wait_until_done(&env.engine, "liar", AudioSlice);

    assert_eq!(info.status, StageStatus::Failed);
    let error = info.error.unwrap();
    assert_eq!(error.code.as_str(), "io");
    assert!(error.message.contains("never-written.txt"));
}

#[test]
fn a_worker_that_cannot_start_fails_the_stage() {
    let dir = tempfile::tempdir().unwrap();
    let worker = WorkerCommand {
        program: dir.path().join("no-such-worker"),
        args: vec![],
    };
    let engine = common::open_with(dir.path(), worker);
    engine
        .create_experiment(gsv_core::NewExperiment::new(
            "nostart",
            gsv_core::Language::En,
        ))
        .unwrap();

    execute(&engine, "nostart", AudioSlice);
    let info = common::wait_until_done(&engine, "nostart", AudioSlice);

    assert_eq!(info.status, StageStatus::Failed);
    assert!(info
        .error
        .unwrap()
        .message
        .starts_with("cannot start the worker program"));
}

#[test]
fn fast_progress_is_coalesced_but_every_loss_is_stored() {
    let env = TestEnv::new();
    let detail = env.create("fast");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 2000, "step_ms": 0 } }),
    );
    let subscription = env.engine.subscribe("fast", "audio_slice").unwrap();

    execute(&env.engine, "fast", AudioSlice);
    let run = collect_run(&subscription);
    let stored = env
        .engine
        .subscribe("fast", "audio_slice")
        .unwrap()
        .recv()
        .unwrap();

    let progress_events = run
        .iter()
        .filter(|event| kind_of(event) == "progress")
        .count();
    let EventBody::Snapshot { metrics, .. } = stored.body else {
        panic!()
    };
    assert_eq!(metrics.len(), 2000);
    assert!(progress_events < 2000, "{progress_events} progress events");
    let last_progress = run
        .iter()
        .rev()
        .find(|event| kind_of(event) == "progress")
        .unwrap();
    let EventBody::Progress { step, fraction, .. } = last_progress.body else {
        panic!()
    };
    assert_eq!((step, fraction), (2000, Some(1.0)));
}
