//! Images: per Dockerfile, its stages, what each stage builds (`go build`, `go install`, `cp`
//! of a built file), what it copies in and from where, and whether a stage did something
//! deploylint cannot follow (then it is opaque, and the checks stay silent about what it may
//! contain). RUN commands are interpreted with the stage's variables (`ARG` defaults and compose
//! `build.args`, `ENV`, `export`, `for` loops), `cd`, and `sh -c '…'` bodies.

use super::go::GoModel;
use super::rust::RustPackage;
use crate::parse::dockerfile::{self, ExecSpec, Instr};
use crate::parse::makefile::Makefile;
use crate::parse::shell::{self, SimpleCommand, unwrap_command};
use crate::source::{FileId, Span, Spanned, file_name, join_rel, parent_dir};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum Base {
    Stage(usize),
    Scratch,
    Image(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct BuildOut {
    /// Absolute path of the output in the stage.
    pub output: String,
    /// The package as written (`./cmd/server`).
    pub package: String,
    /// The repo-relative directory of the package, when the stage's copies tell.
    pub repo_dir: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum CopyFrom {
    Context,
    Stage(usize),
    /// `--from=<image>` or a name that is no earlier stage.
    Image(String),
}

#[derive(Clone, Debug, Serialize)]
pub struct CopyIn {
    pub from: CopyFrom,
    /// Absolute in the source stage, relative to the context for the context.
    pub src: String,
    /// Absolute destination of this source.
    pub dest: String,
    /// The source is a directory or a glob: anything may land under `dest`.
    pub dest_is_dir: bool,
    #[serde(skip)]
    pub span: Span,
    #[serde(skip)]
    pub src_span: Span,
    #[serde(skip)]
    pub from_span: Option<Span>,
}

/// A package path a build names that certainly is not in the copied context.
#[derive(Clone, Debug, Serialize)]
pub struct MissingTarget {
    pub package: String,
    pub repo_dir: String,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, Serialize)]
pub struct StageModel {
    pub index: usize,
    pub name: Option<String>,
    #[serde(skip)]
    pub span: Span,
    pub base: Base,
    pub builds: Vec<BuildOut>,
    pub copies: Vec<CopyIn>,
    /// Files written by commands (redirections, `cp` of files that are not builds).
    pub writes: Vec<String>,
    /// Directories whose content commands changed in ways not followed (`cp -r`, `tar -x`).
    pub unknown_dirs: Vec<String>,
    /// Directories the stage set as WORKDIR.
    pub workdirs: Vec<String>,
    /// The working directory at the end of the stage.
    pub workdir: String,
    /// Why the stage cannot be followed, if it cannot.
    pub opaque: Vec<String>,
    /// The stage fetches sources (`git clone`, `curl`, `ADD <url>`, `go install x@v`).
    pub fetches: bool,
    pub missing_targets: Vec<MissingTarget>,
    #[serde(skip)]
    pub entrypoint: Option<ExecSpec>,
    #[serde(skip)]
    pub cmd: Option<ExecSpec>,
    /// Absolute path of the executable of ENTRYPOINT (or CMD when there is no ENTRYPOINT).
    pub runs: Option<String>,
    #[serde(skip)]
    pub env_keys: Vec<Spanned<String>>,
    #[serde(skip)]
    vars: BTreeMap<String, Option<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Image {
    #[serde(skip)]
    pub file: FileId,
    pub path: String,
    /// The build context, relative to the root.
    pub context: String,
    /// The compose `build.args` this model was built with.
    pub build_args: BTreeMap<String, String>,
    pub stages: Vec<StageModel>,
    /// The stages that ship: compose `build.target`s and `docker build --target`s, else the last.
    pub shipped: Vec<usize>,
}

/// Commands that change nothing deploylint tracks (packages, users, permissions, checks).
const HARMLESS: &[&str] = &[
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
    "microdnf",
    "mkdir",
    "echo",
    "set",
    "true",
    "false",
    "chmod",
    "chown",
    "rm",
    "adduser",
    "addgroup",
    "useradd",
    "groupadd",
    "update-ca-certificates",
    "test",
    "[",
    "ls",
    "printf",
    "upx",
    "strip",
    "file",
    "ldd",
    "touch",
    "id",
    "whoami",
    "env",
    "cat",
    "fi",
    "done",
    "esac",
    "exit",
    "sleep",
    "du",
    "df",
    "which",
    "command",
    "go-licenses",
    "ldconfig",
    "locale-gen",
    "sed",
    "grep",
    "sort",
    "uname",
    "date",
    "pwd",
    ":",
    "[[",
];

/// Commands that download what the build then uses.
const FETCHERS: &[&str] = &["git", "curl", "wget", "svn", "hg", "fetch"];

/// Directories an external base image may already fill: a path there is never certainly absent.
const SYSTEM_DIRS: &[&str] = &[
    "/",
    "/bin",
    "/sbin",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/local",
    "/usr/local/bin",
    "/usr/local/sbin",
    "/etc",
    "/lib",
    "/usr/lib",
    "/opt",
    "/root",
    "/home",
    "/tmp",
    "/var",
];

pub fn abs(cwd: &str, p: &str) -> String {
    let joined = if p.starts_with('/') { join_rel("", p) } else { join_rel(cwd.trim_start_matches('/'), p) };
    format!("/{}", joined.unwrap_or_default())
}

pub fn is_under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

/// Expands `$X`, `${X}`, `${X:-d}` and `${X-d}` with known values; `None` when a variable is
/// unknown or a command substitution is involved.
pub fn expand(s: &str, vars: &BTreeMap<String, Option<String>>) -> Option<String> {
    if !s.contains('$') {
        return Some(s.to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}')?;
            let inner = &body[..end];
            let (name, default) = match inner.find([':', '-']) {
                Some(p) => (&inner[..p], Some(inner[p..].trim_start_matches(':').trim_start_matches('-'))),
                None => (inner, None),
            };
            match (vars.get(name).cloned().flatten(), default) {
                (Some(v), _) if !v.is_empty() => out.push_str(&v),
                (_, Some(d)) => out.push_str(d),
                (Some(v), None) => out.push_str(&v),
                (None, None) => return None,
            }
            rest = &body[end + 1..];
        } else {
            let len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
            if len == 0 {
                return None;
            }
            out.push_str(&vars.get(&after[..len]).cloned().flatten()?);
            rest = &after[len..];
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `go build`/`go install` flags that take a separate value.
const GO_VALUE_FLAGS: &[&str] = &[
    "-o",
    "-ldflags",
    "-gcflags",
    "-asmflags",
    "-tags",
    "-buildmode",
    "-mod",
    "-modfile",
    "-p",
    "-pkgdir",
    "-installsuffix",
    "-overlay",
    "-pgo",
    "-C",
    "-compiler",
    "-gccgoflags",
    "-toolexec",
    "-covermode",
    "-coverpkg",
    "-exec",
];

/// The binary name Go gives a package in `dir` of the repo (a module root takes the module
/// path's last element, without a `/vN` suffix).
fn go_binary_name(go: &GoModel, dir: &str) -> String {
    if let Some(m) = go.modules.iter().find(|m| m.dir == dir) {
        return import_path_name(&m.path);
    }
    if dir.is_empty() { "main".to_string() } else { file_name(dir).to_string() }
}

fn import_path_name(path: &str) -> String {
    let path = path.split('@').next().unwrap_or(path).trim_end_matches('/');
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or("");
    let is_major = last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    if is_major { parts.next().unwrap_or(last).to_string() } else { last.to_string() }
}

/// What the image model needs from the rest of the repository.
pub struct Repo<'a> {
    pub go: &'a GoModel,
    /// Makefiles by repo-relative path, for `RUN make TARGET`.
    pub makefiles: &'a BTreeMap<String, Makefile>,
    pub rust: &'a [RustPackage],
}

struct Interp<'a> {
    go: &'a GoModel,
    makefiles: &'a BTreeMap<String, Makefile>,
    rust: &'a [RustPackage],
    context: &'a str,
    stages: &'a [StageModel],
}

impl Interp<'_> {
    /// The repo-relative directory of an absolute path in the stage, through the COPYs from the
    /// context, and whether the whole directory came from a directory copy.
    fn repo_dir(&self, st: &StageModel, path: &str) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        let mut consider = |s: &StageModel| {
            for c in s.copies.iter().filter(|c| c.from == CopyFrom::Context && c.dest_is_dir) {
                if is_under(path, &c.dest) && !c.src.contains(['*', '?', '[']) {
                    let rest = path.strip_prefix(c.dest.trim_end_matches('/')).unwrap_or("").trim_start_matches('/');
                    let rel = join_rel(&c.src, rest).unwrap_or_default();
                    if best.as_ref().is_none_or(|(l, _)| c.dest.len() > *l) {
                        best = Some((c.dest.len(), rel));
                    }
                }
            }
        };
        consider(st);
        for s in chain_of(self.stages, &st.base) {
            consider(s);
        }
        best.and_then(|(_, r)| join_rel(self.context, &r))
    }

    fn run(&self, st: &mut StageModel, cmds: &[SimpleCommand], cwd: &mut String, depth: usize) {
        if depth > 8 {
            st.opaque.push("commands nested too deep".into());
            return;
        }
        let mut i = 0;
        while let Some(cmd) = cmds.get(i) {
            i += 1;
            for r in &cmd.redirects {
                if r.op.starts_with('>') {
                    match expand(&r.target.text, &st.vars) {
                        Some(t) if t.starts_with("/dev/") => {}
                        Some(t) => st.writes.push(abs(cwd, &t)),
                        None => st.opaque.push(format!("a redirection to `{}`", r.target.text)),
                    }
                }
            }
            let (at, _) = unwrap_command(&cmd.words);
            let words = cmd.words.get(at..).unwrap_or(&[]);
            let Some(name) = words.first().map(|w| w.text.as_str()) else {
                for a in &cmd.assignments {
                    if let Some((k, v)) = a.text.split_once('=') {
                        let v = expand(v, &st.vars);
                        st.vars.insert(k.to_string(), v);
                    }
                }
                continue;
            };
            match name {
                "for" => {
                    // `for V in a b; do …; done`: the body up to the matching `done`, once per value.
                    let var = words.get(1).map(|w| w.text.clone()).unwrap_or_default();
                    let values: Option<Vec<String>> = words
                        .get(3..)
                        .unwrap_or(&[])
                        .iter()
                        .map(|w| expand(&w.text, &st.vars).filter(|v| !v.contains(['*', '?', '['])))
                        .collect();
                    let start = i;
                    let mut nest = 1;
                    while let Some(c) = cmds.get(i) {
                        let (a, _) = unwrap_command(&c.words);
                        match c.words.get(a).map(|w| w.text.as_str()) {
                            Some("for" | "while" | "until") => nest += 1,
                            Some("done") => nest -= 1,
                            _ => {}
                        }
                        i += 1;
                        if nest == 0 {
                            break;
                        }
                    }
                    let body = cmds.get(start..i.saturating_sub(1)).unwrap_or(&[]);
                    match values {
                        Some(values) if words.get(2).is_some_and(|w| w.text == "in") => {
                            let saved = st.vars.get(&var).cloned();
                            for v in values {
                                st.vars.insert(var.clone(), Some(v));
                                self.run(st, body, cwd, depth + 1);
                            }
                            match saved {
                                Some(s) => st.vars.insert(var, s),
                                None => st.vars.remove(&var),
                            };
                        }
                        _ => st.opaque.push(format!("a `for` loop over values deploylint cannot resolve (`{var}`)")),
                    }
                }
                "cd" => match words.get(1).map(|w| expand(&w.text, &st.vars)) {
                    Some(Some(d)) => *cwd = abs(cwd, &d),
                    Some(None) => st.opaque.push("`cd` to a directory deploylint cannot resolve".into()),
                    None => {}
                },
                "export" => {
                    for w in words.get(1..).unwrap_or(&[]) {
                        if let Some((k, v)) = w.text.split_once('=') {
                            let v = expand(v, &st.vars);
                            st.vars.insert(k.to_string(), v);
                        }
                    }
                }
                "sh" | "bash" | "dash" | "ash" | "/bin/sh" | "/bin/bash" => {
                    let script = words.iter().position(|w| w.text == "-c").and_then(|p| words.get(p + 1));
                    match script {
                        Some(w) => {
                            let base = w.quoted_inner.map_or(w.span.start, |s| s.start);
                            let inner = shell::parse(w.span.file, &w.text, base);
                            self.run(st, &inner, cwd, depth + 1);
                        }
                        None => st.opaque.push(format!("RUN `{name}` runs a script deploylint cannot follow")),
                    }
                }
                "go" => self.go_command(st, words, cwd),
                "make" | "gmake" => self.make_command(st, words, cwd, depth),
                "cargo" => self.cargo_command(st, words, cwd),
                "cp" | "mv" | "install" | "ln" => self.copy_command(st, name, words, cwd),
                "tar" | "unzip" | "gunzip" | "gzip" | "xz" => {
                    st.unknown_dirs.push(cwd.clone());
                    st.opaque.push(format!("RUN `{name}` unpacks files deploylint cannot list"));
                }
                n if FETCHERS.contains(&n) => {
                    st.fetches = true;
                    st.opaque.push(format!("RUN `{n}` fetches files deploylint cannot see"));
                }
                n if HARMLESS.contains(&n) => {}
                n => st.opaque.push(format!("RUN `{n}` has effects deploylint cannot follow")),
            }
        }
    }

    /// `make [-C dir] [VAR=value] [target…]` with the Makefile of the build context: the recipes
    /// of the targets (and of their prerequisites) are run as commands.
    fn make_command(&self, st: &mut StageModel, words: &[shell::Word], cwd: &str, depth: usize) {
        let mut dir = cwd.to_string();
        let mut overrides: BTreeMap<String, String> = BTreeMap::new();
        let mut goals: Vec<String> = Vec::new();
        let mut i = 1;
        while let Some(w) = words.get(i) {
            let Some(t) = expand(&w.text, &st.vars) else {
                st.opaque.push(format!("`make` with `{}`, which deploylint cannot resolve", w.text));
                return;
            };
            if t == "-C" {
                i += 1;
                match words.get(i).and_then(|d| expand(&d.text, &st.vars)) {
                    Some(d) => dir = abs(&dir, &d),
                    None => return st.opaque.push("`make -C` with a directory deploylint cannot resolve".into()),
                }
            } else if t == "-f" {
                return st.opaque.push("`make -f` with another makefile".into());
            } else if t.starts_with('-') {
            } else if let Some((k, v)) = t.split_once('=') {
                overrides.insert(k.to_string(), v.to_string());
            } else {
                goals.push(t);
            }
            i += 1;
        }
        let mk = self.repo_dir(st, &dir).and_then(|d| {
            ["Makefile", "makefile", "GNUmakefile"]
                .iter()
                .find_map(|n| self.makefiles.get(&join_rel(&d, n).unwrap_or_default()))
        });
        let Some(mk) = mk else {
            return st.opaque.push("`make` with a Makefile that is not in the build context".into());
        };
        let mut mk = mk.clone();
        mk.vars.extend(overrides);
        if goals.is_empty() {
            goals.extend(mk.default_goal().map(str::to_string));
        }
        let mut seen = Vec::new();
        let mut cwd = dir.clone();
        for g in goals {
            self.make_goal(st, &mk, &g, &mut cwd, depth, &mut seen);
        }
    }

    fn make_goal(
        &self,
        st: &mut StageModel,
        mk: &Makefile,
        goal: &str,
        cwd: &mut String,
        depth: usize,
        seen: &mut Vec<String>,
    ) {
        if seen.iter().any(|s| s == goal) || seen.len() > 64 {
            return;
        }
        seen.push(goal.to_string());
        let Some((rule, stem)) = mk.rule_for(goal) else {
            // A file target with no rule (a source file): nothing to run.
            if mk.rules.iter().any(|r| r.targets.iter().any(|t| t == goal)) || goal.contains(['.', '/']) {
                return;
            }
            return st.opaque.push(format!("`make {goal}`: no rule deploylint can follow"));
        };
        let mut auto: BTreeMap<String, String> = BTreeMap::new();
        auto.insert("@".into(), goal.to_string());
        auto.insert("*".into(), stem.clone().unwrap_or_default());
        let prereqs: Vec<String> = rule
            .prereqs
            .iter()
            .map(|p| mk.expand(&p.replace('%', stem.as_deref().unwrap_or("%")), &auto, 0))
            .collect::<Option<Vec<_>>>()
            .unwrap_or_default()
            .iter()
            .flat_map(|p| p.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .collect();
        auto.insert("<".into(), prereqs.first().cloned().unwrap_or_default());
        auto.insert("^".into(), prereqs.join(" "));
        for p in &prereqs {
            if mk.rule_for(p).is_some() {
                self.make_goal(st, mk, p, cwd, depth, seen);
            }
        }
        for (line, at) in &rule.recipe {
            let Some(expanded) = mk.expand(line, &auto, 0) else {
                return st.opaque.push(format!("a recipe line of `make {goal}` deploylint cannot expand"));
            };
            // `$(MAKE) other` runs another goal of the same Makefile.
            let cmds = shell::parse(st.span.file, &expanded.replace("$(MAKE)", "make"), *at);
            let mut recipe_cwd = cwd.clone();
            for c in &cmds {
                let (a, _) = unwrap_command(&c.words);
                if matches!(c.words.get(a).map(|w| w.text.as_str()), Some("make" | "gmake")) {
                    for g in c.words.iter().skip(a + 1).filter(|w| !w.text.starts_with('-') && !w.text.contains('=')) {
                        self.make_goal(st, mk, &g.text, &mut recipe_cwd, depth, seen);
                    }
                } else {
                    self.run(st, std::slice::from_ref(c), &mut recipe_cwd, depth + 1);
                }
            }
        }
    }

    /// `cargo build` and `cargo install --path`: outputs in `<target-dir>/<profile>/<bin>` and
    /// `<root>/bin/<bin>`, for the binaries of the package or workspace the command runs in.
    fn cargo_command(&self, st: &mut StageModel, words: &[shell::Word], cwd: &str) {
        let mut i = 1;
        // `cargo +nightly build`, `cargo auditable build`.
        while words.get(i).is_some_and(|w| w.text.starts_with('+') || w.text == "auditable") {
            i += 1;
        }
        let sub = words.get(i).map(|w| w.text.as_str()).unwrap_or("");
        if sub != "build" && sub != "install" && sub != "b" {
            return;
        }
        let mut opts: BTreeMap<&str, Vec<(String, Span)>> = BTreeMap::new();
        let mut flags: Vec<String> = Vec::new();
        let mut positional: Vec<String> = Vec::new();
        const VALUE: &[&str] = &[
            "--bin",
            "-p",
            "--package",
            "--target",
            "--target-dir",
            "--manifest-path",
            "--profile",
            "--path",
            "--root",
            "-j",
            "--jobs",
            "--features",
            "-F",
            "--config",
            "-Z",
            "--exclude",
            "--example",
            "--color",
            "--message-format",
            "--version",
            "--git",
            "--branch",
            "--tag",
            "--rev",
            "--registry",
            "--index",
        ];
        i += 1;
        while let Some(w) = words.get(i) {
            let Some(t) = expand(&w.text, &st.vars) else {
                return st.opaque.push(format!("a `cargo {sub}` argument deploylint cannot resolve (`{}`)", w.text));
            };
            if let Some((n, v)) = t.split_once('=').filter(|(n, _)| n.starts_with('-')) {
                if let Some(k) = VALUE.iter().find(|k| **k == n) {
                    opts.entry(k).or_default().push((v.to_string(), w.span));
                }
            } else if let Some(k) = VALUE.iter().find(|k| **k == t) {
                i += 1;
                let v = words.get(i).and_then(|v| expand(&v.text, &st.vars).map(|t| (t, v.span)));
                opts.entry(k).or_default().extend(v);
            } else if t.starts_with('-') {
                flags.push(t);
            } else {
                positional.push(t);
            }
            i += 1;
        }
        let one = |k: &str| opts.get(k).and_then(|v| v.first()).map(|(s, _)| s.clone());
        if sub == "install" && one("--path").is_none() {
            // A crate from a registry or git: not this repository's.
            st.fetches = true;
            return;
        }
        let base = match (one("--manifest-path"), one("--path")) {
            (Some(m), _) => abs(cwd, parent_dir(&m)),
            (None, Some(p)) => abs(cwd, &p),
            _ => cwd.to_string(),
        };
        let Some(repo_dir) = self.repo_dir(st, &base) else {
            return st.opaque.push(format!("`cargo {sub}` of sources deploylint cannot place in the repository"));
        };
        let package_here = self.rust.iter().find(|p| p.dir == repo_dir);
        let workspace = package_here.map_or(repo_dir.clone(), |p| p.workspace.clone());
        let in_workspace: Vec<&RustPackage> = self.rust.iter().filter(|p| p.workspace == workspace).collect();
        if in_workspace.is_empty() {
            return st.opaque.push(format!("`cargo {sub}` in a directory with no known Cargo package"));
        }
        let packages: Vec<&str> =
            opts.get("-p").into_iter().chain(opts.get("--package")).flatten().map(|(p, _)| p.as_str()).collect();
        let all = flags.iter().any(|f| f == "--workspace" || f == "--all");
        let mut candidates: Vec<&RustPackage> = if !packages.is_empty() {
            in_workspace.iter().copied().filter(|p| packages.contains(&p.name.as_str())).collect()
        } else if sub == "install" || (package_here.is_some() && !all) {
            package_here.into_iter().collect()
        } else {
            in_workspace.clone()
        };
        candidates.sort_by(|a, b| a.dir.cmp(&b.dir));
        let wanted: Vec<(String, Span)> = opts.get("--bin").cloned().unwrap_or_default();
        let mut chosen: Vec<(String, String, Span)> = Vec::new();
        let span = words.first().map_or(st.span, |w| w.span);
        for (bin, bspan) in &wanted {
            match candidates.iter().flat_map(|p| p.bins.iter()).find(|b| &b.name == bin) {
                Some(b) => chosen.push((b.name.clone(), b.src.clone(), *bspan)),
                None => st.missing_targets.push(MissingTarget {
                    package: format!("--bin {bin}"),
                    repo_dir: workspace.clone(),
                    span: *bspan,
                }),
            }
        }
        if wanted.is_empty() {
            chosen.extend(candidates.iter().flat_map(|p| p.bins.iter()).map(|b| (b.name.clone(), b.src.clone(), span)));
        }
        let out_dir = if sub == "install" {
            let root = one("--root")
                .or_else(|| st.vars.get("CARGO_INSTALL_ROOT").cloned().flatten())
                .or_else(|| st.vars.get("CARGO_HOME").cloned().flatten())
                .unwrap_or_else(|| "/root/.cargo".into());
            abs("/", &format!("{root}/bin"))
        } else {
            let ws_abs = {
                let rel_in_ws = repo_dir.strip_prefix(&workspace).unwrap_or("").trim_matches('/');
                let mut b = base.clone();
                for _ in rel_in_ws.split('/').filter(|p| !p.is_empty()) {
                    b = parent_dir(&b).to_string();
                }
                if b.is_empty() { "/".to_string() } else { b }
            };
            let target_dir = one("--target-dir")
                .map(|d| abs(cwd, &d))
                .or_else(|| st.vars.get("CARGO_TARGET_DIR").cloned().flatten().map(|d| abs(cwd, &d)))
                .unwrap_or_else(|| abs(&ws_abs, "target"));
            let profile = match one("--profile").as_deref() {
                Some("dev") | Some("test") => "debug".to_string(),
                Some("bench") => "release".to_string(),
                Some(p) => p.to_string(),
                None if flags.iter().any(|f| f == "--release" || f == "-r") => "release".to_string(),
                None => "debug".to_string(),
            };
            match one("--target") {
                Some(t) => format!("{target_dir}/{t}/{profile}"),
                None => format!("{target_dir}/{profile}"),
            }
        };
        let _ = positional;
        for (name, src, sp) in chosen {
            st.builds.push(BuildOut { output: abs(&out_dir, &name), package: name, repo_dir: Some(src), span: sp });
        }
    }

    fn copy_command(&self, st: &mut StageModel, name: &str, words: &[shell::Word], cwd: &str) {
        let recursive = words.iter().skip(1).any(|w| {
            w.text.starts_with('-') && !w.text.starts_with("--") && w.text.contains(['r', 'R', 'a'])
                || w.text == "--recursive"
                || w.text == "--archive"
        });
        let mut args: Vec<String> = Vec::new();
        let mut skip_next = false;
        for w in words.iter().skip(1) {
            if skip_next {
                skip_next = false;
                continue;
            }
            if w.text.starts_with('-') {
                // `install -m 0755`, `-o user`, `-g group`.
                skip_next = name == "install" && matches!(w.text.as_str(), "-m" | "-o" | "-g");
                continue;
            }
            match expand(&w.text, &st.vars) {
                Some(t) => args.push(abs(cwd, &t)),
                None => {
                    st.opaque.push(format!("`{name}` of a path deploylint cannot resolve"));
                    return;
                }
            }
        }
        let Some((dest, srcs)) = args.split_last() else { return };
        if srcs.is_empty() {
            return;
        }
        let dest_is_dir = srcs.len() > 1
            || words.last().is_some_and(|w| w.text.ends_with('/'))
            || SYSTEM_DIRS.contains(&dest.as_str())
            || st.workdirs.iter().any(|w| w == dest);
        for src in srcs {
            let target =
                if dest_is_dir { format!("{}/{}", dest.trim_end_matches('/'), file_name(src)) } else { dest.clone() };
            if recursive || src.contains(['*', '?', '[']) {
                st.unknown_dirs.push(if dest_is_dir { dest.clone() } else { target.clone() });
                continue;
            }
            let built = st.builds.iter().find(|b| b.output == *src).cloned();
            match built {
                Some(b) => st.builds.push(BuildOut { output: target, ..b }),
                None => st.writes.push(target),
            }
        }
    }

    fn go_command(&self, st: &mut StageModel, words: &[shell::Word], cwd: &str) {
        let sub = words.get(1).map(|w| w.text.as_str()).unwrap_or("");
        if sub != "build" && sub != "install" {
            if sub == "get" || sub == "run" && words.iter().any(|w| w.text.contains('@')) {
                st.fetches = true;
            }
            return;
        }
        let mut out_flag: Option<String> = None;
        let mut dir = cwd.to_string();
        let mut pkgs: Vec<&shell::Word> = Vec::new();
        let mut i = 2;
        while let Some(w) = words.get(i) {
            let t = w.text.as_str();
            if t.starts_with('-') {
                let flag = format!("-{}", t.trim_start_matches('-'));
                let (fname, inline) = match flag.split_once('=') {
                    Some((n, v)) => (n.to_string(), Some(v.to_string())),
                    None => (flag.clone(), None),
                };
                let value = match inline {
                    Some(v) => Some(v),
                    None if GO_VALUE_FLAGS.contains(&fname.as_str()) => {
                        i += 1;
                        words.get(i).map(|w| w.text.clone())
                    }
                    None => None,
                };
                match (fname.as_str(), value) {
                    ("-o", Some(v)) => out_flag = Some(v),
                    ("-C", Some(v)) => match expand(&v, &st.vars) {
                        Some(d) => dir = abs(&dir, &d),
                        None => {
                            st.opaque.push("`go -C` with a directory deploylint cannot resolve".into());
                            return;
                        }
                    },
                    _ => {}
                }
            } else {
                pkgs.push(w);
            }
            i += 1;
        }
        let out = match out_flag.as_deref().map(|o| expand(o, &st.vars)) {
            Some(None) => {
                st.opaque.push("a `go build -o` path deploylint cannot resolve".into());
                return;
            }
            Some(Some(o)) => Some(o),
            None => None,
        };
        // Resolve each package argument to repo directories of main packages (or external ones).
        struct Target {
            name: String,
            written: String,
            repo_dir: Option<String>,
            span: Span,
        }
        let mut targets: Vec<Target> = Vec::new();
        let mut many = pkgs.len() > 1;
        let default_pkg = shell::Word {
            text: ".".into(),
            span: words.get(1).map_or(Span::default(), |w| w.span),
            quoted_inner: None,
        };
        let pkg_words: Vec<&shell::Word> = if pkgs.is_empty() { vec![&default_pkg] } else { pkgs };
        for w in pkg_words {
            let Some(p) = expand(&w.text, &st.vars) else {
                st.opaque.push(format!("a `go {sub}` package deploylint cannot resolve (`{}`)", w.text));
                return;
            };
            let (spec, version) = match p.split_once('@') {
                Some((s, v)) => (s.to_string(), Some(v.to_string())),
                None => (p.clone(), None),
            };
            let local = spec.starts_with('.') || spec.starts_with('/');
            if !local {
                // A module path: this repository's, or another one fetched by the build.
                let local_dir = self.go.modules.iter().find_map(|m| {
                    let rest = spec.strip_prefix(&m.path)?;
                    if !(rest.is_empty() || rest.starts_with('/')) {
                        return None;
                    }
                    join_rel(&m.dir, rest.trim_start_matches('/').trim_end_matches("/..."))
                });
                match local_dir {
                    Some(d) if version.is_none() => {
                        let recursive = spec.ends_with("/...");
                        many |= recursive;
                        for (name, repo_dir) in targets_from(self.go, &d, recursive) {
                            targets.push(Target { name, written: p.clone(), repo_dir: Some(repo_dir), span: w.span });
                        }
                    }
                    _ => {
                        st.fetches |= version.is_some();
                        targets.push(Target {
                            name: import_path_name(&spec),
                            written: p.clone(),
                            repo_dir: None,
                            span: w.span,
                        });
                    }
                }
                continue;
            }
            let recursive = spec.ends_with("/...") || spec == "...";
            many |= recursive;
            let path_part = spec.trim_end_matches("...").trim_end_matches('/');
            let path_part = if path_part.is_empty() { "." } else { path_part };
            let dir_part =
                if path_part.ends_with(".go") { parent_dir(path_part).to_string() } else { path_part.to_string() };
            let dir_part = if dir_part.is_empty() { ".".to_string() } else { dir_part };
            let abs_dir = abs(&dir, &dir_part);
            let Some(repo_dir) = self.repo_dir(st, &abs_dir) else {
                // Sources that did not come from the context (cloned, downloaded): follow the
                // output names, never the repository's packages.
                let name = if path_part.ends_with(".go") && out.is_none() {
                    file_name(path_part).trim_end_matches(".go").to_string()
                } else {
                    file_name(&abs_dir).to_string()
                };
                if recursive {
                    st.opaque.push(format!("`go {sub} {p}` builds packages deploylint cannot list"));
                    return;
                }
                targets.push(Target { name, written: p.clone(), repo_dir: None, span: w.span });
                continue;
            };
            let found = targets_from(self.go, &repo_dir, recursive);
            if found.is_empty()
                && !recursive
                && self.go.package(&repo_dir).is_none()
                && !self.go.packages.keys().any(|k| is_under(k, &repo_dir))
            {
                st.missing_targets.push(MissingTarget { package: p.clone(), repo_dir: repo_dir.clone(), span: w.span });
                continue;
            }
            let file_named = path_part.ends_with(".go") && out.is_none() && !recursive;
            for (name, rd) in found {
                let name = if file_named { file_name(path_part).trim_end_matches(".go").to_string() } else { name };
                targets.push(Target { name, written: p.clone(), repo_dir: Some(rd), span: w.span });
            }
        }
        for t in targets {
            let output = match (&out, sub) {
                (Some(o), _) if o.ends_with('/') || many => abs(&dir, &format!("{o}/{}", t.name)),
                (Some(o), _) => abs(&dir, o),
                (None, "install") => {
                    let gobin = st.vars.get("GOBIN").cloned().flatten().filter(|g| !g.is_empty());
                    let gopath = st.vars.get("GOPATH").cloned().flatten().unwrap_or_else(|| "/root/go".into());
                    match gobin {
                        Some(b) => abs("/", &format!("{b}/{}", t.name)),
                        None => abs("/", &format!("{gopath}/bin/{}", t.name)),
                    }
                }
                // `go build` of several packages without `-o` discards the results.
                (None, _) if many => continue,
                (None, _) => abs(&dir, &t.name),
            };
            st.builds.push(BuildOut { output, package: t.written, repo_dir: t.repo_dir, span: t.span });
        }
    }
}

/// The main packages at `dir` (or under it, for `…/...`): (binary name, repo dir).
fn targets_from(go: &GoModel, dir: &str, recursive: bool) -> Vec<(String, String)> {
    go.packages
        .values()
        .filter(|p| p.is_main && (p.dir == dir || recursive && is_under(&p.dir, dir) || recursive && dir.is_empty()))
        .map(|p| (go_binary_name(go, &p.dir), p.dir.clone()))
        .collect()
}

/// The stages of a base chain (the base stage first).
fn chain_of<'a>(stages: &'a [StageModel], base: &Base) -> Vec<&'a StageModel> {
    let mut out = Vec::new();
    let mut cur = match base {
        Base::Stage(i) => Some(*i),
        _ => None,
    };
    while let Some(i) = cur {
        let Some(s) = stages.get(i) else { break };
        if out.len() > 64 {
            break;
        }
        out.push(s);
        cur = match s.base {
            Base::Stage(j) if j < i => Some(j),
            _ => None,
        };
    }
    out
}

fn exec_path(spec: &ExecSpec, workdir: &str) -> Option<String> {
    let mut words = spec.words.iter().map(|w| w.value.as_str());
    let mut first = words.next()?;
    if first == "exec" {
        first = words.next()?;
    }
    if first.starts_with('/') {
        Some(abs("/", first))
    } else if first.starts_with("./") {
        Some(abs(workdir, first))
    } else {
        None
    }
}

/// Known values of variables the official base images set.
fn base_vars(base: &str) -> BTreeMap<String, Option<String>> {
    let mut vars = BTreeMap::new();
    let image = base.rsplit('/').next().unwrap_or(base);
    if image.starts_with("golang") {
        vars.insert("GOPATH".to_string(), Some("/go".to_string()));
    }
    if image.starts_with("rust") {
        vars.insert("CARGO_HOME".to_string(), Some("/usr/local/cargo".to_string()));
    }
    vars.insert("HOME".to_string(), Some("/root".to_string()));
    vars
}

/// Builds the image model of one Dockerfile. `build_args` are compose `build.args`.
pub fn build(
    file: FileId,
    path: &str,
    context: &str,
    df: &dockerfile::Dockerfile,
    repo: &Repo<'_>,
    build_args: &BTreeMap<String, String>,
) -> Image {
    let mut global: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (k, v) in &df.global_args {
        let v = build_args.get(&k.value).cloned().or_else(|| v.clone());
        global.insert(k.value.clone(), v);
    }
    let mut stages: Vec<StageModel> = Vec::new();
    for st in &df.stages {
        let base_name = expand(&st.base.value, &global).unwrap_or_else(|| st.base.value.clone());
        let base = if base_name.eq_ignore_ascii_case("scratch") {
            Base::Scratch
        } else if let Some(i) =
            stages.iter().position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&base_name)))
        {
            Base::Stage(i)
        } else {
            Base::Image(base_name.clone())
        };
        let (workdir, vars) = match base {
            Base::Stage(i) => stages.get(i).map(|s| (s.workdir.clone(), s.vars.clone())).unwrap_or_default(),
            _ => ("/".to_string(), base_vars(&base_name)),
        };
        let mut s = StageModel {
            index: st.index,
            name: st.name.as_ref().map(|n| n.value.clone()),
            span: st.span,
            base,
            builds: Vec::new(),
            copies: Vec::new(),
            writes: Vec::new(),
            unknown_dirs: Vec::new(),
            workdirs: Vec::new(),
            workdir,
            opaque: Vec::new(),
            fetches: false,
            missing_targets: Vec::new(),
            entrypoint: None,
            cmd: None,
            runs: None,
            env_keys: Vec::new(),
            vars,
        };
        for ins in &st.instrs {
            match ins {
                Instr::Workdir(w) => match expand(&w.value, &s.vars) {
                    Some(d) => {
                        s.workdir = abs(&s.workdir, &d);
                        s.workdirs.push(s.workdir.clone());
                    }
                    None => s.opaque.push(format!("WORKDIR `{}` uses a variable deploylint cannot resolve", w.value)),
                },
                Instr::Env(pairs) => {
                    for (k, v) in pairs {
                        s.env_keys.push(k.clone());
                        let v = expand(v, &s.vars);
                        s.vars.insert(k.value.clone(), v);
                    }
                }
                Instr::Arg(defs) => {
                    for (k, v) in defs {
                        let value = build_args
                            .get(&k.value)
                            .cloned()
                            .or_else(|| v.as_ref().and_then(|v| expand(v, &s.vars)))
                            .or_else(|| global.get(&k.value).cloned().flatten());
                        s.vars.insert(k.value.clone(), value);
                    }
                }
                Instr::Entrypoint(e) => s.entrypoint = Some(e.clone()),
                Instr::Cmd(c) => s.cmd = Some(c.clone()),
                Instr::Copy(c) => add_copy(&mut s, &stages, c),
                Instr::Run(run) => {
                    if run.foreign_heredoc {
                        s.opaque.push("a RUN heredoc that is not shell".to_string());
                    }
                    let mut cwd = s.workdir.clone();
                    let interp =
                        Interp { go: repo.go, makefiles: repo.makefiles, rust: repo.rust, context, stages: &stages };
                    interp.run(&mut s, &run.commands, &mut cwd, 0);
                }
            }
        }
        let runner = s.entrypoint.as_ref().or(s.cmd.as_ref());
        s.runs = runner.and_then(|r| exec_path(r, &s.workdir));
        stages.push(s);
    }
    let shipped = stages.last().map(|s| vec![s.index]).unwrap_or_default();
    Image {
        file,
        path: path.to_string(),
        context: context.to_string(),
        build_args: build_args.clone(),
        stages,
        shipped,
    }
}

fn add_copy(s: &mut StageModel, stages: &[StageModel], c: &dockerfile::Copy) {
    let from = match &c.from {
        None => CopyFrom::Context,
        Some(f) => {
            let v = expand(&f.value, &s.vars).unwrap_or_else(|| f.value.clone());
            if let Ok(n) = v.parse::<usize>() {
                if n < stages.len() { CopyFrom::Stage(n) } else { CopyFrom::Image(v) }
            } else if let Some(i) =
                stages.iter().position(|st| st.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(&v)))
            {
                CopyFrom::Stage(i)
            } else {
                CopyFrom::Image(v)
            }
        }
    };
    let from_span = c.from.as_ref().map(|f| f.span);
    let dest_written = expand(&c.dest.value, &s.vars).unwrap_or_else(|| c.dest.value.clone());
    // Docker copies into the destination when it names a directory: a trailing `/`, several
    // sources, or a directory that exists (`.`, the WORKDIR, a system directory).
    let dest_abs = abs(&s.workdir, &dest_written);
    let dest_dir_form = dest_written.ends_with('/')
        || c.sources.len() > 1
        || matches!(dest_written.as_str(), "." | "..")
        || dest_abs == s.workdir
        || s.workdirs.contains(&dest_abs)
        || SYSTEM_DIRS.contains(&dest_abs.as_str());
    for src in &c.sources {
        if c.add && (src.value.contains("://") || src.value.starts_with("git@")) {
            s.fetches = true;
            s.opaque.push(format!("ADD `{}` fetches a remote source", src.value));
            continue;
        }
        let value = expand(&src.value, &s.vars).unwrap_or_else(|| src.value.clone());
        let is_glob = value.contains(['*', '?', '[']);
        let src_path = match from {
            CopyFrom::Context => join_rel("", &value).unwrap_or_default(),
            _ => abs("/", &value),
        };
        // Whether the source is certainly a single file.
        let is_file = match &from {
            CopyFrom::Context => {
                !is_glob && !value.ends_with('/') && value != "." && crate::source::file_name(&value).contains('.')
            }
            CopyFrom::Stage(i) => !is_glob && produces_file(stages, *i, &src_path),
            CopyFrom::Image(_) => false,
        };
        let (dest, dest_is_dir) = if is_file {
            if dest_dir_form {
                (abs(&s.workdir, &format!("{}/{}", dest_written.trim_end_matches('/'), file_name(&value))), false)
            } else {
                (abs(&s.workdir, &dest_written), false)
            }
        } else if !is_glob && !dest_dir_form && !matches!(from, CopyFrom::Context) && !value.ends_with('/') {
            // A stage path that may be a file or a directory: the destination takes its name.
            (abs(&s.workdir, &dest_written), true)
        } else {
            (abs(&s.workdir, &dest_written), true)
        };
        s.copies.push(CopyIn {
            from: from.clone(),
            src: src_path,
            dest,
            dest_is_dir,
            span: c.span,
            src_span: src.span,
            from_span,
        });
    }
}

/// Whether the stage chain at `i` certainly writes a file at `path` (a build output or a file copy).
fn produces_file(stages: &[StageModel], i: usize, path: &str) -> bool {
    let Some(s) = stages.get(i) else { return false };
    std::iter::once(s).chain(chain_of(stages, &s.base)).any(|s| {
        s.builds.iter().any(|b| b.output == path)
            || s.writes.iter().any(|w| w == path)
            || s.copies.iter().any(|c| !c.dest_is_dir && c.dest == path)
    })
}

/// What a stage holds at a path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Holds {
    /// Yes: built or copied there (the span of the instruction).
    Yes(Span),
    /// Cannot tell.
    Unknown,
    /// Certainly not.
    No,
}

impl Image {
    /// The stage that a named target selects, else the last stage.
    pub fn shipped(&self, target: Option<&str>) -> Option<&StageModel> {
        match target {
            Some(t) => self.stages.iter().find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t))),
            None => self.stages.last(),
        }
    }

    /// The stages of the chain that ends in `index` (the stage itself first).
    pub fn chain(&self, index: usize) -> Vec<&StageModel> {
        let Some(s) = self.stages.get(index) else { return Vec::new() };
        std::iter::once(s).chain(chain_of(&self.stages, &s.base)).collect()
    }

    /// Whether the stage `index` holds `path` (absolute).
    pub fn holds(&self, index: usize, path: &str) -> Holds {
        let chain = self.chain(index);
        for s in &chain {
            if let Some(b) = s.builds.iter().find(|b| b.output == path) {
                return Holds::Yes(b.span);
            }
            if let Some(c) = s.copies.iter().find(|c| c.dest == path) {
                return Holds::Yes(c.span);
            }
            if s.writes.iter().any(|w| w == path) {
                return Holds::Yes(s.span);
            }
            // A directory that holds outputs.
            let inside = |p: &str| p != path && is_under(p, path);
            if let Some(b) = s.builds.iter().find(|b| inside(&b.output)) {
                return Holds::Yes(b.span);
            }
            if let Some(c) = s.copies.iter().find(|c| inside(&c.dest)) {
                return Holds::Yes(c.span);
            }
            if s.writes.iter().any(|w| inside(w)) || s.workdirs.iter().any(|w| w == path) {
                return Holds::Yes(s.span);
            }
        }
        let under_unknown = chain.iter().any(|s| {
            s.copies.iter().any(|c| c.dest_is_dir && is_under(path, &c.dest))
                || s.unknown_dirs.iter().any(|d| is_under(path, d))
        });
        if under_unknown || chain.iter().any(|s| !s.opaque.is_empty()) {
            return Holds::Unknown;
        }
        let root_base = chain.last().map(|s| &s.base);
        let base_is_empty = match root_base {
            Some(Base::Scratch) => true,
            Some(Base::Image(i)) => i.contains("distroless"),
            _ => false,
        };
        if base_is_empty {
            return Holds::No;
        }
        let parent = {
            let p = parent_dir(path);
            if p.is_empty() { "/".to_string() } else { p.to_string() }
        };
        if SYSTEM_DIRS.contains(&parent.as_str()) {
            return Holds::Unknown;
        }
        let populated = chain.iter().any(|s| {
            s.workdirs.iter().any(|w| is_under(&parent, w) && !SYSTEM_DIRS.contains(&w.as_str()))
                || s.builds.iter().any(|b| parent_dir(&b.output) == parent)
                || s.copies.iter().any(|c| {
                    let d = if c.dest_is_dir { c.dest.clone() } else { parent_dir(&c.dest).to_string() };
                    !SYSTEM_DIRS.contains(&d.as_str()) && parent == d
                })
        });
        if populated { Holds::No } else { Holds::Unknown }
    }

    /// The repo-relative package directory of the binary at `path` in stage `index`, following
    /// copies back to the stage that built it.
    pub fn package_at(&self, index: usize, path: &str) -> Option<String> {
        self.package_at_depth(index, path, 0)
    }

    fn package_at_depth(&self, index: usize, path: &str, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        for s in self.chain(index) {
            if let Some(b) = s.builds.iter().find(|b| b.output == path) {
                return b.repo_dir.clone();
            }
            for c in &s.copies {
                let CopyFrom::Stage(j) = c.from else { continue };
                if c.dest == path {
                    return self.package_at_depth(j, &c.src, depth + 1);
                }
                if c.dest_is_dir && is_under(path, &c.dest) {
                    let rest = path.strip_prefix(c.dest.trim_end_matches('/')).unwrap_or("");
                    // `COPY --from=b /go/bin/* /usr/local/bin/`: the glob's directory.
                    let src = if c.src.contains(['*', '?', '[']) { parent_dir(&c.src) } else { c.src.as_str() };
                    return self.package_at_depth(j, &format!("{}{rest}", src.trim_end_matches('/')), depth + 1);
                }
            }
        }
        None
    }

    /// The repo-relative package directories whose binaries reach stage `index`.
    pub fn shipped_packages(&self, index: usize) -> Vec<String> {
        let mut out = Vec::new();
        for s in self.chain(index) {
            out.extend(s.builds.iter().filter_map(|b| b.repo_dir.clone()));
            for c in &s.copies {
                let CopyFrom::Stage(j) = c.from else { continue };
                for b in self.chain(j).iter().flat_map(|f| f.builds.iter()) {
                    let reaches = if c.src.contains(['*', '?', '[']) {
                        is_under(&b.output, parent_dir(&c.src))
                    } else {
                        b.output == c.src || c.dest_is_dir && is_under(&b.output, &c.src)
                    };
                    if reaches {
                        out.extend(b.repo_dir.clone());
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// Resolves a path written in a command run in stage `index` (absolute, or `./x` from the
    /// stage's WORKDIR). Bare names are looked up in `$PATH`: never resolved.
    pub fn resolve_exec(&self, index: usize, written: &str) -> Option<String> {
        let s = self.stages.get(index)?;
        if written.starts_with('/') {
            Some(abs("/", written))
        } else if written.starts_with("./") {
            Some(abs(&s.workdir, written))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{Kind, SourceFile, Sources};

    fn go_repo(files: &[(&str, &str)]) -> GoModel {
        let mut sources = Sources::default();
        for (p, t) in files {
            let kind = if p.ends_with("go.mod") { Kind::GoMod } else { Kind::Go };
            sources.add(SourceFile::new(p.to_string(), kind, t.to_string(), false));
        }
        super::super::go::build(&sources, &[])
    }

    fn shop() -> GoModel {
        go_repo(&[
            ("go.mod", "module example.com/shop\n"),
            ("cmd/server/main.go", "package main\n"),
            ("cmd/migrate/main.go", "package main\n"),
            ("cmd/worker/main.go", "package main\n"),
            ("internal/x/x.go", "package x\n"),
        ])
    }

    fn image(text: &str, go: &GoModel) -> Image {
        let df = dockerfile::parse(FileId(0), text).unwrap_or_default();
        build(FileId(0), "Dockerfile", "", &df, &Repo { go, makefiles: &BTreeMap::new(), rust: &[] }, &BTreeMap::new())
    }

    fn outputs(img: &Image, stage: usize) -> Vec<(String, Option<String>)> {
        img.stages[stage].builds.iter().map(|b| (b.output.clone(), b.repo_dir.clone())).collect()
    }

    fn o(out: &str, dir: &str) -> (String, Option<String>) {
        (out.to_string(), Some(dir.to_string()))
    }

    #[test]
    fn follows_builds_and_copies() {
        let img = image(
            "FROM golang:1.22 AS builder\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app/bin/server ./cmd/server && go build -o bin/ ./cmd/migrate/main.go\nFROM alpine:3.19\nRUN apk add --no-cache ca-certificates\nWORKDIR /app\nCOPY --from=builder /app/bin/server ./server\nCMD [\"./server\"]\n",
            &shop(),
        );
        assert_eq!(outputs(&img, 0), [o("/app/bin/server", "cmd/server"), o("/app/bin/migrate", "cmd/migrate")]);
        let last = &img.stages[1];
        assert_eq!(last.runs.as_deref(), Some("/app/server"));
        assert!(matches!(img.holds(1, "/app/server"), Holds::Yes(_)));
        assert_eq!(img.holds(1, "/app/batch"), Holds::No);
        assert_eq!(img.holds(1, "/usr/bin/env"), Holds::Unknown);
        assert_eq!(img.package_at(1, "/app/server").as_deref(), Some("cmd/server"));
    }

    #[test]
    fn an_unknown_run_makes_the_stage_opaque() {
        let img = image("FROM alpine\nWORKDIR /app\nRUN ./fetch-binaries.sh\n", &shop());
        assert_eq!(img.holds(0, "/app/batch"), Holds::Unknown);
        assert!(!img.stages[0].opaque.is_empty());
    }

    #[test]
    fn go_build_forms() {
        let go = shop();
        let img = image(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build ./cmd/server\nRUN go build -o /out/ ./cmd/...\nRUN go build example.com/shop/cmd/worker\nRUN go build ./cmd/...\n",
            &go,
        );
        let outs = outputs(&img, 0);
        assert_eq!(
            outs,
            [
                o("/src/server", "cmd/server"),
                o("/out/migrate", "cmd/migrate"),
                o("/out/server", "cmd/server"),
                o("/out/worker", "cmd/worker"),
                o("/src/worker", "cmd/worker"),
            ]
        );
    }

    #[test]
    fn go_install_goes_to_gopath_bin() {
        let img = image(
            "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN go install ./cmd/server ./cmd/worker\nFROM alpine\nCOPY --from=b /go/bin/* /usr/local/bin/\n",
            &shop(),
        );
        assert_eq!(outputs(&img, 0), [o("/go/bin/server", "cmd/server"), o("/go/bin/worker", "cmd/worker")]);
        assert_eq!(img.package_at(1, "/usr/local/bin/worker").as_deref(), Some("cmd/worker"));
        assert_eq!(img.shipped_packages(1), ["cmd/server", "cmd/worker"]);
    }

    #[test]
    fn loops_sh_c_and_variables() {
        let img = image(
            "FROM golang:1.22\nARG OUT=/out\nENV CGO_ENABLED=0\nWORKDIR /src\nCOPY . .\nRUN for svc in server worker; do \\\n  go build -o $OUT/$svc ./cmd/$svc; \\\n done\nRUN sh -c 'cd cmd/migrate && go build -o ${OUT}/migrate .'\n",
            &shop(),
        );
        assert_eq!(
            outputs(&img, 0),
            [o("/out/server", "cmd/server"), o("/out/worker", "cmd/worker"), o("/out/migrate", "cmd/migrate")]
        );
        assert!(img.stages[0].opaque.is_empty(), "{:?}", img.stages[0].opaque);
    }

    #[test]
    fn unresolvable_variables_make_the_stage_opaque() {
        let img = image("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/x ./cmd/$NAME\n", &shop());
        assert!(img.stages[0].builds.is_empty());
        assert!(!img.stages[0].opaque.is_empty());
    }

    #[test]
    fn missing_packages_are_noted_unless_fetched() {
        let img = image("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api\n", &shop());
        assert_eq!(img.stages[0].missing_targets.len(), 1);
        let cloned = image(
            "FROM golang:1.22\nRUN git clone https://example.com/x /x && cd /x && go build ./cmd/derper\n",
            &shop(),
        );
        assert!(cloned.stages[0].missing_targets.is_empty());
    }

    #[test]
    fn make_targets_are_followed() {
        let mk = crate::parse::makefile::parse(
            "OUT ?= bin\nCMDS = server worker\n.PHONY: build\nbuild: $(CMDS)\n\n%:\n\tgo build -o $(OUT)/$@ ./cmd/$@\n\nlint:\n\tgolangci-lint run\n",
        );
        let mut makefiles = BTreeMap::new();
        makefiles.insert("Makefile".to_string(), mk);
        let go = shop();
        let df = dockerfile::parse(FileId(0), "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make build OUT=/out\n")
            .unwrap_or_default();
        let img = build(
            FileId(0),
            "Dockerfile",
            "",
            &df,
            &Repo { go: &go, makefiles: &makefiles, rust: &[] },
            &BTreeMap::new(),
        );
        assert_eq!(outputs(&img, 0), [o("/out/server", "cmd/server"), o("/out/worker", "cmd/worker")]);
        assert!(img.stages[0].opaque.is_empty(), "{:?}", img.stages[0].opaque);
        let df = dockerfile::parse(FileId(0), "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make lint\n")
            .unwrap_or_default();
        let img = build(
            FileId(0),
            "Dockerfile",
            "",
            &df,
            &Repo { go: &go, makefiles: &makefiles, rust: &[] },
            &BTreeMap::new(),
        );
        assert!(!img.stages[0].opaque.is_empty());
    }

    #[test]
    fn a_file_copied_into_an_existing_directory_keeps_its_name() {
        let img = image(
            "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nFROM alpine\nWORKDIR /app\nCOPY --from=b /out/server .\nCOPY --from=b /out/server /usr/local/bin\nCMD [\"./server\"]\n",
            &shop(),
        );
        assert!(matches!(img.holds(1, "/app/server"), Holds::Yes(_)));
        assert_eq!(img.package_at(1, "/usr/local/bin/server").as_deref(), Some("cmd/server"));
        assert_eq!(img.stages[1].runs.as_deref(), Some("/app/server"));
    }

    #[test]
    fn cp_of_a_build_keeps_its_package() {
        let img = image(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o server ./cmd/server && cp server /usr/local/bin/\n",
            &shop(),
        );
        assert_eq!(img.package_at(0, "/usr/local/bin/server").as_deref(), Some("cmd/server"));
    }
}
