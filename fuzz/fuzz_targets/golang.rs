//! Go source scanner (lexer and fact finder): no panic, every span inside the text and on
//! character boundaries.
#![no_main]

use deploylint::parse::golang;
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let go = golang::parse(FileId(0), text);
    assert_debug_spans(&go, text, "go");
});
