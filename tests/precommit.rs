//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run by the real `pre-commit` client.
//!
//! A throwaway git repository is made from `fixtures/vrc-shift` (and from its fixed twin), with a
//! `.pre-commit-config.yaml` that points at a snapshot of this repository's working tree (a local
//! `repo:` path, pinned at the snapshot's commit). The `deploylint` hook builds from source
//! (`language: rust`) and must fail on the incident and pass on the fix; `deploylint-system` runs
//! the binary under test from `PATH`.
//!
//! `pre-commit` comes from PyPI (`.ci/run` installs it). Without it the test says so and passes,
//! unless `DEPLOYLINT_REQUIRE_PRE_COMMIT` is set, as CI sets it.

mod common;

use common::{copy_tree, scratch};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("command starts")
}

fn git(dir: &Path, args: &[&str]) -> Output {
    let out = run(Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.email=test@example.com", "-c", "user.name=test"])
        .args(["-c", "commit.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args));
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// This repository as its working tree stands (tracked and untracked, not ignored files), committed
/// into a fresh git repository: pre-commit clones hook repositories at a commit.
fn hook_repo(dir: &Path) -> String {
    let files = git(&root(), &["ls-files", "-co", "--exclude-standard", "-z"]);
    for name in files.stdout.split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let rel = Path::new(std::str::from_utf8(name).expect("utf-8 path"));
        let src = root().join(rel);
        if !src.is_file() {
            continue;
        }
        let dst = dir.join(rel);
        std::fs::create_dir_all(dst.parent().expect("parent")).expect("mkdir");
        std::fs::copy(&src, &dst).expect("copy");
    }
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "snapshot"]);
    let head = git(dir, &["rev-parse", "HEAD"]);
    String::from_utf8_lossy(&head.stdout).trim().to_string()
}

fn project(dir: &Path, fixture: &str, hook_repo: &Path, rev: &str, hook: &str) {
    copy_tree(&root().join("fixtures").join(fixture), dir);
    let config = format!("repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: {hook}\n", hook_repo.display());
    std::fs::write(dir.join(".pre-commit-config.yaml"), config).expect("config");
    git(dir, &["init", "-q"]);
    git(dir, &["add", "-A"]);
    git(dir, &["commit", "-q", "-m", "fixture"]);
}

fn pre_commit(dir: &Path, home: &Path, path_dir: Option<&Path>) -> Output {
    let mut cmd = Command::new("pre-commit");
    cmd.current_dir(dir)
        .args(["run", "--all-files", "--color", "never"])
        .env("PRE_COMMIT_HOME", home)
        // The rust hook runs `cargo install`: build into a kept directory, from the crates that
        // `cargo fetch` already downloaded.
        .env("CARGO_TARGET_DIR", root().join("target").join("pre-commit"))
        .env("CARGO_NET_OFFLINE", "true")
        .env("NO_COLOR", "1");
    if let Some(p) = path_dir {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut dirs = vec![p.to_path_buf()];
        dirs.extend(std::env::split_paths(&path));
        cmd.env("PATH", std::env::join_paths(dirs).expect("PATH"));
    }
    run(&mut cmd)
}

fn available() -> bool {
    let found = Command::new("pre-commit").arg("--version").output().is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("DEPLOYLINT_REQUIRE_PRE_COMMIT").is_none(),
            "pre-commit is required here (DEPLOYLINT_REQUIRE_PRE_COMMIT) but not installed"
        );
        eprintln!("pre-commit is not installed (pip install pre-commit): hook test not run");
    }
    found
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

#[test]
fn hooks_fail_on_the_incident_and_pass_on_the_fix() {
    if !available() {
        return;
    }
    let base = scratch("pre-commit");
    let hooks = base.join("hook-repo");
    std::fs::create_dir_all(&hooks).expect("mkdir");
    let rev = hook_repo(&hooks);
    let home = base.join("home");
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_deploylint")).parent().map(Path::to_path_buf).expect("binary dir");

    for (hook, path_dir) in [("deploylint", None), ("deploylint-system", Some(bin_dir.as_path()))] {
        let incident = base.join(format!("{hook}-incident"));
        project(&incident, "vrc-shift", &hooks, &rev, hook);
        let out = pre_commit(&incident, &home, path_dir);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(1), "{hook} on the incident:\n{said}");
        assert!(said.contains("Failed"), "{hook}: pre-commit reports the hook failed:\n{said}");
        for code in ["DPL101", "DPL201", "DPL301", "DPL401"] {
            assert!(said.contains(code), "{hook}: the incident's {code} is shown:\n{said}");
        }

        let fixed = base.join(format!("{hook}-fixed"));
        project(&fixed, "vrc-shift-fixed", &hooks, &rev, hook);
        let out = pre_commit(&fixed, &home, path_dir);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(0), "{hook} on the fixed twin:\n{said}");
        assert!(said.contains("Passed"), "{hook}: pre-commit reports the hook passed:\n{said}");
    }
}
