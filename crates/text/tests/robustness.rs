//! Garbage in never panics: every input gives phonemes or a clear, coded error.

use gsv_text::{clean_text, symbols, CleanedText, Language, TextError};

const LANGUAGES: [Language; 3] = [Language::Zh, Language::En, Language::Auto];

/// Checks the invariants every successful result keeps.
fn check_consistent(cleaned: &CleanedText) {
    assert_eq!(cleaned.phones.len(), cleaned.phone_ids.len());
    for (phone, id) in cleaned.phones.iter().zip(&cleaned.phone_ids) {
        assert_eq!(symbols()[*id], *phone);
    }
    if let Some(word2ph) = &cleaned.word2ph {
        assert_eq!(word2ph.iter().sum::<usize>(), cleaned.phones.len());
        assert_eq!(word2ph.len(), cleaned.norm_text.chars().count());
    }
}

fn convert_all(text: &str) -> Vec<Result<CleanedText, TextError>> {
    LANGUAGES
        .iter()
        .map(|language| clean_text(text, *language))
        .collect()
}

#[test]
fn empty_and_blank_lines_are_empty_text() {
    for text in ["", " ", "\t\n", "\u{3000}"] {
        for result in convert_all(text) {
            assert_eq!(result.unwrap_err().code(), "empty_text");
        }
    }
}

#[test]
fn emoji_and_symbols_only_are_nothing_pronounceable() {
    for text in ["😊👍", "★☆♥", "，。！", "...", "\u{0}\u{1}\u{7f}"] {
        for result in convert_all(text) {
            let error = result.unwrap_err();
            assert_eq!(error.code(), "nothing_pronounceable", "{text:?}: {error}");
        }
    }
}

#[test]
fn control_characters_and_odd_scripts_do_not_panic() {
    let inputs = [
        "你好\u{0}世界\u{1b}[31m",
        "hello\u{200b}world\u{feff}",
        "مرحبا 123 שלום",
        "𠀀𠀁𪚥 漢字 ١٢٣",
        "ｈｅｌｌｏ　ｗｏｒｌｄ　１２３",
        "a\u{301}\u{302}\u{303}",
        "-1-2-3-4-5-6-7-8-9",
        "1+2+3+4=5=6×7÷8",
        "99999999999999999999999999999999999999999999999个",
        "9999999999999999999999999999999999999999999999999",
        "$99999999999999999999999999999999999999999999.99",
        "嗯呣哼呒",
        "儿儿儿一一一不不不",
    ];
    for text in inputs {
        for result in convert_all(text) {
            match result {
                Ok(cleaned) => check_consistent(&cleaned),
                Err(error) => assert!(!error.code().is_empty()),
            }
        }
    }
}

#[test]
fn ten_thousand_character_lines_convert() {
    let chinese = "今天天气很好，我们一起去公园散步吧。".repeat(560);
    let english = "The quick brown fox jumps over 13 lazy dogs. ".repeat(230);
    let digits = "1234567890".repeat(1000);
    let emoji = "😊".repeat(10_000);
    for text in [&chinese, &english, &digits, &emoji] {
        assert!(text.chars().count() >= 10_000);
        for result in convert_all(text) {
            match result {
                Ok(cleaned) => check_consistent(&cleaned),
                Err(error) => assert_eq!(error.code(), "nothing_pronounceable"),
            }
        }
    }
}

#[test]
fn unsupported_languages_say_so() {
    for language in [Language::Ja, Language::Ko, Language::Yue] {
        let error = clean_text("こんにちは", language).unwrap_err();
        assert_eq!(error.code(), "unsupported_language");
    }
}
