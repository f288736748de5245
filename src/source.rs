//! Source files, byte spans and the line index.
//!
//! Every value the parsers produce carries a [`Span`]: a file and a byte range. Lines and
//! columns are only computed when a diagnostic is rendered.

use std::ops::Range;

/// Index of a file in [`Sources`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A byte range in one file.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(file: FileId, range: Range<usize>) -> Span {
        Span { file, start: range.start, end: range.end.max(range.start) }
    }
    /// The smallest span covering both (same file assumed).
    pub fn to(self, other: Span) -> Span {
        Span { file: self.file, start: self.start.min(other.start), end: self.end.max(other.end) }
    }
}

/// A value with the place it was read from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    pub value: T,
    pub span: Span,
}

impl<T> Spanned<T> {
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// What a file is, decided by discovery from its name (and, for scripts, its shebang).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Dockerfile,
    Compose,
    EnvFile,
    Crontab,
    Shell,
    Markdown,
    Go,
    GoMod,
    GitIgnore,
    DockerIgnore,
    Makefile,
    GithubWorkflow,
    GitlabCi,
    CargoToml,
    /// A Rust binary's main source file (`src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs`).
    RustMain,
    /// A directory discovery could not read (only ever a skipped entry).
    Directory,
}

/// One file that discovery read.
#[derive(Debug)]
pub struct SourceFile {
    /// Path relative to the linted root, with `/`.
    pub path: String,
    pub kind: Kind,
    pub text: String,
    /// Whether `.gitignore` excludes the file (env files are read even then).
    pub git_ignored: bool,
    /// Byte offsets of line starts, computed the first time a position is rendered.
    line_starts: std::sync::OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: String, kind: Kind, text: String, git_ignored: bool) -> SourceFile {
        SourceFile { path, kind, text, git_ignored, line_starts: std::sync::OnceLock::new() }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(self.text.match_indices('\n').map(|(i, _)| i + 1));
            starts
        })
    }

    /// 1-based line and 1-based column in characters of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let starts = self.line_starts();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let start = starts.get(line - 1).copied().unwrap_or(0);
        let col = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line, col + 1)
    }

    /// The text as it may be shown to a user. Env files hold secrets: every value is masked
    /// (same byte length, so spans stay valid).
    pub fn display_text(&self) -> String {
        let text = if self.kind == Kind::EnvFile { crate::parse::envfile::mask(&self.text) } else { self.text.clone() };
        terminal_safe(text)
    }
}

/// All files read in one run.
#[derive(Debug, Default)]
pub struct Sources {
    pub files: Vec<SourceFile>,
}

impl Sources {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(u32::try_from(self.files.len() - 1).unwrap_or(u32::MAX))
    }
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }
    pub fn path(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| f.path.as_str())
    }
    pub fn text(&self, id: FileId) -> &str {
        self.get(id).map_or("", |f| f.text.as_str())
    }
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(i, f)| (FileId(i as u32), f))
    }
    pub fn find(&self, path: &str) -> Option<FileId> {
        self.iter().find(|(_, f)| f.path == path).map(|(id, _)| id)
    }
}

/// A character that must not reach a terminal as it is: a control character other than a line
/// break or a tab (ESC starts escape sequences), or a bidirectional override that reorders what
/// is shown.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// File text as it may be shown in a snippet: every unsafe character is replaced by as many
/// bytes of `?` (or one U+FFFD for a three-byte character), so byte spans stay valid.
pub fn terminal_safe(text: String) -> String {
    if !text.chars().any(is_unsafe) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c.len_utf8() {
            _ if !is_unsafe(c) => out.push(c),
            3 => out.push('\u{fffd}'),
            n => out.extend(std::iter::repeat_n('?', n)),
        }
    }
    out
}

fn push_escaped(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        c if c.is_ascii() => out.push_str(&format!("\\x{:02x}", c as u32)),
        c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
    }
}

/// Text of a message as it may be shown on one line: line breaks, tabs, control characters
/// and bidirectional overrides are written as escapes (`\n`, `\x1b`, `\u{202e}`).
pub fn escape_controls(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(|c| is_unsafe(c) || matches!(c, '\n' | '\t' | '\r')) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_unsafe(c) || matches!(c, '\n' | '\t' | '\r') {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// The one way a path becomes text: components joined with `/`; in each, a backslash is `\\`,
/// a control character or bidirectional override an escape (`\n`, `\x1b`), and a byte that is
/// not UTF-8 `\xNN`. Distinct paths give distinct texts, every text is one line, and no escape
/// sequence reaches a terminal.
pub fn path_text(path: &std::path::Path) -> String {
    let mut out = String::new();
    for (i, part) in path.components().enumerate() {
        if i > 0 && !out.ends_with('/') {
            out.push('/');
        }
        match part {
            std::path::Component::RootDir => out.push('/'),
            other => escape_os(&mut out, other.as_os_str()),
        }
    }
    out
}

fn escape_os(out: &mut String, part: &std::ffi::OsStr) {
    let bytes = part.as_encoded_bytes();
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c == '\\' {
                out.push_str("\\\\");
            } else if is_unsafe(c) || matches!(c, '\n' | '\t' | '\r') {
                push_escaped(out, c);
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
}

/// Joins a relative directory and a relative path, resolving `.` and `..`; `None` when the
/// result leaves the root.
pub fn join_rel(dir: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect()
    };
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// The directory part of a relative path (`""` for a file at the root).
pub fn parent_dir(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// The last component of a path.
pub fn file_name(path: &str) -> &str {
    let trimmed = path.trim_end_matches('/');
    trimmed.rfind('/').map_or(trimmed, |i| &trimmed[i + 1..])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a".into(), Kind::Shell, "ab\nçd x\n".into(), false);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // `ç` is two bytes: the byte offset of `x` is 3 + 2 + 1 + 1 = 7, column 4.
        assert_eq!(f.line_col(7), (2, 4));
    }

    #[test]
    fn join_rel_resolves_dots() {
        assert_eq!(join_rel("backend", "./cmd/x").as_deref(), Some("backend/cmd/x"));
        assert_eq!(join_rel("a/b", "../c").as_deref(), Some("a/c"));
        assert_eq!(join_rel("", ".."), None);
        assert_eq!(join_rel("", ".").as_deref(), Some(""));
    }

    #[cfg(unix)]
    #[test]
    fn paths_become_one_safe_line() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;
        let p = |b: &[u8]| path_text(std::path::Path::new(OsStr::from_bytes(b)));
        assert_eq!(p(b"a/b/Dockerfile"), "a/b/Dockerfile");
        assert_eq!(p(b"n\nl/\x1b[2J/x\ty"), "n\\nl/\\x1b[2J/x\\ty");
        assert_eq!(p(b"bad\xffname/\xc3\xa9"), "bad\\xffname/\u{e9}");
        // Distinct names stay distinct: a backslash is escaped, a C1 control is not a byte.
        assert_ne!(p(b"a\\x1b"), p(b"a\x1b"));
        assert_ne!(p(b"\xc2\x9b"), p(b"\x9b"));
        assert_eq!(p("rtl\u{202e}gpj.sh".as_bytes()), "rtl\\u{202e}gpj.sh");
        for s in [p(b"n\nl\r\x1b\x07\x7f"), p("\u{9b}31m".as_bytes())] {
            assert!(!s.chars().any(char::is_control), "{s:?}");
        }
    }

    #[test]
    fn messages_and_snippets_are_terminal_safe() {
        assert_eq!(escape_controls("plain `x`"), "plain `x`");
        assert_eq!(escape_controls("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
        let text = "a\x1b[31m\u{9b}b\u{202e}c\n\td\r\n".to_string();
        let safe = terminal_safe(text.clone());
        assert_eq!(safe.len(), text.len(), "byte offsets are kept");
        assert_eq!(safe, "a?[31m??b\u{fffd}c\n\td\r\n");
    }
}
