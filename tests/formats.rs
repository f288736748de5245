//! The CI formats (`sarif`, `github`, `gitlab`, `rdjson`, `junit`): a reviewed snapshot of each on
//! the incident fixture, their structure, fingerprints that survive line moves, and SARIF
//! validated by Microsoft's SARIF Multitool.
//!
//! The validator comes from npm (`@microsoft/sarif-multitool`; `.ci/run` installs it and names it
//! in `SARIF_MULTITOOL`). Without it the validation test says so and passes, unless
//! `DEPLOYLINT_REQUIRE_SARIF_MULTITOOL` is set, as CI sets it.

mod common;

use common::{copy_tree, scratch};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn incident() -> PathBuf {
    root().join("fixtures/vrc-shift")
}

fn run(dir: &Path, format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .arg(dir)
        .args(["--format", format])
        .env("NO_COLOR", "1")
        .output()
        .expect("the binary runs");
    assert_eq!(out.status.code(), Some(if dir.ends_with("vrc-shift-fixed") { 0 } else { 1 }), "{format}");
    String::from_utf8(out.stdout).expect("utf-8 output")
}

fn json(dir: &Path, format: &str) -> serde_json::Value {
    serde_json::from_str(&run(dir, format)).expect("valid JSON")
}

fn finding_count(dir: &Path) -> usize {
    json(dir, "json")["findings"].as_array().map_or(0, Vec::len)
}

#[test]
fn snapshots_of_every_ci_format() {
    for format in ["sarif", "github", "gitlab", "rdjson", "junit"] {
        insta::assert_snapshot!(format!("format_{format}"), run(&incident(), format));
    }
}

#[test]
fn every_finding_appears_once_with_its_related_places() {
    let n = finding_count(&incident());
    assert!(n >= 10, "the incident has its findings: {n}");
    let json_out = json(&incident(), "json");
    let related: usize = json_out["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| f["related"].as_array().map_or(0, Vec::len))
        .sum();
    assert!(related > 0, "the incident has findings with related places");

    let sarif = json(&incident(), "sarif");
    let results = sarif["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert_eq!(results.len(), n);
    let sarif_related: usize = results.iter().map(|r| r["relatedLocations"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(sarif_related, related);
    let rules = sarif["runs"][0]["tool"]["driver"]["rules"].as_array().cloned().unwrap_or_default();
    for r in &results {
        let index = r["ruleIndex"].as_u64().and_then(|i| usize::try_from(i).ok()).expect("ruleIndex");
        assert_eq!(rules.get(index).map(|x| &x["id"]), Some(&r["ruleId"]));
    }
    for rule in &rules {
        for key in ["shortDescription", "fullDescription"] {
            assert!(rule[key]["text"].as_str().is_some_and(|t| t.len() > 10), "{key} of {rule}");
        }
        assert!(rule["helpUri"].as_str().is_some_and(|u| u.starts_with("https://")), "{rule}");
    }

    let rd = json(&incident(), "rdjson");
    let diags = rd["diagnostics"].as_array().cloned().unwrap_or_default();
    assert_eq!(diags.len(), n);
    let rd_related: usize = diags.iter().map(|d| d["related_locations"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(rd_related, related);

    let gl = json(&incident(), "gitlab");
    assert_eq!(gl.as_array().map_or(0, Vec::len), n);

    let gh = run(&incident(), "github");
    assert_eq!(gh.lines().count(), n, "one workflow command per finding");
    assert!(gh.lines().all(|l| l.starts_with("::error ") || l.starts_with("::warning ") || l.starts_with("::notice ")));
    let gh_related = gh.matches("%0A").count() - gh.matches("%0Ahelp: ").count();
    assert_eq!(gh_related, related, "related places follow the message");

    let junit = run(&incident(), "junit");
    assert_eq!(junit.matches("<testcase ").count(), n);
    assert_eq!(junit.matches("<failure ").count(), n);
    let fixed = run(&root().join("fixtures/vrc-shift-fixed"), "junit");
    assert_eq!(fixed.matches("<testcase ").count(), 1, "a clean run is one passing test case");
    assert_eq!(fixed.matches("<failure ").count(), 0);
}

fn fingerprints(dir: &Path) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = json(dir, "gitlab")
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            (i["check_name"].as_str().unwrap_or("").to_string(), i["fingerprint"].as_str().unwrap_or("").to_string())
        })
        .collect();
    out.sort();
    out
}

#[test]
fn fingerprints_are_unique_and_survive_line_moves() {
    let before = fingerprints(&incident());
    let mut unique: Vec<&String> = before.iter().map(|(_, f)| f).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), before.len(), "one fingerprint per finding");
    assert_eq!(before, fingerprints(&incident()), "stable across runs");

    // Move every finding's line: blank lines at the top of each file that has one.
    let moved = scratch("formats-moved");
    copy_tree(&incident(), &moved);
    for file in ["backend/cmd/batch/main.go", "backend/internal/payment/stripe.go", "deploy/deploy.sh"] {
        let path = moved.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        let shifted = match text.split_once('\n') {
            // Keep a shebang on the first line.
            Some((first, rest)) if first.starts_with("#!") => format!("{first}\n\n\n\n{rest}"),
            _ => format!("\n\n\n{text}"),
        };
        std::fs::write(&path, shifted).expect("write");
    }
    let concise = |d: &Path| run(d, "concise");
    assert_ne!(concise(&incident()), concise(&moved), "the lines did move");
    assert_eq!(before, fingerprints(&moved));
}

fn sarif_multitool() -> Option<PathBuf> {
    let found = std::env::var_os("SARIF_MULTITOOL").map(PathBuf::from).or_else(|| {
        Command::new("sarif-multitool").arg("--version").output().ok().map(|_| PathBuf::from("sarif-multitool"))
    });
    if found.is_none() {
        assert!(
            std::env::var_os("DEPLOYLINT_REQUIRE_SARIF_MULTITOOL").is_none(),
            "the SARIF Multitool is required here but not found (SARIF_MULTITOOL)"
        );
        eprintln!("sarif-multitool not found (npm i @microsoft/sarif-multitool): SARIF not validated");
    }
    found
}

#[test]
fn sarif_passes_the_sarif_multitool_validator() {
    let Some(tool) = sarif_multitool() else { return };
    let dir = scratch("sarif-validate");
    for fixture in ["vrc-shift", "layouts/multi-module", "rules/DPL001/fires"] {
        let sarif = dir.join(format!("{}.sarif", fixture.replace('/', "_")));
        let out = Command::new(env!("CARGO_BIN_EXE_deploylint"))
            .arg(root().join("fixtures").join(fixture))
            .args(["--format", "sarif"])
            .output()
            .expect("the binary runs");
        std::fs::write(&sarif, &out.stdout).expect("write");
        let report = dir.join(format!("{}.out", fixture.replace('/', "_")));
        let v = Command::new(&tool)
            .arg("validate")
            .arg(&sarif)
            .arg("-o")
            .arg(&report)
            .args(["--log", "ForceOverwrite"])
            .output()
            .expect("the validator runs");
        let said = format!("{}{}", String::from_utf8_lossy(&v.stdout), String::from_utf8_lossy(&v.stderr));
        assert!(said.contains("Analysis completed successfully"), "{fixture}: {said}");
        // The validator exits 0 even when it finds problems: read what it printed.
        let problems: Vec<&str> = said
            .lines()
            .filter(|l| l.contains(": error ") || l.contains(": warning ") || l.contains("error ERR"))
            .collect();
        assert!(problems.is_empty(), "{fixture}:\n{}", problems.join("\n"));
    }
}

#[test]
fn a_baseline_hides_old_findings_after_line_moves_and_new_ones_still_fail() {
    let dir = scratch("baseline");
    let repo = dir.join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    copy_tree(&incident(), &repo);
    let baseline = dir.join("deploylint-baseline.json");
    let bin = env!("CARGO_BIN_EXE_deploylint");
    let written = Command::new(bin).arg(&repo).arg("--write-baseline").arg(&baseline).output().expect("runs");
    assert_eq!(written.status.code(), Some(0));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&baseline).expect("baseline written")).expect("json");
    let n = finding_count(&incident());
    assert_eq!(recorded["findings"].as_array().map_or(0, Vec::len), n);

    // Unrelated edits move every finding's line.
    for file in ["backend/cmd/batch/main.go", "backend/internal/payment/stripe.go", "docs/DEPLOY.md"] {
        let path = repo.join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("\n\n{text}")).expect("write");
    }
    let with = |args: &[&str]| {
        Command::new(bin).arg(&repo).arg("--baseline").arg(&baseline).args(args).output().expect("runs")
    };
    let out = with(&["--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["findings"].as_array().map_or(usize::MAX, Vec::len), 0);
    assert_eq!(v["summary"]["baselined"].as_u64(), u64::try_from(n).ok());

    // A new problem is reported, and only it.
    let script = repo.join("deploy/deploy.sh");
    let text = std::fs::read_to_string(&script).expect("read");
    std::fs::write(&script, format!("{text}docker compose -f docker-compose.prod.yml logs backend\n")).expect("write");
    let out = with(&["--format", "concise"]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stdout);
    assert_eq!(said.lines().count(), 1, "{said}");
    assert!(said.contains("DPL201"), "{said}");

    let broken = dir.join("broken.json");
    std::fs::write(&broken, "[]").expect("write");
    let out = Command::new(bin).arg(&repo).arg("--baseline").arg(&broken).output().expect("runs");
    assert_eq!(out.status.code(), Some(2), "a file that is not a baseline is a run error");
}
