//! Part-of-speech tags from nltk's averaged perceptron tagger (`nltk.pos_tag`), which the
//! reference uses to choose between the readings of homographs.

use std::sync::OnceLock;

use crate::embedded::EmbeddedText;
use crate::fast_hash::FastMap;

/// Feature → (tag, weight) pairs, from nltk's `averaged_perceptron_tagger.pickle`.
static WEIGHTS: EmbeddedText =
    EmbeddedText::new(include_bytes!("../../data/en/tagger_weights.txt.gz"));

/// Words with one unambiguous tag.
const TAG_DICTIONARY: &str = include_str!("../../data/en/tagger_tagdict.txt");

/// Every tag the model knows.
const CLASSES: &str = include_str!("../../data/en/tagger_classes.txt");

struct Perceptron {
    weights: FastMap<&'static str, Vec<(usize, f64)>>,
    tag_dictionary: FastMap<&'static str, &'static str>,
    classes: Vec<&'static str>,
}

fn perceptron() -> &'static Perceptron {
    static MODEL: OnceLock<Perceptron> = OnceLock::new();
    MODEL.get_or_init(|| {
        let classes: Vec<&'static str> = CLASSES.lines().filter(|l| !l.is_empty()).collect();
        let class_index: FastMap<&str, usize> =
            classes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let weights = WEIGHTS
            .text()
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .map(|(feature, pairs)| (feature, parse_weights(pairs, &class_index)))
            .collect();
        let tag_dictionary = TAG_DICTIONARY
            .lines()
            .filter_map(|line| line.split_once('\t'))
            .collect();
        Perceptron {
            weights,
            tag_dictionary,
            classes,
        }
    })
}

fn parse_weights(pairs: &str, class_index: &FastMap<&str, usize>) -> Vec<(usize, f64)> {
    let fields: Vec<&str> = pairs.split(' ').collect();
    fields
        .chunks(2)
        .filter_map(|pair| match pair {
            [tag, weight] => Some((*class_index.get(tag)?, weight.parse().ok()?)),
            _ => None,
        })
        .collect()
}

/// `PerceptronTagger.normalize`: the word as the features see it.
fn feature_word(word: &str) -> String {
    let first = word.chars().next();
    if word.contains('-') && first != Some('-') {
        "!HYPHEN".to_string()
    } else if word.chars().count() == 4 && word.chars().all(|c| c.is_numeric()) {
        "!YEAR".to_string()
    } else if first.is_some_and(|c| c.is_numeric()) {
        "!DIGITS".to_string()
    } else {
        word.to_lowercase()
    }
}

fn last_chars(word: &str, n: usize) -> String {
    let chars: Vec<char> = word.chars().collect();
    chars[chars.len().saturating_sub(n)..].iter().collect()
}

/// The tag of every token, as `nltk.pos_tag(tokens)`.
pub(crate) fn tag(tokens: &[String]) -> Vec<&'static str> {
    let model = perceptron();
    let mut context = vec!["-START-".to_string(), "-START2-".to_string()];
    context.extend(tokens.iter().map(|t| feature_word(t)));
    context.extend(["-END-".to_string(), "-END2-".to_string()]);

    let (mut prev, mut prev2) = ("-START-", "-START2-");
    let mut tags = Vec::with_capacity(tokens.len());
    for (i, word) in tokens.iter().enumerate() {
        let tag = match model.tag_dictionary.get(word.as_str()) {
            Some(tag) => *tag,
            None => predict(model, &features(i + 2, word, &context, prev, prev2)),
        };
        tags.push(tag);
        prev2 = prev;
        prev = tag;
    }
    tags
}

/// `_get_features`, in the reference's order (the order the scores are summed in).
fn features(i: usize, word: &str, context: &[String], prev: &str, prev2: &str) -> Vec<String> {
    let first = word.chars().next().map(String::from).unwrap_or_default();
    vec![
        "bias".to_string(),
        format!("i suffix {}", last_chars(word, 3)),
        format!("i pref1 {first}"),
        format!("i-1 tag {prev}"),
        format!("i-2 tag {prev2}"),
        format!("i tag+i-2 tag {prev} {prev2}"),
        format!("i word {}", context[i]),
        format!("i-1 tag+i word {prev} {}", context[i]),
        format!("i-1 word {}", context[i - 1]),
        format!("i-1 suffix {}", last_chars(&context[i - 1], 3)),
        format!("i-2 word {}", context[i - 2]),
        format!("i+1 word {}", context[i + 1]),
        format!("i+1 suffix {}", last_chars(&context[i + 1], 3)),
        format!("i+2 word {}", context[i + 2]),
    ]
}

/// The best tag by summed weights; ties go to the greater tag name, as Python's `max` does.
fn predict(model: &Perceptron, features: &[String]) -> &'static str {
    let mut scores = vec![0.0f64; model.classes.len()];
    // Every feature name starts with its own prefix, so each counts once, as in the reference.
    for feature in features {
        if let Some(weights) = model.weights.get(feature.as_str()) {
            for (class, weight) in weights {
                scores[*class] += weight;
            }
        }
    }

    let mut best = 0;
    for class in 1..model.classes.len() {
        let better = scores[class] > scores[best]
            || (scores[class] == scores[best] && model.classes[class] > model.classes[best]);
        if better {
            best = class;
        }
    }
    model.classes.get(best).copied().unwrap_or("NN")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags_of(text: &str) -> Vec<&'static str> {
        let tokens: Vec<String> = text.split(' ').map(str::to_string).collect();
        tag(&tokens)
    }

    #[test]
    fn tags_homograph_contexts_like_nltk() {
        // nltk 3.9 with the same model: read/VBP, read/VB, record/VBZ, record/NN.
        assert_eq!(
            tags_of("I read the book yesterday ."),
            ["PRP", "VBP", "DT", "NN", "NN", "."]
        );
        assert_eq!(
            tags_of("Please record the record ."),
            ["NN", "VBZ", "DT", "NN", "."]
        );
    }
}
