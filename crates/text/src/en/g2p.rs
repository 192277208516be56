//! Tokens to ARPAbet phonemes (`english.en_G2p.__call__`, `qryword` and `english.g2p`).

use super::lexicon::{self, Homograph};
use super::neural;
use super::tagger;
use super::tokenize::tokenize;
use super::wordsegment;

/// Consonants after which a possessive `'s` is read `S`.
const VOICELESS_END: [&str; 6] = ["P", "T", "K", "F", "TH", "HH"];

/// Sibilants after which a possessive `'s` is read `AH0 Z`.
const SIBILANT_END: [&str; 6] = ["S", "Z", "SH", "ZH", "CH", "JH"];

/// Decoder tokens `english.g2p` drops (`UW` without stress is dropped too).
const DROPPED: [&str; 5] = [" ", "<pad>", "UW", "</s>", "<s>"];

/// The phonemes of normalised English text, before `clean_text`'s padding.
pub(crate) fn g2p(text: &str) -> Vec<String> {
    let tokens = tokenize(text);
    let tags = if tokens
        .iter()
        .any(|t| lexicon::homograph(&t.to_lowercase()).is_some())
    {
        tagger::tag(&tokens)
    } else {
        // The tags only choose between homograph readings, so the tagger is skipped here.
        vec![""; tokens.len()]
    };

    let mut phones = Vec::new();
    for (token, tag) in tokens.iter().zip(tags) {
        phones.extend(token_phones(token, tag));
    }

    phones
        .into_iter()
        .filter(|phone| !DROPPED.contains(&phone.as_str()))
        .map(|phone| {
            if phone == "<unk>" {
                "UNK".to_string()
            } else {
                phone
            }
        })
        .filter_map(keep_symbol)
        .collect()
}

/// `replace_phs`: v2 symbols stay, `'` becomes `-`, anything else is dropped.
fn keep_symbol(phone: String) -> Option<String> {
    if crate::symbols::symbol_id(&phone).is_some() {
        Some(phone)
    } else if phone == "'" {
        Some("-".to_string())
    } else {
        None
    }
}

fn owned(phones: Vec<&str>) -> Vec<String> {
    phones.into_iter().map(str::to_string).collect()
}

/// One token's reading (`__call__`'s loop body).
fn token_phones(token: &str, tag: &str) -> Vec<String> {
    let word = token.to_lowercase();
    if !word.chars().any(|c| c.is_ascii_lowercase()) {
        return vec![word];
    }
    if word.chars().count() == 1 {
        if token == "A" {
            return vec!["EY1".to_string()];
        }
        return owned(lexicon::lookup(&word).unwrap_or_default());
    }
    if let Some(homograph) = lexicon::homograph(&word) {
        return owned(homograph_reading(homograph, tag).to_vec());
    }
    query_word(token)
}

fn homograph_reading<'h>(homograph: &'h Homograph, tag: &str) -> &'h [&'static str] {
    let first_tag = homograph.first_tag;
    let tag_is_prefix = tag.len() < first_tag.len() && first_tag.starts_with(tag);
    if tag.starts_with(first_tag) || tag_is_prefix {
        &homograph.first
    } else {
        &homograph.second
    }
}

/// Python's `str.istitle`: cased characters start upper-case after uncased ones and are
/// lower-case after cased ones; at least one cased character.
fn is_title(word: &str) -> bool {
    let mut previous_cased = false;
    let mut any_cased = false;
    for c in word.chars() {
        if c.is_uppercase() {
            if previous_cased {
                return false;
            }
            previous_cased = true;
            any_cased = true;
        } else if c.is_lowercase() {
            if !previous_cased {
                return false;
            }
            previous_cased = true;
            any_cased = true;
        } else {
            previous_cased = false;
        }
    }
    any_cased
}

/// `qryword`: dictionary, names, short words spelled, possessives, compounds, then the
/// neural model.
fn query_word(token: &str) -> Vec<String> {
    let word = token.to_lowercase();
    let length = word.chars().count();
    if length > 1 {
        if let Some(phones) = lexicon::lookup(&word) {
            return owned(phones);
        }
    }
    if is_title(token) {
        if let Some(phones) = lexicon::lookup_name(&word) {
            return owned(phones);
        }
    }
    if length <= 3 {
        return spell(&word);
    }
    if let Some(stem) = possessive_stem(&word) {
        return possessive(stem);
    }

    let parts = wordsegment::segment(&word);
    if parts.len() == 1 {
        return owned(neural::predict(&word));
    }
    parts.iter().flat_map(|part| query_word(part)).collect()
}

/// Letter by letter: `a` is `EY1`, other letters their dictionary reading, marks themselves.
fn spell(word: &str) -> Vec<String> {
    let mut phones = Vec::new();
    for c in word.chars() {
        if c == 'a' {
            phones.push("EY1".to_string());
        } else if !c.is_alphabetic() {
            phones.push(c.to_string());
        } else {
            phones.extend(owned(lexicon::lookup(&c.to_string()).unwrap_or_default()));
        }
    }
    phones
}

/// The stem of `^([a-z]+)('s)$`.
fn possessive_stem(word: &str) -> Option<&str> {
    let stem = word.strip_suffix("'s")?;
    (!stem.is_empty() && stem.chars().all(|c| c.is_ascii_lowercase())).then_some(stem)
}

fn possessive(stem: &str) -> Vec<String> {
    let mut phones = query_word(stem);
    let ending: &[&str] = match phones.last().map(String::as_str) {
        Some(last) if VOICELESS_END.contains(&last) => &["S"],
        Some(last) if SIBILANT_END.contains(&last) => &["AH0", "Z"],
        _ => &["Z"],
    };
    phones.extend(ending.iter().map(|p| p.to_string()));
    phones
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_case_like_python() {
        assert!(is_title("Smith"));
        assert!(is_title("O'Neil"));
        assert!(!is_title("McDonald"));
        assert!(!is_title("smith"));
    }

    #[test]
    fn reads_words() {
        assert_eq!(g2p("Hi."), ["HH", "AY1", "."]);
        assert_eq!(
            g2p("the dogs' toys"),
            ["DH", "AH0", "D", "AA1", "G", "Z", "-", "T", "OY1", "Z"]
        );
    }
}
