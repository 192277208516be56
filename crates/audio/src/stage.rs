//! The `audio_slice` stage: every recording in, 32 kHz mono clips cut at silences out.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

use rayon::prelude::*;
use serde::Serialize;

use crate::clip::{AtomicClipWriter, ClipNormalizer, CLIP_SAMPLE_RATE};
use crate::decode::decode_mono;
use crate::error::{AudioError, Result};
use crate::files::collect_audio_files;
use crate::params::{SliceParams, SlicerFrames};
use crate::rms::FrameStream;
use crate::slicer::{ChunkBounds, SliceRefusal, StreamingSlicer};
use crate::spool::{SampleSpool, DEFAULT_MEMORY_LIMIT};

/// One written clip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClipInfo {
    /// Where the clip was written.
    pub path: PathBuf,
    /// The recording it was cut from.
    pub source: PathBuf,
    /// Start sample in the 32 kHz signal, as in the clip's name.
    pub start: u64,
    /// End sample as the reference reports it (the last clip's can lie past the signal's end).
    pub end: u64,
    /// Number of samples in the clip.
    pub samples: u64,
    /// Duration in seconds.
    pub duration_s: f64,
    /// Largest absolute int16 sample of the written clip divided by 32767.
    pub peak: f64,
    /// The same peak in dBFS.
    pub peak_dbfs: f64,
}

/// A file that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedFile {
    /// The file.
    pub path: PathBuf,
    /// The error code ([`AudioError::code`]).
    pub code: String,
    /// The full message.
    pub reason: String,
}

/// What the stage produced.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SliceReport {
    /// Every clip, ordered by source (in input order) and start.
    pub clips: Vec<ClipInfo>,
    /// Number of clips.
    pub clip_count: usize,
    /// Sum of the clips' durations in seconds.
    pub total_duration_s: f64,
    /// Number of files that were decoded and sliced (silent ones included).
    pub files_sliced: usize,
    /// Files that decoded but gave no clip because nothing in them rose above the threshold.
    pub silent_files: Vec<PathBuf>,
    /// Files that were skipped, with the reason.
    pub skipped: Vec<SkippedFile>,
    /// A sentence for the user when the result needs one (no clips at all, files skipped).
    pub message: Option<String>,
}

/// Progress of [`slice_recordings`], sent from the worker threads as it happens.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SliceEvent {
    /// The inputs were collected.
    Started {
        /// Number of audio files found.
        files_total: usize,
    },
    /// A worker began a file.
    FileStarted {
        /// The file.
        source: PathBuf,
    },
    /// A clip was written.
    ClipWritten {
        /// The clip.
        clip: ClipInfo,
        /// Clips written so far, over all files.
        clips_total: usize,
    },
    /// A file is done.
    FileFinished {
        /// The file.
        source: PathBuf,
        /// Clips cut from it.
        clips: usize,
        /// Files done so far (sliced or skipped).
        files_done: usize,
        /// Number of files.
        files_total: usize,
    },
    /// A file was skipped; the stage goes on with the others.
    FileSkipped {
        /// The skipped file and the reason.
        skipped: SkippedFile,
        /// Files done so far (sliced or skipped).
        files_done: usize,
        /// Number of files.
        files_total: usize,
    },
}

/// Slices every audio file under `sources` (files, or folders searched recursively) into
/// `out_dir`, in parallel over the files.
///
/// A file that cannot be used is skipped and reported; the call fails only when no file could
/// be used, when `params` are invalid, when `out_dir` cannot be written, or when
/// `is_cancelled` returns true (checked at least after every decoded packet and written block).
pub fn slice_recordings(
    sources: &[PathBuf],
    out_dir: &Path,
    params: &SliceParams,
    is_cancelled: &(dyn Fn() -> bool + Sync),
    on_event: &(dyn Fn(SliceEvent) + Sync),
) -> Result<SliceReport> {
    let frames = params.frames_at(CLIP_SAMPLE_RATE)?;
    let files = without_outputs(collect_audio_files(sources)?, out_dir);
    if files.is_empty() {
        return Err(AudioError::NoUsableAudio {
            reason: "no audio files were found".into(),
        });
    }
    std::fs::create_dir_all(out_dir).map_err(|e| AudioError::io(out_dir, e))?;
    on_event(SliceEvent::Started {
        files_total: files.len(),
    });

    let names = clip_name_prefixes(&files);
    let progress = Progress {
        files_total: files.len(),
        ..Default::default()
    };
    let job = SliceJob {
        out_dir,
        params,
        frames,
        memory_limit: DEFAULT_MEMORY_LIMIT,
        is_cancelled,
        on_event,
        progress: &progress,
    };
    let outcomes: Vec<FileOutcome> = files
        .par_iter()
        .zip(names.par_iter())
        .enumerate()
        .map(|(index, (source, name))| job.run_file(index, source, name))
        .collect();

    if is_cancelled() || outcomes.iter().any(|o| matches!(o, FileOutcome::Cancelled)) {
        return Err(AudioError::Cancelled);
    }
    build_report(outcomes)
}

#[derive(Default)]
struct Progress {
    files_total: usize,
    files_done: AtomicUsize,
    clips_total: AtomicUsize,
}

enum FileOutcome {
    Sliced {
        source: PathBuf,
        clips: Vec<ClipInfo>,
    },
    Skipped(SkippedFile),
    Cancelled,
    /// Writing the output failed (disk full, no permission): no other file can do better.
    OutputFailed(AudioError),
}

struct SliceJob<'a> {
    out_dir: &'a Path,
    params: &'a SliceParams,
    frames: SlicerFrames,
    /// Samples of one file kept in memory before the rest goes to a spill file.
    memory_limit: usize,
    is_cancelled: &'a (dyn Fn() -> bool + Sync),
    on_event: &'a (dyn Fn(SliceEvent) + Sync),
    progress: &'a Progress,
}

impl SliceJob<'_> {
    fn run_file(&self, index: usize, source: &Path, name: &str) -> FileOutcome {
        if (self.is_cancelled)() {
            return FileOutcome::Cancelled;
        }
        (self.on_event)(SliceEvent::FileStarted {
            source: source.to_path_buf(),
        });

        let result = self.slice_file(index, source, name);
        let files_done = self.progress.files_done.fetch_add(1, Ordering::SeqCst) + 1;
        let files_total = self.progress.files_total;
        match result {
            Ok(clips) => {
                let event = SliceEvent::FileFinished {
                    source: source.to_path_buf(),
                    clips: clips.len(),
                    files_done,
                    files_total,
                };
                (self.on_event)(event);
                FileOutcome::Sliced {
                    source: source.to_path_buf(),
                    clips,
                }
            }
            Err(AudioError::Cancelled) => FileOutcome::Cancelled,
            Err(AudioError::Io { path, source }) if path.starts_with(self.out_dir) => {
                FileOutcome::OutputFailed(AudioError::Io { path, source })
            }
            Err(err) => {
                log::warn!("audio_slice: skipping {}: {err}", source.display());
                let skipped = SkippedFile {
                    path: source.to_path_buf(),
                    code: err.code().to_string(),
                    reason: err.to_string(),
                };
                let event = SliceEvent::FileSkipped {
                    skipped: skipped.clone(),
                    files_done,
                    files_total,
                };
                (self.on_event)(event);
                FileOutcome::Skipped(skipped)
            }
        }
    }

    /// Decodes, slices and writes one file in a single pass: each clip is written as soon as
    /// the slicer has decided where it ends, and its samples are then dropped. Decoding and
    /// writing run on two threads, so a single long file uses two cores.
    fn slice_file(&self, index: usize, source: &Path, name: &str) -> Result<Vec<ClipInfo>> {
        std::thread::scope(|scope| {
            let (sender, receiver) = sync_channel(CLIP_QUEUE_BLOCKS);
            let writer = scope.spawn(move || self.write_clips(source, name, receiver));
            let decoded = self.decode_and_cut(index, source, sender);
            let written = writer.join().unwrap_or_else(|_| {
                Err(AudioError::io(
                    source,
                    std::io::Error::other("the clip writer panicked"),
                ))
            });
            match (decoded, written) {
                (_, Err(err)) => Err(err),
                (Err(err), Ok(_)) => Err(err),
                (Ok(()), Ok(clips)) => Ok(clips),
            }
        })
    }

    fn decode_and_cut(
        &self,
        index: usize,
        source: &Path,
        sender: SyncSender<ClipMessage>,
    ) -> Result<()> {
        let spill_path = self
            .out_dir
            .join(format!(".spool-{index}-{}.f32", std::process::id()));
        let mut file = FileSlicing {
            job: self,
            source,
            spool: SampleSpool::new(self.memory_limit, spill_path),
            frames: FrameStream::new(self.frames.hop, self.frames.win),
            slicer: StreamingSlicer::new(self.frames),
            new_frames: Vec::new(),
            sender,
        };
        decode_mono(
            source,
            Some(CLIP_SAMPLE_RATE),
            self.is_cancelled,
            &mut |block| file.push(block),
        )?;
        file.finish()
    }

    /// The writing thread: normalises and writes the clips it is sent, in order.
    fn write_clips(
        &self,
        source: &Path,
        name: &str,
        messages: Receiver<ClipMessage>,
    ) -> Result<Vec<ClipInfo>> {
        let mut clips = Vec::new();
        let mut current = None;
        for message in messages {
            match message {
                ClipMessage::Start { chunk, len, peak } => {
                    let normalizer = ClipNormalizer::new(peak, self.params.max, self.params.alpha);
                    let path = self
                        .out_dir
                        .join(format!("{name}_{:010}_{:010}.wav", chunk.start, chunk.end));
                    let writer = AtomicClipWriter::create(path.clone())?;
                    current = Some((writer, normalizer, chunk, len, path));
                }
                ClipMessage::Samples(block) => {
                    if (self.is_cancelled)() {
                        return Err(AudioError::Cancelled);
                    }
                    let (writer, normalizer, ..) = current.as_mut().expect("a clip was started");
                    writer.write_block(&block, normalizer)?;
                }
                ClipMessage::End => {
                    let (writer, _, chunk, len, path) = current.take().expect("a clip was started");
                    let written_peak = writer.finish()?;
                    clips.push(self.announce(clip_info(path, source, &chunk, len, written_peak)));
                }
            }
        }
        Ok(clips)
    }

    fn announce(&self, clip: ClipInfo) -> ClipInfo {
        let clips_total = self.progress.clips_total.fetch_add(1, Ordering::SeqCst) + 1;
        (self.on_event)(SliceEvent::ClipWritten {
            clip: clip.clone(),
            clips_total,
        });
        clip
    }
}

/// Blocks (of up to 64 Ki samples) queued between the decoding and the writing thread.
const CLIP_QUEUE_BLOCKS: usize = 8;

/// What the decoding thread sends to the writing thread for each clip: `Start`, the samples in
/// order, `End`.
enum ClipMessage {
    Start {
        chunk: ChunkBounds,
        len: usize,
        peak: f32,
    },
    Samples(Vec<f32>),
    End,
}

/// The state of one file while it is decoded: samples a clip may still need, RMS frames and
/// the slicer.
struct FileSlicing<'a> {
    job: &'a SliceJob<'a>,
    source: &'a Path,
    spool: SampleSpool,
    frames: FrameStream,
    slicer: StreamingSlicer,
    new_frames: Vec<f32>,
    sender: SyncSender<ClipMessage>,
}

impl FileSlicing<'_> {
    fn push(&mut self, block: &[f32]) -> Result<()> {
        self.spool.push(block)?;
        self.frames.push(block, &mut self.new_frames);
        self.cut_new_frames(self.spool.len())?;
        let hop = self.job.frames.hop;
        self.spool
            .release_before(self.slicer.first_needed_frame() * hop);
        Ok(())
    }

    fn cut_new_frames(&mut self, num_samples: usize) -> Result<()> {
        for index in 0..self.new_frames.len() {
            if let Some(chunk) = self.slicer.push(self.new_frames[index]) {
                self.send(&chunk, num_samples)?;
            }
        }
        self.new_frames.clear();
        Ok(())
    }

    fn finish(mut self) -> Result<()> {
        self.frames.finish(&mut self.new_frames);
        self.cut_new_frames(self.spool.len())?;

        let num_samples = self.spool.len();
        let min_length = self.job.frames.min_length;
        let source = self.source;
        let last_chunks =
            self.slicer
                .clone()
                .finish(num_samples)
                .map_err(|SliceRefusal::TooShort| AudioError::TooShort {
                    path: source.to_path_buf(),
                    reason: format!(
                        "{num_samples} samples at 32 kHz; the slicer needs more than {min_length}"
                    ),
                })?;
        for chunk in last_chunks {
            self.send(&chunk, num_samples)?;
        }
        Ok(())
    }

    /// Sends one clip to the writer; `num_samples` is the length of the signal so far (its
    /// full length for the last clips).
    fn send(&mut self, chunk: &ChunkBounds, num_samples: usize) -> Result<()> {
        let range = chunk.sample_range(num_samples);
        if range.is_empty() {
            // The reference fails on the whole file here (max of an empty array); an empty clip
            // is simply not written.
            return Ok(());
        }
        let peak = self
            .frames
            .peak_of_blocks(chunk.begin_frame..chunk.end_frame);
        let sender = &self.sender;
        // A closed channel means the writer stopped with an error, which `slice_file` reports.
        let writer_gone = |_| AudioError::Cancelled;
        sender
            .send(ClipMessage::Start {
                chunk: *chunk,
                len: range.len(),
                peak,
            })
            .map_err(writer_gone)?;
        self.spool.read_range(range, &mut |block| {
            sender
                .send(ClipMessage::Samples(block.to_vec()))
                .map_err(writer_gone)
        })?;
        sender.send(ClipMessage::End).map_err(writer_gone)
    }
}

fn clip_info(path: PathBuf, source: &Path, chunk: &ChunkBounds, len: usize, peak: i32) -> ClipInfo {
    let peak = f64::from(peak) / 32767.0;
    ClipInfo {
        path,
        source: source.to_path_buf(),
        start: chunk.start,
        end: chunk.end,
        samples: len as u64,
        duration_s: len as f64 / f64::from(CLIP_SAMPLE_RATE),
        peak,
        peak_dbfs: 20.0 * peak.max(1e-10).log10(),
    }
}

/// Leaves out files inside `out_dir`, so slicing a folder that holds the output folder again
/// does not slice earlier clips.
fn without_outputs(files: Vec<PathBuf>, out_dir: &Path) -> Vec<PathBuf> {
    let Ok(out_dir) = out_dir.canonicalize() else {
        return files;
    };
    files
        .into_iter()
        .filter(|file| {
            !file
                .canonicalize()
                .is_ok_and(|path| path.starts_with(&out_dir))
        })
        .collect()
}

/// The name each source's clips start with: its file name, as in the reference. When two
/// sources share a file name (from different folders), the later ones get `~2`, `~3`, ... so
/// their clips do not overwrite each other.
fn clip_name_prefixes(files: &[PathBuf]) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    files
        .iter()
        .map(|path| {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let count = seen.entry(name.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                name
            } else {
                format!("{name}~{count}")
            }
        })
        .collect()
}

fn build_report(outcomes: Vec<FileOutcome>) -> Result<SliceReport> {
    let mut clips = Vec::new();
    let mut silent_files = Vec::new();
    let mut skipped = Vec::new();
    let mut files_sliced = 0;
    for outcome in outcomes {
        match outcome {
            FileOutcome::Sliced {
                source,
                clips: file_clips,
            } => {
                files_sliced += 1;
                if file_clips.is_empty() {
                    silent_files.push(source);
                }
                clips.extend(file_clips);
            }
            FileOutcome::Skipped(file) => skipped.push(file),
            FileOutcome::Cancelled => return Err(AudioError::Cancelled),
            FileOutcome::OutputFailed(err) => return Err(err),
        }
    }

    if files_sliced == 0 {
        let reasons: Vec<String> = skipped.iter().map(|s| s.reason.clone()).collect();
        let reason = format!("every file was skipped: {}", reasons.join("; "));
        return Err(AudioError::NoUsableAudio { reason });
    }
    let message = report_message(clips.len(), &silent_files, &skipped);
    let total_duration_s = clips.iter().map(|c| c.duration_s).sum();
    Ok(SliceReport {
        clip_count: clips.len(),
        clips,
        total_duration_s,
        files_sliced,
        silent_files,
        skipped,
        message,
    })
}

fn report_message(clips: usize, silent: &[PathBuf], skipped: &[SkippedFile]) -> Option<String> {
    let mut parts = Vec::new();
    if clips == 0 {
        parts.push("no clips: nothing in the audio rose above the silence threshold".to_string());
    } else if !silent.is_empty() {
        parts.push(format!(
            "{} file(s) were silent and gave no clips",
            silent.len()
        ));
    }
    if !skipped.is_empty() {
        parts.push(format!("{} file(s) were skipped", skipped.len()));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spilling_to_disk_writes_the_same_clips() {
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../../shared/golden/slicer/slicer_a_32k_mono.wav");
        assert!(
            source.is_file(),
            "golden fixture missing: {}",
            source.display()
        );
        let params = SliceParams::default();
        let run = |memory_limit: usize| {
            let out = tempfile::tempdir().unwrap();
            let progress = Progress {
                files_total: 1,
                ..Default::default()
            };
            let job = SliceJob {
                out_dir: out.path(),
                params: &params,
                frames: params.frames_at(CLIP_SAMPLE_RATE).unwrap(),
                memory_limit,
                is_cancelled: &|| false,
                on_event: &|_| {},
                progress: &progress,
            };
            let clips = job.slice_file(0, &source, "a.wav").unwrap();
            let files: Vec<Vec<u8>> = clips
                .iter()
                .map(|c| std::fs::read(&c.path).unwrap())
                .collect();
            let names: Vec<_> = std::fs::read_dir(out.path())
                .unwrap()
                .map(|e| e.unwrap().file_name())
                .collect();
            (files, names.len())
        };
        let (in_memory, _) = run(DEFAULT_MEMORY_LIMIT);
        let (spilled, files_left) = run(10_000);
        assert_eq!(in_memory.len(), 3);
        assert_eq!(spilled, in_memory);
        assert_eq!(files_left, 3, "the spill file must be removed");
    }

    #[test]
    fn duplicate_file_names_get_a_suffix() {
        let files = vec![
            PathBuf::from("/a/take.wav"),
            PathBuf::from("/b/take.wav"),
            PathBuf::from("/b/other.wav"),
            PathBuf::from("/c/take.wav"),
        ];
        assert_eq!(
            clip_name_prefixes(&files),
            vec!["take.wav", "take.wav~2", "other.wav", "take.wav~3"]
        );
    }
}
