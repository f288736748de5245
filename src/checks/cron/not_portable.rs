use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;

pub static RULE: Rule = Rule {
    code: "DPL406",
    name: "crontab-not-portable",
    severity: Severity::Warning,
    summary: "a crontab that some cron implementations refuse or cut short",
    doc: include_str!("../../../rules/DPL406-crontab-not-portable.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for issue in &model.cron_reader_issues {
        let path = model.sources.path(issue.span.file);
        // The label is what is there; the message says which cron refuses it.
        let what = issue.message.split(": ").next().unwrap_or("here");
        r.report(
            Finding::new(format!("`{path}`: {}", issue.message), Label::new(issue.span, what)).help(
                "write it so every cron reads it the same way; deploylint cannot tell which cron the server runs",
            ),
        );
    }
}
