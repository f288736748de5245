//! Env files in the dotenv syntax compose reads: `KEY=value`, `export KEY=value`, single and
//! double quotes (double quotes span lines and know `\n \t \\ \"`), inline ` # comments`, and a
//! bare `KEY` (taken from the environment of the caller).
//!
//! Values are kept for the checks that need them (empty? placeholder?) but never leave the
//! model: nothing here implements `Display` for a value, and [`mask`] hides them in snippets.

use super::ParseError;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: Spanned<String>,
    /// `None` for a bare `KEY` line.
    value: Option<String>,
    /// The raw value in the file, quotes included.
    pub value_span: Option<Span>,
}

impl std::fmt::Debug for EnvEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the value, not even in debug output.
        f.debug_struct("EnvEntry").field("key", &self.key).field("value", &"<masked>").finish()
    }
}

impl EnvEntry {
    /// Whether the key has a value that is not empty.
    pub fn has_value(&self) -> bool {
        self.value.as_deref().is_some_and(|v| !v.is_empty())
    }
    /// Whether the key is written with `=` (possibly empty).
    pub fn is_assigned(&self) -> bool {
        self.value.is_some()
    }
}

#[derive(Debug, Default, Clone)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub errors: Vec<ParseError>,
    /// Byte ranges that hold values (for masking), including the rest of lines in error.
    secret_ranges: Vec<std::ops::Range<usize>>,
}

impl EnvFile {
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.key.value == key)
    }
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-')
}

pub fn parse(file: FileId, text: &str) -> EnvFile {
    let bytes = text.as_bytes();
    let mut out = EnvFile::default();
    let mut i = 0;
    let n = bytes.len();
    let line_end = |from: usize| bytes[from..].iter().position(|&b| b == b'\n').map_or(n, |p| from + p);
    while i < n {
        // Skip leading blanks.
        while i < n && matches!(bytes[i], b' ' | b'\t' | b'\r') {
            i += 1;
        }
        if i >= n {
            break;
        }
        if bytes[i] == b'\n' {
            i += 1;
            continue;
        }
        let eol = line_end(i);
        if bytes[i] == b'#' {
            i = eol + 1;
            continue;
        }
        let mut start = i;
        if text[start..].starts_with("export ") || text[start..].starts_with("export\t") {
            start += 7;
            while start < eol && matches!(bytes[start], b' ' | b'\t') {
                start += 1;
            }
        }
        let mut k = start;
        while k < eol && is_key_byte(bytes[k]) {
            k += 1;
        }
        let key = &text[start..k];
        let mut j = k;
        while j < eol && matches!(bytes[j], b' ' | b'\t') {
            j += 1;
        }
        let key_ok = !key.is_empty() && !key.as_bytes()[0].is_ascii_digit();
        if !key_ok || (j < eol && bytes[j] != b'=' && bytes[j] != b'\r' && bytes[j] != b'#') {
            out.errors.push(ParseError { span: Span::new(file, i..eol), message: "expected `KEY=VALUE`".to_string() });
            if let Some(eq) = text[i..eol].find('=') {
                out.secret_ranges.push(i + eq + 1..eol);
            }
            i = eol + 1;
            continue;
        }
        let key = Spanned::new(key.to_string(), Span::new(file, start..k));
        if j >= eol || bytes[j] != b'=' {
            out.entries.push(EnvEntry { key, value: None, value_span: None });
            i = eol + 1;
            continue;
        }
        // The value.
        let mut v = j + 1;
        while v < eol && matches!(bytes[v], b' ' | b'\t') {
            v += 1;
        }
        match bytes.get(v) {
            Some(&q) if q == b'\'' || q == b'"' => {
                let mut p = v + 1;
                let mut value = String::new();
                let mut closed = None;
                while p < n {
                    let b = bytes[p];
                    if b == q {
                        closed = Some(p);
                        break;
                    }
                    if q == b'"' && b == b'\\' && p + 1 < n {
                        let esc = bytes[p + 1];
                        let unescaped = match esc {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'\\' => '\\',
                            b'"' => '"',
                            b'$' => '$',
                            _ => {
                                // Not an escape: the backslash stays, and the next character
                                // (possibly several bytes) is read as itself.
                                value.push('\\');
                                p += 1;
                                continue;
                            }
                        };
                        value.push(unescaped);
                        p += 2;
                        continue;
                    }
                    let ch_len = text[p..].chars().next().map_or(1, char::len_utf8);
                    value.push_str(&text[p..p + ch_len]);
                    p += ch_len;
                }
                match closed {
                    Some(end) => {
                        out.secret_ranges.push(v..end + 1);
                        out.entries.push(EnvEntry {
                            key,
                            value: Some(value),
                            value_span: Some(Span::new(file, v..end + 1)),
                        });
                        // The rest of the closing line may only hold a comment.
                        let rest_end = line_end(end + 1);
                        let rest = text[end + 1..rest_end].trim();
                        if !rest.is_empty() && !rest.starts_with('#') {
                            out.errors.push(ParseError {
                                span: Span::new(file, end + 1..rest_end),
                                message: "unexpected text after the closing quote".to_string(),
                            });
                            out.secret_ranges.push(end + 1..rest_end);
                        }
                        i = rest_end + 1;
                    }
                    None => {
                        out.errors.push(ParseError {
                            span: Span::new(file, v..v + 1),
                            message: "unterminated quoted value".to_string(),
                        });
                        out.secret_ranges.push(v..n);
                        i = n;
                    }
                }
            }
            _ => {
                // Unquoted: up to an inline comment (a `#` after whitespace) or the line end.
                let mut end = eol;
                let mut p = v;
                while p < eol {
                    if bytes[p] == b'#' && p > v && matches!(bytes[p - 1], b' ' | b'\t') {
                        end = p;
                        break;
                    }
                    p += 1;
                }
                let raw = text[v..end].trim_end();
                let vend = v + raw.len();
                out.secret_ranges.push(v..vend);
                out.entries.push(EnvEntry {
                    key,
                    value: Some(raw.to_string()),
                    value_span: Some(Span::new(file, v..vend)),
                });
                i = eol + 1;
            }
        }
    }
    out
}

/// The text with every value replaced by `*` (byte for byte, newlines kept), so that snippets
/// of an env file can be shown without its secrets.
pub fn mask(text: &str) -> String {
    let parsed = parse(FileId(0), text);
    let mut bytes = text.as_bytes().to_vec();
    for r in &parsed.secret_ranges {
        for b in bytes.iter_mut().take(r.end.min(text.len())).skip(r.start) {
            if *b != b'\n' && *b != b'\r' {
                *b = b'*';
            }
        }
    }
    // Only ASCII `*` replaced whole bytes of (possibly multi-byte) characters: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        parse(FileId(0), text).entries.iter().map(|e| e.key.value.clone()).collect()
    }

    #[test]
    fn reads_compose_dotenv_syntax() {
        let text = "# c\nA=1\nexport B=two words # note\nC='x # y'\nD=\"l1\nl2\"\nE=\nF\n  G = spaced\n";
        let f = parse(FileId(0), text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(keys(text), ["A", "B", "C", "D", "E", "F", "G"]);
        assert!(f.get("A").is_some_and(EnvEntry::has_value));
        assert!(f.get("E").is_some_and(|e| e.is_assigned() && !e.has_value()));
        assert!(f.get("F").is_some_and(|e| !e.is_assigned()));
        assert_eq!(f.get("B").and_then(|e| e.value.clone()).as_deref(), Some("two words"));
        assert_eq!(f.get("D").and_then(|e| e.value.clone()).as_deref(), Some("l1\nl2"));
    }

    #[test]
    fn reports_broken_lines_and_goes_on() {
        let f = parse(FileId(0), "BAD LINE here\nOK=1\nQ=\"open\nR=2\n");
        assert_eq!(f.errors.len(), 2);
        assert_eq!(keys("BAD LINE here\nOK=1\n"), ["OK"]);
    }

    #[test]
    fn mask_hides_every_value_and_keeps_offsets() {
        let text = "A=s3cr3t\nB=\"multi\nline\" # c\nC='q'\nbad line=leak\n";
        let m = mask(text);
        assert_eq!(m.len(), text.len());
        for secret in ["s3cr3t", "multi", "line\"", "'q'", "leak"] {
            assert!(!m.contains(secret), "{m}");
        }
        assert!(m.contains("A=") && m.contains("# c"));
    }

    #[test]
    fn debug_output_masks_values() {
        let f = parse(FileId(0), "TOKEN=hunter2\n");
        assert!(!format!("{f:?}").contains("hunter2"));
    }
}
