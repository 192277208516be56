//! The `torch.save` container: an uncompressed zip with `<prefix>/data.pkl`, one record per
//! storage under `<prefix>/data/`, and a few small records (`version`, `byteorder`, ...).
//!
//! GPT-SoVITS also writes a variant whose first two bytes, normally `PK`, hold a version marker
//! (`process_ckpt.my_save2`). The reader puts `PK` back while reading, the way upstream's
//! `load_sovits_new` does, and reports the marker.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipArchive, ZipWriter};

use crate::error::{Result, WeightsError};
use crate::pickle::{unpickle, PickleValue, TensorRef};
use crate::raw::RawTensor;

/// The two bytes GPT-SoVITS writes instead of `PK`, and the SoVITS version each stands for
/// (`process_ckpt.head2version`). `03` and `04` mark LoRA files of v3 and v4.
pub const VERSION_MARKERS: &[(&[u8; 2], &str)] = &[
    (b"00", "v1"),
    (b"01", "v2"),
    (b"02", "v3"),
    (b"03", "v3"),
    (b"04", "v4"),
    (b"05", "v2Pro"),
    (b"06", "v2ProPlus"),
];

/// Storages start at multiples of this many bytes in files torch writes.
const STORAGE_ALIGNMENT: u16 = 64;

/// An open `torch.save` zip archive.
pub struct TorchArchive {
    path: PathBuf,
    zip: ZipArchive<MarkerRestoringReader>,
    prefix: String,
    marker: Option<[u8; 2]>,
    file_length: u64,
}

impl std::fmt::Debug for TorchArchive {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("TorchArchive")
            .field("path", &self.path)
            .field("prefix", &self.prefix)
            .field("marker", &self.marker)
            .finish()
    }
}

impl TorchArchive {
    /// Opens a `.pth`, `.ckpt` or `.bin` written by `torch.save` (or by GPT-SoVITS's
    /// marker-headed variant).
    pub fn open(path: &Path) -> Result<Self> {
        let mut file = File::open(path).map_err(|error| WeightsError::io(path, error))?;
        let marker = read_marker(path, &mut file)?;
        let file_length = file
            .metadata()
            .map_err(|error| WeightsError::io(path, error))?
            .len();

        let reader = MarkerRestoringReader {
            inner: BufReader::new(file),
            position: 0,
        };
        let zip = ZipArchive::new(reader).map_err(|error| zip_error(path, error))?;
        let prefix = find_prefix(path, &zip)?;

        let mut archive = Self {
            path: path.to_path_buf(),
            zip,
            prefix,
            marker,
            file_length,
        };
        archive.check_byte_order()?;
        Ok(archive)
    }

    /// The file this archive was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The top-level folder inside the zip (`archive`, `pytorch_model`, a timestamp, ...).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The version marker that replaced `PK`, if any, as its two ASCII bytes.
    pub fn marker(&self) -> Option<[u8; 2]> {
        self.marker
    }

    /// The number of members in the zip.
    pub fn member_count(&self) -> usize {
        self.zip.len()
    }

    /// Unpickles `<prefix>/data.pkl` with the safe unpickler.
    pub fn read_pickle(&mut self) -> Result<PickleValue> {
        let member = format!("{}/data.pkl", self.prefix);
        let bytes = self.read_member(&member)?;
        unpickle(&bytes, &self.path.join(&member))
    }

    /// Reads the bytes of one storage record.
    pub fn read_storage(&mut self, key: &str) -> Result<Vec<u8>> {
        if key.contains(['/', '\\']) || key.contains("..") {
            return Err(self.invalid("a plain storage key", format!("storage key {key:?}")));
        }
        self.read_member(&format!("{}/data/{key}", self.prefix))
    }

    /// Reads the tensors of a state dict, reading each storage once even when several tensors
    /// share it (tied weights).
    pub fn read_tensors(
        &mut self,
        refs: &[(&str, &TensorRef)],
    ) -> Result<Vec<(String, RawTensor)>> {
        let mut uses_left: HashMap<&str, usize> = HashMap::new();
        for (_, tensor) in refs {
            *uses_left.entry(tensor.storage_key.as_str()).or_default() += 1;
        }

        let mut cache: HashMap<String, Vec<u8>> = HashMap::new();
        let mut tensors = Vec::with_capacity(refs.len());
        for &(name, tensor) in refs {
            let key = tensor.storage_key.as_str();
            if !cache.contains_key(key) {
                let storage = self.read_checked_storage(tensor)?;
                cache.insert(key.to_owned(), storage);
            }
            let raw = self.view(name, tensor, &cache[key])?;
            let left = uses_left.get_mut(key).map(|count| {
                *count -= 1;
                *count
            });
            if left == Some(0) {
                cache.remove(key);
            }
            tensors.push((name.to_owned(), raw));
        }
        Ok(tensors)
    }

    fn read_checked_storage(&mut self, tensor: &TensorRef) -> Result<Vec<u8>> {
        let storage = self.read_storage(&tensor.storage_key)?;
        let expected = tensor.storage_numel.checked_mul(tensor.dtype.size());
        if expected != Some(storage.len()) {
            return Err(self.invalid(
                format!(
                    "{} elements of {} in storage {}",
                    tensor.storage_numel, tensor.dtype, tensor.storage_key
                ),
                format!("{} bytes", storage.len()),
            ));
        }
        Ok(storage)
    }

    fn view(&self, name: &str, tensor: &TensorRef, storage: &[u8]) -> Result<RawTensor> {
        RawTensor::from_strided_storage(
            storage,
            tensor.dtype,
            tensor.offset,
            &tensor.shape,
            &tensor.stride,
        )
        .map_err(|problem| self.invalid(format!("a valid view for tensor {name}"), problem))
    }

    fn check_byte_order(&mut self) -> Result<()> {
        let member = format!("{}/byteorder", self.prefix);
        if self.zip.index_for_name(&member).is_none() {
            return Ok(());
        }
        let order = self.read_member(&member)?;
        if order != b"little" {
            return Err(WeightsError::UnsupportedVersion {
                path: self.path.clone(),
                detail: format!(
                    "byte order {:?}; only little-endian checkpoints are read",
                    String::from_utf8_lossy(&order)
                ),
            });
        }
        Ok(())
    }

    fn read_member(&mut self, member: &str) -> Result<Vec<u8>> {
        let path = self.path.clone();
        let mut entry = match self.zip.by_name(member) {
            Ok(entry) => entry,
            Err(zip::result::ZipError::FileNotFound) => {
                return Err(WeightsError::invalid(
                    &path,
                    format!("a member {member}"),
                    "no such member",
                ));
            }
            Err(error) => return Err(zip_error(&path, error)),
        };
        if entry.compression() != CompressionMethod::Stored {
            let found = format!("{member} is compressed ({})", entry.compression());
            return Err(WeightsError::invalid(
                &path,
                "uncompressed members, as torch writes",
                found,
            ));
        }

        // The declared size is only a hint: a corrupt header must not reserve more than the file.
        let declared = entry.size().min(self.file_length);
        let mut bytes = Vec::with_capacity(usize::try_from(declared).unwrap_or(0));
        entry.read_to_end(&mut bytes).map_err(|error| {
            WeightsError::invalid(
                &path,
                format!("a readable member {member}"),
                error.to_string(),
            )
        })?;
        Ok(bytes)
    }

    fn invalid(&self, expected: impl Into<String>, found: impl Into<String>) -> WeightsError {
        WeightsError::invalid(&self.path, expected, found)
    }
}

/// The SoVITS version a marker stands for.
pub fn marker_version(marker: [u8; 2]) -> Option<&'static str> {
    VERSION_MARKERS
        .iter()
        .find(|(bytes, _)| **bytes == marker)
        .map(|(_, version)| *version)
}

fn read_marker(path: &Path, file: &mut File) -> Result<Option<[u8; 2]>> {
    let mut head = [0u8; 2];
    let read = file
        .read(&mut head)
        .map_err(|error| WeightsError::io(path, error))?;
    if read < 2 {
        return Err(WeightsError::invalid(
            path,
            "a PyTorch checkpoint",
            "a file shorter than 2 bytes",
        ));
    }
    if &head == b"PK" {
        return Ok(None);
    }
    if marker_version(head).is_some() {
        return Ok(Some(head));
    }
    if head[0] == 0x80 {
        return Err(WeightsError::UnsupportedVersion {
            path: path.to_path_buf(),
            detail: "the legacy (PyTorch < 1.6) torch.save format; re-save it with a newer torch"
                .into(),
        });
    }
    Err(WeightsError::invalid(
        path,
        "a PyTorch checkpoint (a zip starting with PK or a GPT-SoVITS version marker)",
        format!(
            "not a checkpoint: it starts with bytes {:02x} {:02x}",
            head[0], head[1]
        ),
    ))
}

fn find_prefix<R: Read + Seek>(path: &Path, zip: &ZipArchive<R>) -> Result<String> {
    let prefixes: Vec<String> = zip
        .file_names()
        .filter_map(|name| name.ok())
        .filter_map(|name| name.strip_suffix("/data.pkl").map(str::to_owned))
        .filter(|prefix| !prefix.is_empty() && !prefix.contains('/'))
        .collect();

    match &prefixes[..] {
        [prefix] => Ok(prefix.clone()),
        [] => Err(WeightsError::invalid(
            path,
            "a PyTorch checkpoint with <prefix>/data.pkl",
            "not a checkpoint: no data.pkl",
        )),
        _ => Err(WeightsError::invalid(
            path,
            "one <prefix>/data.pkl",
            format!("{} of them ({})", prefixes.len(), prefixes.join(", ")),
        )),
    }
}

fn zip_error(path: &Path, error: zip::result::ZipError) -> WeightsError {
    match error {
        zip::result::ZipError::Io(source) if source.kind() != std::io::ErrorKind::UnexpectedEof => {
            WeightsError::io(path, source)
        }
        other => WeightsError::invalid(path, "a readable zip archive", other.to_string()),
    }
}

/// Reads a file as if its first two bytes were `PK`.
struct MarkerRestoringReader {
    inner: BufReader<File>,
    position: u64,
}

impl Read for MarkerRestoringReader {
    fn read(&mut self, buffer: &mut [u8]) -> std::io::Result<usize> {
        let start = self.position;
        let count = self.inner.read(buffer)?;
        self.position += count as u64;
        for (index, byte) in b"PK".iter().enumerate() {
            let offset = index as u64;
            if offset >= start && offset < start + count as u64 {
                buffer[(offset - start) as usize] = *byte;
            }
        }
        Ok(count)
    }
}

impl Seek for MarkerRestoringReader {
    fn seek(&mut self, target: SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(target)?;
        Ok(self.position)
    }
}

/// What a torch zip holds: the pickle and the storage records, by key.
#[derive(Debug)]
pub struct TorchZipContents<'a> {
    /// The top-level folder name (`archive` is what `torch.save` uses for in-memory buffers).
    pub prefix: &'a str,
    /// The bytes of `data.pkl`.
    pub pickle: &'a [u8],
    /// `(key, bytes)` of every storage the pickle refers to.
    pub storages: Vec<(String, &'a [u8])>,
    /// Two bytes to put in place of `PK`, as GPT-SoVITS's `my_save2` does.
    pub marker: Option<[u8; 2]>,
}

/// Writes a torch zip to `file` (which must be empty and at its start): members in the order
/// `torch.save` writes them, uncompressed, storages aligned to 64 bytes.
pub fn write_torch_zip(file: &mut File, contents: &TorchZipContents<'_>) -> std::io::Result<()> {
    let mut zip = ZipWriter::new(&mut *file);
    let prefix = contents.prefix;

    add_member(&mut zip, &format!("{prefix}/data.pkl"), contents.pickle)?;
    add_member(&mut zip, &format!("{prefix}/.format_version"), b"1")?;
    add_member(&mut zip, &format!("{prefix}/.storage_alignment"), b"64")?;
    add_member(&mut zip, &format!("{prefix}/byteorder"), b"little")?;
    for (key, bytes) in &contents.storages {
        add_member(&mut zip, &format!("{prefix}/data/{key}"), bytes)?;
    }
    add_member(&mut zip, &format!("{prefix}/version"), b"3\n")?;
    zip.finish().map_err(std::io::Error::other)?;

    if let Some(marker) = contents.marker {
        file.seek(SeekFrom::Start(0))?;
        file.write_all(&marker)?;
    }
    Ok(())
}

fn add_member<W: Write + Seek>(
    zip: &mut ZipWriter<W>,
    name: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    let options = SimpleFileOptions::default()
        .compression_method(CompressionMethod::Stored)
        .with_alignment(STORAGE_ALIGNMENT)
        .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
    zip.start_file(name, options)
        .map_err(std::io::Error::other)?;
    zip.write_all(bytes)
}
