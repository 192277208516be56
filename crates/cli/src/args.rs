//! Command-line shape of `gsv`.

use clap::{Args, Parser, Subcommand};

/// GSV Studio from a terminal: every engine operation on the same data folder as the app.
#[derive(Debug, Parser)]
#[command(name = "gsv", version)]
pub struct Cli {
    /// Print machine-readable JSON instead of text.
    #[arg(long, global = true)]
    pub json: bool,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Top-level commands. Room is left for `doctor`, `models`, `text` and `bench`, which other
/// crates add as further variants.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create, list, inspect, change and delete experiments.
    #[command(subcommand, visible_alias = "exp")]
    Experiment(Box<ExperimentCommand>),

    /// Run, inspect, watch and cancel the stages of an experiment.
    #[command(subcommand)]
    Stage(StageCommand),

    /// Print the JSON schema of every stage's parameters and the stage graph.
    Schema,

    /// Print the libtorch version, whether CUDA is usable, the GPUs and the data folder.
    Doctor,

    /// Inspect model and weight files.
    #[command(subcommand)]
    Models(ModelsCommand),

    /// The text front-end: GPT-SoVITS v2 phonemes from text.
    #[command(subcommand)]
    Text(TextCommand),

    /// Worker mode: run one stage job read from stdin (started by the runner).
    #[command(name = "__worker", hide = true)]
    Worker,

    /// Background runner for `stage run` without `--wait`.
    #[command(name = "__run-detached", hide = true)]
    RunDetached(RunArgs),
}

/// `gsv text ...`
#[derive(Debug, Subcommand)]
pub enum TextCommand {
    /// Read text lines on standard input; print one JSON object per line with `phones`,
    /// `phone_ids`, `word2ph` and `norm_text` (or `error` and `message`).
    G2p {
        /// Language of the lines: zh, en or auto (ja, ko and yue are not supported yet).
        #[arg(long)]
        lang: String,
    },
}

/// `gsv models ...`
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// Tell what a weight file or model folder is: kind, model version, tensors, dtypes, config.
    Inspect {
        /// A GPT-SoVITS .pth/.ckpt, a safetensors file, a HuggingFace or CTranslate2 folder.
        path: std::path::PathBuf,
    },
}

/// `gsv experiment ...`
#[derive(Debug, Subcommand)]
pub enum ExperimentCommand {
    /// Create an experiment; every stage starts pending.
    Create(CreateArgs),

    /// List experiments, newest first.
    List(ListArgs),

    /// Show an experiment with all its stages.
    Show {
        /// Experiment id or name.
        exp: String,
    },

    /// Change an experiment's base configuration (never stage parameters).
    Update(UpdateArgs),

    /// Delete an experiment: cancels running stages, removes its rows and folder.
    Delete {
        /// Experiment id or name.
        exp: String,
    },
}

/// Paths of pretrained models.
#[derive(Debug, Args, Default)]
pub struct BaseModelArgs {
    /// Pretrained SoVITS G weights (s2G*.pth).
    #[arg(long)]
    pub sovits_g: Option<String>,
    /// Pretrained SoVITS D weights (s2D*.pth).
    #[arg(long)]
    pub sovits_d: Option<String>,
    /// Pretrained GPT weights (s1*.ckpt).
    #[arg(long)]
    pub gpt: Option<String>,
    /// chinese-hubert-base folder.
    #[arg(long)]
    pub hubert: Option<String>,
    /// chinese-roberta-wwm-ext-large folder.
    #[arg(long)]
    pub bert: Option<String>,
    /// Whisper model folder.
    #[arg(long)]
    pub whisper: Option<String>,
}

/// `gsv experiment create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name, 1–64 characters, unique.
    #[arg(long)]
    pub name: String,
    /// Language of the recordings: zh, en, ja, ko, yue or auto.
    #[arg(long)]
    pub language: String,
    /// An audio file or folder to import (repeatable).
    #[arg(long = "audio", value_name = "PATH")]
    pub audio: Vec<String>,
    /// Free text.
    #[arg(long, default_value = "")]
    pub description: String,
    /// Device: cpu, cuda, cuda:N or mps.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Pretrained models.
    #[command(flatten)]
    pub models: BaseModelArgs,
}

/// `gsv experiment list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Only experiments with this status: pending, running, failed, completed, in_progress.
    #[arg(long)]
    pub status: Option<String>,
    /// Page size, 1–100.
    #[arg(long, allow_negative_numbers = true)]
    pub limit: Option<i64>,
    /// Experiments to skip.
    #[arg(long, allow_negative_numbers = true)]
    pub offset: Option<i64>,
}

/// `gsv experiment update`
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Experiment id or name.
    pub exp: String,
    /// New name.
    #[arg(long)]
    pub name: Option<String>,
    /// New description.
    #[arg(long)]
    pub description: Option<String>,
    /// New language.
    #[arg(long)]
    pub language: Option<String>,
    /// New device.
    #[arg(long)]
    pub device: Option<String>,
    /// Replace the audio sources with these (repeatable).
    #[arg(long = "audio", value_name = "PATH")]
    pub audio: Vec<String>,
    /// Pretrained models to change; the others stay.
    #[command(flatten)]
    pub models: BaseModelArgs,
}

/// `gsv stage ...`
#[derive(Debug, Subcommand)]
pub enum StageCommand {
    /// Execute a stage.
    Run(RunArgs),

    /// List the stages of an experiment.
    List {
        /// Experiment id or name.
        exp: String,
    },

    /// Show one stage: status, parameters, result, artifacts, error, timings.
    Show {
        /// Experiment id or name.
        exp: String,
        /// Stage name, e.g. audio_slice.
        stage: String,
    },

    /// Cancel a queued or running stage.
    Cancel {
        /// Experiment id or name.
        exp: String,
        /// Stage name.
        stage: String,
    },

    /// Print a stage's events until its run ends.
    Watch {
        /// Experiment id or name.
        exp: String,
        /// Stage name.
        stage: String,
    },
}

/// `gsv stage run`
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// Experiment id or name.
    pub exp: String,
    /// Stage name, e.g. audio_slice.
    pub stage: String,
    /// A parameter as key=value (repeatable).
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub params: Vec<String>,
    /// Stream the events and exit non-zero unless the stage completed.
    #[arg(long)]
    pub wait: bool,
}
