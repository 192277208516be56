//! CTranslate2 `model.bin`, the weight file of faster-whisper model folders.
//!
//! Layout (all little-endian), as CTranslate2's `ModelSpec._serialize` writes it and its C++
//! loader reads it: `u32` binary version; from version 2 a string spec name and a `u32` spec
//! revision; `u32` variable count; per variable a string name, `u8` rank, `rank × u32` dims,
//! then from version 4 a `u8` type id and a `u32` byte count (before version 4 a `u8` item size
//! and a `u32` element count), then the bytes; from version 3 a `u32` alias count and pairs of
//! strings. A string is a `u16` length that counts a trailing NUL, then the bytes and the NUL.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::dtype::Dtype;
use crate::error::{Result, WeightsError};
use crate::raw::{element_count, RawTensor};
use crate::safetensors_io::TensorInfo;

/// The newest `model.bin` binary version this reader knows.
pub const CT2_LATEST_BINARY_VERSION: u32 = 6;

/// The contents of a CTranslate2 `model.bin`.
#[derive(Clone, Debug, Default)]
pub struct Ct2Model {
    /// The binary format version (1 to 6).
    pub binary_version: u32,
    /// The model specification name (`WhisperSpec`, ...); empty before binary version 2.
    pub spec_name: String,
    /// The revision of the specification.
    pub spec_revision: u32,
    /// Name, dtype and shape of every variable, in file order.
    pub infos: Vec<TensorInfo>,
    /// The variables' data, in file order, when it was asked for.
    pub tensors: Vec<(String, RawTensor)>,
    /// `(alias, variable)` pairs: names that refer to another variable's data.
    pub aliases: Vec<(String, String)>,
}

/// Reads `model.bin` with all variable data.
pub fn read_ct2_model(path: &Path) -> Result<Ct2Model> {
    Ct2Reader::open(path)?.read(true)
}

/// Reads `model.bin` without the variable data (it is skipped over).
pub fn read_ct2_header(path: &Path) -> Result<Ct2Model> {
    Ct2Reader::open(path)?.read(false)
}

struct Ct2Reader {
    path: PathBuf,
    input: BufReader<File>,
    remaining: u64,
}

impl Ct2Reader {
    fn open(path: &Path) -> Result<Self> {
        let file = File::open(path).map_err(|error| WeightsError::io(path, error))?;
        let length = file
            .metadata()
            .map_err(|error| WeightsError::io(path, error))?
            .len();
        Ok(Self {
            path: path.to_path_buf(),
            input: BufReader::new(file),
            remaining: length,
        })
    }

    fn read(mut self, with_data: bool) -> Result<Ct2Model> {
        let mut model = Ct2Model {
            binary_version: self.u32()?,
            ..Ct2Model::default()
        };
        self.check_version(model.binary_version)?;
        if model.binary_version >= 2 {
            model.spec_name = self.string()?;
            model.spec_revision = self.u32()?;
        }

        let count = self.u32()?;
        for _ in 0..count {
            let (info, data) = self.variable(model.binary_version, with_data)?;
            if let Some(data) = data {
                let tensor = RawTensor::new(info.dtype, info.shape.clone(), data)
                    .map_err(|problem| self.invalid(format!("variable {}", info.name), problem))?;
                model.tensors.push((info.name.clone(), tensor));
            }
            model.infos.push(info);
        }

        if model.binary_version >= 3 {
            let alias_count = self.u32()?;
            for _ in 0..alias_count {
                model.aliases.push((self.string()?, self.string()?));
            }
        }
        Ok(model)
    }

    fn check_version(&self, version: u32) -> Result<()> {
        if (1..=CT2_LATEST_BINARY_VERSION).contains(&version) {
            return Ok(());
        }
        Err(WeightsError::UnsupportedVersion {
            path: self.path.clone(),
            detail: format!(
                "CTranslate2 binary version {version}; this version reads 1 to \
                 {CT2_LATEST_BINARY_VERSION}"
            ),
        })
    }

    fn variable(&mut self, version: u32, with_data: bool) -> Result<(TensorInfo, Option<Vec<u8>>)> {
        let name = self.string()?;
        let rank = self.u8()?;
        let shape = (0..rank)
            .map(|_| Ok(self.u32()? as usize))
            .collect::<Result<Vec<_>>>()?;

        let (dtype, byte_count) = if version >= 4 {
            let id = self.u8()?;
            let dtype = self.dtype_from_id(&name, id)?;
            (dtype, u64::from(self.u32()?))
        } else {
            let size = self.u8()?;
            let dtype = self.dtype_from_item_size(&name, size)?;
            (dtype, u64::from(self.u32()?) * dtype.size() as u64)
        };

        let expected = element_count(&shape).and_then(|count| count.checked_mul(dtype.size()));
        if expected.map(|bytes| bytes as u64) != Some(byte_count) {
            let found = format!("{byte_count} bytes for a {dtype} tensor of shape {shape:?}");
            return Err(self.invalid(format!("a consistent variable {name}"), found));
        }

        let data = if with_data {
            Some(self.bytes(byte_count)?)
        } else {
            self.skip(byte_count)?
        };
        Ok((TensorInfo { name, dtype, shape }, data))
    }

    fn dtype_from_id(&self, name: &str, id: u8) -> Result<Dtype> {
        // The order of CTranslate2's DataType enum.
        let dtype = match id {
            0 => Dtype::F32,
            1 => Dtype::I8,
            2 => Dtype::I16,
            3 => Dtype::I32,
            4 => Dtype::F16,
            5 => Dtype::BF16,
            _ => return Err(self.invalid(format!("a type id 0-5 for {name}"), format!("{id}"))),
        };
        Ok(dtype)
    }

    fn dtype_from_item_size(&self, name: &str, size: u8) -> Result<Dtype> {
        match size {
            4 => Ok(Dtype::F32),
            2 => Ok(Dtype::I16),
            1 => Ok(Dtype::I8),
            _ => Err(self.invalid(
                format!("an item size 1, 2 or 4 for {name}"),
                format!("{size}"),
            )),
        }
    }

    fn string(&mut self) -> Result<String> {
        let length = u64::from(u16::from_le_bytes(self.array::<2>()?));
        if length == 0 {
            return Err(self.invalid("a string length of at least 1", "0"));
        }
        let mut bytes = self.bytes(length)?;
        if bytes.pop() != Some(0) {
            return Err(self.invalid("a NUL-terminated string", "no NUL"));
        }
        String::from_utf8(bytes).map_err(|_| self.invalid("a UTF-8 string", "invalid UTF-8"))
    }

    fn u8(&mut self) -> Result<u8> {
        Ok(self.array::<1>()?[0])
    }

    fn u32(&mut self) -> Result<u32> {
        Ok(u32::from_le_bytes(self.array::<4>()?))
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        let bytes = self.bytes(N as u64)?;
        let mut array = [0u8; N];
        array.copy_from_slice(&bytes);
        Ok(array)
    }

    fn bytes(&mut self, count: u64) -> Result<Vec<u8>> {
        self.reserve(count)?;
        let mut buffer = vec![0u8; count as usize];
        self.input
            .read_exact(&mut buffer)
            .map_err(|error| WeightsError::io(&self.path, error))?;
        Ok(buffer)
    }

    fn skip(&mut self, count: u64) -> Result<Option<Vec<u8>>> {
        self.reserve(count)?;
        let offset = i64::try_from(count)
            .map_err(|_| self.invalid("a smaller variable", "one over 2^63 bytes"))?;
        self.input
            .seek(SeekFrom::Current(offset))
            .map_err(|error| WeightsError::io(&self.path, error))?;
        Ok(None)
    }

    /// Fails before reading past the end, so a corrupt count never allocates a huge buffer.
    fn reserve(&mut self, count: u64) -> Result<()> {
        if count > self.remaining {
            return Err(self.invalid(
                format!("{count} more bytes"),
                format!("{} bytes left (truncated)", self.remaining),
            ));
        }
        self.remaining -= count;
        Ok(())
    }

    fn invalid(&self, expected: impl Into<String>, found: impl Into<String>) -> WeightsError {
        WeightsError::invalid(
            &self.path,
            format!("a CTranslate2 model.bin: {}", expected.into()),
            found,
        )
    }
}
