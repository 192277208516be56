//! Normalised Chinese text to v2 phonemes (`chinese2.g2p` on the pypinyin branch): segments,
//! pinyin per word, sandhi, erhua, then the opencpop-strict syllable table.

use std::sync::OnceLock;

use super::normalize::PUNCTUATION;
use super::pinyin::{self, Syllable};
use super::sandhi;
use super::segment;
use crate::fast_hash::FastMap;
use crate::TextError;

/// Pinyin syllable → initial and final symbols (`text/opencpop-strict.txt`).
const OPENCPOP_STRICT: &str = include_str!("../../data/zh/opencpop-strict.txt");

/// Words whose 儿 is always read as erhua (`chinese2.must_erhua`).
const MUST_ERHUA: [&str; 8] = [
    "小院儿",
    "胡同儿",
    "范儿",
    "老汉儿",
    "撒欢儿",
    "寻老礼儿",
    "妥妥儿",
    "媳妇儿",
];

/// Words whose 儿 keeps its own syllable (`chinese2.not_erhua`).
const NOT_ERHUA: [&str; 44] = [
    "虐儿",
    "为儿",
    "护儿",
    "瞒儿",
    "救儿",
    "替儿",
    "有儿",
    "一儿",
    "我儿",
    "俺儿",
    "妻儿",
    "拐儿",
    "聋儿",
    "乞儿",
    "患儿",
    "幼儿",
    "孤儿",
    "婴儿",
    "婴幼儿",
    "连体儿",
    "脑瘫儿",
    "流浪儿",
    "体弱儿",
    "混血儿",
    "蜜雪儿",
    "舫儿",
    "祖儿",
    "美儿",
    "应采儿",
    "可儿",
    "侄儿",
    "孙儿",
    "侄孙儿",
    "女儿",
    "男儿",
    "红孩儿",
    "花儿",
    "虫儿",
    "马儿",
    "鸟儿",
    "猪儿",
    "猫儿",
    "狗儿",
    "少儿",
];

/// Phonemes and phonemes-per-character of a normalised line.
pub(crate) struct Phonemes {
    pub phones: Vec<String>,
    pub word2ph: Vec<usize>,
}

fn syllable_table() -> &'static FastMap<&'static str, (&'static str, &'static str)> {
    static TABLE: OnceLock<FastMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        OPENCPOP_STRICT
            .lines()
            .filter_map(|line| {
                let (pinyin, symbols) = line.split_once('\t')?;
                Some((pinyin, symbols.trim().split_once(' ')?))
            })
            .collect()
    })
}

/// `chinese2.g2p`: the text is cut after every punctuation mark, each piece converted alone.
pub(crate) fn g2p(text: &str) -> Result<Phonemes, TextError> {
    let mut result = Phonemes {
        phones: Vec::new(),
        word2ph: Vec::new(),
    };
    for piece in split_after_punctuation(text) {
        let (initials, finals) = piece_initials_finals(&piece)?;
        for (initial, final_tone) in initials.iter().zip(&finals) {
            append_syllable(initial, final_tone, &mut result)?;
        }
    }
    Ok(result)
}

fn split_after_punctuation(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    for c in text.chars() {
        if c.is_whitespace() && current.is_empty() {
            continue;
        }
        current.push(c);
        if PUNCTUATION.contains(&c) {
            pieces.push(std::mem::take(&mut current));
        }
    }
    pieces.push(current);
    pieces
        .into_iter()
        .filter(|piece| !piece.trim().is_empty())
        .collect()
}

/// Segment, merge, then pinyin with sandhi and erhua per word (`_g2p`, `is_g2pw = False`).
fn piece_initials_finals(piece: &str) -> Result<(Vec<String>, Vec<String>), TextError> {
    let without_letters: String = piece.chars().filter(|c| !c.is_ascii_alphabetic()).collect();
    let words = sandhi::pre_merge(segment::tag_words(&without_letters));

    let (mut initials, mut finals) = (Vec::new(), Vec::new());
    for word in words.iter().filter(|word| word.tag != "eng") {
        let syllables = pinyin::syllables(&word.word);
        reject_unreadable(&word.word, &syllables)?;
        let (word_initials, mut word_finals): (Vec<String>, Vec<String>) = syllables
            .into_iter()
            .map(
                |Syllable {
                     initial,
                     final_tone,
                 }| (initial, final_tone),
            )
            .unzip();
        sandhi::modified_tone(&word.word, &word.tag, &mut word_finals);
        merge_erhua(&word.word, &word.tag, &mut word_finals);
        initials.extend(word_initials);
        finals.extend(word_finals);
    }
    Ok((initials, finals))
}

/// A Chinese syllable without a usable final (a character pypinyin has no reading for, or a
/// bare nasal like `hm`) makes the reference fail on the line; so does this port, up front.
fn reject_unreadable(word: &str, syllables: &[Syllable]) -> Result<(), TextError> {
    match syllables
        .iter()
        .any(|syllable| syllable.final_tone.is_empty())
    {
        true => Err(TextError::NoPinyin(word.to_string())),
        false => Ok(()),
    }
}

/// `_merge_erhua`: a final 儿 takes the tone of the syllable before it, except in words listed
/// as not erhua and for adjectives, abbreviations and person names.
fn merge_erhua(word: &str, tag: &str, finals: &mut [String]) {
    let chars: Vec<char> = word.chars().collect();
    let n = finals.len();
    if n >= 1 && chars.get(n - 1) == Some(&'儿') && finals[n - 1] == "er1" {
        finals[n - 1] = "er2".to_string();
    }

    let exempt = NOT_ERHUA.contains(&word) || matches!(tag, "a" | "j" | "nr");
    if (!MUST_ERHUA.contains(&word) && exempt) || finals.len() != chars.len() {
        return;
    }

    let last_two: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    if n >= 2
        && chars[n - 1] == '儿'
        && (finals[n - 1] == "er2" || finals[n - 1] == "er5")
        && !NOT_ERHUA.contains(&last_two.as_str())
    {
        let tone = finals[n - 2].chars().last().unwrap_or('5');
        finals[n - 1] = format!("er{tone}");
    }
}

/// One syllable (or punctuation mark) to its phonemes (`_g2p`'s post-processing).
fn append_syllable(
    initial: &str,
    final_tone: &str,
    result: &mut Phonemes,
) -> Result<(), TextError> {
    if initial == final_tone {
        // Punctuation: pypinyin gives it back unchanged in both styles.
        result.phones.push(initial.to_string());
        result.word2ph.push(1);
        return Ok(());
    }

    let Some(tone) = final_tone
        .chars()
        .last()
        .filter(|t| ('1'..='5').contains(t))
    else {
        return Err(TextError::NoPinyin(format!("{initial}{final_tone}")));
    };
    let bare_final = &final_tone[..final_tone.len() - 1];
    let pinyin = spelled_pinyin(initial, bare_final);

    let Some((symbol_initial, symbol_final)) = syllable_table().get(pinyin.as_str()) else {
        return Err(TextError::NoPinyin(pinyin));
    };
    result.phones.push(symbol_initial.to_string());
    result.phones.push(format!("{symbol_final}{tone}"));
    result.word2ph.push(2);
    Ok(())
}

/// Back from the strict final to the spelling the syllable table uses (niou → niu, i → yi).
fn spelled_pinyin(initial: &str, bare_final: &str) -> String {
    if !initial.is_empty() {
        let shortened = match bare_final {
            "uei" => "ui",
            "iou" => "iu",
            "uen" => "un",
            other => other,
        };
        return format!("{initial}{shortened}");
    }

    match bare_final {
        "ing" => "ying".to_string(),
        "i" => "yi".to_string(),
        "in" => "yin".to_string(),
        "u" => "wu".to_string(),
        _ => {
            let mut chars = bare_final.chars();
            match chars.next() {
                Some('v') => format!("yu{}", chars.as_str()),
                Some('i') => format!("y{}", chars.as_str()),
                Some('u') => format!("w{}", chars.as_str()),
                _ => bare_final.to_string(),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spells_syllables_for_the_table() {
        assert_eq!(spelled_pinyin("n", "iou"), "niu");
        assert_eq!(spelled_pinyin("", "i"), "yi");
        assert_eq!(spelled_pinyin("", "van"), "yuan");
        assert_eq!(spelled_pinyin("", "uo"), "wo");
        assert_eq!(spelled_pinyin("", "er"), "er");
    }

    #[test]
    fn converts_a_short_line() {
        let phonemes = g2p("你好.").unwrap();
        assert_eq!(phonemes.phones, vec!["n", "i2", "h", "ao3", "."]);
        assert_eq!(phonemes.word2ph, vec![2, 2, 1]);
    }
}
