//! Commands found in scripts, runbooks and crontabs, classified: compose invocations (with
//! their flavor), paths executed in containers, ssh/scp runs, env-file edits and restarts.

use crate::config::Flavor;
use crate::parse::rustsrc::is_key;
use crate::parse::shell::{self, SimpleCommand, Word, unwrap_command};
use crate::source::{FileId, Span, Spanned};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Script,
    Runbook,
    Crontab,
    /// A Makefile or justfile recipe.
    Makefile,
    /// A CI workflow step (GitHub Actions `run:`, GitLab `script:`): runs on a CI runner.
    Ci,
}

#[derive(Clone, Debug)]
pub struct ComposeCall {
    pub flavor: Flavor,
    /// `docker compose` / `docker-compose` as written (or the variable that holds it: `$DC`).
    pub tool: Span,
    /// The tool is written at `tool` as is (not through a variable or an expansion), so a fix
    /// may rewrite it there.
    pub literal: bool,
    /// The script picks the flavor at run time (it probes for one and falls back to the
    /// other): the call works with either, and is never a mismatch or a mix.
    pub neutral: bool,
    pub files: Vec<Spanned<String>>,
    pub env_files: Vec<Spanned<String>>,
    /// The global options before the subcommand (`--dry-run`, `--progress`), each with its
    /// value when it takes one.
    pub options: Vec<Word>,
    pub subcommand: Option<Spanned<String>>,
    /// The words after the subcommand.
    pub args: Vec<Word>,
}

/// Where an executed path runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExecTarget {
    /// `docker exec NAME`: a container name.
    Container(Spanned<String>),
    /// `compose exec|run SERVICE`: a service name.
    Service(Spanned<String>),
}

#[derive(Clone, Debug)]
pub struct Execution {
    pub target: ExecTarget,
    /// The executed program as written.
    pub program: Spanned<String>,
    pub args: Vec<Word>,
    /// `-t` / `-it`, or compose exec without `-T`.
    pub tty: bool,
    /// Standard input attached: `-i` / `-it` for `docker exec`, always for compose.
    pub interactive: bool,
    /// `compose run` without `--entrypoint`: the image's entrypoint runs, with the program as
    /// its first argument when there is one.
    pub via_entrypoint: bool,
    /// The call may change the container's `PATH` (`-e PATH=…`, `--env PATH`, `--env-file`).
    pub sets_path: bool,
}

#[derive(Clone, Debug)]
pub enum Kind {
    Compose(ComposeCall),
    Exec(Execution),
    /// `docker restart NAME`.
    DockerRestart(Spanned<String>),
    /// `ssh` or `scp`.
    Remote(&'static str),
    /// `docker build` / `docker buildx build`.
    DockerBuild(DockerBuild),
    /// `docker run` (`docker container run`).
    DockerRun(DockerRun),
    Other,
}

/// `docker run [OPTIONS] IMAGE …`: what its options before the image ask of the terminal.
#[derive(Clone, Debug)]
pub struct DockerRun {
    /// `-t` / `--tty`.
    pub tty: bool,
    /// `-i` / `--interactive`.
    pub interactive: bool,
    /// The image, when the options before it could be read.
    pub image: Option<Spanned<String>>,
}

fn docker_run(words: &[Word]) -> DockerRun {
    let mut run = DockerRun { tty: false, interactive: false, image: None };
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            run.image = Some(spanned(w));
            break;
        }
        let short = !t.starts_with("--") && !EXEC_VALUE_OPTS.contains(&t);
        run.tty |= t == "--tty" || t == "--tty=true" || (short && t.contains('t'));
        run.interactive |= t == "--interactive" || t == "--interactive=true" || (short && t.contains('i'));
        i += if EXEC_VALUE_OPTS.contains(&t) { 2 } else { 1 };
    }
    run
}

/// `docker build [-f FILE] [--target T] CONTEXT`, as written.
#[derive(Clone, Debug)]
pub struct DockerBuild {
    pub file: Option<String>,
    pub context: Option<String>,
    pub target: Option<Spanned<String>>,
}

const BUILD_VALUE_OPTS: &[&str] = &[
    "-f",
    "--file",
    "-t",
    "--tag",
    "--target",
    "--build-arg",
    "--platform",
    "--cache-from",
    "--cache-to",
    "--secret",
    "--ssh",
    "--label",
    "--network",
    "--progress",
    "-o",
    "--output",
    "--iidfile",
    "--builder",
    "--build-context",
    "--add-host",
    "--shm-size",
    "--ulimit",
    "--attest",
    "--sbom",
    "--provenance",
    "--annotation",
    "--metadata-file",
    "--allow",
    "-m",
    "--memory",
    "--cgroup-parent",
    "--isolation",
];

fn docker_build(words: &[Word]) -> DockerBuild {
    let mut b = DockerBuild { file: None, context: None, target: None };
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if let Some(opt) = t.strip_prefix('-').map(|_| t) {
            let (name, inline) = match opt.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (opt, None),
            };
            let value = match inline {
                Some(v) => Some(Spanned::new(v, w.span)),
                None if BUILD_VALUE_OPTS.contains(&name) => {
                    i += 1;
                    words.get(i).map(spanned)
                }
                None => None,
            };
            match (name, value) {
                ("-f" | "--file", Some(v)) => b.file = Some(v.value),
                ("--target", Some(v)) => b.target = Some(v),
                _ => {}
            }
        } else {
            // The one positional argument; the last, when an unknown word precedes it.
            b.context = Some(t.to_string());
        }
        i += 1;
    }
    b
}

#[derive(Clone, Debug)]
pub struct Command {
    pub origin: Origin,
    pub file: FileId,
    /// Commands of one script, one runbook code block or one crontab line share a group.
    pub group: usize,
    pub cmd: SimpleCommand,
    /// Index in `cmd.words` of the command's name, after wrappers (`sudo`, `env`, `setsid`).
    pub name_at: usize,
    /// The command runs under `setsid`.
    pub setsid: bool,
    /// `setsid` waits for the command (`setsid -w`).
    pub setsid_waits: bool,
    /// Where `SSH_ASKPASS` was set for it (on the line or exported before), if it was.
    pub askpass: Option<Span>,
    /// Where `SSH_ASKPASS_REQUIRE=force` was set for it (on the line or exported before).
    pub askpass_force: Option<Span>,
    /// The env file this command writes to (`>> .env.prod`, `tee -a`, `sed -i`), if any.
    pub env_write: Option<String>,
    pub kind: Kind,
}

impl Command {
    /// The command's name word (`scp` in `setsid scp …`).
    pub fn name(&self) -> Option<&Word> {
        self.cmd.words.get(self.name_at)
    }

    /// Whether the command may run on the deploy server: CI steps run on a CI runner, unless
    /// they send the command over ssh.
    pub fn may_run_on_server(&self) -> bool {
        self.origin != Origin::Ci || self.cmd.remote
    }
}

fn is_env_file_name(path: &str) -> bool {
    let name = crate::source::file_name(path);
    name == ".env" || name.starts_with(".env.") || name.ends_with(".env")
}

const COMPOSE_GLOBAL_VALUE_OPTS: &[&str] = &[
    "-f",
    "--file",
    "-p",
    "--project-name",
    "--env-file",
    "--profile",
    "--project-directory",
    "--ansi",
    "--progress",
    "-H",
    "--host",
    "--context",
    "--log-level",
    "--parallel",
];
const EXEC_VALUE_OPTS: &[&str] = &[
    "-e",
    "--env",
    "-u",
    "--user",
    "-w",
    "--workdir",
    "--env-file",
    "--detach-keys",
    "--index",
    "--entrypoint",
    "--name",
    "-p",
    "--publish",
    "-v",
    "--volume",
    "-l",
    "--label",
    "--pull",
    "--cap-add",
    "--cap-drop",
];

fn spanned(w: &Word) -> Spanned<String> {
    Spanned::new(w.text.clone(), w.span)
}

/// Reads `[opts] TARGET PROGRAM ARGS…` as `docker exec` and `compose exec/run` take them.
fn execution(words: &[Word], service: bool, compose_exec: bool) -> Option<Execution> {
    let mut i = 0;
    let mut tty = false;
    let mut no_tty = false;
    let mut interactive = service;
    let mut entrypoint = false;
    let mut sets_path = false;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            break;
        }
        let value = if EXEC_VALUE_OPTS.contains(&t) {
            words.get(i + 1).map(|v| v.text.as_str())
        } else {
            t.split_once('=').map(|(_, v)| v)
        };
        let opt = t.split_once('=').map_or(t, |(o, _)| o);
        entrypoint |= opt == "--entrypoint";
        sets_path |= opt == "--env-file"
            || (matches!(opt, "-e" | "--env") && value.is_none_or(|v| v.split('=').next() == Some("PATH")));
        let short = !t.starts_with("--") && !EXEC_VALUE_OPTS.contains(&t);
        if t == "-T" || t == "--no-TTY" {
            no_tty = true;
        } else if t.starts_with("--tty") || (short && t.contains('t')) {
            tty = true;
        }
        interactive |= t.starts_with("--interactive") || (short && t.contains('i'));
        i += if EXEC_VALUE_OPTS.contains(&t) { 2 } else { 1 };
    }
    let target = words.get(i)?;
    let program = words.get(i + 1)?;
    let target = if service { ExecTarget::Service(spanned(target)) } else { ExecTarget::Container(spanned(target)) };
    let tty = if compose_exec { !no_tty } else { tty };
    let via_entrypoint = service && !compose_exec && !entrypoint;
    let args = words.get(i + 2..).unwrap_or(&[]);
    // `sh -c '/app/batch -task=x'`: the program is the first command of the script.
    if matches!(program.text.as_str(), "sh" | "bash" | "/bin/sh" | "/bin/bash") {
        if let (Some(flag), Some(script)) = (args.first(), args.get(1)) {
            if flag.text == "-c" {
                let inner = shell::parse_word(script).into_iter().next()?;
                let (at, _) = unwrap_command(&inner.words);
                let program = inner.words.get(at)?;
                let args = inner.words.get(at + 1..).unwrap_or(&[]).to_vec();
                return Some(Execution {
                    target,
                    program: spanned(program),
                    args,
                    tty,
                    interactive,
                    via_entrypoint,
                    sets_path,
                });
            }
        }
    }
    Some(Execution {
        target,
        program: spanned(program),
        args: args.to_vec(),
        tty,
        interactive,
        via_entrypoint,
        sets_path,
    })
}

fn compose_call(flavor: Flavor, tool: Span, literal: bool, words: &[Word]) -> ComposeCall {
    let mut call = ComposeCall {
        flavor,
        tool,
        literal,
        neutral: false,
        files: Vec::new(),
        env_files: Vec::new(),
        options: Vec::new(),
        subcommand: None,
        args: Vec::new(),
    };
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            call.subcommand = Some(spanned(w));
            call.args = words.get(i + 1..).unwrap_or(&[]).to_vec();
            break;
        }
        call.options.push(w.clone());
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (t, None),
        };
        let value = match inline {
            Some(v) => Some(Spanned::new(v.to_string(), w.span)),
            None if COMPOSE_GLOBAL_VALUE_OPTS.contains(&name) => {
                i += 1;
                call.options.extend(words.get(i).cloned());
                words.get(i).map(spanned)
            }
            None => None,
        };
        match (name, value) {
            ("-f" | "--file", Some(v)) => call.files.push(v),
            ("--env-file", Some(v)) => call.env_files.push(v),
            _ => {}
        }
        i += 1;
    }
    call
}

/// `docker` options before its subcommand that take a value.
const DOCKER_GLOBAL_VALUE_OPTS: &[&str] =
    &["-H", "--host", "-c", "--context", "--config", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey"];

/// Whether a word is written in the file as it reads (no quote, escape or expansion removed).
fn is_literal(w: &Word) -> bool {
    w.verbatim && w.quoted_inner.is_none() && w.span.end - w.span.start == w.text.len()
}

/// What a command is, from its words (starting at its name).
pub fn classify(words: &[Word]) -> Kind {
    let Some(first) = words.first() else {
        return Kind::Other;
    };
    let name = first.text.as_str();
    // `/usr/local/bin/docker-compose` is the same tool.
    let base = if name.starts_with('/') { crate::source::file_name(name) } else { name };
    match base {
        "docker-compose" => {
            Kind::Compose(compose_call(Flavor::V1, first.span, is_literal(first) && base == name, &words[1..]))
        }
        "docker" => {
            // `docker --context prod compose …`: the daemon's options come first.
            let mut at = 1;
            while let Some(w) = words.get(at).filter(|w| w.text.starts_with('-')) {
                let takes = !w.text.contains('=') && DOCKER_GLOBAL_VALUE_OPTS.contains(&w.text.as_str());
                at += if takes { 2 } else { 1 };
            }
            let Some(sub) = words.get(at) else {
                return Kind::Other;
            };
            let rest = words.get(at + 1..).unwrap_or(&[]);
            match sub.text.as_str() {
                "compose" => {
                    let literal = at == 1 && base == name && is_literal(first) && is_literal(sub);
                    Kind::Compose(compose_call(Flavor::V2, first.span.to(sub.span), literal, rest))
                }
                "exec" => execution(rest, false, false).map_or(Kind::Other, Kind::Exec),
                "run" => Kind::DockerRun(docker_run(rest)),
                "container" if rest.first().is_some_and(|w| w.text == "run") => {
                    Kind::DockerRun(docker_run(rest.get(1..).unwrap_or(&[])))
                }
                "restart" => rest
                    .iter()
                    .find(|w| !w.text.starts_with('-'))
                    .map_or(Kind::Other, |w| Kind::DockerRestart(spanned(w))),
                "build" => Kind::DockerBuild(docker_build(rest)),
                "buildx" | "image" if rest.first().is_some_and(|w| w.text == "build") => {
                    Kind::DockerBuild(docker_build(rest.get(1..).unwrap_or(&[])))
                }
                _ => Kind::Other,
            }
        }
        "podman" if words.get(1).is_some_and(|w| w.text == "build") => {
            Kind::DockerBuild(docker_build(words.get(2..).unwrap_or(&[])))
        }
        "ssh" => Kind::Remote("ssh"),
        "scp" => Kind::Remote("scp"),
        _ => Kind::Other,
    }
}

impl ComposeCall {
    /// `compose exec|run SERVICE PROGRAM…` as an execution.
    pub fn execution(&self) -> Option<Execution> {
        let sub = self.subcommand.as_ref()?;
        match sub.value.as_str() {
            "exec" => execution(&self.args, true, true),
            "run" => execution(&self.args, true, false),
            _ => None,
        }
    }
}

/// What a command writes to an env file.
fn env_write(cmd: &SimpleCommand, at: usize) -> Option<String> {
    if let Some(r) = cmd.redirects.iter().find(|r| r.op.starts_with('>') && is_env_file_name(&r.target.text)) {
        return Some(r.target.text.clone());
    }
    let name = cmd.words.get(at)?.text.as_str();
    let args = cmd.words.get(at + 1..).unwrap_or(&[]);
    let file_arg =
        || args.iter().rev().find(|w| !w.text.starts_with('-') && is_env_file_name(&w.text)).map(|w| w.text.clone());
    match name {
        "tee" | "vi" | "vim" | "nano" | "ed" => file_arg(),
        "sed" if args.iter().any(|w| w.text.starts_with("-i")) => file_arg(),
        _ => None,
    }
}

/// Shells whose `-c` argument is a script of commands.
const SHELLS: &[&str] = &["sh", "bash", "dash", "zsh", "ash", "/bin/sh", "/bin/bash", "/usr/bin/bash", "/bin/dash"];

/// For `sh -c SCRIPT` (`bash -ec`, `sh -lc`): the script word.
fn shell_script(words: &[Word]) -> Option<&Word> {
    if !SHELLS.contains(&words.first()?.text.as_str()) {
        return None;
    }
    let mut i = 1;
    while let Some(w) = words.get(i).filter(|w| w.text.starts_with('-')) {
        if w.text.len() > 1 && !w.text.starts_with("--") && w.text.ends_with('c') {
            return words.get(i + 1);
        }
        i += 1;
    }
    None
}

/// The variable a command name reads, as written: `$DC`, `${DC}`, and in a recipe `$(DC)`.
fn variable_name(w: &Word) -> Option<&str> {
    let t = w.text.as_str();
    let name = t
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| t.strip_prefix("$(").and_then(|r| r.strip_suffix(')')))
        .or_else(|| t.strip_prefix('$'))?;
    (!name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')).then_some(name)
}

/// Whether a command asks which compose flavor is installed: `docker compose version`,
/// `docker-compose --version`, `command -v docker-compose`, `which docker-compose`,
/// `[ -x "$(command -v docker-compose)" ]`.
fn is_flavor_probe(words: &[Word], kind: &Kind) -> bool {
    if let Kind::Compose(call) = kind {
        let version = |t: &str| matches!(t, "version" | "--version" | "-v");
        return call.subcommand.as_ref().is_some_and(|s| version(&s.value))
            || call.options.iter().any(|w| version(&w.text));
    }
    let Some(name) = words.first().map(|w| w.text.as_str()) else {
        return false;
    };
    matches!(name, "command" | "which" | "type" | "hash" | "[" | "[[" | "test")
        && words.iter().skip(1).any(|w| w.text.contains("docker-compose") || w.text.contains("docker compose"))
}

/// Whether the wrappers before a command run it under `setsid -w` (`--wait`, or `w` among
/// short options).
fn setsid_waits(wrappers: &[Word]) -> bool {
    let Some(at) = wrappers.iter().position(|w| w.text == "setsid") else { return false };
    wrappers
        .iter()
        .skip(at + 1)
        .take_while(|w| w.text.starts_with('-'))
        .any(|w| w.text == "--wait" || (!w.text.starts_with("--") && w.text.contains('w')))
}

/// The state of one group while its commands are classified in order.
struct GroupState<'a> {
    origin: Origin,
    file: FileId,
    group: usize,
    exported_askpass: Option<Span>,
    exported_askpass_force: Option<Span>,
    /// Shell variables assigned so far (`DC="docker compose"`), by name.
    vars: std::collections::BTreeMap<String, String>,
    /// Variables of the file around the group (a Makefile's `DC = docker compose`).
    outer: &'a dyn Fn(&str) -> Option<String>,
    probe: bool,
    /// A variable was given a value of each flavor (`if …; then DC=…; else DC=…; fi`).
    both_by_variable: bool,
    /// The names the group assigns or exports, without their values.
    assigned: BTreeSet<String>,
}

/// The name a `NAME=value` word assigns (`None` for any other word).
fn assigned_name(w: &Word) -> Option<&str> {
    let (name, _) = w.text.split_once('=')?;
    is_key(name).then_some(name)
}

/// Whether a word names a variable that is exported or declared (`export NAME`).
fn declared_name(w: &Word) -> Option<&str> {
    let t = w.text.as_str();
    is_key(t).then_some(t).or_else(|| assigned_name(w))
}

impl GroupState<'_> {
    fn assign(&mut self, w: &Word) {
        let Some((name, value)) = w.text.split_once('=') else { return };
        let flavor_of = |v: &str| match classify(&shell::parse_detached(v, w.span).into_iter().next()?.words) {
            Kind::Compose(c) => Some(c.flavor),
            _ => None,
        };
        if let (Some(old), Some(new)) = (self.vars.get(name).and_then(|v| flavor_of(v)), flavor_of(value)) {
            self.both_by_variable |= old != new;
        }
        if value.contains("$(") || value.contains('`') {
            self.vars.remove(name);
        } else {
            self.vars.insert(name.to_string(), value.to_string());
        }
    }

    /// Notes the names a command assigns: `NAME=value` before it (or on its own, or after
    /// `env`), the names `export`, `declare`, `typeset`, `readonly` and `local` take, and the
    /// `NAME=value` words a command writes to an env file or to `$GITHUB_ENV`
    /// (`echo "TAG=1" >> .env`).
    fn note_assigned(&mut self, cmd: &SimpleCommand, at: usize) {
        let before = cmd.assignments.iter().chain(cmd.words.get(..at).unwrap_or(&[]));
        self.assigned.extend(before.filter_map(assigned_name).map(str::to_string));
        let words = cmd.words.get(at..).unwrap_or(&[]);
        let args = words.get(1..).unwrap_or(&[]).iter().filter(|w| !w.text.starts_with('-'));
        match words.first().map(|w| w.text.as_str()) {
            Some("export" | "declare" | "typeset" | "readonly" | "local") => {
                self.assigned.extend(args.filter_map(declared_name).map(str::to_string));
            }
            Some(_)
                if cmd.redirects.iter().any(|r| {
                    r.op.starts_with('>') && (is_env_file_name(&r.target.text) || r.target.text.contains("GITHUB_ENV"))
                }) =>
            {
                self.assigned.extend(args.filter_map(assigned_name).map(str::to_string));
            }
            _ => {}
        }
    }

    /// The words of a command run through a variable (`$DC up -d`), the variable's value in
    /// place of its name; `None` when the name is no variable or its value is unknown.
    fn expand_name(&self, words: &[Word]) -> Option<Vec<Word>> {
        let first = words.first()?;
        let name = variable_name(first)?;
        // `"$DC" up`: a quoted value is one word, whatever its spaces.
        if first.quoted_inner.is_some() && first.text.contains(' ') {
            return None;
        }
        let value = self.vars.get(name).cloned().or_else(|| (self.outer)(name))?;
        let mut out = shell::parse_detached(&value, first.span).into_iter().next()?.words;
        out.extend(words.iter().skip(1).cloned());
        Some(out)
    }

    fn classify(&mut self, cmd: SimpleCommand, depth: usize, out: &mut Vec<Command>) {
        let (at, setsid) = unwrap_command(&cmd.words);
        let words = cmd.words.get(at..).unwrap_or(&[]);
        let first = words.first().map(|w| w.text.as_str());
        self.note_assigned(&cmd, at);
        if matches!(first, Some("export" | "readonly" | "local")) || (first.is_none() && !cmd.remote) {
            let assigns = if first.is_some() { cmd.words.get(at + 1..).unwrap_or(&[]) } else { &cmd.assignments[..] };
            for w in assigns {
                if w.text.starts_with("SSH_ASKPASS=") {
                    self.exported_askpass = Some(w.span);
                }
                if w.text.starts_with("SSH_ASKPASS_REQUIRE=") {
                    self.exported_askpass_force = (w.text == "SSH_ASKPASS_REQUIRE=force").then_some(w.span);
                }
                self.assign(w);
            }
            if first.is_none() {
                return;
            }
        }
        if first == Some("unset") && words.iter().any(|w| w.text == "SSH_ASKPASS") {
            self.exported_askpass = None;
        }
        if first == Some("unset") && words.iter().any(|w| w.text == "SSH_ASKPASS_REQUIRE") {
            self.exported_askpass_force = None;
        }
        let kind = match self.expand_name(words) {
            Some(expanded) => classify(&expanded),
            None => classify(words),
        };
        self.probe |= is_flavor_probe(&cmd.words, &kind);
        let before = || cmd.assignments.iter().chain(cmd.words.get(..at).unwrap_or(&[]).iter());
        let inline_askpass = before().find(|w| w.text.starts_with("SSH_ASKPASS=")).map(|w| w.span);
        let inline_force = before()
            .find(|w| w.text.starts_with("SSH_ASKPASS_REQUIRE="))
            .map(|w| (w.text == "SSH_ASKPASS_REQUIRE=force", w.span));
        let askpass_force = match inline_force {
            Some((force, span)) => force.then_some(span),
            None => self.exported_askpass_force,
        };
        let setsid_waits = setsid && setsid_waits(cmd.words.get(..at).unwrap_or(&[]));
        let env_write = env_write(&cmd, at);
        // `sh -c 'cd /srv && docker-compose up -d'`: the script's commands, in the same group.
        let inner = if depth < 3 { shell_script(words).map(shell::parse_word) } else { None };
        out.push(Command {
            origin: self.origin,
            file: self.file,
            group: self.group,
            name_at: at,
            askpass: inline_askpass.or(self.exported_askpass),
            askpass_force,
            setsid,
            setsid_waits,
            env_write,
            kind,
            cmd,
        });
        for mut c in inner.into_iter().flatten() {
            c.remote |= out.last().is_some_and(|o| o.cmd.remote);
            self.classify(c, depth + 1, out);
        }
    }
}

/// The names an env file's lines in a runbook assign (a block labelled `env` or `dotenv`, or
/// a block without a label whose every line is an assignment): names only, never values.
pub fn env_block_names(file: FileId, body: &str, labelled: bool) -> BTreeSet<String> {
    let parsed = crate::parse::envfile::parse(file, body);
    let env_shaped = parsed.errors.is_empty()
        && !parsed.entries.is_empty()
        && parsed.entries.iter().all(crate::parse::envfile::EnvEntry::is_assigned);
    if !labelled && !env_shaped {
        return BTreeSet::new();
    }
    parsed.entries.into_iter().map(|e| e.key.value).collect()
}

/// Classifies the commands of one group (a script, a runbook block, a crontab line), in order;
/// returns the names the group assigns or exports.
pub fn classify_group(
    origin: Origin,
    file: FileId,
    group: usize,
    cmds: Vec<SimpleCommand>,
    out: &mut Vec<Command>,
) -> BTreeSet<String> {
    classify_group_with(origin, file, group, cmds, &|_| None, out)
}

/// [`classify_group`], with the variables of the file around the group (a Makefile's), for
/// commands run through one (`$(DC) up -d`).
pub fn classify_group_with(
    origin: Origin,
    file: FileId,
    group: usize,
    cmds: Vec<SimpleCommand>,
    outer: &dyn Fn(&str) -> Option<String>,
    out: &mut Vec<Command>,
) -> BTreeSet<String> {
    let start = out.len();
    let mut state = GroupState {
        origin,
        file,
        group,
        exported_askpass: None,
        exported_askpass_force: None,
        vars: std::collections::BTreeMap::new(),
        outer,
        probe: false,
        both_by_variable: false,
        assigned: BTreeSet::new(),
    };
    for cmd in cmds {
        state.classify(cmd, 0, out);
    }
    // A script that probes for a flavor and uses both picks one at run time.
    let group_cmds = out.get_mut(start..).unwrap_or(&mut []);
    let flavors = |f: Flavor| group_cmds.iter().any(|c| matches!(&c.kind, Kind::Compose(call) if call.flavor == f));
    let both = flavors(Flavor::V1) && flavors(Flavor::V2);
    if (state.probe && both) || state.both_by_variable {
        for c in group_cmds.iter_mut() {
            if let Kind::Compose(call) = &mut c.kind {
                call.neutral = true;
            }
        }
    }
    state.assigned
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::shell;

    fn classify_text(t: &str) -> Vec<Command> {
        let mut out = Vec::new();
        classify_group(Origin::Script, FileId(0), 0, shell::parse(FileId(0), t, 0), &mut out);
        out
    }

    #[test]
    fn compose_calls() {
        let c = classify_text("docker compose -f docker-compose.prod.yml --env-file .env.prod up -d backend\n");
        let Kind::Compose(call) = &c[0].kind else { panic!("not compose") };
        assert_eq!(call.flavor, Flavor::V2);
        assert_eq!(call.files[0].value, "docker-compose.prod.yml");
        assert_eq!(call.env_files[0].value, ".env.prod");
        assert_eq!(call.subcommand.as_ref().map(|s| s.value.as_str()), Some("up"));
    }

    #[test]
    fn executions_and_askpass() {
        let c = classify_text(
            "export SSH_ASKPASS=/tmp/a\nscp f h:/tmp\nsetsid -w ssh h ls\ndocker exec -it app /app/batch -task=x\n",
        );
        assert!(c.iter().any(|c| matches!(c.kind, Kind::Remote("scp")) && c.askpass.is_some() && !c.setsid));
        assert!(c.iter().any(|c| matches!(c.kind, Kind::Remote("ssh")) && c.setsid));
        let exec = c.iter().find_map(|c| if let Kind::Exec(e) = &c.kind { Some(e) } else { None });
        assert!(exec.is_some_and(|e| e.tty && e.interactive && e.program.value == "/app/batch"));
        let c = classify_text("docker exec -t app /app/batch\ndocker exec --interactive --tty app sh\n");
        let execs: Vec<_> = c
            .iter()
            .filter_map(|c| if let Kind::Exec(e) = &c.kind { Some((e.tty, e.interactive)) } else { None })
            .collect();
        assert_eq!(execs, [(true, false), (true, true)]);
    }

    #[test]
    fn docker_builds() {
        let c = classify_text(
            "docker build -f backend/Dockerfile --target runtime -t app:1 backend\ndocker buildx build --push .\n",
        );
        let Kind::DockerBuild(b) = &c[0].kind else { panic!("not a build") };
        assert_eq!(b.file.as_deref(), Some("backend/Dockerfile"));
        assert_eq!(b.target.as_ref().map(|t| t.value.as_str()), Some("runtime"));
        assert_eq!(b.context.as_deref(), Some("backend"));
        assert!(matches!(&c[1].kind, Kind::DockerBuild(b) if b.context.as_deref() == Some(".")));
    }

    #[test]
    fn a_shell_script_run_in_a_container_is_read() {
        let c = classify_text("docker-compose exec -T backend sh -c '/app/batch -task=grace-expiry'\n");
        let Kind::Compose(call) = &c[0].kind else { panic!("not compose") };
        let e = call.execution();
        assert!(e.as_ref().is_some_and(|e| e.program.value == "/app/batch" && !e.tty), "{e:?}");
        assert_eq!(e.map(|e| e.args[0].text.clone()).as_deref(), Some("-task=grace-expiry"));
    }

    fn compose_calls_of(c: &[Command]) -> Vec<(Flavor, Option<String>, bool)> {
        c.iter()
            .filter_map(|c| match &c.kind {
                Kind::Compose(call) => {
                    Some((call.flavor, call.subcommand.as_ref().map(|s| s.value.clone()), call.neutral))
                }
                _ => None,
            })
            .collect()
    }

    #[test]
    fn every_place_a_compose_command_hides_is_read() {
        let t = "sudo -u deploy docker-compose ps\n\
                 cd /srv/app && COMPOSE_PROFILES=x docker compose pull | tee log\n\
                 sh -c 'docker-compose stop web; docker-compose rm -f web'\n\
                 ssh deploy@203.0.113.7 \"bash -lc 'docker compose -f p.yml \\\n  up -d'\"\n\
                 docker --context prod compose logs\n\
                 /usr/local/bin/docker-compose down\n";
        let calls = compose_calls_of(&classify_text(t));
        let subs: Vec<_> = calls.iter().map(|(f, s, _)| (*f, s.clone().unwrap_or_default())).collect();
        let want = [
            (Flavor::V1, "ps"),
            (Flavor::V2, "pull"),
            (Flavor::V1, "stop"),
            (Flavor::V1, "rm"),
            (Flavor::V2, "up"),
            (Flavor::V2, "logs"),
            (Flavor::V1, "down"),
        ];
        assert_eq!(subs, want.map(|(f, s)| (f, s.to_string())));
        assert!(calls.iter().all(|(_, _, neutral)| !neutral));
    }

    #[test]
    fn a_command_run_through_a_variable_takes_its_value() {
        let c = classify_text("DC=\"docker compose -f docker-compose.prod.yml\"\n$DC pull\n${DC} up -d\n");
        let calls: Vec<_> =
            c.iter().filter_map(|c| if let Kind::Compose(call) = &c.kind { Some(call) } else { None }).collect();
        assert_eq!(calls.len(), 2);
        assert!(calls.iter().all(|c| c.flavor == Flavor::V2 && !c.literal && c.files[0].value.ends_with("prod.yml")));
        // The tool is the variable, where it is written.
        assert_eq!(calls[0].tool.start, "DC=\"docker compose -f docker-compose.prod.yml\"\n".len());
        let mut out = Vec::new();
        let cmds = shell::parse(FileId(0), "\t$(DC) up -d\n", 0);
        let vars = |n: &str| (n == "DC").then(|| "docker-compose".to_string());
        classify_group_with(Origin::Makefile, FileId(0), 0, cmds, &vars, &mut out);
        assert_eq!(compose_calls_of(&out), [(Flavor::V1, Some("up".to_string()), false)]);
    }

    #[test]
    fn a_flavor_picked_at_run_time_is_neutral() {
        for t in [
            "if docker compose version >/dev/null 2>&1; then DC=\"docker compose\"; else DC=docker-compose; fi\n$DC up -d\n",
            "if command -v docker-compose >/dev/null; then docker-compose up -d; else docker compose up -d; fi\n",
            "if [ \"$OLD\" = 1 ]; then DC=docker-compose; else DC='docker compose'; fi\n$DC up -d\n",
        ] {
            let calls = compose_calls_of(&classify_text(t));
            assert!(!calls.is_empty() && calls.iter().all(|(_, _, neutral)| *neutral), "{t}: {calls:?}");
        }
        // A version printed for the log, and one flavor: nothing picked.
        let calls = compose_calls_of(&classify_text("docker compose version\ndocker compose up -d\n"));
        assert!(calls.iter().all(|(_, _, neutral)| !neutral));
    }

    #[test]
    fn assigned_names_are_recorded_without_values() {
        let t = "TAG=1\nexport REGION=eu MODE\nlocal -r STAGE=x\nDEBUG=1 LOG=2 docker compose up -d\n\
                 env COLOR=red ./run.sh\necho \"BUILD=$SHA\" >> \"$GITHUB_ENV\"\necho MAIL=x >> .env.prod\n\
                 echo NOTE=x\nsh -c 'INNER=1 true'\ndocker run -e PORT=1 img\nif [ x ]; then PICKED=1; fi\n";
        let names = classify_group(Origin::Script, FileId(0), 1, shell::parse(FileId(0), t, 0), &mut Vec::new());
        let want = ["BUILD", "COLOR", "DEBUG", "INNER", "LOG", "MAIL", "MODE", "PICKED", "REGION", "STAGE", "TAG"];
        assert_eq!(names.iter().map(String::as_str).collect::<Vec<_>>(), want);
        let env = env_block_names(FileId(0), "# mail\nMAIL_FROM=a@b\nexport SMTP=x\n", false);
        assert_eq!(env.into_iter().collect::<Vec<_>>(), ["MAIL_FROM", "SMTP"]);
        // An unlabelled block that is not all assignments is no env file.
        assert!(env_block_names(FileId(0), "X=1\ndocker compose up\n", false).is_empty());
    }

    #[test]
    fn env_writes() {
        let c = classify_text("echo 'K=v' >> .env.prod\nsed -i 's/a/b/' .env.prod\nls > out.txt\n");
        let writes: Vec<_> = c.iter().map(|c| c.env_write.clone()).collect();
        assert_eq!(writes, [Some(".env.prod".to_string()), Some(".env.prod".to_string()), None]);
    }
}
