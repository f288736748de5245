//! Node code (JavaScript and TypeScript): the modules of the repository, what they import and
//! the env keys they read, and the `package.json` scripts that start them. An entry's reads are
//! those of the modules it imports from the repository, through relative imports.

use super::{EnvRead, RequiredEnv};
use crate::parse::node::{self, JsFile};
use crate::source::{Kind, Sources, join_rel, parent_dir};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct NodeModel {
    /// Module path → its facts.
    pub files: BTreeMap<String, JsFile>,
    /// `package.json` directory → its `scripts`.
    pub scripts: BTreeMap<String, BTreeMap<String, String>>,
}

pub fn build(sources: &Sources) -> NodeModel {
    let list: Vec<_> = sources.iter().filter(|(_, f)| f.kind == Kind::Js).collect();
    let files = list.par_iter().map(|(id, f)| (f.path.clone(), node::parse(*id, &f.text))).collect();
    let mut scripts = BTreeMap::new();
    for (_, f) in sources.iter().filter(|(_, f)| f.kind == Kind::PackageJson) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&f.text) else { continue };
        let s: BTreeMap<String, String> = v
            .get("scripts")
            .and_then(|s| s.as_object())
            .map(|o| o.iter().filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string()))).collect())
            .unwrap_or_default();
        scripts.insert(parent_dir(&f.path).to_string(), s);
    }
    NodeModel { files, scripts }
}

const EXTENSIONS: &[&str] = &["ts", "js", "mjs", "cjs", "mts", "cts", "tsx", "jsx"];

impl NodeModel {
    /// The module file a path names: itself, with an extension, its `index`, or for a `.js`
    /// path the TypeScript source it is compiled from.
    pub fn module_file(&self, path: &str) -> Option<String> {
        let path = path.trim_start_matches("./").to_string();
        let stem = path.rsplit_once('.').filter(|(_, e)| EXTENSIONS.contains(e)).map(|(s, _)| s.to_string());
        let mut candidates = vec![path.clone()];
        for e in EXTENSIONS {
            candidates.push(format!("{path}.{e}"));
            candidates.push(format!("{path}/index.{e}"));
            if let Some(s) = &stem {
                candidates.push(format!("{s}.{e}"));
            }
        }
        candidates.into_iter().find(|c| self.files.contains_key(c))
    }

    /// A built file (`dist/server.js`, `build/x.js`) whose output is not committed: the source it
    /// is compiled from (`src/server.ts`).
    pub fn source_of_built(&self, path: &str) -> Option<String> {
        if let Some(f) = self.module_file(path) {
            return Some(f);
        }
        for out in ["dist/", "build/", "out/", "lib/"] {
            let mapped = if let Some(rest) = path.strip_prefix(out) {
                format!("src/{rest}")
            } else if let Some((before, rest)) = path.split_once(&format!("/{out}")) {
                format!("{before}/src/{rest}")
            } else {
                continue;
            };
            if let Some(f) = self.module_file(&mapped) {
                return Some(f);
            }
        }
        None
    }

    /// The modules `path` reaches through relative imports (itself included).
    pub fn reachable(&self, path: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![path.to_string()];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            let Some(facts) = self.files.get(&f) else { continue };
            for spec in &facts.imports {
                if let Some(p) = join_rel(parent_dir(&f), spec).and_then(|p| self.module_file(&p)) {
                    stack.push(p);
                }
            }
        }
        seen
    }

    /// The file that defines the top-level function `name` called in `file`, and its name
    /// there: `file` itself; else the module whose import brings `name` into scope (`import {
    /// name } from "./m"`, `import { f as name }`, `const { name } = require("./m")`); else,
    /// when no import names it, the one module it imports that defines it (none when several
    /// do: the call is not guessed).
    fn function_file(&self, file: &str, name: &str) -> Option<(String, String)> {
        let facts = self.files.get(file)?;
        if facts.functions.iter().any(|f| f.name == name) {
            return Some((file.to_string(), name.to_string()));
        }
        let defines = |p: &str, n: &str| self.files.get(p).is_some_and(|g| g.functions.iter().any(|f| f.name == n));
        if let Some(b) = facts.bindings.iter().find(|b| b.local == name) {
            let module = join_rel(parent_dir(file), &b.spec).and_then(|p| self.module_file(&p))?;
            return defines(&module, &b.imported).then(|| (module, b.imported.clone()));
        }
        let mut found = facts
            .imports
            .iter()
            .filter_map(|spec| join_rel(parent_dir(file), spec).and_then(|p| self.module_file(&p)))
            .filter(|p| defines(p, name));
        let first = found.next()?;
        found.next().is_none().then(|| (first, name.to_string()))
    }

    /// The keys an entry requires on every run: reads on load of the modules it imports, and
    /// those of the body of the functions that run on load (called by a top-level statement,
    /// and a few levels of the functions they call). A function only a handler calls is not
    /// among them.
    pub fn required_env(&self, path: &str) -> RequiredEnv {
        let modules = self.reachable(path);
        let roots = modules
            .iter()
            .filter_map(|m| self.files.get(m).map(|facts| (m, facts)))
            .flat_map(|(m, facts)| facts.calls.iter().map(move |c| (m.clone(), c.clone())))
            .collect();
        let started: Vec<&node::JsFunction> = super::functions_run_on_start(
            roots,
            |caller, name| self.function_file(caller, name),
            |file, name| self.files.get(file).and_then(|x| x.functions.iter().find(|f| f.name == name)),
            |f| &f.calls,
        )
        .into_iter()
        .map(|(_, f)| f)
        .collect();
        let reads = modules
            .iter()
            .filter_map(|f| self.files.get(f))
            .flat_map(|f| f.reads.iter())
            .filter(|r| r.required)
            .chain(started.iter().flat_map(|f| f.reads.iter()))
            .map(|r| EnvRead::new(r.key.clone(), true, r.why).with_alternatives(&r.alternatives))
            .collect();
        RequiredEnv { reads, computed: true }
    }
}
