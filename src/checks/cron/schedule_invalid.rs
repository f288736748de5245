use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;

pub static RULE: Rule = Rule {
    code: "DPL403",
    name: "cron-schedule-invalid",
    severity: Severity::Error,
    summary: "a crontab schedule is not valid cron syntax",
    doc: include_str!("../../../rules/DPL403-cron-schedule-invalid.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for line in &model.cron_lines {
        let Some((span, why)) = &line.entry.schedule_error else {
            continue;
        };
        r.report(
            Finding::new(format!("invalid crontab schedule `{}`: {why}", line.entry.schedule.value), Label::new(*span, why.clone())).help(
                "cron takes 5 fields (minute hour day-of-month month day-of-week; names, ranges, lists and `*/n` steps) or one of `@reboot @yearly @annually @monthly @weekly @daily @midnight @hourly`",
            ),
        );
    }
}
