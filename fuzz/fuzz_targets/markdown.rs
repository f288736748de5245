//! Markdown fenced-block finder: no panic, every block's fence, start and end in order, inside
//! the text and on character boundaries.
#![no_main]

use deploylint::parse::markdown;
use deploylint_fuzz::{as_text, assert_span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let mut last_end = 0;
    for b in markdown::code_blocks(text) {
        assert_span(text, b.start, b.end, "code block");
        assert_span(text, b.fence, b.start, "code block fence");
        assert!(b.fence >= last_end, "code blocks overlap");
        last_end = b.end;
    }
});
