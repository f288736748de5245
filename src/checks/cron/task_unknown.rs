use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::pytasks::near_miss;

pub static RULE: Rule = Rule {
    code: "DPL402",
    name: "cron-task-unknown",
    severity: Severity::Error,
    summary: "a crontab entry runs a task the code does not define",
    doc: include_str!("../../../rules/DPL402-cron-task-unknown.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for t in model.task_refs() {
        let Some(sel) = model.task_selectors.get(t.selector) else { continue };
        if sel.tasks.iter().any(|k| k.value == t.task.value) || sel.also.contains(&t.task.value) {
            continue;
        }
        let names: Vec<&str> = sel.tasks.iter().map(|k| k.value.as_str()).collect();
        let near = if sel.open {
            // Names the code does not show may run: only a typo of a task is certain.
            let Some(n) = names.iter().copied().find(|n| near_miss(&t.task.value, n)) else { continue };
            Some(n)
        } else {
            crate::config::suggest(&t.task.value, names.iter().copied())
        };
        let suggestion = near.map_or(String::new(), |s| format!("; did you mean `{s}`?"));
        let mut f = Finding::new(
            format!("{} runs task `{}` but `{}` defines no such task", t.scheduler.describe(), t.task.value, sel.name),
            Label::new(t.task.span, "unknown task"),
        )
        .help(format!(
            "the tasks are {}{suggestion}",
            names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ")
        ));
        // An open set's finding is a typo: the task it meant is the place to show.
        let meant = near.filter(|_| sel.open).and_then(|n| sel.tasks.iter().find(|k| k.value == n));
        if let Some(task) = meant {
            f = f.related(Label::new(task.span, format!("`{}` is defined here", task.value)));
        } else if let Some(first) = sel.tasks.first() {
            f = f.related(Label::new(first.span, format!("tasks of `{}` are defined here", sel.name)));
        }
        r.report(f);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_misspelt_task_in_a_system_crontab_offers_the_nearest_task() {
        let main = "package main\n\nimport \"flag\"\n\nfunc main() {\n\ttask := flag.String(\"task\", \"\", \"\")\n\tflag.Parse()\n\tswitch *task {\n\tcase \"reindex-search\":\n\tcase \"expire-holds\":\n\t}\n}\n";
        let diags = super::super::lint_in_memory(&[
            ("go.mod", "module example.com/x\n\ngo 1.22\n"),
            ("cmd/jobs/main.go", main),
            (
                "etc/cron.d/jobs",
                "15 1 * * * app /srv/jobs -task=expire-holds\n45 1 * * * app /srv/jobs -task=reindex-serach\n",
            ),
        ]);
        let found: Vec<_> = diags.iter().filter(|d| d.code == "DPL402").collect();
        assert_eq!(found.len(), 1, "{diags:?}");
        assert!(found.iter().all(|d| d.help.as_deref().is_some_and(|h| h.ends_with("did you mean `reindex-search`?"))));
    }
}
