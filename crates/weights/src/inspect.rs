//! What a weight file is: kind, model version, tensors, config. Used by `gsv models inspect`.
//!
//! The SoVITS version comes from, in order: the version marker GPT-SoVITS writes in place of
//! `PK`, the embedded config's `model.version` (then `version`), and the parameters themselves.
//! Never from the file size: upstream's size rule calls every small fine-tuned v2 file "v1".

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;

use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};
use crate::raw::element_count;
use crate::safetensors_io::TensorInfo;
use crate::source::{Container, WeightFile};
use crate::torch_zip::marker_version;
use crate::training;

/// The version of the models this product trains.
pub const TRAINED_VERSION: &str = "v2";

/// Which model a weight file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// The SoVITS generator (`SynthesizerTrn`), as exported or pretrained (`s2G*.pth`).
    SovitsGenerator,
    /// The SoVITS multi-period discriminator (`s2D*.pth`).
    SovitsDiscriminator,
    /// The text-to-semantic GPT (`s1*.ckpt`, `*-e15.ckpt`).
    Gpt,
    /// A HuggingFace BERT (chinese-roberta-wwm-ext-large).
    Bert,
    /// A HuggingFace HuBERT (chinese-hubert-base).
    Hubert,
    /// A HuggingFace Whisper.
    WhisperHuggingFace,
    /// A CTranslate2 (faster-whisper) Whisper.
    WhisperCTranslate2,
    /// This product's own resumable training checkpoint.
    TrainingCheckpoint,
    /// Tensors of a model this product does not know.
    Unknown,
}

impl ModelKind {
    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            Self::SovitsGenerator => "SoVITS generator",
            Self::SovitsDiscriminator => "SoVITS discriminator",
            Self::Gpt => "GPT (text to semantic)",
            Self::Bert => "BERT (HuggingFace)",
            Self::Hubert => "HuBERT (HuggingFace)",
            Self::WhisperHuggingFace => "Whisper (HuggingFace)",
            Self::WhisperCTranslate2 => "Whisper (CTranslate2 / faster-whisper)",
            Self::TrainingCheckpoint => "GSV Studio training checkpoint",
            Self::Unknown => "unknown model",
        }
    }
}

/// The answer of [`inspect`].
#[derive(Clone, Debug, Serialize)]
pub struct Inspection {
    /// The file or folder inspected.
    pub path: PathBuf,
    /// How the weights are stored.
    pub container: Container,
    /// Which model the weights are for.
    pub kind: ModelKind,
    /// The detected model version (`v1`, `v2`, `v2Pro`, `v2ProPlus`, `v3`, `v4`), when the
    /// kind has versions.
    pub version: Option<String>,
    /// Number of tensors in the state dict.
    pub tensor_count: usize,
    /// Total number of elements.
    pub parameter_count: u64,
    /// The distinct element types.
    pub dtypes: Vec<Dtype>,
    /// The embedded config (`config` of a checkpoint, `config.json` of a folder).
    pub config: Option<Value>,
    /// The checkpoint's `info` string (epoch and step of an export).
    pub info: Option<String>,
    /// The first tensors, for a quick look.
    pub first_tensors: Vec<TensorInfo>,
}

impl Inspection {
    /// Fails with [`WeightsError::UnsupportedVersion`] unless this is a SoVITS or GPT file of the
    /// version this product trains (`"a v3 SoVITS file; this version trains v2"`).
    pub fn ensure_trainable(&self) -> Result<()> {
        let model = match self.kind {
            ModelKind::SovitsGenerator | ModelKind::SovitsDiscriminator => "SoVITS",
            ModelKind::Gpt => "GPT",
            _ => return Ok(()),
        };
        match self.version.as_deref() {
            Some(TRAINED_VERSION) => Ok(()),
            found => Err(WeightsError::UnsupportedVersion {
                path: self.path.clone(),
                detail: format!(
                    "a {} {model} file; this version trains {TRAINED_VERSION}",
                    found.unwrap_or("unknown-version")
                ),
            }),
        }
    }
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let dtypes: Vec<&str> = self.dtypes.iter().map(|dtype| dtype.name()).collect();
        writeln!(formatter, "file:       {}", self.path.display())?;
        writeln!(formatter, "kind:       {}", self.kind.describe())?;
        writeln!(
            formatter,
            "version:    {}",
            self.version.as_deref().unwrap_or("-")
        )?;
        writeln!(formatter, "container:  {}", self.container)?;
        writeln!(
            formatter,
            "tensors:    {} ({} parameters)",
            self.tensor_count, self.parameter_count
        )?;
        writeln!(formatter, "dtypes:     {}", dtypes.join(", "))?;
        writeln!(
            formatter,
            "info:       {}",
            self.info.as_deref().unwrap_or("-")
        )?;
        match &self.config {
            Some(config) => {
                let text = serde_json::to_string_pretty(config).unwrap_or_default();
                writeln!(formatter, "config:\n{text}")
            }
            None => writeln!(formatter, "config:     -"),
        }
    }
}

/// Opens a weight file or folder and says what it is, without reading tensor data.
pub fn inspect(path: &Path) -> Result<Inspection> {
    let file = WeightFile::open(path)?;
    Ok(inspect_opened(&file))
}

/// Like [`inspect`], for a file already opened.
pub fn inspect_opened(file: &WeightFile) -> Inspection {
    let infos = file.tensor_infos();
    let kind = detect_kind(file, &infos);
    let version = detect_version(file, kind, &infos);
    let dtypes: BTreeSet<Dtype> = infos.iter().map(|info| info.dtype).collect();
    let parameter_count = infos
        .iter()
        .map(|info| element_count(&info.shape).unwrap_or(usize::MAX) as u64)
        .fold(0u64, u64::saturating_add);

    Inspection {
        path: file.path().to_path_buf(),
        container: file.container(),
        kind,
        version,
        tensor_count: infos.len(),
        parameter_count,
        dtypes: dtypes.into_iter().collect(),
        config: file.config().cloned().or_else(|| training_state(file)),
        info: file
            .info()
            .map(str::to_owned)
            .or_else(|| training_info(file)),
        first_tensors: infos.into_iter().take(5).collect(),
    }
}

fn detect_kind(file: &WeightFile, infos: &[TensorInfo]) -> ModelKind {
    if training_state(file).is_some() {
        return ModelKind::TrainingCheckpoint;
    }
    if let Container::CTranslate2 { spec, .. } = file.container() {
        if spec.contains("Whisper") {
            return ModelKind::WhisperCTranslate2;
        }
    }
    let model_type = file
        .config()
        .and_then(|config| config.get("model_type")?.as_str());
    match model_type {
        Some("bert") => return ModelKind::Bert,
        Some("hubert") => return ModelKind::Hubert,
        Some("whisper") => return ModelKind::WhisperHuggingFace,
        _ => {}
    }
    detect_kind_from_names(infos)
}

/// The JSON state of a GSV Studio training checkpoint.
fn training_state(file: &WeightFile) -> Option<Value> {
    let metadata = file.safetensors_metadata()?;
    if metadata.get(training::FORMAT_KEY)? != training::FORMAT_NAME {
        return None;
    }
    serde_json::from_str(metadata.get(training::STATE_KEY)?).ok()
}

fn training_info(file: &WeightFile) -> Option<String> {
    let state = training_state(file)?;
    Some(format!("epoch {}, step {}", state["epoch"], state["step"]))
}

fn detect_kind_from_names(infos: &[TensorInfo]) -> ModelKind {
    let has = |prefix: &str| infos.iter().any(|info| info.name.starts_with(prefix));
    let contains = |part: &str| infos.iter().any(|info| info.name.contains(part));

    if has("enc_p.") && (has("dec.") || has("cfm.") || has("ref_enc.")) {
        ModelKind::SovitsGenerator
    } else if has("discriminators.") {
        ModelKind::SovitsDiscriminator
    } else if contains("ar_text_embedding.") && contains("ar_audio_embedding.") {
        ModelKind::Gpt
    } else if has("bert.embeddings.") || has("embeddings.word_embeddings.") {
        ModelKind::Bert
    } else if contains("feature_extractor.conv_layers.") && contains("pos_conv_embed.") {
        ModelKind::Hubert
    } else if contains("encoder.conv1.") && contains("decoder.embed_tokens.") {
        ModelKind::WhisperHuggingFace
    } else {
        ModelKind::Unknown
    }
}

fn detect_version(file: &WeightFile, kind: ModelKind, infos: &[TensorInfo]) -> Option<String> {
    match kind {
        ModelKind::SovitsGenerator | ModelKind::SovitsDiscriminator => {
            Some(sovits_version(file, infos))
        }
        ModelKind::Gpt => Some(gpt_version(file, infos)),
        _ => None,
    }
}

fn sovits_version(file: &WeightFile, infos: &[TensorInfo]) -> String {
    if let Some(version) = file.marker().and_then(marker_version) {
        return version.to_owned();
    }
    let config = file.config();
    let configured = config
        .and_then(|config| {
            config
                .pointer("/model/version")
                .or_else(|| config.get("version"))
        })
        .and_then(Value::as_str);
    if let Some(version) = configured {
        return version.to_owned();
    }
    sovits_version_from_names(infos).to_owned()
}

fn sovits_version_from_names(infos: &[TensorInfo]) -> &'static str {
    let find = |name: &str| infos.iter().find(|info| info.name == name);
    if infos.iter().any(|info| info.name.starts_with("cfm.")) {
        return "v3";
    }
    if infos.iter().any(|info| info.name.starts_with("sv_emb.")) {
        return "v2Pro";
    }
    // v1 has 322 phoneme symbols, v2 has 732.
    match find("enc_p.text_embedding.weight").and_then(|info| info.shape.first()) {
        Some(322) => "v1",
        _ => "v2",
    }
}

fn gpt_version(file: &WeightFile, infos: &[TensorInfo]) -> String {
    let configured = file
        .config()
        .and_then(|config| config.pointer("/model/phoneme_vocab_size")?.as_u64())
        .map(|size| size as usize);
    let from_weights = || {
        infos
            .iter()
            .find(|info| {
                info.name
                    .ends_with("ar_text_embedding.word_embeddings.weight")
            })
            .and_then(|info| info.shape.first().copied())
    };
    // s1 v1 has 512 phoneme ids, v2 has 732.
    match configured.or_else(from_weights) {
        Some(512) => "v1".to_owned(),
        _ => "v2".to_owned(),
    }
}
