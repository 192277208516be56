//! English word segmentation with unigram and bigram counts (wordsegment 1.3.1), used by the
//! reference to split unknown compounds (`tonegative` → `to negative`).

use std::cmp::Ordering;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::cache::WordMemo;
use crate::embedded::EmbeddedText;
use crate::fast_hash::FastMap;

/// `unigrams.txt`: word and count.
static UNIGRAMS: EmbeddedText = EmbeddedText::new(include_bytes!("../../data/en/unigrams.txt.gz"));

/// `bigrams.txt`: `previous word` and count.
static BIGRAMS: EmbeddedText = EmbeddedText::new(include_bytes!("../../data/en/bigrams.txt.gz"));

/// Total word count of the corpus (`Segmenter.TOTAL`).
const TOTAL: f64 = 1024908267229.0;

/// Longest word tried (`Segmenter.LIMIT`).
const LIMIT: usize = 24;

/// Text is searched in chunks of this many characters (`isegment`'s `size`).
const CHUNK: usize = 250;

struct Counts {
    unigrams: FastMap<&'static str, f64>,
    bigrams: FastMap<&'static str, f64>,
}

fn counts() -> &'static Counts {
    static COUNTS: OnceLock<Counts> = OnceLock::new();
    COUNTS.get_or_init(|| Counts {
        unigrams: parse(UNIGRAMS.text()),
        bigrams: parse(BIGRAMS.text()),
    })
}

fn parse(text: &'static str) -> FastMap<&'static str, f64> {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .filter_map(|(word, count)| Some((word, count.trim().parse().ok()?)))
        .collect()
}

/// `Segmenter.score`: probability of `word` after `previous`.
fn score(word: &str, previous: Option<&str>) -> f64 {
    let counts = counts();
    if let Some(previous) = previous {
        // Both the bigram and the previous word must be known; the cheaper test goes first.
        if let Some(previous_count) = counts.unigrams.get(previous) {
            let bigram = format!("{previous} {word}");
            if let Some(pair) = counts.bigrams.get(bigram.as_str()) {
                return pair / TOTAL / (previous_count / TOTAL);
            }
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

/// A scored segmentation, shared between the memo and the candidates that extend it.
type Scored = Rc<(f64, Vec<String>)>;

/// Python's `max` over `(score, words)` tuples: the higher score, then the greater word list.
/// Candidates are compared as `(prefix, rest)` so that only the winner's list gets built.
fn is_better(candidate: (f64, &str, &Scored), best: (f64, &str, &Scored)) -> bool {
    match candidate.0.partial_cmp(&best.0) {
        Some(Ordering::Greater) => true,
        Some(Ordering::Equal) => {
            let candidate_words =
                std::iter::once(candidate.1).chain(candidate.2 .1.iter().map(String::as_str));
            let best_words = std::iter::once(best.1).chain(best.2 .1.iter().map(String::as_str));
            candidate_words.cmp(best_words) == Ordering::Greater
        }
        _ => false,
    }
}

/// `search(suffix, previous)` is a pure function of its two strings, and within one text both
/// are slices of it: the suffix from `start`, the previous word the `previous_len` bytes before
/// it (none: the sentence start `<s>`). The memo is indexed by those two numbers.
struct Search<'t> {
    text: &'t str,
    memo: Vec<Vec<Option<Scored>>>,
}

impl<'t> Search<'t> {
    fn new(text: &'t str) -> Self {
        Search {
            text,
            memo: vec![vec![None; LIMIT + 1]; text.len() + 1],
        }
    }

    fn best(&mut self, start: usize, previous_len: usize) -> Scored {
        if let Some(known) = &self.memo[start][previous_len] {
            return Rc::clone(known);
        }
        let result = self.search(start, previous_len);
        self.memo[start][previous_len] = Some(Rc::clone(&result));
        result
    }

    fn search(&mut self, start: usize, previous_len: usize) -> Scored {
        let text = self.text;
        if start == text.len() {
            return Rc::new((0.0, Vec::new()));
        }
        let previous = if previous_len == 0 {
            "<s>"
        } else {
            &text[start - previous_len..start]
        };

        let mut best: Option<(f64, &str, Scored)> = None;
        for split in 1..=(text.len() - start).min(LIMIT) {
            let prefix = &text[start..start + split];
            let prefix_score = score(prefix, Some(previous)).log10();
            let rest = self.best(start + split, split);
            let total = prefix_score + rest.0;
            let wins = match &best {
                None => true,
                Some((best_total, best_prefix, best_rest)) => is_better(
                    (total, prefix, &rest),
                    (*best_total, best_prefix, best_rest),
                ),
            };
            if wins {
                best = Some((total, prefix, rest));
            }
        }

        match best {
            Some((total, prefix, rest)) => {
                let mut words = Vec::with_capacity(rest.1.len() + 1);
                words.push(prefix.to_string());
                words.extend(rest.1.iter().cloned());
                Rc::new((total, words))
            }
            None => Rc::new((0.0, Vec::new())),
        }
    }
}

/// The best segmentation of a whole text after the sentence start.
fn search(text: &str) -> Vec<String> {
    Search::new(text).best(0, 0).1.clone()
}

/// `wordsegment.segment`: lower-case letters and digits only, cut into the likeliest words.
pub(crate) fn segment(text: &str) -> Vec<String> {
    static MEMO: WordMemo<Vec<String>> = WordMemo::new();
    MEMO.get_or_compute(text, || segment_uncached(text))
}

fn segment_uncached(text: &str) -> Vec<String> {
    let clean: String = text
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        .collect();

    let mut words = Vec::new();
    let mut prefix = String::new();
    for chunk in clean.as_bytes().chunks(CHUNK) {
        let chunk = std::str::from_utf8(chunk).unwrap_or_default();
        let mut chunk_words = search(&format!("{prefix}{chunk}"));
        let keep = chunk_words.len().saturating_sub(5);
        prefix = chunk_words[keep..].concat();
        chunk_words.truncate(keep);
        words.extend(chunk_words);
    }
    words.extend(search(&prefix));
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
