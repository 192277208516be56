fn main() {
    gsv_build_support::link_libtorch();
}
