//! Baselines: adopt deploylint on a repository with old findings. `--write-baseline FILE` records
//! the fingerprints of today's findings; `--baseline FILE` hides those and fails only on new ones.
//! A fingerprint names the rule, the file, the finding's message and its other places' files and
//! messages, and the whitespace-normalised text of the finding's line (never for an env file):
//! no line number, so a finding moved by an unrelated edit stays baselined.

use crate::diagnostic::Diagnostic;
use crate::source::Sources;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

#[derive(Serialize, Deserialize)]
struct Entry {
    code: String,
    path: String,
    fingerprint: String,
}

#[derive(Serialize, Deserialize)]
struct File {
    version: u32,
    findings: Vec<Entry>,
}

/// The baseline file for a run's findings.
pub fn write(sources: &Sources, diags: &[Diagnostic]) -> String {
    let prints = crate::render::fingerprints(sources, diags);
    let mut findings: Vec<Entry> = diags
        .iter()
        .zip(prints)
        .map(|(d, fingerprint)| Entry {
            code: d.code.to_string(),
            path: sources.path(d.primary.span.file).to_string(),
            fingerprint,
        })
        .collect();
    findings.sort_by(|a, b| (&a.path, &a.code, &a.fingerprint).cmp(&(&b.path, &b.code, &b.fingerprint)));
    let mut s = serde_json::to_string_pretty(&File { version: 1, findings }).unwrap_or_default();
    s.push('\n');
    s
}

/// Reads a baseline file's fingerprints.
pub fn read(text: &str) -> Result<BTreeSet<String>, String> {
    let f: File = serde_json::from_str(text).map_err(|e| format!("not a deploylint baseline: {e}"))?;
    if f.version != 1 {
        return Err(format!("baseline version {} is not supported (1 is)", f.version));
    }
    Ok(f.findings.into_iter().map(|e| e.fingerprint).collect())
}

/// Drops the findings whose fingerprint the baseline holds; returns how many.
pub fn apply(sources: &Sources, diags: &mut Vec<Diagnostic>, known: &BTreeSet<String>) -> usize {
    let prints = crate::render::fingerprints(sources, diags);
    let before = diags.len();
    let mut keep = prints.iter().map(|p| !known.contains(p));
    diags.retain(|_| keep.next().unwrap_or(true));
    before - diags.len()
}
