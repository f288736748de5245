//! YAML reader and compose parser (and the CI readers built on the same YAML): no panic, every
//! span inside the text and on character boundaries.
#![no_main]

use deploylint::parse::{ci, compose, yaml};
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans, assert_span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    match yaml::parse(FileId(0), text) {
        Ok(node) => {
            assert_debug_spans(&node, text, "yaml");
        }
        Err(e) => assert_span(text, e.span.start, e.span.end, "yaml error"),
    }
    match compose::parse(FileId(0), text) {
        Ok(c) => {
            assert_debug_spans(&c, text, "compose");
        }
        Err(e) => assert_span(text, e.span.start, e.span.end, "compose error"),
    }
    for ranges in [ci::github_runs(FileId(0), text), ci::gitlab_scripts(FileId(0), text)].into_iter().flatten() {
        for (start, end) in ranges {
            assert_span(text, start, end, "ci script");
        }
    }
});
