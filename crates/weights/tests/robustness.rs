//! Hostile, truncated and corrupted files give precise errors, never a panic, and nothing runs.

mod common;

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::golden;
use gsv_weights::torch_zip::{write_torch_zip, TorchZipContents};
use gsv_weights::{inspect, unpickle, WeightFile};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }
}

fn write_zip(path: &Path, pickle: &[u8]) {
    let mut file = File::create(path).unwrap();
    let contents = TorchZipContents {
        prefix: "archive",
        pickle,
        storages: Vec::new(),
        marker: None,
    };
    write_torch_zip(&mut file, &contents).unwrap();
}

/// Opens and fully reads a file; any outcome but a panic is acceptable, and an error must name
/// the file.
fn open_and_read(path: &Path) -> Result<usize, String> {
    let mut file = WeightFile::open(path).map_err(|error| error.to_string())?;
    let weights = file.read_weights().map_err(|error| error.to_string())?;
    Ok(weights.len())
}

#[test]
fn pickle_calling_os_system_is_refused_and_nothing_runs() {
    let folder = tempfile::tempdir().unwrap();
    let sentinel = folder.path().join("pwned");
    let command = format!("touch {}", sentinel.display());
    let mut pickle = b"\x80\x02cposix\nsystem\nX".to_vec();
    pickle.extend((command.len() as u32).to_le_bytes());
    pickle.extend(command.as_bytes());
    pickle.extend(b"\x85R.");
    let path = folder.path().join("hostile.pth");
    write_zip(&path, &pickle);

    let error = WeightFile::open(&path).unwrap_err();

    assert_eq!(error.code(), "refused_pickle");
    assert!(error.to_string().contains("`posix.system`"), "{error}");
    assert!(error.to_string().contains("hostile.pth"), "{error}");
    assert!(!sentinel.exists());
}

#[test]
fn builtins_eval_and_nested_reduce_are_refused() {
    for (module, name) in [
        ("builtins", "eval"),
        ("os", "system"),
        ("subprocess", "Popen"),
    ] {
        let pickle = format!("\u{80}\u{2}c{module}\n{name}\n)R.");
        let pickle: Vec<u8> = pickle.chars().map(|c| c as u8).collect();

        let error = unpickle(&pickle, Path::new("x.pkl")).unwrap_err();

        assert_eq!(error.code(), "refused_pickle");
        assert!(
            error.to_string().contains(&format!("`{module}.{name}`")),
            "{error}"
        );
    }
}

#[test]
fn zip_without_data_pkl_is_not_a_checkpoint() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("empty.pth");
    let mut zip = zip::ZipWriter::new(File::create(&path).unwrap());
    zip.start_file(
        "archive/other.txt",
        zip::write::SimpleFileOptions::default(),
    )
    .unwrap();
    zip.write_all(b"hello").unwrap();
    zip.finish().unwrap();

    let error = WeightFile::open(&path).unwrap_err();

    assert_eq!(error.code(), "invalid_format");
    assert!(
        error.to_string().contains("not a checkpoint: no data.pkl"),
        "{error}"
    );
}

#[test]
fn text_file_is_not_a_checkpoint_and_missing_file_is_not_found() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("notes.pth");
    std::fs::write(&path, "hello world").unwrap();

    let error = inspect(&path).unwrap_err();
    let missing = inspect(&folder.path().join("absent.pth")).unwrap_err();

    assert_eq!(error.code(), "invalid_format");
    assert!(error.to_string().contains("not a checkpoint"), "{error}");
    assert_eq!(missing.code(), "not_found");
}

#[test]
fn every_truncation_of_a_checkpoint_is_an_error_naming_the_file() {
    let original = std::fs::read(golden("ckpt/tiny_s1_v2.ckpt")).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("cut.ckpt");
    let mut random = Random(0x5eed);

    let mut lengths: Vec<usize> = (0..300).map(|_| random.below(original.len())).collect();
    lengths.extend([0, 1, 2, 3, 4, 100, original.len() - 22, original.len() - 1]);
    for length in lengths {
        std::fs::write(&path, &original[..length]).unwrap();

        let outcome = open_and_read(&path);

        let error = outcome.expect_err(&format!("a file cut at {length} bytes was accepted"));
        assert!(
            error.contains("cut.ckpt"),
            "error without the file name: {error}"
        );
    }
}

#[test]
fn byte_flips_in_a_checkpoint_never_panic() {
    let original = std::fs::read(golden("ckpt/tiny_s1_v2.ckpt")).unwrap();
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("flipped.ckpt");
    let mut random = Random(0xf11b);
    let pickle_start = find(&original, b"data.pkl").expect("data.pkl member") + 8;

    for round in 0..400 {
        let mut bytes = original.clone();
        let flips = 1 + random.below(4);
        for _ in 0..flips {
            // Half the rounds aim at the pickle, where the interpreter is exercised.
            let position = if round % 2 == 0 {
                pickle_start + random.below(4000)
            } else {
                random.below(bytes.len())
            };
            bytes[position] ^= 1 << random.below(8);
        }
        std::fs::write(&path, &bytes).unwrap();

        if let Err(error) = open_and_read(&path) {
            assert!(
                error.contains("flipped.ckpt"),
                "error without the file name: {error}"
            );
        }
    }
}

#[test]
fn random_mutations_of_real_pickles_never_panic() {
    let mut archive = gsv_weights::TorchArchive::open(&golden("ckpt/tiny_s2G_v2.pth")).unwrap();
    let member = format!("{}/data.pkl", archive.prefix());
    let pickle = read_member(&golden("ckpt/tiny_s2G_v2.pth"), &member);
    archive.read_pickle().unwrap();
    let mut random = Random(42);

    for _ in 0..3000 {
        let mut bytes = pickle.clone();
        match random.below(3) {
            0 => bytes.truncate(random.below(bytes.len())),
            1 => {
                for _ in 0..1 + random.below(8) {
                    let position = random.below(bytes.len());
                    bytes[position] = random.next() as u8;
                }
            }
            _ => {
                let start = random.below(bytes.len());
                let end = (start + random.below(64)).min(bytes.len());
                let chunk = bytes[start..end].to_vec();
                let at = random.below(bytes.len());
                bytes.splice(at..at, chunk);
            }
        }

        let _ = unpickle(&bytes, Path::new("mutated.pkl"));
    }
}

fn read_member(path: &Path, member: &str) -> Vec<u8> {
    let mut zip = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
    let mut entry = zip.by_name(member).unwrap();
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut entry, &mut bytes).unwrap();
    bytes
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

#[test]
fn torch_written_pickle_with_views_and_hparams_reads_as_documented() {
    let seed = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds/unpickle/state_dict_with_hparams");
    let bytes = std::fs::read(&seed).unwrap();

    let root = unpickle(&bytes, &seed).unwrap();

    let weight = root.get("weight").unwrap();
    let transposed = weight
        .get("a.t")
        .and_then(|value| value.as_tensor())
        .unwrap();
    let tied = weight
        .get("tied")
        .and_then(|value| value.as_tensor())
        .unwrap();
    assert_eq!(transposed.shape, vec![4, 3]);
    assert_eq!(transposed.stride, vec![1, 4]);
    assert_eq!(transposed.storage_key, tied.storage_key);
    assert_eq!(
        root.get("config").unwrap().to_json()["train"]["betas"],
        serde_json::json!([0.8, 0.99])
    );
    assert_eq!(
        root.get("info").and_then(|value| value.as_str()),
        Some("8epoch_96iteration")
    );
}
