//! The deploy model, built once from the parsed artifacts: binaries, images, services, env
//! sources, schedules and commands, with the links between them. Checks only query it.

pub mod commands;
pub mod go;
pub mod images;
pub mod rust;

use crate::config::Config;
use crate::discover::Discovered;
use crate::parse::{self, ParseError, Unfollowed, compose, crontab, dockerignore, envfile, makefile, markdown, shell};
use crate::source::{FileId, Kind, SourceFile, Sources, Span, Spanned, file_name, join_rel, parent_dir};
use commands::{Command, ExecTarget, Execution, Origin};
use go::{Binary, GoModel};
use images::Image;
use std::collections::{BTreeMap, BTreeSet};

/// An env file: a real one or a committed template.
#[derive(Debug)]
pub struct EnvSource {
    pub file: FileId,
    pub path: String,
    pub parsed: envfile::EnvFile,
    pub is_template: bool,
}

/// An `env_file:` entry of a service, resolved.
#[derive(Debug, Clone)]
pub struct EnvRef {
    pub declared: Spanned<String>,
    /// Root-relative path the entry names.
    pub path: String,
    /// The env source read for it: the file itself, or its template when the file is absent.
    pub source: Option<usize>,
}

#[derive(Debug)]
pub struct Service {
    pub compose: FileId,
    pub compose_path: String,
    pub def: compose::Service,
    /// `container_name`, and the names compose generates (v1 `project_service_1`, v2
    /// `project-service-1`).
    pub container_names: Vec<String>,
    /// Index into `Model::images` and the shipped stage.
    pub image: Option<(usize, usize)>,
    pub env_refs: Vec<EnvRef>,
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
    pub binary: String,
    pub task: Spanned<String>,
    pub origin: Origin,
}

#[derive(Debug, Default)]
pub struct Model {
    pub sources: Sources,
    pub config: Config,
    pub parse_errors: Vec<ParseError>,
    pub unfollowed: Vec<Unfollowed>,
    pub go: GoModel,
    pub images: Vec<Image>,
    pub services: Vec<Service>,
    pub env_sources: Vec<EnvSource>,
    pub commands: Vec<Command>,
    pub cron_lines: Vec<CronLine>,
    /// Files holding crontab entries (crontab files and runbook crontab blocks).
    pub crontab_files: BTreeSet<FileId>,
    /// Makefiles by path.
    pub makefiles: BTreeMap<String, makefile::Makefile>,
    pub rust: Vec<rust::RustPackage>,
    /// Every path executed in a container (`docker exec`, `compose exec|run`).
    pub execs: Vec<Exec>,
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

/// A build context and the compose `build.args` a Dockerfile is built with.
type BuildVariant = (String, BTreeMap<String, String>);

const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist"];

impl Model {
    pub fn build(discovered: Discovered, config: Config) -> Model {
        let mut m = Model { config, ..Model::default() };
        for f in discovered.files {
            m.sources.add(f);
        }
        // The files to read below; Go and Rust sources are read by their own models.
        let ids: Vec<(FileId, Kind)> = m
            .sources
            .iter()
            .filter(|(_, f)| {
                !matches!(f.kind, Kind::Go | Kind::GoMod | Kind::GitIgnore | Kind::CargoToml | Kind::RustMain)
            })
            .map(|(id, f)| (id, f.kind))
            .collect();
        // Files not read stay in the sources, empty, for their DPL003 to point at.
        for s in discovered.skipped {
            let id = m.sources.add(SourceFile::new(s.path, s.kind, String::new(), false));
            m.unfollowed.push(Unfollowed { span: Span::new(id, 0..0), message: format!("was not read: {}", s.reason) });
        }
        m.go = go::build(&m.sources, &m.config.binaries_ignore);
        let (rust, rust_bins) = rust::build(&m.sources, &m.config.binaries_ignore, &mut m.parse_errors);
        m.rust = rust;
        m.go.binaries.extend(rust_bins);
        let mut composes = Vec::new();
        let mut dockerfiles = Vec::new();
        let mut group = 0;
        for (id, kind) in ids {
            let text = m.sources.text(id).to_string();
            match kind {
                Kind::EnvFile => {
                    let parsed = envfile::parse(id, &text);
                    m.parse_errors.extend(parsed.errors.iter().cloned());
                    let path = m.sources.path(id).to_string();
                    let is_template =
                        TEMPLATE_SUFFIXES.iter().any(|s| path.ends_with(s)) || file_name(&path) == ".env.example";
                    m.env_sources.push(EnvSource { file: id, path, parsed, is_template });
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
                Kind::Crontab => {
                    let c = crontab::parse(id, &text, 0);
                    m.parse_errors.extend(c.errors);
                    m.add_crontab_entries(id, c.entries, &mut group);
                }
                Kind::Shell => {
                    group += 1;
                    let cmds = shell::parse(id, &text, 0);
                    commands::classify_group(Origin::Script, id, group, cmds, &mut m.commands);
                }
                Kind::Markdown => {
                    for block in markdown::code_blocks(&text) {
                        let body = text.get(block.start..block.end).unwrap_or("");
                        group += 1;
                        match block.lang.as_str() {
                            "sh" | "bash" | "shell" | "zsh" => {
                                // Lines after `crontab -e` are the crontab being written, not commands.
                                let (script, entries) = split_crontab_lines(id, body, block.start);
                                let cmds = shell::parse(id, &script, block.start);
                                commands::classify_group(Origin::Runbook, id, group, cmds, &mut m.commands);
                                if !entries.is_empty() {
                                    m.add_crontab_entries(id, entries, &mut group);
                                }
                            }
                            "crontab" | "cron" => {
                                // Prose-like lines of a runbook block are not DPL001.
                                let c = crontab::parse(id, body, block.start);
                                m.add_crontab_entries(id, c.entries, &mut group);
                            }
                            _ => {}
                        }
                    }
                }
                Kind::Makefile => {
                    let mk = makefile::parse(&text);
                    for rule in &mk.rules {
                        group += 1;
                        let cmds = rule.recipe.iter().flat_map(|(line, at)| shell::parse(id, line, *at)).collect();
                        commands::classify_group(Origin::Makefile, id, group, cmds, &mut m.commands);
                    }
                    m.makefiles.insert(m.sources.path(id).to_string(), mk);
                }
                Kind::GithubWorkflow | Kind::GitlabCi => {
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
                                commands::classify_group(Origin::Ci, id, group, cmds, &mut m.commands);
                            }
                        }
                        Err(e) => m.parse_errors.push(e),
                    }
                }
                Kind::Go
                | Kind::GoMod
                | Kind::GitIgnore
                | Kind::DockerIgnore
                | Kind::CargoToml
                | Kind::RustMain
                | Kind::Directory => {}
            }
        }
        // Images: compose gives a Dockerfile its context and build args (one image model per
        // distinct set of args); else the Dockerfile's directory is its context.
        let build_args = |b: &compose::Build| -> BTreeMap<String, String> {
            b.args.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))).collect()
        };
        let mut contexts: BTreeMap<String, Vec<BuildVariant>> = BTreeMap::new();
        for (cid, c) in &composes {
            let dir = parent_dir(m.sources.path(*cid)).to_string();
            for s in &c.services {
                if let Some(b) = &s.build {
                    let ctx = join_rel(&dir, &b.context.value).unwrap_or_default();
                    let df = join_rel(&ctx, b.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str()))
                        .unwrap_or_default();
                    let variants = contexts.entry(df).or_default();
                    let v = (ctx, build_args(b));
                    if !variants.contains(&v) {
                        variants.push(v);
                    }
                }
            }
        }
        for (id, df) in &dockerfiles {
            let path = m.sources.path(*id).to_string();
            let variants =
                contexts.get(&path).cloned().unwrap_or_else(|| vec![(parent_dir(&path).to_string(), BTreeMap::new())]);
            for (ctx, args) in variants {
                // `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's.
                let dockerignore =
                    [format!("{path}.dockerignore"), join_rel(&ctx, ".dockerignore").unwrap_or_default()]
                        .iter()
                        .find_map(|p| m.sources.find(p))
                        .map(|id| dockerignore::parse(m.sources.text(id)))
                        .unwrap_or_default();
                let repo =
                    images::Repo { go: &m.go, makefiles: &m.makefiles, rust: &m.rust, dockerignore: &dockerignore };
                m.images.push(images::build(*id, &path, &ctx, df, &repo, &args));
            }
        }
        for (cid, c) in composes {
            let compose_path = m.sources.path(cid).to_string();
            let dir = parent_dir(&compose_path).to_string();
            for def in c.services {
                let image = def.build.as_ref().and_then(|b| {
                    let ctx = join_rel(&dir, &b.context.value)?;
                    let df = join_rel(&ctx, b.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str()))?;
                    let args = build_args(b);
                    let i = m
                        .images
                        .iter()
                        .position(|img| img.path == df && img.context == ctx && img.build_args == args)?;
                    let target = b.target.as_ref().map(|t| t.value.as_str());
                    let stage = m.images.get(i)?.shipped(target)?.index;
                    Some((i, stage))
                });
                let env_refs = def
                    .env_files
                    .iter()
                    .map(|e| {
                        let path = join_rel(&dir, &e.value).unwrap_or_default();
                        EnvRef { declared: e.clone(), source: m.env_source_for(&path), path }
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
                    image,
                    env_refs,
                });
            }
        }
        m.compute_shipped();
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
        m
    }

    /// The stages each image ships: those compose services and `docker build --target`
    /// commands select, and the last stage when something builds the image without a target
    /// or nothing builds it at all.
    fn compute_shipped(&mut self) {
        let mut selected: Vec<(usize, Option<usize>)> = Vec::new();
        for s in &self.services {
            if let (Some((i, st)), Some(b)) = (s.image, s.def.build.as_ref()) {
                selected.push((i, b.target.is_some().then_some(st)));
            }
        }
        for c in &self.commands {
            let commands::Kind::DockerBuild(b) = &c.kind else { continue };
            let dir = parent_dir(self.sources.path(c.file));
            let context = b.context.as_deref().unwrap_or(".");
            let candidates: Vec<String> = match &b.file {
                Some(f) => [join_rel("", f), join_rel(dir, f)].into_iter().flatten().collect(),
                None => [join_rel(context, "Dockerfile"), join_rel(dir, &format!("{context}/Dockerfile"))]
                    .into_iter()
                    .flatten()
                    .collect(),
            };
            let Some(i) = self.images.iter().position(|img| candidates.contains(&img.path)) else { continue };
            let target = b.target.as_ref().map(|t| t.value.as_str());
            let stage = target.and_then(|t| self.images.get(i).and_then(|img| img.shipped(Some(t))).map(|s| s.index));
            if target.is_some() && stage.is_none() {
                continue;
            }
            selected.push((i, stage));
        }
        for (i, image) in self.images.iter_mut().enumerate() {
            let mut shipped: Vec<usize> = Vec::new();
            let mut last = false;
            for (_, st) in selected.iter().filter(|(j, _)| *j == i) {
                match st {
                    Some(st) => shipped.push(*st),
                    None => last = true,
                }
            }
            if last || shipped.is_empty() {
                shipped.extend(image.stages.last().map(|s| s.index));
            }
            shipped.sort();
            shipped.dedup();
            image.shipped = shipped;
        }
    }

    /// Records crontab entries and the commands they run, one command group per entry.
    fn add_crontab_entries(&mut self, file: FileId, entries: Vec<crontab::CronEntry>, group: &mut usize) {
        self.crontab_files.insert(file);
        for entry in entries {
            *group += 1;
            let cmds = shell::parse(file, &entry.command.value, entry.command.span.start);
            commands::classify_group(Origin::Crontab, file, *group, cmds, &mut self.commands);
            self.cron_lines.push(CronLine { file, entry });
        }
    }

    /// The env source for a path: the file, or its committed template when it is absent.
    pub fn env_source_for(&self, path: &str) -> Option<usize> {
        if let Some(i) = self.env_sources.iter().position(|e| e.path == path) {
            return Some(i);
        }
        let dir = parent_dir(path);
        let mut candidates: Vec<String> = TEMPLATE_SUFFIXES.iter().map(|s| format!("{path}{s}")).collect();
        candidates.push(join_rel(dir, ".env.example").unwrap_or_default());
        candidates.iter().find_map(|c| self.env_sources.iter().position(|e| &e.path == c))
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

    /// Whether a compose call acts on the production server: it runs over ssh, names a
    /// production compose or env file (`[deploy]` config, or a name with `prod`), or sits in a
    /// deploy script or runbook (a path with `deploy`, `release` or `prod`). A plain
    /// `docker compose up` in a development script is not.
    pub fn targets_server(&self, c: &Command, call: &commands::ComposeCall) -> bool {
        let named_prod = |name: &str, listed: &[String]| {
            listed.iter().any(|l| file_name(l) == file_name(name))
                || file_name(name).to_ascii_lowercase().contains("prod")
        };
        let path = self.sources.path(c.file).to_ascii_lowercase();
        c.cmd.remote
            || call.files.iter().any(|f| named_prod(&f.value, &self.config.compose_files))
            || call.env_files.iter().any(|f| named_prod(&f.value, &self.config.env_files))
            || ["deploy", "release", "prod"].iter().any(|k| path.contains(k))
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

    /// The binary a path executed in a service's image is: found through the image's builds
    /// and copies, else by a binary of the same name.
    pub fn binary_for_exec(&self, service: Option<&Service>, program: &str) -> Option<&Binary> {
        if let Some((img, stage)) = service.and_then(|s| s.image) {
            if let Some(image) = self.images.get(img) {
                if let Some(dir) = image.resolve_exec(stage, program).and_then(|p| image.package_at(stage, &p)) {
                    if let Some(b) = self.go.binary(&dir) {
                        return Some(b);
                    }
                }
            }
        }
        let name = file_name(program);
        let mut same = self.go.binaries.iter().filter(|b| b.name == name);
        let first = same.next()?;
        same.next().is_none().then_some(first)
    }

    /// The binaries a service runs: its image's entrypoint and the programs executed in it.
    pub fn binaries_of(&self, service: &Service) -> Vec<(&Binary, Span)> {
        let mut out: Vec<(&Binary, Span)> = Vec::new();
        if let Some((img, stage)) = service.image {
            let image = self.images.get(img);
            let runs = image.and_then(|i| i.stages.get(stage)).and_then(|s| s.runs.clone());
            let from_compose =
                service.def.entrypoint.as_ref().or(service.def.command.as_ref()).and_then(|c| c.words.first());
            let runs = match from_compose {
                Some(w) => image.and_then(|i| i.resolve_exec(stage, &w.value)),
                None => runs,
            };
            if let (Some(image), Some(p)) = (image, runs) {
                if let Some(b) = image.package_at(stage, &p).and_then(|d| self.go.binary(&d)) {
                    let span = image.stages.get(stage).map_or(b.span, |s| s.span);
                    out.push((b, span));
                }
            }
        }
        for (c, e, s) in self.executions() {
            if s.is_some_and(|s| std::ptr::eq(s, service)) {
                if let Some(b) = self.binary_for_exec(Some(service), &e.program.value) {
                    if !out.iter().any(|(x, _)| x.dir == b.dir) {
                        out.push((b, c.cmd.span));
                    }
                }
            }
        }
        out
    }

    /// Batch tasks named in commands (`-task=x`, `-task x`, `--task x`), with the binary they run.
    pub fn task_refs(&self, origin: Origin) -> Vec<TaskRef> {
        let mut out = Vec::new();
        for (ci, c) in self.commands.iter().enumerate().filter(|(_, c)| c.origin == origin) {
            // A program run in a container (already read into `execs`), or run directly.
            let exec = self.execs.binary_search_by_key(&ci, |e| e.command).ok().and_then(|i| self.execs.get(i));
            let (program, args): (&str, &[shell::Word]) = match (&c.kind, exec) {
                (_, Some(e)) => (&e.exec.program.value, &e.exec.args),
                (commands::Kind::Exec(_) | commands::Kind::Compose(_), None) => continue,
                _ => match c.name() {
                    Some(w) => (&w.text, c.cmd.words.get(c.name_at + 1..).unwrap_or(&[])),
                    None => continue,
                },
            };
            let name = file_name(program).to_string();
            let Some(flag) = self.task_flag_of(&name) else {
                continue;
            };
            let mut i = 0;
            while let Some(w) = args.get(i) {
                let t = w.text.trim_start_matches('-');
                if w.text.starts_with('-') {
                    if let Some(v) = t.strip_prefix(&format!("{flag}=")) {
                        let start = w.span.end - v.len();
                        out.push(TaskRef {
                            binary: name.clone(),
                            task: Spanned::new(v.to_string(), Span::new(w.span.file, start..w.span.end)),
                            origin,
                        });
                    } else if t == flag {
                        if let Some(v) = args.get(i + 1) {
                            out.push(TaskRef {
                                binary: name.clone(),
                                task: Spanned::new(v.text.clone(), v.span),
                                origin,
                            });
                        }
                    }
                }
                i += 1;
            }
        }
        out
    }

    /// The task flag of the batch binary called `name`, when it has one.
    pub fn task_flag_of(&self, name: &str) -> Option<String> {
        if let Some(b) = &self.config.batch_binary {
            if b != name {
                return None;
            }
        }
        let bin = self.go.binaries.iter().find(|b| b.name == name)?;
        let pkg = self.go.package(&bin.dir)?;
        self.config.task_flag.clone().or_else(|| pkg.task_flag.as_ref().map(|f| f.value.clone()))
    }
}
