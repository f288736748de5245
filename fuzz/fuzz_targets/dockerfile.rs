//! Dockerfile parser: no panic, every span inside the text and on character boundaries.
#![no_main]

use deploylint::parse::dockerfile::{self, Trouble};
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans, assert_span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    match dockerfile::parse(FileId(0), text) {
        Ok(df) => {
            assert_debug_spans(&df, text, "dockerfile");
        }
        Err(Trouble::Invalid(e)) => assert_span(text, e.span.start, e.span.end, "dockerfile error"),
        Err(Trouble::Unfollowed(u)) => assert_span(text, u.span.start, u.span.end, "dockerfile unfollowed"),
    }
});
