//! English word segmentation with unigram and bigram counts (wordsegment 1.3.1), used by the
//! reference to split unknown compounds (`tonegative` → `to negative`).

use std::collections::HashMap;
use std::sync::OnceLock;

/// `unigrams.txt`: word and count.
const UNIGRAMS: &str = include_str!("../../data/en/unigrams.txt");

/// `bigrams.txt`: `previous word` and count.
const BIGRAMS: &str = include_str!("../../data/en/bigrams.txt");

/// Total word count of the corpus (`Segmenter.TOTAL`).
const TOTAL: f64 = 1024908267229.0;

/// Longest word tried (`Segmenter.LIMIT`).
const LIMIT: usize = 24;

/// Text is searched in chunks of this many characters (`isegment`'s `size`).
const CHUNK: usize = 250;

struct Counts {
    unigrams: HashMap<&'static str, f64>,
    bigrams: HashMap<&'static str, f64>,
}

fn counts() -> &'static Counts {
    static COUNTS: OnceLock<Counts> = OnceLock::new();
    COUNTS.get_or_init(|| Counts {
        unigrams: parse(UNIGRAMS),
        bigrams: parse(BIGRAMS),
    })
}

fn parse(text: &'static str) -> HashMap<&'static str, f64> {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(word, count)| Some((word, count.trim().parse().ok()?)))
        .collect()
}

/// `Segmenter.score`: probability of `word` after `previous`.
fn score(word: &str, previous: Option<&str>) -> f64 {
    let counts = counts();
    if let Some(previous) = previous {
        let bigram = format!("{previous} {word}");
        if let (Some(pair), Some(_)) = (
            counts.bigrams.get(bigram.as_str()),
            counts.unigrams.get(previous),
        ) {
            return pair / TOTAL / score(previous, None);
        }
        return score(word, None);
    }
    match counts.unigrams.get(word) {
        Some(count) => count / TOTAL,
        // Unknown words get a penalty that grows with their length; `10 ** len` as Python
        // rounds it to a float.
        None => {
            let power: f64 = format!("1e{}", word.len()).parse().unwrap_or(f64::INFINITY);
            10.0 / (TOTAL * power)
        }
    }
}

/// A scored segmentation.
type Scored = (f64, Vec<String>);

/// Python's `max` over `(score, words)` tuples: the higher score, then the greater word list.
fn is_better(candidate: &Scored, best: &Scored) -> bool {
    match candidate.0.partial_cmp(&best.0) {
        Some(std::cmp::Ordering::Greater) => true,
        Some(std::cmp::Ordering::Equal) => candidate.1 > best.1,
        _ => false,
    }
}

fn search(text: &str, previous: &str, memo: &mut HashMap<(String, String), Scored>) -> Scored {
    if text.is_empty() {
        return (0.0, Vec::new());
    }

    let mut best: Option<Scored> = None;
    for split in 1..=text.len().min(LIMIT) {
        let (prefix, suffix) = text.split_at(split);
        let prefix_score = score(prefix, Some(previous)).log10();
        let key = (suffix.to_string(), prefix.to_string());
        let rest = match memo.get(&key) {
            Some(rest) => rest.clone(),
            None => {
                let rest = search(suffix, prefix, memo);
                memo.insert(key, rest.clone());
                rest
            }
        };
        let mut words = vec![prefix.to_string()];
        words.extend(rest.1);
        let candidate = (prefix_score + rest.0, words);
        if best.as_ref().is_none_or(|b| is_better(&candidate, b)) {
            best = Some(candidate);
        }
    }
    best.unwrap_or((0.0, Vec::new()))
}

/// `wordsegment.segment`: lower-case letters and digits only, cut into the likeliest words.
pub(crate) fn segment(text: &str) -> Vec<String> {
    let clean: String = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();

    let mut words = Vec::new();
    let mut prefix = String::new();
    let mut memo = HashMap::new();
    for chunk in clean.as_bytes().chunks(CHUNK) {
        let chunk = std::str::from_utf8(chunk).unwrap_or_default();
        let (_, mut chunk_words) = search(&format!("{prefix}{chunk}"), "<s>", &mut memo);
        let keep = chunk_words.len().saturating_sub(5);
        prefix = chunk_words[keep..].concat();
        chunk_words.truncate(keep);
        words.extend(chunk_words);
    }
    let (_, last_words) = search(&prefix, "<s>", &mut memo);
    words.extend(last_words);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_like_wordsegment() {
        assert_eq!(segment("tonegative"), ["to", "negative"]);
        assert_eq!(segment("kilometersh"), ["kilometers", "h"]);
        assert_eq!(segment("blorptastic"), ["bl", "or", "p", "tastic"]);
        assert_eq!(segment("thirty-two"), ["thirtytwo"]);
    }
}
