//! The cut decisions of GPT-SoVITS's slicer (`tools/slicer2.py: Slicer.slice`), on RMS frames.
//!
//! The decisions need only the RMS curve, so a long recording is sliced from a curve of a few
//! megabytes; the samples are read again only to write the clips.

use serde::Serialize;

use crate::params::SlicerFrames;

/// One clip as the slicer cuts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChunkBounds {
    /// First RMS frame of the clip.
    pub begin_frame: usize,
    /// RMS frame after the clip.
    pub end_frame: usize,
    /// Start sample as the reference reports it (`begin_frame * hop`).
    pub start: u64,
    /// End sample as the reference reports it (`end_frame * hop`); for the last clip this can lie
    /// beyond the end of the signal.
    pub end: u64,
}

impl ChunkBounds {
    /// The samples the clip really holds: `start..min(end, num_samples)`.
    pub fn sample_range(&self, num_samples: usize) -> std::ops::Range<usize> {
        let start = (self.start as usize).min(num_samples);
        start..(self.end as usize).min(num_samples)
    }
}

/// Why a signal gives no slicing at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SliceRefusal {
    /// The signal has at most `min_length` samples. The reference compares the number of
    /// *samples* with `min_length` in *frames* here, and then returns a bare waveform that
    /// `slice_audio.py` cannot unpack, so such a file produces no clips.
    TooShort,
}

/// Cuts a signal of `num_samples` samples whose RMS curve is `rms`.
///
/// Returns the clips in order; an empty list when everything is silence.
pub fn slice_frames(
    rms: &[f32],
    num_samples: usize,
    frames: &SlicerFrames,
) -> Result<Vec<ChunkBounds>, SliceRefusal> {
    if num_samples <= frames.min_length {
        return Err(SliceRefusal::TooShort);
    }

    let silences = silence_tags(rms, frames);
    Ok(chunks_between(&silences, rms.len(), frames.hop))
}

/// The silent ranges to cut out, as `(first frame removed, first frame kept)` pairs.
fn silence_tags(rms: &[f32], frames: &SlicerFrames) -> Vec<(usize, usize)> {
    // The reference compares each float32 RMS with the threshold; numpy casts the threshold to
    // float32 for that comparison.
    let threshold = frames.threshold as f32;
    let keep = frames.max_sil_kept;
    let mut tags = Vec::new();
    let mut silence_start: Option<usize> = None;
    let mut clip_start = 0usize;

    for (i, &level) in rms.iter().enumerate() {
        if level < threshold {
            silence_start.get_or_insert(i);
            continue;
        }
        let Some(start) = silence_start else { continue };

        let is_leading_silence = start == 0 && i > keep;
        let need_slice_middle =
            i - start >= frames.min_interval && i - clip_start >= frames.min_length;
        if !is_leading_silence && !need_slice_middle {
            silence_start = None;
            continue;
        }

        let (tag, next_clip_start) = cut_silence(rms, start, i, keep);
        tags.push(tag);
        clip_start = next_clip_start;
        silence_start = None;
    }

    if let Some(start) = silence_start {
        if rms.len() - start >= frames.min_interval {
            let silence_end = rms.len().min(start + keep);
            let pos = first_argmin(rms, start, silence_end + 1);
            tags.push((pos, rms.len() + 1));
        }
    }
    tags
}

/// Where to cut a silence running from frame `start` to the sounding frame `i`; returns the tag
/// and the frame where the next clip starts. The three branches are the reference's: a short
/// silence is cut at its quietest frame, a medium one keeps up to `keep` frames on each side
/// around its quietest middle part, a long one keeps `keep` frames on each side.
fn cut_silence(rms: &[f32], start: usize, i: usize, keep: usize) -> ((usize, usize), usize) {
    if i - start <= keep {
        let pos = first_argmin(rms, start, i + 1);
        let tag = if start == 0 { (0, pos) } else { (pos, pos) };
        return (tag, pos);
    }

    let pos_l = first_argmin(rms, start, start + keep + 1);
    let pos_r = first_argmin(rms, i - keep, i + 1);
    if i - start <= keep * 2 {
        let pos = first_argmin(rms, i - keep, start + keep + 1);
        if start == 0 {
            ((0, pos_r), pos_r)
        } else {
            ((pos_l.min(pos), pos_r.max(pos)), pos_r.max(pos))
        }
    } else if start == 0 {
        ((0, pos_r), pos_r)
    } else {
        ((pos_l, pos_r), pos_r)
    }
}

/// Index of the first smallest value of `rms[from..to]` (numpy's `argmin`), `to` clamped to the
/// curve as Python slicing does.
fn first_argmin(rms: &[f32], from: usize, to: usize) -> usize {
    let to = to.min(rms.len());
    let mut best = from;
    for index in from..to {
        if rms[index] < rms[best] {
            best = index;
        }
    }
    best
}

/// The clips between the silences, with the reference's reported sample positions.
fn chunks_between(tags: &[(usize, usize)], total_frames: usize, hop: usize) -> Vec<ChunkBounds> {
    let chunk = |begin: usize, end: usize| ChunkBounds {
        begin_frame: begin,
        end_frame: end,
        start: (begin * hop) as u64,
        end: (end * hop) as u64,
    };
    let Some((first, last)) = tags.first().zip(tags.last()) else {
        return vec![chunk(0, total_frames)];
    };

    let mut chunks = Vec::with_capacity(tags.len() + 1);
    if first.0 > 0 {
        chunks.push(chunk(0, first.0));
    }
    for pair in tags.windows(2) {
        chunks.push(chunk(pair[0].1, pair[1].0));
    }
    if last.1 < total_frames {
        chunks.push(chunk(last.1, total_frames));
    }
    chunks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::SliceParams;

    fn frames() -> SlicerFrames {
        SliceParams::default().frames_at(32_000).unwrap()
    }

    fn curve(runs: &[(f32, usize)]) -> Vec<f32> {
        runs.iter()
            .flat_map(|&(level, count)| std::iter::repeat_n(level, count))
            .collect()
    }

    #[test]
    fn loud_signal_without_silence_is_one_chunk() {
        let rms = curve(&[(0.5, 1000)]);
        let chunks = slice_frames(&rms, 999 * 320, &frames()).unwrap();
        assert_eq!(
            chunks,
            vec![ChunkBounds {
                begin_frame: 0,
                end_frame: 1000,
                start: 0,
                end: 320_000
            }]
        );
    }

    #[test]
    fn digital_silence_gives_no_chunk_and_short_input_is_refused() {
        let rms = curve(&[(0.0, 1000)]);
        assert_eq!(slice_frames(&rms, 999 * 320, &frames()).unwrap(), vec![]);
        assert_eq!(
            slice_frames(&[0.5; 2], 400, &frames()),
            Err(SliceRefusal::TooShort)
        );
    }

    #[test]
    fn short_gap_is_cut_at_its_first_quietest_frame() {
        // 500 loud frames, 40 silent ones (30 <= 40 <= 50), 500 loud frames.
        let mut rms = curve(&[(0.5, 500), (0.001, 40), (0.5, 500)]);
        rms[510] = 0.0;
        rms[520] = 0.0;
        let chunks = slice_frames(&rms, 1039 * 320, &frames()).unwrap();
        let cuts: Vec<(usize, usize)> = chunks
            .iter()
            .map(|c| (c.begin_frame, c.end_frame))
            .collect();
        assert_eq!(cuts, vec![(0, 510), (510, 1040)]);
    }

    #[test]
    fn long_gap_keeps_max_sil_kept_on_each_side() {
        let rms = curve(&[(0.5, 500), (0.0, 200), (0.5, 500)]);
        let chunks = slice_frames(&rms, 1199 * 320, &frames()).unwrap();
        let cuts: Vec<(usize, usize)> = chunks
            .iter()
            .map(|c| (c.begin_frame, c.end_frame))
            .collect();
        // Ties go to the first minimum: pos_l is the silence's first frame, pos_r is i - 50.
        assert_eq!(cuts, vec![(0, 500), (650, 1200)]);
    }
}
