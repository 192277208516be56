//! One supervised stage run: the worker process, what it reports, cancel and kill, and how the
//! run ended.

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::atomic::Ordering;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use rusqlite::{params, OptionalExtension, Transaction};
use serde_json::{json, Value};

use super::{ClaimedRun, RunControl};
use crate::engine::Shared;
use crate::error::{Error, ErrorCode, Result};
use crate::events::{EventBody, LogLevel};
use crate::stage::{StageKind, StageStatus};
use crate::store::{self, now_ms, MetricPoint};
use crate::worker::{HostMessage, Job, UpstreamOutput, WorkerMessage};

/// How long a worker has to stop after a cancel before it is killed. With the supervisor's
/// 100 ms tick, the kill and the final write, this keeps "a cancel takes effect within two
/// seconds" with room for a loaded machine.
const KILL_GRACE: Duration = Duration::from_millis(1200);
/// Supervisor tick: how often it checks for cancel requests and the worker's exit.
const TICK: Duration = Duration::from_millis(100);
/// Log lines kept for the error of a crashed worker.
const TAIL_LINES: usize = 20;

/// How a run ended.
enum Outcome {
    Completed {
        result: Value,
        artifacts: Vec<String>,
    },
    Failed(Error),
    Cancelled,
}

/// Runs a claimed stage to its end and records how it ended.
pub(super) fn supervise(shared: &Shared, run: &ClaimedRun, control: &RunControl) {
    log::info!(
        "running {} of experiment {} (attempt {})",
        run.kind,
        run.experiment_id,
        run.attempt
    );
    let outcome = match prepare_job(shared, run) {
        Ok(job) => WorkerRun::new(shared, run, control, &job).run(&job),
        Err(err) => Outcome::Failed(err),
    };
    if let Err(err) = record_outcome(shared, run, outcome) {
        log::error!(
            "recording the end of {} of {} failed: {err}",
            run.kind,
            run.experiment_id
        );
    }
}

fn prepare_job(shared: &Shared, run: &ClaimedRun) -> Result<Job> {
    let conn = shared.conn();
    let experiment = store::find_experiment(&conn, &shared.experiments_root, &run.experiment_id)?;
    let stages = store::stages(&conn, &run.experiment_id)?;
    let info = stages
        .iter()
        .find(|stage| stage.kind == run.kind)
        .ok_or_else(|| Error::not_found("stage", run.kind.as_str()))?;

    let upstream: BTreeMap<StageKind, UpstreamOutput> = stages
        .iter()
        .filter(|stage| run.kind.needs().contains(&stage.kind))
        .map(|stage| {
            let output = UpstreamOutput {
                result: stage.result.clone(),
                artifacts: stage.artifacts.clone(),
            };
            (stage.kind, output)
        })
        .collect();

    Ok(Job {
        experiment_id: experiment.id.clone(),
        experiment_dir: experiment.dir.clone(),
        stage: run.kind,
        attempt: run.attempt,
        params: info.params.clone().unwrap_or(Value::Null),
        device: experiment.device.clone(),
        language: experiment.language,
        base_models: experiment.base_models.clone(),
        sources: experiment.sources.clone(),
        upstream,
    })
}

/// A line from the worker, or the end of one of its streams.
enum Line {
    Stdout(String),
    Stderr(String),
    Closed,
}

#[derive(Clone, Copy, PartialEq)]
enum CancelReason {
    User,
    Shutdown,
}

/// One supervised worker process.
struct WorkerRun<'a> {
    shared: &'a Shared,
    run: &'a ClaimedRun,
    control: &'a RunControl,
    final_message: Option<WorkerMessage>,
    tail: VecDeque<String>,
    log_file: Option<File>,
    cancel: Option<(CancelReason, Instant)>,
    killed: bool,
    last_db_check: Instant,
}

impl<'a> WorkerRun<'a> {
    fn new(shared: &'a Shared, run: &'a ClaimedRun, control: &'a RunControl, job: &Job) -> Self {
        Self {
            shared,
            run,
            control,
            final_message: None,
            tail: VecDeque::new(),
            log_file: open_log_file(job),
            cancel: None,
            killed: false,
            last_db_check: Instant::now(),
        }
    }

    fn run(mut self, job: &Job) -> Outcome {
        let worker = &self.shared.config.worker;
        let spawned = Command::new(&worker.program)
            .args(&worker.args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(err) => {
                return Outcome::Failed(Error::new(
                    ErrorCode::Io,
                    format!(
                        "cannot start the worker program {}: {err}",
                        worker.program.display()
                    ),
                ))
            }
        };

        let mut stdin = child.stdin.take();
        send_job(&mut stdin, job);
        let lines = read_streams(&mut child);
        let status = self.supervise(&mut child, &mut stdin, &lines);
        self.outcome(status, job)
    }

    /// Relays the worker's lines until both streams close and it exits, enforcing cancel.
    fn supervise(
        &mut self,
        child: &mut Child,
        stdin: &mut Option<ChildStdin>,
        lines: &Receiver<Line>,
    ) -> Option<ExitStatus> {
        let mut open_streams: usize = 2;
        let mut exited_at: Option<(ExitStatus, Instant)> = None;
        loop {
            let mut batch = Vec::new();
            match lines.recv_timeout(TICK) {
                Ok(line) => batch.push(line),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => open_streams = 0,
            }
            batch.extend(lines.try_iter().take(512));
            let closed = batch
                .iter()
                .filter(|line| matches!(line, Line::Closed))
                .count();
            open_streams = open_streams.saturating_sub(closed);
            self.record_lines(batch);

            self.enforce_cancel(child, stdin);
            if exited_at.is_none() {
                exited_at = child
                    .try_wait()
                    .ok()
                    .flatten()
                    .map(|status| (status, Instant::now()));
            }
            // A grandchild may keep the pipes open after the worker exited: give it a moment.
            let exited_long_ago = exited_at.is_some_and(|(_, at)| at.elapsed() > TICK * 5);
            if open_streams == 0 || exited_long_ago {
                break;
            }
        }
        match exited_at {
            Some((status, _)) => Some(status),
            None => self.wait_for_exit(child, stdin),
        }
    }

    fn wait_for_exit(
        &mut self,
        child: &mut Child,
        stdin: &mut Option<ChildStdin>,
    ) -> Option<ExitStatus> {
        // Both streams closed; the worker should exit now. One that lingers is stopped.
        let deadline = Instant::now() + KILL_GRACE;
        loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Some(status);
            }
            self.enforce_cancel(child, stdin);
            if Instant::now() >= deadline && !self.killed {
                let _ = child.kill();
                self.killed = true;
            }
            if self.killed {
                return child.wait().ok();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn cancel_wanted(&mut self) -> Option<CancelReason> {
        if self.shared.is_shutting_down() {
            return Some(CancelReason::Shutdown);
        }
        if self.control.cancel.load(Ordering::SeqCst) {
            return Some(CancelReason::User);
        }
        // Another process (a terminal `gsv`, the app) asks through the database.
        if self.last_db_check.elapsed() >= TICK {
            self.last_db_check = Instant::now();
            if self.cancel_requested_in_db() {
                return Some(CancelReason::User);
            }
        }
        None
    }

    fn cancel_requested_in_db(&self) -> bool {
        let conn = self.shared.conn();
        let flag: Option<(i64, String, u32)> = conn
            .query_row(
                "SELECT cancel_requested, status, attempt FROM stages \
                 WHERE experiment_id = ?1 AND kind = ?2",
                params![self.run.experiment_id, self.run.kind.as_str()],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()
            .unwrap_or(None);
        match flag {
            Some((requested, status, attempt)) => {
                // The stage is no longer ours (deleted, or taken over): stop as well.
                requested != 0 || status != "running" || attempt != self.run.attempt
            }
            None => true,
        }
    }

    fn enforce_cancel(&mut self, child: &mut Child, stdin: &mut Option<ChildStdin>) {
        if self.cancel.is_none() {
            if let Some(reason) = self.cancel_wanted() {
                send_cancel(stdin);
                self.cancel = Some((reason, Instant::now()));
            }
        }
        if let Some((_, asked_at)) = self.cancel {
            if !self.killed && asked_at.elapsed() >= KILL_GRACE {
                log::warn!(
                    "worker of {} did not stop in time; killing it",
                    self.run.kind
                );
                let _ = child.kill();
                self.killed = true;
            }
        }
    }

    fn record_lines(&mut self, batch: Vec<Line>) {
        let mut messages = Vec::new();
        for line in batch {
            match line {
                Line::Stdout(text) => match serde_json::from_str::<WorkerMessage>(&text) {
                    Ok(message) if message.is_final() => {
                        self.final_message.get_or_insert(message);
                    }
                    Ok(message) => messages.push(message),
                    Err(_) => messages.push(self.raw_line(LogLevel::Info, text)),
                },
                Line::Stderr(text) => messages.push(self.raw_line(LogLevel::Warn, text)),
                Line::Closed => {}
            }
        }
        for message in &messages {
            if let WorkerMessage::Log { level, message } = message {
                self.write_log_file(*level, message);
            }
        }
        if messages.is_empty() {
            return;
        }

        if let Err(err) = self
            .shared
            .write(|tx| record_messages(tx, self.run, &messages))
        {
            log::warn!("recording output of {} failed: {err}", self.run.kind);
        }
    }

    fn raw_line(&mut self, level: LogLevel, text: String) -> WorkerMessage {
        self.tail.push_back(text.clone());
        if self.tail.len() > TAIL_LINES {
            self.tail.pop_front();
        }
        WorkerMessage::Log {
            level,
            message: text,
        }
    }

    fn write_log_file(&mut self, level: LogLevel, message: &str) {
        if let Some(file) = &mut self.log_file {
            let _ = writeln!(file, "{} {level:?} {message}", now_ms());
        }
    }

    fn outcome(mut self, status: Option<ExitStatus>, job: &Job) -> Outcome {
        let success = status.is_some_and(|status| status.success());
        let outcome = match (self.cancel, self.final_message.take()) {
            (_, Some(WorkerMessage::Result { result, artifacts })) if success => {
                check_artifacts(job, result, artifacts)
            }
            (Some((CancelReason::Shutdown, _)), _) => Outcome::Failed(Error::new(
                ErrorCode::Interrupted,
                format!(
                    "interrupted: the application closed while stage {} ran",
                    self.run.kind
                ),
            )),
            (Some(_), _) | (None, Some(WorkerMessage::Cancelled)) => Outcome::Cancelled,
            (None, Some(WorkerMessage::Error { error })) => Outcome::Failed(error.into()),
            _ => Outcome::Failed(self.crash_error(status)),
        };
        self.write_log_file(
            LogLevel::Info,
            &format!("run ended: {}", outcome_name(&outcome)),
        );
        outcome
    }

    fn crash_error(&self, status: Option<ExitStatus>) -> Error {
        let (description, exit_code, signal) = describe_exit(status);
        let last_lines: Vec<&String> = self.tail.iter().collect();
        let last = last_lines
            .last()
            .map(|line| format!("; last output: {line}"))
            .unwrap_or_default();
        Error::new(
            ErrorCode::WorkerCrashed,
            format!(
                "the worker running stage {} {description} without reporting a result{last}",
                self.run.kind
            ),
        )
        .with_details(
            json!({ "exit_code": exit_code, "signal": signal, "last_log_lines": last_lines }),
        )
    }
}

fn outcome_name(outcome: &Outcome) -> &'static str {
    match outcome {
        Outcome::Completed { .. } => "completed",
        Outcome::Failed(_) => "failed",
        Outcome::Cancelled => "cancelled",
    }
}

fn open_log_file(job: &Job) -> Option<File> {
    let dir = std::path::Path::new(&job.experiment_dir).join("logs");
    std::fs::create_dir_all(&dir).ok()?;
    let path = dir.join(format!("{}-{}.log", job.stage, job.attempt));
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ok()
}

fn send_job(stdin: &mut Option<ChildStdin>, job: &Job) {
    let Some(pipe) = stdin else { return };
    let sent = serde_json::to_string(job)
        .map_err(std::io::Error::other)
        .and_then(|line| writeln!(pipe, "{line}"))
        .and_then(|()| pipe.flush());
    if let Err(err) = sent {
        // The worker died at start; its exit status tells the rest.
        log::warn!("could not send the job to the worker: {err}");
    }
}

fn send_cancel(stdin: &mut Option<ChildStdin>) {
    if let Some(mut pipe) = stdin.take() {
        if let Ok(line) = serde_json::to_string(&HostMessage::Cancel) {
            let _ = writeln!(pipe, "{line}");
            let _ = pipe.flush();
        }
        // Dropping the pipe closes stdin: a worker busy elsewhere sees the end of input too.
    }
}

fn read_streams(child: &mut Child) -> Receiver<Line> {
    let (sender, receiver) = mpsc::channel();
    if let Some(stdout) = child.stdout.take() {
        let sender = sender.clone();
        std::thread::spawn(move || forward_lines(stdout, Line::Stdout, &sender));
    }
    if let Some(stderr) = child.stderr.take() {
        std::thread::spawn(move || forward_lines(stderr, Line::Stderr, &sender));
    }
    receiver
}

fn forward_lines(
    stream: impl std::io::Read,
    wrap: fn(String) -> Line,
    sender: &mpsc::Sender<Line>,
) {
    let reader = BufReader::new(stream);
    for line in reader.split(b'\n') {
        let Ok(bytes) = line else { break };
        let text = String::from_utf8_lossy(&bytes)
            .trim_end_matches('\r')
            .to_string();
        if sender.send(wrap(text)).is_err() {
            return;
        }
    }
    let _ = sender.send(Line::Closed);
}

fn record_messages(
    tx: &Transaction<'_>,
    run: &ClaimedRun,
    messages: &[WorkerMessage],
) -> Result<()> {
    if !still_ours(tx, run)? {
        return Ok(());
    }

    // Only the last progress of a batch becomes an event, so a stage that reports every few
    // milliseconds does not flood the UI; every loss value is still stored as a metric.
    let last_progress = messages
        .iter()
        .rposition(|message| matches!(message, WorkerMessage::Progress { .. }));
    for (index, message) in messages.iter().enumerate() {
        let body = match message.clone() {
            WorkerMessage::Progress {
                step,
                epoch,
                total,
                losses,
            } => {
                store_losses(tx, run, step, epoch, &losses)?;
                if Some(index) != last_progress {
                    continue;
                }
                progress_event(step, epoch, total, losses)
            }
            WorkerMessage::Metric {
                name,
                value,
                step,
                epoch,
            } => {
                let point = MetricPoint {
                    step,
                    epoch,
                    name: name.clone(),
                    value,
                    time: now_ms(),
                };
                store::insert_metric(tx, &run.experiment_id, run.kind, run.attempt, &point)?;
                EventBody::Metric {
                    name,
                    value,
                    step,
                    epoch,
                }
            }
            WorkerMessage::Checkpoint { epoch, path } => EventBody::Checkpoint { epoch, path },
            WorkerMessage::Log { level, message } => EventBody::Log { level, message },
            WorkerMessage::Result { .. }
            | WorkerMessage::Error { .. }
            | WorkerMessage::Cancelled => continue,
        };
        store::insert_event(tx, &run.experiment_id, Some(run.kind), run.attempt, &body)?;
    }
    Ok(())
}

fn store_losses(
    tx: &Transaction<'_>,
    run: &ClaimedRun,
    step: u64,
    epoch: Option<u32>,
    losses: &BTreeMap<String, f64>,
) -> Result<()> {
    for (name, value) in losses {
        let point = MetricPoint {
            step,
            epoch,
            name: name.clone(),
            value: *value,
            time: now_ms(),
        };
        store::insert_metric(tx, &run.experiment_id, run.kind, run.attempt, &point)?;
    }
    Ok(())
}

fn progress_event(
    step: u64,
    epoch: Option<u32>,
    total: Option<u64>,
    losses: BTreeMap<String, f64>,
) -> EventBody {
    let fraction = total
        .filter(|total| *total > 0)
        .map(|total| (step as f64 / total as f64).min(1.0));
    EventBody::Progress {
        step,
        epoch,
        total,
        fraction,
        losses,
    }
}

fn still_ours(tx: &Transaction<'_>, run: &ClaimedRun) -> Result<bool> {
    let row: Option<(String, u32)> = tx
        .query_row(
            "SELECT status, attempt FROM stages WHERE experiment_id = ?1 AND kind = ?2",
            params![run.experiment_id, run.kind.as_str()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    Ok(row.is_some_and(|(status, attempt)| status == "running" && attempt == run.attempt))
}

fn check_artifacts(job: &Job, result: Value, artifacts: Vec<String>) -> Outcome {
    let root = std::path::Path::new(&job.experiment_dir);
    for artifact in &artifacts {
        let relative = std::path::Path::new(artifact);
        let inside = relative
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        if !inside || !root.join(relative).exists() {
            return Outcome::Failed(
                Error::new(
                    ErrorCode::Io,
                    format!("stage {} reported output '{artifact}', which does not exist in the experiment folder", job.stage),
                )
                .with_details(json!({ "artifact": artifact })),
            );
        }
    }
    Outcome::Completed { result, artifacts }
}

fn describe_exit(status: Option<ExitStatus>) -> (String, Option<i32>, Option<i32>) {
    let Some(status) = status else {
        return ("ended in an unknown way".to_string(), None, None);
    };
    let signal = exit_signal(&status);
    match (status.code(), signal) {
        (Some(code), _) => (format!("exited with status {code}"), Some(code), None),
        (None, Some(signal)) => (
            format!("was killed by signal {signal} ({})", signal_name(signal)),
            None,
            Some(signal),
        ),
        (None, None) => ("ended abnormally".to_string(), None, None),
    }
}

#[cfg(unix)]
fn exit_signal(status: &ExitStatus) -> Option<i32> {
    std::os::unix::process::ExitStatusExt::signal(status)
}

#[cfg(not(unix))]
fn exit_signal(_status: &ExitStatus) -> Option<i32> {
    None
}

fn signal_name(signal: i32) -> &'static str {
    match signal {
        6 => "SIGABRT, e.g. a libtorch abort",
        9 => "SIGKILL, e.g. killed for lack of memory",
        11 => "SIGSEGV",
        15 => "SIGTERM",
        _ => "signal",
    }
}

fn record_outcome(shared: &Shared, run: &ClaimedRun, outcome: Outcome) -> Result<()> {
    let (status, result, artifacts, error, body) = match outcome {
        Outcome::Completed { result, artifacts } => (
            StageStatus::Completed,
            Some(serde_json::to_string(&result)?),
            serde_json::to_string(&artifacts)?,
            None,
            EventBody::Completed { result, artifacts },
        ),
        Outcome::Failed(err) => (
            StageStatus::Failed,
            None,
            "[]".to_string(),
            Some(serde_json::to_string(&err.payload())?),
            EventBody::Failed {
                error: err.payload(),
            },
        ),
        Outcome::Cancelled => (
            StageStatus::Cancelled,
            None,
            "[]".to_string(),
            None,
            EventBody::Cancelled {},
        ),
    };
    log::info!(
        "{} of experiment {} ended: {status}",
        run.kind,
        run.experiment_id
    );

    shared.write(|tx| {
        let changed = tx.execute(
            "UPDATE stages SET status = ?4, result = ?5, artifacts = ?6, error = ?7, \
             finished_at = ?8, cancel_requested = 0 \
             WHERE experiment_id = ?1 AND kind = ?2 AND attempt = ?3 AND status = 'running' \
             AND owner = ?9",
            params![
                run.experiment_id,
                run.kind.as_str(),
                run.attempt,
                status.as_str(),
                result,
                artifacts,
                error,
                now_ms(),
                shared.owner.id()
            ],
        )?;
        // Exactly one terminal event per run: only the writer that ends the run records it.
        if changed == 1 {
            store::insert_event(tx, &run.experiment_id, Some(run.kind), run.attempt, &body)?;
            store::refresh_experiment_status(tx, &run.experiment_id)?;
        }
        Ok(())
    })
}
