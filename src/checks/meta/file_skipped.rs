use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;

pub static RULE: Rule = Rule {
    code: "DPL003",
    name: "file-skipped",
    severity: Severity::Info,
    summary: "a file was not read or not fully understood",
    doc: include_str!("../../../rules/DPL003-file-skipped.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for u in &model.unfollowed {
        let path = model.sources.path(u.span.file);
        r.report(Finding::new(format!("`{path}` {}", u.message), Label::new(u.span, u.message.clone())).help(
            "checks that needed this file stayed silent; exclude it in `deploylint.toml` if it is not an artifact",
        ));
    }
}
