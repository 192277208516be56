//! The reference's number, date, time, phone and unit rewrites (`zh_normalization/*.py`), in the
//! order `TextNormalizer.normalize_sentence` applies them. Digits are ASCII only: full-width digits
//! were folded before, and other scripts' digits are left for the punctuation filter to drop.

use std::sync::LazyLock;

use fancy_regex::Regex as FancyRegex;
use regex::{Captures, Regex};

use super::numbers::{number_to_words, verbalize_cardinal, verbalize_digits};

/// Superscript characters the reference reads as powers.
const POWER_CHARS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ";

/// Quantifiers after which a number is read as a cardinal (`num.py: COM_QUANTIFIERS`).
const QUANTIFIERS: &str = "(处|台|架|枚|趟|幅|平|方|堵|间|床|株|批|项|例|列|篇|栋|注|亩|封|艘|把|目|套|段|人|所|朵|匹|张|座|回|场|尾|条|个|首|阙|阵|网|炮|顶|丘|棵|只|支|袭|辆|挑|担|颗|壳|窠|曲|墙|群|腔|砣|座|客|贯|扎|捆|刀|令|打|手|罗|坡|山|岭|江|溪|钟|队|单|双|对|出|口|头|脚|板|跳|枝|件|贴|针|线|管|名|位|身|堂|课|本|页|家|户|层|丝|毫|厘|分|钱|两|斤|担|铢|石|钧|锱|忽|(千|毫|微)克|毫|厘|(公)分|分|寸|尺|丈|里|寻|常|铺|程|(千|分|厘|毫|微)米|米|撮|勺|合|升|斗|石|盘|碗|碟|叠|桶|笼|盆|盒|杯|钟|斛|锅|簋|篮|盘|桶|罐|瓶|壶|卮|盏|箩|箱|煲|啖|袋|钵|年|月|日|季|刻|时|周|天|秒|分|小时|旬|纪|岁|世|更|夜|春|夏|秋|冬|代|伏|辈|丸|泡|粒|颗|幢|堆|条|根|支|道|面|片|张|颗|块|元|(亿|千万|百万|万|千|百)|(亿|千万|百万|万|千|百|美|)元|(亿|千万|百万|万|千|百|十|)吨|(亿|千万|百万|万|千|百|)块|角|毛|分)";

/// Units replaced wherever they occur, in the reference's order (`quantifier.py: measure_dict`).
const MEASURES: [(&str, &str); 17] = [
    ("cm2", "平方厘米"),
    ("cm²", "平方厘米"),
    ("cm3", "立方厘米"),
    ("cm³", "立方厘米"),
    ("cm", "厘米"),
    ("db", "分贝"),
    ("ds", "毫秒"),
    ("kg", "千克"),
    ("km", "千米"),
    ("m2", "平方米"),
    ("m²", "平方米"),
    ("m³", "立方米"),
    ("m3", "立方米"),
    ("ml", "毫升"),
    ("m", "米"),
    ("mm", "毫米"),
    ("s", "秒"),
];

fn regex(pattern: &str) -> Regex {
    Regex::new(pattern).expect("built-in pattern compiles")
}

fn fancy(pattern: &str) -> FancyRegex {
    FancyRegex::new(pattern).expect("built-in pattern compiles")
}

fn group<'t>(caps: &Captures<'t>, index: usize) -> &'t str {
    caps.get(index).map_or("", |m| m.as_str())
}

fn fancy_group<'t>(caps: &fancy_regex::Captures<'t>, index: usize) -> &'t str {
    caps.get(index).map_or("", |m| m.as_str())
}

fn sign_word(sign: &str, word: &'static str) -> &'static str {
    if sign.is_empty() {
        ""
    } else {
        word
    }
}

/// Applies every number-related rewrite of `normalize_sentence` after the character folding.
pub(crate) fn rewrite_numbers(sentence: &str) -> String {
    let mut text = sentence.to_string();
    // The rules before the units all need a digit; most sentences have none.
    if has_digit(&text) {
        text = replace_dates(&text);
        text = replace_times(&text);
        text = TO_RANGE
            .replace_all(&text, |caps: &Captures| caps[0].replace('~', "至"))
            .into_owned();
        text = TEMPERATURE
            .replace_all(&text, replace_temperature)
            .into_owned();
    }
    text = replace_measures(&text);
    text = replace_arithmetic(&text);
    text = POWER.replace_all(&text, replace_power).into_owned();

    // The rest needs a digit too (powers above may have made some).
    if !has_digit(&text) {
        return text;
    }
    text = FRACTION.replace_all(&text, replace_fraction).into_owned();
    text = PERCENTAGE
        .replace_all(&text, replace_percentage)
        .into_owned();
    text = replace_phone_numbers(&text);
    text = replace_ranges(&text);
    text = NEGATIVE_INTEGER
        .replace_all(&text, replace_negative)
        .into_owned();
    text = VERSION.replace_all(&text, replace_version).into_owned();
    text = DECIMAL.replace_all(&text, replace_number).into_owned();
    text = QUANTIFIED
        .replace_all(&text, replace_quantified)
        .into_owned();
    text = DEFAULT_NUMBER
        .replace_all(&text, |caps: &Captures| verbalize_digits(&caps[0], true))
        .into_owned();
    NUMBER.replace_all(&text, replace_number).into_owned()
}

fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

// Dates (`chronology.py`).

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    regex(r"([0-9]{4}|[0-9]{2})年((0?[1-9]|1[0-2])月)?(((0?[1-9])|((1|2)[0-9])|30|31)([日号]))?")
});

static DATE_WITH_SEPARATORS: LazyLock<FancyRegex> =
    LazyLock::new(|| fancy(r"([0-9]{4})([- /.])(0[1-9]|1[012])\2(0[1-9]|[12][0-9]|3[01])"));

fn replace_dates(sentence: &str) -> String {
    let text = DATE.replace_all(sentence, |caps: &Captures| {
        let mut result = format!("{}年", verbalize_digits(group(caps, 1), false));
        if caps.get(3).is_some() {
            result.push_str(&format!("{}月", verbalize_cardinal(group(caps, 3))));
        }
        if caps.get(5).is_some() {
            result.push_str(&verbalize_cardinal(group(caps, 5)));
            result.push_str(group(caps, 9));
        }
        result
    });

    fancy_replace_all(&DATE_WITH_SEPARATORS, &text, |caps| {
        format!(
            "{}年{}月{}日",
            verbalize_digits(fancy_group(caps, 1), false),
            verbalize_cardinal(fancy_group(caps, 3)),
            verbalize_cardinal(fancy_group(caps, 4))
        )
    })
}

/// `Regex::replace_all` for fancy patterns; a pattern that gives up (backtrack limit) leaves the
/// rest of the text as it is.
fn fancy_replace_all(
    pattern: &FancyRegex,
    text: &str,
    mut replace: impl FnMut(&fancy_regex::Captures) -> String,
) -> String {
    let mut result = String::with_capacity(text.len());
    let mut last_end = 0;
    for caps in pattern.captures_iter(text) {
        let Ok(caps) = caps else { break };
        let Some(whole) = caps.get(0) else { continue };
        result.push_str(&text[last_end..whole.start()]);
        result.push_str(&replace(&caps));
        last_end = whole.end();
    }
    result.push_str(&text[last_end..]);
    result
}

// Times (`chronology.py`).

static TIME_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    regex(
        r"([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?(~|-)([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?",
    )
});

static TIME: LazyLock<Regex> =
    LazyLock::new(|| regex(r"([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?"));

/// Minutes and seconds keep a leading zero as 零 (`_time_num2str`).
fn time_part_words(digits: &str) -> String {
    let words = number_to_words(digits.trim_start_matches('0'));
    if digits.starts_with('0') {
        format!("零{words}")
    } else {
        words
    }
}

fn clock_words(hour: &str, minute: &str, second: &str, half_hour: bool) -> String {
    let mut result = format!("{}点", number_to_words(hour));
    if !minute.trim_start_matches('0').is_empty() {
        if half_hour {
            result.push('半');
        } else {
            result.push_str(&format!("{}分", time_part_words(minute)));
        }
    }
    if !second.trim_start_matches('0').is_empty() {
        result.push_str(&format!("{}秒", time_part_words(second)));
    }
    result
}

fn replace_times(sentence: &str) -> String {
    let text = TIME_RANGE.replace_all(sentence, |caps: &Captures| {
        // The reference tests the first minute for 半 in both halves of a range.
        let half_hour = group(caps, 2).parse::<u32>() == Ok(30);
        let start = clock_words(group(caps, 1), group(caps, 2), group(caps, 4), half_hour);
        let end = clock_words(group(caps, 6), group(caps, 7), group(caps, 9), half_hour);
        format!("{start}至{end}")
    });

    TIME.replace_all(&text, |caps: &Captures| {
        let half_hour = group(caps, 2).parse::<u32>() == Ok(30);
        clock_words(group(caps, 1), group(caps, 2), group(caps, 4), half_hour)
    })
    .into_owned()
}

// Ranges with units, temperatures and measures (`num.py`, `quantifier.py`).

static TO_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    let unit = "(%|°C|℃|度|摄氏度|cm2|cm²|cm3|cm³|cm|db|ds|kg|km|m2|m²|m³|m3|ml|m|mm|s)";
    let number = r"((-?)(([0-9]+)(\.[0-9]+)?)|(\.([0-9]+)))";
    regex(&format!("{number}{unit}[~]{number}{unit}"))
});

static TEMPERATURE: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(-?)([0-9]+(\.[0-9]+)?)(°C|℃|度|摄氏度)"));

/// `replace_temperature`: the reference means to keep 摄氏度 but compares the decimal-part
/// group with it, so every unit, 摄氏度 included, is read 度.
fn replace_temperature(caps: &Captures) -> String {
    format!(
        "{}{}度",
        sign_word(group(caps, 1), "零下"),
        number_to_words(group(caps, 2))
    )
}

/// Plain substring replacement, as the reference does: `Windows` → `Window秒`.
fn replace_measures(sentence: &str) -> String {
    let mut text = sentence.to_string();
    for (notation, words) in MEASURES {
        if text.contains(notation) {
            text = text.replace(notation, words);
        }
    }
    text
}

// Arithmetic and powers (`num.py`).

static ARITHMETIC: LazyLock<Regex> = LazyLock::new(|| {
    let operand = format!(
        r"((-?)(([0-9]+)(\.[0-9]+)?[{p}]*)|(\.[0-9]+[{p}]*)|([A-Za-z][{p}]*))",
        p = POWER_CHARS
    );
    regex(&format!("{operand}([+\\-×÷=]){operand}"))
});

fn operator_word(operator: &str) -> &'static str {
    match operator {
        "+" => "加",
        "-" => "减",
        "×" => "乘",
        "÷" => "除",
        _ => "等于",
    }
}

fn replace_arithmetic(sentence: &str) -> String {
    let mut text = sentence.to_string();
    // Each pass removes at least one operator, so the loop ends.
    while ARITHMETIC.is_match(&text) {
        text = ARITHMETIC
            .replace_all(&text, |caps: &Captures| {
                format!(
                    "{}{}{}",
                    group(caps, 1),
                    operator_word(group(caps, 8)),
                    group(caps, 9)
                )
            })
            .into_owned();
    }
    text
}

static POWER: LazyLock<Regex> = LazyLock::new(|| regex(&format!("[{POWER_CHARS}]+")));

fn replace_power(caps: &Captures) -> String {
    let exponent: String = caps[0]
        .chars()
        .map(|c| match c {
            'ˣ' => 'x',
            'ʸ' => 'y',
            'ⁿ' => 'n',
            _ => POWER_CHARS
                .chars()
                .position(|p| p == c)
                .and_then(|digit| char::from_digit(digit as u32, 10))
                .unwrap_or(c),
        })
        .collect();
    format!("的{exponent}次方")
}

// Fractions, percentages and phone numbers (`num.py`, `phonecode.py`).

static FRACTION: LazyLock<Regex> = LazyLock::new(|| regex(r"(-?)([0-9]+)/([0-9]+)"));

fn replace_fraction(caps: &Captures) -> String {
    format!(
        "{}{}分之{}",
        sign_word(group(caps, 1), "负"),
        number_to_words(group(caps, 3)),
        number_to_words(group(caps, 2))
    )
}

static PERCENTAGE: LazyLock<Regex> = LazyLock::new(|| regex(r"(-?)([0-9]+(\.[0-9]+)?)%"));

fn replace_percentage(caps: &Captures) -> String {
    format!(
        "{}百分之{}",
        sign_word(group(caps, 1), "负"),
        number_to_words(group(caps, 2))
    )
}

static MOBILE: LazyLock<FancyRegex> = LazyLock::new(|| {
    fancy(r"(?<![0-9])((\+?86 ?)?1([38][0-9]|5[0-35-9]|7[678]|9[89])[0-9]{8})(?![0-9])")
});

static LANDLINE: LazyLock<FancyRegex> =
    LazyLock::new(|| fancy(r"(?<![0-9])((0(10|2[1-3]|[3-9][0-9]{2})-?)?[1-9][0-9]{6,7})(?![0-9])"));

static NATIONAL_NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"(400)(-)?[0-9]{3}(-)?[0-9]{4}"));

/// Digit groups read with 幺, joined by a full-width comma (`phone2str`).
fn phone_words<'a>(groups: impl Iterator<Item = &'a str>) -> String {
    groups
        .map(|part| verbalize_digits(part, true))
        .collect::<Vec<_>>()
        .join("，")
}

fn replace_phone_numbers(sentence: &str) -> String {
    let text = fancy_replace_all(&MOBILE, sentence, |caps| {
        phone_words(fancy_group(caps, 0).trim_matches('+').split_whitespace())
    });
    let text = fancy_replace_all(&LANDLINE, &text, |caps| {
        phone_words(fancy_group(caps, 0).split('-'))
    });
    NATIONAL_NUMBER
        .replace_all(&text, |caps: &Captures| phone_words(caps[0].split('-')))
        .into_owned()
}

// Ranges, signs, versions and plain numbers (`num.py`).

static RANGE: LazyLock<FancyRegex> = LazyLock::new(|| {
    fancy(
        r"(?<![0-9+\-×÷=])((-?)(([0-9]+)(\.[0-9]+)?))[-~]((-?)(([0-9]+)(\.[0-9]+)?))(?![0-9+\-×÷=])",
    )
});

fn replace_ranges(sentence: &str) -> String {
    fancy_replace_all(&RANGE, sentence, |caps| {
        let first = NUMBER.replace_all(fancy_group(caps, 1), replace_number);
        let second = NUMBER.replace_all(fancy_group(caps, 6), replace_number);
        format!("{first}到{second}")
    })
}

static NEGATIVE_INTEGER: LazyLock<Regex> = LazyLock::new(|| regex(r"(-)([0-9]+)"));

fn replace_negative(caps: &Captures) -> String {
    format!("负{}", number_to_words(group(caps, 2)))
}

static VERSION: LazyLock<Regex> =
    LazyLock::new(|| regex(r"(([0-9]+)(\.[0-9]+)(\.[0-9]+)?(\.[0-9]+)+)"));

fn replace_version(caps: &Captures) -> String {
    group(caps, 1)
        .chars()
        .map(|c| {
            if c == '.' {
                "点".to_string()
            } else {
                number_to_words(&c.to_string())
            }
        })
        .collect()
}

static DECIMAL: LazyLock<Regex> = LazyLock::new(|| regex(r"(-?)(([0-9]+)(\.[0-9]+))|(\.([0-9]+))"));

static NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"(-?)(([0-9]+)(\.[0-9]+)?)|(\.([0-9]+))"));

fn replace_number(caps: &Captures) -> String {
    match caps.get(5) {
        Some(pure_decimal) => number_to_words(pure_decimal.as_str()),
        None => format!(
            "{}{}",
            sign_word(group(caps, 1), "负"),
            number_to_words(group(caps, 2))
        ),
    }
}

static QUANTIFIED: LazyLock<Regex> =
    LazyLock::new(|| regex(&format!(r"([0-9]+)([多余几+])?{QUANTIFIERS}")));

fn replace_quantified(caps: &Captures) -> String {
    let mut number = number_to_words(group(caps, 1));
    if number == "二" {
        number = "两".to_string();
    }
    let approximately = if group(caps, 2) == "+" {
        "多"
    } else {
        group(caps, 2)
    };
    format!("{number}{approximately}{}", group(caps, 3))
}

/// Bare integers of three or more digits are read digit by digit (`RE_DEFAULT_NUM`).
static DEFAULT_NUMBER: LazyLock<Regex> = LazyLock::new(|| regex(r"[0-9]{3}[0-9]*"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times() {
        assert_eq!(rewrite_numbers("2024年3月15日"), "二零二四年三月十五日");
        assert_eq!(rewrite_numbers("2024-03-15"), "二零二四年三月十五日");
        assert_eq!(rewrite_numbers("14:30:05"), "十四点半零五秒");
        assert_eq!(rewrite_numbers("10:00-12:00"), "十点至十二点");
    }

    #[test]
    fn quantities_and_phones() {
        assert_eq!(rewrite_numbers("100元"), "一百元");
        assert_eq!(rewrite_numbers("2个"), "两个");
        assert_eq!(rewrite_numbers("13812345678"), "幺三八幺二三四五六七八");
        assert_eq!(rewrite_numbers("45.6%"), "百分之四十五点六");
        assert_eq!(rewrite_numbers("1/3"), "三分之一");
        assert_eq!(rewrite_numbers("5mm"), "五米米");
    }

    #[test]
    fn arithmetic_and_signs() {
        assert_eq!(rewrite_numbers("1+1=2"), "一加一等于二");
        assert_eq!(rewrite_numbers("-3.5个"), "负三零点五个");
        assert_eq!(rewrite_numbers("-10℃"), "零下十度");
        assert_eq!(rewrite_numbers("2摄氏度"), "二度");
    }
}
