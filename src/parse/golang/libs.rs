//! The env libraries read from the code: a struct handed to a tag library
//! (`envconfig.Process`, caarlos0 `env.Parse`), urfave/cli flags with `EnvVars`, viper's
//! `BindEnv`, and the string literals passed to functions that may be env wrappers.

use super::decls::{Ctx, split_commas, type_at};
use super::env::read_facts;
use super::lex::Toks;
use super::{EnvRead, ReadKind, StructLoad, TagLib, TypeRef, Use};
use crate::source::{Span, Spanned};
use std::ops::Range;

/// A literal that looks like an env key: upper-case letters, digits and `_`, two or more.
pub(super) fn key_shaped(s: &str) -> bool {
    s.len() >= 2
        && s.bytes().next().is_some_and(|c| c.is_ascii_uppercase() || c == b'_')
        && s.bytes().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == b'_')
        && s.bytes().any(|c| c.is_ascii_uppercase())
}

/// The string literals shaped like keys passed to the call whose `(` is at `open` (the call
/// starts at `k`): each a key when the function turns out to be an env wrapper.
pub(super) fn via_reads(
    c: &Ctx<'_, '_, '_>,
    k: usize,
    open: usize,
    target: &Use,
    in_branch: bool,
    field: Option<String>,
) -> Vec<(usize, EnvRead)> {
    let t = c.t;
    let Some(close) = t.closing(open) else { return Vec::new() };
    let args = split_commas(t, open + 1..close);
    let keyed: Vec<(usize, &Range<usize>)> =
        args.iter().enumerate().filter(|(_, a)| a.len() == 1 && t.str(a.start).is_some_and(key_shaped)).collect();
    if keyed.is_empty() {
        return Vec::new();
    }
    let facts = read_facts(t, k, close);
    keyed
        .into_iter()
        .filter_map(|(arg, a)| {
            let key = Spanned::new(t.str(a.start)?.to_string(), c.span(a.start));
            let kind = ReadKind::Via { target: target.clone(), arg };
            let optional = in_branch || facts.optional;
            Some((
                k,
                EnvRead { key, optional, conditional: in_branch, field: field.clone(), kind, alternatives: Vec::new() },
            ))
        })
        .collect()
}

/// The struct an argument names: `&cfg`, `cfg` (a pointer), `&Config{}`.
fn target_type(
    c: &Ctx<'_, '_, '_>,
    a: &Range<usize>,
    ty_of: &dyn Fn(&str, usize) -> Option<TypeRef>,
) -> Option<TypeRef> {
    let t = c.t;
    let from = if t.is(a.start, "&") { a.start + 1 } else { a.start };
    if a.end == from + 1 {
        return ty_of(t.name(from)?, from);
    }
    // `&Config{}` / `&pkg.Config{}`.
    let open = (from..a.end).find(|&j| t.is(j, "{"))?;
    (t.closing(open) == Some(a.end - 1)).then(|| type_at(c, from..open)).flatten()
}

/// A literal's string value in `r` after `key :` at its top level (`Prefix: "APP_"`): `Some(None)`
/// when the key is there with a value that is not a literal.
fn keyed_str(t: Toks<'_, '_>, r: Range<usize>, key: &str) -> Option<Option<String>> {
    let j = r.clone().find(|&j| t.ident(j) == Some(key) && t.is(j + 1, ":"))?;
    let lit = t.str(j + 2).filter(|_| t.is(j + 3, ",") || t.is(j + 3, "}")).map(str::to_string);
    Some(lit)
}

/// `envconfig.Process("prefix", &cfg)`, `env.Parse(&cfg)`, `env.ParseWithOptions(&cfg,
/// env.Options{…})`, `env.ParseAs[Config]()`, at the package name's token `k`.
pub(super) fn struct_load(
    c: &Ctx<'_, '_, '_>,
    k: usize,
    ty_of: &dyn Fn(&str, usize) -> Option<TypeRef>,
    conditional: bool,
) -> Option<StructLoad> {
    let t = c.t;
    let x = t.ident(k)?;
    let y = t.name(k + 2)?;
    if c.imports.envconfig.iter().any(|n| n == x) && matches!(y, "Process" | "MustProcess") && t.is(k + 3, "(") {
        let close = t.closing(k + 3)?;
        let args = split_commas(t, k + 4..close);
        let [pre, target] = args.as_slice() else { return None };
        let prefix = (pre.len() == 1).then(|| t.str(pre.start).map(str::to_string)).flatten();
        let ty = target_type(c, target, ty_of)?;
        return Some(StructLoad { ty, lib: TagLib::Envconfig, prefix, required_if_no_default: false, conditional });
    }
    if !c.imports.caarlos.iter().any(|n| n == x) {
        return None;
    }
    let (ty, options) = match y {
        "Parse" | "ParseWithOptions" | "ParseWithFuncs" if t.is(k + 3, "(") => {
            let close = t.closing(k + 3)?;
            let args = split_commas(t, k + 4..close);
            let ty = target_type(c, args.first()?, ty_of)?;
            (ty, args.get(1).filter(|_| y == "ParseWithOptions").cloned())
        }
        "ParseAs" | "ParseAsWithOptions" if t.is(k + 3, "[") => {
            let close = t.closing(k + 3)?;
            let ty = type_at(c, k + 4..close)?;
            let open = close + 1;
            let args = if t.is(open, "(") { split_commas(t, open + 1..t.closing(open)?) } else { Vec::new() };
            (ty, args.first().filter(|_| y == "ParseAsWithOptions").cloned())
        }
        _ => return None,
    };
    let mut prefix = Some(String::new());
    let mut required_if_no_default = false;
    if let Some(o) = options {
        // Only a literal `env.Options{…}` is read; a variable could say anything.
        let open = (o.start..o.end).find(|&j| t.is(j, "{"));
        match open.filter(|&j| t.closing(j) == Some(o.end - 1)) {
            Some(open) => {
                let r = open + 1..o.end - 1;
                if let Some(p) = keyed_str(t, r.clone(), "Prefix") {
                    prefix = p;
                }
                required_if_no_default = r.clone().any(|j| {
                    t.ident(j) == Some("RequiredIfNoDef") && t.is(j + 1, ":") && t.ident(j + 2) == Some("true")
                });
                // Field names as keys: more keys than the tags say.
                if r.clone().any(|j| t.ident(j) == Some("UseFieldNameByDefault")) {
                    prefix = None;
                }
            }
            None => prefix = None,
        }
    }
    Some(StructLoad { ty, lib: TagLib::CaarlosEnv, prefix, required_if_no_default, conditional })
}

/// The key a composite literal at `open` is the value of (`Commands: []*cli.Command{`, or
/// `app.Flags = …`: the index of that name and whether it is assigned), and whether its type is
/// `cli.X` with `X` in `types`.
fn literal_key_and_type(c: &Ctx<'_, '_, '_>, open: usize, types: &[&str]) -> (Option<(usize, bool)>, bool) {
    let t = c.t;
    let mut of_type = false;
    if let (Some(name), true) = (open.checked_sub(1).and_then(|p| t.ident(p)), open >= 3) {
        let pkg = t.ident(open - 3);
        of_type =
            types.contains(&name) && t.is(open - 2, ".") && pkg.is_some_and(|p| c.imports.cli.iter().any(|n| n == p));
    }
    // Back over the type (`[]*cli.Command`, `&cli.App`) to the `:` of its key.
    let mut j = open;
    while let Some(p) = j.checked_sub(1) {
        j = p;
        if t.is(j, "[") || t.is(j, "]") || t.is(j, "*") || t.is(j, "&") || t.is(j, ".") || t.ident(j).is_some() {
            continue;
        }
        break;
    }
    let assigned = t.is(j, "=");
    let key = (t.is(j, ":") || assigned).then(|| j.checked_sub(1).filter(|&p| t.ident(p).is_some())).flatten();
    (key.map(|k| (k, assigned)), of_type)
}

/// The braces around token `at`, innermost first.
fn enclosing_braces(t: Toks<'_, '_>, at: usize) -> Vec<usize> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut k = at;
    let floor = at.saturating_sub(20_000);
    while let Some(p) = k.checked_sub(1).filter(|&p| p >= floor) {
        k = p;
        if t.is(k, ")") || t.is(k, "]") || t.is(k, "}") {
            depth += 1;
        } else if t.is(k, "(") || t.is(k, "[") || t.is(k, "{") {
            if depth == 0 {
                if t.is(k, "{") {
                    out.push(k);
                }
            } else {
                depth -= 1;
            }
        }
    }
    out
}

/// Whether the flag literal at `open` is a flag of the application itself (checked on every
/// run): in the `Flags` of a `cli.App{…}` (or `app.Flags = …`), or of a `cli.Command{…}` that
/// has subcommands of its own, and not inside any `Commands` / `Subcommands` list.
fn app_flag(c: &Ctx<'_, '_, '_>, open: usize) -> bool {
    let t = c.t;
    let mut root = false;
    for o in enclosing_braces(t, open) {
        let (key, of_type) = literal_key_and_type(c, o, &["App", "Command"]);
        let key_name = key.and_then(|(k, _)| t.ident(k));
        if matches!(key_name, Some("Commands" | "Subcommands")) {
            return false;
        }
        // `app.Flags = []cli.Flag{…}`.
        if let Some((k, true)) = key {
            root |= key_name == Some("Flags") && k.checked_sub(1).is_some_and(|p| t.is(p, "."));
        }
        if of_type {
            let is_app = o.checked_sub(1).and_then(|p| t.ident(p)) == Some("App");
            let close = t.closing(o).unwrap_or(o);
            root |= is_app || has_top_key(t, o + 1..close, "Commands");
        }
    }
    root
}

/// Whether the composite literal body `r` has the key `key` at its top level.
fn has_top_key(t: Toks<'_, '_>, r: Range<usize>, key: &str) -> bool {
    let mut depth = 0usize;
    for j in r {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
        } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.ident(j) == Some(key) && t.is(j + 1, ":") {
            return true;
        }
    }
    false
}

/// A urfave/cli flag literal (`&cli.StringFlag{Name: …, EnvVars: []string{"K"}, Required:
/// true}`) at the package name's token `k`: its env keys. Optional unless the flag is
/// `Required`, has no `Value`, names one key and belongs to the application itself.
pub(super) fn cli_flag(c: &Ctx<'_, '_, '_>, k: usize, in_branch: bool) -> Vec<EnvRead> {
    let t = c.t;
    if !t.ident(k).is_some_and(|x| c.imports.cli.iter().any(|n| n == x))
        || !t.name(k + 2).is_some_and(|y| y.ends_with("Flag") && y != "Flag")
        || !t.is(k + 3, "{")
    {
        return Vec::new();
    }
    let open = k + 3;
    let Some(close) = t.closing(open) else { return Vec::new() };
    let mut keys: Vec<Spanned<String>> = Vec::new();
    let mut other_sources = false;
    let (mut required, mut value) = (false, false);
    let mut depth = 0usize;
    for j in open + 1..close {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
            continue;
        }
        if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth = depth.saturating_sub(1);
            continue;
        }
        if depth != 0 || !t.is(j + 1, ":") {
            continue;
        }
        let Some(name) = t.ident(j) else { continue };
        let end = value_end(t, j + 2, close);
        match name {
            "Required" => required = t.ident(j + 2) == Some("true"),
            "Value" => value = true,
            // v2: `EnvVars: []string{"A", "B"}`; v3: `Sources: cli.EnvVars("A", "B")`.
            "EnvVars" | "Sources" => {
                for m in j + 2..end {
                    if let Some(s) = t.str(m) {
                        keys.push(Spanned::new(s.to_string(), c.span(m)));
                    } else if t.ident(m).is_some_and(|f| f != "EnvVars" && f != "EnvVar" && f != "string")
                        && t.is(m + 1, "(")
                    {
                        other_sources = true;
                    }
                }
            }
            // v1: `EnvVar: "A,B"`.
            "EnvVar" => {
                if let Some(s) = t.str(j + 2) {
                    let span = c.span(j + 2);
                    keys.extend(s.split(',').map(|p| Spanned::new(p.trim().to_string(), span)));
                }
            }
            _ => {}
        }
    }
    keys.retain(|k| super::super::rustsrc::is_key(&k.value));
    let sure = required && !value && keys.len() == 1 && !other_sources && !in_branch && app_flag(c, open);
    let why =
        if sure { "read by a `Required` urfave/cli flag with no other source" } else { "read by a urfave/cli flag" };
    keys.into_iter()
        .map(|key| EnvRead {
            key,
            optional: !sure,
            conditional: in_branch,
            field: None,
            kind: ReadKind::Library(why),
            alternatives: Vec::new(),
        })
        .collect()
}

/// The end of the value that starts at `from` in a composite literal closing at `close`: the
/// next top-level `,`.
fn value_end(t: Toks<'_, '_>, from: usize, close: usize) -> usize {
    let mut depth = 0usize;
    for j in from..close {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
        } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is(j, ",") {
            return j;
        }
    }
    close
}

/// The env prefix viper is given in this file (`viper.SetEnvPrefix("app")`): `Some("")` when
/// none is set, `None` when it is not a literal, several differ, or a key replacer rewrites the
/// keys.
fn viper_prefix(t: Toks<'_, '_>) -> Option<String> {
    let mut prefix: Option<String> = Some(String::new());
    for j in 0..t.len() {
        match t.ident(j) {
            Some("SetEnvKeyReplacer") => return None,
            Some("SetEnvPrefix") if t.is(j + 1, "(") => {
                let p = t.str(j + 2).filter(|_| t.is(j + 3, ")"))?;
                match &prefix {
                    Some(q) if q.is_empty() || q == p => prefix = Some(p.to_string()),
                    _ => return None,
                }
            }
            _ => {}
        }
    }
    prefix
}

/// `viper.BindEnv("key")` / `v.BindEnv("key", "ENV_KEY", …)` at the receiver's token `k`: the
/// keys it binds, all optional (viper's keys are too dynamic to require).
pub(super) fn viper_bind(c: &Ctx<'_, '_, '_>, k: usize) -> Vec<EnvRead> {
    let t = c.t;
    if t.name(k + 2) != Some("BindEnv") || !t.is(k + 3, "(") {
        return Vec::new();
    }
    let Some(close) = t.closing(k + 3) else { return Vec::new() };
    let args = split_commas(t, k + 4..close);
    let lit = |a: &Range<usize>| (a.len() == 1).then(|| t.str(a.start)).flatten();
    let mut keys: Vec<(String, Span)> = Vec::new();
    if args.len() >= 2 {
        keys.extend(args.iter().skip(1).filter_map(|a| Some((lit(a)?.to_string(), c.span(a.start)))));
    } else if let (Some(a), Some(prefix)) = (args.first(), viper_prefix(t)) {
        if let Some(input) = lit(a) {
            let key = if prefix.is_empty() { input.to_string() } else { format!("{prefix}_{input}") };
            keys.push((key.to_uppercase(), c.span(a.start)));
        }
    }
    keys.into_iter()
        .filter(|(k, _)| super::super::rustsrc::is_key(k))
        .map(|(key, span)| EnvRead {
            key: Spanned::new(key, span),
            optional: true,
            conditional: false,
            field: None,
            kind: ReadKind::Library("bound by viper's `BindEnv`"),
            alternatives: Vec::new(),
        })
        .collect()
}
