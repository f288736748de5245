//! Images: per Dockerfile, its stages, what each stage builds (`go build`, `go install`), what
//! it copies in and from where, and whether a stage did something deploylint cannot follow
//! (then it is opaque, and the checks stay silent about what it may contain).

use crate::parse::dockerfile::{self, ExecSpec, Instr};
use crate::parse::shell::{SimpleCommand, unwrap_command};
use crate::source::{FileId, Span, Spanned, file_name, join_rel, parent_dir};
use serde::Serialize;

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
    /// The package directory relative to the build context, when the stage's copies tell.
    pub context_dir: Option<String>,
    #[serde(skip)]
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case", tag = "kind", content = "value")]
pub enum CopyFrom {
    Context,
    Stage(usize),
    /// `--from=<image>` or an unknown stage name.
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
    /// Directories the stage set as WORKDIR.
    pub workdirs: Vec<String>,
    /// The working directory at the end of the stage.
    pub workdir: String,
    /// Why the stage cannot be followed, if it cannot.
    pub opaque: Vec<String>,
    #[serde(skip)]
    pub entrypoint: Option<ExecSpec>,
    #[serde(skip)]
    pub cmd: Option<ExecSpec>,
    /// Absolute path of the executable of ENTRYPOINT (or CMD when there is no ENTRYPOINT).
    pub runs: Option<String>,
    #[serde(skip)]
    pub env_keys: Vec<Spanned<String>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Image {
    #[serde(skip)]
    pub file: FileId,
    pub path: String,
    /// The build context, relative to the root.
    pub context: String,
    pub stages: Vec<StageModel>,
}

/// Commands that change nothing deploylint tracks (packages, users, permissions, checks).
const HARMLESS: &[&str] = &[
    "apk",
    "apt-get",
    "apt",
    "yum",
    "dnf",
    "microdnf",
    "mkdir",
    "echo",
    "set",
    "true",
    "chmod",
    "chown",
    "rm",
    "adduser",
    "addgroup",
    "useradd",
    "groupadd",
    "update-ca-certificates",
    "export",
    "test",
    "[",
    "ls",
    "printf",
    "git",
    "go",
    "cd",
    "upx",
    "strip",
    "file",
    "ldd",
    "touch",
    "id",
    "whoami",
    "env",
];

/// Directories an external base image may already fill: a path there is never certainly absent.
const SYSTEM_DIRS: &[&str] = &[
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

fn abs(cwd: &str, p: &str) -> String {
    let joined = if p.starts_with('/') { join_rel("", p) } else { join_rel(cwd.trim_start_matches('/'), p) };
    format!("/{}", joined.unwrap_or_default())
}

fn is_under(path: &str, dir: &str) -> bool {
    dir == "/" || path == dir || path.starts_with(&format!("{}/", dir.trim_end_matches('/')))
}

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

/// The outputs of one `go build` / `go install` command run in `cwd`.
fn go_outputs(cmd: &SimpleCommand, at: usize, cwd: &str) -> Option<Vec<(String, String)>> {
    let words: Vec<&str> = cmd.words[at..].iter().map(|w| w.text.as_str()).collect();
    let sub = *words.get(1)?;
    if sub != "build" && sub != "install" {
        return Some(Vec::new());
    }
    let mut out_flag = None;
    let mut pkgs = Vec::new();
    let mut i = 2;
    while let Some(w) = words.get(i) {
        if let Some(flag) = w.strip_prefix('-') {
            let flag = format!("-{}", flag.trim_start_matches('-'));
            if let Some((name, value)) = flag.split_once('=') {
                if name == "-o" {
                    out_flag = Some(value.to_string());
                }
            } else if GO_VALUE_FLAGS.contains(&flag.as_str()) {
                if flag == "-o" {
                    out_flag = words.get(i + 1).map(|s| s.to_string());
                }
                i += 1;
            }
        } else {
            pkgs.push(w.to_string());
        }
        i += 1;
    }
    if pkgs.is_empty() {
        pkgs.push(".".into());
    }
    // A variable we cannot resolve makes the outputs unknown.
    if pkgs.iter().chain(out_flag.iter()).any(|p| p.contains('$')) {
        return None;
    }
    let many = pkgs.len() > 1 || pkgs.iter().any(|p| p.ends_with("/..."));
    if pkgs.iter().any(|p| p.ends_with("/...")) {
        // Several outputs whose names come from the tree: left to the image model's later work.
        return None;
    }
    let mut outs = Vec::new();
    for p in &pkgs {
        let pkg_dir = if p.ends_with(".go") { parent_dir(p).to_string() } else { p.clone() };
        let name = if p.ends_with(".go") && out_flag.is_none() {
            file_name(p).trim_end_matches(".go").to_string()
        } else if pkg_dir == "." || pkg_dir.is_empty() {
            file_name(cwd).to_string()
        } else {
            file_name(&pkg_dir).to_string()
        };
        let output = match (&out_flag, sub) {
            (Some(o), _) if o.ends_with('/') || many => abs(cwd, &format!("{o}/{name}")),
            (Some(o), _) => abs(cwd, o),
            (None, "install") => format!("/go/bin/{name}"),
            (None, _) => abs(cwd, &name),
        };
        outs.push((output, pkg_dir));
    }
    Some(outs)
}

fn exec_path(spec: &ExecSpec, workdir: &str) -> Option<String> {
    let mut words = spec.words.iter().map(|w| w.value.as_str());
    let mut first = words.next()?;
    if spec.shell_form || matches!(first, "/bin/sh" | "sh" | "/bin/bash" | "bash") {
        // `sh -c "…"` and shell form run through a shell: the executable is not ours to know.
        if first.ends_with("sh") {
            return None;
        }
    }
    if first == "exec" {
        first = words.next()?;
    }
    if first.starts_with('/') {
        Some(abs("/", first))
    } else if first.starts_with("./") {
        Some(abs(workdir, first))
    } else {
        None
    }
}

pub fn build(file: FileId, path: &str, context: &str, df: &dockerfile::Dockerfile) -> Image {
    let mut stages: Vec<StageModel> = Vec::new();
    for st in &df.stages {
        let base_name = st.base.value.as_str();
        let base = if base_name.eq_ignore_ascii_case("scratch") {
            Base::Scratch
        } else if let Some(i) =
            stages.iter().position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(base_name)))
        {
            Base::Stage(i)
        } else {
            Base::Image(base_name.to_string())
        };
        let inherited = match base {
            Base::Stage(i) => stages.get(i).map(|s| s.workdir.clone()),
            _ => None,
        };
        let mut s = StageModel {
            index: st.index,
            name: st.name.as_ref().map(|n| n.value.clone()),
            span: st.span,
            base,
            builds: Vec::new(),
            copies: Vec::new(),
            workdirs: Vec::new(),
            workdir: inherited.unwrap_or_else(|| "/".into()),
            opaque: Vec::new(),
            entrypoint: None,
            cmd: None,
            runs: None,
            env_keys: Vec::new(),
        };
        for ins in &st.instrs {
            match ins {
                Instr::Workdir(w) => {
                    if w.value.contains('$') {
                        s.opaque.push(format!("WORKDIR `{}` uses a variable", w.value));
                    }
                    s.workdir = abs(&s.workdir, &w.value);
                    s.workdirs.push(s.workdir.clone());
                }
                Instr::Env(keys) => s.env_keys.extend(keys.iter().cloned()),
                Instr::Arg(_) => {}
                Instr::Entrypoint(e) => s.entrypoint = Some(e.clone()),
                Instr::Cmd(c) => s.cmd = Some(c.clone()),
                Instr::Copy(c) => {
                    let from = match &c.from {
                        None => CopyFrom::Context,
                        Some(f) => {
                            let v = f.value.as_str();
                            if let Ok(n) = v.parse::<usize>() {
                                if n < stages.len() { CopyFrom::Stage(n) } else { CopyFrom::Image(v.to_string()) }
                            } else if let Some(i) =
                                stages.iter().position(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(v)))
                            {
                                CopyFrom::Stage(i)
                            } else {
                                CopyFrom::Image(v.to_string())
                            }
                        }
                    };
                    let dest_dir_form = c.dest.value.ends_with('/') || c.sources.len() > 1;
                    for src in &c.sources {
                        if c.add && (src.value.contains("://") || src.value.starts_with("git@")) {
                            s.opaque.push(format!("ADD `{}` fetches a remote source", src.value));
                            continue;
                        }
                        let is_glob = src.value.contains(['*', '?', '[']);
                        let looks_dir = src.value.ends_with('/')
                            || src.value == "."
                            || !crate::source::file_name(&src.value).contains('.')
                                && matches!(from, CopyFrom::Context)
                                && src.value != "go.mod";
                        let src_path = match from {
                            CopyFrom::Context => join_rel("", &src.value).unwrap_or_default(),
                            _ => abs("/", &src.value),
                        };
                        let (dest, dest_is_dir) =
                            if is_glob || (matches!(from, CopyFrom::Context) && looks_dir && !dest_dir_form) {
                                (abs(&s.workdir, &c.dest.value), true)
                            } else if dest_dir_form {
                                let name = file_name(&src.value);
                                if src.value.ends_with('/') || src.value == "." {
                                    (abs(&s.workdir, &c.dest.value), true)
                                } else {
                                    (abs(&s.workdir, &format!("{}/{name}", c.dest.value.trim_end_matches('/'))), false)
                                }
                            } else {
                                (abs(&s.workdir, &c.dest.value), src.value.ends_with('/'))
                            };
                        // A source copied from a stage may be a directory: it is only a file for
                        // sure when that stage built it.
                        let dest_is_dir = dest_is_dir
                            || match from {
                                CopyFrom::Stage(i) => !produces_file(&stages, i, &src_path),
                                CopyFrom::Image(_) => true,
                                CopyFrom::Context => false,
                            };
                        s.copies.push(CopyIn {
                            from: from.clone(),
                            src: src_path,
                            dest,
                            dest_is_dir,
                            span: c.span,
                            src_span: src.span,
                        });
                    }
                }
                Instr::Run(run) => {
                    if run.foreign_heredoc {
                        s.opaque.push(format!("a RUN heredoc that is not shell (line offset {})", run.span.start));
                    }
                    let mut cwd = s.workdir.clone();
                    for cmd in &run.commands {
                        let (at, _) = unwrap_command(&cmd.words);
                        let Some(name) = cmd.words.get(at).map(|w| w.text.as_str()) else {
                            continue;
                        };
                        match name {
                            "cd" => {
                                if let Some(d) = cmd.words.get(at + 1) {
                                    if d.text.contains('$') {
                                        s.opaque.push(format!("`cd {}` uses a variable", d.text));
                                    }
                                    cwd = abs(&cwd, &d.text);
                                }
                            }
                            "go" => match go_outputs(cmd, at, &cwd) {
                                Some(outs) => {
                                    for (output, pkg) in outs {
                                        let pkg_abs = abs(&cwd, &pkg);
                                        let context_dir = context_dir_of(&s, &stages, &pkg_abs)
                                            .and_then(|rel| join_rel(context, &rel));
                                        s.builds.push(BuildOut { output, package: pkg, context_dir, span: cmd.span });
                                    }
                                }
                                None => s.opaque.push(format!(
                                    "a `go` command deploylint cannot follow: `{}`",
                                    cmd.argv().collect::<Vec<_>>().join(" ")
                                )),
                            },
                            n if HARMLESS.contains(&n) => {}
                            n => s.opaque.push(format!("RUN `{n}` has effects deploylint cannot follow")),
                        }
                    }
                }
            }
        }
        let runner = s.entrypoint.as_ref().or(s.cmd.as_ref());
        s.runs = runner.and_then(|r| exec_path(r, &s.workdir));
        stages.push(s);
    }
    Image { file, path: path.to_string(), context: context.to_string(), stages }
}

/// Where the context directory copied into a stage chain lands: the context-relative path of
/// an absolute path in the stage, when a COPY from the context covers it.
fn context_dir_of(stage: &StageModel, earlier: &[StageModel], path: &str) -> Option<String> {
    let mut best: Option<(usize, String)> = None;
    let mut consider = |s: &StageModel| {
        for c in s.copies.iter().filter(|c| c.from == CopyFrom::Context && c.dest_is_dir) {
            if is_under(path, &c.dest) {
                let rest = path.strip_prefix(c.dest.trim_end_matches('/')).unwrap_or("").trim_start_matches('/');
                let rel = join_rel(&c.src, rest).unwrap_or_default();
                if best.as_ref().is_none_or(|(l, _)| c.dest.len() > *l) {
                    best = Some((c.dest.len(), rel));
                }
            }
        }
    };
    consider(stage);
    let mut base = stage.base.clone();
    let mut guard = 0;
    while let Base::Stage(i) = base {
        let Some(s) = earlier.get(i) else { break };
        consider(s);
        base = s.base.clone();
        guard += 1;
        if guard > 64 {
            break;
        }
    }
    best.map(|(_, r)| r)
}

/// Whether the stage chain at `i` certainly writes a file at `path` (a build output or a file copy).
fn produces_file(stages: &[StageModel], i: usize, path: &str) -> bool {
    let mut cur = Some(i);
    let mut guard = 0;
    while let Some(idx) = cur {
        let Some(s) = stages.get(idx) else {
            return false;
        };
        if s.builds.iter().any(|b| b.output == path) || s.copies.iter().any(|c| !c.dest_is_dir && c.dest == path) {
            return true;
        }
        cur = match s.base {
            Base::Stage(j) => Some(j),
            _ => None,
        };
        guard += 1;
        if guard > 64 {
            return false;
        }
    }
    false
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
    /// The stage that ships: the named target, else the last stage.
    pub fn shipped(&self, target: Option<&str>) -> Option<&StageModel> {
        match target {
            Some(t) => self.stages.iter().find(|s| s.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(t))),
            None => self.stages.last(),
        }
    }

    /// The stages of the chain that ends in `index` (the stage itself first).
    pub fn chain(&self, index: usize) -> Vec<&StageModel> {
        let mut out = Vec::new();
        let mut cur = Some(index);
        while let Some(i) = cur {
            let Some(s) = self.stages.get(i) else { break };
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
        }
        let under_copied_dir = chain.iter().any(|s| s.copies.iter().any(|c| c.dest_is_dir && is_under(path, &c.dest)));
        if under_copied_dir || chain.iter().any(|s| !s.opaque.is_empty()) {
            return Holds::Unknown;
        }
        let root_base = chain.last().map(|s| &s.base);
        let base_is_empty = match root_base {
            Some(Base::Scratch) => true,
            Some(Base::Image(i)) => i.contains("distroless"),
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
                || s.builds.iter().any(|b| parent_dir(&b.output) == parent && !SYSTEM_DIRS.contains(&parent.as_str()))
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
                return b.context_dir.clone();
            }
            for c in &s.copies {
                let CopyFrom::Stage(j) = c.from else { continue };
                if c.dest == path {
                    return self.package_at_depth(j, &c.src, depth + 1);
                }
                if c.dest_is_dir && is_under(path, &c.dest) {
                    let rest = path.strip_prefix(c.dest.trim_end_matches('/')).unwrap_or("");
                    return self.package_at_depth(j, &format!("{}{rest}", c.src.trim_end_matches('/')), depth + 1);
                }
            }
        }
        None
    }

    /// Resolves a path written in a command run in stage `index` (absolute, or `./x` from the
    /// stage's WORKDIR). Bare names are looked up in `$PATH`: never resolved.
    pub fn resolve_exec(&self, index: usize, written: &str) -> Option<String> {
        let s = self.stages.get(index)?;
        if written.starts_with('/') {
            Some(abs("/", written))
        } else if written.starts_with("./") {
            Some(abs(&s.workdir, written))
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(text: &str) -> Image {
        let df = dockerfile::parse(FileId(0), text).unwrap_or_default();
        build(FileId(0), "Dockerfile", "", &df)
    }

    #[test]
    fn follows_builds_and_copies() {
        let img = image(
            "FROM golang:1.22 AS builder\nWORKDIR /app\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN CGO_ENABLED=0 go build -o /app/bin/server ./cmd/server && go build -o bin/ ./cmd/migrate/main.go\nFROM alpine:3.19\nRUN apk add --no-cache ca-certificates\nWORKDIR /app\nCOPY --from=builder /app/bin/server ./server\nCMD [\"./server\"]\n",
        );
        let b = &img.stages[0].builds;
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].output, "/app/bin/server");
        assert_eq!(b[0].context_dir.as_deref(), Some("cmd/server"));
        assert_eq!(b[1].output, "/app/bin/migrate");
        let last = &img.stages[1];
        assert_eq!(last.runs.as_deref(), Some("/app/server"));
        assert!(matches!(img.holds(1, "/app/server"), Holds::Yes(_)));
        assert_eq!(img.holds(1, "/app/batch"), Holds::No);
        assert_eq!(img.holds(1, "/usr/bin/env"), Holds::Unknown);
        assert_eq!(img.package_at(1, "/app/server").as_deref(), Some("cmd/server"));
    }

    #[test]
    fn an_unknown_run_makes_the_stage_opaque() {
        let img = image("FROM alpine\nWORKDIR /app\nRUN ./fetch-binaries.sh\n");
        assert_eq!(img.holds(0, "/app/batch"), Holds::Unknown);
        assert!(!img.stages[0].opaque.is_empty());
    }
}
