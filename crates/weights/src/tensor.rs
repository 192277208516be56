//! The libtorch side: state dicts of `tch::Tensor`s on a chosen device and dtype, and loading
//! them into a model's variables with a report of what did not match.
//!
//! ```no_run
//! use std::path::Path;
//!
//! use gsv_weights::{inspect, load_into, AllowedKeys, LoadOptions, StateDict};
//!
//! # fn main() -> gsv_weights::Result<()> {
//! // What is this file? (`gsv models inspect` prints this.)
//! let pretrained = Path::new("pretrained_models/gsv-v2final-pretrained/s2G2333k.pth");
//! let inspection = inspect(pretrained)?;
//! inspection.ensure_trainable()?; // "a v3 SoVITS file; this version trains v2" otherwise
//!
//! // Load it into a model whose VarStore paths follow the reference's parameter names.
//! let mut store = tch::nn::VarStore::new(tch::Device::Cpu);
//! // ... build the generator under store.root() ...
//! let weights = StateDict::load(pretrained, &LoadOptions::default())?;
//! let exported_without_posterior = AllowedKeys { missing: &["enc_q."], unexpected: &[] };
//! let report = load_into(&mut store, &weights, &exported_without_posterior)?;
//! println!("{} loaded, {} left as initialised", report.loaded, report.missing.len());
//! # Ok(())
//! # }
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use tch::{Device, Kind, Tensor};

use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};
use crate::raw::RawTensor;
use crate::source::WeightFile;

/// The floating-point type float tensors are converted to when loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FloatDtype {
    /// float32, what training uses.
    #[default]
    F32,
    /// float16.
    F16,
    /// bfloat16.
    BF16,
}

impl FloatDtype {
    fn kind(self) -> Kind {
        match self {
            Self::F32 => Kind::Float,
            Self::F16 => Kind::Half,
            Self::BF16 => Kind::BFloat16,
        }
    }
}

/// Where and as what tensors are materialised. Integer and boolean tensors keep their type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LoadOptions {
    /// The device to place tensors on.
    pub device: Device,
    /// The type of every floating-point tensor.
    pub float_dtype: FloatDtype,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            device: Device::Cpu,
            float_dtype: FloatDtype::F32,
        }
    }
}

/// An ordered map from parameter name to tensor, remembering the file it came from.
#[derive(Debug)]
pub struct StateDict {
    origin: PathBuf,
    entries: Vec<(String, Tensor)>,
    index: HashMap<String, usize>,
}

impl StateDict {
    /// Reads the state dict of any weight file or folder [`WeightFile::open`] accepts.
    pub fn load(path: &Path, options: &LoadOptions) -> Result<Self> {
        let mut file = WeightFile::open(path)?;
        let raw = file.read_weights()?;
        Self::from_raw(path, raw, options)
    }

    /// Materialises raw tensors. `origin` names the source in errors.
    pub fn from_raw(
        origin: &Path,
        raw: Vec<(String, RawTensor)>,
        options: &LoadOptions,
    ) -> Result<Self> {
        let entries = raw
            .into_iter()
            .map(|(name, tensor)| {
                let tensor = to_tch(origin, &name, &tensor, options)?;
                Ok((name, tensor))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self::from_tensors(origin, entries))
    }

    /// Wraps tensors that are already materialised. A later duplicate name replaces an earlier.
    pub fn from_tensors(origin: &Path, entries: Vec<(String, Tensor)>) -> Self {
        let mut unique: Vec<(String, Tensor)> = Vec::with_capacity(entries.len());
        let mut index = HashMap::new();
        for (name, tensor) in entries {
            match index.get(&name) {
                Some(&position) => unique[position] = (name, tensor),
                None => {
                    index.insert(name.clone(), unique.len());
                    unique.push((name, tensor));
                }
            }
        }
        Self {
            origin: origin.to_path_buf(),
            entries: unique,
            index,
        }
    }

    /// The variables of a `VarStore`, sorted by name (shallow clones: they share storage).
    pub fn from_var_store(store: &tch::nn::VarStore) -> Self {
        let mut entries: Vec<(String, Tensor)> = store.variables().into_iter().collect();
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        Self::from_tensors(Path::new("<var store>"), entries)
    }

    /// The file the tensors came from.
    pub fn origin(&self) -> &Path {
        &self.origin
    }

    /// The tensor under `name`.
    pub fn get(&self, name: &str) -> Option<&Tensor> {
        self.index
            .get(name)
            .map(|&position| &self.entries[position].1)
    }

    /// The tensor under `name`, or a [`WeightsError::MissingParameter`] naming it.
    pub fn require(&self, name: &str) -> Result<&Tensor> {
        self.get(name)
            .ok_or_else(|| WeightsError::MissingParameter {
                path: self.origin.clone(),
                names: vec![name.to_owned()],
            })
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(name, _)| name.as_str())
    }

    /// `(name, tensor)` pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Tensor)> {
        self.entries
            .iter()
            .map(|(name, tensor)| (name.as_str(), tensor))
    }

    /// Number of tensors.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are no tensors.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Removes `prefix` from every name that has it (`model.` of GPT checkpoints); other names
    /// are kept as they are.
    pub fn strip_prefix(self, prefix: &str) -> Self {
        let entries = self
            .entries
            .into_iter()
            .map(|(name, tensor)| match name.strip_prefix(prefix) {
                Some(rest) => (rest.to_owned(), tensor),
                None => (name, tensor),
            })
            .collect();
        Self::from_tensors(&self.origin, entries)
    }

    /// Copies every tensor to the CPU as raw bytes, for the writers.
    pub fn to_raw(&self) -> Result<Vec<(String, RawTensor)>> {
        self.entries
            .iter()
            .map(|(name, tensor)| Ok((name.clone(), from_tch(&self.origin, name, tensor)?)))
            .collect()
    }
}

/// Patterns of parameter names that may be absent from the weights (`missing`) or present in the
/// weights but unknown to the model (`unexpected`) without failing the load. A pattern is an
/// exact name, or a prefix when it ends with `.` or `*` (`"enc_q."`, `"discriminators.*"`).
#[derive(Clone, Copy, Debug, Default)]
pub struct AllowedKeys<'a> {
    /// Model parameters that may be absent from the weights.
    pub missing: &'a [&'a str],
    /// Weights that may have no parameter in the model.
    pub unexpected: &'a [&'a str],
}

/// What [`load_into`] did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Parameters copied.
    pub loaded: usize,
    /// Model parameters left as they were (all of them allowed).
    pub missing: Vec<String>,
    /// Weights ignored (all of them allowed).
    pub unexpected: Vec<String>,
}

/// Copies the state dict into a `VarStore`'s variables by name (converting dtype and device as
/// needed). Fails, copying nothing, on a shape mismatch or on a missing or unexpected name that
/// `allowed` does not cover.
pub fn load_into(
    store: &mut tch::nn::VarStore,
    weights: &StateDict,
    allowed: &AllowedKeys<'_>,
) -> Result<LoadReport> {
    let mut targets = store.variables();
    load_into_tensors(&mut targets, weights, allowed)
}

/// Like [`load_into`], for named tensors held elsewhere than in a `VarStore`.
pub fn load_into_tensors(
    targets: &mut HashMap<String, Tensor>,
    weights: &StateDict,
    allowed: &AllowedKeys<'_>,
) -> Result<LoadReport> {
    let report = plan_load(targets, weights, allowed)?;

    for (name, source) in weights.iter() {
        let Some(target) = targets.get_mut(name) else {
            continue;
        };
        tch::no_grad(|| target.f_copy_(source)).map_err(|error| WeightsError::Torch {
            path: weights.origin.clone(),
            name: name.to_owned(),
            message: error.to_string(),
        })?;
    }
    Ok(report)
}

/// Checks names and shapes before anything is copied.
fn plan_load(
    targets: &HashMap<String, Tensor>,
    weights: &StateDict,
    allowed: &AllowedKeys<'_>,
) -> Result<LoadReport> {
    let mut missing: Vec<String> = targets
        .keys()
        .filter(|name| weights.get(name).is_none())
        .cloned()
        .collect();
    missing.sort();
    let target_names: HashSet<&str> = targets.keys().map(String::as_str).collect();
    let unexpected: Vec<String> = weights
        .names()
        .filter(|name| !target_names.contains(name))
        .map(str::to_owned)
        .collect();

    check_allowed(weights, &missing, allowed.missing, |path, names| {
        WeightsError::MissingParameter { path, names }
    })?;
    check_allowed(weights, &unexpected, allowed.unexpected, |path, names| {
        WeightsError::UnexpectedParameter { path, names }
    })?;
    check_shapes(targets, weights)?;

    let loaded = weights.len() - unexpected.len();
    Ok(LoadReport {
        loaded,
        missing,
        unexpected,
    })
}

fn check_allowed(
    weights: &StateDict,
    names: &[String],
    patterns: &[&str],
    error: impl FnOnce(PathBuf, Vec<String>) -> WeightsError,
) -> Result<()> {
    let refused: Vec<String> = names
        .iter()
        .filter(|name| !matches_any(name, patterns))
        .cloned()
        .collect();
    if refused.is_empty() {
        return Ok(());
    }
    Err(error(weights.origin.clone(), refused))
}

fn check_shapes(targets: &HashMap<String, Tensor>, weights: &StateDict) -> Result<()> {
    for (name, source) in weights.iter() {
        let Some(target) = targets.get(name) else {
            continue;
        };
        let (expected, found) = (target.size(), source.size());
        if expected != found {
            return Err(WeightsError::ShapeMismatch {
                path: weights.origin.clone(),
                name: name.to_owned(),
                expected,
                found,
            });
        }
    }
    Ok(())
}

/// Whether `name` matches one of the patterns of [`AllowedKeys`].
pub fn matches_any(name: &str, patterns: &[&str]) -> bool {
    patterns
        .iter()
        .any(|pattern| match pattern.strip_suffix('*') {
            Some(prefix) => name.starts_with(prefix),
            None if pattern.ends_with('.') => name.starts_with(pattern),
            None => name == *pattern,
        })
}

fn to_tch(origin: &Path, name: &str, raw: &RawTensor, options: &LoadOptions) -> Result<Tensor> {
    let torch_error = |error: tch::TchError| WeightsError::Torch {
        path: origin.to_path_buf(),
        name: name.to_owned(),
        message: error.to_string(),
    };
    let shape: Vec<i64> = raw.shape().iter().map(|&dim| dim as i64).collect();

    let mut tensor =
        Tensor::f_from_data_size(raw.data(), &shape, kind_of(raw.dtype())).map_err(torch_error)?;
    if raw.dtype().is_float() {
        tensor = tensor
            .f_to_kind(options.float_dtype.kind())
            .map_err(torch_error)?;
    }
    tensor.f_to_device(options.device).map_err(torch_error)
}

fn from_tch(origin: &Path, name: &str, tensor: &Tensor) -> Result<RawTensor> {
    let torch_error = |message: String| WeightsError::Torch {
        path: origin.to_path_buf(),
        name: name.to_owned(),
        message,
    };
    let dtype = dtype_of(tensor.kind()).ok_or_else(|| WeightsError::UnsupportedDtype {
        path: origin.to_path_buf(),
        name: name.to_owned(),
        dtype: format!("{:?}", tensor.kind()),
        detail: "expected a float (f16/bf16/f32/f64), integer or bool type".into(),
    })?;

    let cpu = tensor
        .f_to_device(Device::Cpu)
        .and_then(|t| t.f_contiguous());
    let cpu = cpu.map_err(|error| torch_error(error.to_string()))?;
    let shape: Vec<usize> = cpu.size().iter().map(|&dim| dim as usize).collect();
    let numel = cpu.numel();
    let mut data = vec![0u8; numel * dtype.size()];
    cpu.f_copy_data_u8(&mut data, numel)
        .map_err(|error| torch_error(error.to_string()))?;
    RawTensor::new(dtype, shape, data).map_err(torch_error)
}

fn kind_of(dtype: Dtype) -> Kind {
    match dtype {
        Dtype::F16 => Kind::Half,
        Dtype::BF16 => Kind::BFloat16,
        Dtype::F32 => Kind::Float,
        Dtype::F64 => Kind::Double,
        Dtype::I64 => Kind::Int64,
        Dtype::I32 => Kind::Int,
        Dtype::I16 => Kind::Int16,
        Dtype::I8 => Kind::Int8,
        Dtype::U8 => Kind::Uint8,
        Dtype::Bool => Kind::Bool,
    }
}

fn dtype_of(kind: Kind) -> Option<Dtype> {
    let dtype = match kind {
        Kind::Half => Dtype::F16,
        Kind::BFloat16 => Dtype::BF16,
        Kind::Float => Dtype::F32,
        Kind::Double => Dtype::F64,
        Kind::Int64 => Dtype::I64,
        Kind::Int => Dtype::I32,
        Kind::Int16 => Dtype::I16,
        Kind::Int8 => Dtype::I8,
        Kind::Uint8 => Dtype::U8,
        Kind::Bool => Dtype::Bool,
        _ => return None,
    };
    Some(dtype)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weights(entries: &[(&str, &[i64])]) -> StateDict {
        let tensors = entries
            .iter()
            .map(|(name, shape)| {
                (
                    name.to_string(),
                    Tensor::ones(*shape, (Kind::Float, Device::Cpu)),
                )
            })
            .collect();
        StateDict::from_tensors(Path::new("w.pth"), tensors)
    }

    fn targets(entries: &[(&str, &[i64])]) -> HashMap<String, Tensor> {
        entries
            .iter()
            .map(|(name, shape)| {
                (
                    name.to_string(),
                    Tensor::zeros(*shape, (Kind::Float, Device::Cpu)),
                )
            })
            .collect()
    }

    #[test]
    fn missing_parameter_is_named() {
        let mut model = targets(&[("enc_p.ssl_proj.weight", &[2, 2]), ("dec.bias", &[2])]);
        let file = weights(&[("dec.bias", &[2])]);

        let error = load_into_tensors(&mut model, &file, &AllowedKeys::default()).unwrap_err();

        assert_eq!(
            error.to_string(),
            "w.pth: missing parameter enc_p.ssl_proj.weight"
        );
    }

    #[test]
    fn allowed_prefixes_pass_and_are_reported() {
        let mut model = targets(&[("enc_q.pre.weight", &[2]), ("dec.bias", &[2])]);
        let file = weights(&[("dec.bias", &[2]), ("discriminators.0.w", &[1])]);
        let allowed = AllowedKeys {
            missing: &["enc_q."],
            unexpected: &["discriminators.*"],
        };

        let report = load_into_tensors(&mut model, &file, &allowed).unwrap();

        assert_eq!(report.loaded, 1);
        assert_eq!(report.missing, vec!["enc_q.pre.weight"]);
        assert_eq!(report.unexpected, vec!["discriminators.0.w"]);
        assert_eq!(model["dec.bias"].sum(Kind::Float).double_value(&[]), 2.0);
    }

    #[test]
    fn shape_mismatch_copies_nothing() {
        let mut model = targets(&[("a", &[2]), ("b", &[3])]);
        let file = weights(&[("a", &[2]), ("b", &[4])]);

        let error = load_into_tensors(&mut model, &file, &AllowedKeys::default()).unwrap_err();

        assert_eq!(error.code(), "shape_mismatch");
        assert_eq!(model["a"].sum(Kind::Float).double_value(&[]), 0.0);
    }

    #[test]
    fn float_tensors_take_the_requested_dtype_and_integers_keep_theirs() {
        let floats = RawTensor::from_f32(vec![2], &[1.5, -2.0]).unwrap();
        let ints = RawTensor::new(Dtype::I64, vec![1], 9i64.to_le_bytes().to_vec()).unwrap();
        let options = LoadOptions {
            device: Device::Cpu,
            float_dtype: FloatDtype::BF16,
        };

        let dict = StateDict::from_raw(
            Path::new("x"),
            vec![("f".into(), floats), ("i".into(), ints)],
            &options,
        )
        .unwrap();

        assert_eq!(dict.require("f").unwrap().kind(), Kind::BFloat16);
        assert_eq!(dict.require("i").unwrap().kind(), Kind::Int64);
        let back = dict.to_raw().unwrap();
        assert_eq!(back[0].1.to_f32_vec().unwrap(), vec![1.5, -2.0]);
        assert_eq!(back[1].1.to_i64_vec().unwrap(), vec![9]);
    }
}
