//! Renderers: leaves that turn diagnostics into text. Line and column exist only here.
mod ci;
pub use ci::fingerprints;
pub mod concise;
pub mod github;
pub mod gitlab;
pub mod human;
pub mod json;
pub mod junit;
pub mod mask;
pub mod rdjson;
pub mod sarif;

use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{FileId, Sources, Span};
use std::sync::OnceLock;

/// The files of a run as they may be shown ([`mask::file_text`]), each built the first time
/// it is asked for, then shared by every finding and every context line.
pub struct Shown<'a> {
    pub sources: &'a Sources,
    texts: Vec<OnceLock<String>>,
}

impl<'a> Shown<'a> {
    pub fn new(sources: &'a Sources) -> Shown<'a> {
        Shown { sources, texts: (0..sources.len()).map(|_| OnceLock::new()).collect() }
    }

    /// The shown text of a file (empty for an unknown id).
    pub fn text(&self, file: FileId) -> &str {
        match (self.sources.get(file), self.texts.get(file.0 as usize)) {
            (Some(f), Some(cell)) => cell.get_or_init(|| mask::file_text(f.kind, &f.text)),
            _ => "",
        }
    }
}

/// 1-based (line, column) of the start and end of a span.
pub fn position(sources: &Sources, span: Span) -> ((usize, usize), (usize, usize)) {
    match sources.get(span.file) {
        Some(f) => (f.line_col(span.start), f.line_col(span.end)),
        None => ((1, 1), (1, 1)),
    }
}

/// `2 errors, 1 warning`.
pub fn summary(diags: &[Diagnostic]) -> String {
    if diags.is_empty() {
        return "no findings".to_string();
    }
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    let part = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut parts = Vec::new();
    for (s, w) in [(Severity::Error, "error"), (Severity::Warning, "warning"), (Severity::Info, "info")] {
        let n = count(s);
        if n > 0 {
            parts.push(part(n, w));
        }
    }
    format!("found {}", parts.join(", "))
}

/// The deploy model as JSON, for debugging: images with their stages, builds and copies;
/// binaries; services and the env files they read (paths and keys only, never values).
pub fn model_json(model: &crate::model::Model) -> String {
    use serde_json::json;
    let binaries: Vec<_> = model
        .code
        .binaries
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let tasks = model.task_selectors.iter().find(|s| s.binary == Some(i));
            let shipping = &model.shipping;
            json!({
                "name": b.name,
                "dir": b.dir,
                "ignored": b.ignored,
                "development_path": crate::model::shipping::is_dev_path(b),
                "shipped_by_dockerfile": shipping.places.get(i).is_some_and(Option::is_some),
                "built_outside_docker": shipping.built_elsewhere.get(i).copied().unwrap_or(false),
                "tasks": tasks.map(|s| s.tasks.iter().map(|t| t.value.clone()).collect::<Vec<_>>()).unwrap_or_default(),
            })
        })
        .collect();
    let services: Vec<_> = model
        .services
        .iter()
        .map(|s| {
            let image =
                s.image.and_then(|(i, st)| model.images.get(i).map(|img| json!({"dockerfile": img.path, "stage": st})));
            json!({
                "name": s.def.name.value,
                "compose_file": s.compose_path,
                "container_name": s.def.container_name.as_ref().map(|c| c.value.clone()),
                "image": image,
                "env_files": s.env_refs.iter().map(|e| json!({
                    "path": e.path,
                    "read": e.source.and_then(|i| model.env_sources.get(i)).map(|src| src.path.clone()),
                })).collect::<Vec<_>>(),
                // The keys its containers get and the shape of each value after compose's
                // order of precedence (never the value).
                // (A token-shaped name, a secret pasted as a line, is never shown.)
                "env": model
                    .env_of(s)
                    .values
                    .iter()
                    .filter(|(k, _)| crate::parse::envfile::key_is_shown(k))
                    .map(|(k, v)| (k.to_string(), json!(v.shape)))
                    .collect::<serde_json::Map<_, _>>(),
                "runs": model.binaries_of(s).iter().map(|(b, _)| b.name.clone()).collect::<Vec<_>>(),
                // The programs its containers run (binaries and Python/Node entries), with the
                // keys each requires (names only).
                "programs": model.programs_of(s).iter().map(|(p, _)| {
                    let env = model.code.required_env(p);
                    let mut keys: Vec<&str> = env.reads.iter().map(|r| r.key.value.as_str()).collect();
                    keys.sort_unstable();
                    keys.dedup();
                    json!({
                        "name": p.name,
                        "language": p.lang.name(),
                        "source": p.dir,
                        "required_env": keys,
                        "code_followed": env.computed,
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    // Per image: the shipped stages and the files deploylint knows they hold, with the binary
    // each one is (so a user can see why a finding was or was not made).
    let shipped: Vec<_> = model
        .images
        .iter()
        .map(|img| {
            let stages: Vec<_> = img
                .shipped
                .iter()
                .map(|&st| {
                    let mut files: Vec<serde_json::Value> = Vec::new();
                    for s in img.chain(st) {
                        for b in &s.builds {
                            files.push(json!({"path": b.output, "binary": b.repo_dir}));
                        }
                        for c in s.copies.iter() {
                            let binary = if c.dest_is_dir { None } else { img.package_at(st, &c.dest) };
                            files.push(json!({"path": c.dest, "directory": c.dest_is_dir, "binary": binary}));
                        }
                    }
                    let opaque: Vec<&String> = img.chain(st).iter().flat_map(|s| s.opaque.iter()).collect();
                    json!({"stage": st, "files": files, "opaque": opaque})
                })
                .collect();
            json!({"dockerfile": img.path, "context": img.context, "shipped": stages})
        })
        .collect();
    let env_files: Vec<_> = model
        .env_sources
        .iter()
        .map(|e| {
            // Only the keys that may be shown; bare words and token-shaped keys are counted.
            let keys: Vec<&str> = e.parsed.listed_keys().collect();
            let unlisted = e.parsed.entries.len() - keys.len();
            json!({
                "path": e.path,
                "template": e.is_template,
                "production": e.production.as_ref().map(|p| p.describe()),
                "keys": keys,
                "unlisted": unlisted,
            })
        })
        .collect();
    let mut v = json!({
        "version": 1,
        "binaries": binaries,
        "images": model.images,
        "shipped": shipped,
        "services": services,
        "env_files": env_files,
    });
    scrub_strings(&mut v);
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

/// Masks secret-shaped values in every string of a JSON value ([`mask::scrub`]): the model
/// quotes Dockerfile and script text (opaque reasons, `ADD` URLs).
fn scrub_strings(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(m) = mask::scrub(s) {
                *s = m;
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(scrub_strings),
        serde_json::Value::Object(map) => map.values_mut().for_each(scrub_strings),
        _ => {}
    }
}
