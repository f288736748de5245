//! The human format, drawn by miette: the primary snippet, labels in other files as related
//! diagnostics with their own source, the help, and a summary line.
//!
//! Files are shown as [`Shown`] gives them (masked, built once per file) through [`View`],
//! which answers miette from the file's line index: a snippet costs its own size, not the
//! file's, so N findings in one file render in O(N + file size). A long line is shown as a
//! window around the label, and a label is cut to a few lines.

use super::Shown;
use super::mask::scrub;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, LineIndex, Sources};
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan,
    SpanContents,
};
use std::fmt;

/// Lines up to this many bytes are shown whole; longer ones as a window around the label.
const LINE_MAX: usize = 1000;
/// Bytes shown on either side of a label on a long line.
const PAD: usize = 80;
/// A label longer than this many bytes or lines is cut to its first line (and to this length).
const LABEL_MAX: usize = 1000;
const LABEL_MAX_LINES: usize = 10;

/// One file as miette reads it: the shown text and the original's line index.
#[derive(Debug, Clone, Copy)]
struct View<'a> {
    name: &'a str,
    /// The text as it may be shown (same byte offsets and lines as the original).
    text: &'a str,
    /// The original text, for columns in characters (as the other formats count them).
    original: &'a str,
    index: &'a LineIndex,
}

impl View<'_> {
    fn floor(&self, at: usize) -> usize {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at -= 1;
        }
        at
    }

    fn ceil(&self, at: usize) -> usize {
        let mut at = at.min(self.text.len());
        while !self.text.is_char_boundary(at) {
            at += 1;
        }
        at
    }

    fn line_len(&self, line: usize) -> usize {
        self.index.line_range(self.text, line).len()
    }

    fn lines_between(&self, start: usize, end: usize) -> usize {
        self.index.line_of(end.saturating_sub(1).max(start)) - self.index.line_of(start)
    }

    /// The span to draw for a label: inside the text, over at most [`LABEL_MAX_LINES`] lines
    /// and [`LABEL_MAX`] bytes (a longer one is cut to its first line, then to that length).
    fn clamp(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.floor(start);
        let mut e = self.ceil(end.max(s));
        if e - s > LABEL_MAX || self.lines_between(s, e) > LABEL_MAX_LINES {
            e = e.min(self.index.line_range(self.text, self.index.line_of(s)).end.max(s));
        }
        if e - s > LABEL_MAX {
            e = self.floor(s + LABEL_MAX);
        }
        (s, e)
    }
}

impl SourceCode for View<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let s = self.floor(span.offset());
        let e = self.ceil(span.offset().saturating_add(span.len()).max(s));
        // A wider span is refused: miette then draws the labels it would join in separate
        // snippets rather than one snippet of everything between them.
        if e - s > LABEL_MAX || self.lines_between(s, e) > LABEL_MAX_LINES {
            return Err(MietteError::OutOfBounds);
        }
        let l0 = self.index.line_of(s);
        let l1 = self.index.line_of(e.saturating_sub(1).max(s));
        let (start, end, first) = if before == 0 && after == 0 {
            // The position of the label itself (miette's header `path:line:column`).
            (s, e, l0)
        } else {
            let (start, first) = if self.line_len(l0) > LINE_MAX {
                let line_start = self.index.line_range(self.text, l0).start;
                (self.floor(s.saturating_sub(PAD).max(line_start)), l0)
            } else {
                let mut first = l0;
                while first > 0 && l0 - first < before && self.line_len(first - 1) <= LINE_MAX {
                    first -= 1;
                }
                (self.index.line_range(self.text, first).start, first)
            };
            let end = if self.line_len(l1) > LINE_MAX {
                self.ceil((e + PAD).min(self.index.line_range(self.text, l1).end))
            } else {
                let mut last = l1;
                while last + 1 < self.index.line_count() && last - l1 < after && self.line_len(last + 1) <= LINE_MAX {
                    last += 1;
                }
                self.index.next_line_start(self.text, last)
            };
            (start, end.max(start), first)
        };
        let line_start = self.index.line_range(self.text, first).start;
        let column = self.index.chars_between(self.original, line_start, start);
        let data = self.text.as_bytes().get(start..end).unwrap_or(&[]);
        let lines = self.lines_between(start, end) + 1;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            data,
            SourceSpan::new(start.into(), end - start),
            first,
            column,
            lines,
        )))
    }
}

#[derive(Debug)]
struct Report<'a> {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: Option<View<'a>>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report<'a>>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|c| Box::new(c) as Box<dyn fmt::Display>)
    }
    fn severity(&self) -> Option<miette::Severity> {
        Some(self.severity)
    }
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|v| v as &dyn SourceCode)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        if self.related.is_empty() {
            None
        } else {
            Some(Box::new(self.related.iter().map(|r| r as &dyn miette::Diagnostic)))
        }
    }
}

fn view<'a>(shown: &'a Shown<'a>, file: FileId) -> Option<View<'a>> {
    let f = shown.sources.get(file)?;
    Some(View { name: &f.path, text: shown.text(file), original: &f.text, index: f.index() })
}

fn labeled(view: Option<View<'_>>, start: usize, end: usize, message: &str, primary: bool) -> LabeledSpan {
    let (s, e) = view.map_or((start, end.max(start)), |v| v.clamp(start, end));
    let text = Some(scrub(message).into_owned());
    if primary {
        LabeledSpan::new_primary_with_span(text, (s, e - s))
    } else {
        LabeledSpan::new_with_span(text, (s, e - s))
    }
}

fn report<'a>(shown: &'a Shown<'a>, d: &Diagnostic) -> Report<'a> {
    let primary_file = d.primary.span.file;
    let primary_view = view(shown, primary_file);
    let mut labels = vec![labeled(primary_view, d.primary.span.start, d.primary.span.end, &d.primary.message, true)];
    let mut related: Vec<Report> = Vec::new();
    for l in &d.related {
        let v = view(shown, l.span.file);
        let label = labeled(v, l.span.start, l.span.end, &l.message, false);
        if l.span.file == primary_file {
            labels.push(label);
        } else if let Some(r) = related.iter_mut().find(|r| r.source.map(|s| s.name) == v.map(|s| s.name)) {
            r.labels.push(label);
        } else {
            related.push(Report {
                message: format!("see `{}`", shown.sources.path(l.span.file)),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: v,
                labels: vec![label],
                related: Vec::new(),
            });
        }
    }
    Report {
        message: scrub(&d.message).into_owned(),
        code: Some(format!("{}({})", d.code, d.name)),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: d.help.as_deref().map(|h| scrub(h).into_owned()),
        source: primary_view,
        labels,
        related,
    }
}

pub fn render(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false).with_width(100);
    let shown = Shown::new(sources);
    let mut out = String::new();
    for d in diags {
        let r = report(&shown, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", d.severity, d.code, r.message));
        }
        out.push('\n');
    }
    out.push_str(&super::summary(diags));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Label;
    use crate::source::{Kind, SourceFile, Span};

    fn diag(file: FileId, labels: &[(usize, usize)]) -> Diagnostic {
        let mut spans = labels.iter().map(|&(s, e)| Label::new(Span::new(file, s..e), "here"));
        Diagnostic {
            code: "DPL000",
            name: "test",
            severity: Severity::Warning,
            message: "m".into(),
            primary: spans.next().unwrap_or_else(|| Label::new(Span::new(file, 0..0), "here")),
            related: spans.collect(),
            help: None,
            fix: None,
        }
    }

    #[test]
    fn long_lines_are_windowed_and_positions_kept() {
        let mut sources = Sources::default();
        let line = "docker compose up; ".repeat(10_000);
        let text = format!("#!/bin/sh\n{line}\necho é\n");
        let id = sources.add(SourceFile::new("deploy.sh".into(), Kind::Shell, text.clone(), false));
        let far = 10 + 19 * 9_000;
        // A label far along the line, two labels far apart on it, one crossing lines, one that
        // covers the whole file, one at the end.
        let diags = vec![
            diag(id, &[(far, far + 6)]),
            diag(id, &[(far, far + 6), (20, 26)]),
            diag(id, &[(far - 500, far + 900), (far, far + 3)]),
            diag(id, &[(0, text.len())]),
            diag(id, &[(text.len(), text.len())]),
        ];
        let out = render(&sources, &diags, false);
        assert!(out.len() < 20_000, "{} bytes", out.len());
        assert!(out.contains(&format!("[deploy.sh:2:{}]", far - 10 + 1)), "{out}");
        assert!(out.contains("[deploy.sh:1:1]") && out.contains("found 5 warnings"), "{out}");
    }

    #[test]
    fn many_findings_in_one_file_are_masked_and_placed() {
        // 4,000 findings in a 4,000-line file: each snippet reads a few lines, not the file.
        let mut sources = Sources::default();
        let text: String = (0..4_000).map(|i| format!("BROKEN LINE {i}\n")).collect();
        let id = sources.add(SourceFile::new(".env".into(), Kind::EnvFile, text.clone(), false));
        let starts: Vec<usize> = text.match_indices('\n').map(|(i, _)| i + 1).collect();
        let diags: Vec<Diagnostic> = starts.windows(2).map(|w| diag(id, &[(w[0], w[1] - 1)])).collect();
        let out = render(&sources, &diags, false);
        assert!(!out.contains("BROKEN"), "env lines are masked");
        assert!(out.contains("[.env:3999:1]"));
    }
}
