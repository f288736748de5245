use crate::checks::{Reporter, Rule};
use crate::config::Flavor;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::schedules::{Scheduler, TtyAsk};

pub static RULE: Rule = Rule {
    code: "DPL405",
    name: "cron-needs-no-tty",
    severity: Severity::Error,
    summary: "a crontab line, systemd timer, ofelia job, CronJob or scheduled workflow runs `docker exec -it`, `docker run -it` or `docker-compose exec` without `-T`: it has no terminal",
    doc: include_str!("../../../rules/DPL405-cron-needs-no-tty.md"),
    check,
};

/// Where a scheduled command is written, and what runs it without a terminal.
fn place(scheduler: Scheduler) -> (&'static str, &'static str) {
    match scheduler {
        Scheduler::Crontab => ("in a crontab line", "cron gives it no terminal"),
        Scheduler::Timer => ("in a service a systemd timer starts", "a systemd timer runs it without a terminal"),
        Scheduler::Ofelia => ("in an ofelia job", "ofelia runs it without a terminal"),
        Scheduler::CronJob => ("in a Kubernetes CronJob", "its container has no terminal (no `tty: true`)"),
        Scheduler::Workflow => ("in a scheduled workflow", "a GitHub Actions runner runs it without a terminal"),
    }
}

fn check(model: &Model, r: &mut Reporter) {
    for run in model.scheduled_runs.iter().filter(|run| run.without_terminal) {
        let Some(t) = run.tty else { continue };
        let (at, why) = place(run.scheduler);
        let (message, help) = match t.ask {
            // docker refuses a TTY when its standard input is no terminal.
            TtyAsk::DockerExec => (
                format!(
                    "`docker exec` with `-t` and `-i` {at}: {why}, so docker refuses with \"the input device is not a TTY\" and the job never runs"
                ),
                "drop `-t` (and `-i` unless the command reads its input): `docker exec CONTAINER …`",
            ),
            TtyAsk::DockerRun => (
                format!(
                    "`docker run` with `-t` and `-i` {at}: {why}, so docker refuses with \"the input device is not a TTY\" and the job never runs"
                ),
                "drop `-t` (and `-i` unless the command reads its input): `docker run --rm IMAGE …`",
            ),
            // compose v2 leaves the TTY out when its input is no terminal.
            TtyAsk::ComposeExec if model.config.compose == Some(Flavor::V2) => continue,
            TtyAsk::ComposeExec => (
                format!(
                    "`docker-compose exec` without `-T` {at}: docker-compose 1.x allocates a TTY, {why}, and it fails with \"the input device is not a TTY\""
                ),
                "add `-T`: `docker-compose exec -T SERVICE …`",
            ),
        };
        r.report(Finding::new(message, Label::new(t.span, "needs a terminal")).help(help));
    }
}
