//! The `gitlab` format: a GitLab Code Quality report (a JSON array of issues). Fingerprints are
//! stable across runs and line moves (see [`super::ci::fingerprints`]).

use super::ci;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Sources;
use serde_json::json;

pub fn render(sources: &Sources, diags: &[Diagnostic]) -> String {
    let fingerprints = ci::fingerprints(sources, diags);
    let issues: Vec<serde_json::Value> = diags
        .iter()
        .zip(fingerprints)
        .map(|(d, fingerprint)| {
            let p = ci::place(sources, &d.primary);
            let severity = match d.severity {
                Severity::Error => "critical",
                Severity::Warning => "major",
                Severity::Info => "info",
            };
            json!({
                "type": "issue",
                "check_name": d.code,
                "description": format!("{} {}", d.code, ci::long_message(sources, d)),
                "categories": ["Bug Risk"],
                "severity": severity,
                "fingerprint": fingerprint,
                "location": {"path": p.path, "lines": {"begin": p.start.0, "end": p.end.0}},
            })
        })
        .collect();
    let mut s = serde_json::to_string_pretty(&issues).unwrap_or_default();
    s.push('\n');
    s
}
