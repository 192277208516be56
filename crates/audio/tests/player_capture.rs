//! What the player sends to the device really is the sound: ALSA's `file` plugin records the
//! output of the default device, and the recording is measured.

use std::sync::mpsc::channel;
use std::time::Duration;

use gsv_audio::{PlaybackEvent, Player};

/// Rate and format the capture runs at: the plug plugin converts whatever cpal opens to this.
const CAPTURE_RATE: u32 = 48_000;

#[test]
fn a_440_hz_tone_comes_out_at_440_hz() {
    let dir = tempfile::tempdir().unwrap();
    let capture = dir.path().join("captured.raw");
    let conf = dir.path().join("capture.conf");
    let text = format!(
        "pcm.!default {{\n  type plug\n  slave {{\n    pcm \"gsv_capture\"\n    format S16_LE\n    \
         channels 1\n    rate {CAPTURE_RATE}\n  }}\n}}\n\
         pcm.gsv_capture {{\n  type file\n  slave.pcm \"null\"\n  file \"{}\"\n  format \"raw\"\n}}\n",
        capture.display()
    );
    std::fs::write(&conf, text).unwrap();
    std::env::set_var(
        "ALSA_CONFIG_PATH",
        format!("/usr/share/alsa/alsa.conf:{}", conf.display()),
    );

    let tone: Vec<f32> = (0..32_000)
        .map(|n| 0.5 * (2.0 * std::f32::consts::PI * 440.0 * n as f32 / 32_000.0).sin())
        .collect();
    let player = Player::new();
    let (sender, events) = channel();
    player
        .play_samples(tone, 32_000, move |event| sender.send(event).unwrap())
        .unwrap();
    loop {
        match events.recv_timeout(Duration::from_secs(20)).unwrap() {
            PlaybackEvent::Finished => break,
            PlaybackEvent::Failed { reason } => panic!("playback failed: {reason}"),
            _ => {}
        }
    }
    player.stop();

    let bytes = std::fs::read(&capture).unwrap();
    let samples: Vec<f32> = bytes
        .chunks_exact(2)
        .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0)
        .collect();
    let sounding: Vec<f32> = samples
        .iter()
        .copied()
        .skip_while(|s| s.abs() < 0.01)
        .collect();
    assert!(
        sounding.len() as u32 >= CAPTURE_RATE * 9 / 10,
        "only {} samples captured",
        sounding.len()
    );
    let tone_part = &sounding[..(CAPTURE_RATE as usize * 9 / 10)];
    let crossings: Vec<usize> = (1..tone_part.len())
        .filter(|&i| tone_part[i - 1] < 0.0 && tone_part[i] >= 0.0)
        .collect();
    let span = (crossings[crossings.len() - 1] - crossings[0]) as f64;
    let frequency = (crossings.len() - 1) as f64 * f64::from(CAPTURE_RATE) / span;
    assert!((frequency - 440.0).abs() < 1.0, "captured {frequency} Hz");
    let peak = tone_part.iter().fold(0f32, |m, s| m.max(s.abs()));
    assert!((peak - 0.5).abs() < 0.02, "captured peak {peak}");
}
