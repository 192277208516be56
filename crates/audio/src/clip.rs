//! The post-processing of `tools/slice_audio.py` and the writing of one clip.
//!
//! The reference does every step in float32 and converts with `astype(int16)`, which truncates
//! toward zero; computing in float64 or rounding would change some samples.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{AudioError, Result};

/// Sample rate of every clip, as `slice_audio.py` writes them.
pub const CLIP_SAMPLE_RATE: u32 = 32_000;

/// Maps the samples of one clip to the int16 values the reference writes.
#[derive(Debug, Clone, Copy)]
pub struct ClipNormalizer {
    peak: f32,
    normalized_gain: f32,
    original_gain: f32,
}

impl ClipNormalizer {
    /// `peak` is the clip's largest absolute sample; `max` and `alpha` as in
    /// [`crate::SliceParams`].
    pub fn new(peak: f32, max: f64, alpha: f64) -> Self {
        // numpy multiplies the float32 array by the Python floats `_max * alpha` and
        // `1 - alpha`, which it first rounds to float32.
        ClipNormalizer {
            peak,
            normalized_gain: (max * alpha) as f32,
            original_gain: (1.0 - alpha) as f32,
        }
    }

    /// The int16 values written for `samples`, appended to `output`. Same values as
    /// [`ClipNormalizer::apply`], with the branches taken once per block so the loop vectorises.
    pub fn apply_block(&self, samples: &[f32], output: &mut Vec<i16>) {
        if self.peak == 0.0 {
            output.resize(output.len() + samples.len(), 0);
        } else if self.peak > 1.0 {
            let peak = self.peak;
            output.extend(samples.iter().map(|&s| self.mix(s / peak)));
        } else {
            output.extend(samples.iter().map(|&s| self.mix(s)));
        }
    }

    fn mix(&self, value: f32) -> i16 {
        let mixed = value / self.peak * self.normalized_gain + self.original_gain * value;
        (mixed * 32767.0) as i16
    }

    /// The int16 value written for the sample `sample`.
    pub fn apply(&self, sample: f32) -> i16 {
        if self.peak == 0.0 {
            // The reference would divide zero by zero here; an all-zero clip stays zero.
            return 0;
        }
        let mut value = sample;
        if self.peak > 1.0 {
            value /= self.peak;
        }
        // When the peak is above 1 the reference divides by the old peak a second time, so
        // such a clip peaks at `max * alpha + (1 - alpha) / peak`: kept as the reference does.
        let mixed = value / self.peak * self.normalized_gain + self.original_gain * value;
        (mixed * 32767.0) as i16
    }
}

/// Writes a 16-bit mono 32 kHz WAV under a temporary name and renames it into place once it
/// is complete, so a crash never leaves a truncated clip under its final name.
pub(crate) struct AtomicClipWriter {
    final_path: PathBuf,
    temp_path: PathBuf,
    writer: Option<hound::WavWriter<BufWriter<File>>>,
    peak: i32,
    converted: Vec<i16>,
}

impl AtomicClipWriter {
    pub(crate) fn create(final_path: PathBuf) -> Result<Self> {
        let temp_path = temp_path_for(&final_path);
        let file = File::create(&temp_path).map_err(|e| AudioError::io(&temp_path, e))?;
        let spec = hound::WavSpec {
            channels: 1,
            sample_rate: CLIP_SAMPLE_RATE,
            bits_per_sample: 16,
            sample_format: hound::SampleFormat::Int,
        };
        let writer = hound::WavWriter::new(BufWriter::with_capacity(1 << 16, file), spec)
            .map_err(|e| hound_error(&temp_path, e))?;
        Ok(AtomicClipWriter {
            final_path,
            temp_path,
            writer: Some(writer),
            peak: 0,
            converted: Vec::new(),
        })
    }

    /// Normalises a block of samples and appends it.
    pub(crate) fn write_block(&mut self, block: &[f32], normalizer: &ClipNormalizer) -> Result<()> {
        let mut converted = std::mem::take(&mut self.converted);
        converted.clear();
        normalizer.apply_block(block, &mut converted);
        let written = self.write(&converted);
        self.converted = converted;
        written
    }

    /// Appends int16 samples.
    pub(crate) fn write(&mut self, samples: &[i16]) -> Result<()> {
        let writer = self.writer.as_mut().expect("writer is open until finish");
        let block_peak = samples
            .iter()
            .map(|&s| i32::from(s).abs())
            .max()
            .unwrap_or(0);
        self.peak = self.peak.max(block_peak);
        // hound's 16-bit block writer fills a reused buffer and writes it in one call.
        let mut block_writer = writer.get_i16_writer(samples.len() as u32);
        for &sample in samples {
            block_writer.write_sample(sample);
        }
        block_writer
            .flush()
            .map_err(|e| hound_error(&self.temp_path, e))
    }

    /// Completes the file and moves it to its final name; returns the largest absolute sample.
    pub(crate) fn finish(mut self) -> Result<i32> {
        let writer = self.writer.take().expect("writer is open until finish");
        writer
            .finalize()
            .map_err(|e| hound_error(&self.temp_path, e))?;
        std::fs::rename(&self.temp_path, &self.final_path)
            .map_err(|e| AudioError::io(&self.final_path, e))?;
        Ok(self.peak)
    }
}

impl Drop for AtomicClipWriter {
    fn drop(&mut self) {
        if self.writer.take().is_some() {
            // Unfinished (error or cancel): the partial file is of no use.
            let _ = std::fs::remove_file(&self.temp_path);
        }
    }
}

fn temp_path_for(final_path: &Path) -> PathBuf {
    let name = final_path
        .file_name()
        .map(|n| n.to_string_lossy())
        .unwrap_or_default();
    final_path.with_file_name(format!(".{name}.partial"))
}

fn hound_error(path: &Path, err: hound::Error) -> AudioError {
    match err {
        hound::Error::IoError(io) => AudioError::io(path, io),
        other => AudioError::io(path, std::io::Error::other(other.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation_truncates_and_reuses_the_old_peak() {
        let normal = ClipNormalizer::new(0.5, 0.9, 0.25);
        // 0.5 / 0.5 * 0.225 + 0.75 * 0.5 = 0.6 -> 0.6 * 32767 = 19660.2 -> 19660.
        assert_eq!(normal.apply(0.5), 19660);
        assert_eq!(normal.apply(-0.5), -19660);

        let loud = ClipNormalizer::new(1.5, 0.9, 0.25);
        // 1.5 / 1.5 = 1; 1 / 1.5 * 0.225 + 0.75 = 0.9 -> 29490.3 -> 29490.
        assert_eq!(loud.apply(1.5), 29490);
        assert_eq!(ClipNormalizer::new(0.0, 0.9, 0.25).apply(0.0), 0);
    }

    #[test]
    fn clip_appears_only_when_finished() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.wav");
        let mut writer = AtomicClipWriter::create(path.clone()).unwrap();
        writer.write(&[1i16, -300, 2]).unwrap();
        assert!(!path.exists());
        assert_eq!(writer.finish().unwrap(), 300);
        let read: Vec<i16> = hound::WavReader::open(&path)
            .unwrap()
            .samples()
            .map(|s| s.unwrap())
            .collect();
        assert_eq!(read, vec![1, -300, 2]);

        let unfinished = AtomicClipWriter::create(dir.path().join("b.wav")).unwrap();
        drop(unfinished);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
