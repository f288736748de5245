//! Build contexts: where each Dockerfile is built from. Taken from the builds found (compose
//! `build:`, `docker build` and kaniko in scripts, Makefiles and CI steps, GitHub's
//! `docker/build-push-action`, `docker buildx bake` targets); else inferred as the nearest directory, from the Dockerfile's
//! up to the root, from which its `COPY` sources and build targets exist; else unknown, and the
//! checks that need it stay silent for that Dockerfile.

use super::Image;
use crate::discover::Tree;
use crate::model::builds::HostCommand;
use crate::model::commands::{self, DockerBuild, Kind};
use crate::parse::bake::BakeTarget;
use crate::parse::ci::ActionBuild;
use crate::parse::dockerfile::{Dockerfile, Instr};
use crate::parse::shell::Word;
use crate::source::{FileId, Sources, Span, Spanned, file_name, join_rel, parent_dir};
use serde::Serialize;
use std::collections::BTreeSet;

/// Where an image model's build context comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextFrom {
    /// A compose service's `build:`.
    Compose,
    /// `docker build` in a script, Makefile or CI step.
    Command,
    /// `docker build` in a runbook's or README's code block: documentation, which the other
    /// builds of the same Dockerfile outrank.
    Doc,
    /// A CI action's `context:`.
    Workflow,
    /// A `docker buildx bake` target.
    Bake,
    /// The nearest directory from which the Dockerfile's sources exist.
    Inferred,
    /// The Dockerfile is at the root, the only place it can be built from.
    Root,
    /// Nothing tells.
    Unknown,
}

/// A build of a Dockerfile found outside compose.
#[derive(Clone, Debug)]
pub struct ImageBuild {
    pub dockerfile: String,
    pub context: String,
    pub target: Option<Spanned<String>>,
    pub from: ContextFrom,
    pub span: Span,
}

/// kaniko's `executor --context DIR --dockerfile FILE [--target T]` (GitLab CI), with the
/// project directory variables read as the root.
fn kaniko(words: &[Word]) -> Option<DockerBuild> {
    if words.first().is_none_or(|w| file_name(&w.text) != "executor") {
        return None;
    }
    let root = |v: &str| {
        let v = v.replace("${CI_PROJECT_DIR}", ".").replace("$CI_PROJECT_DIR", ".");
        v.strip_prefix("dir://").map(str::to_string).unwrap_or(v)
    };
    let mut b = DockerBuild { file: None, context: None, target: None };
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let (flag, inline) = match w.text.split_once('=') {
            Some((f, v)) => (f, Some(Spanned::new(v.to_string(), w.span))),
            None => (w.text.as_str(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| {
                i += 1;
                words.get(i).map(|v| Spanned::new(v.text.clone(), v.span))
            })
        };
        match flag {
            "--context" | "-c" => b.context = value().map(|v| root(&v.value)),
            "--dockerfile" | "-f" => b.file = value().map(|v| root(&v.value)),
            "--target" => b.target = value(),
            _ => {}
        }
        i += 1;
    }
    // `--dockerfile` is relative to the context.
    b.file = match (&b.context, b.file.take()) {
        (Some(c), Some(f)) if !f.starts_with("./") && !f.starts_with('/') => join_rel(c, &f),
        (_, f) => f,
    };
    b.context.is_some().then_some(b)
}

/// The `docker build` (or kaniko build) of a host command, resolved from each directory it may
/// run in: kept when the Dockerfile it names exists.
fn command_builds(c: &HostCommand, dockerfiles: &BTreeSet<String>, out: &mut Vec<ImageBuild>) {
    let b = match commands::classify(c.words()) {
        Kind::DockerBuild(b) => b,
        _ => match kaniko(c.words()) {
            Some(b) => b,
            None => return,
        },
    };
    let Some(ctx) = b.context.as_deref() else { return };
    let remote = ctx.contains("://") || ctx.starts_with("git@") || ctx == "-";
    if remote || ctx.contains('$') || b.file.as_deref().is_some_and(|f| f.contains('$') || f == "-") {
        return;
    }
    let doc_or_command = if c.origin == commands::Origin::Runbook { ContextFrom::Doc } else { ContextFrom::Command };
    for cwd in &c.cwds {
        let Some(context) = join_rel(cwd, ctx) else { continue };
        let dockerfile = match &b.file {
            // `-f` is relative to where the command runs, not to the context.
            Some(f) if !f.starts_with('/') => join_rel(cwd, f),
            Some(_) => None,
            None => join_rel(&context, "Dockerfile"),
        };
        let Some(dockerfile) = dockerfile.filter(|d| dockerfiles.contains(d)) else { continue };
        let build =
            ImageBuild { dockerfile, context, target: b.target.clone(), from: doc_or_command, span: c.cmd.span };
        if !out
            .iter()
            .any(|o| o.dockerfile == build.dockerfile && o.context == build.context && o.target == build.target)
        {
            out.push(build);
        }
    }
}

/// Every build of a Dockerfile outside compose.
pub fn image_builds(cmds: &[HostCommand], actions: &[ActionBuild], dockerfiles: &BTreeSet<String>) -> Vec<ImageBuild> {
    let mut out = Vec::new();
    for c in cmds {
        command_builds(c, dockerfiles, &mut out);
    }
    for a in actions {
        let Some(context) = join_rel("", a.context.as_deref().unwrap_or(".")) else { continue };
        let dockerfile = match &a.file {
            Some(f) => join_rel("", f),
            None => join_rel(&context, "Dockerfile"),
        };
        let Some(dockerfile) = dockerfile.filter(|d| dockerfiles.contains(d)) else { continue };
        out.push(ImageBuild {
            dockerfile,
            context,
            target: a.target.clone(),
            from: ContextFrom::Workflow,
            span: a.span,
        });
    }
    out
}

/// The builds of bake targets: `context` from the root or the bake file's directory (where
/// `docker buildx bake` may run), `dockerfile` relative to it; kept when the Dockerfile exists.
pub fn bake_builds(
    sources: &Sources,
    targets: &[(FileId, BakeTarget)],
    dockerfiles: &BTreeSet<String>,
) -> Vec<ImageBuild> {
    let mut out: Vec<ImageBuild> = Vec::new();
    for (file, t) in targets.iter().filter(|(_, t)| !t.unresolved) {
        let dir = parent_dir(sources.path(*file));
        for cwd in ["", dir] {
            let Some(context) = join_rel(cwd, t.context.as_deref().unwrap_or(".")) else { continue };
            let dockerfile = join_rel(&context, t.dockerfile.as_deref().unwrap_or("Dockerfile"));
            let Some(dockerfile) = dockerfile.filter(|d| dockerfiles.contains(d)) else { continue };
            let build =
                ImageBuild { dockerfile, context, target: t.target.clone(), from: ContextFrom::Bake, span: t.span };
            if !out
                .iter()
                .any(|o| o.dockerfile == build.dockerfile && o.context == build.context && o.target == build.target)
            {
                out.push(build);
            }
        }
    }
    out
}

/// The directories a Dockerfile at `path` may be built from, nearest first.
pub fn candidates(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = parent_dir(path);
    loop {
        out.push(d.to_string());
        if d.is_empty() {
            break;
        }
        d = parent_dir(d);
    }
    out
}

/// The explicit sources of the Dockerfile's copies from the context (no `.`, glob or variable).
fn explicit_sources(df: &Dockerfile) -> Vec<String> {
    let mut out = Vec::new();
    for st in &df.stages {
        for ins in &st.instrs {
            let Instr::Copy(c) = ins else { continue };
            if c.from.is_some() {
                continue;
            }
            for s in &c.sources {
                let v = s.value.trim_start_matches("./").trim_end_matches('/');
                if v.is_empty()
                    || v == "."
                    || v.contains(['$', '*', '?', '['])
                    || v.contains("://")
                    || v.starts_with('/')
                {
                    continue;
                }
                out.push(v.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// How well the context `candidate` explains the Dockerfile: sources found there count for it,
/// sources found from another candidate but not from this one count against it, and so do the
/// build targets of its image model that are not there.
pub fn score(tree: &Tree, df: &Dockerfile, all: &[String], candidate: &str, image: &Image) -> i64 {
    let mut score = 0i64;
    for src in explicit_sources(df) {
        let here = join_rel(candidate, &src).and_then(|p| tree.exists(&p));
        match here {
            Some(true) => score += 1,
            Some(false) => {
                // A source that exists from no candidate is a build output (`COPY bin/app`).
                let elsewhere = all.iter().any(|c| join_rel(c, &src).and_then(|p| tree.exists(&p)) == Some(true));
                if elsewhere {
                    score -= 1;
                }
            }
            None => {}
        }
    }
    for s in &image.stages {
        score += s.builds.iter().filter(|b| b.repo_dir.is_some()).count() as i64;
        score -= s.missing_targets.len() as i64;
    }
    score
}
