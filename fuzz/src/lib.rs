//! Invariants shared by the fuzz targets. A broken invariant panics, which libFuzzer reports as
//! a crash and saves under `fuzz/artifacts/<target>/`.

use std::fmt::Debug;

/// Every byte span a parser can return must lie inside the text it read and start and end on
/// character boundaries (renderers slice the text with them).
pub fn assert_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(start <= end, "{what}: span {start}..{end} is reversed");
    assert!(end <= text.len(), "{what}: span {start}..{end} ends past the text ({} bytes)", text.len());
    assert!(text.is_char_boundary(start), "{what}: span start {start} is inside a character");
    assert!(text.is_char_boundary(end), "{what}: span end {end} is inside a character");
}

/// The `Span { file: FileId(F), start: S, end: E }` values in a `{:?}` rendering, outside string
/// and character literals (so that input text can never pose as a span).
pub fn debug_spans(debug: &str) -> Vec<(u32, usize, usize)> {
    const OPEN: &str = "Span { file: FileId(";
    let b = debug.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'"' => {
                // A string literal: Debug escapes `"` and `\` inside it.
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'\'' => {
                // A char literal: `'x'`, `'\''`, `'\u{1f}'`.
                let rest = &debug[i + 1..];
                let skip = if rest.starts_with('\\') {
                    rest.get(2..).and_then(|r| r.find('\'')).map_or(rest.len(), |p| p + 3)
                } else {
                    rest.chars().next().map_or(0, char::len_utf8) + 1
                };
                i += 1 + skip;
            }
            b'S' if debug[i..].starts_with(OPEN) => {
                let rest = &debug[i + OPEN.len()..];
                let parsed = (|| {
                    let (file, rest) = rest.split_once("), start: ")?;
                    let (start, rest) = rest.split_once(", end: ")?;
                    let (end, _) = rest.split_once(" }")?;
                    Some((file.parse().ok()?, start.parse().ok()?, end.parse().ok()?))
                })();
                match parsed {
                    Some(s) => out.push(s),
                    None => {
                        panic!("unreadable span in debug output near {:?}", rest.chars().take(60).collect::<String>())
                    }
                }
                i += OPEN.len();
            }
            _ => i += 1,
        }
    }
    out
}

/// Checks every span in the debug rendering of `value` against `text` (one file, any id).
pub fn assert_debug_spans(value: &impl Debug, text: &str, what: &str) -> usize {
    let spans = debug_spans(&format!("{value:?}"));
    for (_, start, end) in &spans {
        assert_span(text, *start, *end, what);
    }
    spans.len()
}

/// The input as text, the way discovery reads a file: valid UTF-8 only, no NUL, no leading BOM.
pub fn as_text(data: &[u8]) -> Option<&str> {
    let text = std::str::from_utf8(data).ok()?;
    if text.contains('\0') {
        return None;
    }
    Some(text.strip_prefix('\u{feff}').unwrap_or(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_spans_outside_literals() {
        let d = r#"X { a: Span { file: FileId(0), start: 1, end: 3 }, s: "Span { file: FileId(0), start: 9, end: 1 }", c: '"', t: "\"", u: Span { file: FileId(2), start: 4, end: 4 } }"#;
        assert_eq!(debug_spans(d), [(0, 1, 3), (2, 4, 4)]);
    }
}
