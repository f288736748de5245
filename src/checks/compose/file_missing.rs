use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::files::NamedPath;

pub static RULE: Rule = Rule {
    code: "DPL205",
    name: "compose-file-missing",
    severity: Severity::Error,
    summary: "a compose command or file names a path that exists nowhere",
    doc: include_str!("../../../rules/DPL205-compose-file-missing.md"),
    check,
};

fn report(model: &Model, r: &mut Reporter, p: &NamedPath) {
    if !model.certainly_missing(p) {
        return;
    }
    let kind = if p.dir { "directory" } else { "file" };
    r.report(
        Finding::new(
            format!("`{}` names `{}`, a {kind} that exists nowhere in the repository", p.what, p.written),
            Label::new(p.span, format!("no such {kind}")),
        )
        .help(if p.env {
            "fix the path, or commit a template beside it (`.env.prod.example`) if the file is kept on the server"
        } else {
            "fix the path, or add the file"
        }),
    );
}

fn check(model: &Model, r: &mut Reporter) {
    for i in 0..model.commands.len() {
        for p in model.command_paths(i) {
            report(model, r, &p);
        }
    }
    for s in &model.services {
        for p in model.service_paths(s) {
            report(model, r, &p);
        }
    }
}
