use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::parse::ParseError;
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL001",
    name: "parse-error",
    severity: Severity::Error,
    summary: "an artifact its own tool would reject could not be parsed",
    doc: include_str!("../../../rules/DPL001-parse-error.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    // One finding per file, at its first error: the rest of a broken file is often broken the
    // same way, and its count says how much.
    let mut by_file: BTreeMap<_, (&ParseError, usize)> = BTreeMap::new();
    for e in &model.parse_errors {
        let slot = by_file.entry(e.span.file).or_insert((e, 0));
        slot.1 += 1;
        if (e.span.start, e.span.end) < (slot.0.span.start, slot.0.span.end) {
            slot.0 = e;
        }
    }
    for (file, (e, count)) in by_file {
        let path = model.sources.path(file);
        let more = match count {
            1 => String::new(),
            2 => " (and 1 more error in this file)".to_string(),
            n => format!(" (and {} more errors in this file)", n - 1),
        };
        r.report(
            Finding::new(
                format!("`{path}` cannot be parsed: {}{more}", e.message),
                Label::new(e.span, e.message.clone()),
            )
            .help("fix the syntax here; the other checks went on without this file's facts"),
        );
    }
}
