//! The env a service's containers get, answered once: env files (a git-ignored one stood in for
//! by its committed template), `environment:`, and the image's `ENV`, across the compose files
//! of the service's directory (a base file and its overrides).

use super::interpolation::{InterpolationFile, Lookup};
use super::{EnvSource, Model, Service};
use crate::parse::compose::ValueShape;
use crate::parse::envfile::ValueKind;
use crate::parse::interpolation::RefKind;
use crate::source::{Span, file_name, join_rel, parent_dir};
use std::collections::{BTreeMap, BTreeSet};

/// Suffixes of env templates (`.env.prod.example`, `prod.env.dist`).
pub(super) const TEMPLATE_SUFFIXES: &[&str] = &[".example", ".sample", ".template", ".dist"];
/// Names of the templates of a directory's `.env`.
pub(super) const DOTENV_TEMPLATES: &[&str] = &[
    ".env.example",
    ".env.sample",
    ".env.template",
    ".env.dist",
    "env.example",
    "env.sample",
    "example.env",
    "sample.env",
];

/// Whether an env file is a committed template rather than a real env.
pub fn is_template(path: &str) -> bool {
    let name = file_name(path);
    TEMPLATE_SUFFIXES.iter().any(|s| name.ends_with(s)) || DOTENV_TEMPLATES.contains(&name)
}

/// Directories whose compose files are examples, tests or docs, never the production setup.
const NOT_PRODUCTION_DIRS: &[&str] =
    &["example", "examples", "_example", "_examples", "test", "tests", "testdata", "docs"];

/// Whether a compose file may describe a production deployment (it is not under an example,
/// test or docs directory).
pub fn is_production_compose(path: &str) -> bool {
    !parent_dir(path).split('/').any(|d| NOT_PRODUCTION_DIRS.contains(&d))
}

/// What a key's value is, never the value itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Shape {
    /// A non-empty value.
    Set,
    /// Present and empty.
    Empty,
    /// Decided where deploylint cannot see (the caller's shell, a build argument, a reference).
    Unknown,
}

/// Where the value a service gets for a key is decided (the last of compose's order of
/// precedence that sets it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The shipped stage's `ENV` (or its base stages').
    Image,
    /// An env file entry: the env source and the entry's key.
    EnvFile { source: usize, at: Span },
    /// `environment:`, at its key; `via`: the env file compose interpolated it with, when one
    /// file decided the shape.
    Environment { at: Span, via: Option<usize> },
}

/// The value a service gets for a key: its shape and where it is decided.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnvValue {
    pub shape: Shape,
    pub origin: Origin,
}

/// The env of a service.
#[derive(Debug)]
pub struct ServiceEnv<'a> {
    /// The definitions read: the service in each compose file of its directory, in file order.
    pub definitions: Vec<&'a Service>,
    /// The keys the containers get, with the shape of each value after compose's order of
    /// precedence: the image's `ENV`, then each env file in order, then `environment:`.
    pub values: BTreeMap<&'a str, EnvValue>,
    /// `false` when a required env file is neither present nor templated: the env is then
    /// unknown.
    pub known: bool,
    /// Keys an env template documents on a comment line (`# LOG_FORMAT=json`): left unset on
    /// purpose, so optional for this service.
    pub documented: BTreeSet<&'a str>,
}

impl ServiceEnv<'_> {
    /// Whether the containers get the key (with any value, empty included).
    pub fn has(&self, key: &str) -> bool {
        self.values.contains_key(key)
    }
}

impl ServiceEnv<'_> {}

impl Model {
    /// The env source for a path: the file, or its committed template when it is absent.
    pub fn env_source_for(&self, path: &str) -> Option<usize> {
        // A real file given on the command line stands for the file of its name.
        if let Some(i) = self.env_sources.iter().position(|e| e.given && file_name(&e.path) == file_name(path)) {
            return Some(i);
        }
        if let Some(i) = self.env_sources.iter().position(|e| e.path == path) {
            return Some(i);
        }
        let dir = parent_dir(path);
        let mut candidates: Vec<String> = TEMPLATE_SUFFIXES.iter().map(|s| format!("{path}{s}")).collect();
        if file_name(path) == ".env" {
            candidates.extend(DOTENV_TEMPLATES.iter().filter_map(|t| join_rel(dir, t)));
        } else {
            candidates.extend(join_rel(dir, ".env.example"));
        }
        candidates.iter().find_map(|c| self.env_sources.iter().position(|e| &e.path == c))
    }

    pub fn env_source(&self, r: &super::EnvRef) -> Option<&EnvSource> {
        r.source.and_then(|i| self.env_sources.get(i))
    }

    /// The env the containers of `service` get, in compose's order of precedence.
    pub fn env_of(&self, service: &Service) -> ServiceEnv<'_> {
        let definitions: Vec<&Service> =
            self.service_definitions(service).into_iter().filter_map(|i| self.services.get(i)).collect();
        let mut values: BTreeMap<&str, EnvValue> = BTreeMap::new();
        let mut documented = BTreeSet::new();
        let mut known = true;
        for d in &definitions {
            let Some((img, stage)) = d.image else { continue };
            let Some(image) = self.images.get(img) else { continue };
            for s in image.chain(stage) {
                for (k, shape) in &s.env_shapes {
                    values.insert(k.as_str(), EnvValue { shape: *shape, origin: Origin::Image });
                }
            }
        }
        for d in &definitions {
            for r in &d.env_refs {
                let src = r.source.and_then(|s| self.env_sources.get(s).map(|src| (s, src)));
                // Compose skips an absent file with `required: false`: only the file itself (or
                // its own template, `PATH.example`) says what it adds, never a directory's
                // generic `.env.example`.
                let src = match src {
                    Some((_, src)) if !r.required && !src.given && !src.path.starts_with(r.path.as_str()) => None,
                    other => other,
                };
                let Some((source, src)) = src else {
                    known &= !r.required;
                    continue;
                };
                for e in &src.parsed.entries {
                    let shape = match e.value_kind() {
                        ValueKind::Empty if !src.is_template => Shape::Empty,
                        ValueKind::Real | ValueKind::Placeholder => Shape::Set,
                        _ => Shape::Unknown,
                    };
                    values.insert(
                        e.key.value.as_str(),
                        EnvValue { shape, origin: Origin::EnvFile { source, at: e.key.span } },
                    );
                }
                if src.is_template {
                    documented.extend(src.parsed.commented_keys.iter().map(String::as_str));
                }
            }
        }
        for d in &definitions {
            let files = self.compose_files.iter().find(|c| c.file == d.compose).map(|c| c.env_files.as_slice());
            for e in &d.def.environment {
                let (shape, via) = self.environment_shape(&e.shape, files.unwrap_or(&[]));
                values.insert(
                    e.key.value.as_str(),
                    EnvValue { shape, origin: Origin::Environment { at: e.key.span, via } },
                );
            }
        }
        ServiceEnv { definitions, values, known, documented }
    }

    /// The shape of an `environment:` value once compose has interpolated it with `files`,
    /// and the one env file that decided it (when it is one).
    fn environment_shape(&self, value: &ValueShape, files: &[InterpolationFile]) -> (Shape, Option<usize>) {
        let refs = match value {
            ValueShape::Literal { empty: true } => return (Shape::Empty, None),
            ValueShape::Literal { empty: false } | ValueShape::Interpolated { text_outside: true, .. } => {
                return (Shape::Set, None);
            }
            // The caller's variable (or the interpolation file's, with compose v2): unknown.
            ValueShape::PassThrough => return (Shape::Unknown, None),
            ValueShape::Interpolated { refs, .. } => refs,
        };
        // One shape per interpolation file; they must agree.
        let mut shapes = files.iter().map(|f| match f.source {
            Some(source) => (self.interpolated_shape(refs, source), Some(source)),
            None => (Shape::Unknown, None),
        });
        let Some(first) = shapes.next() else { return (Shape::Unknown, None) };
        if shapes.any(|s| s.0 != first.0) {
            return (Shape::Unknown, None);
        }
        match first {
            (Shape::Empty, via) if files.len() == 1 => (Shape::Empty, via),
            (shape, _) => (shape, None),
        }
    }

    /// The shape of a value made of `refs` alone, interpolated with the env source `source`.
    fn interpolated_shape(&self, refs: &[(String, RefKind)], source: usize) -> Shape {
        let Some(src) = self.env_sources.get(source) else { return Shape::Unknown };
        let mut all_empty = true;
        for (name, kind) in refs {
            if self.shell_may_set(name) {
                return Shape::Unknown;
            }
            let shape = match (self.interpolation_lookup(source, name), kind) {
                // A template's value is one to fill in.
                (_, _) if src.is_template && src.parsed.get(name).is_some_and(|e| e.is_assigned()) => Shape::Unknown,
                (Lookup::Set, RefKind::Alternative) => Shape::Unknown,
                (Lookup::Set, _) => match src.parsed.get(name).map(|e| e.value_kind()) {
                    Some(ValueKind::Real | ValueKind::Placeholder) => Shape::Set,
                    _ => Shape::Unknown,
                },
                (Lookup::Empty | Lookup::Unset, RefKind::Plain | RefKind::Alternative) => Shape::Empty,
                // A default, or compose refuses to start (DPL207).
                (_, RefKind::Default | RefKind::Required { .. }) => Shape::Unknown,
            };
            match shape {
                Shape::Set => return Shape::Set,
                Shape::Unknown => all_empty = false,
                Shape::Empty => {}
            }
        }
        if all_empty { Shape::Empty } else { Shape::Unknown }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_names() {
        for t in ["example.env", "env.example", ".env.sample", ".env.dist", "prod.env.example", "x/.env.prod.example"] {
            assert!(is_template(t), "{t}");
        }
        for t in [".env", ".env.prod", "prod.env", "examples.env.prod"] {
            assert!(!is_template(t), "{t}");
        }
    }

    #[test]
    fn production_compose_files() {
        assert!(is_production_compose("docker-compose.prod.yml"));
        assert!(is_production_compose("deploy/compose.yaml"));
        for p in ["examples/basic/docker-compose.yml", "_example/compose.yml", "test/compose.yml", "docs/compose.yml"] {
            assert!(!is_production_compose(p), "{p}");
        }
    }
}
