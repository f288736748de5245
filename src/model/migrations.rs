//! Numbered migration folders, from the paths of their SQL files (never their text):
//! golang-migrate (`NNN_name.up.sql` / `NNN_name.down.sql`), goose and plain numbered files
//! (`NNN_name.sql`). A folder is one when its path says migrations (`migrations/`,
//! `db/migrate/`) or it pairs `.up.sql` with `.down.sql`, and at least two of its files are
//! numbered. Test data (`testdata/`, fixtures) and vendored code are never migrations, nor is
//! a folder of numbered Python migrations (Django's `NNNN_name.py`): Django orders them by the
//! dependencies each declares, and SQL files beside them are data they load.
//!
//! What is wrong in one, as the tools see it: two migrations of one version (golang-migrate and
//! goose refuse to run), a version missing from a run of consecutive ones (a migration lost in
//! a merge), an `up` without its `down` in a folder that pairs every other one. Versions that
//! are dates or timestamps (8 digits or more) are not consecutive by design: no gap is one.

use crate::source::{file_name, parent_dir};
use std::collections::{BTreeMap, BTreeSet};

/// One numbered file of a migration folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFile {
    pub path: String,
    pub version: u64,
    /// The digits as written (`001`).
    pub digits: String,
    /// The name without the version, the direction and `.sql` (`create_users`).
    pub name: String,
    /// `Some(true)` for `.up.sql`, `Some(false)` for `.down.sql`, `None` for one file per version.
    pub up: Option<bool>,
}

/// What is wrong in a migration folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issue {
    /// Two or more migrations (by name) share a version: the files, sorted.
    Duplicate { version: u64, files: Vec<String> },
    /// Versions missing between two present ones: the first and last missing, and the file after the gap.
    Gap { from: u64, to: u64, after: String, before: String },
    /// A migration with only one direction where the folder pairs every other one.
    Unpaired { file: String, missing: String },
}

/// A migration folder and what is wrong in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationFolder {
    pub dir: String,
    pub files: Vec<MigrationFile>,
    pub issues: Vec<Issue>,
}

/// Reads `NNN_name[.up|.down].sql`.
fn numbered(path: &str) -> Option<MigrationFile> {
    let name = file_name(path);
    let stem = name.strip_suffix(".sql")?;
    let digits_len = stem.bytes().take_while(u8::is_ascii_digit).count();
    let digits = stem.get(..digits_len)?;
    let rest = stem.get(digits_len..)?.strip_prefix('_')?;
    if digits.is_empty() || digits.len() > 18 || rest.is_empty() {
        return None;
    }
    let version: u64 = digits.parse().ok()?;
    let (name, up) = match (rest.strip_suffix(".up"), rest.strip_suffix(".down")) {
        (Some(n), _) => (n, Some(true)),
        (_, Some(n)) => (n, Some(false)),
        _ => (rest, None),
    };
    Some(MigrationFile { path: path.to_string(), version, digits: digits.to_string(), name: name.to_string(), up })
}

/// Folders that never hold a repository's own migrations.
fn excluded(dir: &str) -> bool {
    dir.split('/').any(|d| {
        matches!(
            d,
            "testdata" | "fixtures" | "__fixtures__" | "test-fixtures" | "vendor" | "node_modules" | "third_party"
        )
    })
}

/// Whether a folder's path says it holds migrations.
fn named_for_migrations(dir: &str) -> bool {
    dir.split('/').any(|d| {
        let d = d.to_ascii_lowercase();
        d.contains("migration") || d == "migrate" || d == "schema"
    })
}

/// Whether a file is a numbered Python migration module (`0003_add_index.py`).
fn numbered_python(path: &str) -> bool {
    let Some(stem) = file_name(path).strip_suffix(".py") else { return false };
    let digits = stem.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && stem.get(digits..).is_some_and(|rest| rest.len() > 1 && rest.starts_with('_'))
}

/// The migration folders among the SQL files of the tree; `files` are the tree's other files
/// (a folder that holds numbered Python migrations is theirs, not a SQL tool's).
pub fn folders<'a>(
    sql_files: impl IntoIterator<Item = &'a String>,
    files: impl IntoIterator<Item = &'a String>,
) -> Vec<MigrationFolder> {
    let python: BTreeSet<&str> = files.into_iter().filter(|p| numbered_python(p)).map(|p| parent_dir(p)).collect();
    let mut by_dir: BTreeMap<&str, Vec<MigrationFile>> = BTreeMap::new();
    let mut others: BTreeMap<&str, usize> = BTreeMap::new();
    for path in sql_files {
        let dir = parent_dir(path);
        if excluded(dir) || python.contains(dir) {
            continue;
        }
        match numbered(path) {
            Some(f) => by_dir.entry(dir).or_default().push(f),
            None => *others.entry(dir).or_default() += 1,
        }
    }
    let mut out = Vec::new();
    for (dir, mut files) in by_dir {
        let directed = files.iter().any(|f| f.up.is_some());
        // Numbered files beside as many others are not a sequence (seeds, reports).
        let unnumbered = others.get(dir).copied().unwrap_or(0);
        if files.len() < 2 || !(named_for_migrations(dir) || directed) || unnumbered > files.len() / 4 {
            continue;
        }
        files.sort_by(|a, b| (a.version, &a.name, a.up).cmp(&(b.version, &b.name, b.up)));
        let issues = issues(&files);
        out.push(MigrationFolder { dir: dir.to_string(), files, issues });
    }
    out
}

/// The `up` and the `down` file of one migration.
type Pair<'a> = (Option<&'a MigrationFile>, Option<&'a MigrationFile>);

fn issues(files: &[MigrationFile]) -> Vec<Issue> {
    let mut out = Vec::new();
    // Versions and the migrations (by name) of each.
    let mut versions: BTreeMap<u64, Vec<&MigrationFile>> = BTreeMap::new();
    for f in files {
        versions.entry(f.version).or_default().push(f);
    }
    for (version, fs) in &versions {
        let mut names: Vec<&str> = fs.iter().map(|f| f.name.as_str()).collect();
        names.dedup();
        let mut digits: Vec<&str> = fs.iter().map(|f| f.digits.as_str()).collect();
        digits.sort_unstable();
        digits.dedup();
        if names.len() > 1 || digits.len() > 1 {
            // The `up` (or only) files first: the finding points at the first.
            let mut paths: Vec<&MigrationFile> = fs.clone();
            paths.sort_by_key(|f| (f.up == Some(false), f.name.clone()));
            out.push(Issue::Duplicate { version: *version, files: paths.iter().map(|f| f.path.clone()).collect() });
        }
    }
    // Gaps: only in a sequence that counts up by one (no dates, timestamps or steps of ten).
    let dated = files.iter().any(|f| f.digits.len() >= 8);
    let list: Vec<(&u64, &Vec<&MigrationFile>)> = versions.iter().collect();
    let steps: Vec<u64> = list.windows(2).filter_map(|w| Some(w.get(1)?.0 - w.first()?.0)).collect();
    let ones = steps.iter().filter(|s| **s == 1).count();
    if !dated && steps.len() >= 2 && ones * 4 >= steps.len() * 3 {
        for w in list.windows(2) {
            let (Some((a, fa)), Some((b, fb))) = (w.first(), w.get(1)) else { continue };
            // A jump of more than a few versions is a new numbering, not lost migrations.
            if **b - **a > 1 && **b - **a <= 10 {
                let after = fa.first().map(|f| f.path.clone()).unwrap_or_default();
                let before = fb.first().map(|f| f.path.clone()).unwrap_or_default();
                out.push(Issue::Gap { from: **a + 1, to: **b - 1, after, before });
            }
        }
    }
    // An `up` without its `down` (or the reverse), where every other migration has both.
    let mut pairs: BTreeMap<(u64, &str), Pair> = BTreeMap::new();
    for f in files {
        let e = pairs.entry((f.version, f.name.as_str())).or_default();
        match f.up {
            Some(true) => e.0 = Some(f),
            Some(false) => e.1 = Some(f),
            None => {}
        }
    }
    let complete = pairs.values().filter(|(u, d)| u.is_some() && d.is_some()).count();
    let single = files.iter().filter(|f| f.up.is_none()).count();
    let lone: Vec<&MigrationFile> = pairs
        .values()
        .filter_map(|(u, d)| match (u, d) {
            (Some(u), None) => Some(*u),
            (None, Some(d)) => Some(*d),
            _ => None,
        })
        .collect();
    if single == 0 && complete >= 2 && lone.len() * 4 <= complete {
        for f in lone {
            let (from, to) = if f.up == Some(true) { (".up.sql", ".down.sql") } else { (".down.sql", ".up.sql") };
            let missing = format!("{}{to}", f.path.strip_suffix(from).unwrap_or(&f.path));
            out.push(Issue::Unpaired { file: f.path.clone(), missing: file_name(&missing).to_string() });
        }
    }
    out
}

impl super::Model {
    /// The migration folders of the tree; every file an issue names becomes a source (with no
    /// text) for the finding to point at.
    pub(super) fn compute_migrations(&mut self) {
        let found = folders(&self.tree.sql_files, &self.tree.files);
        for folder in &found {
            for issue in &folder.issues {
                let paths: Vec<&String> = match issue {
                    Issue::Duplicate { files, .. } => files.iter().collect(),
                    Issue::Gap { after, before, .. } => vec![after, before],
                    Issue::Unpaired { file, .. } => vec![file],
                };
                for p in paths {
                    if !self.migration_files.contains_key(p) {
                        let id = self.sources.add(crate::source::SourceFile::new(
                            p.clone(),
                            crate::source::Kind::Migration,
                            String::new(),
                            false,
                        ));
                        self.migration_files.insert(p.clone(), id);
                    }
                }
            }
        }
        self.migrations = found;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(paths: &[&str]) -> Vec<MigrationFolder> {
        let owned: Vec<String> = paths.iter().map(|p| p.to_string()).collect();
        folders(&owned, &[])
    }

    #[test]
    fn reads_numbered_names() {
        let f = numbered("db/migrations/0003_add_index.up.sql");
        assert_eq!(f.as_ref().map(|f| (f.version, f.name.as_str(), f.up)), Some((3, "add_index", Some(true))));
        assert_eq!(numbered("db/migrations/20240105120000_init.sql").map(|f| f.version), Some(20240105120000));
        for not in ["db/schema.sql", "db/v1_init.sql", "db/001.sql", "db/001-init.sql"] {
            assert!(numbered(not).is_none(), "{not}");
        }
        assert!(numbered_python("shop/migrations/0001_initial.py"));
        for not in ["shop/migrations/__init__.py", "shop/migrations/0001.py", "shop/0001_.py", "shop/0001_a.sql"] {
            assert!(!numbered_python(not), "{not}");
        }
    }

    #[test]
    fn finds_duplicates_gaps_and_lone_ups() {
        let folders = run(&[
            "migrations/001_users.up.sql",
            "migrations/001_users.down.sql",
            "migrations/002_orders.up.sql",
            "migrations/002_orders.down.sql",
            "migrations/002_refunds.up.sql",
            "migrations/002_refunds.down.sql",
            "migrations/003_items.up.sql",
            "migrations/003_items.down.sql",
            "migrations/005_tags.up.sql",
            "migrations/005_tags.down.sql",
            "migrations/006_audit.up.sql",
        ]);
        let issues = folders.first().map(|f| f.issues.clone()).unwrap_or_default();
        assert!(
            matches!(issues.first(), Some(Issue::Duplicate { version: 2, files }) if files.len() == 4),
            "{issues:?}"
        );
        assert!(issues.iter().any(|i| matches!(i, Issue::Gap { from: 4, to: 4, .. })), "{issues:?}");
        assert!(
            issues.iter().any(|i| matches!(i, Issue::Unpaired { missing, .. } if missing == "006_audit.down.sql")),
            "{issues:?}"
        );
    }

    #[test]
    fn timestamps_test_data_and_unrelated_folders_are_no_sequence() {
        let folders = run(&[
            "db/migrations/20240101000000_a.sql",
            "db/migrations/20240301000000_b.sql",
            "pkg/testdata/migrations/1_a.up.sql",
            "pkg/testdata/migrations/1_b.up.sql",
            "reports/01_daily.sql",
            "reports/03_weekly.sql",
        ]);
        assert!(folders.iter().all(|f| f.issues.is_empty()), "{folders:?}");
        assert!(folders.iter().all(|f| f.dir == "db/migrations"), "{folders:?}");
    }

    #[test]
    fn a_folder_of_ups_only_has_no_lone_up() {
        let folders = run(&["migrations/1_a.up.sql", "migrations/2_b.up.sql", "migrations/3_c.up.sql"]);
        assert!(folders.iter().all(|f| f.issues.is_empty()), "{folders:?}");
    }
}
