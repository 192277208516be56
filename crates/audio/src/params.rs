//! Slicer parameters, their validation, and the frame-based values derived from them.

use serde::{Deserialize, Serialize};

use crate::error::{AudioError, Result};

/// Parameters of the `audio_slice` stage, in the units of GPT-SoVITS's web UI.
///
/// The defaults are the web UI's defaults. The time values are integers because
/// `tools/slice_audio.py` passes each of them through `int()` before building the slicer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SliceParams {
    /// Frames whose RMS is below this level (dBFS) are candidates for a cut.
    pub threshold: i32,
    /// Minimum length of a clip in milliseconds; shorter pieces are joined to the next one.
    pub min_length: u32,
    /// Minimum length of a silence, in milliseconds, for a cut to happen there.
    pub min_interval: u32,
    /// Hop of the RMS frames in milliseconds.
    pub hop_size: u32,
    /// Longest silence, in milliseconds, kept around a clip.
    pub max_sil_kept: u32,
    /// Peak level of the normalised part of the mix (GPT-SoVITS's `_max`).
    pub max: f64,
    /// Share of the normalised signal in the output mix (GPT-SoVITS's `alpha`).
    pub alpha: f64,
}

impl Default for SliceParams {
    fn default() -> Self {
        SliceParams {
            threshold: -34,
            min_length: 4000,
            min_interval: 300,
            hop_size: 10,
            max_sil_kept: 500,
            max: 0.9,
            alpha: 0.25,
        }
    }
}

impl SliceParams {
    /// Checks every field; the error names the first field that is out of range.
    ///
    /// The ordering rules `min_length >= min_interval >= hop_size` and
    /// `max_sil_kept >= hop_size` are the ones `Slicer.__init__` enforces.
    pub fn validate(&self) -> Result<()> {
        if self.threshold > 0 || self.threshold < -120 {
            return Err(AudioError::invalid(
                "threshold",
                "must be between -120 and 0 dB",
            ));
        }
        if self.hop_size == 0 || self.hop_size > 1000 {
            return Err(AudioError::invalid(
                "hop_size",
                "must be between 1 and 1000 ms",
            ));
        }
        if self.min_interval < self.hop_size {
            return Err(AudioError::invalid(
                "min_interval",
                "must be at least hop_size",
            ));
        }
        if self.min_length < self.min_interval {
            return Err(AudioError::invalid(
                "min_length",
                "must be at least min_interval",
            ));
        }
        if self.max_sil_kept < self.hop_size {
            return Err(AudioError::invalid(
                "max_sil_kept",
                "must be at least hop_size",
            ));
        }
        if !(self.max > 0.0 && self.max <= 1.0) {
            return Err(AudioError::invalid("max", "must be in (0, 1]"));
        }
        if !(0.0..=1.0).contains(&self.alpha) {
            return Err(AudioError::invalid("alpha", "must be in [0, 1]"));
        }
        Ok(())
    }

    /// The slicer's values at one sample rate, computed as `Slicer.__init__` computes them.
    pub fn frames_at(&self, sample_rate: u32) -> Result<SlicerFrames> {
        self.validate()?;
        if sample_rate == 0 {
            return Err(AudioError::invalid("sample_rate", "must be > 0"));
        }
        let sr = f64::from(sample_rate);
        let min_interval_samples = sr * f64::from(self.min_interval) / 1000.0;
        let hop = python_round(sr * f64::from(self.hop_size) / 1000.0).max(1.0);
        let win = python_round(min_interval_samples).min(4.0 * hop);
        let to_frames = |ms: u32| python_round(sr * f64::from(ms) / 1000.0 / hop) as usize;
        Ok(SlicerFrames {
            threshold: 10f64.powf(f64::from(self.threshold) / 20.0),
            hop: hop as usize,
            win: (win as usize).max(1),
            min_length: to_frames(self.min_length),
            min_interval: python_round(min_interval_samples / hop) as usize,
            max_sil_kept: to_frames(self.max_sil_kept),
        })
    }
}

/// The slicer's parameters at one sample rate: lengths in RMS frames, hop and window in samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SlicerFrames {
    /// Linear RMS threshold, `10^(dB / 20)`.
    pub threshold: f64,
    /// Hop between RMS frames, in samples.
    pub hop: usize,
    /// RMS window, in samples: `min(min_interval in samples, 4 * hop)`.
    pub win: usize,
    /// Minimum clip length, in frames.
    pub min_length: usize,
    /// Minimum silence for a cut, in frames.
    pub min_interval: usize,
    /// Longest silence kept around a clip, in frames.
    pub max_sil_kept: usize,
}

/// Python 3's `round()`: to the nearest integer, halves to the even neighbour.
fn python_round(value: f64) -> f64 {
    let rounded = value.round();
    let is_half = (value - value.trunc()).abs() == 0.5;
    if is_half && rounded % 2.0 != 0.0 {
        rounded - value.signum()
    } else {
        rounded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_values_match_the_reference_at_32k_and_44k1() {
        let at_32k = SliceParams::default().frames_at(32_000).unwrap();
        assert_eq!((at_32k.hop, at_32k.win), (320, 1280));
        assert_eq!(
            (at_32k.min_length, at_32k.min_interval, at_32k.max_sil_kept),
            (400, 30, 50)
        );
        assert!((at_32k.threshold - 0.019_952_623_149_688_8).abs() < 1e-15);

        let at_44k1 = SliceParams::default().frames_at(44_100).unwrap();
        assert_eq!((at_44k1.hop, at_44k1.win), (441, 1764));
        assert_eq!((at_44k1.min_length, at_44k1.min_interval), (400, 30));
    }

    #[test]
    fn round_is_bankers_rounding_like_python() {
        assert_eq!(python_round(220.5), 220.0);
        assert_eq!(python_round(221.5), 222.0);
        assert_eq!(python_round(2.4), 2.0);
        assert_eq!(python_round(-0.5), -0.0);
    }

    #[test]
    fn validation_names_the_field() {
        let cases: [(SliceParams, &str); 6] = [
            (
                SliceParams {
                    hop_size: 0,
                    ..Default::default()
                },
                "hop_size",
            ),
            (
                SliceParams {
                    min_interval: 5,
                    ..Default::default()
                },
                "min_interval",
            ),
            (
                SliceParams {
                    min_length: 100,
                    ..Default::default()
                },
                "min_length",
            ),
            (
                SliceParams {
                    max_sil_kept: 1,
                    ..Default::default()
                },
                "max_sil_kept",
            ),
            (
                SliceParams {
                    max: 1.5,
                    ..Default::default()
                },
                "max",
            ),
            (
                SliceParams {
                    alpha: -0.1,
                    ..Default::default()
                },
                "alpha",
            ),
        ];
        for (params, field) in cases {
            match params.validate() {
                Err(AudioError::InvalidParams { field: got, .. }) => assert_eq!(got, field),
                other => panic!("expected invalid {field}, got {other:?}"),
            }
        }
        assert!(SliceParams::default().validate().is_ok());
    }
}
