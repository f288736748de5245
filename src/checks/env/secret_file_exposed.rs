use super::{and_list, effective_entries, production_file};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::env_files::{Presence, is_public_key};
use crate::parse::envfile::Secret;

pub static RULE: Rule = Rule {
    code: "DPL306",
    name: "secret-file-exposed",
    severity: Severity::Error,
    summary: "a production env file holding real secrets is not git-ignored, or a `COPY` puts it into an image",
    doc: include_str!("../../../rules/DPL306-secret-file-exposed.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for src in &model.env_sources {
        let Some(production) = &src.production else { continue };
        let Some(presence) = model.env_presence(src) else { continue };
        if presence == Presence::Given {
            continue;
        }
        // A file only named for production must hold a value that looks generated; one that
        // production certainly reads, any real value of a secret-shaped key.
        let strong = !production.is_used();
        let secrets: Vec<&crate::parse::envfile::EnvEntry> = effective_entries(&src.parsed)
            .filter(|e| !is_public_key(&e.key.value))
            .filter(|e| match e.secret() {
                Secret::None => false,
                Secret::Plain => !strong,
                Secret::Credential => true,
            })
            .collect();
        let Some(first) = secrets.first() else { continue };
        let committed = presence == Presence::Committed;
        let copies = model.env_file_copies(&src.path);
        if !committed && copies.is_empty() {
            continue;
        }
        let shown: Vec<&str> = secrets.iter().take(3).map(|e| e.key.value.as_str()).collect();
        let names = match secrets.len() {
            n if n > 3 => {
                format!("{} and {} more", shown.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "), n - 3)
            }
            _ => and_list(&shown),
        };
        let exposed = match (committed, copies.is_empty()) {
            (true, true) => "is not git-ignored".to_string(),
            (true, false) => "is not git-ignored and is copied into an image".to_string(),
            _ => "is copied into an image".to_string(),
        };
        let mut f = Finding::new(
            format!("production env file {} holds secrets ({names}) and {exposed}", production_file(src)),
            Label::new(first.key.span, format!("`{}` holds a secret value", first.key.value)),
        );
        for c in &copies {
            f = f.related(Label::new(*c, format!("copies `{}` into the image", src.path)));
        }
        let mut help = Vec::new();
        if committed {
            help.push(format!(
                "git-ignore `{}` (and `git rm --cached` it), rotate the secrets it held, and commit a template with empty values",
                src.path
            ));
        }
        if !copies.is_empty() {
            help.push(format!(
                "list `{}` in the `.dockerignore` of the build context, and give the env at run time (`env_file:`)",
                crate::source::file_name(&src.path)
            ));
        }
        r.report(f.help(help.join("; ")));
    }
}
