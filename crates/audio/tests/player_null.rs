//! Playback against ALSA's null device (no sound card needed): events arrive in order, stop
//! works, and the player can be reused.

use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

use gsv_audio::{PlaybackEvent, Player};

fn use_null_device() {
    let dir = std::env::temp_dir().join(format!("gsv-audio-null-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let extra = dir.join("null.conf");
    std::fs::write(&extra, "pcm.!default { type null }\n").unwrap();
    // ALSA reads this once, when the first device is opened; alsa.conf must come first.
    std::env::set_var(
        "ALSA_CONFIG_PATH",
        format!("/usr/share/alsa/alsa.conf:{}", extra.display()),
    );
}

fn tone(seconds: f64) -> Vec<f32> {
    (0..(seconds * 32_000.0) as usize)
        .map(|n| 0.3 * (2.0 * std::f32::consts::PI * 440.0 * n as f32 / 32_000.0).sin())
        .collect()
}

#[test]
fn plays_to_the_end_then_stops_on_request() {
    use_null_device();
    let player = Player::new();

    let (sender, events) = channel();
    player
        .play_samples(tone(0.5), 32_000, move |event| sender.send(event).unwrap())
        .unwrap();
    let mut received = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        let event = events.recv_timeout(Duration::from_secs(20)).unwrap();
        let terminal = !matches!(
            event,
            PlaybackEvent::Started { .. } | PlaybackEvent::Position { .. }
        );
        received.push(event);
        if terminal {
            break;
        }
    }
    assert!(
        matches!(received[0], PlaybackEvent::Started { duration_s } if (duration_s - 0.5).abs() < 0.01)
    );
    assert_eq!(received.last(), Some(&PlaybackEvent::Finished));
    let positions: Vec<f64> = received
        .iter()
        .filter_map(|e| match e {
            PlaybackEvent::Position { position_s, .. } => Some(*position_s),
            _ => None,
        })
        .collect();
    assert!(!positions.is_empty());
    assert!(
        positions.windows(2).all(|w| w[0] <= w[1]),
        "positions go backwards: {positions:?}"
    );

    // A long sound, stopped at once: stop returns promptly and the last event is terminal.
    let (sender, events) = channel();
    player
        .play_samples(tone(600.0), 32_000, move |event| {
            sender.send(event).unwrap()
        })
        .unwrap();
    let started = Instant::now();
    player.stop();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(!player.is_playing());
    let last = events.try_iter().last().unwrap();
    assert!(
        matches!(last, PlaybackEvent::Stopped | PlaybackEvent::Finished),
        "{last:?}"
    );
}
