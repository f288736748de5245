use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::code::{Lang, Program};
use crate::model::shipping::{Evidence, Place, builds_dir};
use crate::source::parent_dir;

pub static RULE: Rule = Rule {
    code: "DPL101",
    name: "binary-not-built",
    severity: Severity::Warning,
    summary: "a main package that should ship is built by no Dockerfile",
    doc: include_str!("../../../rules/DPL101-binary-not-built.md"),
    check,
};

/// The label pointing at where the siblings ship, and the help that goes with it.
fn sibling_label(model: &Model, bin: &Program, place: Place) -> Option<(Label, String)> {
    match place {
        Place::Built(i, s, b) => {
            let img = model.images.get(i)?;
            let stage = img.stages.get(s)?;
            let example = stage.builds.get(b)?;
            let built: Vec<String> = stage
                .builds
                .iter()
                .filter_map(|b| {
                    let ctx = img.context.as_deref();
                    model.code.binaries.iter().find(|o| builds_dir(b, ctx, &o.dir)).map(|o| o.name.clone())
                })
                .collect();
            let out_dir = parent_dir(&example.output);
            let ctx = img.context.as_deref().unwrap_or("");
            let rel = bin.dir.strip_prefix(ctx).unwrap_or(&bin.dir).trim_start_matches('/');
            let stage_name = super::stage_label(stage);
            let from = stage.name.clone().unwrap_or_else(|| stage.index.to_string());
            let help = match bin.lang {
                Lang::Go => format!(
                    "add `go build -o {out_dir}/{name} ./{rel}` to {stage_name} of `{}` and `COPY --from={from} {out_dir}/{name} …` to its final stage, or list `{}` in `binaries.ignore` if it does not ship",
                    img.path,
                    bin.dir,
                    name = bin.name,
                ),
                // Only Go and Rust programs are binaries.
                Lang::Rust | Lang::Python | Lang::Node => format!(
                    "build it in {stage_name} of `{}` (`cargo build --release --bin {name}`, or without `--bin` for every binary) and `COPY --from={from} {out_dir}/{name} …` to its final stage, or list `{name}` in `binaries.ignore` if it does not ship",
                    img.path,
                    name = bin.name,
                ),
            };
            let label =
                Label::new(stage.span, format!("{stage_name} of `{}` builds {}", img.path, super::list(&built)));
            Some((label, help))
        }
        Place::Prebuilt(i, s, c) => {
            let img = model.images.get(i)?;
            let copy = img.stages.get(s)?.copies.get(c)?;
            let help = format!(
                "ship `{}` the way its sibling is shipped, or list `{}` in `binaries.ignore` if it does not ship",
                bin.name, bin.dir
            );
            Some((Label::new(copy.span, format!("`{}` ships a prebuilt sibling", img.path)), help))
        }
    }
}

fn report(model: &Model, bin: &Program, evidence: &Evidence, r: &mut Reporter) {
    let mut finding = Finding::new(
        format!("`{}` (`{}`) is never built by any Dockerfile", bin.name, bin.dir),
        Label::new(bin.span, format!("main package `{}`", bin.name)),
    );
    let mut help = None;
    if let Some((label, h)) = evidence.siblings.first().and_then(|p| sibling_label(model, bin, *p)) {
        finding = finding.related(label);
        help = Some(h);
    }
    if let Some(run) = evidence.runs.first() {
        let image = model.images.get(run.image).map_or("", |i| i.path.as_str());
        let service = run.service.and_then(|s| model.services.get(s)).map(|s| s.def.name.value.as_str());
        let how = if run.executed { "executes" } else { "runs" };
        let text = match service {
            Some(s) => format!("{how} `{}` in service `{s}` (`{image}`)", run.program.value),
            None => format!("{how} `{}` in the image of `{image}`", run.program.value),
        };
        finding = finding.related(Label::new(run.program.span, text));
        help.get_or_insert_with(|| {
            format!(
                "build `{}` in `{image}` and copy it to the path that is run, or fix the command if it does not ship",
                bin.name
            )
        });
    }
    if let Some(h) = help {
        finding = finding.help(h);
    }
    r.report(finding);
}

fn check(model: &Model, r: &mut Reporter) {
    for (i, evidence) in &model.shipping.unshipped {
        if let Some(bin) = model.code.binaries.get(*i) {
            report(model, bin, evidence, r);
        }
    }
}
