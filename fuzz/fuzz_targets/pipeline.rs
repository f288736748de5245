//! The whole pipeline on a small repository held in memory: model, every rule, every renderer.
//!
//! The input is split at NUL bytes into the files of [`SLOTS`], in order (an empty part leaves
//! the file out). Each env file gets planted values before and after the input; no output may
//! contain 8 bytes of them. Every diagnostic span and every span in the model must lie inside
//! its file and on character boundaries.
#![no_main]

use deploylint::config::Config;
use deploylint::discover::{Discovered, Skipped, classify};
use deploylint::render;
use deploylint::source::{Kind, SourceFile};
use deploylint_fuzz::{assert_span, debug_spans};
use libfuzzer_sys::fuzz_target;

/// The repository's files, in the order the input gives them; `true` marks a git-ignored file.
const SLOTS: &[(&str, bool)] = &[
    ("Dockerfile", false),
    ("docker-compose.prod.yml", false),
    (".env.prod.example", false),
    ("deploy/crontab", false),
    ("deploy/deploy.sh", false),
    ("cmd/a/main.go", false),
    ("Makefile", false),
    ("go.mod", false),
    ("cmd/b/main.go", false),
    ("docs/RUNBOOK.md", false),
    (".env.prod", true),
    ("deploylint.toml", false),
    (".github/workflows/deploy.yml", false),
    (".dockerignore", false),
    ("Cargo.toml", false),
    ("src/main.rs", false),
];

/// Values that only the planted env lines hold.
const PLANTED: [&str; 2] = ["Qv7planted0secretXk", "Zr4planted9tokenWm"];

fuzz_target!(|data: &[u8]| {
    let mut found = Discovered::default();
    let mut cfg = Config::default();
    for ((path, ignored), part) in SLOTS.iter().zip(data.split(|b| *b == 0)) {
        if part.is_empty() {
            continue;
        }
        let Ok(text) = std::str::from_utf8(part) else {
            let kind = classify(path).unwrap_or(Kind::Shell);
            found.skipped.push(Skipped { path: path.to_string(), kind, reason: "not valid UTF-8".to_string() });
            continue;
        };
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        if *path == "deploylint.toml" {
            if let Ok(c) = deploylint::config::parse(path, text) {
                cfg = c;
            }
            continue;
        }
        let Some(kind) = classify(path) else { continue };
        let text = if kind == Kind::EnvFile {
            format!("PLANTED_BEFORE={}\n{text}\nPLANTED_AFTER={}\n", PLANTED[0], PLANTED[1])
        } else {
            text.to_string()
        };
        found.files.push(SourceFile::new(path.to_string(), kind, text, *ignored));
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    let has_env = found.files.iter().any(|f| f.kind == Kind::EnvFile);

    let (model, diags) = deploylint::lint_discovered(found, cfg);

    let file_text = |id: u32| {
        model.sources.get(deploylint::source::FileId(id)).map(|f| f.text.as_str()).unwrap_or_else(|| {
            panic!("span in file {id}, which does not exist");
        })
    };
    for d in &diags {
        for label in std::iter::once(&d.primary).chain(&d.related) {
            let id = label.span.file.0;
            assert_span(file_text(id), label.span.start, label.span.end, d.code);
        }
    }
    for (id, start, end) in debug_spans(&format!("{:?}", model)) {
        assert_span(file_text(id), start, end, "model");
    }

    let outputs = [
        ("human", render::human::render(&model.sources, &diags, false)),
        ("human colour", render::human::render(&model.sources, &diags, true)),
        ("concise", render::concise::render(&model.sources, &diags)),
        ("json", render::json::render(&model.sources, &diags)),
        ("model", render::model_json(&model)),
    ];
    if has_env {
        // Any 8 bytes of a planted value in an output are a leak, unless the input holds them
        // itself (in another file, where showing them is no leak).
        for piece in PLANTED.iter().flat_map(|s| s.as_bytes().windows(8)) {
            if data.windows(piece.len()).any(|w| w == piece) {
                continue;
            }
            let piece = std::str::from_utf8(piece).unwrap_or_default();
            for (format, out) in &outputs {
                assert!(!out.contains(piece), "the {format} output shows planted env value bytes `{piece}`");
            }
        }
    }
});
