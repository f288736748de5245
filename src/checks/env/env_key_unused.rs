use super::{and_list, effective_entries, production_file};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::env_files::{image_key_prefixes, read_by_runtime};
use crate::model::{Model, Service};
use std::collections::BTreeSet;

pub static RULE: Rule = Rule {
    code: "DPL303",
    name: "env-key-unused",
    severity: Severity::Info,
    summary: "a key in the production env file that nothing of the services reading it reads",
    doc: include_str!("../../../rules/DPL303-env-key-unused.md"),
    check,
};

/// What the services that load an env file read, when it is known: `None` when one of them
/// runs something deploylint cannot see into (an image built elsewhere, a third-party image it
/// does not know, a program it cannot find).
fn known_prefixes<'a>(model: &'a Model, services: &[&'a Service]) -> Option<Vec<&'static str>> {
    let mut prefixes = Vec::new();
    for s in services {
        let definitions: Vec<&Service> =
            model.service_definitions(s).into_iter().filter_map(|i| model.services.get(i)).collect();
        if definitions.iter().any(|d| d.def.build.is_some()) {
            if definitions.iter().all(|d| model.programs_of(d).is_empty()) {
                return None;
            }
            continue;
        }
        let image = definitions.iter().find_map(|d| d.def.image.as_ref())?;
        prefixes.extend(image_key_prefixes(&image.value)?);
    }
    Some(prefixes)
}

fn check(model: &Model, r: &mut Reporter) {
    for (i, src) in model.env_sources.iter().enumerate() {
        if src.production.is_none() || !src.read_as_env {
            continue;
        }
        let readers = model.env_readers(i);
        if readers.services.is_empty() && readers.compose_files.is_empty() {
            continue;
        }
        let Some(prefixes) = known_prefixes(model, &readers.services) else { continue };
        let candidates: Vec<&crate::parse::envfile::EnvEntry> = effective_entries(&src.parsed)
            .filter(|e| {
                let key = e.key.value.as_str();
                e.is_assigned()
                    && !read_by_runtime(key)
                    && !prefixes.iter().any(|p| key.starts_with(p))
                    && !src.parsed.entries.iter().any(|other| other.refers_to(key))
                    && !model.config.env_optional.iter().chain(&model.config.env_provided).any(|k| k == key)
            })
            .collect();
        let keys: BTreeSet<String> = candidates.iter().map(|e| e.key.value.clone()).collect();
        let named = model.keys_named_in_files(&keys);
        let mut services: Vec<&str> = readers.services.iter().map(|s| s.def.name.value.as_str()).collect();
        services.sort();
        services.dedup();
        let readers_text = match (services.as_slice(), readers.compose_files.as_slice()) {
            ([], [c, ..]) => format!("compose interpolates `{}` with the file", c.path),
            ([one], _) => format!("service `{one}` loads the file"),
            (many, _) => format!("services {} load the file", and_list(many)),
        };
        for e in candidates.into_iter().filter(|e| !named.contains(&e.key.value)) {
            let key = &e.key.value;
            r.report(
                Finding::new(
                    format!(
                        "`{key}` in production env file {} is read by nothing: no code, compose file or Dockerfile names it ({readers_text})",
                        production_file(src)
                    ),
                    Label::new(e.key.span, format!("`{key}` is read by nothing")),
                )
                .help(format!("remove `{key}`, or list it in `[env] optional` if something deploylint cannot see reads it")),
            );
        }
    }
}
