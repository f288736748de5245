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

/// A decorator's verdict on being required.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mark {
    Required,
    Optional,
    /// Required under a condition (`@required=forEnv(prod)`): not certain.
    Conditional,
}

/// `@name` and `@name=value` words of a comment line (the `#` removed), in order. A value in
/// parentheses (`@required=forEnv(a, b)`) is kept whole.
fn decorators(comment: &str) -> Vec<(&str, Option<&str>)> {
    let mut out = Vec::new();
    let mut rest = comment;
    while let Some(at) = rest.find('@') {
        // A decorator starts a word: at the start of the comment or after a space.
        let starts_word = rest.get(..at).is_none_or(|b| b.is_empty() || b.ends_with(char::is_whitespace));
        let after = rest.get(at + 1..).unwrap_or("");
        let name_len =
            after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-')).unwrap_or(after.len());
        let name = after.get(..name_len).unwrap_or("");
        let mut end = at + 1 + name_len;
        let mut value = None;
        if after.get(name_len..).is_some_and(|r| r.starts_with('=')) {
            let v = after.get(name_len + 1..).unwrap_or("");
            let mut depth = 0usize;
            let mut len = v.len();
            for (i, c) in v.char_indices() {
                match c {
                    '(' => depth += 1,
                    ')' => depth = depth.saturating_sub(1),
                    c if c.is_whitespace() && depth == 0 => {
                        len = i;
                        break;
                    }
                    _ => {}
                }
            }
            value = v.get(..len);
            end += 1 + len;
        }
        if starts_word && !name.is_empty() {
            out.push((name, value));
        }
        rest = rest.get(end.max(at + 1)..).unwrap_or("");
    }
    out
}

/// The decorator names that make a file an `@env-spec` schema.
const SPEC_DECORATORS: &[&str] = &[
    "required",
    "optional",
    "defaultRequired",
    "defaultSensitive",
    "sensitive",
    "type",
    "public",
    "currentEnv",
    "envFlag",
    "example",
    "docs",
    "generateTypes",
    "plugin",
    "import",
];

fn mark(name: &str, value: Option<&str>) -> Option<Mark> {
    let truth = match value.map(|v| v.trim_matches(|c| c == '"' || c == '\'')) {
        None | Some("true") => Some(true),
        Some("false") => Some(false),
        Some(_) => None,
    };
    match (name, truth) {
        ("required", Some(true)) | ("optional", Some(false)) => Some(Mark::Required),
        ("required", Some(false)) | ("optional", Some(true)) => Some(Mark::Optional),
        ("required" | "optional", None) => Some(Mark::Conditional),
        _ => None,
    }
}

/// The comment text of a line (`# …`), if it is a comment line.
fn comment_of(line: &str) -> Option<&str> {
    line.trim_start().strip_prefix('#')
}

/// Reads a schema's keys: the decorated convention when any comment carries an `@env-spec`
/// decorator, else `None` (a plain list, whose meaning depends on the program).
/// What a decorated schema says of its entry `entry` (an index into its parsed entries).
#[derive(Clone, Debug)]
pub struct KeyMarks {
    pub entry: usize,
    pub required: bool,
    pub optional: bool,
}

/// The keys of a decorated schema with what it says of each, from its entries and text,
/// read once when the model is built; `None` when it holds no `@env-spec` decorator.
pub fn decorated_marks(parsed: &crate::parse::envfile::EnvFile, text: &str) -> Option<Vec<KeyMarks>> {
    let lines: Vec<(usize, &str)> = text
        .split_inclusive('\n')
        .scan(0usize, |at, l| {
            let start = *at;
            *at += l.len();
            Some((start, l.trim_end_matches(['\n', '\r'])))
        })
        .collect();
    let decorated = lines
        .iter()
        .filter_map(|(_, l)| comment_of(l))
        .any(|c| decorators(c).iter().any(|(n, _)| SPEC_DECORATORS.contains(n)));
    if !decorated {
        return None;
    }
    let first_entry = parsed.entries.first().map_or(usize::MAX, |e| e.key.span.start);
    // The header's `@defaultRequired`; varlock's own default is `true`.
    let mut default = Some(Mark::Required);
    for (start, line) in &lines {
        if *start >= first_entry {
            break;
        }
        let Some(c) = comment_of(line) else { continue };
        for (name, value) in decorators(c) {
            if name == "defaultRequired" {
                default = match value {
                    Some("infer") => None,
                    v => mark("required", v),
                };
            }
        }
    }
    let mut keys = Vec::new();
    for (entry, e) in parsed.entries.iter().enumerate() {
        let at = e.key.span.start;
        // The line holding the key (the last that starts at or before it).
        let Some(index) = lines.partition_point(|(start, _)| *start <= at).checked_sub(1) else { continue };
        // The comment lines directly above the key (a blank line ends them).
        let mut own = None;
        for (_, line) in lines.get(..index).unwrap_or(&[]).iter().rev() {
            let Some(c) = comment_of(line) else { break };
            if c.trim_start().starts_with("---") {
                break;
            }
            for (name, value) in decorators(c) {
                own = own.or(mark(name, value));
            }
        }
        let optional = matches!(own.or(default), Some(Mark::Optional));
        let required = match own.or(default) {
            Some(Mark::Required) => !e.has_value(),
            // `infer`: required only with a value, which the schema then gives itself.
            Some(Mark::Optional | Mark::Conditional) | None => false,
        };
        keys.push(KeyMarks { entry, required, optional });
    }
    Some(keys)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decorator_words() {
        assert_eq!(decorators(" @required @type=url"), [("required", None), ("type", Some("url"))]);
        assert_eq!(
            decorators(" @required=forEnv(production, staging) @sensitive"),
            [("required", Some("forEnv(production, staging)")), ("sensitive", None)]
        );
        // An address in prose is no decorator.
        assert!(decorators(" ask ops@example.org").is_empty());
        assert_eq!(mark("optional", None), Some(Mark::Optional));
        assert_eq!(mark("required", Some("false")), Some(Mark::Optional));
        assert_eq!(mark("required", Some("eq($APP_ENV, prod)")), Some(Mark::Conditional));
        assert_eq!(mark("sensitive", None), None);
    }

    #[test]
    fn odd_decorator_words() {
        // Cut after `=`, inside parentheses, a lone `@`, and words in other scripts.
        assert_eq!(decorators(" @required="), [("required", Some(""))]);
        assert_eq!(decorators(" @required=forEnv(prod"), [("required", Some("forEnv(prod"))]);
        assert!(decorators(" @ @@ é@x").is_empty());
        assert_eq!(decorators(" @requiréd"), [("requir", None)]);
        assert_eq!(mark("required", Some("")), Some(Mark::Conditional));
    }
}
