//! Plays one second of a 440 Hz tone on the default output device and prints what happened;
//! with no sound card it prints the `no_audio_device` error.
fn main() {
    let tone: Vec<f32> = (0..32_000)
        .map(|n| 0.3 * (2.0 * std::f32::consts::PI * 440.0 * n as f32 / 32_000.0).sin())
        .collect();
    let player = gsv_audio::Player::new();
    let started = std::time::Instant::now();
    match player.play_samples(tone, 32_000, |event| println!("{event:?}")) {
        Ok(()) => {
            while player.is_playing() {
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
        }
        Err(err) => println!(
            "error {}: {err} (after {:?})",
            err.code(),
            started.elapsed()
        ),
    }
}
