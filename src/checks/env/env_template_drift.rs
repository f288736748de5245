use super::env_file;
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::parse::envfile::key_is_shown;
use crate::source::Span;
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    code: "DPL305",
    name: "env-template-drift",
    severity: Severity::Warning,
    summary: "the real production env file and its template disagree on the set of keys",
    doc: include_str!("../../../rules/DPL305-env-template-drift.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for (i, real) in model.env_sources.iter().enumerate() {
        if real.is_template || real.production.is_none() {
            continue;
        }
        // Keys the real file knows: assigned, passed through, or left commented out.
        let real_keys: BTreeSet<&str> = real
            .parsed
            .entries
            .iter()
            .map(|e| e.key.value.as_str())
            .chain(real.parsed.commented_keys.iter().map(String::as_str))
            .collect();
        for t in model.templates_of(i) {
            let Some(template) = model.env_sources.get(t) else { continue };
            let documented: BTreeSet<&str> = template
                .parsed
                .entries
                .iter()
                .map(|e| e.key.value.as_str())
                .chain(template.parsed.commented_keys.iter().map(String::as_str))
                .collect();
            let mut seen = BTreeSet::new();
            for e in &real.parsed.entries {
                let key = e.key.value.as_str();
                if documented.contains(key) || !key_is_shown(key) || !seen.insert(key) {
                    continue;
                }
                r.report(
                    Finding::new(
                        format!("`{key}` is in {} but not in its template `{}`", env_file(real), template.path),
                        Label::new(e.key.span, format!("`{key}` is set here")),
                    )
                    .related(Label::new(Span::new(template.file, 0..0), "the template lacks it"))
                    .help(format!(
                        "document `{key}` in `{}` (a commented `# {key}=` line will do), or remove it from {}",
                        template.path,
                        env_file(real)
                    )),
                );
            }
            let mut seen = BTreeSet::new();
            for e in &template.parsed.entries {
                let key = e.key.value.as_str();
                if real_keys.contains(key) || !key_is_shown(key) || !seen.insert(key) {
                    continue;
                }
                r.report(
                    Finding::new(
                        format!("`{key}` is in the template `{}` but not in {}", template.path, env_file(real)),
                        Label::new(e.key.span, format!("`{key}` is documented here")),
                    )
                    .related(Label::new(Span::new(real.file, 0..0), format!("{} lacks it", env_file(real))))
                    .help(format!(
                        "set `{key}` in {} (or comment it out there if it is left unset on purpose), or remove it from `{}`",
                        env_file(real),
                        template.path
                    )),
                );
            }
        }
    }
}
