//! What each `gsv` command does: a thin call into [`gsv_core::Engine`] and a rendering of the
//! answer.

use std::io::BufRead;
use std::process::{Command as Process, ExitCode, Stdio};

use gsv_core::worker::StageRegistry;
use gsv_core::{
    default_data_dir, BaseModels, Engine, EngineConfig, Error, ErrorCode, ErrorPayload, Event,
    EventBody, ExecuteOutcome, ExperimentUpdate, ListQuery, NewExperiment, ParamsInput, Result,
    StageStatus, WorkerCommand,
};
use serde::{Deserialize, Serialize};

use crate::args::{
    BaseModelArgs, Command, CreateArgs, ExperimentCommand, ListArgs, ModelsCommand, RunArgs,
    StageCommand, TextCommand, UpdateArgs,
};
use crate::output;

/// Exit status of a followed stage that ended `failed`.
const EXIT_STAGE_FAILED: u8 = 3;
/// Exit status of a followed stage that ended `cancelled`.
const EXIT_STAGE_CANCELLED: u8 = 4;

/// The stage implementations this binary's worker mode provides.
///
/// The implemented stages; the app's workers use the same registry.
pub fn stage_registry() -> StageRegistry {
    gsv_stages::registry()
}

fn open_engine() -> Result<Engine> {
    Engine::open(EngineConfig {
        data_dir: default_data_dir()?,
        worker: WorkerCommand::current_exe()?,
    })
}

/// Runs one command; returns the exit status for a followed stage, or an error to print.
pub fn dispatch(command: Command, json: bool) -> Result<ExitCode> {
    match command {
        Command::Experiment(command) => experiment(*command, json),
        Command::Stage(command) => stage(command, json),
        Command::Schema => {
            output::print_json(&Engine::schema());
            Ok(ExitCode::SUCCESS)
        }
        Command::Doctor => crate::doctor::run(json),
        Command::Models(ModelsCommand::Inspect { path }) => inspect_model(&path, json),
        Command::Text(TextCommand::G2p { lang }) => crate::text::g2p(&lang),
        Command::Worker => Ok(gsv_core::worker::run(&stage_registry())),
        Command::RunDetached(args) => run_detached_child(&args),
    }
}

fn experiment(command: ExperimentCommand, json: bool) -> Result<ExitCode> {
    let engine = open_engine()?;
    match command {
        ExperimentCommand::Create(args) => {
            let detail = engine.create_experiment(new_experiment(args)?)?;
            render(json, &detail, output::print_detail);
        }
        ExperimentCommand::List(args) => {
            let page = engine.list_experiments(&list_query(args)?)?;
            render(json, &page, output::print_page);
        }
        ExperimentCommand::Show { exp } => {
            render(json, &engine.get_experiment(&exp)?, output::print_detail);
        }
        ExperimentCommand::Update(args) => {
            let exp = args.exp.clone();
            let update = experiment_update(&engine, args)?;
            render(
                json,
                &engine.update_experiment(&exp, update)?,
                output::print_experiment,
            );
        }
        ExperimentCommand::Delete { exp } => {
            let outcome = engine.delete_experiment(&exp)?;
            render(json, &outcome, |outcome| {
                println!("deleted experiment {}", outcome.experiment_id)
            });
            if let Some(problem) = &outcome.folder_error {
                eprintln!("warning: {problem}");
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn render<T: Serialize>(json: bool, value: &T, text: impl FnOnce(&T)) {
    if json {
        output::print_json(value);
    } else {
        text(value);
    }
}

fn new_experiment(args: CreateArgs) -> Result<NewExperiment> {
    let mut new = NewExperiment::new(args.name, args.language.parse()?);
    new.description = args.description;
    new.device = args.device;
    new.sources = args.audio;
    new.base_models = merge_models(BaseModels::default(), args.models);
    Ok(new)
}

fn merge_models(mut models: BaseModels, args: BaseModelArgs) -> BaseModels {
    let pairs = [
        (&mut models.sovits_g, args.sovits_g),
        (&mut models.sovits_d, args.sovits_d),
        (&mut models.gpt, args.gpt),
        (&mut models.hubert, args.hubert),
        (&mut models.bert, args.bert),
        (&mut models.whisper, args.whisper),
    ];
    for (slot, given) in pairs {
        if given.is_some() {
            *slot = given;
        }
    }
    models
}

fn list_query(args: ListArgs) -> Result<ListQuery> {
    let status = args.status.map(|status| status.parse()).transpose()?;
    Ok(ListQuery {
        status,
        limit: args.limit,
        offset: args.offset,
    })
}

fn experiment_update(engine: &Engine, args: UpdateArgs) -> Result<ExperimentUpdate> {
    let models_given = [
        &args.models.sovits_g,
        &args.models.sovits_d,
        &args.models.gpt,
        &args.models.hubert,
        &args.models.bert,
        &args.models.whisper,
    ]
    .iter()
    .any(|model| model.is_some());
    let base_models = if models_given {
        let current = engine.get_experiment(&args.exp)?.experiment.base_models;
        Some(merge_models(current, args.models))
    } else {
        None
    };

    Ok(ExperimentUpdate {
        name: args.name,
        description: args.description,
        language: args.language.map(|language| language.parse()).transpose()?,
        base_models,
        device: args.device,
        sources: (!args.audio.is_empty()).then_some(args.audio),
    })
}

fn stage(command: StageCommand, json: bool) -> Result<ExitCode> {
    if let StageCommand::Run(args) = &command {
        if !args.wait {
            return run_in_background(args, json);
        }
    }

    let engine = open_engine()?;
    match command {
        StageCommand::Run(args) => {
            // Limitation: Ctrl-C here ends this process and its worker without a cancel; the
            // stage is then recorded as failed (interrupted) by the next engine that looks (the
            // app within a second, or the next `gsv` command).
            let outcome = execute(&engine, &args)?;
            print_outcome(&outcome, json);
            follow(
                &engine,
                &args.exp,
                &args.stage,
                Some(outcome.attempt),
                json,
                true,
            )
        }
        StageCommand::List { exp } => {
            render(json, &engine.list_stages(&exp)?, |stages| {
                output::print_stage_table(stages)
            });
            Ok(ExitCode::SUCCESS)
        }
        StageCommand::Show { exp, stage } => {
            render(json, &engine.get_stage(&exp, &stage)?, output::print_stage);
            Ok(ExitCode::SUCCESS)
        }
        StageCommand::Cancel { exp, stage } => {
            render(
                json,
                &engine.cancel_stage(&exp, &stage)?,
                output::print_stage,
            );
            Ok(ExitCode::SUCCESS)
        }
        StageCommand::Watch { exp, stage } => follow(&engine, &exp, &stage, None, json, true),
    }
}

fn execute(engine: &Engine, args: &RunArgs) -> Result<ExecuteOutcome> {
    engine.execute_stage(
        &args.exp,
        &args.stage,
        ParamsInput::Pairs(args.params.clone()),
    )
}

fn print_outcome(outcome: &ExecuteOutcome, json: bool) {
    if json {
        if let Ok(line) = serde_json::to_string(outcome) {
            println!("{line}");
        }
        return;
    }
    let rerun = if outcome.rerun { " (rerun)" } else { "" };
    println!(
        "{} queued, attempt {}{rerun}",
        outcome.stage, outcome.attempt
    );
    for stale in &outcome.stale {
        println!("{stale} is now stale");
    }
}

/// Prints a stage's events until its run ends; returns the exit status for how it ended.
/// `attempt` restricts the end to that run (or a later one).
fn follow(
    engine: &Engine,
    exp: &str,
    stage: &str,
    attempt: Option<u32>,
    json: bool,
    print: bool,
) -> Result<ExitCode> {
    let subscription = engine.subscribe(exp, stage)?;
    for event in subscription {
        if print {
            output::print_event(&event, json);
        }
        if let Some(code) = end_of_run(&event, attempt) {
            return Ok(code);
        }
    }
    Err(Error::internal(
        "the event stream ended before the stage did",
    ))
}

fn end_of_run(event: &Event, attempt: Option<u32>) -> Option<ExitCode> {
    if let EventBody::ExperimentDeleted {} = event.body {
        return Some(ExitCode::FAILURE);
    }
    if attempt.is_some_and(|attempt| event.attempt < attempt) {
        return None;
    }
    match &event.body {
        EventBody::Snapshot { info, .. } if !info.status.is_active() => {
            Some(status_exit(info.status))
        }
        EventBody::Completed { .. } => Some(ExitCode::SUCCESS),
        EventBody::Failed { .. } => Some(ExitCode::from(EXIT_STAGE_FAILED)),
        EventBody::Cancelled {} => Some(ExitCode::from(EXIT_STAGE_CANCELLED)),
        _ => None,
    }
}

fn status_exit(status: StageStatus) -> ExitCode {
    match status {
        StageStatus::Failed => ExitCode::from(EXIT_STAGE_FAILED),
        StageStatus::Cancelled => ExitCode::from(EXIT_STAGE_CANCELLED),
        _ => ExitCode::SUCCESS,
    }
}

/// The one line a background runner answers with: how queueing went.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum DetachedAnswer {
    Queued(Box<ExecuteOutcome>),
    Error(ErrorPayload),
}

/// `stage run` without `--wait`: the stage must go on after this command returns, so a
/// background `gsv __run-detached` process queues it, answers with one line, and supervises the
/// run to its end. Errors of the execute checks come back through that line.
fn run_in_background(args: &RunArgs, json: bool) -> Result<ExitCode> {
    let program = std::env::current_exe()
        .map_err(|err| Error::internal(format!("cannot find the running executable: {err}")))?;
    let mut command = Process::new(program);
    command
        .arg("__run-detached")
        .arg(&args.exp)
        .arg(&args.stage);
    for param in &args.params {
        command.arg("--param").arg(param);
    }
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    detach(&mut command);

    let mut child = command.spawn().map_err(|err| {
        Error::new(
            ErrorCode::Io,
            format!("cannot start the background runner: {err}"),
        )
    })?;
    let mut answer = String::new();
    if let Some(stdout) = child.stdout.take() {
        let _ = std::io::BufReader::new(stdout).read_line(&mut answer);
    }

    match serde_json::from_str::<DetachedAnswer>(&answer) {
        Ok(DetachedAnswer::Queued(outcome)) => {
            print_outcome(&outcome, json);
            Ok(ExitCode::SUCCESS)
        }
        Ok(DetachedAnswer::Error(payload)) => Err(payload.into()),
        Err(_) => Err(Error::internal(
            "the background runner ended without answering",
        )),
    }
}

#[cfg(unix)]
fn detach(command: &mut Process) {
    // Its own process group: a Ctrl-C in this terminal must not stop the background run.
    std::os::unix::process::CommandExt::process_group(command, 0);
}

#[cfg(not(unix))]
fn detach(_command: &mut Process) {}

fn run_detached_child(args: &RunArgs) -> Result<ExitCode> {
    let engine = open_engine();
    let queued = engine
        .as_ref()
        .map_err(Clone::clone)
        .and_then(|engine| execute(engine, args));

    let answer = match &queued {
        Ok(outcome) => DetachedAnswer::Queued(Box::new(outcome.clone())),
        Err(err) => DetachedAnswer::Error(err.payload()),
    };
    if let Ok(line) = serde_json::to_string(&answer) {
        println!("{line}");
    }

    let (Ok(engine), Ok(outcome)) = (engine, queued) else {
        return Ok(ExitCode::FAILURE);
    };
    // Keep the engine (and with it the run's supervisor) alive until the run ends.
    follow(
        &engine,
        &args.exp,
        &args.stage,
        Some(outcome.attempt),
        false,
        false,
    )
}

/// `gsv models inspect`: the file's description, or its precise error and a non-zero exit.
fn inspect_model(path: &std::path::Path, json: bool) -> Result<ExitCode> {
    match gsv_weights::inspect(path) {
        Ok(inspection) => {
            render(json, &inspection, |inspection| println!("{inspection}"));
            Ok(ExitCode::SUCCESS)
        }
        Err(error) => Err(Error::new(ErrorCode::InvalidInput, error.to_string())
            .with_details(serde_json::json!({ "weights_code": error.code() }))),
    }
}
