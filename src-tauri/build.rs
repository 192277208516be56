//! Links libtorch (rpath, libtorch_cuda kept) and runs the Tauri build steps.

fn main() {
    gsv_build_support::link_libtorch();
    tauri_build::build();
}
