//! Numbers read out in Chinese (`zh_normalization/num.py` in the reference).

/// Digit words, indexed by the digit's value.
const DIGIT_WORDS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];

/// Place units by the number of digits they stand for, largest first (十, 百, 千, 万, 亿).
const UNITS_LARGEST_FIRST: [(usize, &str); 5] =
    [(8, "亿"), (4, "万"), (3, "千"), (2, "百"), (1, "十")];

fn digit_word(digit: char) -> &'static str {
    match digit.to_digit(10) {
        Some(value) => DIGIT_WORDS[value as usize],
        None => "",
    }
}

/// Reads a digit string digit by digit; `alt_one` reads 1 as 幺, as for phone numbers.
pub(crate) fn verbalize_digits(digits: &str, alt_one: bool) -> String {
    digits
        .chars()
        .map(|digit| {
            if alt_one && digit == '1' {
                "幺"
            } else {
                digit_word(digit)
            }
        })
        .collect()
}

/// The words of a cardinal, unit by unit (`_get_value`); the digits are ASCII.
fn cardinal_words(digits: &str) -> Vec<&'static str> {
    let stripped = digits.trim_start_matches('0');
    match stripped.len() {
        0 => Vec::new(),
        1 if stripped.len() < digits.len() => {
            vec![DIGIT_WORDS[0], digit_word(first_char(stripped))]
        }
        1 => vec![digit_word(first_char(stripped))],
        length => {
            let (unit_size, unit) = UNITS_LARGEST_FIRST
                .into_iter()
                .find(|(size, _)| *size < length)
                .unwrap_or((1, "十"));
            let (high, low) = digits.split_at(digits.len() - unit_size);
            let mut words = cardinal_words(high);
            words.push(unit);
            words.extend(cardinal_words(low));
            words
        }
    }
}

fn first_char(text: &str) -> char {
    text.chars().next().unwrap_or('0')
}

/// Reads an integer as a Chinese cardinal: `10` → 十, `100000000` → 一亿, `0` → 零.
pub(crate) fn verbalize_cardinal(digits: &str) -> String {
    if digits.is_empty() {
        return String::new();
    }

    let stripped = digits.trim_start_matches('0');
    if stripped.is_empty() {
        return DIGIT_WORDS[0].to_string();
    }

    let mut words = cardinal_words(stripped);
    // A leading 一十 is read 十 (十五, not 一十五).
    if words.len() >= 2 && words[0] == DIGIT_WORDS[1] && words[1] == "十" {
        words.remove(0);
    }
    words.concat()
}

/// Reads a number with an optional decimal part (`num2str`): `25.5` → 二十五点五.
pub(crate) fn number_to_words(number: &str) -> String {
    let mut parts = number.split('.');
    let integer = parts.next().unwrap_or("");
    let decimal = parts.next().unwrap_or("");

    let mut result = verbalize_cardinal(integer);

    // The reference keeps one trailing zero when there were any: 3.20 → 三点二零.
    let decimal = if decimal.ends_with('0') {
        format!("{}0", decimal.trim_end_matches('0'))
    } else {
        decimal.to_string()
    };

    if !decimal.is_empty() {
        if result.is_empty() {
            result.push_str(DIGIT_WORDS[0]);
        }
        result.push('点');
        result.push_str(&verbalize_digits(&decimal, false));
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cardinals() {
        assert_eq!(verbalize_cardinal("10"), "十");
        assert_eq!(verbalize_cardinal("22"), "二十二");
        assert_eq!(verbalize_cardinal("100"), "一百");
        assert_eq!(verbalize_cardinal("567"), "五百六十七");
        assert_eq!(verbalize_cardinal("100000000"), "一亿");
        assert_eq!(verbalize_cardinal("1005"), "一千零五");
        assert_eq!(verbalize_cardinal("000"), "零");
        assert_eq!(verbalize_cardinal(""), "");
    }

    #[test]
    fn decimals() {
        assert_eq!(number_to_words("25.5"), "二十五点五");
        assert_eq!(number_to_words(".5"), "零点五");
        assert_eq!(number_to_words("3.20"), "三点二零");
        assert_eq!(number_to_words("2.0"), "二点零");
    }

    #[test]
    fn digits() {
        assert_eq!(verbalize_digits("100", true), "幺零零");
        assert_eq!(verbalize_digits("2024", false), "二零二四");
    }
}
