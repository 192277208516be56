//! The one error type of the crate.

use thiserror::Error;

/// Why a line could not be turned into phonemes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// The language code is not one the front-end knows at all.
    #[error("unknown language code `{0}` (expected zh, en, ja, ko, yue or auto)")]
    UnknownLanguage(String),

    /// The language is known but the front-end cannot convert it yet.
    #[error("the text front-end does not support language `{0}` yet")]
    UnsupportedLanguage(String),

    /// The line is empty or whitespace only.
    #[error("the text is empty")]
    EmptyText,

    /// Nothing but punctuation is left once the line is normalised.
    #[error("nothing pronounceable is left after normalisation")]
    NothingPronounceable,

    /// A Chinese word holds a character with no reading the v2 phoneme set can express (no
    /// pinyin at all, or a bare nasal such as `hm`); the reference fails on the same line.
    #[error("`{0}` has a character without pinyin that maps onto the v2 phoneme set")]
    NoPinyin(String),
}

impl TextError {
    /// A stable code per variant, for the UI and logs to branch on.
    pub fn code(&self) -> &'static str {
        match self {
            TextError::UnknownLanguage(_) => "unknown_language",
            TextError::UnsupportedLanguage(_) => "unsupported_language",
            TextError::EmptyText => "empty_text",
            TextError::NothingPronounceable => "nothing_pronounceable",
            TextError::NoPinyin(_) => "no_pinyin",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(TextError::EmptyText.code(), "empty_text");
        assert_eq!(
            TextError::NothingPronounceable.code(),
            "nothing_pronounceable"
        );
        assert_eq!(
            TextError::UnsupportedLanguage("ja".into()).code(),
            "unsupported_language"
        );
        assert_eq!(
            TextError::UnknownLanguage("xx".into()).code(),
            "unknown_language"
        );
        assert_eq!(TextError::NoPinyin("x".into()).code(), "no_pinyin");
    }
}
