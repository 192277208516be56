//! Parity with the reference slicer: every case of `shared/golden/slicer` (see its README,
//! section 1). Boundaries and int16 samples must be exact; RMS curves within rtol 1e-5.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use gsv_audio::{
    decode_mono_to_vec, rms_curve, slice_frames, slice_recordings, SliceParams, SlicerFrames,
};
use serde_json::Value;
use sha2::{Digest, Sha256};

fn golden_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/golden/slicer");
    assert!(
        dir.join("slicer_cases.json").is_file(),
        "golden fixtures missing at {}",
        dir.display()
    );
    dir
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(golden_dir().join("slicer_cases.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"].as_array().unwrap().clone()
}

fn golden_rms() -> HashMap<String, Vec<f32>> {
    let bytes = std::fs::read(golden_dir().join("slicer_rms.safetensors")).unwrap();
    let tensors = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    tensors
        .tensors()
        .into_iter()
        .map(|(name, view)| {
            assert_eq!(view.dtype(), safetensors::Dtype::F32);
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes(b.try_into().unwrap()));
            (name, values.collect())
        })
        .collect()
}

fn stem(case: &Value) -> String {
    case["file"]
        .as_str()
        .unwrap()
        .trim_end_matches(".wav")
        .to_string()
}

/// The array the reference sliced in its `direct` run: int16 / 32768 as float32 (the stored
/// float32 samples for D), stereo averaged over channels as `waveform.mean(axis=0)` does.
fn direct_input(case: &Value) -> (Vec<f32>, u32) {
    let mut reader =
        hound::WavReader::open(golden_dir().join(case["file"].as_str().unwrap())).unwrap();
    let spec = reader.spec();
    let interleaved: Vec<f32> = match spec.sample_format {
        hound::SampleFormat::Float => reader.samples::<f32>().map(|s| s.unwrap()).collect(),
        hound::SampleFormat::Int => reader
            .samples::<i16>()
            .map(|s| f32::from(s.unwrap()) / 32768.0)
            .collect(),
    };
    let channels = usize::from(spec.channels);
    let mono = interleaved
        .chunks_exact(channels)
        .map(|frame| frame.iter().fold(0f32, |acc, &s| acc + s) / channels as f32)
        .collect();
    (mono, spec.sample_rate)
}

fn assert_close(ours: &[f32], reference: &[f32], rtol: f32, what: &str) {
    assert_eq!(ours.len(), reference.len(), "{what}: frame count");
    for (index, (&a, &b)) in ours.iter().zip(reference).enumerate() {
        assert!(
            (a - b).abs() <= rtol * b.abs() + 1e-9,
            "{what}: frame {index}: {a} vs {b}"
        );
    }
}

fn bounds(chunks: &[gsv_audio::ChunkBounds], num_samples: usize) -> Vec<(u64, u64, usize)> {
    chunks
        .iter()
        .map(|c| (c.start, c.end, c.sample_range(num_samples).len()))
        .collect()
}

fn expected_bounds(chunks: &Value) -> Vec<(u64, u64, usize)> {
    chunks
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let field = |name: &str| c[name].as_u64().unwrap();
            (field("start"), field("end"), field("len") as usize)
        })
        .collect()
}

fn frames_at(rate: u32) -> SlicerFrames {
    SliceParams::default().frames_at(rate).unwrap()
}

#[test]
fn derived_parameters_match_every_case() {
    for case in cases() {
        let derived = &case["direct"]["derived"];
        let frames = frames_at(case["sr"].as_u64().unwrap() as u32);
        assert_eq!(frames.hop as u64, derived["hop_size"].as_u64().unwrap());
        assert_eq!(frames.win as u64, derived["win_size"].as_u64().unwrap());
        assert_eq!(
            frames.min_length as u64,
            derived["min_length_frames"].as_u64().unwrap()
        );
        assert_eq!(
            frames.min_interval as u64,
            derived["min_interval_frames"].as_u64().unwrap()
        );
        assert_eq!(
            frames.max_sil_kept as u64,
            derived["max_sil_kept_frames"].as_u64().unwrap()
        );
        assert!((frames.threshold - derived["threshold_linear"].as_f64().unwrap()).abs() < 1e-15);
    }
}

#[test]
fn direct_rms_and_boundaries_match_every_case() {
    let rms = golden_rms();
    for case in cases() {
        let name = stem(&case);
        let (samples, rate) = direct_input(&case);
        let frames = frames_at(rate);
        let ours = rms_curve(&samples, frames.hop, frames.win);
        assert_close(&ours, &rms[&format!("rms.direct.{name}")], 1e-5, &name);
        assert_eq!(
            ours.len() as u64,
            case["direct"]["num_rms_frames"].as_u64().unwrap()
        );

        let chunks = slice_frames(&ours, samples.len(), &frames).unwrap();
        assert_eq!(
            bounds(&chunks, samples.len()),
            expected_bounds(&case["direct"]["chunks"]),
            "{name}"
        );
    }
}

#[test]
fn pipeline_boundaries_follow_from_the_reference_rms_for_every_case() {
    // Slicing the reference's own 32 kHz RMS curve isolates the cut decisions from decoding;
    // for C this is the only exact check possible (its decode went through ffmpeg's resampler).
    let rms = golden_rms();
    let frames = frames_at(32_000);
    for case in cases() {
        let name = stem(&case);
        let pipeline = &case["pipeline"];
        let decoded_len = pipeline["decoded_len"].as_u64().unwrap() as usize;
        let curve = &rms[&format!("rms.pipeline.{name}")];
        let chunks = slice_frames(curve, decoded_len, &frames).unwrap();
        assert_eq!(
            bounds(&chunks, decoded_len),
            expected_bounds(&pipeline["chunks"]),
            "{name}"
        );
    }
}

fn f32le_sha256(samples: &[f32]) -> String {
    let mut hasher = Sha256::new();
    for sample in samples {
        hasher.update(sample.to_le_bytes());
    }
    format!("{:x}", hasher.finalize())
}

fn int16_summary(path: &Path) -> (Vec<i16>, String, i64, i64) {
    let samples: Vec<i16> = hound::WavReader::open(path)
        .unwrap()
        .samples::<i16>()
        .map(|s| s.unwrap())
        .collect();
    let mut hasher = Sha256::new();
    for sample in &samples {
        hasher.update(sample.to_le_bytes());
    }
    let peak = samples
        .iter()
        .map(|&s| i64::from(s).abs())
        .max()
        .unwrap_or(0);
    let sum = samples.iter().map(|&s| i64::from(s)).sum();
    (samples, format!("{:x}", hasher.finalize()), peak, sum)
}

#[test]
fn decoding_is_bit_exact_where_the_reference_decode_was() {
    let rms = golden_rms();
    for case in cases() {
        let name = stem(&case);
        let pipeline = &case["pipeline"];
        let (decoded, rate) = decode_mono_to_vec(
            &golden_dir().join(case["file"].as_str().unwrap()),
            Some(32_000),
        )
        .unwrap();
        assert_eq!(rate, 32_000);
        assert_eq!(
            decoded.len() as u64,
            pipeline["decoded_len"].as_u64().unwrap(),
            "{name}"
        );
        if pipeline["decoded_equals_input_float_view"]
            .as_bool()
            .unwrap()
        {
            assert_eq!(
                f32le_sha256(&decoded),
                pipeline["decoded_sha256_f32le"].as_str().unwrap()
            );
            let frames = frames_at(32_000);
            let ours = rms_curve(&decoded, frames.hop, frames.win);
            assert_close(&ours, &rms[&format!("rms.pipeline.{name}")], 1e-5, &name);
        }
    }
}

#[test]
fn pipeline_clips_match_exactly_for_a_b_and_d() {
    let out = tempfile::tempdir().unwrap();
    let exact_cases: Vec<Value> = cases()
        .into_iter()
        .filter(|c| {
            c["pipeline"]["decoded_equals_input_float_view"]
                .as_bool()
                .unwrap()
        })
        .collect();
    let sources: Vec<PathBuf> = exact_cases
        .iter()
        .map(|c| golden_dir().join(c["file"].as_str().unwrap()))
        .collect();
    let report = slice_recordings(
        &sources,
        out.path(),
        &SliceParams::default(),
        &|| false,
        &|_| {},
    )
    .unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);

    for case in &exact_cases {
        for expected in case["pipeline"]["chunks"].as_array().unwrap() {
            let file = expected["file"].as_str().unwrap();
            let path = out.path().join(file);
            assert!(path.is_file(), "missing clip {file}");
            let (_, sha, peak, sum) = int16_summary(&path);
            assert_eq!(sha, expected["sha256_int16le"].as_str().unwrap(), "{file}");
            assert_eq!(peak, expected["peak"].as_i64().unwrap(), "{file}");
            assert_eq!(sum, expected["sum"].as_i64().unwrap(), "{file}");

            let clip = report.clips.iter().find(|c| c.path == path).unwrap();
            assert_eq!(clip.start, expected["start"].as_u64().unwrap());
            assert_eq!(clip.end, expected["end"].as_u64().unwrap());
            assert_eq!(clip.samples, expected["len"].as_u64().unwrap());
            assert_eq!((clip.peak * 32767.0).round() as i64, peak);
        }
    }
    let expected_count: usize = exact_cases
        .iter()
        .map(|c| c["pipeline"]["chunks"].as_array().unwrap().len())
        .sum();
    assert_eq!(report.clip_count, expected_count);
}

#[test]
fn written_clips_equal_the_reference_files_sample_for_sample() {
    let out = tempfile::tempdir().unwrap();
    for (input, folder) in [
        ("slicer_a_32k_mono.wav", "chunks_a"),
        ("slicer_d_32k_float_peak1p5.wav", "chunks_d"),
    ] {
        let source = golden_dir().join(input);
        slice_recordings(
            &[source],
            out.path(),
            &SliceParams::default(),
            &|| false,
            &|_| {},
        )
        .unwrap();
        let reference_files = std::fs::read_dir(golden_dir().join(folder)).unwrap();
        let mut compared = 0;
        for entry in reference_files {
            let reference = entry.unwrap().path();
            let ours = out.path().join(reference.file_name().unwrap());
            assert_eq!(
                int16_summary(&ours).0,
                int16_summary(&reference).0,
                "{}",
                ours.display()
            );
            let reader = hound::WavReader::open(&ours).unwrap();
            assert_eq!(
                (reader.spec().channels, reader.spec().sample_rate),
                (1, 32_000)
            );
            compared += 1;
        }
        assert!(compared > 0, "no reference clips in {folder}");
    }
}

#[test]
fn stereo_44k1_pipeline_cuts_where_the_reference_cuts() {
    // Case C: ffmpeg resampled with its own filter; rubato's sinc filter comes close (frame RMS
    // within 2.4e-4 of the reference's on this broadband signal) but not bit for bit, so the
    // RMS curve is compared with an absolute 1e-3. The cut points and clip names are exact.
    let case = cases().into_iter().find(|c| c["channels"] == 2).unwrap();
    let rms = golden_rms();
    let frames = frames_at(32_000);
    let (decoded, _) = decode_mono_to_vec(
        &golden_dir().join(case["file"].as_str().unwrap()),
        Some(32_000),
    )
    .unwrap();
    let ours = rms_curve(&decoded, frames.hop, frames.win);
    let reference = &rms["rms.pipeline.slicer_c_44k1_stereo"];
    assert_eq!(ours.len(), reference.len());
    let worst = ours
        .iter()
        .zip(reference)
        .map(|(a, b)| (a - b).abs())
        .fold(0f32, f32::max);
    assert!(worst < 1e-3, "RMS differs by {worst}");
    let silent_agree = ours
        .iter()
        .zip(reference)
        .all(|(&a, &b)| (a < frames.threshold as f32) == (b < frames.threshold as f32));
    assert!(
        silent_agree,
        "a frame is silent in one decode and not in the other"
    );

    let chunks = slice_frames(&ours, decoded.len(), &frames).unwrap();
    assert_eq!(
        bounds(&chunks, decoded.len()),
        expected_bounds(&case["pipeline"]["chunks"])
    );

    let out = tempfile::tempdir().unwrap();
    let source = golden_dir().join(case["file"].as_str().unwrap());
    let report = slice_recordings(
        &[source],
        out.path(),
        &SliceParams::default(),
        &|| false,
        &|_| {},
    )
    .unwrap();
    for expected in case["pipeline"]["chunks"].as_array().unwrap() {
        let path = out.path().join(expected["file"].as_str().unwrap());
        let (samples, _, peak, _) = int16_summary(&path);
        assert_eq!(samples.len() as u64, expected["len"].as_u64().unwrap());
        assert!(
            peak.abs_diff(expected["peak"].as_i64().unwrap()) <= 200,
            "peak {peak}"
        );
    }
    assert_eq!(report.clip_count, 2);
}
