//! One entry point for every weight file or folder a GPT-SoVITS user has: torch zips (`.pth`,
//! `.ckpt`, `.bin`), safetensors, HuggingFace folders and CTranslate2 folders.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::ct2::{read_ct2_header, read_ct2_model, Ct2Model};
use crate::error::{Result, WeightsError};
use crate::pickle::{PickleValue, TensorRef};
use crate::raw::RawTensor;
use crate::safetensors_io::{read_safetensors, read_safetensors_header, TensorInfo};
use crate::torch_zip::TorchArchive;

/// Keys under which checkpoints keep their state dict, tried in this order when the top level
/// is not a state dict itself: GPT-SoVITS exports (`weight`), its training checkpoints
/// (`model`) and Lightning checkpoints (`state_dict`).
const STATE_DICT_KEYS: &[&str] = &["weight", "model", "state_dict"];

/// How the weights are stored.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Container {
    /// A `torch.save` zip.
    TorchZip {
        /// The zip's top-level folder.
        prefix: String,
        /// GPT-SoVITS's version marker in place of `PK`, as two ASCII characters.
        marker: Option<String>,
    },
    /// A safetensors file.
    Safetensors,
    /// A HuggingFace model folder; `weights` is the file the tensors came from.
    HuggingFace {
        /// `model.safetensors` or `pytorch_model.bin`.
        weights: String,
    },
    /// A CTranslate2 model folder (`model.bin`).
    CTranslate2 {
        /// The `model.bin` binary version.
        binary_version: u32,
        /// The model specification (`WhisperSpec`, ...).
        spec: String,
    },
}

impl std::fmt::Display for Container {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TorchZip {
                prefix,
                marker: None,
            } => write!(formatter, "torch zip ({prefix}/)"),
            Self::TorchZip {
                prefix,
                marker: Some(marker),
            } => {
                write!(
                    formatter,
                    "torch zip ({prefix}/) with version marker \"{marker}\""
                )
            }
            Self::Safetensors => formatter.write_str("safetensors"),
            Self::HuggingFace { weights } => write!(formatter, "HuggingFace folder ({weights})"),
            Self::CTranslate2 {
                binary_version,
                spec,
            } => {
                write!(
                    formatter,
                    "CTranslate2 folder ({spec}, binary version {binary_version})"
                )
            }
        }
    }
}

/// An opened weight file or folder: its layout is read, its tensor data is not (yet).
#[derive(Debug)]
pub struct WeightFile {
    path: PathBuf,
    config: Option<Value>,
    body: Body,
}

#[derive(Debug)]
enum Body {
    Torch {
        archive: Box<TorchArchive>,
        root: PickleValue,
        weights: Vec<(String, TensorRef)>,
    },
    Safetensors {
        file: PathBuf,
        infos: Vec<TensorInfo>,
        metadata: HashMap<String, String>,
    },
    Ct2 {
        file: PathBuf,
        header: Ct2Model,
    },
}

impl WeightFile {
    /// Opens a file (`.pth`, `.ckpt`, `.bin`, `.safetensors`) or a model folder.
    pub fn open(path: &Path) -> Result<Self> {
        let metadata = std::fs::metadata(path).map_err(|error| WeightsError::io(path, error))?;
        if metadata.is_dir() {
            return Self::open_folder(path);
        }
        if is_safetensors(path)? {
            return Self::open_safetensors(path, path, None);
        }
        if let Some(folder) = ctranslate2_folder_of(path)? {
            return Self::open_folder(folder);
        }
        Self::open_torch(path, path, None)
    }

    // Limitation: sharded HuggingFace checkpoints (`*.index.json` with several weight files) are
    // not read; the models GPT-SoVITS uses (chinese-roberta-wwm-ext-large, chinese-hubert-base,
    // Whisper up to large) ship as one file.
    fn open_folder(folder: &Path) -> Result<Self> {
        let config_path = folder.join("config.json");
        let config = read_json(&config_path)?;

        if folder.join("model.bin").is_file() {
            return Self::open_ct2(folder, config);
        }
        let safetensors = folder.join("model.safetensors");
        if safetensors.is_file() {
            return Self::open_safetensors(folder, &safetensors, config);
        }
        let bin = folder.join("pytorch_model.bin");
        if bin.is_file() {
            return Self::open_torch(folder, &bin, config);
        }
        Err(WeightsError::invalid(
            folder,
            "a model folder with model.safetensors, pytorch_model.bin or a CTranslate2 model.bin",
            "none of them",
        ))
    }

    fn open_torch(path: &Path, file: &Path, config: Option<Value>) -> Result<Self> {
        let mut archive = TorchArchive::open(file)?;
        let root = archive.read_pickle()?;
        let weights = find_state_dict(file, &root)?
            .into_iter()
            .map(|(name, tensor)| (name.to_owned(), tensor.clone()))
            .collect();
        let config = config.or_else(|| root.get("config").map(PickleValue::to_json));

        let body = Body::Torch {
            archive: Box::new(archive),
            root,
            weights,
        };
        Ok(Self {
            path: path.to_path_buf(),
            config,
            body,
        })
    }

    fn open_safetensors(path: &Path, file: &Path, config: Option<Value>) -> Result<Self> {
        let (infos, metadata) = read_safetensors_header(file)?;
        let body = Body::Safetensors {
            file: file.to_path_buf(),
            infos,
            metadata,
        };
        Ok(Self {
            path: path.to_path_buf(),
            config,
            body,
        })
    }

    fn open_ct2(folder: &Path, config: Option<Value>) -> Result<Self> {
        let file = folder.join("model.bin");
        let header = read_ct2_header(&file)?;
        let body = Body::Ct2 { file, header };
        Ok(Self {
            path: folder.to_path_buf(),
            config,
            body,
        })
    }

    /// The path that was opened.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How the weights are stored.
    pub fn container(&self) -> Container {
        match &self.body {
            Body::Torch { archive, .. } if self.is_folder() => Container::HuggingFace {
                weights: file_name(archive.path()),
            },
            Body::Torch { archive, .. } => Container::TorchZip {
                prefix: archive.prefix().to_owned(),
                marker: archive
                    .marker()
                    .map(|bytes| String::from_utf8_lossy(&bytes).into_owned()),
            },
            Body::Safetensors { file, .. } if self.is_folder() => Container::HuggingFace {
                weights: file_name(file),
            },
            Body::Safetensors { .. } => Container::Safetensors,
            Body::Ct2 { header, .. } => Container::CTranslate2 {
                binary_version: header.binary_version,
                spec: header.spec_name.clone(),
            },
        }
    }

    /// The GPT-SoVITS version marker bytes, for marker-headed `.pth` files.
    pub fn marker(&self) -> Option<[u8; 2]> {
        match &self.body {
            Body::Torch { archive, .. } => archive.marker(),
            _ => None,
        }
    }

    /// The embedded or accompanying configuration as JSON: a checkpoint's `config` entry, or a
    /// folder's `config.json`.
    pub fn config(&self) -> Option<&Value> {
        self.config.as_ref()
    }

    /// A checkpoint's `info` string (`8epoch_96iteration`, `GPT-e15`).
    pub fn info(&self) -> Option<&str> {
        match &self.body {
            Body::Torch { root, .. } => root.get("info").and_then(PickleValue::as_str),
            _ => None,
        }
    }

    /// The `__metadata__` map of a safetensors file (empty for other containers).
    pub fn safetensors_metadata(&self) -> Option<&HashMap<String, String>> {
        match &self.body {
            Body::Safetensors { metadata, .. } => Some(metadata),
            _ => None,
        }
    }

    /// The unpickled top level of a torch checkpoint.
    pub fn pickle_root(&self) -> Option<&PickleValue> {
        match &self.body {
            Body::Torch { root, .. } => Some(root),
            _ => None,
        }
    }

    /// Name, dtype and shape of every weight, in file order.
    pub fn tensor_infos(&self) -> Vec<TensorInfo> {
        match &self.body {
            Body::Torch { weights, .. } => weights
                .iter()
                .map(|(name, tensor)| TensorInfo {
                    name: name.clone(),
                    dtype: tensor.dtype,
                    shape: tensor.shape.clone(),
                })
                .collect(),
            Body::Safetensors { infos, .. } => infos.clone(),
            Body::Ct2 { header, .. } => header.infos.clone(),
        }
    }

    /// Reads every weight, in file order. Tensors that share a storage (tied weights) come out
    /// as separate, equal tensors.
    pub fn read_weights(&mut self) -> Result<Vec<(String, RawTensor)>> {
        match &mut self.body {
            Body::Torch {
                archive, weights, ..
            } => {
                let refs: Vec<(&str, &TensorRef)> = weights
                    .iter()
                    .map(|(name, tensor)| (name.as_str(), tensor))
                    .collect();
                archive.read_tensors(&refs)
            }
            Body::Safetensors { file, .. } => Ok(read_safetensors(file)?.tensors),
            Body::Ct2 { file, .. } => Ok(read_ct2_model(file)?.tensors),
        }
    }

    /// CTranslate2 aliases (`(alias, variable)`), for CTranslate2 folders.
    pub fn aliases(&self) -> &[(String, String)] {
        match &self.body {
            Body::Ct2 { header, .. } => &header.aliases,
            _ => &[],
        }
    }

    fn is_folder(&self) -> bool {
        self.path.is_dir()
    }
}

/// The state dict inside a checkpoint's top level.
fn find_state_dict<'a>(
    path: &Path,
    root: &'a PickleValue,
) -> Result<Vec<(&'a str, &'a TensorRef)>> {
    if let Some(state_dict) = root.as_state_dict() {
        return Ok(state_dict);
    }
    let nested = STATE_DICT_KEYS
        .iter()
        .find_map(|key| root.get(key)?.as_state_dict());
    nested.ok_or_else(|| {
        let found = match root.as_dict() {
            Some(entries) => {
                let keys: Vec<String> = entries
                    .iter()
                    .map(|(key, _)| key.to_json().to_string())
                    .collect();
                format!(
                    "a dict with keys [{}] and no tensors under them",
                    keys.join(", ")
                )
            }
            None => "a top level that is not a dict".to_owned(),
        };
        WeightsError::invalid(
            path,
            "a state dict (a dict of tensors, or one under `weight`, `model` or `state_dict`)",
            found,
        )
    })
}

fn is_safetensors(path: &Path) -> Result<bool> {
    if path
        .extension()
        .is_some_and(|extension| extension == "safetensors")
    {
        return Ok(true);
    }
    let mut head = [0u8; 9];
    let mut file = std::fs::File::open(path).map_err(|error| WeightsError::io(path, error))?;
    let read =
        std::io::Read::read(&mut file, &mut head).map_err(|error| WeightsError::io(path, error))?;
    Ok(read == 9 && head[8] == b'{' && head[6..8] == [0, 0])
}

/// The folder of a CTranslate2 `model.bin` given as a file: its name is `model.bin` and it starts
/// with a binary version CTranslate2 defines, not with a zip header.
fn ctranslate2_folder_of(path: &Path) -> Result<Option<&Path>> {
    if path.file_name().is_none_or(|name| name != "model.bin") {
        return Ok(None);
    }
    let mut head = [0u8; 4];
    let mut file = std::fs::File::open(path).map_err(|error| WeightsError::io(path, error))?;
    let read =
        std::io::Read::read(&mut file, &mut head).map_err(|error| WeightsError::io(path, error))?;
    let version = u32::from_le_bytes(head);
    let is_ct2 = read == 4 && (1..=crate::ct2::CT2_LATEST_BINARY_VERSION + 8).contains(&version);
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    Ok(is_ct2.then(|| folder.unwrap_or(Path::new("."))))
}

fn read_json(path: &Path) -> Result<Option<Value>> {
    let text = match std::fs::read(path) {
        Ok(text) => text,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(WeightsError::io(path, error)),
    };
    let value = serde_json::from_slice(&text)
        .map_err(|error| WeightsError::invalid(path, "a JSON file", error.to_string()))?;
    Ok(Some(value))
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}
