//! Word segmentation with part-of-speech tags, as `jieba_fast.posseg.lcut` (jieba 0.42.1's
//! dictionary and POS model). jieba-rs finds the most probable route through the dictionary;
//! runs of single characters the dictionary does not know as a word go through jieba's POS HMM.

use std::io::BufReader;
use std::sync::OnceLock;

use jieba_rs::Jieba;

use crate::embedded::EmbeddedText;
use crate::fast_hash::FastMap;

/// jieba 0.42.1 `dict.txt`: word, frequency, tag per line.
static JIEBA_DICT: EmbeddedText =
    EmbeddedText::new(include_bytes!("../../data/zh/jieba_dict.txt.gz"));

/// jieba 0.42.1 `posseg/prob_*.py` and `char_state_tab.py`, as tab-separated lines.
static POSSEG_HMM: EmbeddedText =
    EmbeddedText::new(include_bytes!("../../data/zh/posseg_hmm.txt.gz"));

/// jieba's stand-in for log(0) in emission and start tables.
const MIN_FLOAT: f64 = -3.14e100;

/// A word and its part-of-speech tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TaggedWord {
    /// The word.
    pub word: String,
    /// jieba's tag (`n`, `v`, `x` for punctuation, ...).
    pub tag: String,
}

impl TaggedWord {
    fn new(word: &str, tag: &str) -> Self {
        TaggedWord {
            word: word.to_string(),
            tag: tag.to_string(),
        }
    }
}

struct Dictionary {
    jieba: Jieba,
    tags: FastMap<&'static str, &'static str>,
}

fn dictionary() -> &'static Dictionary {
    static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        let jieba = Jieba::with_dict(&mut BufReader::new(JIEBA_DICT.text().as_bytes()))
            .expect("data/zh/jieba_dict.txt is a valid jieba dictionary");
        let tags = JIEBA_DICT
            .text()
            .lines()
            .filter_map(|line| {
                let mut fields = line.split(' ');
                Some((fields.next()?, fields.nth(1)?))
            })
            .collect();
        Dictionary { jieba, tags }
    })
}

/// jieba's `cut_for_search` with the HMM on (used by the tone sandhi's `_split_word`).
pub(crate) fn cut_for_search(word: &str) -> Vec<&str> {
    dictionary().jieba.cut_for_search(word, true)
}

/// `posseg.lcut(text)` with the HMM on.
pub(crate) fn tag_words(text: &str) -> Vec<TaggedWord> {
    let mut words = Vec::new();
    for (block, is_word_block) in blocks(text) {
        if is_word_block {
            tag_block(block, &mut words);
        } else {
            tag_skipped(block, &mut words);
        }
    }
    words
}

/// Characters posseg cuts with the dictionary (`re_han_internal`).
fn is_block_char(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fd5}' | 'a'..='z' | 'A'..='Z' | '0'..='9' | '+' | '#' | '&' | '.' | '_')
}

fn blocks(text: &str) -> Vec<(&str, bool)> {
    let mut result = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (index, c) in text.char_indices() {
        let kind = is_block_char(c);
        if current.is_some_and(|previous| previous != kind) {
            result.push((&text[start..index], current == Some(true)));
            start = index;
        }
        current = Some(kind);
    }
    if let Some(kind) = current {
        result.push((&text[start..], kind));
    }
    result
}

/// Text between dictionary blocks holds no letters, digits or dots (those are block
/// characters), so every character of it is tagged `x`, as `__cut_internal` does.
fn tag_skipped(block: &str, words: &mut Vec<TaggedWord>) {
    for c in block.chars() {
        words.push(TaggedWord::new(&c.to_string(), "x"));
    }
}

/// `POSTokenizer.__cut_DAG`: dictionary words keep their tag; runs of single characters that
/// do not form a dictionary word go through the POS HMM.
fn tag_block(block: &str, words: &mut Vec<TaggedWord>) {
    let dictionary = dictionary();
    let mut pending_start: Option<usize> = None;
    let mut offset = 0;
    for word in dictionary.jieba.cut(block, false) {
        if word.chars().count() == 1 {
            pending_start.get_or_insert(offset);
        } else {
            if let Some(start) = pending_start.take() {
                tag_single_characters(&block[start..offset], words);
            }
            words.push(TaggedWord::new(
                word,
                dictionary.tags.get(word).copied().unwrap_or("x"),
            ));
        }
        offset += word.len();
    }
    if let Some(start) = pending_start {
        tag_single_characters(&block[start..], words);
    }
}

fn tag_single_characters(run: &str, words: &mut Vec<TaggedWord>) {
    let tags = &dictionary().tags;
    if run.chars().count() == 1 {
        words.push(TaggedWord::new(run, tags.get(run).copied().unwrap_or("x")));
    } else if !tags.contains_key(run) {
        tag_unknown(run, words);
    } else {
        for c in run.chars() {
            let piece = c.to_string();
            let tag = tags.get(piece.as_str()).copied().unwrap_or("x");
            words.push(TaggedWord::new(&piece, tag));
        }
    }
}

/// `POSTokenizer.__cut_detail`: Chinese runs through the HMM, number and letter runs tagged.
fn tag_unknown(run: &str, words: &mut Vec<TaggedWord>) {
    for (piece, is_chinese) in split_chinese(run) {
        if is_chinese {
            words.extend(hmm_cut(piece));
        } else {
            tag_detail_piece(piece, words);
        }
    }
}

fn split_chinese(text: &str) -> Vec<(&str, bool)> {
    let mut result = Vec::new();
    let mut start = 0;
    let mut current: Option<bool> = None;
    for (index, c) in text.char_indices() {
        let kind = ('\u{4e00}'..='\u{9fd5}').contains(&c);
        if current.is_some_and(|previous| previous != kind) {
            result.push((&text[start..index], current == Some(true)));
            start = index;
        }
        current = Some(kind);
    }
    if let Some(kind) = current {
        result.push((&text[start..], kind));
    }
    result
}

/// Non-Chinese parts of an unknown run: `[.0-9]+` → m, `[a-zA-Z0-9]+` → eng, else x per run.
fn tag_detail_piece(piece: &str, words: &mut Vec<TaggedWord>) {
    let mut rest = piece;
    while let Some(first) = rest.chars().next() {
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let word_len = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let (length, tag) = if number_len > 0 {
            (number_len, "m")
        } else if word_len > 0 {
            (word_len, "eng")
        } else {
            let other_len = rest
                .find(|c: char| c.is_ascii_alphanumeric() || c == '.')
                .unwrap_or(rest.len())
                .max(first.len_utf8());
            (other_len, "x")
        };
        words.push(TaggedWord::new(&rest[..length], tag));
        rest = &rest[length..];
    }
}

// The POS HMM (`posseg/viterbi.py`).

struct PossegModel {
    /// State names (`B` / `M` / `E` / `S` followed by the tag), sorted, so that comparing
    /// indices compares the reference's (position, tag) tuples.
    states: Vec<&'static str>,
    start: Vec<f64>,
    /// `transitions[from]`: the states `from` may go to, with their log probability.
    transitions: Vec<Vec<(usize, f64)>>,
    /// The same as a dense matrix indexed `[to][from]` (so that the inner loop over the
    /// previous states reads contiguous memory), `-inf` where jieba has no entry.
    transition_matrix: Vec<f64>,
    emissions: FastMap<char, Vec<(usize, f64)>>,
    allowed_states: FastMap<char, Vec<usize>>,
    every_state: Vec<usize>,
}

fn model() -> &'static PossegModel {
    static MODEL: OnceLock<PossegModel> = OnceLock::new();
    MODEL.get_or_init(load_model)
}

fn load_model() -> PossegModel {
    let mut names: Vec<&'static str> = POSSEG_HMM
        .text()
        .lines()
        .filter_map(|line| line.strip_prefix("S\t"))
        .filter_map(|rest| rest.split('\t').next())
        .collect();
    names.sort_unstable();
    let index: FastMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut model = PossegModel {
        start: vec![MIN_FLOAT; names.len()],
        transitions: vec![Vec::new(); names.len()],
        transition_matrix: vec![f64::NEG_INFINITY; names.len() * names.len()],
        emissions: FastMap::default(),
        allowed_states: FastMap::default(),
        every_state: (0..names.len()).collect(),
        states: names,
    };
    for line in POSSEG_HMM.text().lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        add_model_line(&mut model, &index, &fields);
    }
    model
}

fn add_model_line(model: &mut PossegModel, index: &FastMap<&str, usize>, fields: &[&str]) {
    let state = |name: &str| index.get(name).copied();
    let prob = |text: &str| text.parse::<f64>().unwrap_or(MIN_FLOAT);
    match fields {
        ["S", name, p] => {
            if let Some(s) = state(name) {
                model.start[s] = prob(p);
            }
        }
        ["T", from, to, p] => {
            if let (Some(f), Some(t)) = (state(from), state(to)) {
                model.transitions[f].push((t, prob(p)));
                let n_states = model.states.len();
                model.transition_matrix[t * n_states + f] = prob(p);
            }
        }
        ["E", name, ch, p] => {
            if let (Some(s), Some(c)) = (state(name), ch.chars().next()) {
                model.emissions.entry(c).or_default().push((s, prob(p)));
            }
        }
        ["C", ch, allowed] => {
            if let Some(c) = ch.chars().next() {
                let states = allowed.split(' ').filter_map(state).collect();
                model.allowed_states.insert(c, states);
            }
        }
        _ => {}
    }
}

impl PossegModel {
    /// Emission log probabilities of `c` for every state (`MIN_FLOAT` where jieba has none).
    fn emission_row(&self, c: char) -> Vec<f64> {
        let mut row = vec![MIN_FLOAT; self.states.len()];
        for (state, p) in self
            .emissions
            .get(&c)
            .map(Vec::as_slice)
            .unwrap_or_default()
        {
            row[*state] = *p;
        }
        row
    }

    fn transition(&self, from: usize, to: usize) -> f64 {
        self.transition_matrix[to * self.states.len() + from]
    }

    /// The states `c` may take; every state (`trans_p.keys()`) for characters not listed.
    fn allowed(&self, c: char) -> &[usize] {
        self.allowed_states
            .get(&c)
            .map_or(&self.every_state, Vec::as_slice)
    }
}

/// Picks the larger (probability, state) pair, as Python's `max` over tuples does.
fn better(candidate: (f64, usize), best: Option<(f64, usize)>) -> bool {
    match best {
        None => true,
        Some((p, s)) => candidate.0 > p || (candidate.0 == p && candidate.1 > s),
    }
}

/// The most probable state per character (`viterbi`).
fn viterbi(chars: &[char]) -> Vec<usize> {
    let model = model();
    let n_states = model.states.len();
    let mut scores: Vec<Vec<Option<f64>>> = vec![vec![None; n_states]; chars.len()];
    let mut back: Vec<Vec<usize>> = vec![vec![0; n_states]; chars.len()];

    let first_emissions = model.emission_row(chars[0]);
    for &state in model.allowed(chars[0]) {
        scores[0][state] = Some(model.start[state] + first_emissions[state]);
    }

    for t in 1..chars.len() {
        let previous: Vec<usize> = (0..n_states)
            .filter(|s| scores[t - 1][*s].is_some() && !model.transitions[*s].is_empty())
            .collect();
        let mut expected = vec![false; n_states];
        for from in &previous {
            for (to, _) in &model.transitions[*from] {
                expected[*to] = true;
            }
        }
        let mut candidates: Vec<usize> = model
            .allowed(chars[t])
            .iter()
            .copied()
            .filter(|s| expected[*s])
            .collect();
        if candidates.is_empty() {
            candidates = (0..n_states).filter(|s| expected[*s]).collect();
        }
        if candidates.is_empty() {
            candidates = model.every_state.clone();
        }

        let emissions = model.emission_row(chars[t]);
        for state in candidates {
            let emit = emissions[state];
            let mut best: Option<(f64, usize)> = None;
            for &from in &previous {
                let score = scores[t - 1][from].unwrap_or(f64::NEG_INFINITY)
                    + model.transition(from, state)
                    + emit;
                if better((score, from), best) {
                    best = Some((score, from));
                }
            }
            if let Some((score, from)) = best {
                scores[t][state] = Some(score);
                back[t][state] = from;
            }
        }
    }

    backtrack(&scores, &back)
}

fn backtrack(scores: &[Vec<Option<f64>>], back: &[Vec<usize>]) -> Vec<usize> {
    let last = scores.len() - 1;
    let mut best: Option<(f64, usize)> = None;
    for (state, score) in scores[last].iter().enumerate() {
        if let Some(score) = score {
            if better((*score, state), best) {
                best = Some((*score, state));
            }
        }
    }

    let mut route = vec![0; scores.len()];
    let mut state = best.map_or(0, |(_, s)| s);
    for t in (0..scores.len()).rev() {
        route[t] = state;
        state = back[t][state];
    }
    route
}

/// `POSTokenizer.__cut`: B…E and S states make the words, each tagged with its state's tag.
fn hmm_cut(text: &str) -> Vec<TaggedWord> {
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return Vec::new();
    }

    let states = &model().states;
    let route = viterbi(&chars);
    let mut words = Vec::new();
    let (mut begin, mut next) = (0, 0);
    for (i, state) in route.iter().enumerate() {
        let name = states[*state];
        let tag = &name[1..];
        match &name[..1] {
            "B" => begin = i,
            "E" => {
                words.push(TaggedWord::new(
                    &chars[begin..=i].iter().collect::<String>(),
                    tag,
                ));
                next = i + 1;
            }
            "S" => {
                words.push(TaggedWord::new(&chars[i].to_string(), tag));
                next = i + 1;
            }
            _ => {}
        }
    }
    if next < chars.len() {
        let tag = &states[route[next]][1..];
        words.push(TaggedWord::new(
            &chars[next..].iter().collect::<String>(),
            tag,
        ));
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        tag_words(text)
            .into_iter()
            .map(|w| (w.word, w.tag))
            .collect()
    }

    fn owned(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(w, t)| (w.to_string(), t.to_string()))
            .collect()
    }

    #[test]
    fn dictionary_words_keep_their_tags() {
        let expected = owned(&[("我们", "r"), ("的", "uj"), ("东西", "ns"), ("在", "p")]);
        assert_eq!(pairs("我们的东西在"), expected);
    }

    #[test]
    fn unknown_runs_go_through_the_pos_hmm() {
        // Reference output of jieba 0.42.1 posseg for the same runs.
        assert_eq!(pairs("了负三"), owned(&[("了负", "v"), ("三", "m")]));
        assert_eq!(pairs("好."), owned(&[("好", "a"), (".", "m")]));
    }

    #[test]
    fn punctuation_is_tagged_x() {
        assert_eq!(pairs(",")[0].1, "x");
    }
}
