//! The `json` format, version 1: `{"version": 1, "findings": [...], "summary": {...}}`.

use super::mask::scrub;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;
use serde::Serialize;
use std::borrow::Cow;

#[derive(Serialize)]
struct Related<'a> {
    path: &'a str,
    line: usize,
    column: usize,
    message: Cow<'a, str>,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'a str,
    name: &'a str,
    severity: Severity,
    message: Cow<'a, str>,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<Cow<'a, str>>,
    related: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Summary {
    error: usize,
    warning: usize,
    info: usize,
    /// Findings a `--baseline` file hid.
    baselined: usize,
}

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    findings: Vec<Finding<'a>>,
    summary: Summary,
}

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    render_with_baselined(sources, diags, 0)
}

/// The report, counting the findings a baseline hid in its summary.
pub fn render_with_baselined(sources: &Sources, diags: &[Diagnostic], baselined: usize) -> String {
    let findings = diags
        .iter()
        .map(|d| {
            let ((line, column), (end_line, end_column)) = super::position(sources, d.primary.span);
            Finding {
                code: d.code,
                name: d.name,
                severity: d.severity,
                message: scrub(&d.message),
                path: sources.path(d.primary.span.file),
                line,
                column,
                end_line,
                end_column,
                help: d.help.as_deref().map(scrub),
                related: d
                    .related
                    .iter()
                    .map(|l| {
                        let ((line, column), _) = super::position(sources, l.span);
                        Related { path: sources.path(l.span.file), line, column, message: scrub(&l.message) }
                    })
                    .collect(),
            }
        })
        .collect();
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let report = Report {
        version: 1,
        findings,
        summary: Summary {
            error: count(Severity::Error),
            warning: count(Severity::Warning),
            info: count(Severity::Info),
            baselined,
        },
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
