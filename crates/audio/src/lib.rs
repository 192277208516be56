//! Audio for GSV Studio: decoding, GPT-SoVITS's slicer, clip writing, probing and playback.
//!
//! The `audio_slice` stage is [`slice_recordings`]: it decodes each recording to 32 kHz mono
//! (symphonia and rubato), cuts it at silences exactly as `tools/slicer2.py` does, applies the
//! normalisation of `tools/slice_audio.py`, and writes 16-bit clips named as GPT-SoVITS names
//! them. [`probe`] and [`waveform_peaks`] serve the import screen and the clip table, and
//! [`Player`] plays a clip or any generated audio.

mod clip;
mod decode;
mod error;
mod files;
mod params;
mod player;
mod probe;
mod rms;
mod slicer;
mod spool;
mod stage;

pub use clip::{ClipNormalizer, CLIP_SAMPLE_RATE};
pub use decode::{decode_mono, decode_mono_to_vec, DecodeSummary, SourceInfo};
pub use error::{AudioError, Result};
pub use files::{collect_audio_files, AUDIO_EXTENSIONS};
pub use params::{SliceParams, SlicerFrames};
pub use player::{PlaybackEvent, Player};
pub use probe::{probe, waveform_peaks, ImportSummary, PeakBucket, ProbedFile, WaveformPeaks};
pub use rms::{rms_curve, FrameStream, RmsFrames};
pub use slicer::{slice_frames, ChunkBounds, SliceRefusal, StreamingSlicer};
pub use stage::{slice_recordings, ClipInfo, SkippedFile, SliceEvent, SliceReport};
