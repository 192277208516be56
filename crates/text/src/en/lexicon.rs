//! The reference's pronouncing dictionaries: CMUdict with GPT-SoVITS's extra entries, the name
//! dictionary, and g2p_en's homographs.

use std::sync::OnceLock;

use crate::embedded::EmbeddedText;
use crate::fast_hash::FastMap;

/// `cmudict.rep`, then `cmudict-fast.rep` for new words, then `engdict-hot.rep` over both.
static CMUDICT: EmbeddedText = EmbeddedText::new(include_bytes!("../../data/en/cmudict.txt.gz"));

/// GPT-SoVITS `namedict_cache.pickle`: names, used for title-case words only.
static NAMES: EmbeddedText = EmbeddedText::new(include_bytes!("../../data/en/namedict.txt.gz"));

/// g2p_en `homographs.en`: `word|reading 1|reading 2|tag prefix of reading 1`.
const HOMOGRAPHS: &str = include_str!("../../data/en/homographs.en");

/// Entries `en_G2p.__init__` deletes from the dictionary (they are spelled out instead).
const REMOVED_WORDS: [&str; 6] = ["ae", "ai", "ar", "ios", "hud", "os"];

/// Two readings of a homograph and the tag prefix that selects the first.
pub(crate) struct Homograph {
    pub first: Vec<&'static str>,
    pub second: Vec<&'static str>,
    pub first_tag: &'static str,
}

fn parse_dictionary(text: &'static str) -> FastMap<&'static str, &'static str> {
    text.lines()
        .filter_map(|line| line.split_once('\t'))
        .collect()
}

fn cmudict() -> &'static FastMap<&'static str, &'static str> {
    static DICT: OnceLock<FastMap<&'static str, &'static str>> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut dict = parse_dictionary(CMUDICT.text());
        for word in REMOVED_WORDS {
            dict.remove(word);
        }
        dict
    })
}

fn names() -> &'static FastMap<&'static str, &'static str> {
    static DICT: OnceLock<FastMap<&'static str, &'static str>> = OnceLock::new();
    DICT.get_or_init(|| parse_dictionary(NAMES.text()))
}

/// The dictionary reading of a lower-case word.
pub(crate) fn lookup(word: &str) -> Option<Vec<&'static str>> {
    cmudict()
        .get(word)
        .map(|phones| phones.split(' ').collect())
}

/// The name-dictionary reading of a lower-case word.
pub(crate) fn lookup_name(word: &str) -> Option<Vec<&'static str>> {
    names().get(word).map(|phones| phones.split(' ').collect())
}

fn homographs() -> &'static FastMap<String, Homograph> {
    static DICT: OnceLock<FastMap<String, Homograph>> = OnceLock::new();
    DICT.get_or_init(|| {
        let mut dict: FastMap<String, Homograph> = HOMOGRAPHS
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| {
                let fields: Vec<&'static str> = line.trim().split('|').collect();
                let [word, first, second, tag] = fields.as_slice() else {
                    return None;
                };
                let homograph = Homograph {
                    first: first.split_whitespace().collect(),
                    second: second.split_whitespace().collect(),
                    first_tag: tag,
                };
                Some((word.to_lowercase(), homograph))
            })
            .collect();
        add_reference_overrides(&mut dict);
        dict
    })
}

/// `en_G2p.__init__` replaces the entries for `read` and `complex`.
fn add_reference_overrides(dict: &mut FastMap<String, Homograph>) {
    let read = Homograph {
        first: vec!["R", "IY1", "D"],
        second: vec!["R", "EH1", "D"],
        first_tag: "VBP",
    };
    let complex = Homograph {
        first: vec!["K", "AH0", "M", "P", "L", "EH1", "K", "S"],
        second: vec!["K", "AA1", "M", "P", "L", "EH0", "K", "S"],
        first_tag: "JJ",
    };
    dict.insert("read".to_string(), read);
    dict.insert("complex".to_string(), complex);
}

/// The homograph entry of a lower-case word.
pub(crate) fn homograph(word: &str) -> Option<&'static Homograph> {
    homographs().get(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_dictionary_entries() {
        assert_eq!(lookup("hello").unwrap(), ["HH", "AH0", "L", "OW1"]);
        assert!(lookup("ai").is_none());
        assert_eq!(homograph("read").unwrap().first_tag, "VBP");
        assert!(homograph("record").is_some());
    }
}
