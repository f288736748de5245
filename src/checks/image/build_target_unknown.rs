use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::images::CopyFrom;

pub static RULE: Rule = Rule {
    code: "DPL105",
    name: "build-target-unknown",
    severity: Severity::Error,
    summary: "a build names a package or stage that certainly does not exist",
    doc: include_str!("../../../rules/DPL105-build-target-unknown.md"),
    check,
};

/// Whether `--from=` text looks like an image reference rather than a stage name.
fn looks_like_image(v: &str) -> bool {
    v.contains(['/', ':', '.', '@', '$'])
}

fn check(model: &Model, r: &mut Reporter) {
    for image in &model.images {
        for stage in &image.stages {
            // Sources fetched inside the build are not this repository's.
            if image.chain(stage.index).iter().any(|s| s.fetches) {
                continue;
            }
            for m in &stage.missing_targets {
                let copy = image
                    .chain(stage.index)
                    .iter()
                    .flat_map(|s| s.copies.iter())
                    .find(|c| c.from == CopyFrom::Context && c.dest_is_dir)
                    .map(|c| c.span);
                let mut f = Finding::new(
                    format!("`{}` names no package: `{}` does not exist in the build context", m.package, m.repo_dir),
                    Label::new(m.span, "no such package"),
                )
                .help("fix the path (a renamed or deleted `cmd/` directory?) or remove the build");
                if let Some(span) = copy {
                    f = f.related(Label::new(span, "the build context is copied here"));
                }
                r.report(f);
            }
        }
        for stage in &image.stages {
            for c in &stage.copies {
                let (CopyFrom::Image(v), Some(span)) = (&c.from, c.from_span) else { continue };
                let earlier: Vec<&str> =
                    image.stages.iter().take(stage.index).filter_map(|s| s.name.as_deref()).collect();
                let message = if let Ok(n) = v.parse::<usize>() {
                    format!("`--from={n}` names no earlier stage: {} stage(s) come before this one", stage.index)
                } else if looks_like_image(v) {
                    continue;
                } else if let Some(s) =
                    crate::config::suggest(v, earlier.iter().copied()).filter(|s| !s.eq_ignore_ascii_case(v))
                {
                    format!("`--from={v}` names no stage; did you mean `{s}`?")
                } else {
                    continue;
                };
                r.report(
                    Finding::new(message, Label::new(span, "unknown stage")).related(Label::new(stage.span, "in this stage")).help(
                        "name a stage defined above (`FROM … AS name`) or its index; an image needs a tag or registry to be told apart",
                    ),
                );
            }
        }
    }
}
