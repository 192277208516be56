//! Mandarin Chinese (`text/chinese2.py`, pypinyin branch).

// Limitation: upstream v2 reads polyphonic characters with the g2pW neural model
// (`is_g2pw = True`), whose 600 MB ONNX weights are not distributed through any package
// registry. Like the golden fixtures, this port follows the pypinyin branch that the upstream
// source keeps for `is_g2pw = False`; a real v2 install with g2pW present reads some polyphones
// differently.

mod g2p;
mod normalize;
mod pinyin;
mod sandhi;
mod segment;

use crate::TextError;
use crate::{finish, symbols, CleanedText};

/// Marks that `cleaner.clean_text` turns into pauses: every comma phone of such a line becomes
/// the pause symbol, real commas included (`cleaner.special`).
const PAUSE_MARKS: [(char, &str); 2] = [('￥', "SP2"), ('^', "SP3")];

/// `cleaner.clean_text(text, "zh", "v2")`.
pub(crate) fn clean_text(text: &str) -> Result<CleanedText, TextError> {
    let pause = PAUSE_MARKS.iter().find(|(mark, _)| text.contains(*mark));
    let text = match pause {
        Some((mark, _)) => text.replace(*mark, ","),
        None => text.to_string(),
    };

    let norm_text = normalize::text_normalize(&text);
    let phonemes = g2p::g2p(&norm_text)?;

    let phones = phonemes
        .phones
        .iter()
        .map(|phone| match pause {
            Some((_, symbol)) if phone == "," => symbols::intern(symbol),
            _ => symbols::intern(phone),
        })
        .collect();
    Ok(finish(phones, Some(phonemes.word2ph), norm_text))
}
