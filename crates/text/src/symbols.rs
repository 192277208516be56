//! The v2 symbol table (`text/symbols2.py: symbols`) and phoneme → id.

use std::sync::OnceLock;

use crate::fast_hash::FastMap;

/// Number of symbols in the v2 table.
pub const SYMBOL_COUNT: usize = 732;

/// The reference's ordered list, as JSON (`data/symbols_v2.json`).
const SYMBOLS_JSON: &str = include_str!("../data/symbols_v2.json");

/// Punctuation and pause symbols (`symbols2.py: pu_symbols`).
const PUNCTUATION_AND_PAUSES: [&str; 10] =
    ["!", "?", "…", ",", ".", "-", "SP", "SP2", "SP3", "UNK"];

struct SymbolTable {
    symbols: Vec<&'static str>,
    ids: FastMap<&'static str, usize>,
}

fn table() -> &'static SymbolTable {
    static TABLE: OnceLock<SymbolTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let parsed: Vec<String> =
            serde_json::from_str(SYMBOLS_JSON).expect("data/symbols_v2.json is a list of strings");
        let symbols: Vec<&'static str> = parsed
            .into_iter()
            .map(|symbol| &*Box::leak(symbol.into_boxed_str()))
            .collect();
        // Later duplicates would win, as in the reference's dict comprehension (there are none).
        let ids = symbols
            .iter()
            .enumerate()
            .map(|(id, symbol)| (*symbol, id))
            .collect();
        SymbolTable { symbols, ids }
    })
}

/// The v2 symbols in the reference order; a phoneme's id is its index here.
pub fn symbols() -> &'static [&'static str] {
    &table().symbols
}

/// The id of `phone` in the v2 table, if it is a symbol.
pub fn symbol_id(phone: &str) -> Option<usize> {
    table().ids.get(phone).copied()
}

/// The table's own copy of `phone`, or `UNK` for anything outside the table.
pub(crate) fn intern(phone: &str) -> &'static str {
    match table().ids.get(phone) {
        Some(&id) => table().symbols[id],
        None => "UNK",
    }
}

pub(crate) fn unk_id() -> usize {
    symbol_id("UNK").unwrap_or(0)
}

pub(crate) fn is_punctuation_or_pause(phone: &str) -> bool {
    PUNCTUATION_AND_PAUSES.contains(&phone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_reference_size_and_order() {
        assert_eq!(symbols().len(), SYMBOL_COUNT);
        assert_eq!(symbols()[0], "!");
        assert_eq!(symbol_id("AA"), symbols().iter().position(|s| *s == "AA"));
    }

    #[test]
    fn unknown_phones_become_unk() {
        assert_eq!(intern("not-a-phone"), "UNK");
        assert_eq!(intern("a1"), "a1");
        assert!(symbol_id("UNK").is_some());
    }
}
