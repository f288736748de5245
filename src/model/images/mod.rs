//! Images: per Dockerfile, its stages, what each stage builds (`go build`, `go install`, `cp`
//! of a built file), what it copies in and from where, and whether a stage did something
//! deploylint cannot follow (then it is opaque, and the checks stay silent about what it may
//! contain). RUN commands are interpreted in `run.rs`.

mod common_commands;
pub mod context;
pub(crate) mod run;

use super::code::go::GoModel;
use super::code::rust::RustPackage;
use crate::parse::dockerfile::{self, ExecSpec, Instr};
use crate::parse::dockerignore::DockerIgnore;
use crate::parse::makefile::Makefile;

use crate::source::{FileId, Span, Spanned, file_name, join_rel, parent_dir};
use common_commands::COMMON_COMMANDS;
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
    /// Built because a pattern or a whole workspace matched it (`./cmd/...`, `cargo build`
    /// without `--bin`), not by name.
    pub bulk: bool,
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

impl CopyIn {
    /// The source path that lands at `path` when `path` lies under this copy's destination
    /// directory (for a glob source, its directory stands for the source).
    pub fn source_for(&self, path: &str) -> Option<String> {
        if !self.dest_is_dir || !is_under(path, &self.dest) {
            return None;
        }
        let rest = path.strip_prefix(self.dest.trim_end_matches('/')).unwrap_or("").trim_start_matches('/');
        let src = if self.src.contains(['*', '?', '[']) { parent_dir(&self.src) } else { self.src.as_str() };
        if self.from == CopyFrom::Context { join_rel(src, rest) } else { Some(abs("/", &format!("{src}/{rest}"))) }
    }
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
    /// Directories commands created (`mkdir`, `install -d`).
    pub made_dirs: Vec<String>,
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
    /// The shape of each `ENV` value after expansion (`ARG` defaults and compose `build.args`),
    /// by key, in order: never the value.
    #[serde(skip)]
    pub env_shapes: Vec<(String, crate::model::env::Shape)>,
    #[serde(skip)]
    vars: BTreeMap<String, Option<String>>,
    /// Context bind mounts of the RUN being interpreted (`RUN --mount=type=bind,target=.`).
    #[serde(skip)]
    mounts: Vec<CopyIn>,
    /// What RUN commands mounted from the context (`--mount=type=bind,source=…`), as written.
    pub context_mounts: Vec<String>,
}

impl StageModel {
    /// Whether a step of the stage cannot be followed (opaque, a directory changed in ways not
    /// followed, a fetch): then what it holds is not all known.
    fn unfollowed(&self) -> bool {
        !self.opaque.is_empty() || !self.unknown_dirs.is_empty() || self.fetches
    }

    /// Whether the stage copies a directory whose content is not listed onto one of the
    /// directories `path`, under one, or above one.
    fn copies_dir_onto(&self, path: &[&str]) -> bool {
        self.copies.iter().any(|c| c.dest_is_dir && path.iter().any(|d| is_under(d, &c.dest) || is_under(&c.dest, d)))
    }

    /// The files the stage puts in place by name: build outputs, copied files, written files.
    fn placed_files(&self) -> impl Iterator<Item = &str> {
        self.builds
            .iter()
            .map(|b| b.output.as_str())
            .chain(self.copies.iter().filter(|c| !c.dest_is_dir).map(|c| c.dest.as_str()))
            .chain(self.writes.iter().map(String::as_str))
    }
}

/// Whether `name` is a plain program name, looked up on `PATH` (no path, option or expansion).
fn plain_program(name: &str) -> bool {
    let plain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '+');
    !name.is_empty() && !name.starts_with(['-', '.']) && name.chars().all(plain)
}

/// The absolute directories of a `PATH` value.
fn path_dirs(path: &str) -> Vec<&str> {
    path.split(':').filter(|d| d.starts_with('/')).collect()
}

/// Whether `dir` is one of the directories `path`.
fn on_path(path: &[&str], dir: &str) -> bool {
    path.iter().any(|d| d.trim_end_matches('/') == dir.trim_end_matches('/'))
}

#[derive(Clone, Debug, Serialize)]
pub struct Image {
    #[serde(skip)]
    pub file: FileId,
    pub path: String,
    /// The build context, relative to the root, when it is known.
    pub context: Option<String>,
    /// Where the context comes from.
    pub context_from: context::ContextFrom,
    /// The compose `build.args` this model was built with (shown with secret-shaped values
    /// masked: `NPM_TOKEN`, `*_PASSWORD`, …).
    #[serde(serialize_with = "masked_args")]
    pub build_args: BTreeMap<String, String>,
    /// The `.dockerignore` of the context.
    #[serde(skip)]
    pub dockerignore: DockerIgnore,
    pub stages: Vec<StageModel>,
    /// The stages that ship: compose `build.target`s and `docker build --target`s, else the last.
    pub shipped: Vec<usize>,
}

/// Directories an external base image may already fill: a path there is never certainly absent.
pub(crate) const SYSTEM_DIRS: &[&str] = &[
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

/// The longest value an `ARG`/`ENV`/shell expansion may reach, in bytes. Values are stored
/// expanded, so each `ARG` that repeats the previous one multiplies the length: past this bound
/// the value is unknown (`None`) and the checks that need it stay silent.
pub const MAX_EXPANSION: usize = crate::parse::makefile::MAX_EXPANSION;

/// Expands `$X`, `${X}`, `${X:-d}` and `${X-d}` with known values; `None` when a variable is
/// unknown, a command substitution is involved, or the expanded result passes [`MAX_EXPANSION`].
pub fn expand(s: &str, vars: &BTreeMap<String, Option<String>>) -> Option<String> {
    if !s.contains('$') {
        return Some(s.to_string());
    }
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('$') {
        if out.len() > MAX_EXPANSION {
            return None;
        }
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
    (out.len() <= MAX_EXPANSION).then_some(out)
}

/// What the image model needs from the rest of the repository.
pub struct Repo<'a> {
    pub go: &'a GoModel,
    /// Makefiles by repo-relative path, for `RUN make TARGET`.
    pub makefiles: &'a BTreeMap<String, Makefile>,
    pub rust: &'a [RustPackage],
    /// The `.dockerignore` of this Dockerfile's context.
    pub dockerignore: &'a DockerIgnore,
}

/// The stages of a base chain (the base stage first).
pub(crate) fn chain_of<'a>(stages: &'a [StageModel], base: &Base) -> Vec<&'a StageModel> {
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
    resolve_program(workdir, first)
}

/// An executed program as a path: absolute, or `./x` from the working directory. Bare names are
/// looked up in `$PATH`: never resolved.
fn resolve_program(workdir: &str, written: &str) -> Option<String> {
    if written.starts_with('/') {
        Some(abs("/", written))
    } else if written.starts_with("./") {
        Some(abs(workdir, written))
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
    if base.eq_ignore_ascii_case("scratch") || holds_no_programs(base) {
        // Docker's default, which distroless images also set.
        vars.insert("PATH".to_string(), Some(DEFAULT_PATH.to_string()));
    }
    vars
}

/// The `PATH` of a container whose image sets none (Docker's default).
const DEFAULT_PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Whether an external base image holds no program at all: a distroless image without a
/// language runtime (`static`, `base`, `cc`) and not its `:debug` variant (which carries a
/// busybox shell).
fn holds_no_programs(image: &str) -> bool {
    let image = image.to_ascii_lowercase();
    let Some((_, variant)) = image.split_once("distroless/") else { return false };
    !image.contains("debug") && ["static", "base", "cc"].iter().any(|v| variant.starts_with(v))
}

/// Build args as the model shows them: a value under a secret-shaped name is masked whole.
fn masked_args<S: serde::Serializer>(args: &BTreeMap<String, String>, ser: S) -> Result<S::Ok, S::Error> {
    let shown: BTreeMap<&str, std::borrow::Cow<'_, str>> = args
        .iter()
        .map(|(k, v)| {
            let v =
                if crate::secret::secret_name(k) { "*".repeat(v.chars().count()).into() } else { v.as_str().into() };
            (k.as_str(), v)
        })
        .collect();
    serde::Serialize::serialize(&shown, ser)
}

/// Builds the image model of one Dockerfile. `build_args` are compose `build.args`; with no
/// `context`, nothing copied from the context is placed in the repository.
pub fn build(
    file: FileId,
    path: &str,
    context: (Option<&str>, context::ContextFrom),
    df: &dockerfile::Dockerfile,
    repo: &Repo<'_>,
    build_args: &BTreeMap<String, String>,
) -> Image {
    let (context, context_from) = context;
    let mut global: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (k, v) in &df.global_args {
        let v = build_args.get(&k.value).cloned().or_else(|| v.clone());
        global.insert(k.value.clone(), v);
    }
    let mut stages: Vec<StageModel> = Vec::new();
    // Commands followed over all RUNs of the image (bounded: see `run::MAX_COMMANDS`).
    let steps = std::cell::Cell::new(0);
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
            made_dirs: Vec::new(),
            workdir,
            opaque: Vec::new(),
            fetches: false,
            missing_targets: Vec::new(),
            entrypoint: None,
            cmd: None,
            runs: None,
            env_keys: Vec::new(),
            env_shapes: Vec::new(),
            vars,
            mounts: Vec::new(),
            context_mounts: Vec::new(),
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
                        let shape = match v.as_deref() {
                            Some("") => crate::model::env::Shape::Empty,
                            Some(_) => crate::model::env::Shape::Set,
                            None => crate::model::env::Shape::Unknown,
                        };
                        s.env_shapes.push((k.value.clone(), shape));
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
                    // A heredoc fed to a program other than a shell: data for `cat`/`tee` (whose
                    // redirection is followed), else a script deploylint cannot read.
                    let sink = run
                        .commands
                        .first()
                        .and_then(|c| c.words.first())
                        .is_some_and(|w| matches!(w.text.as_str(), "cat" | "tee"));
                    if run.foreign_heredoc && !sink {
                        s.opaque.push("a RUN heredoc that is not shell".to_string());
                    }
                    let mut cwd = s.workdir.clone();
                    s.mounts = run
                        .context_mounts
                        .iter()
                        .map(|(src, target)| CopyIn {
                            from: CopyFrom::Context,
                            src: join_rel("", src).unwrap_or_default(),
                            dest: abs(&s.workdir, target),
                            dest_is_dir: true,
                            span: run.span,
                            src_span: run.span,
                            from_span: None,
                        })
                        .collect();
                    s.context_mounts.extend(s.mounts.iter().map(|m| m.src.clone()));
                    let interp = run::Interp {
                        go: repo.go,
                        makefiles: repo.makefiles,
                        rust: repo.rust,
                        context,
                        stages: &stages,
                        steps: &steps,
                    };
                    interp.run(&mut s, &run.commands, &mut cwd, 0);
                    s.mounts.clear();
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
        context: context.map(str::to_string),
        context_from,
        build_args: build_args.clone(),
        dockerignore: repo.dockerignore.clone(),
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
        || s.made_dirs.contains(&dest_abs)
        || SYSTEM_DIRS.contains(&dest_abs.as_str());
    for src in &c.sources {
        if c.add && (src.value.contains("://") || src.value.starts_with("git@")) {
            s.fetches = true;
            s.opaque.push(format!("ADD `{}` fetches a remote source", src.value));
            continue;
        }
        // A source naming a variable that cannot be resolved here (an `ARG` of another stage is
        // empty in this one; a base image's `ENV` is not known) copies an unknown path.
        let Some(value) = expand(&src.value, &s.vars) else {
            s.opaque.push(format!("COPY `{}` uses a variable deploylint cannot resolve", src.value));
            continue;
        };
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
            // A directory set as WORKDIR or created, and the directories above it.
            let made = s.workdirs.iter().chain(&s.made_dirs).any(|d| is_under(d, path));
            if s.writes.iter().any(|w| inside(w)) || made {
                return Holds::Yes(s.span);
            }
        }
        // A directory copied from the context may hold anything, except what `.dockerignore`
        // leaves out of the context.
        let from_context_dir = |c: &CopyIn| {
            if c.from != CopyFrom::Context || c.src.contains(['*', '?', '[']) {
                return true;
            }
            c.source_for(path).is_none_or(|rel| !self.dockerignore.excludes(&rel))
        };
        let under_unknown = chain.iter().any(|s| {
            s.copies.iter().any(|c| c.dest_is_dir && is_under(path, &c.dest) && from_context_dir(c))
                || s.unknown_dirs.iter().any(|d| is_under(path, d))
        });
        if under_unknown || chain.iter().any(|s| !s.opaque.is_empty()) {
            return Holds::Unknown;
        }
        let root_base = chain.last().map(|s| &s.base);
        let base_is_empty = match root_base {
            Some(Base::Scratch) => true,
            // The `:debug` variants of distroless images carry a busybox shell.
            Some(Base::Image(i)) => i.contains("distroless") && !i.contains("debug"),
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
                let src = if c.dest == path { Some(c.src.clone()) } else { c.source_for(path) };
                if let Some(src) = src {
                    return self.package_at_depth(j, &src, depth + 1).or_else(|| self.build_named(j, &src));
                }
            }
        }
        None
    }

    /// The package of the one build of stage `index` (and the stages it is built on) whose
    /// output has the file name of `path`: the binary a command the model does not follow moved
    /// there (`cargo build --release; mv target/release/app .` inside an `if`).
    fn build_named(&self, index: usize, path: &str) -> Option<String> {
        let name = crate::source::file_name(path);
        // Several builds of one package (a release and a debug branch) are one binary.
        let packages: std::collections::BTreeSet<&String> = self
            .chain(index)
            .into_iter()
            .flat_map(|s| s.builds.iter())
            .filter(|b| crate::source::file_name(&b.output) == name)
            .map(|b| b.repo_dir.as_ref())
            .collect::<Option<_>>()?;
        let mut it = packages.into_iter();
        let first = it.next()?;
        it.next().is_none().then(|| first.clone())
    }

    /// The repository path a container path of stage `index` comes from, following copies from
    /// the build context (and from earlier stages); `None` when the context is unknown.
    pub fn source_of(&self, index: usize, path: &str) -> Option<String> {
        self.source_of_depth(index, path, 0)
    }

    fn source_of_depth(&self, index: usize, path: &str, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        for s in self.chain(index).into_iter().rev() {
            for c in s.copies.iter().rev() {
                let src = if c.dest == path && !c.dest_is_dir { Some(c.src.clone()) } else { c.source_for(path) };
                let Some(src) = src else { continue };
                return match c.from {
                    CopyFrom::Context => join_rel(self.context.as_deref()?, &src),
                    CopyFrom::Stage(j) => self.source_of_depth(j, &src, depth + 1),
                    CopyFrom::Image(_) => None,
                };
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

    /// Whether stage `index` certainly has no program called `name` on its `PATH`. Only an
    /// image whose every file the Dockerfile puts there can tell: its chain starts from
    /// `scratch` or a distroless image without programs, can be followed, and its `PATH` is
    /// known. `Some(paths)`: it lacks it, and holds files of that name at `paths` (off `PATH`).
    pub fn lacks_command(&self, index: usize, name: &str) -> Option<Vec<String>> {
        if !plain_program(name) {
            return None;
        }
        let chain = self.chain(index);
        let stage = chain.first()?;
        let empty = match &chain.last()?.base {
            Base::Scratch => true,
            Base::Image(i) => holds_no_programs(i),
            Base::Stage(_) => false,
        };
        if !empty || chain.iter().any(|s| s.unfollowed()) {
            return None;
        }
        let path = path_dirs(stage.vars.get("PATH")?.as_deref()?);
        let mut elsewhere = Vec::new();
        for s in &chain {
            // A directory whose content is not listed may hold it, on `PATH` or under it.
            if s.copies_dir_onto(&path) {
                return None;
            }
            for f in s.placed_files().filter(|f| file_name(f) == name) {
                if on_path(&path, parent_dir(f)) {
                    return None;
                }
                elsewhere.push(f.to_string());
            }
        }
        elsewhere.sort();
        elsewhere.dedup();
        Some(elsewhere)
    }

    /// Whether stage `index` may hold a program called `name` on its `PATH`, whatever its
    /// base: a name a general-purpose base image may provide (`ls`, `python`: the names of
    /// `COMMON_COMMANDS`), a file of that name the Dockerfile puts on `PATH` (Docker's
    /// default, or the stage's `ENV PATH`), a directory whose content is not listed copied
    /// onto `PATH`, or a step that cannot be followed.
    pub fn may_provide(&self, index: usize, name: &str) -> bool {
        if !plain_program(name) {
            return true;
        }
        if COMMON_COMMANDS.binary_search(&name).is_ok() {
            return true;
        }
        let chain = self.chain(index);
        let Some(stage) = chain.first() else { return true };
        if chain.iter().any(|s| s.unfollowed()) {
            return true;
        }
        let set = stage.vars.get("PATH").cloned().flatten();
        let Some(path) = set.or_else(|| Some(DEFAULT_PATH.to_string())).filter(|p| !p.contains('$')) else {
            return true;
        };
        let path = path_dirs(&path);
        chain.iter().any(|s| {
            s.copies_dir_onto(&path) || s.placed_files().any(|f| file_name(f) == name && on_path(&path, parent_dir(f)))
        })
    }

    /// Resolves a path written in a command run in stage `index` (absolute, or `./x` from the
    /// stage's WORKDIR). Bare names are looked up in `$PATH`: never resolved.
    pub fn resolve_exec(&self, index: usize, written: &str) -> Option<String> {
        resolve_program(&self.stages.get(index)?.workdir, written)
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
        super::super::code::go::build(&sources, &[]).0
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
        image_with(text, go, &BTreeMap::new())
    }

    fn image_with(text: &str, go: &GoModel, makefiles: &BTreeMap<String, Makefile>) -> Image {
        let df = dockerfile::parse(FileId(0), text).unwrap_or_default();
        let dockerignore = DockerIgnore::default();
        build(
            FileId(0),
            "Dockerfile",
            (Some(""), context::ContextFrom::Root),
            &df,
            &Repo { go, makefiles, rust: &[], dockerignore: &dockerignore },
            &BTreeMap::new(),
        )
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
        let img = image_with("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make build OUT=/out\n", &go, &makefiles);
        assert_eq!(outputs(&img, 0), [o("/out/server", "cmd/server"), o("/out/worker", "cmd/worker")]);
        assert!(img.stages[0].opaque.is_empty(), "{:?}", img.stages[0].opaque);
        let img = image_with("FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make lint\n", &go, &makefiles);
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
    fn context_bind_mounts_place_the_sources() {
        let img = image(
            "FROM golang:1.22 AS b\nWORKDIR /src\nRUN --mount=type=bind,target=. --mount=type=cache,target=/root/.cache go build -o /out/server ./cmd/server\nRUN --mount=type=bind,from=other,target=/x go build -o /out/x /x/cmd/x\n",
            &shop(),
        );
        let outs = outputs(&img, 0);
        assert_eq!(outs[0], o("/out/server", "cmd/server"));
        assert_eq!(outs[1], ("/out/x".to_string(), None));
    }

    #[test]
    fn created_directories_and_test_binaries_are_held() {
        let img = image(
            "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN mkdir -p /out/data && install -d -m 0750 /out/spool && touch /out/ready && echo ok | tee -a /out/log\nRUN go test -c -o /out/x.test ./internal/x\nRUN go build -o /out/server ./cmd/server && mv /out/server /out/srv && mv dist /out/web\n",
            &shop(),
        );
        for p in ["/out/data", "/out/spool", "/out/x.test", "/out/srv", "/out", "/out/ready", "/out/log"] {
            assert!(matches!(img.holds(0, p), Holds::Yes(_)), "{p}");
        }
        assert_eq!(img.holds(0, "/out/web/index.html"), Holds::Unknown);
        assert_eq!(img.holds(0, "/out/nothing"), Holds::No);
        assert!(img.stages[0].opaque.is_empty(), "{:?}", img.stages[0].opaque);
    }

    #[test]
    fn a_missing_package_still_writes_its_output_once() {
        let img = image(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN if [ -n \"$X\" ]; then go build -o /out/api ./cmd/api; else go build -o /out/api ./cmd/api; fi\n",
            &shop(),
        );
        assert_eq!(img.stages[0].missing_targets.len(), 1);
        assert!(matches!(img.holds(0, "/out/api"), Holds::Yes(_)));
        assert_eq!(outputs(&img, 0), [("/out/api".to_string(), None), ("/out/api".to_string(), None)]);
    }

    #[test]
    fn pattern_builds_are_bulk() {
        let img = image(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/ ./cmd/... && go build -o /bin/server ./cmd/server\n",
            &shop(),
        );
        let bulk: Vec<(&str, bool)> = img.stages[0].builds.iter().map(|b| (b.output.as_str(), b.bulk)).collect();
        assert_eq!(
            bulk,
            [("/out/migrate", true), ("/out/server", true), ("/out/worker", true), ("/bin/server", false)]
        );
    }

    #[test]
    fn an_unknown_context_places_nothing() {
        let go = shop();
        let df = dockerfile::parse(FileId(0), "FROM golang:1.22\nCOPY . .\nRUN go build -o /out/api ./cmd/nope\n")
            .unwrap_or_default();
        let dockerignore = DockerIgnore::default();
        let repo = Repo { go: &go, makefiles: &BTreeMap::new(), rust: &[], dockerignore: &dockerignore };
        let img = build(FileId(0), "x/Dockerfile", (None, context::ContextFrom::Unknown), &df, &repo, &BTreeMap::new());
        assert!(img.stages[0].missing_targets.is_empty());
        assert_eq!(outputs(&img, 0), [("/out/api".to_string(), None)]);
    }

    #[test]
    fn distroless_debug_has_a_shell() {
        let img = image("FROM gcr.io/distroless/static:debug\nCOPY x /x\nENTRYPOINT [\"/busybox/sh\"]\n", &shop());
        assert_eq!(img.holds(0, "/busybox/sh"), Holds::Unknown);
        let img = image("FROM gcr.io/distroless/static\nCOPY x /x\n", &shop());
        assert_eq!(img.holds(0, "/busybox/sh"), Holds::No);
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
