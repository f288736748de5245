use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::go::Lang;
use crate::model::images::{BuildOut, CopyFrom};
use crate::source::{file_name, join_rel, parent_dir};

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

fn check(model: &Model, r: &mut Reporter) {
    let built = |dir: &str, name: &str| {
        model.images.iter().any(|img| {
            img.stages.iter().any(|s| {
                s.builds.iter().any(|b| builds_dir(b, &img.context, dir))
                    // A binary built outside Docker and copied from the context.
                    || s.copies.iter().any(|c| c.from == CopyFrom::Context && !c.dest_is_dir && file_name(&c.src) == name)
            })
        })
    };
    for bin in model.go.binaries.iter().filter(|b| !b.ignored) {
        if built(&bin.dir, &bin.name) {
            continue;
        }
        // The first Dockerfile stage that builds a sibling of the same module.
        let sibling =
            model.go.binaries.iter().filter(|o| o.dir != bin.dir && o.module_dir == bin.module_dir).find_map(|o| {
                model.images.iter().find_map(|img| {
                    img.stages.iter().find_map(|s| {
                        s.builds.iter().find(|b| builds_dir(b, &img.context, &o.dir)).map(|b| (img, s, b))
                    })
                })
            });
        let Some((img, stage, example)) = sibling else {
            continue;
        };
        let siblings: Vec<String> = stage
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
        r.report(
            Finding::new(
                format!("`{}` (`{}`) is never built by any Dockerfile", bin.name, bin.dir),
                Label::new(bin.span, format!("main package `{}`", bin.name)),
            )
            .related(Label::new(stage.span, format!("{stage_name} of `{}` builds {}", img.path, super::list(&siblings))))
            .help(match bin.lang {
                Lang::Go => format!(
                    "add `go build -o {out_dir}/{name} ./{rel}` to {stage_name} and `COPY --from={from} {out_dir}/{name} …` to the final stage, or list `{}` in `binaries.ignore` if it does not ship",
                    bin.dir,
                    name = bin.name,
                ),
                Lang::Rust => format!(
                    "build it in {stage_name} (`cargo build --release --bin {name}`, or without `--bin` for every binary) and `COPY --from={from} {out_dir}/{name} …` to the final stage, or list `{name}` in `binaries.ignore` if it does not ship",
                    name = bin.name,
                ),
            }),
        );
    }
}
