use crate::checks::{Reporter, Rule};
use crate::config::Flavor;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::{ExecTarget, Kind, Origin};

pub static RULE: Rule = Rule {
    code: "DPL405",
    name: "cron-needs-no-tty",
    severity: Severity::Error,
    summary: "a crontab line runs `docker exec -it`, `docker run -it` or `docker-compose exec` without `-T`: cron has no terminal",
    doc: include_str!("../../../rules/DPL405-cron-needs-no-tty.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for e in &model.execs {
        let Some(c) = model.commands.get(e.command) else { continue };
        if c.origin != Origin::Crontab || !e.exec.interactive {
            continue;
        }
        let Some(tool) = c.name() else { continue };
        let (message, help) = match &c.kind {
            // docker refuses a TTY when its standard input is no terminal, and cron gives none.
            Kind::Exec(_) if e.exec.tty => (
                "`docker exec` with `-t` and `-i` in a crontab line: cron gives it no terminal, so docker refuses with \"the input device is not a TTY\" and the job never runs".to_string(),
                "drop `-t` (and `-i` unless the command reads its input): `docker exec CONTAINER …`".to_string(),
            ),
            // docker-compose 1.x allocates a TTY for `exec` unless told not to; compose v2
            // leaves it out when its input is no terminal.
            Kind::Compose(call)
                if call.flavor == Flavor::V1
                    && model.config.compose != Some(Flavor::V2)
                    && e.exec.tty
                    && call.subcommand.as_ref().is_some_and(|s| s.value == "exec") =>
            {
                (
                    "`docker-compose exec` without `-T` in a crontab line: docker-compose 1.x allocates a TTY, cron gives it no terminal, and it fails with \"the input device is not a TTY\"".to_string(),
                    "add `-T`: `docker-compose exec -T SERVICE …`".to_string(),
                )
            }
            _ => continue,
        };
        let (ExecTarget::Container(target) | ExecTarget::Service(target)) = &e.exec.target;
        r.report(Finding::new(message, Label::new(tool.span.to(target.span), "needs a terminal")).help(help));
    }
    // `docker run -it` checks its input the same way (`-t` alone allocates a TTY and runs).
    for c in model.commands.iter().filter(|c| c.origin == Origin::Crontab) {
        let Kind::DockerRun(run) = &c.kind else { continue };
        let (Some(tool), Some(image), true) = (c.name(), &run.image, run.tty && run.interactive) else { continue };
        r.report(
            Finding::new(
                "`docker run` with `-t` and `-i` in a crontab line: cron gives it no terminal, so docker refuses with \"the input device is not a TTY\" and the job never runs",
                Label::new(tool.span.to(image.span), "needs a terminal"),
            )
            .help("drop `-t` (and `-i` unless the command reads its input): `docker run --rm IMAGE …`"),
        );
    }
}
