//! The program a container runs, answered once with Docker's rules: compose `entrypoint`
//! overrides the image's ENTRYPOINT and resets its CMD; compose `command` replaces CMD; an
//! ENTRYPOINT set on top of a base stage's CMD resets that CMD; the program is the first word of
//! the entrypoint, else of the command.

use super::code::{self, Program};
use super::images::{Image, abs};
use super::{Model, Service};
use crate::source::{Span, Spanned, file_name, parent_dir};

/// Where the program's word is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProgramFrom {
    ComposeEntrypoint,
    Entrypoint,
    ComposeCommand,
    Cmd,
}

/// The program a container of an image runs.
#[derive(Clone, Debug)]
pub struct EntryProgram<'a> {
    /// The word as written (in the compose file or the Dockerfile).
    pub word: &'a Spanned<String>,
    pub from: ProgramFrom,
    /// The image (index into `Model::images`) and its stage.
    pub image: usize,
    pub stage: usize,
    /// The working directory it starts in: compose `working_dir`, else the stage's WORKDIR.
    pub workdir: String,
}

/// Directories of a default `$PATH`, where a bare program name is looked up.
const PATH_DIRS: &[&str] = &["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

impl EntryProgram<'_> {
    /// The absolute path the word designates when it is a path (absolute, or relative to the
    /// working directory); `None` for a bare name, which `$PATH` resolves.
    pub fn path(&self) -> Option<String> {
        let w = self.word.value.as_str();
        if w.starts_with('/') {
            Some(abs("/", w))
        } else if w.starts_with("./") || w.starts_with("../") {
            Some(abs(&self.workdir, w))
        } else {
            None
        }
    }
}

/// Words of an ENTRYPOINT or CMD.
type Words<'a> = Option<&'a [Spanned<String>]>;

/// The entrypoint and command words of a stage, inherited along its base chain.
fn dockerfile_words(image: &Image, stage: usize) -> (Words<'_>, Words<'_>) {
    let chain = image.chain(stage);
    let ep_at = chain.iter().position(|s| s.entrypoint.is_some());
    let cmd_at = chain.iter().position(|s| s.cmd.is_some());
    let words = |spec: &'_ crate::parse::dockerfile::ExecSpec| -> usize {
        // A shell form runs `/bin/sh -c`; `exec ./server` execs the program itself.
        usize::from(spec.shell_form && spec.words.first().is_some_and(|w| w.value == "exec"))
    };
    let entrypoint = ep_at
        .and_then(|i| chain.get(i))
        .and_then(|s| s.entrypoint.as_ref())
        .map(|e| e.words.get(words(e)..).unwrap_or(&[]));
    let cmd = match (cmd_at, ep_at) {
        // An ENTRYPOINT set on top of a base's CMD resets it.
        (Some(c), Some(e)) if c > e => None,
        (Some(c), _) => chain.get(c).and_then(|s| s.cmd.as_ref()).map(|e| e.words.get(words(e)..).unwrap_or(&[])),
        _ => None,
    };
    (entrypoint, cmd)
}

impl Model {
    /// The program the containers of `service` run, when its image is built here (or compose
    /// gives the entrypoint).
    pub fn entry_program<'a>(&'a self, service: &'a Service) -> Option<EntryProgram<'a>> {
        let (img, stage) = service.image?;
        let image = self.images.get(img)?;
        let (df_entrypoint, df_cmd) = dockerfile_words(image, stage);
        let def = &service.def;
        let (entrypoint, cmd) = match &def.entrypoint {
            Some(e) => (
                Some((e.words.as_slice(), ProgramFrom::ComposeEntrypoint)),
                def.command.as_ref().map(|c| (c.words.as_slice(), ProgramFrom::ComposeCommand)),
            ),
            None => (
                df_entrypoint.map(|w| (w, ProgramFrom::Entrypoint)),
                def.command
                    .as_ref()
                    .map(|c| (c.words.as_slice(), ProgramFrom::ComposeCommand))
                    .or(df_cmd.map(|w| (w, ProgramFrom::Cmd))),
            ),
        };
        let (word, from) = match entrypoint {
            Some((words, from)) if !words.is_empty() => (words.first()?, from),
            _ => {
                let (words, from) = cmd?;
                (words.first()?, from)
            }
        };
        let workdir = match &def.working_dir {
            Some(w) => abs("/", &w.value),
            None => image.stages.get(stage)?.workdir.clone(),
        };
        Some(EntryProgram { word, from, image: img, stage, workdir })
    }

    /// The program an image's stage runs when no service sets its entrypoint or command.
    pub fn image_program(&self, img: usize, stage: usize) -> Option<EntryProgram<'_>> {
        let image = self.images.get(img)?;
        let (entrypoint, cmd) = dockerfile_words(image, stage);
        let (word, from) = match entrypoint {
            Some(w) if !w.is_empty() => (w.first()?, ProgramFrom::Entrypoint),
            _ => (cmd?.first()?, ProgramFrom::Cmd),
        };
        let workdir = image.stages.get(stage)?.workdir.clone();
        Some(EntryProgram { word, from, image: img, stage, workdir })
    }

    /// The repository binary a program is, through the image's builds and copies: its path,
    /// or for a bare name the first `$PATH` directory that holds a built binary.
    pub fn binary_of_program(&self, program: &EntryProgram<'_>) -> Option<&Program> {
        let image = self.images.get(program.image)?;
        let candidates: Vec<String> = match program.path() {
            Some(p) => vec![p],
            None if !program.word.value.contains('/') && !program.word.value.contains('$') => {
                PATH_DIRS.iter().map(|d| format!("{d}/{}", program.word.value)).collect()
            }
            None => Vec::new(),
        };
        candidates.iter().find_map(|p| image.package_at(program.stage, p)).and_then(|dir| self.code.binary(&dir))
    }

    /// The binaries a service runs: its entry program and the programs executed in its
    /// containers (`docker exec`, `compose exec|run`), each with the place that runs it.
    pub fn binaries_of(&self, service: &Service) -> Vec<(&Program, Span)> {
        let mut out: Vec<(&Program, Span)> = Vec::new();
        if let Some(p) = self.entry_program(service) {
            if let Some(b) = self.binary_of_program(&p) {
                out.push((b, p.word.span));
            }
        }
        for (c, e, s) in self.executions() {
            if s.is_some_and(|s| std::ptr::eq(s, service)) {
                if let Some(b) = self.binary_for_exec(Some(service), &e.program.value) {
                    if !out.iter().any(|(x, _)| x.dir == b.dir) {
                        out.push((b, c.cmd.span));
                    }
                }
            }
        }
        out
    }

    /// The programs a service runs, in every language: the binaries of [`Model::binaries_of`]
    /// and the Python or Node entry it starts.
    pub fn programs_of(&self, service: &Service) -> Vec<(&Program, Span)> {
        let mut out = self.binaries_of(service);
        if let Some((lang, path, _, span)) = self.script_entry(service) {
            if let Some(p) = self.code.entries.iter().find(|p| p.dir == path && p.lang == lang) {
                out.push((p, span));
            }
        }
        out
    }

    /// The full command a service's containers run: the entrypoint's words, then the
    /// command's, with Docker's rules (see [`Model::entry_program`]).
    fn service_argv<'a>(&'a self, service: &'a Service) -> Option<(Vec<&'a Spanned<String>>, usize, usize, String)> {
        let (img, stage) = service.image?;
        let image = self.images.get(img)?;
        let (df_entrypoint, df_cmd) = dockerfile_words(image, stage);
        let def = &service.def;
        let (entrypoint, cmd): (Words<'a>, Words<'a>) = match &def.entrypoint {
            Some(e) => (Some(e.words.as_slice()), def.command.as_ref().map(|c| c.words.as_slice())),
            None => (df_entrypoint, def.command.as_ref().map(|c| c.words.as_slice()).or(df_cmd)),
        };
        let words: Vec<&Spanned<String>> = entrypoint.into_iter().chain(cmd).flatten().collect();
        let workdir = match &def.working_dir {
            Some(w) => abs("/", &w.value),
            None => image.stages.get(stage)?.workdir.clone(),
        };
        Some((words, img, stage, workdir))
    }

    /// The Python or Node entry a service runs: its language, the repository file, the
    /// directory its imports are resolved from, and the word that names it.
    pub fn script_entry(&self, service: &Service) -> Option<(code::Lang, String, String, Span)> {
        let (words, img, stage, workdir) = self.service_argv(service)?;
        let image = self.images.get(img)?;
        let argv: Vec<&str> = words.iter().map(|w| w.value.as_str()).collect();
        let span = words.first()?.span;
        let repo = |p: &str| image.source_of(stage, &abs(&workdir, p));
        let root = repo(".").or_else(|| image.source_of(stage, &workdir))?;
        self.entry_from_argv(&argv, &root, &repo, 0).map(|(l, p, r)| (l, p, r, span))
    }

    fn entry_from_argv(
        &self,
        argv: &[&str],
        root: &str,
        repo: &dyn Fn(&str) -> Option<String>,
        depth: usize,
    ) -> Option<(code::Lang, String, String)> {
        use code::Lang;
        if depth > 3 {
            return None;
        }
        let mut i = 0;
        // Wrappers that run the rest.
        while let Some(w) = argv.get(i) {
            let name = file_name(w);
            // `cross-env NODE_ENV=production node …`, `env A=b …`: the assignments before the
            // program.
            let assignment = w.split_once('=').is_some_and(|(k, _)| crate::parse::rustsrc::is_key(k));
            if matches!(name, "exec" | "dumb-init" | "tini" | "--" | "env" | "gosu" | "su-exec" | "cross-env")
                || assignment
            {
                i += 1;
            } else if matches!(name, "poetry" | "pipenv" | "uv" | "pdm") && argv.get(i + 1) == Some(&"run") {
                i += 2;
            } else {
                break;
            }
        }
        let prog = file_name(argv.get(i)?);
        let args = argv.get(i + 1..).unwrap_or(&[]);
        let py = &self.code.python;
        let py_module = |m: &str| -> Option<(Lang, String, String)> {
            let m = m.split(':').next().unwrap_or(m);
            let f = py.module_file(root, m).or_else(|| py.module_file(root, &format!("{m}.__main__")))?;
            Some((Lang::Python, f, root.to_string()))
        };
        if prog == "python" || prog.starts_with("python3") || prog == "python2" {
            let mut k = 0;
            while let Some(a) = args.get(k) {
                if *a == "-m" {
                    let m = args.get(k + 1)?;
                    let main = py.module_file(root, &format!("{m}.__main__"));
                    let f = main.or_else(|| py.module_file(root, m))?;
                    return Some((Lang::Python, f, root.to_string()));
                }
                if matches!(*a, "-X" | "-W" | "-c") {
                    if *a == "-c" {
                        return None;
                    }
                    k += 2;
                    continue;
                }
                if a.starts_with('-') {
                    k += 1;
                    continue;
                }
                let f = repo(a)?;
                return py.files.contains_key(&f).then(|| (Lang::Python, f, root.to_string()));
            }
            return None;
        }
        if matches!(prog, "gunicorn" | "uvicorn" | "daphne" | "hypercorn" | "celery" | "granian") {
            let mut k = 0;
            while let Some(a) = args.get(k) {
                if let Some(v) = a.strip_prefix("--app=") {
                    return py_module(v);
                }
                if matches!(*a, "-A" | "--app") {
                    return py_module(args.get(k + 1)?);
                }
                if !a.starts_with('-') && !a.contains('/') {
                    if let Some(found) = py_module(a) {
                        return Some(found);
                    }
                }
                k += 1;
            }
            return None;
        }
        // `sh -c '…; exec server'`: the last command of the script is the one that keeps running.
        if matches!(prog, "sh" | "bash" | "ash" | "dash") && args.first() == Some(&"-c") {
            let script = args.get(1)?;
            let last = script.rsplit(['&', ';', '\n']).map(str::trim).find(|c| !c.is_empty())?;
            if last.contains(['|', '$', '`', '>', '<'])
                || last.starts_with(['(', '{'])
                || last == "done"
                || last == "fi"
            {
                return None;
            }
            let words: Vec<&str> = last.split_whitespace().collect();
            return self.entry_from_argv(&words, root, repo, depth + 1);
        }
        if prog == "uwsgi" {
            return self.uwsgi_entry(args, root, repo);
        }
        let node = &self.code.node;
        if matches!(prog, "node" | "nodejs" | "ts-node" | "tsx" | "bun") {
            let mut k = 0;
            while let Some(a) = args.get(k) {
                if matches!(*a, "-r" | "--require" | "--import" | "--loader") {
                    k += 2;
                    continue;
                }
                if a.starts_with('-') {
                    k += 1;
                    continue;
                }
                if *a == "run" && prog == "bun" {
                    k += 1;
                    continue;
                }
                let f = repo(a).and_then(|p| node.source_of_built(&p))?;
                return Some((Lang::Node, f, root.to_string()));
            }
            return None;
        }
        if matches!(prog, "npm" | "yarn" | "pnpm") {
            let script = match args {
                ["start", ..] => "start",
                ["run" | "run-script", s, ..] => s,
                [s, ..] if prog != "npm" && !s.starts_with('-') => s,
                _ => return None,
            };
            let text = node.scripts.get(root)?.get(script)?;
            // The last command of the script is the one that keeps running.
            let last = text.rsplit("&&").next().unwrap_or(text);
            let words: Vec<&str> = last.split_whitespace().collect();
            return self.entry_from_argv(&words, root, repo, depth + 1);
        }
        None
    }

    /// The Python entry a `uwsgi` command loads: `--module m` / `-w m` / `--wsgi-file f` on
    /// the command line, else `module =` / `wsgi-file =` of the `.ini` it is given (`--ini f`
    /// or a bare `f.ini`), resolved from the ini's `chdir =` when it sets one.
    fn uwsgi_entry(
        &self,
        args: &[&str],
        root: &str,
        repo: &dyn Fn(&str) -> Option<String>,
    ) -> Option<(code::Lang, String, String)> {
        use code::Lang;
        let py = &self.code.python;
        let module = |root: &str, m: &str| {
            let m = m.split(':').next().unwrap_or(m);
            py.module_file(root, m).map(|f| (Lang::Python, f, root.to_string()))
        };
        let file = |root: &str, repo_path: Option<String>| {
            let f = repo_path?;
            py.files.contains_key(&f).then(|| (Lang::Python, f, root.to_string()))
        };
        let mut ini = None;
        let mut k = 0;
        while let Some(a) = args.get(k) {
            let (flag, value) = match a.split_once('=') {
                Some((f, v)) if f.starts_with("--") => (f, Some(v)),
                _ => (*a, None),
            };
            let value = || value.or_else(|| args.get(k + 1).copied());
            match flag {
                "--module" | "-w" | "--wsgi" => return module(root, value()?),
                "--wsgi-file" | "--file" => return file(root, repo(value()?)),
                "--ini" => ini = value(),
                _ if a.ends_with(".ini") && !a.starts_with('-') => ini = Some(a),
                _ => {}
            }
            k += 1;
        }
        let path = repo(ini?)?;
        let id = self.sources.find(&path)?;
        let text = self.sources.text(id);
        let setting = |name: &str| {
            text.lines().find_map(|l| {
                let (k, v) = l.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_string())
            })
        };
        let chdir = setting("chdir");
        let root = match &chdir {
            Some(dir) => repo(dir).or_else(|| repo(&format!("{}/.", dir.trim_end_matches('/'))))?,
            None => root.to_string(),
        };
        if let Some(m) = setting("module").or_else(|| setting("wsgi")) {
            return module(&root, &m);
        }
        let f = setting("wsgi-file")?;
        let at = match &chdir {
            Some(dir) if !f.starts_with('/') => format!("{}/{f}", dir.trim_end_matches('/')),
            _ => f.clone(),
        };
        file(&root, repo(&at))
    }

    /// Records the Python and Node entries the services run, as programs.
    pub(super) fn compute_entries(&mut self) {
        let mut entries: Vec<Program> = Vec::new();
        for s in &self.services {
            let Some((lang, path, root, _)) = self.script_entry(s) else { continue };
            if entries.iter().any(|e| e.dir == path && e.lang == lang) {
                continue;
            }
            let Some(file) = self.sources.find(&path) else { continue };
            let name = file_name(&path).split('.').next().unwrap_or("").to_string();
            let name = if matches!(name.as_str(), "__main__" | "__init__" | "index") {
                file_name(parent_dir(&path)).to_string()
            } else {
                name
            };
            entries.push(Program {
                name,
                dir: path,
                module_dir: Some(root),
                span: Span::new(file, 0..0),
                ignored: false,
                lang,
            });
        }
        self.code.entries = entries;
    }

    /// The binary a path executed in a service's image is: found through the image's builds
    /// and copies, else by a binary of the same name.
    pub fn binary_for_exec(&self, service: Option<&Service>, program: &str) -> Option<&Program> {
        if let Some((img, stage)) = service.and_then(|s| s.image) {
            if let Some(image) = self.images.get(img) {
                if let Some(dir) = image.resolve_exec(stage, program).and_then(|p| image.package_at(stage, &p)) {
                    if let Some(b) = self.code.binary(&dir) {
                        return Some(b);
                    }
                }
            }
        }
        let name = file_name(program);
        let mut same = self.code.binaries.iter().filter(|b| b.name == name);
        let first = same.next()?;
        same.next().is_none().then_some(first)
    }
}
