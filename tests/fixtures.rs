//! Runs the real binary on every fixture repository and holds it to the findings its README
//! lists (as `- `CODE` `path`` lines under "## Expected findings"), then compares the output
//! with the reviewed snapshots.

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every directory under `fixtures/` whose README has an "Expected findings" section.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        let readme = dir.join("README.md");
        if std::fs::read_to_string(&readme).is_ok_and(|t| t.contains("## Expected findings")) {
            out.push(dir);
            continue;
        }
        if let Ok(entries) = std::fs::read_dir(&dir) {
            for e in entries.flatten() {
                if e.path().is_dir() {
                    stack.push(e.path());
                }
            }
        }
    }
    out.sort();
    out
}

fn expected(dir: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
    let section = text.split("## Expected findings").nth(1).unwrap_or("");
    let mut out: Vec<(String, String)> = section
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("- `")?;
            let (code, rest) = l.split_once("` `")?;
            let path = rest.strip_suffix('`')?;
            Some((code.to_string(), path.to_string()))
        })
        .collect();
    out.sort();
    out
}

fn run(dir: &Path, format: &str) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .arg(dir)
        .args(["--format", format])
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    (String::from_utf8_lossy(&out.stdout).into_owned(), out.status.code().unwrap_or(-1))
}

fn name(dir: &Path) -> String {
    dir.strip_prefix(root().join("fixtures")).unwrap_or(dir).to_string_lossy().replace(['/', '\\'], "__")
}

#[test]
fn every_fixture_produces_exactly_its_listed_findings() {
    let mut failures = Vec::new();
    let all = fixtures();
    assert!(all.len() >= 30, "fixtures were not found: {}", all.len());
    for dir in &all {
        let (json, code) = run(dir, "json");
        let v: serde_json::Value = serde_json::from_str(&json).expect("json output");
        let mut got: Vec<(String, String)> = v["findings"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        (f["code"].as_str().unwrap_or("").to_string(), f["path"].as_str().unwrap_or("").to_string())
                    })
                    .collect()
            })
            .unwrap_or_default();
        got.sort();
        let want = expected(dir);
        if got != want {
            failures.push(format!("{}:\n  expected {want:?}\n  got      {got:?}", name(dir)));
        }
        let fails = v["findings"].as_array().is_some_and(|a| a.iter().any(|f| f["severity"] != "info"));
        let want_code = if fails { 1 } else { 0 };
        if code != want_code {
            failures.push(format!("{}: exit status {code}, expected {want_code}", name(dir)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_has_a_firing_and_a_silent_fixture() {
    for rule in deploylint::checks::RULES {
        let fires = root().join("fixtures/rules").join(rule.code).join("fires");
        let silent = root().join("fixtures/rules").join(rule.code).join("silent");
        assert!(expected(&fires).iter().any(|(c, _)| c == rule.code), "{}: no firing fixture", rule.code);
        assert!(silent.join("README.md").exists(), "{}: no silent fixture", rule.code);
        assert!(!expected(&silent).iter().any(|(c, _)| c == rule.code), "{}: the silent fixture fires", rule.code);
    }
}

#[test]
fn concise_output_matches_the_snapshots() {
    for dir in fixtures() {
        let (text, _) = run(&dir, "concise");
        insta::assert_snapshot!(format!("concise__{}", name(&dir)), text);
    }
}

#[test]
fn human_output_of_the_incident_matches_the_snapshot() {
    let (text, code) = run(&root().join("fixtures/vrc-shift"), "human");
    assert_eq!(code, 1);
    assert!(!text.contains('\u{1b}'), "colour escapes in non-terminal output");
    insta::assert_snapshot!("human__vrc-shift", text);
}

#[test]
fn output_is_byte_identical_across_runs() {
    let dir = root().join("fixtures/vrc-shift");
    let first = run(&dir, "json");
    for _ in 0..3 {
        assert_eq!(run(&dir, "json"), first);
    }
}
