//! The `rdjson` format: reviewdog's Diagnostic JSON (`reviewdog -f=rdjson`), with related
//! locations.

use super::ci;
use crate::checks::find_rule;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::Sources;
use serde_json::{Value, json};

fn location(sources: &Sources, label: &Label) -> Value {
    let p = ci::place(sources, label);
    json!({
        "path": p.path,
        "range": {
            "start": {"line": p.start.0, "column": p.start.1},
            "end": {"line": p.end.0, "column": p.end.1},
        },
    })
}

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    let diagnostics: Vec<Value> = diags
        .iter()
        .map(|d| {
            let severity = match d.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "WARNING",
                Severity::Info => "INFO",
            };
            let mut message = d.message.clone();
            if let Some(h) = &d.help {
                message.push_str(&format!("\nhelp: {h}"));
            }
            let mut code = json!({"value": d.code});
            if let (Some(rule), Some(o)) = (find_rule(d.code), code.as_object_mut()) {
                o.insert("url".into(), json!(ci::help_uri(rule)));
            }
            json!({
                "message": message,
                "location": location(sources, &d.primary),
                "severity": severity,
                "code": code,
                "related_locations": d.related.iter().map(|l| json!({
                    "message": l.message,
                    "location": location(sources, l),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let report = json!({
        "source": {"name": "deploylint", "url": ci::REPOSITORY},
        "diagnostics": diagnostics,
    });
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_default();
    s.push('\n');
    s
}
