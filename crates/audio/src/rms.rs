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

/// Largest absolute sample of each block of `hop` samples, so that the peak of any clip cut on
/// hop boundaries can be found without keeping the samples.
#[derive(Debug)]
pub struct HopPeaks {
    hop: usize,
    filled: usize,
    current: f32,
    peaks: Vec<f32>,
}

impl HopPeaks {
    /// Starts with no samples; `hop` must be > 0.
    pub fn new(hop: usize) -> Self {
        HopPeaks {
            hop,
            filled: 0,
            current: 0.0,
            peaks: Vec::new(),
        }
    }

    /// Appends samples.
    pub fn push(&mut self, samples: &[f32]) {
        for &sample in samples {
            self.current = self.current.max(sample.abs());
            self.filled += 1;
            if self.filled == self.hop {
                self.peaks.push(self.current);
                self.current = 0.0;
                self.filled = 0;
            }
        }
    }

    /// The peaks of every block, the last one possibly partial.
    pub fn finish(mut self) -> Vec<f32> {
        if self.filled > 0 {
            self.peaks.push(self.current);
        }
        self.peaks
    }
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
    fn hop_peaks_cover_partial_last_block() {
        let mut peaks = HopPeaks::new(3);
        peaks.push(&[0.1, -0.5, 0.2, 0.3]);
        peaks.push(&[-0.9]);
        assert_eq!(peaks.finish(), vec![0.5, 0.9]);
    }
}
