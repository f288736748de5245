use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Origin;

pub static RULE: Rule = Rule {
    code: "DPL402",
    name: "cron-task-unknown",
    severity: Severity::Error,
    summary: "a crontab entry runs a task the code does not define",
    doc: include_str!("../../../rules/DPL402-cron-task-unknown.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for t in model.task_refs(Origin::Crontab) {
        let Some(sel) = model.task_selector(&t.binary) else { continue };
        let Some(bin) = model.code.binaries.get(sel.binary) else { continue };
        if sel.tasks.iter().any(|k| k.value == t.task.value) {
            continue;
        }
        let names: Vec<&str> = sel.tasks.iter().map(|k| k.value.as_str()).collect();
        let suggestion = crate::config::suggest(&t.task.value, names.iter().copied())
            .map_or(String::new(), |s| format!("; did you mean `{s}`?"));
        let mut f = Finding::new(
            format!("crontab runs task `{}` but `{}` defines no such task", t.task.value, bin.name),
            Label::new(t.task.span, "unknown task"),
        )
        .help(format!(
            "the tasks are {}{suggestion}",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ));
        if let Some(first) = sel.tasks.first() {
            f = f.related(Label::new(first.span, format!("tasks of `{}` are defined here", bin.name)));
        }
        r.report(f);
    }
}
