//! Every checkpoint file in `shared/golden` loads with the documented keys, shapes, dtypes and
//! values.

mod common;

use std::collections::HashMap;

use common::{assert_same_tensor, ckpt_format, golden, golden_weights};
use gsv_weights::{inspect, Container, Dtype, ModelKind, RawTensor, WeightFile};

fn read_all(relative: &str) -> (WeightFile, Vec<(String, RawTensor)>) {
    let mut file = WeightFile::open(&golden(relative)).unwrap();
    let weights = file.read_weights().unwrap();
    (file, weights)
}

#[test]
fn sovits_v2_pth_matches_the_documented_format_and_the_case_3_weights() {
    let format = ckpt_format("tiny_s2G_v2.pth");
    let (file, weights) = read_all("ckpt/tiny_s2G_v2.pth");
    let reference = golden_weights("sovits/sovits_v2_tiny.safetensors");

    assert_eq!(weights.len(), 529);
    assert_eq!(file.info(), Some("8epoch_96iteration"));
    assert_eq!(file.config(), Some(&format["config"]));
    let first: Vec<&str> = weights
        .iter()
        .take(5)
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(serde_json::json!(first), format["first_weight_keys"]);

    let loaded: HashMap<&str, &RawTensor> = weights
        .iter()
        .map(|(name, tensor)| (name.as_str(), tensor))
        .collect();
    for (name, expected) in reference.iter().filter(|(name, _)| !name.contains("enc_q")) {
        let found = loaded
            .get(name.as_str())
            .unwrap_or_else(|| panic!("{name} missing"));
        assert_same_tensor(name, found, expected);
    }
    let extra: Vec<&&str> = loaded
        .keys()
        .filter(|name| !reference.contains_key(**name))
        .collect();
    assert_eq!(extra, vec![&"quantizer.vq.layers.0._codebook.embed_avg"]);
}

#[test]
fn sovits_v2_pth_inspects_as_a_v2_generator_not_by_size() {
    let inspection = inspect(&golden("ckpt/tiny_s2G_v2.pth")).unwrap();

    assert_eq!(inspection.kind, ModelKind::SovitsGenerator);
    assert_eq!(inspection.version.as_deref(), Some("v2"));
    assert_eq!(inspection.tensor_count, 529);
    assert_eq!(inspection.dtypes, vec![Dtype::F16]);
    assert_eq!(inspection.info.as_deref(), Some("8epoch_96iteration"));
    let Container::TorchZip { prefix, marker } = &inspection.container else {
        panic!("{:?}", inspection.container)
    };
    assert_eq!(prefix, "1796314925.3371046");
    assert_eq!(marker, &None);
    inspection.ensure_trainable().unwrap();
    assert!(inspection.to_string().contains("SoVITS generator"));
}

#[test]
fn sovits_v2pro_marker_file_reads_and_is_refused_for_training() {
    let format = ckpt_format("tiny_s2G_v2Pro.pth");
    let (file, weights) = read_all("ckpt/tiny_s2G_v2Pro.pth");
    let inspection = inspect(&golden("ckpt/tiny_s2G_v2Pro.pth")).unwrap();

    assert_eq!(file.marker(), Some(*b"05"));
    assert_eq!(weights.len(), 534);
    assert_eq!(file.config(), Some(&format["config"]));
    assert!(weights.iter().any(|(name, _)| name.starts_with("sv_emb.")));
    assert!(weights
        .iter()
        .all(|(_, tensor)| tensor.dtype() == Dtype::F16));
    assert_eq!(inspection.version.as_deref(), Some("v2Pro"));
    let error = inspection.ensure_trainable().unwrap_err();
    assert_eq!(error.code(), "unsupported_version");
    assert!(
        error
            .to_string()
            .ends_with("a v2Pro SoVITS file; this version trains v2"),
        "{error}"
    );
}

#[test]
fn gpt_ckpt_matches_the_documented_format_and_the_case_5_weights() {
    let format = ckpt_format("tiny_s1_v2.ckpt");
    let (file, weights) = read_all("ckpt/tiny_s1_v2.ckpt");
    let reference = golden_weights("gpt/gpt_t2s_tiny.safetensors");
    let inspection = inspect(&golden("ckpt/tiny_s1_v2.ckpt")).unwrap();

    assert_eq!(weights.len(), 31);
    assert_eq!(file.info(), Some("GPT-e15"));
    assert_eq!(file.config(), Some(&format["config"]));
    for (name, tensor) in &weights {
        let plain = name.strip_prefix("model.").expect("model. prefix");
        assert_same_tensor(name, tensor, &reference[plain]);
    }
    assert_eq!(inspection.kind, ModelKind::Gpt);
    assert_eq!(inspection.version.as_deref(), Some("v2"));
    inspection.ensure_trainable().unwrap();
}

#[cfg(feature = "torch")]
mod torch_layer {
    use super::*;
    use gsv_weights::{load_into, AllowedKeys, FloatDtype, LoadOptions, StateDict};
    use tch::nn::VarStore;
    use tch::{Device, Kind};

    /// A model with the two parameters of the SoVITS `enc_p.ssl_proj` convolution, built under the
    /// reference's path names as model code builds them.
    fn ssl_proj_model() -> VarStore {
        let store = VarStore::new(Device::Cpu);
        let projection = store.root() / "enc_p" / "ssl_proj";
        let _weight = projection.zeros("weight", &[32, 768, 1]);
        let _bias = projection.zeros("bias", &[32]);
        store
    }

    #[test]
    fn var_store_takes_the_reference_names_from_the_sovits_pth() {
        let mut store = ssl_proj_model();
        let weights =
            StateDict::load(&golden("ckpt/tiny_s2G_v2.pth"), &LoadOptions::default()).unwrap();
        let reference = golden_weights("sovits/sovits_v2_tiny.safetensors");
        let rest_of_the_model = AllowedKeys {
            missing: &[],
            unexpected: &["*"],
        };

        let report = load_into(&mut store, &weights, &rest_of_the_model).unwrap();

        assert_eq!(report.loaded, 2);
        assert_eq!(report.unexpected.len(), 527);
        let loaded = &store.variables()["enc_p.ssl_proj.weight"];
        assert_eq!(loaded.kind(), Kind::Float);
        let values = Vec::<f32>::try_from(loaded.flatten(0, -1)).unwrap();
        assert_eq!(
            values,
            reference["enc_p.ssl_proj.weight"].to_f32_vec().unwrap()
        );
    }

    #[test]
    fn parameter_absent_from_the_file_is_named_unless_allowed() {
        let mut store = ssl_proj_model();
        let _posterior = (store.root() / "enc_q" / "pre").zeros("weight", &[4]);
        let weights =
            StateDict::load(&golden("ckpt/tiny_s2G_v2.pth"), &LoadOptions::default()).unwrap();
        let strict = AllowedKeys {
            missing: &[],
            unexpected: &["*"],
        };
        let without_posterior = AllowedKeys {
            missing: &["enc_q."],
            unexpected: &["*"],
        };

        let error = load_into(&mut store, &weights, &strict).unwrap_err();
        let report = load_into(&mut store, &weights, &without_posterior).unwrap();

        assert_eq!(error.code(), "missing_parameter");
        assert!(
            error
                .to_string()
                .ends_with("tiny_s2G_v2.pth: missing parameter enc_q.pre.weight"),
            "{error}"
        );
        assert_eq!(report.missing, vec!["enc_q.pre.weight"]);
    }

    #[test]
    fn float32_state_dict_exports_back_to_the_same_fp16_file_contents() {
        let source = golden("ckpt/tiny_s2G_v2.pth");
        let upstream = WeightFile::open(&source).unwrap();
        let training_copy = StateDict::load(&source, &LoadOptions::default()).unwrap();
        let folder = tempfile::tempdir().unwrap();
        let exported = folder.path().join("voice_e8_s96.pth");

        let raw = training_copy.to_raw().unwrap();
        let config = upstream.config().unwrap();
        let export = gsv_weights::SovitsExport {
            weights: &raw,
            config,
            epoch: 8,
            step: 96,
            version: "v2",
        };
        gsv_weights::write_sovits_weights(&exported, &export).unwrap();

        assert!(raw.iter().all(|(_, tensor)| tensor.dtype() == Dtype::F32));
        let ours = WeightFile::open(&exported).unwrap();
        assert_eq!(ours.pickle_root(), upstream.pickle_root());
        let (_, upstream_weights) = read_all("ckpt/tiny_s2G_v2.pth");
        let mut ours = ours;
        for ((name, found), (_, expected)) in
            ours.read_weights().unwrap().iter().zip(&upstream_weights)
        {
            assert_same_tensor(name, found, expected);
        }
    }

    #[test]
    fn weights_load_in_half_precision_when_asked() {
        let options = LoadOptions {
            float_dtype: FloatDtype::F16,
            ..LoadOptions::default()
        };

        let weights = StateDict::load(&golden("hf/chinese-roberta-tiny"), &options).unwrap();

        let embeddings = weights
            .require("bert.embeddings.word_embeddings.weight")
            .unwrap();
        assert_eq!(embeddings.kind(), Kind::Half);
        assert_eq!(embeddings.size(), vec![284, 64]);
        assert_eq!(
            weights.require("nope").unwrap_err().code(),
            "missing_parameter"
        );
    }

    #[test]
    fn state_dict_upcasts_fp16_exactly() {
        let options = LoadOptions {
            float_dtype: FloatDtype::F32,
            ..LoadOptions::default()
        };
        let reference = golden_weights("gpt/gpt_t2s_tiny.safetensors");

        let state_dict = StateDict::load(&golden("ckpt/tiny_s1_v2.ckpt"), &options)
            .unwrap()
            .strip_prefix("model.");

        assert_eq!(state_dict.len(), reference.len());
        for (name, expected) in &reference {
            let tensor = state_dict.require(name).unwrap();
            assert_eq!(tensor.kind(), tch::Kind::Float, "{name}");
            let values = Vec::<f32>::try_from(tensor.flatten(0, -1)).unwrap();
            assert_eq!(values, expected.to_f32_vec().unwrap(), "{name}");
        }
    }
}

#[test]
fn huggingface_folders_give_identical_tensors_from_both_files() {
    for folder in ["hf/chinese-hubert-tiny", "hf/chinese-roberta-tiny"] {
        let from_safetensors = read_all(&format!("{folder}/model.safetensors")).1;
        let from_bin: HashMap<String, RawTensor> = read_all(&format!("{folder}/pytorch_model.bin"))
            .1
            .into_iter()
            .collect();

        for (name, tensor) in &from_safetensors {
            assert_same_tensor(name, &from_bin[name], tensor);
        }
    }
}

#[test]
fn roberta_bin_ties_the_decoder_to_the_word_embeddings() {
    let weights: HashMap<String, RawTensor> = read_all("hf/chinese-roberta-tiny/pytorch_model.bin")
        .1
        .into_iter()
        .collect();
    let safetensors_names: Vec<String> = read_all("hf/chinese-roberta-tiny/model.safetensors")
        .1
        .into_iter()
        .map(|(name, _)| name)
        .collect();

    assert_same_tensor(
        "cls.predictions.decoder.weight",
        &weights["cls.predictions.decoder.weight"],
        &weights["bert.embeddings.word_embeddings.weight"],
    );
    assert_same_tensor(
        "cls.predictions.decoder.bias",
        &weights["cls.predictions.decoder.bias"],
        &weights["cls.predictions.bias"],
    );
    assert!(!safetensors_names.contains(&"cls.predictions.decoder.weight".to_owned()));
    assert_eq!(
        weights.len(),
        ckpt_format("../hf/chinese-roberta-tiny/pytorch_model.bin")["n_tensors"]
    );
}

#[test]
fn huggingface_folders_inspect_by_model_type() {
    let hubert = inspect(&golden("hf/chinese-hubert-tiny")).unwrap();
    let bert = inspect(&golden("hf/chinese-roberta-tiny")).unwrap();

    assert_eq!(hubert.kind, ModelKind::Hubert);
    assert_eq!(bert.kind, ModelKind::Bert);
    assert_eq!(
        hubert.container,
        Container::HuggingFace {
            weights: "model.safetensors".to_owned()
        }
    );
    assert_eq!(hubert.dtypes, vec![Dtype::F32]);
    assert_eq!(bert.config.as_ref().unwrap()["vocab_size"], 284);
}

#[test]
fn hubert_keeps_the_legacy_weight_norm_names() {
    let weights: HashMap<String, RawTensor> = read_all("hf/chinese-hubert-tiny/pytorch_model.bin")
        .1
        .into_iter()
        .collect();

    assert_eq!(
        weights["encoder.pos_conv_embed.conv.weight_g"].shape(),
        &[1, 1, 128]
    );
    assert_eq!(
        weights["encoder.pos_conv_embed.conv.weight_v"].shape(),
        &[64, 4, 128]
    );
    assert_eq!(weights.len(), 51);
}

#[test]
fn bare_huggingface_bins_are_recognised_by_their_names() {
    let hubert = inspect(&golden("hf/chinese-hubert-tiny/pytorch_model.bin")).unwrap();
    let bert = inspect(&golden("hf/chinese-roberta-tiny/model.safetensors")).unwrap();

    assert_eq!(hubert.kind, ModelKind::Hubert);
    assert_eq!(hubert.config, None);
    assert_eq!(bert.kind, ModelKind::Bert);
    assert_eq!(bert.container, Container::Safetensors);
}
