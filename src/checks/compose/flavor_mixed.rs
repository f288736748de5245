use crate::checks::{Reporter, Rule};
use crate::config::Flavor;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Kind;

pub static RULE: Rule = Rule {
    code: "DPL202",
    name: "compose-flavor-mixed",
    severity: Severity::Warning,
    summary: "no server flavor is declared and both compose flavors are used",
    doc: include_str!("../../../rules/DPL202-compose-flavor-mixed.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    if model.config.compose.is_some() {
        return;
    }
    // Only calls that act on the server, as for DPL201: a development script, a test setup or
    // a contributor guide may use the other flavor.
    let calls: Vec<_> = model
        .commands
        .iter()
        .filter_map(|c| if let Kind::Compose(call) = &c.kind { Some((c, call)) } else { None })
        .filter(|(c, call)| !call.neutral && model.acts_on_server(c, call))
        .map(|(_, call)| call)
        .collect();
    let first_of = |f: Flavor| calls.iter().filter(|c| c.flavor == f).min_by_key(|c| (c.tool.file, c.tool.start));
    let (Some(v1), Some(v2)) = (first_of(Flavor::V1), first_of(Flavor::V2)) else {
        return;
    };
    let count = |f: Flavor| calls.iter().filter(|c| c.flavor == f).count();
    // Report on the flavor used less (v2 on a tie), pointing at the other.
    let (minor, major) = if count(Flavor::V1) < count(Flavor::V2) { (v1, v2) } else { (v2, v1) };
    r.report(
        Finding::new(
            format!(
                "both `docker-compose` ({}x) and `docker compose` ({}x) are used and no server flavor is declared",
                count(Flavor::V1),
                count(Flavor::V2)
            ),
            Label::new(minor.tool, format!("`{}` here", minor.flavor.command())),
        )
        .related(Label::new(major.tool, format!("`{}` here", major.flavor.command())))
        .help("declare the server's flavor with `[server] compose = \"v1\"` or `\"v2\"` in `deploylint.toml`, then use that one everywhere"),
    );
}
