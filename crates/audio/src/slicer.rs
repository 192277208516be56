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
    let mut slicer = StreamingSlicer::new(*frames);
    let mut chunks: Vec<ChunkBounds> = rms.iter().filter_map(|&level| slicer.push(level)).collect();
    chunks.extend(slicer.finish(num_samples)?);
    Ok(chunks)
}

/// The slicer fed one RMS frame at a time: each clip is handed out as soon as the reference's
/// decisions make it final, so its samples can be written and dropped while decoding goes on.
/// Fed a whole curve it gives exactly what [`slice_frames`] gives (which is built on it).
#[derive(Debug, Clone)]
pub struct StreamingSlicer {
    frames: SlicerFrames,
    rms: Vec<f32>,
    silence_start: Option<usize>,
    clip_start: usize,
    last_tag: Option<(usize, usize)>,
}

impl StreamingSlicer {
    /// A slicer with the values of one sample rate.
    pub fn new(frames: SlicerFrames) -> Self {
        StreamingSlicer {
            frames,
            rms: Vec::new(),
            silence_start: None,
            clip_start: 0,
            last_tag: None,
        }
    }

    /// Adds the next RMS frame; returns the clip that this frame made final, if any.
    pub fn push(&mut self, level: f32) -> Option<ChunkBounds> {
        let i = self.rms.len();
        self.rms.push(level);
        let tag = self.tag_at(i)?;
        self.chunk_before(tag)
    }

    /// First RMS frame whose samples a later clip can still need.
    pub fn first_needed_frame(&self) -> usize {
        self.last_tag.map_or(0, |(_, kept)| kept)
    }

    /// Ends the signal of `num_samples` samples; returns the remaining clips.
    pub fn finish(mut self, num_samples: usize) -> Result<Vec<ChunkBounds>, SliceRefusal> {
        if num_samples <= self.frames.min_length {
            return Err(SliceRefusal::TooShort);
        }

        let total = self.rms.len();
        let mut chunks = Vec::new();
        if let Some(start) = self.silence_start {
            if total - start >= self.frames.min_interval {
                let silence_end = total.min(start + self.frames.max_sil_kept);
                let pos = first_argmin(&self.rms, start, silence_end + 1);
                chunks.extend(self.chunk_before((pos, total + 1)));
            }
        }
        match self.last_tag {
            None => chunks.push(chunk(0, total, self.frames.hop)),
            Some((_, kept)) if kept < total => chunks.push(chunk(kept, total, self.frames.hop)),
            Some(_) => {}
        }
        Ok(chunks)
    }

    /// The reference's loop body for frame `i`: returns the silence to cut, if frame `i` ends one
    /// that must be cut.
    fn tag_at(&mut self, i: usize) -> Option<(usize, usize)> {
        // The reference compares each float32 RMS with the threshold; numpy casts the threshold
        // to float32 for that comparison.
        if self.rms[i] < self.frames.threshold as f32 {
            self.silence_start.get_or_insert(i);
            return None;
        }
        let start = self.silence_start?;

        let keep = self.frames.max_sil_kept;
        let is_leading_silence = start == 0 && i > keep;
        let need_slice_middle =
            i - start >= self.frames.min_interval && i - self.clip_start >= self.frames.min_length;
        self.silence_start = None;
        if !is_leading_silence && !need_slice_middle {
            return None;
        }

        let (tag, next_clip_start) = cut_silence(&self.rms, start, i, keep);
        self.clip_start = next_clip_start;
        Some(tag)
    }

    /// Records a silence tag and returns the clip that ends where it starts.
    fn chunk_before(&mut self, tag: (usize, usize)) -> Option<ChunkBounds> {
        let hop = self.frames.hop;
        let before = match self.last_tag {
            None => (tag.0 > 0).then(|| chunk(0, tag.0, hop)),
            Some((_, kept)) => Some(chunk(kept, tag.0, hop)),
        };
        self.last_tag = Some(tag);
        before
    }
}

fn chunk(begin: usize, end: usize, hop: usize) -> ChunkBounds {
    ChunkBounds {
        begin_frame: begin,
        end_frame: end,
        start: (begin * hop) as u64,
        end: (end * hop) as u64,
    }
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
    fn streaming_hands_out_each_clip_once_its_end_is_decided() {
        let rms = curve(&[(0.5, 500), (0.0, 200), (0.5, 500), (0.0, 100), (0.5, 450)]);
        let mut slicer = StreamingSlicer::new(frames());
        let mut decided_at = Vec::new();
        for (index, &level) in rms.iter().enumerate() {
            if let Some(chunk) = slicer.push(level) {
                decided_at.push((index, chunk.begin_frame, chunk.end_frame));
            }
        }
        // The first cut is known when the sound resumes at frame 700.
        assert_eq!(decided_at, vec![(700, 0, 500), (1300, 650, 1200)]);
        assert_eq!(slicer.first_needed_frame(), 1250);
        let rest = slicer.finish(1749 * 320).unwrap();
        assert_eq!(
            rest.iter()
                .map(|c| (c.begin_frame, c.end_frame))
                .collect::<Vec<_>>(),
            vec![(1250, 1750)]
        );
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
