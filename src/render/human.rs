//! The human format, drawn by miette: the primary snippet, labels in other files as related
//! diagnostics with their own source, the help, and a summary line. Env files are shown
//! masked.

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Sources};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode};
use std::fmt;

#[derive(Debug)]
struct Report {
    message: String,
    code: Option<String>,
    severity: miette::Severity,
    help: Option<String>,
    source: NamedSource<String>,
    labels: Vec<LabeledSpan>,
    related: Vec<Report>,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Report {}

impl miette::Diagnostic for Report {
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
        Some(&self.source)
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

fn source(sources: &Sources, file: FileId) -> NamedSource<String> {
    let (name, text) = sources.get(file).map_or((String::new(), String::new()), |f| (f.path.clone(), f.display_text()));
    NamedSource::new(name, text)
}

fn span_len(start: usize, end: usize) -> usize {
    end.saturating_sub(start)
}

fn report(sources: &Sources, d: &Diagnostic) -> Report {
    let primary_file = d.primary.span.file;
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        Some(d.primary.message.clone()),
        (d.primary.span.start, span_len(d.primary.span.start, d.primary.span.end)),
    )];
    let mut related: Vec<Report> = Vec::new();
    for l in &d.related {
        let span = (l.span.start, span_len(l.span.start, l.span.end));
        if l.span.file == primary_file {
            labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), span));
        } else if let Some(r) = related.iter_mut().find(|r| r.source.name() == sources.path(l.span.file)) {
            r.labels.push(LabeledSpan::new_with_span(Some(l.message.clone()), span));
        } else {
            related.push(Report {
                message: format!("see `{}`", sources.path(l.span.file)),
                code: None,
                severity: miette::Severity::Advice,
                help: None,
                source: source(sources, l.span.file),
                labels: vec![LabeledSpan::new_with_span(Some(l.message.clone()), span)],
                related: Vec::new(),
            });
        }
    }
    Report {
        message: d.message.clone(),
        code: Some(format!("{}({})", d.code, d.name)),
        severity: match d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        },
        help: d.help.clone(),
        source: source(sources, primary_file),
        labels,
        related,
    }
}

pub fn render(sources: &Sources, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_links(false).with_width(100);
    let mut out = String::new();
    for d in diags {
        let r = report(sources, d);
        if handler.render_report(&mut out, &r).is_err() {
            out.push_str(&format!("{}[{}]: {}\n", d.severity, d.code, d.message));
        }
        out.push('\n');
    }
    out.push_str(&super::summary(diags));
    out.push('\n');
    out
}
