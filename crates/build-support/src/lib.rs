//! Helpers for the build scripts of crates that link libtorch through `tch`.
//!
//! rustc links with `--as-needed` and places user link arguments after every library, so the
//! linker drops `libtorch_cuda.so` (nothing references it by symbol) and CUDA silently reports
//! unavailable. tch's own build script also emits its rpath for itself only. Every crate whose
//! binaries, tests or benchmarks link libtorch therefore calls [`link_libtorch`] from its own
//! `build.rs`, and depends on `torch-sys` directly so that cargo hands it `DEP_TCH_LIBTORCH_LIB`.

use std::path::Path;

/// Emits the link arguments that make every binary of the calling crate find libtorch through
/// an rpath and keep `libtorch_cuda` (when the libtorch in use has it) as a needed library.
///
/// Must be called from a build script of a crate that depends on `torch-sys` directly.
pub fn link_libtorch() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");

    let Ok(lib_dir) = std::env::var("DEP_TCH_LIBTORCH_LIB") else {
        println!(
            "cargo:warning=DEP_TCH_LIBTORCH_LIB is not set: add torch-sys as a direct dependency"
        );
        return;
    };

    println!("cargo:rustc-link-search=native={lib_dir}");
    println!("cargo:rustc-link-arg=-Wl,-rpath,{lib_dir}");

    let mut libraries = Vec::new();
    if Path::new(&lib_dir).join("libtorch_cuda.so").exists() {
        libraries.push("-ltorch_cuda");
    }
    libraries.push("-ltorch");

    println!("cargo:rustc-link-arg=-Wl,--push-state,--no-as-needed");
    for library in libraries {
        println!("cargo:rustc-link-arg={library}");
    }
    println!("cargo:rustc-link-arg=-Wl,--pop-state");

    let version = libtorch_version(Path::new(&lib_dir)).unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=GSV_LIBTORCH_VERSION={version}");
}

/// Reads the version of the libtorch in `lib_dir`: `build-version` in a standalone libtorch,
/// `version.py` (`__version__ = '2.13.0+cu130'`) in the folder of a PyTorch wheel.
fn libtorch_version(lib_dir: &Path) -> Option<String> {
    let root = lib_dir.parent()?;

    if let Ok(text) = std::fs::read_to_string(root.join("build-version")) {
        return Some(text.trim().to_string());
    }

    let text = std::fs::read_to_string(root.join("version.py")).ok()?;
    let line = text.lines().find(|line| line.starts_with("__version__"))?;
    let quoted = line.split_once('=')?.1.trim();
    Some(quoted.trim_matches(|c| c == '\'' || c == '"').to_string())
}
