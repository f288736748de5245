//! The command line: subcommands, flags, config errors and exit statuses.

mod common;

use common::scratch;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn deploylint(args: &[&str], cwd: Option<&Path>) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deploylint"));
    c.args(args).env("NO_COLOR", "1");
    if let Some(d) = cwd {
        c.current_dir(d);
    }
    c.output().expect("the binary runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, text).expect("write");
}

fn codes(o: &Output) -> Vec<String> {
    stdout(o)
        .lines()
        .filter_map(|l| l.split('[').nth(1).and_then(|r| r.split(']').next()).map(str::to_string))
        .collect()
}

#[test]
fn exit_statuses() {
    let incident = root().join("fixtures/vrc-shift");
    let fixed = root().join("fixtures/vrc-shift-fixed");
    assert_eq!(deploylint(&[incident.to_str().unwrap_or("")], None).status.code(), Some(1));
    assert_eq!(deploylint(&["check", fixed.to_str().unwrap_or("")], None).status.code(), Some(0));
    let missing = deploylint(&["/nonexistent/deploylint-test"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(stderr(&missing).lines().count(), 1, "{}", stderr(&missing));
    assert_eq!(deploylint(&["--format", "nope", "."], None).status.code(), Some(2));
}

#[test]
fn fail_on_draws_the_line() {
    let mixed = root().join("fixtures/rules/DPL202/fires");
    let p = mixed.to_str().unwrap_or("");
    assert_eq!(deploylint(&[p], None).status.code(), Some(1));
    assert_eq!(deploylint(&[p, "--fail-on", "error"], None).status.code(), Some(0));
    assert_eq!(deploylint(&[p, "--fail-on", "never"], None).status.code(), Some(0));
    let skipped = root().join("fixtures/rules/DPL003/fires");
    let s = skipped.to_str().unwrap_or("");
    assert_eq!(deploylint(&[s], None).status.code(), Some(0));
    assert_eq!(deploylint(&[s, "--fail-on", "info"], None).status.code(), Some(1));
    assert_eq!(deploylint(&[p, "--fail-on", "sometimes"], None).status.code(), Some(2));
}

#[test]
fn select_and_ignore_take_codes_names_and_prefixes() {
    let incident = root().join("fixtures/vrc-shift");
    let p = incident.to_str().unwrap_or("");
    let only_images = deploylint(&[p, "--format", "concise", "--select", "DPL1"], None);
    let c = codes(&only_images);
    assert!(!c.is_empty() && c.iter().all(|c| c.starts_with("DPL1")), "{c:?}");
    let named = deploylint(&[p, "--format", "concise", "--select", "cron-task-missing,DPL501"], None);
    let mut c = codes(&named);
    c.dedup();
    assert_eq!(c, ["DPL401", "DPL501"]);
    let ignored = deploylint(&[p, "--format", "concise", "--ignore", "env-key-missing"], None);
    assert!(!codes(&ignored).contains(&"DPL301".to_string()));
    let unknown = deploylint(&[p, "--select", "DPL9"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("unknown rule selector"));
}

#[test]
fn compose_flavor_flag_overrides_the_config() {
    let incident = root().join("fixtures/vrc-shift");
    let o = deploylint(
        &[incident.to_str().unwrap_or(""), "--format", "concise", "--compose-flavor", "v2", "--select", "DPL201"],
        None,
    );
    // With a v2 server, every `docker-compose` call is the mismatch.
    let lines = stdout(&o);
    assert!(lines.lines().count() == 2 && lines.lines().all(|l| l.contains("`docker-compose` is used")), "{lines}");
}

#[test]
fn explain_prints_the_doc_by_code_or_name() {
    let by_code = deploylint(&["explain", "DPL101"], None);
    let by_name = deploylint(&["explain", "binary-not-built"], None);
    assert_eq!(by_code.status.code(), Some(0));
    assert_eq!(stdout(&by_code), stdout(&by_name));
    let doc = std::fs::read_to_string(root().join("rules/DPL101-binary-not-built.md")).unwrap_or_default();
    assert_eq!(stdout(&by_code), doc);
    let unknown = deploylint(&["explain", "binary-not-buit"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("did you mean `binary-not-built`"), "{}", stderr(&unknown));
}

#[test]
fn rules_lists_every_rule() {
    let o = deploylint(&["rules", "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let list = v.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), deploylint::checks::RULES.len());
    assert_eq!(list[0]["code"], "DPL001");
    let human = stdout(&deploylint(&["rules"], None));
    assert!(human.contains("DPL101  binary-not-built"));
}

#[test]
fn a_subcommand_name_wins_over_a_folder_but_a_path_does_not() {
    let dir = scratch("subcommand-vs-folder");
    write(&dir.join("rules/deploy.sh"), "docker-compose up -d\ndocker compose ps\n");
    let sub = deploylint(&["rules"], Some(&dir));
    assert_eq!(sub.status.code(), Some(0));
    assert!(stdout(&sub).contains("DPL001"));
    let folder = deploylint(&["./rules", "--format", "concise"], Some(&dir));
    assert_eq!(folder.status.code(), Some(1));
    assert!(stdout(&folder).contains("[DPL202]"), "{}", stdout(&folder));
}

#[test]
fn config_errors_point_at_the_key() {
    let dir = scratch("bad-config");
    write(&dir.join("deploylint.toml"), "[server]\ncompose = \"v1\"\ncompse-version = \"1.29.2\"\n");
    let o = deploylint(&[dir.to_str().unwrap_or("")], None);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("deploylint.toml:3:1: unknown key `compse-version`"), "{err}");
    assert!(err.contains("did you mean `compose-version`"), "{err}");
    write(&dir.join("deploylint.toml"), "[server]\ncompose = \"podman\"\n");
    let o = deploylint(&[dir.to_str().unwrap_or("")], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("deploylint.toml:2:11"), "{}", stderr(&o));
    let explicit = deploylint(&[dir.to_str().unwrap_or(""), "--config", "/nonexistent/d.toml"], None);
    assert_eq!(explicit.status.code(), Some(2));
}

/// A selector typo in the config is the same run error as on the command line, at its place;
/// a config that is there but cannot be read is a run error, never a run with the defaults.
#[test]
fn config_selectors_and_unreadable_configs_stop_the_run() {
    let dir = scratch("config-selector");
    write(&dir.join("deploy.sh"), "docker-compose pull\ndocker compose up -d\n");
    write(&dir.join("deploylint.toml"), "[lint]\nselect = [\"DPL2\", \"compose-flavour-mixed\"]\n");
    let o = deploylint(&[dir.to_str().unwrap_or("")], None);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    let err = stderr(&o);
    assert!(err.contains("deploylint.toml:2:19: unknown rule selector `compose-flavour-mixed`"), "{err}");
    assert!(err.contains("did you mean `compose-flavor-mixed`"), "{err}");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--select", "DPL2", "--ignore", "typo"], None);
    assert_eq!(o.status.code(), Some(2));
    write(&dir.join("deploylint.toml"), "[lint]\nselect = [\"DPL2\"]\n");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--format", "concise"], None);
    assert_eq!(codes(&o), ["DPL202"]);
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--ignore", "typo"], None);
    assert!(stderr(&o).contains("unknown rule selector `typo` in `--ignore`"), "{}", stderr(&o));
    std::fs::write(dir.join("deploylint.toml"), b"[lint]\nselect = [\"\xff\"]\n").expect("write");
    let o = deploylint(&[dir.to_str().unwrap_or("")], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot read config"), "{}", stderr(&o));
}

#[test]
fn dotted_config_name_is_read_too() {
    let dir = scratch("dotted-config");
    write(&dir.join(".deploylint.toml"), "[server]\ncompose = \"v2\"\n");
    write(&dir.join("deploy.sh"), "docker-compose up -d\n");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--format", "concise"], None);
    assert!(stdout(&o).contains("[DPL201]"), "{}", stdout(&o));
}

#[test]
fn json_output_follows_the_schema() {
    let incident = root().join("fixtures/vrc-shift");
    let o = deploylint(&[incident.to_str().unwrap_or(""), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(v["version"], 1);
    let f = &v["findings"][0];
    for key in
        ["code", "name", "severity", "message", "path", "line", "column", "end_line", "end_column", "help", "related"]
    {
        assert!(f.get(key).is_some(), "missing `{key}`");
    }
    assert_eq!(v["summary"]["error"], 5);
    assert_eq!(v["summary"]["warning"], 6);
    let dpl101 =
        v["findings"].as_array().and_then(|a| a.iter().find(|f| f["code"] == "DPL101")).cloned().unwrap_or_default();
    assert_eq!(dpl101["related"][0]["path"], "backend/Dockerfile");
}

#[test]
fn broken_artifacts_are_findings_and_the_rest_goes_on() {
    let dir = scratch("broken-and-more");
    write(&dir.join("Dockerfile"), "FROM alpine\nRUNN x\n");
    write(&dir.join("deploylint.toml"), "[server]\ncompose = \"v1\"\n");
    write(&dir.join("deploy.sh"), "docker compose up -d\n");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--format", "concise"], None);
    assert_eq!(o.status.code(), Some(1));
    let c = codes(&o);
    assert!(c.contains(&"DPL001".to_string()) && c.contains(&"DPL201".to_string()), "{c:?}");
}

#[test]
fn gitignored_env_files_are_read_and_other_ignored_files_are_not() {
    let dir = scratch("gitignore");
    write(&dir.join(".gitignore"), ".env.prod\nbuild/\n*.generated.sh\n");
    write(&dir.join(".env.prod"), "BROKEN LINE\n");
    write(&dir.join("build/deploy.sh"), "docker compose up\ndocker-compose up\n");
    write(&dir.join("x.generated.sh"), "docker compose up\ndocker-compose up\n");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--format", "concise"], None);
    assert_eq!(codes(&o), ["DPL001"], "{}", stdout(&o));
    assert!(stdout(&o).starts_with(".env.prod:1:1"));
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_not_followed() {
    let outside = scratch("symlink-outside");
    write(&outside.join("crontab"), "0 0 * * 8 /bin/true\n");
    let dir = scratch("symlink-root");
    std::os::unix::fs::symlink(outside.join("crontab"), dir.join("crontab")).expect("symlink");
    std::os::unix::fs::symlink(dir.join("loop.sh"), dir.join("loop.sh")).expect("loop");
    let o = deploylint(&[dir.to_str().unwrap_or(""), "--format", "concise"], None);
    let out = stdout(&o);
    assert!(out.contains("crontab:1:1: info[DPL003]") && out.contains("leaves the root"), "{out}");
    assert!(!out.contains("DPL403"), "{out}");
    assert!(out.contains("loop.sh:1:1: info[DPL003]"), "{out}");
}

#[test]
fn model_json_shows_what_each_image_ships_and_why_a_stage_is_opaque() {
    let incident = root().join("fixtures/vrc-shift");
    let o = deploylint(&["model", incident.to_str().unwrap_or(""), "--format", "json"], None);
    assert_eq!(o.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let backend =
        v["shipped"].as_array().and_then(|a| a.iter().find(|i| i["dockerfile"] == "backend/Dockerfile")).cloned();
    let files = backend.map(|b| b["shipped"][0]["files"].clone()).unwrap_or_default();
    let paths: Vec<&str> =
        files.as_array().map(|f| f.iter().filter_map(|x| x["path"].as_str()).collect()).unwrap_or_default();
    assert!(paths.contains(&"/app/server") && !paths.contains(&"/app/batch"), "{paths:?}");
    let opaque = root().join("fixtures/layouts/opaque");
    let o = deploylint(&["model", opaque.to_str().unwrap_or("")], None);
    let text = stdout(&o);
    assert!(text.contains("RUN `./scripts/build.sh` has effects deploylint cannot follow"), "{text}");
}

#[test]
fn model_json_lists_the_programs_each_service_runs() {
    let django = root().join("fixtures/code/django-fires");
    let o = deploylint(&["model", django.to_str().unwrap_or(""), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let web = v["services"].as_array().and_then(|a| a.iter().find(|s| s["name"] == "web")).cloned();
    let program = web.map(|w| w["programs"][0].clone()).unwrap_or_default();
    assert_eq!(program["language"], "Python", "{program}");
    assert_eq!(program["source"], "shop/wsgi.py", "{program}");
    let keys: Vec<&str> =
        program["required_env"].as_array().map(|a| a.iter().filter_map(|k| k.as_str()).collect()).unwrap_or_default();
    assert!(keys.contains(&"SECRET_KEY") && keys.contains(&"PAYMENT_API_KEY"), "{keys:?}");
    let incident = root().join("fixtures/vrc-shift");
    let o = deploylint(&["model", incident.to_str().unwrap_or(""), "--format", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let langs: Vec<String> = v["services"]
        .as_array()
        .map(|a| {
            a.iter()
                .flat_map(|s| s["programs"].as_array().cloned().unwrap_or_default())
                .map(|p| p["language"].to_string())
                .collect()
        })
        .unwrap_or_default();
    assert!(!langs.is_empty() && langs.iter().all(|l| l == "\"Go\""), "{langs:?}");
}

#[test]
fn an_invalid_exclude_glob_is_a_run_error() {
    let fixed = root().join("fixtures/vrc-shift-fixed");
    let o = deploylint(&[fixed.to_str().unwrap_or(""), "--exclude", "a/[b"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("invalid exclude glob `a/[b`"), "{}", stderr(&o));
    let o = deploylint(&[fixed.to_str().unwrap_or(""), "--exclude", "docs/**", "--format", "concise"], None);
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn habits_quiet_statistics_output_file_and_case() {
    let incident = root().join("fixtures/vrc-shift");
    let path = incident.to_str().unwrap_or("");
    let stats = deploylint(&[path, "--statistics"], None);
    assert_eq!(stats.status.code(), Some(1));
    let text = stdout(&stats);
    assert!(text.lines().next().is_some_and(|l| l.trim_start().starts_with("3  DPL")), "{text}");
    assert!(text.contains("DPL101  binary-not-built") && text.ends_with("found 5 errors, 6 warnings\n"), "{text}");
    let quiet = stdout(&deploylint(&[path, "--quiet"], None));
    assert!(!quiet.contains("found ") && quiet.contains("DPL101"), "{quiet}");

    let out = scratch("output-file").join("findings.txt");
    let written = deploylint(&[path, "--format", "concise", "--output-file", out.to_str().unwrap_or("")], None);
    assert_eq!(written.status.code(), Some(1));
    assert!(stdout(&written).is_empty());
    assert_eq!(std::fs::read_to_string(&out).map(|t| t.lines().count()).unwrap_or(0), 11);

    assert_eq!(deploylint(&[path, "--fail-on", "ERROR", "--format", "concise"], None).status.code(), Some(1));
    let explain = deploylint(&["explain", "binary-not-bulit"], None);
    assert!(
        stderr(&explain).contains("did you mean `binary-not-built`") && stderr(&explain).contains("deploylint rules")
    );
    // The rules table: every column starts at the same place on every line.
    let rules = stdout(&deploylint(&["rules"], None));
    for line in rules.lines() {
        let severity = line.get(37..45).unwrap_or("").trim_end();
        assert!(["error", "warning", "info"].contains(&severity), "{line}");
        assert!(line.get(45..46) == Some(" ") && line.get(46..47).is_some_and(|c| c != " "), "{line}");
    }
}

/// The preflight on the server: the real `.env.prod`, given with `--env-file`, is read in place
/// of the template. The Stripe keys added by hand satisfy the code (no DPL301) but are not in
/// the template (DPL305); an empty required key (DPL302) and a placeholder left in (DPL307) are
/// what only the real file shows.
#[test]
fn the_server_preflight_checks_the_real_env_file() {
    let incident = root().join("fixtures/vrc-shift");
    let server = scratch("preflight-server");
    let given = server.join(".env.prod");
    write(
        &given,
        "POSTGRES_USER=vrcshift\nPOSTGRES_PASSWORD=pw\nPOSTGRES_DB=vrcshift\nDATABASE_URL=postgres://db/vrcshift\n\
         JWT_SECRET=\nFRONTEND_URL=https://vrc-shift.example.com\nSTRIPE_SECRET_KEY=sk_live_...\n\
         STRIPE_WEBHOOK_SECRET=set\nSTRIPE_PRICE_ID=price\n",
    );
    let o = deploylint(
        &[incident.to_str().unwrap_or(""), "--format", "concise", "--env-file", given.to_str().unwrap_or("")],
        None,
    );
    let shown = given.to_str().unwrap_or("");
    let in_given: Vec<String> = stdout(&o)
        .lines()
        .filter(|l| l.starts_with(shown))
        .filter_map(|l| l.split('[').nth(1).and_then(|r| r.split(']').next()).map(str::to_string))
        .collect();
    assert_eq!(in_given, ["DPL302", "DPL305", "DPL307", "DPL305", "DPL305"], "{}", stdout(&o));
    assert!(!codes(&o).contains(&"DPL301".to_string()), "{}", stdout(&o));
    assert!(stdout(&o).contains("in production env file `") && stdout(&o).contains("` (given)"), "{}", stdout(&o));
}
