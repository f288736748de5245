//! deploylint's compose-feature table (DPL203) against the real docker-compose 1.29.2: every
//! row the table says v1 lacks, as a generated command line or compose file, must be refused
//! by docker-compose, and known v1 command lines must be accepted by both; every compose file
//! of the fixtures must be refused by docker-compose's validation exactly when deploylint
//! finds a key v1 lacks in it. Without a daemon: `config` validates offline, and a command
//! docker-compose accepts goes on to connect to an unreachable `DOCKER_HOST`. The test passes
//! with a note when docker-compose is not installed, unless DEPLOYLINT_REQUIRE_DOCKER_COMPOSE is
//! set (CI sets it where it could install the Debian package).

mod common;

use deploylint::config::Flavor;
use deploylint::model::commands::{Kind, classify};
use deploylint::model::features::{self, FeatureKind};
use deploylint::parse::shell;
use deploylint::source::FileId;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = Command::new("docker-compose")
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("DOCKER_HOST", "tcp://127.0.0.1:1")
        .args(args)
        .output()
        .expect("docker-compose runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// Whether docker-compose accepts a command line: it refuses an unknown command ("No such
/// command") or option (it prints the usage and stops); one it accepts goes on to the daemon.
fn v1_accepts_command(dir: &Path, line: &str) -> bool {
    let args: Vec<&str> = line.split_whitespace().collect();
    let (_, text) = run(dir, &args);
    if text.contains("No such command") {
        return false;
    }
    let reached_daemon = text.contains("Connection refused")
        || text.contains("connect to Docker")
        || text.contains("Error while fetching server API version")
        || text.contains("Traceback");
    assert!(reached_daemon || text.contains("Usage:"), "`docker-compose {line}`: unexpected output: {text}");
    reached_daemon
}

/// deploylint's verdict: whether a v1 server supports every feature of the line.
fn ours_accepts_command(line: &str) -> bool {
    let text = format!("docker-compose {line}");
    let words = shell::parse(FileId(0), &text, 0).into_iter().next().map(|c| c.words).unwrap_or_default();
    let Kind::Compose(call) = classify(&words) else { panic!("not a compose call: {line}") };
    features::call_features(&call).iter().all(|(f, _)| f.supported(Flavor::V1, None))
}

/// The command line that uses a row: a value for options that take one, a service where the
/// subcommand needs one.
fn line_for(feature: &str) -> String {
    let value = |flag: &str| match flag {
        "--pull" => " always",
        "--wait-timeout" => " 30",
        "--progress" => " plain",
        "--parallel" => " 2",
        "--builder" => " default",
        "--index" => " 1",
        "--cap-add" => " NET_ADMIN",
        "--scale" => " web=2",
        "--env-file" => " .env",
        "--profile" => " batch",
        _ => "",
    };
    match feature.split_once(' ') {
        Some((sub, flag)) => {
            let service = if sub == "config" { "" } else { " web" };
            format!("{sub} {flag}{}{service}", value(flag))
        }
        None if feature.starts_with('-') => format!("{feature}{} ps", value(feature)),
        None => feature.to_string(),
    }
}

/// Lines docker-compose 1.29.2 knows: both must accept them.
const V1_LINES: &[&str] = &[
    "up -d web",
    "up -d --build --remove-orphans web",
    "up --no-log-prefix --attach-dependencies web",
    "build --pull --progress plain web",
    "run --rm -T web true",
    "exec -T web true",
    "logs --tail 5 -f web",
    "ps -q",
    "pull --include-deps --quiet web",
    "down -v --remove-orphans",
    "restart web",
    "--ansi never ps",
    "--project-directory . ps",
    "-p shop ps",
    "--env-file .env ps",
    "--profile batch ps",
    "--compatibility ps",
    "scale web=2",
];

/// A scratch project of its own per test: the tests run in parallel, and a scratch dir is
/// emptied when it is made.
fn project(name: &str) -> PathBuf {
    let dir = common::scratch(name);
    std::fs::write(dir.join("docker-compose.yml"), "services:\n  web:\n    image: nginx:1.27\n").expect("write");
    std::fs::write(dir.join(".env"), "A=1\n").expect("write");
    dir
}

#[test]
fn command_verdicts_agree_with_docker_compose_1_29() {
    if common::docker_compose().is_none() {
        return;
    }
    let dir = project("compose-features-commands");
    let mut lines: Vec<String> =
        features::table().iter().filter(|f| f.kind != FeatureKind::Key).map(|f| line_for(&f.feature)).collect();
    lines.extend(V1_LINES.iter().map(|l| l.to_string()));
    let mut disagree = Vec::new();
    for line in &lines {
        let (theirs, ours) = (v1_accepts_command(&dir, line), ours_accepts_command(line));
        if theirs != ours {
            disagree.push(format!("`docker-compose {line}`: docker-compose accepts: {theirs}, deploylint: {ours}"));
        }
    }
    eprintln!("compose command lines compared: {}, agreeing: {}", lines.len(), lines.len() - disagree.len());
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    assert!(lines.len() >= 50, "too few lines compared: {}", lines.len());
}

/// What docker-compose 1.29.2 says of a compose file: `Some(true)` valid, `Some(false)`
/// refused for a key it does not know, `None` refused for another reason (an interpolation it
/// refuses, an env file it cannot find, a value of the wrong type), which says nothing of the
/// keys.
fn v1_validates(dir: &Path, file: &str) -> Option<bool> {
    let (ok, text) = run(dir, &["-f", file, "config", "-q"]);
    if ok {
        return Some(true);
    }
    // A key it does not know: at the top level, in a service, in a service's `build` or
    // `depends_on`, or an `env_file` item that is no string.
    let unknown_key = ["does not match any of the regexes", "Unsupported config option", "unsupported option"];
    if unknown_key.iter().any(|s| text.contains(s))
        || (text.contains("env_file contains {") && text.contains("invalid type"))
    {
        return Some(false);
    }
    // Anything else (a blank interpolated port, a service with neither image nor build) is
    // another reason.
    None
}

/// The keys of a compose file deploylint says v1 lacks.
fn ours_refuses(text: &str) -> Vec<String> {
    let Ok(c) = deploylint::parse::compose::parse(FileId(0), text) else { return vec!["(unparsable)".into()] };
    features::file_features(&c.keys)
        .into_iter()
        .filter(|(f, _)| !f.supported(Flavor::V1, None))
        .map(|(f, _)| f.feature.clone())
        .collect()
}

/// A small valid file that uses one key row.
fn file_for(key: &str) -> String {
    let base = "services:\n  web:\n    image: nginx:1.27\n";
    let service_key = |k: &str, body: &str| format!("{base}    {k}:{body}\n");
    match key {
        "name" => format!("name: shop\n{base}"),
        "include" => format!("include:\n  - other.yml\n{base}"),
        "services.*.develop" => service_key("develop", "\n      watch:\n        - action: rebuild\n          path: ."),
        "services.*.env_file.[].path" => service_key("env_file", "\n      - path: .env\n        required: false"),
        "services.*.depends_on.*.restart" | "services.*.depends_on.*.required" => {
            let k = key.rsplit('.').next().unwrap_or_default();
            format!(
                "{base}    depends_on:\n      db:\n        condition: service_started\n        {k}: true\n  db:\n    image: postgres:16\n"
            )
        }
        k if k.starts_with("services.*.build.") => {
            let k = k.rsplit('.').next().unwrap_or_default();
            let v = match k {
                "additional_contexts" => "\n        extra: ./extra",
                "platforms" | "entitlements" => " [\"linux/amd64\"]",
                "dockerfile_inline" => " \"FROM nginx:1.27\"",
                _ => " true",
            };
            format!("{base}    build:\n      context: .\n      {k}:{v}\n")
        }
        "services.*.post_start" | "services.*.pre_stop" => {
            service_key(key.rsplit('.').next().unwrap_or_default(), "\n      - command: [\"true\"]")
        }
        "services.*.annotations" => service_key("annotations", "\n      com.example.a: b"),
        "services.*.attach" => service_key("attach", " false"),
        "services.*.uts" => service_key("uts", " host"),
        "services.*.profiles" => service_key("profiles", " [batch]"),
        other => panic!("no generated file for the key row `{other}`: add one"),
    }
}

#[test]
fn compose_file_verdicts_agree_with_docker_compose_1_29() {
    if common::docker_compose().is_none() {
        return;
    }
    let dir = project("compose-features-files");
    let mut compared = 0;
    let mut skipped = Vec::new();
    let mut disagree = Vec::new();
    let mut check = |dir: &Path, file: &str, text: &str, compared: &mut usize| {
        let ours = ours_refuses(text);
        match v1_validates(dir, file) {
            None => skipped.push(file.to_string()),
            Some(valid) => {
                *compared += 1;
                if valid != ours.is_empty() {
                    disagree.push(format!(
                        "{}: docker-compose valid: {valid}, deploylint finds {ours:?}",
                        dir.join(file).display()
                    ));
                }
            }
        }
    };
    // One generated file per key row.
    for f in features::table().iter().filter(|f| f.kind == FeatureKind::Key) {
        let text = file_for(&f.feature);
        std::fs::write(dir.join("t.yml"), &text).expect("write");
        std::fs::write(dir.join("other.yml"), "services:\n  side:\n    image: nginx:1.27\n").expect("write");
        check(&dir, "t.yml", &text, &mut compared);
    }
    // Every compose file of the fixtures, where it stands.
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    collect_compose_files(&root, &mut files);
    for path in files {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else { continue };
        check(parent, name, &text, &mut compared);
    }
    eprintln!(
        "compose files compared: {compared}, agreeing: {}; not judged (docker-compose stopped earlier for another reason): {}",
        compared - disagree.len(),
        skipped.len()
    );
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    assert!(compared >= 40, "too few compose files compared: {compared}");
}

fn collect_compose_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.path());
    for e in entries {
        let p = e.path();
        if p.is_dir() {
            // The bad-input corpus holds files that are broken on purpose.
            if !p.ends_with("bad-input") {
                collect_compose_files(&p, out);
            }
        } else if p.file_name().and_then(|n| n.to_str()).and_then(deploylint::discover::classify)
            == Some(deploylint::source::Kind::Compose)
        {
            out.push(p);
        }
    }
}
