//! Frame RMS of a signal that arrives in blocks, as `tools/slicer2.py: get_rms` computes it.
//!
//! The reference pads the signal with `win / 2` zeros on each side (numpy's constant padding)
//! and takes one frame of `win` samples every `hop` samples, so there are
//! `1 + (len + 2 * (win / 2) - win) / hop` frames. Each frame's power is summed here in `f64`,
//! so digital silence gives exactly zero and ties stay ties.

/// Computes RMS frames incrementally, keeping only about one window of samples.
#[derive(Debug)]
pub struct RmsFrames {
    hop: usize,
    win: usize,
    /// Samples of the padded signal not yet consumed by a frame start.
    pending: Vec<f32>,
    /// Index, in the padded signal, of `pending[0]`.
    pending_offset: usize,
    /// Length of the padded signal so far.
    padded_len: usize,
    frames: Vec<f32>,
}

impl RmsFrames {
    /// Starts an empty signal with the given hop and window (both in samples, both > 0).
    pub fn new(hop: usize, win: usize) -> Self {
        let left_padding = win / 2;
        RmsFrames {
            hop,
            win,
            pending: vec![0.0; left_padding],
            pending_offset: 0,
            padded_len: left_padding,
            frames: Vec::new(),
        }
    }

    /// Appends samples and computes every frame that is now complete.
    pub fn push(&mut self, samples: &[f32]) {
        self.pending.extend_from_slice(samples);
        self.padded_len += samples.len();
        self.emit_complete_frames();
    }

    /// Adds the right padding and returns all frames.
    pub fn finish(mut self) -> Vec<f32> {
        let right_padding = self.win / 2;
        self.pending.resize(self.pending.len() + right_padding, 0.0);
        self.padded_len += right_padding;
        self.emit_complete_frames();
        self.frames
    }

    fn emit_complete_frames(&mut self) {
        let mut next_start = self.frames.len() * self.hop;
        while next_start + self.win <= self.padded_len {
            let local = next_start - self.pending_offset;
            let window = &self.pending[local..local + self.win];
            self.frames.push(rms_of(window));
            next_start += self.hop;
        }

        let consumed = (next_start - self.pending_offset).min(self.pending.len());
        self.pending.drain(..consumed);
        self.pending_offset += consumed;
    }
}

/// Root of the mean square of `window`, summed in `f64` over four lanes.
fn rms_of(window: &[f32]) -> f32 {
    let mut lanes = [0f64; 4];
    let mut quads = window.chunks_exact(4);
    for quad in &mut quads {
        for (lane, &sample) in lanes.iter_mut().zip(quad) {
            let value = f64::from(sample);
            *lane += value * value;
        }
    }
    let tail: f64 = quads
        .remainder()
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum();
    let sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]) + tail;
    (sum / window.len() as f64).sqrt() as f32
}

/// The RMS frames of a whole signal at once.
pub fn rms_curve(samples: &[f32], hop: usize, win: usize) -> Vec<f32> {
    let mut frames = RmsFrames::new(hop, win);
    frames.push(samples);
    frames.finish()
}

/// Sum of squares and largest absolute sample of each block of `hop` samples, gathered in one
/// pass while decoding.
///
/// The peaks give the peak of any clip cut on hop boundaries without keeping the samples. When
/// the RMS window and its centring padding are whole numbers of hops (the defaults: window
/// 4 hops, padding 2), every RMS frame is the sum of a few block powers, which costs one
/// multiply-add per sample instead of one per sample per overlapping frame.
#[derive(Debug)]
pub struct HopStats {
    hop: usize,
    filled: usize,
    power: f64,
    peak: f32,
    powers: Vec<f64>,
    peaks: Vec<f32>,
    samples: usize,
}

impl HopStats {
    /// Starts with no samples; `hop` must be > 0.
    pub fn new(hop: usize) -> Self {
        HopStats {
            hop,
            filled: 0,
            power: 0.0,
            peak: 0.0,
            powers: Vec::new(),
            peaks: Vec::new(),
            samples: 0,
        }
    }

    /// Appends samples.
    pub fn push(&mut self, mut samples: &[f32]) {
        self.samples += samples.len();
        while !samples.is_empty() {
            let take = (self.hop - self.filled).min(samples.len());
            let (part, rest) = samples.split_at(take);
            let (power, peak) = power_and_peak(part);
            self.power += power;
            self.peak = self.peak.max(peak);
            self.filled += take;
            if self.filled == self.hop {
                self.close_block();
            }
            samples = rest;
        }
    }

    fn close_block(&mut self) {
        self.powers.push(self.power);
        self.peaks.push(self.peak);
        self.power = 0.0;
        self.peak = 0.0;
        self.filled = 0;
    }

    /// Ends the signal; the last block may be partial.
    pub fn finish(mut self) -> FinishedHopStats {
        if self.filled > 0 {
            self.close_block();
        }
        FinishedHopStats {
            hop: self.hop,
            powers: self.powers,
            peaks: self.peaks,
            samples: self.samples,
        }
    }
}

/// The per-block statistics of a whole signal.
#[derive(Debug, Clone)]
pub struct FinishedHopStats {
    hop: usize,
    powers: Vec<f64>,
    /// Largest absolute sample of each block.
    pub peaks: Vec<f32>,
    /// Number of samples in the signal.
    pub samples: usize,
}

impl FinishedHopStats {
    /// The reference's RMS frames for window `win`, when `win` and `win / 2` are multiples of
    /// the hop; `None` otherwise (then [`RmsFrames`] computes them directly).
    pub fn rms_frames(&self, win: usize) -> Option<Vec<f32>> {
        let hop = self.hop;
        if !window_is_whole_hops(hop, win) {
            return None;
        }
        let blocks_per_frame = win / hop;
        let padding_blocks = (win / 2) / hop;
        let frame_count = 1 + (self.samples + 2 * (win / 2) - win) / hop;
        let block_power = |index: isize| -> f64 {
            usize::try_from(index)
                .ok()
                .and_then(|i| self.powers.get(i))
                .copied()
                .unwrap_or(0.0)
        };
        let frames = (0..frame_count)
            .map(|frame| {
                let first = frame as isize - padding_blocks as isize;
                let sum: f64 = (0..blocks_per_frame as isize)
                    .map(|k| block_power(first + k))
                    .sum();
                (sum / win as f64).sqrt() as f32
            })
            .collect();
        Some(frames)
    }
}

/// Whether the RMS window and its centring padding (`win / 2`) are whole numbers of hops, so
/// frames can be summed from per-hop block powers.
pub(crate) fn window_is_whole_hops(hop: usize, win: usize) -> bool {
    win.is_multiple_of(hop) && (win / 2).is_multiple_of(hop)
}

/// Sum of squares (in `f64`) and largest absolute value, over eight lanes so it vectorises.
fn power_and_peak(samples: &[f32]) -> (f64, f32) {
    let mut powers = [0f64; 8];
    let mut peaks = [0f32; 8];
    let mut octets = samples.chunks_exact(8);
    for octet in &mut octets {
        for lane in 0..8 {
            let value = octet[lane];
            powers[lane] += f64::from(value) * f64::from(value);
            peaks[lane] = if value.abs() > peaks[lane] {
                value.abs()
            } else {
                peaks[lane]
            };
        }
    }
    let mut power: f64 = powers.iter().sum();
    let mut peak = peaks.iter().fold(0f32, |m, &p| m.max(p));
    for &value in octets.remainder() {
        power += f64::from(value) * f64::from(value);
        peak = peak.max(value.abs());
    }
    (power, peak)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frame_count_follows_centred_padding() {
        assert_eq!(rms_curve(&vec![0.0; 1000], 320, 1280).len(), 1 + 1000 / 320);
        assert_eq!(rms_curve(&vec![0.0; 960], 320, 1280).len(), 1 + 960 / 320);
        // Odd window: padding of win / 2 on both sides, so one sample fewer to slide over.
        assert_eq!(
            rms_curve(&vec![0.0; 1000], 100, 301).len(),
            1 + (1000 + 300 - 301) / 100
        );
    }

    #[test]
    fn streaming_equals_whole_signal_and_a_constant_gives_its_level() {
        let signal: Vec<f32> = (0..5000)
            .map(|i| ((i * 7919) % 200) as f32 / 100.0 - 1.0)
            .collect();
        let whole = rms_curve(&signal, 320, 1280);
        let mut streamed = RmsFrames::new(320, 1280);
        for block in signal.chunks(333) {
            streamed.push(block);
        }
        assert_eq!(streamed.finish(), whole);

        let constant = rms_curve(&[0.5; 4000], 320, 1280);
        assert!((constant[6] - 0.5).abs() < 1e-7);
        // The first frame sees 640 padded zeros and 640 samples.
        assert!((constant[0] - 0.5 * 0.5f32.sqrt()).abs() < 1e-7);
    }

    #[test]
    fn hop_stats_cover_a_partial_last_block() {
        let mut stats = HopStats::new(3);
        stats.push(&[0.1, -0.5, 0.2, 0.3]);
        stats.push(&[-0.9]);
        let stats = stats.finish();
        assert_eq!(stats.peaks, vec![0.5, 0.9]);
        assert_eq!(stats.samples, 5);
    }

    #[test]
    fn block_powers_give_the_same_frames_as_direct_sums() {
        let signal: Vec<f32> = (0..20_011)
            .map(|i| ((i * 7919) % 200) as f32 / 100.0 - 1.0)
            .collect();
        let mut stats = HopStats::new(320);
        for block in signal.chunks(1000) {
            stats.push(block);
        }
        let stats = stats.finish();
        let from_blocks = stats.rms_frames(1280).unwrap();
        let direct = rms_curve(&signal, 320, 1280);
        assert_eq!(from_blocks.len(), direct.len());
        for (a, b) in from_blocks.iter().zip(&direct) {
            assert!((a - b).abs() <= 1e-6 * b.abs(), "{a} vs {b}");
        }
        assert!(stats.rms_frames(1000).is_none());
    }
}
