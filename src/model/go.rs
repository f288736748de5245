//! Go packages and the binaries they make: main packages, their module, the packages they
//! reach through imports, the env keys those read and the batch tasks they define.

use crate::parse::golang::{self, EnvRead};
use crate::source::{FileId, Kind, Sources, Span, Spanned, file_name, parent_dir};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

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
    pub env_reads: Vec<EnvRead>,
    pub task_flag: Option<Spanned<String>>,
    pub tasks: Vec<Spanned<String>>,
    /// Every file is generated code (`// Code generated … DO NOT EDIT.`).
    pub generated: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Go,
    Rust,
}

/// A binary of the repository: a Go main package, or a Rust binary target.
#[derive(Clone, Debug)]
pub struct Binary {
    /// The output name: the package's directory name.
    pub name: String,
    /// Where its source lives: the Go main package's directory, or the Rust binary's main file.
    pub dir: String,
    pub module_dir: Option<String>,
    pub span: Span,
    /// Listed in `binaries.ignore`, or generated code: never the subject of a finding.
    pub ignored: bool,
    pub lang: Lang,
}

#[derive(Debug, Default)]
pub struct GoModel {
    pub modules: Vec<Module>,
    pub packages: BTreeMap<String, Package>,
    pub binaries: Vec<Binary>,
    /// Import path → package directory.
    by_import: BTreeMap<String, String>,
}

fn module_path(text: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let l = l.trim();
        l.strip_prefix("module").filter(|r| r.starts_with([' ', '\t'])).map(|r| r.trim().trim_matches('"').to_string())
    })
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

pub fn build(sources: &Sources, ignore: &[String]) -> GoModel {
    let mut m = GoModel::default();
    for (_, f) in sources.iter().filter(|(_, f)| f.kind == Kind::GoMod) {
        if let Some(path) = module_path(&f.text) {
            m.modules.push(Module { dir: parent_dir(&f.path).to_string(), path });
        }
    }
    // Longest module dir first, so the nearest go.mod wins.
    m.modules.sort_by(|a, b| b.dir.len().cmp(&a.dir.len()).then(a.dir.cmp(&b.dir)));
    let by_dir: BTreeMap<&str, &Module> = m.modules.iter().map(|md| (md.dir.as_str(), md)).collect();
    let mut main_files: BTreeMap<String, (bool, FileId, Span)> = BTreeMap::new();
    // Scanning is the costly part on large repositories: in parallel, results in file order.
    let files: Vec<(FileId, &crate::source::SourceFile)> =
        sources.iter().filter(|(_, f)| f.kind == Kind::Go && !f.path.ends_with("_test.go")).collect();
    let scanned: Vec<golang::GoFile> = files.par_iter().map(|(id, f)| golang::parse(*id, &f.text)).collect();
    for ((id, f), facts) in files.into_iter().zip(scanned) {
        if facts.build_ignored {
            continue;
        }
        let dir = parent_dir(&f.path).to_string();
        // The nearest go.mod: walk up from the file's directory.
        let module = {
            let mut d = dir.as_str();
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
        let pkg = m.packages.entry(dir.clone()).or_insert_with(|| Package {
            dir: dir.clone(),
            module_dir: module.map(|md| md.dir.clone()),
            import_path: module.map(|md| {
                let rel = dir.strip_prefix(&md.dir).unwrap_or(&dir).trim_start_matches('/');
                if rel.is_empty() { md.path.clone() } else { format!("{}/{rel}", md.path) }
            }),
            generated: true,
            ..Package::default()
        });
        pkg.generated &= facts.generated;
        if let Some(p) = &facts.package {
            if p.value == "main" {
                pkg.is_main = true;
                let is_main_go = file_name(&f.path) == "main.go";
                let e = main_files.entry(dir.clone()).or_insert((is_main_go, id, p.span));
                if is_main_go && !e.0 {
                    *e = (true, id, p.span);
                }
            }
        }
        pkg.imports.extend(facts.imports.into_iter().map(|i| i.path.value));
        if !facts.generated {
            pkg.env_reads.extend(facts.env_reads);
        }
        if facts.task_flag.is_some() && pkg.task_flag.is_none() {
            pkg.task_flag = facts.task_flag;
            pkg.tasks = facts.tasks;
        }
    }
    for (dir, (_, _, span)) in main_files {
        let Some(pkg) = m.packages.get_mut(&dir) else {
            continue;
        };
        pkg.main_span = Some(span);
        let name = if dir.is_empty() { "main".to_string() } else { file_name(&dir).to_string() };
        let ignored = ignore.iter().any(|g| {
            glob_match(g, &dir)
                || pkg.module_dir.as_ref().is_some_and(|md| {
                    dir.strip_prefix(md.as_str()).is_some_and(|rel| glob_match(g, rel.trim_start_matches('/')))
                })
        });
        let ignored = ignored || pkg.generated;
        m.binaries.push(Binary { name, dir, module_dir: pkg.module_dir.clone(), span, ignored, lang: Lang::Go });
    }
    m.by_import = m.packages.values().filter_map(|p| Some((p.import_path.clone()?, p.dir.clone()))).collect();
    m
}

impl GoModel {
    /// The packages a binary reaches through imports inside its repository (itself included).
    pub fn reachable(&self, dir: &str) -> Vec<&Package> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![dir.to_string()];
        let mut out = Vec::new();
        while let Some(d) = stack.pop() {
            if !seen.insert(d.clone()) {
                continue;
            }
            let Some(p) = self.packages.get(&d) else {
                continue;
            };
            out.push(p);
            for imp in &p.imports {
                if let Some(q) = self.by_import.get(imp.as_str()) {
                    stack.push(q.clone());
                }
            }
        }
        out.sort_by(|a, b| a.dir.cmp(&b.dir));
        out
    }

    pub fn binary(&self, dir: &str) -> Option<&Binary> {
        self.binaries.iter().find(|b| b.dir == dir)
    }

    pub fn package(&self, dir: &str) -> Option<&Package> {
        self.packages.get(dir)
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match("cmd/seed", "cmd/seed"));
        assert!(glob_match("cmd/tools/*", "cmd/tools/gen"));
        assert!(!glob_match("cmd/tools/*", "cmd/tools/gen/x"));
        assert!(glob_match("**/cmd/seed", "backend/cmd/seed"));
    }
}
