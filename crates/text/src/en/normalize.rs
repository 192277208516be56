//! English text normalisation (`english.text_normalize` and `en_normalization/expend.py`).

use std::sync::LazyLock;

use regex::{Captures, Regex};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::numbers::{cardinal, in_pairs, ordinal_of_words, ordinal_suffix, words_with_ordinal};

/// The punctuation of `text/symbols.py`, which `english.py` imports.
const PUNCTUATION: [char; 6] = ['!', '?', '…', ',', '.', '-'];

/// Units after a number and their singular and plural words (`expend.measurement_map`).
const MEASUREMENTS: [(&str, &str, &str); 12] = [
    ("m", "meter", "meters"),
    ("km", "kilometer", "kilometers"),
    ("km/h", "kilometer per hour", "kilometers per hour"),
    ("ft", "feet", "feet"),
    ("L", "liter", "liters"),
    ("tbsp", "tablespoon", "tablespoons"),
    ("tsp", "teaspoon", "teaspoons"),
    ("h", "hour", "hours"),
    ("min", "minute", "minutes"),
    ("s", "second", "seconds"),
    ("°C", "degree celsius", "degrees celsius"),
    ("°F", "degree fahrenheit", "degrees fahrenheit"),
];

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern compiles")
}

fn group<'t>(caps: &Captures<'t>, index: usize) -> &'t str {
    caps.get(index).map_or("", |m| m.as_str())
}

/// Number words with a digit fallback past inflect's range (where the reference fails).
fn number_words(digits: &str, andword: &str) -> String {
    cardinal(digits, andword).unwrap_or_else(|| spell_digits(digits))
}

fn spell_digits(digits: &str) -> String {
    digits
        .chars()
        .filter_map(|c| c.to_digit(10))
        .map(|d| cardinal(&d.to_string(), "").unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" ")
}

/// `english.text_normalize`.
pub(crate) fn text_normalize(text: &str) -> String {
    // `rep_map`'s keys are escaped before use, so only the literal full-width marks match.
    let text = text
        .replace('。', ".")
        .replace('！', "!")
        .replace('？', "?");
    let text = expand(&text);
    collapse_repeated_punctuation(&text)
}

/// `expend.normalize`: numbers, money, units and times into words, then letters and a few
/// marks only, and capitals spaced apart.
fn expand(text: &str) -> String {
    let text = NUMBERED_ITEM.replace_all(text, |caps: &Captures| {
        format!("{}, ", ordinal_suffix(group(caps, 1)))
    });
    let text = replace_arithmetic(&text);
    let text = NEGATIVE.replace_all(&text, |caps: &Captures| {
        format!("negative {}", group(caps, 2))
    });
    let text = GROUPED_NUMBER.replace_all(&text, |caps: &Captures| caps[1].replace(',', ""));
    let text = TIME.replace_all(&text, replace_time);
    let text = MEASUREMENT.replace_all(&text, replace_measurement);
    let text = POUNDS_BEFORE.replace_all(&text, |c: &Captures| money(group(c, 1), &POUND_WORDS));
    let text = POUNDS_AFTER.replace_all(&text, |c: &Captures| money(group(c, 1), &POUND_WORDS));
    let text = DOLLARS_BEFORE.replace_all(&text, |c: &Captures| money(group(c, 1), &DOLLAR_WORDS));
    let text = DOLLARS_AFTER.replace_all(&text, |c: &Captures| money(group(c, 1), &DOLLAR_WORDS));
    let text = DECIMAL.replace_all(&text, replace_decimal);
    let text = FRACTION.replace_all(&text, replace_fraction);
    let text = ORDINAL.replace_all(&text, |caps: &Captures| {
        words_with_ordinal(&caps[0], "and").unwrap_or_else(|| spell_digits(&caps[0]))
    });
    let text = NUMBER.replace_all(&text, |caps: &Captures| expand_number(&caps[0]));

    let text = strip_accents(&text).replace('%', " percent");
    let text: String = text
        .chars()
        .filter(|c| c.is_ascii_alphabetic() || " '.,?!-".contains(*c))
        .collect();
    let text = THAT_IS.replace_all(&text, "that is");
    let text = FOR_EXAMPLE.replace_all(&text, "for example");
    space_capitals(&text)
}

static NUMBERED_ITEM: LazyLock<Regex> = LazyLock::new(|| regex(r"\b([0-9]+)\. "));
static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?:^|\s+)(-)(\d+)"));
static GROUPED_NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"([0-9][0-9,]+[0-9])"));
static TIME: LazyLock<Regex> = LazyLock::new(|| regex(r"\b([01]?[0-9]|2[0-3]):([0-5][0-9])\b"));
static MEASUREMENT: LazyLock<Regex> =
    LazyLock::new(|| regex(r"\b([0-9]+(\.[0-9]+)?(m|km|km/h|ft|L|tbsp|tsp|h|min|s|°C|°F))\b"));
static POUNDS_BEFORE: LazyLock<Regex> = LazyLock::new(|| regex(r"£([0-9.,]*[0-9]+)"));
static POUNDS_AFTER: LazyLock<Regex> = LazyLock::new(|| regex(r"([0-9.,]*[0-9]+)£"));
static DOLLARS_BEFORE: LazyLock<Regex> = LazyLock::new(|| regex(r"\$([0-9.,]*[0-9]+)"));
static DOLLARS_AFTER: LazyLock<Regex> = LazyLock::new(|| regex(r"([(0-9.,]*[0-9]+)\$"));
static DECIMAL: LazyLock<Regex> = LazyLock::new(|| regex(r"([0-9]+\.\s*[0-9]+)"));
static FRACTION: LazyLock<Regex> = LazyLock::new(|| regex(r"([0-9]+/[0-9]+)"));
static ORDINAL: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]+(st|nd|rd|th)"));
static NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]+"));
static THAT_IS: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)i\.e\."));
static FOR_EXAMPLE: LazyLock<Regex> = LazyLock::new(|| regex(r"(?i)e\.g\."));

static ARITHMETIC: LazyLock<Regex> = LazyLock::new(|| {
    let operand =
        r"((-?)((\d+)(\.\d+)?[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|(\.\d+[⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*)|([A-Za-z][⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ]*))";
    regex(&format!(r"{operand}\s+([+\-×÷=])\s+{operand}"))
});

fn replace_arithmetic(text: &str) -> String {
    let mut text = text.to_string();
    // Every pass removes at least one operator, so the loop ends.
    while ARITHMETIC.is_match(&text) {
        text = ARITHMETIC
            .replace_all(&text, |caps: &Captures| {
                let operator = match group(caps, 8) {
                    "+" => " plus ",
                    "-" => " minus ",
                    "×" => " times ",
                    "÷" => " divided by ",
                    _ => " Equals ",
                };
                format!("{}{operator}{}", group(caps, 1), group(caps, 9))
            })
            .into_owned();
    }
    text
}

/// `_expand_time`: 12-hour wording with a.m. / p.m.
fn replace_time(caps: &Captures) -> String {
    let mut hours: u32 = group(caps, 1).parse().unwrap_or(0);
    let minutes: u32 = group(caps, 2).parse().unwrap_or(0);
    let period = if hours < 12 { "a.m." } else { "p.m." };
    if hours > 12 {
        hours -= 12;
    }
    let hour_words = number_words(&hours.to_string(), "and");
    if minutes == 0 {
        format!("{hour_words} o'clock {period}")
    } else {
        format!(
            "{hour_words} {} {period}",
            number_words(&minutes.to_string(), "and")
        )
    }
}

/// `_expand_measurement`: the unit word is singular for exactly 1 without decimals.
fn replace_measurement(caps: &Captures) -> String {
    let whole = group(caps, 1);
    let unit = group(caps, 3);
    let Some((_, singular, plural)) = MEASUREMENTS.iter().find(|(symbol, _, _)| *symbol == unit)
    else {
        return whole.to_string();
    };
    let digits = whole.replace(unit, "").replace('.', "");
    let is_one = digits.trim_start_matches('0') == "1";
    let word = if caps.get(2).is_none() && is_one {
        singular
    } else {
        plural
    };
    whole.replace(unit, &format!(" {word}"))
}

/// Unit names of a currency: whole unit singular/plural, then cent singular/plural.
struct MoneyWords {
    unit: (&'static str, &'static str),
    cent: (&'static str, &'static str),
}

const DOLLAR_WORDS: MoneyWords = MoneyWords {
    unit: ("dollar", "dollars"),
    cent: ("cent", "cents"),
};
const POUND_WORDS: MoneyWords = MoneyWords {
    unit: ("pound", "pounds"),
    cent: ("penny", "pence"),
};

/// `_expand_dollars` / `_expand_pounds`: amounts stay digits here and become words later.
fn money(amount: &str, words: &MoneyWords) -> String {
    let parts: Vec<&str> = amount.split('.').collect();
    if parts.len() > 2 {
        return format!("{amount} {}", words.unit.1);
    }
    let whole = parse_or_zero(parts[0]);
    let cents = parts
        .get(1)
        .filter(|p| !p.is_empty())
        .map_or(0, |p| parse_or_zero(&format!("{p:0<2}")));
    let name = |count: u128, (one, many): (&'static str, &'static str)| {
        if count == 1 {
            one
        } else {
            many
        }
    };

    match (whole, cents) {
        (0, 0) => format!("zero {}", words.unit.1),
        (w, 0) => format!("{w} {}", name(w, words.unit)),
        (0, c) => format!("{c} {}", name(c, words.cent)),
        (w, c) => format!(
            "{w} {} and {c} {}",
            name(w, words.unit),
            name(c, words.cent)
        ),
    }
}

fn parse_or_zero(digits: &str) -> u128 {
    digits.parse().unwrap_or(0)
}

/// `_expand_decimal_number`: digits after the point one by one (`3.14` → `3 point 1 4`).
fn replace_decimal(caps: &Captures) -> String {
    let (whole, fraction) = caps[1].split_once('.').unwrap_or((&caps[1], ""));
    let digits: Vec<String> = fraction.chars().map(|c| c.to_string()).collect();
    format!("{whole} point {}", digits.join(" "))
}

/// `_expend_fraction`: `3/4` → `three fourths`, `1/2` → `one half`.
fn replace_fraction(caps: &Captures) -> String {
    let (numerator, denominator) = caps[1].split_once('/').unwrap_or(("0", "1"));
    let numerator_value = parse_or_zero(numerator);
    let denominator_value = parse_or_zero(denominator);
    let numerator_words = number_words(&numerator_value.to_string(), "and");

    let denominator_words = match denominator_value {
        2 if numerator_value == 1 => "half".to_string(),
        2 => "halves".to_string(),
        1 => return numerator_words,
        _ => {
            let ordinal = ordinal_of_words(&number_words(&denominator_value.to_string(), "and"));
            if numerator_value > 1 {
                format!("{ordinal}s")
            } else {
                ordinal
            }
        }
    };
    format!("{numerator_words} {denominator_words}")
}

/// `_expand_number`: years between 1000 and 3000 in pairs, other numbers as cardinals.
fn expand_number(digits: &str) -> String {
    let value: u128 = match digits.trim_start_matches('0').len() {
        0..=30 => parse_or_zero(digits),
        _ => return number_words(digits, ""),
    };
    if !(1001..3000).contains(&value) {
        return number_words(digits, "");
    }
    if value == 2000 {
        "two thousand".to_string()
    } else if (2001..2010).contains(&value) {
        format!(
            "two thousand {}",
            number_words(&(value % 100).to_string(), "and")
        )
    } else if value % 100 == 0 {
        format!(
            "{} hundred",
            number_words(&(value / 100).to_string(), "and")
        )
    } else {
        in_pairs(&value.to_string()).replace(", ", " ")
    }
}

/// NFD, then combining marks removed (`unicodedata.category(char) != "Mn"`); every mark left
/// over is dropped by the letter filter right after, so only the decomposition matters.
fn strip_accents(text: &str) -> String {
    text.nfd().filter(|c| !is_combining_mark(*c)).collect()
}

/// A space before every capital that does not start the text or follow white space.
fn space_capitals(text: &str) -> String {
    let mut spaced = String::with_capacity(text.len() + 16);
    let mut previous: Option<char> = None;
    for c in text.chars() {
        if c.is_ascii_uppercase() && previous.is_some_and(|p| !p.is_whitespace()) {
            spaced.push(' ');
        }
        spaced.push(c);
        previous = Some(c);
    }
    spaced
}

/// `english.replace_consecutive_punctuation`: after a mark or a space, further marks go.
fn collapse_repeated_punctuation(text: &str) -> String {
    let mut collapsed = String::with_capacity(text.len());
    let mut run_started = false;
    for c in text.chars() {
        let is_mark = PUNCTUATION.contains(&c);
        if is_mark && run_started {
            continue;
        }
        collapsed.push(c);
        run_started = is_mark || c.is_whitespace();
    }
    collapsed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expands_reference_examples() {
        assert_eq!(
            text_normalize("I have 3 apples and 25 oranges."),
            "I have three apples and twenty-five oranges."
        );
        assert_eq!(
            text_normalize("The temperature dropped to -5 degrees."),
            "The temperature dropped tonegative five degrees."
        );
        assert_eq!(
            text_normalize("Wait!!! Really??? Yes..."),
            "Wait! Really? Yes."
        );
        assert_eq!(
            text_normalize("The café served a naïve crème brûlée."),
            "The cafe served a naive creme brulee."
        );
        assert_eq!(text_normalize("OK"), "O K");
    }

    #[test]
    fn money_and_units() {
        assert_eq!(
            text_normalize("It costs $5.50, or 32.3$, or £100, or 1.1£."),
            "It costs five dollars and fifty cents, or thirty-two dollars and thirty cents, or one hundred pounds, or one pound and ten pence."
        );
        assert_eq!(
            text_normalize("Run 5km in 20min at 15km/h, then rest 1h."),
            "Run five kilometers in twenty minutes at fifteen kilometersh, then rest one hour."
        );
    }
}
