//! `deploylint init`: the file it writes is read by `check` without a configuration error on
//! every fixture, hides none of the findings about binaries, is never written over without
//! `--force`, and never holds a value of an env file.

mod common;

use common::{copy_tree, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn deploylint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploylint")).args(args).env("NO_COLOR", "1").output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Every fixture repository: a README with expected findings, or a case of the bad-input corpus.
fn fixtures() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        let readme = std::fs::read_to_string(dir.join("README.md")).unwrap_or_default();
        let bad_input = dir.parent().is_some_and(|p| p.ends_with("fixtures/bad-input"));
        if readme.contains("## Expected findings") || bad_input {
            out.push(dir);
            continue;
        }
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            if e.path().is_dir() {
                stack.push(e.path());
            }
        }
    }
    out.sort();
    out
}

/// A fixture copied to a scratch directory, without a config of its own.
fn copy(fixture: &Path, name: &str) -> PathBuf {
    let dir = scratch(name);
    copy_tree(fixture, &dir);
    for n in ["deploylint.toml", ".deploylint.toml"] {
        let _ = std::fs::remove_file(dir.join(n));
    }
    dir
}

/// `(code, path, line, message)` of the findings of some rules, from `--format json`.
fn findings(dir: &Path, codes: &[&str]) -> (Vec<(String, String, u64, String)>, i32) {
    let out = deploylint(&["check", dir.to_str().unwrap_or(""), "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let mut list: Vec<(String, String, u64, String)> = v["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| codes.contains(&f["code"].as_str().unwrap_or("")))
        .map(|f| {
            let s = |k: &str| f[k].as_str().unwrap_or("").to_string();
            (s("code"), s("path"), f["line"].as_u64().unwrap_or(0), s("message"))
        })
        .collect();
    list.sort();
    (list, out.status.code().unwrap_or(-1))
}

#[test]
fn init_then_check_gives_no_configuration_error_on_any_fixture() {
    let all = fixtures();
    assert!(all.len() >= 30, "fixtures were not found: {}", all.len());
    let mut failures = Vec::new();
    for fixture in &all {
        let name = fixture.strip_prefix(root().join("fixtures")).unwrap_or(fixture).display().to_string();
        let dir = copy(fixture, &format!("init-{}", name.replace('/', "__")));
        // The binaries' findings before: the config init writes must hide none and add none.
        let (before, _) = findings(&dir, &["DPL101", "DPL401"]);
        let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
        let err = text(&out.stderr);
        if out.status.code() != Some(0) || !out.stdout.is_empty() || err.lines().count() != 1 {
            failures.push(format!("{name}: init exited {:?}: {err}", out.status.code()));
            continue;
        }
        let written = dir.join("deploylint.toml");
        if !err.contains(&written.display().to_string()) || !written.is_file() {
            failures.push(format!("{name}: init did not say or write `{}`: {err}", written.display()));
            continue;
        }
        let (after, code) = findings(&dir, &["DPL101", "DPL401"]);
        if code != 0 && code != 1 {
            let check = deploylint(&["check", dir.to_str().unwrap_or("")]);
            failures.push(format!("{name}: check after init exited {code}: {}", text(&check.stderr)));
        }
        if before != after {
            failures.push(format!("{name}: the binaries' findings changed:\n  before {before:?}\n  after  {after:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn init_refuses_to_overwrite_without_force() {
    let fixture = root().join("fixtures/vrc-shift");
    for name in ["deploylint.toml", ".deploylint.toml"] {
        let dir = copy(&fixture, &format!("init-refuses-{name}"));
        let config = dir.join(name);
        std::fs::write(&config, "# mine\n").expect("write");
        let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(&config.display().to_string()) && err.contains("--force"), "{err}");
        assert_eq!(std::fs::read_to_string(&config).ok().as_deref(), Some("# mine\n"));
        assert!(!dir.join("deploylint.toml").exists() || name == "deploylint.toml");

        let out = deploylint(&["init", "--force", dir.to_str().unwrap_or("")]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        // The config that was there is the one replaced: the directory still holds one config.
        let replaced = std::fs::read_to_string(&config).unwrap_or_default();
        assert!(replaced.starts_with("# deploylint.toml, written by `deploylint init`"), "{replaced}");
        let configs: Vec<String> = std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("deploylint"))
            .collect();
        assert_eq!(configs, [name], "a temporary file or a second config was left");
    }
}

#[test]
fn init_of_the_incident_declares_its_flavor_as_a_question_and_keeps_batch_reported() {
    let dir = copy(&root().join("fixtures/vrc-shift"), "init-vrc-shift");
    let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("deploylint.toml")).unwrap_or_default();
    insta::assert_snapshot!("vrc-shift", written);
    // The scripts disagree (`docker compose` once, `docker-compose` twice): the key is a
    // question, and the flavor it offers is the server's, v1.
    assert!(written.lines().any(|l| l.starts_with("# compose = \"v1\"")), "{written}");
    assert!(!written.lines().any(|l| l.starts_with("compose =")), "{written}");
    let cfg = deploylint::config::parse("deploylint.toml", &written).unwrap_or_default();
    assert_eq!(cfg.compose_files, ["docker-compose.prod.yml"]);
    assert_eq!(cfg.env_files, [".env.prod"]);
    // `batch` is the incident's own DPL101: it must be built, not silenced.
    assert!(cfg.binaries_ignore.is_empty(), "{:?}", cfg.binaries_ignore);
    assert!(written.contains("Not listed: `backend/cmd/batch`"), "{written}");
    let (after, code) = findings(&dir, &["DPL101", "DPL202"]);
    assert_eq!(code, 1);
    let codes: Vec<(&str, &str)> = after.iter().map(|(c, p, _, _)| (c.as_str(), p.as_str())).collect();
    assert_eq!(codes, [("DPL101", "backend/cmd/batch/main.go"), ("DPL202", "deploy/deploy.sh")]);
}

#[test]
fn init_lists_binaries_built_outside_docker_with_the_reason() {
    let dir = copy(&root().join("fixtures/layouts/realistic-selective-image"), "init-selective");
    let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("deploylint.toml")).unwrap_or_default();
    let cfg = deploylint::config::parse("deploylint.toml", &written).unwrap_or_default();
    assert_eq!(cfg.binaries_ignore, ["cmd/e2e-runner", "cmd/gen-openapi", "cmd/ledgerctl", "cmd/loadtest"]);
    assert!(
        written.contains(
            "# built by no Dockerfile; built by the Makefile target `openapi` (Makefile:6)\n    \"cmd/gen-openapi\",\n"
        ),
        "{written}"
    );
    assert!(written.contains("built by the release config `.goreleaser.yaml`"), "{written}");
}

#[test]
fn init_never_writes_or_prints_a_value_of_an_env_file() {
    let dir = copy(&root().join("fixtures/vrc-shift"), "init-secrets");
    let planted =
        ["sk_live_Qm7vXc2Lp9Rt4Wz8", "whsec_Hn3Kd8Fs1Vb6Yq2T", "price_Jg5Tr9Mc3Xa7Ue1P", "pw_Zr8Nq2Lk6Hd4Sb9C"];
    std::fs::write(
        dir.join(".env.prod"),
        format!(
            "STRIPE_SECRET_KEY={}\nexport STRIPE_WEBHOOK_SECRET=\"{}\"\nSTRIPE_PRICE_ID={}\n",
            planted[0], planted[1], planted[2]
        ),
    )
    .expect("write");
    let template = std::fs::read_to_string(dir.join(".env.prod.example")).unwrap_or_default();
    std::fs::write(dir.join(".env.prod.example"), format!("{template}ADMIN_PASSWORD={}\n", planted[3])).expect("write");
    let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.join("deploylint.toml")).unwrap_or_default();
    // The real file is listed by name; nothing of its values is anywhere.
    assert!(written.contains("    \".env.prod\",\n") && written.contains("git-ignored"), "{written}");
    let all = format!("{written}{}{}", text(&out.stdout), text(&out.stderr));
    for value in planted {
        for piece in value.as_bytes().windows(6) {
            let piece = String::from_utf8_lossy(piece);
            assert!(!all.contains(piece.as_ref()), "`{piece}` of a planted value was written:\n{all}");
        }
    }
}

#[test]
fn an_odd_one_out_is_offered_commented_out_and_works_when_uncommented() {
    // Without its config, the silent DPL101 fixture's `cmd/seed` is the one sibling no
    // Dockerfile builds: DPL101 reports it, so init offers it without listing it.
    let dir = copy(&root().join("fixtures/rules/DPL101/silent"), "init-offered");
    let (before, _) = findings(&dir, &["DPL101"]);
    assert_eq!(before.len(), 1, "{before:?}");
    let out = deploylint(&["init", dir.to_str().unwrap_or("")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let config = dir.join("deploylint.toml");
    let written = std::fs::read_to_string(&config).unwrap_or_default();
    assert!(written.contains("\n    # \"cmd/seed\",\n"), "{written}");
    assert_eq!(findings(&dir, &["DPL101"]).0, before);
    // A main package with no sibling a Dockerfile ships is named, not listed.
    assert!(written.contains("Not listed: `tools/cmd/gen`: built by no Dockerfile, and no sibling"), "{written}");
    std::fs::write(&config, written.replace("    # \"cmd/seed\",", "    \"cmd/seed\",")).expect("write");
    let (after, code) = findings(&dir, &["DPL101"]);
    assert!(after.is_empty() && code == 0, "{after:?} {code}");
}
