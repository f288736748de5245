//! Diagnostics are plain data: a rule, a severity, a message, a primary label, labels in other
//! files and a help text. Rendering them is the job of `render/`.

use crate::source::Span;
use serde::Serialize;
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A place and what it says about the finding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Label {
        Label { span, message: message.into() }
    }
}

/// A fix: the text at `span` (`expect`, compared with its runs of blanks as one space) becomes
/// `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub expect: String,
    pub replacement: String,
}

/// What a check reports; the [`crate::checks::Reporter`] adds the rule and the severity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Edit>,
}

impl Finding {
    pub fn new(message: impl Into<String>, primary: Label) -> Finding {
        Finding { message: message.into(), primary, related: Vec::new(), help: None, fix: None }
    }
    pub fn related(mut self, label: Label) -> Finding {
        self.related.push(label);
        self
    }
    pub fn help(mut self, help: impl Into<String>) -> Finding {
        self.help = Some(help.into());
        self
    }
    /// A fix `--fix` applies.
    pub fn fix(mut self, edit: Edit) -> Finding {
        self.fix = Some(edit);
        self
    }
}

/// A finding bound to its rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub severity: Severity,
    pub message: String,
    pub primary: Label,
    pub related: Vec<Label>,
    pub help: Option<String>,
    pub fix: Option<Edit>,
}
