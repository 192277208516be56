//! Tone sandhi (`text/tone_sandhi.py`, after PaddleSpeech): merges of the segmentation that the
//! rules need, then 不 and 一 sandhi, neutral tones and third-tone chains per word.

use std::sync::OnceLock;

use super::pinyin;
use super::segment::{self, TaggedWord};
use crate::fast_hash::FastSet;

/// `+word` must take a neutral last tone, `-word` must not (`must_neural_tone_words`,
/// `must_not_neural_tone_words`).
const NEUTRAL_TONE_WORDS: &str = include_str!("../../data/zh/neutral_tone_words.txt");

/// Punctuation after which 一 keeps its first tone (`ToneSandhi.punc`).
const YI_KEEPS_TONE_BEFORE: &str = "：，；。？！“”‘’':,;.?!";

/// Sentence particles read with the neutral tone.
const NEUTRAL_PARTICLES: &str = "吧呢哈啊呐噻嘛吖嗨呐哦哒额滴哩哟喽啰耶喔诶";

/// Characters Python's `str.isnumeric` accepts among CJK ideographs (Unihan numeric values).
const CJK_NUMERALS: &str = "〇一七万三九二五亖亿什仟仨伍佰億兆兩八六十千卄卅卌叁参參叄四壱壹幺廾廿弌弍弎弐拾捌柒漆玖百肆萬貮貳贰阡陆陌陸零㐅㒃㠪㭍";

struct NeutralToneWords {
    must: FastSet<&'static str>,
    must_not: FastSet<&'static str>,
}

fn neutral_tone_words() -> &'static NeutralToneWords {
    static WORDS: OnceLock<NeutralToneWords> = OnceLock::new();
    WORDS.get_or_init(|| {
        let entries = NEUTRAL_TONE_WORDS
            .lines()
            .filter_map(|line| line.split_once('\t'));
        let mut words = NeutralToneWords {
            must: FastSet::default(),
            must_not: FastSet::default(),
        };
        for (mark, word) in entries {
            if mark == "+" {
                words.must.insert(word);
            } else {
                words.must_not.insert(word);
            }
        }
        words
    })
}

fn is_numeric(c: char) -> bool {
    c.is_numeric() || CJK_NUMERALS.contains(c)
}

fn tone_of(final_tone: &str) -> Option<char> {
    final_tone.chars().last()
}

/// `final[:-1] + tone`.
fn set_tone(finals: &mut [String], index: usize, tone: char) {
    if let Some(final_tone) = finals.get_mut(index) {
        final_tone.pop();
        final_tone.push(tone);
    }
}

fn set_last_tone(finals: &mut [String], tone: char) {
    if let Some(last) = finals.len().checked_sub(1) {
        set_tone(finals, last, tone);
    }
}

/// `_all_tone_three`; `None` where the reference would index an empty final and fail.
fn all_tone_three(finals: &[String]) -> Option<bool> {
    for final_tone in finals {
        if tone_of(final_tone)? != '3' {
            return Some(false);
        }
    }
    Some(true)
}

/// The last `n` characters of a word (`word[-n:]`).
fn last_chars(chars: &[char], n: usize) -> String {
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

// Merges before the sandhi (`pre_merge_for_modify`).

/// `pre_merge_for_modify`: merges whose failure the reference swallows keep the input.
pub(crate) fn pre_merge(words: Vec<TaggedWord>) -> Vec<TaggedWord> {
    let words = merge_bu(words);
    let words = merge_yi(words);
    let words = merge_reduplication(words);
    let words = merge_three_tones(&words).unwrap_or(words);
    let words = merge_three_tones_across(&words).unwrap_or(words);
    merge_er(words)
}

/// `_merge_bu`: 不 joins the word after it.
fn merge_bu(words: Vec<TaggedWord>) -> Vec<TaggedWord> {
    let mut merged = Vec::with_capacity(words.len());
    let mut last_word = String::new();
    for mut word in words {
        if last_word == "不" {
            word.word = format!("不{}", word.word);
        }
        if word.word != "不" {
            merged.push(word.clone());
        }
        last_word = word.word;
    }
    if last_word == "不" {
        merged.push(TaggedWord {
            word: last_word,
            tag: "d".to_string(),
        });
    }
    merged
}

/// `_merge_yi`: verb 一 verb becomes one word (听一听), then a lone 一 joins the next word.
fn merge_yi(words: Vec<TaggedWord>) -> Vec<TaggedWord> {
    let mut first_pass: Vec<TaggedWord> = Vec::with_capacity(words.len());
    let mut i = 0;
    while i < words.len() {
        let word = &words[i];
        let is_reduplicated_verb = i >= 1
            && word.word == "一"
            && i + 1 < words.len()
            && first_pass.last().is_some_and(|last| {
                last.word == words[i + 1].word && last.tag == "v" && words[i + 1].tag == "v"
            });
        if is_reduplicated_verb {
            if let Some(last) = first_pass.last_mut() {
                last.word = format!("{}一{}", last.word, words[i + 1].word);
            }
            i += 2;
        } else {
            first_pass.push(word.clone());
            i += 1;
        }
    }

    let mut merged: Vec<TaggedWord> = Vec::with_capacity(first_pass.len());
    for word in first_pass {
        match merged.last_mut() {
            Some(last) if last.word == "一" => last.word.push_str(&word.word),
            _ => merged.push(word),
        }
    }
    merged
}

/// `_merge_reduplication`: a word equal to the one before joins it (奶奶, 试试).
fn merge_reduplication(words: Vec<TaggedWord>) -> Vec<TaggedWord> {
    let mut merged: Vec<TaggedWord> = Vec::with_capacity(words.len());
    for word in words {
        match merged.last_mut() {
            Some(last) if last.word == word.word => last.word.push_str(&word.word),
            _ => merged.push(word),
        }
    }
    merged
}

fn is_reduplication(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.len() == 2 && chars[0] == chars[1]
}

/// Merges word `i` into the previous one when both sides qualify and the result stays short;
/// shared by both third-tone merges.
fn merge_if_short(
    words: &[TaggedWord],
    qualifies: impl Fn(usize) -> Option<bool>,
) -> Option<Vec<TaggedWord>> {
    let mut merged: Vec<TaggedWord> = Vec::with_capacity(words.len());
    let mut merged_into_last = vec![false; words.len()];
    for (i, word) in words.iter().enumerate() {
        let wants_merge = i >= 1 && qualifies(i)? && !merged_into_last[i - 1];
        let previous = &words.get(i.wrapping_sub(1));
        let short_enough = previous.is_some_and(|p| {
            !is_reduplication(&p.word) && p.word.chars().count() + word.word.chars().count() <= 3
        });
        match merged.last_mut() {
            Some(last) if wants_merge && short_enough => {
                last.word.push_str(&word.word);
                merged_into_last[i] = true;
            }
            _ => merged.push(word.clone()),
        }
    }
    Some(merged)
}

/// `_merge_continuous_three_tones`: two all-third-tone words in a row join.
fn merge_three_tones(words: &[TaggedWord]) -> Option<Vec<TaggedWord>> {
    let finals: Vec<Vec<String>> = words.iter().map(|w| pinyin::finals(&w.word)).collect();
    merge_if_short(words, |i| {
        Some(all_tone_three(&finals[i - 1])? && all_tone_three(&finals[i])?)
    })
}

/// `_merge_continuous_three_tones_2`: a word ending and the next starting in the third tone
/// join.
fn merge_three_tones_across(words: &[TaggedWord]) -> Option<Vec<TaggedWord>> {
    let finals: Vec<Vec<String>> = words.iter().map(|w| pinyin::finals(&w.word)).collect();
    merge_if_short(words, |i| {
        let previous_last = tone_of(finals[i - 1].last()?)?;
        if previous_last != '3' {
            return Some(false);
        }
        Some(tone_of(finals[i].first()?)? == '3')
    })
}

/// `_merge_er`: 儿 joins the word before it.
fn merge_er(words: Vec<TaggedWord>) -> Vec<TaggedWord> {
    let mut merged: Vec<TaggedWord> = Vec::with_capacity(words.len());
    for (i, word) in words.iter().enumerate() {
        let joins = i >= 1 && word.word == "儿" && words[i - 1].word != "#";
        match merged.last_mut() {
            Some(last) if joins => last.word.push_str(&word.word),
            _ => merged.push(word.clone()),
        }
    }
    merged
}

// Sandhi per word (`modified_tone`).

/// `modified_tone`: 不, 一, neutral-tone and third-tone rules on the finals of one word.
pub(crate) fn modified_tone(word: &str, tag: &str, finals: &mut [String]) {
    let chars: Vec<char> = word.chars().collect();
    bu_sandhi(&chars, finals);
    yi_sandhi(&chars, finals);
    neutral_sandhi(&chars, tag, finals);
    three_sandhi(&chars, finals);
}

/// `_bu_sandhi`: 不 is neutral in A不B (看不懂) and rises before a fourth tone (不怕).
fn bu_sandhi(chars: &[char], finals: &mut [String]) {
    if chars.len() == 3 && chars[1] == '不' {
        set_tone(finals, 1, '5');
        return;
    }
    for i in 0..chars.len() {
        let next_is_fourth = finals.get(i + 1).and_then(|f| tone_of(f)) == Some('4');
        if chars[i] == '不' && i + 1 < chars.len() && next_is_fourth {
            set_tone(finals, i, '2');
        }
    }
}

/// `_yi_sandhi`: 一 keeps its tone among numbers, is neutral in A一A, first tone as an ordinal,
/// else rises before a fourth tone and falls before the others.
fn yi_sandhi(chars: &[char], finals: &mut [String]) {
    if chars.contains(&'一') && chars.iter().filter(|c| **c != '一').all(|c| is_numeric(*c)) {
        return;
    }
    if chars.len() == 3 && chars[1] == '一' && chars[0] == chars[2] {
        set_tone(finals, 1, '5');
    } else if chars.starts_with(&['第', '一']) {
        set_tone(finals, 1, '1');
    } else {
        for i in 0..chars.len() {
            if chars[i] != '一' || i + 1 >= chars.len() {
                continue;
            }
            if finals.get(i + 1).and_then(|f| tone_of(f)) == Some('4') {
                set_tone(finals, i, '2');
            } else if !YI_KEEPS_TONE_BEFORE.contains(chars[i + 1]) {
                set_tone(finals, i, '4');
            }
        }
    }
}

/// `_neural_sandhi`: reduplication, particles, suffixes, measure word 个 and listed words take
/// the neutral tone.
fn neutral_sandhi(chars: &[char], tag: &str, finals: &mut [String]) {
    let words = neutral_tone_words();
    let word: String = chars.iter().collect();
    let tag_class = tag.chars().next();

    for j in 1..chars.len() {
        let reduplicated = chars[j] == chars[j - 1] && matches!(tag_class, Some('n' | 'v' | 'a'));
        if reduplicated && !words.must_not.contains(word.as_str()) {
            set_tone(finals, j, '5');
        }
    }

    neutral_last_syllable(chars, &word, tag, finals);

    let (first, second) = split_word(&word);
    let first_len = first.chars().count().min(finals.len());
    let (first_finals, second_finals) = finals.split_at_mut(first_len);
    for (part, part_finals) in [(first, first_finals), (second, second_finals)] {
        let part_chars: Vec<char> = part.chars().collect();
        let listed = words.must.contains(part.as_str())
            || words.must.contains(last_chars(&part_chars, 2).as_str());
        if listed {
            set_last_tone(part_finals, '5');
        }
    }
}

/// The first matching rule of `_neural_sandhi`'s if/elif chain: which syllable, if any, turns
/// neutral.
fn neutral_last_syllable(chars: &[char], word: &str, tag: &str, finals: &mut [String]) {
    if let Some(index) = neutral_syllable_index(chars, word, tag) {
        set_tone(finals, index, '5');
    }
}

fn neutral_syllable_index(chars: &[char], word: &str, tag: &str) -> Option<usize> {
    let words = neutral_tone_words();
    let last_index = chars.len().checked_sub(1)?;
    let last = chars[last_index];
    let long = chars.len() > 1;
    let before_last = if long { chars[last_index - 1] } else { '\0' };
    let ge_index = chars.iter().position(|c| *c == '个');
    let measure_ge = ge_index.is_some_and(|i| {
        i >= 1 && (is_numeric(chars[i - 1]) || "几有两半多各整每做是".contains(chars[i - 1]))
    });

    let particle = NEUTRAL_PARTICLES.contains(last) || "的地得".contains(last);
    let aspect = !long && "了着过".contains(last) && matches!(tag, "ul" | "uz" | "ug");
    let plural_or_suffix =
        long && "们子".contains(last) && matches!(tag, "r" | "n") && !words.must_not.contains(word);
    let place = long && "上下里".contains(last) && matches!(tag, "s" | "l" | "f");
    let direction = long && "来去".contains(last) && "上下进出回过起开".contains(before_last);

    if particle || aspect || plural_or_suffix || place || direction {
        Some(last_index)
    } else if measure_ge || word == "个" {
        Some(ge_index.unwrap_or(0))
    } else if words.must.contains(word) || words.must.contains(last_chars(chars, 2).as_str()) {
        Some(last_index)
    } else {
        None
    }
}

/// `_split_word`: the shortest search-mode piece of the word and the rest, in text order.
fn split_word(word: &str) -> (String, String) {
    let mut pieces = segment::cut_for_search(word);
    pieces.sort_by_key(|piece| piece.chars().count());
    let Some(shortest) = pieces.first().copied() else {
        return (word.to_string(), String::new());
    };

    let chars: Vec<char> = word.chars().collect();
    let shortest_len = shortest.chars().count();
    if word.starts_with(shortest) {
        (shortest.to_string(), chars[shortest_len..].iter().collect())
    } else {
        let head_len = chars.len().saturating_sub(shortest_len);
        (chars[..head_len].iter().collect(), shortest.to_string())
    }
}

/// `_three_sandhi`: in a chain of third tones all but the last rise.
fn three_sandhi(chars: &[char], finals: &mut [String]) {
    match chars.len() {
        2 if all_tone_three(finals) == Some(true) => set_tone(finals, 0, '2'),
        3 => three_sandhi_trisyllable(chars, finals),
        4 => {
            let half = finals.len().min(2);
            let (first, second) = finals.split_at_mut(half);
            for pair in [first, second] {
                if all_tone_three(pair) == Some(true) {
                    set_tone(pair, 0, '2');
                }
            }
        }
        _ => {}
    }
}

fn three_sandhi_trisyllable(chars: &[char], finals: &mut [String]) {
    let word: String = chars.iter().collect();
    let (first, _) = split_word(&word);
    let first_len = first.chars().count();

    if all_tone_three(finals) == Some(true) {
        // 蒙古/包 → both of the first two rise; 纸/老虎 → only the middle one.
        if first_len == 2 {
            set_tone(finals, 0, '2');
            set_tone(finals, 1, '2');
        } else if first_len == 1 {
            set_tone(finals, 1, '2');
        }
        return;
    }

    let split = first_len.min(finals.len());
    let (head, tail) = finals.split_at_mut(split);
    if all_tone_three(head) == Some(true) && head.len() == 2 {
        set_tone(head, 0, '2');
    }
    if all_tone_three(tail) == Some(true) && tail.len() == 2 {
        set_tone(tail, 0, '2');
    } else if all_tone_three(tail) == Some(false)
        && tail.first().and_then(|f| tone_of(f)) == Some('3')
        && head.last().and_then(|f| tone_of(f)) == Some('3')
    {
        // 好/喜欢: the end of the first part rises before a third tone.
        set_last_tone(head, '2');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finals_after_sandhi(word: &str, tag: &str) -> Vec<String> {
        let mut finals = pinyin::finals(word);
        modified_tone(word, tag, &mut finals);
        finals
    }

    #[test]
    fn bu_and_yi() {
        assert_eq!(finals_after_sandhi("不对", "d"), vec!["u2", "uei4"]);
        assert_eq!(finals_after_sandhi("一天", "m"), vec!["i4", "ian1"]);
        assert_eq!(finals_after_sandhi("一样", "m"), vec!["i2", "iang4"]);
        assert_eq!(finals_after_sandhi("第一", "m"), vec!["i4", "i1"]);
    }

    #[test]
    fn third_tone_chains() {
        assert_eq!(finals_after_sandhi("你好", "l"), vec!["i2", "ao3"]);
        assert_eq!(
            finals_after_sandhi("展览馆", "n"),
            vec!["an2", "an2", "uan3"]
        );
    }

    #[test]
    fn merges_reduplication_and_bu() {
        let words = vec![
            TaggedWord {
                word: "看".into(),
                tag: "v".into(),
            },
            TaggedWord {
                word: "看".into(),
                tag: "v".into(),
            },
            TaggedWord {
                word: "不".into(),
                tag: "d".into(),
            },
            TaggedWord {
                word: "好".into(),
                tag: "a".into(),
            },
        ];
        let merged: Vec<String> = pre_merge(words).into_iter().map(|w| w.word).collect();
        assert_eq!(merged, vec!["看看", "不好"]);
    }
}
