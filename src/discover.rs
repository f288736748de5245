//! Discovery: the only code that touches the filesystem. One walk of the root that honours
//! `.gitignore` (read by `ignore`, never by running git), still sees git-ignored env files,
//! never leaves the root through a symlink, and classifies every artifact it reads.

use crate::parse::crontab;
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
    "**/crontabs/*",
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

/// Extensions of templates rendered into an artifact before any tool reads it.
const TEMPLATE_EXTENSIONS: &[&str] =
    &["j2", "jinja", "jinja2", "tmpl", "tpl", "template", "erb", "mustache", "hbs", "in"];

/// Last extensions of `.env.*` names that are something else than an env file (a patch, code,
/// data, an encrypted or editor copy).
const NOT_ENV_EXTENSIONS: &[&str] = &[
    "patch", "diff", "orig", "rej", "swp", "swo", "js", "mjs", "cjs", "ts", "json", "yml", "yaml", "toml", "xml",
    "ini", "py", "rb", "php", "go", "rs", "java", "kt", "sh", "bash", "md", "txt", "html", "lock", "gpg", "asc", "enc",
    "age", "vault", "sops", "pem", "key", "crt", "zip", "gz", "tgz", "bak", "backup", "old", "tmp",
];

/// Extensions of templates a rendering engine reads; an env file named so is no env file.
const ENGINE_TEMPLATE_EXTENSIONS: &[&str] = &["j2", "jinja", "jinja2", "erb", "mustache", "hbs"];

/// Words of well-known env file names (`.env.production.local`, `.env.staging.example`).
const ENV_NAME_WORDS: &[&str] = &[
    "local",
    "dev",
    "develop",
    "development",
    "prod",
    "production",
    "stage",
    "staging",
    "test",
    "testing",
    "qa",
    "uat",
    "ci",
    "e2e",
    "preview",
    "demo",
    "docker",
    "compose",
    "example",
    "sample",
    "template",
    "dist",
    "default",
    "defaults",
    "override",
    "shared",
    "common",
    "secret",
    "secrets",
    "live",
    "release",
    "sandbox",
    "integration",
    "beta",
    "canary",
    "server",
    "backend",
    "frontend",
    "api",
    "web",
    "app",
    "db",
    "database",
    "worker",
];

/// Whether an env file's name says it is one (`.env`, `.env.staging`, `.env.production.local`,
/// `.env.example`): a file so named is read as an env file even when nothing in the repository
/// names it. Other `.env.*` and `*.env` files (`variables.env` is often a shell file) are env
/// files when something reads them as one.
pub fn is_well_known_env_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower == ".env"
        || lower.strip_prefix(".env.").is_some_and(|rest| rest.split('.').all(|w| ENV_NAME_WORDS.contains(&w)))
}

/// The extension after the last dot, lowercased (`""` when there is none).
fn last_extension(lower_name: &str) -> &str {
    lower_name.rsplit_once('.').map_or("", |(_, e)| e)
}

/// Decides what a file is from its root-relative path; `None` when it is no artifact.
/// Extensionless files under `deploy/`, `scripts/`, `bin/` are scripts only with a shell shebang
/// (checked by the caller). A template (`Dockerfile.j2`, `.env.tmpl`) is no artifact: it is
/// rendered before any tool reads it.
pub fn classify(rel: &str) -> Option<Kind> {
    // Test data (Go's `testdata/`, test fixtures) is often broken on purpose and never deployed.
    if crate::source::parent_dir(rel).split('/').any(|d| matches!(d, "testdata" | "fixtures" | "__fixtures__")) {
        return None;
    }
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
    // BuildKit's per-Dockerfile ignore file (`Dockerfile.api.dockerignore`) before Dockerfiles.
    if name == ".dockerignore" || lower.ends_with(".dockerignore") {
        return Some(Kind::DockerIgnore);
    }
    let template = TEMPLATE_EXTENSIONS.contains(&last_extension(&lower));
    if name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || lower.ends_with(".dockerfile")
    {
        return (!template).then_some(Kind::Dockerfile);
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
        let ext = last_extension(&lower);
        let other = NOT_ENV_EXTENSIONS.contains(&ext) || ENGINE_TEMPLATE_EXTENSIONS.contains(&ext);
        return (!other).then_some(Kind::EnvFile);
    }
    if name == ".gitignore" {
        return Some(Kind::GitIgnore);
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
        || (matches!(dir_name, "cron" | "cron.d" | "crontabs") && no_ext)
    {
        return Some(Kind::Crontab);
    }
    None
}

/// The format of a crontab, from where it lies and what it holds: `cron.d/*` and `etc/crontab`
/// are system crontabs (a user field), `crontabs/*` is BusyBox crond's layout, and a crontab
/// whose entries name `root` after the schedule is a system crontab wherever it lies. The model
/// refines this with where the Dockerfiles copy it and what reads it.
pub fn crontab_format(rel: &str, text: &str) -> crontab::Format {
    let dirs: Vec<&str> = crate::source::parent_dir(rel).split('/').collect();
    let name = crate::source::file_name(rel);
    if dirs.contains(&"cron.d") || (name == "crontab" && dirs.last() == Some(&"etc")) {
        return crontab::Format::System;
    }
    if dirs.contains(&"crontabs") {
        return crontab::Format::BusyBox;
    }
    let names_root = text.lines().any(|l| {
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or("");
        let user = if first.starts_with('@') { words.next() } else { words.nth(4) };
        first.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '@') && user == Some("root")
    });
    if names_root { crontab::Format::System } else { crontab::Format::User }
}

/// Whether a path is a crontab's only by its folder (not by its name).
fn crontab_by_folder(rel: &str) -> bool {
    let lower = crate::source::file_name(rel).to_ascii_lowercase();
    let dir_name = crate::source::file_name(crate::source::parent_dir(rel));
    let by_name = lower == "crontab"
        || lower.ends_with(".crontab")
        || lower.ends_with(".cron")
        || (dir_name == "deploy" && lower.starts_with("cron"));
    !by_name
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
    // A file that is a crontab only by its folder (`cron/`, `cron.d/`, `crontabs/`) must hold an
    // entry: such folders also hold READMEs, licences and code without an extension.
    if kind == Some(Kind::Crontab)
        && crontab_by_folder(rel)
        && !text.starts_with("#!")
        && crontab::parse(crate::source::FileId(0), &text, 0).entries.is_empty()
    {
        return None;
    }
    if kind.is_none() || (kind == Some(Kind::Crontab) && text.starts_with("#!")) {
        // A file named like a crontab that starts with a shebang is a script (`backup.cron`).
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
        assert_eq!(classify("docker/crontabs/root"), Some(Kind::Crontab));
        assert_eq!(classify("dotenv/fixtures/invalid.env"), None);
        assert_eq!(classify("pkg/loader/testdata/compose.yml"), None);
    }

    #[test]
    fn look_alikes_are_not_artifacts() {
        assert_eq!(classify("Dockerfile.api.dockerignore"), Some(Kind::DockerIgnore));
        assert_eq!(classify("Dockerfile.dockerignore"), Some(Kind::DockerIgnore));
        for template in ["Dockerfile.j2", "deploy/Dockerfile.tmpl", "Dockerfile.template", "api.dockerfile.j2"] {
            assert_eq!(classify(template), None, "{template}");
        }
        assert_eq!(classify("Dockerfile.prod"), Some(Kind::Dockerfile));
        for other in [".env.patch", ".env.js", ".env.j2", ".env.swp"] {
            assert_eq!(classify(other), None, "{other}");
        }
        for env in [".env.production.local", ".env.staging", "prod.env", ".env.example", ".env.template", ".env.tmpl"] {
            assert_eq!(classify(env), Some(Kind::EnvFile), "{env}");
        }
        let known = [".env", ".env.staging", ".env.production.local", ".env.prod.example"];
        assert!(known.iter().all(|n| is_well_known_env_name(n)));
        assert!(![".env.tmpl", ".env.eu1", ".env.save", "variables.env"].iter().any(|n| is_well_known_env_name(n)));
    }

    #[test]
    fn crontab_formats() {
        use crontab::Format;
        assert_eq!(crontab_format("docker/cron.d/app", "0 1 * * * www-data run\n"), Format::System);
        assert_eq!(crontab_format("etc/crontab", ""), Format::System);
        assert_eq!(crontab_format("deploy/crontab", "SHELL=/bin/sh\n@daily root /app/backup\n"), Format::System);
        assert_eq!(crontab_format("docker/crontabs/root", "0 1 * * * run\n"), Format::BusyBox);
        assert_eq!(crontab_format("deploy/crontab", "0 1 * * * /app/rootkit-scan\n"), Format::User);
    }

    #[test]
    fn a_crontab_with_a_shebang_is_a_script_and_one_by_its_folder_holds_an_entry() {
        let dir = std::env::temp_dir().join(format!("deploylint-cron-shebang-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("cron"));
        let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).is_ok();
        assert!(write("nightly.cron", "#!/bin/sh\ndocker compose run --rm app backup\n"));
        assert!(write("report.cron", "#!/usr/bin/env python3\nprint('x')\n"));
        assert!(write("app.cron", "0 1 * * * /app/run\n"));
        assert!(write("cron/cleanup", "#!/bin/bash\nfind /tmp -delete\n"));
        assert!(write("cron/NOTES", "These jobs run on the worker host.\n"));
        assert!(write("cron/jobs", "# nightly\n0 1 * * * /app/run\nnot an entry\n"));
        let found = discover(&dir, &[]).map(|d| d.files).unwrap_or_default();
        let kinds: Vec<(&str, Kind)> = found.iter().map(|f| (f.path.as_str(), f.kind)).collect();
        let _ = std::fs::remove_dir_all(&dir);
        let want = [
            ("app.cron", Kind::Crontab),
            ("cron/cleanup", Kind::Shell),
            ("cron/jobs", Kind::Crontab),
            ("nightly.cron", Kind::Shell),
        ];
        assert_eq!(kinds, want);
    }
}
