//! English (`text/english.py`).

use crate::{CleanedText, TextError};

/// `cleaner.clean_text(text, "en", "v2")`.
pub(crate) fn clean_text(_text: &str) -> Result<CleanedText, TextError> {
    Err(TextError::UnsupportedLanguage("en".to_string()))
}
