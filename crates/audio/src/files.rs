//! Finding the audio files among the paths a user dropped.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{AudioError, Result};

/// File extensions looked for inside folders (lower case). A file named directly is always
/// tried, whatever its extension.
pub const AUDIO_EXTENSIONS: &[&str] = &[
    "wav", "wave", "flac", "mp3", "ogg", "oga", "opus", "m4a", "mp4", "aac", "mka", "webm",
];

/// Expands files and folders into the list of audio files to import.
///
/// Folders are searched recursively (symbolic links to folders are not followed, so a link loop
/// cannot trap the search; hidden entries are ignored); the files of a folder come sorted by path.
/// A path named twice is kept once. A path that does not exist is an error naming it.
pub fn collect_audio_files(sources: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for source in sources {
        let metadata = std::fs::metadata(source).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => AudioError::NotFound {
                path: source.clone(),
            },
            _ => AudioError::io(source, err),
        })?;
        if metadata.is_dir() {
            let mut found = Vec::new();
            walk_folder(source, &mut found)?;
            found.sort();
            files.extend(found);
        } else {
            files.push(source.clone());
        }
    }

    let mut seen = HashSet::new();
    files.retain(|path| seen.insert(path.clone()));
    Ok(files)
}

fn walk_folder(folder: &Path, found: &mut Vec<PathBuf>) -> Result<()> {
    let entries = std::fs::read_dir(folder).map_err(|e| AudioError::io(folder, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| AudioError::io(folder, e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let file_type = entry.file_type().map_err(|e| AudioError::io(&path, e))?;
        if file_type.is_dir() {
            walk_folder(&path, found)?;
        } else if has_audio_extension(&path) && std::fs::metadata(&path).is_ok_and(|m| m.is_file())
        {
            found.push(path);
        }
    }
    Ok(())
}

fn has_audio_extension(path: &Path) -> bool {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .is_some_and(|e| AUDIO_EXTENSIONS.contains(&e.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_searched_recursively_and_sorted() {
        let dir = tempfile::tempdir().unwrap();
        let nested = dir.path().join("录音 集").join("日本語 フォルダ");
        std::fs::create_dir_all(&nested).unwrap();
        for path in [
            nested.join("b.WAV"),
            dir.path().join("a.mp3"),
            dir.path().join("notes.txt"),
            dir.path().join(".hidden.wav"),
        ] {
            std::fs::write(path, b"x").unwrap();
        }
        let explicit = dir.path().join("notes.txt");
        let files = collect_audio_files(&[dir.path().to_path_buf(), explicit.clone()]).unwrap();
        assert_eq!(
            files,
            vec![dir.path().join("a.mp3"), nested.join("b.WAV"), explicit]
        );

        let missing = collect_audio_files(&[dir.path().join("nope.wav")]).unwrap_err();
        assert_eq!(missing.code(), "not_found");
    }
}
