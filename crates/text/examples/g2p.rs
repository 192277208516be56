//! Reads lines on standard input and prints one JSON object per line, as `gsv text g2p` does:
//! `cargo run -p gsv-text --example g2p -- zh < lines.txt`.

use std::io::{self, BufRead, Write};

use gsv_text::{clean_text, Language};

fn main() {
    let language: Language = match std::env::args().nth(1).unwrap_or_default().parse() {
        Ok(language) => language,
        Err(error) => {
            eprintln!("{error}");
            std::process::exit(2);
        }
    };

    let stdout = io::stdout();
    let mut out = stdout.lock();
    for line in io::stdin().lock().lines().map_while(Result::ok) {
        let json = match clean_text(&line, language) {
            Ok(cleaned) => serde_json::to_string(&cleaned),
            Err(error) => serde_json::to_string(&serde_json::json!({
                "error": error.code(),
                "message": error.to_string(),
            })),
        };
        if writeln!(out, "{}", json.unwrap_or_default()).is_err() {
            break;
        }
    }
}
