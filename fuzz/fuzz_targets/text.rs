//! Any input: the extractor, the counter and the thread splitter neither panic nor hang,
//! and their invariants hold (see `checks.rs`).
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        checks::check_text(text);
    }
});
