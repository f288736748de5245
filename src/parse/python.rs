//! Python source facts: the modules a file imports and the env keys it reads.
//!
//! A read is required only when it runs on import (a statement at the module's top level) and
//! fails without the key: `os.environ["K"]`, django-environ `env("K")` / `env.str("K")` and
//! python-decouple `config("K")` without `default=`. `os.environ.get`, `os.getenv`, and any read
//! inside a function, a class or a block (`if`, `try`) are optional here; the reads and calls of
//! the statements of a top-level function's body (and of the `__main__` block) are kept apart,
//! for the code model to require those of the functions that run on start (dotted calls such as
//! `config.load()` are kept too, with the names each import binds, for the model to resolve).
//! `os.environ.get("A") or os.environ["B"]` requires one of `A` and `B`. `DJANGO_SETTINGS_MODULE`
//! set with `os.environ.setdefault(…, "pkg.settings")` imports the settings module.

use super::lex::{self, Syntax, Tok, Token, closing};
use super::rustsrc::is_key;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    /// Leading dots of a relative import (0: absolute).
    pub level: usize,
    pub module: String,
    /// `from m import a, b`: `a` and `b` (each may be a submodule).
    pub names: Vec<String>,
    /// The names the statement binds, each with the module path it may name (relative like
    /// `module`): `import a.b` binds `a.b` to `a.b`, `import a.b as c` binds `c`, `from p import
    /// m as n` binds `n` to `p.m`. A call `c.f()` is resolved through them.
    pub bound: Vec<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyRead {
    pub key: Spanned<String>,
    pub required: bool,
    pub why: &'static str,
    /// The keys read first, this one being their fallback (`os.environ.get("A") or
    /// os.environ["B"]`): one of them is required.
    pub alternatives: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct PyFile {
    pub imports: Vec<Import>,
    pub reads: Vec<PyRead>,
    /// pydantic-settings `BaseSettings` subclasses declared at the top level.
    pub settings: Vec<SettingsClass>,
    /// The names called with no arguments (or only `_`-prefixed ones) by a top-level statement
    /// (`settings = Settings()`): the classes instantiated on import.
    pub instantiated: Vec<String>,
    /// The functions defined at the top level, with what their bodies do on every call.
    pub functions: Vec<PyFunction>,
    /// The names a top-level statement calls (`app = create_app()`): run on import.
    pub calls: Vec<String>,
    /// The `if __name__ == "__main__":` block, as a function run when the file is the entry.
    pub main_block: Option<PyFunction>,
}

/// A top-level function (or the `__main__` block): the reads and calls of the statements of
/// its body that run on every call (not those under an `if`, a `try` or a loop).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PyFunction {
    pub name: String,
    /// Reads that fail without the key when the function runs.
    pub reads: Vec<PyRead>,
    /// The names it calls: plain ones (`setup()`), and dotted ones whose first name is no
    /// attribute (`config.load()`, `pkg.mod.init()`), which may name a function of an imported
    /// module.
    pub calls: Vec<String>,
}

/// Why a read in a function called on start is required.
const IN_FUNCTION: &str = "read here with no fallback, in a function the program calls on start: it fails without it";

/// The top-level `def` statements and the `__main__` block: (token range of the body, the
/// indentation of its statements, the function's name; `__main__` for the block).
fn function_regions(text: &str, toks: &[Token<'_>], indents: &[usize]) -> Vec<(std::ops::Range<usize>, usize, String)> {
    let stmts = statements(text, toks, indents, 0..toks.len());
    let t = |k: usize| toks.get(k);
    let mut out = Vec::new();
    for (i, &(start, _, indent)) in stmts.iter().enumerate() {
        if indent != 0 {
            continue;
        }
        let def = if t(start).is_some_and(|x| x.is_ident("async")) { start + 1 } else { start };
        let name = if t(def).is_some_and(|x| x.is_ident("def")) {
            t(def + 1).and_then(Token::ident).map(str::to_string)
        } else if t(start).is_some_and(|x| x.is_ident("if"))
            && t(start + 1).is_some_and(|x| x.is_ident("__name__"))
            && t(start + 2).is_some_and(|x| x.is("=="))
            && t(start + 3).and_then(Token::string) == Some("__main__")
        {
            Some("__main__".to_string())
        } else {
            None
        };
        let Some(name) = name else { continue };
        let body: Vec<&(usize, usize, usize)> = stmts.iter().skip(i + 1).take_while(|s| s.2 > 0).collect();
        let (Some(first), Some(last)) = (body.first(), body.last()) else { continue };
        out.push((first.0..last.1, first.2, name));
    }
    out
}

/// A pydantic-settings class: the keys its fields read (`env_prefix` + the field name,
/// upper-cased), required for a field without a default.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingsClass {
    pub name: String,
    pub reads: Vec<PyRead>,
    /// Its `env_prefix` (inherited when it sets none).
    prefix: String,
    /// It reads a dotenv file too (`env_file`): its values may come from there.
    env_file: bool,
}

/// The indentation of the statement each token belongs to (the column of the statement's first
/// token), from the text.
fn statement_indents(text: &str, toks: &[Token<'_>]) -> Vec<usize> {
    let mut out = Vec::with_capacity(toks.len());
    let mut depth = 0usize;
    let mut indent = 0usize;
    let mut last_line_start = usize::MAX;
    for t in toks {
        let line_start = text.get(..t.start).and_then(|s| s.rfind('\n')).map_or(0, |p| p + 1);
        if depth == 0 && line_start != last_line_start {
            let prev = text.get(..line_start.saturating_sub(1)).unwrap_or("");
            // A line continued with a backslash belongs to the statement before it.
            if !prev.ends_with('\\') {
                indent = t.start - line_start;
            }
        }
        last_line_start = line_start;
        match t.tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            _ => {}
        }
        out.push(indent);
    }
    out
}

/// Whether the call whose `(` is at `open` passes a keyword argument `name=`.
fn has_kwarg(toks: &[Token<'_>], open: usize, name: &str) -> bool {
    let close = closing(toks, open);
    let mut depth = 0usize;
    for k in open..close {
        match toks.get(k).map(|t| &t.tok) {
            Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
            Some(Tok::Punct(")" | "]" | "}")) => depth = depth.saturating_sub(1),
            Some(Tok::Ident(w)) if depth == 1 && *w == name && toks.get(k + 1).is_some_and(|t| t.is("=")) => {
                return true;
            }
            _ => {}
        }
    }
    false
}

pub fn parse(file: FileId, text: &str) -> PyFile {
    let toks = lex::lex(text, Syntax::Python);
    let indents = statement_indents(text, &toks);
    let t = |k: usize| toks.get(k);
    let mut out = PyFile::default();
    // Names bound to a django-environ `Env(…)` and the keys its schema gives defaults.
    let mut environ_vars: Vec<&str> = Vec::new();
    let mut scheme_keys: Vec<&str> = Vec::new();
    let mut decouple = false;
    for (k, x) in toks.iter().enumerate() {
        if x.is_ident("Env") && t(k + 1).is_some_and(|y| y.is("(")) {
            let back = if k >= 2 && t(k - 1).is_some_and(|y| y.is(".")) { k - 2 } else { k };
            if back >= 2 && t(back - 1).is_some_and(|y| y.is("=")) {
                if let Some(v) = t(back - 2).and_then(Token::ident) {
                    environ_vars.push(v);
                }
            }
            let close = closing(&toks, k + 1);
            for j in k + 2..close {
                if t(j + 1).is_some_and(|y| y.is("=")) && t(j.saturating_sub(1)).is_some_and(|y| y.is("(") || y.is(","))
                {
                    scheme_keys.extend(t(j).and_then(Token::ident));
                }
            }
        }
        if x.is_ident("decouple") && t(k + 1).is_some_and(|y| y.is_ident("import")) {
            decouple = true;
        }
    }
    let regions = function_regions(text, &toks, &indents);
    let mut functions: Vec<PyFunction> =
        regions.iter().map(|(_, _, name)| PyFunction { name: name.clone(), ..PyFunction::default() }).collect();
    let mut k = 0;
    while k < toks.len() {
        let Some(x) = t(k) else { break };
        let indent = indents.get(k).copied().unwrap_or(1);
        let top = indent == 0;
        // The function whose body runs this token on every call (a statement of the body
        // itself, not one nested under it).
        let region = regions.iter().position(|(r, body, _)| r.contains(&k) && indent == *body);
        let plain_call = x.ident().is_some()
            && t(k + 1).is_some_and(|y| y.is("("))
            && !(k > 0 && t(k - 1).is_some_and(|p| p.is(".") || p.is_ident("def") || p.is_ident("class")));
        // `mod.func(` (the first name no attribute of something else).
        let dotted_call = (x.ident().is_some()
            && t(k + 1).is_some_and(|y| y.is("."))
            && !(k > 0 && t(k - 1).is_some_and(|p| p.is("."))))
        .then(|| dotted(&toks, k))
        .filter(|(name, next)| name.contains('.') && t(*next).is_some_and(|y| y.is("(")))
        .map(|(name, _)| name);
        let called = if plain_call { x.ident().map(str::to_string) } else { dotted_call };
        if let Some(name) = called {
            match region.and_then(|r| functions.get_mut(r)) {
                Some(f) => f.calls.push(name),
                None if top => out.calls.push(name),
                None => {}
            }
        }
        if let Some(f) = region.and_then(|r| functions.get_mut(r))
            && let Some(read) = env_read(file, &toks, k, true, &environ_vars, &scheme_keys, decouple)
            && read.required
        {
            f.reads.push(PyRead { why: IN_FUNCTION, ..read });
        }
        let line_first = k == 0 || t(k - 1).is_some_and(|p| text.get(p.end..x.start).is_some_and(|g| g.contains('\n')));
        // Imports.
        if line_first && x.is_ident("import") {
            let mut j = k + 1;
            loop {
                let (module, next) = dotted(&toks, j);
                j = next;
                let alias = t(j).is_some_and(|y| y.is_ident("as")).then(|| t(j + 1).and_then(Token::ident)).flatten();
                if t(j).is_some_and(|y| y.is_ident("as")) {
                    j += 2;
                }
                if !module.is_empty() {
                    let local = alias.map_or_else(|| module.clone(), str::to_string);
                    let bound = vec![(local, module.clone())];
                    out.imports.push(Import { level: 0, module, names: Vec::new(), bound });
                }
                if !t(j).is_some_and(|y| y.is(",")) {
                    break;
                }
                j += 1;
            }
            k = j;
            continue;
        }
        if line_first && x.is_ident("from") {
            let mut j = k + 1;
            let mut level = 0;
            while let Some(y) = t(j) {
                if y.is(".") {
                    level += 1;
                } else if y.is("...") {
                    level += 3;
                } else {
                    break;
                }
                j += 1;
            }
            let (module, next) =
                if t(j).is_some_and(|y| y.is_ident("import")) { (String::new(), j) } else { dotted(&toks, j) };
            j = next;
            let mut names = Vec::new();
            let mut bound = Vec::new();
            if t(j).is_some_and(|y| y.is_ident("import")) {
                j += 1;
                let paren = t(j).is_some_and(|y| y.is("("));
                let end = if paren { closing(&toks, j) } else { toks.len() };
                if paren {
                    j += 1;
                }
                while j < end {
                    let Some(y) = t(j) else { break };
                    if !paren && text.get(t(j - 1).map_or(0, |p| p.end)..y.start).is_some_and(|g| g.contains('\n')) {
                        break;
                    }
                    if let Some(n) = y.ident() {
                        if n != "as" && !t(j.saturating_sub(1)).is_some_and(|p| p.is_ident("as")) {
                            names.push(n.to_string());
                            let local = if t(j + 1).is_some_and(|a| a.is_ident("as")) {
                                t(j + 2).and_then(Token::ident).unwrap_or(n)
                            } else {
                                n
                            };
                            let path = if module.is_empty() { n.to_string() } else { format!("{module}.{n}") };
                            bound.push((local.to_string(), path));
                        }
                    }
                    j += 1;
                }
            }
            out.imports.push(Import { level, module, names, bound });
            k = j.max(k + 1);
            continue;
        }
        // `os.environ.setdefault("DJANGO_SETTINGS_MODULE", "app.settings")`.
        if x.is_ident("setdefault")
            && t(k + 1).is_some_and(|y| y.is("("))
            && t(k + 2).and_then(Token::string) == Some("DJANGO_SETTINGS_MODULE")
            && t(k + 3).is_some_and(|y| y.is(","))
        {
            if let Some(m) = t(k + 4).and_then(Token::string) {
                out.imports.push(Import { level: 0, module: m.to_string(), names: Vec::new(), bound: Vec::new() });
            }
        }
        if let Some(read) = env_read(file, &toks, k, top, &environ_vars, &scheme_keys, decouple) {
            out.reads.push(read);
        }
        k += 1;
    }
    settings(file, text, &toks, &indents, &mut out);
    for f in functions {
        if f.name == "__main__" {
            out.main_block = Some(f);
        } else {
            out.functions.push(f);
        }
    }
    out
}

/// The statements of the token range `r`: (first token, end, indentation), a new one at each
/// line that starts outside brackets (a line continued with a backslash excepted).
fn statements(
    text: &str,
    toks: &[Token<'_>],
    indents: &[usize],
    r: std::ops::Range<usize>,
) -> Vec<(usize, usize, usize)> {
    let mut out: Vec<(usize, usize, usize)> = Vec::new();
    let mut depth = 0usize;
    for k in r.clone() {
        let Some(x) = toks.get(k) else { break };
        let new_line = k == r.start
            || toks.get(k - 1).is_some_and(|p| {
                let gap = text.get(p.end..x.start).unwrap_or("");
                gap.contains('\n') && !gap.trim_start_matches([' ', '\t']).starts_with("\\")
            });
        if depth == 0 && new_line {
            if let Some(last) = out.last_mut() {
                last.1 = k;
            }
            out.push((k, r.end, indents.get(k).copied().unwrap_or(0)));
        }
        match x.tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    out
}

/// Types a settings field is read from one env key as: scalars, collections of them, and
/// pydantic's string types. A field of another type (a nested model) is not guessed.
const SCALAR_TYPES: &[&str] = &[
    "str",
    "int",
    "float",
    "bool",
    "bytes",
    "list",
    "dict",
    "set",
    "tuple",
    "List",
    "Dict",
    "Set",
    "Tuple",
    "Literal",
    "Annotated",
    "SecretStr",
    "SecretBytes",
    "AnyUrl",
    "AnyHttpUrl",
    "HttpUrl",
    "PostgresDsn",
    "RedisDsn",
    "MongoDsn",
    "AmqpDsn",
    "KafkaDsn",
    "MySQLDsn",
    "EmailStr",
    "Path",
    "FilePath",
    "DirectoryPath",
    "Decimal",
    "UUID",
    "datetime",
    "date",
    "time",
    "timedelta",
    "Json",
    "Optional",
    "None",
    "typing",
    "pydantic",
    "pathlib",
    "decimal",
    "uuid",
];

/// pydantic-settings classes (`class Settings(BaseSettings):`, and subclasses of one declared
/// earlier in the file) and the top-level instantiations.
fn settings(file: FileId, text: &str, toks: &[Token<'_>], indents: &[usize], out: &mut PyFile) {
    let top = statements(text, toks, indents, 0..toks.len());
    let t = |k: usize| toks.get(k);
    // A statement at the top level and those nested under it (deeper indentation).
    let mut i = 0;
    while let Some(&(start, _, indent)) = top.get(i) {
        i += 1;
        if indent != 0 {
            continue;
        }
        // `settings = Settings()` / `Settings()`: the call and its arguments.
        let call = if t(start + 1).is_some_and(|y| y.is("=")) { start + 2 } else { start };
        if let (Some(name), true) = (t(call).and_then(Token::ident), t(call + 1).is_some_and(|y| y.is("("))) {
            let close = closing(toks, call + 1);
            // Arguments (`_env_prefix=`, `_env_file=`, field values) change what is read.
            if close == call + 2 {
                out.instantiated.push(name.to_string());
            }
        }
        if !t(start).is_some_and(|y| y.is_ident("class")) {
            continue;
        }
        let Some(name) = t(start + 1).and_then(Token::ident) else { continue };
        // Bases.
        let mut inherited: Option<Vec<PyRead>> = None;
        let mut prefix: Option<String> = None;
        let mut env_file = false;
        if t(start + 2).is_some_and(|y| y.is("(")) {
            let close = closing(toks, start + 2);
            for j in start + 3..close {
                let Some(b) = t(j).and_then(Token::ident) else { continue };
                if b == "BaseSettings" {
                    inherited.get_or_insert_with(Vec::new);
                } else if let Some(parent) = out.settings.iter().find(|c| c.name == b) {
                    inherited = Some(parent.reads.clone());
                    prefix = Some(parent.prefix.clone());
                    env_file = parent.env_file;
                }
            }
        }
        let Some(mut reads) = inherited else { continue };
        // The class body: the statements after it that are indented.
        let body_from = i;
        while top.get(i).is_some_and(|s| s.2 > 0) {
            i += 1;
        }
        let body = top.get(body_from..i).unwrap_or(&[]);
        let body_indent = body.first().map_or(0, |s| s.2);
        let (from, to) = (body.first().map_or(0, |s| s.0), body.last().map_or(0, |s| s.1));
        // `env_prefix="X"` (SettingsConfigDict or `class Config`), `{"env_prefix": "X"}`.
        for j in from..to {
            let Some(x) = t(j) else { break };
            let named = |w: &str| x.is_ident(w) || x.string() == Some(w);
            if named("env_file") {
                env_file = true;
            }
            if named("env_prefix") && t(j + 1).is_some_and(|y| y.is("=") || y.is(":")) {
                prefix = Some(t(j + 2).and_then(Token::string).unwrap_or("\u{0}").to_string());
            }
        }
        let prefix = prefix.unwrap_or_default();
        if prefix.contains('\u{0}') {
            continue;
        }
        for &(s, e, ind) in body {
            if ind != body_indent {
                continue;
            }
            let (Some(field), true) = (t(s).and_then(Token::ident), t(s + 1).is_some_and(|y| y.is(":"))) else {
                continue;
            };
            if field.starts_with('_') || field == "model_config" {
                continue;
            }
            let eq = (s + 2..e).find(|&j| t(j).is_some_and(|y| y.is("=")) && depth_zero(toks, s + 2, j));
            let annotation = s + 2..eq.unwrap_or(e);
            let idents: Vec<&str> = annotation.clone().filter_map(|j| t(j).and_then(Token::ident)).collect();
            if idents.is_empty() || !idents.iter().all(|w| SCALAR_TYPES.contains(w)) || idents.contains(&"ClassVar") {
                continue;
            }
            let may_be_none = idents.iter().any(|w| *w == "Optional" || *w == "None");
            let required = match eq {
                None => true,
                Some(q) => match field_call(toks, q + 1, e) {
                    FieldDefault::Aliased => continue,
                    FieldDefault::Required => true,
                    FieldDefault::Default => false,
                },
            };
            let key = format!("{prefix}{field}").to_uppercase();
            if !is_key(&key) {
                continue;
            }
            let Some(ft) = t(s) else { continue };
            let required = required && !may_be_none && !env_file;
            let why = if required {
                "a pydantic-settings field with no default: instantiating the settings on import raises `ValidationError` without it"
            } else {
                "a pydantic-settings field with a default"
            };
            reads.retain(|r| r.key.value != key);
            reads.push(PyRead {
                key: Spanned::new(key, Span::new(file, ft.start..ft.end)),
                required,
                why,
                alternatives: Vec::new(),
            });
        }
        out.settings.push(SettingsClass { name: name.to_string(), reads, prefix, env_file });
    }
}

/// Whether token `j` is outside brackets opened from `from`.
fn depth_zero(toks: &[Token<'_>], from: usize, j: usize) -> bool {
    let mut depth = 0isize;
    for k in from..j {
        match toks.get(k).map(|t| &t.tok) {
            Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
            Some(Tok::Punct(")" | "]" | "}")) => depth -= 1,
            _ => {}
        }
    }
    depth == 0
}

enum FieldDefault {
    Required,
    Default,
    /// `Field(alias=…)`: another key, not guessed.
    Aliased,
}

/// What a field's value `= …` (tokens `from..end`) says: `Field(...)` or `Field()` without a
/// default is required, `Field(alias=…)` reads another key, anything else is a default.
fn field_call(toks: &[Token<'_>], from: usize, end: usize) -> FieldDefault {
    let t = |k: usize| toks.get(k);
    if !t(from).is_some_and(|x| x.is_ident("Field")) || !t(from + 1).is_some_and(|x| x.is("(")) {
        return FieldDefault::Default;
    }
    let open = from + 1;
    if ["alias", "validation_alias"].iter().any(|k| has_kwarg(toks, open, k)) {
        return FieldDefault::Aliased;
    }
    if has_kwarg(toks, open, "default") || has_kwarg(toks, open, "default_factory") {
        return FieldDefault::Default;
    }
    let close = closing(toks, open).min(end);
    let first = t(open + 1);
    let positional =
        first.is_some_and(|x| !(x.is(")") || (x.ident().is_some() && t(open + 2).is_some_and(|y| y.is("=")))));
    if close == open + 1 || !positional || first.is_some_and(|x| x.is("...")) {
        FieldDefault::Required
    } else {
        FieldDefault::Default
    }
}

/// A dotted name from `k`: the name and the index after it.
fn dotted(toks: &[Token<'_>], mut k: usize) -> (String, usize) {
    let mut name = String::new();
    while let Some(w) = toks.get(k).and_then(Token::ident) {
        name.push_str(w);
        if toks.get(k + 1).is_some_and(|y| y.is(".")) && toks.get(k + 2).and_then(Token::ident).is_some() {
            name.push('.');
            k += 2;
        } else {
            k += 1;
            break;
        }
    }
    (name, k)
}

/// The keys read before `os.environ["K"]` (its `environ` at `k`) as `os.environ.get("A") or
/// os.getenv("B") or os.environ["K"]`: K is read only when they are all empty or absent.
/// `None` when something else comes first (`x or os.environ["K"]`): K may never be read.
fn fallback_of(toks: &[Token<'_>], k: usize) -> Option<Vec<String>> {
    let t = |i: usize| toks.get(i);
    // The start of the expression: `os.environ`, or `environ` imported from `os`.
    let mut start = if k >= 2 && t(k - 1).is_some_and(|p| p.is(".")) && t(k - 2).is_some_and(|p| p.is_ident("os")) {
        k - 2
    } else {
        k
    };
    let mut out = Vec::new();
    // Each `… .get("A") or` / `… getenv("A") or` before it, with no default argument.
    while start >= 5
        && t(start - 1).is_some_and(|p| p.is_ident("or"))
        && t(start - 2).is_some_and(|p| p.is(")"))
        && t(start - 4).is_some_and(|p| p.is("("))
        && t(start - 5).is_some_and(|p| p.is_ident("get") || p.is_ident("getenv"))
    {
        let Some(key) = t(start - 3).and_then(Token::string).filter(|s| is_key(s)) else { break };
        out.push(key.to_string());
        // Back over `os.environ.` / `os.` / `environ.` before the method.
        let mut s = start - 5;
        while s >= 2 && t(s - 1).is_some_and(|p| p.is(".")) && t(s - 2).and_then(Token::ident).is_some() {
            s -= 2;
        }
        start = s;
    }
    if start >= 1 && t(start - 1).is_some_and(|p| p.is_ident("or")) {
        return None;
    }
    out.reverse();
    Some(out)
}

fn env_read(
    file: FileId,
    toks: &[Token<'_>],
    k: usize,
    top: bool,
    environ_vars: &[&str],
    scheme_keys: &[&str],
    decouple: bool,
) -> Option<PyRead> {
    let t = |i: usize| toks.get(i);
    let x = t(k)?;
    let read = |key_tok: &Token<'_>, required: bool, why: &'static str| -> Option<PyRead> {
        let key = key_tok.string()?;
        is_key(key).then(|| PyRead {
            key: Spanned::new(key.to_string(), Span::new(file, key_tok.start..key_tok.end)),
            required,
            why,
            alternatives: Vec::new(),
        })
    };
    let after_dot = k > 0 && t(k - 1).is_some_and(|p| p.is("."));
    // os.environ["K"] (not an assignment, not `del`).
    if x.is_ident("environ") && t(k + 1).is_some_and(|y| y.is("[")) && t(k + 3).is_some_and(|y| y.is("]")) {
        let assigned = t(k + 4).is_some_and(|y| y.is("=") || y.is("+="));
        let deleted = k >= 2 && t(k.saturating_sub(3)).is_some_and(|p| p.is_ident("del"));
        if assigned || deleted {
            return None;
        }
        let Some(alternatives) = fallback_of(toks, k) else {
            return read(t(k + 2)?, false, "read here as the fallback of another value");
        };
        if !alternatives.is_empty() {
            let why = "read here with `os.environ[…]` as the fallback of other keys: the import raises `KeyError` when all are absent";
            return read(t(k + 2)?, top, why).map(|r| PyRead { alternatives, ..r });
        }
        return read(t(k + 2)?, top, "read here with `os.environ[…]`: the import raises `KeyError` without it");
    }
    if (x.is_ident("getenv") && after_dot)
        || (x.is_ident("get") && after_dot && k >= 2 && t(k - 2).is_some_and(|p| p.is_ident("environ")))
    {
        if t(k + 1).is_some_and(|y| y.is("(")) {
            return read(t(k + 2)?, false, "read here with a fallback");
        }
        return None;
    }
    // django-environ: env("K"), env.str("K"); python-decouple: config("K").
    let name = x.ident()?;
    let environ_call = environ_vars.contains(&name) && !after_dot;
    let decouple_call = decouple && name == "config" && !after_dot;
    if !environ_call && !decouple_call {
        return None;
    }
    let mut open = k + 1;
    if environ_call && t(k + 1).is_some_and(|y| y.is(".")) {
        let method = t(k + 2)?.ident()?;
        if !matches!(method, "str" | "bool" | "int" | "float" | "list" | "tuple" | "dict" | "url" | "path" | "json") {
            return None;
        }
        open = k + 3;
    }
    if !t(open)?.is("(") {
        return None;
    }
    let key_tok = t(open + 1)?;
    let key = key_tok.string()?;
    let defaulted = has_kwarg(toks, open, "default") || (environ_call && scheme_keys.contains(&key));
    let why = if environ_call {
        "read here by django-environ with no default: the import raises `ImproperlyConfigured` without it"
    } else {
        "read here by python-decouple with no default: the import raises `UndefinedValueError` without it"
    };
    read(key_tok, top && !defaulted, if top && !defaulted { why } else { "read here with a default" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fallback_read_requires_one_of_the_keys() {
        let src = "import os\nURL = os.environ.get(\"DB_URL\") or os.getenv(\"DATABASE_URL\") or os.environ[\"PG_URL\"]\nKEY = x or os.environ[\"PLAIN\"]\n";
        let f = parse(FileId(0), src);
        let got: Vec<(&str, bool, Vec<String>)> =
            f.reads.iter().map(|r| (r.key.value.as_str(), r.required, r.alternatives.clone())).collect();
        let alts = vec!["DB_URL".to_string(), "DATABASE_URL".to_string()];
        assert_eq!(
            got,
            [
                ("DB_URL", false, vec![]),
                ("DATABASE_URL", false, vec![]),
                ("PG_URL", true, alts),
                ("PLAIN", false, vec![])
            ]
        );
    }

    #[test]
    fn imports_bind_names_to_modules() {
        let src = "import a.b\nimport c.d as e, f\nfrom g import h, i as j\nfrom . import k\na.b.run()\nx.y.z()\n";
        let f = parse(FileId(0), src);
        let bound: Vec<(String, String)> = f.imports.iter().flat_map(|i| i.bound.clone()).collect();
        let pairs = [("a.b", "a.b"), ("e", "c.d"), ("f", "f"), ("h", "g.h"), ("j", "g.i"), ("k", "k")];
        assert_eq!(bound, pairs.map(|(l, p)| (l.to_string(), p.to_string())));
        assert_eq!(f.calls, ["a.b.run", "x.y.z"]);
    }

    #[test]
    fn function_bodies_keep_their_reads_and_calls() {
        let src = r#"import os

def create_app():
    url = os.environ["DB_URL"]
    if url:
        token = os.environ["TOKEN"]
    setup(url)
    app.route("/")(handler)
    return url

async def other():
    return os.getenv("OPT")

app = create_app()

if __name__ == "__main__":
    main()
"#;
        let f = parse(FileId(0), src);
        let names: Vec<&str> = f.functions.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["create_app", "other"]);
        let create = &f.functions[0];
        let keys: Vec<&str> = create.reads.iter().map(|r| r.key.value.as_str()).collect();
        assert_eq!(keys, ["DB_URL"]);
        // A dotted call is kept for the model to resolve through an import, if one binds `app`.
        assert_eq!(create.calls, ["setup", "app.route"]);
        assert!(f.functions[1].reads.is_empty());
        assert_eq!(f.calls, ["create_app"]);
        assert_eq!(f.main_block.as_ref().map(|b| b.calls.clone()), Some(vec!["main".to_string()]));
        // The module-level view is unchanged: a read in a function is optional there.
        assert!(f.reads.iter().all(|r| !r.required));
    }

    #[test]
    fn pydantic_settings_fields() {
        let src = r#"from typing import Optional
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from .models import Database

class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="shop_")

    database_url: str
    api_token: SecretStr = Field(...)
    webhook_secret: str = Field(description="signs webhooks")
    debug: bool = False
    workers: int = Field(4, ge=1)
    sentry_dsn: Optional[str] = None
    region: str | None
    db: Database
    legacy: str = Field(alias="OLD_NAME")
    # commented: str

    def url(self) -> str:
        x: str = "inside a method"
        return x

class Worker(Settings):
    queue_url: str

class Local(BaseSettings):
    home_dir: str

    class Config:
        env_file = ".env"

settings = Settings()
worker = Worker(_env_prefix="W_")
local = Local(home_dir="/tmp")
"#;
        let f = parse(FileId(0), src);
        let classes: Vec<(String, Vec<(String, bool)>)> = f
            .settings
            .iter()
            .map(|c| (c.name.clone(), c.reads.iter().map(|r| (r.key.value.clone(), r.required)).collect()))
            .collect();
        let shop = vec![
            ("SHOP_DATABASE_URL".to_string(), true),
            ("SHOP_API_TOKEN".to_string(), true),
            ("SHOP_WEBHOOK_SECRET".to_string(), true),
            ("SHOP_DEBUG".to_string(), false),
            ("SHOP_WORKERS".to_string(), false),
            ("SHOP_SENTRY_DSN".to_string(), false),
            ("SHOP_REGION".to_string(), false),
        ];
        let mut worker = shop.clone();
        worker.push(("SHOP_QUEUE_URL".to_string(), true));
        assert_eq!(
            classes,
            [
                ("Settings".to_string(), shop),
                ("Worker".to_string(), worker),
                ("Local".to_string(), vec![("HOME_DIR".to_string(), false)]),
            ]
        );
        assert_eq!(f.instantiated, ["Settings"]);
    }

    fn reads(text: &str) -> Vec<(String, bool)> {
        parse(FileId(0), text).reads.into_iter().map(|r| (r.key.value, r.required)).collect()
    }

    #[test]
    fn reads_and_imports() {
        let src = r#"import os, sys as system
from . import views
from ..core.db import (engine,
    Session as S)
import environ
from decouple import config

env = environ.Env(DEBUG=(bool, False))
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = env("DEBUG")
DATABASES = {"default": env.db()}
ALLOWED = env.list("ALLOWED_HOSTS")
CACHE = env.str("CACHE_URL", default="locmem://")
SENTRY = os.environ.get("SENTRY_DSN")
LEVEL = os.getenv("LOG_LEVEL", "info")
STRIPE = config("STRIPE_KEY")
PAGE = config("PAGE_SIZE", default=20, cast=int)
os.environ["SET_HERE"] = "1"
# os.environ["COMMENTED"]
if DEBUG:
    EXTRA = os.environ["ONLY_IN_DEBUG"]
def handler():
    return os.environ["AT_CALL_TIME"]
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shop.settings.production")
"#;
        assert_eq!(
            reads(src),
            [
                ("SECRET_KEY".to_string(), true),
                ("DEBUG".to_string(), false),
                ("ALLOWED_HOSTS".to_string(), true),
                ("CACHE_URL".to_string(), false),
                ("SENTRY_DSN".to_string(), false),
                ("LOG_LEVEL".to_string(), false),
                ("STRIPE_KEY".to_string(), true),
                ("PAGE_SIZE".to_string(), false),
                ("ONLY_IN_DEBUG".to_string(), false),
                ("AT_CALL_TIME".to_string(), false),
            ]
        );
        let imports: Vec<(usize, String, Vec<String>)> =
            parse(FileId(0), src).imports.into_iter().map(|i| (i.level, i.module, i.names)).collect();
        assert_eq!(imports[0], (0, "os".to_string(), vec![]));
        assert_eq!(imports[1], (0, "sys".to_string(), vec![]));
        assert_eq!(imports[2], (1, String::new(), vec!["views".to_string()]));
        assert_eq!(imports[3], (2, "core.db".to_string(), vec!["engine".to_string(), "Session".to_string()]));
        assert!(imports.iter().any(|i| i.1 == "shop.settings.production"));
    }
}
