//! What compose interpolates a compose file with: the env files of `--env-file` as the
//! repository's own scripts, runbooks, Makefiles and CI steps pass them for that file, else the
//! `.env` beside it (read from its template when it is absent), and the variables those
//! commands set in their own shell.

use super::{Model, commands};
use crate::parse::compose::Interpolation;
use crate::parse::interpolation::RefKind;
use crate::source::{FileId, Span, file_name, join_rel, parent_dir};
use std::collections::BTreeSet;

/// A production compose file and the variables it interpolates.
#[derive(Debug, Clone)]
pub struct ComposeFile {
    pub file: FileId,
    pub path: String,
    pub interpolations: Vec<Interpolation>,
    /// Each env file compose interpolates it with; several when the commands that run it pass
    /// different ones. Empty when that cannot be known: a swarm stack file that no command of
    /// the repository runs with compose.
    pub env_files: Vec<InterpolationFile>,
}

/// One env file compose interpolates with.
#[derive(Debug, Clone)]
pub struct InterpolationFile {
    /// As compose reads it (resolved against the compose file's directory).
    pub path: String,
    /// The `--env-file` word that names it, when a command does.
    pub declared: Option<Span>,
    /// The env source read for it (the file, or its template when it is absent); `None`: not
    /// in the repository, so what it sets is unknown.
    pub source: Option<usize>,
}

/// Whether a compose file's name says it is for development, tests or CI
/// (`docker-compose.dev.yml`, `compose.override.yaml`, `docker-compose-e2e.yml`).
pub fn is_development_name(path: &str) -> bool {
    const WORDS: &[&str] =
        &["dev", "develop", "development", "local", "test", "tests", "e2e", "ci", "override", "debug"];
    file_name(path).to_ascii_lowercase().split(['.', '-', '_']).any(|w| WORDS.contains(&w))
}

/// The compose file names compose reads when no `-f` is given, in its order.
pub const DEFAULT_NAMES: &[&str] = &["compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"];

/// Whether a compose call's `-f` value (or, without `-f`, the default names) names `path`.
/// A call runs from a directory deploylint cannot know: a relative value names the file at
/// that path from the repository root or from the calling file's directory, or the one compose
/// file of the repository with that name.
pub(super) fn call_names(call: &commands::ComposeCall, caller: &str, path: &str, same_name: usize) -> bool {
    let names = |v: &str| {
        let v = v.trim_start_matches("./");
        !v.is_empty()
            && (v == path
                || join_rel(parent_dir(caller), v).is_some_and(|p| p == path)
                || (file_name(v) == file_name(path) && same_name == 1))
    };
    if call.files.is_empty() {
        return DEFAULT_NAMES.contains(&file_name(path)) && names(file_name(path));
    }
    call.files.iter().any(|f| names(&f.value))
}

impl Model {
    /// The compose files of the repository a call runs (by `-f`, else by the default names),
    /// as far as a call from `caller` can be placed.
    pub fn compose_paths_of(&self, call: &commands::ComposeCall, caller: FileId) -> Vec<&str> {
        let caller = self.sources.path(caller);
        let composes: Vec<&str> = self
            .sources
            .iter()
            .filter(|(_, f)| f.kind == crate::source::Kind::Compose)
            .map(|(_, f)| f.path.as_str())
            .collect();
        let mut by_name: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
        for p in &composes {
            *by_name.entry(file_name(p)).or_default() += 1;
        }
        composes
            .iter()
            .copied()
            .filter(|p| call_names(call, caller, p, by_name.get(file_name(p)).copied().unwrap_or(0)))
            .collect()
    }

    /// The section of a script, runbook or recipe a command belongs to: a Markdown file's
    /// heading section, else its command group (a script, a recipe, a CI step, a crontab line).
    pub fn section_of(&self, c: &commands::Command) -> (FileId, usize) {
        if c.origin == commands::Origin::Runbook {
            let before =
                self.runbook_headings.get(&c.file).map_or(0, |h| h.partition_point(|&at| at <= c.cmd.span.start));
            return (c.file, before);
        }
        (c.file, c.group)
    }

    /// The env files compose interpolates `path` with.
    pub(super) fn interpolation_files(&self, path: &str, swarm: bool) -> Vec<InterpolationFile> {
        let dir = parent_dir(path);
        let mut out: Vec<InterpolationFile> = Vec::new();
        let mut dotenv = false;
        let mut any_call = false;
        // Counted once: how many compose files share this one's name.
        let same_name = self
            .sources
            .iter()
            .filter(|(_, f)| f.kind == crate::source::Kind::Compose && file_name(&f.path) == file_name(path))
            .count();
        for c in &self.commands {
            let commands::Kind::Compose(call) = &c.kind else { continue };
            if !call_names(call, self.sources.path(c.file), path, same_name) {
                continue;
            }
            any_call = true;
            if call.env_files.is_empty() {
                dotenv = true;
            }
            for e in &call.env_files {
                let v = e.value.trim_start_matches("./");
                // Relative to the directory the command runs in: the compose file's, or the
                // repository root.
                let candidates: Vec<String> = join_rel(dir, v).into_iter().chain([v.to_string()]).collect();
                let found = candidates.iter().find_map(|p| self.env_source_for(p).map(|s| (p.clone(), s)));
                let (resolved, source) = match found {
                    Some((p, s)) => (p, Some(s)),
                    None => (candidates.first().cloned().unwrap_or_default(), None),
                };
                if !out.iter().any(|f| f.path == resolved) {
                    out.push(InterpolationFile { path: resolved, declared: Some(e.span), source });
                }
            }
        }
        // A stack deployed by swarm or a platform reads no `.env`: without a compose command
        // that runs it, what sets its variables is unknown.
        if dotenv || (!any_call && !swarm) {
            let p = join_rel(dir, ".env").unwrap_or_else(|| ".env".to_string());
            if !out.iter().any(|f| f.path == p) {
                let source = self.env_source_for(&p);
                out.push(InterpolationFile { path: p, declared: None, source });
            }
        }
        out
    }

    /// Whether a variable may come from the shell of the commands that run compose: the
    /// repository's scripts, runbooks, Makefiles, justfiles, CI files or crontab lines assign
    /// or export it (`NAME=`, `export NAME`, a Makefile's `NAME ?=`, `NAME:` in a CI `env:`, a
    /// `NAME=` line written to an env file or `$GITHUB_ENV`), as the command model records
    /// them, or the config says the platform provides it.
    pub fn shell_may_set(&self, name: &str) -> bool {
        SHELL_VARIABLES.contains(&name)
            || self.config.env_provided.iter().any(|k| k == name)
            || self.assigned_names.values().any(|names| names.contains(name))
    }

    /// The commands of a Makefile's or justfile's recipes (`(line, offset)` each), a group per
    /// recipe, with the file's own variables for `$(DC)` / `{{dc}}`; the names each recipe and
    /// the file's variables assign.
    pub(super) fn note_recipes<'r>(
        &mut self,
        file: FileId,
        group: &mut usize,
        recipes: impl Iterator<Item = &'r [(String, usize)]>,
        vars: &dyn Fn(&str) -> Option<String>,
        file_vars: BTreeSet<String>,
    ) {
        for recipe in recipes {
            *group += 1;
            let cmds = recipe.iter().flat_map(|(line, at)| crate::parse::shell::parse(file, line, *at)).collect();
            let names = super::commands::classify_group_with(
                super::commands::Origin::Makefile,
                file,
                *group,
                cmds,
                vars,
                &mut self.commands,
            );
            self.note_assigned(file, *group, names);
        }
        self.note_assigned(file, 0, file_vars);
    }

    pub(super) fn note_assigned(&mut self, file: FileId, group: usize, names: BTreeSet<String>) {
        if !names.is_empty() {
            self.assigned_names.entry((file, group)).or_default().extend(names);
        }
    }
}

/// Variables every login shell has.
const SHELL_VARIABLES: &[&str] = &["HOME", "PWD", "USER", "LOGNAME", "PATH", "SHELL", "HOSTNAME", "LANG", "TERM"];

/// What an env file does for a reference: set (with a value), set but empty, or unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup {
    Set,
    Empty,
    Unset,
}

impl Model {
    /// How `name` stands in the env file compose interpolates with. A template's empty value
    /// is a value to fill in: set.
    pub fn interpolation_lookup(&self, source: usize, name: &str) -> Lookup {
        let Some(src) = self.env_sources.get(source) else { return Lookup::Unset };
        match src.parsed.get(name) {
            Some(e) if e.has_value() || (src.is_template && e.is_assigned()) => Lookup::Set,
            Some(e) if e.is_assigned() => Lookup::Empty,
            // A bare `KEY` line passes the caller's own variable through.
            Some(_) => Lookup::Set,
            None => Lookup::Unset,
        }
    }

    /// Whether compose refuses to run with this env file: a required reference whose variable
    /// is unset (or empty, for `:?`).
    pub fn refuses(&self, i: &Interpolation, source: usize) -> bool {
        let RefKind::Required { empty_fails, .. } = &i.kind else { return false };
        match self.interpolation_lookup(source, &i.name) {
            Lookup::Set => false,
            Lookup::Empty => *empty_fails,
            Lookup::Unset => true,
        }
    }

    /// The names of the production compose files' interpolated variables that some file sets
    /// (for `model` output and DPL303): every name read by interpolation.
    pub fn interpolated_names(&self) -> BTreeSet<&str> {
        self.compose_files.iter().flat_map(|c| c.interpolations.iter().map(|i| i.name.as_str())).collect()
    }
}
