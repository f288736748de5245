//! Env files in the dotenv syntax compose reads: `KEY=value`, `export KEY=value`, single and
//! double quotes (double quotes span lines and know `\n \t \\ \"`), inline ` # comments`, and a
//! bare `KEY` (taken from the environment of the caller).
//!
//! Values are kept for the checks that need them (empty? placeholder?) but never leave the
//! model: nothing here implements `Display` for a value. What may be shown of an env file is
//! decided here, by construction: the parser records the bytes of each well-formed
//! assignment up to its `=` (blanks, `export`, the key), and [`mask`] hides every other byte
//! (values, comments, malformed lines, bare words).

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
    /// The only byte ranges that may be shown: each well-formed assignment from its line start
    /// to its `=`, when its key [may be shown](key_is_shown).
    shown: Vec<std::ops::Range<usize>>,
}

impl EnvFile {
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.key.value == key)
    }

    /// The keys that may be printed: those of assignments (`KEY=…`) whose name
    /// [may be shown](key_is_shown). A bare word (`KEY`, or a pasted token) is never listed.
    pub fn listed_keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter(|e| e.is_assigned() && key_is_shown(&e.key.value)).map(|e| e.key.value.as_str())
    }
}

/// Whether an assigned key's name may be shown. A pasted base64 token ending in padding
/// (`dG9rZW4=`) parses as a key with an empty value; names are written in one case
/// (`DB_HOST`, `spring.datasource.url`) and long names have separators, tokens do not.
pub fn key_is_shown(key: &str) -> bool {
    let upper = key.bytes().any(|b| b.is_ascii_uppercase());
    let lower = key.bytes().any(|b| b.is_ascii_lowercase());
    let separated = key.bytes().any(|b| matches!(b, b'_' | b'.' | b'-'));
    !(upper && lower) && (separated || key.len() <= 20)
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
        let line_start = i;
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
            out.errors.push(ParseError { span: Span::new(file, i..eol), message: "expected `NAME=value`".to_string() });
            i = eol + 1;
            continue;
        }
        let key = Spanned::new(key.to_string(), Span::new(file, start..k));
        if j >= eol || bytes[j] != b'=' {
            out.entries.push(EnvEntry { key, value: None, value_span: None });
            i = eol + 1;
            continue;
        }
        // The bytes up to the `=`, shown when the assignment is read.
        let prefix = key_is_shown(&key.value).then_some(line_start..j + 1);
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
                        match esc {
                            b'n' => value.push('\n'),
                            b't' => value.push('\t'),
                            b'r' => value.push('\r'),
                            b'\\' => value.push('\\'),
                            b'"' => value.push('"'),
                            b'$' => value.push('$'),
                            _ => {
                                value.push('\\');
                                value.push(esc as char);
                            }
                        }
                        p += 2;
                        continue;
                    }
                    let ch_len = text[p..].chars().next().map_or(1, char::len_utf8);
                    value.push_str(&text[p..p + ch_len]);
                    p += ch_len;
                }
                match closed {
                    Some(end) => {
                        out.shown.extend(prefix);
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
                        }
                        i = rest_end + 1;
                    }
                    None => {
                        out.errors.push(ParseError {
                            span: Span::new(file, v..v + 1),
                            message: "unterminated quoted value".to_string(),
                        });
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
                out.shown.extend(prefix);
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

/// The text as it may be shown: every byte outside the [shown](EnvFile::shown) ranges becomes
/// `*` except line breaks, so offsets, lines and spans stay valid. Values, comments, malformed
/// lines and bare words are all masked, whatever they hold.
pub fn mask(text: &str) -> String {
    let parsed = parse(FileId(0), text);
    let mut out = String::with_capacity(text.len());
    let mut shown = parsed.shown.iter().peekable();
    for (i, c) in text.char_indices() {
        while shown.next_if(|r| r.end <= i).is_some() {}
        let visible = matches!(c, '\n' | '\r') || shown.peek().is_some_and(|r| r.start <= i);
        if visible {
            out.push(c);
        } else {
            // One `*` per byte: the masked text has the original's byte offsets.
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        }
    }
    out
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
    fn mask_shows_only_the_keys_of_assignments_and_keeps_offsets() {
        let text = "A=s3cr3t\n  export B=\"multi\nline\" # c\nC='q'\nbad line=leak\n# old=pw\nBARE\nTOKEN dG9rZW4=\ndG9rZW4=\nD: colon\né=x\n";
        let m = mask(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(
            m,
            "A=******\n  export B=******\n*********\nC=***\n*************\n********\n****\n**************\n********\n********\n****\n"
        );
    }

    #[test]
    fn only_assigned_keys_in_one_case_are_listed() {
        let f = parse(
            FileId(0),
            "DB_HOST=x\nspring.url=y\nBARE\ndG9rZW4=\nAKIAIOSFODNN7EXAMPLE0X=\nLONG_NAME_WITH_SEPARATORS_OK=1\n",
        );
        assert_eq!(f.listed_keys().collect::<Vec<_>>(), ["DB_HOST", "spring.url", "LONG_NAME_WITH_SEPARATORS_OK"]);
        // The bare word and the token still count as keys for the checks.
        assert!(f.get("BARE").is_some() && f.get("dG9rZW4").is_some());
    }

    #[test]
    fn debug_output_masks_values() {
        let f = parse(FileId(0), "TOKEN=hunter2\n");
        assert!(!format!("{f:?}").contains("hunter2"));
    }
}
