use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::{ExecTarget, Kind, Origin};
use crate::model::containers::Lookup;

pub static RULE: Rule = Rule {
    code: "DPL404",
    name: "cron-target-unknown",
    severity: Severity::Error,
    summary: "`docker exec` or `compose exec` names a container or service no compose file defines",
    doc: include_str!("../../../rules/DPL404-cron-target-unknown.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for e in &model.execs {
        let Some(c) = model.commands.get(e.command) else { continue };
        // CI steps run on a runner, against containers of their own.
        if c.origin == Origin::Ci {
            continue;
        }
        let (tool, what) = match (&c.kind, &e.exec.target) {
            (Kind::Exec(_), ExecTarget::Container(_)) => ("docker exec".to_string(), "container"),
            (Kind::Compose(call), ExecTarget::Service(_))
                if call.subcommand.as_ref().is_some_and(|s| s.value == "exec") =>
            {
                (format!("{} exec", call.flavor.command()), "service")
            }
            _ => continue,
        };
        let Lookup::Unknown(nearest) = model.lookup_exec_target(&e.exec.target) else { continue };
        let (ExecTarget::Container(name) | ExecTarget::Service(name)) = &e.exec.target;
        r.report(
            Finding::new(
                format!("`{tool} {}`: no compose file defines a {what} `{}`", name.value, name.value),
                Label::new(name.span, format!("no such {what}")),
            )
            .related(Label::new(nearest.at, format!("`{}` is defined here", nearest.name)))
            .help(format!("did you mean `{}`? ({})", nearest.name, nearest.why)),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_help_names_the_container_meant() {
        let compose = "services:\n  web:\n    image: a\n    container_name: app-web\n  queue:\n    image: b\n";
        let script = "#!/bin/sh\ndocker exec app_web_1 /app/web migrate\ndocker exec app-queu-1 /app/q drain\n";
        let diags = super::super::lint_in_memory(&[("docker-compose.yml", compose), ("deploy/setup.sh", script)]);
        let helps: Vec<&str> = diags.iter().filter(|d| d.code == "DPL404").filter_map(|d| d.help.as_deref()).collect();
        assert_eq!(helps.len(), 2, "{diags:?}");
        assert!(helps.iter().any(|h| h.starts_with("did you mean `app-web`?")), "{helps:?}");
        assert!(helps.iter().any(|h| h.starts_with("did you mean `app-queue-1`?")), "{helps:?}");
    }
}
