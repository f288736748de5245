//! Python code: the modules of the repository, what they import and the env keys they read.
//! An entry's reads are those of the modules it imports from the repository, through their own
//! imports (a package's `__init__.py` runs with it).

use super::{EnvRead, RequiredEnv};
use crate::parse::python::{self, Import, PyFile, PyFunction};
use crate::source::{Kind, Sources, join_rel, parent_dir};
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Default)]
pub struct PythonModel {
    /// Module path → its facts.
    pub files: BTreeMap<String, PyFile>,
}

pub fn build(sources: &Sources) -> PythonModel {
    let list: Vec<_> = sources.iter().filter(|(_, f)| f.kind == Kind::Python).collect();
    let files = list.par_iter().map(|(id, f)| (f.path.clone(), python::parse(*id, &f.text))).collect();
    PythonModel { files }
}

impl PythonModel {
    /// The file of module `name` (`a.b`) under `root`: `a/b.py` or `a/b/__init__.py`.
    pub fn module_file(&self, root: &str, name: &str) -> Option<String> {
        let rel = name.replace('.', "/");
        let base = if rel.is_empty() { Some(root.to_string()) } else { join_rel(root, &rel) }?;
        [format!("{base}.py"), format!("{base}/__init__.py")]
            .into_iter()
            .map(|p| p.trim_start_matches('/').to_string())
            .find(|p| self.files.contains_key(p))
    }

    /// The package `__init__.py` files that run before module `name` under `root`.
    fn parents(&self, root: &str, name: &str) -> Vec<String> {
        let parts: Vec<&str> = name.split('.').collect();
        (1..parts.len()).filter_map(|i| self.module_file(root, &parts[..i].join("."))).collect()
    }

    /// The modules `path` (run from `root`) reaches through imports (itself included).
    pub fn reachable(&self, path: &str, root: &str) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![path.to_string()];
        while let Some(f) = stack.pop() {
            if !seen.insert(f.clone()) {
                continue;
            }
            let Some(facts) = self.files.get(&f) else { continue };
            for imp in &facts.imports {
                let base = if imp.level == 0 {
                    root.to_string()
                } else {
                    let mut d = parent_dir(&f);
                    for _ in 1..imp.level {
                        d = parent_dir(d);
                    }
                    d.to_string()
                };
                stack.extend(self.parents(&base, &imp.module));
                let module = self.module_file(&base, &imp.module);
                stack.extend(module.clone());
                for n in &imp.names {
                    let sub = if imp.module.is_empty() { n.clone() } else { format!("{}.{n}", imp.module) };
                    stack.extend(self.module_file(&base, &sub));
                }
            }
        }
        seen
    }

    /// The directory an import of `file` is resolved from: `root` for an absolute import, else
    /// the package its leading dots name.
    fn import_base(file: &str, root: &str, imp: &Import) -> String {
        if imp.level == 0 {
            return root.to_string();
        }
        let mut d = parent_dir(file);
        for _ in 1..imp.level {
            d = parent_dir(d);
        }
        d.to_string()
    }

    /// The file that defines the function `name` called in `file` (run from `root`), and its
    /// name there: `file` itself, or the module a `from M import name` of `file` names; for a
    /// dotted call (`mod.func`, `pkg.mod.func`), the module its first names are bound to by an
    /// import (`import pkg.mod`, `from pkg import mod`, `import pkg.mod as mod`).
    fn function_file(&self, file: &str, root: &str, name: &str) -> Option<(String, String)> {
        let facts = self.files.get(file)?;
        let defines = |g: &str, f: &str| self.files.get(g).is_some_and(|x| x.functions.iter().any(|d| d.name == f));
        if let Some((qualifier, func)) = name.rsplit_once('.') {
            return facts.imports.iter().find_map(|imp| {
                let target = imp.bound.iter().find_map(|(local, path)| {
                    let rest = qualifier.strip_prefix(local.as_str())?;
                    (rest.is_empty() || rest.starts_with('.')).then(|| format!("{path}{rest}"))
                })?;
                let g = self.module_file(&Self::import_base(file, root, imp), &target)?;
                defines(&g, func).then(|| (g, func.to_string()))
            });
        }
        if defines(file, name) {
            return Some((file.to_string(), name.to_string()));
        }
        facts.imports.iter().filter(|i| i.names.iter().any(|n| n == name)).find_map(|imp| {
            let g = self.module_file(&Self::import_base(file, root, imp), &imp.module)?;
            defines(&g, name).then(|| (g, name.to_string()))
        })
    }

    /// The functions of the repository that run on every start of the entry `path`: those a
    /// top-level statement of a module it imports calls, those its `__main__` block calls,
    /// and, a few levels deep, those their bodies call. A function only a request handler or
    /// a branch calls is not among them.
    fn started_functions(&self, path: &str, root: &str, modules: &BTreeSet<String>) -> Vec<(String, &PyFunction)> {
        let mut roots = Vec::new();
        for m in modules {
            let Some(facts) = self.files.get(m) else { continue };
            roots.extend(facts.calls.iter().map(|c| (m.clone(), c.clone())));
            if m == path {
                if let Some(block) = &facts.main_block {
                    roots.extend(block.calls.iter().map(|c| (m.clone(), c.clone())));
                }
            }
        }
        super::functions_run_on_start(
            roots,
            |caller, name| self.function_file(caller, root, name),
            |file, name| self.files.get(file).and_then(|x| x.functions.iter().find(|f| f.name == name)),
            |f| &f.calls,
        )
    }

    /// The keys an entry requires on every run: reads at the top level of the modules it
    /// imports that fail without the key, those in the body of the functions that run on
    /// start (and of the entry's `__main__` block), and the fields without a default of the
    /// pydantic-settings classes those modules instantiate at the top level.
    pub fn required_env(&self, path: &str, root: &str) -> RequiredEnv {
        let modules = self.reachable(path, root);
        let files: Vec<&PyFile> = modules.iter().filter_map(|f| self.files.get(f)).collect();
        let instantiated: BTreeSet<&str> =
            files.iter().flat_map(|f| f.instantiated.iter().map(String::as_str)).collect();
        let settings = files
            .iter()
            .flat_map(|f| f.settings.iter())
            .filter(|c| instantiated.contains(c.name.as_str()))
            .flat_map(|c| c.reads.iter());
        let started = self.started_functions(path, root, &modules);
        let main_block = self.files.get(path).and_then(|f| f.main_block.as_ref());
        let in_functions = started.iter().map(|(_, f)| *f).chain(main_block).flat_map(|f| f.reads.iter());
        let reads = files
            .iter()
            .flat_map(|f| f.reads.iter())
            .chain(settings)
            .filter(|r| r.required)
            .chain(in_functions)
            .map(|r| EnvRead::new(r.key.clone(), true, r.why).with_alternatives(&r.alternatives))
            .collect();
        RequiredEnv { reads, computed: true }
    }
}
