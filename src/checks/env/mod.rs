//! Rules about env: what the code requires against what each service gets, and what compose
//! interpolates compose files with.
pub mod env_duplicate_key;
pub mod env_key_missing;
pub mod env_key_unused;
pub mod env_template_drift;
pub mod env_value_empty;
pub mod env_value_placeholder;
pub mod interpolation_required;
pub mod interpolation_unset;
pub mod secret_file_exposed;

use crate::model::Model;
use crate::model::interpolation::InterpolationFile;

/// An env file named by `path` (in a compose file or a command), as messages name it, with the
/// source read for it: the file, the one given on the command line, or its template.
fn env_ref_text(path: &str, src: Option<&crate::model::EnvSource>) -> String {
    match src {
        Some(src) if src.given => format!("`{}` (given for `{path}`)", src.path),
        Some(src) if src.path != path => format!("`{path}` (absent; its template `{}` was read)", src.path),
        _ => format!("`{path}`"),
    }
}

/// An env file compose interpolates with, as messages name it.
fn describe(model: &Model, f: &InterpolationFile) -> String {
    env_ref_text(&f.path, f.source.and_then(|s| model.env_sources.get(s)))
}

/// Where a finding points in the env file: the `--env-file` word that names it, else the file.
fn env_file_label(model: &Model, f: &InterpolationFile, text: String) -> Option<crate::diagnostic::Label> {
    let span = match f.declared {
        Some(s) => s,
        None => {
            let src = model.env_sources.get(f.source?)?;
            crate::source::Span::new(src.file, 0..0)
        }
    };
    Some(crate::diagnostic::Label::new(span, text))
}

/// Where to set a variable: the file, or the template and the real file on the server.
fn where_to_set(model: &Model, f: &InterpolationFile) -> String {
    match f.source.and_then(|s| model.env_sources.get(s)) {
        Some(src) if src.given => format!("set it in `{}`", src.path),
        Some(src) if src.path != f.path => {
            format!("list it in `{}` and set it in `{}` on the server", src.path, f.path)
        }
        _ => format!("set it in `{}`", f.path),
    }
}

/// An env file as messages name it.
fn env_file(src: &crate::model::EnvSource) -> String {
    if src.given { format!("`{}` (given)", src.path) } else { format!("`{}`", src.path) }
}

/// The entries of an env file that count: the last assignment of each key whose name may be
/// shown (compose keeps the later one; a token-shaped name is never printed).
fn effective_entries(file: &crate::parse::envfile::EnvFile) -> impl Iterator<Item = &crate::parse::envfile::EnvEntry> {
    file.entries.iter().filter(move |e| {
        crate::parse::envfile::key_is_shown(&e.key.value) && file.get(&e.key.value).is_some_and(|l| std::ptr::eq(l, *e))
    })
}

/// A production env file as messages name it, with why it is production's.
fn production_file(src: &crate::model::EnvSource) -> String {
    let documented = src.is_template.then(|| crate::model::env_files::documented_path(&src.path)).flatten();
    match (&src.production, documented) {
        (Some(p), Some(real)) => format!("`{real}` ({}; absent, its template `{}` was read)", p.describe(), src.path),
        (Some(p), None) if !src.given => format!("`{}` ({})", src.path, p.describe()),
        _ => env_file(src),
    }
}

/// `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``.
fn and_list<S: AsRef<str>>(names: &[S]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{}`", n.as_ref())).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}
