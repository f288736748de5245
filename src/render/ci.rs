//! What the CI formats share: rule documentation links, positions of labels, and stable
//! fingerprints.

use crate::checks::Rule;
use crate::diagnostic::{Diagnostic, Label};
use crate::source::Sources;

/// Where the project's sources are published; rule pages live under `rules/` there.
pub const REPOSITORY: &str = env!("CARGO_PKG_REPOSITORY");

/// The address of a rule's documentation page.
pub fn help_uri(rule: &Rule) -> String {
    format!("{REPOSITORY}/blob/main/rules/{}-{}.md", rule.code, rule.name)
}

/// A label's place: path and 1-based start and end (line, column).
pub struct Place<'a> {
    pub path: &'a str,
    pub start: (usize, usize),
    pub end: (usize, usize),
}

pub fn place<'a>(sources: &'a Sources, label: &Label) -> Place<'a> {
    let (start, end) = super::position(sources, label.span);
    Place { path: sources.path(label.span.file), start, end }
}

/// The first paragraph of a section of a rule doc (`## What it does`), joined on one line.
pub fn doc_section(doc: &str, heading: &str) -> Option<String> {
    let mut lines = doc.lines().skip_while(|l| l.trim() != heading).skip(1);
    let para: Vec<&str> =
        lines.by_ref().skip_while(|l| l.trim().is_empty()).take_while(|l| !l.trim().is_empty()).collect();
    if para.is_empty() || para.first().is_some_and(|l| l.starts_with('#')) {
        return None;
    }
    Some(para.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" "))
}

/// 64-bit FNV-1a.
fn fnv1a(bytes: &[u8], seed: u64) -> u64 {
    bytes.iter().fold(seed, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3))
}

/// The whitespace-normalised text of the line a span starts on; nothing for an env file, whose
/// lines hold secrets.
fn line_text(sources: &Sources, span: crate::source::Span) -> String {
    let Some(f) = sources.get(span.file) else { return String::new() };
    if f.kind == crate::source::Kind::EnvFile {
        return String::new();
    }
    let at = span.start.min(f.text.len());
    let start = f.text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
    let end = f.text.get(at..).and_then(|t| t.find('\n')).map_or(f.text.len(), |i| at + i);
    f.text.get(start..end).unwrap_or("").split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One fingerprint per finding, stable across runs and across line moves: it hashes what the
/// finding is about (rule, file, message, the text of its line, the other files' paths and
/// messages), never a line number; findings identical in all of that are numbered in output
/// order.
pub fn fingerprints(sources: &Sources, diags: &[Diagnostic]) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    diags
        .iter()
        .map(|d| {
            let mut key = format!(
                "{}\0{}\0{}\0{}",
                d.code,
                sources.path(d.primary.span.file),
                d.message,
                line_text(sources, d.primary.span)
            );
            for l in &d.related {
                key.push('\0');
                key.push_str(sources.path(l.span.file));
                key.push('\0');
                key.push_str(&l.message);
            }
            let n = seen.entry(key.clone()).or_insert(0);
            *n += 1;
            key.push_str(&format!("\0{n}"));
            let (a, b) = (fnv1a(key.as_bytes(), 0xcbf2_9ce4_8422_2325), fnv1a(key.as_bytes(), 0x8422_2325_cbf2_9ce4));
            format!("{a:016x}{b:016x}")
        })
        .collect()
}

/// The finding's message with its related places and help, for formats that have only one text.
pub fn long_message(sources: &Sources, d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    for l in &d.related {
        let p = place(sources, l);
        s.push_str(&format!("\n{}:{}:{}: {}", p.path, p.start.0, p.start.1, l.message));
    }
    if let Some(h) = &d.help {
        s.push_str(&format!("\nhelp: {h}"));
    }
    s
}
