use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::go::{Binary, Lang};
use crate::model::images::{BuildOut, CopyFrom, CopyIn, Image, StageModel};
use crate::source::{file_name, join_rel, parent_dir};
use std::collections::BTreeMap;

pub static RULE: Rule = Rule {
    code: "DPL101",
    name: "binary-not-built",
    severity: Severity::Warning,
    summary: "a main package is built by no Dockerfile while a sibling of the same module is",
    doc: include_str!("../../../rules/DPL101-binary-not-built.md"),
    check,
};

/// Whether a build makes the binary in `dir` (by its resolved context path, else by the
/// package path as written).
pub fn builds_dir(b: &BuildOut, image_context: &str, dir: &str) -> bool {
    match &b.repo_dir {
        Some(c) => c == dir,
        None => {
            let written = b.package.trim_start_matches("./").trim_end_matches('/');
            let written = if written.ends_with(".go") { parent_dir(written) } else { written };
            let full = join_rel(image_context, written).unwrap_or_default();
            !written.is_empty() && written != "." && (full == dir || dir.ends_with(&format!("/{written}")))
        }
    }
}

/// Siblings: binaries of the same Go module in the same parent directory (`cmd/*`), or of the
/// same Cargo workspace. Dev tools elsewhere in the module (`tools/`, `hack/`) are not siblings.
fn siblings(a: &Binary, b: &Binary) -> bool {
    a.dir != b.dir
        && a.module_dir == b.module_dir
        && a.lang == b.lang
        && (a.lang == Lang::Rust || parent_dir(&a.dir) == parent_dir(&b.dir))
}

type Place<'a, T> = (&'a Image, &'a StageModel, &'a T);

/// Where binaries are built and copied in prebuilt, indexed once for all binaries.
struct Index<'a> {
    /// Builds by the repo directory of their package (the first one in file order).
    by_dir: BTreeMap<&'a str, Place<'a, BuildOut>>,
    /// Builds whose package could not be placed in the repository.
    unplaced: Vec<Place<'a, BuildOut>>,
    /// Copies from the build context, by the file name of their source.
    context_copies: BTreeMap<&'a str, Vec<Place<'a, CopyIn>>>,
}

impl<'a> Index<'a> {
    fn new(model: &'a Model) -> Index<'a> {
        let mut ix = Index { by_dir: BTreeMap::new(), unplaced: Vec::new(), context_copies: BTreeMap::new() };
        for img in &model.images {
            for s in &img.stages {
                for b in &s.builds {
                    match b.repo_dir.as_deref() {
                        Some(d) => {
                            ix.by_dir.entry(d).or_insert((img, s, b));
                        }
                        None => ix.unplaced.push((img, s, b)),
                    }
                }
                for c in s.copies.iter().filter(|c| c.from == CopyFrom::Context) {
                    ix.context_copies.entry(file_name(&c.src)).or_default().push((img, s, c));
                }
            }
        }
        ix
    }

    /// The first stage that builds `bin`, and the build.
    fn build_of(&self, bin: &Binary) -> Option<Place<'a, BuildOut>> {
        self.by_dir
            .get(bin.dir.as_str())
            .copied()
            .or_else(|| self.unplaced.iter().copied().find(|(img, _, b)| builds_dir(b, &img.context, &bin.dir)))
    }

    /// A copy of a binary built outside Docker: `COPY bin/server /app/server` (the source named
    /// like the binary, and not its source directory).
    fn prebuilt_copy(&self, bin: &Binary) -> Option<Place<'a, CopyIn>> {
        self.context_copies
            .get(bin.name.as_str())?
            .iter()
            .copied()
            .find(|(img, _, c)| join_rel(&img.context, &c.src).is_none_or(|p| p != bin.dir))
    }
}

fn check(model: &Model, r: &mut Reporter) {
    let ix = Index::new(model);
    for bin in model.go.binaries.iter().filter(|b| !b.ignored) {
        if ix.build_of(bin).is_some() || ix.prebuilt_copy(bin).is_some() {
            continue;
        }
        let sibs: Vec<&Binary> = model.go.binaries.iter().filter(|o| siblings(bin, o)).collect();
        let finding = Finding::new(
            format!("`{}` (`{}`) is never built by any Dockerfile", bin.name, bin.dir),
            Label::new(bin.span, format!("main package `{}`", bin.name)),
        );
        if let Some((img, stage, example)) = sibs.iter().find_map(|o| ix.build_of(o)) {
            let built: Vec<String> = stage
                .builds
                .iter()
                .filter_map(|b| {
                    model.go.binaries.iter().find(|o| builds_dir(b, &img.context, &o.dir)).map(|o| o.name.clone())
                })
                .collect();
            let out_dir = parent_dir(&example.output);
            let rel = bin.dir.strip_prefix(&img.context).unwrap_or(&bin.dir).trim_start_matches('/');
            let stage_name = super::stage_label(stage);
            let from = stage.name.clone().unwrap_or_else(|| stage.index.to_string());
            let help = match bin.lang {
                Lang::Go => format!(
                    "add `go build -o {out_dir}/{name} ./{rel}` to {stage_name} of `{}` and `COPY --from={from} {out_dir}/{name} …` to its final stage, or list `{}` in `binaries.ignore` if it does not ship",
                    img.path,
                    bin.dir,
                    name = bin.name,
                ),
                Lang::Rust => format!(
                    "build it in {stage_name} of `{}` (`cargo build --release --bin {name}`, or without `--bin` for every binary) and `COPY --from={from} {out_dir}/{name} …` to its final stage, or list `{name}` in `binaries.ignore` if it does not ship",
                    img.path,
                    name = bin.name,
                ),
            };
            r.report(
                finding
                    .related(Label::new(
                        stage.span,
                        format!("{stage_name} of `{}` builds {}", img.path, super::list(&built)),
                    ))
                    .help(help),
            );
        } else if let Some((img, _, copy)) = sibs.iter().find_map(|o| ix.prebuilt_copy(o)) {
            r.report(finding.related(Label::new(copy.span, format!("`{}` ships a prebuilt sibling", img.path))).help(
                format!(
                    "ship `{}` the way its sibling is shipped, or list `{}` in `binaries.ignore` if it does not ship",
                    bin.name, bin.dir
                ),
            ));
        }
    }
}
