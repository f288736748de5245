use super::{effective_entries, env_file, production_file};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::parse::envfile::ValueKind;

pub static RULE: Rule = Rule {
    code: "DPL307",
    name: "env-value-placeholder",
    severity: Severity::Error,
    summary: "a key in the real production env file still holds a template placeholder",
    doc: include_str!("../../../rules/DPL307-env-value-placeholder.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for src in &model.env_sources {
        if src.production.is_none() || src.is_template || !model.holds_real_values(src) {
            continue;
        }
        for e in effective_entries(&src.parsed).filter(|e| e.value_kind() == ValueKind::Placeholder) {
            let key = &e.key.value;
            r.report(
                Finding::new(
                    format!("`{key}` in production env file {} holds a placeholder, not a value", production_file(src)),
                    Label::new(e.key.span, format!("`{key}` holds a placeholder")),
                )
                .help(format!("set the real value of `{key}` in {}", env_file(src))),
            );
        }
    }
}
