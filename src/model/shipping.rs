//! Which binaries ship, on evidence. A main package is built by a Dockerfile (in a stage, or
//! copied in prebuilt under a name the repository's builds give it), built some other way
//! (Makefile, scripts, CI, goreleaser, ko, promu), or neither. Neither is a finding only with
//! evidence that it should ship:
//!
//! - it runs: a deploy artifact (compose `command`/`entrypoint`, `docker exec`, compose
//!   `exec`/`run` in a script, runbook or crontab) runs it by a path its image certainly lacks;
//! - it is the odd one out: it has siblings (the same directory of one Go module, or one Cargo
//!   workspace), every one of them is shipped by a Dockerfile, nothing builds it by name, and no
//!   stage that holds its sources does something deploylint cannot follow.
//!
//! Main packages under development paths (`tools/`, `hack/`, `test/`, `examples/`, `vendor/`,
//! …) are never the odd one out, and are no one's siblings.

use super::Model;
use super::builds::name_matches;
use super::code::{Lang, Program};
use super::images::{Base, BuildOut, CopyFrom, CopyIn, Holds, Image, StageModel, context};
use crate::source::{Kind, Span, Spanned, file_name, join_rel, parent_dir};
use std::collections::BTreeMap;

/// Path components of main packages that are development tools, not services.
pub const DEV_DIRS: &[&str] = &[
    "vendor",
    "third_party",
    "tools",
    "tool",
    "hack",
    "test",
    "tests",
    "testdata",
    "testing",
    "e2e",
    "example",
    "examples",
    "_example",
    "_examples",
    "xtask",
    "bench",
    "benchmarks",
    "fuzz",
    "scripts",
    "docs",
];

/// Whether a binary lies under a development path (relative to its module or workspace).
pub fn is_dev_path(b: &Program) -> bool {
    let module = b.module_dir.as_deref().unwrap_or("");
    let rel = if module.is_empty() { b.dir.as_str() } else { b.dir.strip_prefix(module).unwrap_or(&b.dir) };
    rel.split('/').any(|c| DEV_DIRS.contains(&c))
}

/// A program an image runs: its entrypoint (compose `entrypoint`, else ENTRYPOINT, else compose
/// `command`, else CMD) or a path executed in it.
#[derive(Clone, Debug)]
pub struct ImageRun {
    pub image: usize,
    pub stage: usize,
    /// Index into `Model::services`.
    pub service: Option<usize>,
    pub program: Spanned<String>,
    /// Executed by a command (`docker exec`, compose `exec`/`run`), not the image's entrypoint.
    pub executed: bool,
    /// The container looks the program up on its `PATH` as the image sets it: an execution
    /// that neither goes through an entrypoint nor may change `PATH`.
    pub path_lookup: bool,
}

/// Where a Dockerfile ships a binary.
#[derive(Clone, Copy, Debug)]
pub enum Place {
    /// Built in a stage: (image, stage, build).
    Built(usize, usize, usize),
    /// Copied in prebuilt from the context: (image, stage, copy).
    Prebuilt(usize, usize, usize),
}

/// Why a binary no Dockerfile ships should ship.
#[derive(Clone, Debug, Default)]
pub struct Evidence {
    /// Runs that need it, in images that lack it.
    pub runs: Vec<ImageRun>,
    /// Where its siblings are shipped, when they all are.
    pub siblings: Vec<Place>,
}

#[derive(Clone, Debug, Default)]
pub struct Shipping {
    /// Per binary (`Model::code.binaries`): where a Dockerfile ships it.
    pub places: Vec<Option<Place>>,
    /// Per binary: a build outside Docker names it.
    pub built_elsewhere: Vec<bool>,
    /// The binaries no Dockerfile ships although the evidence says they should, with it.
    pub unshipped: Vec<(usize, Evidence)>,
}

fn covers(src: &str, dir: &str) -> bool {
    src.is_empty() || dir == src || dir.starts_with(&format!("{src}/"))
}

/// Base images of toolchains that build no Go or Rust binary.
const FOREIGN_BASES: &[&str] = &[
    "node",
    "python",
    "ruby",
    "php",
    "nginx",
    "httpd",
    "openjdk",
    "eclipse-temurin",
    "maven",
    "gradle",
    "amazoncorretto",
    "dotnet",
    "elixir",
    "erlang",
    "perl",
    "swift",
    "postgres",
    "mysql",
    "mariadb",
    "redis",
    "caddy",
    "traefik",
    "haproxy",
    "bun",
    "deno",
];

fn builds_lang(base: &Base, lang: Lang) -> bool {
    let Base::Image(name) = base else { return true };
    let image = file_name(name.split(['@', ':']).next().unwrap_or(name)).to_ascii_lowercase();
    let other = match lang {
        Lang::Go => "rust",
        Lang::Rust | Lang::Python | Lang::Node => "golang",
    };
    !(FOREIGN_BASES.iter().any(|f| image.starts_with(f)) || image.starts_with(other))
}

impl Image {
    /// Whether stage `index` cannot be followed and may hold the sources of the binary in
    /// `dir`: it (or its chain) is opaque, copies or mounts a context directory over `dir`
    /// (from any place it may be built from, when the context is unknown), and its base is no
    /// other language's toolchain.
    fn may_build_unseen(&self, index: usize, b: &Program) -> bool {
        let chain = self.chain(index);
        if !chain.iter().any(|s| !s.opaque.is_empty()) {
            return false;
        }
        if chain.last().is_some_and(|root| !builds_lang(&root.base, b.lang)) {
            return false;
        }
        let contexts: Vec<String> = match &self.context {
            Some(c) => vec![c.clone()],
            None => context::candidates(&self.path),
        };
        let sources = chain.iter().flat_map(|s| {
            let copies =
                s.copies.iter().filter(|c| c.from == CopyFrom::Context && c.dest_is_dir).map(|c| {
                    if c.src.contains(['*', '?', '[']) { parent_dir(&c.src).to_string() } else { c.src.clone() }
                });
            copies.chain(s.context_mounts.iter().cloned()).collect::<Vec<_>>()
        });
        sources.into_iter().any(|src| contexts.iter().any(|c| join_rel(c, &src).is_some_and(|p| covers(&p, &b.dir))))
    }
}

/// Whether a build makes the binary in `dir` (by its resolved package directory, else by the
/// package path as written).
pub fn builds_dir(b: &BuildOut, image_context: Option<&str>, dir: &str) -> bool {
    match &b.repo_dir {
        Some(c) => c == dir,
        None => {
            let written = b.package.trim_start_matches("./").trim_end_matches('/');
            let written = if written.ends_with(".go") { parent_dir(written) } else { written };
            let full = image_context.and_then(|c| join_rel(c, written)).unwrap_or_default();
            !written.is_empty() && written != "." && (full == dir || dir.ends_with(&format!("/{written}")))
        }
    }
}

/// Siblings: binaries of the same Go module in the same directory (`cmd/*`), or of the same
/// Cargo workspace.
pub fn siblings(a: &Program, b: &Program) -> bool {
    a.dir != b.dir
        && a.module_dir == b.module_dir
        && a.lang == b.lang
        && (a.lang == Lang::Rust || parent_dir(&a.dir) == parent_dir(&b.dir))
}

impl Model {
    /// Every program the images run: the entrypoint of each shipped image (per service that
    /// uses it, else once), and each path executed in a service's container.
    pub fn image_runs(&self) -> Vec<ImageRun> {
        let mut out = Vec::new();
        for (ii, image) in self.images.iter().enumerate() {
            let mut users: Vec<(usize, Option<usize>)> = self
                .services
                .iter()
                .enumerate()
                .filter_map(|(si, s)| s.image.filter(|(i, _)| *i == ii).map(|(_, st)| (st, Some(si))))
                .collect();
            if users.is_empty() {
                users.extend(image.shipped.iter().map(|s| (*s, None)));
            }
            for (stage, service) in users {
                // The one answer to "what does this container run" (compose entrypoint and
                // command over the image's ENTRYPOINT and CMD, by Docker's rules).
                let program = match service.and_then(|s| self.services.get(s)) {
                    Some(svc) => self.entry_program(svc),
                    None => self.image_program(ii, stage),
                };
                if let Some(p) = program {
                    out.push(ImageRun {
                        image: ii,
                        stage,
                        service,
                        program: p.word.clone(),
                        executed: false,
                        path_lookup: false,
                    });
                }
            }
        }
        for e in &self.execs {
            let Some(si) = e.service else { continue };
            let Some(svc) = self.services.get(si) else { continue };
            let Some((image, stage)) = svc.image else { continue };
            let has_entrypoint = svc.def.entrypoint.is_some()
                || self.images.get(image).is_some_and(|i| i.chain(stage).iter().any(|s| s.entrypoint.is_some()));
            let env = self.env_of(svc);
            let path_set = !env.known
                || env.values.contains_key("PATH")
                || env.definitions.iter().any(|d| d.def.environment.iter().any(|k| k.key.value == "PATH"));
            // A path bound from the host may hold any program.
            let bound = env.definitions.iter().any(|d| !d.def.binds.is_empty());
            let path_lookup = !(e.exec.sets_path || path_set || bound || e.exec.via_entrypoint && has_entrypoint);
            out.push(ImageRun {
                image,
                stage,
                service: Some(si),
                program: e.exec.program.clone(),
                executed: true,
                path_lookup,
            });
        }
        out
    }

    /// The path a run names in its image, when the image certainly lacks it.
    pub fn missing_path(&self, run: &ImageRun) -> Option<String> {
        let image = self.images.get(run.image)?;
        let path = image.resolve_exec(run.stage, &run.program.value)?;
        (image.holds(run.stage, &path) == Holds::No).then_some(path)
    }

    /// The program name a run looks up on `PATH` (`docker exec app remap`), when its image
    /// certainly has no program of that name there (see `Image::lacks_command`), with the
    /// files of that name the image holds off `PATH`.
    pub fn missing_command(&self, run: &ImageRun) -> Option<Vec<String>> {
        let name = run.program.value.as_str();
        if !run.path_lookup || name.contains('/') {
            return None;
        }
        self.images.get(run.image)?.lacks_command(run.stage, name)
    }

    /// The names the repository's builds give the binary in `dir`: its own, and the outputs of
    /// the builds outside Docker that name it (`-o bin/api-server`, goreleaser `binary:`).
    pub fn names_of<'a>(&'a self, b: &'a Program) -> Vec<&'a str> {
        let mut out = vec![b.name.as_str()];
        for h in self.host_builds.iter().filter(|h| h.dirs.contains(&b.dir)) {
            out.extend(h.output.as_deref());
        }
        out
    }
}

impl Model {
    /// Whether a `binaries.ignore` entry names binary `bin` (`Model::code.binaries`), by the rules
    /// the model applies when it reads the config.
    pub fn ignore_names(&self, pattern: &str, bin: usize) -> bool {
        let Some(b) = self.code.binaries.get(bin) else { return false };
        match b.lang {
            Lang::Go => super::code::go::ignore_names(pattern, &b.dir, b.module_dir.as_deref()),
            Lang::Rust => self
                .code
                .rust
                .packages
                .iter()
                .filter(|p| p.bins.iter().any(|r| r.src == b.dir))
                .any(|p| super::code::rust::ignore_names(pattern, &b.dir, &p.dir, &b.name)),
            // Entries are found from what services run; `binaries.ignore` never names them.
            Lang::Python | Lang::Node => false,
        }
    }

    /// The programs the images run or execute that name binary `bin`, whether the image holds
    /// it or not.
    pub fn runs_naming(&self, bin: usize) -> Vec<ImageRun> {
        self.image_runs()
            .into_iter()
            .filter(|r| {
                let Some(image) = self.images.get(r.image) else { return false };
                let path = image.resolve_exec(r.stage, &r.program.value).unwrap_or_else(|| r.program.value.clone());
                binary_named(self, image, file_name(&path)) == Some(bin)
            })
            .collect()
    }
}

/// Where Dockerfiles build binaries and copy prebuilt ones in, indexed once.
struct Index<'a> {
    /// Builds by the repo directory of their package (the first one in file order).
    by_dir: BTreeMap<&'a str, Place>,
    /// Builds whose package could not be placed in the repository.
    unplaced: Vec<(Place, &'a BuildOut, Option<&'a str>)>,
    /// Copies from the build context.
    /// With the source's repository path where the image's context is known.
    context_copies: Vec<(Place, &'a CopyIn, &'a Image, Option<String>)>,
}

impl<'a> Index<'a> {
    fn new(images: &'a [Image]) -> Index<'a> {
        let mut ix = Index { by_dir: BTreeMap::new(), unplaced: Vec::new(), context_copies: Vec::new() };
        for (ii, img) in images.iter().enumerate() {
            for (si, s) in img.stages.iter().enumerate() {
                for (bi, b) in s.builds.iter().enumerate() {
                    let place = Place::Built(ii, si, bi);
                    match b.repo_dir.as_deref() {
                        Some(d) => {
                            ix.by_dir.entry(d).or_insert(place);
                        }
                        None => ix.unplaced.push((place, b, img.context.as_deref())),
                    }
                }
                for (ci, c) in s.copies.iter().enumerate().filter(|(_, c)| c.from == CopyFrom::Context) {
                    let source = img.context.as_deref().and_then(|ctx| join_rel(ctx, &c.src));
                    ix.context_copies.push((Place::Prebuilt(ii, si, ci), c, img, source));
                }
            }
        }
        ix
    }

    /// Where a Dockerfile builds `bin`, or copies it in prebuilt under one of `names` (and not
    /// from its source directory).
    fn place_of(&self, bin: &Program, names: &[&str]) -> Option<Place> {
        if let Some(p) = self.by_dir.get(bin.dir.as_str()) {
            return Some(*p);
        }
        if let Some((p, _, _)) = self.unplaced.iter().find(|(_, b, ctx)| builds_dir(b, *ctx, &bin.dir)) {
            return Some(*p);
        }
        self.context_copies
            .iter()
            .find(|(_, c, img, source)| {
                let src_name = file_name(&c.src);
                let is_source_dir = match &img.context {
                    Some(_) => source.as_deref() == Some(bin.dir.as_str()),
                    None => {
                        bin.dir == c.src || bin.dir.strip_suffix(c.src.as_str()).is_some_and(|rest| rest.ends_with('/'))
                    }
                };
                // `api-linux-$TARGETARCH` for `api`: the name with an unknown suffix.
                let suffixed = |n: &str| {
                    src_name.strip_prefix(n).is_some_and(|r| r.starts_with(['-', '_', '.']) && r.contains('$'))
                };
                !is_source_dir
                    && names.iter().any(|n| name_matches(src_name, n) || name_matches(n, src_name) || suffixed(n))
            })
            .map(|(p, _, _, _)| *p)
    }
}

/// The binary a run names, when exactly one of the repository's binaries is called so (by
/// its name or the names its builds give it), preferring those in the image's context.
fn binary_named(m: &Model, image: &Image, name: &str) -> Option<usize> {
    let named: Vec<usize> = m
        .code
        .binaries
        .iter()
        .enumerate()
        .filter(|(_, b)| m.names_of(b).iter().any(|n| *n == name || name_matches(n, name)))
        .map(|(i, _)| i)
        .collect();
    if named.len() == 1 {
        return named.first().copied();
    }
    let ctx = image.context.as_deref()?;
    let inside: Vec<usize> = named
        .into_iter()
        .filter(|i| m.code.binaries.get(*i).is_some_and(|b| ctx.is_empty() || b.dir.starts_with(&format!("{ctx}/"))))
        .collect();
    (inside.len() == 1).then(|| inside.first().copied()).flatten()
}

/// Whether a Dockerfile could not be read or parsed: then any binary may be built by it.
fn unread_dockerfile(m: &Model) -> bool {
    let is_df = |span: &Span| m.sources.get(span.file).is_some_and(|f| f.kind == Kind::Dockerfile);
    m.parse_errors.iter().any(|e| is_df(&e.span)) || m.unfollowed.iter().any(|u| is_df(&u.span))
}

pub fn compute(m: &Model) -> Shipping {
    let ix = Index::new(&m.images);
    let bins = &m.code.binaries;
    let places: Vec<Option<Place>> = bins.iter().map(|b| ix.place_of(b, &m.names_of(b))).collect();
    let built_elsewhere: Vec<bool> =
        bins.iter().map(|b| m.host_builds.iter().any(|h| h.dirs.contains(&b.dir))).collect();
    let mut evidence: BTreeMap<usize, Evidence> = BTreeMap::new();
    // It runs: a run needs it in an image that lacks it.
    for run in m.image_runs() {
        let Some(path) = m.missing_path(&run) else { continue };
        let Some(image) = m.images.get(run.image) else { continue };
        if let Some(i) = binary_named(m, image, file_name(&path)) {
            evidence.entry(i).or_default().runs.push(run);
        }
    }
    // It is the odd one out.
    let unread = unread_dockerfile(m);
    // The stages that cannot be followed, found once: only they may build a binary unseen.
    let opaque: Vec<(&Image, usize)> = m
        .images
        .iter()
        .flat_map(|img| (0..img.stages.len()).map(move |s| (img, s)))
        .filter(|(img, s)| img.chain(*s).iter().any(|st| !st.opaque.is_empty()))
        .collect();
    let candidate: Vec<bool> = bins.iter().map(|b| !b.ignored && !is_dev_path(b)).collect();
    let is_candidate = |i: usize| candidate.get(i).copied().unwrap_or(false);
    for (i, b) in bins.iter().enumerate() {
        let unshipped = places.get(i).is_some_and(Option::is_none);
        if unread || !unshipped || !is_candidate(i) || built_elsewhere.get(i).copied().unwrap_or(true) {
            continue;
        }
        let sibs: Vec<usize> =
            bins.iter().enumerate().filter(|(j, o)| siblings(b, o) && is_candidate(*j)).map(|(j, _)| j).collect();
        let sib_places: Option<Vec<Place>> = sibs.iter().map(|j| places.get(*j).copied().flatten()).collect();
        let Some(sib_places) = sib_places.filter(|p| !p.is_empty()) else { continue };
        let unseen = opaque.iter().any(|(img, s)| img.may_build_unseen(*s, b));
        if !unseen {
            evidence.entry(i).or_default().siblings = sib_places;
        }
    }
    let unshipped = evidence
        .into_iter()
        .filter(|(i, _)| bins.get(*i).is_some_and(|b| !b.ignored) && places.get(*i).is_some_and(Option::is_none))
        .collect();
    Shipping { places, built_elsewhere, unshipped }
}

impl Model {
    /// Whether a binary a stage built because a pattern or a whole workspace matched it should
    /// reach the shipped stage `shipped` of `image`: something runs it there and the image
    /// lacks it, or every other binary of the same build reaches it and nothing else builds it
    /// by name.
    pub fn bulk_build_should_ship(&self, image: usize, shipped: usize, stage: &StageModel, b: &BuildOut) -> bool {
        let Some(img) = self.images.get(image) else { return false };
        let Some(bin) = b.repo_dir.as_deref().and_then(|d| self.code.binary(d)) else { return false };
        let runs = self.image_runs().into_iter().any(|r| {
            r.image == image
                && r.stage == shipped
                && self.missing_path(&r).is_some_and(|p| self.names_of(bin).contains(&file_name(&p)))
        });
        if runs {
            return true;
        }
        let dev = |d: &str| self.code.binary(d).is_none_or(|o| o.ignored || is_dev_path(o));
        if dev(&bin.dir) || self.host_builds.iter().any(|h| h.dirs.contains(&bin.dir)) {
            return false;
        }
        let shipped_packages = img.shipped_packages(shipped);
        let others: Vec<&str> = stage
            .builds
            .iter()
            .filter(|o| o.bulk && o.span == b.span)
            .filter_map(|o| o.repo_dir.as_deref())
            .filter(|d| *d != bin.dir && !dev(d))
            .collect();
        !others.is_empty() && others.iter().all(|d| shipped_packages.iter().any(|s| s == d))
    }
}

#[cfg(test)]
mod tests {
    use crate::discover::{Discovered, Tree, classify};
    use crate::model::Model;
    use crate::model::images::context::ContextFrom;
    use crate::source::{SourceFile, parent_dir};

    /// A model of files held in memory; files that are no artifact only exist in the tree.
    fn model(files: &[(&str, &str)]) -> Model {
        let mut d = Discovered::default();
        let mut tree = Tree::default();
        for (path, text) in files {
            tree.files.insert(path.to_string());
            let mut dir = parent_dir(path);
            while !dir.is_empty() {
                tree.dirs.insert(dir.to_string());
                dir = parent_dir(dir);
            }
            if let Some(kind) = classify(path) {
                d.files.push(SourceFile::new(path.to_string(), kind, text.to_string(), false));
            }
        }
        d.tree = tree;
        Model::build(d, Default::default())
    }

    const MAIN: &str = "package main\n\nfunc main() {}\n";
    const GO_MOD: &str = "module example.com/m\n";

    fn unshipped(m: &Model) -> Vec<&str> {
        m.shipping.unshipped.iter().filter_map(|(i, _)| m.code.binaries.get(*i)).map(|b| b.dir.as_str()).collect()
    }

    fn context_of<'a>(m: &'a Model, path: &str) -> Vec<(Option<&'a str>, ContextFrom)> {
        m.images.iter().filter(|i| i.path == path).map(|i| (i.context.as_deref(), i.context_from)).collect()
    }

    #[test]
    fn contexts_come_from_invocations_then_sources() {
        let df = "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api\n";
        let m = model(&[
            ("go.mod", GO_MOD),
            ("go.sum", ""),
            ("cmd/api/main.go", MAIN),
            ("cmd/api/Dockerfile", df),
            (
                "scripts/image.sh",
                "#!/bin/sh\ncd \"$(dirname \"$0\")/..\"\ndocker build -f cmd/api/Dockerfile -t api .\n",
            ),
            ("docker/api.Dockerfile", "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod go.sum ./\nCOPY cmd/ cmd/\n"),
            ("docker/x/Dockerfile", "FROM alpine\nCOPY . /srv\n"),
            ("web/package.json", "{}"),
            ("web/Dockerfile", "FROM node:20\nCOPY package.json ./\nRUN npm install\n"),
        ]);
        assert_eq!(context_of(&m, "cmd/api/Dockerfile"), [(Some(""), ContextFrom::Command)]);
        assert_eq!(context_of(&m, "docker/api.Dockerfile"), [(Some(""), ContextFrom::Inferred)]);
        assert_eq!(context_of(&m, "docker/x/Dockerfile"), [(None, ContextFrom::Unknown)]);
        assert_eq!(context_of(&m, "web/Dockerfile"), [(Some("web"), ContextFrom::Inferred)]);
    }

    #[test]
    fn contexts_come_from_kaniko_bake_and_actions() {
        let df = "FROM alpine\nCOPY . /srv\n";
        let m = model(&[
            ("svc/a/Dockerfile", df),
            ("svc/b/Dockerfile", df),
            ("svc/c/Dockerfile", df),
            (
                ".gitlab-ci.yml",
                "img:\n  script:\n    - /kaniko/executor --context \"${CI_PROJECT_DIR}\" --dockerfile \"${CI_PROJECT_DIR}/svc/a/Dockerfile\"\n",
            ),
            ("docker-bake.hcl", "target \"b\" {\n  context = \"svc\"\n  dockerfile = \"b/Dockerfile\"\n}\n"),
            (
                ".github/workflows/img.yml",
                "on: push\njobs:\n  c:\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: svc/c\n",
            ),
        ]);
        assert_eq!(context_of(&m, "svc/a/Dockerfile"), [(Some(""), ContextFrom::Command)]);
        assert_eq!(context_of(&m, "svc/b/Dockerfile"), [(Some("svc"), ContextFrom::Bake)]);
        assert_eq!(context_of(&m, "svc/c/Dockerfile"), [(Some("svc/c"), ContextFrom::Workflow)]);
    }

    #[test]
    fn the_odd_one_out_ships_and_tools_do_not() {
        let df = "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api && go build -o /out/worker ./cmd/worker\nFROM alpine\nCOPY --from=b /out/ /app/\n";
        let base = [
            ("go.mod", GO_MOD),
            ("cmd/api/main.go", MAIN),
            ("cmd/worker/main.go", MAIN),
            ("cmd/janitor/main.go", MAIN),
            ("tools/gen/main.go", MAIN),
            ("Dockerfile", df),
        ];
        assert_eq!(unshipped(&model(&base)), ["cmd/janitor"]);
        // Built by name elsewhere: released another way.
        let mut more = base.to_vec();
        more.push(("Makefile", "janitor:\n\tgo build -o bin/janitor ./cmd/janitor\n"));
        assert!(unshipped(&model(&more)).is_empty());
        // Two siblings left out: neither is the odd one out.
        let mut two = base.to_vec();
        two.push(("cmd/loadgen/main.go", MAIN));
        assert!(unshipped(&model(&two)).is_empty());
        // A stage deploylint cannot follow holds the sources: it may build it.
        let opaque = df.replace("RUN go build", "RUN ./build.sh && go build");
        let mut hidden = base.to_vec();
        hidden.retain(|(p, _)| *p != "Dockerfile");
        hidden.push(("Dockerfile", &opaque));
        assert!(unshipped(&model(&hidden)).is_empty());
    }

    #[test]
    fn a_run_in_an_image_that_lacks_it_is_evidence() {
        let df = "FROM golang:1.22 AS b\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/api ./cmd/api\nFROM alpine\nWORKDIR /app\nCOPY --from=b /out/api /app/api\n";
        let m = model(&[
            ("go.mod", GO_MOD),
            ("cmd/api/main.go", MAIN),
            ("cmd/admin/main.go", MAIN),
            ("cmd/seed/main.go", MAIN),
            ("Dockerfile", df),
            ("docker-compose.yml", "services:\n  api:\n    build: .\n"),
            ("scripts/purge.sh", "#!/bin/sh\ndocker compose exec api /app/admin purge\n"),
        ]);
        assert_eq!(unshipped(&m), ["cmd/admin"]);
        let evidence = m.shipping.unshipped.first().map(|(_, e)| e.runs.len());
        assert_eq!(evidence, Some(1));
    }

    #[test]
    fn prebuilt_copies_match_the_names_builds_give() {
        let m = model(&[
            ("go.mod", GO_MOD),
            ("cmd/shopd/main.go", MAIN),
            ("cmd/worker/main.go", MAIN),
            (".goreleaser.yaml", "builds:\n  - main: ./cmd/shopd\n    binary: shop-server\n"),
            ("Dockerfile", "FROM alpine\nCOPY shop-server /usr/bin/\n"),
            ("worker.Dockerfile", "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o /w ./cmd/worker\n"),
        ]);
        let shopd = m.code.binaries.iter().position(|b| b.name == "shopd");
        assert!(shopd.and_then(|i| m.shipping.places.get(i)).is_some_and(Option::is_some));
        assert!(unshipped(&m).is_empty());
    }
}
