//! Links libtorch so the binaries find it through an rpath and keep libtorch_cuda.

fn main() {
    gsv_build_support::link_libtorch();
}
