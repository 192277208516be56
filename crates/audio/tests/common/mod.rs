//! Helpers shared by the integration tests: making test audio with ffmpeg and measuring it.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Runs ffmpeg with `args` (input options, then output), failing the test with its stderr.
pub fn ffmpeg(args: &[&str]) {
    let output = Command::new("ffmpeg")
        .args(["-nostdin", "-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg must be installed to make test audio");
    assert!(
        output.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A sine of `freq` Hz, `seconds` long, at `rate` with `channels` channels, encoded as
/// `codec_args` into `path`.
pub fn make_tone(
    path: &Path,
    freq: u32,
    seconds: f64,
    rate: u32,
    channels: u32,
    codec_args: &[&str],
) {
    let source = format!("sine=frequency={freq}:sample_rate={rate}:duration={seconds}");
    let mut args = vec!["-f", "lavfi", "-i", &source];
    let channel_count = channels.to_string();
    args.extend(["-ac", &channel_count]);
    args.extend_from_slice(codec_args);
    let path_text = path.to_str().unwrap();
    args.push(path_text);
    ffmpeg(&args);
}

/// Speech-like audio: bursts of tone and noise separated by digital silence, written as 16-bit
/// mono WAV at `rate`. Each burst is `burst_s` seconds, each gap `gap_s` seconds.
pub fn make_bursts(path: &Path, rate: u32, bursts: usize, burst_s: f64, gap_s: f64) {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 16,
        sample_format: hound::SampleFormat::Int,
    };
    let mut writer = hound::WavWriter::create(path, spec).unwrap();
    let burst = (burst_s * f64::from(rate)) as usize;
    let gap = (gap_s * f64::from(rate)) as usize;
    let mut noise_state = 12345u32;
    for index in 0..bursts {
        for _ in 0..gap {
            writer.write_sample(0i16).unwrap();
        }
        let freq = 150.0 + 40.0 * (index % 7) as f64;
        for n in 0..burst {
            noise_state = noise_state
                .wrapping_mul(1_664_525)
                .wrapping_add(1_013_904_223);
            let noise = (noise_state >> 16) as f64 / 65536.0 - 0.5;
            let t = n as f64 / f64::from(rate);
            let envelope = (std::f64::consts::PI * n as f64 / burst as f64).sin();
            let value =
                envelope * (0.4 * (2.0 * std::f64::consts::PI * freq * t).sin() + 0.1 * noise);
            writer.write_sample((value * 32767.0) as i16).unwrap();
        }
    }
    for _ in 0..gap {
        writer.write_sample(0i16).unwrap();
    }
    writer.finalize().unwrap();
}

/// Frequency of a steady tone from its rising zero crossings.
pub fn tone_frequency(samples: &[f32], rate: u32) -> f64 {
    let crossings: Vec<usize> = (1..samples.len())
        .filter(|&i| samples[i - 1] < 0.0 && samples[i] >= 0.0)
        .collect();
    assert!(crossings.len() > 2, "no tone found");
    let span = (crossings[crossings.len() - 1] - crossings[0]) as f64;
    (crossings.len() - 1) as f64 * f64::from(rate) / span
}

/// Root mean square of a signal.
pub fn rms(samples: &[f32]) -> f64 {
    (samples
        .iter()
        .map(|&s| f64::from(s) * f64::from(s))
        .sum::<f64>()
        / samples.len() as f64)
        .sqrt()
}
