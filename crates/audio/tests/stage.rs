//! The `audio_slice` stage on files and folders: bad files among good ones, silence, names in
//! any script, progress events and cancellation.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use common::{ffmpeg, make_bursts};
use gsv_audio::{probe, slice_recordings, waveform_peaks, SliceEvent, SliceParams, SliceReport};

fn slice(sources: &[PathBuf], out: &Path) -> (gsv_audio::Result<SliceReport>, Vec<SliceEvent>) {
    let events = Mutex::new(Vec::new());
    let result = slice_recordings(sources, out, &SliceParams::default(), &|| false, &|event| {
        events.lock().unwrap().push(event)
    });
    (result, events.into_inner().unwrap())
}

fn write_silence(path: &Path, seconds: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 32_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    for _ in 0..(seconds * 32_000.0) as usize {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
}

#[test]
fn bad_files_are_skipped_and_reported_while_good_ones_are_sliced() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    make_bursts(&input.path().join("a.wav"), 32_000, 4, 5.0, 1.0);
    make_bursts(&input.path().join("b.wav"), 44_100, 3, 5.0, 1.0);
    std::fs::write(
        input.path().join("c broken.wav"),
        b"RIFF\x10\0\0\0WAVEjunkjunkjunk",
    )
    .unwrap();
    std::fs::write(input.path().join("d.mp3"), vec![0u8; 5000]).unwrap();

    let (result, events) = slice(&[input.path().to_path_buf()], out.path());
    let report = result.unwrap();
    assert_eq!(report.files_sliced, 2);
    assert_eq!(report.clip_count, 7, "{:#?}", report.clips);
    let skipped: Vec<&str> = report
        .skipped
        .iter()
        .map(|s| s.path.file_name().unwrap().to_str().unwrap())
        .collect();
    assert_eq!(skipped, vec!["c broken.wav", "d.mp3"]);
    for file in &report.skipped {
        let name = file.path.file_name().unwrap().to_str().unwrap();
        assert!(file.reason.contains(name), "{}", file.reason);
    }
    assert!(report
        .message
        .as_deref()
        .unwrap()
        .contains("2 file(s) were skipped"));

    for clip in &report.clips {
        let reader = hound::WavReader::open(&clip.path).unwrap();
        assert_eq!(reader.len() as u64, clip.samples);
        assert!(
            clip.peak > 0.5 && clip.peak <= 0.9 + 1e-4,
            "peak {}",
            clip.peak
        );
        assert!(clip.duration_s >= 4.0, "{}", clip.duration_s);
    }
    let skip_events = events
        .iter()
        .filter(|e| matches!(e, SliceEvent::FileSkipped { .. }))
        .count();
    let clip_events = events
        .iter()
        .filter(|e| matches!(e, SliceEvent::ClipWritten { .. }))
        .count();
    assert_eq!((skip_events, clip_events), (2, 7));
    let last_total = events.iter().filter_map(|e| match e {
        SliceEvent::ClipWritten { clips_total, .. } => Some(*clips_total),
        _ => None,
    });
    assert_eq!(last_total.max(), Some(7));
    let leftovers = std::fs::read_dir(out.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with('.')
        })
        .count();
    assert_eq!(leftovers, 0, "temporary files left behind");
}

#[test]
fn nothing_usable_is_an_error_that_says_so() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let (result, _) = slice(&[input.path().to_path_buf()], out.path());
    let err = result.unwrap_err();
    assert_eq!(err.code(), "no_usable_audio");
    assert!(err.to_string().contains("no audio files"), "{err}");

    std::fs::write(input.path().join("x.wav"), b"not audio").unwrap();
    let (result, _) = slice(&[input.path().to_path_buf()], out.path());
    let err = result.unwrap_err();
    assert_eq!(err.code(), "no_usable_audio");
    assert!(err.to_string().contains("x.wav"), "{err}");
}

#[test]
fn silence_gives_no_clips_and_a_clear_message() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let silent = input.path().join("quiet.wav");
    write_silence(&silent, 10.0);
    let (result, _) = slice(std::slice::from_ref(&silent), out.path());
    let report = result.unwrap();
    assert_eq!(report.clip_count, 0);
    assert_eq!(report.silent_files, vec![silent]);
    assert!(report.message.unwrap().contains("no clips"));
}

#[test]
fn paths_with_spaces_chinese_and_japanese_work() {
    let input = tempfile::tempdir().unwrap();
    let folder = input.path().join("录音 文件").join("日本語 の 声");
    std::fs::create_dir_all(&folder).unwrap();
    let source = folder.join("我的 声音 1.wav");
    make_bursts(&source, 32_000, 2, 5.0, 1.0);
    let out = input.path().join("切片 出力");

    let (result, _) = slice(&[input.path().join("录音 文件")], &out);
    let report = result.unwrap();
    assert_eq!(report.clip_count, 2);

    // Slicing the parent folder again, output folder included, does not slice the clips.
    let (again, _) = slice(&[input.path().to_path_buf()], &out);
    assert_eq!(again.unwrap().clip_count, 2);
    let name = report.clips[0]
        .path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    assert!(name.starts_with("我的 声音 1.wav_0000"), "{name}");
    assert!(report.clips[0].path.is_file());

    let summary = probe(&[input.path().join("录音 文件")]).unwrap();
    assert_eq!(summary.count, 1);
    assert!(
        (summary.total_duration_s - 13.0).abs() < 0.01,
        "{}",
        summary.total_duration_s
    );
    let peaks = waveform_peaks(&source, 100).unwrap();
    assert_eq!(peaks.buckets.len(), 100);
}

#[test]
fn probe_lists_formats_durations_and_what_will_be_skipped() {
    let input = tempfile::tempdir().unwrap();
    make_bursts(&input.path().join("a.wav"), 32_000, 1, 2.0, 0.5);
    let a = input.path().join("a.wav");
    let mp3 = input.path().join("b.mp3");
    ffmpeg(&[
        "-i",
        a.to_str().unwrap(),
        "-c:a",
        "libmp3lame",
        mp3.to_str().unwrap(),
    ]);
    std::fs::write(input.path().join("c.flac"), b"fLaC but nothing else").unwrap();

    let summary = probe(&[input.path().to_path_buf()]).unwrap();
    assert_eq!(summary.count, 2);
    assert_eq!(summary.formats.get("mp3"), Some(&1));
    assert_eq!(summary.formats.values().sum::<usize>(), 2);
    assert!((summary.files[0].duration_s - 3.0).abs() < 1e-6);
    assert!(
        (summary.files[1].duration_s - 3.0).abs() < 0.1,
        "{}",
        summary.files[1].duration_s
    );
    assert_eq!(summary.skipped.len(), 1);
    assert!(summary.skipped[0].reason.contains("c.flac"));
}

#[test]
fn waveform_peaks_outline_the_signal() {
    let input = tempfile::tempdir().unwrap();
    let path = input.path().join("bursts.wav");
    make_bursts(&path, 32_000, 2, 1.0, 1.0);
    let peaks = waveform_peaks(&path, 30).unwrap();
    assert!((peaks.duration_s - 5.0).abs() < 1e-9);
    // 6 buckets per second over silence, burst, silence, burst, silence (1 s each).
    assert_eq!(peaks.buckets[2].max, 0.0);
    assert!(peaks.buckets[9].max > 0.3 && peaks.buckets[9].min < -0.3);
    assert_eq!(
        waveform_peaks(&path, 0).unwrap_err().code(),
        "invalid_params"
    );
}

#[test]
fn cancel_stops_within_two_seconds() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let long = input.path().join("long.wav");
    let long_text = long.to_str().unwrap();
    let source = "anoisesrc=color=pink:sample_rate=44100:amplitude=0.3:duration=1200";
    ffmpeg(&["-f", "lavfi", "-i", source, "-c:a", "pcm_s16le", long_text]);

    let cancelled = AtomicBool::new(false);
    let cancelled_at = Mutex::new(None::<Instant>);
    let result = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            *cancelled_at.lock().unwrap() = Some(Instant::now());
            cancelled.store(true, Ordering::SeqCst);
        });
        slice_recordings(
            std::slice::from_ref(&long),
            out.path(),
            &SliceParams::default(),
            &|| cancelled.load(Ordering::SeqCst),
            &|_| {},
        )
    });
    let stopped_after = cancelled_at
        .lock()
        .unwrap()
        .expect("cancel was requested")
        .elapsed();
    assert_eq!(result.unwrap_err().code(), "cancelled");
    assert!(
        stopped_after < Duration::from_secs(2),
        "took {stopped_after:?} to stop"
    );
    assert_eq!(
        std::fs::read_dir(out.path()).unwrap().count(),
        0,
        "left files behind"
    );
}

#[test]
fn invalid_parameters_are_refused_before_any_work() {
    let out = tempfile::tempdir().unwrap();
    let params = SliceParams {
        min_interval: 5,
        ..Default::default()
    };
    let err = slice_recordings(
        &[PathBuf::from("/nonexistent")],
        out.path(),
        &params,
        &|| false,
        &|_| {},
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_params");
    assert!(err.to_string().contains("min_interval"));
}

#[test]
fn compressed_recordings_are_sliced_like_wav_ones() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let wav = input.path().join("take.wav");
    make_bursts(&wav, 44_100, 3, 5.0, 1.0);
    let wav_text = wav.to_str().unwrap();
    for (name, codec) in [
        ("take.mp3", "libmp3lame"),
        ("take.m4a", "aac"),
        ("take.flac", "flac"),
    ] {
        let path = input.path().join(name);
        ffmpeg(&["-i", wav_text, "-c:a", codec, path.to_str().unwrap()]);
    }
    // Damage the middle of the MP3: its frames there are skipped, the rest still decodes.
    let mp3 = input.path().join("take.mp3");
    let mut bytes = std::fs::read(&mp3).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 2000].fill(0x55);
    std::fs::write(&mp3, bytes).unwrap();

    let (result, events) = slice(&[input.path().to_path_buf()], out.path());
    let report = result.unwrap();
    assert!(report.skipped.is_empty(), "{:?}", report.skipped);
    assert_eq!(report.files_sliced, 4);
    for name in ["take.wav", "take.mp3", "take.m4a", "take.flac"] {
        let clips = report
            .clips
            .iter()
            .filter(|c| c.source.ends_with(name))
            .count();
        assert_eq!(clips, 3, "{name}");
    }

    let json = serde_json::to_value(&events[0]).unwrap();
    assert_eq!(json["type"], "started");
    assert_eq!(json["files_total"], 4);
    let report_json = serde_json::to_value(&report).unwrap();
    assert_eq!(report_json["clip_count"], 12);
}

#[test]
fn probe_measures_an_mp3_without_a_length_header() {
    let input = tempfile::tempdir().unwrap();
    let wav = input.path().join("a.wav");
    make_bursts(&wav, 32_000, 1, 2.0, 0.5);
    let mp3 = input.path().join("no header.mp3");
    let args = [
        "-i",
        wav.to_str().unwrap(),
        "-c:a",
        "libmp3lame",
        "-write_xing",
        "0",
    ];
    ffmpeg(&[&args[..], &[mp3.to_str().unwrap()]].concat());
    let summary = probe(std::slice::from_ref(&mp3)).unwrap();
    assert_eq!(summary.count, 1);
    assert!(
        (summary.total_duration_s - 3.0).abs() < 0.1,
        "{}",
        summary.total_duration_s
    );
}

#[test]
fn a_failing_output_folder_stops_the_stage_with_the_path() {
    let input = tempfile::tempdir().unwrap();
    let source = input.path().join("take.wav");
    make_bursts(&source, 32_000, 2, 5.0, 1.0);
    let first = tempfile::tempdir().unwrap();
    let (result, _) = slice(std::slice::from_ref(&source), first.path());
    let clip_name = result.unwrap().clips[0]
        .path
        .file_name()
        .unwrap()
        .to_owned();

    // A folder where the clip's temporary file must go makes its creation fail.
    let out = tempfile::tempdir().unwrap();
    let blocked = out
        .path()
        .join(format!(".{}.partial", clip_name.to_str().unwrap()));
    std::fs::create_dir(&blocked).unwrap();
    let (result, _) = slice(std::slice::from_ref(&source), out.path());
    let err = result.unwrap_err();
    assert_eq!(err.code(), "io");
    assert!(err.to_string().contains(".partial"), "{err}");
}

#[test]
fn audio_too_short_for_the_slicer_is_skipped_with_the_reason() {
    let input = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let short = input.path().join("blip.wav");
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: 32_000,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(&short, spec).unwrap();
    for n in 0..300 {
        writer.write_sample(((n % 20) * 1000) as i16).unwrap();
    }
    writer.finalize().unwrap();
    make_bursts(&input.path().join("long.wav"), 32_000, 1, 5.0, 1.0);

    let (result, _) = slice(&[input.path().to_path_buf()], out.path());
    let report = result.unwrap();
    assert_eq!(report.clip_count, 1);
    assert_eq!(report.skipped.len(), 1);
    assert_eq!(report.skipped[0].code, "too_short");
    assert!(report.skipped[0].reason.contains("blip.wav"));
}
