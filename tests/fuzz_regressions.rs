//! Inputs the fuzz targets (`fuzz/`) found to break an invariant, minimized, each held to the
//! invariant it broke. They run on stable with `cargo test`; the fuzz targets need nightly.

use deploylint::parse::envfile;
use deploylint::source::FileId;

/// A span must lie inside the text and start and end on character boundaries.
fn assert_span(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
}

/// `envfile` target: a backslash before a multi-byte character inside double quotes is no
/// escape; reading it as one stepped into the middle of the character (a panic on slicing).
#[test]
fn envfile_backslash_before_a_multibyte_character() {
    let text = "A=\"x\\é\"\nB=\"\\\u{feff}\\\\\"\nC=1\n";
    let f = envfile::parse(FileId(0), text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let keys: Vec<&str> = f.entries.iter().map(|e| e.key.value.as_str()).collect();
    assert_eq!(keys, ["A", "B", "C"]);
    let masked = envfile::mask(text);
    assert_eq!(masked.len(), text.len());
    for e in &f.entries {
        let v = e.value_span.unwrap_or_default();
        assert_span(text, v.start, v.end);
        assert!(masked[v.start..v.end].bytes().all(|b| b == b'*'), "{masked}");
    }
}
