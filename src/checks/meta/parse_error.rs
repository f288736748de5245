use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;

pub static RULE: Rule = Rule {
    code: "DPL001",
    name: "parse-error",
    severity: Severity::Error,
    summary: "an artifact its own tool would reject could not be parsed",
    doc: include_str!("../../../rules/DPL001-parse-error.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for e in &model.parse_errors {
        let path = model.sources.path(e.span.file);
        r.report(
            Finding::new(format!("`{path}` cannot be parsed: {}", e.message), Label::new(e.span, e.message.clone()))
                .help("fix the syntax here; the other checks went on without this file's facts"),
        );
    }
}
