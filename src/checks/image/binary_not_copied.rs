use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::images::{CopyFrom, Image};
use crate::source::file_name;

pub static RULE: Rule = Rule {
    code: "DPL102",
    name: "binary-not-copied",
    severity: Severity::Error,
    summary: "a binary built in a build stage is never copied into the final stage",
    doc: include_str!("../../../rules/DPL102-binary-not-copied.md"),
    check,
};

/// Whether the final stage cannot be told to lack `output`: a stage on the way cannot be
/// followed, or a copy from something that is no stage (a mistyped stage name, DPL105) brings a
/// file of the same name, which may be the one meant.
fn uncertain(image: &Image, shipped: usize, output: &str) -> bool {
    image.chain(shipped).iter().any(|s| {
        !s.opaque.is_empty()
            || s.copies.iter().any(|c| match c.from {
                CopyFrom::Stage(j) => image.stages.get(j).is_some_and(|st| !st.opaque.is_empty()),
                CopyFrom::Image(_) => file_name(&c.src) == file_name(output),
                CopyFrom::Context => false,
            })
    })
}

fn check(model: &Model, r: &mut Reporter) {
    for (ii, image) in model.images.iter().enumerate() {
        // The shipped stages: compose targets and `docker build --target`s, else the last. A
        // build that reaches one of them ships (a development target need not hold it).
        let shipped = &image.shipped;
        let packages: Vec<String> = shipped.iter().flat_map(|f| image.shipped_packages(*f)).collect();
        for stage in &image.stages {
            // A binary built twice in a stage (both branches of an `if`) is one finding.
            let mut reported: Vec<&str> = Vec::new();
            for b in &stage.builds {
                // Only binaries of this repository.
                let Some(bin) = b.repo_dir.as_deref().and_then(|d| model.code.binary(d)) else {
                    continue;
                };
                if reported.contains(&bin.dir.as_str()) {
                    continue;
                }
                if packages.contains(&bin.dir) || shipped.iter().any(|f| uncertain(image, *f, &b.output)) {
                    continue;
                }
                // Built because a pattern or the whole workspace matched: only on evidence.
                let final_idx = if b.bulk {
                    shipped.iter().copied().find(|f| model.bulk_build_should_ship(ii, *f, stage, b))
                } else {
                    shipped.last().copied()
                };
                let Some(final_stage) = final_idx.and_then(|f| image.stages.get(f)) else {
                    continue;
                };
                reported.push(&bin.dir);
                let name = file_name(&b.output);
                let from = stage.name.clone().unwrap_or_else(|| stage.index.to_string());
                r.report(
                    Finding::new(
                        format!(
                            "`{}` is built in {} but never copied into the final stage ({})",
                            bin.name,
                            super::stage_label(stage),
                            super::stage_label(final_stage)
                        ),
                        Label::new(b.span, format!("builds `{}`", b.output)),
                    )
                    .related(Label::new(
                        final_stage.span,
                        format!("final stage holds {}", super::list(&super::contents(image, final_stage.index))),
                    ))
                    .help(format!("add `COPY --from={from} {} /app/{name}` to the final stage", b.output)),
                );
            }
        }
    }
}
