//! Writes the 32 kHz mono decode of a file as raw f32le (a debugging aid).

fn main() {
    let mut args = std::env::args().skip(1);
    let input = std::path::PathBuf::from(args.next().expect("input path"));
    let output = args.next().expect("output path");
    let (samples, _) = gsv_audio::decode_mono_to_vec(&input, Some(32_000)).expect("decode");
    let bytes: Vec<u8> = samples.iter().flat_map(|s| s.to_le_bytes()).collect();
    std::fs::write(output, bytes).expect("write");
}
