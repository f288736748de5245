use super::env_file;
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::parse::envfile::key_is_shown;

pub static RULE: Rule = Rule {
    code: "DPL304",
    name: "env-duplicate-key",
    severity: Severity::Warning,
    summary: "the same key is assigned twice in one env file (the later value wins)",
    doc: include_str!("../../../rules/DPL304-env-duplicate-key.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for src in model.env_sources.iter().filter(|s| s.read_as_env) {
        for (first, later) in src.parsed.duplicates() {
            let key = &later.key.value;
            if !key_is_shown(key) {
                continue;
            }
            r.report(
                Finding::new(
                    format!("`{key}` is assigned twice in {}: the later value wins", env_file(src)),
                    Label::new(later.key.span, format!("`{key}` assigned again")),
                )
                .related(Label::new(first.key.span, format!("`{key}` first assigned here: this value is ignored")))
                .help(format!("keep one `{key}=` line")),
            );
        }
    }
}
