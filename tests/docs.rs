//! The rule registry and its docs agree: one doc per rule, one rule per doc, codes unique and
//! sorted, docs shaped alike, the generated rule table current, and messages in style.

use deploylint::checks::RULES;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn codes_are_unique_and_sorted() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), RULES.len());
    for r in RULES {
        assert!(r.code.len() == 6 && r.code.starts_with("DPL"), "{}", r.code);
        assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", r.name);
    }
}

#[test]
fn every_rule_has_one_doc_and_every_doc_a_rule() {
    let mut docs: Vec<String> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("DPL") && n.ends_with(".md"))
        .collect();
    docs.sort();
    let want: Vec<String> = RULES.iter().map(|r| format!("{}-{}.md", r.code, r.name)).collect();
    assert_eq!(docs, want);
    for r in RULES {
        assert!(r.doc.starts_with(&format!("# {} {}\n", r.code, r.name)), "{}: title", r.code);
        for section in ["## What it does", "## Why it matters", "## Example", "## Use instead", "## Options"] {
            assert!(r.doc.contains(section), "{}: no `{section}`", r.code);
        }
        let sev = format!("Default severity: **{}**", r.severity);
        assert!(r.doc.contains(&sev), "{}: the doc does not say `{sev}`", r.code);
    }
}

/// The table in `rules/README.md`; `BLESS=1 cargo test` rewrites it.
fn rule_table() -> String {
    let mut s =
        String::from("# Rules\n\nGenerated from the rule registry (`BLESS=1 cargo test --test docs` rewrites it).\n\n");
    s.push_str("| code | name | default | finding |\n|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!(
            "| [{}]({}-{}.md) | {} | {} | {} |\n",
            r.code, r.code, r.name, r.name, r.severity, r.summary
        ));
    }
    s
}

#[test]
fn the_rule_table_is_current() {
    let path = root().join("rules/README.md");
    let want = rule_table();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &want).expect("write rules/README.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(have, want, "rules/README.md is stale: run `BLESS=1 cargo test --test docs`");
}

#[test]
fn summaries_and_messages_are_in_style() {
    for r in RULES {
        assert!(!r.summary.ends_with('.'), "{}: summary ends with a period", r.code);
        assert!(r.summary.chars().next().is_some_and(|c| c.is_lowercase() || c == '`'), "{}: summary", r.code);
    }
    // Every message the fixtures produce: lowercase start, no trailing period.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .arg(root().join("fixtures/vrc-shift"))
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for f in v["findings"].as_array().cloned().unwrap_or_default() {
        let m = f["message"].as_str().unwrap_or("");
        assert!(m.chars().next().is_some_and(|c| c.is_lowercase() || c == '`'), "message style: {m}");
        assert!(!m.ends_with('.'), "message ends with a period: {m}");
    }
}
