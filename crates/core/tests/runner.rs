//! The runner with real worker processes: crashes, a killed process, device queueing, and two
//! processes sharing one data folder.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{collect_run, complete, execute, kind_of, set_behaviour, wait_for, TestEnv};
use gsv_core::{EventBody, ParamsInput, StageKind, StageStatus};
use serde_json::json;

use StageKind::*;

fn running(info: &gsv_core::StageInfo) -> bool {
    info.status == StageStatus::Running
}

#[test]
fn a_crashing_worker_fails_the_stage_with_exit_status_and_last_lines() {
    let env = TestEnv::new();
    let detail = env.create("crash");
    set_behaviour(&detail, json!({ "audio_slice": { "mode": "crash" } }));
    let events = env.engine.subscribe("crash", "audio_slice").unwrap();

    execute(&env.engine, "crash", AudioSlice);
    let info = common::wait_until_done(&env.engine, "crash", AudioSlice);

    assert_eq!(info.status, StageStatus::Failed);
    let error = info.error.unwrap();
    assert_eq!(error.code.as_str(), "worker_crashed");
    assert!(
        error
            .message
            .starts_with("the worker running stage audio_slice was killed by signal 6"),
        "{}",
        error.message
    );
    assert!(error
        .message
        .ends_with("last output: test stage: about to abort"));
    assert_eq!(error.details["signal"], 6);
    assert_eq!(
        error.details["last_log_lines"],
        json!(["test stage: about to abort"])
    );
    let run = collect_run(&events);
    assert_eq!(kind_of(run.last().unwrap()), "failed");

    // The engine carries on after the crash.
    set_behaviour(&detail, json!({}));
    execute(&env.engine, "crash", AudioSlice);
    assert_eq!(
        common::wait_until_done(&env.engine, "crash", AudioSlice).status,
        StageStatus::Completed
    );
}

#[test]
fn a_worker_killed_by_sigkill_or_exiting_non_zero_fails_the_stage() {
    let env = TestEnv::new();
    let detail = env.create("killed-worker");
    let cases = [
        (
            "kill_self",
            "was killed by signal 9 (SIGKILL, e.g. killed for lack of memory)",
        ),
        ("exit", "exited with status 3"),
    ];

    for (mode, description) in cases {
        set_behaviour(&detail, json!({ "audio_slice": { "mode": mode } }));
        execute(&env.engine, "killed-worker", AudioSlice);
        let info = common::wait_until_done(&env.engine, "killed-worker", AudioSlice);

        assert_eq!(info.status, StageStatus::Failed);
        let error = info.error.unwrap();
        assert_eq!(error.code.as_str(), "worker_crashed");
        assert!(error.message.contains(description), "{}", error.message);
    }
}

#[test]
fn a_process_killed_mid_stage_leaves_it_failed_interrupted_at_next_start() {
    let dir = tempfile::tempdir().unwrap();
    let detail = {
        let engine = common::open(dir.path());
        let detail = engine
            .create_experiment(gsv_core::NewExperiment::new(
                "killed",
                gsv_core::Language::En,
            ))
            .unwrap();
        set_behaviour(
            &detail,
            json!({ "audio_slice": { "steps": 1000, "step_ms": 20 } }),
        );
        detail
    };

    let mut host = Command::new(common::test_worker_program())
        .args([
            "host",
            &dir.path().to_string_lossy(),
            "killed",
            "audio_slice",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(host.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "running");
    host.kill().unwrap(); // SIGKILL: no chance to clean up.
    host.wait().unwrap();

    let engine = common::open(dir.path());
    let info = engine.get_stage("killed", "audio_slice").unwrap();

    assert_eq!(info.status, StageStatus::Failed);
    let error = info.error.unwrap();
    assert_eq!(error.code.as_str(), "interrupted");
    assert!(error.message.starts_with("interrupted"));
    assert_eq!(
        engine
            .get_experiment(&detail.experiment.id)
            .unwrap()
            .experiment
            .status
            .as_str(),
        "failed"
    );

    // Run again: it works.
    set_behaviour(&detail, json!({}));
    execute(&engine, "killed", AudioSlice);
    assert_eq!(
        common::wait_until_done(&engine, "killed", AudioSlice).status,
        StageStatus::Completed
    );
}

#[test]
fn a_live_process_keeps_its_running_stage_when_another_opens() {
    let env = TestEnv::new();
    let detail = env.create("shared");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 1000, "step_ms": 20 } }),
    );
    execute(&env.engine, "shared", AudioSlice);
    wait_for(
        &env.engine,
        "shared",
        AudioSlice,
        Duration::from_secs(10),
        running,
    );

    let other = common::open(env.dir.path());
    std::thread::sleep(Duration::from_millis(600));

    assert_eq!(
        other.get_stage("shared", "audio_slice").unwrap().status,
        StageStatus::Running
    );
    env.engine.cancel_stage("shared", "audio_slice").unwrap();
}

#[test]
fn two_gpu_stages_on_one_device_run_one_after_the_other_in_order() {
    let env = TestEnv::new();
    let first = env.create("first");
    let second = env.create("second");
    env.create("third");
    complete(&env.engine, "first", &[AudioSlice]);
    complete(&env.engine, "second", &[AudioSlice]);
    set_behaviour(&first, json!({ "asr": { "steps": 10, "step_ms": 30 } }));
    set_behaviour(&second, json!({ "asr": { "steps": 2, "step_ms": 10 }, }));

    execute(&env.engine, "first", Asr);
    wait_for(&env.engine, "first", Asr, Duration::from_secs(10), running);
    execute(&env.engine, "second", Asr);
    std::thread::sleep(Duration::from_millis(100));
    let waiting = env.engine.get_stage("second", "asr").unwrap();
    // A light stage does not wait for the device.
    execute(&env.engine, "third", AudioSlice);
    let light = common::wait_until_done(&env.engine, "third", AudioSlice);
    let first_done = common::wait_until_done(&env.engine, "first", Asr);
    let second_done = common::wait_until_done(&env.engine, "second", Asr);

    assert_eq!(waiting.status, StageStatus::Queued);
    assert_eq!(light.status, StageStatus::Completed);
    assert!(light.finished_at.unwrap() < first_done.finished_at.unwrap());
    assert_eq!(second_done.status, StageStatus::Completed);
    assert!(second_done.started_at.unwrap() >= first_done.finished_at.unwrap());
}

#[test]
fn gpu_stages_on_different_devices_run_together() {
    let env = TestEnv::new();
    let zero = env.create_on("zero", "cuda:0");
    let one = env.create_on("one", "cuda:1");
    complete(&env.engine, "zero", &[AudioSlice]);
    complete(&env.engine, "one", &[AudioSlice]);
    set_behaviour(&zero, json!({ "asr": { "steps": 1000, "step_ms": 20 } }));
    set_behaviour(&one, json!({ "asr": { "steps": 1000, "step_ms": 20 } }));

    execute(&env.engine, "zero", Asr);
    execute(&env.engine, "one", Asr);
    wait_for(&env.engine, "zero", Asr, Duration::from_secs(10), running);
    wait_for(&env.engine, "one", Asr, Duration::from_secs(10), running);

    env.engine.cancel_stage("zero", "asr").unwrap();
    env.engine.cancel_stage("one", "asr").unwrap();
}

#[test]
fn queue_order_holds_across_processes_sharing_a_device() {
    let env = TestEnv::new();
    let other = common::open(env.dir.path());
    for name in ["a", "b", "c"] {
        let detail = env.create(name);
        set_behaviour(&detail, json!({ "asr": { "steps": 3, "step_ms": 30 } }));
        complete(&env.engine, name, &[AudioSlice]);
    }

    execute(&env.engine, "a", Asr);
    execute(&other, "b", Asr);
    execute(&env.engine, "c", Asr);
    let runs: Vec<gsv_core::StageInfo> = ["a", "b", "c"]
        .iter()
        .map(|name| common::wait_until_done(&env.engine, name, Asr))
        .collect();

    for pair in runs.windows(2) {
        assert_eq!(pair[1].status, StageStatus::Completed);
        assert!(
            pair[1].started_at.unwrap() >= pair[0].finished_at.unwrap(),
            "{runs:?}"
        );
    }
}

#[test]
fn two_processes_never_run_a_stage_twice() {
    let env = TestEnv::new();
    let detail = env.create("race");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 100, "step_ms": 20 } }),
    );
    let other = common::open(env.dir.path());

    let engines = [env.engine.clone(), other.clone()];
    let outcomes: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = engines
            .iter()
            .map(|engine| {
                scope.spawn(move || {
                    engine.execute_stage("race", "audio_slice", ParamsInput::Json(json!(null)))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap())
            .collect()
    });

    let succeeded = outcomes.iter().filter(|outcome| outcome.is_ok()).count();
    let conflicts: Vec<_> = outcomes
        .iter()
        .filter_map(|outcome| outcome.as_ref().err())
        .collect();
    assert_eq!(succeeded, 1);
    assert_eq!(conflicts.len(), 1);
    assert_eq!(conflicts[0].code(), "conflict");
    assert_eq!(
        env.engine.get_stage("race", "audio_slice").unwrap().attempt,
        1
    );
    other.cancel_stage("race", "audio_slice").unwrap();
}

#[test]
fn another_process_sees_events_and_can_cancel() {
    let env = TestEnv::new();
    let detail = env.create("watched");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 1000, "step_ms": 20 } }),
    );
    let other = common::open(env.dir.path());
    let remote_events = other.subscribe("watched", "audio_slice").unwrap();
    let all_events = other.subscribe_all().unwrap();

    execute(&env.engine, "watched", AudioSlice);
    wait_for(
        &other,
        "watched",
        AudioSlice,
        Duration::from_secs(10),
        running,
    );
    std::thread::sleep(Duration::from_millis(200));
    let info = other.cancel_stage("watched", "audio_slice").unwrap();

    assert_eq!(info.status, StageStatus::Cancelled);
    let run = collect_run(&remote_events);
    let kinds: Vec<&str> = run.iter().map(kind_of).collect();
    assert!(kinds.contains(&"progress"), "{kinds:?}");
    assert_eq!(*kinds.last().unwrap(), "cancelled");
    let forwarded = collect_run(&all_events);
    assert!(forwarded
        .iter()
        .all(|event| event.experiment_id == detail.experiment.id));
    let EventBody::Cancelled {} = forwarded.last().unwrap().body else {
        panic!()
    };
}

#[test]
fn metrics_survive_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = common::open(dir.path());
        let detail = engine
            .create_experiment(gsv_core::NewExperiment::new(
                "curves",
                gsv_core::Language::En,
            ))
            .unwrap();
        set_behaviour(&detail, json!({ "audio_slice": { "steps": 5 } }));
        complete(&engine, "curves", &[AudioSlice]);
    }

    let engine = common::open(dir.path());
    let snapshot = engine
        .subscribe("curves", "audio_slice")
        .unwrap()
        .recv()
        .unwrap();

    let EventBody::Snapshot { metrics, .. } = snapshot.body else {
        panic!()
    };
    let steps: Vec<u64> = metrics.iter().map(|point| point.step).collect();
    assert_eq!(steps, vec![1, 2, 3, 4, 5]);
    assert_eq!(metrics[4].value, 0.2);
    assert_eq!(
        engine.stage_metrics("curves", "audio_slice", None).unwrap(),
        metrics
    );
    assert_eq!(
        engine
            .stage_metrics("curves", "audio_slice", Some(1))
            .unwrap(),
        metrics
    );
    assert!(engine
        .stage_metrics("curves", "audio_slice", Some(7))
        .unwrap()
        .is_empty());
}

#[test]
fn closing_the_engine_stops_its_workers_and_records_the_interruption() {
    let dir = tempfile::tempdir().unwrap();
    {
        let engine = common::open(dir.path());
        let detail = engine
            .create_experiment(gsv_core::NewExperiment::new(
                "closing",
                gsv_core::Language::En,
            ))
            .unwrap();
        set_behaviour(
            &detail,
            json!({ "audio_slice": { "steps": 1000, "step_ms": 20 } }),
        );
        execute(&engine, "closing", AudioSlice);
        wait_for(
            &engine,
            "closing",
            AudioSlice,
            Duration::from_secs(10),
            running,
        );
    }

    let engine = common::open(dir.path());
    let info = engine.get_stage("closing", "audio_slice").unwrap();

    assert_eq!(info.status, StageStatus::Failed);
    assert_eq!(info.error.unwrap().code.as_str(), "interrupted");
}

#[test]
fn a_stage_run_by_another_process_is_seen_refused_and_cancelled_through_the_database() {
    let env = TestEnv::new();
    let detail = env.create("elsewhere");
    set_behaviour(
        &detail,
        json!({ "audio_slice": { "steps": 1000, "step_ms": 20 } }),
    );
    let mut host = Command::new(common::test_worker_program())
        .args([
            "host",
            &env.dir.path().to_string_lossy(),
            "elsewhere",
            "audio_slice",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(host.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "running");

    let twice =
        env.engine
            .execute_stage("elsewhere", "audio_slice", ParamsInput::Json(json!(null)));
    let events = env.engine.subscribe("elsewhere", "audio_slice").unwrap();
    let snapshot = events.recv_timeout(Duration::from_secs(5)).unwrap();
    let live = events.recv_timeout(Duration::from_secs(5)).unwrap();
    let asked = std::time::Instant::now();
    let info = env.engine.cancel_stage("elsewhere", "audio_slice").unwrap();
    let took = asked.elapsed();
    let host_status = host.wait().unwrap();

    assert_eq!(twice.unwrap_err().code(), "conflict");
    let EventBody::Snapshot {
        info: running_info, ..
    } = snapshot.body
    else {
        panic!()
    };
    assert_eq!(running_info.status, StageStatus::Running);
    assert!(live.seq > snapshot.seq);
    assert_eq!(info.status, StageStatus::Cancelled);
    assert!(took < Duration::from_secs(2), "cancel took {took:?}");
    assert!(host_status.success());
    assert_eq!(kind_of(collect_run(&events).last().unwrap()), "cancelled");
}
