use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::schedules::Scheduler;

pub static RULE: Rule = Rule {
    code: "DPL401",
    name: "cron-task-missing",
    severity: Severity::Warning,
    summary: "a batch task defined in code has no crontab entry (nor any other schedule)",
    doc: include_str!("../../../rules/DPL401-cron-task-missing.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    let refs = model.task_refs();
    // Worded after the schedules the repository has: "no crontab entry" where there are only
    // crontabs (or none).
    let kinds = model.schedule_kinds();
    let others: Vec<&str> = kinds.iter().map(|k| k.describe()).collect();
    let only_crontabs = kinds.iter().all(|k| *k == Scheduler::Crontab);
    for sel in &model.task_selectors {
        let Some(bin) = sel.binary.and_then(|b| model.code.binaries.get(b)).filter(|b| !b.ignored) else { continue };
        // A crontab entry runs the binary without the flag: its default mode is scheduled.
        if sel.default_scheduled || !sel.all_tasks_scheduled {
            continue;
        }
        let run = |task: &str| match &sel.flag {
            Some(f) => format!("{} -{}={task}", bin.name, f.value),
            None => format!("{} {task}", bin.name),
        };
        for task in &sel.tasks {
            if refs.iter().any(|t| t.binary == sel.name && t.task.value == task.value) {
                continue;
            }
            let help = if !only_crontabs {
                format!("schedule `{}` the way the other tasks are ({})", run(&task.value), others.join(", "))
            } else if model.crontab_files.is_empty() {
                format!(
                    "schedule it, e.g. `0 3 * * * docker exec <container> /app/{}`, and keep the server's crontab in the repo (e.g. `deploy/crontab`) so it is checked",
                    run(&task.value)
                )
            } else {
                format!("add a crontab line that runs `{}`", run(&task.value))
            };
            let message = if only_crontabs {
                format!("batch task `{}` of `{}` has no crontab entry", task.value, bin.name)
            } else {
                format!("batch task `{}` of `{}` is run by no schedule ({})", task.value, bin.name, others.join(", "))
            };
            let mut f =
                Finding::new(message, Label::new(task.span, format!("task `{}` defined here", task.value))).help(help);
            if let Some(line) = model.cron_lines.first() {
                f = f.related(Label::new(line.entry.schedule.span, "the crontab runs other tasks"));
            }
            r.report(f);
        }
    }
}
