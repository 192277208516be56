//! GPT-SoVITS v2 text front-end: normalisation and grapheme-to-phoneme conversion.
//!
//! [`clean_text`] turns one transcript line into the phoneme sequence, phoneme ids, `word2ph`
//! and normalised text that the reference's `text.cleaner.clean_text(text, lang, "v2")` and
//! `cleaned_text_to_sequence` produce, so that fine-tuning from the pretrained weights sees the
//! same input the reference would give it.

mod auto;
mod cache;
mod embedded;
mod en;
mod error;
mod fast_hash;
mod language;
mod symbols;
mod zh;

use serde::Serialize;

pub use error::TextError;
pub use language::Language;
pub use symbols::{symbol_id, symbols, SYMBOL_COUNT};

/// What the front-end makes of one line of text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CleanedText {
    /// Phonemes, each one a symbol of the v2 table (`UNK` for anything outside it).
    pub phones: Vec<&'static str>,
    /// The index of every phoneme in the v2 symbol table.
    pub phone_ids: Vec<usize>,
    /// Number of phonemes per character of `norm_text`; `None` where the reference gives none
    /// (English).
    pub word2ph: Option<Vec<usize>>,
    /// The normalised text the phonemes were made from.
    pub norm_text: String,
}

/// Converts one line of text in `language` into phonemes, as the reference's v2 `clean_text`.
///
/// An empty line gives [`TextError::EmptyText`], a line with nothing to pronounce (emoji only,
/// punctuation only) [`TextError::NothingPronounceable`]; callers report such lines and go on.
pub fn clean_text(text: &str, language: Language) -> Result<CleanedText, TextError> {
    if text.trim().is_empty() {
        return Err(TextError::EmptyText);
    }

    let cleaned = match language {
        Language::Zh => zh::clean_text(text)?,
        Language::En => en::clean_text(text)?,
        Language::Auto => auto::clean_text(text)?,
        Language::Ja | Language::Ko | Language::Yue => {
            return Err(TextError::UnsupportedLanguage(language.code().to_string()))
        }
    };

    ensure_pronounceable(cleaned)
}

/// The replacements the reference's training script (`prepare_datasets/1-get-text.py`) makes
/// before it calls `clean_text`: `%` becomes `-` and `￥` a comma. The `text_feature` stage calls
/// this first so that its phonemes match the reference's training data.
pub fn apply_training_replacements(text: &str) -> String {
    text.replace('%', "-").replace('￥', ",")
}

/// Rejects results made of punctuation and pause symbols only.
fn ensure_pronounceable(cleaned: CleanedText) -> Result<CleanedText, TextError> {
    let has_sound = cleaned
        .phones
        .iter()
        .any(|phone| !symbols::is_punctuation_or_pause(phone));
    if has_sound {
        Ok(cleaned)
    } else {
        Err(TextError::NothingPronounceable)
    }
}

/// Builds a [`CleanedText`] from phonemes, mapping each to its id (unknown ones become `UNK`).
fn finish(
    phones: Vec<&'static str>,
    word2ph: Option<Vec<usize>>,
    norm_text: String,
) -> CleanedText {
    let phone_ids = phones
        .iter()
        .map(|phone| symbol_id(phone).unwrap_or(symbols::unk_id()))
        .collect();
    CleanedText {
        phones,
        phone_ids,
        word2ph,
        norm_text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_replacements_match_the_reference_script() {
        assert_eq!(
            apply_training_replacements("涨了5%，花了￥100"),
            "涨了5-，花了,100"
        );
    }

    #[test]
    fn zh_line_end_to_end() {
        let cleaned = clean_text("你好", Language::Zh).unwrap();
        assert_eq!(cleaned.phones, ["n", "i2", "h", "ao3"]);
        assert_eq!(cleaned.word2ph, Some(vec![2, 2]));
        assert_eq!(cleaned.norm_text, "你好");
    }

    #[test]
    fn short_en_line_is_padded_with_a_comma() {
        let cleaned = clean_text("A", Language::En).unwrap();
        assert_eq!(cleaned.phones, [",", "EY1"]);
        assert_eq!(cleaned.word2ph, None);
    }
}
