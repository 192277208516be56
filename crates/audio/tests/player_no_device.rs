//! With no usable output device, `play` fails at once with `no_audio_device`, never hangs.

use std::time::{Duration, Instant};

use gsv_audio::Player;

#[test]
fn missing_device_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let conf = dir.path().join("missing.conf");
    // A default device that points at a sound card that does not exist, as on a machine with no
    // sound hardware.
    std::fs::write(
        &conf,
        "pcm.!default { type hw card 37 }\nctl.!default { type hw card 37 }\n",
    )
    .unwrap();
    std::env::set_var(
        "ALSA_CONFIG_PATH",
        format!("/usr/share/alsa/alsa.conf:{}", conf.display()),
    );

    let player = Player::new();
    let started = Instant::now();
    let err = player
        .play_samples(vec![0.0; 32_000], 32_000, |_| {})
        .unwrap_err();
    assert_eq!(err.code(), "no_audio_device", "{err}");
    assert!(started.elapsed() < Duration::from_secs(6));
    assert!(!player.is_playing());

    let missing_file = player
        .play_file(&dir.path().join("nope.wav"), |_| {})
        .unwrap_err();
    assert_eq!(missing_file.code(), "not_found");
}
