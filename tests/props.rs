//! Property tests: no parser panics on any input, and spans stay inside the text.

use deploylint::parse::{bake, compose, crontab, dockerfile, envfile, golang, makefile, markdown, release, shell};
use deploylint::source::FileId;
use proptest::prelude::*;

/// Text made of the characters the artifacts care about, so that the parsers go deep.
fn artifact_text() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "FROM ",
        "RUN ",
        "COPY ",
        "--from=",
        " AS ",
        "<<EOF",
        "EOF",
        "\\\n",
        "\n",
        " ",
        "\"",
        "'",
        "#",
        "=",
        "$(",
        ")",
        "`",
        "go build -o ",
        "./cmd/x",
        "services:",
        "  ",
        "- ",
        ":",
        "&a",
        "*a",
        "<<: ",
        "[",
        "]",
        "{",
        "}",
        "export ",
        "KEY",
        "é",
        "\t",
        "\r\n",
        "*/5",
        "@daily",
        "0",
        "docker compose ",
        "ssh h \"",
        "&&",
        "|",
        ";",
        "os.Getenv(",
        "package main",
        "switch *task {",
        "case \"a\":",
        "```bash\n",
        "```\n",
        "\u{feff}",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parsers_never_panic(text in artifact_text()) {
        let f = FileId(0);
        let _ = dockerfile::parse(f, &text);
        let _ = compose::parse(f, &text);
        let _ = envfile::parse(f, &text);
        let _ = crontab::parse(f, &text, 0);
        let _ = golang::parse(f, &text);
        let _ = markdown::code_blocks(&text);
        let _ = release::parse(f, ".goreleaser.yaml", &text);
        let _ = makefile::parse(&text).expand_lenient(&text, &Default::default(), 0);
        for t in bake::parse(f, &text) {
            prop_assert!(t.span.end <= text.len());
        }
        for c in shell::parse(f, &text, 0) {
            for w in c.words {
                prop_assert!(w.span.start <= w.span.end && w.span.end <= text.len());
            }
        }
    }

    #[test]
    fn arbitrary_bytes_as_text_never_panic(text in ".{0,200}") {
        let f = FileId(0);
        let _ = dockerfile::parse(f, &text);
        let _ = compose::parse(f, &text);
        let _ = envfile::parse(f, &text);
        let _ = crontab::parse(f, &text, 0);
        let _ = golang::parse(f, &text);
        let _ = shell::parse(f, &text, 0);
    }

    #[test]
    fn masking_keeps_length_and_hides_values(key in "[A-Z_]{1,8}", value in "[a-z0-9]{6,20}") {
        let text = format!("{key}={value}\n");
        let masked = envfile::mask(&text);
        prop_assert_eq!(masked.len(), text.len());
        prop_assert!(!masked.contains(&value));
    }
}

/// Whole repositories of random artifacts: the model, every check and every renderer run
/// without a panic, and the output is the same twice.
fn repo_files() -> impl Strategy<Value = Vec<(String, String)>> {
    let names = prop::sample::select(vec![
        "Dockerfile",
        "backend/Dockerfile",
        "docker-compose.yml",
        ".env",
        ".env.prod.example",
        "deploy/crontab",
        "deploy.sh",
        "docs/RUNBOOK.md",
        "go.mod",
        "cmd/api/main.go",
        "cmd/batch/main.go",
        "internal/x/x.go",
        "Makefile",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "Cargo.toml",
        "src/main.rs",
        "src/bin/tool.rs",
        "build/api/Dockerfile",
        "scripts/image.sh",
        ".goreleaser.yaml",
        "docker-bake.hcl",
        "justfile",
    ]);
    prop::collection::vec((names.prop_map(str::to_string), artifact_text()), 1..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn the_whole_pipeline_never_panics(files in repo_files()) {
        use deploylint::discover::{Discovered, classify};
        use deploylint::source::{Kind, SourceFile};
        // One file per path (the last one written wins), in path order as discovery gives them.
        let unique: std::collections::BTreeMap<String, String> = files.into_iter().collect();
        let make = || {
            let files: Vec<SourceFile> = unique
                .iter()
                .map(|(p, t)| SourceFile::new(p.clone(), classify(p).unwrap_or(Kind::Shell), t.clone(), false))
                .collect();
            let model = deploylint::model::Model::build(Discovered { files, ..Default::default() }, Default::default());
            let rules: Vec<_> = deploylint::checks::RULES.to_vec();
            let diags = deploylint::checks::run(&model, &rules);
            let out = [
                deploylint::render::concise::render(&model.sources, &diags),
                deploylint::render::json::render(&model.sources, &diags),
                deploylint::render::human::render(&model.sources, &diags, false),
                deploylint::render::model_json(&model),
            ];
            out.concat()
        };
        let first = make();
        prop_assert_eq!(first, make());
    }
}
