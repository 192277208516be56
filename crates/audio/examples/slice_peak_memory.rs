//! Slices recordings once and prints the wall time, the real-time factor and the peak resident
//! memory of the process (VmHWM from /proc/self/status). Used for BENCHMARKS.md:
//!
//! `cargo run --release -p gsv-audio --example slice_peak_memory -- OUT_DIR INPUT...`

use std::path::PathBuf;
use std::time::Instant;

fn peak_resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let out_dir = PathBuf::from(args.next().expect("usage: OUT_DIR INPUT..."));
    let inputs: Vec<PathBuf> = args.map(PathBuf::from).collect();
    let summary = gsv_audio::probe(&inputs).expect("probe");
    let started = Instant::now();
    let report = gsv_audio::slice_recordings(
        &inputs,
        &out_dir,
        &gsv_audio::SliceParams::default(),
        &|| false,
        &|_| {},
    )
    .expect("slice");
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "audio: {:.1} s in {} file(s)",
        summary.total_duration_s, summary.count
    );
    println!(
        "clips: {} ({:.1} s)",
        report.clip_count, report.total_duration_s
    );
    println!(
        "wall: {seconds:.3} s, real-time factor: {:.0}x",
        summary.total_duration_s / seconds
    );
    println!(
        "peak resident memory (VmHWM): {} MiB",
        peak_resident_kib().unwrap_or(0) / 1024
    );
}
