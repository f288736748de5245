//! The rule registry and its docs agree: one doc per rule, one rule per doc, codes unique and
//! sorted, docs shaped alike, the generated rule table current, messages in style, and every
//! doc's examples run: its rule fires on "Example" and not on "Use instead".

mod mdcases;

use deploylint::checks::RULES;
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn codes_are_unique_and_sorted() {
    let codes: Vec<&str> = RULES.iter().map(|r| r.code).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(codes, sorted);
    let mut names: Vec<&str> = RULES.iter().map(|r| r.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), RULES.len());
    for r in RULES {
        assert!(r.code.len() == 6 && r.code.starts_with("DPL"), "{}", r.code);
        assert!(r.name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'), "{}", r.name);
    }
}

#[test]
fn every_rule_has_one_doc_and_every_doc_a_rule() {
    let mut docs: Vec<String> = std::fs::read_dir(root().join("rules"))
        .expect("rules/")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("DPL") && n.ends_with(".md"))
        .collect();
    docs.sort();
    let want: Vec<String> = RULES.iter().map(|r| format!("{}-{}.md", r.code, r.name)).collect();
    assert_eq!(docs, want);
    for r in RULES {
        assert!(r.doc.starts_with(&format!("# {} {}\n", r.code, r.name)), "{}: title", r.code);
        for section in ["## What it does", "## Why it matters", "## Example", "## Use instead", "## Options"] {
            assert!(r.doc.contains(section), "{}: no `{section}`", r.code);
        }
        let sev = format!("Default severity: **{}**", r.severity);
        assert!(r.doc.contains(&sev), "{}: the doc does not say `{sev}`", r.code);
    }
}

/// The table in `rules/README.md`; `BLESS=1 cargo test` rewrites it.
fn rule_table() -> String {
    let mut s = String::from(
        "# Rules\n\nGenerated from the rule registry (`BLESS=1 cargo test --test docs` rewrites it).\n\n\
         Each rule's doc shows a small repository under \"Example\" (a `` `path`: `` line names each file, the \
         fenced block after it holds the file) on which that rule fires and no other, with what \
         `deploylint --format concise .` prints for it, and under \"Use instead\" the files that change so \
         that nothing fires. `cargo test --test docs` runs both, in the \
         shape of the Markdown cases of `tests/cases` (see `tests/cases/README.md`); a doc whose example \
         cannot be written in Markdown says why in `<!-- example: not runnable: REASON -->`.\n\n",
    );
    s.push_str("| code | name | default | finding |\n|---|---|---|---|\n");
    for r in RULES {
        s.push_str(&format!(
            "| [{}]({}-{}.md) | {} | {} | {} |\n",
            r.code, r.code, r.name, r.name, r.severity, r.summary
        ));
    }
    s
}

#[test]
fn the_rule_table_is_current() {
    let path = root().join("rules/README.md");
    let want = rule_table();
    if std::env::var_os("BLESS").is_some() {
        std::fs::write(&path, &want).expect("write rules/README.md");
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(have, want, "rules/README.md is stale: run `BLESS=1 cargo test --test docs`");
}

#[test]
fn summaries_and_messages_are_in_style() {
    for r in RULES {
        assert!(!r.summary.ends_with('.'), "{}: summary ends with a period", r.code);
        assert!(r.summary.chars().next().is_some_and(|c| c.is_lowercase() || c == '`'), "{}: summary", r.code);
    }
    // Every message the fixtures produce: lowercase start, no trailing period.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .arg(root().join("fixtures/vrc-shift"))
        .args(["--format", "json"])
        .output()
        .expect("runs");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    for f in v["findings"].as_array().cloned().unwrap_or_default() {
        let m = f["message"].as_str().unwrap_or("");
        assert!(m.chars().next().is_some_and(|c| c.is_lowercase() || c == '`'), "message style: {m}");
        assert!(!m.ends_with('.'), "message ends with a period: {m}");
    }
}

/// The marker of a doc whose examples cannot be built in memory, with the reason.
const NOT_RUNNABLE: &str = "<!-- example: not runnable:";

/// The reason a doc gives for examples that do not run, if it gives one.
fn not_runnable(doc: &str) -> Option<&str> {
    let at = doc.find(NOT_RUNNABLE)? + NOT_RUNNABLE.len();
    let rest = doc.get(at..)?;
    Some(rest.get(..rest.find("-->")?)?.trim())
}

/// The codes of what a repository produces, each with its place and message, for a failure.
fn shown(found: &[mdcases::Found]) -> String {
    found.iter().map(|f| format!("\n    {}  ({})", f.key(), f.message)).collect()
}

/// Holds a doc's "Example" to its `console` block, the output of `deploylint --format concise .`
/// on its repository; `BLESS=1` writes the block (before "## Use instead" when there is none).
fn example_console(r: &deploylint::checks::Rule, console: &str) -> Result<(), String> {
    let path = root().join("rules").join(format!("{}-{}.md", r.code, r.name));
    let doc = mdcases::parse(r.doc);
    let have = doc.section("Example").and_then(|s| s.console.clone());
    let diff = match &have {
        Some(c) => mdcases::console_diff(&c.text, console),
        None => Some("    no `console` block with the output (`BLESS=1 cargo test --test docs` writes it)".into()),
    };
    let Some(diff) = diff else { return Ok(()) };
    if std::env::var_os("BLESS").is_some() {
        // The doc on disk, which the embedded one is a build of.
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let on_disk = mdcases::parse(&text);
        let new = match on_disk.section("Example").and_then(|s| s.console.clone()) {
            Some(c) => mdcases::bless(&text, &[(c.content, console.to_string())]),
            None => match text.find("\n## Use instead") {
                Some(at) => mdcases::bless(&text, &[(at + 1..at + 1, format!("```console\n{console}```\n\n"))]),
                None => text.clone(),
            },
        };
        if new != text {
            std::fs::write(&path, new).map_err(|e| format!("    cannot write {}: {e}", path.display()))?;
        }
    }
    Err(diff)
}

/// Every rule doc's "Example" is a repository (`` `path`: `` lines, each before a fenced block
/// with the file) on which its rule fires, and no other, with a `console` block showing the
/// output; "Use instead" names the files that change (the others are the example's), and the
/// repository it makes produces nothing. A doc
/// whose example cannot be built in memory says why in a marker; any other doc without files
/// fails.
#[test]
fn every_rule_docs_examples_run() {
    let mut failures = Vec::new();
    let mut marked = Vec::new();
    let mut ran = 0;
    for r in RULES {
        let doc = mdcases::parse(r.doc);
        failures.extend(doc.errors.iter().map(|e| format!("{}: line {e}", r.code)));
        let example = doc.section("Example").map(|s| s.files.clone()).unwrap_or_default();
        if doc.section("Use instead").is_some_and(|s| s.console.is_some()) {
            failures.push(format!("{}: \"Use instead\" shows a `console` block; it prints nothing", r.code));
        }
        let instead = doc.section("Use instead").map(|s| s.files.clone()).unwrap_or_default();
        if let Some(reason) = not_runnable(r.doc) {
            if !example.is_empty() || reason.is_empty() {
                failures.push(format!("{}: marked not runnable, but names files or gives no reason", r.code));
            }
            marked.push(format!("{}: {reason}", r.code));
            continue;
        }
        if example.is_empty() || instead.is_empty() {
            failures.push(format!(
                "{}: \"Example\" and \"Use instead\" name no files (`` `path`: `` before a fenced block); \
                 a doc whose examples cannot run says why: `{NOT_RUNNABLE} REASON -->`",
                r.code
            ));
            continue;
        }
        ran += 1;
        let mut good = example.clone();
        for f in &instead {
            match good.iter_mut().find(|g| g.path == f.path) {
                Some(g) => *g = f.clone(),
                None => good.push(f.clone()),
            }
        }
        match mdcases::run(&example) {
            Err(e) => failures.push(format!("{} Example: {e}", r.code)),
            Ok((found, console)) => {
                if !found.iter().any(|f| f.code == r.code) {
                    failures.push(format!("{} Example: the rule does not fire; found:{}", r.code, shown(&found)));
                } else if found.iter().any(|f| f.code != r.code) {
                    failures.push(format!("{} Example: other rules fire too:{}", r.code, shown(&found)));
                }
                match example_console(r, &console) {
                    Ok(()) => {}
                    Err(e) => failures.push(format!("{} Example:\n{e}", r.code)),
                }
            }
        }
        match mdcases::lint(&good) {
            Err(e) => failures.push(format!("{} Use instead: {e}", r.code)),
            Ok(found) if !found.is_empty() => {
                failures.push(format!("{} Use instead: not clean:{}", r.code, shown(&found)));
            }
            Ok(_) => {}
        }
    }
    eprintln!("{ran} rule docs with examples that run; not runnable: {marked:?}");
    assert!(failures.is_empty(), "{} failing:\n{}", failures.len(), failures.join("\n"));
    assert_eq!(ran + marked.len(), RULES.len());
}

#[test]
fn the_not_runnable_marker_gives_its_reason() {
    assert_eq!(
        not_runnable("x\n<!-- example: not runnable: a FIFO cannot be written in Markdown -->\n"),
        Some("a FIFO cannot be written in Markdown")
    );
    assert_eq!(not_runnable("<!-- example: not runnable: -->"), Some(""));
    assert_eq!(not_runnable("<!-- example: runnable -->"), None);
}
