//! The env a service's containers get, answered once: env files (a git-ignored one stood in for
//! by its committed template), `environment:`, and the image's `ENV`, across the compose files
//! of the service's directory (a base file and its overrides).

use super::{EnvRef, EnvSource, Model, Service};
use crate::source::{file_name, join_rel, parent_dir};
use std::collections::BTreeSet;

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

/// The env of a service.
#[derive(Debug)]
pub struct ServiceEnv<'a> {
    /// The definitions read: the service in each compose file of its directory, in file order.
    pub definitions: Vec<&'a Service>,
    /// The keys the containers get.
    pub keys: BTreeSet<&'a str>,
    /// `false` when an env file is neither present nor templated: the env is then unknown.
    pub known: bool,
    /// Keys an env template documents on a comment line (`# LOG_FORMAT=json`): left unset on
    /// purpose, so optional for this service.
    pub documented: BTreeSet<&'a str>,
}

impl ServiceEnv<'_> {
    /// The env file entries of every definition.
    pub fn env_refs(&self) -> impl Iterator<Item = &EnvRef> {
        self.definitions.iter().flat_map(|d| d.env_refs.iter())
    }
}

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

    pub fn env_source(&self, r: &EnvRef) -> Option<&EnvSource> {
        r.source.and_then(|i| self.env_sources.get(i))
    }

    /// The env the containers of `service` get.
    pub fn env_of(&self, service: &Service) -> ServiceEnv<'_> {
        let definitions: Vec<&Service> =
            self.service_definitions(service).into_iter().filter_map(|i| self.services.get(i)).collect();
        let mut keys = BTreeSet::new();
        let mut documented = BTreeSet::new();
        let mut known = true;
        for d in &definitions {
            keys.extend(d.def.environment.iter().map(|e| e.key.value.as_str()));
            for r in &d.env_refs {
                match self.env_source(r) {
                    Some(src) => {
                        keys.extend(src.parsed.entries.iter().map(|x| x.key.value.as_str()));
                        if src.is_template {
                            documented.extend(src.parsed.commented_keys.iter().map(String::as_str));
                        }
                    }
                    None => known = false,
                }
            }
            if let Some((img, stage)) = d.image {
                if let Some(image) = self.images.get(img) {
                    for s in image.chain(stage) {
                        keys.extend(s.env_keys.iter().map(|k| k.value.as_str()));
                    }
                }
            }
        }
        ServiceEnv { definitions, keys, known, documented }
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
