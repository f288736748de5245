//! The program a container runs, answered once with Docker's rules: compose `entrypoint`
//! overrides the image's ENTRYPOINT and resets its CMD; compose `command` replaces CMD; an
//! ENTRYPOINT set on top of a base stage's CMD resets that CMD; the program is the first word of
//! the entrypoint, else of the command.

use super::code::Program;
use super::images::{Image, abs};
use super::{Model, Service};
use crate::source::{Span, Spanned, file_name};

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
        self.binaries_of(service)
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
