//! Experiments: their base configuration, validation, listing queries and status.

use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::stage::StageStatus;
use crate::store::StageInfo;

/// Longest experiment name, in characters.
pub const MAX_NAME_CHARS: usize = 64;
/// Longest description, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 2000;
/// Default page size of [`ListQuery`].
pub const DEFAULT_LIMIT: i64 = 50;
/// Largest page size of [`ListQuery`].
pub const MAX_LIMIT: i64 = 100;

/// Language of the recordings (GPT-SoVITS's language codes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum Language {
    /// Mandarin Chinese.
    Zh,
    /// English.
    En,
    /// Japanese.
    Ja,
    /// Korean.
    Ko,
    /// Cantonese.
    Yue,
    /// Detected per clip.
    Auto,
}

impl std::str::FromStr for Language {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        serde_json::from_value(json!(text)).map_err(|_| {
            Error::invalid_field(
                "language",
                format!("must be one of zh, en, ja, ko, yue, auto, got '{text}'"),
            )
        })
    }
}

/// GPT-SoVITS model generation. Only v2 is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ModelVersion {
    /// GPT-SoVITS v2.
    #[default]
    V2,
}

/// Paths of the pretrained models the experiment starts from. Unset paths fall back to the
/// application's settings when a stage runs.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct BaseModels {
    /// Pretrained SoVITS G weights (`s2G*.pth`).
    #[ts(optional)]
    pub sovits_g: Option<String>,
    /// Pretrained SoVITS D weights (`s2D*.pth`).
    #[ts(optional)]
    pub sovits_d: Option<String>,
    /// Pretrained GPT weights (`s1*.ckpt`).
    #[ts(optional)]
    pub gpt: Option<String>,
    /// `chinese-hubert-base` folder.
    #[ts(optional)]
    pub hubert: Option<String>,
    /// `chinese-roberta-wwm-ext-large` folder.
    #[ts(optional)]
    pub bert: Option<String>,
    /// Whisper model folder.
    #[ts(optional)]
    pub whisper: Option<String>,
}

impl BaseModels {
    fn entries(&self) -> [(&'static str, &Option<String>); 6] {
        [
            ("sovits_g", &self.sovits_g),
            ("sovits_d", &self.sovits_d),
            ("gpt", &self.gpt),
            ("hubert", &self.hubert),
            ("bert", &self.bert),
            ("whisper", &self.whisper),
        ]
    }
}

/// What `create experiment` takes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewExperiment {
    /// 1–64 characters, unique.
    pub name: String,
    /// Free text.
    #[serde(default)]
    pub description: String,
    /// Language of the recordings.
    pub language: Language,
    /// Model generation (v2).
    #[serde(default)]
    pub model_version: ModelVersion,
    /// Pretrained model paths.
    #[serde(default)]
    pub base_models: BaseModels,
    /// `cpu`, `cuda`, `cuda:N` or `mps`.
    #[serde(default = "default_device")]
    pub device: String,
    /// Audio files and folders to import.
    #[serde(default)]
    pub sources: Vec<String>,
}

fn default_device() -> String {
    "cpu".to_string()
}

impl NewExperiment {
    /// A configuration with only the required fields set.
    pub fn new(name: impl Into<String>, language: Language) -> Self {
        Self {
            name: name.into(),
            description: String::new(),
            language,
            model_version: ModelVersion::V2,
            base_models: BaseModels::default(),
            device: default_device(),
            sources: Vec::new(),
        }
    }
}

/// What `update experiment` takes: base configuration only; stage parameters are not part of
/// it (they are given when a stage runs), and unknown fields are rejected.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct ExperimentUpdate {
    /// New name.
    #[ts(optional)]
    pub name: Option<String>,
    /// New description.
    #[ts(optional)]
    pub description: Option<String>,
    /// New language.
    #[ts(optional)]
    pub language: Option<Language>,
    /// New base model paths (replaces all of them).
    #[ts(optional)]
    pub base_models: Option<BaseModels>,
    /// New device.
    #[ts(optional)]
    pub device: Option<String>,
    /// New dataset sources (replaces the list).
    #[ts(optional)]
    pub sources: Option<Vec<String>>,
}

/// Status of a whole experiment, derived from its stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename_all = "snake_case")]
pub enum ExperimentStatus {
    /// No stage has run.
    Pending,
    /// A stage is queued or running.
    Running,
    /// A stage failed and nothing is running.
    Failed,
    /// Every stage completed.
    Completed,
    /// Some stages ran, none failed, not all completed, nothing running.
    InProgress,
}

impl ExperimentStatus {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Failed => "failed",
            Self::Completed => "completed",
            Self::InProgress => "in_progress",
        }
    }

    /// Derives the experiment's status from its stages' statuses.
    pub fn derive(stages: &[StageStatus]) -> Self {
        if stages.iter().any(|status| status.is_active()) {
            Self::Running
        } else if stages.contains(&StageStatus::Failed) {
            Self::Failed
        } else if stages
            .iter()
            .all(|status| *status == StageStatus::Completed)
        {
            Self::Completed
        } else if stages.iter().all(|status| *status == StageStatus::Pending) {
            Self::Pending
        } else {
            Self::InProgress
        }
    }
}

impl std::str::FromStr for ExperimentStatus {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        serde_json::from_value(json!(text)).map_err(|_| {
            Error::invalid_field(
                "status",
                format!(
                    "must be one of pending, running, failed, completed, in_progress, got '{text}'"
                ),
            )
        })
    }
}

/// An experiment as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct Experiment {
    /// Stable id (a UUID); also the name of its folder.
    pub id: String,
    /// Unique display name.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Language of the recordings.
    pub language: Language,
    /// Model generation.
    pub model_version: ModelVersion,
    /// Pretrained model paths.
    pub base_models: BaseModels,
    /// Device the stages run on.
    pub device: String,
    /// Audio files and folders to import.
    pub sources: Vec<String>,
    /// Derived from the stages.
    pub status: ExperimentStatus,
    /// Creation time, milliseconds since the Unix epoch.
    #[ts(type = "number")]
    pub created_at: i64,
    /// Last change of the base configuration or of a stage, ms since the Unix epoch.
    #[ts(type = "number")]
    pub updated_at: i64,
    /// The experiment's folder.
    pub dir: String,
}

/// An experiment with all its stages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExperimentDetail {
    /// The experiment.
    pub experiment: Experiment,
    /// Its seven stages, in pipeline order.
    pub stages: Vec<StageInfo>,
}

/// Query of `list experiments`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(default, deny_unknown_fields)]
pub struct ListQuery {
    /// Only experiments with this status.
    #[ts(optional)]
    pub status: Option<ExperimentStatus>,
    /// Page size, 1–100 (default 50).
    #[ts(optional, type = "number")]
    pub limit: Option<i64>,
    /// Experiments to skip, ≥ 0 (default 0).
    #[ts(optional, type = "number")]
    pub offset: Option<i64>,
}

impl ListQuery {
    /// The checked `(limit, offset)`.
    pub fn bounds(&self) -> Result<(i64, i64)> {
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Error::invalid_field(
                "limit",
                format!("must be between 1 and {MAX_LIMIT}, got {limit}"),
            ));
        }

        let offset = self.offset.unwrap_or(0);
        if offset < 0 {
            return Err(Error::invalid_field(
                "offset",
                format!("must be 0 or more, got {offset}"),
            ));
        }
        Ok((limit, offset))
    }
}

/// One page of experiments, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
pub struct ExperimentPage {
    /// The experiments of this page.
    pub items: Vec<Experiment>,
    /// How many experiments match the filter in all.
    #[ts(type = "number")]
    pub total: i64,
    /// Page size used.
    #[ts(type = "number")]
    pub limit: i64,
    /// Offset used.
    #[ts(type = "number")]
    pub offset: i64,
}

/// Checks an experiment name: 1–64 characters, no control characters, no surrounding spaces.
pub fn validate_name(name: &str) -> Result<()> {
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(Error::invalid_field(
            "name",
            format!("must be 1 to {MAX_NAME_CHARS} characters, got {chars}"),
        ));
    }
    if name.trim() != name {
        return Err(Error::invalid_field(
            "name",
            "must not start or end with spaces",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid_field(
            "name",
            "must not contain control characters",
        ));
    }
    Ok(())
}

/// Checks a description's length.
pub fn validate_description(description: &str) -> Result<()> {
    let chars = description.chars().count();
    if chars > MAX_DESCRIPTION_CHARS {
        return Err(Error::invalid_field(
            "description",
            format!("must be at most {MAX_DESCRIPTION_CHARS} characters, got {chars}"),
        ));
    }
    Ok(())
}

/// Checks and normalises a device name: `cpu`, `mps`, `cuda` (= `cuda:0`) or `cuda:N`.
pub fn normalize_device(device: &str) -> Result<String> {
    let device = device.trim();
    if device == "cpu" || device == "mps" {
        return Ok(device.to_string());
    }
    if device == "cuda" {
        return Ok("cuda:0".to_string());
    }
    if let Some(index) = device.strip_prefix("cuda:") {
        if let Ok(index) = index.parse::<u16>() {
            return Ok(format!("cuda:{index}"));
        }
    }
    Err(Error::invalid_field(
        "device",
        format!("must be cpu, mps, cuda or cuda:N, got '{device}'"),
    ))
}

/// Checks that every source exists; returns them as absolute paths.
pub fn validate_sources(sources: &[String]) -> Result<Vec<String>> {
    sources
        .iter()
        .enumerate()
        .map(|(index, source)| existing_absolute(&format!("sources[{index}]"), source))
        .collect()
}

/// Checks that every base model path that is set exists; returns them as absolute paths.
pub fn validate_base_models(models: &BaseModels) -> Result<BaseModels> {
    let mut checked = BaseModels::default();
    for (field, path) in models.entries() {
        let Some(path) = path else { continue };
        let absolute = existing_absolute(&format!("base_models.{field}"), path)?;
        match field {
            "sovits_g" => checked.sovits_g = Some(absolute),
            "sovits_d" => checked.sovits_d = Some(absolute),
            "gpt" => checked.gpt = Some(absolute),
            "hubert" => checked.hubert = Some(absolute),
            "bert" => checked.bert = Some(absolute),
            _ => checked.whisper = Some(absolute),
        }
    }
    Ok(checked)
}

fn existing_absolute(field: &str, path: &str) -> Result<String> {
    if path.trim().is_empty() {
        return Err(Error::invalid_field(field, "must not be empty"));
    }
    let absolute = std::path::absolute(Path::new(path))
        .map_err(|err| Error::invalid_field(field, format!("'{path}' is not usable: {err}")))?;
    if !absolute.exists() {
        return Err(
            Error::invalid_field(field, format!("'{path}' does not exist"))
                .with_details(json!({ "field": field, "path": path })),
        );
    }
    Ok(absolute.to_string_lossy().into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_bounds() {
        assert!(validate_name("a").is_ok());
        assert!(validate_name(&"é".repeat(64)).is_ok());
        assert_eq!(
            validate_name("").unwrap_err().message(),
            "name: must be 1 to 64 characters, got 0"
        );
        assert!(validate_name(&"x".repeat(65)).is_err());
        assert!(validate_name(" padded").is_err());
        assert!(validate_name("tab\there").is_err());
    }

    #[test]
    fn devices_are_normalised() {
        assert_eq!(normalize_device("cuda").unwrap(), "cuda:0");
        assert_eq!(normalize_device("cuda:1").unwrap(), "cuda:1");
        assert_eq!(normalize_device("cpu").unwrap(), "cpu");
        assert_eq!(
            normalize_device("gpu").unwrap_err().code(),
            "invalid_params"
        );
    }

    #[test]
    fn status_derivation() {
        use StageStatus::*;

        assert_eq!(
            ExperimentStatus::derive(&[Pending, Pending]),
            ExperimentStatus::Pending
        );
        assert_eq!(
            ExperimentStatus::derive(&[Completed, Queued]),
            ExperimentStatus::Running
        );
        assert_eq!(
            ExperimentStatus::derive(&[Completed, Failed]),
            ExperimentStatus::Failed
        );
        assert_eq!(
            ExperimentStatus::derive(&[Completed, Completed]),
            ExperimentStatus::Completed
        );
        assert_eq!(
            ExperimentStatus::derive(&[Completed, Stale]),
            ExperimentStatus::InProgress
        );
    }

    #[test]
    fn list_bounds() {
        assert_eq!(ListQuery::default().bounds().unwrap(), (50, 0));
        let zero = ListQuery {
            limit: Some(0),
            ..Default::default()
        };
        assert_eq!(
            zero.bounds().unwrap_err().message(),
            "limit: must be between 1 and 100, got 0"
        );
        let negative = ListQuery {
            offset: Some(-1),
            ..Default::default()
        };
        assert_eq!(
            negative.bounds().unwrap_err().message(),
            "offset: must be 0 or more, got -1"
        );
    }

    #[test]
    fn missing_source_names_its_index() {
        let err = validate_sources(&["/definitely/not/here.wav".into()]).unwrap_err();

        assert!(err.message().starts_with("sources[0]: "));
    }
}
