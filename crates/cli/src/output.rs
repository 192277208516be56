//! Text and JSON rendering of engine values.

use gsv_core::{Error, Event, EventBody, Experiment, ExperimentDetail, ExperimentPage, StageInfo};
use serde::Serialize;

/// Prints a value as pretty JSON on stdout.
pub fn print_json(value: &impl Serialize) {
    match serde_json::to_string_pretty(value) {
        Ok(text) => println!("{text}"),
        Err(err) => eprintln!("error: cannot render JSON: {err}"),
    }
}

/// Prints an error: its message on stderr, or with `--json` its `{code, message, details}` on
/// stdout (the machine-readable channel).
pub fn print_error(err: &Error, json: bool) {
    if json {
        print_json(&err.payload());
    } else {
        eprintln!("error: {err}");
    }
}

/// A millisecond timestamp as RFC 3339 UTC, to the second.
pub fn time_text(ms: i64) -> String {
    let time = std::time::UNIX_EPOCH + std::time::Duration::from_millis(ms.max(0) as u64);
    humantime::format_rfc3339_seconds(time).to_string()
}

/// One line per experiment.
pub fn print_page(page: &ExperimentPage) {
    println!(
        "{:<36}  {:<24}  {:<11}  {:<4}  CREATED",
        "ID", "NAME", "STATUS", "LANG"
    );
    for experiment in &page.items {
        println!(
            "{:<36}  {:<24}  {:<11}  {:<4}  {}",
            experiment.id,
            experiment.name,
            experiment.status.as_str(),
            serde_text(&experiment.language),
            time_text(experiment.created_at)
        );
    }
    let shown_to = page.offset + page.items.len() as i64;
    println!(
        "{}–{} of {}",
        (page.offset + 1).min(shown_to),
        shown_to,
        page.total
    );
}

fn serde_text(value: &impl Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(text)) => text,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

/// The base configuration of an experiment.
pub fn print_experiment(experiment: &Experiment) {
    println!("id:          {}", experiment.id);
    println!("name:        {}", experiment.name);
    println!("status:      {}", experiment.status.as_str());
    println!("language:    {}", serde_text(&experiment.language));
    println!("model:       {}", serde_text(&experiment.model_version));
    println!("device:      {}", experiment.device);
    println!("folder:      {}", experiment.dir);
    println!("created:     {}", time_text(experiment.created_at));
    if !experiment.description.is_empty() {
        println!("description: {}", experiment.description);
    }
    for source in &experiment.sources {
        println!("audio:       {source}");
    }
    let models = serde_json::to_value(&experiment.base_models).unwrap_or_default();
    if let Some(models) = models.as_object() {
        for (name, path) in models.iter().filter(|(_, path)| !path.is_null()) {
            println!("model {name}: {}", path.as_str().unwrap_or_default());
        }
    }
}

/// An experiment and its stage table.
pub fn print_detail(detail: &ExperimentDetail) {
    print_experiment(&detail.experiment);
    println!();
    print_stage_table(&detail.stages);
}

/// One line per stage.
pub fn print_stage_table(stages: &[StageInfo]) {
    println!("{:<15}  {:<10}  {:>7}  NEEDS", "STAGE", "STATUS", "ATTEMPT");
    for stage in stages {
        let needs: Vec<&str> = stage.needs.iter().map(|kind| kind.as_str()).collect();
        println!(
            "{:<15}  {:<10}  {:>7}  {}",
            stage.kind.as_str(),
            stage.status.as_str(),
            stage.attempt,
            needs.join(", ")
        );
    }
}

/// Everything about one stage.
pub fn print_stage(stage: &StageInfo) {
    println!("stage:     {}", stage.kind);
    println!("status:    {}", stage.status);
    println!("attempt:   {}", stage.attempt);
    if let Some(device) = &stage.device {
        println!("device:    {device}");
    }
    for (label, time) in [
        ("queued:   ", stage.queued_at),
        ("started:  ", stage.started_at),
        ("finished: ", stage.finished_at),
    ] {
        if let Some(time) = time {
            println!("{label} {}", time_text(time));
        }
    }
    if let (Some(started), Some(finished)) = (stage.started_at, stage.finished_at) {
        println!("duration:  {:.1} s", (finished - started) as f64 / 1000.0);
    }
    if let Some(params) = &stage.params {
        println!("params:    {params}");
    }
    if let Some(result) = &stage.result {
        println!("result:    {result}");
    }
    for artifact in &stage.artifacts {
        println!("artifact:  {artifact}");
    }
    if let Some(error) = &stage.error {
        println!("error:     [{}] {}", error.code.as_str(), error.message);
    }
}

/// One event: a JSON line with `--json`, else a short text line.
pub fn print_event(event: &Event, json: bool) {
    if json {
        match serde_json::to_string(event) {
            Ok(line) => println!("{line}"),
            Err(err) => eprintln!("error: cannot render event: {err}"),
        }
        return;
    }
    let stage = event.stage.map(|stage| stage.as_str()).unwrap_or("-");
    println!(
        "{} {stage}: {}",
        time_text(event.time),
        event_text(&event.body)
    );
}

fn event_text(body: &EventBody) -> String {
    match body {
        EventBody::Snapshot { info, metrics } => format!(
            "{} (attempt {}, {} stored metric values)",
            info.status,
            info.attempt,
            metrics.len()
        ),
        EventBody::Status { status } => format!("status {status}"),
        EventBody::Progress {
            step,
            epoch,
            total,
            fraction,
            losses,
        } => progress_text(*step, *epoch, *total, *fraction, losses),
        EventBody::Metric {
            name, value, step, ..
        } => format!("metric {name}={value} at step {step}"),
        EventBody::Checkpoint { epoch, path } => format!("checkpoint of epoch {epoch}: {path}"),
        EventBody::Log { level, message } => format!("[{}] {message}", serde_text(level)),
        EventBody::Completed { result, .. } => format!("completed {result}"),
        EventBody::Failed { error } => {
            format!("failed [{}] {}", error.code.as_str(), error.message)
        }
        EventBody::Cancelled {} => "cancelled".to_string(),
        EventBody::ExperimentCreated {} => "experiment created".to_string(),
        EventBody::ExperimentUpdated {} => "experiment updated".to_string(),
        EventBody::ExperimentDeleted {} => "experiment deleted".to_string(),
    }
}

fn progress_text(
    step: u64,
    epoch: Option<u32>,
    total: Option<u64>,
    fraction: Option<f64>,
    losses: &std::collections::BTreeMap<String, f64>,
) -> String {
    let mut text = match total {
        Some(total) => format!("step {step}/{total}"),
        None => format!("step {step}"),
    };
    if let Some(fraction) = fraction {
        text.push_str(&format!(" ({:.0}%)", fraction * 100.0));
    }
    if let Some(epoch) = epoch {
        text.push_str(&format!(" epoch {epoch}"));
    }
    for (name, value) in losses {
        text.push_str(&format!(" {name}={value:.4}"));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_times() {
        assert_eq!(time_text(0), "1970-01-01T00:00:00Z");
        assert_eq!(time_text(1_709_210_096_000), "2024-02-29T12:34:56Z");
    }
}
