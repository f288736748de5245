//! Discovery: the only code that touches the filesystem. One walk of the root that honours
//! `.gitignore` (read by `ignore`, never by running git), still sees git-ignored env files,
//! never leaves the root through a symlink, and classifies every artifact it reads.

use crate::parse::crontab;
use crate::source::{Kind, SourceFile, parent_dir, path_text};
use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::{Override, OverrideBuilder};
use ignore::{WalkBuilder, WalkState};
use rayon::slice::ParallelSliceMut;
use std::collections::{BTreeMap, BTreeSet};
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
    "*.crond",
    "*cron*",
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
    "*.rs",
    "*.py",
    "*.js",
    "*.mjs",
    "*.cjs",
    "*.ts",
    "*.mts",
    "*.cts",
    "package.json",
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
    "*.ini",
    "*.sql",
    "*.timer",
    "*.service",
    "**/k8s/**/*.yml",
    "**/k8s/**/*.yaml",
    "**/kubernetes/**/*.yml",
    "**/kubernetes/**/*.yaml",
    "**/kube/**/*.yml",
    "**/kube/**/*.yaml",
    "**/manifests/**/*.yml",
    "**/manifests/**/*.yaml",
    "!.git/",
];

fn is_sql(path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".sql")
}

/// Whether a file is noted in the tree without being read: a manifest, or an SQL file.
fn is_noted(path: &str) -> bool {
    MANIFEST_NAMES.contains(&crate::source::file_name(path)) || is_sql(path)
}

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
    /// SQL files (`*.sql`), noted by path only: where migrations are.
    pub sql_files: BTreeSet<String>,
    /// The text of each `.gitignore` read, by its directory (`""` for the root): what a path
    /// the walk never saw may be left out by.
    pub gitignores: BTreeMap<String, String>,
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
        // An INI file is noted only when it holds ofelia jobs: another one may be there.
        let noted = classify(path).is_some_and(|k| k != Kind::OfeliaIni);
        (noted || MANIFEST_NAMES.contains(&name)).then_some(false)
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
    // Test data (Go's `testdata/`, test fixtures) is often broken on purpose and never deployed;
    // vendored dependencies (Go's `vendor/`, `node_modules/`) are other projects' files.
    if crate::source::parent_dir(rel).split('/').any(|d| {
        matches!(
            d,
            "testdata"
                | "fixtures"
                | "__fixtures__"
                | "vendor"
                | "node_modules"
                | "bower_components"
                | ".venv"
                | "venv"
                | "site-packages"
                | "dist-packages"
                | "__pycache__"
        )
    }) {
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
    if lower.ends_with(".ini") && lower.contains("wsgi") {
        return Some(Kind::UwsgiIni);
    }
    // Any INI file may be an ofelia config (`ofelia.ini`, `jobs.ini`, `scheduler/config.ini`
    // mounted at `/etc/ofelia/config.ini`): it is one when it holds a job section.
    if lower.ends_with(".ini") {
        return Some(Kind::OfeliaIni);
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
    if let Some(kind) = code_kind(name, &lower) {
        return Some(kind);
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
    if lower.ends_with(".timer") || lower.ends_with(".service") {
        return Some(Kind::SystemdUnit);
    }
    if (lower.ends_with(".yml") || lower.ends_with(".yaml"))
        && !template
        && (lower.contains("cron") || dir.split('/').any(|d| matches!(d, "k8s" | "kubernetes" | "kube" | "manifests")))
    {
        return Some(Kind::KubeManifest);
    }
    let no_ext = !name.contains('.');
    if name == "crontab"
        || lower.ends_with(".crontab")
        || lower.ends_with(".cron")
        || lower.ends_with(".crond")
        || (dir_name == "deploy" && lower.starts_with("cron") && no_ext)
        || (matches!(dir_name, "cron" | "cron.d" | "crontabs") && no_ext)
        || (lower.contains("cron") && no_ext)
    {
        return Some(Kind::Crontab);
    }
    None
}

/// The kind of a source file of Rust (not a binary's main file), Python or Node. Type
/// declarations (`.d.ts`) and minified bundles hold no code of the repository's own.
fn code_kind(name: &str, lower: &str) -> Option<Kind> {
    if name == "package.json" {
        return Some(Kind::PackageJson);
    }
    let ext = lower.rsplit_once('.').map_or("", |(_, e)| e);
    match ext {
        "rs" => Some(Kind::Rust),
        "py" => Some(Kind::Python),
        "js" | "mjs" | "cjs" | "ts" | "mts" | "cts" => {
            let declarations = lower.ends_with(".d.ts") || lower.ends_with(".d.mts") || lower.ends_with(".d.cts");
            (!declarations && !lower.ends_with(".min.js")).then_some(Kind::Js)
        }
        _ => None,
    }
}

/// The format of a crontab, from where it lies and what it holds: `cron.d/*` and `etc/crontab`
/// are system crontabs (a user field), `crontabs/*` is BusyBox crond's layout, and a crontab
/// whose entries name `root` after the schedule is a system crontab wherever it lies. The model
/// refines this with where the Dockerfiles copy it and what reads it.
pub fn crontab_format(rel: &str, text: &str) -> crontab::Format {
    let dirs: Vec<&str> = crate::source::parent_dir(rel).split('/').collect();
    let name = crate::source::file_name(rel);
    if dirs.contains(&"cron.d")
        || (name == "crontab" && dirs.last() == Some(&"etc"))
        || name.to_ascii_lowercase().ends_with(".crond")
    {
        return crontab::Format::System;
    }
    if dirs.contains(&"crontabs") {
        return crontab::Format::BusyBox;
    }
    let names_root = text.lines().any(|l| {
        let mut words = l.split_whitespace();
        let first = words.next().unwrap_or("");
        let user = if first.starts_with('@') { words.next() } else { words.nth(4) };
        first.starts_with(|c: char| c.is_ascii_digit() || c == '*' || c == '@') && user.is_some_and(is_system_user)
    });
    if names_root { crontab::Format::System } else { crontab::Format::User }
}

/// Accounts that run the commands of system crontabs; no command is named so. A crontab whose
/// entries name one after the schedule is a system crontab wherever it lies.
fn is_system_user(word: &str) -> bool {
    matches!(
        word,
        "root"
            | "www-data"
            | "nobody"
            | "daemon"
            | "nginx"
            | "apache"
            | "www"
            | "http"
            | "postgres"
            | "mysql"
            | "redis"
    )
}

/// Whether a path is a crontab's only by its folder or a name that merely holds `cron`
/// (`hello-cron`, `cronjobs`): then it must hold an entry to be one.
fn crontab_by_folder(rel: &str) -> bool {
    let lower = crate::source::file_name(rel).to_ascii_lowercase();
    let dir_name = crate::source::file_name(crate::source::parent_dir(rel));
    let by_name = lower == "crontab"
        || lower.ends_with(".crontab")
        || lower.ends_with(".cron")
        || lower.ends_with(".crond")
        || (dir_name == "deploy" && lower.starts_with("cron"));
    !by_name
}

/// Whether a path is a crontab's only because its name holds `cron` (`hello-cron`).
fn crontab_by_name_hint(rel: &str) -> bool {
    let dir_name = crate::source::file_name(crate::source::parent_dir(rel));
    crontab_by_folder(rel) && !matches!(dir_name, "cron" | "cron.d" | "crontabs")
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
}

/// The `.gitignore` matchers read so far, by directory relative to the root. A directory's
/// matcher is read when the walk reaches the directory, before any of its entries.
#[derive(Default)]
struct Ignores {
    /// Keyed by the directory's path bytes (`""` for the root): hashing bytes is cheap, and
    /// every entry of the walk looks up each of its ancestors.
    by_dir: std::sync::RwLock<std::collections::HashMap<Vec<u8>, Gitignore>>,
    texts: std::sync::Mutex<BTreeMap<String, String>>,
}

impl Ignores {
    /// Whether `.gitignore` files leave `rel` out: the deepest one with a matching pattern
    /// decides (a directory left out is not walked, so parents need no look).
    fn ignored(&self, root: &Path, rel: &Path, is_dir: bool) -> bool {
        let Ok(map) = self.by_dir.read() else { return false };
        if map.is_empty() {
            return false;
        }
        let full = root.join(rel);
        let bytes = rel.as_os_str().as_encoded_bytes();
        // The ancestors of `rel`, nearest first, down to the root (`""`).
        let mut end = bytes.len();
        while end > 0 {
            end =
                bytes.get(..end).and_then(|b| b.iter().rposition(|&c| std::path::is_separator(c as char))).unwrap_or(0);
            let dir = bytes.get(..end).unwrap_or_default();
            if let Some(g) = map.get(dir) {
                let m = g.matched(&full, is_dir);
                if m.is_ignore() {
                    return true;
                }
                if m.is_whitelist() {
                    return false;
                }
            }
        }
        false
    }

    /// Reads the `.gitignore` of a directory (never waiting on it, never following it out of
    /// the root); a file that is there and cannot be read is a skipped entry.
    fn load(&self, root: &Path, canonical_root: &Path, rel_dir: &Path) -> Option<Skipped> {
        let rel = rel_dir.join(".gitignore");
        // A directory that cannot be searched is reported as such (the walk's error), not as
        // a `.gitignore` that may not be there.
        if std::fs::symlink_metadata(root.join(&rel)).is_err() {
            return None;
        }
        let bytes = match read_regular(canonical_root, &root.join(&rel), MAX_FILE_SIZE, None) {
            Ok(b) => b,
            Err(Unread::Missing | Unread::Directory) => return None,
            Err(Unread::Reason(reason)) => {
                return Some(Skipped { path: path_text(&rel), kind: Kind::GitIgnore, reason });
            }
        };
        self.add(root, rel_dir, Some(&bytes));
        None
    }

    /// Takes the `.gitignore` of a directory, read (`None` when it has none).
    fn add(&self, root: &Path, rel_dir: &Path, bytes: Option<&[u8]>) {
        let Some(bytes) = bytes else { return };
        if let Ok(mut texts) = self.texts.lock() {
            texts.insert(rel_dir.to_string_lossy().replace('\\', "/"), String::from_utf8_lossy(bytes).into_owned());
        }
        let mut b = GitignoreBuilder::new(root.join(rel_dir));
        for line in String::from_utf8_lossy(bytes).lines() {
            // A pattern git cannot read is no pattern; the rest of the file still counts.
            let _ = b.add_line(None, line);
        }
        if let (Ok(g), Ok(mut map)) = (b.build(), self.by_dir.write()) {
            map.insert(rel_dir.as_os_str().as_encoded_bytes().to_vec(), g);
        }
    }
}

/// How many threads the walk uses: the run's thread count (`--threads`, else
/// `RAYON_NUM_THREADS`, else one per CPU).
fn walk_threads() -> usize {
    rayon::current_num_threads().max(1)
}

/// Whether a file name ends in an extension one of the artifact globs (`*.go`, `*.md`, …)
/// takes whatever the file's place; with no `exclude` globs, such a file is an artifact to the
/// walk without asking the glob matcher.
fn artifact_by_extension(name: &[u8]) -> bool {
    const EXTENSIONS: &[&[u8]] = &[b".go", b".md", b".sh", b".py", b".js", b".ts", b".rs"];
    EXTENSIONS.iter().any(|e| name.ends_with(e))
}

/// What a walk looks at: the artifact globs, less the config's `exclude` globs.
fn overrides(root: &Path, exclude: &[String]) -> std::io::Result<Override> {
    let mut overrides = OverrideBuilder::new(root);
    // The globs are constants and known to be valid. Manifests are walked to be noted in the
    // tree (never read).
    for glob in ARTIFACT_GLOBS.iter().chain(MANIFEST_NAMES) {
        let _ = overrides.add(glob);
    }
    for glob in exclude {
        overrides.add(&format!("!{glob}")).map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("invalid exclude glob `{glob}`: {e}"))
        })?;
    }
    overrides.build().map_err(std::io::Error::other)
}

/// Walks `root` and reads every artifact. `exclude` holds gitignore-style globs from the config.
/// An error about the root itself (it cannot be listed) is an error; an error about anything
/// under it is a skipped entry, never dropped.
pub fn discover(root: &Path, exclude: &[String]) -> std::io::Result<Discovered> {
    let canonical_root = root.canonicalize()?;
    // The root must be listable: a run that read nothing must not pass.
    std::fs::read_dir(root)?;
    let overrides = overrides(root, exclude)?;
    // A file named `*.go`, `*.md`, … is an artifact whatever its place, unless an `exclude`
    // glob may say otherwise: the glob matcher is asked only about the other files.
    let by_name = exclude.is_empty();
    // `.gitignore` files are read here, not by the walker: the walker opens them without looking
    // at what they are, and a FIFO called `.gitignore` would hang it. Nothing above the root is
    // read. The artifact globs are applied here too, as the walker would.
    let walker = WalkBuilder::new(root)
        .standard_filters(false)
        .require_git(false)
        .follow_links(false)
        .threads(walk_threads())
        .build_parallel();
    let ignores = Ignores::default();
    let entries: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
    let fatal: Mutex<Option<std::io::Error>> = Mutex::new(None);
    // Directories entered and manifests seen (not read), for `Tree`.
    let seen: Mutex<(Vec<String>, Vec<String>)> = Mutex::new((Vec::new(), Vec::new()));
    let push = |e: Entry| {
        if let Ok(mut v) = entries.lock() {
            v.push(e);
        }
    };
    walker.run(|| {
        Box::new(|result| {
            let entry = match result {
                Ok(entry) => entry,
                Err(err) => {
                    for e in error_entries(root, &err) {
                        match e {
                            Ok(skipped) => push(Entry::Skip(skipped)),
                            Err(reason) => {
                                if let Ok(mut f) = fatal.lock() {
                                    f.get_or_insert_with(|| std::io::Error::other(reason));
                                }
                            }
                        }
                    }
                    return WalkState::Continue;
                }
            };
            let path = entry.path();
            let Ok(rel) = path.strip_prefix(root) else {
                return WalkState::Continue;
            };
            let is_dir = entry.file_type().is_some_and(|t| t.is_dir());
            if is_dir {
                if !rel.as_os_str().is_empty()
                    && (overrides.matched(path, true).is_ignore() || ignores.ignored(root, rel, true))
                {
                    return WalkState::Skip;
                }
                if let Some(s) = ignores.load(root, &canonical_root, rel) {
                    push(Entry::Skip(s));
                }
                if !rel.as_os_str().is_empty()
                    && let Ok(mut s) = seen.lock()
                {
                    s.0.push(path_text(rel));
                }
                return WalkState::Continue;
            }
            if rel.as_os_str().is_empty() {
                return WalkState::Continue;
            }
            let named = by_name && path.file_name().is_some_and(|n| artifact_by_extension(n.as_encoded_bytes()));
            if !named && overrides.matched(path, false).is_ignore() {
                return WalkState::Continue;
            }
            let text = path_text(rel);
            if is_noted(&text)
                && !ignores.ignored(root, rel, false)
                && let Ok(mut s) = seen.lock()
            {
                s.1.push(text.clone());
            }
            if let Some(item) =
                read_entry(&canonical_root, path, entry.file_type(), &text, || ignores.ignored(root, rel, false))
            {
                push(item);
            }
            WalkState::Continue
        })
    });
    if let Some(e) = fatal.into_inner().ok().flatten() {
        return Err(e);
    }
    let (dirs, manifests) = seen.into_inner().unwrap_or_default();
    Ok(assemble(entries.into_inner().unwrap_or_default(), dirs, manifests, ignores))
}

/// The files read, the files skipped and the tree, sorted: the end of every discovery.
fn assemble(entries: Vec<Entry>, dirs: Vec<String>, manifests: Vec<String>, ignores: Ignores) -> Discovered {
    let mut out = Discovered::default();
    out.tree.gitignores = ignores.texts.into_inner().unwrap_or_default();
    for e in entries {
        match e {
            Entry::File(f) => out.files.push(f),
            Entry::Skip(s) => out.skipped.push(s),
        }
    }
    out.tree.dirs = dirs.into_iter().collect();
    let (sql, mut manifests): (Vec<String>, Vec<String>) = manifests.into_iter().partition(|p| is_sql(p));
    out.tree.sql_files = sql.into_iter().collect();
    out.files.par_sort_by(|a, b| a.path.cmp(&b.path));
    // One collection (sorted, then built in bulk) rather than an insert per path.
    manifests.extend(out.skipped.iter().map(|s| s.path.clone()));
    manifests.extend(out.files.iter().filter(|f| !f.git_ignored).map(|f| f.path.clone()));
    manifests.par_sort_unstable();
    out.tree.files = manifests.into_iter().collect();
    out.skipped.sort_by(|a, b| (&a.path, &a.reason).cmp(&(&b.path, &b.reason)));
    out.skipped.dedup();
    out
}

/// Discovery of a repository held in memory, as root-relative paths (`/`-separated, without
/// `.` or `..`) and their bytes: what [`discover`] does after reading, the same classification,
/// `.gitignore` files, `exclude` globs and [`Tree`], with no filesystem. Markdown test cases and
/// rule docs' examples are built this way.
pub fn discover_in_memory(files: &[(String, Vec<u8>)], exclude: &[String]) -> std::io::Result<Discovered> {
    let invalid = |m: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, m);
    let mut by_path = std::collections::BTreeMap::new();
    for (path, bytes) in files {
        if path.split('/').any(|p| matches!(p, "" | "." | "..")) {
            return Err(invalid(format!("`{path}` is no root-relative path")));
        }
        if by_path.insert(path.as_str(), bytes.as_slice()).is_some() {
            return Err(invalid(format!("`{path}` is given twice")));
        }
    }
    // Nothing is read under this path: it only anchors the glob and `.gitignore` matchers.
    let root = Path::new("/in-memory");
    let overrides = overrides(root, exclude)?;
    let ignores = Ignores::default();
    let mut dirs = BTreeSet::new();
    for path in by_path.keys() {
        let mut dir = parent_dir(path);
        while !dir.is_empty() {
            dirs.insert(dir);
            dir = parent_dir(dir);
        }
    }
    // Directories in order, a parent before its children, as the walk enters them.
    ignores.add(root, Path::new(""), by_path.get(".gitignore").copied());
    let mut entered = Vec::new();
    let mut pruned: Vec<&str> = Vec::new();
    for dir in dirs {
        let under_pruned = pruned.iter().any(|p| dir.strip_prefix(p).is_some_and(|r| r.starts_with('/')));
        if under_pruned
            || overrides.matched(root.join(dir), true).is_ignore()
            || ignores.ignored(root, Path::new(dir), true)
        {
            pruned.push(dir);
            continue;
        }
        ignores.add(root, Path::new(dir), by_path.get(format!("{dir}/.gitignore").as_str()).copied());
        entered.push(dir.to_string());
    }
    let mut entries = Vec::new();
    let mut manifests = Vec::new();
    for (path, bytes) in by_path {
        let dir = parent_dir(path);
        if (!dir.is_empty() && !entered.iter().any(|d| d == dir))
            || overrides.matched(root.join(path), false).is_ignore()
        {
            continue;
        }
        let rel = Path::new(path);
        if is_noted(path) && !ignores.ignored(root, rel, false) {
            manifests.push(path.to_string());
        }
        let Some((kind, git_ignored)) = wanted(path, || ignores.ignored(root, rel, false)) else { continue };
        let entry = if bytes.len() as u64 > MAX_FILE_SIZE {
            skip_entry(path, kind, "larger than the 4 MiB limit")
        } else {
            entry_from_bytes(path, kind, git_ignored, bytes.to_vec())
        };
        entries.extend(entry);
    }
    Ok(assemble(entries, entered, manifests, ignores))
}

/// What a walker error means: a skipped entry at each place under the root it names (a
/// directory that cannot be listed, gone, or looping), or, for the root itself, the reason the
/// run cannot happen. An error that names no place is the root's to carry, as a skipped entry.
fn error_entries(root: &Path, err: &ignore::Error) -> Vec<Result<Skipped, String>> {
    walk_errors(err)
        .into_iter()
        .map(|(path, reason)| match path.as_deref().map(|p| p.strip_prefix(root)) {
            Some(Ok(rel)) if rel.as_os_str().is_empty() => Err(reason),
            Some(Ok(rel)) => Ok(Skipped { path: path_text(rel), kind: Kind::Directory, reason }),
            Some(Err(_)) | None => Ok(Skipped { path: ".".into(), kind: Kind::Directory, reason }),
        })
        .collect()
}

/// Every place and reason a walker error names (a partial error names several).
fn walk_errors(err: &ignore::Error) -> Vec<(Option<PathBuf>, String)> {
    match err {
        ignore::Error::Partial(errs) => errs.iter().flat_map(walk_errors).collect(),
        ignore::Error::WithLineNumber { err, .. } | ignore::Error::WithDepth { err, .. } => walk_errors(err),
        ignore::Error::WithPath { path, err } => {
            let mut inner = walk_errors(err);
            for (p, _) in &mut inner {
                p.get_or_insert_with(|| path.clone());
            }
            inner
        }
        ignore::Error::Loop { child, .. } => vec![(Some(child.clone()), "a directory symlink loop".into())],
        ignore::Error::Io(e) => vec![(None, format!("a directory that cannot be listed ({})", io_reason(e)))],
        other => vec![(None, format!("the walk failed ({other})"))],
    }
}

/// An I/O error in words, without the path (which the finding shows, escaped).
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::NotFound => "it was removed during the walk".into(),
        _ => e.to_string(),
    }
}

/// Why a file was not read.
enum Unread {
    /// Nothing is there.
    Missing,
    /// A directory (the walk reaches it on its own).
    Directory,
    Reason(String),
}

/// What a file that is not a regular file is.
fn special_kind(t: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_socket() {
            return "a socket";
        }
        if t.is_block_device() || t.is_char_device() {
            return "a device";
        }
    }
    let _ = t;
    "not a regular file"
}

/// Opens a file for reading without waiting: a FIFO swapped in after the type was checked
/// must not block the open.
fn open_nonblocking(path: &Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// Reads a regular file of at most `limit` bytes. Never follows a symlink out of the root, never
/// opens a FIFO, socket or device (nor waits on one), never reads more than `limit + 1` bytes.
/// `known` is the type the walk saw (from the directory listing, without a `stat`).
fn read_regular(
    canonical_root: &Path,
    path: &Path,
    limit: u64,
    known: Option<std::fs::FileType>,
) -> Result<Vec<u8>, Unread> {
    use std::io::Read;
    let reason = |r: &str| Err(Unread::Reason(r.to_string()));
    let unreadable = |e: &std::io::Error| Err(Unread::Reason(format!("unreadable ({})", io_reason(e))));
    let file_type = match known {
        Some(t) => t,
        None => match std::fs::symlink_metadata(path) {
            Ok(m) => m.file_type(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(Unread::Missing),
            Err(e) => return unreadable(&e),
        },
    };
    // A regular file the directory listing named needs no second look; anything reached
    // another way is looked at again once opened.
    let listed_regular = known.is_some_and(|t| t.is_file());
    let file_type = if file_type.is_symlink() {
        match path.canonicalize() {
            Ok(target) if target.starts_with(canonical_root) => {}
            Ok(_) => return reason("a symlink that leaves the root"),
            Err(_) => return reason("a broken or looping symlink"),
        }
        match std::fs::metadata(path) {
            Ok(m) => m.file_type(),
            Err(e) => return unreadable(&e),
        }
    } else {
        file_type
    };
    if file_type.is_dir() {
        return Err(Unread::Directory);
    }
    if !file_type.is_file() {
        return reason(&format!("{} (never opened)", special_kind(file_type)));
    }
    let file = match open_nonblocking(path) {
        Ok(f) => f,
        Err(e) => return unreadable(&e),
    };
    // What was opened may not be what was looked at. A file swapped for a FIFO or a device
    // after the listing is still never waited on (it was opened without blocking) and never
    // read past the limit.
    if !listed_regular {
        match file.metadata() {
            Ok(m) if m.is_file() && m.len() > limit => return reason("larger than the 4 MiB limit"),
            Ok(m) if m.is_file() => {}
            Ok(m) => return reason(&format!("{} (never read)", special_kind(m.file_type()))),
            Err(e) => return unreadable(&e),
        }
    }
    // One reused buffer per thread, then one allocation of the exact size.
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with_borrow_mut(|buf| {
        buf.clear();
        if let Err(e) = file.take(limit + 1).read_to_end(buf) {
            return unreadable(&e);
        }
        if buf.len() as u64 > limit {
            buf.clear();
            buf.shrink_to(64 * 1024);
            return reason("larger than the 4 MiB limit");
        }
        let bytes = buf.as_slice().to_vec();
        if buf.capacity() > 1024 * 1024 {
            buf.clear();
            buf.shrink_to(64 * 1024);
        }
        Ok(bytes)
    })
}

/// Reads a file named on the command line (which may lie outside the root): a regular file
/// (a symlink to one is followed: the user named it), never waited on, at most 4 MiB, UTF-8.
pub fn read_given_file(path: &Path) -> Result<String, String> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {}
        Ok(m) => return Err(format!("{} (never opened)", special_kind(m.file_type()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err("no such file".to_string()),
        Err(e) => return Err(io_reason(&e)),
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let canonical = path.canonicalize().map_err(|e| io_reason(&e))?;
    let within = canonical.parent().map(Path::to_path_buf).unwrap_or_else(|| parent.to_path_buf());
    let bytes = match read_regular(&within, &canonical, MAX_FILE_SIZE, None) {
        Ok(b) => b,
        Err(Unread::Reason(r)) => return Err(r),
        Err(Unread::Missing) => return Err("not found".to_string()),
        Err(Unread::Directory) => return Err("a directory".to_string()),
    };
    let text = String::from_utf8(bytes).map_err(|_| "not valid UTF-8".to_string())?;
    Ok(text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text))
}

/// Whether a file is read, and as what: `None` when it is no artifact or `.gitignore` leaves
/// it out (env files are read even then, and marked). A kind of `None` is a file that may be a
/// script by its shebang.
fn wanted(rel: &str, ignored: impl Fn() -> bool) -> Option<(Option<Kind>, bool)> {
    let kind = classify(rel);
    if kind.is_none() && !maybe_shebang_script(rel) {
        return None;
    }
    // `.gitignore` files are read when the walk enters their directory.
    if kind == Some(Kind::GitIgnore) {
        return None;
    }
    let git_ignored = ignored();
    if git_ignored && kind != Some(Kind::EnvFile) {
        return None;
    }
    Some((kind, git_ignored))
}

/// A file that could not be read. One that is an artifact only by its shebang is not reported,
/// nor source code (its keys are then unknown, silently).
fn skip_entry(rel: &str, kind: Option<Kind>, reason: &str) -> Option<Entry> {
    let kind = kind?;
    if matches!(kind, Kind::Rust | Kind::Python | Kind::Js | Kind::PackageJson | Kind::OfeliaIni) {
        return None;
    }
    Some(Entry::Skip(Skipped { path: rel.to_string(), kind, reason: reason.to_string() }))
}

/// Reads one walked file (see [`wanted`]).
fn read_entry(
    canonical_root: &Path,
    path: &Path,
    known: Option<std::fs::FileType>,
    rel: &str,
    ignored: impl Fn() -> bool,
) -> Option<Entry> {
    let (kind, git_ignored) = wanted(rel, ignored)?;
    match read_regular(canonical_root, path, MAX_FILE_SIZE, known) {
        Ok(bytes) => entry_from_bytes(rel, kind, git_ignored, bytes),
        Err(Unread::Missing | Unread::Directory) => None,
        Err(Unread::Reason(r)) => skip_entry(rel, kind, &r),
    }
}

/// A file from its bytes: skipped when it is binary or not UTF-8, dropped when its text says
/// it is no artifact after all.
fn entry_from_bytes(rel: &str, kind: Option<Kind>, git_ignored: bool, bytes: Vec<u8>) -> Option<Entry> {
    let mut kind = kind;
    // A file that is a crontab only because its name holds `cron`, or an INI file (an ofelia
    // config only by what it holds), is no artifact when it is not text.
    let by_hint = (kind == Some(Kind::Crontab) && crontab_by_name_hint(rel)) || kind == Some(Kind::OfeliaIni);
    if by_hint && (bytes.contains(&0) || std::str::from_utf8(&bytes).is_err()) {
        return None;
    }
    if bytes.contains(&0) {
        return skip_entry(rel, kind, "a binary file");
    }
    let Ok(text) = String::from_utf8(bytes) else {
        return skip_entry(rel, kind, "not valid UTF-8");
    };
    // A file that is a crontab only by its folder (`cron/`, `cron.d/`, `crontabs/`) or a name that
    // holds `cron` must hold an entry: such folders also hold READMEs, licences and code without
    // an extension.
    if kind == Some(Kind::Crontab)
        && crontab_by_folder(rel)
        && !text.starts_with("#!")
        && crontab::parse(crate::source::FileId(0), &text, 0).entries.is_empty()
    {
        return None;
    }
    // An INI file is an artifact only when it holds ofelia jobs.
    if kind == Some(Kind::OfeliaIni) && !crate::parse::ofelia::has_jobs(&text) {
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
    // A leading BOM is not part of any artifact's syntax.
    let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
    Some(Entry::File(SourceFile::new(rel.to_string(), kind, text, git_ignored)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn io(kind: std::io::ErrorKind) -> ignore::Error {
        ignore::Error::Io(std::io::Error::from(kind))
    }

    #[test]
    fn walker_errors_are_skips_or_the_root_error() {
        let root = Path::new("/repo");
        let denied = ignore::Error::WithDepth {
            depth: 2,
            err: Box::new(ignore::Error::WithPath {
                path: root.join("a/secret"),
                err: Box::new(io(std::io::ErrorKind::PermissionDenied)),
            }),
        };
        let got = error_entries(root, &denied);
        assert_eq!(
            got,
            vec![Ok(Skipped {
                path: "a/secret".into(),
                kind: Kind::Directory,
                reason: "a directory that cannot be listed (permission denied)".into()
            })]
        );
        let at_root =
            ignore::Error::WithPath { path: root.to_path_buf(), err: Box::new(io(std::io::ErrorKind::Other)) };
        assert!(matches!(error_entries(root, &at_root).as_slice(), [Err(_)]));
        // Several errors at once, and one with no place: none is dropped.
        let partial = ignore::Error::Partial(vec![
            ignore::Error::WithPath { path: root.join("gone"), err: Box::new(io(std::io::ErrorKind::NotFound)) },
            ignore::Error::Loop { ancestor: root.to_path_buf(), child: root.join("loop") },
            io(std::io::ErrorKind::Other),
        ]);
        let paths: Vec<String> =
            error_entries(root, &partial).into_iter().filter_map(|e| e.ok()).map(|s| s.path).collect();
        assert_eq!(paths, vec!["gone", "loop", "."]);
    }

    #[cfg(unix)]
    #[test]
    fn special_files_are_never_opened() {
        let dir = std::env::temp_dir().join(format!("deploylint-fifo-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let _ = std::fs::create_dir_all(&dir);
        let fifo = dir.join("Dockerfile");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().is_ok_and(|s| s.success());
        if made {
            let canonical = dir.canonicalize().unwrap_or_else(|_| dir.clone());
            let got = read_regular(&canonical, &fifo, MAX_FILE_SIZE, None);
            assert!(matches!(got, Err(Unread::Reason(r)) if r.starts_with("a FIFO")));
            // Opened without waiting even when the type check is passed by.
            assert!(open_nonblocking(&fifo).is_ok());
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(made, "mkfifo is needed for this test");
    }

    #[test]
    fn a_file_taken_by_its_extension_is_one_the_artifact_globs_take() {
        let root = Path::new("/repo");
        let globs = overrides(root, &[]).unwrap_or_else(|e| panic!("{e}"));
        for name in ["main.go", ".go", "README.md", "x.sh", "a.py", "b.js", "c.ts", "lib.rs", "x.test.go"] {
            assert!(artifact_by_extension(name.as_bytes()), "{name}");
            for dir in ["", "a/", "a/b/.hidden/", "deploy/", "vendor/", ".git/x/"] {
                let path = root.join(format!("{dir}{name}"));
                assert!(globs.matched(&path, false).is_whitelist(), "{}", path.display());
            }
        }
        for name in ["main.GO", "x.go.txt", "Makefile", "notes.mdx", "go", "x.tsx"] {
            assert!(!artifact_by_extension(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn classifies_artifacts() {
        assert_eq!(classify("backend/Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(classify("api.Dockerfile"), Some(Kind::Dockerfile));
        assert_eq!(classify("docker-compose.prod.yml"), Some(Kind::Compose));
        assert_eq!(classify(".env.prod.example"), Some(Kind::EnvFile));
        assert_eq!(classify("deploy/crontab"), Some(Kind::Crontab));
        assert_eq!(classify("backend/cron/jobs.go"), Some(Kind::Go));
        assert_eq!(classify("docs/DEPLOY.md"), Some(Kind::Markdown));
        assert_eq!(classify("deploy/systemd/sync.timer"), Some(Kind::SystemdUnit));
        assert_eq!(classify("deploy/scheduler/config.ini"), Some(Kind::OfeliaIni));
        assert_eq!(classify("uwsgi.ini"), Some(Kind::UwsgiIni));
        // An INI file that is not there may be one that holds no jobs: the tree cannot tell.
        let tree = Tree { dirs: ["deploy".to_string()].into(), ..Tree::default() };
        assert_eq!(tree.exists("deploy/php.ini"), None);
        assert_eq!(tree.exists("deploy/compose.yaml"), Some(false));
        assert_eq!(classify("deploy/systemd/sync.service"), Some(Kind::SystemdUnit));
        assert_eq!(classify("k8s/overlays/prod/jobs.yaml"), Some(Kind::KubeManifest));
        assert_eq!(classify("deploy/backup-cronjob.yml"), Some(Kind::KubeManifest));
        assert_eq!(classify("config/settings.yaml"), None);
        assert_eq!(classify("docker-compose.cron.yml"), Some(Kind::Compose));
        assert_eq!(classify("src/main.rs"), Some(Kind::RustMain));
        assert_eq!(classify("src/lib.rs"), Some(Kind::Rust));
        assert_eq!(classify("app/settings.py"), Some(Kind::Python));
        assert_eq!(classify("web/src/server.ts"), Some(Kind::Js));
        assert_eq!(classify("web/package.json"), Some(Kind::PackageJson));
        assert_eq!(classify("web/types/env.d.ts"), None);
        assert_eq!(classify("web/public/app.min.js"), None);
        assert_eq!(classify("web/node_modules/left-pad/index.js"), None);
        assert_eq!(classify(".venv/lib/python3.12/site-packages/django/conf.py"), None);
        assert_eq!(classify("venv/lib/x.py"), None);
        assert_eq!(classify("usr/lib/python3/dist-packages/y.py"), None);
        assert_eq!(classify("crates/api/src/bin/admin.rs"), Some(Kind::RustMain));
        assert_eq!(classify("src/bin/tool/main.rs"), Some(Kind::RustMain));
        assert_eq!(classify(".github/workflows/release.yml"), Some(Kind::GithubWorkflow));
        assert_eq!(classify(".gitlab-ci.yml"), Some(Kind::GitlabCi));
        assert_eq!(classify("backend/Makefile"), Some(Kind::Makefile));
        assert_eq!(classify("docker/crontabs/root"), Some(Kind::Crontab));
        assert_eq!(classify("ops/app.crond"), Some(Kind::Crontab));
        assert_eq!(classify("docker/hello-cron"), Some(Kind::Crontab));
        assert_eq!(classify("src/cron.py"), Some(Kind::Python));
        assert_eq!(classify("docs/cron.txt"), None);
        assert_eq!(classify("dotenv/fixtures/invalid.env"), None);
        assert_eq!(classify("pkg/loader/testdata/compose.yml"), None);
        assert_eq!(classify("vendor/github.com/x/migrate/Dockerfile"), None);
        assert_eq!(classify("web/node_modules/pkg/.env.example"), None);
        assert_eq!(classify("vendor/github.com/x/y/z.go"), None);
    }

    #[test]
    fn look_alikes_are_not_artifacts() {
        assert_eq!(classify("Dockerfile.api.dockerignore"), Some(Kind::DockerIgnore));
        assert_eq!(classify("Dockerfile.dockerignore"), Some(Kind::DockerIgnore));
        for template in ["Dockerfile.j2", "deploy/Dockerfile.tmpl", "Dockerfile.template", "api.dockerfile.j2"] {
            assert_eq!(classify(template), None, "{template}");
        }
        assert_eq!(classify("Dockerfile.prod"), Some(Kind::Dockerfile));
        assert_eq!(classify(".env.js"), Some(Kind::Js));
        for other in [".env.patch", ".env.j2", ".env.swp"] {
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
        assert_eq!(crontab_format("ops/app.crond", "0 1 * * * app /app/run\n"), Format::System);
        assert_eq!(crontab_format("docker/hello-cron", "0 1 * * * www-data /app/run\n"), Format::System);
        assert_eq!(crontab_format("docker/hello-cron", "0 1 * * * backup.sh\n"), Format::User);
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

    /// Discovery in memory reads a repository as the walk reads it from disk.
    #[test]
    fn in_memory_discovery_agrees_with_the_walk() {
        let files: &[(&str, &[u8])] = &[
            (".gitignore", b".env.prod\nbuild/\n"),
            (".env.prod", b"A=1\n"),
            (".env.prod.example", b"A=\n"),
            ("build/Dockerfile", b"FROM a\n"),
            ("Dockerfile", "\u{feff}FROM golang\n".as_bytes()),
            ("go.mod", b"module x\n"),
            ("go.sum", b""),
            ("cmd/api/main.go", b"package main\n"),
            ("cmd/api/.gitignore", b"*.go\n!main.go\n"),
            ("cmd/api/gen.go", b"package main\n"),
            ("scripts/deploy", b"#!/bin/sh\nssh h true\n"),
            ("scripts/notes", b"not a script\n"),
            ("cron/NOTES", b"no entry here\n"),
            ("cron/jobs", b"0 1 * * * /app/run\n"),
            ("deploy/crontab", b"\xff\xfe0\x00"),
            ("docs/DEPLOY.md", b"# Deploy\n"),
            ("old/docker-compose.yml", b"services: {}\n"),
            (".git/config", b"[core]\n"),
        ];
        let exclude = vec!["old/".to_string()];
        let dir = std::env::temp_dir().join(format!("deploylint-in-memory-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        for (path, bytes) in files {
            let full = dir.join(path);
            let _ = std::fs::create_dir_all(full.parent().unwrap_or(&dir));
            let _ = std::fs::write(&full, bytes);
        }
        let shown = |d: std::io::Result<Discovered>| {
            d.map(|d| {
                let files: Vec<_> =
                    d.files.iter().map(|f| (f.path.clone(), f.kind, f.text.clone(), f.git_ignored)).collect();
                (files, d.skipped, d.tree.dirs, d.tree.files)
            })
            .map_err(|e| e.to_string())
        };
        let on_disk = shown(discover(&dir, &exclude));
        let _ = std::fs::remove_dir_all(&dir);
        let owned: Vec<(String, Vec<u8>)> = files.iter().map(|(p, b)| (p.to_string(), b.to_vec())).collect();
        let in_memory = shown(discover_in_memory(&owned, &exclude));
        assert_eq!(in_memory, on_disk);
        let Ok((read, skipped, _, tree_files)) = in_memory else { panic!("no discovery") };
        // A manifest is noted, not read: where it exists tells a Dockerfile's build context.
        assert!(tree_files.contains("go.sum") && !read.iter().any(|f| f.0 == "go.sum"));
        let paths: Vec<&str> = read.iter().map(|f| f.0.as_str()).collect();
        assert_eq!(
            paths,
            [
                ".env.prod",
                ".env.prod.example",
                "Dockerfile",
                "cmd/api/main.go",
                "cron/jobs",
                "docs/DEPLOY.md",
                "go.mod",
                "scripts/deploy"
            ]
        );
        assert_eq!(skipped.len(), 1);
        for bad in ["/abs", "a/../b", "a//b", "./a"] {
            assert!(discover_in_memory(&[(bad.to_string(), Vec::new())], &[]).is_err(), "{bad}");
        }
    }
}
