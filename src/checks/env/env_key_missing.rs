use super::and_list;
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::code::Program;
use crate::model::env_schema::SchemaStyle;
use crate::model::{Model, Service};
use crate::parse::envfile::key_is_shown;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};

pub static RULE: Rule = Rule {
    code: "DPL301",
    name: "env-key-missing",
    severity: Severity::Error,
    summary: "the code a service runs requires a key the service's env does not provide",
    doc: include_str!("../../../rules/DPL301-env-key-missing.md"),
    check,
};

/// A key some services lack: where it is read, the binaries that need it, and the services.
struct Missing<'a> {
    read: Span,
    why: &'static str,
    binaries: BTreeSet<&'a str>,
    services: Vec<&'a Service>,
    /// A key of the env one edit away ("did you mean"), and where it is set.
    near: Option<(&'a str, Span)>,
    /// Where the first service is seen to run the first binary that reads it: the link
    /// between the service's env and the code.
    run: Option<(Span, String)>,
    /// The other keys the code falls back to: one of them would do.
    alternatives: Vec<String>,
}

fn check(model: &Model, r: &mut Reporter) {
    let cfg = &model.config;
    let mut missing: BTreeMap<String, Missing<'_>> = BTreeMap::new();
    for (i, service) in model.services.iter().enumerate() {
        // A service defined in several compose files of one directory (a base file and its
        // overrides, used together with `-f a -f b`) gets the env of all of them: check it once.
        if !service.production || model.service_definitions(service).first().is_some_and(|&j| j != i) {
            continue;
        }
        let env = model.env_of(service);
        if !env.known {
            continue;
        }
        let mut binaries: Vec<(&Program, Span)> = Vec::new();
        for d in &env.definitions {
            for (b, at) in model.programs_of(d) {
                if !binaries.iter().any(|(x, _)| x.dir == b.dir) {
                    binaries.push((b, at));
                }
            }
        }
        // The definition that names the env files speaks for the service.
        let service = env.definitions.iter().find(|d| !d.env_refs.is_empty()).copied().unwrap_or(service);
        let programs: Vec<&Program> = binaries.iter().map(|(b, _)| *b).collect();
        // A `.env.schema` beside its env file decides for the keys it names.
        let schema = model.env_schema_of(service, &programs);
        let lacks = |key: &str| {
            !(env.has(key)
                || env.documented.contains(key)
                || cfg.env_optional.iter().chain(&cfg.env_provided).any(|k| k == key))
        };
        let first_run = binaries.first().map(|(b, at)| (*at, b.name.clone()));
        for (bin, at) in binaries {
            let required = model.code.required_env(bin);
            for read in &required.reads {
                let key = read.key.value.as_str();
                if !lacks(key)
                    || read.alternatives.iter().any(|a| !lacks(a))
                    || schema.as_ref().and_then(|s| s.get(key)).is_some_and(|k| !k.required)
                {
                    continue;
                }
                let m = missing.entry(key.to_string()).or_insert_with(|| Missing {
                    read: read.key.span,
                    why: read.why,
                    binaries: BTreeSet::new(),
                    services: Vec::new(),
                    near: None,
                    run: None,
                    alternatives: read.alternatives.clone(),
                });
                if m.run.is_none() {
                    m.run = Some((at, format!("service `{}` runs `{}` here", service.def.name.value, bin.name)));
                }
                if m.near.is_none() {
                    m.near = near_key(model, &env.definitions, key);
                }
                if read.key.span < m.read {
                    m.read = read.key.span;
                    m.why = read.why;
                }
                m.binaries.insert(&bin.name);
                if !m.services.iter().any(|s| std::ptr::eq(*s, service)) {
                    m.services.push(service);
                }
            }
        }
        // The keys the schema requires, read by code or not.
        for k in schema.iter().flat_map(|s| s.keys.iter().filter(|k| k.required).map(move |k| (s, k))) {
            let (schema, k) = k;
            let key = k.key.value.as_str();
            if !lacks(key) || !key_is_shown(key) {
                continue;
            }
            let m = missing.entry(key.to_string()).or_insert_with(|| Missing {
                read: k.key.span,
                why: match schema.style {
                    SchemaStyle::Decorated => "marked required by the repository's `.env.schema`, with no value there",
                    SchemaStyle::DotenvExtended => {
                        "listed in the `.env.schema` that dotenv-extended loads with `errorOnMissing: true`: the program throws on load without it"
                    }
                },
                binaries: BTreeSet::new(),
                services: Vec::new(),
                near: None,
                run: None,
                alternatives: Vec::new(),
            });
            if m.services.iter().any(|s| std::ptr::eq(*s, service)) {
                continue;
            }
            if m.run.is_none() {
                m.run = first_run
                    .as_ref()
                    .map(|(at, name)| (*at, format!("service `{}` runs `{name}` here", service.def.name.value)));
            }
            if m.near.is_none() {
                m.near = near_key(model, &env.definitions, key);
            }
            m.binaries.insert(schema.path());
            m.services.push(service);
        }
    }
    for (key, m) in missing {
        let names: Vec<&str> = m.binaries.iter().copied().collect();
        // `A` alone, or `one of `A` and `B`` when the code falls back from one to the other.
        let (subject, it) = if m.alternatives.is_empty() {
            (format!("`{key}`"), "it")
        } else {
            let all: Vec<&str> =
                std::iter::once(key.as_str()).chain(m.alternatives.iter().map(String::as_str)).collect();
            (format!("one of {}", and_list(&all)), if all.len() == 2 { "both" } else { "all of them" })
        };
        let message = match m.services.as_slice() {
            [one] => format!(
                "{subject} is required by {} but the env of service `{}` lacks {it}: {}",
                and_list(&names),
                one.def.name.value,
                env_description(model, one)
            ),
            many => {
                let services: Vec<&str> = many.iter().map(|s| s.def.name.value.as_str()).collect();
                format!(
                    "{subject} is required by {} but the env of services {} lacks {it}",
                    and_list(&names),
                    and_list(&services)
                )
            }
        };
        let help = match m.near {
            Some((near, _)) => format!(
                "the env sets `{near}`, one edit away: did you mean `{key}`? rename it in the env file (and its template); else add `{key}=`, or list it in `[env] optional` if the code copes without it"
            ),
            None => format!(
                "add `{key}=` to the env file (and its template), or to `environment:`; if the code copes without it, list it in `[env] optional`"
            ),
        };
        let mut f = Finding::new(message, Label::new(m.read, format!("`{key}` {}", m.why))).help(help);
        if let Some((near, span)) = m.near {
            f = f.related(Label::new(span, format!("`{near}` is set here, not `{key}`")));
        }
        if let Some((span, text)) = m.run {
            f = f.related(Label::new(span, text));
        }
        for s in &m.services {
            f = f.related(match s.env_refs.first() {
                Some(e) => Label::new(
                    e.declared.span,
                    format!("service `{}` reads its env from {}", s.def.name.value, env_description(model, s)),
                ),
                None => Label::new(s.def.name.span, format!("service `{}` has no `env_file`", s.def.name.value)),
            });
        }
        r.report(f);
    }
}

/// A key the service's env sets (in `environment:` or an env file) one edit away from `key`,
/// with the place it is set.
fn near_key<'a>(model: &'a Model, definitions: &[&'a Service], key: &str) -> Option<(&'a str, Span)> {
    let mut set: Vec<(&'a str, Span)> = Vec::new();
    for d in definitions {
        set.extend(d.def.environment.iter().map(|e| (e.key.value.as_str(), e.key.span)));
        for r in &d.env_refs {
            if let Some(src) = model.env_source(r) {
                // Only a name that may be printed (never a bare word or a pasted token).
                let shown = src.parsed.entries.iter().filter(|e| e.is_assigned() && key_is_shown(&e.key.value));
                set.extend(shown.map(|e| (e.key.value.as_str(), e.key.span)));
            }
        }
    }
    let near = crate::config::suggest_key(key, set.iter().map(|(k, _)| *k))?;
    set.into_iter().find(|(k, _)| *k == near)
}

/// The env files of a service as the messages name them.
fn env_description(model: &Model, service: &Service) -> String {
    if service.env_refs.is_empty() {
        return "no env file".to_string();
    }
    let parts: Vec<String> =
        service.env_refs.iter().map(|e| super::env_ref_text(&e.path, model.env_source(e))).collect();
    parts.join(", ")
}
