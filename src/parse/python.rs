//! Python source facts: the modules a file imports and the env keys it reads.
//!
//! A read is required only when it runs on import (a statement at the module's top level) and
//! fails without the key: `os.environ["K"]`, django-environ `env("K")` / `env.str("K")` and
//! python-decouple `config("K")` without `default=`. `os.environ.get`, `os.getenv`, and any read
//! inside a function, a class or a block (`if`, `try`) are optional. `DJANGO_SETTINGS_MODULE`
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
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PyRead {
    pub key: Spanned<String>,
    pub required: bool,
    pub why: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct PyFile {
    pub imports: Vec<Import>,
    pub reads: Vec<PyRead>,
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
    let mut k = 0;
    while k < toks.len() {
        let Some(x) = t(k) else { break };
        let top = indents.get(k).copied().unwrap_or(1) == 0;
        let line_first = k == 0 || t(k - 1).is_some_and(|p| text.get(p.end..x.start).is_some_and(|g| g.contains('\n')));
        // Imports.
        if line_first && x.is_ident("import") {
            let mut j = k + 1;
            loop {
                let (module, next) = dotted(&toks, j);
                if !module.is_empty() {
                    out.imports.push(Import { level: 0, module, names: Vec::new() });
                }
                j = next;
                if t(j).is_some_and(|y| y.is_ident("as")) {
                    j += 2;
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
                        }
                    }
                    j += 1;
                }
            }
            out.imports.push(Import { level, module, names });
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
                out.imports.push(Import { level: 0, module: m.to_string(), names: Vec::new() });
            }
        }
        if let Some(read) = env_read(file, &toks, k, top, &environ_vars, &scheme_keys, decouple) {
            out.reads.push(read);
        }
        k += 1;
    }
    out
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
