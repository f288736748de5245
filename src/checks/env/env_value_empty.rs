use super::{and_list, env_file, production_file};
use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::code::EnvRead;
use crate::parse::envfile::ValueKind;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL302",
    name: "env-value-empty",
    severity: Severity::Warning,
    summary: "a key the code requires is present with an empty value in the real production env file",
    doc: include_str!("../../../rules/DPL302-env-value-empty.md"),
    check,
};

/// An empty line of a real env file: its key, its env source, the first read that requires
/// it, and the programs that do.
struct Empty {
    key: String,
    source: usize,
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
        // `environment:` wins over every env file.
        let set_in_compose =
            |key: &str| env.definitions.iter().any(|d| d.def.environment.iter().any(|e| e.key.value == key));
        let mut required: BTreeMap<String, (EnvRead, Vec<String>)> = BTreeMap::new();
        for d in &env.definitions {
            for (program, _) in model.programs_of(d) {
                for read in model.code.required_env(program).reads {
                    let key = &read.key.value;
                    if cfg.env_optional.iter().chain(&cfg.env_provided).any(|k| k == key) {
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
        for (key, (read, programs)) in &required {
            if set_in_compose(key) {
                continue;
            }
            // The last env file that assigns the key decides (compose reads them in order).
            let last = env
                .env_refs()
                .filter_map(|r| r.source)
                .filter_map(|s| model.env_sources.get(s).map(|src| (s, src)))
                .filter_map(|(s, src)| src.parsed.get(key).map(|e| (s, src, e)))
                .last();
            let Some((s, src, e)) = last else { continue };
            if e.value_kind() != ValueKind::Empty
                || src.is_template
                || src.production.is_none()
                || !model.holds_real_values(src)
            {
                continue;
            }
            let slot = empty.entry(e.key.span).or_insert_with(|| Empty {
                key: key.clone(),
                source: s,
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
    for (span, Empty { key, source, read, mut programs }) in empty {
        let Some(src) = model.env_sources.get(source) else { continue };
        programs.sort();
        let verb = if programs.len() == 1 { "requires" } else { "require" };
        r.report(
            Finding::new(
                format!(
                    "`{key}` is empty in production env file {} but {} {verb} it",
                    production_file(src),
                    and_list(&programs)
                ),
                Label::new(span, format!("`{key}` is empty")),
            )
            .related(Label::new(read.key.span, format!("`{key}` {}", read.why)))
            .help(format!(
                "set `{key}` in {}, or list it in `[env] optional` if the code copes without it",
                env_file(src)
            )),
        );
    }
}
