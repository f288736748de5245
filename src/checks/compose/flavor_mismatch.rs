use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Edit, Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Kind;

pub static RULE: Rule = Rule {
    code: "DPL201",
    name: "compose-flavor-mismatch",
    severity: Severity::Error,
    summary: "a compose invocation uses the flavor the server does not have",
    doc: include_str!("../../../rules/DPL201-compose-flavor-mismatch.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    let Some(server) = model.config.compose else {
        return;
    };
    for c in &model.commands {
        let Kind::Compose(call) = &c.kind else {
            continue;
        };
        // Only calls that act on the server: a development script may use the other flavor.
        if call.flavor == server || call.neutral || !model.acts_on_server(c, call) {
            continue;
        }
        let hint = match server {
            crate::config::Flavor::V1 => "the standalone v1, which has no `docker compose` plugin",
            crate::config::Flavor::V2 => "the v2 plugin, without the standalone `docker-compose`",
        };
        let mut finding = Finding::new(
            format!("`{}` is used but the server has `{}`", call.flavor.command(), server.command()),
            Label::new(call.tool, format!("`{}` here", call.flavor.command())),
        )
        .help(format!(
            "write `{}` (the server runs {hint}; set by `[server] compose` in `deploylint.toml`)",
            server.command()
        ));
        // Written as is (not through a variable): `--fix` rewrites it in place.
        if call.literal {
            finding = finding.fix(Edit {
                span: call.tool,
                expect: call.flavor.command().to_string(),
                replacement: server.command().to_string(),
            });
        }
        r.report(finding);
    }
}
