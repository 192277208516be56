//! g2p_en's neural reading of unknown words: a GRU encoder over the letters and a GRU decoder
//! that emits phonemes greedily (`G2p.predict`), with g2p_en 2.1.0's `checkpoint20` weights.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::cache::WordMemo;

/// `checkpoint20.npz` as little-endian float32 arrays (see `data/tools/make_en_data.py`).
const CHECKPOINT: &[u8] = include_bytes!("../../data/en/g2p_en_checkpoint20.bin");

/// Phoneme vocabulary of the decoder (`G2p.phonemes`); index 2 starts, 3 ends a reading.
const PHONEMES: [&str; 74] = [
    "<pad>", "<unk>", "<s>", "</s>", "AA0", "AA1", "AA2", "AE0", "AE1", "AE2", "AH0", "AH1", "AH2",
    "AO0", "AO1", "AO2", "AW0", "AW1", "AW2", "AY0", "AY1", "AY2", "B", "CH", "D", "DH", "EH0",
    "EH1", "EH2", "ER0", "ER1", "ER2", "EY0", "EY1", "EY2", "F", "G", "HH", "IH0", "IH1", "IH2",
    "IY0", "IY1", "IY2", "JH", "K", "L", "M", "N", "NG", "OW0", "OW1", "OW2", "OY0", "OY1", "OY2",
    "P", "R", "S", "SH", "T", "TH", "UH0", "UH1", "UH2", "UW", "UW0", "UW1", "UW2", "V", "W", "Y",
    "Z", "ZH",
];

const START: usize = 2;
const END: usize = 3;
const MAX_PHONEMES: usize = 20;

/// A weight matrix, row-major.
struct Matrix {
    rows: usize,
    cols: usize,
    values: Vec<f32>,
}

impl Matrix {
    fn row(&self, index: usize) -> &[f32] {
        let index = index.min(self.rows.saturating_sub(1));
        &self.values[index * self.cols..(index + 1) * self.cols]
    }

    /// `x @ self.T`.
    fn times(&self, x: &[f32]) -> Vec<f32> {
        (0..self.rows).map(|r| dot(self.row(r), x)).collect()
    }
}

struct GruWeights {
    w_ih: Matrix,
    w_hh: Matrix,
    b_ih: Vec<f32>,
    b_hh: Vec<f32>,
}

struct Model {
    enc_emb: Matrix,
    encoder: GruWeights,
    dec_emb: Matrix,
    decoder: GruWeights,
    fc_w: Matrix,
    fc_b: Vec<f32>,
}

fn read_u32(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let value = u32::from_le_bytes(bytes.get(*at..*at + 4)?.try_into().ok()?);
    *at += 4;
    usize::try_from(value).ok()
}

fn read_arrays(bytes: &[u8]) -> Option<HashMap<String, Matrix>> {
    let mut arrays = HashMap::new();
    let mut at = 0;
    while at < bytes.len() {
        let name_len = read_u32(bytes, &mut at)?;
        let name = String::from_utf8(bytes.get(at..at + name_len)?.to_vec()).ok()?;
        at += name_len;
        let rank = read_u32(bytes, &mut at)?;
        let dims: Vec<usize> = (0..rank)
            .map(|_| read_u32(bytes, &mut at))
            .collect::<Option<_>>()?;
        let count: usize = dims.iter().product();
        let raw = bytes.get(at..at + count * 4)?;
        at += count * 4;
        let values = raw
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        let (rows, cols) = if rank == 2 {
            (dims[0], dims[1])
        } else {
            (1, count)
        };
        arrays.insert(name, Matrix { rows, cols, values });
    }
    Some(arrays)
}

fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let mut arrays = read_arrays(CHECKPOINT)?;
            let mut take = |name: &str| arrays.remove(name);
            let mut gru = |prefix: &str| -> Option<GruWeights> {
                Some(GruWeights {
                    w_ih: take(&format!("{prefix}_w_ih"))?,
                    w_hh: take(&format!("{prefix}_w_hh"))?,
                    b_ih: take(&format!("{prefix}_b_ih"))?.values,
                    b_hh: take(&format!("{prefix}_b_hh"))?.values,
                })
            };
            let encoder = gru("enc")?;
            let decoder = gru("dec")?;
            Some(Model {
                enc_emb: take("enc_emb")?,
                encoder,
                dec_emb: take("dec_emb")?,
                decoder,
                fc_w: take("fc_w")?,
                fc_b: take("fc_b")?.values,
            })
        })
        .as_ref()
}

/// Dot product with eight running sums, which the compiler turns into vector code.
// Limitation: numpy's BLAS sums in its own order, so a word whose two best phonemes score
// within float32 rounding of each other could be read differently; none of the golden, extra
// or fuzzing words (several thousand) was.
fn dot(a: &[f32], b: &[f32]) -> f32 {
    let mut lanes = [0.0f32; 8];
    let mut a_chunks = a.chunks_exact(8);
    let mut b_chunks = b.chunks_exact(8);
    for (x, y) in (&mut a_chunks).zip(&mut b_chunks) {
        for lane in 0..8 {
            lanes[lane] += x[lane] * y[lane];
        }
    }
    let tail: f32 = a_chunks
        .remainder()
        .iter()
        .zip(b_chunks.remainder())
        .map(|(x, y)| x * y)
        .sum();
    lanes.iter().sum::<f32>() + tail
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// `G2p.grucell`: gates r, z and candidate n, in PyTorch's layout.
fn gru_cell(x: &[f32], h: &[f32], weights: &GruWeights) -> Vec<f32> {
    let from_input: Vec<f32> = weights
        .w_ih
        .times(x)
        .iter()
        .zip(&weights.b_ih)
        .map(|(a, b)| a + b)
        .collect();
    let from_hidden: Vec<f32> = weights
        .w_hh
        .times(h)
        .iter()
        .zip(&weights.b_hh)
        .map(|(a, b)| a + b)
        .collect();
    let size = h.len();

    (0..size)
        .map(|i| {
            let r = sigmoid(from_input[i] + from_hidden[i]);
            let z = sigmoid(from_input[size + i] + from_hidden[size + i]);
            let n = (from_input[2 * size + i] + r * from_hidden[2 * size + i]).tanh();
            (1.0 - z) * n + z * h[i]
        })
        .collect()
}

/// Letter index in g2p_en's grapheme list (`<pad>`, `<unk>`, `</s>`, a–z).
fn grapheme_index(c: char) -> usize {
    match c {
        'a'..='z' => c as usize - 'a' as usize + 3,
        _ => 1,
    }
}

fn argmax(values: &[f32]) -> usize {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best
}

/// The predicted phonemes of a lower-case word; empty if the weights cannot be read.
pub(crate) fn predict(word: &str) -> Vec<&'static str> {
    static MEMO: WordMemo<Vec<&'static str>> = WordMemo::new();
    MEMO.get_or_compute(word, || run_model(word))
}

fn run_model(word: &str) -> Vec<&'static str> {
    let Some(model) = model() else {
        return Vec::new();
    };

    let hidden_size = model.encoder.w_hh.cols;
    let mut h = vec![0.0f32; hidden_size];
    for index in word.chars().map(grapheme_index).chain([2]) {
        h = gru_cell(model.enc_emb.row(index), &h, &model.encoder);
    }

    let mut phonemes = Vec::new();
    let mut previous = START;
    for _ in 0..MAX_PHONEMES {
        h = gru_cell(model.dec_emb.row(previous), &h, &model.decoder);
        let logits: Vec<f32> = model
            .fc_w
            .times(&h)
            .iter()
            .zip(&model.fc_b)
            .map(|(a, b)| a + b)
            .collect();
        let best = argmax(&logits);
        if best == END {
            break;
        }
        phonemes.push(PHONEMES.get(best).copied().unwrap_or("<unk>"));
        previous = best;
    }
    phonemes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn predicts_reference_readings() {
        // g2p_en 2.1.0's predictions for the same words.
        assert_eq!(predict("tastic"), ["T", "AE1", "S", "T", "IH0", "K"]);
        assert_eq!(
            predict("clockmaker"),
            ["K", "L", "AA1", "K", "M", "EY2", "K", "ER0"]
        );
        assert_eq!(predict("thirty-two"), ["TH", "ER0", "T", "IY1", "T", "OW0"]);
    }
}
