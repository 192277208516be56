//! Slicing a 10-minute recording, end to end: decode, RMS, cut, normalise, write clips.
//!
//! The recording is made at run time from espeak-ng speech (looped to 10 minutes) with ffmpeg,
//! as a 32 kHz mono 16-bit WAV (the reference's own working format) and as a 44.1 kHz stereo WAV
//! (which adds downmixing and resampling). Real-time factor = 600 s / the time per iteration.
//! Peak memory is measured separately by `examples/slice_peak_memory.rs` (see BENCHMARKS.md).

use std::path::{Path, PathBuf};
use std::process::Command;

use criterion::{criterion_main, BatchSize, Criterion, Throughput};
use gsv_audio::{slice_recordings, SliceParams};

const SPEECH_TEXT: &str = "The quick brown fox jumps over the lazy dog near the river bank. \
Every morning she walks to the station and buys a newspaper. Recording your own voice takes \
patience, a quiet room and a good microphone. After the rain stopped, the children ran outside to \
play in the puddles. Please remember to save your work before closing the application. The museum \
opens at nine and closes late on Thursdays. He carefully folded the letter and placed it in the \
envelope. Training a voice model needs clean clips of a few seconds each.";

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .expect("espeak-ng and ffmpeg are needed");
    assert!(status.success(), "{program} {args:?} failed");
}

/// Makes (once) the 10-minute recordings under `dir`; returns (32 kHz mono, 44.1 kHz stereo).
fn recordings(dir: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    let speech = dir.join("speech.wav");
    let mono = dir.join("speech_10min_32k_mono.wav");
    let stereo = dir.join("speech_10min_44k1_stereo.wav");
    if mono.is_file() && stereo.is_file() {
        return (mono, stereo);
    }
    let text: String = std::iter::repeat_n(SPEECH_TEXT, 12)
        .collect::<Vec<_>>()
        .join("\n\n");
    let text_file = dir.join("speech.txt");
    std::fs::write(&text_file, text).unwrap();
    run(
        "espeak-ng",
        &[
            "-s",
            "150",
            "-w",
            speech.to_str().unwrap(),
            "-f",
            text_file.to_str().unwrap(),
        ],
    );
    for (path, rate, channels) in [(&mono, "32000", "1"), (&stereo, "44100", "2")] {
        let args = [
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-stream_loop",
            "2",
            "-i",
        ];
        let output = [
            "-t",
            "600",
            "-ar",
            rate,
            "-ac",
            channels,
            "-c:a",
            "pcm_s16le",
        ];
        let (input, target) = (speech.to_str().unwrap(), path.to_str().unwrap());
        run(
            "ffmpeg",
            &[&args[..], &[input], &output[..], &[target]].concat(),
        );
    }
    (mono, stereo)
}

fn slice_ten_minutes(c: &mut Criterion) {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/gsv-audio-bench");
    let (mono, stereo) = recordings(&data);
    let params = SliceParams::default();

    let mut group = c.benchmark_group("slice_10min");
    group.sample_size(10);
    group.throughput(Throughput::Elements(600));
    for (name, source) in [("wav_32k_mono", &mono), ("wav_44k1_stereo", &stereo)] {
        // A fresh output folder per iteration, removed outside the timing, so that the clips of
        // earlier iterations do not pile up as dirty pages and throttle the writes.
        group.bench_function(name, |b| {
            b.iter_batched(
                || tempfile::tempdir().unwrap(),
                |out| {
                    let sources = std::slice::from_ref(source);
                    let report =
                        slice_recordings(sources, out.path(), &params, &|| false, &|_| {}).unwrap();
                    assert!(report.clip_count > 50);
                    (out, report)
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Criterion's entry points; the macro generates a public function without documentation.
#[allow(missing_docs)]
mod entry {
    criterion::criterion_group!(benches, super::slice_ten_minutes);
}

criterion_main!(entry::benches);
