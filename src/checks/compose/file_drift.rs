use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::{ComposeCall, Kind};
use crate::model::env::is_production_compose;
use crate::model::env_files::named_for_production;
use crate::model::interpolation::{DEFAULT_NAMES, is_development_name};
use crate::source::{file_name, parent_dir};
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL208",
    name: "compose-file-drift",
    severity: Severity::Warning,
    summary: "a section that targets the production compose file runs a later compose command on the development one",
    doc: include_str!("../../../rules/DPL208-compose-file-drift.md"),
    check,
};

/// Subcommands that change what runs (`ps`, `logs` and `config` only look).
const ACTING: &[&str] = &[
    "up", "down", "restart", "stop", "start", "run", "exec", "pull", "build", "rm", "kill", "create", "pause",
    "unpause", "scale",
];

/// Whether a compose file is the production one by its name or the config.
fn is_production_file(model: &Model, path: &str) -> bool {
    if model.config.compose_files.iter().any(|f| f.trim_start_matches("./") == path) {
        return true;
    }
    let live = file_name(path).to_ascii_lowercase().split(['.', '-', '_']).any(|w| w == "live");
    is_production_compose(path) && (named_for_production(path) || live)
}

fn check(model: &Model, r: &mut Reporter) {
    let mut sections: BTreeMap<(crate::source::FileId, usize), Vec<usize>> = BTreeMap::new();
    for (i, c) in model.commands.iter().enumerate() {
        sections.entry(model.section_of(c)).or_default().push(i);
    }
    for indexes in sections.values() {
        let mut cmds: Vec<&crate::model::commands::Command> =
            indexes.iter().filter_map(|&i| model.commands.get(i)).collect();
        cmds.sort_by_key(|c| c.cmd.span.start);
        // A section that sets COMPOSE_FILE picks the files itself.
        if cmds
            .iter()
            .any(|c| c.cmd.assignments.iter().chain(c.cmd.words.iter()).any(|w| w.text.starts_with("COMPOSE_FILE=")))
        {
            continue;
        }
        let mut target: Option<(&ComposeCall, &str)> = None;
        for c in cmds {
            let Kind::Compose(call) = &c.kind else { continue };
            let paths = model.compose_paths_of(call, c.file);
            if !call.files.is_empty() {
                if let Some(p) = paths.iter().find(|p| is_production_file(model, p)) {
                    target.get_or_insert((call, p));
                    continue;
                }
            }
            let Some((first, prod)) = target else { continue };
            if !call.subcommand.as_ref().is_some_and(|s| ACTING.contains(&s.value.as_str())) {
                continue;
            }
            let dir = parent_dir(prod);
            // What the call acts on instead: the default file beside the production one, or
            // the development file it names there.
            let other = if call.files.is_empty() {
                DEFAULT_NAMES.iter().find_map(|n| {
                    paths.iter().find(|p| parent_dir(p) == dir && file_name(p) == *n && **p != prod).copied()
                })
            } else {
                paths.iter().find(|p| parent_dir(p) == dir && is_development_name(p) && **p != prod).copied()
            };
            let Some(other) = other else { continue };
            let sub = call.subcommand.as_ref().map_or("", |s| s.value.as_str());
            let how = if call.files.is_empty() { "has no `-f`" } else { "names the development file" };
            r.report(
                Finding::new(
                    format!(
                        "this `{} {sub}` {how}: it acts on `{other}`, not on `{prod}` that this section targets",
                        call.flavor.command()
                    ),
                    Label::new(call.tool, format!("runs `{other}`")),
                )
                .related(Label::new(first.tool, format!("the section targets `{prod}` here")))
                .help(format!("pass the same files: `{} -f {prod} {sub} …`", call.flavor.command())),
            );
        }
    }
}
