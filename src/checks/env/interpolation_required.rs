use super::{describe, env_file_label, where_to_set};
use crate::checks::{Reporter, Rule};
use crate::config::Flavor;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::interpolation::Lookup;
use crate::parse::interpolation::RefKind;

pub static RULE: Rule = Rule {
    code: "DPL207",
    name: "interpolation-required",
    severity: Severity::Error,
    summary: "a `${VAR:?msg}` in a production compose file is unset in the env file compose interpolates with",
    doc: include_str!("../../../rules/DPL207-interpolation-required.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for cf in &model.compose_files {
        for i in &cf.interpolations {
            let RefKind::Required { message, .. } = &i.kind else { continue };
            if i.nested || model.shell_may_set(&i.name) {
                continue;
            }
            for f in &cf.env_files {
                let Some(source) = f.source else { continue };
                if !model.refuses(i, source) {
                    continue;
                }
                let state = match model.interpolation_lookup(source, &i.name) {
                    Lookup::Empty => "empty",
                    _ => "unset",
                };
                let service = i.service.as_deref().unwrap_or("");
                let profiles = model
                    .services
                    .iter()
                    .find(|s| s.compose == cf.file && s.def.name.value == service)
                    .map(|s| s.def.profiles.clone())
                    .unwrap_or_default();
                let said = match model.config.compose {
                    Some(Flavor::V1) => format!(
                        "Missing mandatory value for \"{}\" option interpolating … in service \"{service}\": {message}",
                        i.option.as_deref().unwrap_or("")
                    ),
                    _ if message.is_empty() => format!("required variable {} is missing a value", i.name),
                    _ => format!("required variable {} is missing a value: {message}", i.name),
                };
                let gated = match profiles.as_slice() {
                    [] => String::new(),
                    p => format!(
                        " (service `{service}` is under profile{} {}, which does not spare the other services)",
                        if p.len() > 1 { "s" } else { "" },
                        p.iter().map(|x| format!("`{x}`")).collect::<Vec<_>>().join(", ")
                    ),
                };
                let mut finding = Finding::new(
                    format!(
                        "compose refuses to start any service of `{}`: `{}` is {state} in {}{gated}",
                        cf.path,
                        i.name,
                        describe(model, f)
                    ),
                    Label::new(i.span, format!("compose stops here: \"{said}\"")),
                )
                .help(format!(
                    "{}, or give the reference a default (`${{{}:-…}}`) if the stack can run without it",
                    where_to_set(model, f),
                    i.name
                ));
                if let Some(l) = env_file_label(model, f, format!("compose interpolates `{}` with this file", cf.path))
                {
                    finding = finding.related(l);
                }
                r.report(finding);
            }
        }
    }
}
