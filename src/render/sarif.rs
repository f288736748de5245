//! The `sarif` format: SARIF 2.1.0, one run, the rule table with each rule's documentation, and
//! one result per finding with its related locations.

use super::ci;
use crate::checks::RULES;
use crate::diagnostic::{Diagnostic, Label, Severity};
use crate::source::Sources;
use serde_json::{Value, json};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// SARIF messages are sentences.
fn sentence(text: &str) -> String {
    let t = text.trim_end();
    if t.ends_with(['.', '!', '?']) { t.to_string() } else { format!("{t}.") }
}

/// A relative path as a URI reference: every byte outside the unreserved set and `/` is
/// percent-encoded.
fn uri(path: &str) -> String {
    let mut s = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            s.push(char::from(b));
        } else {
            s.push_str(&format!("%{b:02X}"));
        }
    }
    s
}

fn location(sources: &Sources, label: &Label) -> Value {
    let p = ci::place(sources, label);
    json!({
        "physicalLocation": {
            "artifactLocation": {"uri": uri(p.path), "uriBaseId": "SRCROOT"},
            "region": {
                "startLine": p.start.0,
                "startColumn": p.start.1,
                "endLine": p.end.0,
                "endColumn": p.end.1,
            },
        },
    })
}

fn rules() -> Vec<Value> {
    RULES
        .iter()
        .map(|r| {
            let full = ci::doc_section(r.doc, "## What it does").unwrap_or_else(|| r.summary.to_string());
            let why = ci::doc_section(r.doc, "## Why it matters");
            let help = match &why {
                Some(w) => format!("{} {}", sentence(&full), sentence(w)),
                None => sentence(&full),
            };
            json!({
                "id": r.code,
                "name": r.name,
                "shortDescription": {"text": sentence(r.summary)},
                "fullDescription": {"text": sentence(&full)},
                "help": {"text": help, "markdown": r.doc},
                "helpUri": ci::help_uri(r),
                "defaultConfiguration": {"level": level(r.severity)},
            })
        })
        .collect()
}

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    let fingerprints = ci::fingerprints(sources, diags);
    let results: Vec<Value> = diags
        .iter()
        .zip(&fingerprints)
        .map(|(d, fp)| {
            let mut message = sentence(&d.message);
            if let Some(h) = &d.help {
                message.push_str(" Help: ");
                message.push_str(&sentence(h));
            }
            let related: Vec<Value> = d
                .related
                .iter()
                .enumerate()
                .map(|(i, l)| {
                    let mut loc = location(sources, l);
                    if let Some(o) = loc.as_object_mut() {
                        o.insert("id".into(), json!(i + 1));
                        o.insert("message".into(), json!({"text": sentence(&l.message)}));
                    }
                    loc
                })
                .collect();
            let mut primary = location(sources, &d.primary);
            if let Some(o) = primary.as_object_mut()
                && !d.primary.message.trim().is_empty()
            {
                o.insert("message".into(), json!({"text": sentence(&d.primary.message)}));
            }
            let mut result = json!({
                "ruleId": d.code,
                "ruleIndex": RULES.iter().position(|r| r.code == d.code),
                "level": level(d.severity),
                "message": {"text": message},
                "locations": [primary],
                "partialFingerprints": {"deploylint/v1": fp},
            });
            if !related.is_empty()
                && let Some(o) = result.as_object_mut()
            {
                o.insert("relatedLocations".into(), Value::Array(related));
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "deploylint",
                "informationUri": ci::REPOSITORY,
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules(),
            }},
            "originalUriBaseIds": {"SRCROOT": {"description": {"text": "The root of the linted repository."}}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    });
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_default();
    s.push('\n');
    s
}
