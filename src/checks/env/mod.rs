//! Rules about env: what the code requires against what each service gets, and what compose
//! interpolates compose files with.
pub mod env_key_missing;
pub mod interpolation_required;
pub mod interpolation_unset;

use crate::model::Model;
use crate::model::interpolation::InterpolationFile;

/// An env file compose interpolates with, as messages name it.
fn describe(model: &Model, f: &InterpolationFile) -> String {
    match f.source.and_then(|s| model.env_sources.get(s)) {
        Some(src) if src.given => format!("`{}` (given for `{}`)", src.path, f.path),
        Some(src) if src.path != f.path => format!("`{}` (absent; its template `{}` was read)", f.path, src.path),
        _ => format!("`{}`", f.path),
    }
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
