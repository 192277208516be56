//! `gsv text g2p`: transcript lines in, GPT-SoVITS v2 phonemes out, one JSON object per line.

use std::io::{self, BufRead, Write};
use std::process::ExitCode;

use gsv_core::{Error, ErrorCode, Result};
use gsv_text::{clean_text, Language};
use serde_json::json;

/// Converts every line of standard input; a line the front-end cannot handle gets an `error`
/// object and the others go on.
pub fn g2p(language: &str) -> Result<ExitCode> {
    let language: Language = language.parse().map_err(|error: gsv_text::TextError| {
        Error::new(ErrorCode::InvalidParams, format!("--lang: {error}"))
    })?;

    let mut out = io::stdout().lock();
    for line in io::stdin().lock().lines() {
        let line = line.map_err(|error| Error::new(ErrorCode::Io, format!("stdin: {error}")))?;
        let object = match clean_text(&line, language) {
            Ok(cleaned) => serde_json::to_value(&cleaned)?,
            Err(error) => json!({ "error": error.code(), "message": error.to_string() }),
        };
        if writeln!(out, "{object}").is_err() {
            break; // the reader went away (e.g. `| head`)
        }
    }
    Ok(ExitCode::SUCCESS)
}
