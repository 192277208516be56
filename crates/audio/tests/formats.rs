//! Decoding every listed format to 32 kHz mono. Test files are made with ffmpeg at test time.

mod common;

use std::path::Path;

use common::{ffmpeg, make_tone, rms, tone_frequency};
use gsv_audio::decode_mono_to_vec;

/// The level ffmpeg's own `-ac 1 -ar 32000` decode gives, the reference's decode.
fn ffmpeg_level(path: &Path) -> f64 {
    let raw = path.with_extension("ref.f32");
    let (input, output) = (path.to_str().unwrap(), raw.to_str().unwrap());
    ffmpeg(&[
        "-i",
        input,
        "-f",
        "f32le",
        "-acodec",
        "pcm_f32le",
        "-ac",
        "1",
        "-ar",
        "32000",
        output,
    ]);
    let samples: Vec<f32> = std::fs::read(&raw)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    rms(&samples[4000..28_000])
}

/// Decodes `path` and checks it holds one second of a 440 Hz sine at 32 kHz, at the level
/// ffmpeg's own downmix gives.
fn assert_tone(path: &Path, length_tolerance: usize) {
    let (samples, rate) = decode_mono_to_vec(path, Some(32_000))
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(rate, 32_000);
    assert!(
        samples.len().abs_diff(32_000) <= length_tolerance,
        "{}: {} samples",
        path.display(),
        samples.len()
    );
    let middle = &samples[4000..28_000];
    let freq = tone_frequency(middle, 32_000);
    assert!((freq - 440.0).abs() < 1.0, "{}: {freq} Hz", path.display());
    let level = rms(middle);
    assert!(level > 0.01, "{}: RMS {level}", path.display());
    let reference = ffmpeg_level(path);
    assert!(
        (level / reference - 1.0).abs() < 0.02,
        "{}: RMS {level} vs {reference}",
        path.display()
    );
}

#[test]
fn wav_of_every_sample_format_rate_and_channel_count() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, u32, u32); 8] = [
        ("pcm_u8", 8000, 1),
        ("pcm_s16le", 32_000, 1),
        ("pcm_s16le", 44_100, 2),
        ("pcm_s24le", 48_000, 2),
        ("pcm_s32le", 22_050, 1),
        ("pcm_f32le", 96_000, 1),
        ("pcm_f64le", 16_000, 6),
        ("pcm_s16le", 48_000, 4),
    ];
    for (codec, rate, channels) in cases {
        let path = dir.path().join(format!("{codec}_{rate}_{channels}.wav"));
        make_tone(&path, 440, 1.0, rate, channels, &["-c:a", codec]);
        assert_tone(&path, 1);
    }
}

#[test]
fn compressed_formats_decode() {
    let dir = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 5] = [
        ("tone.flac", &["-c:a", "flac"]),
        ("tone.mp3", &["-c:a", "libmp3lame", "-b:a", "128k"]),
        ("tone.ogg", &["-c:a", "libvorbis"]),
        ("tone.m4a", &["-c:a", "aac", "-b:a", "128k"]),
        ("tone.aac", &["-c:a", "aac", "-b:a", "128k", "-f", "adts"]),
    ];
    for (name, codec) in cases {
        let path = dir.path().join(name);
        make_tone(&path, 440, 1.0, 44_100, 2, codec);
        // Lossy codecs may keep a frame of encoder padding.
        assert_tone(&path, 2048);
    }
}

#[test]
fn pcm_at_32k_mono_and_stereo_decodes_exactly_like_ffmpeg() {
    for (channels, codec) in [
        (1, "pcm_s16le"),
        (2, "pcm_s16le"),
        (2, "pcm_s24le"),
        (1, "pcm_u8"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("x.wav");
        // Different frequencies per channel, so the downmix matters.
        let source = "sine=frequency=1234:sample_rate=32000:duration=0.5";
        let other = "sine=frequency=777:sample_rate=32000:duration=0.5";
        let wav_text = wav.to_str().unwrap();
        if channels == 2 {
            let graph = "[0][1]amerge=inputs=2";
            let args = ["-f", "lavfi", "-i", source, "-f", "lavfi", "-i", other];
            ffmpeg(
                &[
                    &args[..],
                    &["-filter_complex", graph, "-c:a", codec, wav_text],
                ]
                .concat(),
            );
        } else {
            ffmpeg(&["-f", "lavfi", "-i", source, "-c:a", codec, wav_text]);
        }
        assert_decodes_like_ffmpeg(&wav);
    }
}

#[test]
fn surround_layouts_downmix_like_ffmpeg() {
    for (layout, channels) in [
        ("quad", 4),
        ("5.1", 6),
        ("5.1(side)", 6),
        ("7.1", 8),
        ("4.0", 4),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let wav = dir.path().join("surround.wav");
        let mut args: Vec<String> = Vec::new();
        for channel in 0..channels {
            let tone = format!(
                "sine=frequency={}:sample_rate=32000:duration=0.3",
                200 + 110 * channel
            );
            args.extend(["-f".into(), "lavfi".into(), "-i".into(), tone]);
        }
        let graph = format!("join=inputs={channels}:channel_layout={layout}");
        args.extend([
            "-filter_complex".into(),
            graph,
            "-c:a".into(),
            "pcm_s16le".into(),
        ]);
        args.push(wav.to_str().unwrap().into());
        ffmpeg(&args.iter().map(String::as_str).collect::<Vec<_>>());
        assert_decodes_like_ffmpeg(&wav);
    }
}

fn assert_decodes_like_ffmpeg(wav: &Path) {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("x.f32");
    let (wav_text, raw_text) = (wav.to_str().unwrap(), raw.to_str().unwrap());
    ffmpeg(&[
        "-i",
        wav_text,
        "-f",
        "f32le",
        "-acodec",
        "pcm_f32le",
        "-ac",
        "1",
        "-ar",
        "32000",
        raw_text,
    ]);
    let expected: Vec<f32> = std::fs::read(&raw)
        .unwrap()
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    assert_eq!(
        decode_mono_to_vec(wav, Some(32_000)).unwrap().0,
        expected,
        "{}",
        wav.display()
    );
}

#[test]
fn opus_is_reported_as_unsupported_with_the_file_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("voice.opus");
    make_tone(&path, 440, 1.0, 48_000, 1, &["-c:a", "libopus"]);
    let err = decode_mono_to_vec(&path, Some(32_000)).unwrap_err();
    assert_eq!(err.code(), "unsupported_format");
    let message = err.to_string();
    assert!(
        message.contains("voice.opus") && message.contains("Opus"),
        "{message}"
    );
}

#[test]
fn corrupt_and_non_audio_files_give_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.wav");
    std::fs::write(&text, "this is not audio at all, just some text").unwrap();
    let err = decode_mono_to_vec(&text, None).unwrap_err();
    assert!(
        matches!(err.code(), "unsupported_format" | "decode"),
        "{err}"
    );
    assert!(err.to_string().contains("notes.wav"));

    let good = dir.path().join("good.wav");
    make_tone(&good, 440, 1.0, 32_000, 1, &["-c:a", "pcm_s16le"]);
    let truncated = dir.path().join("truncated.wav");
    std::fs::write(&truncated, &std::fs::read(&good).unwrap()[..30]).unwrap();
    let err = decode_mono_to_vec(&truncated, None).unwrap_err();
    assert!(err.to_string().contains("truncated.wav"), "{err}");

    let missing = decode_mono_to_vec(&dir.path().join("missing.wav"), None).unwrap_err();
    assert_eq!(missing.code(), "not_found");
}
