//! Typed parameters of every stage, with GPT-SoVITS's defaults and ranges.
//!
//! One table of [`FieldSpec`]s per stage is the single source of the names, defaults, ranges and
//! descriptions: it drives parsing (`key=value` strings or JSON), validation and the JSON schema
//! the UI draws its forms from. The typed structs are filled from a validated, defaults-completed
//! map, and a unit test checks that the structs and the tables agree.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use ts_rs::TS;

use crate::error::{Error, Result};
use crate::stage::StageKind;

/// The type, default and allowed values of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FieldKind {
    /// A whole number in `min..=max`.
    Int {
        /// Value when the field is not given.
        default: i64,
        /// Smallest allowed value.
        min: i64,
        /// Largest allowed value.
        max: i64,
    },
    /// A finite number in `min..=max`.
    Float {
        /// Value when the field is not given.
        default: f64,
        /// Smallest allowed value.
        min: f64,
        /// Largest allowed value.
        max: f64,
    },
    /// `true` or `false`.
    Bool {
        /// Value when the field is not given.
        default: bool,
    },
    /// One of a fixed list of strings.
    Choice {
        /// Value when the field is not given.
        default: &'static str,
        /// The allowed values.
        choices: &'static [&'static str],
    },
    /// Free text of at most `max_len` characters.
    Text {
        /// Value when the field is not given.
        default: &'static str,
        /// Longest allowed value, in characters.
        max_len: usize,
    },
}

/// One parameter of one stage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FieldSpec {
    /// Field name as used in JSON and in `--param key=value`.
    pub name: &'static str,
    /// What the field does, for forms and `--help`.
    pub description: &'static str,
    /// Unit of the value, if it has one (`"ms"`, `"dB"`).
    pub unit: Option<&'static str>,
    /// Type, default and range.
    pub kind: FieldKind,
}

const PRECISION: FieldKind = FieldKind::Choice {
    default: "auto",
    choices: &["auto", "fp32", "fp16"],
};
const PRECISION_DOC: &str = "Numeric precision; auto uses fp16 on CUDA and fp32 on the CPU";
const MODEL_PATH: FieldKind = FieldKind::Text {
    default: "",
    max_len: 4096,
};

const AUDIO_SLICE: &[FieldSpec] = &[
    FieldSpec {
        name: "threshold",
        description: "Volume below which audio counts as silence",
        unit: Some("dB"),
        kind: FieldKind::Float {
            default: -34.0,
            min: -100.0,
            max: 0.0,
        },
    },
    FieldSpec {
        name: "min_length",
        description: "Shortest slice; shorter pieces are merged with the next",
        unit: Some("ms"),
        kind: FieldKind::Int {
            default: 4000,
            min: 100,
            max: 60_000,
        },
    },
    FieldSpec {
        name: "min_interval",
        description: "Shortest silence at which audio is cut",
        unit: Some("ms"),
        kind: FieldKind::Int {
            default: 300,
            min: 10,
            max: 10_000,
        },
    },
    FieldSpec {
        name: "hop_size",
        description: "Step of the volume curve",
        unit: Some("ms"),
        kind: FieldKind::Int {
            default: 10,
            min: 1,
            max: 100,
        },
    },
    FieldSpec {
        name: "max_sil_kept",
        description: "Longest silence kept around a slice",
        unit: Some("ms"),
        kind: FieldKind::Int {
            default: 500,
            min: 0,
            max: 10_000,
        },
    },
    FieldSpec {
        name: "max",
        description: "Peak level of a slice after normalisation",
        unit: None,
        kind: FieldKind::Float {
            default: 0.9,
            min: 0.01,
            max: 1.0,
        },
    },
    FieldSpec {
        name: "alpha",
        description: "Share of the normalised slice mixed with the original",
        unit: None,
        kind: FieldKind::Float {
            default: 0.25,
            min: 0.0,
            max: 1.0,
        },
    },
    FieldSpec {
        name: "workers",
        description: "Files sliced in parallel",
        unit: None,
        kind: FieldKind::Int {
            default: 4,
            min: 1,
            max: 32,
        },
    },
];

const ASR: &[FieldSpec] = &[
    FieldSpec {
        name: "model",
        description: "Whisper model folder; empty uses the experiment's base model",
        unit: None,
        kind: MODEL_PATH,
    },
    FieldSpec {
        name: "precision",
        description: PRECISION_DOC,
        unit: None,
        kind: PRECISION,
    },
];

const TEXT_FEATURE: &[FieldSpec] = &[
    FieldSpec {
        name: "model",
        description: "chinese-roberta-wwm-ext-large folder; empty uses the experiment's base model",
        unit: None,
        kind: MODEL_PATH,
    },
    FieldSpec {
        name: "precision",
        description: PRECISION_DOC,
        unit: None,
        kind: PRECISION,
    },
];

const HUBERT_FEATURE: &[FieldSpec] = &[
    FieldSpec {
        name: "model",
        description: "chinese-hubert-base folder; empty uses the experiment's base model",
        unit: None,
        kind: MODEL_PATH,
    },
    FieldSpec {
        name: "precision",
        description: PRECISION_DOC,
        unit: None,
        kind: PRECISION,
    },
];

const SEMANTIC_TOKEN: &[FieldSpec] = &[
    FieldSpec {
        name: "model",
        description: "Pretrained SoVITS G weights; empty uses the experiment's base model",
        unit: None,
        kind: MODEL_PATH,
    },
    FieldSpec {
        name: "precision",
        description: PRECISION_DOC,
        unit: None,
        kind: PRECISION,
    },
];

// GPT-SoVITS v2 web UI: SoVITS epochs default 8 with a maximum of 25, save every 4 epochs,
// text learning-rate weight 0.4 in 0.2..0.6; batch sizes up to 40.
const SOVITS_TRAIN: &[FieldSpec] = &[
    FieldSpec {
        name: "batch_size",
        description: "Clips per training step",
        unit: None,
        kind: FieldKind::Int {
            default: 4,
            min: 1,
            max: 40,
        },
    },
    FieldSpec {
        name: "epochs",
        description: "Total training epochs",
        unit: None,
        kind: FieldKind::Int {
            default: 8,
            min: 1,
            max: 25,
        },
    },
    FieldSpec {
        name: "save_every_epoch",
        description: "Save a checkpoint every this many epochs",
        unit: None,
        kind: FieldKind::Int {
            default: 4,
            min: 1,
            max: 25,
        },
    },
    FieldSpec {
        name: "text_low_lr_rate",
        description: "Learning-rate weight of the text encoder",
        unit: None,
        kind: FieldKind::Float {
            default: 0.4,
            min: 0.2,
            max: 0.6,
        },
    },
    FieldSpec {
        name: "save_latest_only",
        description: "Keep only the latest checkpoint to save disk space",
        unit: None,
        kind: FieldKind::Bool { default: true },
    },
    FieldSpec {
        name: "save_every_weights",
        description: "Export inference weights at every save",
        unit: None,
        kind: FieldKind::Bool { default: true },
    },
];

// GPT-SoVITS v2 web UI: GPT epochs default 15 in 2..50, save every 5 epochs, DPO off.
const GPT_TRAIN: &[FieldSpec] = &[
    FieldSpec {
        name: "batch_size",
        description: "Clips per training step",
        unit: None,
        kind: FieldKind::Int {
            default: 4,
            min: 1,
            max: 40,
        },
    },
    FieldSpec {
        name: "epochs",
        description: "Total training epochs",
        unit: None,
        kind: FieldKind::Int {
            default: 15,
            min: 2,
            max: 50,
        },
    },
    FieldSpec {
        name: "save_every_epoch",
        description: "Save a checkpoint every this many epochs",
        unit: None,
        kind: FieldKind::Int {
            default: 5,
            min: 1,
            max: 50,
        },
    },
    FieldSpec {
        name: "dpo",
        description: "DPO training (experimental; more memory)",
        unit: None,
        kind: FieldKind::Bool { default: false },
    },
    FieldSpec {
        name: "save_latest_only",
        description: "Keep only the latest checkpoint to save disk space",
        unit: None,
        kind: FieldKind::Bool { default: true },
    },
    FieldSpec {
        name: "save_every_weights",
        description: "Export inference weights at every save",
        unit: None,
        kind: FieldKind::Bool { default: true },
    },
];

/// The parameter table of a stage.
pub fn param_specs(kind: StageKind) -> &'static [FieldSpec] {
    match kind {
        StageKind::AudioSlice => AUDIO_SLICE,
        StageKind::Asr => ASR,
        StageKind::TextFeature => TEXT_FEATURE,
        StageKind::HubertFeature => HUBERT_FEATURE,
        StageKind::SemanticToken => SEMANTIC_TOKEN,
        StageKind::SovitsTrain => SOVITS_TRAIN,
        StageKind::GptTrain => GPT_TRAIN,
    }
}

/// Parameters of `audio_slice` (GPT-SoVITS's slicer).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct AudioSliceParams {
    /// Silence threshold in dB.
    pub threshold: f64,
    /// Shortest slice in ms.
    pub min_length: u32,
    /// Shortest silence at which audio is cut, in ms.
    pub min_interval: u32,
    /// Step of the volume curve in ms.
    pub hop_size: u32,
    /// Longest silence kept around a slice, in ms.
    pub max_sil_kept: u32,
    /// Peak level after normalisation.
    pub max: f64,
    /// Share of the normalised slice mixed with the original.
    pub alpha: f64,
    /// Files sliced in parallel.
    pub workers: u32,
}

/// Parameters of the model-inference stages (`asr`, `text_feature`, `hubert_feature`,
/// `semantic_token`): which model to use and at what precision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct ModelStageParams {
    /// Model path; empty uses the experiment's base model.
    pub model: String,
    /// `auto`, `fp32` or `fp16`.
    pub precision: String,
}

/// Parameters of `sovits_train`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct SovitsTrainParams {
    /// Clips per step.
    pub batch_size: u32,
    /// Total epochs.
    pub epochs: u32,
    /// Save every this many epochs.
    pub save_every_epoch: u32,
    /// Learning-rate weight of the text encoder.
    pub text_low_lr_rate: f64,
    /// Keep only the latest checkpoint.
    pub save_latest_only: bool,
    /// Export inference weights at every save.
    pub save_every_weights: bool,
}

/// Parameters of `gpt_train`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct GptTrainParams {
    /// Clips per step.
    pub batch_size: u32,
    /// Total epochs.
    pub epochs: u32,
    /// Save every this many epochs.
    pub save_every_epoch: u32,
    /// DPO training.
    pub dpo: bool,
    /// Keep only the latest checkpoint.
    pub save_latest_only: bool,
    /// Export inference weights at every save.
    pub save_every_weights: bool,
}

/// Validated parameters of one stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "stage", content = "params", rename_all = "snake_case")]
pub enum StageParams {
    /// `audio_slice`.
    AudioSlice(AudioSliceParams),
    /// `asr`.
    Asr(ModelStageParams),
    /// `text_feature`.
    TextFeature(ModelStageParams),
    /// `hubert_feature`.
    HubertFeature(ModelStageParams),
    /// `semantic_token`.
    SemanticToken(ModelStageParams),
    /// `sovits_train`.
    SovitsTrain(SovitsTrainParams),
    /// `gpt_train`.
    GptTrain(GptTrainParams),
}

impl StageParams {
    /// The defaults of a stage.
    pub fn defaults(kind: StageKind) -> Self {
        Self::from_json(kind, &Value::Object(Map::new()))
            .unwrap_or_else(|err| unreachable!("defaults of {kind} are invalid: {err}"))
    }

    /// Parses a JSON object of parameters; missing fields take their defaults.
    pub fn from_json(kind: StageKind, input: &Value) -> Result<Self> {
        let Value::Object(given) = input else {
            if input.is_null() {
                return Self::from_json(kind, &Value::Object(Map::new()));
            }
            return Err(Error::invalid_field("params", "must be a JSON object"));
        };

        let mut resolved = Map::new();
        for spec in param_specs(kind) {
            let value = match given.get(spec.name) {
                Some(value) => check_json_value(spec, value)?,
                None => default_value(spec),
            };
            resolved.insert(spec.name.to_string(), value);
        }
        if let Some(unknown) = given.keys().find(|key| !resolved.contains_key(*key)) {
            return Err(unknown_field(kind, unknown));
        }

        Self::from_resolved(kind, resolved)
    }

    /// Parses `key=value` strings (as given on the command line).
    pub fn from_pairs(kind: StageKind, pairs: &[String]) -> Result<Self> {
        let mut given = Map::new();
        for pair in pairs {
            let (key, raw) = pair.split_once('=').ok_or_else(|| {
                Error::invalid_field("params", format!("'{pair}' is not of the form key=value"))
            })?;
            let key = key.trim();
            let spec = find_spec(kind, key)?;
            if given.contains_key(key) {
                return Err(Error::invalid_field(key, "given more than once"));
            }
            given.insert(key.to_string(), parse_text_value(spec, raw.trim())?);
        }

        Self::from_json(kind, &Value::Object(given))
    }

    /// The stage these parameters belong to.
    pub fn kind(&self) -> StageKind {
        match self {
            Self::AudioSlice(_) => StageKind::AudioSlice,
            Self::Asr(_) => StageKind::Asr,
            Self::TextFeature(_) => StageKind::TextFeature,
            Self::HubertFeature(_) => StageKind::HubertFeature,
            Self::SemanticToken(_) => StageKind::SemanticToken,
            Self::SovitsTrain(_) => StageKind::SovitsTrain,
            Self::GptTrain(_) => StageKind::GptTrain,
        }
    }

    /// The parameters alone, as a JSON object (what the worker receives and the store keeps).
    pub fn to_json(&self) -> Value {
        let tagged = serde_json::to_value(self).unwrap_or(Value::Null);
        tagged.get("params").cloned().unwrap_or(Value::Null)
    }

    fn from_resolved(kind: StageKind, resolved: Map<String, Value>) -> Result<Self> {
        let object = Value::Object(resolved);
        let parsed = match kind {
            StageKind::AudioSlice => Self::AudioSlice(typed(object)?),
            StageKind::Asr => Self::Asr(typed(object)?),
            StageKind::TextFeature => Self::TextFeature(typed(object)?),
            StageKind::HubertFeature => Self::HubertFeature(typed(object)?),
            StageKind::SemanticToken => Self::SemanticToken(typed(object)?),
            StageKind::SovitsTrain => Self::SovitsTrain(typed(object)?),
            StageKind::GptTrain => Self::GptTrain(typed(object)?),
        };
        parsed.check_cross_field()?;
        Ok(parsed)
    }

    fn check_cross_field(&self) -> Result<()> {
        let Self::AudioSlice(slice) = self else {
            return Ok(());
        };

        // The slicer's own preconditions: min_length >= min_interval >= hop_size and
        // max_sil_kept >= hop_size.
        if slice.min_interval > slice.min_length {
            return Err(Error::invalid_field(
                "min_interval",
                format!("must not exceed min_length ({} ms)", slice.min_length),
            ));
        }
        if slice.hop_size > slice.min_interval {
            return Err(Error::invalid_field(
                "hop_size",
                format!("must not exceed min_interval ({} ms)", slice.min_interval),
            ));
        }
        if slice.hop_size > slice.max_sil_kept {
            return Err(Error::invalid_field(
                "max_sil_kept",
                format!("must be at least hop_size ({} ms)", slice.hop_size),
            ));
        }
        Ok(())
    }
}

fn typed<T: serde::de::DeserializeOwned>(object: Value) -> Result<T> {
    serde_json::from_value(object)
        .map_err(|err| Error::internal(format!("parameter table and struct disagree: {err}")))
}

fn find_spec(kind: StageKind, name: &str) -> Result<&'static FieldSpec> {
    param_specs(kind)
        .iter()
        .find(|spec| spec.name == name)
        .ok_or_else(|| unknown_field(kind, name))
}

fn unknown_field(kind: StageKind, name: &str) -> Error {
    let known: Vec<&str> = param_specs(kind).iter().map(|spec| spec.name).collect();
    Error::invalid_field(
        name,
        format!(
            "unknown parameter of stage {kind}; known parameters: {}",
            known.join(", ")
        ),
    )
    .with_details(json!({ "field": name, "stage": kind, "known": known }))
}

fn default_value(spec: &FieldSpec) -> Value {
    match spec.kind {
        FieldKind::Int { default, .. } => json!(default),
        FieldKind::Float { default, .. } => json!(default),
        FieldKind::Bool { default } => json!(default),
        FieldKind::Choice { default, .. } | FieldKind::Text { default, .. } => json!(default),
    }
}

fn check_json_value(spec: &FieldSpec, value: &Value) -> Result<Value> {
    match spec.kind {
        FieldKind::Int { min, max, .. } => {
            let number = json_integer(value).ok_or_else(|| wrong_type(spec, "a whole number"))?;
            check_range(spec, number as f64, min as f64, max as f64)?;
            Ok(json!(number))
        }
        FieldKind::Float { min, max, .. } => {
            let number = value.as_f64().ok_or_else(|| wrong_type(spec, "a number"))?;
            check_range(spec, number, min, max)?;
            Ok(json!(number))
        }
        FieldKind::Bool { .. } => value
            .as_bool()
            .map(Value::Bool)
            .ok_or_else(|| wrong_type(spec, "true or false")),
        FieldKind::Choice { choices, .. } => {
            let text = value.as_str().ok_or_else(|| wrong_type(spec, "a string"))?;
            check_choice(spec, text, choices)?;
            Ok(json!(text))
        }
        FieldKind::Text { max_len, .. } => {
            let text = value.as_str().ok_or_else(|| wrong_type(spec, "a string"))?;
            if text.chars().count() > max_len {
                return Err(Error::invalid_field(
                    spec.name,
                    format!("must be at most {max_len} characters"),
                ));
            }
            Ok(json!(text))
        }
    }
}

fn json_integer(value: &Value) -> Option<i64> {
    if let Some(number) = value.as_i64() {
        return Some(number);
    }
    let float = value.as_f64()?;
    // 4.0 from a JavaScript number input is a whole number; 4.5 is not.
    (float.fract() == 0.0 && float.abs() < 9.0e15).then_some(float as i64)
}

fn parse_text_value(spec: &FieldSpec, raw: &str) -> Result<Value> {
    match spec.kind {
        FieldKind::Int { .. } => raw
            .parse::<i64>()
            .map(|number| json!(number))
            .map_err(|_| wrong_type(spec, "a whole number")),
        FieldKind::Float { .. } => raw
            .parse::<f64>()
            .ok()
            .filter(|number| number.is_finite())
            .map(|number| json!(number))
            .ok_or_else(|| wrong_type(spec, "a number")),
        FieldKind::Bool { .. } => match raw.to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" | "on" => Ok(json!(true)),
            "false" | "0" | "no" | "off" => Ok(json!(false)),
            _ => Err(wrong_type(spec, "true or false")),
        },
        FieldKind::Choice { .. } | FieldKind::Text { .. } => Ok(json!(raw)),
    }
}

fn wrong_type(spec: &FieldSpec, expected: &str) -> Error {
    Error::invalid_field(spec.name, format!("must be {expected}"))
}

fn check_range(spec: &FieldSpec, value: f64, min: f64, max: f64) -> Result<()> {
    if value >= min && value <= max {
        return Ok(());
    }
    let unit = spec.unit.map(|unit| format!(" {unit}")).unwrap_or_default();
    Err(Error::invalid_field(
        spec.name,
        format!("must be between {min} and {max}{unit}, got {value}"),
    )
    .with_details(json!({ "field": spec.name, "min": min, "max": max, "value": value })))
}

fn check_choice(spec: &FieldSpec, text: &str, choices: &[&str]) -> Result<()> {
    if choices.contains(&text) {
        return Ok(());
    }
    Err(Error::invalid_field(
        spec.name,
        format!("must be one of {}, got '{text}'", choices.join(", ")),
    )
    .with_details(json!({ "field": spec.name, "choices": choices, "value": text })))
}

/// The JSON Schema (draft 2020-12) of one stage's parameters.
pub fn params_schema(kind: StageKind) -> Value {
    let mut properties = Map::new();
    for spec in param_specs(kind) {
        properties.insert(spec.name.to_string(), field_schema(spec));
    }

    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": format!("{kind} parameters"),
        "type": "object",
        "additionalProperties": false,
        "properties": properties,
    })
}

fn field_schema(spec: &FieldSpec) -> Value {
    let mut schema = match spec.kind {
        FieldKind::Int { default, min, max } => {
            json!({ "type": "integer", "default": default, "minimum": min, "maximum": max })
        }
        FieldKind::Float { default, min, max } => {
            json!({ "type": "number", "default": default, "minimum": min, "maximum": max })
        }
        FieldKind::Bool { default } => json!({ "type": "boolean", "default": default }),
        FieldKind::Choice { default, choices } => {
            json!({ "type": "string", "default": default, "enum": choices })
        }
        FieldKind::Text { default, max_len } => {
            json!({ "type": "string", "default": default, "maxLength": max_len })
        }
    };
    schema["description"] = json!(spec.description);
    if let Some(unit) = spec.unit {
        schema["x-unit"] = json!(unit);
    }
    schema
}

/// Everything the UI needs to draw the stage graph and its forms: for each stage its name,
/// label, the stages it needs, whether it is GPU-heavy, and the JSON Schema of its parameters.
pub fn engine_schema() -> Value {
    let stages: Vec<Value> = StageKind::ALL
        .iter()
        .map(|kind| {
            json!({
                "kind": kind,
                "label": kind.label(),
                "needs": kind.needs(),
                "gpu_heavy": kind.gpu_heavy(),
                "params": params_schema(*kind),
            })
        })
        .collect();
    json!({ "version": 1, "stages": stages })
}

/// The field names of a stage's parameter table, as a set (used by tests and checks).
pub fn param_names(kind: StageKind) -> BTreeSet<&'static str> {
    param_specs(kind).iter().map(|spec| spec.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slicer_defaults_are_gpt_sovits_values() {
        let StageParams::AudioSlice(slice) = StageParams::defaults(StageKind::AudioSlice) else {
            panic!("wrong variant");
        };

        assert_eq!(slice.threshold, -34.0);
        assert_eq!(slice.min_length, 4000);
        assert_eq!(slice.min_interval, 300);
        assert_eq!(slice.hop_size, 10);
        assert_eq!(slice.max_sil_kept, 500);
        assert_eq!(slice.max, 0.9);
        assert_eq!(slice.alpha, 0.25);
    }

    #[test]
    fn every_table_matches_its_struct() {
        for kind in StageKind::ALL {
            let defaults = StageParams::defaults(kind).to_json();
            let struct_fields: BTreeSet<&str> = defaults
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();

            assert_eq!(struct_fields, param_names(kind), "stage {kind}");
        }
    }

    #[test]
    fn training_defaults() {
        let sovits = StageParams::defaults(StageKind::SovitsTrain).to_json();
        let gpt = StageParams::defaults(StageKind::GptTrain).to_json();

        assert_eq!(sovits["epochs"], 8);
        assert_eq!(sovits["save_every_epoch"], 4);
        assert_eq!(sovits["text_low_lr_rate"], 0.4);
        assert_eq!(gpt["epochs"], 15);
        assert_eq!(gpt["save_every_epoch"], 5);
        assert_eq!(gpt["dpo"], false);
    }

    #[test]
    fn pairs_are_typed_by_the_table() {
        let pairs = vec![
            "epochs=12".to_string(),
            "save_latest_only=false".to_string(),
        ];

        let params = StageParams::from_pairs(StageKind::SovitsTrain, &pairs)
            .unwrap()
            .to_json();

        assert_eq!(params["epochs"], 12);
        assert_eq!(params["save_latest_only"], false);
        assert_eq!(params["batch_size"], 4);
    }

    #[test]
    fn out_of_range_names_field_and_range() {
        let err =
            StageParams::from_json(StageKind::SovitsTrain, &json!({ "epochs": 26 })).unwrap_err();

        assert_eq!(err.code(), "invalid_params");
        assert_eq!(err.message(), "epochs: must be between 1 and 25, got 26");
        assert_eq!(err.details()["max"], 25.0);
    }

    #[test]
    fn text_lr_rate_range() {
        let err = StageParams::from_pairs(StageKind::SovitsTrain, &["text_low_lr_rate=0.7".into()])
            .unwrap_err();

        assert_eq!(
            err.message(),
            "text_low_lr_rate: must be between 0.2 and 0.6, got 0.7"
        );
    }

    #[test]
    fn unknown_field_lists_known_ones() {
        let err =
            StageParams::from_pairs(StageKind::GptTrain, &["learning_rate=1".into()]).unwrap_err();

        assert_eq!(err.code(), "invalid_params");
        assert!(err
            .message()
            .starts_with("learning_rate: unknown parameter of stage gpt_train"));
        assert!(err.message().contains("batch_size"));
    }

    #[test]
    fn wrong_json_type_is_named() {
        let err =
            StageParams::from_json(StageKind::GptTrain, &json!({ "dpo": "yes" })).unwrap_err();

        assert_eq!(err.message(), "dpo: must be true or false");
    }

    #[test]
    fn choice_lists_allowed_values() {
        let err =
            StageParams::from_json(StageKind::Asr, &json!({ "precision": "int8" })).unwrap_err();

        assert_eq!(
            err.message(),
            "precision: must be one of auto, fp32, fp16, got 'int8'"
        );
    }

    #[test]
    fn slicer_cross_field_rule() {
        let err = StageParams::from_pairs(
            StageKind::AudioSlice,
            &["min_length=200".into(), "min_interval=300".into()],
        )
        .unwrap_err();

        assert_eq!(
            err.message(),
            "min_interval: must not exceed min_length (200 ms)"
        );
    }

    #[test]
    fn malformed_pair_is_invalid_params() {
        let err = StageParams::from_pairs(StageKind::GptTrain, &["epochs".into()]).unwrap_err();

        assert_eq!(err.code(), "invalid_params");
    }

    #[test]
    fn schema_has_ranges_and_graph() {
        let schema = engine_schema();
        let sovits = &schema["stages"][5];

        assert_eq!(sovits["kind"], "sovits_train");
        assert_eq!(sovits["needs"], json!(["text_feature", "semantic_token"]));
        assert_eq!(sovits["params"]["properties"]["epochs"]["maximum"], 25);
        assert_eq!(sovits["params"]["additionalProperties"], false);
    }
}
