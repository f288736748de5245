//! What runs on a schedule: crontab entries, GitHub workflows triggered by `schedule:`, ofelia
//! jobs declared in compose labels, Kubernetes `CronJob`s and systemd timers. Each run is the
//! program it executes (inside a container for `docker exec`, `compose exec|run`) and its
//! arguments: what DPL401/DPL402 hold a batch binary's tasks to.

use super::Model;
use super::commands::{self, Command, Origin};
use crate::parse::shell::{SimpleCommand, Word};
use crate::source::{FileId, Spanned};

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
pub(super) fn runs_of_words(scheduler: Scheduler, file: FileId, words: Vec<Spanned<String>>, out: &mut Vec<ScheduledRun>) {
    let Some(span) = words.first().map(|w| w.span).map(|s| words.last().map_or(s, |l| s.to(l.span))) else {
        return;
    };
    let words: Vec<Word> = words
        .into_iter()
        .map(|w| Word { text: w.value, span: w.span, quoted_inner: None, verbatim: false })
        .collect();
    let cmd = SimpleCommand { assignments: Vec::new(), words, redirects: Vec::new(), span, remote: false };
    let mut cmds = Vec::new();
    commands::classify_group(Origin::Script, file, 0, vec![cmd], &mut cmds);
    out.extend(cmds.iter().filter_map(run_of).map(|(program, args)| ScheduledRun { scheduler, program, args }));
}

/// A command line's words, at their place in the file.
pub(super) fn words_of_line(file: FileId, line: &str, at: usize) -> Vec<Spanned<String>> {
    let cmds = crate::parse::shell::parse(file, line, at);
    cmds.into_iter().next().map(|c| c.words.into_iter().map(|w| Spanned::new(w.text, w.span)).collect()).unwrap_or_default()
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
