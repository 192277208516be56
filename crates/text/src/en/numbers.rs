//! Numbers in English words, as the `inflect` 7.6 calls of the reference's `en_normalization`
//! make them: `number_to_words` (with and without `andword`, with `group=2` for years),
//! `ordinal`.

use std::sync::LazyLock;

use regex::Regex;

const UNITS: [&str; 10] = [
    "", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];

const TEENS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];

const TENS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// Names of the powers of a thousand; inflect's first one is a bare space.
const THOUSANDS: [&str; 12] = [
    " ",
    " thousand",
    " million",
    " billion",
    " trillion",
    " quadrillion",
    " quintillion",
    " sextillion",
    " septillion",
    " octillion",
    " nonillion",
    " decillion",
];

/// Word endings that change in the ordinal (`inflect.ordinal` dict), else `th` is added.
const ORDINAL_ENDINGS: [(&str, &str); 8] = [
    ("ty", "tieth"),
    ("one", "first"),
    ("two", "second"),
    ("three", "third"),
    ("five", "fifth"),
    ("eight", "eighth"),
    ("nine", "ninth"),
    ("twelve", "twelfth"),
];

static SPACES_BEFORE_COMMA: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+,").unwrap());
static LAST_SINGLE_WORD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r", (\S+)\s+\z").unwrap());
static SPACES: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\s+").unwrap());

fn digit(c: u8) -> usize {
    usize::from(c.saturating_sub(b'0')).min(9)
}

/// `tenfn`: 0..99 with the power name after it.
fn tens_words(tens: usize, units: usize, power: &str) -> String {
    if tens == 1 {
        return format!("{}{power}", TEENS[units]);
    }
    let hyphen = if tens > 0 && units > 0 { "-" } else { "" };
    format!("{}{hyphen}{}{power}", TENS[tens], UNITS[units])
}

/// `hundfn`: one group of three digits with its power name and a trailing `", "`.
fn hundreds_words(digits: &[u8], power: &str, andword: &str) -> String {
    let (hundreds, tens, units) = (digit(digits[0]), digit(digits[1]), digit(digits[2]));
    if hundreds > 0 {
        let and = if tens > 0 || units > 0 {
            format!(" {andword} ")
        } else {
            String::new()
        };
        let rest = tens_words(tens, units, THOUSANDS[0]);
        return format!("{} hundred{and}{rest}{power}, ", UNITS[hundreds]);
    }
    if tens > 0 || units > 0 {
        return format!("{}{power}, ", tens_words(tens, units, THOUSANDS[0]));
    }
    String::new()
}

/// Cardinal words of a digit string (`number_to_words(num, andword=...)`, group 0); `None`
/// past the decillions, where inflect gives up.
pub(crate) fn cardinal(digits: &str, andword: &str) -> Option<String> {
    let trimmed = digits.trim_start_matches('0');
    if trimmed.is_empty() {
        return Some("zero".to_string());
    }
    if trimmed == "1" {
        return Some("one".to_string());
    }

    let bytes = trimmed.as_bytes();
    let group_count = bytes.len().div_ceil(3);
    if group_count > THOUSANDS.len() {
        return None;
    }

    let mut text = String::new();
    let head = bytes.len() - (group_count - 1) * 3;
    for group in 0..group_count {
        let power = THOUSANDS[group_count - 1 - group];
        let (start, end) = if group == 0 {
            (0, head)
        } else {
            (head + (group - 1) * 3, head + group * 3)
        };
        text.push_str(&leading_group_words(&bytes[start..end], power, andword));
    }

    Some(tidy(&text, andword))
}

/// The leftmost group may have one or two digits (`tensub`, `unitsub`).
fn leading_group_words(digits: &[u8], power: &str, andword: &str) -> String {
    match digits.len() {
        3 => hundreds_words(digits, power, andword),
        2 => format!(
            "{}, ",
            tens_words(digit(digits[0]), digit(digits[1]), power)
        ),
        _ => format!("{}{power}, ", UNITS[digit(digits[0])]),
    }
}

/// inflect's clean-up of the assembled words: trailing comma, spaces before commas, `and`
/// before a last single word, runs of spaces.
fn tidy(text: &str, andword: &str) -> String {
    let text = text.strip_suffix(", ").unwrap_or(text);
    let text = SPACES_BEFORE_COMMA.replace_all(text, ",");
    let text = LAST_SINGLE_WORD.replace(&text, format!(" {andword} $1").as_str());
    let text = SPACES_BEFORE_COMMA.replace_all(&text, ",");
    SPACES.replace_all(&text, " ").trim().to_string()
}

/// `number_to_words(num, andword="", zero="oh", group=2)`: pairs of digits, as years are read.
pub(crate) fn in_pairs(digits: &str) -> String {
    let bytes = digits.as_bytes();
    let head = (bytes.len().max(1) - 1) % 2 + 1;
    let mut text = String::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = if start == 0 {
            head.min(bytes.len())
        } else {
            start + 2
        };
        text.push_str(&pair_words(&bytes[start..end]));
        start = end;
    }
    let text = text.strip_suffix(", ").unwrap_or(&text).to_string();
    let text = SPACES_BEFORE_COMMA.replace_all(&text, ",");
    let text = SPACES.replace_all(&text, " ");
    text.trim().split(", ").collect::<Vec<_>>().join(", ")
}

fn pair_words(digits: &[u8]) -> String {
    if digits.len() == 1 {
        let units = digit(digits[0]);
        return if units > 0 {
            format!("{}, ", UNITS[units])
        } else {
            " oh, ".to_string()
        };
    }
    let (tens, units) = (digit(digits[0]), digit(digits[1]));
    if tens > 0 {
        format!("{}, ", tens_words(tens, units, THOUSANDS[0]))
    } else if units > 0 {
        format!(" oh {}, ", UNITS[units])
    } else {
        " oh oh, ".to_string()
    }
}

/// `_sub_ord`: the ordinal of a number word (`twenty-one` → `twenty-first`).
pub(crate) fn ordinal_of_words(words: &str) -> String {
    for (ending, replacement) in ORDINAL_ENDINGS {
        if let Some(stem) = words.strip_suffix(ending) {
            return format!("{stem}{replacement}");
        }
    }
    format!("{words}th")
}

/// `ordinal` of a digit string: `1` → `1st`, `12` → `12th`, `22` → `22nd`.
pub(crate) fn ordinal_suffix(digits: &str) -> String {
    let last_two: usize = digits[digits.len().saturating_sub(2)..]
        .parse()
        .unwrap_or(0);
    let suffix = match (last_two, last_two % 10) {
        (11..=13, _) => "th",
        (_, 1) => "st",
        (_, 2) => "nd",
        (_, 3) => "rd",
        _ => "th",
    };
    format!("{digits}{suffix}")
}

/// `number_to_words` of a digit string that may end in an ordinal suffix (`21st`).
pub(crate) fn words_with_ordinal(text: &str, andword: &str) -> Option<String> {
    for suffix in ["st", "nd", "rd", "th"] {
        if let Some(digits) = text.strip_suffix(suffix) {
            let words = cardinal(digits, andword)?;
            let (head, last) = match words.rsplit_once(", ") {
                Some((head, last)) => (format!("{head}, "), last.to_string()),
                None => (String::new(), words),
            };
            return Some(format!("{head}{}", ordinal_of_words(&last)));
        }
    }
    cardinal(text, andword)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected values are inflect 7.6.0's output for the same calls.
    #[test]
    fn cardinals_match_inflect() {
        assert_eq!(cardinal("25", "").unwrap(), "twenty-five");
        assert_eq!(
            cardinal("12345", "").unwrap(),
            "twelve thousand, three hundred forty-five"
        );
        assert_eq!(cardinal("1000000", "").unwrap(), "one million");
        assert_eq!(cardinal("101", "and").unwrap(), "one hundred and one");
        assert_eq!(cardinal("1001", "and").unwrap(), "one thousand and one");
        assert_eq!(cardinal("1001", "").unwrap(), "one thousand one");
        assert_eq!(cardinal("0", "").unwrap(), "zero");
        assert_eq!(cardinal("212", "").unwrap(), "two hundred twelve");
        assert_eq!(cardinal("1000001", "and").unwrap(), "one million and one");
        assert_eq!(cardinal("1100", "").unwrap(), "one thousand, one hundred");
        assert_eq!(
            cardinal("999999", "and").unwrap(),
            "nine hundred and ninety-nine thousand, nine hundred and ninety-nine"
        );
        assert_eq!(cardinal("1000100", "").unwrap(), "one million, one hundred");
        assert_eq!(cardinal("300000", "").unwrap(), "three hundred thousand");
        assert!(cardinal(&"9".repeat(40), "").is_none());
    }

    #[test]
    fn years_and_ordinals() {
        assert_eq!(in_pairs("1999"), "nineteen, ninety-nine");
        assert_eq!(in_pairs("1905"), "nineteen, oh five");
        assert_eq!(in_pairs("1100"), "eleven, oh oh");
        assert_eq!(in_pairs("1010"), "ten, ten");
        assert_eq!(
            words_with_ordinal("101st", "and").unwrap(),
            "one hundred and first"
        );
        assert_eq!(
            words_with_ordinal("1000th", "and").unwrap(),
            "one thousandth"
        );
        assert_eq!(words_with_ordinal("21st", "and").unwrap(), "twenty-first");
        assert_eq!(words_with_ordinal("12th", "and").unwrap(), "twelfth");
        assert_eq!(ordinal_suffix("1"), "1st");
        assert_eq!(ordinal_suffix("13"), "13th");
        assert_eq!(ordinal_of_words("four"), "fourth");
    }
}
