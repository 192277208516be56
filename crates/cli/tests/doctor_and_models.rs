//! `gsv doctor` and `gsv models inspect` against the real linked libtorch and real weight files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn gsv(data_dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gsv"))
        .args(args)
        .env("GSV_DATA_DIR", data_dir)
        .output()
        .expect("gsv starts")
}

fn golden(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/golden")
        .join(relative);
    assert!(path.exists(), "golden fixture missing: {}", path.display());
    path
}

fn json_of(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("--json prints JSON")
}

#[test]
fn doctor_reports_the_linked_libtorch_and_the_data_folder() {
    let data = tempfile::tempdir().unwrap();
    std::fs::write(
        data.path().join("settings.json"),
        r#"{"models": {"sovits_g": "/models/s2G2333k.pth"}}"#,
    )
    .unwrap();

    let report = json_of(&gsv(data.path(), &["--json", "doctor"]));

    let torch = &report["torch"];
    assert!(
        torch["libtorch_version"]
            .as_str()
            .unwrap()
            .starts_with("2.13.0"),
        "{report}"
    );
    assert_eq!(
        torch["cuda_built"], true,
        "PyPI's torch carries CUDA: {report}"
    );
    let devices = torch["cuda_devices"].as_array().unwrap();
    assert_eq!(
        torch["cuda_available"] == true,
        !devices.is_empty(),
        "{report}"
    );
    assert_eq!(report["data_dir"], data.path().display().to_string());
    assert_eq!(report["model_paths"]["sovits_g"], "/models/s2G2333k.pth");

    let text = gsv(data.path(), &["doctor"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(
        text.contains("libtorch 2.13.0") && text.contains("CUDA available:"),
        "{text}"
    );
}

#[test]
fn models_inspect_names_the_kind_and_version_of_a_sovits_file() {
    let data = tempfile::tempdir().unwrap();
    let path = golden("ckpt/tiny_s2G_v2.pth");

    let inspection = json_of(&gsv(
        data.path(),
        &["--json", "models", "inspect", path.to_str().unwrap()],
    ));

    assert_eq!(inspection["version"], "v2", "{inspection}");
    assert_eq!(inspection["tensor_count"], 529, "{inspection}");
    assert_eq!(inspection["info"], "8epoch_96iteration", "{inspection}");
}

#[test]
fn models_inspect_refuses_a_file_that_is_not_a_checkpoint() {
    let data = tempfile::tempdir().unwrap();
    let bogus = data.path().join("not a model.pth");
    std::fs::write(&bogus, b"hello, this is text").unwrap();

    let output = gsv(data.path(), &["models", "inspect", bogus.to_str().unwrap()]);

    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("not a model.pth"),
        "the error names the file: {stderr}"
    );
}

#[test]
fn text_g2p_prints_one_json_object_per_line_and_reports_bad_lines() {
    use std::io::Write;
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gsv"))
        .args(["text", "g2p", "--lang", "zh"])
        .env("GSV_DATA_DIR", data.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all("你好\n\n".as_bytes())
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success());

    let lines: Vec<serde_json::Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0]["phones"],
        serde_json::json!(["n", "i2", "h", "ao3"])
    );
    assert_eq!(lines[0]["word2ph"], serde_json::json!([2, 2]));
    assert_eq!(lines[0]["norm_text"], "你好");
    assert_eq!(lines[1]["error"], "empty_text");
}

/// The linker drops `libtorch_cuda` unless told not to, and CUDA then silently reports
/// unavailable on a GPU machine: the binary must name it as needed and carry an rpath.
#[test]
fn the_binary_keeps_libtorch_cuda_and_finds_libtorch_by_itself() {
    let output = Command::new("readelf")
        .args(["-d", env!("CARGO_BIN_EXE_gsv")])
        .output()
        .expect("readelf (binutils) runs");
    let dynamic = String::from_utf8_lossy(&output.stdout);

    assert!(dynamic.contains("[libtorch_cuda.so]"), "{dynamic}");
    assert!(dynamic.contains("[libtorch_cpu.so]"), "{dynamic}");
    let runpath = dynamic
        .lines()
        .find(|line| line.contains("RUNPATH"))
        .expect("a RUNPATH");
    assert!(runpath.contains("torch/lib"), "{runpath}");
}
