//! The final weight files, written the way GPT-SoVITS's own training writes them so that its
//! inference loads them unchanged.
//!
//! * SoVITS (`process_ckpt.savee`): a torch zip holding `OrderedDict{"weight": {name: fp16},
//!   "config": utils.HParams, "info": "<e>epoch_<s>iteration"}` with every parameter whose name
//!   contains `enc_q` (the posterior encoder) left out. v2Pro and v2ProPlus files carry their
//!   version marker in place of `PK` (`my_save2`).
//! * GPT (`s1_train.py`, `my_model_ckpt.on_train_epoch_end`): a torch zip holding
//!   `OrderedDict{"weight": OrderedDict{"model.<name>": fp16}, "config": dict,
//!   "info": "GPT-e<e>"}`.
//!
//! Upstream's zip folder is named after a temporary file (`<time>.pth`) or `archive`; torch reads
//! either, and this writer always uses `archive` so that equal inputs give equal bytes.

use std::path::Path;

use serde_json::Value;

use crate::atomic::write_atomically;
use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};
use crate::pickle::PickleWriter;
use crate::raw::RawTensor;
use crate::torch_zip::{write_torch_zip, TorchZipContents, VERSION_MARKERS};

const ARCHIVE_PREFIX: &str = "archive";

/// Everything a SoVITS export needs.
#[derive(Clone, Copy, Debug)]
pub struct SovitsExport<'a> {
    /// The generator's state dict under the reference's names, any float dtype.
    pub weights: &'a [(String, RawTensor)],
    /// The hyper-parameters (the `s2.json`-shaped config with the webui additions).
    pub config: &'a Value,
    /// Epochs done.
    pub epoch: u64,
    /// Steps (iterations) done.
    pub step: u64,
    /// `v2`, `v2Pro` or `v2ProPlus`.
    pub version: &'a str,
}

/// Writes a SoVITS weight file as GPT-SoVITS's `savee` does, atomically.
pub fn write_sovits_weights(path: &Path, export: &SovitsExport<'_>) -> Result<()> {
    let marker = sovits_marker(path, export.version)?;
    let kept: Vec<&(String, RawTensor)> = export
        .weights
        .iter()
        .filter(|(name, _)| !name.contains("enc_q"))
        .collect();
    let info = format!("{}epoch_{}iteration", export.epoch, export.step);

    let document = WeightsDocument {
        names: kept.iter().map(|(name, _)| name.clone()).collect(),
        tensors: kept.iter().map(|(_, tensor)| tensor).collect(),
        weight_container: WeightContainer::Dict,
        config: export.config,
        config_as_hparams: true,
        info: &info,
    };
    document.write(path, marker)
}

/// Writes a GPT weight file as GPT-SoVITS's s1 training does, atomically. Names without the
/// LightningModule's `model.` prefix get it.
pub fn write_gpt_weights(
    path: &Path,
    weights: &[(String, RawTensor)],
    config: &Value,
    epoch: u64,
) -> Result<()> {
    let names = weights
        .iter()
        .map(|(name, _)| {
            if name.starts_with("model.") {
                name.clone()
            } else {
                format!("model.{name}")
            }
        })
        .collect();
    let info = format!("GPT-e{epoch}");

    let document = WeightsDocument {
        names,
        tensors: weights.iter().map(|(_, tensor)| tensor).collect(),
        weight_container: WeightContainer::OrderedDict,
        config,
        config_as_hparams: false,
        info: &info,
    };
    document.write(path, None)
}

fn sovits_marker(path: &Path, version: &str) -> Result<Option<[u8; 2]>> {
    match version {
        "v2" => Ok(None),
        "v2Pro" | "v2ProPlus" => {
            let marker = VERSION_MARKERS.iter().find(|(_, name)| *name == version);
            Ok(marker.map(|(bytes, _)| **bytes))
        }
        other => Err(WeightsError::UnsupportedVersion {
            path: path.to_path_buf(),
            detail: format!(
                "cannot export SoVITS {other}; this version writes v2, v2Pro, v2ProPlus"
            ),
        }),
    }
}

#[derive(Clone, Copy)]
enum WeightContainer {
    Dict,
    OrderedDict,
}

/// The `{"weight", "config", "info"}` document both exports share.
struct WeightsDocument<'a> {
    names: Vec<String>,
    tensors: Vec<&'a RawTensor>,
    weight_container: WeightContainer,
    config: &'a Value,
    config_as_hparams: bool,
    info: &'a str,
}

impl WeightsDocument<'_> {
    fn write(self, path: &Path, marker: Option<[u8; 2]>) -> Result<()> {
        let halves: Vec<RawTensor> = self
            .tensors
            .iter()
            .map(|&tensor| tensor.clone().cast_float(Dtype::F16))
            .collect();
        let pickle = self.pickle(&halves);
        let storages = halves
            .iter()
            .enumerate()
            .map(|(index, tensor)| (index.to_string(), tensor.data()))
            .collect();
        let contents = TorchZipContents {
            prefix: ARCHIVE_PREFIX,
            pickle: &pickle,
            storages,
            marker,
        };

        write_atomically(path, |file| write_torch_zip(file, &contents))
    }

    fn pickle(&self, halves: &[RawTensor]) -> Vec<u8> {
        let mut writer = PickleWriter::new();
        writer.begin_ordered_dict();

        writer.str("weight");
        match self.weight_container {
            WeightContainer::Dict => writer.begin_dict(),
            WeightContainer::OrderedDict => writer.begin_ordered_dict(),
        }
        for (index, (name, tensor)) in self.names.iter().zip(halves).enumerate() {
            writer.str(name);
            writer.tensor(
                &index.to_string(),
                Dtype::F16,
                tensor.numel(),
                tensor.shape(),
            );
            writer.set_item();
        }
        writer.set_item();

        writer.str("config");
        writer.json(self.config, self.config_as_hparams);
        writer.set_item();

        writer.str("info");
        writer.str(self.info);
        writer.set_item();
        writer.finish()
    }
}
