use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::shipping::ImageRun;
use crate::model::tasks::EntrypointTask;

pub static RULE: Rule = Rule {
    code: "DPL104",
    name: "exec-path-missing",
    severity: Severity::Error,
    summary: "a path executed in a container is absent from the final image",
    doc: include_str!("../../../rules/DPL104-exec-path-missing.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    let mut seen = std::collections::BTreeSet::new();
    for run in model.image_runs() {
        // An image's entrypoint is one finding, whichever services use it.
        if !run.executed && !seen.insert((run.image, run.stage, run.program.span)) {
            continue;
        }
        if let Some(task) = model.entrypoint_task(&run) {
            report_task(model, r, &run, &task);
            continue;
        }
        if let Some(elsewhere) = model.missing_command(&run) {
            report_command(model, r, &run, &elsewhere);
            continue;
        }
        let Some(path) = model.missing_path(&run) else { continue };
        let Some(image) = model.images.get(run.image) else { continue };
        let Some(st) = image.stages.get(run.stage) else { continue };
        let service = run.service.and_then(|s| model.services.get(s)).map(|s| s.def.name.value.as_str());
        let how = if run.executed { "executes" } else { "runs" };
        let name = crate::source::file_name(&path);
        r.report(
            Finding::new(
                match service {
                    Some(name) => format!(
                        "`{path}` is not in the image of service `{name}` (`{}`, {})",
                        image.path,
                        super::stage_label(st)
                    ),
                    None => {
                        format!("`{path}` is not in the image built by `{}` ({})", image.path, super::stage_label(st))
                    }
                },
                Label::new(run.program.span, format!("{how} `{}`", run.program.value)),
            )
            .related(Label::new(
                st.span,
                format!("final stage holds {}", super::list(&super::contents(image, run.stage))),
            ))
            .help(format!("build `{name}` and copy it to `{path}` in the final stage, or fix the path")),
        );
    }
}

/// A program name the container looks up on `PATH`, in an image that certainly lacks it.
fn report_command(model: &Model, r: &mut Reporter, run: &ImageRun, elsewhere: &[String]) {
    let Some(image) = model.images.get(run.image) else { return };
    let Some(st) = image.stages.get(run.stage) else { return };
    let name = &run.program.value;
    let whose = whose_image(model, run);
    let help = match elsewhere {
        [path] => format!("run it by its path, `{path}`: the image holds it off `PATH`"),
        [] => {
            format!("build `{name}` and copy it to a directory on the image's `PATH`, or run a program the image holds")
        }
        paths => format!("run it by its path ({}): the image holds it off `PATH`", super::list(paths)),
    };
    r.report(
        Finding::new(
            format!("no `{name}` on the `PATH` of {whose} (`{}`, {})", image.path, super::stage_label(st)),
            Label::new(run.program.span, format!("executes `{name}`, looked up on `PATH`")),
        )
        .related(Label::new(st.span, format!("final stage holds {}", super::list(&super::contents(image, run.stage)))))
        .help(help),
    );
}

/// A task of the container's own program, executed as a program of its own.
fn report_task(model: &Model, r: &mut Reporter, run: &ImageRun, task: &EntrypointTask) {
    let Some(image) = model.images.get(run.image) else { return };
    let Some(st) = image.stages.get(run.stage) else { return };
    let name = &run.program.value;
    let whose = whose_image(model, run);
    // The command as written up to the program, when it stands on one line.
    let text = model.sources.text(run.program.span.file);
    let start = model
        .execs
        .iter()
        .filter_map(|e| model.commands.get(e.command))
        .map(|c| c.cmd.span)
        .filter(|s| {
            s.file == run.program.span.file && s.start <= run.program.span.start && run.program.span.end <= s.end
        })
        .map(|s| s.start)
        .max();
    let before = start.and_then(|s| text.get(s..run.program.span.start)).filter(|b| !b.contains(['\n', '\\']));
    let run_it = match before {
        Some(b) => format!("{b}{} {}", task.program, task.task),
        None => format!("{} {}", task.program, task.task),
    };
    r.report(
        Finding::new(
            format!(
                "no `{name}` on the `PATH` of {whose} (`{}`, {}): `{name}` is a task of `{}`",
                image.path,
                super::stage_label(st),
                task.binary
            ),
            Label::new(run.program.span, format!("executes `{name}`, looked up on `PATH`")),
        )
        .related(Label::new(st.span, format!("final stage holds {}", super::list(&super::contents(image, run.stage)))))
        .help(format!("run the task through the image's program: `{run_it}`")),
    );
}

/// "the image of service `api`", or "the image" when no service runs it.
fn whose_image(model: &Model, run: &ImageRun) -> String {
    match run.service.and_then(|s| model.services.get(s)) {
        Some(s) => format!("the image of service `{}`", s.def.name.value),
        None => "the image".to_string(),
    }
}
