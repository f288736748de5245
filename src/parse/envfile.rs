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
    /// Names assigned on comment lines (`# KEY=value`): a template's way to document a setting
    /// that is left unset on purpose. Names only, never printed.
    pub commented_keys: Vec<String>,
    /// The only byte ranges that may be shown: each well-formed assignment from its line start
    /// to its `=` (or `:`), when its key [may be shown](key_is_shown).
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

/// Blanks inside a line, as compose's dotenv parser counts them (no line break).
fn is_blank(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}')
}

/// A character compose accepts in a variable name (it skips blanks there, then refuses a name
/// holding a space).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

/// Where a value holds a `${` compose cannot interpolate (`${B` unclosed, `${}`, `${1}`, `${A B}`);
/// `$$` and, in double quotes, `\$` are escapes. Offsets are into `raw`.
fn invalid_interpolation(raw: &str, double_quoted: bool) -> Option<usize> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(_)) if double_quoted => i += 2,
            (b'$', Some(b'$')) => i += 2,
            (b'$', Some(b'{')) => {
                let mut j = i + 2;
                if !b.get(j).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
                    return Some(i);
                }
                while b.get(j).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    j += 1;
                }
                let colon = b.get(j) == Some(&b':');
                if colon {
                    j += 1;
                }
                let ok = match b.get(j) {
                    Some(b'}') => !colon,
                    Some(b'-' | b'+' | b'?') => b[j..].contains(&b'}'),
                    _ => false,
                };
                if !ok {
                    return Some(i);
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    None
}

/// Parses an env file the way compose v2 reads one (compose-go's dotenv rules): a name of
/// letters, digits, `_ . - [ ]`, then `=` or `:` and a value, or alone on its line (taken from
/// the caller's environment); `export ` before it; quoted values that may span lines, with
/// backslash escapes; `#` comment lines, and ` #` comments after an unquoted value.
pub fn parse(file: FileId, text: &str) -> EnvFile {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut out = EnvFile::default();
    let line_end =
        |from: usize| bytes.get(from..).and_then(|r| r.iter().position(|&b| b == b'\n')).map_or(n, |p| from + p);
    let mut i = 0;
    while i < n {
        // The statement start: the next character that is no white space.
        let Some((off, _)) = text[i..].char_indices().find(|(_, c)| !c.is_whitespace()) else {
            break;
        };
        i += off;
        let eol = line_end(i);
        if bytes[i] == b'#' {
            let body = text[i + 1..eol].trim_start_matches(is_blank);
            let body = body.strip_prefix("export ").map_or(body, |b| b.trim_start_matches(is_blank));
            if let Some((name, _)) = body.split_once('=') {
                let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if valid {
                    out.commented_keys.push(name.to_string());
                }
            }
            i = eol;
            continue;
        }
        let mut start = i;
        let rest = &text[i..eol];
        if let Some(after) = rest.strip_prefix("export") {
            if after.starts_with([' ', '\t']) {
                start += 6 + (after.len() - after.trim_start_matches(is_blank).len());
            }
        }
        // The name: up to `=`, `:` or the line end.
        let mut sep = None;
        let mut bad_char = None;
        for (o, c) in text[start..eol].char_indices() {
            if c == '=' || c == ':' {
                sep = Some(start + o);
                break;
            }
            if !is_blank(c) && !is_name_char(c) {
                bad_char = Some(start + o);
                break;
            }
        }
        let key_end = sep.unwrap_or(eol);
        let key = text[start..key_end].trim_end_matches(|c: char| c.is_whitespace());
        let error = match bad_char {
            Some(_) => Some("a variable name holds a character compose does not accept"),
            None if key.contains(' ') => Some("a variable name holds a space"),
            None => None,
        };
        if let Some(message) = error {
            out.errors.push(ParseError { span: Span::new(file, i..eol), message: message.to_string() });
            i = eol;
            continue;
        }
        let key = Spanned::new(key.to_string(), Span::new(file, start..start + key.len()));
        // What may be shown once the assignment is read: from the line start to the separator.
        let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
        let prefix = sep.filter(|_| key_is_shown(&key.value)).map(|sep| line_start..sep + 1);
        let Some(sep) = sep else {
            // A name alone on its line: taken from the environment of the caller.
            if !key.value.is_empty() {
                out.entries.push(EnvEntry { key, value: None, value_span: None });
            }
            i = eol;
            continue;
        };
        // The value.
        let mut v = sep + 1;
        v += text[v..eol].len() - text[v..eol].trim_start_matches(is_blank).len();
        match bytes.get(v) {
            Some(&q) if q == b'\'' || q == b'"' => {
                // A backslash escapes the next character (the quote too); in double quotes
                // `\n \t \r \\ \$` are then read as escapes.
                let mut p = v + 1;
                let mut value = String::new();
                let mut closed = None;
                let mut escape = false;
                while p < n {
                    let b = bytes[p];
                    if b == q && !escape {
                        closed = Some(p);
                        break;
                    }
                    p += 1;
                    if b == q {
                        escape = false;
                        value.push(q as char);
                        continue;
                    }
                    if b == b'\\' && !escape {
                        escape = true;
                        continue;
                    }
                    let ch_len = text[p - 1..].chars().next().map_or(1, char::len_utf8);
                    let ch = &text[p - 1..p - 1 + ch_len];
                    p += ch_len - 1;
                    if escape {
                        escape = false;
                        match (q, ch) {
                            (b'"', "n") => value.push('\n'),
                            (b'"', "t") => value.push('\t'),
                            (b'"', "r") => value.push('\r'),
                            (b'"', "\\" | "$") => value.push_str(ch),
                            _ => {
                                value.push('\\');
                                value.push_str(ch);
                            }
                        }
                        continue;
                    }
                    value.push_str(ch);
                }
                let Some(end) = closed else {
                    out.errors.push(ParseError {
                        span: Span::new(file, v..v + 1),
                        message: "unterminated quoted value".to_string(),
                    });
                    break;
                };
                if q == b'"' {
                    if let Some(at) = invalid_interpolation(&text[v + 1..end], true) {
                        let at = v + 1 + at;
                        out.errors.push(ParseError {
                            span: Span::new(file, at..at + 2),
                            message: "a `${` compose cannot interpolate".to_string(),
                        });
                    }
                }
                out.shown.extend(prefix);
                out.entries.push(EnvEntry { key, value: Some(value), value_span: Some(Span::new(file, v..end + 1)) });
                // Compose reads on after the closing quote; whatever follows on the line (a
                // comment, or more text) is masked and not taken for a name.
                i = line_end(end + 1);
            }
            _ => {
                // Unquoted: up to ` #` or the line end.
                let line = &text[v..eol];
                let end = line.find(" #").map_or(eol, |p| v + p);
                let raw = text[v..end].trim_end_matches(|c: char| c.is_whitespace());
                let vend = v + raw.len();
                if let Some(at) = invalid_interpolation(raw, false) {
                    let at = v + at;
                    out.errors.push(ParseError {
                        span: Span::new(file, at..at + 2),
                        message: "a `${` compose cannot interpolate".to_string(),
                    });
                }
                out.shown.extend(prefix);
                out.entries.push(EnvEntry {
                    key,
                    value: Some(raw.to_string()),
                    value_span: Some(Span::new(file, v..vend)),
                });
                i = eol;
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
    fn mask_shows_only_the_keys_of_assignments_and_keeps_offsets() {
        let text = "A=s3cr3t\n  export B=\"multi\nline\" # c\nC='q'\nbad line=leak\n# old=pw\nBARE\nTOKEN dG9rZW4=\ndG9rZW4=\nD: colon\né=x\n";
        let m = mask(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(
            m,
            "A=******\n  export B=******\n*********\nC=***\n*************\n********\n****\n**************\n********\nD:******\né=*\n"
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
    fn commented_assignments_name_documented_keys() {
        let f = parse(FileId(0), "# LOG_FORMAT=json\n#export SENTRY_DSN=\n# a note = prose\nA=1\n");
        assert_eq!(f.commented_keys, ["LOG_FORMAT", "SENTRY_DSN"]);
        assert!(f.get("LOG_FORMAT").is_none());
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
        assert!(m.contains("A=") && !m.contains("# c"), "comments are masked too: {m}");
    }

    #[test]
    fn debug_output_masks_values() {
        let f = parse(FileId(0), "TOKEN=hunter2\n");
        assert!(!format!("{f:?}").contains("hunter2"));
    }
}
