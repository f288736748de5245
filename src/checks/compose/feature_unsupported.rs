use crate::checks::{Reporter, Rule};
use crate::config::Flavor;
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Kind;
use crate::model::features::{self, Feature, Version};

pub static RULE: Rule = Rule {
    code: "DPL203",
    name: "compose-feature-unsupported",
    severity: Severity::Error,
    summary: "a subcommand, option or compose-file key the server's compose does not support",
    doc: include_str!("../../../rules/DPL203-compose-feature-unsupported.md"),
    check,
};

/// `docker-compose` (v1), `docker compose` 2.17.0.
fn server_name(flavor: Flavor, version: Option<Version>) -> String {
    match (flavor, version) {
        (Flavor::V1, None) => "`docker-compose` (v1)".to_string(),
        (Flavor::V2, None) => "`docker compose` (v2)".to_string(),
        (f, Some(v)) => format!("`{}` {v}", f.command()),
    }
}

fn help(f: &Feature, flavor: Flavor) -> String {
    let since = |fl: Flavor| f.since(fl).map(|v| format!("`{}` {v} or later", fl.command()));
    let needs = match (since(flavor), since(other(flavor))) {
        (Some(same), _) => format!("it needs {same}"),
        (None, Some(other)) => format!("only {other} has it"),
        (None, None) => "no compose version has it".to_string(),
    };
    format!("{needs} (source: {}); upgrade the server's compose, or do without it", f.source)
}

fn other(f: Flavor) -> Flavor {
    match f {
        Flavor::V1 => Flavor::V2,
        Flavor::V2 => Flavor::V1,
    }
}

fn check(model: &Model, r: &mut Reporter) {
    let Some((flavor, version)) = model.server_compose() else {
        return;
    };
    let server = server_name(flavor, version);
    for c in &model.commands {
        let Kind::Compose(call) = &c.kind else { continue };
        if call.neutral || !model.acts_on_server(c, call) {
            continue;
        }
        for (f, span) in features::call_features(call) {
            if f.supported(flavor, version) {
                continue;
            }
            let what = match f.kind {
                features::FeatureKind::Command => "command",
                _ => "option",
            };
            r.report(
                Finding::new(
                    format!("the {what} {} is not supported by the server's {server}", f.describe()),
                    Label::new(span, "not supported by the server's compose"),
                )
                .help(help(f, flavor)),
            );
        }
    }
    for file in model.server_compose_files() {
        let Some(keys) = model.compose_keys.get(&file) else { continue };
        for (f, span) in features::file_features(keys) {
            if f.supported(flavor, version) {
                continue;
            }
            r.report(
                Finding::new(
                    format!("{} is not supported by the server's {server}", f.describe()),
                    Label::new(span, "not supported by the server's compose"),
                )
                .help(help(f, flavor)),
            );
        }
    }
}
