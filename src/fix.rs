//! `--fix`: the edits of the findings that carry one, applied to their files in place. Each
//! file is read again and must still hold what was linted; its edits are applied from the end
//! (overlapping ones skipped), every other byte kept, and the result written to a temporary
//! file beside it (with the file's permissions) that is renamed over it, so the file is
//! either the old one or the new one, never half written.

use crate::RunError;
use crate::diagnostic::{Diagnostic, Edit};
use crate::source::{FileId, Sources};
use std::collections::BTreeMap;
use std::path::Path;

/// What `--fix` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Fixed {
    pub edits: usize,
    pub files: usize,
}

/// Whether two texts are the same once each run of blanks is one space.
fn same_words(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

/// Applies the edits to a text, from the end; an edit whose text is not what it expects, or
/// that overlaps one applied, is skipped. Returns the new text and how many were applied.
pub fn apply_edits(text: &str, edits: &[&Edit]) -> (String, usize) {
    let mut edits: Vec<&Edit> = edits.to_vec();
    edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    edits.dedup_by_key(|e| (e.span.start, e.span.end));
    let mut out = text.to_string();
    let mut applied = 0;
    let mut limit = text.len();
    for e in edits {
        let (s, end) = (e.span.start, e.span.end);
        if end > limit || s > end {
            continue;
        }
        let Some(current) = out.get(s..end) else { continue };
        if !same_words(current, &e.expect) || current.contains('\n') {
            continue;
        }
        out.replace_range(s..end, &e.replacement);
        applied += 1;
        limit = s;
    }
    (out, applied)
}

/// Writes `text` to `path` atomically, keeping its permissions.
fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = dir.join(format!(".{name}.deploylint-fix.{}", std::process::id()));
    let perms = std::fs::metadata(path)?.permissions();
    let result = (|| {
        std::fs::write(&tmp, text)?;
        std::fs::set_permissions(&tmp, perms)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// Applies the fixes of `diags` to the files under `root`.
pub fn apply(root: &Path, sources: &Sources, diags: &[Diagnostic]) -> Result<Fixed, RunError> {
    let mut by_file: BTreeMap<FileId, Vec<&Edit>> = BTreeMap::new();
    for d in diags {
        if let Some(e) = &d.fix {
            by_file.entry(e.span.file).or_default().push(e);
        }
    }
    let mut fixed = Fixed::default();
    for (file, edits) in by_file {
        let shown = sources.path(file);
        let path = root.join(shown);
        // A path shown escaped (`\n`, `\xff`) is not the file's own name: left alone.
        if shown.contains('\\') {
            continue;
        }
        let Ok(now) = std::fs::read_to_string(&path) else { continue };
        // Changed since it was linted: its spans mean nothing now.
        if now != sources.text(file) {
            continue;
        }
        let (text, applied) = apply_edits(&now, &edits);
        if applied == 0 {
            continue;
        }
        write_atomically(&path, &text).map_err(|e| RunError(format!("cannot write `{shown}`: {e}")))?;
        fixed.edits += applied;
        fixed.files += 1;
    }
    Ok(fixed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(s: usize, e: usize, expect: &str, to: &str) -> Edit {
        Edit { span: Span::new(FileId(0), s..e), expect: expect.into(), replacement: to.into() }
    }

    #[test]
    fn edits_apply_from_the_end_and_keep_every_other_byte() {
        let t = "a\r\ndocker compose up # x\n  docker  compose down\n";
        let e1 = edit(3, 17, "docker compose", "docker-compose");
        let e2 = edit(27, 42, "docker compose", "docker-compose");
        let (out, n) = apply_edits(t, &[&e1, &e2]);
        assert_eq!(n, 2);
        assert_eq!(out, "a\r\ndocker-compose up # x\n  docker-compose down\n");
        // What is no longer there is not touched (a second run).
        let (again, n) = apply_edits(&out, &[&e1]);
        assert_eq!((again.as_str(), n), (out.as_str(), 0));
        // Overlapping and out-of-range edits are skipped.
        let (_, n) = apply_edits(t, &[&e1, &edit(5, 9, "cker", "x"), &edit(90, 99, "x", "y")]);
        assert_eq!(n, 1);
    }
}
