//! deploylint's interpolation verdicts (DPL206, DPL207) against the real docker-compose 1.29.2
//! (`docker-compose -f FILE --env-file ENV config`, which interpolates without a daemon), on
//! every compose fixture that interpolates. The test passes with a note when docker-compose is
//! not installed, unless DEPLOYLINT_REQUIRE_DOCKER_COMPOSE is set (CI sets it where it could
//! install the Debian package).

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fixture roots that hold a compose file with a `$`.
fn interpolating_fixtures() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut out = BTreeSet::new();
    for kind in ["rules/DPL206", "rules/DPL207"] {
        for case in ["fires", "silent"] {
            out.insert(root.join(kind).join(case));
        }
    }
    out.into_iter().filter(|p| p.is_dir()).collect()
}

/// What docker-compose says about one compose file and env file: whether it refuses, and the
/// variables it defaults to a blank.
fn compose_verdict(dir: &Path, compose: &str, env_file: &str, shell: &[String]) -> (bool, BTreeSet<String>) {
    let mut cmd = Command::new("docker-compose");
    cmd.current_dir(dir).env_clear().env("PATH", std::env::var_os("PATH").unwrap_or_default());
    for name in shell {
        cmd.env(name, "/srv/from-the-shell");
    }
    let out = cmd.args(["-f", compose, "--env-file", env_file, "config", "-q"]).output().expect("docker-compose runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refuses = !out.status.success();
    assert!(!refuses || stderr.contains("Missing mandatory value"), "unexpected failure: {stderr}");
    let blanks = stderr
        .lines()
        .filter_map(|l| l.split("The ").nth(1)?.split(" variable is not set").next().map(str::to_string))
        .collect();
    (refuses, blanks)
}

#[test]
fn interpolation_verdicts_agree_with_docker_compose_1_29() {
    if common::docker_compose().is_none() {
        return;
    }
    let mut compared = 0;
    for fixture in interpolating_fixtures() {
        let name = fixture.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(&fixture).display().to_string();
        let dir = common::scratch(&format!("compose-oracle-{}", name.replace('/', "-")));
        common::copy_tree(&fixture, &dir);
        let cfg = deploylint::load_config(&dir, None).expect("config");
        let (model, diags) = deploylint::lint(&dir, cfg).expect("lint");
        for cf in &model.compose_files {
            for f in &cf.env_files {
                let Some(src) = f.source.and_then(|s| model.env_sources.get(s)) else { continue };
                // The template stands in for the absent file: give compose the same keys, its
                // empty values filled in as the operator does on the server.
                if src.path != f.path {
                    let text = std::fs::read_to_string(dir.join(&src.path)).expect("template");
                    let filled: String = text
                        .lines()
                        .map(|l| {
                            if l.ends_with('=') && !l.starts_with('#') {
                                format!("{l}filled\n")
                            } else {
                                format!("{l}\n")
                            }
                        })
                        .collect();
                    std::fs::write(dir.join(&f.path), filled).expect("write env file");
                }
                let mut names: Vec<String> = cf.interpolations.iter().map(|i| i.name.clone()).collect();
                names.sort();
                names.dedup();
                let shell: Vec<String> = names.into_iter().filter(|n| model.shell_may_set(n)).collect();
                let (refuses, blanks) = compose_verdict(&dir, &cf.path, &f.path, &shell);
                let (sources, diags) = (&model.sources, &diags);
                let ours = |code: &'static str| {
                    diags.iter().filter(move |d| {
                        d.code == code && sources.path(d.primary.span.file) == cf.path && d.message.contains(&f.path)
                    })
                };
                assert_eq!(ours("DPL207").next().is_some(), refuses, "{name}: `{}` with `{}`", cf.path, f.path);
                let our_blanks: BTreeSet<String> =
                    ours("DPL206").filter_map(|d| d.message.split('`').nth(1).map(str::to_string)).collect();
                // docker-compose stops at the first refusal, before it warns about the rest.
                if !refuses {
                    assert_eq!(our_blanks, blanks, "{name}: `{}` with `{}`", cf.path, f.path);
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 4, "too few compose files compared: {compared}");
}
