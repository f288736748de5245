use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Kind;

pub static RULE: Rule = Rule {
    code: "DPL204",
    name: "restart-keeps-env",
    severity: Severity::Warning,
    summary: "a container is restarted after env edits: it keeps the env it was created with",
    doc: include_str!("../../../rules/DPL204-restart-keeps-env.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for (i, c) in model.commands.iter().enumerate() {
        let (at, what, how) = match &c.kind {
            Kind::Compose(call) if call.subcommand.as_ref().is_some_and(|s| s.value == "restart") => {
                let Some(sub) = &call.subcommand else {
                    continue;
                };
                let services: Vec<&str> =
                    call.args.iter().map(|w| w.text.as_str()).filter(|t| !t.starts_with('-')).collect();
                let files: String = call.files.iter().map(|f| format!("-f {} ", f.value)).collect();
                let env: String = call.env_files.iter().map(|f| format!("--env-file {} ", f.value)).collect();
                let fix = format!("{} {files}{env}up -d {}", call.flavor.command(), services.join(" "));
                (sub.span, "restart", fix.trim_end().to_string())
            }
            Kind::DockerRestart(name) => (
                name.span,
                "docker restart",
                "docker-compose up -d <service> (or `up -d --force-recreate`)".to_string(),
            ),
            _ => continue,
        };
        // An env file written earlier in the same script or runbook.
        let Some(edit) = model.commands[..i].iter().rev().find(|e| e.file == c.file && e.env_write.is_some()) else {
            continue;
        };
        let file = edit.env_write.clone().unwrap_or_default();
        r.report(
            Finding::new(
                format!("`{what}` after `{file}` was edited: the container keeps the env it was created with"),
                Label::new(at, "restarts the old container"),
            )
            .related(Label::new(edit.cmd.span, format!("`{file}` edited here")))
            .help(format!("recreate the container so it reads the new env: `{how}`")),
        );
    }
}
