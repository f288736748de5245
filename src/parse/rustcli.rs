//! Subcommands declared with clap (or structopt) in a Rust file.
//!
//! - Derive: the types deriving `Parser`, `Args`, `Subcommand` (or structopt's `StructOpt`).
//!   An enum's variants are subcommands, named as clap names them: kebab-cased (`SyncUsers`
//!   → `sync-users`), or as the enum's `rename_all = "…"` says, or the variant's own
//!   `name = "…"`; `alias`, `aliases`, `visible_alias(es)` add names. The types a
//!   `subcommand` or `flatten` field holds, and a variant's payload types, bring in their
//!   own subcommands (the code model follows them from the `Parser` roots); an
//!   `external_subcommand` accepts any name.
//! - Builder: `Command::new("name")`, `App::new("name")` and `SubCommand::with_name("name")`
//!   given to `.subcommand(…)` / `.subcommands(…)`, or standing alone in a file that uses clap
//!   (a function that returns one subcommand). One whose own chain adds subcommands is a root
//!   (or a parent, when it is itself given to `.subcommand`).
//!
//! A name that is not a literal, a `rename_all` clap does not know, an external subcommand,
//! or `infer_subcommands` (any unique prefix runs a subcommand) leaves the set of names open
//! (`dynamic`).

use super::lex::{Brackets, Token, closing};
use crate::source::{FileId, Span, Spanned};
use std::collections::HashMap;

/// A subcommand and the other names that run it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RustCommand {
    pub name: Spanned<String>,
    pub aliases: Vec<String>,
}

/// A type deriving clap's `Parser`, `Args` or `Subcommand` (or structopt's `StructOpt`).
#[derive(Clone, Debug, Default)]
pub struct ClapType {
    pub name: String,
    /// Derives `Parser` (or `StructOpt`): a command line's root.
    pub root: bool,
    /// The subcommands it declares (an enum's variants).
    pub commands: Vec<RustCommand>,
    /// The types whose subcommands it brings in: a `subcommand` or `flatten` field's type, a
    /// variant's payload types (those that are no clap type are left alone).
    pub refs: Vec<String>,
    /// Types that must be clap types of the repository for the names to be known: a
    /// `subcommand` field's, a `flatten` variant's.
    pub needs: Vec<String>,
    /// A name the source does not spell out: an external subcommand, a `rename_all` clap
    /// does not know, a `name = CONST`.
    pub dynamic: bool,
    /// A struct with a positional argument (a field without `long` or `short`): a word in a
    /// subcommand's place may be its value.
    pub positional: bool,
}

/// The subcommands a file declares.
#[derive(Clone, Debug, Default)]
pub struct RustCli {
    /// The clap types, derive-style.
    pub types: Vec<ClapType>,
    /// Builder-style subcommands.
    pub commands: Vec<RustCommand>,
    /// Names of root commands (a builder whose chain adds subcommands, a `Parser` struct's
    /// `name = "…"`): accepted in a task's place, never tasks.
    pub roots: Vec<String>,
    /// Adds subcommands (a derived enum, a `.subcommand(` call): the program runs a command line.
    pub declares: bool,
    /// A builder subcommand named at run time: the set is open.
    pub dynamic: bool,
}

/// The words of a Rust identifier as heck (which clap uses) splits them: at a lower-case
/// letter or digit followed by an upper-case one, before the last capital of a run followed
/// by a lower-case letter (`HTTPServer` → `HTTP`, `Server`), and at `_`.
fn words(ident: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for part in ident.split('_').filter(|p| !p.is_empty()) {
        let chars: Vec<char> = part.chars().collect();
        let mut cur = String::new();
        for (i, &c) in chars.iter().enumerate() {
            let prev = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
            let next = chars.get(i + 1).copied();
            let boundary = c.is_uppercase()
                && prev.is_some_and(|p| {
                    p.is_lowercase() || p.is_ascii_digit() || (p.is_uppercase() && next.is_some_and(char::is_lowercase))
                });
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            cur.push(c);
        }
        if !cur.is_empty() {
            out.push(cur);
        }
    }
    out
}

/// A variant's name as clap spells it under `rename_all` (`None`: a casing clap does not know).
fn rename(ident: &str, casing: &str) -> Option<String> {
    let w = words(ident);
    let lower = |s: &String| s.to_lowercase();
    let upper = |s: &String| s.to_uppercase();
    let title = |s: &String| {
        let mut c = s.chars();
        c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c.flat_map(char::to_lowercase)).collect())
    };
    let join = |f: &dyn Fn(&String) -> String, sep: &str| w.iter().map(f).collect::<Vec<_>>().join(sep);
    Some(match casing {
        "kebab-case" | "kebab" => join(&lower, "-"),
        "snake_case" | "snake" => join(&lower, "_"),
        "SCREAMING_SNAKE_CASE" | "screaming_snake" => join(&upper, "_"),
        "SCREAMING-KEBAB-CASE" | "screaming_kebab" => join(&upper, "-"),
        "PascalCase" | "pascal" => join(&title, ""),
        "camelCase" | "camel" => {
            let p = join(&title, "");
            let mut c = p.chars();
            c.next().map_or_else(String::new, |f| f.to_lowercase().chain(c).collect())
        }
        "lowercase" | "lower" => ident.to_lowercase(),
        "UPPERCASE" | "upper" => ident.to_uppercase(),
        "verbatim" => ident.to_string(),
        _ => return None,
    })
}

/// Whether the file uses clap or structopt at all.
fn uses_clap(toks: &[Token<'_>]) -> bool {
    toks.iter().any(|t| matches!(t.ident(), Some("clap" | "structopt" | "Subcommand")))
}

/// What one `#[command(…)]` / `#[clap(…)]` / `#[structopt(…)]` attribute says.
#[derive(Default)]
struct Attr {
    name: Option<Option<(String, Span)>>,
    aliases: Vec<String>,
    rename_all: Option<Option<String>>,
    flatten: bool,
    external: bool,
    skip: bool,
}

/// Reads the clap attribute whose tokens (inside `#[…]`) are `attr`.
fn clap_attr(file: FileId, text: &str, attr: &[Token<'_>]) -> Option<Attr> {
    if !matches!(attr.first()?.ident()?, "command" | "clap" | "structopt") || !attr.get(1)?.is("(") {
        return None;
    }
    let mut out = Attr::default();
    let mut depth = 0usize;
    for (i, x) in attr.iter().enumerate() {
        if x.is("(") || x.is("[") || x.is("{") {
            depth += 1;
            continue;
        }
        if x.is(")") || x.is("]") || x.is("}") {
            depth = depth.saturating_sub(1);
            continue;
        }
        let Some(w) = x.ident().filter(|_| depth == 1) else { continue };
        let eq = attr.get(i + 1).is_some_and(|a| a.is("="));
        let value = attr.get(i + 2).filter(|_| eq);
        let lit = value.and_then(|v| v.string().map(|s| (s.to_string(), inner_span(file, text, v))));
        match w {
            "name" if eq => out.name = Some(lit),
            "alias" | "visible_alias" if eq => out.aliases.extend(lit.map(|l| l.0)),
            "aliases" | "visible_aliases" if eq => {
                let open = i + 2;
                if attr.get(open).is_some_and(|a| a.is("[")) {
                    let close = closing(attr, open);
                    out.aliases.extend(
                        attr.get(open..close).unwrap_or(&[]).iter().filter_map(|a| a.string().map(str::to_string)),
                    );
                }
            }
            "rename_all" if eq => out.rename_all = Some(lit.map(|l| l.0)),
            "flatten" => out.flatten = true,
            "external_subcommand" => out.external = true,
            "skip" => out.skip = true,
            _ => {}
        }
    }
    Some(out)
}

/// The span of a string literal's body (inside its quotes when it is a plain `"…"`).
fn inner_span(file: FileId, text: &str, t: &Token<'_>) -> Span {
    let plain = text.get(t.start..t.start + 1) == Some("\"") && t.end >= t.start + 2;
    if plain { Span::new(file, t.start + 1..t.end - 1) } else { Span::new(file, t.start..t.end) }
}

/// The subcommands of one file's tokens.
pub fn commands(file: FileId, text: &str, toks: &[Token<'_>]) -> RustCli {
    let mut out = RustCli::default();
    if !uses_clap(toks) {
        return out;
    }
    let b = Brackets::new(toks);
    derived(file, text, &b, &mut out);
    built(file, text, &b, &mut out);
    // External subcommands run any name; inferred ones any unique prefix.
    if toks.iter().any(|t| matches!(t.ident(), Some("allow_external_subcommands" | "infer_subcommands"))) {
        out.dynamic = true;
    }
    out
}

/// The types deriving `Subcommand`, `Parser`, `Args` or `StructOpt`.
fn derived(file: FileId, text: &str, b: &Brackets<'_, '_>, out: &mut RustCli) {
    let toks = b.toks();
    let t = |k: usize| toks.get(k);
    let mut k = 0;
    while k < toks.len() {
        if !(t(k).is_some_and(|x| x.is("#")) && t(k + 1).is_some_and(|x| x.is("["))) {
            k += 1;
            continue;
        }
        // The attributes of one item.
        let mut derives = false;
        let mut parser = false;
        let mut attrs: Vec<Attr> = Vec::new();
        while t(k).is_some_and(|x| x.is("#")) && t(k + 1).is_some_and(|x| x.is("[")) {
            let close = b.closing(k + 1);
            let attr = toks.get(k + 2..close).unwrap_or(&[]);
            if attr.first().is_some_and(|a| a.is_ident("derive")) {
                for a in attr.iter().filter_map(Token::ident) {
                    derives |= matches!(a, "Subcommand" | "StructOpt" | "Parser" | "Args");
                    parser |= matches!(a, "Parser" | "StructOpt");
                }
            }
            attrs.extend(clap_attr(file, text, attr));
            k = close + 1;
        }
        if !derives {
            continue;
        }
        while t(k).is_some_and(|x| x.is_ident("pub")) {
            k += 1;
            if t(k).is_some_and(|x| x.is("(")) {
                k = b.closing(k) + 1;
            }
        }
        let is_enum = t(k).is_some_and(|x| x.is_ident("enum"));
        let is_struct = t(k).is_some_and(|x| x.is_ident("struct"));
        let Some(name) = t(k + 1).and_then(Token::ident).filter(|_| is_enum || is_struct) else { continue };
        // Generics are rare on a clap type; skip to its body.
        let mut open = k + 2;
        while t(open).is_some_and(|x| !x.is("{") && !x.is(";")) {
            open += 1;
        }
        let mut ty = ClapType { name: name.to_string(), root: parser, ..ClapType::default() };
        if parser && is_struct {
            out.roots.extend(attrs.iter().filter_map(|a| a.name.clone().flatten()).map(|n| n.0));
        }
        if !t(open).is_some_and(|x| x.is("{")) {
            out.types.push(ty);
            k = open;
            continue;
        }
        let close = b.closing(open);
        if is_enum {
            out.declares = true;
            let casing = match attrs.iter().rev().find_map(|a| a.rename_all.clone()) {
                Some(Some(c)) => c,
                Some(None) => {
                    ty.dynamic = true;
                    "kebab-case".to_string()
                }
                None => "kebab-case".to_string(),
            };
            variants(file, text, b, open + 1, close, &casing, &mut ty);
        } else {
            fields(b, open + 1, close, &mut ty);
        }
        out.types.push(ty);
        k = close + 1;
    }
}

/// The identifiers between `from` and `to` (a type or a variant's payload).
fn idents(toks: &[Token<'_>], from: usize, to: usize) -> Vec<String> {
    toks.get(from..to).unwrap_or(&[]).iter().filter_map(Token::ident).map(str::to_string).collect()
}

/// A struct's `subcommand` and `flatten` fields, between `from` and `to` (its body).
fn fields(b: &Brackets<'_, '_>, from: usize, to: usize, ty: &mut ClapType) {
    let toks = b.toks();
    let t = |k: usize| toks.get(k);
    let mut k = from;
    while k < to {
        let mut sub = false;
        let mut flat = false;
        let mut named = false;
        while t(k).is_some_and(|x| x.is("#")) && t(k + 1).is_some_and(|x| x.is("[")) {
            let close = b.closing(k + 1);
            let attr = toks.get(k + 2..close).unwrap_or(&[]);
            if attr.first().is_some_and(|a| matches!(a.ident(), Some("command" | "clap" | "structopt" | "arg"))) {
                sub |= attr.iter().any(|a| a.is_ident("subcommand"));
                flat |= attr.iter().any(|a| a.is_ident("flatten"));
                named |= attr.iter().any(|a| matches!(a.ident(), Some("long" | "short" | "skip")));
            }
            k = close + 1;
        }
        // `name: Type,` (the type may hold `<…>` and paths).
        let start = k;
        let mut depth = 0usize;
        while k < to {
            let Some(x) = t(k) else { break };
            if x.is("(") || x.is("[") || x.is("{") || x.is("<") {
                depth += 1;
            } else if x.is(")") || x.is("]") || x.is("}") || x.is(">") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && x.is(",") {
                break;
            }
            k += 1;
        }
        let colon = (start..k).find(|&j| t(j).is_some_and(|x| x.is(":")));
        if colon.is_some() && !(sub || flat || named) {
            ty.positional = true;
        }
        if let Some(c) = colon.filter(|_| sub || flat) {
            let names: Vec<String> =
                idents(toks, c + 1, k).into_iter().filter(|n| !matches!(n.as_str(), "Option" | "Box")).collect();
            if sub {
                ty.needs.extend(names.last().cloned());
            }
            ty.refs.extend(names);
        }
        k += 1;
    }
}

/// The variants between `from` and `to` (an enum's body).
fn variants(file: FileId, text: &str, b: &Brackets<'_, '_>, from: usize, to: usize, casing: &str, ty: &mut ClapType) {
    let toks = b.toks();
    let t = |k: usize| toks.get(k);
    let mut k = from;
    while k < to {
        let mut attrs: Vec<Attr> = Vec::new();
        while t(k).is_some_and(|x| x.is("#")) && t(k + 1).is_some_and(|x| x.is("[")) {
            let close = b.closing(k + 1);
            attrs.extend(clap_attr(file, text, toks.get(k + 2..close).unwrap_or(&[])));
            k = close + 1;
        }
        let Some(ident_tok) = t(k).filter(|x| x.ident().is_some()) else {
            k += 1;
            continue;
        };
        let ident = ident_tok.ident().unwrap_or("");
        // The variant's payload: its types bring in their subcommands.
        let mut payload: Vec<String> = Vec::new();
        let mut j = k + 1;
        if t(j).is_some_and(|x| x.is("(") || x.is("{")) {
            let c = b.closing(j);
            payload = idents(toks, j + 1, c);
            j = c + 1;
        }
        while j < to && !t(j).is_some_and(|x| x.is(",")) {
            j += 1;
        }
        let flatten = attrs.iter().any(|a| a.flatten);
        if attrs.iter().any(|a| a.external) {
            ty.dynamic = true;
        } else if flatten {
            match payload.last() {
                Some(p) => ty.needs.push(p.clone()),
                None => ty.dynamic = true,
            }
        } else if !attrs.iter().any(|a| a.skip) {
            let aliases: Vec<String> = attrs.iter().flat_map(|a| a.aliases.iter().cloned()).collect();
            let span = Span::new(file, ident_tok.start..ident_tok.end);
            let name = match attrs.iter().rev().find_map(|a| a.name.clone()) {
                Some(Some((n, s))) => Some((n, s)),
                Some(None) => None,
                None => rename(ident.trim_start_matches("r#"), casing).map(|n| (n, span)),
            };
            match name {
                Some((n, s)) => ty.commands.push(RustCommand { name: Spanned::new(n, s), aliases }),
                None => ty.dynamic = true,
            }
        }
        ty.refs.extend(payload);
        k = j + 1;
    }
}

/// Builder subcommands: `Command::new("x")`, `App::new("x")`, `SubCommand::with_name("x")`.
fn built(file: FileId, text: &str, b: &Brackets<'_, '_>, out: &mut RustCli) {
    let toks = b.toks();
    let t = |k: usize| toks.get(k);
    // `std::process::Command` (or tokio's) imported: a bare `Command::new` may be a process.
    let process = toks.split(|x| x.is(";")).any(|stmt| {
        let from = stmt.iter().position(|x| x.is_ident("use"));
        let stmt = from.and_then(|f| stmt.get(f..)).unwrap_or(&[]);
        stmt.iter().any(|x| x.is_ident("process")) && stmt.iter().any(|x| x.is_ident("Command"))
    });
    // The token ranges of `.subcommand(…)` / `.subcommands(…)` arguments.
    let mut args: Vec<(usize, usize)> = Vec::new();
    for k in 0..toks.len() {
        if t(k).is_some_and(|x| x.is("."))
            && t(k + 1).is_some_and(|x| x.is_ident("subcommand") || x.is_ident("subcommands"))
            && t(k + 2).is_some_and(|x| x.is("("))
        {
            out.declares = true;
            args.push((k + 2, b.closing(k + 2)));
        }
    }
    // Whether each token stands inside such an argument list.
    let mut depth = vec![0i64; toks.len() + 1];
    for &(o, c) in &args {
        if let Some(d) = depth.get_mut(o + 1) {
            *d += 1;
        }
        if let Some(d) = depth.get_mut(c) {
            *d -= 1;
        }
    }
    let given: Vec<bool> = depth
        .iter()
        .scan(0i64, |n, d| {
            *n += d;
            Some(*n > 0)
        })
        .collect();
    // `use clap::{Command as ClapCommand}`: the other name builds commands too.
    let mut renamed: HashMap<&str, &str> = HashMap::new();
    for k in 0..toks.len() {
        if t(k + 1).is_some_and(|x| x.is_ident("as")) {
            if let (Some(orig @ ("Command" | "App" | "SubCommand")), Some(alias)) =
                (t(k).and_then(Token::ident), t(k + 2).and_then(Token::ident))
            {
                renamed.entry(alias).or_insert(orig);
            }
        }
    }
    for k in 0..toks.len() {
        let Some(written) = t(k).and_then(Token::ident) else { continue };
        let ty = renamed.get(written).copied().unwrap_or(written);
        let ctor = match ty {
            "Command" | "App" => "new",
            "SubCommand" => "with_name",
            _ => continue,
        };
        if !(t(k + 1).is_some_and(|x| x.is("::"))
            && t(k + 2).is_some_and(|x| x.is_ident(ctor))
            && t(k + 3).is_some_and(|x| x.is("(")))
        {
            continue;
        }
        let qualified = k.checked_sub(2).and_then(&t).and_then(Token::ident);
        if matches!(qualified, Some("process")) {
            continue;
        }
        let via_clap = matches!(qualified, Some("clap"));
        let given = given.get(k).copied().unwrap_or(false);
        if written == "Command" && process && !via_clap && !given {
            continue;
        }
        let close = b.closing(k + 3);
        let lit = t(k + 4).filter(|x| x.string().is_some() && close == k + 5);
        // The chain after the constructor, to the end of the expression (brackets passed over).
        let mut end = close + 1;
        let mut parent = false;
        while let Some(x) = t(end) {
            if x.is("(") || x.is("[") || x.is("{") {
                end = b.closing(end).min(toks.len()) + 1;
                continue;
            }
            if x.is(")") || x.is("]") || x.is("}") || x.is(";") || x.is(",") {
                break;
            }
            if x.is(".") && t(end + 1).is_some_and(|y| y.is_ident("subcommand") || y.is_ident("subcommands")) {
                parent = true;
            }
            end += 1;
        }
        let end = end.min(toks.len());
        match lit {
            Some(l) => {
                let name = l.string().unwrap_or("").to_string();
                if parent && !given {
                    out.roots.push(name);
                } else {
                    out.commands.push(RustCommand {
                        name: Spanned::new(name, inner_span(file, text, l)),
                        aliases: chain_aliases(b, close + 1, end),
                    });
                }
            }
            // A subcommand named at run time; a root's name (`env!("CARGO_PKG_NAME")`) is none.
            None if given => out.dynamic = true,
            None => {}
        }
    }
}

/// `.alias("x")`, `.visible_alias("x")`, `.aliases(["a", "b"])` in a builder chain at depth 0.
fn chain_aliases(b: &Brackets<'_, '_>, from: usize, to: usize) -> Vec<String> {
    let toks = b.toks();
    let mut out = Vec::new();
    let mut k = from;
    while k < to {
        let Some(x) = toks.get(k) else { break };
        if x.is("(") || x.is("[") || x.is("{") {
            k = b.closing(k) + 1;
            continue;
        }
        let method = toks.get(k + 1).and_then(Token::ident);
        if x.is(".")
            && matches!(method, Some("alias" | "visible_alias" | "aliases" | "visible_aliases"))
            && toks.get(k + 2).is_some_and(|y| y.is("("))
        {
            let c = b.closing(k + 2);
            out.extend(toks.get(k + 3..c).unwrap_or(&[]).iter().filter_map(|a| a.string().map(str::to_string)));
            k = c + 1;
            continue;
        }
        k += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::lex::{self, Syntax};

    fn cli(src: &str) -> RustCli {
        commands(FileId(0), src, &lex::lex(src, Syntax::Rust))
    }

    /// A clap type as the tests compare it: name, root, commands, refs, needs.
    type Shape<'a> = (&'a str, bool, Vec<(&'a str, Vec<&'a str>)>, &'a [String], &'a [String]);

    fn names(c: &[RustCommand]) -> Vec<(&str, Vec<&str>)> {
        c.iter().map(|c| (c.name.value.as_str(), c.aliases.iter().map(String::as_str).collect())).collect()
    }

    #[test]
    fn clap_casing() {
        assert_eq!(rename("SyncUsers", "kebab-case").as_deref(), Some("sync-users"));
        assert_eq!(rename("HTTPServer", "kebab-case").as_deref(), Some("http-server"));
        assert_eq!(rename("V2Migrate", "kebab-case").as_deref(), Some("v2-migrate"));
        assert_eq!(rename("Sha256Sum", "snake_case").as_deref(), Some("sha256_sum"));
        assert_eq!(rename("SyncUsers", "camelCase").as_deref(), Some("syncUsers"));
        assert_eq!(rename("SyncUsers", "lower").as_deref(), Some("syncusers"));
        assert_eq!(rename("SyncUsers", "SCREAMING_SNAKE_CASE").as_deref(), Some("SYNC_USERS"));
        assert_eq!(rename("SyncUsers", "title case"), None);
    }

    #[test]
    fn derived_subcommands() {
        let src = r#"
use clap::{Parser, Subcommand};
#[derive(Parser)]
#[command(name = "ledger")]
struct Cli {
    #[command(flatten)]
    verbose: clap_verbosity_flag::Verbosity,
    #[command(subcommand)]
    command: Option<Command>,
}
#[derive(Debug, Subcommand)]
enum Command {
    /// Syncs users.
    SyncUsers { #[arg(long)] dry_run: bool },
    #[command(name = "purge", alias = "p", visible_aliases = ["wipe"])]
    PurgeSessions,
    Db(DbArgs),
    #[command(flatten)]
    Extra(ExtraCommand),
}
#[derive(Subcommand)]
#[command(rename_all = "snake_case")]
pub(crate) enum ExtraCommand { RebuildIndex, }
"#;
        let c = cli(src);
        let types: Vec<Shape<'_>> = c
            .types
            .iter()
            .map(|t| (t.name.as_str(), t.root, names(&t.commands), t.refs.as_slice(), t.needs.as_slice()))
            .collect();
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let (cli_refs, cli_needs) = (s(&["clap_verbosity_flag", "Verbosity", "Command"]), s(&["Command"]));
        let (cmd_refs, cmd_needs) =
            (s(&["arg", "long", "dry_run", "bool", "DbArgs", "ExtraCommand"]), s(&["ExtraCommand"]));
        assert_eq!(
            types,
            [
                ("Cli", true, vec![], cli_refs.as_slice(), cli_needs.as_slice()),
                (
                    "Command",
                    false,
                    vec![("sync-users", vec![]), ("purge", vec!["p", "wipe"]), ("db", vec![])],
                    cmd_refs.as_slice(),
                    cmd_needs.as_slice()
                ),
                ("ExtraCommand", false, vec![("rebuild_index", vec![])], &[][..], &[][..]),
            ]
        );
        assert_eq!(c.roots, ["ledger"]);
        assert!(c.declares && !c.dynamic && c.types.iter().all(|t| !t.dynamic));
    }

    #[test]
    fn external_subcommands_and_unknown_casing_leave_the_set_open() {
        let open = |src: &str| cli(src).types.iter().any(|t| t.dynamic);
        let a = "use clap::Subcommand;\n#[derive(Subcommand)]\nenum C { Run, #[command(external_subcommand)] Other(Vec<String>) }\n";
        assert!(open(a));
        let b = "use clap::Subcommand;\n#[derive(Subcommand)]\n#[clap(rename_all = \"title\")]\nenum C { Run }\n";
        assert!(open(b));
        let c = "use clap::Subcommand;\n#[derive(Subcommand)]\nenum C { #[command(name = NAME)] Run }\n";
        assert!(open(c));
        let d = "use clap::{Parser, Subcommand};\n#[derive(Parser)]\n#[command(infer_subcommands = true)]\nstruct A { #[command(subcommand)] c: C }\n";
        assert!(cli(d).dynamic);
    }

    #[test]
    fn builder_subcommands() {
        let src = r#"
use clap::{Arg, Command};
use std::process;
fn cli() -> Command {
    Command::new("ledger")
        .about("x")
        .subcommand(Command::new("sync-users").alias("sync").arg(Arg::new("dry")))
        .subcommand(clap::Command::new("db").subcommand(Command::new("vacuum")))
        .subcommand(rollup())
}
fn rollup() -> Command { Command::new("rollup").about("y") }
fn old() -> clap::App<'static> { clap::App::new("x").subcommand(SubCommand::with_name("mail-digest")) }
fn run() { std::process::Command::new("git").arg("x"); }
"#;
        let c = cli(src);
        assert_eq!(
            names(&c.commands),
            [
                ("sync-users", vec!["sync"]),
                ("db", vec![]),
                ("vacuum", vec![]),
                ("rollup", vec![]),
                ("mail-digest", vec![])
            ]
        );
        assert_eq!(c.roots, ["ledger", "x"]);
        assert!(c.declares && !c.dynamic);
        let dynamic =
            "use clap::Command;\nfn f(n: &str) -> Command { Command::new(\"a\").subcommand(Command::new(n)) }\n";
        assert!(cli(dynamic).dynamic);
        let process = "use std::process::Command;\nfn f() { Command::new(\"git\").status(); }\nuse clap::Parser;\n";
        assert!(cli(process).commands.is_empty());
        let renamed = "use clap::{Arg, Command as ClapCommand};\nfn f() -> ClapCommand { ClapCommand::new(\"k\").subcommand(ClapCommand::new(\"sweep\")) }\n";
        assert_eq!(names(&cli(renamed).commands), [("sweep", vec![])]);
    }

    #[test]
    fn truncated_and_unclosed_sources() {
        // Cut inside a variant's attribute: the variants before the cut are read.
        let cut =
            "use clap::Subcommand;\n#[derive(Subcommand)]\nenum Jobs {\n    PurgeCache,\n    #[command(name = \"rot";
        let c = cli(cut);
        let jobs: Vec<_> = c.types.iter().map(|t| (t.name.as_str(), names(&t.commands))).collect();
        assert_eq!(jobs, [("Jobs", vec![("purge-cache", vec![])])]);
        // Cut in a derive, before the item it stands on.
        assert!(cli("use clap::Parser;\n#[derive(Parser").types.is_empty());
        // A builder chain left open thousands of times: each subcommand read once, quickly.
        let open = format!(
            "use clap::Command;\nfn f() {{ Command::new(\"app\"){} }}",
            ".subcommand(Command::new(\"tick\")".repeat(20_000)
        );
        let c = cli(&open);
        assert_eq!(c.commands.len(), 20_000);
        assert!(c.commands.iter().all(|x| x.name.value == "tick" && x.aliases.is_empty()));
        assert_eq!(c.roots, ["app"]);
        // Many `use` statements left without `;` and many renames.
        let uses = format!(
            "use clap::Command as C;{}\nfn f() {{ C::new(\"r\").subcommand(C::new(\"s\")); }}",
            " use x as y".repeat(20_000)
        );
        assert_eq!(names(&cli(&uses).commands), [("s", vec![])]);
    }
}
