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
    /// Frames computed and not yet taken.
    frames: Vec<f32>,
    /// Frames computed in all.
    frames_done: usize,
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
            frames_done: 0,
        }
    }

    /// Appends samples and computes every frame that is now complete.
    pub fn push(&mut self, samples: &[f32]) {
        self.pending.extend_from_slice(samples);
        self.padded_len += samples.len();
        self.emit_complete_frames();
    }

    /// Moves the frames computed so far (and not taken before) to the end of `out`.
    pub fn take_ready(&mut self, out: &mut Vec<f32>) {
        out.append(&mut self.frames);
    }

    /// Adds the right padding and returns the frames not taken yet.
    pub fn finish(mut self) -> Vec<f32> {
        let right_padding = self.win / 2;
        self.pending.resize(self.pending.len() + right_padding, 0.0);
        self.padded_len += right_padding;
        self.emit_complete_frames();
        self.frames
    }

    fn emit_complete_frames(&mut self) {
        let mut next_start = self.frames_done * self.hop;
        while next_start + self.win <= self.padded_len {
            let local = next_start - self.pending_offset;
            let window = &self.pending[local..local + self.win];
            self.frames.push(rms_of(window));
            self.frames_done += 1;
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
/// pass while decoding. The peaks give the peak of any clip cut on hop boundaries without
/// keeping its samples.
#[derive(Debug)]
struct HopStats {
    hop: usize,
    filled: usize,
    power: f64,
    peak: f32,
    powers: Vec<f64>,
    peaks: Vec<f32>,
    samples: usize,
}

impl HopStats {
    fn new(hop: usize) -> Self {
        let (powers, peaks) = (Vec::new(), Vec::new());
        HopStats {
            hop,
            filled: 0,
            power: 0.0,
            peak: 0.0,
            powers,
            peaks,
            samples: 0,
        }
    }

    fn push(&mut self, mut samples: &[f32]) {
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

    /// Closes the last, partial block.
    fn finish(&mut self) {
        if self.filled > 0 {
            self.close_block();
        }
    }
}

/// The reference's RMS frames of a signal that arrives in blocks, handed out as soon as each
/// is complete, plus the peak of every hop block.
///
/// When the RMS window and its centring padding are whole numbers of hops (the defaults: window
/// 4 hops, padding 2), every frame is the sum of a few block powers, which costs one
/// multiply-add per sample instead of one per sample per overlapping frame; otherwise the frames
/// are summed directly by [`RmsFrames`].
#[derive(Debug)]
pub struct FrameStream {
    hop: usize,
    win: usize,
    stats: HopStats,
    direct: Option<RmsFrames>,
    next_frame: usize,
}

impl FrameStream {
    /// Starts an empty signal; `hop` and `win` in samples, both > 0.
    pub fn new(hop: usize, win: usize) -> Self {
        let direct = (!window_is_whole_hops(hop, win)).then(|| RmsFrames::new(hop, win));
        FrameStream {
            hop,
            win,
            stats: HopStats::new(hop),
            direct,
            next_frame: 0,
        }
    }

    /// Appends samples; the frames that became complete are appended to `frames`.
    pub fn push(&mut self, samples: &[f32], frames: &mut Vec<f32>) {
        self.stats.push(samples);
        match self.direct.as_mut() {
            Some(direct) => {
                direct.push(samples);
                direct.take_ready(frames);
            }
            None => self.emit_ready(frames, false),
        }
    }

    /// Ends the signal; the remaining frames are appended to `frames`.
    pub fn finish(&mut self, frames: &mut Vec<f32>) {
        self.stats.finish();
        match self.direct.take() {
            Some(direct) => frames.extend(direct.finish()),
            None => self.emit_ready(frames, true),
        }
    }

    /// Number of samples pushed so far.
    pub fn samples(&self) -> usize {
        self.stats.samples
    }

    /// Largest absolute sample in hop blocks `blocks` (blocks past the end count as silence).
    pub fn peak_of_blocks(&self, blocks: std::ops::Range<usize>) -> f32 {
        let end = blocks.end.min(self.stats.peaks.len());
        let start = blocks.start.min(end);
        self.stats.peaks[start..end]
            .iter()
            .fold(0f32, |acc, &p| acc.max(p))
    }

    fn emit_ready(&mut self, frames: &mut Vec<f32>, at_end: bool) {
        let blocks_per_frame = self.win / self.hop;
        let padding_blocks = (self.win / 2) / self.hop;
        let frame_count = if at_end {
            1 + (self.stats.samples + 2 * (self.win / 2) - self.win) / self.hop
        } else {
            // Frame t needs blocks up to t - padding + blocks_per_frame - 1, all closed.
            (self.stats.powers.len() + padding_blocks + 1).saturating_sub(blocks_per_frame)
        };
        while self.next_frame < frame_count {
            frames.push(self.frame_from_blocks(self.next_frame, padding_blocks, blocks_per_frame));
            self.next_frame += 1;
        }
    }

    fn frame_from_blocks(&self, frame: usize, padding_blocks: usize, blocks: usize) -> f32 {
        let powers = &self.stats.powers;
        let sum: f64 = (0..blocks)
            .filter_map(|k| (frame + k).checked_sub(padding_blocks))
            .map(|block| powers.get(block).copied().unwrap_or(0.0))
            .sum();
        (sum / self.win as f64).sqrt() as f32
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
    fn block_peaks_cover_a_partial_last_block() {
        let mut stream = FrameStream::new(3, 12);
        let mut frames = Vec::new();
        stream.push(&[0.1, -0.5, 0.2, 0.3], &mut frames);
        stream.push(&[-0.9], &mut frames);
        stream.finish(&mut frames);
        assert_eq!(stream.peak_of_blocks(0..1), 0.5);
        assert_eq!(stream.peak_of_blocks(1..5), 0.9);
        assert_eq!(stream.samples(), 5);
    }

    #[test]
    fn streamed_frames_equal_the_reference_formula_for_any_block_sizes() {
        let signal: Vec<f32> = (0..20_011)
            .map(|i| ((i * 7919) % 200) as f32 / 100.0 - 1.0)
            .collect();
        for (hop, win, block) in [
            (320, 1280, 1000),
            (320, 1280, 7),
            (320, 1280, 20_011),
            (100, 301, 999),
        ] {
            let mut stream = FrameStream::new(hop, win);
            let mut frames = Vec::new();
            for piece in signal.chunks(block) {
                stream.push(piece, &mut frames);
            }
            stream.finish(&mut frames);
            let direct = rms_curve(&signal, hop, win);
            assert_eq!(
                frames.len(),
                direct.len(),
                "hop {hop} win {win} block {block}"
            );
            for (a, b) in frames.iter().zip(&direct) {
                assert!((a - b).abs() <= 1e-6 * b.abs(), "{a} vs {b}");
            }
        }
    }
}
