//! Parity with the reference: every line of `shared/golden/text/{zh,en}.jsonl` must give the
//! same phones, ids, word2ph and normalised text as GPT-SoVITS v2's `clean_text`. The larger
//! sets in `tests/data/*_extra.jsonl` (see `tests/data/README.md`) must match as well.

use std::path::{Path, PathBuf};

use gsv_text::{clean_text, Language};
use serde_json::Value;

/// One reference case.
struct GoldenCase {
    text: String,
    expected: Value,
}

fn golden_path(language: Language) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/golden/text")
        .join(format!("{language}.jsonl"))
}

fn extra_path(language: Language) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(format!("{language}_extra.jsonl"))
}

fn load_cases(path: &Path) -> Vec<GoldenCase> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|error| panic!("golden fixture {} is missing: {error}", path.display()));
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| {
            let expected: Value = serde_json::from_str(line).expect("fixture line is JSON");
            let text = expected["text"]
                .as_str()
                .expect("case has a text")
                .to_string();
            GoldenCase { text, expected }
        })
        .collect()
}

/// The differences between our result and the reference's for one case, empty when equal.
fn differences(case: &GoldenCase, language: Language) -> Vec<String> {
    let ours = match clean_text(&case.text, language) {
        Ok(cleaned) => serde_json::to_value(cleaned).expect("result serialises"),
        Err(error) => return vec![format!("error {}: {error}", error.code())],
    };
    ["phones", "phone_ids", "word2ph", "norm_text"]
        .into_iter()
        .filter(|field| ours[field] != case.expected[field])
        .map(|field| {
            format!(
                "{field}: ours {} / reference {}",
                ours[field], case.expected[field]
            )
        })
        .collect()
}

fn check_language(language: Language, path: &Path) {
    let cases = load_cases(path);
    assert!(!cases.is_empty(), "no cases in {}", path.display());

    let mut failures = Vec::new();
    for case in &cases {
        let diffs = differences(case, language);
        if !diffs.is_empty() {
            failures.push(format!("{:?}\n    {}", case.text, diffs.join("\n    ")));
        }
    }

    let matched = cases.len() - failures.len();
    println!(
        "{language}: {matched}/{} lines match the reference exactly",
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} lines differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn zh_matches_reference() {
    check_language(Language::Zh, &golden_path(Language::Zh));
}

#[test]
fn zh_extra_set_matches_reference() {
    check_language(Language::Zh, &extra_path(Language::Zh));
}

#[test]
fn en_matches_reference() {
    check_language(Language::En, &golden_path(Language::En));
}

#[test]
fn en_extra_set_matches_reference() {
    check_language(Language::En, &extra_path(Language::En));
}
