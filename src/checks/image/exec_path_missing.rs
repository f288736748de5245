use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::images::Holds;
use crate::source::Spanned;

pub static RULE: Rule = Rule {
    code: "DPL104",
    name: "exec-path-missing",
    severity: Severity::Error,
    summary: "a path executed in a container is absent from the final image",
    doc: include_str!("../../../rules/DPL104-exec-path-missing.md"),
    check,
};

fn report(
    model: &Model,
    service: Option<&str>,
    img: usize,
    stage: usize,
    program: &Spanned<String>,
    how: &str,
    r: &mut Reporter,
) {
    let Some(image) = model.images.get(img) else {
        return;
    };
    let Some(st) = image.stages.get(stage) else {
        return;
    };
    let Some(path) = image.resolve_exec(stage, &program.value) else {
        return;
    };
    if image.holds(stage, &path) != Holds::No {
        return;
    }
    let name = crate::source::file_name(&path);
    r.report(
        Finding::new(
            match service {
                Some(name) => format!(
                    "`{path}` is not in the image of service `{name}` (`{}`, {})",
                    image.path,
                    super::stage_label(st)
                ),
                None => format!("`{path}` is not in the image built by `{}` ({})", image.path, super::stage_label(st)),
            },
            Label::new(program.span, format!("{how} `{}`", program.value)),
        )
        .related(Label::new(st.span, format!("final stage holds {}", super::list(&super::contents(image, stage)))))
        .help(format!("build `{name}` and copy it to `{path}` in the final stage, or fix the path")),
    );
}

fn check(model: &Model, r: &mut Reporter) {
    // What each shipped image runs (the model's entry program of each service using it, else
    // the image's own ENTRYPOINT or CMD).
    for (ii, image) in model.images.iter().enumerate() {
        let users: Vec<&crate::model::Service> =
            model.services.iter().filter(|s| s.image.is_some_and(|(i, _)| i == ii)).collect();
        let programs: Vec<(usize, Option<&crate::model::Service>, _)> = if users.is_empty() {
            image.shipped.iter().filter_map(|&st| Some((st, None, model.image_program(ii, st)?))).collect()
        } else {
            users.into_iter().filter_map(|s| Some((s.image?.1, Some(s), model.entry_program(s)?))).collect()
        };
        let mut seen = std::collections::BTreeSet::new();
        for (stage, service, program) in programs {
            if seen.insert((stage, program.word.span)) {
                let service = service.map(|s| s.def.name.value.as_str());
                report(model, service, ii, stage, program.word, "runs", r);
            }
        }
    }
    for (_, e, service) in model.executions() {
        let Some(service) = service else { continue };
        let Some((img, stage)) = service.image else { continue };
        report(model, Some(&service.def.name.value), img, stage, &e.program, "executes", r);
    }
}
