//! Weights written by the product read back identically, match what upstream wrote, and load in
//! PyTorch the way GPT-SoVITS's inference loads them.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{assert_same_tensor, golden, golden_weights};
use gsv_weights::{
    inspect, write_gpt_weights, write_sovits_weights, Dtype, ModelKind, RawTensor, SovitsExport,
    WeightFile,
};
use serde_json::Value;

struct Written {
    _folder: tempfile::TempDir,
    sovits_v2: PathBuf,
    sovits_v2pro: PathBuf,
    gpt: PathBuf,
}

fn read_golden(relative: &str) -> (Vec<(String, RawTensor)>, Value) {
    let mut file = WeightFile::open(&golden(relative)).unwrap();
    let weights = file.read_weights().unwrap();
    (weights, file.config().unwrap().clone())
}

/// The GPT weights of case 5 in float32 and without the `model.` prefix, as the model code
/// will hand them over.
fn gpt_weights_f32() -> Vec<(String, RawTensor)> {
    let mut weights: Vec<(String, RawTensor)> = golden_weights("gpt/gpt_t2s_tiny.safetensors")
        .into_iter()
        .map(|(name, tensor)| (name, tensor.cast_float(Dtype::F32)))
        .collect();
    weights.sort_by(|a, b| a.0.cmp(&b.0));
    weights
}

fn write_all() -> Written {
    let folder = tempfile::tempdir().unwrap();
    let sovits_v2 = folder.path().join("voice_e8_s96.pth");
    let sovits_v2pro = folder.path().join("voice_pro_e8_s96.pth");
    let gpt = folder.path().join("voice-e15.ckpt");

    let (mut weights, config) = read_golden("ckpt/tiny_s2G_v2.pth");
    let posterior = RawTensor::from_f32(vec![2], &[1.0, 2.0]).unwrap();
    weights.push(("enc_q.enc.weight".to_owned(), posterior));
    let export = SovitsExport {
        weights: &weights,
        config: &config,
        epoch: 8,
        step: 96,
        version: "v2",
    };
    write_sovits_weights(&sovits_v2, &export).unwrap();

    let (weights, config) = read_golden("ckpt/tiny_s2G_v2Pro.pth");
    let export = SovitsExport {
        weights: &weights,
        config: &config,
        epoch: 8,
        step: 96,
        version: "v2Pro",
    };
    write_sovits_weights(&sovits_v2pro, &export).unwrap();

    let (_, gpt_config) = read_golden("ckpt/tiny_s1_v2.ckpt");
    write_gpt_weights(&gpt, &gpt_weights_f32(), &gpt_config, 15).unwrap();

    Written {
        _folder: folder,
        sovits_v2,
        sovits_v2pro,
        gpt,
    }
}

#[test]
fn written_sovits_file_unpickles_to_what_upstream_wrote() {
    let written = write_all();

    let ours = WeightFile::open(&written.sovits_v2).unwrap();
    let upstream = WeightFile::open(&golden("ckpt/tiny_s2G_v2.pth")).unwrap();

    assert_eq!(ours.pickle_root(), upstream.pickle_root());
}

#[test]
fn written_sovits_file_reads_back_identically_without_the_posterior_encoder() {
    let written = write_all();
    let (expected, config) = read_golden("ckpt/tiny_s2G_v2.pth");

    let mut file = WeightFile::open(&written.sovits_v2).unwrap();
    let weights = file.read_weights().unwrap();

    assert_eq!(weights.len(), expected.len());
    for ((name, tensor), (expected_name, expected_tensor)) in weights.iter().zip(&expected) {
        assert_eq!(name, expected_name);
        assert_same_tensor(name, tensor, expected_tensor);
    }
    assert_eq!(file.config(), Some(&config));
    assert_eq!(file.info(), Some("8epoch_96iteration"));
    assert_eq!(file.marker(), None);
}

#[test]
fn written_v2pro_file_carries_its_marker() {
    let written = write_all();

    let inspection = inspect(&written.sovits_v2pro).unwrap();
    let head = std::fs::read(&written.sovits_v2pro).unwrap();

    assert_eq!(&head[..2], b"05");
    assert_eq!(inspection.kind, ModelKind::SovitsGenerator);
    assert_eq!(inspection.version.as_deref(), Some("v2Pro"));
    assert_eq!(inspection.tensor_count, 534);
}

#[test]
fn written_gpt_file_reads_back_as_fp16_with_the_model_prefix() {
    let written = write_all();
    let reference = golden_weights("gpt/gpt_t2s_tiny.safetensors");
    let (_, config) = read_golden("ckpt/tiny_s1_v2.ckpt");

    let mut file = WeightFile::open(&written.gpt).unwrap();
    let weights = file.read_weights().unwrap();

    assert_eq!(weights.len(), 31);
    for (name, tensor) in &weights {
        let plain = name.strip_prefix("model.").unwrap();
        assert_same_tensor(name, tensor, &reference[plain]);
    }
    assert_eq!(file.config(), Some(&config));
    assert_eq!(file.info(), Some("GPT-e15"));
    assert_eq!(inspect(&written.gpt).unwrap().kind, ModelKind::Gpt);
}

#[test]
fn storages_are_aligned_to_64_bytes_as_torch_writes_them() {
    let written = write_all();
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&written.gpt).unwrap()).unwrap();

    for index in 0..zip.len() {
        let entry = zip.by_index(index).unwrap();
        let name = entry.name().unwrap().into_owned();
        assert_eq!(entry.compression(), zip::CompressionMethod::Stored);
        if name.contains("/data/") {
            assert_eq!(entry.data_start().unwrap() % 64, 0, "{name}");
        }
    }
}

#[test]
fn unknown_sovits_version_is_refused_for_export() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("v3.pth");
    let export = SovitsExport {
        weights: &[],
        config: &Value::Null,
        epoch: 1,
        step: 1,
        version: "v3",
    };

    let error = write_sovits_weights(&path, &export).unwrap_err();

    assert_eq!(error.code(), "unsupported_version");
    assert!(!path.exists());
}

/// Loads the three written files in PyTorch the way GPT-SoVITS's inference does and prints what
/// it found as JSON. `utils.HParams` is provided by a stand-in module with the same behaviour
/// (attributes set from a dict, mapping protocol), because the test must not depend on a
/// GPT-SoVITS checkout.
const PYTHON_CHECK: &str = r#"
import io, json, sys
sys.path.insert(0, sys.argv[1])
import torch

def checksum(t):
    words = t.contiguous().view(torch.int16).to(torch.int64).flatten()
    index = torch.arange(words.numel(), dtype=torch.int64) % 9973 + 1
    return int((words * index).sum())

def load_sovits(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != b"PK":
        data = b"PK" + data[2:]
    return torch.load(io.BytesIO(data), map_location="cpu", weights_only=False)

def describe(weights):
    return {k: [str(v.dtype), list(v.shape), checksum(v)] for k, v in weights.items()}

report = {}
for label, path in (("sovits_v2", sys.argv[2]), ("sovits_v2pro", sys.argv[3])):
    d = load_sovits(path)
    hps = d["config"]
    hps["model"]["semantic_frame_rate"] = "25hz"
    report[label] = {
        "item_access": [hps["data"]["filter_length"], hps["model"]["semantic_frame_rate"]],
        "config_class": type(hps).__module__ + "." + type(hps).__name__,
        "model_version": hps.model.version,
        "spec_channels": hps.data.filter_length // 2 + 1,
        "segment_frames": hps.train.segment_size // hps.data.hop_length,
        "model_kwargs": sorted(dict(**hps.model).keys()),
        "info": d["info"],
        "weights": describe(d["weight"]),
    }
g = torch.load(sys.argv[4], map_location="cpu", weights_only=True)
report["gpt"] = {
    "weight_class": type(g["weight"]).__name__,
    "config": g["config"],
    "info": g["info"],
    "weights": describe(g["weight"]),
}
print(json.dumps(report))
"#;

const HPARAMS_STAND_IN: &str = r#"
class HParams:
    def __init__(self, **kwargs):
        for key, value in kwargs.items():
            setattr(self, key, HParams(**value) if isinstance(value, dict) else value)

    def keys(self):
        return self.__dict__.keys()

    def __getitem__(self, key):
        return getattr(self, key)

    def __setitem__(self, key, value):
        setattr(self, key, value)
"#;

fn venv_python() -> Option<PathBuf> {
    // The repository root made canonical, so the venv finds its pyvenv.cfg however the checkout
    // was reached; the interpreter's own link must stay unresolved for the same reason.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .ok()?;
    let python = root.join(".venv/bin/python");
    python.exists().then_some(python)
}

fn rust_checksum(tensor: &RawTensor) -> i64 {
    tensor
        .data()
        .chunks_exact(2)
        .enumerate()
        .map(|(index, bytes)| {
            let word = i64::from(i16::from_le_bytes([bytes[0], bytes[1]]));
            word * (index as i64 % 9973 + 1)
        })
        .sum()
}

fn assert_weights_match(label: &str, report: &Value, path: &Path) {
    let mut file = WeightFile::open(path).unwrap();
    let weights = file.read_weights().unwrap();
    let described = report["weights"].as_object().unwrap();

    assert_eq!(described.len(), weights.len(), "{label}: tensor count");
    for (name, tensor) in &weights {
        let entry = &described[name];
        assert_eq!(entry[0], "torch.float16", "{label}: {name}");
        assert_eq!(
            entry[1],
            serde_json::json!(tensor.shape()),
            "{label}: {name}"
        );
        assert_eq!(entry[2], rust_checksum(tensor), "{label}: {name}");
    }
}

#[test]
fn written_files_load_in_pytorch_as_gpt_sovits_loads_them() {
    let Some(python) = venv_python() else {
        println!("skipped: no PyTorch python at .venv/bin/python");
        return;
    };
    let written = write_all();
    let stand_in = tempfile::tempdir().unwrap();
    std::fs::write(stand_in.path().join("utils.py"), HPARAMS_STAND_IN).unwrap();

    let output = Command::new(python)
        .arg("-c")
        .arg(PYTHON_CHECK)
        .arg(stand_in.path())
        .args([&written.sovits_v2, &written.sovits_v2pro, &written.gpt])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();

    let sovits = &report["sovits_v2"];
    assert_eq!(sovits["config_class"], "utils.HParams");
    assert_eq!(sovits["model_version"], "v2");
    assert_eq!(sovits["spec_channels"], 1025);
    assert_eq!(sovits["item_access"], serde_json::json!([2048, "25hz"]));
    assert_eq!(sovits["segment_frames"], 32);
    assert!(sovits["model_kwargs"]
        .as_array()
        .unwrap()
        .contains(&"upsample_rates".into()));
    assert_eq!(sovits["info"], "8epoch_96iteration");
    assert_weights_match("sovits_v2", sovits, &written.sovits_v2);
    assert_eq!(report["sovits_v2pro"]["model_version"], "v2Pro");
    assert_weights_match(
        "sovits_v2pro",
        &report["sovits_v2pro"],
        &written.sovits_v2pro,
    );

    let gpt = &report["gpt"];
    assert_eq!(gpt["weight_class"], "OrderedDict");
    assert_eq!(gpt["info"], "GPT-e15");
    assert_eq!(gpt["config"], read_golden("ckpt/tiny_s1_v2.ckpt").1);
    assert_weights_match("gpt", gpt, &written.gpt);
}

#[test]
fn v3_marker_is_reported_and_refused_for_training() {
    let written = write_all();
    let mut bytes = std::fs::read(&written.sovits_v2).unwrap();
    bytes[..2].copy_from_slice(b"02");
    let path = written.sovits_v2.with_file_name("v3.pth");
    std::fs::write(&path, bytes).unwrap();

    let inspection = inspect(&path).unwrap();
    let error = inspection.ensure_trainable().unwrap_err();

    assert_eq!(inspection.version.as_deref(), Some("v3"));
    assert_eq!(
        error.to_string(),
        format!(
            "{}: a v3 SoVITS file; this version trains v2",
            path.display()
        )
    );
}

#[test]
fn legacy_torch_format_is_named() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("old.pth");
    std::fs::write(&path, b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.").unwrap();

    let error = inspect(&path).unwrap_err();

    assert_eq!(error.code(), "unsupported_version");
    assert!(
        error.to_string().contains("legacy (PyTorch < 1.6)"),
        "{error}"
    );
}
