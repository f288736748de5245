//! The code of the repository, one model for every language: the programs it makes (Go main
//! packages, Rust binary targets, Python and Node entries), the env keys each reads, and what
//! each reaches. One file per language fills it; checks ask it the same questions whatever the
//! language.

pub mod go;
pub mod node;
pub mod python;
pub mod rust;

use crate::parse::ParseError;
use crate::source::{Sources, Span, Spanned};

pub use go::glob_match;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Lang {
    Go,
    Rust,
    Python,
    Node,
}

impl Lang {
    pub fn name(self) -> &'static str {
        match self {
            Lang::Go => "Go",
            Lang::Rust => "Rust",
            Lang::Python => "Python",
            Lang::Node => "Node",
        }
    }
}

/// A program of the repository: a Go main package, a Rust binary target, or the entry module
/// of a Python or Node service.
#[derive(Clone, Debug)]
pub struct Program {
    /// The output name (Go: the package's directory name; Rust: the target's name; Python and
    /// Node: the entry's module or file name).
    pub name: String,
    /// Where its source lives: the Go main package's directory, the Rust binary's main file,
    /// the Python or Node entry file.
    pub dir: String,
    /// Go: the module's directory; Rust: the workspace root; Python and Node: the directory
    /// imports are resolved from.
    pub module_dir: Option<String>,
    pub span: Span,
    /// Listed in `binaries.ignore`, or generated code: never the subject of a finding.
    pub ignored: bool,
    pub lang: Lang,
}

/// One read of an env key by the code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub key: Spanned<String>,
    /// The program fails (or misbehaves) without the key on every run.
    pub required: bool,
    /// Why, as the label of a finding at the read says it.
    pub why: &'static str,
    /// Other keys the code falls back to when this one is absent (`process.env.A ??
    /// process.env.B`, then a throw when both are): one of them is required, not each.
    pub alternatives: Vec<String>,
}

impl EnvRead {
    pub fn new(key: Spanned<String>, required: bool, why: &'static str) -> EnvRead {
        EnvRead { key, required, why, alternatives: Vec::new() }
    }

    pub fn with_alternatives(mut self, alternatives: &[String]) -> EnvRead {
        self.alternatives = alternatives.to_vec();
        self
    }
}

/// The keys a program reads on every run with no fallback.
#[derive(Clone, Debug, Default)]
pub struct RequiredEnv {
    /// Sorted by place.
    pub reads: Vec<EnvRead>,
    /// The code the program reaches was followed; when `false`, only part of it is known.
    pub computed: bool,
}

/// The code model: the per-language models and the programs they make.
#[derive(Debug, Default)]
pub struct CodeModel {
    pub go: go::GoModel,
    pub rust: rust::RustModel,
    pub python: python::PythonModel,
    pub node: node::NodeModel,
    /// Go main packages and Rust binary targets, the binaries builds and images make.
    pub binaries: Vec<Program>,
    /// Python and Node entries, found from what the services run.
    pub entries: Vec<Program>,
    /// What each program requires, where computed: `binaries` first, then `entries` (see
    /// [`CodeModel::compute_required`]).
    required: Vec<Option<RequiredEnv>>,
}

/// Reads the code of every language.
pub fn build(sources: &Sources, ignore: &[String], errors: &mut Vec<ParseError>) -> CodeModel {
    let (go, mut binaries) = go::build(sources, ignore);
    let (rust, rust_bins) = rust::build(sources, ignore, errors);
    binaries.extend(rust_bins);
    let python = python::build(sources);
    let node = node::build(sources);
    CodeModel { go, rust, python, node, binaries, entries: Vec::new(), required: Vec::new() }
}

impl CodeModel {
    /// The binary whose source is `dir` (a Go package directory or a Rust main file).
    pub fn binary(&self, dir: &str) -> Option<&Program> {
        self.binaries.iter().find(|b| b.dir == dir)
    }

    /// The entry program of a Python or Node service whose entry file is `path`.
    pub fn entry(&self, path: &str) -> Option<&Program> {
        self.entries.iter().find(|b| b.dir == path)
    }

    /// Computes what the programs at `wanted` (see [`CodeModel::index_of`]) require, side by
    /// side: several checks ask the same of each program a service runs.
    pub fn compute_required(&mut self, wanted: &std::collections::BTreeSet<usize>) {
        use rayon::prelude::*;
        let programs: Vec<&Program> = self.binaries.iter().chain(&self.entries).collect();
        let required = programs
            .par_iter()
            .enumerate()
            .map(|(i, p)| wanted.contains(&i).then(|| self.required_env_of(p)))
            .collect();
        self.required = required;
    }

    /// The place of one of the model's own programs: an index into `binaries`, or past them
    /// into `entries`. Found by address: a copy of a program has none.
    pub fn index_of(&self, program: &Program) -> Option<usize> {
        let place = |list: &[Program]| {
            let offset = (program as *const Program as usize).checked_sub(list.as_ptr() as usize)?;
            let i = offset / std::mem::size_of::<Program>().max(1);
            list.get(i).filter(|p| std::ptr::eq(*p, program)).map(|_| i)
        };
        place(&self.binaries).or_else(|| place(&self.entries).map(|i| i + self.binaries.len()))
    }

    /// The keys a program requires on every run, through the code it reaches: as computed
    /// when the model was built, else computed now.
    pub fn required_env(&self, program: &Program) -> std::borrow::Cow<'_, RequiredEnv> {
        match self.index_of(program).and_then(|i| self.required.get(i)?.as_ref()) {
            Some(r) => std::borrow::Cow::Borrowed(r),
            None => std::borrow::Cow::Owned(self.required_env_of(program)),
        }
    }

    fn required_env_of(&self, program: &Program) -> RequiredEnv {
        let mut env = match program.lang {
            Lang::Go => self.go.required_env(&program.dir),
            Lang::Rust => self.rust.required_env(program),
            Lang::Python => self.python.required_env(&program.dir, program.module_dir.as_deref().unwrap_or("")),
            Lang::Node => self.node.required_env(&program.dir),
        };
        env.reads.sort_by_key(|r| r.key.span);
        env.reads.dedup_by(|a, b| a.key.span == b.key.span);
        env
    }
}

/// How many levels below a call made on start the functions still count as run on start.
const MAX_CALL_DEPTH: usize = 3;

/// The functions that run on start, for the Python and Node models: from `roots` (the file a
/// call is made in, and the name it calls), through `resolve` (the file and name a call in a
/// file reaches) and `lookup` (that function), following each function's own calls
/// [`MAX_CALL_DEPTH`] levels deep. Each function is taken once, with the file that defines it.
pub(crate) fn functions_run_on_start<'a, F>(
    roots: Vec<(String, String)>,
    resolve: impl Fn(&str, &str) -> Option<(String, String)>,
    lookup: impl Fn(&str, &str) -> Option<&'a F>,
    calls: impl Fn(&'a F) -> &'a [String],
) -> Vec<(String, &'a F)> {
    let mut queue: Vec<(String, String, usize)> = roots.into_iter().map(|(file, name)| (file, name, 0)).collect();
    let mut seen: std::collections::BTreeSet<(String, String)> = std::collections::BTreeSet::new();
    let mut out = Vec::new();
    while let Some((caller, name, depth)) = queue.pop() {
        let Some((file, name)) = resolve(&caller, &name) else { continue };
        if !seen.insert((file.clone(), name.clone())) {
            continue;
        }
        let Some(f) = lookup(&file, &name) else { continue };
        if depth < MAX_CALL_DEPTH {
            queue.extend(calls(f).iter().map(|c| (file.clone(), c.clone(), depth + 1)));
        }
        out.push((file, f));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program(name: &str, lang: Lang) -> Program {
        Program {
            name: name.to_string(),
            dir: name.to_string(),
            module_dir: None,
            span: Span::default(),
            ignored: false,
            lang,
        }
    }

    #[test]
    fn a_program_is_found_by_its_place_and_a_copy_is_computed_anew() {
        let mut code = CodeModel {
            binaries: vec![program("api", Lang::Go), program("worker", Lang::Go)],
            entries: vec![program("app.py", Lang::Python)],
            ..CodeModel::default()
        };
        assert_eq!(code.index_of(&code.binaries[1]), Some(1));
        assert_eq!(code.index_of(&code.entries[0]), Some(2));
        let copy = code.binaries[1].clone();
        assert_eq!(code.index_of(&copy), None);
        code.compute_required(&[0, 2].into_iter().collect());
        assert!(matches!(code.required_env(&code.binaries[0]), std::borrow::Cow::Borrowed(_)));
        // Not asked for when the model was built: computed when asked.
        assert!(matches!(code.required_env(&code.binaries[1]), std::borrow::Cow::Owned(_)));
        assert!(matches!(code.required_env(&copy), std::borrow::Cow::Owned(_)));
    }
}
