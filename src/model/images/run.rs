//! What RUN commands do to a stage, interpreted with the stage's variables (`ARG` defaults and
//! compose `build.args`, `ENV`, `export`, `for` loops): `cd`, `sh -c '…'` bodies, `go build`
//! and `go install`, `cargo build` and `cargo install --path`, `make TARGET` through the build
//! context's Makefile, `cp`/`mv`/`install`, redirections, and the commands that fetch or unpack
//! what deploylint cannot see (which make the stage opaque).

use super::{BuildOut, CopyFrom, MissingTarget, SYSTEM_DIRS, StageModel, abs, chain_of, expand, is_under};
use crate::model::code::go::{GoModel, Package};
use crate::model::code::rust::RustPackage;
use crate::parse::makefile::Makefile;
use crate::parse::shell::{self, SimpleCommand, unwrap_command};
use crate::source::{Span, file_name, join_rel, parent_dir};
use std::collections::BTreeMap;

/// A `make` run: the Makefile, and the `make` command its recipes' commands stand at (expanded,
/// their text is written nowhere).
struct MakeRun<'a> {
    mk: &'a Makefile,
    origin: Span,
}

/// Commands that change nothing deploylint tracks (packages, users, permissions, checks).
const HARMLESS: &[&str] = &[
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
    "microdnf",
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
pub(crate) fn go_binary_name(go: &GoModel, dir: &str) -> String {
    if let Some(m) = go.modules.iter().find(|m| m.dir == dir) {
        return import_path_name(&m.path);
    }
    if dir.is_empty() { "main".to_string() } else { file_name(dir).to_string() }
}

pub(crate) fn import_path_name(path: &str) -> String {
    let path = path.split('@').next().unwrap_or(path).trim_end_matches('/');
    let mut parts = path.rsplit('/');
    let last = parts.next().unwrap_or("");
    let is_major = last.len() > 1 && last.starts_with('v') && last[1..].bytes().all(|b| b.is_ascii_digit());
    if is_major { parts.next().unwrap_or(last).to_string() } else { last.to_string() }
}

pub(super) struct Interp<'a> {
    pub(super) go: &'a GoModel,
    pub(super) makefiles: &'a BTreeMap<String, Makefile>,
    pub(super) rust: &'a [RustPackage],
    /// The build context, when it is known.
    pub(super) context: Option<&'a str>,
    pub(super) stages: &'a [StageModel],
    /// Commands interpreted so far for this image, over all its RUNs: nested `for` loops and
    /// Makefile prerequisites multiply, so the count is bounded by [`MAX_COMMANDS`].
    pub(super) steps: &'a std::cell::Cell<usize>,
}

/// The most commands the RUNs of one image are followed through (loop bodies count once per
/// value, Makefile lookups and recipe lines once each); past it the stage is opaque.
pub(super) const MAX_COMMANDS: usize = 10_000;

impl Interp<'_> {
    /// The repo-relative directory of an absolute path in the stage, through the COPYs from the
    /// context, and whether the whole directory came from a directory copy.
    fn repo_dir(&self, st: &StageModel, path: &str) -> Option<String> {
        let mut best: Option<(usize, String)> = None;
        let mut consider = |s: &StageModel| {
            for c in s.copies.iter().filter(|c| c.from == CopyFrom::Context && !c.src.contains(['*', '?', '['])) {
                if let Some(rel) = c.source_for(path) {
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
        // A context bind mount of the RUN being interpreted wins over earlier copies.
        for c in &st.mounts {
            if let Some(rel) = c.source_for(path) {
                if best.as_ref().is_none_or(|(l, _)| c.dest.len() >= *l) {
                    best = Some((c.dest.len(), rel));
                }
            }
        }
        best.and_then(|(_, r)| join_rel(self.context?, &r))
    }

    /// Counts one command (or one Makefile lookup or recipe line); `false` past [`MAX_COMMANDS`],
    /// when the stage is opaque.
    fn step(&self, st: &mut StageModel) -> bool {
        let steps = self.steps.get().saturating_add(1);
        self.steps.set(steps);
        if steps <= MAX_COMMANDS {
            return true;
        }
        // Every stage that loses commands says so.
        let why = format!("RUN commands past the {MAX_COMMANDS} deploylint follows in one image");
        if !st.opaque.contains(&why) {
            st.opaque.push(why);
        }
        false
    }

    pub(super) fn run(&self, st: &mut StageModel, cmds: &[SimpleCommand], cwd: &mut String, depth: usize) {
        if depth > 8 {
            st.opaque.push("commands nested too deep".into());
            return;
        }
        let mut i = 0;
        while let Some(cmd) = cmds.get(i) {
            i += 1;
            if !self.step(st) {
                return;
            }
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
                            let inner = shell::parse_word(w);
                            self.run(st, &inner, cwd, depth + 1);
                        }
                        // A shell reading its script from stdin (`RUN <<EOF bash`): the heredoc
                        // body is read as the RUN's own commands.
                        None if words.iter().skip(1).all(|w| w.text.starts_with('-')) => {}
                        None => st.opaque.push(format!("RUN `{name}` runs a script deploylint cannot follow")),
                    }
                }
                "go" => self.go_command(st, words, cwd),
                "make" | "gmake" => self.make_command(st, words, cwd, depth),
                "mkdir" => self.make_dirs(st, words, cwd),
                "touch" | "tee" => {
                    // The files they name exist afterwards (an unknown name writes nothing known).
                    for w in words.iter().skip(1).filter(|w| !w.text.starts_with('-')) {
                        if let Some(p) = expand(&w.text, &st.vars) {
                            st.writes.push(abs(cwd, &p));
                        }
                    }
                }
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
        let mk = if overrides.is_empty() {
            std::borrow::Cow::Borrowed(mk)
        } else {
            std::borrow::Cow::Owned(mk.with_overrides(overrides))
        };
        let mk = mk.as_ref();
        if goals.is_empty() {
            goals.extend(mk.default_goal().map(str::to_string));
        }
        let mut seen = Vec::new();
        let mut cwd = dir.clone();
        let origin = match (words.first(), words.last()) {
            (Some(a), Some(b)) => a.span.to(b.span),
            _ => st.span,
        };
        let make = MakeRun { mk, origin };
        for g in goals {
            self.make_goal(st, &make, &g, &mut cwd, depth, &mut seen);
        }
    }

    fn make_goal(
        &self,
        st: &mut StageModel,
        make: &MakeRun<'_>,
        goal: &str,
        cwd: &mut String,
        depth: usize,
        seen: &mut Vec<String>,
    ) {
        let mk = make.mk;
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
            if !self.step(st) {
                return;
            }
            if mk.rule_for(p).is_some() {
                self.make_goal(st, make, p, cwd, depth, seen);
            }
        }
        for (line, _) in &rule.recipe {
            if !self.step(st) {
                return;
            }
            let Some(expanded) = mk.expand(line, &auto, 0) else {
                return st.opaque.push(format!("a recipe line of `make {goal}` deploylint cannot expand"));
            };
            // `$(MAKE) other` runs another goal of the same Makefile.
            let cmds = shell::parse_detached(&expanded.replace("$(MAKE)", "make"), make.origin);
            let mut recipe_cwd = cwd.clone();
            for c in &cmds {
                let (a, _) = unwrap_command(&c.words);
                if matches!(c.words.get(a).map(|w| w.text.as_str()), Some("make" | "gmake")) {
                    for g in c.words.iter().skip(a + 1).filter(|w| !w.text.starts_with('-') && !w.text.contains('=')) {
                        self.make_goal(st, make, &g.text, &mut recipe_cwd, depth, seen);
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
        // Binaries named that do not exist: reported, and their outputs still written (or the
        // build fails), so a copy of them is never a second finding.
        let mut missing: Vec<(String, Span)> = Vec::new();
        for (bin, bspan) in &wanted {
            match candidates.iter().flat_map(|p| p.bins.iter()).find(|b| &b.name == bin) {
                Some(b) => chosen.push((b.name.clone(), b.src.clone(), *bspan)),
                None => {
                    let package = format!("--bin {bin}");
                    if !st.missing_targets.iter().any(|m| m.package == package && m.repo_dir == workspace) {
                        st.missing_targets.push(MissingTarget { package, repo_dir: workspace.clone(), span: *bspan });
                    }
                    missing.push((bin.clone(), *bspan));
                }
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
        // Binaries no `--bin` named, several at once: built because they are there.
        let bulk = wanted.is_empty() && chosen.len() > 1;
        for (name, src, sp) in chosen {
            let output = abs(&out_dir, &name);
            st.builds.push(BuildOut { output, package: name, repo_dir: Some(src), span: sp, bulk });
        }
        for (name, sp) in missing {
            let output = abs(&out_dir, &name);
            st.builds.push(BuildOut {
                output,
                package: format!("--bin {name}"),
                repo_dir: None,
                span: sp,
                bulk: false,
            });
        }
    }

    /// `mkdir [-p] [-m MODE] DIR…` and `install -d DIR…`: the directories exist.
    fn make_dirs(&self, st: &mut StageModel, words: &[shell::Word], cwd: &str) {
        let mut skip_next = false;
        for w in words.iter().skip(1) {
            if std::mem::take(&mut skip_next) {
                continue;
            }
            if w.text.starts_with('-') {
                skip_next = matches!(w.text.as_str(), "-m" | "--mode" | "-o" | "-g");
                continue;
            }
            // A directory whose name is not known creates nothing deploylint looks for.
            if let Some(d) = expand(&w.text, &st.vars) {
                st.made_dirs.push(abs(cwd, &d));
            }
        }
    }

    fn copy_command(&self, st: &mut StageModel, name: &str, words: &[shell::Word], cwd: &str) {
        if name == "install" && words.iter().skip(1).any(|w| w.text == "-d" || w.text == "--directory") {
            return self.make_dirs(st, words, cwd);
        }
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
            || st.workdirs.iter().any(|w| w == dest)
            || st.made_dirs.iter().any(|d| d == dest);
        for src in srcs {
            let target =
                if dest_is_dir { format!("{}/{}", dest.trim_end_matches('/'), file_name(src)) } else { dest.clone() };
            if recursive || src.contains(['*', '?', '[']) {
                st.unknown_dirs.push(if dest_is_dir { dest.clone() } else { target.clone() });
                continue;
            }
            let built = st.builds.iter().find(|b| b.output == *src).cloned();
            let known_file =
                st.writes.iter().any(|w| w == src) || st.copies.iter().any(|c| !c.dest_is_dir && c.dest == *src);
            match built {
                Some(b) => st.builds.push(BuildOut { output: target, ..b }),
                // `mv` moves directories too: what lands there is not known.
                None if name == "mv" && !known_file => st.unknown_dirs.push(target),
                None => st.writes.push(target),
            }
        }
    }

    fn go_command(&self, st: &mut StageModel, words: &[shell::Word], cwd: &str) {
        let args = go_args(words);
        let sub = args.sub;
        if sub == "test" && args.compile_test {
            // `go test -c -o X`: a test binary at X (or `<pkg>.test` in the directory).
            match args.out.as_deref().map(|o| expand(o, &st.vars)) {
                Some(Some(o)) if o.ends_with('/') => st.unknown_dirs.push(abs(cwd, &o)),
                Some(Some(o)) => st.writes.push(abs(cwd, &o)),
                Some(None) => st.opaque.push("a `go test -c -o` path deploylint cannot resolve".into()),
                None => st.unknown_dirs.push(cwd.to_string()),
            }
            return;
        }
        if sub != "build" && sub != "install" {
            if sub == "get" || sub == "run" && words.iter().any(|w| w.text.contains('@')) {
                st.fetches = true;
            }
            return;
        }
        let mut dir = cwd.to_string();
        if let Some(v) = &args.dir {
            match expand(v, &st.vars) {
                Some(d) => dir = abs(&dir, &d),
                None => {
                    st.opaque.push("`go -C` with a directory deploylint cannot resolve".into());
                    return;
                }
            }
        }
        let out_flag = args.out.clone();
        let pkgs = args.pkgs;
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
            /// One of the packages a `/...` pattern matched.
            bulk: bool,
        }
        let mut targets: Vec<Target> = Vec::new();
        let mut many = pkgs.len() > 1;
        let default_pkg = shell::Word {
            text: ".".into(),
            span: words.get(1).map_or(Span::default(), |w| w.span),
            quoted_inner: None,
            verbatim: false,
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
                            let repo_dir = Some(repo_dir);
                            targets.push(Target { name, written: p.clone(), repo_dir, span: w.span, bulk: recursive });
                        }
                    }
                    _ => {
                        st.fetches |= version.is_some();
                        targets.push(Target {
                            name: import_path_name(&spec),
                            written: p.clone(),
                            repo_dir: None,
                            span: w.span,
                            bulk: false,
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
            // The output name of a package that cannot be placed in the repository.
            let unplaced_name = if path_part.ends_with(".go") && out.is_none() {
                file_name(path_part).trim_end_matches(".go").to_string()
            } else {
                file_name(&abs_dir).to_string()
            };
            let Some(repo_dir) = self.repo_dir(st, &abs_dir) else {
                // Sources that did not come from the context (cloned, downloaded), or a context
                // that is not known: follow the output names, never the repository's packages.
                if recursive {
                    st.opaque.push(format!("`go {sub} {p}` builds packages deploylint cannot list"));
                    return;
                }
                targets.push(Target {
                    name: unplaced_name,
                    written: p.clone(),
                    repo_dir: None,
                    span: w.span,
                    bulk: false,
                });
                continue;
            };
            let found = targets_from(self.go, &repo_dir, recursive);
            if found.is_empty()
                && !recursive
                && self.go.package(&repo_dir).is_none()
                && !self.go.packages.keys().any(|k| is_under(k, &repo_dir))
            {
                // The same package missing twice (both branches of an `if`) is one finding.
                if !st.missing_targets.iter().any(|m| m.package == p && m.repo_dir == repo_dir) {
                    st.missing_targets.push(MissingTarget { package: p.clone(), repo_dir, span: w.span });
                }
                // The build still writes its output (or fails): never a second finding about it.
                targets.push(Target {
                    name: unplaced_name,
                    written: p.clone(),
                    repo_dir: None,
                    span: w.span,
                    bulk: false,
                });
                continue;
            }
            let file_named = path_part.ends_with(".go") && out.is_none() && !recursive;
            for (name, rd) in found {
                let name = if file_named { file_name(path_part).trim_end_matches(".go").to_string() } else { name };
                targets.push(Target { name, written: p.clone(), repo_dir: Some(rd), span: w.span, bulk: recursive });
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
            st.builds.push(BuildOut { output, package: t.written, repo_dir: t.repo_dir, span: t.span, bulk: t.bulk });
        }
    }
}

/// The arguments of a `go` command: its subcommand, `-o`, `-C`, `-c` and package arguments,
/// as written.
pub(crate) struct GoArgs<'w> {
    pub sub: &'w str,
    pub out: Option<String>,
    pub dir: Option<String>,
    /// `go test -c`: compile the test binary.
    pub compile_test: bool,
    pub pkgs: Vec<&'w shell::Word>,
}

/// Reads `go SUB [flags] [packages]` (`words` starts at `go`).
pub(crate) fn go_args(words: &[shell::Word]) -> GoArgs<'_> {
    let sub = words.get(1).map(|w| w.text.as_str()).unwrap_or("");
    let mut args = GoArgs { sub, out: None, dir: None, compile_test: false, pkgs: Vec::new() };
    let mut i = 2;
    while let Some(w) = words.get(i) {
        let t = w.text.as_str();
        if t == "--" {
            break;
        }
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
                ("-o", Some(v)) => args.out = Some(v),
                ("-C", Some(v)) => args.dir = Some(v),
                ("-c", _) => args.compile_test = true,
                _ => {}
            }
        } else if sub == "run" && !args.pkgs.is_empty() {
            // `go run PKG ARGS…`: the program's own arguments.
            break;
        } else {
            args.pkgs.push(w);
        }
        i += 1;
    }
    args
}

/// The main packages at `dir` (or under it, for `…/...`): (binary name, repo dir).
fn targets_from(go: &GoModel, dir: &str, recursive: bool) -> Vec<(String, String)> {
    // Packages are keyed by their directory: the one at `dir`, or those under it, by range.
    let under: Vec<&Package> = if !recursive {
        go.packages.get(dir).into_iter().collect()
    } else if dir.is_empty() || dir == "/" {
        go.packages.values().collect()
    } else {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        let below = go
            .packages
            .range::<str, _>((std::ops::Bound::Included(prefix.as_str()), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix));
        go.packages.get(dir).into_iter().chain(below.map(|(_, p)| p).filter(|p| p.dir != dir)).collect()
    };
    under.into_iter().filter(|p| p.is_main).map(|p| (go_binary_name(go, &p.dir), p.dir.clone())).collect()
}
