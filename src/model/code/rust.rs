//! Rust packages and their binaries: `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs` and
//! `[[bin]]` targets, grouped by workspace (the siblings of DPL101).

use super::{EnvRead, Lang, Program, RequiredEnv, glob_match};
use crate::parse::rustcli::{ClapType, RustCli, RustCommand};
use crate::parse::{ParseError, cargo, rustsrc};
use crate::source::{FileId, Kind, Sources, Span, file_name, join_rel, parent_dir};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug)]
pub struct RustBin {
    pub name: String,
    /// Repo-relative path of the binary's main source file.
    pub src: String,
}

#[derive(Clone, Debug)]
pub struct RustPackage {
    /// Repo-relative directory of the package's Cargo.toml.
    pub dir: String,
    pub name: String,
    /// The workspace root the package belongs to (its own dir when it is alone).
    pub workspace: String,
    pub bins: Vec<RustBin>,
    /// The names of its dependencies.
    pub deps: Vec<String>,
}

/// The clap subcommands of a binary.
#[derive(Debug)]
pub struct RustSubcommands<'a> {
    /// In source order.
    pub commands: Vec<&'a RustCommand>,
    /// The names of its root commands.
    pub roots: Vec<String>,
    /// A type on the way to a subcommand takes a positional argument: the first word after
    /// the program may be its value.
    pub positional: bool,
}

/// The Rust packages of the repository and what their source files read.
#[derive(Debug, Default)]
pub struct RustModel {
    pub packages: Vec<RustPackage>,
    /// Source file path → its facts.
    pub files: BTreeMap<String, rustsrc::RustFile>,
}

/// The file a `mod name;` in `file` loads: `name.rs` or `name/mod.rs` beside a crate root or a
/// `mod.rs`, else in the directory named after the file.
fn module_file(files: &BTreeMap<String, rustsrc::RustFile>, file: &str, name: &str) -> Option<String> {
    let dir = parent_dir(file);
    let stem = file_name(file).trim_end_matches(".rs");
    let base = if matches!(file_name(file), "main.rs" | "lib.rs" | "mod.rs") || is_bin_root(file) {
        dir.to_string()
    } else {
        join_rel(dir, stem)?
    };
    [format!("{name}.rs"), format!("{name}/mod.rs")]
        .iter()
        .filter_map(|f| join_rel(&base, f))
        .find(|p| files.contains_key(p))
}

/// `src/bin/x.rs`: a crate root whose modules sit beside it.
fn is_bin_root(file: &str) -> bool {
    parent_dir(file).ends_with("src/bin")
}

impl RustModel {
    /// The source files a crate root reaches through `mod` declarations (itself included).
    pub fn reachable(&self, root: &str) -> Vec<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.to_string()];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            let Some(facts) = self.files.get(&f) else { continue };
            stack.extend(facts.mods.iter().filter_map(|m| module_file(&self.files, &f, m)));
        }
        seen.into_iter().collect()
    }

    /// The source files a Rust binary reaches: its crate's through `mod` declarations, its
    /// package's library, and the libraries of the repository's packages it depends on
    /// (through their own dependencies too). `None` when it is no binary of a package.
    fn files_of(&self, bin: &Program) -> Option<BTreeSet<String>> {
        let pkg = self.packages.iter().find(|p| p.bins.iter().any(|b| b.src == bin.dir))?;
        let mut roots = vec![bin.dir.clone()];
        let mut seen_pkgs: BTreeSet<&str> = BTreeSet::new();
        let mut pkgs = vec![pkg];
        while let Some(p) = pkgs.pop() {
            if !seen_pkgs.insert(p.dir.as_str()) {
                continue;
            }
            if let Some(lib) = join_rel(&p.dir, "src/lib.rs") {
                roots.push(lib);
            }
            // Path dependencies within the same workspace (or repository).
            pkgs.extend(self.packages.iter().filter(|q| p.deps.contains(&q.name)));
        }
        let mut files: BTreeSet<String> = BTreeSet::new();
        for r in roots {
            files.extend(self.reachable(&r));
        }
        Some(files)
    }

    /// The clap subcommands of a Rust binary's command line, and the names of its root
    /// commands. Derive-style, they are followed from the `Parser` types of the binary's own
    /// crate (else of every file it reaches; else its own crate's `Subcommand` enums) through
    /// `subcommand` and `flatten` fields and variants' payloads; builder-style, every one in
    /// the files it reaches. `None` when it declares none, or when a name is not known from
    /// the source (the set is open).
    pub fn subcommands(&self, bin: &Program) -> Option<RustSubcommands<'_>> {
        let files = self.files_of(bin)?;
        let clis: Vec<&RustCli> = files.iter().filter_map(|f| self.files.get(f)).map(|f| &f.cli).collect();
        if !clis.iter().any(|c| c.declares) || clis.iter().any(|c| c.dynamic) {
            return None;
        }
        let types: Vec<&ClapType> = clis.iter().flat_map(|c| c.types.iter()).collect();
        let own: Vec<&ClapType> = self
            .reachable(&bin.dir)
            .iter()
            .filter_map(|f| self.files.get(f))
            .flat_map(|f| f.cli.types.iter())
            .collect();
        let own_roots: Vec<&ClapType> = own.iter().copied().filter(|t| t.root).collect();
        let mut stack: Vec<&ClapType> = if own_roots.is_empty() {
            let roots: Vec<&ClapType> = types.iter().copied().filter(|t| t.root).collect();
            // No `Parser` at all: the enums the binary's own crate declares (added to a
            // builder with `augment_subcommands`), never a library's for another binary.
            if roots.is_empty() { own.iter().copied().filter(|t| !t.commands.is_empty()).collect() } else { roots }
        } else {
            own_roots
        };
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        let mut commands: Vec<&RustCommand> = Vec::new();
        let mut positional = false;
        while let Some(t) = stack.pop() {
            positional |= t.root && t.positional;
            if !seen.insert(t.name.as_str()) {
                continue;
            }
            // A name not spelt out, or subcommands of a type of another crate: the set is open.
            if t.dynamic || t.needs.iter().any(|n| !types.iter().any(|u| u.name == *n)) {
                return None;
            }
            commands.extend(t.commands.iter());
            for r in &t.refs {
                stack.extend(types.iter().copied().filter(|u| u.name == *r));
            }
        }
        commands.extend(clis.iter().flat_map(|c| c.commands.iter()));
        commands.sort_by_key(|c| (c.name.span.file, c.name.span.start));
        let roots = clis.iter().flat_map(|c| c.roots.iter().cloned()).collect();
        Some(RustSubcommands { commands, roots, positional })
    }

    /// The keys a Rust binary requires on every run: those of the files it reaches (see
    /// `files_of`) read with `?`, `.expect()` or `.unwrap()`, or by a clap argument with no
    /// default.
    pub fn required_env(&self, bin: &Program) -> RequiredEnv {
        let Some(files) = self.files_of(bin) else {
            return RequiredEnv::default();
        };
        let reads = files
            .iter()
            .filter_map(|f| self.files.get(f))
            .flat_map(|f| f.reads.iter())
            .filter(|r| r.required)
            .map(|r| EnvRead::new(r.key.clone(), true, r.why))
            .collect();
        RequiredEnv { reads, computed: true }
    }
}

/// Whether a `binaries.ignore` entry names the Rust binary whose main file is `src`: by that
/// path, by its package's directory, or by its name.
pub fn ignore_names(pattern: &str, src: &str, package_dir: &str, name: &str) -> bool {
    glob_match(pattern, src) || glob_match(pattern, package_dir) || glob_match(pattern, name)
}

/// The span of `fn main` in a file (the file's start when it is not found).
fn main_span(sources: &Sources, file: FileId) -> Span {
    let text = sources.text(file);
    match text.find("fn main") {
        Some(i) => Span::new(file, i..i + 7),
        None => Span::new(file, 0..0),
    }
}

pub fn build(sources: &Sources, ignore: &[String], errors: &mut Vec<ParseError>) -> (RustModel, Vec<Program>) {
    let mut manifests = Vec::new();
    for (id, f) in sources.iter().filter(|(_, f)| f.kind == Kind::CargoToml) {
        match cargo::parse(id, &f.text) {
            Ok(m) => manifests.push((parent_dir(&f.path).to_string(), m)),
            Err(e) => errors.push(e),
        }
    }
    let mains: Vec<(FileId, &str)> =
        sources.iter().filter(|(_, f)| f.kind == Kind::RustMain).map(|(id, f)| (id, f.path.as_str())).collect();
    let workspaces: Vec<(String, Vec<String>, Vec<String>)> = manifests
        .iter()
        .filter_map(|(dir, m)| m.members.as_ref().map(|mem| (dir.clone(), mem.clone(), m.exclude.clone())))
        .collect();
    let mut packages = Vec::new();
    let mut binaries = Vec::new();
    for (dir, m) in &manifests {
        let Some(name) = &m.package else { continue };
        let workspace = workspaces
            .iter()
            .find(|(root, members, exclude)| {
                let rel =
                    if root.is_empty() { dir.as_str() } else { dir.strip_prefix(&format!("{root}/")).unwrap_or("") };
                root == dir
                    || (!rel.is_empty()
                        && members.iter().any(|g| glob_match(g, rel))
                        && !exclude.iter().any(|g| glob_match(g, rel)))
            })
            .map_or_else(|| dir.clone(), |(root, _, _)| root.clone());
        let mut bins: Vec<RustBin> = Vec::new();
        let under = |p: &str| join_rel(dir, p).unwrap_or_default();
        for (bname, path) in &m.bins {
            let src = path.clone().map_or_else(|| under(&format!("src/bin/{bname}.rs")), |p| under(&p));
            bins.push(RustBin { name: bname.clone(), src });
        }
        if m.autobins {
            for (_, p) in &mains {
                let Some(rel) = (if dir.is_empty() { Some(*p) } else { p.strip_prefix(&format!("{dir}/")) }) else {
                    continue;
                };
                let bname = if rel == "src/main.rs" {
                    name.clone()
                } else if let Some(f) = rel.strip_prefix("src/bin/") {
                    match f.split_once('/') {
                        Some((d, "main.rs")) => d.to_string(),
                        None => f.trim_end_matches(".rs").to_string(),
                        _ => continue,
                    }
                } else {
                    continue;
                };
                if !bins.iter().any(|b| b.name == bname) {
                    bins.push(RustBin { name: bname, src: p.to_string() });
                }
            }
        }
        for b in &bins {
            let file = mains.iter().find(|(_, p)| *p == b.src).map(|(id, _)| *id);
            let Some(file) = file else { continue };
            let ignored = ignore.iter().any(|g| ignore_names(g, &b.src, dir, &b.name));
            binaries.push(Program {
                name: b.name.clone(),
                dir: b.src.clone(),
                module_dir: Some(workspace.clone()),
                span: main_span(sources, file),
                ignored,
                lang: Lang::Rust,
            });
        }
        packages.push(RustPackage { dir: dir.clone(), name: name.clone(), workspace, bins, deps: m.deps.clone() });
    }
    let sources_rs: Vec<(FileId, &crate::source::SourceFile)> =
        sources.iter().filter(|(_, f)| matches!(f.kind, Kind::RustMain | Kind::Rust)).collect();
    let files = sources_rs.par_iter().map(|(id, f)| (f.path.clone(), rustsrc::parse(*id, &f.text))).collect();
    (RustModel { packages, files }, binaries)
}
