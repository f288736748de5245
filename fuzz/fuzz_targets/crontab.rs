//! Crontab parser: no panic, every span inside the text and on character boundaries (also with
//! a base offset, as for crontab lines inside a runbook).
#![no_main]

use deploylint::parse::crontab;
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_span, debug_spans};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let base = 3;
    let padded = format!("{}{text}", "x".repeat(base));
    for (at, whole) in [(0, text), (base, padded.as_str())] {
        let tab = crontab::parse(FileId(0), text, at);
        for (_, start, end) in debug_spans(&format!("{tab:?}")) {
            assert_span(whole, start, end, "crontab");
        }
        for e in &tab.entries {
            assert!(e.schedule.span.start >= at, "crontab span before the base");
        }
    }
});
