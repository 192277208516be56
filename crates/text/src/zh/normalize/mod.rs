//! Chinese text normalisation (`chinese2.text_normalize` and the `zh_normalization` package it
//! runs): sentence split, character folding, numbers and units into words, punctuation reduced
//! to the reference's small set.

mod numbers;
mod rules;

use crate::fast_hash::FastMap;
use std::sync::OnceLock;

/// Traditional → simplified pairs that differ (`zh_normalization/char_convert.py`).
const TRADITIONAL_TO_SIMPLIFIED: &str = include_str!("../../../data/zh/trad_to_simp.txt");

/// The punctuation the v2 phoneme set keeps (`symbols2.py: punctuation`).
pub(crate) const PUNCTUATION: [char; 6] = ['!', '?', '…', ',', '.', '-'];

/// Characters `_split` deletes before anything else.
const SPLIT_REMOVED: &str = "—《》【】<>{}()（）#&@“”^_|\\";

/// Characters `_post_replace` deletes at the end of a sentence (one more: `-`, and `=`).
const POST_REMOVED: &str = "-—《》【】<=>{}()（）#&@“”^_|\\";

/// Characters after which `_split` ends a sentence.
const SENTENCE_ENDS: &str = "：、，；。？！,;?!";

/// Single-character rewrites of `_post_replace`, in the reference's order.
const POST_REPLACEMENTS: [(&str, &str); 47] = [
    ("/", "每"),
    ("①", "一"),
    ("②", "二"),
    ("③", "三"),
    ("④", "四"),
    ("⑤", "五"),
    ("⑥", "六"),
    ("⑦", "七"),
    ("⑧", "八"),
    ("⑨", "九"),
    ("⑩", "十"),
    ("α", "阿尔法"),
    ("β", "贝塔"),
    ("γ", "伽玛"),
    ("Γ", "伽玛"),
    ("δ", "德尔塔"),
    ("Δ", "德尔塔"),
    ("ε", "艾普西龙"),
    ("ζ", "捷塔"),
    ("η", "依塔"),
    ("θ", "西塔"),
    ("Θ", "西塔"),
    ("ι", "艾欧塔"),
    ("κ", "喀帕"),
    ("λ", "拉姆达"),
    ("Λ", "拉姆达"),
    ("μ", "缪"),
    ("ν", "拗"),
    ("ξ", "克西"),
    ("Ξ", "克西"),
    ("ο", "欧米克伦"),
    ("π", "派"),
    ("Π", "派"),
    ("ρ", "肉"),
    ("ς", "西格玛"),
    ("Σ", "西格玛"),
    ("σ", "西格玛"),
    ("τ", "套"),
    ("υ", "宇普西龙"),
    ("φ", "服艾"),
    ("Φ", "服艾"),
    ("χ", "器"),
    ("ψ", "普赛"),
    ("Ψ", "普赛"),
    ("ω", "欧米伽"),
    ("Ω", "欧米伽"),
    ("+", "加"),
];

/// The rest of `_post_replace`'s operator words, applied after the Greek letters.
const POST_OPERATORS: [(&str, &str); 4] = [("-", "减"), ("×", "乘"), ("÷", "除"), ("=", "等")];

/// `chinese2.rep_map`: punctuation folded onto the kept set, in the reference's order.
const PUNCTUATION_MAP: [(&str, &str); 15] = [
    ("：", ","),
    ("；", ","),
    ("，", ","),
    ("。", "."),
    ("！", "!"),
    ("？", "?"),
    ("\n", "."),
    ("·", ","),
    ("、", ","),
    ("...", "…"),
    ("$", "."),
    ("/", ","),
    ("—", "-"),
    ("~", "…"),
    ("～", "…"),
];

/// The first characters of `PUNCTUATION_MAP`'s keys.
const PUNCTUATION_FIRST_CHARS: &str = "：；，。！？\n·、.$/—~～";

/// Normalises a zh line into the text the phonemes are made from (`chinese2.text_normalize`).
pub(crate) fn text_normalize(text: &str) -> String {
    let mut normalized = String::with_capacity(text.len() * 2);
    for sentence in split_sentences(text) {
        let sentence = normalize_sentence(&sentence);
        normalized.push_str(&replace_punctuation(&sentence));
    }

    collapse_repeated_punctuation(&normalized)
}

/// Python's `str.strip()` whitespace: Unicode white space plus the separators U+001C..U+001F.
fn is_python_space(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// `TextNormalizer._split`: drop spaces and brackets, then break after sentence punctuation.
fn split_sentences(text: &str) -> Vec<String> {
    let mut marked = String::with_capacity(text.len() + 8);
    let mut chars = text
        .chars()
        .filter(|c| *c != ' ' && !SPLIT_REMOVED.contains(*c))
        .peekable();
    while let Some(c) = chars.next() {
        marked.push(c);
        if SENTENCE_ENDS.contains(c) {
            if let Some(quote) = chars.next_if(|next| *next == '”' || *next == '’') {
                marked.push(quote);
            }
            marked.push('\n');
        }
    }

    // Empty sentences normalise to nothing, so they are dropped here already.
    marked
        .split('\n')
        .map(|piece| piece.trim_matches(is_python_space).to_string())
        .filter(|piece| !piece.is_empty())
        .collect()
}

fn traditional_to_simplified() -> &'static FastMap<char, char> {
    static MAP: OnceLock<FastMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        TRADITIONAL_TO_SIMPLIFIED
            .lines()
            .filter_map(|line| {
                let mut chars = line.chars();
                let traditional = chars.next()?;
                let simplified = chars.nth(1)?;
                Some((traditional, simplified))
            })
            .collect()
    })
}

/// Traditional → simplified, then full-width letters, digits and the ideographic space folded
/// to ASCII.
fn fold_characters(sentence: &str) -> String {
    let simplified = traditional_to_simplified();
    sentence
        .chars()
        .map(|c| {
            let c = simplified.get(&c).copied().unwrap_or(c);
            match c {
                'Ａ'..='Ｚ' | 'ａ'..='ｚ' | '０'..='９' => {
                    char::from_u32(c as u32 - 0xFEE0).unwrap_or(c)
                }
                '\u{3000}' => ' ',
                _ => c,
            }
        })
        .collect()
}

/// `TextNormalizer.normalize_sentence`.
fn normalize_sentence(sentence: &str) -> String {
    let folded = fold_characters(sentence);
    let rewritten = rules::rewrite_numbers(&folded);
    post_replace(&rewritten)
}

/// `TextNormalizer._post_replace`: circled numbers, Greek letters and operators into words, then
/// brackets and leftover symbols removed.
fn post_replace(sentence: &str) -> String {
    let mut text = sentence.to_string();
    for (symbol, words) in POST_REPLACEMENTS.iter().chain(POST_OPERATORS.iter()) {
        if text.contains(symbol) {
            text = text.replace(symbol, words);
        }
    }
    text.chars()
        .filter(|c| !POST_REMOVED.contains(*c))
        .collect()
}

/// `chinese2.replace_punctuation`: fold punctuation, then keep only CJK U+4E00..U+9FA5 and the
/// kept punctuation.
fn replace_punctuation(sentence: &str) -> String {
    let text = sentence.replace('嗯', "恩").replace('呣', "母");
    let mut folded = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        // Most characters start no key; only the few that do are matched against the map.
        let folding = match PUNCTUATION_FIRST_CHARS.contains(c) {
            true => PUNCTUATION_MAP
                .iter()
                .find(|(from, _)| rest.starts_with(from)),
            false => None,
        };
        match folding {
            Some((from, to)) => {
                folded.push_str(to);
                rest = &rest[from.len()..];
            }
            None => {
                folded.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }

    folded
        .chars()
        .filter(|c| is_kept_han(*c) || PUNCTUATION.contains(c))
        .collect()
}

pub(crate) fn is_kept_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fa5}').contains(&c)
}

/// `chinese2.replace_consecutive_punctuation`: a run of punctuation keeps its first mark.
fn collapse_repeated_punctuation(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let mut previous_was_punctuation = false;
    for c in text.chars() {
        let is_punctuation = PUNCTUATION.contains(&c);
        if !(is_punctuation && previous_was_punctuation) {
            collapsed.push(c);
        }
        previous_was_punctuation = is_punctuation;
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_reference_examples() {
        assert_eq!(
            text_normalize("我有3个苹果和25.5元钱。"),
            "我有三个苹果和二十五点五元钱."
        );
        assert_eq!(
            text_normalize("等等……真的吗？！太好了！！！"),
            "等等…真的吗?太好了!"
        );
        assert_eq!(
            text_normalize("這是繁體中文，α和β，①②③。"),
            "这是繁体中文,阿尔法和贝塔,一二三."
        );
        assert_eq!(
            text_normalize("《三体》【科幻】（小说）「经典」"),
            "三体科幻小说经典"
        );
    }

    #[test]
    fn keeps_nothing_of_garbage() {
        assert_eq!(text_normalize("😊👍★"), "");
        assert_eq!(text_normalize(""), "");
        assert_eq!(text_normalize("\u{0}\u{7}\t"), "");
    }
}
