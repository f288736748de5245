use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Origin;

pub static RULE: Rule = Rule {
    code: "DPL401",
    name: "cron-task-missing",
    severity: Severity::Warning,
    summary: "a batch task defined in code has no crontab entry",
    doc: include_str!("../../../rules/DPL401-cron-task-missing.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    let refs = model.task_refs(Origin::Crontab);
    for bin in model.go.binaries.iter().filter(|b| !b.ignored) {
        if model.config.batch_binary.as_ref().is_some_and(|b| *b != bin.name) {
            continue;
        }
        let Some(pkg) = model.go.package(&bin.dir) else {
            continue;
        };
        let Some(flag) = &pkg.task_flag else { continue };
        for task in &pkg.tasks {
            if refs.iter().any(|t| t.binary == bin.name && t.task.value == task.value) {
                continue;
            }
            let help = if model.crontab_files.is_empty() {
                format!(
                    "schedule it, e.g. `0 3 * * * docker exec <container> /app/{} -{}={}`, and keep the server's crontab in the repo (e.g. `deploy/crontab`) so it is checked",
                    bin.name, flag.value, task.value
                )
            } else {
                format!("add a crontab line that runs `{} -{}={}`", bin.name, flag.value, task.value)
            };
            let mut f = Finding::new(
                format!("batch task `{}` of `{}` has no crontab entry", task.value, bin.name),
                Label::new(task.span, format!("task `{}` defined here", task.value)),
            )
            .help(help);
            if let Some(line) = model.cron_lines.first() {
                f = f.related(Label::new(line.entry.schedule.span, "the crontab runs other tasks"));
            }
            r.report(f);
        }
    }
}
