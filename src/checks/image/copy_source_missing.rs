use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::images::{CopyFrom, Holds};

pub static RULE: Rule = Rule {
    code: "DPL103",
    name: "copy-source-missing",
    severity: Severity::Error,
    summary: "`COPY --from=S SRC` where stage S certainly produces nothing at SRC",
    doc: include_str!("../../../rules/DPL103-copy-source-missing.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    for image in &model.images {
        for stage in &image.stages {
            for c in &stage.copies {
                let CopyFrom::Stage(j) = c.from else { continue };
                if c.src.contains(['*', '?', '[', '$']) || image.holds(j, &c.src) != Holds::No {
                    continue;
                }
                let Some(source) = image.stages.get(j) else {
                    continue;
                };
                r.report(
                    Finding::new(
                        format!(
                            "`{}` is copied from {} but that stage never produces it",
                            c.src,
                            super::stage_label(source)
                        ),
                        Label::new(c.src_span, "nothing is built or copied here"),
                    )
                    .related(Label::new(
                        source.span,
                        format!("{} holds {}", super::stage_label(source), super::list(&super::contents(image, j))),
                    ))
                    .help("build the file in that stage or fix the path (a stale or mistyped COPY)"),
                );
            }
        }
    }
}
