//! Feeds arbitrary bytes to the safe unpickler: it must return a value or an error, never panic,
//! hang or allocate without bound.

#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = gsv_weights::unpickle(data, Path::new("fuzz.pkl"));
});
