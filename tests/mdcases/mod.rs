//! Markdown test cases: small repositories written in a Markdown file and linted in memory.
//!
//! A heading starts a section. In a section, a line that is only a path in backticks followed
//! by a colon (`` `backend/Dockerfile`: ``) names a file, and the fenced block after it (blank
//! lines may come between) holds the file's content; a section may name several files. A
//! fenced block whose info string is `findings` holds what the section's repository must
//! produce: one `CODE path:line` per finding, or `none`. A fenced block whose info string is
//! `console` holds the output of `deploylint --format concise .` on the repository, after that
//! command as its first line (`$ deploylint --format concise .`). The info string `no-final-newline`
//! after a file's language (```` ```crontab no-final-newline ````) drops the line break at the
//! end of its content. A `deploylint.toml` file is the repository's configuration.
//!
//! `tests/cases/README.md` describes the shape for writers; `tests/cases.rs` runs the case files
//! and `tests/docs.rs` the rule docs' examples.
// Each test crate that includes this module uses a part of it.
#![allow(dead_code)]

use std::ops::Range;

/// A file of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    pub path: String,
    pub text: String,
    /// The line of the Markdown file that names it.
    pub line: usize,
}

/// A `findings` block: the findings the section's repository must produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub line: usize,
    /// `CODE path:line` per finding, sorted (empty for `none`).
    pub findings: Vec<String>,
    /// The block's content in the Markdown text (what `BLESS=1` rewrites).
    pub content: Range<usize>,
}

/// A `console` block: what `deploylint --format concise .` prints for the section's repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Console {
    pub line: usize,
    pub text: String,
    /// The block's content in the Markdown text (what `BLESS=1` rewrites).
    pub content: Range<usize>,
}

/// The first line of a `console` block.
pub const PROMPT: &str = "$ deploylint --format concise .\n";

/// The text under one heading (or before the first).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Section {
    /// The heading without its `#`s (empty before the first heading).
    pub heading: String,
    pub level: usize,
    pub line: usize,
    pub files: Vec<CaseFile>,
    pub expected: Option<Expected>,
    pub console: Option<Console>,
    /// Lines of fenced blocks that name no file and are no `findings` block (prose examples).
    pub unnamed: Vec<usize>,
}

impl Section {
    /// Whether the section is a case: it names files or expects findings.
    pub fn is_case(&self) -> bool {
        !self.files.is_empty() || self.expected.is_some()
    }
}

/// A parsed Markdown file: its sections and what is wrong with its shape.
#[derive(Debug, Default)]
pub struct Doc {
    pub sections: Vec<Section>,
    /// `line: problem` for every line the shape does not allow.
    pub errors: Vec<String>,
}

impl Doc {
    /// The section of a heading, by its text.
    pub fn section(&self, heading: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.heading == heading)
    }
}

/// A finding of a linted case, with what `findings` blocks compare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub code: String,
    pub path: String,
    pub line: usize,
    pub message: String,
}

impl Found {
    /// `CODE path:line`, as a `findings` block writes it.
    pub fn key(&self) -> String {
        format!("{} {}:{}", self.code, self.path, self.line)
    }
}

/// A fence opener: its indent, its character, its length and its info string.
fn fence_open(line: &str) -> Option<(usize, char, usize, &str)> {
    let indent = line.len() - line.trim_start_matches(' ').len();
    if indent > 3 {
        return None;
    }
    let rest = &line[indent..];
    let ch = rest.chars().next().filter(|c| *c == '`' || *c == '~')?;
    let len = rest.chars().take_while(|c| *c == ch).count();
    if len < 3 {
        return None;
    }
    let info = rest[len..].trim();
    if ch == '`' && info.contains('`') {
        return None;
    }
    Some((indent, ch, len, info))
}

fn fence_closes(line: &str, ch: char, len: usize) -> bool {
    let indent = line.len() - line.trim_start_matches(' ').len();
    let rest = &line[indent..];
    let run = rest.chars().take_while(|c| *c == ch).count();
    indent <= 3 && run >= len && rest[run..].trim().is_empty()
}

/// The path of a line that names a file (`` `path`: ``).
fn file_name_line(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix('`')?.strip_suffix("`:")?;
    (!inner.is_empty() && !inner.contains('`')).then_some(inner)
}

/// A heading's level and text.
fn heading(line: &str) -> Option<(usize, &str)> {
    let level = line.chars().take_while(|c| *c == '#').count();
    let rest = line.get(level..)?;
    ((1..=6).contains(&level) && (rest.is_empty() || rest.starts_with(' ')))
        .then(|| (level, rest.trim().trim_end_matches('#').trim_end()))
}

/// The expected findings of a `findings` block's content.
fn parse_findings(content: &str, first_line: usize, errors: &mut Vec<String>) -> Vec<String> {
    let lines: Vec<(usize, &str)> =
        content.lines().enumerate().map(|(i, l)| (first_line + i, l.trim())).filter(|(_, l)| !l.is_empty()).collect();
    if let [(_, "none")] = lines.as_slice() {
        return Vec::new();
    }
    if lines.is_empty() {
        errors.push(format!("{}: an empty `findings` block (write `none`)", first_line.saturating_sub(1)));
    }
    let mut out = Vec::new();
    for (n, l) in lines {
        let mut words = l.split_whitespace();
        let (code, place, extra) = (words.next(), words.next(), words.next());
        let well_formed = code.is_some_and(|c| c.len() == 6 && c.starts_with("DPL"))
            && place.and_then(|p| p.rsplit_once(':')).is_some_and(|(p, n)| !p.is_empty() && n.parse::<usize>().is_ok())
            && extra.is_none();
        match (well_formed, code, place) {
            (true, Some(code), Some(place)) => out.push(format!("{code} {place}")),
            _ => errors.push(format!("{n}: `{l}` is no `CODE path:line` (nor `none`)")),
        }
    }
    out.sort();
    out
}

/// Reads the sections, files and `findings` blocks of a Markdown text.
pub fn parse(text: &str) -> Doc {
    let mut doc = Doc::default();
    let mut section = Section { line: 1, ..Section::default() };
    // The file named last, waiting for its block: its path and line.
    let mut pending: Option<(String, usize)> = None;
    // Byte offset of every line start, and the lines (without their line break).
    let mut lines: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        lines.push((at, raw.trim_end_matches('\n').trim_end_matches('\r')));
        at += raw.len();
    }
    let mut i = 0;
    while let Some(&(_, line)) = lines.get(i) {
        let n = i + 1;
        i += 1;
        if let Some((indent, ch, len, info)) = fence_open(line) {
            let mut content = String::new();
            let content_start = lines.get(i).map_or(text.len(), |l| l.0);
            let mut content_end = text.len();
            let mut closed = false;
            while let Some(&(s, l)) = lines.get(i) {
                i += 1;
                if fence_closes(l, ch, len) {
                    content_end = s;
                    closed = true;
                    break;
                }
                let strip = l.len() - l.trim_start_matches(' ').len();
                content.push_str(&l[strip.min(indent)..]);
                content.push('\n');
            }
            if !closed {
                doc.errors.push(format!("{n}: a fenced block that is never closed"));
            }
            let mut words = info.split_whitespace();
            let first = words.next().unwrap_or("");
            let no_final_newline = info.split_whitespace().any(|w| w == "no-final-newline");
            if first == "findings" {
                if let Some((path, at)) = pending.take() {
                    doc.errors.push(format!("{at}: `{path}` is followed by a `findings` block, not its content"));
                }
                if section.expected.is_some() {
                    doc.errors.push(format!("{n}: a second `findings` block in one section"));
                }
                let findings = parse_findings(&content, n + 1, &mut doc.errors);
                section.expected = Some(Expected { line: n, findings, content: content_start..content_end });
            } else if first == "console" {
                if let Some((path, at)) = pending.take() {
                    doc.errors.push(format!("{at}: `{path}` is followed by a `console` block, not its content"));
                }
                if section.console.is_some() {
                    doc.errors.push(format!("{n}: a second `console` block in one section"));
                }
                section.console = Some(Console { line: n, text: content, content: content_start..content_end });
            } else if let Some((path, at)) = pending.take() {
                if no_final_newline && content.ends_with('\n') {
                    content.pop();
                }
                if section.files.iter().any(|f| f.path == path) {
                    doc.errors.push(format!("{at}: `{path}` is named twice in one section"));
                }
                section.files.push(CaseFile { path, text: content, line: at });
            } else {
                section.unnamed.push(n);
            }
            continue;
        }
        if line.trim().is_empty() {
            continue;
        }
        if let Some((path, at)) = pending.take() {
            doc.errors.push(format!("{at}: `{path}` is not followed by a fenced block"));
        }
        if let Some((level, title)) = heading(line) {
            doc.sections.push(std::mem::take(&mut section));
            section = Section { heading: title.to_string(), level, line: n, ..Section::default() };
        } else if let Some(path) = file_name_line(line) {
            pending = Some((path.to_string(), n));
        }
    }
    if let Some((path, at)) = pending {
        doc.errors.push(format!("{at}: `{path}` is not followed by a fenced block"));
    }
    doc.sections.push(section);
    doc
}

/// Lints the repository of a case's files in memory, with its `deploylint.toml` if it has one.
pub fn lint(files: &[CaseFile]) -> Result<Vec<Found>, String> {
    run(files).map(|(found, _)| found)
}

/// The findings of a case's repository, and what `deploylint --format concise .` prints for it
/// (after [`PROMPT`]).
pub fn run(files: &[CaseFile]) -> Result<(Vec<Found>, String), String> {
    let cfg = match files.iter().find(|f| f.path == "deploylint.toml") {
        Some(f) => deploylint::config::parse("deploylint.toml", &f.text).map_err(|e| format!("invalid config: {e}"))?,
        None => deploylint::config::Config::default(),
    };
    let bytes: Vec<(String, Vec<u8>)> = files.iter().map(|f| (f.path.clone(), f.text.clone().into_bytes())).collect();
    let found = deploylint::discover::discover_in_memory(&bytes, &cfg.exclude).map_err(|e| e.to_string())?;
    let (model, diags) = deploylint::lint_discovered(found, cfg);
    let found = diags
        .iter()
        .map(|d| {
            let file = d.primary.span.file;
            let line = model.sources.get(file).map_or(0, |f| f.line_col(d.primary.span.start).0);
            Found {
                code: d.code.to_string(),
                path: model.sources.path(file).to_string(),
                line,
                message: d.message.clone(),
            }
        })
        .collect();
    let console = format!("{PROMPT}{}", deploylint::render::concise::render(&model.sources, &diags));
    Ok((found, console))
}

/// The differences of a `console` block from what was printed, line by line.
pub fn console_diff(want: &str, got: &str) -> Option<String> {
    if want == got {
        return None;
    }
    let mut lines = vec!["    the `console` block differs from the output:".to_string()];
    lines.extend(want.lines().filter(|l| !got.lines().any(|g| g == *l)).map(|l| format!("    -{l}")));
    lines.extend(got.lines().filter(|l| !want.lines().any(|w| w == *l)).map(|l| format!("    +{l}")));
    Some(lines.join("\n"))
}

/// What a case produced: its findings, and its output after [`PROMPT`].
#[derive(Debug, Default)]
pub struct Produced {
    pub found: Vec<Found>,
    pub console: String,
}

/// Holds a case to its `findings` block (and its `console` block, if it has one): `Err` says
/// what differs (every finding missing, every finding not expected with its message, the lines
/// of the output that differ). What the case produced is returned either way.
pub fn check(section: &Section) -> (Produced, Result<(), String>) {
    let Some(expected) = &section.expected else {
        return (
            Produced::default(),
            Err("no `findings` block (write `none` when the repository must be clean)".into()),
        );
    };
    let (found, console) = match run(&section.files) {
        Ok(got) => got,
        Err(e) => return (Produced::default(), Err(e)),
    };
    let mut have: Vec<String> = found.iter().map(Found::key).collect();
    have.sort();
    let mut lines = Vec::new();
    let mut left = have.clone();
    for want in &expected.findings {
        match left.iter().position(|h| h == want) {
            Some(at) => {
                left.remove(at);
            }
            None => lines.push(format!("    missing    {want}")),
        }
    }
    for extra in &left {
        let message = found.iter().find(|f| &f.key() == extra).map_or("", |f| f.message.as_str());
        lines.push(format!("    unexpected {extra}  ({message})"));
    }
    if let Some(diff) = section.console.as_ref().and_then(|c| console_diff(&c.text, &console)) {
        lines.push(diff);
    }
    let result = if lines.is_empty() { Ok(()) } else { Err(lines.join("\n")) };
    (Produced { found, console }, result)
}

/// The text with every listed block content replaced (what `BLESS=1` writes).
pub fn bless(text: &str, blocks: &[(Range<usize>, String)]) -> String {
    let mut out = text.to_string();
    let mut sorted: Vec<&(Range<usize>, String)> = blocks.iter().collect();
    sorted.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, body) in sorted {
        if range.start <= range.end && range.end <= out.len() {
            out.replace_range(range.clone(), body);
        }
    }
    out
}

/// A `findings` block's content for findings produced.
pub fn findings_block(found: &[Found]) -> String {
    let mut keys: Vec<String> = found.iter().map(Found::key).collect();
    keys.sort();
    if keys.is_empty() { "none\n".to_string() } else { keys.join("\n") + "\n" }
}
