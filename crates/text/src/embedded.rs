//! Dictionaries embedded in the binary as gzip, unpacked once on first use.
//!
//! The large word lists compress to about 40% of their size; keeping them compressed keeps the
//! crate and every binary that links it smaller. Unpacking all of them takes a fraction of a
//! second, and each is unpacked only when its language first needs it.

use std::io::Read;
use std::sync::OnceLock;

use flate2::read::GzDecoder;

/// A gzip-compressed UTF-8 data file from `data/`.
pub(crate) struct EmbeddedText {
    compressed: &'static [u8],
    text: OnceLock<&'static str>,
}

impl EmbeddedText {
    /// Wraps the bytes of an embedded `.gz` file.
    pub(crate) const fn new(compressed: &'static [u8]) -> Self {
        EmbeddedText {
            compressed,
            text: OnceLock::new(),
        }
    }

    /// The unpacked text, which lives as long as the program (the maps built from it borrow it).
    pub(crate) fn text(&self) -> &'static str {
        self.text.get_or_init(|| {
            let mut text = String::new();
            GzDecoder::new(self.compressed)
                .read_to_string(&mut text)
                .expect("embedded data file is valid gzip-compressed UTF-8");
            Box::leak(text.into_boxed_str())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_an_embedded_file() {
        static NAMES: EmbeddedText =
            EmbeddedText::new(include_bytes!("../data/en/namedict.txt.gz"));
        assert!(NAMES.text().starts_with("aadi\t"));
        assert!(std::ptr::eq(NAMES.text(), NAMES.text()));
    }
}
