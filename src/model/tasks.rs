//! Batch tasks: the string flag that selects a task in a batch binary, its tasks, and the
//! tasks commands name.
//!
//! A string flag switched over literals is often a mode (`-action up|down`, `-format json`),
//! not a set of scheduled tasks. A flag is a task selector when it is named like one (`task`,
//! `job`, or `[batch] task-flag`), has an empty default, its `switch` handles no `""` case, and
//! its binary is scheduled at all (a crontab entry runs it) or named as a batch binary
//! (`[batch] binary`, or `batch`, `jobs`, `cron`, `worker`).

use super::code::{Lang, Program};
use super::pytasks::PyTarget;
use super::schedules::ScheduledRun;
use super::shipping::ImageRun;
use super::{Model, TaskRef};
use crate::parse::golang::StringFlag;
use crate::parse::shell::Word;
use crate::source::{Span, Spanned, file_name};

/// The task selector of a batch binary, or of a Python program a schedule runs.
#[derive(Debug, Clone)]
pub struct TaskSelector {
    /// Index into `Model::code.binaries`; `None` for a Python program.
    pub binary: Option<usize>,
    /// How findings name the program: the binary's name, `manage.py`, a script's path.
    pub name: String,
    /// The Python program the selector stands for (`Some` only for Python).
    pub python: Option<PyTarget>,
    /// The flag that names the task; `None` when the task is a subcommand (`app purge`).
    pub flag: Option<Spanned<String>>,
    /// The tasks (the `case` literals, the registry's keys, the subcommands), without repeats.
    pub tasks: Vec<Spanned<String>>,
    /// Other names the binary accepts in the task's place: the library's own `help` and
    /// `completion`, the root command's name, Django's own commands.
    pub also: Vec<String>,
    /// Alias → the task it runs.
    pub aliases: Vec<(String, String)>,
    /// A crontab entry runs the binary without a task: its default mode is scheduled.
    pub default_scheduled: bool,
    /// The binary is a batch binary by its name or `[batch] binary`, or its tasks come from a
    /// task flag: a task no schedule runs is a finding. A scheduled program's other
    /// subcommands (`serve`, `version`) are not tasks.
    pub all_tasks_scheduled: bool,
    /// Names the code does not show may run too (installed apps' Django commands, click
    /// plugins): only a name one typo away from a task is unknown for certain.
    pub open: bool,
}

/// A program's subcommands: its tasks, other names it accepts, and aliases.
struct Subcommands {
    tasks: Vec<Spanned<String>>,
    also: Vec<String>,
    aliases: Vec<(String, String)>,
    /// A word in a task's place may be something else (a positional argument's value).
    open: bool,
}

impl Subcommands {
    /// Takes a declared command: its aliases, and its name as a task, or as another name the
    /// program accepts when it is the program's own (`own`: the root, or the binary's name).
    fn add(&mut self, name: &Spanned<String>, aliases: &[String], own: bool) {
        self.aliases.extend(aliases.iter().map(|a| (a.clone(), name.value.clone())));
        if own {
            self.also.push(name.value.clone());
        } else if !self.tasks.iter().any(|t| t.value == name.value) {
            self.tasks.push(name.clone());
        }
    }
}

/// A task of the container's own program, executed as if it were a program on `PATH`.
#[derive(Debug, Clone)]
pub struct EntrypointTask {
    /// The binary's name.
    pub binary: String,
    /// The program as the image runs it (`/app/server`).
    pub program: String,
    /// The arguments that run the task (`remap`, `-task=remap`).
    pub task: String,
}

/// Whether `text` holds `name` as a word (not inside a longer name).
fn mentions(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    text.match_indices(name).any(|(i, _)| {
        let before = text.get(..i).and_then(|t| t.chars().next_back());
        let after = text.get(i + name.len()..).and_then(|t| t.chars().next());
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// Whether a flag name reads as a task selector (`task`, `job`, `task-name`, `jobs`).
fn task_like(name: &str) -> bool {
    name.to_ascii_lowercase().split(['-', '_', '.']).any(|p| matches!(p, "task" | "tasks" | "job" | "jobs"))
}

/// Whether a binary's name says it runs batch work.
fn batch_named(name: &str) -> bool {
    name.to_ascii_lowercase().split(['-', '_', '.']).any(|p| matches!(p, "batch" | "jobs" | "cron" | "worker"))
}

/// Whether `args` pass `-flag` / `--flag` / `-flag=v`.
fn passes_flag(args: &[Word], flag: &str) -> bool {
    args.iter().any(|w| {
        let t = w.text.trim_start_matches('-');
        w.text.starts_with('-') && (t == flag || t.strip_prefix(flag).is_some_and(|r| r.starts_with('=')))
    })
}

impl Model {
    /// The task selectors of the repository's binaries, and of the Python programs schedules
    /// run.
    pub(super) fn compute_task_selectors(&mut self) {
        let mut out = Vec::new();
        for (bi, bin) in self.code.binaries.iter().enumerate() {
            if self.config.batch_binary.as_ref().is_some_and(|b| *b != bin.name) {
                continue;
            }
            // The arguments of every scheduled run of the binary.
            let runs: Vec<&[Word]> = self
                .scheduled_runs
                .iter()
                .filter(|r| file_name(&r.program) == bin.name)
                .map(|r| r.args.as_slice())
                .collect();
            if runs.is_empty() && self.config.batch_binary.is_none() && !batch_named(&bin.name) {
                continue;
            }
            let all_tasks_scheduled =
                self.config.batch_binary.as_ref().is_some_and(|b| *b == bin.name) || batch_named(&bin.name);
            let subcommands = match bin.lang {
                Lang::Go => {
                    if let Some(sel) = self.task_flag_selector(bi, &runs) {
                        out.push(sel);
                        continue;
                    }
                    if self.config.task_flag.is_some() {
                        continue;
                    }
                    self.go_subcommands(bin)
                }
                Lang::Rust if self.config.task_flag.is_none() => self.rust_subcommands(bin),
                _ => None,
            };
            let Some(Subcommands { mut tasks, also, aliases, open }) = subcommands else { continue };
            tasks.sort_by_key(|t| (t.span.file, t.span.start));
            let default_scheduled = runs.iter().any(|args| !args.iter().any(|w| !w.text.starts_with('-')));
            out.push(TaskSelector {
                binary: Some(bi),
                name: bin.name.clone(),
                python: None,
                flag: None,
                tasks,
                also,
                aliases,
                default_scheduled,
                all_tasks_scheduled,
                open,
            });
        }
        out.extend(self.python_selectors());
        self.task_selectors = out;
    }

    /// The selector of a Go binary whose task is a string flag switched over literals.
    fn task_flag_selector(&self, bi: usize, runs: &[&[Word]]) -> Option<TaskSelector> {
        let bin = self.code.binaries.get(bi)?;
        let pkg = self.code.go.package(&bin.dir)?;
        let named = |f: &&StringFlag| match &self.config.task_flag {
            Some(n) => f.name.value == *n,
            None => task_like(&f.name.value),
        };
        let (flag, sw) = pkg.string_flags.iter().filter(named).find_map(|f| {
            let sw = f.switch.as_ref()?;
            (f.default.as_deref() == Some("") && !sw.handles_empty && !sw.cases.is_empty()).then_some((f, sw))
        })?;
        let mut tasks: Vec<Spanned<String>> = Vec::new();
        for c in &sw.cases {
            if !tasks.iter().any(|t| t.value == c.value) {
                tasks.push(c.clone());
            }
        }
        let default_scheduled = runs.iter().any(|args| !passes_flag(args, &flag.name.value));
        Some(TaskSelector {
            binary: Some(bi),
            name: bin.name.clone(),
            python: None,
            flag: Some(flag.name.clone()),
            tasks,
            also: Vec::new(),
            aliases: Vec::new(),
            default_scheduled,
            all_tasks_scheduled: true,
            open: false,
        })
    }

    /// Subcommands declared with cobra or urfave/cli in the packages a Go binary links.
    fn go_subcommands(&self, bin: &Program) -> Option<Subcommands> {
        let linked = self.code.go.reachable(&bin.dir);
        // The binary runs a command line: a root command (in the package that declares it)
        // or a urfave/cli `App`. A binary that calls the commands' functions itself is none.
        let is_root = |p: &&crate::model::code::go::Package, c: &crate::parse::golang::CliCommand| {
            c.var.as_ref().is_some_and(|v| p.cli.executed.contains(v))
        };
        let runs_cli = linked.iter().any(|p| p.cli.app || p.cli.commands.iter().any(|c| is_root(p, c)));
        if !runs_cli {
            return None;
        }
        let also = ["help", "h", "completion"].map(String::from).to_vec();
        let mut subs = Subcommands { tasks: Vec::new(), also, aliases: Vec::new(), open: false };
        for (p, c) in linked.iter().flat_map(|p| p.cli.commands.iter().map(move |c| (p, c))) {
            subs.add(&c.name, &c.aliases, is_root(p, c) || c.name.value == bin.name);
        }
        // A name that is not a literal, or code not followed to its end: the set is partial.
        if subs.tasks.is_empty() || linked.iter().any(|p| p.cli.dynamic || !p.complete) {
            return None;
        }
        Some(subs)
    }

    /// Subcommands declared with clap in the code a Rust binary reaches. clap adds `help`.
    fn rust_subcommands(&self, bin: &Program) -> Option<Subcommands> {
        let subs = self.code.rust.subcommands(bin)?;
        let also = std::iter::once("help".to_string()).chain(subs.roots).collect();
        let mut out = Subcommands { tasks: Vec::new(), also, aliases: Vec::new(), open: subs.positional };
        for c in &subs.commands {
            out.add(&c.name, &c.aliases, c.name.value == bin.name);
        }
        (!out.tasks.is_empty()).then_some(out)
    }

    /// A bare name executed in a container (`docker exec app remap`) that is no program of
    /// the image but a task of the container's own program, a binary of the repository: how
    /// that binary runs it. `None` when the image may provide the name (see
    /// `Image::may_provide`) or the Dockerfile mentions it at all (a package, a link).
    pub fn entrypoint_task(&self, run: &ImageRun) -> Option<EntrypointTask> {
        let name = run.program.value.as_str();
        if !run.executed || !run.path_lookup || name.contains('/') {
            return None;
        }
        let svc = self.services.get(run.service?)?;
        let entry = self.entry_program(svc)?;
        let bin = self.binary_of_program(&entry)?;
        let bi = self.code.binaries.iter().position(|b| b.dir == bin.dir)?;
        let flag_selector = self.task_selectors.iter().find(|s| s.binary == Some(bi) && s.flag.is_some());
        let task = match flag_selector.and_then(|s| s.flag.as_ref().map(|f| (s, f))) {
            Some((sel, flag)) => {
                sel.tasks.iter().any(|t| t.value == name).then(|| format!("-{}={name}", flag.value))?
            }
            None => {
                let subs = match bin.lang {
                    Lang::Go => self.go_subcommands(bin),
                    Lang::Rust => self.rust_subcommands(bin),
                    _ => None,
                }?;
                let known = subs.tasks.iter().any(|t| t.value == name) || subs.aliases.iter().any(|(a, _)| a == name);
                known.then(|| name.to_string())?
            }
        };
        let image = self.images.get(run.image)?;
        if image.may_provide(run.stage, name) || mentions(self.sources.text(image.file), name) {
            return None;
        }
        let program = entry.path().unwrap_or_else(|| entry.word.value.clone());
        Some(EntrypointTask { binary: bin.name.clone(), program, task })
    }

    /// The selector a scheduled run runs, and the arguments after the program (a Python
    /// program's after its script or module).
    fn selector_of<'r>(&self, run: &'r ScheduledRun) -> Option<(usize, &'r [Word])> {
        let name = file_name(&run.program);
        let by_binary = self.task_selectors.iter().position(|s| {
            s.python.is_none() && s.binary.and_then(|b| self.code.binaries.get(b)).is_some_and(|b| b.name == name)
        });
        if let Some(i) = by_binary {
            return Some((i, run.args.as_slice()));
        }
        let (target, args) = super::pytasks::python_run(&run.program, &run.args)?;
        let target = self.resolve_python(&target)?;
        let i = self.task_selectors.iter().position(|s| s.python.as_ref() == Some(&target))?;
        Some((i, args))
    }

    /// Batch tasks scheduled runs name (`-task=x`, `-task x`, `--task x`, a subcommand), with
    /// the selector they run.
    pub fn task_refs(&self) -> Vec<TaskRef> {
        let mut out = Vec::new();
        for run in &self.scheduled_runs {
            let scheduler = run.scheduler;
            let Some((si, args)) = self.selector_of(run) else { continue };
            let Some(sel) = self.task_selectors.get(si) else { continue };
            let name = sel.name.clone();
            let Some(flag) = sel.flag.as_ref().map(|f| f.value.as_str()) else {
                // A subcommand: the first argument, when it is a plain word; a later argument
                // that names a task also runs it (`app --config x purge`). A Python program's
                // options may take values: only its first argument is read.
                for (i, w) in args.iter().enumerate() {
                    if sel.python.is_some() && i > 0 {
                        break;
                    }
                    let plain = !w.text.is_empty()
                        && w.text.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'));
                    let alias = sel.aliases.iter().find(|(a, _)| *a == w.text).map(|(_, t)| t);
                    let value = alias.unwrap_or(&w.text);
                    let known = sel.tasks.iter().any(|t| t.value == *value);
                    if plain && !w.text.starts_with('-') && (i == 0 || known) {
                        out.push(TaskRef {
                            binary: name.clone(),
                            selector: si,
                            task: Spanned::new(value.clone(), w.span),
                            scheduler,
                        });
                    }
                }
                continue;
            };
            for (i, w) in args.iter().enumerate() {
                if !w.text.starts_with('-') {
                    continue;
                }
                let t = w.text.trim_start_matches('-');
                if let Some(v) = t.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                    // The value's own place when the word is written as is, else the word's.
                    let base = w.quoted_inner.unwrap_or(w.span);
                    let at = match base.end.checked_sub(v.len()) {
                        Some(start) if w.verbatim && start >= base.start => Span::new(w.span.file, start..base.end),
                        _ => w.span,
                    };
                    let task = Spanned::new(v.to_string(), at);
                    out.push(TaskRef { binary: name.clone(), selector: si, task, scheduler });
                } else if t == flag {
                    if let Some(v) = args.get(i + 1) {
                        let task = Spanned::new(v.text.clone(), v.span);
                        out.push(TaskRef { binary: name.clone(), selector: si, task, scheduler });
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(task_like("task") && task_like("job") && task_like("task-name") && task_like("JOBS"));
        assert!(!task_like("action") && !task_like("mode") && !task_like("format") && !task_like("taskforce"));
        assert!(batch_named("batch") && batch_named("jobs") && batch_named("billing-worker") && batch_named("cron"));
        assert!(!batch_named("server") && !batch_named("migrate") && !batch_named("workers2"));
    }
}
