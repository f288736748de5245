//! "Did you mean": a required key the production env lacks, where the env sets a key one edit
//! away, gets that key in its help and a label at the line that sets it (never its value).

use deploylint::config::Config;
use deploylint::discover::discover_in_memory;

fn lint(files: &[(&str, &str)]) -> (deploylint::model::Model, Vec<deploylint::diagnostic::Diagnostic>) {
    let files: Vec<(String, Vec<u8>)> = files.iter().map(|(p, t)| (p.to_string(), t.as_bytes().to_vec())).collect();
    let found = discover_in_memory(&files, &[]).expect("valid paths");
    deploylint::lint_discovered(found, Config::default())
}

const MAIN: &str = r#"package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println(len(os.Getenv("DB_HOST")), len(os.Getenv("SMTP_PASSWORD")))
}
"#;

const DOCKERFILE: &str = "FROM golang:1.22 AS b\nWORKDIR /s\nCOPY . .\nRUN go build -o /app .\nFROM alpine\nCOPY --from=b /app /app\nCMD [\"/app\"]\n";

#[test]
fn a_key_one_edit_away_is_named_in_the_help_and_pointed_at() {
    let env = "LOG_LEVEL=debug\nDBHOST=db.internal.example\nSMTP_PASSWORD=planted-secret-value\n";
    let (model, diags) = lint(&[
        ("go.mod", "module example.org/app\n\ngo 1.22\n"),
        ("main.go", MAIN),
        ("Dockerfile", DOCKERFILE),
        ("docker-compose.prod.yml", "services:\n  app:\n    build: .\n    env_file: .env.prod\n"),
        (".env.prod", env),
    ]);
    let d: Vec<_> = diags.iter().filter(|d| d.code == "DPL301").collect();
    assert_eq!(d.len(), 1, "{diags:?}");
    let help = d[0].help.as_deref().unwrap_or("");
    assert!(help.contains("the env sets `DBHOST`, one edit away: did you mean `DB_HOST`?"), "{help}");
    let near = d[0].related.iter().find(|l| l.message.contains("`DBHOST` is set here")).expect("a label at DBHOST");
    let file = model.sources.get(near.span.file).expect("the env file");
    assert_eq!(file.path, ".env.prod");
    assert_eq!(file.text.get(near.span.start..near.span.end), Some("DBHOST"));
    for text in
        d[0].related.iter().map(|l| &l.message).chain([&d[0].message, &d[0].primary.message]).chain(d[0].help.as_ref())
    {
        assert!(!text.contains("db.internal") && !text.contains("planted"), "{text}");
    }
}

#[test]
fn no_near_key_keeps_the_plain_help() {
    let (_, diags) = lint(&[
        ("go.mod", "module example.org/app\n\ngo 1.22\n"),
        ("main.go", MAIN),
        ("Dockerfile", DOCKERFILE),
        ("docker-compose.prod.yml", "services:\n  app:\n    build: .\n    env_file: .env.prod\n"),
        (".env.prod", "DATABASE_HOST=x\nSMTP_PASSWORD=y\n"),
    ]);
    let d: Vec<_> = diags.iter().filter(|d| d.code == "DPL301").collect();
    assert_eq!(d.len(), 1);
    assert!(d[0].help.as_deref().is_some_and(|h| h.starts_with("add `DB_HOST=`")));
    // No label at a near key: only the chain (where the service runs the binary, and the env
    // file it reads).
    let labels: Vec<&str> = d[0].related.iter().map(|l| l.message.as_str()).collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("runs `app` here")), "{labels:?}");
    assert!(labels.iter().any(|l| l.contains("reads its env from `.env.prod`")), "{labels:?}");
    assert!(!d[0].related.iter().any(|l| l.message.contains("is set here")));
}
