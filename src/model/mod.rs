//! The deploy model, built once from the parsed artifacts: binaries, images, services, env
//! sources, schedules and commands, with the links between them. Checks only query it.

pub mod builds;
pub mod code;
pub mod commands;
pub mod containers;
pub mod entry;
pub mod env;
pub mod env_files;
mod env_names;
pub mod env_schema;
pub mod features;
pub mod files;
pub mod images;
pub mod interpolation;
pub mod migrations;
pub mod pytasks;
pub mod schedules;
pub mod shipping;
pub mod tasks;
mod variants;

use crate::config::Config;
use crate::discover::{Discovered, Tree};
use crate::parse::{self, ParseError, Unfollowed, compose, crontab, envfile, makefile, markdown, shell};
use crate::source::{FileId, Kind, SourceFile, Sources, Span, Spanned, file_name, join_rel, parent_dir};
use code::CodeModel;
use commands::{Command, ExecTarget, Execution, Origin};
use images::Image;
use images::context::{self as build_context, ContextFrom, ImageBuild};
use std::collections::{BTreeMap, BTreeSet};

/// An env file: a real one or a committed template.
#[derive(Debug)]
pub struct EnvSource {
    pub file: FileId,
    pub path: String,
    pub parsed: envfile::EnvFile,
    pub is_template: bool,
    /// Named on the command line (`--env-file`): the real file, standing for the repository's
    /// env file of the same name.
    pub given: bool,
    /// Certainly read as an env file: its name says so (`.env`, `.env.prod`), a compose file, a
    /// command or the config names it, or it is the template of one; or it was given.
    pub read_as_env: bool,
    /// Why it certainly holds production's env (for a template: the file it documents), if it
    /// does. A frontend build file holding only public keys (`VITE_…`) never does.
    pub production: Option<env_files::Production>,
    /// For a decorated `.env.schema`: what it says of each of its keys.
    pub schema_marks: Option<Vec<parse::envschema::KeyMarks>>,
}

/// An `env_file:` entry of a service, resolved.
#[derive(Debug, Clone)]
pub struct EnvRef {
    pub declared: Spanned<String>,
    /// Root-relative path the entry names.
    pub path: String,
    /// The env source read for it: the file itself, or its template when the file is absent.
    pub source: Option<usize>,
    /// `false` for a long-syntax entry with `required: false`: compose skips it when absent.
    pub required: bool,
}

#[derive(Debug)]
pub struct Service {
    pub compose: FileId,
    pub compose_path: String,
    pub def: compose::Service,
    /// `container_name`, and the names compose generates (v1 `project_service_1`, v2
    /// `project-service-1`).
    pub container_names: Vec<String>,
    /// The compose file's top-level `name:` (the project), when it sets one.
    pub project: Option<String>,
    /// Index into `Model::images` and the shipped stage.
    pub image: Option<(usize, usize)>,
    pub env_refs: Vec<EnvRef>,
    /// The compose file may describe production: it is not under an example, test or docs
    /// directory.
    pub production: bool,
}

/// A crontab entry (from a crontab file or a runbook block) and its commands.
#[derive(Debug)]
pub struct CronLine {
    pub file: FileId,
    pub entry: crontab::CronEntry,
}

/// A path executed in a container by a command, and the service it runs in (when known).
#[derive(Debug, Clone)]
pub struct Exec {
    /// Index into `Model::commands`.
    pub command: usize,
    pub exec: Execution,
    /// Index into `Model::services`.
    pub service: Option<usize>,
}

/// A batch task named by a command (`/app/batch -task=grace-expiry`).
#[derive(Debug, Clone)]
pub struct TaskRef {
    /// How the selector is named (a binary's name, `manage.py`, a script's path).
    pub binary: String,
    /// Index into `Model::task_selectors`.
    pub selector: usize,
    pub task: Spanned<String>,
    pub scheduler: schedules::Scheduler,
}

#[derive(Debug, Default)]
pub struct Model {
    pub sources: Sources,
    pub config: Config,
    pub parse_errors: Vec<ParseError>,
    pub unfollowed: Vec<Unfollowed>,
    /// The code: programs, the env keys they read, what they reach.
    pub code: CodeModel,
    pub images: Vec<Image>,
    pub services: Vec<Service>,
    pub env_sources: Vec<EnvSource>,
    pub commands: Vec<Command>,
    pub cron_lines: Vec<CronLine>,
    /// Files holding crontab entries (crontab files and runbook crontab blocks).
    pub crontab_files: BTreeSet<FileId>,
    /// Makefiles by path.
    pub makefiles: BTreeMap<String, makefile::Makefile>,
    /// Every path executed in a container (`docker exec`, `compose exec|run`).
    pub execs: Vec<Exec>,
    /// The task selectors of batch binaries.
    pub task_selectors: Vec<tasks::TaskSelector>,
    /// GitHub workflows triggered by `schedule:`.
    pub scheduled_workflows: BTreeSet<FileId>,
    /// The runs of schedulers other than crontabs and workflows, as they are read.
    other_scheduled_runs: Vec<schedules::ScheduledRun>,
    /// Runs of an image's ENTRYPOINT, resolved once the images are known.
    image_runs: Vec<schedules::ImageRun>,
    /// Everything that runs on a schedule.
    pub scheduled_runs: Vec<schedules::ScheduledRun>,
    /// What exists under the root (directories, artifacts, manifests).
    pub tree: Tree,
    /// Release tools' configs and what they build (`None`: a config that cannot be read).
    pub release_configs: Vec<(FileId, Option<Vec<parse::release::ReleaseBuild>>)>,
    /// `docker/build-push-action` steps of GitHub workflows.
    pub action_builds: Vec<parse::ci::ActionBuild>,
    /// Targets of `docker buildx bake` files, with their file.
    pub bake_targets: Vec<(FileId, parse::bake::BakeTarget)>,
    /// Builds of Dockerfiles outside compose (`docker build`, CI actions), resolved.
    pub image_builds: Vec<ImageBuild>,
    /// Builds of the repository's binaries outside Docker.
    pub host_builds: Vec<builds::HostBuild>,
    /// Which binaries ship, and the evidence for those that do not.
    pub shipping: shipping::Shipping,
    /// What some cron implementations refuse in a crontab while others read it.
    pub cron_reader_issues: Vec<ParseError>,
    /// Where the sections of each Markdown file start (its headings' offsets).
    pub runbook_headings: BTreeMap<FileId, Vec<usize>>,
    /// The names each script, runbook block, recipe, CI step or crontab line assigns or
    /// exports, by file and command group (group 0: the file's own variables, a Makefile's or a
    /// CI file's `env:`); never their values.
    pub assigned_names: BTreeMap<(FileId, usize), BTreeSet<String>>,
    /// The production compose files, with what compose interpolates them with.
    pub compose_files: Vec<interpolation::ComposeFile>,
    /// Numbered migration folders and what is wrong in them.
    pub migrations: Vec<migrations::MigrationFolder>,
    /// The migration files findings point at, as sources with no text.
    pub migration_files: BTreeMap<String, FileId>,
    /// The keys of every compose file that parses (`services.web.develop`), by file.
    pub compose_keys: BTreeMap<FileId, Vec<Spanned<String>>>,
}

/// Splits a runbook shell block at a `crontab -e` line: the entry-like lines after it are
/// crontab entries (returned, and blanked in the script, offsets kept). A six-field schedule
/// there belongs to an in-app scheduler, not to cron: it is dropped, never a finding.
fn split_crontab_lines(file: FileId, body: &str, base: usize) -> (String, Vec<crontab::CronEntry>) {
    let mut script = String::with_capacity(body.len());
    let mut entries = Vec::new();
    let mut after_crontab_e = false;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let t = line.trim();
        if after_crontab_e && t.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '@') {
            let indent = line.len() - line.trim_start().len();
            if let Some(e) = crontab::parse_entry(file, t, base + start + indent) {
                let sixth = e.schedule_error.as_ref().is_some_and(|(_, why)| why.starts_with("a sixth"));
                if !sixth {
                    entries.push(e);
                }
            }
            // Blank byte for byte, so the offsets of the lines after it stay right.
            let text_len = line.trim_end_matches('\n').len();
            script.extend(std::iter::repeat_n(' ', text_len));
            script.push_str(&line[text_len..]);
            continue;
        }
        if t == "crontab -e" || t.starts_with("crontab -e ") || t.starts_with("sudo crontab -e") {
            after_crontab_e = true;
        }
        script.push_str(line);
    }
    (script, entries)
}

/// Which cron reads a crontab: from its place and content (see
/// [`crate::discover::crontab_format`]), then from the Dockerfiles that copy it: to
/// `/etc/cron.d/` or `/etc/crontab` (a system crontab), to `/etc/crontabs/` or
/// `/var/spool/cron/crontabs/` (BusyBox crond), or into a stage that runs supercronic.
type ParsedDockerfile = (FileId, parse::dockerfile::Dockerfile);
type ParsedCompose = (FileId, compose::Compose);

/// Whether a Dockerfile stage installs or runs supercronic.
fn stage_runs_supercronic(stage: &parse::dockerfile::Stage) -> bool {
    let mut words = stage.instrs.iter().flat_map(|i| match i {
        parse::dockerfile::Instr::Run(r) => r.commands.iter().flat_map(|c| c.argv()).collect::<Vec<_>>(),
        parse::dockerfile::Instr::Entrypoint(e) | parse::dockerfile::Instr::Cmd(e) => {
            e.words.iter().map(|w| w.value.as_str()).collect()
        }
        _ => Vec::new(),
    });
    words.any(|w| w.contains("supercronic"))
}

/// The cron that reads a crontab: from its name and text, then from how images and compose
/// services put it in place (a `COPY` into a Dockerfile, a bind mount into a service) and what
/// they run.
fn crontab_format(
    path: &str,
    text: &str,
    (dockerfiles, composes): (&[ParsedDockerfile], &[ParsedCompose]),
    sources: &Sources,
) -> crontab::Format {
    use crontab::Format;
    let mut format = crate::discover::crontab_format(path, text);
    for (cid, c) in composes {
        let dir = parent_dir(sources.path(*cid));
        for s in &c.services {
            let Some((_, dest)) = s.binds.iter().find(|(src, _)| join_rel(dir, src).as_deref() == Some(path)) else {
                continue;
            };
            let runs = |w: &Spanned<String>| w.value.contains("supercronic");
            let in_command = s.command.iter().chain(&s.entrypoint).any(|cmd| cmd.words.iter().any(runs));
            // The image the service builds: the Dockerfile of its build, any stage.
            let in_image = s.build.as_ref().is_some_and(|b| {
                let ctx = join_rel(dir, &b.context.value);
                let df = ctx
                    .and_then(|ctx| join_rel(&ctx, b.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str())));
                dockerfiles.iter().any(|(id, d)| {
                    Some(sources.path(*id)) == df.as_deref() && d.stages.iter().any(stage_runs_supercronic)
                })
            });
            format = if in_command || in_image {
                Format::Supercronic
            } else if dest.starts_with("/etc/cron.d") || dest == "/etc/crontab" {
                Format::System
            } else if dest.starts_with("/etc/crontabs") || dest.starts_with("/var/spool/cron/crontabs") {
                Format::BusyBox
            } else {
                format
            };
        }
    }
    for (id, df) in dockerfiles {
        let dir = parent_dir(sources.path(*id));
        for stage in &df.stages {
            let supercronic = stage_runs_supercronic(stage);
            for instr in &stage.instrs {
                let parse::dockerfile::Instr::Copy(c) = instr else { continue };
                if c.from.is_some() {
                    continue;
                }
                // The file itself, or a directory holding it.
                let (mut file, mut within) = (false, false);
                for p in c.sources.iter().flat_map(|s| [join_rel(dir, &s.value), join_rel("", &s.value)]).flatten() {
                    file |= p == path;
                    within |= !p.is_empty() && path.starts_with(&format!("{p}/"));
                }
                if !file && !within {
                    continue;
                }
                let dest = c.dest.value.as_str();
                format = if supercronic && file {
                    Format::Supercronic
                } else if dest.starts_with("/etc/cron.d") || dest == "/etc/crontab" {
                    Format::System
                } else if dest.starts_with("/etc/crontabs") || dest.starts_with("/var/spool/cron/crontabs") {
                    Format::BusyBox
                } else {
                    format
                };
            }
        }
    }
    format
}

/// A build context (when known), where it comes from, and the compose `build.args` a
/// Dockerfile is built with.
type BuildVariant = (Option<String>, ContextFrom, BTreeMap<String, String>);

impl Model {
    pub fn build(discovered: Discovered, config: Config) -> Model {
        let sources = Sources::from_files(discovered.files);
        let mut m = Model { config, tree: discovered.tree, sources, ..Model::default() };
        // The files to read below; source code is read by the code model.
        let ids: Vec<(FileId, Kind)> = m
            .sources
            .iter()
            .filter(|(_, f)| {
                !matches!(
                    f.kind,
                    Kind::Go
                        | Kind::GoMod
                        | Kind::GitIgnore
                        | Kind::CargoToml
                        | Kind::RustMain
                        | Kind::Rust
                        | Kind::Python
                        | Kind::Js
                        | Kind::PackageJson
                )
            })
            .map(|(id, f)| (id, f.kind))
            .collect();
        // Files not read stay in the sources, empty, for their DPL003 to point at.
        for s in discovered.skipped {
            let id = m.sources.add(SourceFile::new(s.path, s.kind, String::new(), false));
            m.unfollowed.push(Unfollowed { span: Span::new(id, 0..0), message: format!("was not read: {}", s.reason) });
        }
        m.code = code::build(&m.sources, &m.config.binaries_ignore, &mut m.parse_errors);
        let mut composes = Vec::new();
        let mut dockerfiles = Vec::new();
        let mut crontabs = Vec::new();
        let mut systemd_units = Vec::new();
        let mut env_errors: Vec<(usize, Vec<ParseError>)> = Vec::new();
        let mut group = 0;
        for (id, kind) in ids {
            let text = m.sources.text(id).to_string();
            match kind {
                Kind::EnvFile => {
                    let parsed = envfile::parse(id, &text);
                    if !parsed.errors.is_empty() {
                        env_errors.push((m.env_sources.len(), parsed.errors.clone()));
                    }
                    let path = m.sources.path(id).to_string();
                    let given = m.config.server_env_files.iter().any(|p| crate::source::path_text(p) == path);
                    let is_template = !given && env::is_template(&path);
                    let schema_marks = env_schema::is_schema(&path)
                        .then(|| parse::envschema::decorated_marks(&parsed, &text))
                        .flatten();
                    m.env_sources.push(EnvSource {
                        file: id,
                        path,
                        parsed,
                        is_template,
                        given,
                        read_as_env: false,
                        production: None,
                        schema_marks,
                    });
                }
                Kind::Compose => match compose::parse(id, &text) {
                    Ok(c) => composes.push((id, c)),
                    Err(e) => m.parse_errors.push(e),
                },
                Kind::Dockerfile => match parse::dockerfile::parse(id, &text) {
                    Ok(d) => dockerfiles.push((id, d)),
                    Err(parse::dockerfile::Trouble::Invalid(e)) => m.parse_errors.push(e),
                    Err(parse::dockerfile::Trouble::Unfollowed(u)) => m.unfollowed.push(u),
                },
                // Read once the Dockerfiles are known (they tell which cron reads a crontab).
                Kind::Crontab => crontabs.push(id),
                Kind::Shell => {
                    group += 1;
                    let cmds = shell::parse(id, &text, 0);
                    let names = commands::classify_group(Origin::Script, id, group, cmds, &mut m.commands);
                    m.note_assigned(id, group, names);
                }
                Kind::Markdown => {
                    m.runbook_headings.insert(id, markdown::headings(&text));
                    for block in markdown::code_blocks(&text) {
                        let body = text.get(block.start..block.end).unwrap_or("");
                        group += 1;
                        match block.lang.as_str() {
                            "console" | "shell-session" | "sh-session" | "terminal" => {
                                // A transcript: the lines after a `$ ` prompt are commands.
                                let script = shell::transcript_commands(body).unwrap_or_default();
                                let cmds = shell::parse(id, &script, block.start);
                                let names = commands::classify_group(Origin::Runbook, id, group, cmds, &mut m.commands);
                                m.note_assigned(id, group, names);
                            }
                            "sh" | "bash" | "shell" | "zsh" => {
                                // Written with prompts, it is a transcript too.
                                let transcript = shell::transcript_commands(body);
                                let body = transcript.as_deref().unwrap_or(body);
                                // Lines after `crontab -e` are the crontab being written, not commands.
                                let (script, entries) = split_crontab_lines(id, body, block.start);
                                let cmds = shell::parse(id, &script, block.start);
                                let names = commands::classify_group(Origin::Runbook, id, group, cmds, &mut m.commands);
                                m.note_assigned(id, group, names);
                                if !entries.is_empty() {
                                    m.add_crontab_entries(id, entries, &mut group);
                                }
                            }
                            "crontab" | "cron" => {
                                // Prose-like lines of a runbook block are not DPL001.
                                let c = crontab::parse(id, body, block.start);
                                m.add_crontab_entries(id, c.entries, &mut group);
                            }
                            // An env file's lines (`.env` as the runbook has it written).
                            "env" | "dotenv" | "" => {
                                let names = commands::env_block_names(id, body, !block.lang.is_empty());
                                m.note_assigned(id, group, names);
                            }
                            _ => {}
                        }
                    }
                }
                Kind::Makefile => {
                    let mk = makefile::parse(&text);
                    // `$(DC) up -d` after `DC = docker compose`.
                    let none = BTreeMap::new();
                    let vars = |name: &str| mk.expand(&format!("$({name})"), &none, 0).filter(|v| !v.is_empty());
                    let recipes = mk.rules.iter().map(|r| r.recipe.as_slice());
                    m.note_recipes(id, &mut group, recipes, &vars, mk.vars.keys().cloned().collect());
                    m.makefiles.insert(m.sources.path(id).to_string(), mk);
                }
                Kind::BakeFile => {
                    m.bake_targets.extend(parse::bake::parse(id, &text).into_iter().map(|t| (id, t)));
                }
                Kind::ReleaseConfig => {
                    let builds = parse::release::parse(id, m.sources.path(id), &text);
                    m.release_configs.push((id, builds));
                }
                Kind::GithubWorkflow | Kind::GitlabCi => {
                    m.note_assigned(id, 0, parse::ci::env_names(id, &text));
                    if kind == Kind::GithubWorkflow && parse::ci::github_scheduled(id, &text) {
                        m.scheduled_workflows.insert(id);
                    }
                    if kind == Kind::GithubWorkflow {
                        m.action_builds.extend(parse::ci::github_image_builds(id, &text).unwrap_or_default());
                    }
                    let steps = if kind == Kind::GithubWorkflow {
                        parse::ci::github_runs(id, &text)
                    } else {
                        parse::ci::gitlab_scripts(id, &text)
                    };
                    match steps {
                        Ok(steps) => {
                            for (start, end) in steps {
                                group += 1;
                                let cmds = shell::parse(id, text.get(start..end).unwrap_or(""), start);
                                let names = commands::classify_group(Origin::Ci, id, group, cmds, &mut m.commands);
                                m.note_assigned(id, group, names);
                            }
                        }
                        Err(e) => m.parse_errors.push(e),
                    }
                }
                Kind::Justfile => {
                    let just = parse::justfile::parse(&text);
                    // `{{dc}} up -d` after `dc := "docker compose"`.
                    let vars = |name: &str| just.var_of_masked(name).map(str::to_string);
                    let recipes = just.recipes.iter().map(|r| r.lines.as_slice());
                    m.note_recipes(id, &mut group, recipes, &vars, just.vars.keys().cloned().collect());
                }
                Kind::Go
                | Kind::GoMod
                | Kind::GitIgnore
                | Kind::DockerIgnore
                | Kind::CargoToml
                | Kind::RustMain
                | Kind::Rust
                | Kind::Python
                | Kind::Js
                | Kind::PackageJson
                | Kind::Directory
                | Kind::Migration
                | Kind::UwsgiIni => {}
                Kind::OfeliaIni => {
                    schedules::ofelia_config(id, &text, &mut m.other_scheduled_runs, &mut m.image_runs);
                }
                Kind::SystemdUnit => systemd_units.push(id),
                Kind::KubeManifest => {
                    schedules::kube_cronjobs(id, &text, &mut m.other_scheduled_runs, &mut m.image_runs);
                }
            }
        }
        schedules::systemd_timers(&m.sources, &systemd_units, &mut m.other_scheduled_runs);
        for id in crontabs {
            let text = m.sources.text(id).to_string();
            let format = crontab_format(m.sources.path(id), &text, (&dockerfiles, &composes), &m.sources);
            let c = crontab::parse_as(id, &text, 0, format);
            m.parse_errors.extend(c.errors);
            m.cron_reader_issues.extend(c.reader_issues);
            m.add_crontab_entries(id, c.entries, &mut group);
        }
        let host_commands = builds::host_commands(&m);
        let dockerfile_paths: BTreeSet<String> =
            dockerfiles.iter().map(|(id, _)| m.sources.path(*id).to_string()).collect();
        m.image_builds = build_context::image_builds(&host_commands, &m.action_builds, &dockerfile_paths);
        m.image_builds.extend(build_context::bake_builds(&m.sources, &m.bake_targets, &dockerfile_paths));
        m.host_builds = builds::host_builds(&m, &host_commands);
        m.build_images(&composes, &dockerfiles);
        let interpolated: Vec<(FileId, Vec<parse::compose::Interpolation>, bool)> =
            composes.iter_mut().map(|(id, c)| (*id, std::mem::take(&mut c.interpolations), c.swarm)).collect();
        for (cid, c) in &composes {
            let text = m.sources.text(*cid);
            for spec in c.services.iter().flat_map(|s| s.ofelia.iter()) {
                let words = spec.words.iter().map(|w| schedules::word(text, w.clone())).collect();
                schedules::runs_of_words(schedules::Scheduler::Ofelia, *cid, words, &mut m.other_scheduled_runs);
            }
        }
        for (cid, c) in composes {
            m.compose_keys.insert(cid, c.keys);
            let compose_path = m.sources.path(cid).to_string();
            let dir = parent_dir(&compose_path).to_string();
            let top_name = c.project.clone();
            for def in c.services {
                let image = def.build.as_ref().and_then(|b| {
                    let ctx = join_rel(&dir, &b.context.value)?;
                    let df = join_rel(&ctx, b.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str()))?;
                    let args = variants::build_args(b);
                    let i = m.images.iter().position(|img| {
                        img.path == df && img.context.as_deref() == Some(ctx.as_str()) && img.build_args == args
                    })?;
                    let target = b.target.as_ref().map(|t| t.value.as_str());
                    let stage = m.images.get(i)?.shipped(target)?.index;
                    Some((i, stage))
                });
                let env_refs = def
                    .env_files
                    .iter()
                    .map(|e| {
                        let path = join_rel(&dir, &e.value).unwrap_or_default();
                        let required = !def.optional_env_files.contains(&e.value);
                        EnvRef { declared: e.clone(), source: m.env_source_for(&path), path, required }
                    })
                    .collect();
                let mut container_names: Vec<String> = def.container_name.iter().map(|c| c.value.clone()).collect();
                let project = file_name(&dir).to_ascii_lowercase();
                if !project.is_empty() {
                    let name = &def.name.value;
                    container_names.push(format!("{project}_{name}_1"));
                    container_names.push(format!("{project}-{name}-1"));
                }
                m.services.push(Service {
                    compose: cid,
                    compose_path: compose_path.clone(),
                    def,
                    container_names,
                    project: top_name.clone(),
                    image,
                    env_refs,
                    production: env::is_production_compose(&compose_path),
                });
            }
        }
        m.compute_shipped();
        for (file, interpolations, swarm) in interpolated {
            let path = m.sources.path(file).to_string();
            if !env::is_production_compose(&path) || interpolation::is_development_name(&path) {
                continue;
            }
            let env_files = m.interpolation_files(&path, swarm);
            m.compose_files.push(interpolation::ComposeFile { file, path, interpolations, env_files });
        }
        m.classify_env_files();
        // A broken env file is DPL001 when it is certainly read as one.
        for (i, errors) in env_errors {
            if m.env_sources.get(i).is_some_and(|s| s.read_as_env) {
                m.parse_errors.extend(errors);
            }
        }
        m.execs = m
            .commands
            .iter()
            .enumerate()
            .filter_map(|(i, c)| {
                let exec = match &c.kind {
                    commands::Kind::Exec(e) => e.clone(),
                    commands::Kind::Compose(call) => call.execution()?,
                    _ => return None,
                };
                let service = m.service_index(&exec.target);
                Some(Exec { command: i, exec, service })
            })
            .collect();
        m.name_root_binaries();
        m.compute_entries();
        // What the programs the services run require: computed once, side by side.
        let run: BTreeSet<usize> =
            m.services.iter().flat_map(|s| m.programs_of(s)).filter_map(|(p, _)| m.code.index_of(p)).collect();
        m.code.compute_required(&run);
        m.compute_scheduled_runs();
        m.compute_task_selectors();
        m.compute_migrations();
        m.shipping = shipping::compute(&m);
        m
    }

    /// A main package at a module's root is named by its module path; when the images build
    /// it under one other name (`go build -o /app/api .`), that name.
    fn name_root_binaries(&mut self) {
        for bin in self.code.binaries.iter_mut().filter(|b| b.lang == code::Lang::Go) {
            if bin.module_dir.as_deref() != Some(bin.dir.as_str()) && !bin.dir.is_empty() {
                continue;
            }
            let names: BTreeSet<&str> = self
                .images
                .iter()
                .flat_map(|i| i.stages.iter())
                .flat_map(|s| s.builds.iter())
                .filter(|b| b.repo_dir.as_deref() == Some(bin.dir.as_str()))
                .map(|b| file_name(&b.output))
                .collect();
            if let (Some(name), 1) = (names.first(), names.len()) {
                bin.name = name.to_string();
            }
        }
    }

    /// Records crontab entries and the commands they run, one command group per entry.
    fn add_crontab_entries(&mut self, file: FileId, entries: Vec<crontab::CronEntry>, group: &mut usize) {
        self.crontab_files.insert(file);
        for entry in entries {
            *group += 1;
            let cmds = shell::parse(file, &entry.command.value, entry.command.span.start);
            let names = commands::classify_group(Origin::Crontab, file, *group, cmds, &mut self.commands);
            self.note_assigned(file, *group, names);
            self.cron_lines.push(CronLine { file, entry });
        }
    }

    /// The env files something reads as such: `env_file:` entries (by path), and `--env-file`
    /// arguments of commands and `[deploy] env-files` (by path as written and by file name).
    pub(super) fn env_files_read(&self) -> BTreeSet<String> {
        let mut out: BTreeSet<String> = BTreeSet::new();
        for s in &self.services {
            out.extend(s.env_refs.iter().map(|r| r.path.clone()));
        }
        let mut named = |p: &str| {
            out.insert(p.trim_start_matches("./").to_string());
            out.insert(file_name(p).to_string());
        };
        for c in &self.commands {
            let words = &c.cmd.words;
            for (i, w) in words.iter().enumerate() {
                if let Some(v) = w.text.strip_prefix("--env-file=") {
                    named(v);
                } else if w.text == "--env-file" {
                    if let Some(v) = words.get(i + 1) {
                        named(&v.text);
                    }
                }
            }
        }
        for p in &self.config.env_files {
            named(p);
        }
        out
    }

    /// The indexes of the definitions of a service across the compose files of its directory
    /// (a base file and its overrides), in file order.
    pub fn service_definitions(&self, service: &Service) -> Vec<usize> {
        let dir = parent_dir(&service.compose_path);
        self.services
            .iter()
            .enumerate()
            .filter(|(_, s)| s.def.name.value == service.def.name.value && parent_dir(&s.compose_path) == dir)
            .map(|(i, _)| i)
            .collect()
    }

    /// Whether a compose call acts on the production server. Never a CI step (it runs on a CI
    /// runner) unless sent over ssh, nor a call in a development, test or contributor file (a
    /// path word such as `dev`, `local`, `test`, `e2e`, `ci`, `contributing`, `development`,
    /// `example`) or on a development compose file (`-f docker-compose.dev.yml`). Otherwise it
    /// does when it runs over ssh, names a production compose or env file (`[deploy]` config,
    /// or a name with `prod`), sits in a deploy script or runbook (a path with `deploy`,
    /// `release` or `prod`), or sits in an operator script that maintains the running stack
    /// (a path word such as `backup`, `restore`, `update`, `upgrade`, `rollback`,
    /// `maintenance`). The one answer DPL201 and DPL202 ask.
    pub fn acts_on_server(&self, c: &Command, call: &commands::ComposeCall) -> bool {
        const DEV_WORDS: &[&str] = &[
            "dev",
            "develop",
            "development",
            "local",
            "test",
            "tests",
            "testing",
            "e2e",
            "spec",
            "ci",
            "contrib",
            "contributing",
            "hacking",
            "example",
            "examples",
            "sample",
            "samples",
            "demo",
            "fixture",
            "fixtures",
            "testdata",
        ];
        const OPERATOR_WORDS: &[&str] =
            &["backup", "backups", "restore", "update", "upgrade", "rollback", "maintenance", "migrate", "ops"];
        let words = |path: &str| -> Vec<String> {
            path.to_ascii_lowercase()
                .split(|ch: char| !ch.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_string)
                .collect()
        };
        let named_prod = |name: &str, listed: &[String]| {
            listed.iter().any(|l| file_name(l) == file_name(name))
                || file_name(name).to_ascii_lowercase().contains("prod")
        };
        let path = self.sources.path(c.file).to_ascii_lowercase();
        let path_words = words(&path);
        let dev_file = call.files.iter().any(|f| {
            !named_prod(&f.value, &self.config.compose_files)
                && words(file_name(&f.value)).iter().any(|w| DEV_WORDS.contains(&w.as_str()))
        });
        if !c.may_run_on_server() || dev_file {
            return false;
        }
        if c.cmd.remote
            || call.files.iter().any(|f| named_prod(&f.value, &self.config.compose_files))
            || call.env_files.iter().any(|f| named_prod(&f.value, &self.config.env_files))
        {
            return true;
        }
        if path_words.iter().any(|w| DEV_WORDS.contains(&w.as_str())) {
            return false;
        }
        ["deploy", "release", "prod"].iter().any(|k| path.contains(k))
            || path_words.iter().any(|w| OPERATOR_WORDS.contains(&w.as_str()))
    }

    /// The index of the service a `docker exec` container name or a compose service name
    /// designates.
    pub fn service_index(&self, target: &ExecTarget) -> Option<usize> {
        match target {
            ExecTarget::Container(name) => self.services.iter().position(|s| s.container_names.contains(&name.value)),
            ExecTarget::Service(name) => self.services.iter().position(|s| s.def.name.value == name.value),
        }
    }

    /// Every path executed in a container, with its command and service.
    pub fn executions(&self) -> impl Iterator<Item = (&Command, &Execution, Option<&Service>)> {
        self.execs.iter().filter_map(|e| {
            let c = self.commands.get(e.command)?;
            Some((c, &e.exec, e.service.and_then(|i| self.services.get(i))))
        })
    }
}
