//! What runs on a schedule: crontab entries, GitHub workflows triggered by `schedule:`, ofelia
//! jobs declared in compose labels, Kubernetes `CronJob`s and systemd timers. Each run is the
//! program it executes (inside a container for `docker exec`, `compose exec|run`) and its
//! arguments: what DPL401/DPL402 hold a batch binary's tasks to.

use super::Model;
use super::commands::{self, Command, Origin};
use crate::config::Flavor;
use crate::parse::shell::{SimpleCommand, Word};
use crate::parse::systemd::directives;
use crate::parse::yaml::{self, YNode};
use crate::source::{FileId, Sources, Span, Spanned, file_name, parent_dir};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scheduler {
    Crontab,
    /// A GitHub Actions workflow with a `schedule:` trigger.
    Workflow,
    /// An ofelia job (`ofelia.job-exec.NAME.command` on a compose service).
    Ofelia,
    /// A Kubernetes `CronJob`.
    CronJob,
    /// A systemd `.timer` and the `.service` it starts.
    Timer,
}

impl Scheduler {
    pub fn describe(self) -> &'static str {
        match self {
            Scheduler::Crontab => "crontab",
            Scheduler::Workflow => "scheduled workflow",
            Scheduler::Ofelia => "ofelia job",
            Scheduler::CronJob => "Kubernetes CronJob",
            Scheduler::Timer => "systemd timer",
        }
    }
}

#[derive(Clone, Debug)]
pub struct ScheduledRun {
    pub scheduler: Scheduler,
    /// The program as written (a path or a name).
    pub program: String,
    pub args: Vec<Word>,
    /// What the command asks of a terminal, when it needs one to run at all.
    pub tty: Option<TtyUse>,
    /// The scheduler certainly runs the command without a terminal: cron, a systemd service
    /// without `StandardInput=tty`, an ofelia job without `tty = true`, a `CronJob` container
    /// without `tty: true`, a workflow step on its runner. Not so for a command sent over
    /// `ssh` (outside a crontab), nor where the scheduler's terminal setting is not read.
    pub without_terminal: bool,
}

/// A command that fails without a terminal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TtyAsk {
    /// `docker exec` with `-t` and `-i`.
    DockerExec,
    /// `docker run` with `-t` and `-i`.
    DockerRun,
    /// docker-compose 1.x `exec` without `-T`.
    ComposeExec,
}

/// Where a scheduled command asks for a terminal.
#[derive(Clone, Copy, Debug)]
pub struct TtyUse {
    pub ask: TtyAsk,
    /// From the tool to the container, service or image it names.
    pub span: Span,
}

/// What a command asks of a terminal it cannot run without: docker refuses `-t` with `-i` when
/// its input is no terminal ("the input device is not a TTY"; `-t` alone runs), and
/// docker-compose 1.x allocates one for `exec` unless told `-T` (compose v2 leaves it out when
/// its input is none).
pub fn tty_use(c: &Command) -> Option<TtyUse> {
    let tool = c.name()?;
    let (ask, to) = match &c.kind {
        commands::Kind::Exec(e) if e.tty && e.interactive => (TtyAsk::DockerExec, exec_target(&e.target)),
        commands::Kind::Compose(call)
            if call.flavor == Flavor::V1 && call.subcommand.as_ref().is_some_and(|s| s.value == "exec") =>
        {
            let e = call.execution().filter(|e| e.tty && e.interactive)?;
            (TtyAsk::ComposeExec, exec_target(&e.target))
        }
        commands::Kind::DockerRun(run) if run.tty && run.interactive => (TtyAsk::DockerRun, run.image.as_ref()?.span),
        _ => return None,
    };
    Some(TtyUse { ask, span: tool.span.to(to) })
}

fn exec_target(t: &commands::ExecTarget) -> Span {
    let (commands::ExecTarget::Container(n) | commands::ExecTarget::Service(n)) = t;
    n.span
}

/// The program a command runs and its arguments: the program executed in a container, or the
/// command itself.
pub(super) fn run_of(c: &Command) -> Option<(String, Vec<Word>)> {
    match &c.kind {
        commands::Kind::Exec(e) => Some((e.program.value.clone(), e.args.clone())),
        commands::Kind::Compose(call) => call.execution().map(|e| (e.program.value, e.args)),
        _ => {
            let w = c.name()?;
            Some((w.text.clone(), c.cmd.words.get(c.name_at + 1..).unwrap_or(&[]).to_vec()))
        }
    }
}

/// The runs of an argv a scheduler executes without a shell (`command:`, `args:`), or of a
/// command line (`ExecStart=`): through `sh -c`, `docker exec` and the like as a crontab's.
/// Whether the scheduler gives them a terminal is not known.
pub(super) fn runs_of_words(scheduler: Scheduler, file: FileId, words: Vec<Word>, out: &mut Vec<ScheduledRun>) {
    scheduled_words(scheduler, file, words, false, out);
}

/// [`runs_of_words`], for a scheduler that runs them without a terminal when
/// `without_terminal` (save those sent over `ssh`).
fn scheduled_words(
    scheduler: Scheduler,
    file: FileId,
    words: Vec<Word>,
    without_terminal: bool,
    out: &mut Vec<ScheduledRun>,
) {
    let Some(span) = words.first().map(|w| w.span).map(|s| words.last().map_or(s, |l| s.to(l.span))) else {
        return;
    };
    let cmd = SimpleCommand {
        assignments: Vec::new(),
        words,
        redirects: Vec::new(),
        span,
        remote: false,
        output_used: false,
    };
    let mut cmds = Vec::new();
    commands::classify_group(Origin::Script, file, 0, vec![cmd], &mut cmds);
    for c in &cmds {
        let Some((program, args)) = run_of(c) else { continue };
        let without_terminal = without_terminal && !c.cmd.remote;
        out.push(ScheduledRun { scheduler, program, args, tty: tty_use(c), without_terminal });
    }
}

/// A command line's words, at their place in the file.
fn words_of_line(file: FileId, line: &str, at: usize) -> Vec<Word> {
    let cmds = crate::parse::shell::parse(file, line, at);
    cmds.into_iter().next().map(|c| c.words).unwrap_or_default()
}

/// A word whose text may not be written as is at its span (a quoted YAML scalar, a compose
/// command's word): it is written as is only when the file says so.
pub(super) fn word(text: &str, w: Spanned<String>) -> Word {
    let raw = text.get(w.span.start..w.span.end).unwrap_or("");
    let inner = raw.len().checked_sub(1).filter(|_| raw.len() >= 2 && (raw.starts_with('"') || raw.starts_with('\'')));
    let quoted = inner.filter(|&e| raw.get(1..e) == Some(w.value.as_str()) && raw.get(e..) == raw.get(..1));
    let span = w.span;
    match quoted {
        _ if raw == w.value => Word { text: w.value, span, quoted_inner: None, verbatim: true },
        Some(e) => {
            let inner = crate::source::Span::new(span.file, span.start + 1..span.start + e);
            Word { text: w.value, span, quoted_inner: Some(inner), verbatim: true }
        }
        None => Word { text: w.value, span, quoted_inner: None, verbatim: false },
    }
}

/// A run of an image's ENTRYPOINT with arguments (a Kubernetes container with `args:` and no
/// `command:`, an ofelia `job-run`): which program runs is known once the images are, when the
/// image is one the repository builds.
#[derive(Clone, Debug)]
pub(super) struct ImageRun {
    scheduler: Scheduler,
    file: FileId,
    /// The image as written.
    image: String,
    /// The arguments given after the ENTRYPOINT (replacing CMD).
    args: Vec<Word>,
    /// When the image is not one the repository builds, the arguments are the command (ofelia
    /// runs them as written in an image it cannot tell); else nothing is known to run.
    args_run_otherwise: bool,
    /// The container gets no terminal.
    without_terminal: bool,
}

/// The repository an image reference names, without its tag or digest and Docker Hub's implied
/// prefixes (`docker.io/library/`); `None` for a reference that is not literal.
fn image_repository(reference: &str) -> Option<String> {
    let r = reference.trim();
    if r.is_empty() || r.contains('$') || r.contains("{{") {
        return None;
    }
    let r = r.split('@').next().unwrap_or(r);
    let r = match r.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => name,
        _ => r,
    };
    let r = r.strip_prefix("docker.io/").or_else(|| r.strip_prefix("index.docker.io/")).unwrap_or(r);
    let r = r.strip_prefix("library/").unwrap_or(r);
    Some(r.to_ascii_lowercase())
}

/// Whether a word is a template's (`{{ .Values.task }}`): its text is not what runs.
fn templated(w: &Word) -> bool {
    w.text.contains("{{") || w.text.contains("}}")
}

/// The containers' `command:` + `args:` of the `CronJob`s of a Kubernetes manifest; a container
/// with `args:` alone runs its image's ENTRYPOINT with them, resolved once the images are known.
/// A file that is not YAML (a Helm template) holds none, and neither does a container whose
/// words are templated.
pub(super) fn kube_cronjobs(file: FileId, text: &str, out: &mut Vec<ScheduledRun>, pending: &mut Vec<ImageRun>) {
    let Ok(docs) = yaml::parse_all(file, text) else { return };
    for doc in docs.iter().filter(|d| d.get("kind").and_then(YNode::as_str) == Some("CronJob")) {
        let pod = ["spec", "jobTemplate", "spec", "template", "spec"].iter().try_fold(doc, |n, k| n.get(k));
        let containers = pod.and_then(|p| p.get("containers")).map(YNode::as_seq).unwrap_or(&[]);
        for c in containers {
            let strings = |n: Option<&YNode>| -> Option<Vec<Word>> {
                n.map_or(Some(Vec::new()), |n| {
                    n.as_seq()
                        .iter()
                        .map(|w| w.as_str().map(|s| word(text, Spanned::new(s.to_string(), w.span))))
                        .collect()
                })
            };
            let (Some(command), Some(args)) = (strings(c.get("command")), strings(c.get("args"))) else { continue };
            if command.iter().chain(&args).any(templated) {
                continue;
            }
            // A container has a terminal only with `tty: true`.
            let without_terminal = c.get("tty").is_none_or(|t| t.as_str() == Some("false"));
            if c.get("command").is_some() {
                let mut words = command;
                words.extend(args);
                scheduled_words(Scheduler::CronJob, file, words, without_terminal, out);
            } else if let (Some(image), false) = (c.get("image").and_then(YNode::as_str), args.is_empty()) {
                // Without `command:` the image's ENTRYPOINT runs, with `args:` in place of CMD.
                pending.push(ImageRun {
                    scheduler: Scheduler::CronJob,
                    file,
                    image: image.to_string(),
                    args,
                    args_run_otherwise: false,
                    without_terminal,
                });
            }
        }
    }
}

/// The jobs of an ofelia INI config: `job-exec` and `job-local` run their command; `job-run` and
/// `job-service-run` run their image with the command as its arguments. A `job-run` of a
/// `container` (restarting it) runs what that container runs, not a command of its own.
pub(super) fn ofelia_config(file: FileId, text: &str, out: &mut Vec<ScheduledRun>, pending: &mut Vec<ImageRun>) {
    use crate::parse::ofelia::{self, JobKind};
    for job in ofelia::parse(file, text) {
        let Some(command) = &job.command else { continue };
        let words = words_of_line(file, &command.value, command.span.start);
        if words.iter().any(templated) {
            continue;
        }
        // `job-local` runs its command with no input at all; the jobs in containers get a
        // terminal only with `tty = true`.
        let without_terminal = job.kind == JobKind::Local
            || job
                .tty
                .as_ref()
                .is_none_or(|t| matches!(t.value.to_ascii_lowercase().as_str(), "false" | "no" | "off" | "0"));
        match (job.kind, &job.image) {
            (JobKind::Exec | JobKind::Local, _) => {
                scheduled_words(Scheduler::Ofelia, file, words, without_terminal, out)
            }
            (JobKind::Run | JobKind::ServiceRun, Some(image)) if !words.is_empty() => pending.push(ImageRun {
                scheduler: Scheduler::Ofelia,
                file,
                image: image.value.clone(),
                args: words,
                args_run_otherwise: true,
                without_terminal,
            }),
            _ => {}
        }
    }
}

/// The `ExecStart=` lines of the services the repository's `.timer` units start (`Unit=`, else
/// the service of the timer's own name, in the same folder).
pub(super) fn systemd_timers(sources: &Sources, units: &[FileId], out: &mut Vec<ScheduledRun>) {
    for &timer in units.iter().filter(|&&id| sources.path(id).ends_with(".timer")) {
        let path = sources.path(timer);
        let text = sources.text(timer);
        let unit = directives(text, "Unit").into_iter().next().map(|(v, _)| v.to_string());
        let stem = file_name(path).strip_suffix(".timer").unwrap_or("");
        let service = unit.unwrap_or_else(|| format!("{stem}.service"));
        let dir = parent_dir(path);
        let Some(&sid) = units.iter().find(|&&id| {
            let p = sources.path(id);
            parent_dir(p) == dir && file_name(p) == service
        }) else {
            continue;
        };
        let stext = sources.text(sid);
        // A service's input is `/dev/null` unless `StandardInput=` says otherwise (`tty`, a
        // file, a socket); `TTYPath=` names the terminal it may use.
        let without_terminal = directives(stext, "StandardInput").iter().all(|(v, _)| *v == "null")
            && directives(stext, "TTYPath").is_empty();
        for (line, at) in directives(stext, "ExecStart") {
            // `-`, `@`, `+`, `!`, `:` prefixes change how systemd runs the command, not what.
            let cmd = line.trim_start_matches(['-', '@', '+', '!', ':']);
            let at = at + (line.len() - cmd.len());
            scheduled_words(Scheduler::Timer, sid, words_of_line(sid, cmd, at), without_terminal, out);
        }
    }
}

impl Model {
    /// The kinds of schedule the repository has: crontabs and scheduled workflows by their
    /// files, the other schedulers by the runs read from them.
    pub fn schedule_kinds(&self) -> std::collections::BTreeSet<Scheduler> {
        let mut out: std::collections::BTreeSet<Scheduler> = self.scheduled_runs.iter().map(|r| r.scheduler).collect();
        if !self.crontab_files.is_empty() {
            out.insert(Scheduler::Crontab);
        }
        if !self.scheduled_workflows.is_empty() {
            out.insert(Scheduler::Workflow);
        }
        out
    }

    /// The image the repository builds under a name (a compose service's `image:` beside its
    /// `build:`), with its shipped stage: only when every such service builds the same one.
    fn built_image(&self, reference: &str) -> Option<(usize, usize)> {
        let want = image_repository(reference)?;
        let mut found: Vec<(usize, usize)> = self
            .services
            .iter()
            .filter(|s| s.def.image.as_ref().and_then(|i| image_repository(&i.value)).as_deref() == Some(want.as_str()))
            .filter_map(|s| s.image)
            .collect();
        found.sort_unstable();
        found.dedup();
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }

    /// What an image run executes: the image's ENTRYPOINT (exec form) with the arguments, or
    /// the arguments alone when the image sets none. `None` when it cannot be told: the image
    /// is not built here, or its ENTRYPOINT is a shell form (which ignores arguments).
    fn image_run_words(&self, run: &ImageRun) -> Option<Vec<Word>> {
        let Some((img, stage)) = self.built_image(&run.image) else {
            return run.args_run_otherwise.then(|| run.args.clone());
        };
        let image = self.images.get(img)?;
        let entrypoint = image.chain(stage).into_iter().find_map(|s| s.entrypoint.as_ref());
        let Some(ep) = entrypoint.filter(|e| !e.words.is_empty()) else { return Some(run.args.clone()) };
        if ep.shell_form {
            return None;
        }
        let text = self.sources.text(ep.span.file);
        let mut words: Vec<Word> = ep.words.iter().map(|w| word(text, w.clone())).collect();
        words.extend(run.args.iter().cloned());
        Some(words)
    }

    /// Every scheduled run: crontab entries, the `run:` steps of scheduled workflows, and the
    /// other schedulers' commands.
    pub(super) fn compute_scheduled_runs(&mut self) {
        let mut out = Vec::new();
        for c in &self.commands {
            // Cron gives no terminal, even to what it sends over `ssh`; a workflow's runner
            // gives its steps none.
            let (scheduler, without_terminal) = match c.origin {
                Origin::Crontab => (Scheduler::Crontab, true),
                Origin::Ci if self.scheduled_workflows.contains(&c.file) => (Scheduler::Workflow, !c.cmd.remote),
                _ => continue,
            };
            if let Some((program, args)) = run_of(c) {
                out.push(ScheduledRun { scheduler, program, args, tty: tty_use(c), without_terminal });
            }
        }
        out.append(&mut self.other_scheduled_runs);
        for run in std::mem::take(&mut self.image_runs) {
            if let Some(words) = self.image_run_words(&run) {
                scheduled_words(run.scheduler, run.file, words, run.without_terminal, &mut out);
            }
        }
        self.scheduled_runs = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_repositories() {
        let repo = |r: &str| image_repository(r);
        assert_eq!(repo("ghcr.io/acme/ledger:1.4.0").as_deref(), Some("ghcr.io/acme/ledger"));
        assert_eq!(repo("registry:5000/acme/ledger").as_deref(), Some("registry:5000/acme/ledger"));
        assert_eq!(repo("docker.io/library/redis:7@sha256:abc").as_deref(), Some("redis"));
        assert_eq!(repo("Acme/Ledger").as_deref(), Some("acme/ledger"));
        assert_eq!(repo("${REGISTRY}/ledger:1"), None);
        assert_eq!(repo("{{ .Values.image }}"), None);
    }

    #[test]
    fn continued_unit_lines_keep_their_places() {
        let text = "[Service]\nExecStart=/usr/local/bin/app \\\n    --verbose \\\n  sync-users\nUser=app\n";
        let got = directives(text, "ExecStart");
        assert_eq!(got.len(), 1);
        let (value, at) = got[0];
        assert_eq!(text.get(at..at + value.len()), Some(value));
        let words: Vec<String> = words_of_line(FileId(0), value, at).into_iter().map(|w| w.text).collect();
        assert_eq!(words, ["/usr/local/bin/app", "--verbose", "sync-users"]);
    }
}
