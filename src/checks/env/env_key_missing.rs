use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL301",
    name: "env-key-missing",
    severity: Severity::Error,
    summary: "the code a service runs requires a key the service's env does not provide",
    doc: include_str!("../../../rules/DPL301-env-key-missing.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for (i, service) in model.services.iter().enumerate() {
        // A service defined in several compose files of one directory (a base file and its
        // overrides, used together with `-f a -f b`) gets the env of all of them: check it once.
        let group = model.service_definitions(service);
        if group.first().is_some_and(|&j| j != i) {
            continue;
        }
        let defs: Vec<&crate::model::Service> = group.iter().filter_map(|&j| model.services.get(j)).collect();
        // An env file that is neither present nor templated: the env is unknown.
        if defs.iter().any(|d| d.env_refs.iter().any(|e| e.source.is_none())) {
            continue;
        }
        let mut binaries = Vec::new();
        for d in &defs {
            for b in model.binaries_of(d) {
                if !binaries.iter().any(|(x, _): &(&crate::model::go::Binary, _)| x.dir == b.0.dir) {
                    binaries.push(b);
                }
            }
        }
        if binaries.is_empty() {
            continue;
        }
        let mut provided: Vec<&str> = Vec::new();
        for d in &defs {
            provided.extend(d.def.environment.iter().map(|e| e.key.value.as_str()));
            for e in &d.env_refs {
                if let Some(src) = e.source.and_then(|i| model.env_sources.get(i)) {
                    provided.extend(src.parsed.entries.iter().map(|x| x.key.value.as_str()));
                }
            }
            if let Some(image) = d.image.and_then(|(img, _)| model.images.get(img)) {
                for s in d.image.map(|(_, st)| image.chain(st)).unwrap_or_default() {
                    provided.extend(s.env_keys.iter().map(|k| k.value.as_str()));
                }
            }
        }
        let service = defs.iter().find(|d| !d.env_refs.is_empty()).copied().unwrap_or(service);
        let cfg = &model.config;
        // Required key → (first read, binaries that need it).
        let mut required: BTreeMap<&str, (crate::source::Span, Vec<&str>)> = BTreeMap::new();
        for (bin, _) in &binaries {
            for pkg in model.go.reachable(&bin.dir) {
                for read in pkg.env_reads.iter().filter(|r| !r.optional) {
                    let key = read.key.value.as_str();
                    if provided.contains(&key)
                        || cfg.env_optional.iter().any(|k| k == key)
                        || cfg.env_provided.iter().any(|k| k == key)
                    {
                        continue;
                    }
                    let entry = required.entry(key).or_insert((read.key.span, Vec::new()));
                    if read.key.span < entry.0 {
                        entry.0 = read.key.span;
                    }
                    if !entry.1.contains(&bin.name.as_str()) {
                        entry.1.push(&bin.name);
                    }
                }
            }
        }
        let env_desc = service
            .env_refs
            .iter()
            .map(|e| match e.source.and_then(|i| model.env_sources.get(i)) {
                Some(src) if src.path != e.path => {
                    format!("`{}` (absent; its template `{}` was read)", e.path, src.path)
                }
                _ => format!("`{}`", e.path),
            })
            .collect::<Vec<_>>();
        for (key, (span, bins)) in required {
            let mut names = bins.clone();
            names.sort();
            let source_note = if env_desc.is_empty() { "no env file".to_string() } else { env_desc.join(", ") };
            let related = match service.env_refs.first() {
                Some(e) => Label::new(
                    e.declared.span,
                    format!("service `{}` reads its env from {source_note}", service.def.name.value),
                ),
                None => {
                    Label::new(service.def.name.span, format!("service `{}` has no `env_file`", service.def.name.value))
                }
            };
            r.report(
                Finding::new(
                    format!("`{key}` is required by {} but the env of service `{}` lacks it: {source_note}", and_list(&names), service.def.name.value),
                    Label::new(span, format!("`{key}` read here with no fallback")),
                )
                .related(related)
                .help(format!("add `{key}=` to the env file (and its template), or to `environment:`; if the code copes without it, list it in `[env] optional`")),
            );
        }
    }
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn and_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
