use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::images::{CopyFrom, Image, is_under};
use crate::source::file_name;

pub static RULE: Rule = Rule {
    code: "DPL102",
    name: "binary-not-copied",
    severity: Severity::Error,
    summary: "a binary built in a build stage is never copied into the final stage",
    doc: include_str!("../../../rules/DPL102-binary-not-copied.md"),
    check,
};

/// Whether the output `output` of stage `built_in` reaches stage `shipped` (or cannot be told).
fn reaches(image: &Image, shipped: usize, built_in: usize, output: &str) -> bool {
    let chain = image.chain(shipped);
    if chain.iter().any(|s| s.index == built_in || !s.opaque.is_empty()) {
        return true;
    }
    chain.iter().any(|s| {
        s.copies.iter().any(|c| match c.from {
            CopyFrom::Stage(j) => {
                let from_chain = image.chain(j);
                from_chain.iter().any(|f| f.index == built_in)
                    && (c.src == output || is_under(output, &c.src) || c.src.contains('*'))
                    || image.stages.get(j).is_some_and(|st| !st.opaque.is_empty())
            }
            // A copy from something that is no stage (a mistyped stage name, DPL105) of a file
            // of the same name: it may be the one meant.
            CopyFrom::Image(_) => file_name(&c.src) == file_name(output),
            CopyFrom::Context => false,
        })
    })
}

fn check(model: &Model, r: &mut Reporter) {
    for image in &model.images {
        // The shipped stages: compose targets and `docker build --target`s, else the last.
        let shipped = image.shipped.clone();
        for &final_idx in &shipped {
            let Some(final_stage) = image.stages.get(final_idx) else {
                continue;
            };
            for stage in &image.stages {
                if image.chain(final_idx).iter().any(|s| s.index == stage.index) {
                    continue;
                }
                for b in &stage.builds {
                    // Only binaries of this repository.
                    let Some(bin) = b.repo_dir.as_deref().and_then(|d| model.go.binary(d)) else {
                        continue;
                    };
                    if reaches(image, final_idx, stage.index, &b.output) {
                        continue;
                    }
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
                            format!("final stage holds {}", super::list(&super::contents(image, final_idx))),
                        ))
                        .help(format!("add `COPY --from={from} {} /app/{name}` to the final stage", b.output)),
                    );
                }
            }
        }
    }
}
