//! Placeholder until the slicing benchmark lands.

fn main() {}
