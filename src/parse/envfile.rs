//! Env files in the dotenv syntax compose reads: `KEY=value`, `export KEY=value`, single and
//! double quotes (double quotes span lines and know `\n \t \\ \"`), inline ` # comments`, and a
//! bare `KEY` (taken from the environment of the caller).
//!
//! Values are kept for the checks that need them (empty? placeholder?) but never leave the
//! model: nothing here implements `Display` for a value, and [`mask`] hides them in snippets.

use super::ParseError;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, PartialEq, Eq)]
pub struct EnvEntry {
    pub key: Spanned<String>,
    /// `None` for a bare `KEY` line.
    value: Option<String>,
    /// The raw value in the file, quotes included.
    pub value_span: Option<Span>,
}

impl std::fmt::Debug for EnvEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the value, not even in debug output.
        f.debug_struct("EnvEntry").field("key", &self.key).field("value", &"<masked>").finish()
    }
}

impl EnvEntry {
    /// Whether the key has a value that is not empty.
    pub fn has_value(&self) -> bool {
        self.value.as_deref().is_some_and(|v| !v.is_empty())
    }
    /// Whether the key is written with `=` (possibly empty).
    pub fn is_assigned(&self) -> bool {
        self.value.is_some()
    }
    /// What the value is, by its shape.
    pub fn value_kind(&self) -> ValueKind {
        match self.value.as_deref().map(str::trim) {
            None => ValueKind::Inherited,
            Some("") => ValueKind::Empty,
            Some(v) if is_placeholder(v) => ValueKind::Placeholder,
            Some(v) if has_reference(v) => ValueKind::Reference,
            Some(_) => ValueKind::Real,
        }
    }
    /// Whether the value refers to the variable `name` (`${NAME}`, `${NAME:-x}`, `$NAME`):
    /// compose reads it from the file's earlier keys or the caller's environment.
    pub fn refers_to(&self, name: &str) -> bool {
        self.value.as_deref().is_some_and(|v| references(v).any(|r| r == name))
    }
    /// Whether the value is a secret by its key and shape: a real value (no placeholder, no
    /// reference, no dummy word such as `secret` or the key's own name) of a key that
    /// [looks secret](crate::secret::secret_name) and names the secret itself (not its
    /// `_PATH`, `_TTL` or `_ENABLED`), or a URL holding a real password.
    pub fn secret(&self) -> Secret {
        let Some(v) = self.value.as_deref().map(str::trim) else { return Secret::None };
        if self.value_kind() != ValueKind::Real {
            return Secret::None;
        }
        let url_password = url_password(v).filter(|p| !p.is_empty() && !is_dummy(p, &self.key.value));
        // A URL (`DATABASE_DSN=postgres://app@db/app`) is a secret only by the password it
        // holds: its host and user are not.
        let named = crate::secret::secret_name(&self.key.value)
            && !last_word_is_not_secret(&self.key.value)
            && !is_dummy(v, &self.key.value)
            && (!v.contains("://") || url_password.is_some());
        if !named && url_password.is_none() {
            return Secret::None;
        }
        let credential = if named { looks_like_credential(v) } else { url_password.is_some_and(looks_like_credential) };
        if credential { Secret::Credential } else { Secret::Plain }
    }
}

/// What an env value is, by its shape; the value itself never leaves this module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A bare `KEY` line: compose takes the value from the caller's environment.
    Inherited,
    /// `KEY=` or `KEY=""`.
    Empty,
    /// A template placeholder: `CHANGE_ME…`, `changeme`, `your-…`, `your_…`, `xxx…`, `<…>`,
    /// `sk_live_...` (an ellipsis), `TODO`, `REPLACE_ME`.
    Placeholder,
    /// A value built from other variables (`${DB_PASSWORD}`, `$HOME/data`).
    Reference,
    /// Anything else.
    Real,
}

/// Whether a value is a secret (see [`EnvEntry::secret`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Secret {
    None,
    /// A real value of a secret-shaped key, of any strength (`SESSION_SECRET=s3ss10n`).
    Plain,
    /// One that looks generated: a known token format (`sk_live_…`, `ghp_…`, `AKIA…`, a PEM
    /// key), or 16 characters or more of mixed letters and digits with high entropy.
    Credential,
}

/// Verbs and their objects that, next to each other, make a value an instruction to whoever
/// fills the file in (`change-this-to-a-strong-password`, `replace_with_key`, `set-me`,
/// `fill-in`, `generate-with-openssl`).
const PLACEHOLDER_VERBS: &[&str] =
    &["change", "replace", "fill", "set", "insert", "put", "enter", "generate", "add", "update"];
const PLACEHOLDER_OBJECTS: &[&str] = &["me", "this", "it", "in", "here", "your", "yours", "with"];
/// Words that alone make a value a placeholder (`CHANGEME`, `TODO`, `<redacted>`).
const PLACEHOLDER_WORDS: &[&str] = &[
    "changeme",
    "changethis",
    "changeit",
    "replaceme",
    "replacethis",
    "setme",
    "fillme",
    "fillin",
    "fillmein",
    "todo",
    "tbd",
    "fixme",
    "placeholder",
    "redacted",
];

/// Whether a value is a template placeholder (see [`ValueKind::Placeholder`]).
fn is_placeholder(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    let b = lower.as_bytes();
    let boundary = |i: usize| i == 0 || b.get(i - 1).is_none_or(|c| !c.is_ascii_alphanumeric());
    let at_word = |word: &str| lower.match_indices(word).any(|(i, _)| boundary(i));
    if at_word("your-") || at_word("your_") {
        return true;
    }
    // A value without blanks (text with blanks may be a sentence, `Add to cart`), split into
    // words at anything but letters and digits: an instruction (`change` then `this`), a
    // placeholder word, or `here` at the end (`api_key_here`).
    if !lower.contains(char::is_whitespace) {
        let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let instruction = |w: &[&str]| PLACEHOLDER_VERBS.contains(&w[0]) && PLACEHOLDER_OBJECTS.contains(&w[1]);
        if words.windows(2).any(instruction)
            || words.iter().any(|w| PLACEHOLDER_WORDS.contains(w))
            || (words.len() > 1 && words.last() == Some(&"here"))
        {
            return true;
        }
    }
    if ["change_me", "change-me", "changeme", "replace_me", "replace-me", "replaceme"].iter().any(|p| lower.contains(p))
    {
        return true;
    }
    // Tokens a CI step or a template engine replaces: `@@API_KEY@@`, `{{ api_key }}`,
    // `#{ApiKey}#`, `__API_KEY__`.
    let wrapped = |open: &str, close: &str, tight: bool| {
        lower.match_indices(open).any(|(i, _)| {
            let after = &lower[i + open.len()..];
            after.find(close).is_some_and(|end| {
                let inner = after[..end].trim_matches(|c: char| !tight && c == ' ');
                !inner.is_empty() && inner.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
            })
        })
    };
    if wrapped("@@", "@@", true) || wrapped("{{", "}}", false) || wrapped("#{", "}", true) {
        return true;
    }
    if lower.len() > 4 && lower.starts_with("__") && lower.ends_with("__") && wrapped("__", "__", true) {
        return true;
    }
    // A run of three or more `x` standing alone (`xxx`, `sk_live_xxxx`, `XXXX-XXXX`).
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'x' {
            let start = i;
            while b.get(i) == Some(&b'x') {
                i += 1;
            }
            let end_ok = b.get(i).is_none_or(|c| !c.is_ascii_alphanumeric());
            if i - start >= 3 && boundary(start) && end_ok {
                return true;
            }
        } else {
            i += 1;
        }
    }
    // `<…>`: a name in angle brackets (`<password>`, `postgres://<user>@db`).
    let mut rest = lower.as_str();
    while let Some(open) = rest.find('<') {
        let after = &rest[open + 1..];
        if let Some(close) = after.find('>') {
            let inner = &after[..close];
            if !inner.is_empty()
                && inner.trim() == inner
                && inner.bytes().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b' ' | b'.'))
            {
                return true;
            }
        }
        rest = after;
    }
    // An ellipsis that ends the value or a part of it (`sk_live_...`, `user:…@host`).
    ["...", "…"].iter().any(|e| {
        lower.match_indices(e).any(|(i, m)| lower[i + m.len()..].chars().next().is_none_or(|c| !c.is_alphanumeric()))
    })
}

/// The names a value refers to: `${NAME…}` and `$NAME` (`$$` is a literal `$`).
fn references(v: &str) -> impl Iterator<Item = &str> {
    let b = v.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < b.len() {
            if b[i] != b'$' {
                i += 1;
                continue;
            }
            if b.get(i + 1) == Some(&b'$') {
                i += 2;
                continue;
            }
            let start = if b.get(i + 1) == Some(&b'{') { i + 2 } else { i + 1 };
            let mut end = start;
            while b.get(end).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                end += 1;
            }
            i = end.max(i + 1);
            let first_ok = b.get(start).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
            if end > start && first_ok {
                return v.get(start..end);
            }
        }
        None
    })
}

fn has_reference(v: &str) -> bool {
    references(v).next().is_some()
}

/// The password of a URL (`scheme://user:password@host`).
fn url_password(v: &str) -> Option<&str> {
    let (_, rest) = v.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let (userinfo, _) = authority.rsplit_once('@')?;
    let (_, password) = userinfo.split_once(':')?;
    Some(password)
}

/// Last words of a secret-shaped key that name a setting about the secret, not the secret
/// (`JWT_SECRET_TTL`, `PRIVATE_KEY_PATH`, `AUTH_ENABLED`, `API_KEY_HEADER`).
const NOT_SECRET_LAST_WORDS: &[&str] = &[
    "PATH",
    "FILE",
    "DIR",
    "NAME",
    "ID",
    "ENABLED",
    "ENABLE",
    "DISABLED",
    "TTL",
    "EXPIRES",
    "EXPIRY",
    "EXPIRATION",
    "IN",
    "TIME",
    "TIMEOUT",
    "LENGTH",
    "LEN",
    "SIZE",
    "ALGORITHM",
    "ALG",
    "TYPE",
    "URL",
    "URI",
    "HOST",
    "PORT",
    "HEADER",
    "ISSUER",
    "AUDIENCE",
    "MODE",
    "LIFETIME",
    "DURATION",
    "AGE",
    "DAYS",
    "HOURS",
    "MINUTES",
    "SECONDS",
    "COUNT",
    "MAX",
    "MIN",
    "VERSION",
    "REGION",
    "FORMAT",
    "PREFIX",
    "DOMAIN",
    "SECURE",
    "HTTPONLY",
    "SAMESITE",
    "USER",
    "USERNAME",
    "PROVIDER",
    "STRATEGY",
    "REQUIRED",
    "ROUNDS",
    "COST",
];

fn last_word_is_not_secret(key: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    upper.rsplit(['_', '-', '.']).next().is_some_and(|w| NOT_SECRET_LAST_WORDS.contains(&w))
}

/// Words a sample file puts where a secret goes (`SESSION_SECRET=secret`, `DB_PASSWORD=postgres`).
const DUMMY_VALUES: &[&str] = &[
    "secret",
    "password",
    "pass",
    "passwd",
    "pwd",
    "apikey",
    "apisecret",
    "token",
    "key",
    "test",
    "testing",
    "dummy",
    "example",
    "sample",
    "foo",
    "bar",
    "foobar",
    "none",
    "null",
    "nil",
    "changeit",
    "default",
    "mysecret",
    "supersecret",
    "secretkey",
    "admin",
    "root",
    "postgres",
    "mysql",
    "redis",
    "guest",
    "user",
    "local",
    "dev",
    "development",
    "1234",
    "12345",
    "123456",
    "12345678",
    "qwerty",
    "abc",
    "abc123",
];

/// Words inside a value that say it is not a production secret (`django-insecure-…`,
/// `AKIAIOSFODNN7EXAMPLE`, `dev-secret-key`).
const DUMMY_WORDS: &[&str] = &[
    "insecure",
    "example",
    "dummy",
    "sample",
    "fake",
    "placeholder",
    "dev",
    "development",
    "local",
    "localhost",
    "test",
    "testing",
    "demo",
    "changeit",
    "notsecret",
];

/// Whether a value is a dummy for its key: a word samples use, a part of the key's own name
/// (`CLOUDINARY_API_KEY=apiKey`), or a value with a word such as `insecure` or `example`.
fn is_dummy(v: &str, key: &str) -> bool {
    let norm = |s: &str| s.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    let value = norm(v);
    let lower = v.to_ascii_lowercase();
    value.is_empty()
        || DUMMY_VALUES.contains(&value.as_str())
        || (value.len() >= 3 && norm(key).contains(&value))
        || lower.split(|c: char| !c.is_ascii_alphabetic()).any(|w| DUMMY_WORDS.contains(&w))
}

/// Token formats whose prefix says what they are.
const TOKEN_PREFIXES: &[&str] = &[
    "sk_live_",
    "rk_live_",
    "whsec_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "AKIA",
    "AIza",
    "SG.",
    "-----BEGIN",
];

/// Whether a value looks generated rather than typed: a known token format, or 16 characters
/// or more without blanks, holding letters and digits, with at least 3.5 bits of entropy per
/// character.
fn looks_like_credential(v: &str) -> bool {
    if TOKEN_PREFIXES.iter().any(|p| v.starts_with(p)) && v.len() >= 16 {
        return true;
    }
    if v.chars().count() < 16 || v.chars().any(char::is_whitespace) {
        return false;
    }
    let letters = v.chars().any(|c| c.is_ascii_alphabetic());
    let digits = v.chars().any(|c| c.is_ascii_digit());
    if !letters || !digits {
        return false;
    }
    let mut counts: std::collections::BTreeMap<char, usize> = std::collections::BTreeMap::new();
    for c in v.chars() {
        *counts.entry(c).or_default() += 1;
    }
    let n = v.chars().count() as f64;
    let entropy: f64 = counts.values().map(|&c| c as f64 / n).map(|p| -p * p.log2()).sum();
    entropy >= 3.5
}

#[derive(Debug, Default, Clone)]
pub struct EnvFile {
    pub entries: Vec<EnvEntry>,
    pub errors: Vec<ParseError>,
    /// Names assigned on comment lines (`# KEY=value`): a template's way to document a setting
    /// that is left unset on purpose. Names only, never printed.
    pub commented_keys: Vec<String>,
    /// The only byte ranges that may be shown: each well-formed assignment from its line start
    /// to its `=` (or `:`), when its key [may be shown](key_is_shown).
    shown: Vec<std::ops::Range<usize>>,
}

impl EnvFile {
    pub fn get(&self, key: &str) -> Option<&EnvEntry> {
        self.entries.iter().rev().find(|e| e.key.value == key)
    }

    /// Every later assignment of a key assigned before, with the first one: compose keeps the
    /// later value.
    pub fn duplicates(&self) -> Vec<(&EnvEntry, &EnvEntry)> {
        let mut first: std::collections::BTreeMap<&str, &EnvEntry> = std::collections::BTreeMap::new();
        let mut out = Vec::new();
        for e in self.entries.iter().filter(|e| e.is_assigned()) {
            match first.get(e.key.value.as_str()) {
                Some(f) => out.push((*f, e)),
                None => {
                    first.insert(&e.key.value, e);
                }
            }
        }
        out
    }

    /// The keys that may be printed: those of assignments (`KEY=…`) whose name
    /// [may be shown](key_is_shown). A bare word (`KEY`, or a pasted token) is never listed.
    pub fn listed_keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().filter(|e| e.is_assigned() && key_is_shown(&e.key.value)).map(|e| e.key.value.as_str())
    }
}

/// Whether an assigned key's name may be shown. A pasted base64 token ending in padding
/// (`dG9rZW4=`) parses as a key with an empty value; names are written in one case
/// (`DB_HOST`, `spring.datasource.url`) and long names have separators, tokens do not.
pub fn key_is_shown(key: &str) -> bool {
    let upper = key.bytes().any(|b| b.is_ascii_uppercase());
    let lower = key.bytes().any(|b| b.is_ascii_lowercase());
    let separated = key.bytes().any(|b| matches!(b, b'_' | b'.' | b'-'));
    !(upper && lower) && (separated || key.len() <= 20)
}

/// Blanks inside a line, as compose's dotenv parser counts them (no line break).
fn is_blank(c: char) -> bool {
    matches!(c, '\t' | '\u{b}' | '\u{c}' | '\r' | ' ' | '\u{85}' | '\u{a0}')
}

/// A character compose accepts in a variable name (it skips blanks there, then refuses a name
/// holding a space).
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '[' | ']')
}

/// Where a value holds a `${` compose cannot interpolate (`${B` unclosed, `${}`, `${1}`, `${A B}`);
/// `$$` and, in double quotes, `\$` are escapes. Offsets are into `raw`.
fn invalid_interpolation(raw: &str, double_quoted: bool) -> Option<usize> {
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'\\', Some(_)) if double_quoted => i += 2,
            (b'$', Some(b'$')) => i += 2,
            (b'$', Some(b'{')) => {
                let mut j = i + 2;
                if !b.get(j).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
                    return Some(i);
                }
                while b.get(j).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    j += 1;
                }
                let colon = b.get(j) == Some(&b':');
                if colon {
                    j += 1;
                }
                let ok = match b.get(j) {
                    Some(b'}') => !colon,
                    Some(b'-' | b'+' | b'?') => b[j..].contains(&b'}'),
                    _ => false,
                };
                if !ok {
                    return Some(i);
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    None
}

/// Parses an env file the way compose v2 reads one (compose-go's dotenv rules): a name of
/// letters, digits, `_ . - [ ]`, then `=` or `:` and a value, or alone on its line (taken from
/// the caller's environment); `export ` before it; quoted values that may span lines, with
/// backslash escapes; `#` comment lines, and ` #` comments after an unquoted value.
pub fn parse(file: FileId, text: &str) -> EnvFile {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut out = EnvFile::default();
    let line_end =
        |from: usize| bytes.get(from..).and_then(|r| r.iter().position(|&b| b == b'\n')).map_or(n, |p| from + p);
    let mut i = 0;
    while i < n {
        // The statement start: the next character that is no white space.
        let Some((off, _)) = text[i..].char_indices().find(|(_, c)| !c.is_whitespace()) else {
            break;
        };
        i += off;
        let eol = line_end(i);
        if bytes[i] == b'#' {
            let body = text[i + 1..eol].trim_start_matches(is_blank);
            let body = body.strip_prefix("export ").map_or(body, |b| b.trim_start_matches(is_blank));
            if let Some((name, _)) = body.split_once('=') {
                let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
                if valid {
                    out.commented_keys.push(name.to_string());
                }
            }
            i = eol;
            continue;
        }
        let mut start = i;
        let rest = &text[i..eol];
        if let Some(after) = rest.strip_prefix("export") {
            if after.starts_with([' ', '\t']) {
                start += 6 + (after.len() - after.trim_start_matches(is_blank).len());
            }
        }
        // The name: up to `=`, `:` or the line end.
        let mut sep = None;
        let mut bad_char = None;
        for (o, c) in text[start..eol].char_indices() {
            if c == '=' || c == ':' {
                sep = Some(start + o);
                break;
            }
            if !is_blank(c) && !is_name_char(c) {
                bad_char = Some(start + o);
                break;
            }
        }
        let key_end = sep.unwrap_or(eol);
        let key = text[start..key_end].trim_end_matches(|c: char| c.is_whitespace());
        let error = match bad_char {
            Some(_) => Some("a variable name holds a character compose does not accept"),
            None if key.contains(' ') => Some("a variable name holds a space"),
            None => None,
        };
        if let Some(message) = error {
            out.errors.push(ParseError { span: Span::new(file, i..eol), message: message.to_string() });
            i = eol;
            continue;
        }
        let key = Spanned::new(key.to_string(), Span::new(file, start..start + key.len()));
        // What may be shown once the assignment is read: from the line start to the separator.
        let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
        let prefix = sep.filter(|_| key_is_shown(&key.value)).map(|sep| line_start..sep + 1);
        let Some(sep) = sep else {
            // A name alone on its line: taken from the environment of the caller.
            if !key.value.is_empty() {
                out.entries.push(EnvEntry { key, value: None, value_span: None });
            }
            i = eol;
            continue;
        };
        // The value.
        let mut v = sep + 1;
        v += text[v..eol].len() - text[v..eol].trim_start_matches(is_blank).len();
        match bytes.get(v) {
            Some(&q) if q == b'\'' || q == b'"' => {
                // A backslash escapes the next character (the quote too); in double quotes
                // `\n \t \r \\ \$` are then read as escapes.
                let mut p = v + 1;
                let mut value = String::new();
                let mut closed = None;
                let mut escape = false;
                while p < n {
                    let b = bytes[p];
                    if b == q && !escape {
                        closed = Some(p);
                        break;
                    }
                    p += 1;
                    if b == q {
                        escape = false;
                        value.push(q as char);
                        continue;
                    }
                    if b == b'\\' && !escape {
                        escape = true;
                        continue;
                    }
                    let ch_len = text[p - 1..].chars().next().map_or(1, char::len_utf8);
                    let ch = &text[p - 1..p - 1 + ch_len];
                    p += ch_len - 1;
                    if escape {
                        escape = false;
                        match (q, ch) {
                            (b'"', "n") => value.push('\n'),
                            (b'"', "t") => value.push('\t'),
                            (b'"', "r") => value.push('\r'),
                            (b'"', "\\" | "$") => value.push_str(ch),
                            _ => {
                                value.push('\\');
                                value.push_str(ch);
                            }
                        }
                        continue;
                    }
                    value.push_str(ch);
                }
                let Some(end) = closed else {
                    out.errors.push(ParseError {
                        span: Span::new(file, v..v + 1),
                        message: "unterminated quoted value".to_string(),
                    });
                    break;
                };
                if q == b'"' {
                    if let Some(at) = invalid_interpolation(&text[v + 1..end], true) {
                        let at = v + 1 + at;
                        out.errors.push(ParseError {
                            span: Span::new(file, at..at + 2),
                            message: "a `${` compose cannot interpolate".to_string(),
                        });
                    }
                }
                out.shown.extend(prefix);
                out.entries.push(EnvEntry { key, value: Some(value), value_span: Some(Span::new(file, v..end + 1)) });
                // Compose reads on after the closing quote; whatever follows on the line (a
                // comment, or more text) is masked and not taken for a name.
                i = line_end(end + 1);
            }
            _ => {
                // Unquoted: up to ` #` or the line end.
                let line = &text[v..eol];
                let end = line.find(" #").map_or(eol, |p| v + p);
                let raw = text[v..end].trim_end_matches(|c: char| c.is_whitespace());
                let vend = v + raw.len();
                if let Some(at) = invalid_interpolation(raw, false) {
                    let at = v + at;
                    out.errors.push(ParseError {
                        span: Span::new(file, at..at + 2),
                        message: "a `${` compose cannot interpolate".to_string(),
                    });
                }
                out.shown.extend(prefix);
                out.entries.push(EnvEntry {
                    key,
                    value: Some(raw.to_string()),
                    value_span: Some(Span::new(file, v..vend)),
                });
                i = eol;
            }
        }
    }
    out
}

/// The text as it may be shown: every byte outside the [shown](EnvFile::shown) ranges becomes
/// `*` except line breaks, so offsets, lines and spans stay valid. Values, comments, malformed
/// lines and bare words are all masked, whatever they hold.
pub fn mask(text: &str) -> String {
    let parsed = parse(FileId(0), text);
    let mut out = String::with_capacity(text.len());
    let mut shown = parsed.shown.iter().peekable();
    for (i, c) in text.char_indices() {
        while shown.next_if(|r| r.end <= i).is_some() {}
        let visible = matches!(c, '\n' | '\r') || shown.peek().is_some_and(|r| r.start <= i);
        if visible {
            out.push(c);
        } else {
            // One `*` per byte: the masked text has the original's byte offsets.
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        parse(FileId(0), text).entries.iter().map(|e| e.key.value.clone()).collect()
    }

    #[test]
    fn mask_shows_only_the_keys_of_assignments_and_keeps_offsets() {
        let text = "A=s3cr3t\n  export B=\"multi\nline\" # c\nC='q'\nbad line=leak\n# old=pw\nBARE\nTOKEN dG9rZW4=\ndG9rZW4=\nD: colon\né=x\n";
        let m = mask(text);
        assert_eq!(m.len(), text.len());
        assert_eq!(
            m,
            "A=******\n  export B=******\n*********\nC=***\n*************\n********\n****\n**************\n********\nD:******\né=*\n"
        );
    }

    #[test]
    fn only_assigned_keys_in_one_case_are_listed() {
        let f = parse(
            FileId(0),
            "DB_HOST=x\nspring.url=y\nBARE\ndG9rZW4=\nAKIAIOSFODNN7EXAMPLE0X=\nLONG_NAME_WITH_SEPARATORS_OK=1\n",
        );
        assert_eq!(f.listed_keys().collect::<Vec<_>>(), ["DB_HOST", "spring.url", "LONG_NAME_WITH_SEPARATORS_OK"]);
        // The bare word and the token still count as keys for the checks.
        assert!(f.get("BARE").is_some() && f.get("dG9rZW4").is_some());
    }

    #[test]
    fn commented_assignments_name_documented_keys() {
        let f = parse(FileId(0), "# LOG_FORMAT=json\n#export SENTRY_DSN=\n# a note = prose\nA=1\n");
        assert_eq!(f.commented_keys, ["LOG_FORMAT", "SENTRY_DSN"]);
        assert!(f.get("LOG_FORMAT").is_none());
    }

    #[test]
    fn reads_compose_dotenv_syntax() {
        let text = "# c\nA=1\nexport B=two words # note\nC='x # y'\nD=\"l1\nl2\"\nE=\nF\n  G = spaced\n";
        let f = parse(FileId(0), text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(keys(text), ["A", "B", "C", "D", "E", "F", "G"]);
        assert!(f.get("A").is_some_and(EnvEntry::has_value));
        assert!(f.get("E").is_some_and(|e| e.is_assigned() && !e.has_value()));
        assert!(f.get("F").is_some_and(|e| !e.is_assigned()));
        assert_eq!(f.get("B").and_then(|e| e.value.clone()).as_deref(), Some("two words"));
        assert_eq!(f.get("D").and_then(|e| e.value.clone()).as_deref(), Some("l1\nl2"));
    }

    #[test]
    fn reports_broken_lines_and_goes_on() {
        let f = parse(FileId(0), "BAD LINE here\nOK=1\nQ=\"open\nR=2\n");
        assert_eq!(f.errors.len(), 2);
        assert_eq!(keys("BAD LINE here\nOK=1\n"), ["OK"]);
    }

    #[test]
    fn mask_hides_every_value_and_keeps_offsets() {
        let text = "A=s3cr3t\nB=\"multi\nline\" # c\nC='q'\nbad line=leak\n";
        let m = mask(text);
        assert_eq!(m.len(), text.len());
        for secret in ["s3cr3t", "multi", "line\"", "'q'", "leak"] {
            assert!(!m.contains(secret), "{m}");
        }
        assert!(m.contains("A=") && !m.contains("# c"), "comments are masked too: {m}");
    }

    fn kind(value: &str) -> ValueKind {
        let f = parse(FileId(0), &format!("K={value}\n"));
        f.entries.first().map_or(ValueKind::Inherited, EnvEntry::value_kind)
    }

    #[test]
    fn placeholders_are_told_from_values() {
        for v in [
            "CHANGE_ME",
            "changeme",
            "changeme123",
            "postgres://app:CHANGE_ME@db:5432/app",
            "CHANGE-THIS-TO-A-STRONG-PASSWORD",
            "your-api-key",
            "YOUR_SECRET_HERE",
            "https://your-domain.example",
            "xxx",
            "sk_live_xxxxxxxx",
            "XXXX-XXXX",
            "<password>",
            "postgres://<user>:<pass>@db/app",
            "sk_live_...",
            "user:…@host",
            "TODO",
            "REPLACE_ME",
            "@@API_TOKEN@@",
            "{{ api_token }}",
            "#{ApiToken}#",
            "__API_TOKEN__",
            "generate-with-openssl-rand",
            "api_key_here",
            "'your-key'",
        ] {
            assert_eq!(kind(v), ValueKind::Placeholder, "{v}");
        }
        for v in [
            "q7Vd2LxP9sKe4RtWm8ZbN3yH",
            "0x7fxxx",
            "Add to cart",
            "https://shop.example.com",
            "a...b",
            "setup",
            "postgres://app:s3cret@db/app",
            "a < b > c",
        ] {
            assert_eq!(kind(v), ValueKind::Real, "{v}");
        }
        assert_eq!(kind(""), ValueKind::Empty);
        assert_eq!(kind("''"), ValueKind::Empty);
        assert_eq!(kind("${DB_PASSWORD}"), ValueKind::Reference);
        assert_eq!(kind("postgres://app:$DB_PASSWORD@db/app"), ValueKind::Reference);
        assert_eq!(kind("cost$$5"), ValueKind::Real);
        let bare = parse(FileId(0), "K\n");
        assert_eq!(bare.entries.first().map(EnvEntry::value_kind), Some(ValueKind::Inherited));
    }

    #[test]
    fn secrets_are_real_values_of_secret_keys() {
        let secret = |line: &str| parse(FileId(0), line).entries.first().map_or(Secret::None, EnvEntry::secret);
        assert_eq!(secret("STRIPE_SECRET_KEY=sk_live_51Hq8Zt2Wm7Lp4Xv8Rn5Bc1D\n"), Secret::Credential);
        assert_eq!(secret("APP_KEY=base64:T3mQ9vXc2LpR8sWk5ZyN1bHd4GfJ7aUe\n"), Secret::Credential);
        assert_eq!(secret("DB_PASSWORD=Rv7-kQ2-zL9\n"), Secret::Plain);
        assert_eq!(secret("DATABASE_URL=postgres://app:Rv7kQ2zL9pW4xT8mB3nC@db/app\n"), Secret::Credential);
        assert_eq!(secret("DATABASE_URL=postgres://app:postgres@db/app\n"), Secret::None);
        // A secret-named key holding a URL with no password: nothing secret in it.
        assert_eq!(secret("BILLING_DSN=postgres://billing@db/billing\n"), Secret::None);
        assert_eq!(secret("SENTRY_DSN=https://k3yPublic@o1.ingest.example.io/42\n"), Secret::None);
        assert_eq!(secret("DB_PASSWORD=postgres\n"), Secret::None);
        assert_eq!(secret("SESSION_SECRET=secret\n"), Secret::None);
        assert_eq!(secret("CLOUDINARY_API_KEY=apiKey\n"), Secret::None);
        assert_eq!(secret("SECRET_KEY=django-insecure-q7Vd2LxP9sKe4RtWm8ZbN3yH\n"), Secret::None);
        assert_eq!(secret("AWS_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE\n"), Secret::None);
        assert_eq!(secret("PRIVATE_KEY_PATH=./keys/private.pem\n"), Secret::None);
        assert_eq!(secret("JWT_SECRET_TTL=3600\n"), Secret::None);
        assert_eq!(secret("API_TOKEN=${TOKEN}\n"), Secret::None);
        assert_eq!(secret("API_TOKEN=your-token\n"), Secret::None);
        assert_eq!(secret("LOG_LEVEL=q7Vd2LxP9sKe4RtWm8ZbN3yH\n"), Secret::None);
    }

    #[test]
    fn references_and_duplicates() {
        let f = parse(FileId(0), "A=1\nURL=postgres://u:${DB_PASSWORD}@db/$DB_NAME\nA=2\nB\nB=3\n");
        assert!(f.get("URL").is_some_and(|e| e.refers_to("DB_PASSWORD") && e.refers_to("DB_NAME")));
        assert!(!f.get("URL").is_some_and(|e| e.refers_to("DB")));
        let dups: Vec<(&str, usize)> =
            f.duplicates().iter().map(|(first, later)| (later.key.value.as_str(), first.key.span.start)).collect();
        assert_eq!(dups, [("A", 0)], "a bare `B` line is no assignment");
    }

    #[test]
    fn debug_output_masks_values() {
        let f = parse(FileId(0), "TOKEN=hunter2\n");
        assert!(!format!("{f:?}").contains("hunter2"));
    }
}
