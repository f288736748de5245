//! Rust packages and their binaries: `src/main.rs`, `src/bin/*.rs`, `src/bin/*/main.rs` and
//! `[[bin]]` targets, grouped by workspace (the siblings of DPL101).

use super::go::{Binary, Lang, glob_match};
use crate::parse::{ParseError, cargo};
use crate::source::{FileId, Kind, Sources, Span, join_rel, parent_dir};

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

pub fn build(sources: &Sources, ignore: &[String], errors: &mut Vec<ParseError>) -> (Vec<RustPackage>, Vec<Binary>) {
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
            binaries.push(Binary {
                name: b.name.clone(),
                dir: b.src.clone(),
                module_dir: Some(workspace.clone()),
                span: main_span(sources, file),
                ignored,
                lang: Lang::Rust,
            });
        }
        packages.push(RustPackage { dir: dir.clone(), name: name.clone(), workspace, bins });
    }
    (packages, binaries)
}
