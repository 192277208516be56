//! The TypeScript types the UI uses are generated from the Rust types; this test fails when the
//! checked-in files in `ui/src/bindings/` differ from what the Rust types produce, and rewrites
//! them so that the next run (after a review of the diff) passes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use gsv_core::params::{AudioSliceParams, GptTrainParams, ModelStageParams, SovitsTrainParams};
use gsv_core::{
    DeleteOutcome, ErrorPayload, Event, ExecuteOutcome, ExperimentDetail, ExperimentPage,
    ExperimentUpdate, ListQuery, NewExperiment, StageParams,
};
use ts_rs::TS;

/// Writes one root type and everything it uses into a folder.
type Export = fn(&Path) -> Result<(), ts_rs::ExportError>;

fn export_all(dir: &Path) {
    let exports: [Export; 14] = [
        |dir| ExperimentDetail::export_all_to(dir),
        |dir| ExperimentPage::export_all_to(dir),
        |dir| NewExperiment::export_all_to(dir),
        |dir| ExperimentUpdate::export_all_to(dir),
        |dir| ListQuery::export_all_to(dir),
        |dir| Event::export_all_to(dir),
        |dir| ErrorPayload::export_all_to(dir),
        |dir| ExecuteOutcome::export_all_to(dir),
        |dir| DeleteOutcome::export_all_to(dir),
        |dir| StageParams::export_all_to(dir),
        |dir| AudioSliceParams::export_all_to(dir),
        |dir| SovitsTrainParams::export_all_to(dir),
        |dir| GptTrainParams::export_all_to(dir),
        |dir| ModelStageParams::export_all_to(dir),
    ];
    for export in exports {
        export(dir).expect("bindings export");
    }
}

/// Every `.ts` file under `dir`, by path relative to `dir`, with its text.
fn files_in(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    collect_files(dir, Path::new(""), &mut files);
    files
}

fn collect_files(root: &Path, relative: &Path, files: &mut BTreeMap<PathBuf, String>) {
    let Ok(entries) = std::fs::read_dir(root.join(relative)) else {
        return;
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let path = relative.join(entry.file_name());
        if entry.path().is_dir() {
            collect_files(root, &path, files);
        } else if path.extension().is_some_and(|ext| ext == "ts") {
            files.insert(
                path,
                std::fs::read_to_string(entry.path()).unwrap_or_default(),
            );
        }
    }
}

fn bindings_dir() -> PathBuf {
    // The crate may be built through a symlinked workspace: resolve to the real checkout.
    let manifest = std::fs::canonicalize(env!("CARGO_MANIFEST_DIR")).expect("manifest dir");
    manifest.join("../../ui/src/bindings")
}

#[test]
fn typescript_bindings_are_up_to_date() {
    let generated_dir = tempfile::tempdir().unwrap();
    export_all(generated_dir.path());
    let generated = files_in(generated_dir.path());
    let target = bindings_dir();
    let checked_in = files_in(&target);

    let stale: Vec<&PathBuf> = generated
        .iter()
        .filter(|(name, text)| checked_in.get(*name) != Some(*text))
        .map(|(name, _)| name)
        .collect();
    if stale.is_empty() {
        return;
    }

    for name in &stale {
        let path = target.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &generated[*name]).unwrap();
    }
    panic!("TypeScript bindings were out of date and have been rewritten: {stale:?}; commit them");
}
