//! English (`text/english.py`).

mod g2p;
mod lexicon;
mod neural;
mod normalize;
mod numbers;
mod tagger;
mod tokenize;
mod wordsegment;

use crate::{finish, symbols, CleanedText, TextError};

/// `cleaner.clean_text(text, "en", "v2")`: normalise, read, and pad short results with a comma.
pub(crate) fn clean_text(text: &str) -> Result<CleanedText, TextError> {
    let norm_text = normalize::text_normalize(text);
    let mut phones = g2p::g2p(&norm_text);
    if phones.len() < 4 {
        phones.insert(0, ",".to_string());
    }

    let phones = phones.iter().map(|phone| symbols::intern(phone)).collect();
    Ok(finish(phones, None, norm_text))
}
