//! Links libtorch so that the test binaries of this crate find it without `LD_LIBRARY_PATH`.

fn main() {
    // Only the `torch` feature brings in torch-sys, which is what provides the libtorch folder.
    if std::env::var_os("CARGO_FEATURE_TORCH").is_some() {
        gsv_build_support::link_libtorch();
    }
}
