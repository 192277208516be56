//! Tokens as nltk's `TweetTokenizer().tokenize` cuts normalised English text.
//!
//! Normalised text holds only ASCII letters, spaces and `'.,?!-`, so of the tokenizer's
//! patterns only these can match, tried in this order: naked domain names (`end.co`,
//! `r.needed`: letters, dots and hyphens ending in a dot and 2–13 letters), words with inner
//! apostrophes or hyphens, plain words, ellipsis dots, and single other characters. Emoticons,
//! HTML tags, arrows, handles, hashtags, e-mail addresses, emoji sequences and numbers all need
//! a character the normalisation has removed. For the same reason the tokenizer's clean-up
//! steps do nothing here: HTML entities need `&` and `;`, and the shortening of a character
//! repeated four times or more (`HANG_RE`) only meets runs of spaces, since repeated marks were
//! collapsed before.

use std::sync::LazyLock;

use regex::Regex;

/// The naked-domain branch of nltk's `URLS` pattern (case-insensitive in nltk). `@` and `/`
/// cannot occur here, so its `(?<!@)`, `/?` and `(?!@)` parts never matter.
static NAKED_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*\.[A-Za-z]{2,13}\b")
        .expect("built-in pattern compiles")
});

/// The tokens of `text`, in order.
pub(crate) fn tokenize(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let offsets: Vec<usize> = text.char_indices().map(|(offset, _)| offset).collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let end = domain_end(text, &offsets, i)
            .or_else(|| joined_word_end(&chars, i))
            .or_else(|| plain_word_end(&chars, i))
            .or_else(|| ellipsis_end(&chars, i))
            .unwrap_or(i + 1);
        tokens.push(chars[i..end].iter().collect());
        i = end;
    }
    tokens
}

/// End (in characters) of a naked domain name starting at character `start`.
fn domain_end(text: &str, offsets: &[usize], start: usize) -> Option<usize> {
    // Cheap test first: a domain needs a dot inside its run of letters, dots and hyphens.
    let run = text[offsets[start]..]
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.' || *b == b'-');
    if !run.clone().any(|b| b == b'.') || !text.as_bytes()[offsets[start]].is_ascii_alphanumeric() {
        return None;
    }

    let found = NAKED_DOMAIN.find(&text[offsets[start]..])?;
    let end_offset = offsets[start] + found.end();
    // The match is ASCII, so its byte length is its length in characters.
    Some(start + text[offsets[start]..end_offset].chars().count())
}

fn is_letter(c: char) -> bool {
    c.is_alphabetic()
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `[^\W\d_](?:[^\W\d_]|['\-_])+[^\W\d_]`: the longest such run, ending on a letter.
fn joined_word_end(chars: &[char], start: usize) -> Option<usize> {
    if !is_letter(chars[start]) {
        return None;
    }
    let mut end = start + 1;
    while end < chars.len() && (is_letter(chars[end]) || matches!(chars[end], '\'' | '-' | '_')) {
        end += 1;
    }
    // Back off to the last letter; at least three characters.
    while end > start + 2 && !is_letter(chars[end - 1]) {
        end -= 1;
    }
    (end >= start + 3 && is_letter(chars[end - 1])).then_some(end)
}

/// `[\w_]+`.
fn plain_word_end(chars: &[char], start: usize) -> Option<usize> {
    let length = chars[start..]
        .iter()
        .take_while(|c| is_word_char(**c))
        .count();
    (length > 0).then_some(start + length)
}

/// `\.(?:\s*\.){1,}`.
fn ellipsis_end(chars: &[char], start: usize) -> Option<usize> {
    if chars[start] != '.' {
        return None;
    }
    let mut end = start + 1;
    let mut matched = None;
    loop {
        let mut next = end;
        while next < chars.len() && chars[next].is_whitespace() {
            next += 1;
        }
        if next < chars.len() && chars[next] == '.' {
            end = next + 1;
            matched = Some(end);
        } else {
            return matched;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_like_the_tweet_tokenizer() {
        let tokens = tokenize("John's book, the dogs' toys, state-of-the-art.");
        let expected = [
            "John's",
            "book",
            ",",
            "the",
            "dogs",
            "'",
            "toys",
            ",",
            "state-of-the-art",
            ".",
        ];
        assert_eq!(tokens, expected);
        assert_eq!(tokenize("G P T- So"), ["G", "P", "T", "-", "So"]);
        assert_eq!(tokenize("to. . ."), ["to", ". . ."]);
        // Naked domains stay whole, as nltk's URL pattern keeps them.
        assert_eq!(
            tokenize("end.co x.yz- r.needed."),
            ["end.co", "x.yz", "-", "r.needed", "."]
        );
        assert_eq!(tokenize("a.b U.S."), ["a", ".", "b", "U", ".", "S", "."]);
    }
}
