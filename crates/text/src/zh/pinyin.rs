//! Pinyin of words, as pypinyin 0.55.0's `lazy_pinyin(word, neutral_tone_with_five=True)` gives
//! them in the `INITIALS` and `FINALS_TONE3` styles (strict mode), from pypinyin's own data.

use std::sync::OnceLock;

use crate::cache::WordMemo;
use crate::embedded::EmbeddedText;
use crate::fast_hash::{FastMap, FastSet};

/// First reading of every character (pypinyin `pinyin_dict.json`).
static CHAR_READINGS: EmbeddedText =
    EmbeddedText::new(include_bytes!("../../data/zh/pinyin_chars.txt.gz"));

/// Readings of phrases, first reading per character (pypinyin `phrases_dict.json`).
static PHRASE_READINGS: EmbeddedText =
    EmbeddedText::new(include_bytes!("../../data/zh/pinyin_phrases.txt.gz"));

/// Initials in the order pypinyin tries them (`style/_constants.py: _INITIALS`).
const INITIALS: [&str; 21] = [
    "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "zh", "ch", "sh", "r",
    "z", "c", "s",
];

/// Finals of the Hanyu Pinyin scheme (`style/_constants.py: _FINALS`).
const FINALS: [&str; 37] = [
    "i", "u", "ü", "a", "ia", "ua", "o", "uo", "e", "ie", "üe", "ai", "uai", "ei", "uei", "ao",
    "iao", "ou", "iou", "an", "ian", "uan", "üan", "en", "in", "uen", "ün", "ang", "iang", "uang",
    "eng", "ing", "ueng", "ong", "iong", "er", "ê",
];

/// One syllable (or one run of characters without pinyin) of a word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Syllable {
    /// `INITIALS` style: the initial, `""` for none; a run without pinyin stays as it is.
    pub initial: String,
    /// `FINALS_TONE3` style with 5 for the neutral tone; a run without pinyin stays as it is.
    pub final_tone: String,
}

struct PinyinData {
    chars: FastMap<char, &'static str>,
    phrases: FastMap<&'static str, &'static str>,
    phrase_prefixes: FastSet<&'static str>,
}

fn data() -> &'static PinyinData {
    static DATA: OnceLock<PinyinData> = OnceLock::new();
    DATA.get_or_init(|| {
        let chars = CHAR_READINGS
            .text()
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .filter_map(|(ch, reading)| Some((ch.chars().next()?, reading)))
            .collect();
        let phrases: FastMap<&'static str, &'static str> = PHRASE_READINGS
            .text()
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect();
        let phrase_prefixes = phrases
            .keys()
            .flat_map(|phrase| {
                phrase
                    .char_indices()
                    .map(|(i, c)| &phrase[..i + c.len_utf8()])
            })
            .collect();
        PinyinData {
            chars,
            phrases,
            phrase_prefixes,
        }
    })
}

/// Characters pypinyin treats as Chinese (`constants.py: RE_HANS`).
fn is_hans(c: char) -> bool {
    matches!(c,
        '\u{3007}' | '\u{e815}'..='\u{e864}' | '\u{fa18}' | '\u{3400}'..='\u{4dbf}'
        | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}' | '\u{20000}'..='\u{2a6df}'
        | '\u{2a703}'..='\u{2b73f}' | '\u{2b740}'..='\u{2b81d}' | '\u{2b825}'..='\u{2bf6e}'
        | '\u{2c029}'..='\u{2ce93}' | '\u{2d016}' | '\u{2d11b}'..='\u{2ebd9}'
        | '\u{2f80a}'..='\u{2fa1f}' | '\u{30000}'..='\u{3134a}' | '\u{31350}'..='\u{32389}')
}

/// The syllables of `word`, one per Chinese character, one per run of other characters.
pub(crate) fn syllables(word: &str) -> Vec<Syllable> {
    static MEMO: WordMemo<Vec<Syllable>> = WordMemo::new();
    MEMO.get_or_compute(word, || syllables_uncached(word))
}

fn syllables_uncached(word: &str) -> Vec<Syllable> {
    let mut result = Vec::new();
    for (run, is_chinese) in runs_by_script(word) {
        if !is_chinese {
            // No pinyin: pypinyin gives the run back unchanged in every style.
            result.push(Syllable {
                initial: run.to_string(),
                final_tone: run.to_string(),
            });
            continue;
        }
        for phrase in forward_maximum_match(run) {
            result.extend(
                phrase_readings(phrase)
                    .into_iter()
                    .map(|reading| convert(&reading)),
            );
        }
    }
    result
}

/// Only the `FINALS_TONE3` part of [`syllables`].
pub(crate) fn finals(word: &str) -> Vec<String> {
    syllables(word)
        .into_iter()
        .map(|syllable| syllable.final_tone)
        .collect()
}

/// `simpleseg._seg`: maximal runs of Chinese and of other characters.
fn runs_by_script(text: &str) -> Vec<(&str, bool)> {
    let mut runs = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (index, c) in text.char_indices() {
        let chinese = is_hans(c);
        if current.is_some_and(|kind| kind != chinese) {
            runs.push((&text[start..index], current == Some(true)));
            start = index;
        }
        current = Some(chinese);
    }
    if let Some(kind) = current {
        runs.push((&text[start..], kind));
    }
    runs
}

/// `mmseg.Seg.cut` with `no_non_phrases=True`: at each point the longest dictionary phrase
/// among the prefixes that lead to some phrase, else one character. When the whole rest of the
/// text is such a prefix without holding a phrase, every character of it stands alone.
fn forward_maximum_match(text: &str) -> Vec<&str> {
    let data = data();
    let mut pieces = Vec::new();
    let mut remain = text;
    while !remain.is_empty() {
        let mut longest_phrase = 0;
        let mut whole_rest_is_prefix = true;
        for (index, c) in remain.char_indices() {
            let prefix = &remain[..index + c.len_utf8()];
            if !data.phrase_prefixes.contains(prefix) {
                whole_rest_is_prefix = false;
                break;
            }
            if data.phrases.contains_key(prefix) {
                longest_phrase = prefix.len();
            }
        }

        if longest_phrase == 0 && whole_rest_is_prefix {
            pieces.extend(
                remain
                    .char_indices()
                    .map(|(i, c)| &remain[i..i + c.len_utf8()]),
            );
            break;
        }
        let length = if longest_phrase > 0 {
            longest_phrase
        } else {
            remain.chars().next().map_or(remain.len(), char::len_utf8)
        };
        pieces.push(&remain[..length]);
        remain = &remain[length..];
    }
    pieces
}

/// Tone-marked readings of one phrase or character; a character without a reading stands for
/// itself, as pypinyin's default error handling does.
fn phrase_readings(phrase: &str) -> Vec<String> {
    let data = data();
    if let Some(readings) = data.phrases.get(phrase) {
        return readings.split(' ').map(str::to_string).collect();
    }
    phrase
        .chars()
        .map(|c| {
            data.chars
                .get(&c)
                .map_or_else(|| c.to_string(), |reading| reading.to_string())
        })
        .collect()
}

/// A tone-marked reading in the `INITIALS` and `FINALS_TONE3` styles.
fn convert(reading: &str) -> Syllable {
    let initial = INITIALS
        .iter()
        .filter(|initial| reading.starts_with(**initial))
        .max_by_key(|initial| initial.len())
        .map_or("", |initial| initial);
    Syllable {
        initial: initial.to_string(),
        final_tone: final_with_tone(reading),
    }
}

/// `to_finals_tone3` plus the neutral-tone-5 rule: the strict final, `v` for `ü`, then the tone.
fn final_with_tone(reading: &str) -> String {
    let reading = reading.replace('5', "");
    let (plain, tone) = strip_tone_marks(&reading);
    let final_part = strict_final(&plain.replace('v', "ü")).replace('ü', "v");
    if final_part.is_empty() {
        return final_part;
    }
    format!("{final_part}{}", tone.unwrap_or('5'))
}

/// Removes tone marks: `zhōng` → (`zhong`, Some('1')), `lǜ` → (`lv`, Some('4')).
fn strip_tone_marks(reading: &str) -> (String, Option<char>) {
    let mut plain = String::with_capacity(reading.len());
    let mut tone = None;
    for c in reading.chars() {
        let (base, mark) = split_marked(c);
        plain.push_str(base);
        if let Some(digit) = mark {
            tone.get_or_insert(digit);
        }
        if c.is_ascii_digit() {
            tone.get_or_insert(c);
        }
    }
    let plain = plain.chars().filter(|c| !c.is_ascii_digit()).collect();
    (plain, tone)
}

/// A tone-marked letter split into its base and tone (`phonetic_symbol.py`); combining marks
/// (U+0304 etc., used after ê, m and n) carry the tone alone.
fn split_marked(c: char) -> (&'static str, Option<char>) {
    match c {
        'ā' => ("a", Some('1')),
        'á' => ("a", Some('2')),
        'ǎ' => ("a", Some('3')),
        'à' => ("a", Some('4')),
        'ē' => ("e", Some('1')),
        'é' => ("e", Some('2')),
        'ě' => ("e", Some('3')),
        'è' => ("e", Some('4')),
        'ō' => ("o", Some('1')),
        'ó' => ("o", Some('2')),
        'ǒ' => ("o", Some('3')),
        'ò' => ("o", Some('4')),
        'ī' => ("i", Some('1')),
        'í' => ("i", Some('2')),
        'ǐ' => ("i", Some('3')),
        'ì' => ("i", Some('4')),
        'ū' => ("u", Some('1')),
        'ú' => ("u", Some('2')),
        'ǔ' => ("u", Some('3')),
        'ù' => ("u", Some('4')),
        'ü' => ("v", None),
        'ǖ' => ("v", Some('1')),
        'ǘ' => ("v", Some('2')),
        'ǚ' => ("v", Some('3')),
        'ǜ' => ("v", Some('4')),
        'ń' => ("n", Some('2')),
        'ň' => ("n", Some('3')),
        'ǹ' => ("n", Some('4')),
        'ḿ' => ("m", Some('2')),
        'ế' => ("ê", Some('2')),
        'ề' => ("ê", Some('4')),
        '\u{304}' => ("", Some('1')),
        '\u{301}' => ("", Some('2')),
        '\u{30c}' => ("", Some('3')),
        '\u{300}' => ("", Some('4')),
        _ => (char_str(c), None),
    }
}

fn char_str(c: char) -> &'static str {
    match c {
        'a'..='z' => &"abcdefghijklmnopqrstuvwxyz"[(c as usize - 'a' as usize)..][..1],
        'ê' => "ê",
        _ => "",
    }
}

/// `get_finals(pinyin, strict=True)` of an unmarked reading.
fn strict_final(plain: &str) -> String {
    let restored = restore_final(plain);
    let initial = INITIALS
        .iter()
        .filter(|initial| restored.starts_with(**initial))
        .max_by_key(|initial| initial.len())
        .map_or("", |initial| initial);
    let rest = &restored[initial.len()..];
    if FINALS.contains(&rest) {
        return rest.to_string();
    }

    // Not a scheme final after a strict initial: try y and w as initials too.
    let loose_initial = if restored.starts_with('y') || restored.starts_with('w') {
        1
    } else {
        0
    };
    let loose_initial = if initial.is_empty() {
        loose_initial
    } else {
        initial.len()
    };
    let rest = &restored[loose_initial..];
    if FINALS.contains(&rest) {
        rest.to_string()
    } else {
        String::new()
    }
}

/// `standard.convert_finals`: undo the spelling rules of the scheme (yi → i, wu → u, ju → jü,
/// niu → niou, gui → guei, lun → luen) so the strict final can be read off.
fn restore_final(plain: &str) -> String {
    let mut pinyin = restore_zero_initial(plain);
    if let Some(rest) = ["j", "q", "x"]
        .iter()
        .find_map(|i| pinyin.strip_prefix(i).map(|r| (i, r)))
    {
        if let Some(after_u) = rest.1.strip_prefix('u') {
            pinyin = format!("{}ü{}", rest.0, after_u);
        }
    }
    for (spelled, full) in [("iu", "iou"), ("ui", "uei"), ("un", "uen")] {
        if let Some(stem) = pinyin.strip_suffix(spelled) {
            if !stem.is_empty() && stem.chars().all(|c| c.is_ascii_lowercase()) {
                pinyin = format!("{stem}{full}");
            }
        }
    }
    pinyin
}

/// `convert_zero_consonant`: y/w spellings back to their finals, only when that gives a final.
fn restore_zero_initial(plain: &str) -> String {
    let restored = if let Some(rest) = plain.strip_prefix('y') {
        match rest.chars().next() {
            Some('u') => format!("ü{}", &rest[1..]),
            Some('i') => rest.to_string(),
            _ => format!("i{rest}"),
        }
    } else if let Some(rest) = plain.strip_prefix('w') {
        match rest.chars().next() {
            Some('u') => rest.to_string(),
            _ => format!("u{rest}"),
        }
    } else {
        return plain.to_string();
    };

    if FINALS.contains(&restored.as_str()) {
        restored
    } else {
        plain.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(word: &str) -> Vec<(String, String)> {
        syllables(word)
            .into_iter()
            .map(|s| (s.initial, s.final_tone))
            .collect()
    }

    #[test]
    fn reads_words_and_phrases() {
        let expected = vec![
            ("zh".to_string(), "ong1".to_string()),
            ("g".to_string(), "uo2".to_string()),
        ];
        assert_eq!(pairs("中国"), expected);
        assert_eq!(finals("银行"), vec!["in2", "ang2"]);
        assert_eq!(finals("女儿"), vec!["v3", "er2"]);
        assert_eq!(finals("的"), vec!["e5"]);
    }

    #[test]
    fn restores_scheme_finals() {
        assert_eq!(finals("有"), vec!["iou3"]);
        assert_eq!(finals("对"), vec!["uei4"]);
        assert_eq!(finals("论"), vec!["uen4"]);
        assert_eq!(finals("去"), vec!["v4"]);
        assert_eq!(finals("月"), vec!["ve4"]);
        assert_eq!(finals("五"), vec!["u3"]);
        assert_eq!(finals("一"), vec!["i1"]);
    }

    #[test]
    fn phrase_prefix_without_phrase_reads_characters_alone() {
        // 不以为 only starts phrases (不以为然); pypinyin reads 为 alone as wèi, not as in 以为.
        assert_eq!(finals("不以为"), vec!["u4", "i3", "uei4"]);
        assert_eq!(finals("以为"), vec!["i3", "uei2"]);
    }

    #[test]
    fn keeps_other_characters_as_they_are() {
        assert_eq!(
            pairs("不,"),
            vec![("b".into(), "u4".into()), (",".into(), ",".into())]
        );
    }
}
