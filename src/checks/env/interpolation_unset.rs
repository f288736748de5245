use super::{describe, env_file_label, where_to_set};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::interpolation::Lookup;
use crate::parse::interpolation::RefKind;

pub static RULE: Rule = Rule {
    code: "DPL206",
    name: "interpolation-unset",
    severity: Severity::Warning,
    summary: "a `${VAR}` in a production compose file with no default is set by no env file compose interpolates with",
    doc: include_str!("../../../rules/DPL206-interpolation-unset.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for cf in &model.compose_files {
        for i in &cf.interpolations {
            if i.kind != RefKind::Plain || i.nested || model.shell_may_set(&i.name) {
                continue;
            }
            for f in &cf.env_files {
                let Some(source) = f.source else { continue };
                if model.interpolation_lookup(source, &i.name) != Lookup::Unset
                    || model.schema_marks_optional(&f.path, &i.name)
                {
                    continue;
                }
                let mut finding = Finding::new(
                    format!(
                        "`{}` is set by no env file compose reads for `{}`: it is unset in {}, so compose substitutes a blank",
                        i.name,
                        cf.path,
                        describe(model, f)
                    ),
                    Label::new(i.span, format!("compose warns \"The {} variable is not set. Defaulting to a blank string.\"", i.name)),
                )
                .help(format!(
                    "{}, or give it a default (`${{{}:-…}}`), or make it required (`${{{}:?…}}`)",
                    where_to_set(model, f),
                    i.name,
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
