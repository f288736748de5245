//! A `.env.schema` the repository keeps: the source of truth for which keys its program needs.
//!
//! Two conventions are read:
//! - **@env-spec decorators** (varlock): comment lines directly above a key (`# @required`,
//!   `# @optional`, `# @required=false`) and the header's `@defaultRequired=true|false|infer`
//!   (varlock's own default is `true`). A key is required when it is marked or defaulted so and
//!   the schema gives it no value (a value, static or a function such as `exec(…)`, is
//!   resolved by the schema itself); a key marked optional, one required only under a condition
//!   (`@required=forEnv(production)`), or one `infer` leaves without a value is optional.
//! - **dotenv-extended**: a plain file of keys (no decorator) is a schema only for a program
//!   that loads dotenv-extended with `errorOnMissing: true` on load: then every key of it is
//!   required, unless the `.env.defaults` beside it sets it.
//!
//! A schema speaks for the env files of its own directory: it decides for a service one of whose
//! `env_file:` entries lies beside it and whose program's source lies under that directory.

use super::code::{Lang, Program};
use super::{EnvSource, Model, Service};
use crate::source::{Spanned, file_name, join_rel, parent_dir};
use std::collections::BTreeMap;

/// The name of the schema file.
pub const SCHEMA_NAME: &str = ".env.schema";

/// What a schema says of one key.
#[derive(Clone, Debug)]
pub struct SchemaKey<'a> {
    pub key: &'a Spanned<String>,
    /// The production env must give it: the program fails on start without it.
    pub required: bool,
    /// The schema marks it optional (by its own mark or the header's default): a blank or
    /// absent value is one the project accepts.
    pub optional: bool,
}

/// The convention a schema follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaStyle {
    /// `@env-spec` decorator comments (varlock).
    Decorated,
    /// A plain list of keys, enforced by dotenv-extended's `errorOnMissing`.
    DotenvExtended,
}

/// A `.env.schema` that decides for a service.
#[derive(Clone, Debug)]
pub struct EnvSchema<'a> {
    pub source: &'a EnvSource,
    pub style: SchemaStyle,
    pub keys: Vec<SchemaKey<'a>>,
    /// Each key's last place in `keys`.
    index: BTreeMap<&'a str, usize>,
}

impl<'a> EnvSchema<'a> {
    fn new(source: &'a EnvSource, style: SchemaStyle, keys: Vec<SchemaKey<'a>>) -> Self {
        let index = keys.iter().enumerate().map(|(i, k)| (k.key.value.as_str(), i)).collect();
        EnvSchema { source, style, keys, index }
    }

    /// What the schema says of `key`, if it names it (its last entry, when it names it twice).
    pub fn get(&self, key: &str) -> Option<&SchemaKey<'a>> {
        self.index.get(key).and_then(|&i| self.keys.get(i))
    }

    /// The schema's path.
    pub fn path(&self) -> &'a str {
        &self.source.path
    }
}

/// A decorated schema's keys, as its source holds them.
fn decorated_keys(src: &EnvSource) -> Option<Vec<SchemaKey<'_>>> {
    let marks = src.schema_marks.as_ref()?;
    let keys = marks.iter().filter_map(|m| {
        let e = src.parsed.entries.get(m.entry)?;
        Some(SchemaKey { key: &e.key, required: m.required, optional: m.optional })
    });
    Some(keys.collect())
}

impl Model {
    /// The `.env.schema` that decides which keys `service` needs, given the programs it runs:
    /// the one beside one of its env files, when a program's source lies under the schema's
    /// directory. A plain schema counts only when a Node program loads dotenv-extended with
    /// `errorOnMissing: true`.
    pub fn env_schema_of(&self, service: &Service, programs: &[&Program]) -> Option<EnvSchema<'_>> {
        let src = service.env_refs.iter().find_map(|r| self.schema_beside(&r.path))?;
        let dir = parent_dir(&src.path);
        let under = |p: &Program| dir.is_empty() || p.dir.starts_with(&format!("{dir}/"));
        if !programs.iter().any(|p| under(p)) {
            return None;
        }
        if let Some(keys) = decorated_keys(src) {
            return Some(EnvSchema::new(src, SchemaStyle::Decorated, keys));
        }
        let strict = programs.iter().filter(|p| p.lang == Lang::Node && under(p)).any(|p| {
            self.code
                .node
                .reachable(&p.dir)
                .iter()
                .any(|f| self.code.node.files.get(f).is_some_and(|x| x.dotenv_extended_strict))
        });
        if !strict {
            return None;
        }
        let defaults = join_rel(dir, ".env.defaults")
            .and_then(|p| self.env_sources.iter().find(|s| s.path == p))
            .map(|s| &s.parsed);
        let keys = src
            .parsed
            .entries
            .iter()
            .map(|e| SchemaKey {
                key: &e.key,
                required: !defaults.is_some_and(|d| d.get(&e.key.value).is_some_and(|x| x.has_value())),
                optional: false,
            })
            .collect();
        Some(EnvSchema::new(src, SchemaStyle::DotenvExtended, keys))
    }
}

impl Model {
    /// Whether the decorated `.env.schema` beside the env file at `env_path` marks `key`
    /// optional: the project accepts it blank, so compose substituting a blank for it is no
    /// fault.
    pub fn schema_marks_optional(&self, env_path: &str, key: &str) -> bool {
        let Some(src) = self.schema_beside(env_path) else { return false };
        let Some(keys) = decorated_keys(src) else { return false };
        EnvSchema::new(src, SchemaStyle::Decorated, keys).get(key).is_some_and(|k| k.optional)
    }

    /// The `.env.schema` in the directory of the env file at `env_path`, if the repository
    /// keeps one.
    fn schema_beside(&self, env_path: &str) -> Option<&EnvSource> {
        let path = join_rel(parent_dir(env_path), SCHEMA_NAME)?;
        self.env_sources.iter().find(|s| s.path == path && !s.given)
    }
}

/// Whether a path names a schema file.
pub fn is_schema(path: &str) -> bool {
    file_name(path) == SCHEMA_NAME
}
