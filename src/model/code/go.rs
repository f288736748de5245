//! Go packages and the binaries they make: main packages, their module, the packages they
//! reach through imports, the env keys those read and the batch tasks they define.

use super::{EnvRead, Lang, Program, RequiredEnv};
use crate::parse::golang::{
    self, Body, FieldType, ReadKind, StringFlag, StructDecl, StructLoad, TagLib, TypeRef, Use, WrapKind,
};
use crate::source::Spanned;
use crate::source::{FileId, Kind, Sources, Span, file_name, parent_dir};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

#[derive(Clone, Debug)]
pub struct Module {
    pub dir: String,
    pub path: String,
}

#[derive(Clone, Debug, Default)]
pub struct Package {
    pub dir: String,
    pub module_dir: Option<String>,
    pub import_path: Option<String>,
    pub is_main: bool,
    /// `package main` in the package's main file (prefers `main.go`).
    pub main_span: Option<Span>,
    pub imports: BTreeSet<String>,
    /// Import paths brought in with `import . "path"`.
    pub dot_imports: BTreeSet<String>,
    /// The functions and methods of every file.
    pub funcs: Vec<golang::Func>,
    /// Package-level code, one body per file.
    pub package_level: Vec<golang::Body>,
    /// Every file was followed to its end (the functions are all known); `false` for a package
    /// no main package reaches, known by its package clauses only.
    pub complete: bool,
    pub string_flags: Vec<StringFlag>,
    /// The subcommands declared with cobra / urfave/cli.
    pub cli: golang::CliCommands,
    /// Every file is generated code (`// Code generated … DO NOT EDIT.`); `false` for a package
    /// whose files are not read.
    pub generated: bool,
    /// The struct types declared, by name.
    pub structs: BTreeMap<String, StructDecl>,
    /// Name → (receiver type or "", index into `funcs`).
    by_name: BTreeMap<String, Vec<(String, usize)>>,
    /// The directories of the repository's packages it imports.
    links: Vec<String>,
}

impl Package {
    /// The indexes of the functions called `name` (methods of `receiver`, or plain functions
    /// when it is empty); several when build tags give one function per platform.
    fn funcs_named(&self, receiver: &str, name: &str) -> Vec<usize> {
        let found = self.by_name.get(name).map_or(&[][..], Vec::as_slice);
        found.iter().filter(|(r, _)| r == receiver).map(|(_, i)| *i).collect()
    }
}

#[derive(Debug, Default)]
pub struct GoModel {
    pub modules: Vec<Module>,
    pub packages: BTreeMap<String, Package>,
    /// Import path → package directory.
    by_import: BTreeMap<String, String>,
}

fn module_path(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("module").filter(|r| r.starts_with([' ', '\t'])).map(|r| r.trim().trim_matches('"').to_string())
    })
}

/// The name `go build` gives the main package in `dir`: the last element of its import path
/// without a `/vN` major-version suffix (a module root takes its module path's), else the
/// directory's name. A main package at the root of a repository without a `go.mod` has no
/// name of its own: `main`.
pub fn binary_name(modules: &[Module], dir: &str) -> String {
    if let Some(m) = modules.iter().find(|m| m.dir == dir) {
        let mut parts = m.path.trim_end_matches('/').rsplit('/');
        let last = parts.next().unwrap_or("");
        let major = last.strip_prefix('v').is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
        let name = if major { parts.next().unwrap_or(last) } else { last };
        if !name.is_empty() {
            return name.to_string();
        }
    }
    if dir.is_empty() { "main".to_string() } else { file_name(dir).to_string() }
}

/// Whether a `binaries.ignore` entry names the Go main package in `dir`: by its path, or by its
/// path relative to its module.
pub fn ignore_names(pattern: &str, dir: &str, module_dir: Option<&str>) -> bool {
    glob_match(pattern, dir)
        || module_dir
            .is_some_and(|md| dir.strip_prefix(md).is_some_and(|rel| glob_match(pattern, rel.trim_start_matches('/'))))
}

/// The key envconfig reads for a field: its `envconfig` tag, else its name (split into words
/// with `split_words:"true"`), after `PREFIX_`, upper-cased.
fn envconfig_key(f: &golang::Field, prefix: &str) -> String {
    let name = f.name.as_ref().map_or("", |n| n.value.as_str());
    let mut key = if f.tag("split_words").is_some_and(|v| v.value == "true") {
        split_words(name).join("_")
    } else {
        name.to_string()
    };
    if let Some(tag) = f.tag("envconfig").filter(|v| !v.value.is_empty()) {
        key = tag.value.clone();
    }
    if !prefix.is_empty() {
        key = format!("{prefix}_{key}");
    }
    key.to_uppercase()
}

/// envconfig's `split_words`: runs of lower-case, an upper-case run with the lower-case after
/// it, or an upper-case run; an acronym before a word is its own word (`APIKey` → `API`, `Key`).
fn split_words(name: &str) -> Vec<String> {
    let chars: Vec<char> = name.chars().collect();
    let word = |r: std::ops::Range<usize>| -> String { chars.get(r).map(|w| w.iter().collect()).unwrap_or_default() };
    let mut words: Vec<String> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let start = i;
        let upper = |c: &char| c.is_uppercase();
        if chars.get(i).is_some_and(|c| !upper(c)) {
            while chars.get(i).is_some_and(|c| !upper(c)) {
                i += 1;
            }
            words.push(word(start..i));
            continue;
        }
        while chars.get(i).is_some_and(upper) {
            i += 1;
        }
        let ups = i;
        while chars.get(i).is_some_and(|c| !upper(c)) {
            i += 1;
        }
        if i > ups && ups - start >= 2 {
            // `APIKey`: `API` and `Key`.
            words.push(word(start..ups - 1));
            words.push(word(ups - 1..i));
        } else {
            words.push(word(start..i));
        }
    }
    words
}

/// Simple glob match: `*` matches within one path component, `**` across components.
pub fn glob_match(pattern: &str, path: &str) -> bool {
    let pattern = pattern.trim_end_matches('/');
    let p: Vec<&str> = pattern.split('/').collect();
    let s: Vec<&str> = path.split('/').collect();
    fn seg(p: &str, s: &str) -> bool {
        match p.split_once('*') {
            None => p == s,
            Some((pre, rest)) => {
                if !s.starts_with(pre) {
                    return false;
                }
                let s = &s[pre.len()..];
                (0..=s.len()).any(|i| s.is_char_boundary(i) && seg(rest, &s[i..]))
            }
        }
    }
    fn go(p: &[&str], s: &[&str]) -> bool {
        match (p.first(), s.first()) {
            (None, None) => true,
            (Some(&"**"), _) => go(&p[1..], s) || (!s.is_empty() && go(p, &s[1..])),
            (Some(a), Some(b)) => seg(a, b) && go(&p[1..], &s[1..]),
            _ => false,
        }
    }
    go(&p, &s)
}

/// A package in `dir` with no file read yet: its module (the nearest `go.mod` above it) and
/// import path.
fn new_package(dir: &str, by_dir: &BTreeMap<&str, &Module>) -> Package {
    let module = {
        let mut d = dir;
        loop {
            if let Some(md) = by_dir.get(d) {
                break Some(*md);
            }
            if d.is_empty() {
                break None;
            }
            d = parent_dir(d);
        }
    };
    Package {
        dir: dir.to_string(),
        module_dir: module.map(|md| md.dir.clone()),
        import_path: module.map(|md| {
            let rel = dir.strip_prefix(&md.dir).unwrap_or(dir).trim_start_matches('/');
            if rel.is_empty() { md.path.clone() } else { format!("{}/{rel}", md.path) }
        }),
        generated: true,
        complete: true,
        ..Package::default()
    }
}

/// The package in `dir` as its files' package clauses tell it (none when every file is left
/// out of the build): whether it is a main package. Its files are not read further, so its
/// imports and functions are not known and it is not `complete`.
fn clause_package(
    dir: &str,
    clauses: impl Iterator<Item = golang::PackageClause>,
    by_dir: &BTreeMap<&str, &Module>,
) -> Option<Package> {
    let mut out: Option<Package> = None;
    for c in clauses.filter(|c| !c.build_ignored) {
        let pkg = out.get_or_insert_with(|| Package { complete: false, generated: false, ..new_package(dir, by_dir) });
        pkg.is_main |= c.package.is_some_and(|p| p.value == "main");
    }
    out
}

/// One directory's Go files, scanned: its package (none when every file is left out of the
/// build), the span of `package main` in its main file (preferring `main.go`), and the fields
/// its files check for emptiness.
struct ScannedPackage {
    package: Option<Package>,
    main_span: Option<Span>,
    checked: Vec<String>,
}

/// The package in `dir` from its files' facts, in path order.
fn package<'a>(
    dir: &str,
    files: impl Iterator<Item = (&'a crate::source::SourceFile, golang::GoFile)>,
    by_dir: &BTreeMap<&str, &Module>,
) -> ScannedPackage {
    let mut out = ScannedPackage { package: None, main_span: None, checked: Vec::new() };
    // The first file of `package main`, replaced by `main.go` when another comes first.
    let mut main: Option<(bool, Span)> = None;
    for (f, facts) in files {
        out.checked.extend(facts.empty_checked_fields);
        if facts.build_ignored {
            continue;
        }
        let pkg = out.package.get_or_insert_with(|| new_package(dir, by_dir));
        pkg.generated &= facts.generated;
        if let Some(p) = &facts.package
            && p.value == "main"
        {
            pkg.is_main = true;
            let is_main_go = file_name(&f.path) == "main.go";
            match main {
                None => main = Some((is_main_go, p.span)),
                Some((false, _)) if is_main_go => main = Some((true, p.span)),
                Some(_) => {}
            }
        }
        for i in facts.imports {
            if i.alias.as_deref() == Some(".") {
                pkg.dot_imports.insert(i.path.value.clone());
            }
            pkg.imports.insert(i.path.value);
        }
        let mut funcs = facts.funcs;
        let mut package_level = facts.package_level;
        if facts.generated {
            // Generated code is not charged with keys; its calls still count.
            package_level.env_reads.clear();
            funcs.iter_mut().for_each(|f| f.body.env_reads.clear());
        }
        pkg.complete &= facts.complete;
        pkg.funcs.extend(funcs);
        pkg.package_level.push(package_level);
        pkg.string_flags.extend(facts.string_flags);
        pkg.cli.commands.extend(facts.cli.commands);
        pkg.cli.dynamic |= facts.cli.dynamic;
        pkg.cli.executed.extend(facts.cli.executed);
        pkg.cli.app |= facts.cli.app;
        for d in facts.structs {
            pkg.structs.entry(d.name.clone()).or_insert(d);
        }
    }
    if let Some(pkg) = &mut out.package {
        for (i, f) in pkg.funcs.iter().enumerate() {
            let receiver = f.receiver.clone().unwrap_or_default();
            pkg.by_name.entry(f.name.value.clone()).or_default().push((receiver, i));
        }
    }
    out.main_span = main.map(|(_, span)| span);
    out
}

/// Reads the packages the main packages reach (see [`build`]). Every file is read in a task of
/// its own; the task that reads a package's last file builds the package and starts the reading
/// of the packages it imports. No task waits on another, so tasks never pile up on one stack.
struct Reader<'r, 's> {
    /// Each package directory's Go files.
    groups: &'r [(&'s str, Vec<(FileId, &'s crate::source::SourceFile)>)],
    /// Import path → index into `groups`.
    by_import: &'r BTreeMap<&'r str, usize>,
    by_dir: &'r BTreeMap<&'r str, &'r Module>,
    local: &'r (dyn Fn(&str) -> bool + Sync),
    structs: bool,
    /// Whether a task has taken each package.
    claimed: Vec<AtomicBool>,
    /// Each package's files, as read (boxed: the slots of packages never read stay small).
    files: Vec<Vec<Mutex<Option<Box<golang::GoFile>>>>>,
    /// How many of each package's files are still to read.
    pending: Vec<AtomicUsize>,
    read: Vec<OnceLock<ScannedPackage>>,
}

impl<'r, 's> Reader<'r, 's> {
    fn new(
        groups: &'r [(&'s str, Vec<(FileId, &'s crate::source::SourceFile)>)],
        by_import: &'r BTreeMap<&'r str, usize>,
        by_dir: &'r BTreeMap<&'r str, &'r Module>,
        local: &'r (dyn Fn(&str) -> bool + Sync),
        structs: bool,
    ) -> Self {
        Reader {
            groups,
            by_import,
            by_dir,
            local,
            structs,
            claimed: groups.iter().map(|_| AtomicBool::new(false)).collect(),
            files: groups.iter().map(|(_, files)| files.iter().map(|_| Mutex::new(None)).collect()).collect(),
            pending: groups.iter().map(|(_, files)| AtomicUsize::new(files.len())).collect(),
            read: groups.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Starts reading package `i`, unless a task has taken it already.
    fn start<'a>(&'a self, scope: &rayon::Scope<'a>, i: usize) {
        if self.claimed.get(i).is_none_or(|c| c.swap(true, Ordering::Relaxed)) {
            return;
        }
        let Some((_, files)) = self.groups.get(i) else { return };
        for (k, (id, f)) in files.iter().enumerate() {
            scope.spawn(move |scope| {
                let parsed = golang::parse_scoped(*id, &f.text, self.local, self.structs);
                if let Some(Ok(mut slot)) = self.files.get(i).and_then(|v| v.get(k)).map(Mutex::lock) {
                    *slot = Some(Box::new(parsed));
                }
                // The last file read: the package is complete.
                if self.pending.get(i).is_some_and(|p| p.fetch_sub(1, Ordering::AcqRel) == 1) {
                    self.finish(scope, i);
                }
            });
        }
    }

    /// Builds package `i` from its files, in path order, and starts the packages it imports.
    fn finish<'a>(&'a self, scope: &rayon::Scope<'a>, i: usize) {
        let (Some((dir, files)), Some(parsed)) = (self.groups.get(i), self.files.get(i)) else { return };
        let read = files.iter().zip(parsed).filter_map(|((_, f), slot)| Some((*f, *slot.lock().ok()?.take()?)));
        let built = package(dir, read, self.by_dir);
        let imports: Vec<usize> = built
            .package
            .iter()
            .flat_map(|p| p.imports.iter())
            .filter_map(|path| self.by_import.get(path.as_str()).copied())
            .collect();
        if let Some(slot) = self.read.get(i) {
            let _ = slot.set(built);
        }
        for j in imports {
            self.start(scope, j);
        }
    }
}

pub fn build(sources: &Sources, ignore: &[String]) -> (GoModel, Vec<Program>) {
    let mut m = GoModel::default();
    let mut binaries = Vec::new();
    for (_, f) in sources.iter().filter(|(_, f)| f.kind == Kind::GoMod) {
        if let Some(path) = module_path(&f.text) {
            m.modules.push(Module { dir: parent_dir(&f.path).to_string(), path });
        }
    }
    // Longest module dir first, so the nearest go.mod wins.
    m.modules.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then(a.dir.cmp(&b.dir)));
    let by_dir: BTreeMap<&str, &Module> = m.modules.iter().map(|md| (md.dir.as_str(), md)).collect();
    // Reading is the costly part on large repositories. The files of one directory make one
    // package, its files in path order; the packages are kept in directory order.
    let mut by_package: BTreeMap<&str, Vec<(FileId, &crate::source::SourceFile)>> = BTreeMap::new();
    // Files come in path order, most next to the others of their directory: a run of one
    // directory's files is added at once.
    let mut run: Option<(&str, Vec<(FileId, &crate::source::SourceFile)>)> = None;
    for (id, f) in sources.iter().filter(|(_, f)| f.kind == Kind::Go && !f.path.ends_with("_test.go")) {
        let dir = parent_dir(&f.path);
        match &mut run {
            Some((d, files)) if *d == dir => files.push((id, f)),
            _ => {
                if let Some((d, files)) = run.replace((dir, vec![(id, f)])) {
                    by_package.entry(d).or_default().extend(files);
                }
            }
        }
    }
    if let Some((d, files)) = run {
        by_package.entry(d).or_default().extend(files);
    }
    // Only references to the repository's own packages are followed.
    // An import path is the repository's own when it or one of its parents (cut at a `/`) is a
    // module's path: a look-up per level, whatever the number of modules.
    let module_paths: BTreeSet<&str> = m.modules.iter().map(|md| md.path.as_str()).collect();
    let local = |path: &str| {
        let mut p = path;
        loop {
            if module_paths.contains(p) {
                return true;
            }
            match p.rfind('/') {
                Some(cut) => p = p.get(..cut).unwrap_or(""),
                None => return false,
            }
        }
    };
    // A byte pre-filter: struct tags are read only where a tag-reading library is imported
    // somewhere (a config struct may sit in another package than the call that fills it).
    let finders: Vec<memchr::memmem::Finder> =
        golang::TAG_LIBRARIES.iter().map(|l| memchr::memmem::Finder::new(l.as_bytes())).collect();
    let structs = by_package
        .par_iter()
        .any(|(_, files)| files.iter().any(|(_, f)| finders.iter().any(|l| l.find(f.text.as_bytes()).is_some())));
    let groups: Vec<(&str, Vec<(FileId, &crate::source::SourceFile)>)> = by_package.into_iter().collect();
    // Only the packages a program links are read in full: the files' package clauses tell
    // which packages exist and which are main packages; the main packages are read, then the
    // packages they import, and so on. A package no main package reaches is known by its
    // package clauses only.
    let mut packages: Vec<Option<Package>> = groups
        .par_iter()
        .map(|(dir, files)| {
            clause_package(dir, files.iter().map(|(id, f)| golang::parse_package_clause(*id, &f.text)), &by_dir)
        })
        .collect();
    // Each package is read once, by the first task that reaches it; reading a package starts
    // the reading of the packages it imports, with no wait for the others of its level.
    let by_import: BTreeMap<&str, usize> =
        packages.iter().enumerate().filter_map(|(i, p)| Some((p.as_ref()?.import_path.as_deref()?, i))).collect();
    let reader = Reader::new(&groups, &by_import, &by_dir, &local, structs);
    let mains = packages.iter().enumerate().filter(|(_, p)| p.as_ref().is_some_and(|p| p.is_main)).map(|(i, _)| i);
    rayon::scope(|s| {
        for i in mains {
            reader.start(s, i);
        }
    });
    let mut main_spans: BTreeMap<usize, Span> = BTreeMap::new();
    // A value stored in a field that code elsewhere checks for emptiness and copes with
    // (`if cfg.InstanceName == "" { use host and port }`) is optional.
    let mut checked: BTreeSet<String> = BTreeSet::new();
    for (i, b) in reader.read.into_iter().enumerate() {
        let Some(b) = b.into_inner() else { continue };
        checked.extend(b.checked);
        if let Some(span) = b.main_span {
            main_spans.insert(i, span);
        }
        if let Some(slot) = packages.get_mut(i) {
            *slot = b.package;
        }
    }
    let mut main_files: Vec<(String, Span)> = Vec::new();
    let mut packages: Vec<(String, Package)> = packages
        .into_iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let p = p?;
            if let Some(span) = main_spans.get(&i) {
                main_files.push((p.dir.clone(), *span));
            }
            Some((p.dir.clone(), p))
        })
        .collect();
    if !checked.is_empty() {
        packages.par_iter_mut().for_each(|(_, pkg)| {
            let bodies = pkg.funcs.iter_mut().map(|f| &mut f.body).chain(pkg.package_level.iter_mut());
            for body in bodies {
                for read in &mut body.env_reads {
                    if read.field.as_ref().is_some_and(|f| checked.contains(f)) {
                        read.optional = true;
                    }
                }
            }
        });
    }
    m.packages = packages.into_iter().collect();
    for (dir, span) in main_files {
        let Some(pkg) = m.packages.get_mut(&dir) else {
            continue;
        };
        pkg.main_span = Some(span);
        let name = binary_name(&m.modules, &dir);
        let ignored = ignore.iter().any(|g| ignore_names(g, &dir, pkg.module_dir.as_deref()));
        let ignored = ignored || pkg.generated;
        binaries.push(Program { name, dir, module_dir: pkg.module_dir.clone(), span, ignored, lang: Lang::Go });
    }
    m.by_import = m.packages.values().filter_map(|p| Some((p.import_path.clone()?, p.dir.clone()))).collect();
    for p in m.packages.values_mut() {
        p.links = p.imports.iter().filter_map(|i| m.by_import.get(i.as_str()).cloned()).collect();
    }
    (m, binaries)
}

impl GoModel {
    /// The packages a binary reaches through imports inside its repository (itself included).
    pub fn reachable<'a>(&'a self, dir: &'a str) -> Vec<&'a Package> {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut stack: Vec<&str> = vec![dir];
        let mut out = Vec::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d) {
                continue;
            }
            let Some(p) = self.packages.get(d) else {
                continue;
            };
            out.push(p);
            stack.extend(p.links.iter().map(String::as_str));
        }
        out.sort_by(|a, b| a.dir.cmp(&b.dir));
        out
    }

    /// The keys the binary built from `dir` reads on every run with no fallback: those read by
    /// package-level code and `init` of every package it links, and by the functions `main`
    /// reaches through calls and references outside branches (function calls, `pkg.F`, and
    /// methods of values whose type is known). A method called on a value of unknown type is
    /// not followed: its keys are unknown, not required. When the functions cannot be followed
    /// (a file whose brackets do not balance, no `func main`), only the main package's own
    /// reads are known.
    pub fn required_env(&self, dir: &str) -> RequiredEnv {
        let (reads, computed) = self.env_reads(dir);
        RequiredEnv { reads: reads.into_iter().filter(|r| r.required).collect(), computed }
    }

    /// Every key the binary built from `dir` reads (required or not), through the code it
    /// reaches (see [`GoModel::required_env`]), and whether that code was followed.
    pub fn env_reads(&self, dir: &str) -> (Vec<EnvRead>, bool) {
        let linked = self.reachable(dir);
        let Some(main) = self.packages.get(dir) else {
            return (Vec::new(), false);
        };
        let main_funcs = main.funcs_named("", "main");
        let computed = !main_funcs.is_empty() && linked.iter().all(|p| p.complete);
        let mut bodies: Vec<(&str, &Body)> = Vec::new();
        if computed {
            let mut seen: BTreeSet<(&str, usize)> = BTreeSet::new();
            let mut stack: Vec<(&str, usize)> = main_funcs.iter().map(|&i| (dir, i)).collect();
            for p in &linked {
                bodies.extend(p.package_level.iter().map(|b| (p.dir.as_str(), b)));
                stack.extend(p.funcs_named("", "init").into_iter().map(|i| (p.dir.as_str(), i)));
                for b in &p.package_level {
                    for u in &b.uses {
                        stack.extend(self.targets(&p.dir, u));
                    }
                }
            }
            while let Some((d, i)) = stack.pop() {
                if !seen.insert((d, i)) {
                    continue;
                }
                let Some(f) = self.packages.get(d).and_then(|p| p.funcs.get(i)) else { continue };
                bodies.push((d, &f.body));
                for u in &f.body.uses {
                    stack.extend(self.targets(d, u));
                }
            }
        } else {
            bodies.extend(main.package_level.iter().map(|b| (dir, b)));
            bodies.extend(main.funcs.iter().map(|f| (dir, &f.body)));
        }
        let mut reads: Vec<EnvRead> = Vec::new();
        for (d, b) in bodies {
            for r in &b.env_reads {
                let (required, why) = match &r.kind {
                    ReadKind::Direct if !r.alternatives.is_empty() => (
                        !r.optional,
                        "read here with only other keys as its fallback, and the code fails without all of them",
                    ),
                    ReadKind::Direct => (!r.optional, "read here with no fallback"),
                    ReadKind::Library(why) => (!r.optional, *why),
                    ReadKind::Via { target, arg } => {
                        // The most lenient of the functions the call may be (one per platform).
                        let kind = self
                            .targets(d, target)
                            .into_iter()
                            .filter_map(|(pd, i)| self.packages.get(pd)?.funcs.get(i)?.wrapper)
                            .filter(|w| w.param == *arg)
                            .map(|w| w.kind)
                            .max();
                        match kind {
                            None => continue,
                            Some(WrapKind::Required) => {
                                (!r.conditional, "read here through a wrapper of `os.Getenv` that fails without it")
                            }
                            Some(WrapKind::PassThrough) => {
                                (!r.optional, "read here through a wrapper of `os.Getenv`, with no fallback")
                            }
                            Some(WrapKind::Optional) => (false, "read here through a wrapper with a default"),
                        }
                    }
                };
                reads.push(EnvRead::new(r.key.clone(), required, why).with_alternatives(&r.alternatives));
            }
            for load in &b.struct_loads {
                self.struct_reads(d, load, &mut reads);
            }
        }
        reads.sort_by_key(|r| r.key.span);
        // One read per place; a required one wins.
        reads.dedup_by(|a, b| {
            let same = a.key.span == b.key.span && a.key.value == b.key.value;
            if same && a.required {
                b.required = true;
                b.why = a.why;
                b.alternatives = std::mem::take(&mut a.alternatives);
            }
            same
        });
        (reads, computed)
    }

    /// The struct a type names in package `dir`, with its package directory.
    fn struct_of<'a>(&'a self, dir: &'a str, ty: &'a TypeRef) -> Option<(&'a str, &'a StructDecl)> {
        let (d, name) = self.resolve_type(dir, ty, 0)?;
        let (d, p) = self.packages.get_key_value(d)?;
        Some((d.as_str(), p.structs.get(name)?))
    }

    /// The keys a struct filled by a tag library reads.
    fn struct_reads(&self, dir: &str, load: &StructLoad, out: &mut Vec<EnvRead>) {
        let Some(prefix) = &load.prefix else { return };
        if let Some((d, s)) = self.struct_of(dir, &load.ty) {
            self.walk_struct(d, s, prefix, load, 0, out);
        }
    }

    fn walk_struct(
        &self,
        dir: &str,
        s: &StructDecl,
        prefix: &str,
        load: &StructLoad,
        depth: usize,
        out: &mut Vec<EnvRead>,
    ) {
        if depth > 8 {
            return;
        }
        for f in &s.fields {
            let nested = match &f.ty {
                FieldType::Named(ty) => self.struct_of(dir, ty),
                FieldType::Pointer(ty) if load.lib == TagLib::Envconfig => self.struct_of(dir, ty),
                _ => None,
            };
            match load.lib {
                TagLib::Envconfig => {
                    if f.tag("ignored").is_some_and(|v| v.value == "true") {
                        continue;
                    }
                    let explicit = f.tag("envconfig").filter(|v| !v.value.is_empty());
                    if let Some((d, inner)) = nested {
                        let inner_prefix = match &f.name {
                            None => prefix.to_string(),
                            Some(_) => envconfig_key(f, prefix),
                        };
                        self.walk_struct(d, inner, &inner_prefix, load, depth + 1, out);
                        continue;
                    }
                    let Some(name) = &f.name else { continue };
                    if matches!(f.ty, FieldType::Unknown | FieldType::Pointer(_)) && explicit.is_none() {
                        continue;
                    }
                    let key = envconfig_key(f, prefix);
                    if !crate::parse::rustsrc::is_key(&key) {
                        continue;
                    }
                    // With a prefix, envconfig also accepts the tag's key alone: either satisfies it.
                    let alternatives = !prefix.is_empty() && explicit.is_some();
                    let required = f.tag("required").is_some_and(|v| v.value == "true")
                        && f.tag("default").is_none_or(|v| v.value.is_empty())
                        && !alternatives
                        && !load.conditional;
                    let span = explicit.map_or(name.span, |v| v.span);
                    let why = if required {
                        "required by its `envconfig` field tag (`required:\"true\"`, no default): `envconfig.Process` fails without it"
                    } else {
                        "read by `envconfig.Process`"
                    };
                    out.push(EnvRead::new(Spanned::new(key, span), required, why));
                }
                TagLib::CaarlosEnv => {
                    let tag = f.tag("env");
                    let (key, opts) = match tag {
                        Some(v) => {
                            let mut parts = v.value.split(',');
                            (parts.next().unwrap_or("").trim().to_string(), parts.map(str::trim).collect::<Vec<_>>())
                        }
                        None => (String::new(), Vec::new()),
                    };
                    if key == "-" {
                        continue;
                    }
                    if key.is_empty() {
                        if let (Some((d, inner)), FieldType::Named(_)) = (nested, &f.ty) {
                            let inner_prefix =
                                format!("{prefix}{}", f.tag("envPrefix").map_or("", |v| v.value.as_str()));
                            self.walk_struct(d, inner, &inner_prefix, load, depth + 1, out);
                        }
                        continue;
                    }
                    let Some(tag) = tag else { continue };
                    let full = format!("{prefix}{key}");
                    if !crate::parse::rustsrc::is_key(&full) {
                        continue;
                    }
                    let demanded =
                        opts.iter().any(|o| *o == "required" || *o == "notEmpty") || load.required_if_no_default;
                    let required = demanded && f.tag("envDefault").is_none() && !load.conditional;
                    // The key's own bytes in a raw tag (`env:"KEY,required"`).
                    let span = if tag.span.end - tag.span.start == tag.value.len() {
                        crate::source::Span::new(tag.span.file, tag.span.start..tag.span.start + key.len())
                    } else {
                        tag.span
                    };
                    let why = if required {
                        "required by its `env` field tag (`required` or `notEmpty`, no `envDefault`): `env.Parse` fails without it"
                    } else {
                        "read by caarlos0/env"
                    };
                    out.push(EnvRead::new(Spanned::new(full, span), required, why));
                }
            }
        }
    }

    /// The functions a use in package `dir` refers to (package directory, index).
    fn targets<'a>(&'a self, dir: &'a str, u: &'a Use) -> Vec<(&'a str, usize)> {
        let in_pkg = |d: &'a str, recv: &str, name: &str| -> Vec<(&'a str, usize)> {
            match self.packages.get_key_value(d) {
                Some((d, p)) => p.funcs_named(recv, name).into_iter().map(|i| (d.as_str(), i)).collect(),
                None => Vec::new(),
            }
        };
        match u {
            Use::Ident(name) => {
                let mut out = in_pkg(dir, "", name);
                if let Some(p) = self.packages.get(dir) {
                    for path in &p.dot_imports {
                        if let Some(d) = self.by_import.get(path) {
                            out.extend(in_pkg(d, "", name));
                        }
                    }
                }
                out
            }
            Use::Qualified { pkg, name } => match self.by_import.get(pkg) {
                Some(d) => in_pkg(d, "", name),
                None => Vec::new(),
            },
            Use::Method { ty, name } => match self.resolve_type(dir, ty, 0) {
                Some((d, t)) => in_pkg(d, t, name),
                None => Vec::new(),
            },
        }
    }

    /// The package directory and name of a type named in package `dir`.
    fn resolve_type<'a>(&'a self, dir: &'a str, ty: &'a TypeRef, depth: usize) -> Option<(&'a str, &'a str)> {
        match ty {
            TypeRef::Named { pkg: None, name } => Some((dir, name)),
            TypeRef::Named { pkg: Some(p), name } => Some((self.by_import.get(p)?.as_str(), name)),
            TypeRef::ResultOf { pkg, func } => {
                let d = match pkg {
                    None => dir,
                    Some(p) => self.by_import.get(p)?.as_str(),
                };
                let (d, p) = self.packages.get_key_value(d)?;
                let f = p.funcs_named("", func).into_iter().find_map(|i| p.funcs.get(i)?.result.as_ref())?;
                if depth > 0 {
                    return None;
                }
                self.resolve_type(d, f, depth + 1)
            }
        }
    }

    pub fn package(&self, dir: &str) -> Option<&Package> {
        self.packages.get(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::SourceFile;

    fn model(files: &[(&str, &str)]) -> (GoModel, Vec<Program>) {
        let mut sources = Sources::default();
        for (p, t) in files {
            let kind = if p.ends_with("go.mod") { Kind::GoMod } else { Kind::Go };
            sources.add(SourceFile::new(p.to_string(), kind, t.to_string(), false));
        }
        build(&sources, &[])
    }

    fn required(m: &(GoModel, Vec<Program>), dir: &str) -> (Vec<String>, bool) {
        let r = m.0.required_env(dir);
        (r.reads.iter().map(|x| x.key.value.clone()).collect(), r.computed)
    }

    const CONFIG: &str = r#"package config
import "os"
var Region = os.Getenv("REGION")
func init() { _ = os.Getenv("INIT_KEY") }
func Server() string { return os.Getenv("HTTP_ADDR") + dsn() }
func Worker() string { return os.Getenv("QUEUE_URL") + dsn() }
func dsn() string { return os.Getenv("DATABASE_URL") }
type Mailer struct{ key string }
func NewMailer() *Mailer { return &Mailer{key: os.Getenv("MAIL_KEY")} }
func (m *Mailer) From() string { return os.Getenv("MAIL_FROM") }
func (m *Mailer) Send() { m.sign() }
func (m *Mailer) sign() { _ = os.Getenv("MAIL_SIGNING_KEY") }
func (m *Mailer) Unused() { _ = os.Getenv("NEVER_CALLED") }
"#;

    #[test]
    fn a_binary_is_charged_with_the_keys_main_reaches() {
        let m = model(&[
            ("go.mod", "module example.com/shop\n"),
            ("internal/config/config.go", CONFIG),
            (
                "cmd/server/main.go",
                "package main\nimport \"example.com/shop/internal/config\"\nfunc main() {\n mailer := config.NewMailer()\n mailer.Send()\n serve(config.Server())\n}\nfunc serve(addr string) {}\n",
            ),
            (
                "cmd/worker/main.go",
                "package main\nimport (\"flag\"; \"example.com/shop/internal/config\")\nfunc main() {\n flag.Parse()\n if flag.NArg() > 0 {\n  config.NewMailer().From()\n }\n run(config.Worker)\n}\nfunc run(f func() string) { f() }\n",
            ),
        ]);
        let (server, computed) = required(&m, "cmd/server");
        assert!(computed);
        assert_eq!(server, ["REGION", "INIT_KEY", "HTTP_ADDR", "DATABASE_URL", "MAIL_KEY", "MAIL_SIGNING_KEY"]);
        // A function passed as a value counts; a call in a branch does not.
        let (worker, _) = required(&m, "cmd/worker");
        assert_eq!(worker, ["REGION", "INIT_KEY", "QUEUE_URL", "DATABASE_URL"]);
    }

    #[test]
    fn an_import_is_local_by_its_module_path_or_a_parent_of_it() {
        let modules = ["example.com/shop", "example.com/shop/tools", "odd/", "git.x/a/v2", "/"];
        // The rule as the modules' list states it, module by module.
        let linear = |modules: &[Module], path: &str| {
            modules
                .iter()
                .any(|md| path.strip_prefix(md.path.as_str()).is_some_and(|r| r.is_empty() || r.starts_with('/')))
        };
        let files: Vec<(String, String)> =
            modules.iter().enumerate().map(|(i, md)| (format!("m{i}/go.mod"), format!("module {md}\n"))).collect();
        let paths = [
            "example.com/shop",
            "example.com/shop/internal/x",
            "example.com/shopping",
            "example.com/shop/tools/gen",
            "example.com",
            "fmt",
            "net/http",
            "/abs",
            "",
            "odd/",
            "odd/x",
            "git.x/a/v2/pkg",
            "git.x/a",
        ];
        for path in paths {
            let main = format!("package main\nimport x \"{path}\"\nfunc main() {{ x.F() }}\n");
            let mut all: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
            all.push(("m0/cmd/api/main.go", main.as_str()));
            let (m, _) = model(&all);
            let uses = m.package("m0/cmd/api").and_then(|p| p.funcs.first()).map(|f| f.body.uses.len());
            // A call through an import is kept only when the import is the repository's own.
            assert_eq!(uses == Some(1), linear(&m.modules, path), "{path:?}");
        }
    }

    #[test]
    fn only_the_packages_a_program_links_are_read_in_full() {
        let m = model(&[
            ("go.mod", "module example.com/shop\n"),
            ("internal/config/config.go", CONFIG),
            (
                "internal/unused/unused.go",
                "package unused\nimport (\"os\"; . \"example.com/shop/internal/config\")\nfunc F() string { return os.Getenv(\"UNUSED\") }\n",
            ),
            (
                "tools/gen/gen.go",
                "//go:build ignore\n\npackage main\nimport \"example.com/shop/internal/unused\"\nfunc main() { unused.F() }\n",
            ),
            (
                "cmd/api/main.go",
                "package main\nimport \"example.com/shop/internal/config\"\nfunc main() { _ = config.Server() }\n",
            ),
        ]);
        let (m, bins) = &m;
        assert_eq!(bins.iter().map(|b| b.dir.as_str()).collect::<Vec<_>>(), ["cmd/api"]);
        let config = m.package("internal/config").map(|p| (p.complete, p.funcs.len()));
        assert_eq!(config, Some((true, 9)));
        // Known from its package clause: it exists, but nothing links it, so it is not read.
        let unused = m.package("internal/unused");
        assert!(unused.is_some_and(|p| !p.complete && p.funcs.is_empty() && p.imports.is_empty() && !p.is_main));
        assert_eq!(unused.and_then(|p| p.import_path.as_deref()), Some("example.com/shop/internal/unused"));
        // A directory whose every file is left out of the build is no package.
        assert!(m.package("tools/gen").is_none());
    }

    #[test]
    fn a_long_chain_of_imports_is_read_to_its_end() {
        // Each package imports the next: reading one starts the next, with no task waiting on
        // another (a deep chain must not pile tasks up on one stack).
        let n = 3000;
        let mut files: Vec<(String, String)> = vec![("go.mod".into(), "module example.com/deep\n".into())];
        for i in 0..n {
            let text = if i + 1 < n {
                format!(
                    "package p{i}\nimport \"example.com/deep/p{}\"\nfunc F() string {{ return p{}.F() }}\n",
                    i + 1,
                    i + 1
                )
            } else {
                format!("package p{i}\nimport \"os\"\nfunc F() string {{ return os.Getenv(\"DEEP\") }}\n")
            };
            files.push((format!("p{i}/p.go"), text));
        }
        files.push((
            "cmd/x/main.go".into(),
            "package main\nimport \"example.com/deep/p0\"\nfunc main() { _ = p0.F() }\n".into(),
        ));
        let all: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
        let m = model(&all);
        assert!(m.0.package(&format!("p{}", n - 1)).is_some_and(|p| p.complete && p.funcs.len() == 1));
        assert!(m.0.reachable("cmd/x").len() == n + 1);
    }

    #[test]
    fn a_package_imported_after_a_declaration_is_still_read() {
        let m = model(&[
            ("go.mod", "module example.com/shop\n"),
            (
                "internal/late/late.go",
                "package late\nimport \"os\"\nfunc Key() string { return os.Getenv(\"LATE_KEY\") }\n",
            ),
            (
                "cmd/api/main.go",
                "package main\nfunc main() { _ = late.Key() }\nimport \"example.com/shop/internal/late\"\n",
            ),
        ]);
        assert!(m.0.package("internal/late").is_some_and(|p| p.complete));
        assert_eq!(required(&m, "cmd/api"), (vec!["LATE_KEY".to_string()], true));
    }

    #[test]
    fn a_field_checked_only_in_code_no_program_links_leaves_the_read_required() {
        let config = "package config\nimport \"os\"\ntype C struct{ Host string }\nfunc Load() C { return C{Host: os.Getenv(\"DB_HOST\")} }\n";
        let checks = "package fallback\nimport \"example.com/shop/internal/config\"\nfunc Addr(c config.C) string {\n if c.Host == \"\" {\n  return \"localhost\"\n }\n return c.Host\n}\n";
        let main = |uses_fallback: bool| {
            let (import, call) = if uses_fallback {
                ("; \"example.com/shop/internal/fallback\"", " _ = fallback.Addr(c)\n")
            } else {
                ("", "")
            };
            format!(
                "package main\nimport (\"example.com/shop/internal/config\"{import})\nfunc main() {{\n c := config.Load()\n{call} _ = c\n}}\n"
            )
        };
        for linked in [false, true] {
            let main = main(linked);
            let m = model(&[
                ("go.mod", "module example.com/shop\n"),
                ("internal/config/config.go", config),
                ("internal/fallback/fallback.go", checks),
                ("cmd/api/main.go", main.as_str()),
            ]);
            let expected = if linked { Vec::new() } else { vec!["DB_HOST".to_string()] };
            assert_eq!(required(&m, "cmd/api").0, expected, "fallback linked: {linked}");
        }
    }

    #[test]
    fn when_the_functions_cannot_be_followed_only_the_main_package_is_known() {
        let m = model(&[
            ("go.mod", "module example.com/shop\n"),
            (
                "internal/config/config.go",
                "package config\nimport \"os\"\nfunc Load() string { return os.Getenv(\"A\") }\nfunc broken() {\n",
            ),
            (
                "cmd/api/main.go",
                "package main\nimport (\"os\"; \"example.com/shop/internal/config\")\nfunc main() { _ = config.Load() + os.Getenv(\"OWN\") }\n",
            ),
        ]);
        assert_eq!(required(&m, "cmd/api"), (vec!["OWN".to_string()], false));
    }

    fn reads_of(m: &(GoModel, Vec<Program>), dir: &str) -> Vec<(String, bool)> {
        m.0.env_reads(dir).0.into_iter().map(|r| (r.key.value, r.required)).collect()
    }

    #[test]
    fn wrappers_take_their_default_semantics() {
        let m = model(&[
            ("go.mod", "module example.com/relay\n"),
            (
                "internal/env/env.go",
                r#"package env
import ("log"; "os")
func Or(key, fallback string) string {
    if v := os.Getenv(key); v != "" {
        return v
    }
    return fallback
}
func Must(key string) string {
    v := os.Getenv(key)
    if v == "" {
        log.Fatalf("%s is not set", key)
    }
    return v
}
func Get(key string) string { return os.Getenv(key) }
func Lookup(key string) string {
    if v, ok := os.LookupEnv(key); ok {
        return v
    }
    panic("missing " + key)
}
func Soft(key string) (string, bool) { return os.LookupEnv(key) }
"#,
            ),
            (
                "cmd/relay/main.go",
                r#"package main
import (
    "fmt"
    "example.com/relay/internal/env"
)
func getenv(name string) string {
    value := env.Get(name)
    return value
}
func main() {
    a := env.Or("LISTEN_ADDR", ":8080")
    b := env.Must("UPSTREAM_URL")
    c := env.Get("API_TOKEN")
    d := env.Get("REGION")
    if d == "" {
        d = "eu"
    }
    e := env.Lookup("SIGNING_KEY")
    f, _ := env.Soft("TRACE")
    if a != "" {
        env.Must("ONLY_WITH_ADDR")
    }
    fmt.Println(a, b, c, d, e, f, getenv("INDIRECT"), fmt.Sprint("NOT_A_KEY"))
}
"#,
            ),
        ]);
        assert_eq!(
            reads_of(&m, "cmd/relay"),
            [
                ("LISTEN_ADDR".to_string(), false),
                ("UPSTREAM_URL".to_string(), true),
                ("API_TOKEN".to_string(), true),
                ("REGION".to_string(), false),
                ("SIGNING_KEY".to_string(), true),
                ("TRACE".to_string(), false),
                ("ONLY_WITH_ADDR".to_string(), false),
            ]
        );
    }

    #[test]
    fn struct_tags_of_envconfig_and_caarlos0_env() {
        let m = model(&[
            ("go.mod", "module example.com/ledger\n"),
            (
                "internal/config/config.go",
                r#"package config
import (
    "time"
    "github.com/kelseyhightower/envconfig"
    env "github.com/caarlos0/env/v11"
)
type Database struct {
    Host     string `required:"true"`
    Password string `envconfig:"DB_PASSWORD" required:"true"`
}
type Config struct {
    ListenAddr   string        `split_words:"true" default:":8080"`
    APIKey       string        `split_words:"true" required:"true"`
    Timeout      time.Duration `required:"true" default:"5s"`
    DB           Database
    Skipped      string `ignored:"true" required:"true"`
}
func Load() Config {
    var c Config
    envconfig.MustProcess("ledger", &c)
    return c
}
type Queue struct {
    URL   string `env:"URL,required"`
    Group string `env:"GROUP" envDefault:"workers"`
}
type Worker struct {
    Token  string `env:"WORKER_TOKEN,notEmpty"`
    Name   string `env:"WORKER_NAME"`
    Queue  Queue  `envPrefix:"QUEUE_"`
    Retry  int    `env:"RETRIES,required" envDefault:"3"`
}
func LoadWorker() (*Worker, error) {
    w := &Worker{}
    if err := env.Parse(w); err != nil {
        return nil, err
    }
    return w, nil
}
"#,
            ),
            (
                "cmd/ledger/main.go",
                "package main\nimport \"example.com/ledger/internal/config\"\nfunc main() {\n _ = config.Load()\n _, _ = config.LoadWorker()\n}\n",
            ),
        ]);
        assert_eq!(
            reads_of(&m, "cmd/ledger"),
            [
                ("LEDGER_DB_HOST".to_string(), true),
                ("LEDGER_DB_DB_PASSWORD".to_string(), false),
                ("LEDGER_LISTEN_ADDR".to_string(), false),
                ("LEDGER_API_KEY".to_string(), true),
                ("LEDGER_TIMEOUT".to_string(), false),
                ("QUEUE_URL".to_string(), true),
                ("QUEUE_GROUP".to_string(), false),
                ("WORKER_TOKEN".to_string(), true),
                ("WORKER_NAME".to_string(), false),
                ("RETRIES".to_string(), false),
            ]
        );
    }

    #[test]
    fn urfave_cli_flags_and_viper() {
        let m = model(&[
            ("go.mod", "module example.com/feeds\n"),
            (
                "main.go",
                r#"package main
import (
    "os"
    "github.com/spf13/viper"
    "github.com/urfave/cli/v2"
)
func main() {
    viper.SetEnvPrefix("feeds")
    viper.BindEnv("port")
    viper.BindEnv("db", "FEEDS_DATABASE")
    app := &cli.App{
        Flags: []cli.Flag{
            &cli.StringFlag{Name: "dsn", EnvVars: []string{"FEEDS_DSN"}, Required: true},
            &cli.StringFlag{Name: "addr", EnvVars: []string{"FEEDS_ADDR"}, Value: ":80", Required: true},
            &cli.StringFlag{Name: "cache", EnvVars: []string{"CACHE_URL", "REDIS_URL"}, Required: true},
            &cli.BoolFlag{Name: "debug", EnvVars: []string{"FEEDS_DEBUG"}},
        },
        Commands: []*cli.Command{
            {
                Name:  "import",
                Flags: []cli.Flag{&cli.StringFlag{Name: "src", EnvVars: []string{"IMPORT_SOURCE"}, Required: true}},
            },
        },
    }
    app.Run(os.Args)
}
"#,
            ),
        ]);
        assert_eq!(
            reads_of(&m, ""),
            [
                ("FEEDS_PORT".to_string(), false),
                ("FEEDS_DATABASE".to_string(), false),
                ("FEEDS_DSN".to_string(), true),
                ("FEEDS_ADDR".to_string(), false),
                ("CACHE_URL".to_string(), false),
                ("REDIS_URL".to_string(), false),
                ("FEEDS_DEBUG".to_string(), false),
                ("IMPORT_SOURCE".to_string(), false),
            ]
        );
    }

    #[test]
    fn envconfig_splits_words_as_it_does() {
        let w = |s: &str| split_words(s).join("_");
        assert_eq!(w("APIKey"), "API_Key");
        assert_eq!(w("DBHost"), "DB_Host");
        assert_eq!(w("MaxIdleConns"), "Max_Idle_Conns");
        assert_eq!(w("S3Bucket"), "S3_Bucket");
        assert_eq!(w("ID"), "ID");
    }

    #[test]
    fn binary_names() {
        let m = model(&[
            ("go.mod", "module github.com/acme/billing-api/v2\n"),
            ("main.go", "package main\nfunc main() {}\n"),
            ("tools/go.mod", "module example.com/tools\n"),
            ("tools/gen/main.go", "package main\nfunc main() {}\n"),
        ]);
        let names: Vec<_> = m.1.iter().map(|b| (b.dir.as_str(), b.name.as_str())).collect();
        assert_eq!(names, [("", "billing-api"), ("tools/gen", "gen")]);
    }

    #[test]
    fn globs() {
        assert!(glob_match("cmd/seed", "cmd/seed"));
        assert!(glob_match("cmd/tools/*", "cmd/tools/gen"));
        assert!(!glob_match("cmd/tools/*", "cmd/tools/gen/x"));
        assert!(glob_match("**/cmd/seed", "backend/cmd/seed"));
    }
}
