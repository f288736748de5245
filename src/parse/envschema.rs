//! The `@env-spec` decorators of a `.env.schema` (varlock): the comment lines directly above a
//! key (`# @required`, `# @optional`, `# @required=false`) and the header's
//! `@defaultRequired=true|false|infer`. What a schema means for a service is the model's
//! (`model/env_schema.rs`).

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

/// What a decorated schema says of its entry `entry` (an index into its parsed entries).
#[derive(Clone, Debug)]
pub struct KeyMarks {
    pub entry: usize,
    pub required: bool,
    pub optional: bool,
}

/// The keys of a decorated schema with what it says of each, from its entries and text,
/// read once when the model is built; `None` when it holds no `@env-spec` decorator.
pub fn decorated_marks(parsed: &super::envfile::EnvFile, text: &str) -> Option<Vec<KeyMarks>> {
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
