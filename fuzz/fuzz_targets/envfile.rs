//! Env file parser and masker: no panic, spans inside the text and on character boundaries, the
//! masked text as long as the text with its line breaks in place, and no byte of a value left
//! unmasked.
#![no_main]

use deploylint::parse::envfile;
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans, assert_span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let f = envfile::parse(FileId(0), text);
    assert_debug_spans(&f, text, "envfile");
    let masked = envfile::mask(text);
    assert_eq!(masked.len(), text.len(), "masking changed the length");
    for (i, (a, b)) in text.bytes().zip(masked.bytes()).enumerate() {
        if a == b'\n' || b == b'\n' {
            assert_eq!(a, b, "masking moved a line break at byte {i}");
        }
    }
    for e in &f.entries {
        assert_span(text, e.key.span.start, e.key.span.end, "env key");
        if let Some(v) = e.value_span {
            assert_span(text, v.start, v.end, "env value");
            let shown = masked.as_bytes().get(v.start..v.end).unwrap_or_default();
            assert!(
                shown.iter().all(|b| matches!(b, b'*' | b'\n' | b'\r')),
                "a value byte of `{}` is not masked",
                e.key.value
            );
        }
    }
    for e in &f.errors {
        assert_span(text, e.span.start, e.span.end, "env error");
    }
});
