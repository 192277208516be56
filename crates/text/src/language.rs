//! Languages the front-end knows by name.

use std::fmt;
use std::str::FromStr;

use crate::TextError;

/// A transcript language, as the reference names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Language {
    /// Mandarin Chinese (`zh`).
    Zh,
    /// English (`en`).
    En,
    /// Japanese (`ja`); not supported yet.
    Ja,
    /// Korean (`ko`); not supported yet.
    Ko,
    /// Cantonese (`yue`); not supported yet.
    Yue,
    /// Mixed Chinese and English, split into runs per language (`auto`).
    Auto,
}

impl Language {
    /// The reference's code for the language.
    pub fn code(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
            Language::Ja => "ja",
            Language::Ko => "ko",
            Language::Yue => "yue",
            Language::Auto => "auto",
        }
    }
}

impl FromStr for Language {
    type Err = TextError;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code.trim().to_ascii_lowercase().as_str() {
            "zh" => Ok(Language::Zh),
            "en" => Ok(Language::En),
            "ja" => Ok(Language::Ja),
            "ko" => Ok(Language::Ko),
            "yue" => Ok(Language::Yue),
            "auto" => Ok(Language::Auto),
            _ => Err(TextError::UnknownLanguage(code.to_string())),
        }
    }
}

impl fmt::Display for Language {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_code_back() {
        for language in [
            Language::Zh,
            Language::En,
            Language::Ja,
            Language::Ko,
            Language::Yue,
        ] {
            assert_eq!(language.code().parse::<Language>(), Ok(language));
        }
        assert_eq!(" AUTO ".parse::<Language>(), Ok(Language::Auto));
    }

    #[test]
    fn rejects_unknown_codes() {
        let error = "fr".parse::<Language>().unwrap_err();
        assert_eq!(error.code(), "unknown_language");
    }
}
