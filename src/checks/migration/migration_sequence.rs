use crate::checks::{Reporter, Rule};
use crate::diagnostic::{Finding, Label, Severity};
use crate::model::Model;
use crate::model::migrations::Issue;
use crate::source::{Span, file_name};

pub static RULE: Rule = Rule {
    code: "DPL601",
    name: "migration-sequence",
    severity: Severity::Warning,
    summary: "migration files with a duplicate or missing number, or an `up` without its `down`",
    doc: include_str!("../../../rules/DPL601-migration-sequence.md"),
    check,
};

fn check(model: &Model, r: &mut Reporter) {
    let at = |path: &str| model.migration_files.get(path).map(|id| Span::new(*id, 0..0));
    for folder in &model.migrations {
        let dir = &folder.dir;
        for issue in &folder.issues {
            match issue {
                Issue::Duplicate { version, files } => {
                    let Some((first, rest)) = files.split_first() else { continue };
                    let Some(primary) = at(first) else { continue };
                    let names: Vec<String> = files.iter().map(|f| format!("`{}`", file_name(f))).collect();
                    let mut f = Finding::new(
                        format!("`{dir}`: version {version} is used by more than one migration ({})", names.join(", ")),
                        Label::new(primary, format!("version {version}")),
                    )
                    .help("renumber one of them: golang-migrate and goose refuse to run a folder with two migrations of one version");
                    // One label per other migration (its `up`, listed first).
                    let stem = |p: &str| {
                        let n = file_name(p);
                        n.strip_suffix(".up.sql").or_else(|| n.strip_suffix(".down.sql")).unwrap_or(n).to_string()
                    };
                    let mut labelled = vec![stem(first)];
                    for other in rest {
                        if labelled.contains(&stem(other)) {
                            continue;
                        }
                        labelled.push(stem(other));
                        if let Some(span) = at(other) {
                            f = f.related(Label::new(span, format!("also version {version}")));
                        }
                    }
                    r.report(f);
                }
                Issue::Gap { from, to, after, before } => {
                    let (Some(primary), Some(prev)) = (at(before), at(after)) else { continue };
                    let missing =
                        if from == to { format!("version {from} is") } else { format!("versions {from} to {to} are") };
                    r.report(
                        Finding::new(
                            format!("`{dir}`: {missing} missing between `{}` and `{}`", file_name(after), file_name(before)),
                            Label::new(primary, "after the gap"),
                        )
                        .related(Label::new(prev, "before the gap"))
                        .help("a migration was lost (a merge, a rename) or the next one was misnumbered: restore it or renumber the files after it"),
                    );
                }
                Issue::Unpaired { file, missing } => {
                    let Some(primary) = at(file) else { continue };
                    r.report(
                        Finding::new(
                            format!(
                                "`{dir}`: `{}` has no `{missing}`, while every other migration here has both",
                                file_name(file)
                            ),
                            Label::new(primary, format!("no `{missing}`")),
                        )
                        .help(format!("add `{missing}`, so the migration can be rolled back like the others")),
                    );
                }
            }
        }
    }
}
