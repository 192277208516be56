//! A small memo for pure, costly per-word results (neural readings, word segmentations).

use std::sync::Mutex;

use crate::fast_hash::FastMap;

/// Entries kept before the memo starts over; enough for the vocabulary of a large dataset.
const CAPACITY: usize = 50_000;

/// Maps a word to a value computed once; the values depend on the word alone, so a hit gives
/// exactly what a recomputation would.
pub(crate) struct WordMemo<V> {
    entries: Mutex<Option<FastMap<String, V>>>,
}

impl<V: Clone> WordMemo<V> {
    /// An empty memo.
    pub(crate) const fn new() -> Self {
        WordMemo {
            entries: Mutex::new(None),
        }
    }

    /// The value for `word`, computed by `compute` on a miss.
    pub(crate) fn get_or_compute(&self, word: &str, compute: impl FnOnce() -> V) -> V {
        if let Some(value) = self.lookup(word) {
            return value;
        }
        let value = compute();
        self.store(word, value.clone());
        value
    }

    fn lookup(&self, word: &str) -> Option<V> {
        let guard = self.entries.lock().ok()?;
        guard.as_ref()?.get(word).cloned()
    }

    fn store(&self, word: &str, value: V) {
        let Ok(mut guard) = self.entries.lock() else {
            return;
        };
        let entries = guard.get_or_insert_with(FastMap::default);
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(word.to_string(), value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_once_per_word() {
        let memo: WordMemo<usize> = WordMemo::new();
        let mut calls = 0;
        assert_eq!(
            memo.get_or_compute("abc", || {
                calls += 1;
                3
            }),
            3
        );
        assert_eq!(
            memo.get_or_compute("abc", || {
                calls += 1;
                4
            }),
            3
        );
        assert_eq!(calls, 1);
    }
}
