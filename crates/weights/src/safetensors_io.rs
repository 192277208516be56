//! safetensors files, through the `safetensors` crate.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use safetensors::tensor::{Metadata, TensorView};
use safetensors::{Dtype as StDtype, SafeTensors};

use crate::atomic::write_atomically;
use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};
use crate::raw::RawTensor;

/// Name, dtype and shape of a stored tensor, without its data.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct TensorInfo {
    /// The parameter name.
    pub name: String,
    /// The element type.
    pub dtype: Dtype,
    /// The shape.
    pub shape: Vec<usize>,
}

/// The contents of a safetensors file, in file order.
#[derive(Clone, Debug, Default)]
pub struct SafetensorsContents {
    /// `(name, tensor)` in the order of their data in the file.
    pub tensors: Vec<(String, RawTensor)>,
    /// The free-form `__metadata__` map.
    pub metadata: HashMap<String, String>,
}

/// Reads a whole safetensors file.
pub fn read_safetensors(path: &Path) -> Result<SafetensorsContents> {
    let bytes = std::fs::read(path).map_err(|error| WeightsError::io(path, error))?;
    let invalid = |error: safetensors::SafeTensorError| {
        WeightsError::invalid(path, "a safetensors file", error.to_string())
    };
    let (_, metadata) = SafeTensors::read_metadata(&bytes).map_err(invalid)?;
    let file = SafeTensors::deserialize(&bytes).map_err(invalid)?;

    let mut tensors = Vec::with_capacity(file.len());
    for name in metadata.offset_keys() {
        let view = file.tensor(&name).map_err(invalid)?;
        tensors.push((name.clone(), to_raw(path, &name, &view)?));
    }
    let metadata = metadata.metadata().clone().unwrap_or_default();
    Ok(SafetensorsContents { tensors, metadata })
}

/// Lists the tensors of a safetensors file from its header alone.
pub fn read_safetensors_header(path: &Path) -> Result<(Vec<TensorInfo>, HashMap<String, String>)> {
    let header = read_header_bytes(path)?;
    let metadata: Metadata = serde_json::from_slice(&header).map_err(|error| {
        WeightsError::invalid(path, "a safetensors JSON header", error.to_string())
    })?;

    let infos = metadata
        .offset_keys()
        .into_iter()
        .map(|name| {
            let info = metadata.info(&name).ok_or_else(|| {
                WeightsError::invalid(
                    path,
                    "a consistent safetensors header",
                    format!("no entry for {name}"),
                )
            })?;
            let dtype = from_safetensors_dtype(path, &name, info.dtype)?;
            Ok(TensorInfo {
                name,
                dtype,
                shape: info.shape.clone(),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok((infos, metadata.metadata().clone().unwrap_or_default()))
}

fn read_header_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|error| WeightsError::io(path, error))?;
    let file_length = file
        .metadata()
        .map_err(|error| WeightsError::io(path, error))?
        .len();
    let mut length_bytes = [0u8; 8];
    file.read_exact(&mut length_bytes).map_err(|_| {
        WeightsError::invalid(path, "a safetensors file", "fewer than 8 bytes (truncated)")
    })?;

    let header_length = u64::from_le_bytes(length_bytes);
    if header_length > file_length.saturating_sub(8) || header_length > 100_000_000 {
        let found = format!("a header of {header_length} bytes in a file of {file_length}");
        return Err(WeightsError::invalid(path, "a safetensors file", found));
    }
    let mut header = vec![0u8; header_length as usize];
    file.read_exact(&mut header)
        .map_err(|error| WeightsError::io(path, error))?;
    Ok(header)
}

/// Writes tensors and metadata as a safetensors file, atomically.
pub fn write_safetensors(
    path: &Path,
    tensors: &[(String, RawTensor)],
    metadata: HashMap<String, String>,
) -> Result<()> {
    let views = tensors
        .iter()
        .map(|(name, tensor)| {
            let view = TensorView::new(
                to_safetensors_dtype(tensor.dtype()),
                tensor.shape().to_vec(),
                tensor.data(),
            )
            .map_err(|error| {
                WeightsError::invalid(path, format!("a valid tensor {name}"), error.to_string())
            })?;
            Ok((name.as_str(), view))
        })
        .collect::<Result<Vec<_>>>()?;
    let metadata = (!metadata.is_empty()).then_some(metadata);
    let bytes = safetensors::serialize(views, metadata).map_err(|error| {
        WeightsError::invalid(path, "tensors safetensors can hold", error.to_string())
    })?;

    write_atomically(path, |file| file.write_all(&bytes))
}

fn to_raw(path: &Path, name: &str, view: &TensorView<'_>) -> Result<RawTensor> {
    let dtype = from_safetensors_dtype(path, name, view.dtype())?;
    RawTensor::new(dtype, view.shape().to_vec(), view.data().to_vec()).map_err(|problem| {
        WeightsError::invalid(path, format!("consistent tensor {name}"), problem)
    })
}

fn from_safetensors_dtype(path: &Path, name: &str, dtype: StDtype) -> Result<Dtype> {
    let ours = match dtype {
        StDtype::BOOL => Dtype::Bool,
        StDtype::U8 => Dtype::U8,
        StDtype::I8 => Dtype::I8,
        StDtype::I16 => Dtype::I16,
        StDtype::F16 => Dtype::F16,
        StDtype::BF16 => Dtype::BF16,
        StDtype::I32 => Dtype::I32,
        StDtype::F32 => Dtype::F32,
        StDtype::F64 => Dtype::F64,
        StDtype::I64 => Dtype::I64,
        other => {
            return Err(WeightsError::UnsupportedDtype {
                path: path.to_path_buf(),
                name: name.to_owned(),
                dtype: format!("{other:?}"),
                detail: "expected a float (f16/bf16/f32/f64), integer or bool type".into(),
            });
        }
    };
    Ok(ours)
}

fn to_safetensors_dtype(dtype: Dtype) -> StDtype {
    match dtype {
        Dtype::Bool => StDtype::BOOL,
        Dtype::U8 => StDtype::U8,
        Dtype::I8 => StDtype::I8,
        Dtype::I16 => StDtype::I16,
        Dtype::F16 => StDtype::F16,
        Dtype::BF16 => StDtype::BF16,
        Dtype::I32 => StDtype::I32,
        Dtype::F32 => StDtype::F32,
        Dtype::F64 => StDtype::F64,
        Dtype::I64 => StDtype::I64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_then_read_keeps_tensors_and_metadata() {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("t.safetensors");
        let weight = RawTensor::from_f32(vec![2, 2], &[1.0, -2.0, 3.5, 0.25]).unwrap();
        let steps = RawTensor::new(Dtype::I64, vec![1], 7i64.to_le_bytes().to_vec()).unwrap();
        let tensors = vec![("w".to_string(), weight), ("step".to_string(), steps)];
        let metadata = HashMap::from([("k".to_string(), "v".to_string())]);

        write_safetensors(&path, &tensors, metadata.clone()).unwrap();
        let read = read_safetensors(&path).unwrap();
        let (header, _) = read_safetensors_header(&path).unwrap();

        let mut read_sorted = read.tensors.clone();
        read_sorted.sort_by(|a, b| a.0.cmp(&b.0));
        let mut expected = tensors.clone();
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(read_sorted, expected);
        assert_eq!(read.metadata, metadata);
        assert_eq!(header.len(), 2);
    }
}
