use super::{and_list, env_file, production_file};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::code::EnvRead;
use crate::model::env::{Origin, Shape};
use crate::model::interpolation::is_development_name;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL302",
    name: "env-value-empty",
    severity: Severity::Warning,
    summary: "a key the code requires is present with an empty value in the real production env file",
    doc: include_str!("../../../rules/DPL302-env-value-empty.md"),
    check,
};

/// How the value comes to be empty.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    /// An env file line `KEY=`.
    EnvFile,
    /// `environment:` builds it from variables the interpolation file leaves unset or empty.
    Interpolated,
    /// `environment:` writes it empty (`KEY: ""`, `- KEY=`).
    Literal,
}

/// An empty line of a real env file: its key, its env source, the first read that requires
/// it, and the programs that do.
struct Empty {
    key: String,
    /// The env file that holds it empty (or that `environment:` interpolates it with).
    source: Option<usize>,
    via: Via,
    read: EnvRead,
    programs: Vec<String>,
}

fn check(model: &Model, r: &mut Reporter) {
    let cfg = &model.config;
    // One finding per empty line.
    let mut empty: BTreeMap<crate::source::Span, Empty> = BTreeMap::new();
    for (i, service) in model.services.iter().enumerate() {
        if !service.production || model.service_definitions(service).first().is_some_and(|&j| j != i) {
            continue;
        }
        let env = model.env_of(service);
        let mut required: BTreeMap<String, (EnvRead, Vec<String>)> = BTreeMap::new();
        // A `.env.schema` beside the service's env file decides for the keys it names.
        let speaker = env.definitions.iter().find(|d| !d.env_refs.is_empty()).copied().unwrap_or(service);
        let all_programs: Vec<&crate::model::code::Program> =
            env.definitions.iter().flat_map(|d| model.programs_of(d)).map(|(p, _)| p).collect();
        let schema = model.env_schema_of(speaker, &all_programs);
        // Another key the code falls back to holds a value: this one may be empty.
        let covered = |read: &EnvRead| {
            read.alternatives.iter().any(|a| env.values.get(a.as_str()).is_some_and(|v| v.shape != Shape::Empty))
        };
        for d in &env.definitions {
            for (program, _) in model.programs_of(d) {
                let reads = model.code.required_env(program);
                for read in &reads.reads {
                    let key = &read.key.value;
                    if cfg.env_optional.iter().chain(&cfg.env_provided).any(|k| k == key)
                        || covered(read)
                        || schema.as_ref().and_then(|s| s.get(key)).is_some_and(|k| !k.required)
                    {
                        continue;
                    }
                    let entry = required.entry(key.clone()).or_insert_with(|| (read.clone(), Vec::new()));
                    if read.key.span < entry.0.key.span {
                        entry.0 = read.clone();
                    }
                    if !entry.1.contains(&program.name) {
                        entry.1.push(program.name.clone());
                    }
                }
            }
        }
        if let Some(s) = &schema {
            for k in s.keys.iter().filter(|k| k.required) {
                let why = "marked required by the repository's `.env.schema`, with no value there";
                let read = EnvRead::new(k.key.clone(), true, why);
                required.entry(k.key.value.clone()).or_insert_with(|| (read, vec![s.path().to_string()]));
            }
        }
        for (key, (read, programs)) in &required {
            // The value after compose's order of precedence: an env file entry, or an
            // `environment:` value interpolated with a real env file.
            let Some(value) = env.values.get(key.as_str()) else { continue };
            if value.shape != Shape::Empty {
                continue;
            }
            let (at, source, via) = match value.origin {
                Origin::EnvFile { source, at } => (at, Some(source), Via::EnvFile),
                Origin::Environment { at, via: Some(source) } => (at, Some(source), Via::Interpolated),
                // A value written empty in the production compose file itself.
                Origin::Environment { at, via: None } if !is_development_name(model.sources.path(at.file)) => {
                    (at, None, Via::Literal)
                }
                Origin::Environment { .. } => continue,
                Origin::Image => continue,
            };
            if let Some(src) = source.and_then(|s| model.env_sources.get(s))
                && (src.is_template || src.production.is_none() || !model.holds_real_values(src))
            {
                continue;
            }
            let slot = empty.entry(at).or_insert_with(|| Empty {
                key: key.clone(),
                source,
                via,
                read: read.clone(),
                programs: Vec::new(),
            });
            for p in programs {
                if !slot.programs.contains(p) {
                    slot.programs.push(p.clone());
                }
            }
        }
    }
    for (span, Empty { key, source, via, read, mut programs }) in empty {
        let src = source.and_then(|s| model.env_sources.get(s));
        programs.sort();
        let verb = if programs.len() == 1 { "requires" } else { "require" };
        let needs = format!("{} {verb} it", and_list(&programs));
        let (message, label, help) = match (via, src) {
            (Via::EnvFile, Some(src)) => (
                format!("`{key}` is empty in production env file {} but {needs}", production_file(src)),
                format!("`{key}` is empty"),
                format!(
                    "set `{key}` in {}, or list it in `[env] optional` if the code copes without it",
                    env_file(src)
                ),
            ),
            (Via::Interpolated, Some(src)) => (
                format!(
                    "`{key}` is empty: `environment:` builds it from variables that production env file {} leaves unset or empty, but {needs}",
                    production_file(src)
                ),
                format!("`{key}` is empty once compose interpolates it"),
                format!(
                    "set the variable in {}, or list `{key}` in `[env] optional` if the code copes without it",
                    env_file(src)
                ),
            ),
            _ => (
                format!("`{key}` is empty: `environment:` of the production compose file sets it so, but {needs}"),
                format!("`{key}` is set empty here"),
                format!(
                    "give `{key}` a value (or `{key}: ${{VAR}}` set in the env file), or list it in `[env] optional` if the code copes without it"
                ),
            ),
        };
        r.report(
            Finding::new(message, Label::new(span, label))
                .related(Label::new(read.key.span, format!("`{key}` {}", read.why)))
                .help(help),
        );
    }
}
