//! The product's own resumable training checkpoints.
//!
//! One safetensors file holds every tensor (models, optimiser states, RNG states), each under
//! `<group>/<name>`; its `__metadata__` holds the step, the epoch, free-form JSON (learning-rate
//! schedule, loss scaler, ...) and the original order of every group. One file means one atomic
//! rename: a crash leaves either the previous checkpoint or the new one, never a mix.

use std::collections::HashMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Result, WeightsError};
use crate::raw::RawTensor;
use crate::safetensors_io::{read_safetensors, write_safetensors};

/// The safetensors metadata key that marks a training checkpoint, and its value.
pub(crate) const FORMAT_KEY: &str = "gsv.format";
pub(crate) const FORMAT_NAME: &str = "gsv-training-checkpoint";
/// The metadata key holding the JSON training state.
pub(crate) const STATE_KEY: &str = "gsv.state";
const FORMAT_VERSION: u32 = 1;

/// A named set of tensors: a model's state dict, an optimiser's state, RNG states.
#[derive(Clone, Debug, PartialEq)]
pub struct TensorGroup {
    /// The group's name (`generator`, `optimizer_g`, `rng`, ...); no `/`.
    pub name: String,
    /// `(name, tensor)` in the caller's order, which reading restores.
    pub tensors: Vec<(String, RawTensor)>,
}

/// Everything needed to resume training exactly.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingCheckpoint {
    /// Optimiser steps done.
    pub step: u64,
    /// Epochs done.
    pub epoch: u64,
    /// The tensor groups.
    pub groups: Vec<TensorGroup>,
    /// Anything else the trainer needs back (scheduler, loss scaler, data order seed, ...).
    pub extra: Value,
}

impl TrainingCheckpoint {
    /// The group with this name.
    pub fn group(&self, name: &str) -> Option<&TensorGroup> {
        self.groups.iter().find(|group| group.name == name)
    }
}

#[derive(Serialize, Deserialize)]
struct StoredState {
    format_version: u32,
    step: u64,
    epoch: u64,
    extra: Value,
    /// Group name → tensor names in order.
    groups: Vec<(String, Vec<String>)>,
}

/// Writes a training checkpoint atomically.
pub fn write_training_checkpoint(path: &Path, checkpoint: &TrainingCheckpoint) -> Result<()> {
    let mut tensors = Vec::new();
    let mut order = Vec::new();
    for group in &checkpoint.groups {
        if group.name.is_empty() || group.name.contains('/') {
            return Err(WeightsError::invalid(
                path,
                "group names without '/'",
                &group.name,
            ));
        }
        let names = group.tensors.iter().map(|(name, _)| name.clone()).collect();
        order.push((group.name.clone(), names));
        for (name, tensor) in &group.tensors {
            tensors.push((format!("{}/{name}", group.name), tensor.clone()));
        }
    }

    let state = StoredState {
        format_version: FORMAT_VERSION,
        step: checkpoint.step,
        epoch: checkpoint.epoch,
        extra: checkpoint.extra.clone(),
        groups: order,
    };
    let state_json = serde_json::to_string(&state).unwrap_or_default();
    let metadata = HashMap::from([
        (FORMAT_KEY.to_owned(), FORMAT_NAME.to_owned()),
        (STATE_KEY.to_owned(), state_json),
    ]);
    write_safetensors(path, &tensors, metadata)
}

/// Reads a training checkpoint written by [`write_training_checkpoint`].
pub fn read_training_checkpoint(path: &Path) -> Result<TrainingCheckpoint> {
    let contents = read_safetensors(path)?;
    let state = read_state(path, &contents.metadata)?;

    let mut by_name: HashMap<String, RawTensor> = contents.tensors.into_iter().collect();
    let mut groups = Vec::with_capacity(state.groups.len());
    for (group_name, names) in state.groups {
        let mut tensors = Vec::with_capacity(names.len());
        for name in names {
            let key = format!("{group_name}/{name}");
            let tensor = by_name
                .remove(&key)
                .ok_or_else(|| WeightsError::MissingParameter {
                    path: path.to_path_buf(),
                    names: vec![key.clone()],
                })?;
            tensors.push((name, tensor));
        }
        groups.push(TensorGroup {
            name: group_name,
            tensors,
        });
    }

    Ok(TrainingCheckpoint {
        step: state.step,
        epoch: state.epoch,
        groups,
        extra: state.extra,
    })
}

fn read_state(path: &Path, metadata: &HashMap<String, String>) -> Result<StoredState> {
    if metadata.get(FORMAT_KEY).map(String::as_str) != Some(FORMAT_NAME) {
        return Err(WeightsError::invalid(
            path,
            "a GSV Studio training checkpoint",
            "a safetensors file without the gsv.format marker",
        ));
    }
    let text = metadata
        .get(STATE_KEY)
        .map(String::as_str)
        .unwrap_or_default();
    let state: StoredState = serde_json::from_str(text)
        .map_err(|error| WeightsError::invalid(path, "a training state", error.to_string()))?;
    if state.format_version != FORMAT_VERSION {
        return Err(WeightsError::UnsupportedVersion {
            path: path.to_path_buf(),
            detail: format!(
                "training checkpoint format {}; this version reads {FORMAT_VERSION}",
                state.format_version
            ),
        });
    }
    Ok(state)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtype::Dtype;

    fn sample() -> TrainingCheckpoint {
        let weight = RawTensor::from_f32(vec![2, 3], &[0.5, -1.0, 2.0, 3.0, 4.0, 5.0]).unwrap();
        let bias = RawTensor::from_f32(vec![3], &[0.1, 0.2, 0.3]).unwrap();
        let rng = RawTensor::new(Dtype::U8, vec![4], vec![1, 2, 3, 250]).unwrap();
        TrainingCheckpoint {
            step: 96,
            epoch: 8,
            groups: vec![
                TensorGroup {
                    name: "generator".into(),
                    tensors: vec![("z.weight".into(), weight.clone()), ("a.bias".into(), bias)],
                },
                TensorGroup {
                    name: "optimizer_g".into(),
                    tensors: vec![("0.exp_avg".into(), weight)],
                },
                TensorGroup {
                    name: "rng".into(),
                    tensors: vec![("cpu".into(), rng)],
                },
            ],
            extra: serde_json::json!({"lr": 0.0001, "scaler": {"scale": 65536.0}}),
        }
    }

    #[test]
    fn checkpoint_reads_back_identically_in_order() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("latest.safetensors");
        let checkpoint = sample();

        write_training_checkpoint(&path, &checkpoint).unwrap();
        let read = read_training_checkpoint(&path).unwrap();

        assert_eq!(read, checkpoint);
    }

    #[test]
    fn inspect_reports_step_and_epoch() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("latest.safetensors");
        write_training_checkpoint(&path, &sample()).unwrap();

        let inspection = crate::inspect(&path).unwrap();

        assert_eq!(inspection.kind, crate::ModelKind::TrainingCheckpoint);
        assert_eq!(inspection.info.as_deref(), Some("epoch 8, step 96"));
        assert_eq!(inspection.tensor_count, 4);
    }

    #[test]
    fn plain_safetensors_is_not_a_training_checkpoint() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("plain.safetensors");
        write_safetensors(&path, &sample().groups[0].tensors, HashMap::new()).unwrap();

        let error = read_training_checkpoint(&path).unwrap_err();

        assert_eq!(error.code(), "invalid_format");
        assert!(error.to_string().contains("gsv.format"), "{error}");
    }
}
