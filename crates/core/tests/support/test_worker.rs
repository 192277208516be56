//! Test-only binary for gsv-core's integration tests.
//!
//! - `gsv-test-worker __worker`: worker mode, with a test implementation registered for every
//!   stage kind. What a stage does is read from `test-behaviour.json` in the experiment folder
//!   (written by the test), so each test picks durations, crashes and misbehaviour per stage.
//! - `gsv-test-worker host DATA_DIR EXP STAGE`: opens an engine on DATA_DIR whose workers are
//!   this binary, executes the stage, prints `running` once it runs, and waits for its end.
//!   Tests kill this process to simulate an app that dies mid-stage.

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use gsv_core::worker::{Progress, StageContext, StageImpl, StageRegistry, StageResult};
use gsv_core::{
    Engine, EngineConfig, Error, ErrorCode, EventBody, LogLevel, ParamsInput, Result, StageKind,
    StageStatus, WorkerCommand,
};
use serde_json::{json, Value};

/// How a test stage behaves; from `test-behaviour.json` (`{"asr": {"mode": "ok", ...}}`).
struct Behaviour {
    mode: String,
    steps: u64,
    step_ms: u64,
}

impl Behaviour {
    fn of(ctx: &StageContext) -> Self {
        let path = ctx.experiment_dir().join("test-behaviour.json");
        let all: Value = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok())
            .unwrap_or(Value::Null);
        let mine = &all[ctx.stage().as_str()];
        Self {
            mode: mine["mode"].as_str().unwrap_or("ok").to_string(),
            steps: mine["steps"].as_u64().unwrap_or(3),
            step_ms: mine["step_ms"].as_u64().unwrap_or(10),
        }
    }
}

struct TestStage;

impl StageImpl for TestStage {
    fn run(&self, ctx: &mut StageContext) -> Result<StageResult> {
        let behaviour = Behaviour::of(ctx);
        ctx.log(
            LogLevel::Info,
            format!("test stage {} in mode {}", ctx.stage(), behaviour.mode),
        );

        match behaviour.mode.as_str() {
            "crash" => crash(),
            "exit" => {
                eprintln!("test stage: exiting with status 3");
                std::process::exit(3)
            }
            "kill_self" => kill_self(),
            "error" => Err(Error::new(
                ErrorCode::InvalidParams,
                "test stage refused its input",
            )),
            "ignore_cancel" => {
                std::thread::sleep(Duration::from_millis(behaviour.steps * behaviour.step_ms));
                finish(ctx, &behaviour)
            }
            "missing_artifact" => Ok(StageResult {
                summary: json!({}),
                artifacts: vec!["never-written.txt".into()],
            }),
            _ => {
                run_steps(ctx, &behaviour)?;
                finish(ctx, &behaviour)
            }
        }
    }
}

fn crash() -> ! {
    eprintln!("test stage: about to abort");
    let _ = std::io::stderr().flush();
    std::process::abort()
}

/// What the kernel's out-of-memory killer does to a process.
fn kill_self() -> ! {
    eprintln!("test stage: killing itself");
    let pid = std::process::id().to_string();
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid])
        .status();
    std::thread::sleep(Duration::from_secs(30));
    std::process::exit(99)
}

fn run_steps(ctx: &StageContext, behaviour: &Behaviour) -> Result<()> {
    for step in 1..=behaviour.steps {
        ctx.check_cancelled()?;
        std::thread::sleep(Duration::from_millis(behaviour.step_ms));

        let epoch = (step as u32 - 1) / 2 + 1;
        let losses = BTreeMap::from([("loss".to_string(), 1.0 / step as f64)]);
        ctx.progress(Progress {
            step,
            epoch: Some(epoch),
            total: Some(behaviour.steps),
            losses,
        });
        if step % 2 == 0 {
            ctx.checkpoint(epoch, &format!("ckpt/epoch-{epoch}.ckpt"));
        }
    }
    Ok(())
}

fn finish(ctx: &StageContext, behaviour: &Behaviour) -> Result<StageResult> {
    let artifact = format!("{}.out", ctx.stage());
    let path = ctx.experiment_dir().join(&artifact);
    std::fs::write(&path, "done").map_err(|err| Error::io("write", &path, &err))?;
    Ok(StageResult {
        summary: json!({ "steps": behaviour.steps }),
        artifacts: vec![artifact],
    })
}

fn registry() -> StageRegistry {
    let mut registry = StageRegistry::new();
    for kind in StageKind::ALL {
        registry.register(kind, TestStage);
    }
    registry
}

fn host(data_dir: &str, exp: &str, stage: &str) -> Result<ExitCode> {
    let program = std::env::current_exe().map_err(|err| Error::internal(err.to_string()))?;
    let worker = WorkerCommand {
        program,
        args: vec!["__worker".into()],
    };
    let engine = Engine::open(EngineConfig {
        data_dir: data_dir.into(),
        worker,
    })?;

    let outcome = engine.execute_stage(exp, stage, ParamsInput::Json(Value::Null))?;
    for event in engine.subscribe(exp, stage)? {
        let running = match &event.body {
            EventBody::Snapshot { info, .. } => info.status == StageStatus::Running,
            EventBody::Status { status } => *status == StageStatus::Running,
            _ => false,
        };
        if running {
            println!("running");
            let _ = std::io::stdout().flush();
        }
        if event.is_terminal() && event.attempt == outcome.attempt {
            return Ok(ExitCode::SUCCESS);
        }
    }
    Ok(ExitCode::FAILURE)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("__worker") => gsv_core::worker::run(&registry()),
        Some("__worker-empty") => gsv_core::worker::run(&StageRegistry::new()),
        Some("host") if args.len() == 5 => {
            host(&args[2], &args[3], &args[4]).unwrap_or_else(|err| {
                eprintln!("host: {err}");
                ExitCode::FAILURE
            })
        }
        _ => {
            eprintln!("usage: gsv-test-worker __worker | host DATA_DIR EXP STAGE");
            ExitCode::from(2)
        }
    }
}
