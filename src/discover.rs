//! Discovery: the only code that touches the filesystem. One walk of the root that honours
//! `.gitignore` (read by `ignore`, never by running git), still sees git-ignored env files,
//! never leaves the root through a symlink, and classifies every artifact it reads.

use crate::source::{Kind, SourceFile, parent_dir};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::OverrideBuilder;
use ignore::{WalkBuilder, WalkState};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Files larger than this are not read (DPL003).
pub const MAX_FILE_SIZE: u64 = 4 * 1024 * 1024;

/// Names that may hold an artifact. A whitelist glob lets git-ignored *files* through (env
/// files are usually git-ignored); git-ignored directories stay pruned.
const ARTIFACT_GLOBS: &[&str] = &[
    "*.go",
    "go.mod",
    "Dockerfile",
    "Dockerfile.*",
    "*.Dockerfile",
    "*.dockerfile",
    "Containerfile",
    "docker-compose*.yml",
    "docker-compose*.yaml",
    "compose*.yml",
    "compose*.yaml",
    ".env",
    ".env.*",
    "*.env",
    "env.example",
    "env.sample",
    "crontab",
    "*.crontab",
    "*.cron",
    "**/cron/*",
    "**/cron.d/*",
    "**/deploy/*",
    "**/scripts/*",
    "**/bin/*",
    "*.sh",
    "*.bash",
    "*.md",
    ".gitignore",
    ".dockerignore",
    "Makefile",
    "makefile",
    "GNUmakefile",
    "*.mk",
    "**/.github/workflows/*.yml",
    "**/.github/workflows/*.yaml",
    ".gitlab-ci.yml",
    "Cargo.toml",
    "**/src/main.rs",
    "**/src/bin/*.rs",
    "**/src/bin/*/main.rs",
    ".goreleaser.yml",
    ".goreleaser.yaml",
    "goreleaser.yml",
    "goreleaser.yaml",
    ".ko.yaml",
    ".promu.yml",
    "justfile",
    "Justfile",
    ".justfile",
    "*.just",
    "docker-bake*.hcl",
    "!.git/",
];

/// Manifests a Dockerfile typically copies by name (`COPY go.mod go.sum ./`): not read, only
/// noted, so that where they exist tells a Dockerfile's build context.
const MANIFEST_NAMES: &[&str] = &[
    "go.sum",
    "go.work",
    "go.work.sum",
    "Cargo.lock",
    "package.json",
    "package-lock.json",
    "yarn.lock",
    "pnpm-lock.yaml",
    "requirements.txt",
    "pyproject.toml",
    "poetry.lock",
    "uv.lock",
    "Pipfile",
    "Pipfile.lock",
    "Gemfile",
    "Gemfile.lock",
    "composer.json",
    "composer.lock",
    "pom.xml",
    "build.gradle",
    "mix.exs",
    "mix.lock",
];

/// A file discovery could not read, or chose not to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub path: String,
    pub kind: Kind,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Discovered {
    pub files: Vec<SourceFile>,
    pub skipped: Vec<Skipped>,
    pub tree: Tree,
}

/// What exists under the root, as far as the walk can tell: every directory it entered, and
/// every artifact or manifest file (git-ignored ones left out, except env files).
#[derive(Debug, Default, Clone)]
pub struct Tree {
    pub dirs: BTreeSet<String>,
    pub files: BTreeSet<String>,
}

impl Tree {
    /// Whether `path` exists: `Some(true)` for a directory or a noted file, `Some(false)` when
    /// the walk would have noted it (a directory, an artifact or manifest name) and did not,
    /// `None` when a file of that name is never noted.
    pub fn exists(&self, path: &str) -> Option<bool> {
        let path = path.trim_end_matches('/');
        if path.is_empty() || self.dirs.contains(path) || self.files.contains(path) {
            return Some(true);
        }
        let parent = parent_dir(path);
        if !parent.is_empty() && !self.dirs.contains(parent) {
            return Some(false);
        }
        let name = crate::source::file_name(path);
        (classify(path).is_some() || MANIFEST_NAMES.contains(&name)).then_some(false)
    }
}

/// Decides what a file is from its root-relative path; `None` when it is no artifact.
/// Extensionless files under `deploy/`, `scripts/`, `bin/` are scripts only with a shell shebang
/// (checked by the caller).
pub fn classify(rel: &str) -> Option<Kind> {
    let name = crate::source::file_name(rel);
    let lower = name.to_ascii_lowercase();
    let dir = crate::source::parent_dir(rel);
    let dir_name = crate::source::file_name(dir);
    if rel.contains(".github/workflows/") && (lower.ends_with(".yml") || lower.ends_with(".yaml")) {
        return Some(Kind::GithubWorkflow);
    }
    if name == ".gitlab-ci.yml" {
        return Some(Kind::GitlabCi);
    }
    if matches!(name, "Makefile" | "makefile" | "GNUmakefile") || lower.ends_with(".mk") {
        return Some(Kind::Makefile);
    }
    if name == "Cargo.toml" {
        return Some(Kind::CargoToml);
    }
    if lower.starts_with("docker-bake") && lower.ends_with(".hcl") {
        return Some(Kind::BakeFile);
    }
    if matches!(name, "justfile" | "Justfile" | ".justfile") || lower.ends_with(".just") {
        return Some(Kind::Justfile);
    }
    if matches!(
        name,
        ".goreleaser.yml" | ".goreleaser.yaml" | "goreleaser.yml" | "goreleaser.yaml" | ".ko.yaml" | ".promu.yml"
    ) {
        return Some(Kind::ReleaseConfig);
    }
    if lower.ends_with(".rs")
        && (rel.ends_with("src/main.rs")
            || dir.ends_with("src/bin")
            || (name == "main.rs" && parent_dir(dir).ends_with("src/bin")))
    {
        return Some(Kind::RustMain);
    }
    if name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return Some(Kind::Dockerfile);
    }
    if (lower.starts_with("docker-compose") || lower.starts_with("compose"))
        && (lower.ends_with(".yml") || lower.ends_with(".yaml"))
    {
        return Some(Kind::Compose);
    }
    if name == ".env"
        || name.starts_with(".env.")
        || (lower.ends_with(".env") && name.len() > 4)
        || matches!(name, "env.example" | "env.sample")
    {
        return Some(Kind::EnvFile);
    }
    if name == ".gitignore" {
        return Some(Kind::GitIgnore);
    }
    if name == ".dockerignore" || lower.ends_with(".dockerignore") {
        return Some(Kind::DockerIgnore);
    }
    if name == "go.mod" {
        return Some(Kind::GoMod);
    }
    if lower.ends_with(".go") {
        return Some(Kind::Go);
    }
    if lower.ends_with(".sh") || lower.ends_with(".bash") {
        return Some(Kind::Shell);
    }
    if lower.ends_with(".md") || lower.ends_with(".markdown") {
        return Some(Kind::Markdown);
    }
    let no_ext = !name.contains('.');
    if name == "crontab"
        || lower.ends_with(".crontab")
        || lower.ends_with(".cron")
        || (dir_name == "deploy" && lower.starts_with("cron") && no_ext)
        || ((dir_name == "cron" || dir_name == "cron.d") && no_ext)
    {
        return Some(Kind::Crontab);
    }
    None
}

fn maybe_shebang_script(rel: &str) -> bool {
    let name = crate::source::file_name(rel);
    let dir_name = crate::source::file_name(crate::source::parent_dir(rel));
    !name.contains('.') && matches!(dir_name, "deploy" | "scripts" | "bin")
}

fn is_shell_shebang(text: &str) -> bool {
    let first = text.lines().next().unwrap_or("");
    first.starts_with("#!")
        && ["sh", "bash", "dash", "zsh", "ash"]
            .iter()
            .any(|s| first.ends_with(&format!("/{s}")) || first.ends_with(&format!(" {s}")))
}

enum Entry {
    File(SourceFile),
    Skip(Skipped),
    GitIgnore(String, PathBuf),
}

/// Walks `root` and reads every artifact. `exclude` holds gitignore-style globs from the config.
pub fn discover(root: &Path, exclude: &[String]) -> std::io::Result<Discovered> {
    let canonical_root = root.canonicalize()?;
    let mut overrides = OverrideBuilder::new(root);
    for glob in ARTIFACT_GLOBS.iter().chain(MANIFEST_NAMES) {
        // The globs are constants and known to be valid.
        let _ = overrides.add(glob);
    }
    for glob in exclude {
        overrides.add(&format!("!{glob}")).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("invalid exclude glob `{glob}`: {e}"))
        })?;
    }
    let overrides = overrides.build().map_err(std::io::Error::other)?;
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .require_git(false)
        .git_global(false)
        .git_exclude(false)
        .follow_links(false)
        .overrides(overrides)
        .threads(4)
        .build_parallel();
    let entries: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    // Directories entered and manifests seen (not read), for `Tree`.
    let seen: Mutex<(Vec<String>, Vec<String>)> = Mutex::new((Vec::new(), Vec::new()));
    walker.run(|| {
        Box::new(|result| {
            let Ok(entry) = result else {
                return WalkState::Continue;
            };
            let path = entry.path();
            let Ok(rel) = path.strip_prefix(root) else {
                return WalkState::Continue;
            };
            let rel = rel.to_string_lossy().replace('\\', "/");
            if rel.is_empty() {
                return WalkState::Continue;
            }
            if entry.file_type().is_some_and(|t| t.is_dir()) {
                if let Ok(mut s) = seen.lock() {
                    s.0.push(rel);
                }
                return WalkState::Continue;
            }
            if MANIFEST_NAMES.contains(&crate::source::file_name(&rel)) {
                if let Ok(mut s) = seen.lock() {
                    s.1.push(rel);
                }
                return WalkState::Continue;
            }
            if let Some(item) = read_entry(&canonical_root, path, &rel, entry.path_is_symlink()) {
                if let Ok(mut v) = entries.lock() {
                    v.push(item);
                }
            }
            WalkState::Continue
        })
    });
    let entries = entries.into_inner().unwrap_or_default();
    let mut ignores: Vec<(String, PathBuf)> = Vec::new();
    let mut out = Discovered::default();
    let mut files = Vec::new();
    for e in entries {
        match e {
            Entry::File(f) => files.push(f),
            Entry::Skip(s) => out.skipped.push(s),
            Entry::GitIgnore(dir, path) => ignores.push((dir, path)),
        }
    }
    // `.gitignore` files decide which files are git-ignored; a whitelisted glob above let them
    // through the walk, so apply them here: drop ignored files, keep (and mark) env files.
    ignores.sort();
    let matchers: Vec<(String, Gitignore)> = ignores
        .into_iter()
        .filter_map(|(dir, path)| {
            let mut b = GitignoreBuilder::new(root.join(&dir));
            b.add(path);
            b.build().ok().map(|g| (dir, g))
        })
        .collect();
    let is_ignored = |path: &str, is_dir: bool| {
        matchers.iter().any(|(dir, g)| {
            let inside = dir.is_empty() || path.starts_with(&format!("{dir}/"));
            inside && g.matched_path_or_any_parents(root.join(path), is_dir).is_ignore()
        })
    };
    let (dirs, manifests) = seen.into_inner().unwrap_or_default();
    out.tree.dirs = dirs.into_iter().filter(|p| !is_ignored(p, true)).collect();
    out.tree.files = manifests.into_iter().filter(|p| !is_ignored(p, false)).collect();
    out.tree.files.extend(out.skipped.iter().map(|s| s.path.clone()));
    for mut f in files {
        let ignored = is_ignored(&f.path, false);
        if ignored && f.kind != Kind::EnvFile {
            continue;
        }
        if ignored {
            f = SourceFile::new(f.path, f.kind, f.text, true);
        }
        out.tree.files.insert(f.path.clone());
        out.files.push(f);
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
    out.skipped.dedup();
    Ok(out)
}

fn read_entry(canonical_root: &Path, path: &Path, rel: &str, is_symlink: bool) -> Option<Entry> {
    let mut kind = classify(rel);
    if kind.is_none() && !maybe_shebang_script(rel) {
        return None;
    }
    let skip_kind = kind.unwrap_or(Kind::Shell);
    let skip = |reason: &str| {
        Some(Entry::Skip(Skipped { path: rel.to_string(), kind: skip_kind, reason: reason.to_string() }))
    };
    if is_symlink {
        match path.canonicalize() {
            Ok(target) if target.starts_with(canonical_root) => {}
            Ok(_) => {
                return if kind.is_some() { skip("a symlink that leaves the root") } else { None };
            }
            Err(_) => {
                return if kind.is_some() { skip("a broken or looping symlink") } else { None };
            }
        }
    }
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => {
            return if kind.is_some() { skip("unreadable") } else { None };
        }
    };
    if !meta.is_file() {
        return None;
    }
    if meta.len() > MAX_FILE_SIZE {
        return if kind.is_some() { skip("larger than the 4 MiB limit") } else { None };
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(_) => {
            return if kind.is_some() { skip("unreadable") } else { None };
        }
    };
    if bytes.contains(&0) {
        return if kind.is_some() { skip("a binary file") } else { None };
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(_) => {
            return if kind.is_some() { skip("not valid UTF-8") } else { None };
        }
    };
    if kind.is_none() {
        if is_shell_shebang(&text) {
            kind = Some(Kind::Shell);
        } else {
            return None;
        }
    }
    let kind = kind?;
    if kind == Kind::GitIgnore {
        return Some(Entry::GitIgnore(crate::source::parent_dir(rel).to_string(), path.to_path_buf()));
    }
    // A leading BOM is not part of any artifact's syntax.
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    Some(Entry::File(SourceFile::new(rel.to_string(), kind, text, false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_artifacts() {
        assert_eq!(classify("backend/Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(classify("api.Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(classify("docker-compose.prod.yml"), Some(Kind::Compose));
        assert_eq!(classify(".env.prod.example"), Some(Kind::EnvFile));
        assert_eq!(classify("deploy/crontab"), Some(Kind::Crontab));
        assert_eq!(classify("backend/cron/jobs.go"), Some(Kind::Go));
        assert_eq!(classify("docs/DEPLOY.md"), Some(Kind::Markdown));
        assert_eq!(classify("src/main.rs"), Some(Kind::RustMain));
        assert_eq!(classify("src/lib.rs"), None);
        assert_eq!(classify("crates/api/src/bin/admin.rs"), Some(Kind::RustMain));
        assert_eq!(classify("src/bin/tool/main.rs"), Some(Kind::RustMain));
        assert_eq!(classify(".github/workflows/release.yml"), Some(Kind::GithubWorkflow));
        assert_eq!(classify(".gitlab-ci.yml"), Some(Kind::GitlabCi));
        assert_eq!(classify("backend/Makefile"), Some(Kind::Makefile));
    }
}
