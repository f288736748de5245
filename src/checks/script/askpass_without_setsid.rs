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

/// The first OpenSSH release that reads `SSH_ASKPASS_REQUIRE`.
const ASKPASS_REQUIRE: (u32, u32) = (8, 4);

fn check(model: &Model, r: &mut Reporter) {
    let openssh = model.config.openssh_version;
    for c in &model.commands {
        let Kind::Remote(tool) = c.kind else { continue };
        let Some(askpass) = c.askpass else { continue };
        // `SSH_ASKPASS_REQUIRE=force` makes ssh use the askpass program with a terminal too.
        if c.askpass_force.is_some() && openssh.is_some_and(|v| v >= ASKPASS_REQUIRE) {
            continue;
        }
        let Some(word) = c.name() else { continue };
        let on_same_command = c.cmd.span.start <= askpass.start && askpass.end <= c.cmd.span.end;
        let mut f = if !c.setsid {
            let mut help =
                format!("run it as `setsid {tool} …` (`setsid -w {tool} …` to wait for it and keep its output)");
            if c.askpass_force.is_some() {
                help.push_str(&match openssh {
                    Some((major, minor)) => format!(
                        "; `SSH_ASKPASS_REQUIRE=force` needs OpenSSH 8.4 or later, and `[server] openssh-version` says {major}.{minor}"
                    ),
                    None => "; `SSH_ASKPASS_REQUIRE=force` is enough with OpenSSH 8.4 or later: declare the release of the machine that runs it as `openssh-version` under `[server]`".to_string(),
                });
            }
            Finding::new(
                format!("`{tool}` runs with `SSH_ASKPASS` but not under `setsid`: with a terminal it ignores the askpass program"),
                Label::new(word.span, format!("`{tool}` keeps the controlling terminal")),
            )
            .help(help)
        } else if c.cmd.output_used && !c.setsid_waits {
            Finding::new(
                format!("`{tool}` runs under `setsid` without `-w` and its output is read: `setsid` may return before `{tool}` ends, with status 0"),
                Label::new(word.span, format!("the output of `{tool}` is read")),
            )
            .help(format!("run it as `setsid -w {tool} …`: it waits for `{tool}` and returns its status"))
        } else {
            continue;
        };
        if !on_same_command {
            f = f.related(Label::new(askpass, "`SSH_ASKPASS` set here"));
        }
        r.report(f);
    }
}
