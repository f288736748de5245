//! Commands found in scripts, runbooks and crontabs, classified: compose invocations (with
//! their flavor), paths executed in containers, ssh/scp runs, env-file edits and restarts.

use crate::config::Flavor;
use crate::parse::shell::{self, SimpleCommand, Word, unwrap_command};
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    Script,
    Runbook,
    Crontab,
    /// A Makefile recipe.
    Makefile,
    /// A CI workflow step (GitHub Actions `run:`, GitLab `script:`): runs on a CI runner.
    Ci,
}

#[derive(Clone, Debug)]
pub struct ComposeCall {
    pub flavor: Flavor,
    /// `docker compose` / `docker-compose` as written.
    pub tool: Span,
    pub files: Vec<Spanned<String>>,
    pub env_files: Vec<Spanned<String>>,
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
    Other,
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
    /// Where `SSH_ASKPASS` was set for it (on the line or exported before), if it was.
    pub askpass: Option<Span>,
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
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            break;
        }
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
    let args = words.get(i + 2..).unwrap_or(&[]);
    // `sh -c '/app/batch -task=x'`: the program is the first command of the script.
    if matches!(program.text.as_str(), "sh" | "bash" | "/bin/sh" | "/bin/bash") {
        if let (Some(flag), Some(script)) = (args.first(), args.get(1)) {
            if flag.text == "-c" {
                let inner = shell::parse_word(script).into_iter().next()?;
                let (at, _) = unwrap_command(&inner.words);
                let program = inner.words.get(at)?;
                let args = inner.words.get(at + 1..).unwrap_or(&[]).to_vec();
                return Some(Execution { target, program: spanned(program), args, tty, interactive });
            }
        }
    }
    Some(Execution { target, program: spanned(program), args: args.to_vec(), tty, interactive })
}

fn compose_call(flavor: Flavor, tool: Span, words: &[Word]) -> ComposeCall {
    let mut call =
        ComposeCall { flavor, tool, files: Vec::new(), env_files: Vec::new(), subcommand: None, args: Vec::new() };
    let mut i = 0;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if !t.starts_with('-') {
            call.subcommand = Some(spanned(w));
            call.args = words.get(i + 1..).unwrap_or(&[]).to_vec();
            break;
        }
        let (name, inline) = match t.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (t, None),
        };
        let value = match inline {
            Some(v) => Some(Spanned::new(v.to_string(), w.span)),
            None if COMPOSE_GLOBAL_VALUE_OPTS.contains(&name) => {
                i += 1;
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

/// What a command is, from its words (starting at its name).
pub fn classify(words: &[Word]) -> Kind {
    let Some(first) = words.first() else {
        return Kind::Other;
    };
    match first.text.as_str() {
        "docker-compose" => Kind::Compose(compose_call(Flavor::V1, first.span, &words[1..])),
        "docker" => {
            let Some(sub) = words.get(1) else {
                return Kind::Other;
            };
            match sub.text.as_str() {
                "compose" => Kind::Compose(compose_call(Flavor::V2, first.span.to(sub.span), &words[2..])),
                "exec" => execution(&words[2..], false, false).map_or(Kind::Other, Kind::Exec),
                "restart" => words
                    .get(2..)
                    .unwrap_or(&[])
                    .iter()
                    .find(|w| !w.text.starts_with('-'))
                    .map_or(Kind::Other, |w| Kind::DockerRestart(spanned(w))),
                "build" => Kind::DockerBuild(docker_build(&words[2..])),
                "buildx" | "image" if words.get(2).is_some_and(|w| w.text == "build") => {
                    Kind::DockerBuild(docker_build(words.get(3..).unwrap_or(&[])))
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

/// Classifies the commands of one group (a script, a runbook block, a crontab line), in order.
pub fn classify_group(origin: Origin, file: FileId, group: usize, cmds: Vec<SimpleCommand>, out: &mut Vec<Command>) {
    let mut exported_askpass: Option<Span> = None;
    for cmd in cmds {
        let (at, setsid) = unwrap_command(&cmd.words);
        let words = cmd.words.get(at..).unwrap_or(&[]);
        let first = words.first().map(|w| w.text.as_str());
        if first == Some("export") || (first.is_none() && !cmd.remote) {
            let assigns = if first == Some("export") { &cmd.words[at + 1..] } else { &cmd.assignments[..] };
            for w in assigns {
                if w.text.starts_with("SSH_ASKPASS=") {
                    exported_askpass = Some(w.span);
                }
            }
            if first.is_none() {
                continue;
            }
        }
        if first == Some("unset") && words.iter().any(|w| w.text == "SSH_ASKPASS") {
            exported_askpass = None;
        }
        let kind = classify(words);
        let inline_askpass = cmd
            .assignments
            .iter()
            .chain(cmd.words.get(..at).unwrap_or(&[]).iter())
            .find(|w| w.text.starts_with("SSH_ASKPASS="))
            .map(|w| w.span);
        let env_write = env_write(&cmd, at);
        out.push(Command {
            origin,
            file,
            group,
            name_at: at,
            askpass: inline_askpass.or(exported_askpass),
            setsid,
            env_write,
            kind,
            cmd,
        });
    }
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

    #[test]
    fn env_writes() {
        let c = classify_text("echo 'K=v' >> .env.prod\nsed -i 's/a/b/' .env.prod\nls > out.txt\n");
        let writes: Vec<_> = c.iter().map(|c| c.env_write.clone()).collect();
        assert_eq!(writes, [Some(".env.prod".to_string()), Some(".env.prod".to_string()), None]);
    }
}
