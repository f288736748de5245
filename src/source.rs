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
    /// Another Rust source file (a module of a crate).
    Rust,
    /// A Python module (`.py`).
    Python,
    /// A JavaScript or TypeScript module (`.js`, `.mjs`, `.cjs`, `.ts`, `.mts`, `.cts`).
    Js,
    /// A Node package manifest (`package.json`).
    PackageJson,
    /// A release tool's config that builds binaries outside Docker (goreleaser, ko, promu).
    ReleaseConfig,
    /// A `just` command runner file.
    Justfile,
    /// A `docker buildx bake` file in HCL.
    BakeFile,
    /// A directory discovery could not read (only ever a skipped entry).
    Directory,
    /// A numbered migration file (`*.sql`): known by its path, never read (its text is empty).
    Migration,
    /// A systemd unit that may be scheduled: a `.timer`, or a `.service` a timer starts.
    SystemdUnit,
    /// A Kubernetes manifest that may hold a `CronJob`: a YAML file named like one
    /// (`cronjob.yaml`, `backup-cron.yml`) or kept under a `k8s/`, `kubernetes/` folder.
    KubeManifest,
    /// A uWSGI config (`uwsgi.ini`, `app.wsgi.ini`): the module or file the server loads.
    UwsgiIni,
    /// An INI file that holds ofelia job sections (`[job-exec "name"]`): any `*.ini` that is
    /// none is dropped when read.
    OfeliaIni,
}

/// One file that discovery read.
pub struct SourceFile {
    /// Path relative to the linted root, with `/`.
    pub path: String,
    pub kind: Kind,
    pub text: String,
    /// Whether `.gitignore` excludes the file (env files are read even then).
    pub git_ignored: bool,
    /// Lines and characters, computed the first time a position is rendered.
    index: std::sync::OnceLock<LineIndex>,
}

impl std::fmt::Debug for SourceFile {
    /// The text is left out: an env file's text holds secrets, and debug output is output.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceFile")
            .field("path", &self.path)
            .field("kind", &self.kind)
            .field("len", &self.text.len())
            .field("git_ignored", &self.git_ignored)
            .finish()
    }
}

impl SourceFile {
    pub fn new(path: String, kind: Kind, text: String, git_ignored: bool) -> SourceFile {
        SourceFile { path, kind, text, git_ignored, index: std::sync::OnceLock::new() }
    }

    /// The file's line index, built once.
    pub fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and 1-based column in characters of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let (line, col) = self.index().line_col(&self.text, offset);
        (line + 1, col + 1)
    }
}

/// Where the lines of a text start, and how many characters precede every 256th byte, so that
/// a position costs a binary search and at most 256 bytes of counting, however long the line.
#[derive(Debug, Default)]
pub struct LineIndex {
    /// Byte offsets of line starts (the first is 0).
    starts: Vec<usize>,
    /// `chars[k]`: characters in `text[..k * CHUNK]`.
    chars: Vec<usize>,
}

const CHUNK: usize = 256;

/// Whether a byte starts a character (is not a UTF-8 continuation byte).
fn starts_char(b: u8) -> bool {
    b & 0xC0 != 0x80
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(bytes.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(i, _)| i + 1));
        let mut chars = Vec::with_capacity(bytes.len() / CHUNK + 1);
        let mut count = 0;
        for chunk in bytes.chunks(CHUNK) {
            chars.push(count);
            count += chunk.iter().filter(|b| starts_char(**b)).count();
        }
        chars.push(count);
        LineIndex { starts, chars }
    }

    /// Number of lines (a text without a final newline still ends with a line).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line of a byte offset.
    pub fn line_of(&self, offset: usize) -> usize {
        self.starts.partition_point(|&s| s <= offset).saturating_sub(1)
    }

    /// Byte range of a 0-based line, without its line break (`\n`, or `\r\n`).
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let start = self.starts.get(line).copied().unwrap_or(text.len()).min(text.len());
        let next = self.starts.get(line + 1).copied().unwrap_or(text.len() + 1);
        let mut end = next.saturating_sub(1).min(text.len()).max(start);
        if end > start && text.as_bytes().get(end - 1) == Some(&b'\r') && next <= text.len() {
            end -= 1;
        }
        start..end
    }

    /// Byte offset where the line after `line` starts (the text's length after the last one).
    pub fn next_line_start(&self, text: &str, line: usize) -> usize {
        self.starts.get(line + 1).copied().unwrap_or(text.len()).min(text.len())
    }

    /// Characters in `text[..offset]`.
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        let k = offset / CHUNK;
        let base = self.chars.get(k).copied().unwrap_or(0);
        let rest = text.as_bytes().get(k * CHUNK..offset).unwrap_or(&[]);
        base + rest.iter().filter(|b| starts_char(**b)).count()
    }

    /// Characters in `text[from..to]`.
    pub fn chars_between(&self, text: &str, from: usize, to: usize) -> usize {
        self.chars_before(text, to).saturating_sub(self.chars_before(text, from))
    }

    /// 0-based line and 0-based column in characters of a byte offset.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self.line_of(offset);
        let start = self.starts.get(line).copied().unwrap_or(0);
        (line, self.chars_between(text, start, offset))
    }
}

/// All files read in one run.
#[derive(Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
    /// File ids sorted by path (then id), built on the first look-up, so finding a path does
    /// not scan every file.
    by_path: std::sync::OnceLock<Vec<FileId>>,
}

impl Sources {
    /// The files of a discovery, ids in their order, taken as they are (no copy).
    pub fn from_files(files: Vec<SourceFile>) -> Sources {
        let mut files = files;
        files.truncate(u32::MAX as usize);
        Sources { files, by_path: std::sync::OnceLock::new() }
    }

    pub fn add(&mut self, file: SourceFile) -> FileId {
        let id = FileId(u32::try_from(self.files.len()).unwrap_or(u32::MAX));
        self.files.push(file);
        self.by_path = std::sync::OnceLock::new();
        id
    }
    pub fn len(&self) -> usize {
        self.files.len()
    }
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
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
    /// The first file read with this path.
    pub fn find(&self, path: &str) -> Option<FileId> {
        let index = self.by_path.get_or_init(|| {
            let mut ids: Vec<FileId> = self.iter().map(|(id, _)| id).collect();
            // Files are mostly added in path order: this sort is close to linear.
            ids.sort_by(|a, b| self.path(*a).cmp(self.path(*b)).then(a.0.cmp(&b.0)));
            ids
        });
        let at = index.partition_point(|id| self.path(*id) < path);
        index.get(at).copied().filter(|id| self.path(*id) == path)
    }
}

/// A character that must not reach a terminal as it is: a control character other than a line
/// break or a tab (ESC starts escape sequences), or a bidirectional override that reorders what
/// is shown.
fn is_unsafe(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
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
    // Most paths are printable ASCII already in normal form: taken as they are.
    let bytes = path.as_os_str().as_encoded_bytes();
    let plain = bytes.iter().all(|&b| (0x20..0x7f).contains(&b) && b != b'\\');
    let normal = !bytes.is_empty()
        && !bytes.ends_with(b"/")
        && !bytes.ends_with(b"/.")
        && !bytes.starts_with(b"./")
        && bytes != b"."
        && !bytes.windows(2).any(|w| w == b"//")
        && !bytes.windows(3).any(|w| w == b"/./");
    if plain && normal {
        return String::from_utf8_lossy(bytes).into_owned();
    }
    path_text_by_components(path)
}

fn path_text_by_components(path: &std::path::Path) -> String {
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
    #[test]
    fn path_text_takes_plain_paths_as_the_component_walk_writes_them() {
        use std::path::Path;
        for p in [
            "a",
            "a/b.go",
            "/abs/x",
            "a//b",
            "a/./b",
            "./a",
            "a/",
            "a/.",
            ".",
            "..",
            "a/../b",
            "x y/z~",
            "tab\there",
            "back\\slash",
            "caf\u{e9}/x",
            "a/\u{1b}[31m",
        ] {
            let path = Path::new(p);
            assert_eq!(super::path_text(path), super::path_text_by_components(path), "{p:?}");
        }
    }

    use super::*;

    #[test]
    fn find_gives_the_first_file_of_a_path_also_after_more_are_added() {
        let mut s = Sources::default();
        let b = s.add(SourceFile::new("b/Dockerfile".into(), Kind::Dockerfile, String::new(), false));
        let a = s.add(SourceFile::new("a/.env".into(), Kind::EnvFile, String::new(), false));
        assert_eq!(s.find("a/.env"), Some(a));
        assert_eq!(s.find("b/Dockerfile"), Some(b));
        assert_eq!(s.find("c"), None);
        // A file not read is added again under the same path: the first stays the answer.
        let again = s.add(SourceFile::new("b/Dockerfile".into(), Kind::Dockerfile, String::new(), false));
        let c = s.add(SourceFile::new("0".into(), Kind::Shell, String::new(), false));
        assert_ne!(again, b);
        assert_eq!(s.find("b/Dockerfile"), Some(b));
        assert_eq!(s.find("0"), Some(c));
    }

    #[test]
    fn line_col_counts_characters() {
        let f = SourceFile::new("a".into(), Kind::Shell, "ab\nçd x\n".into(), false);
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // `ç` is two bytes: the byte offset of `x` is 3 + 2 + 1 + 1 = 7, column 4.
        assert_eq!(f.line_col(7), (2, 4));
    }

    #[test]
    fn line_index_counts_characters_on_long_lines() {
        // Past several chunks of the character index, with multi-byte characters on the way.
        let text = format!("{}\n{}x", "é".repeat(300), "ab".repeat(400));
        let f = SourceFile::new("a".into(), Kind::Shell, text.clone(), false);
        assert_eq!(f.line_col(600), (1, 301));
        let x = text.len() - 1;
        assert_eq!(f.line_col(x), (2, 801));
        assert_eq!(f.line_col(text.len() + 10), (2, 802));
        let idx = f.index();
        assert_eq!(idx.line_range(&text, 0), 0..600);
        assert_eq!(idx.line_range(&text, 1), 601..text.len());
        assert_eq!(idx.line_count(), 2);
        let crlf = "a\r\nbc\r\n";
        let i = LineIndex::new(crlf);
        assert_eq!(i.line_range(crlf, 0), 0..1);
        assert_eq!(i.line_range(crlf, 1), 3..5);
        assert_eq!(i.line_range(crlf, 2), 7..7);
    }

    #[test]
    fn debug_output_leaves_the_text_out() {
        let f = SourceFile::new(".env".into(), Kind::EnvFile, "TOKEN=hunter2\n".into(), false);
        assert!(!format!("{f:?}").contains("hunter2"));
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
    fn messages_are_terminal_safe() {
        assert_eq!(escape_controls("plain `x`"), "plain `x`");
        assert_eq!(escape_controls("a\nb\x1b[31m"), "a\\nb\\x1b[31m");
    }
}
