//! CTranslate2 (faster-whisper) folders. No such folder is among the golden fixtures, so the test
//! builds a small `model.bin` byte by byte from the layout CTranslate2's `ModelSpec._serialize`
//! documents, with the files faster-whisper keeps beside it.

use std::path::Path;

use gsv_weights::{inspect, read_ct2_model, Container, Dtype, ModelKind, WeightFile};

struct Variable<'a> {
    name: &'a str,
    shape: &'a [u32],
    type_id: u8,
    data: Vec<u8>,
}

fn push_string(out: &mut Vec<u8>, text: &str) {
    out.extend(((text.len() + 1) as u16).to_le_bytes());
    out.extend(text.as_bytes());
    out.push(0);
}

fn model_bin(version: u32, variables: &[Variable<'_>], aliases: &[(&str, &str)]) -> Vec<u8> {
    let mut out = version.to_le_bytes().to_vec();
    push_string(&mut out, "WhisperSpec");
    out.extend(3u32.to_le_bytes());
    out.extend((variables.len() as u32).to_le_bytes());
    for variable in variables {
        push_string(&mut out, variable.name);
        out.push(variable.shape.len() as u8);
        for dim in variable.shape {
            out.extend(dim.to_le_bytes());
        }
        out.push(variable.type_id);
        out.extend((variable.data.len() as u32).to_le_bytes());
        out.extend(&variable.data);
    }
    out.extend((aliases.len() as u32).to_le_bytes());
    for (alias, target) in aliases {
        push_string(&mut out, alias);
        push_string(&mut out, target);
    }
    out
}

fn sample_variables() -> Vec<Variable<'static>> {
    let conv: Vec<u8> = (0..6)
        .flat_map(|i| half::f16::from_f32(i as f32 * 0.5).to_le_bytes())
        .collect();
    let embedding: Vec<u8> = [1.0f32, -1.0, 0.25, 8.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    vec![
        Variable {
            name: "encoder/conv1/weight",
            shape: &[2, 1, 3],
            type_id: 4,
            data: conv,
        },
        Variable {
            name: "decoder/embeddings/weight",
            shape: &[2, 2],
            type_id: 0,
            data: embedding,
        },
        Variable {
            name: "decoder/scale",
            shape: &[],
            type_id: 3,
            data: 7i32.to_le_bytes().to_vec(),
        },
    ]
}

fn write_folder(folder: &Path, bytes: &[u8]) {
    std::fs::write(folder.join("model.bin"), bytes).unwrap();
    std::fs::write(
        folder.join("config.json"),
        r#"{"suppress_ids": [1, 2], "lang_ids": [50259]}"#,
    )
    .unwrap();
    std::fs::write(folder.join("tokenizer.json"), "{}").unwrap();
    std::fs::write(folder.join("vocabulary.txt"), "<|endoftext|>\n").unwrap();
}

#[test]
fn ctranslate2_folder_reads_variables_and_aliases() {
    let folder = tempfile::tempdir().unwrap();
    let aliases = [("decoder/projection/weight", "decoder/embeddings/weight")];
    write_folder(folder.path(), &model_bin(6, &sample_variables(), &aliases));

    let inspection = inspect(folder.path()).unwrap();
    let mut file = WeightFile::open(folder.path()).unwrap();
    let tensors = file.read_weights().unwrap();

    assert_eq!(inspection.kind, ModelKind::WhisperCTranslate2);
    assert_eq!(
        inspection.container,
        Container::CTranslate2 {
            binary_version: 6,
            spec: "WhisperSpec".to_owned()
        }
    );
    assert_eq!(inspection.dtypes, vec![Dtype::F16, Dtype::F32, Dtype::I32]);
    assert_eq!(inspection.config.as_ref().unwrap()["lang_ids"][0], 50259);
    assert_eq!(
        file.aliases(),
        &[(
            "decoder/projection/weight".to_owned(),
            "decoder/embeddings/weight".to_owned()
        )]
    );
    assert_eq!(
        tensors[0].1.to_f32_vec().unwrap(),
        vec![0.0, 0.5, 1.0, 1.5, 2.0, 2.5]
    );
    assert_eq!(
        tensors[1].1.to_f32_vec().unwrap(),
        vec![1.0, -1.0, 0.25, 8.0]
    );
    assert_eq!(tensors[2].1.shape(), &[] as &[usize]);
    assert_eq!(tensors[2].1.to_i64_vec().unwrap(), vec![7]);
}

#[test]
fn newer_binary_version_is_refused_by_name() {
    let folder = tempfile::tempdir().unwrap();
    write_folder(folder.path(), &model_bin(7, &sample_variables(), &[]));

    let error = WeightFile::open(folder.path()).unwrap_err();

    assert_eq!(error.code(), "unsupported_version");
    assert!(
        error.to_string().contains("CTranslate2 binary version 7"),
        "{error}"
    );
}

#[test]
fn every_truncation_of_model_bin_is_an_error() {
    let folder = tempfile::tempdir().unwrap();
    let bytes = model_bin(6, &sample_variables(), &[("a", "b")]);
    let path = folder.path().join("model.bin");

    for length in 0..bytes.len() {
        std::fs::write(&path, &bytes[..length]).unwrap();

        let error = read_ct2_model(&path).expect_err("a truncated model.bin was accepted");

        assert!(error.to_string().contains("model.bin"), "{error}");
    }
}

#[test]
fn payload_size_that_disagrees_with_the_shape_is_an_error() {
    let folder = tempfile::tempdir().unwrap();
    let mut variables = sample_variables();
    variables[1].shape = &[3, 2];
    write_folder(folder.path(), &model_bin(6, &variables, &[]));

    let error = read_ct2_model(&folder.path().join("model.bin")).unwrap_err();

    assert_eq!(error.code(), "invalid_format");
    assert!(
        error.to_string().contains("decoder/embeddings/weight"),
        "{error}"
    );
}

#[test]
fn model_bin_given_as_a_file_opens_its_folder() {
    let folder = tempfile::tempdir().unwrap();
    write_folder(folder.path(), &model_bin(6, &sample_variables(), &[]));

    let inspection = inspect(&folder.path().join("model.bin")).unwrap();

    assert_eq!(inspection.kind, ModelKind::WhisperCTranslate2);
    assert_eq!(inspection.tensor_count, 3);
}
