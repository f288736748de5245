use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::commands::Kind;

pub static RULE: Rule = Rule {
    code: "DPL501",
    name: "askpass-without-setsid",
    severity: Severity::Warning,
    summary: "`SSH_ASKPASS` is set for ssh/scp that does not run under `setsid`",
    doc: include_str!("../../../rules/DPL501-askpass-without-setsid.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for c in &model.commands {
        let Kind::Remote(tool) = c.kind else { continue };
        let Some(askpass) = c.askpass else { continue };
        if c.setsid {
            continue;
        }
        let Some(word) = c.name() else {
            continue;
        };
        let on_same_command = c.cmd.span.start <= askpass.start && askpass.end <= c.cmd.span.end;
        let mut f = Finding::new(
            format!("`{tool}` runs with `SSH_ASKPASS` but not under `setsid`: with a terminal it ignores the askpass program"),
            Label::new(word.span, format!("`{tool}` keeps the controlling terminal")),
        )
        .help(format!("run it as `setsid {tool} …` (`setsid -w {tool} …` to wait for it and keep its output)"));
        if !on_same_command {
            f = f.related(Label::new(askpass, "`SSH_ASKPASS` set here"));
        }
        r.report(f);
    }
}
