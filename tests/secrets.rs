//! No output, in any format, ever shows a secret: a repository is written with fake secrets
//! planted in every place deploylint masks (env file values, malformed env lines, bare tokens,
//! compose `environment:` values, secret-shaped Dockerfile `ENV`/`ARG` values, crontab env lines
//! and command assignments, secret-shaped assignments in scripts), some on the lines findings
//! point at and some only on their context lines. Every format of every subcommand the CLI
//! knows is run, and no 6-byte piece of any planted value may appear in stdout or stderr (nor in
//! the `deploylint.toml` that `init` writes).

use clap::{CommandFactory, ValueEnum};
use deploylint::cli::{Cli, ColorChoice, Format, ModelFormat, RulesFormat};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where a planted value stands: on the line a finding points at, or on a context line only.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Flagged,
    Context,
}

/// A fake secret: its placeholder in the files below, its value, and its role.
struct Planted {
    tag: &'static str,
    value: &'static str,
    role: Role,
}

const PLANTED: &[Planted] = &[
    // Env file: well-formed values, a multi-line value, malformed lines, a bare token, a
    // `TOKEN value=` line, a token ending in `=` padding, a comment, an unterminated quote.
    // The deploy script runs the compose file on the server, so its env files are production's:
    // nothing reads the multi-line `CERT` (DPL303), and `env/colon.env` is committed with a
    // password in it (DPL306).
    Planted { tag: "ENV_VALUE", value: "u8jzPde0IgxLd6Gncf", role: Role::Context },
    Planted { tag: "ENV_QUOTED", value: "BAepfJBd0Kh8oOOL8d", role: Role::Context },
    Planted { tag: "ENV_MULTI_1", value: "KLzdocJ2isAjIhKtJ0", role: Role::Flagged },
    Planted { tag: "ENV_MULTI_2", value: "RlgLKOmxgJTeKdNnFR", role: Role::Context },
    Planted { tag: "ENV_BAD_KEY", value: "IBXuDL7DxtpYlSXpfK", role: Role::Flagged },
    Planted { tag: "ENV_COLON", value: "tHF4vUCsMehGAkWvj7", role: Role::Flagged },
    Planted { tag: "ENV_BROKEN", value: "FAc9QeWJKY40uvSwMF", role: Role::Flagged },
    Planted { tag: "ENV_BARE_TOKEN", value: "ghp_LZDe1f8rESQedUStPK", role: Role::Context },
    Planted { tag: "ENV_SPACED_B64", value: "dG9rZW4tR0Csty4Qwb8DwkNhFd==", role: Role::Flagged },
    Planted { tag: "ENV_PADDED", value: "c2VjcmV0nXsiVpzz63FfkCzJr4", role: Role::Context },
    Planted { tag: "ENV_COMMENT", value: "i0B3JrTAwR4y9ojflj", role: Role::Context },
    Planted { tag: "ENV_UNTERMINATED", value: "oQoaF1LlqsajAIxNKu", role: Role::Flagged },
    // Compose `environment:`: map and list forms next to a finding, and a file YAML rejects.
    Planted { tag: "COMPOSE_MAP", value: "8iS2G8NPRVdD53X83R", role: Role::Context },
    Planted { tag: "COMPOSE_LIST", value: "ZJzzzzgEOzdmenCkhv", role: Role::Context },
    Planted { tag: "COMPOSE_BROKEN", value: "MdgaKjIg8xNbe3nNyj", role: Role::Flagged },
    Planted { tag: "COMPOSE_BROKEN_NEXT", value: "Oq9wMxEhh2FDEEtfjg", role: Role::Context },
    // Dockerfile: secret-shaped `ARG` and `ENV` values (both `ENV` forms).
    Planted { tag: "DOCKER_ARG", value: "VvVqE1SkHbn88HxjSI", role: Role::Context },
    Planted { tag: "DOCKER_ENV", value: "6bWHtP3fS2qHx6kwXo", role: Role::Context },
    Planted { tag: "DOCKER_ENV_LEGACY", value: "IIXGvOoNZYW2mZp0zV", role: Role::Context },
    Planted { tag: "DOCKER_BROKEN_ARG", value: "ZomHFwUbbYrEqmSM9w", role: Role::Context },
    // Crontab: env lines (any name) and assignments before a command.
    Planted { tag: "CRON_MAILTO", value: "CZ7Uw9xfogoEmvnEN5", role: Role::Context },
    Planted { tag: "CRON_ENV", value: "N1aE6PwZPf1Qh6yYTW", role: Role::Context },
    Planted { tag: "CRON_ASSIGN", value: "mE4lBYOvfZ8UzDzV8f", role: Role::Context },
    Planted { tag: "CRON_ASSIGN_FLAGGED", value: "UkkibjL5DZPjN0MEQ7", role: Role::Flagged },
    Planted { tag: "RUNBOOK_CRON_ENV", value: "wjJJibaZUPgHV7iB3m", role: Role::Context },
    Planted { tag: "RUNBOOK_CRON_ASSIGN", value: "03nbqnsGpWLuqIA1id", role: Role::Flagged },
    // Scripts: secret-shaped assignments and a URL password.
    Planted { tag: "SCRIPT_EXPORT", value: "6Vw5DQL05HA064GiIj", role: Role::Context },
    Planted { tag: "SCRIPT_PREFIX", value: "HGb3CXlMaXZjljENUh", role: Role::Flagged },
    Planted { tag: "SCRIPT_URL", value: "JduRHHJEYXg4Jdpmrc", role: Role::Context },
];

/// The repository, `{TAG}` standing for a planted value. Each value's line is a line a finding
/// points at or a line next to one (snippets show one line of context on either side).
const FILES: &[(&str, &str)] = &[
    (".gitignore", ".env.prod\n"),
    // One DPL001 per file (its first error): each broken line opens a file of its own, with
    // planted values on the lines around it.
    (
        ".env.prod",
        "STRIPE_SECRET_KEY={ENV_VALUE}\n\
         BAD KEY={ENV_BAD_KEY}\n\
         export DB_PASSWORD='{ENV_QUOTED}'\n",
    ),
    ("env/colon.env", "# OLD_PASSWORD={ENV_COMMENT}\nTOKEN {ENV_SPACED_B64}\nDB_PASSWORD: {ENV_COLON}\n"),
    ("env/bare.env", "{ENV_BARE_TOKEN}\nBROKEN LINE {ENV_BROKEN}\n{ENV_PADDED}=\n"),
    ("env/multi-first.env", "BAD NAME=x\nCERT=\"{ENV_MULTI_1}\nend\"\n"),
    ("env/multi-second.env", "CERT=\"begin\n{ENV_MULTI_2}\"\nBAD NAME=y\n"),
    ("env/unterminated.env", "TRAILING=\"{ENV_UNTERMINATED}\n"),
    ("go.mod", "module example.com/app\n\ngo 1.22\n"),
    (
        "cmd/server/main.go",
        "package main\n\nimport \"os\"\n\nfunc main() {\n\tprintln(os.Getenv(\"STRIPE_SECRET_KEY\"), os.Getenv(\"MISSING_KEY\"))\n}\n",
    ),
    ("cmd/worker/main.go", "package main\n\nfunc main() {}\n"),
    (
        "Dockerfile",
        "FROM golang:1.22 AS build\n\
         WORKDIR /src\n\
         COPY . .\n\
         RUN go build -o /out/server ./cmd/server\n\
         ENV DB_PASSWORD={DOCKER_ENV} MODE=prod\n\
         RUN go build -o /out/worker ./cmd/worker\n\
         ENV SECRET_KEY {DOCKER_ENV_LEGACY}\n\
         FROM alpine\n\
         ARG API_TOKEN={DOCKER_ARG}\n\
         COPY --from=build /out/server /app/server\n\
         CMD [\"/app/server\"]\n",
    ),
    (
        "docker-compose.yml",
        "services:\n  app:\n    build: .\n    environment:\n      LOG_FORMAT: {COMPOSE_MAP}\n    env_file: [.env.prod, env/colon.env, env/bare.env, env/multi-first.env, env/multi-second.env, env/unterminated.env]\n\
         \x20 worker:\n    build: .\n    environment:\n      - WORKER_MODE={COMPOSE_LIST}\n    env_file: .env.prod\n",
    ),
    (
        "broken/docker-compose.yml",
        "services:\n  broken:\n    image: busybox\n    environment:\n      PLAIN_SETTING: {COMPOSE_BROKEN}: oops\n      OTHER: {COMPOSE_BROKEN_NEXT}\n",
    ),
    ("broken/Dockerfile", "FROM alpine\nARG SIGNING_KEY={DOCKER_BROKEN_ARG}\nCOPYY . .\n"),
    (
        "deploy/crontab",
        "MAILTO={CRON_MAILTO}\n\
         61 3 * * * DB_PASSWORD={CRON_ASSIGN_FLAGGED} /app/backup\n\
         0 2 * * * PGPASSWORD={CRON_ASSIGN} pg_dump app\n\
         PGPASSWORD={CRON_ENV}\n\
         0 25 * * * /app/noop\n",
    ),
    (
        "docs/RUNBOOK.md",
        "# Runbook\n\n```crontab\nREPORT_HOST={RUNBOOK_CRON_ENV}\n99 * * * * REPORT_SECRET={RUNBOOK_CRON_ASSIGN} /app/report\n```\n",
    ),
    (
        "deploy.sh",
        "#!/bin/sh\n\
         export API_TOKEN={SCRIPT_EXPORT}\n\
         API_TOKEN={SCRIPT_PREFIX} docker compose up -d\n\
         curl https://deploy:{SCRIPT_URL}@example.com/hook\n\
         docker-compose ps\n",
    ),
];

fn expand(template: &str) -> String {
    PLANTED.iter().fold(template.to_string(), |t, p| t.replace(&format!("{{{}}}", p.tag), p.value))
}

fn repo(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (path, template) in FILES {
        let path = dir.join(path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).expect("dir");
        }
        std::fs::write(&path, expand(template)).expect("write");
    }
    dir
}

/// The file and 1-based line where a value is planted.
fn place(value: &str) -> (&'static str, usize) {
    for (path, template) in FILES {
        let text = expand(template);
        if let Some(at) = text.find(value) {
            return (path, text[..at].matches('\n').count() + 1);
        }
    }
    panic!("`{value}` is planted nowhere");
}

fn name<T: ValueEnum>(v: &T) -> String {
    v.to_possible_value().map(|p| p.get_name().to_string()).unwrap_or_default()
}

/// Every run to make: each format of each subcommand, with and without colour. A subcommand or
/// a format added to the CLI is run here without a change; a subcommand this test does not
/// know how to call fails it.
fn runs(dir: &Path) -> Vec<Vec<String>> {
    let dir = dir.display().to_string();
    let mut runs = Vec::new();
    for format in Format::value_variants() {
        for color in ColorChoice::value_variants() {
            runs.push(vec![
                "check".into(),
                dir.clone(),
                "--format".into(),
                name(format),
                "--color".into(),
                name(color),
            ]);
        }
    }
    runs.push(vec![dir.clone()]);
    for format in ModelFormat::value_variants() {
        runs.push(vec!["model".into(), dir.clone(), "--format".into(), name(format)]);
    }
    for format in RulesFormat::value_variants() {
        runs.push(vec!["rules".into(), "--format".into(), name(format)]);
    }
    for rule in deploylint::checks::RULES {
        runs.push(vec!["explain".into(), rule.code.into()]);
    }
    // Last: the config it writes is read by the runs after it. Its file is read below.
    runs.push(vec!["init".into(), dir.clone(), "--force".into()]);
    for sub in Cli::command().get_subcommands() {
        assert!(
            ["check", "model", "rules", "explain", "init", "help"].contains(&sub.get_name()),
            "subcommand `{}` is not run by this test: add its formats to `runs`",
            sub.get_name()
        );
    }
    runs
}

/// Output without ANSI escape sequences (colour), so that a value split by them is still seen.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// `(path, line)` of every source line a human (colourless) output shows in a snippet.
fn shown_lines(human: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    let mut file = String::new();
    for line in human.lines() {
        if let Some(header) = line.split("╭─[").nth(1) {
            let place = header.trim_end_matches(']');
            let mut parts = place.rsplitn(3, ':');
            file = parts.nth(2).unwrap_or("").to_string();
            continue;
        }
        let t = line.trim_start();
        if let Some((n, _)) = t.split_once(" │") {
            if let Ok(n) = n.parse::<usize>() {
                out.insert((file.clone(), n));
            }
        }
    }
    out
}

#[test]
fn no_format_prints_a_planted_secret() {
    let dir = repo("secrets-repo");
    let mut human = String::new();
    let mut concise = String::new();
    let mut model = String::new();
    for args in runs(&dir) {
        let out =
            Command::new(env!("CARGO_BIN_EXE_deploylint")).args(&args).env_remove("NO_COLOR").output().expect("runs");
        let mut raw = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        if args[0] == "init" {
            assert_eq!(out.status.code(), Some(0), "{raw}");
            raw.push_str(&std::fs::read_to_string(dir.join("deploylint.toml")).unwrap_or_default());
        }
        let plain = strip_ansi(&raw);
        for p in PLANTED {
            let bytes = p.value.as_bytes();
            for window in bytes.windows(6) {
                let w = String::from_utf8_lossy(window);
                assert!(
                    !raw.contains(w.as_ref()) && !plain.contains(w.as_ref()),
                    "{args:?} printed `{w}` of the planted {} value:\n{plain}",
                    p.tag
                );
            }
        }
        let has = |flag: &str, value: &str| args.windows(2).any(|w| w[0] == flag && w[1] == value);
        if args[0] == "check" && has("--format", "human") && has("--color", "never") {
            human = plain;
        } else if args[0] == "check" && has("--format", "concise") && has("--color", "never") {
            concise = plain;
        } else if args[0] == "model" {
            model = plain;
        }
    }
    // The test proves something only if the planted lines were shown: each one in a snippet,
    // and the flagged ones at a finding.
    let shown = shown_lines(&human);
    for p in PLANTED {
        let (path, line) = place(p.value);
        assert!(shown.contains(&(path.to_string(), line)), "{} ({path}:{line}) was not shown:\n{human}", p.tag);
        let at_finding = concise.lines().any(|l| l.starts_with(&format!("{path}:{line}:")));
        assert_eq!(at_finding, p.role == Role::Flagged, "{} ({path}:{line}) role:\n{concise}", p.tag);
    }
    // Masked, not dropped: the keys of well-formed assignments are still shown and listed.
    assert!(human.contains("STRIPE_SECRET_KEY=******************\n"), "{human}");
    assert!(human.contains("LOG_FORMAT: ******************\n") && human.contains("PGPASSWORD=******************"));
    assert!(model.contains("\"STRIPE_SECRET_KEY\"") && model.contains("\"unlisted\": 2"), "{model}");
}

#[test]
fn colour_is_forced_by_the_flag() {
    let dir = repo("secrets-colour");
    let run = |color: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_deploylint"))
            .args([dir.to_str().unwrap_or("."), "--color", color])
            .output()
            .expect("runs");
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    assert!(run("always").contains("\u{1b}["));
    assert!(!run("never").contains("\u{1b}["));
}

/// The server preflight: `--env-file PATH` reads a real env file outside the repository in
/// place of the repository's file of that name. Its values, well-formed or broken, never
/// reach any format.
#[test]
fn a_given_env_file_is_read_and_never_printed() {
    let dir = repo("secrets-given-repo");
    let server = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets-given-server");
    let _ = std::fs::remove_dir_all(&server);
    std::fs::create_dir_all(&server).expect("dir");
    let planted: Vec<&Planted> = PLANTED.iter().filter(|p| p.tag.starts_with("ENV")).collect();
    let mut text = String::from("STRIPE_SECRET_KEY=\n");
    for (i, p) in planted.iter().enumerate() {
        text.push_str(&format!("GIVEN_{i}={}\n", p.value));
    }
    text.push_str(&format!("BROKEN GIVEN {}\n", planted.first().map_or("x", |p| p.value)));
    let given = server.join(".env.prod");
    std::fs::write(&given, text).expect("write");
    let given_shown = given.display().to_string();
    let mut read = false;
    for format in Format::value_variants() {
        let out = Command::new(env!("CARGO_BIN_EXE_deploylint"))
            .args(["check", &dir.display().to_string(), "--format", &name(format), "--color", "always"])
            .args(["--env-file", &given_shown])
            .output()
            .expect("runs");
        let raw = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        let plain = strip_ansi(&raw);
        for p in &planted {
            for window in p.value.as_bytes().windows(6) {
                let w = String::from_utf8_lossy(window);
                assert!(!plain.contains(w.as_ref()), "{format:?} printed `{w}` of the given file:\n{plain}");
            }
        }
        read |= plain.contains("secrets-given-server");
    }
    assert!(read, "no format pointed into the given file: it was not read");
    let missing = Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .args([&dir.display().to_string(), "--env-file", &server.join("absent").display().to_string()])
        .output()
        .expect("runs");
    assert_eq!(missing.status.code(), Some(2), "a given file that cannot be read is exit 2");
}

/// Values planted on the lines the env-file rules (DPL302–DPL307) point at: a placeholder
/// with a secret tail, both values of a duplicated key, a key the template lacks and nothing
/// reads, and a committed production file's generated secret.
const ENV_RULES_PLANTED: &[(&str, &str)] = &[
    ("PLACEHOLDER_TAIL", "Wd8qZr3LkV0pXn6Tb"),
    ("DUP_FIRST", "Hy4mPq9RvL2sKw7Jc"),
    ("DUP_LATER", "Nb6tXe1QzM8rVd3Gh"),
    ("DRIFT", "Lp5vKc8WqZ2nRt9Ys"),
    ("COMMITTED", "Tq7Wz3Lp9Xv2Mk8Rb5Nc4Hd"),
    ("GIVEN_DUP", "Fz2kRw8PmX5qLt1Vb"),
    ("GIVEN_PLACEHOLDER", "Ks9dVn4QxT7wPz3Lm"),
];

const ENV_RULES_FILES: &[(&str, &str)] = &[
    (".gitignore", ".env.prod\n"),
    ("go.mod", "module example.com/vault\n\ngo 1.22\n"),
    (
        "cmd/api/main.go",
        "package main\n\nimport (\n\t\"database/sql\"\n\t\"log\"\n\t\"os\"\n)\n\nfunc main() {\n\tdb, err := sql.Open(\"postgres\", os.Getenv(\"API_DSN\"))\n\tlog.Println(db, err, len(os.Getenv(\"API_MAIL_KEY\")), len(os.Getenv(\"API_SIGNING_KEY\")))\n\tif r := os.Getenv(\"API_REGION\"); r != \"\" {\n\t\tlog.Println(r)\n\t}\n}\n",
    ),
    (
        "Dockerfile",
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api\nFROM alpine:3.19\nCOPY --from=build /out/api /usr/local/bin/api\nENTRYPOINT [\"/usr/local/bin/api\"]\n",
    ),
    ("docker-compose.prod.yml", "services:\n  api:\n    build: .\n    env_file: .env.prod\n"),
    (".env.prod.example", "API_DSN=\nAPI_MAIL_KEY=\nAPI_REGION=\n"),
    (
        ".env.prod",
        "API_DSN=\nAPI_MAIL_KEY=your-{PLACEHOLDER_TAIL}\nAPI_REGION={DUP_FIRST}\nAPI_REGION={DUP_LATER}\nAPI_LEFTOVER={DRIFT}\n",
    ),
    (".env.production", "API_SIGNING_KEY={COMMITTED}\n"),
];

fn env_rules_expand(template: &str) -> String {
    ENV_RULES_PLANTED.iter().fold(template.to_string(), |t, (tag, value)| t.replace(&format!("{{{tag}}}"), value))
}

fn assert_no_env_rules_value(args: &[String], raw: &str) {
    let plain = strip_ansi(raw);
    for (tag, value) in ENV_RULES_PLANTED {
        for window in value.as_bytes().windows(6) {
            let w = String::from_utf8_lossy(window);
            assert!(
                !raw.contains(w.as_ref()) && !plain.contains(w.as_ref()),
                "{args:?} printed `{w}` of the planted {tag} value:\n{plain}"
            );
        }
    }
}

/// The env-file rules fire on lines holding planted values, in the repository and on a file
/// given with `--env-file`, and no format of any subcommand prints one of them.
#[test]
fn the_env_file_rules_print_no_planted_value() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets-env-rules");
    let _ = std::fs::remove_dir_all(&dir);
    for (path, template) in ENV_RULES_FILES {
        let path = dir.join(path);
        if let Some(p) = path.parent() {
            std::fs::create_dir_all(p).expect("dir");
        }
        std::fs::write(&path, env_rules_expand(template)).expect("write");
    }
    let server = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets-env-rules-server");
    let _ = std::fs::remove_dir_all(&server);
    std::fs::create_dir_all(&server).expect("dir");
    let given = server.join(".env.prod");
    std::fs::write(
        &given,
        env_rules_expand(
            "API_DSN=\nAPI_MAIL_KEY=<{GIVEN_PLACEHOLDER}>\nAPI_REGION={GIVEN_DUP}\nAPI_REGION={GIVEN_DUP}\nAPI_LEFTOVER={DRIFT}\n",
        ),
    )
    .expect("write");
    let given_arg = given.display().to_string();
    let mut fired: BTreeSet<String> = BTreeSet::new();
    let mut fired_given: BTreeSet<String> = BTreeSet::new();
    for args in runs(&dir) {
        let with_given: Vec<String> = if args[0] == "check" {
            args.iter().cloned().chain(["--env-file".into(), given_arg.clone()]).collect()
        } else {
            Vec::new()
        };
        for run in [&args, &with_given] {
            if run.is_empty() {
                continue;
            }
            let out =
                Command::new(env!("CARGO_BIN_EXE_deploylint")).args(run).env_remove("NO_COLOR").output().expect("runs");
            let mut raw = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            if run[0] == "init" {
                raw.push_str(&std::fs::read_to_string(dir.join("deploylint.toml")).unwrap_or_default());
            }
            assert_no_env_rules_value(run, &raw);
            // What fired, and where: the concise lines of a check run.
            if run[0] == "check" && run.windows(2).any(|w| w[0] == "--format" && w[1] == "concise") {
                for line in strip_ansi(&raw).lines() {
                    let Some(code) = line.split('[').nth(1).and_then(|r| r.split(']').next()) else { continue };
                    if line.starts_with(&given_arg) {
                        fired_given.insert(code.to_string());
                    } else if line.starts_with(".env") {
                        fired.insert(code.to_string());
                    }
                }
            }
        }
    }
    // The test proves something only if every rule fired on the lines holding planted values.
    let codes = |c: &[&str]| c.iter().map(|c| c.to_string()).collect::<BTreeSet<String>>();
    assert_eq!(fired, codes(&["DPL302", "DPL303", "DPL304", "DPL305", "DPL306", "DPL307"]), "in the repository");
    assert_eq!(fired_given, codes(&["DPL302", "DPL303", "DPL304", "DPL305", "DPL307"]), "in the given file");
}

/// Compose `build.args` reach the model's images: a value under a secret-shaped name is masked
/// there too, in every run, while an ordinary arg's value is still shown.
#[test]
fn a_secret_shaped_build_arg_is_never_printed() {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets-build-args");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let secret = "npm_q7Rw2LkVb9XsT4nPz";
    let compose = format!(
        "services:\n  web:\n    build:\n      context: .\n      args:\n        NPM_TOKEN: {secret}\n        NODE_FLAVOUR: slim-bookworm\n"
    );
    std::fs::write(dir.join("docker-compose.yml"), compose).expect("write");
    std::fs::write(dir.join("Dockerfile"), "FROM node:20\nARG NPM_TOKEN\nARG NODE_FLAVOUR\nRUN npm ci\n")
        .expect("write");
    let mut model = String::new();
    for args in runs(&dir) {
        let out = Command::new(env!("CARGO_BIN_EXE_deploylint")).args(&args).output().expect("runs");
        let plain =
            strip_ansi(&format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)));
        for window in secret.as_bytes().windows(6) {
            let w = String::from_utf8_lossy(window);
            assert!(!plain.contains(w.as_ref()), "{args:?} printed `{w}` of the build arg:\n{plain}");
        }
        if args.first().map(String::as_str) == Some("model") && args.iter().any(|a| a == "json") {
            model = plain;
        }
    }
    // The args were shown: the secret one masked, the other as written.
    assert!(model.contains("\"NPM_TOKEN\": \"*****"), "{model}");
    assert!(model.contains("\"NODE_FLAVOUR\": \"slim-bookworm\""), "{model}");
}
