//! Cheap looks at audio files: what an import would bring, and a waveform to draw.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::decode::{decode_mono, open_audio, open_container, source_info};
use crate::error::{AudioError, Result};
use crate::files::collect_audio_files;
use crate::stage::SkippedFile;

/// One file an import would use.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbedFile {
    /// The file.
    pub path: PathBuf,
    /// Codec short name (`pcm_s16le`, `flac`, `mp3`, `vorbis`, `aac`, ...).
    pub codec: String,
    /// Sample rate in Hz.
    pub sample_rate: u32,
    /// Number of channels.
    pub channels: usize,
    /// Duration in seconds.
    pub duration_s: f64,
}

/// What importing a set of files and folders would bring, for the "New experiment" screen.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportSummary {
    /// Usable files, in import order.
    pub files: Vec<ProbedFile>,
    /// Number of usable files.
    pub count: usize,
    /// Their total duration in seconds.
    pub total_duration_s: f64,
    /// Number of usable files per codec.
    pub formats: BTreeMap<String, usize>,
    /// Files that the slicing stage would skip, with the reason.
    pub skipped: Vec<SkippedFile>,
}

/// Looks at every audio file under `paths` without decoding it whole: reads the container,
/// makes the decoder, decodes the first packet, and takes the duration from the container
/// (or from the packet durations when the container does not state it).
pub fn probe(paths: &[PathBuf]) -> Result<ImportSummary> {
    let files = collect_audio_files(paths)?;
    let results: Vec<Result<ProbedFile>> = files.par_iter().map(|path| probe_file(path)).collect();

    let mut usable = Vec::new();
    let mut skipped = Vec::new();
    for (path, result) in files.into_iter().zip(results) {
        match result {
            Ok(file) => usable.push(file),
            Err(err) => skipped.push(SkippedFile {
                path,
                code: err.code().to_string(),
                reason: err.to_string(),
            }),
        }
    }

    let mut formats = BTreeMap::new();
    for file in &usable {
        *formats.entry(file.codec.clone()).or_insert(0) += 1;
    }
    Ok(ImportSummary {
        count: usable.len(),
        total_duration_s: usable.iter().map(|f| f.duration_s).sum(),
        files: usable,
        formats,
        skipped,
    })
}

fn probe_file(path: &Path) -> Result<ProbedFile> {
    let mut audio = open_audio(path)?;
    let info = audio.info.clone();
    let mut first_block = Vec::new();
    while first_block.is_empty() {
        if !audio.next_mono_block(path, &mut first_block)? {
            return Err(AudioError::decode(
                path,
                "no audio samples could be decoded",
            ));
        }
    }

    let duration_s = match info.frames {
        Some(frames) => frames as f64 / f64::from(info.sample_rate),
        None => duration_from_packets(path)?,
    };
    Ok(ProbedFile {
        path: path.to_path_buf(),
        codec: info.codec,
        sample_rate: info.sample_rate,
        channels: info.channels,
        duration_s,
    })
}

/// Sums the durations of the audio track's packets, reading the container only.
fn duration_from_packets(path: &Path) -> Result<f64> {
    let (mut format, track) = open_container(path)?;
    let info = source_info(path, &track)?;
    let mut units = 0u64;
    loop {
        match format.next_packet() {
            Ok(packet) if packet.track_id() == track.id => units += packet.dur,
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let seconds = match track.codec_params.time_base {
        Some(base) => {
            let time = base.calc_time(units);
            time.seconds as f64 + time.frac
        }
        None => units as f64 / f64::from(info.sample_rate),
    };
    Ok(seconds)
}

/// Smallest and largest sample of one stretch of a waveform.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PeakBucket {
    /// Smallest sample.
    pub min: f32,
    /// Largest sample.
    pub max: f32,
}

/// A waveform reduced for drawing.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaveformPeaks {
    /// Duration of the file in seconds.
    pub duration_s: f64,
    /// One bucket per equal stretch of the file (fewer when the file has fewer samples).
    pub buckets: Vec<PeakBucket>,
}

/// Samples summarised per block while decoding, so memory stays small for long files.
const PEAK_BLOCK: usize = 64;

/// The min/max outline of a file's mono downmix in `buckets` equal stretches.
pub fn waveform_peaks(path: &Path, buckets: usize) -> Result<WaveformPeaks> {
    if buckets == 0 {
        return Err(AudioError::invalid("buckets", "must be at least 1"));
    }
    let mut blocks: Vec<PeakBucket> = Vec::new();
    let mut filled = 0usize;
    let summary = decode_mono(path, None, &|| false, &mut |samples| {
        for &sample in samples {
            if filled == 0 {
                blocks.push(PeakBucket {
                    min: sample,
                    max: sample,
                });
            }
            let block = blocks.last_mut().expect("a block was pushed");
            block.min = block.min.min(sample);
            block.max = block.max.max(sample);
            filled = (filled + 1) % PEAK_BLOCK;
        }
        Ok(())
    })?;

    let duration_s = summary.output_samples as f64 / f64::from(summary.output_rate);
    Ok(WaveformPeaks {
        duration_s,
        buckets: merge_blocks(&blocks, buckets),
    })
}

fn merge_blocks(blocks: &[PeakBucket], buckets: usize) -> Vec<PeakBucket> {
    let count = buckets.min(blocks.len());
    (0..count)
        .map(|bucket| {
            let from = bucket * blocks.len() / count;
            let to = ((bucket + 1) * blocks.len() / count).max(from + 1);
            blocks[from..to]
                .iter()
                .fold(blocks[from], |acc, b| PeakBucket {
                    min: acc.min.min(b.min),
                    max: acc.max.max(b.max),
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_merge_into_equal_buckets() {
        let blocks: Vec<PeakBucket> = (0..10)
            .map(|i| PeakBucket {
                min: -(i as f32),
                max: i as f32,
            })
            .collect();
        let merged = merge_blocks(&blocks, 3);
        assert_eq!(merged.len(), 3);
        assert_eq!(
            merged[0],
            PeakBucket {
                min: -2.0,
                max: 2.0
            }
        );
        assert_eq!(
            merged[2],
            PeakBucket {
                min: -9.0,
                max: 9.0
            }
        );
        assert_eq!(merge_blocks(&blocks[..2], 5).len(), 2);
    }
}
