//! Inline suppressions, written in each artifact's own comment syntax:
//!
//! ```text
//! # deploylint: ignore[DPL101] -- built by the release pipeline      (the line, or the next one)
//! # deploylint: ignore-file[DPL301, env-key-missing]                 (the whole file)
//! // deploylint: ignore[DPL301]                                      (Go, Rust, go.mod)
//! <!-- deploylint: ignore[DPL204] -->                                (Markdown)
//! ```
//!
//! A directive on a line of its own covers the next line; after other text it covers its own
//! line. It covers a finding whose primary place starts on a covered line. Rules are named by
//! code or name; a reason may follow `--`. A directive that names no known rule, or that covers
//! no finding of a rule that ran, is itself reported (DPL002).

use crate::checks::{Rule, find_rule};
use crate::diagnostic::{Diagnostic, Label};
use crate::source::{FileId, Kind, SourceFile, Sources, Span};

const MARKER: &str = "deploylint:";

/// One directive.
#[derive(Debug)]
pub struct Directive {
    pub span: Span,
    /// 1-based lines covered; empty for a file-wide directive.
    lines: Vec<usize>,
    file_wide: bool,
    /// The rules named, by code; `None` for a name that is not a rule.
    rules: Vec<Option<&'static str>>,
}

/// The comment opener of a file kind.
fn opener(kind: Kind) -> &'static str {
    match kind {
        Kind::Go | Kind::GoMod | Kind::RustMain | Kind::Rust | Kind::Js => "//",
        Kind::Markdown => "<!--",
        _ => "#",
    }
}

/// The directives of one file.
fn directives(id: FileId, file: &SourceFile) -> Vec<Directive> {
    let open = opener(file.kind);
    let text = file.text.as_str();
    let mut out = Vec::new();
    let all: Vec<&str> = text.split_inclusive('\n').collect();
    let mut line_start = 0usize;
    for (index, line) in all.iter().enumerate() {
        let line_no = index + 1;
        let this_start = line_start;
        line_start += line.len();
        let Some(at) = line.find(MARKER) else { continue };
        let before = line.get(..at).unwrap_or("").trim_end();
        let Some(code_part) = before.strip_suffix(open) else { continue };
        let rest = line.get(at + MARKER.len()..).unwrap_or("").trim_start();
        let (file_wide, rest) = if let Some(r) = rest.strip_prefix("ignore-file") {
            (true, r)
        } else if let Some(r) = rest.strip_prefix("ignore") {
            (false, r)
        } else {
            continue;
        };
        let names = rest.strip_prefix('[').and_then(|r| r.split_once(']')).map_or("", |(inside, _)| inside);
        let rules: Vec<Option<&'static str>> =
            names.split(',').map(str::trim).filter(|n| !n.is_empty()).map(|n| find_rule(n).map(|r| r.code)).collect();
        let own_line = code_part.trim().is_empty();
        let lines = if file_wide {
            Vec::new()
        } else if own_line {
            let mut lines = vec![line_no + 1];
            // In Markdown a comment above a fenced block covers the block.
            let fence = all
                .get(index + 1)
                .map(|l| l.trim_start())
                .and_then(|l| ["```", "~~~"].into_iter().find(|f| l.starts_with(f)));
            if file.kind == Kind::Markdown
                && let Some(fence) = fence
            {
                for (j, l) in all.iter().enumerate().skip(index + 2) {
                    lines.push(j + 1);
                    if l.trim_start().starts_with(fence) {
                        break;
                    }
                }
            }
            lines
        } else {
            vec![line_no]
        };
        let end = this_start + line.trim_end_matches(['\n', '\r']).len();
        out.push(Directive { span: Span::new(id, this_start + at..end), lines, file_wide, rules });
    }
    out
}

/// Every directive of every file read.
pub fn collect(sources: &Sources) -> Vec<Directive> {
    use rayon::prelude::*;
    // A byte search for the marker, side by side: most files hold none.
    let marker = memchr::memmem::Finder::new(MARKER);
    let files: Vec<(FileId, &SourceFile)> = sources.iter().collect();
    files
        .par_iter()
        .filter(|(_, f)| marker.find(f.text.as_bytes()).is_some())
        .flat_map_iter(|(id, f)| directives(*id, f))
        .collect()
}

/// A directive that was never used or names no rule: what DPL002 reports.
pub struct Unused {
    pub label: Label,
    pub message: String,
}

/// Drops the diagnostics a directive covers. Returns the directives to report: those naming no
/// known rule, and those that covered nothing although every rule they name ran (`ran`).
pub fn apply(sources: &Sources, diags: &mut Vec<Diagnostic>, ran: &[&'static Rule]) -> Vec<Unused> {
    let all = collect(sources);
    if all.is_empty() {
        return Vec::new();
    }
    let mut used = vec![false; all.len()];
    diags.retain(|d| {
        let file = d.primary.span.file;
        let line = sources.get(file).map_or(0, |f| f.line_col(d.primary.span.start).0);
        let mut covered = false;
        for (i, dir) in all.iter().enumerate() {
            if dir.span.file == file
                && (dir.file_wide || dir.lines.contains(&line))
                && dir.rules.contains(&Some(d.code))
            {
                used[i] = true;
                covered = true;
            }
        }
        !covered
    });
    let mut out = Vec::new();
    for (dir, used) in all.iter().zip(used) {
        let names_unknown = dir.rules.is_empty() || dir.rules.iter().any(Option::is_none);
        let all_ran = dir.rules.iter().flatten().all(|code| ran.iter().any(|r| r.code == *code));
        let message = if names_unknown {
            "suppression names no known rule: write `deploylint: ignore[CODE]` with a code or a rule name"
        } else if !used && all_ran {
            "suppression covers no finding"
        } else {
            continue;
        };
        out.push(Unused { label: Label::new(dir.span, message), message: message.to_string() });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(kind: Kind, text: &str) -> SourceFile {
        SourceFile::new("f".into(), kind, text.into(), false)
    }

    #[test]
    fn each_comment_syntax_and_placement() {
        let d = directives(FileId(0), &file(Kind::Dockerfile, "FROM x\n# deploylint: ignore[DPL105] -- why\nRUN a\n"));
        assert_eq!(d.len(), 1);
        assert_eq!(d.first().map(|x| x.lines.clone()), Some(vec![3]));
        let d = directives(FileId(0), &file(Kind::Shell, "docker compose up # deploylint: ignore[DPL201]\n"));
        assert_eq!(d.first().map(|x| x.lines.clone()), Some(vec![1]));
        let d = directives(FileId(0), &file(Kind::Go, "// deploylint: ignore-file[env-key-missing]\n"));
        assert!(d.first().is_some_and(|x| x.file_wide && x.rules == vec![Some("DPL301")]));
        let d = directives(FileId(0), &file(Kind::Markdown, "<!-- deploylint: ignore[DPL204] -->\n"));
        assert_eq!(d.first().map(|x| x.rules.clone()), Some(vec![Some("DPL204")]));
        // The wrong comment syntax for the file, or the marker inside a string, is no directive.
        assert!(directives(FileId(0), &file(Kind::Go, "# deploylint: ignore[DPL301]\n")).is_empty());
        assert!(directives(FileId(0), &file(Kind::Shell, "echo 'deploylint: ignore[DPL201]'\n")).is_empty());
        let md = "<!-- deploylint: ignore[DPL201] -->\n```sh\na\nb\n```\nc\n";
        let d = directives(FileId(0), &file(Kind::Markdown, md));
        assert_eq!(d.first().map(|x| x.lines.clone()), Some(vec![2, 3, 4, 5]), "a fenced block is covered whole");
        let d = directives(FileId(0), &file(Kind::Compose, "# deploylint: ignore[nope, DPL201]\n"));
        assert_eq!(d.first().map(|x| x.rules.clone()), Some(vec![None, Some("DPL201")]));
    }
}
