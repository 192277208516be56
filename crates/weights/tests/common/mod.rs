//! Helpers shared by the integration tests: where the golden fixtures are, and comparisons.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use gsv_weights::{read_safetensors, RawTensor};

/// `shared/golden` beside the repository. Panics (failing the test) when it is missing.
pub fn golden(relative: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/golden");
    let path = root.join(relative);
    assert!(
        path.exists(),
        "golden fixture {} is missing",
        path.display()
    );
    path
}

/// The `w.*` tensors of a golden case file, without the `w.` prefix.
pub fn golden_weights(relative: &str) -> HashMap<String, RawTensor> {
    let contents = read_safetensors(&golden(relative)).expect("golden safetensors reads");
    contents
        .tensors
        .into_iter()
        .filter_map(|(name, tensor)| Some((name.strip_prefix("w.")?.to_owned(), tensor)))
        .collect()
}

/// The documented facts about one checkpoint in `ckpt/ckpt_formats.json`.
pub fn ckpt_format(file: &str) -> serde_json::Value {
    let text = std::fs::read(golden("ckpt/ckpt_formats.json")).unwrap();
    let formats: serde_json::Value = serde_json::from_slice(&text).unwrap();
    formats[file].clone()
}

/// Asserts two tensors hold the same dtype, shape and bytes.
pub fn assert_same_tensor(name: &str, found: &RawTensor, expected: &RawTensor) {
    assert_eq!(found.dtype(), expected.dtype(), "dtype of {name}");
    assert_eq!(found.shape(), expected.shape(), "shape of {name}");
    assert!(found.data() == expected.data(), "values of {name} differ");
}
