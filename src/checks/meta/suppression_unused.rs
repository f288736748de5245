//! DPL002 is reported by the suppression pass ([`crate::suppress::apply`]), which runs after
//! every other rule: whether a directive covered a finding is known only then.
use crate::checks::{Reporter, Rule};
use crate::diagnostic::Severity;
use crate::model::Model;

pub static RULE: Rule = Rule {
    code: "DPL002",
    name: "suppression-unused",
    severity: Severity::Warning,
    summary: "a suppression comment covers no finding or names no rule",
    doc: include_str!("../../../rules/DPL002-suppression-unused.md"),
    check,
};

fn check(_: &Model, _: &mut Reporter) {}
