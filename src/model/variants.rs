//! The image models of the repository: one per Dockerfile and way it is built. Compose
//! `build:` and the builds found in commands, CI and bake files give the contexts (compose also
//! the build args); a Dockerfile nothing builds gets its context inferred, or none. Then the
//! stages each image ships.

use super::images::context::{self as build_context, ContextFrom};
use super::images::{self, Image};
use super::{BuildVariant, Model};
use crate::parse::{self, compose, dockerignore};
use crate::source::{FileId, join_rel, parent_dir};
use std::collections::BTreeMap;

/// The compose `build.args` that have a value.
pub(super) fn build_args(b: &compose::Build) -> BTreeMap<String, String> {
    b.args.iter().filter_map(|(k, v)| Some((k.clone(), v.clone()?))).collect()
}

impl Model {
    /// The image models: one per Dockerfile and build variant. Compose `build:` and the builds
    /// found in commands and CI give the contexts (and compose the build args); a Dockerfile
    /// nothing builds gets its context inferred, or none.
    pub(super) fn build_images(
        &mut self,
        composes: &[(FileId, compose::Compose)],
        dockerfiles: &[(FileId, parse::dockerfile::Dockerfile)],
    ) {
        let mut variants: BTreeMap<String, Vec<BuildVariant>> = BTreeMap::new();
        let mut add = |df: String, v: BuildVariant| {
            let list = variants.entry(df).or_default();
            // The same context and args from several places is one model.
            if !list.iter().any(|(c, _, a)| *c == v.0 && *a == v.2) {
                list.push(v);
            }
        };
        for (cid, c) in composes {
            let dir = parent_dir(self.sources.path(*cid)).to_string();
            for s in &c.services {
                if let Some(b) = &s.build {
                    let ctx = join_rel(&dir, &b.context.value).unwrap_or_default();
                    let df = join_rel(&ctx, b.dockerfile.as_ref().map_or("Dockerfile", |d| d.value.as_str()))
                        .unwrap_or_default();
                    add(df, (Some(ctx), ContextFrom::Compose, build_args(b)));
                }
            }
        }
        for b in &self.image_builds {
            add(b.dockerfile.clone(), (Some(b.context.clone()), b.from, BTreeMap::new()));
        }
        // A build written in documentation counts only when nothing else builds the Dockerfile:
        // a stale README command must not outvote compose or CI.
        for list in variants.values_mut() {
            if list.iter().any(|(_, from, _)| *from != ContextFrom::Doc) {
                list.retain(|(_, from, _)| *from != ContextFrom::Doc);
            }
        }
        for (id, df) in dockerfiles {
            let path = self.sources.path(*id).to_string();
            match variants.get(&path) {
                Some(list) => {
                    for (ctx, from, args) in list.clone() {
                        let image = self.image_model(*id, &path, df, (ctx.as_deref(), from), &args);
                        self.images.push(image);
                    }
                }
                None => {
                    let image = self.inferred_image(*id, &path, df);
                    self.images.push(image);
                }
            }
        }
    }

    /// The image model of a Dockerfile nothing builds: at the root, the root is its context;
    /// else the candidate directory that explains its sources best (the nearest of equals), or
    /// no context when none explains anything.
    fn inferred_image(&self, id: FileId, path: &str, df: &parse::dockerfile::Dockerfile) -> Image {
        let none = BTreeMap::new();
        let candidates = build_context::candidates(path);
        if candidates.len() == 1 {
            return self.image_model(id, path, df, (Some(""), ContextFrom::Root), &none);
        }
        let mut best: Option<(i64, Image)> = None;
        for c in &candidates {
            let image = self.image_model(id, path, df, (Some(c), ContextFrom::Inferred), &none);
            let score = build_context::score(&self.tree, df, &candidates, c, &image);
            if score > 0 && best.as_ref().is_none_or(|(b, _)| score > *b) {
                best = Some((score, image));
            }
        }
        match best {
            Some((_, image)) => image,
            None => self.image_model(id, path, df, (None, ContextFrom::Unknown), &none),
        }
    }

    fn image_model(
        &self,
        id: FileId,
        path: &str,
        df: &parse::dockerfile::Dockerfile,
        context: (Option<&str>, ContextFrom),
        args: &BTreeMap<String, String>,
    ) -> Image {
        // `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's.
        let mut ignore_files = vec![format!("{path}.dockerignore")];
        ignore_files.extend(context.0.and_then(|c| join_rel(c, ".dockerignore")));
        let dockerignore = ignore_files
            .iter()
            .find_map(|p| self.sources.find(p))
            .map(|id| dockerignore::parse(self.sources.text(id)))
            .unwrap_or_default();
        let repo = images::Repo {
            go: &self.code.go,
            makefiles: &self.makefiles,
            rust: &self.code.rust.packages,
            dockerignore: &dockerignore,
        };
        images::build(id, path, context, df, &repo, args)
    }

    /// The stages each image ships: those compose services and `docker build --target`
    /// commands select, and the last stage when something builds the image without a target
    /// or nothing builds it at all.
    pub(super) fn compute_shipped(&mut self) {
        let mut selected: Vec<(usize, Option<usize>)> = Vec::new();
        for s in &self.services {
            if let (Some((i, st)), Some(b)) = (s.image, s.def.build.as_ref()) {
                selected.push((i, b.target.is_some().then_some(st)));
            }
        }
        for b in &self.image_builds {
            let same = |img: &&Image| img.path == b.dockerfile;
            let Some(i) = self
                .images
                .iter()
                .position(|img| same(&img) && img.context.as_deref() == Some(b.context.as_str()))
                .or_else(|| self.images.iter().position(|img| same(&img)))
            else {
                continue;
            };
            let target = b.target.as_ref().map(|t| t.value.as_str());
            let stage = target.and_then(|t| self.images.get(i).and_then(|img| img.shipped(Some(t))).map(|s| s.index));
            if target.is_some() && stage.is_none() {
                continue;
            }
            selected.push((i, stage));
        }
        for (i, image) in self.images.iter_mut().enumerate() {
            let mut shipped: Vec<usize> = Vec::new();
            let mut last = false;
            for (_, st) in selected.iter().filter(|(j, _)| *j == i) {
                match st {
                    Some(st) => shipped.push(*st),
                    None => last = true,
                }
            }
            if last || shipped.is_empty() {
                shipped.extend(image.stages.last().map(|s| s.index));
            }
            shipped.sort();
            shipped.dedup();
            image.shipped = shipped;
        }
    }
}
