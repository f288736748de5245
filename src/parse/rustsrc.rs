//! Rust source facts: the env keys a file reads, and whether it fails without each.
//!
//! - `env::var("K")` (also `std::env::var`, `dotenvy::var`, `dotenv::var`, `var_os`) followed by
//!   `?`, `.expect(…)` or `.unwrap()` — also after `.map_err(…)`, `.context(…)`,
//!   `.with_context(…)`, `.wrap_err(…)` — is required; anything else (`.ok()`, `.unwrap_or*`,
//!   `if let Ok(…)`, `match`) is optional. `var_os(…)?` only returns `None`: optional.
//! - clap `#[arg(env = "K")]` / `#[clap(env)]` on a field is required when the attribute gives
//!   no default and the field is not an `Option`, a `bool` or a `Vec`.
//! - Items under `#[cfg(test)]`, `#[test]` and `#[tokio::test]` are not read.

use super::lex::{self, Syntax, Tok, Token, closing};
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustRead {
    pub key: Spanned<String>,
    pub required: bool,
    pub why: &'static str,
}

pub fn is_key(k: &str) -> bool {
    k.bytes().next().is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        && k.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
}

/// What a Rust file holds: its env reads, the modules it declares in files (`mod name;`) and
/// the clap subcommands it declares.
#[derive(Clone, Debug, Default)]
pub struct RustFile {
    pub reads: Vec<RustRead>,
    pub mods: Vec<String>,
    pub cli: super::rustcli::RustCli,
}

/// The env reads of one Rust file.
pub fn env_reads(file: FileId, text: &str) -> Vec<RustRead> {
    parse(file, text).reads
}

pub fn parse(file: FileId, text: &str) -> RustFile {
    let toks = lex::lex(text, Syntax::Rust);
    let mut out = Vec::new();
    let mut mods = Vec::new();
    let t = |k: usize| toks.get(k);
    let mut k = 0;
    while k < toks.len() {
        if t(k).is_some_and(|x| x.is("#")) && t(k + 1).is_some_and(|x| x.is("[")) {
            let close = closing(&toks, k + 1);
            let attr = toks.get(k + 2..close).unwrap_or(&[]);
            if is_test_attr(attr) {
                k = skip_item(&toks, close + 1);
                continue;
            }
            if let Some(read) = clap_env(file, &toks, attr, close + 1) {
                out.push(read);
            }
            k = close + 1;
            continue;
        }
        if let Some(read) = env_var(file, &toks, k) {
            out.push(read);
        }
        if t(k).is_some_and(|x| x.is_ident("mod")) && t(k + 2).is_some_and(|x| x.is(";")) {
            if let Some(name) = t(k + 1).and_then(Token::ident) {
                mods.push(name.trim_start_matches("r#").to_string());
            }
        }
        k += 1;
    }
    let cli = super::rustcli::commands(file, text, &toks);
    RustFile { reads: out, mods, cli }
}

fn is_test_attr(attr: &[Token<'_>]) -> bool {
    let idents: Vec<&str> = attr.iter().filter_map(Token::ident).collect();
    matches!(idents.as_slice(), ["test"] | [_, "test"])
}

/// The index after the item starting at `from`: its `{ … }` body, or its `;`.
fn skip_item(toks: &[Token<'_>], from: usize) -> usize {
    let mut k = from;
    while let Some(x) = toks.get(k) {
        if x.is("#") && toks.get(k + 1).is_some_and(|y| y.is("[")) {
            k = closing(toks, k + 1) + 1;
            continue;
        }
        if x.is(";") {
            return k + 1;
        }
        if x.is("{") {
            return closing(toks, k) + 1;
        }
        if x.is("(") || x.is("[") {
            k = closing(toks, k) + 1;
            continue;
        }
        k += 1;
    }
    toks.len()
}

/// `env::var("K")` at `k` (the `var` token), and what follows it.
fn env_var(file: FileId, toks: &[Token<'_>], k: usize) -> Option<RustRead> {
    let t = |i: usize| toks.get(i);
    let name = t(k)?.ident()?;
    if !matches!(name, "var" | "var_os") || !t(k.checked_sub(1)?)?.is("::") {
        return None;
    }
    let krate = t(k.checked_sub(2)?)?.ident()?;
    if !matches!(krate, "env" | "dotenvy" | "dotenv") {
        return None;
    }
    if !t(k + 1)?.is("(") || !t(k + 3)?.is(")") {
        return None;
    }
    let key_tok = t(k + 2)?;
    let key = key_tok.string()?;
    if !is_key(key) {
        return None;
    }
    let mut a = k + 4;
    // Error conversions keep the failure.
    while t(a).is_some_and(|x| x.is("."))
        && t(a + 1).and_then(Token::ident).is_some_and(|m| {
            matches!(m, "map_err" | "context" | "with_context" | "wrap_err" | "wrap_err_with" | "ok_or" | "ok_or_else")
        })
        && t(a + 2).is_some_and(|x| x.is("("))
    {
        let option_to_result = matches!(t(a + 1).and_then(Token::ident), Some("ok_or" | "ok_or_else"));
        if option_to_result && name != "var_os" {
            break;
        }
        a = closing(toks, a + 2) + 1;
    }
    let converted = a != k + 4;
    let (required, why) = if t(a).is_some_and(|x| x.is("?")) && (name == "var" || converted) {
        (true, "read here with `?`: the program stops without it")
    } else if t(a).is_some_and(|x| x.is("."))
        && t(a + 1).is_some_and(|x| x.is_ident("expect"))
        && t(a + 2).is_some_and(|x| x.is("("))
    {
        (true, "read here with `.expect(…)`: the program panics without it")
    } else if t(a).is_some_and(|x| x.is("."))
        && t(a + 1).is_some_and(|x| x.is_ident("unwrap"))
        && t(a + 2).is_some_and(|x| x.is("("))
        && t(a + 3).is_some_and(|x| x.is(")"))
    {
        (true, "read here with `.unwrap()`: the program panics without it")
    } else {
        (false, "read here with a fallback")
    };
    let span = Span::new(file, key_tok.start..key_tok.end);
    Some(RustRead { key: Spanned::new(key.to_string(), span), required, why })
}

/// A clap `#[arg(…, env = "K", …)]` attribute (`attr`, the tokens inside `#[…]`) on the field
/// that starts at `field`.
fn clap_env(file: FileId, toks: &[Token<'_>], attr: &[Token<'_>], field: usize) -> Option<RustRead> {
    if !matches!(attr.first()?.ident()?, "arg" | "clap" | "structopt") || !attr.get(1)?.is("(") {
        return None;
    }
    let mut explicit: Option<&Token<'_>> = None;
    let mut named_env = false;
    let mut default = false;
    let mut depth = 0usize;
    for (i, x) in attr.iter().enumerate() {
        match x.tok {
            Tok::Punct("(" | "[" | "{") => depth += 1,
            Tok::Punct(")" | "]" | "}") => depth = depth.saturating_sub(1),
            Tok::Ident(w) if depth == 1 => {
                let after = attr.get(i + 1);
                if w == "env" {
                    named_env = true;
                    if after.is_some_and(|a| a.is("=")) {
                        explicit = attr.get(i + 2).filter(|v| v.string().is_some());
                        explicit?;
                    }
                } else if w.starts_with("default_value")
                    || w == "default_values"
                    || w == "default_values_t"
                    || (w == "required" && attr.get(i + 2).is_some_and(|v| v.is_ident("false")))
                {
                    default = true;
                }
            }
            _ => {}
        }
    }
    if !named_env {
        return None;
    }
    // The field: past other attributes and `pub`, `name: Type`.
    let mut k = field;
    while toks.get(k).is_some_and(|x| x.is("#")) && toks.get(k + 1).is_some_and(|y| y.is("[")) {
        k = closing(toks, k + 1) + 1;
    }
    if toks.get(k).is_some_and(|x| x.is_ident("pub")) {
        k += 1;
        if toks.get(k).is_some_and(|x| x.is("(")) {
            k = closing(toks, k) + 1;
        }
    }
    let name_tok = toks.get(k)?;
    let name = name_tok.ident()?;
    if !toks.get(k + 1)?.is(":") {
        return None;
    }
    let ty = toks.get(k + 2)?.ident()?;
    let optional_type = matches!(ty, "Option" | "bool" | "Vec");
    let (key, span) = match explicit {
        Some(v) => (v.string()?.to_string(), Span::new(file, v.start..v.end)),
        None => (name.to_ascii_uppercase(), Span::new(file, name_tok.start..name_tok.end)),
    };
    if !is_key(&key) {
        return None;
    }
    let required = !default && !optional_type;
    let why = if required {
        "read here by clap with no default: the program exits without it"
    } else {
        "read here by clap with a default or as optional"
    };
    Some(RustRead { key: Spanned::new(key, span), required, why })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(text: &str) -> Vec<(String, bool)> {
        env_reads(FileId(0), text).into_iter().map(|r| (r.key.value, r.required)).collect()
    }

    #[test]
    fn required_and_optional_reads() {
        let src = r#"
use std::env;
fn load() -> anyhow::Result<()> {
    let a = env::var("SEARCH_URL")?;
    let b = std::env::var("DB").expect("DB");
    let c = env::var("PORT").unwrap();
    let d = env::var("LOG").ok();
    let e = env::var("MODE").unwrap_or_else(|_| "x".into());
    if let Ok(v) = env::var("DEBUG") {}
    let f = dotenvy::var("TOKEN").context("TOKEN")?;
    let g = env::var("LEVEL").unwrap_or_default();
    let h = env::var_os("HOME")?;
    // let x = env::var("COMMENTED")?;
    let s = "env::var(\"IN_STRING\")?";
    let k = env::var(format!("{}_URL", p))?;
    Ok(())
}
#[cfg(test)]
mod tests { fn t() { std::env::var("TEST_ONLY").unwrap(); } }
"#;
        assert_eq!(
            reads(src),
            [
                ("SEARCH_URL".to_string(), true),
                ("DB".to_string(), true),
                ("PORT".to_string(), true),
                ("LOG".to_string(), false),
                ("MODE".to_string(), false),
                ("DEBUG".to_string(), false),
                ("TOKEN".to_string(), true),
                ("LEVEL".to_string(), false),
                ("HOME".to_string(), false),
            ]
        );
    }

    #[test]
    fn clap_env_args() {
        let src = r#"
#[derive(Parser)]
struct Args {
    /// The database.
    #[arg(long, env = "DATABASE_URL")]
    database_url: String,
    #[arg(long, env = "PORT", default_value_t = 8080)]
    port: u16,
    #[clap(long, env = "SENTRY_DSN")]
    pub sentry_dsn: Option<String>,
    #[arg(long, env)]
    redis_url: String,
    #[arg(long, env = "VERBOSE")]
    verbose: bool,
}
"#;
        assert_eq!(
            reads(src),
            [
                ("DATABASE_URL".to_string(), true),
                ("PORT".to_string(), false),
                ("SENTRY_DSN".to_string(), false),
                ("REDIS_URL".to_string(), true),
                ("VERBOSE".to_string(), false),
            ]
        );
    }
}
