//! What runs on a schedule: crontab entries, GitHub workflows triggered by `schedule:`, ofelia
//! jobs declared in compose labels, Kubernetes `CronJob`s and systemd timers. Each run is the
//! program it executes (inside a container for `docker exec`, `compose exec|run`) and its
//! arguments: what DPL401/DPL402 hold a batch binary's tasks to.

use super::Model;
use super::commands::{self, Command, Origin};
use crate::parse::shell::{SimpleCommand, Word};
use crate::parse::yaml::{self, YNode};
use crate::source::{FileId, Sources, Spanned, file_name, parent_dir};

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
pub(super) fn runs_of_words(scheduler: Scheduler, file: FileId, words: Vec<Word>, out: &mut Vec<ScheduledRun>) {
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
    out.extend(cmds.iter().filter_map(run_of).map(|(program, args)| ScheduledRun { scheduler, program, args }));
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

/// The containers' `command:` + `args:` of the `CronJob`s of a Kubernetes manifest. A file
/// that is not YAML (a Helm template) holds none.
pub(super) fn kube_cronjobs(file: FileId, text: &str, out: &mut Vec<ScheduledRun>) {
    let Ok(docs) = yaml::parse_all(file, text) else { return };
    for doc in docs.iter().filter(|d| d.get("kind").and_then(YNode::as_str) == Some("CronJob")) {
        let pod = ["spec", "jobTemplate", "spec", "template", "spec"].iter().try_fold(doc, |n, k| n.get(k));
        let containers = pod.and_then(|p| p.get("containers")).map(YNode::as_seq).unwrap_or(&[]);
        for c in containers {
            // Without `command:` the image's entrypoint runs: which program is unknown here.
            let Some(command) = c.get("command") else { continue };
            let strings = |n: Option<&YNode>| -> Option<Vec<Word>> {
                n.map_or(Some(Vec::new()), |n| {
                    n.as_seq()
                        .iter()
                        .map(|w| w.as_str().map(|s| word(text, Spanned::new(s.to_string(), w.span))))
                        .collect()
                })
            };
            let (Some(mut words), Some(args)) = (strings(Some(command)), strings(c.get("args"))) else { continue };
            words.extend(args);
            runs_of_words(Scheduler::CronJob, file, words, out);
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
        for (line, at) in directives(stext, "ExecStart") {
            // `-`, `@`, `+`, `!`, `:` prefixes change how systemd runs the command, not what.
            let cmd = line.trim_start_matches(['-', '@', '+', '!', ':']);
            let at = at + (line.len() - cmd.len());
            runs_of_words(Scheduler::Timer, sid, words_of_line(sid, cmd, at), out);
        }
    }
}

/// The values of `Key=` lines of a unit file, with their offsets (a line ending in `\` is
/// continued: such values are left out).
fn directives<'t>(text: &'t str, key: &str) -> Vec<(&'t str, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let Some(rest) = body.trim_start().strip_prefix(key) else { continue };
        let Some(value) = rest.trim_start().strip_prefix('=') else { continue };
        let value = value.trim();
        if value.is_empty() || value.ends_with('\\') {
            continue;
        }
        let offset = body.len() - body.trim_start().len() + (rest.len() - rest.trim_start().len());
        let vstart = start + body.find(value).unwrap_or(offset);
        out.push((value, vstart));
    }
    out
}

impl Model {
    /// Every scheduled run: crontab entries, the `run:` steps of scheduled workflows, and the
    /// other schedulers' commands.
    pub(super) fn compute_scheduled_runs(&mut self) {
        let mut out = Vec::new();
        for c in &self.commands {
            let scheduler = match c.origin {
                Origin::Crontab => Scheduler::Crontab,
                Origin::Ci if self.scheduled_workflows.contains(&c.file) => Scheduler::Workflow,
                _ => continue,
            };
            if let Some((program, args)) = run_of(c) {
                out.push(ScheduledRun { scheduler, program, args });
            }
        }
        out.append(&mut self.other_scheduled_runs);
        self.scheduled_runs = out;
    }
}
