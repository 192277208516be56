//! `gsv` end to end: the real binary on a real data folder (`GSV_DATA_DIR`), its own worker
//! mode included.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

fn gsv(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gsv"))
        .args(args)
        .env("GSV_DATA_DIR", data_dir)
        .output()
        .expect("gsv runs")
}

fn json_of(output: &Output) -> Value {
    let text = String::from_utf8_lossy(&output.stdout);
    serde_json::from_str(&text).unwrap_or_else(|err| panic!("not JSON ({err}): {text}"))
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn create(data_dir: &Path, name: &str) -> Value {
    let output = gsv(
        data_dir,
        &[
            "--json",
            "experiment",
            "create",
            "--name",
            name,
            "--language",
            "zh",
        ],
    );
    assert!(output.status.success(), "{}", stderr_of(&output));
    json_of(&output)
}

#[test]
fn create_list_show_update_delete() {
    let dir = tempfile::tempdir().unwrap();
    let audio = dir.path().join("a.wav");
    std::fs::write(&audio, b"RIFF").unwrap();

    let created = gsv(
        dir.path(),
        &[
            "--json",
            "experiment",
            "create",
            "--name",
            "voice",
            "--language",
            "en",
            "--audio",
        ],
    );
    assert!(!created.status.success(), "--audio needs a value");
    let created = gsv(
        dir.path(),
        &[
            "--json",
            "exp",
            "create",
            "--name",
            "voice",
            "--language",
            "en",
            "--audio",
            &audio.to_string_lossy(),
        ],
    );
    let created = json_of(&created);
    assert_eq!(created["experiment"]["name"], "voice");
    assert_eq!(created["stages"].as_array().unwrap().len(), 7);

    let listed = json_of(&gsv(
        dir.path(),
        &["--json", "experiment", "list", "--limit", "10"],
    ));
    assert_eq!(listed["total"], 1);
    assert_eq!(listed["items"][0]["name"], "voice");

    let updated = gsv(
        dir.path(),
        &[
            "--json",
            "experiment",
            "update",
            "voice",
            "--description",
            "new",
            "--device",
            "cuda",
        ],
    );
    assert_eq!(json_of(&updated)["device"], "cuda:0");
    let shown = json_of(&gsv(dir.path(), &["--json", "experiment", "show", "voice"]));
    assert_eq!(shown["experiment"]["description"], "new");

    let deleted = gsv(dir.path(), &["--json", "experiment", "delete", "voice"]);
    assert_eq!(json_of(&deleted)["folder_removed"], true);
    let gone = gsv(dir.path(), &["experiment", "show", "voice"]);
    assert_eq!(gone.status.code(), Some(1));
    assert_eq!(
        stderr_of(&gone).trim(),
        "error: experiment 'voice' not found"
    );
}

#[test]
fn text_output_is_readable() {
    let dir = tempfile::tempdir().unwrap();
    create(dir.path(), "readable");

    let list = gsv(dir.path(), &["experiment", "list"]);
    let stages = gsv(dir.path(), &["stage", "list", "readable"]);

    let list = String::from_utf8_lossy(&list.stdout).into_owned();
    assert!(list.lines().nth(1).unwrap().contains("readable"));
    assert!(list.trim_end().ends_with("1–1 of 1"));
    let stages = String::from_utf8_lossy(&stages.stdout).into_owned();
    assert!(stages.contains("sovits_train     pending"), "{stages}");
}

#[test]
fn errors_print_the_message_and_exit_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    create(dir.path(), "errs");

    let limit = gsv(dir.path(), &["experiment", "list", "--limit", "0"]);
    let language = gsv(
        dir.path(),
        &["experiment", "create", "--name", "x", "--language", "fr"],
    );
    let deps = gsv(dir.path(), &["stage", "run", "errs", "asr", "--wait"]);
    let params = gsv(
        dir.path(),
        &[
            "--json",
            "stage",
            "run",
            "errs",
            "audio_slice",
            "--param",
            "hop_size=0",
        ],
    );
    let cancel = gsv(dir.path(), &["stage", "cancel", "errs", "asr"]);

    assert_eq!(limit.status.code(), Some(1));
    assert_eq!(
        stderr_of(&limit).trim(),
        "error: limit: must be between 1 and 100, got 0"
    );
    assert_eq!(
        stderr_of(&language).trim(),
        "error: language: must be one of zh, en, ja, ko, yue, auto, got 'fr'"
    );
    assert!(stderr_of(&deps).contains("needs these stages completed first: audio_slice (pending)"));
    assert_eq!(params.status.code(), Some(1));
    assert_eq!(json_of(&params)["code"], "invalid_params");
    assert_eq!(json_of(&params)["details"]["field"], "hop_size");
    assert_eq!(cancel.status.code(), Some(1));
    assert!(stderr_of(&cancel).contains("is not queued or running (it is pending)"));
}

#[test]
fn run_wait_streams_events_and_exits_non_zero_unless_completed() {
    let dir = tempfile::tempdir().unwrap();
    create(dir.path(), "waits");

    let output = gsv(
        dir.path(),
        &["--json", "stage", "run", "waits", "audio_slice", "--wait"],
    );

    // The experiment has no recordings, so slicing cannot succeed: today because no stage is
    // registered in this binary (not_implemented), later because there is nothing to slice.
    assert_eq!(output.status.code(), Some(3));
    let lines: Vec<Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines[0]["attempt"], 1);
    assert_eq!(lines[0]["rerun"], false);
    assert_eq!(lines[1]["type"], "snapshot");
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "failed");
    assert!(last["error"]["code"]
        .as_str()
        .is_some_and(|code| !code.is_empty()));
    let terminal = lines
        .iter()
        .filter(|line| {
            ["completed", "failed", "cancelled"].contains(&line["type"].as_str().unwrap_or(""))
        })
        .count();
    assert_eq!(terminal, 1);
}

#[test]
fn run_without_wait_returns_and_the_run_goes_on_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    create(dir.path(), "background");

    let queued = gsv(
        dir.path(),
        &["--json", "stage", "run", "background", "audio_slice"],
    );
    assert!(queued.status.success(), "{}", stderr_of(&queued));
    assert_eq!(json_of(&queued)["stage"], "audio_slice");

    let deadline = Instant::now() + Duration::from_secs(20);
    let stage = loop {
        let stage = json_of(&gsv(
            dir.path(),
            &["--json", "stage", "show", "background", "audio_slice"],
        ));
        if !["queued", "running"].contains(&stage["status"].as_str().unwrap()) {
            break stage;
        }
        assert!(Instant::now() < deadline, "still {stage}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(stage["status"], "failed");
    assert!(stage["error"]["message"]
        .as_str()
        .is_some_and(|message| !message.is_empty()));

    let watched = gsv(dir.path(), &["stage", "watch", "background", "audio_slice"]);
    assert_eq!(
        watched.status.code(),
        Some(3),
        "watch of a failed stage ends at once"
    );
}

#[test]
fn schema_lists_every_stage_with_parameters() {
    let dir = tempfile::tempdir().unwrap();

    let schema = json_of(&gsv(dir.path(), &["schema"]));

    let stages = schema["stages"].as_array().unwrap();
    assert_eq!(stages.len(), 7);
    assert_eq!(
        stages[0]["params"]["properties"]["threshold"]["default"],
        -34.0
    );
}
