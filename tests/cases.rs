//! Runs the Markdown cases of `tests/cases/*.md` (shape: `tests/cases/README.md`): each case's
//! repository is built in memory and must produce exactly the findings its `findings` block
//! lists (and print what its `console` block shows, if it has one). `BLESS=1 cargo test --test
//! cases` rewrites the blocks with what the cases produce, for review with `git diff tests/cases`.

mod mdcases;

use mdcases::{CaseFile, Section};
use std::path::PathBuf;

fn cases_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/cases")
}

/// Every case file, sorted (the README describes the shape and holds no case).
fn case_files() -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> =
        std::fs::read_dir(cases_dir()).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
    out.retain(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("README.md"));
    out.sort();
    out
}

/// What running one case file gave.
struct FileRun {
    /// Every case that fails, with its heading, and every line whose shape is wrong.
    failures: Vec<String>,
    /// How many cases ran.
    ran: usize,
    /// The blocks `BLESS=1` writes: each block's place and what its case produced.
    blessed: Vec<(std::ops::Range<usize>, String)>,
}

/// Runs the cases of one case file (its path as shown, its text).
fn run_file(shown: &str, text: &str) -> FileRun {
    let doc = mdcases::parse(text);
    let mut failures: Vec<String> = doc.errors.iter().map(|e| format!("{shown}:{e}")).collect();
    let mut ran = 0;
    let mut blessed = Vec::new();
    for s in doc.sections.iter().filter(|s| s.is_case()) {
        ran += 1;
        let place = format!("{shown}:{} `{} {}`", s.line, "#".repeat(s.level), s.heading);
        for n in &s.unnamed {
            failures.push(format!("{shown}:{n}: a fenced block that names no file (`` `path`: `` before it)"));
        }
        if s.files.is_empty() {
            failures.push(format!("{place}: no file"));
        }
        let (got, result) = mdcases::check(s);
        match result {
            Err(e) if e.contains('\n') || e.starts_with(' ') => failures.push(format!("{place}:\n{e}")),
            Err(e) => failures.push(format!("{place}: {e}")),
            Ok(()) => {}
        }
        if let Some(expected) = &s.expected {
            blessed.push((expected.content.clone(), mdcases::findings_block(&got.found)));
        }
        if let Some(console) = &s.console {
            blessed.push((console.content.clone(), got.console.clone()));
        }
    }
    FileRun { failures, ran, blessed }
}

#[test]
fn every_markdown_case_produces_exactly_its_findings() {
    let mut failures = Vec::new();
    let mut ran = 0;
    let files = case_files();
    assert!(files.len() >= 3, "no case files in {}", cases_dir().display());
    for path in &files {
        let shown = path.strip_prefix(env!("CARGO_MANIFEST_DIR")).unwrap_or(path).display().to_string();
        let Ok(text) = std::fs::read_to_string(path) else {
            failures.push(format!("{shown}: cannot be read"));
            continue;
        };
        let FileRun { failures: f, ran: n, blessed } = run_file(&shown, &text);
        if std::env::var_os("BLESS").is_some() && !blessed.is_empty() {
            let new = mdcases::bless(&text, &blessed);
            if new != text {
                std::fs::write(path, new).expect("write the blessed case file");
            }
        }
        failures.extend(f);
        ran += n;
    }
    assert!(ran >= 10, "only {ran} cases ran");
    assert!(failures.is_empty(), "{} failing:\n{}", failures.len(), failures.join("\n"));
}

// The harness itself: what it reads, and that it reports what it should.

fn file<'a>(s: &'a Section, path: &str) -> Option<&'a CaseFile> {
    s.files.iter().find(|f| f.path == path)
}

#[test]
fn a_case_names_several_files_and_empty_ones_work() {
    let md = "# Title\n\nProse.\n\n## two files\n\n`deploy/crontab`:\n\n```crontab\n0 1 * * * /app/run\n```\n\n\
              `.env`:\n```\n```\n\n`a.sh`:\n\n````sh no-final-newline\n```\necho\n````\n\n```findings\nnone\n```\n";
    let doc = mdcases::parse(md);
    assert!(doc.errors.is_empty(), "{:?}", doc.errors);
    let s = doc.section("two files").expect("the case");
    assert_eq!(s.level, 2);
    assert_eq!(file(s, "deploy/crontab").map(|f| (f.text.as_str(), f.line)), Some(("0 1 * * * /app/run\n", 7)));
    assert_eq!(file(s, ".env").map(|f| f.text.as_str()), Some(""));
    assert_eq!(file(s, "a.sh").map(|f| f.text.as_str()), Some("```\necho"));
    assert_eq!(s.expected.as_ref().map(|e| e.findings.len()), Some(0));
    assert!(doc.section("Title").is_some_and(|t| !t.is_case()));
    assert_eq!(mdcases::check(s).1, Ok(()));
}

#[test]
fn every_failing_case_is_reported_with_its_heading() {
    let md = "## first\n\n`Dockerfile`:\n\n```dockerfile\nFROM alpine:3.19\nCOPYY . .\n```\n\n```findings\nnone\n```\n\n\
              ## second\n\n`Dockerfile`:\n\n```dockerfile\nFROM alpine:3.19\n```\n\n\
              ```findings\nDPL001 Dockerfile:2\n```\n\n## third\n\n`.env`:\n\n```\nA=1\n```\n\n```findings\nnone\n```\n\n\
              ## fourth\n\n`Dockerfile`:\n\n```\nFROM a\nCOPYY . .\n```\n\n```findings\nDPL001 Dockerfile:2\n```\n\n\
              ```console\n$ deploylint --format concise .\nDockerfile:2:1: error[DPL001] something else\n```\n";
    let FileRun { failures, ran, blessed } = run_file("x.md", md);
    assert_eq!(ran, 4);
    assert_eq!(failures.len(), 3, "{failures:#?}");
    assert!(failures[0].starts_with("x.md:1 `## first`") && failures[0].contains("unexpected DPL001 Dockerfile:2"));
    assert!(failures[1].starts_with("x.md:14 `## second`") && failures[1].contains("missing    DPL001 Dockerfile:2"));
    assert!(
        failures[2].contains("`## fourth`") && failures[2].contains("-Dockerfile:2:1: error[DPL001] something else")
    );
    // Blessing writes what each case produced.
    let new = mdcases::bless(md, &blessed);
    assert_eq!(run_file("x.md", &new).failures, Vec::<String>::new());
    assert!(new.contains("```findings\nDPL001 Dockerfile:2\n```\n\n## second"));
}

#[test]
fn shape_errors_are_reported_at_their_line() {
    let md = "## a\n\n`Dockerfile`:\nFROM x\n\n```findings\nDPL1 Dockerfile\n```\n\n## b\n\n`go.mod`:\n\n```\nmodule x\n```\n";
    let doc = mdcases::parse(md);
    assert_eq!(
        doc.errors,
        [
            "3: `Dockerfile` is not followed by a fenced block",
            "7: `DPL1 Dockerfile` is no `CODE path:line` (nor `none`)"
        ]
    );
    let failures = run_file("y.md", md).failures;
    assert!(failures.iter().any(|f| f.starts_with("y.md:10 `## b`: no `findings` block")), "{failures:#?}");
}

#[test]
fn a_case_config_is_read_and_its_errors_reported() {
    let toml = "[lint]\nselect = [\"DPL403\"]\n";
    let crontab = "0 3 * * 8 /app/run\n";
    let files = |cfg: &str| {
        vec![
            CaseFile { path: "deploylint.toml".into(), text: cfg.into(), line: 1 },
            CaseFile { path: "deploy/crontab".into(), text: crontab.into(), line: 1 },
        ]
    };
    let got = mdcases::lint(&files(toml)).map(|f| f.iter().map(|f| f.key()).collect::<Vec<_>>());
    assert_eq!(got, Ok(vec!["DPL403 deploy/crontab:1".to_string()]));
    let bad = mdcases::lint(&files("[lint]\nselec = []\n"));
    assert!(bad.as_ref().is_err_and(|e| e.starts_with("invalid config: deploylint.toml:2")), "{bad:?}");
}
