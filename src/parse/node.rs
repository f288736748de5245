//! JavaScript and TypeScript source facts: the relative modules a file imports and the env
//! keys it reads.
//!
//! `process.env.K` / `process.env["K"]` is required only when it runs on import (outside any
//! function or block body) and the code cannot do without it: a method is called on it
//! (`process.env.K.split(",")`), it is part of a template literal that builds a path or a URL
//! (`` `${process.env.ROOT}/data` ``), it is passed to `new URL(…)`, or the module throws or
//! exits when it is absent (`if (!process.env.K) throw …`). After `||`, `??`, `?.`, inside a
//! condition, or anywhere else, it is optional. The same reads in the body of a top-level
//! function (not nested in a block of it) are kept with the function, and so are the calls it
//! makes: the code model requires them when the function runs on load, resolving a call through
//! the relative import that binds its name. `const v = process.env.A ?? process.env.B;` followed
//! by `if (!v)` that throws or exits requires one of `A` and `B`.

use super::lex::{self, Syntax, Tok, Token, closing};
use super::rustsrc::is_key;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsRead {
    pub key: Spanned<String>,
    pub required: bool,
    pub why: &'static str,
    /// The keys it falls back to (`process.env.A || process.env.B`): one of them is required.
    pub alternatives: Vec<String>,
}

#[derive(Clone, Debug, Default)]
pub struct JsFile {
    /// Relative specifiers (`./config`, `../lib/db.js`).
    pub imports: Vec<String>,
    /// The names relative imports bring into scope: (local name, the name the module exports,
    /// its specifier), from `import { a, b as c } from "./x"` and `const { a, b: c } =
    /// require("./x")`.
    pub bindings: Vec<Binding>,
    pub reads: Vec<JsRead>,
    /// The functions declared at the top level, with what their bodies do on every call.
    pub functions: Vec<JsFunction>,
    /// The names a top-level statement calls (`main()`, `const app = createApp()`): run on load.
    pub calls: Vec<String>,
    /// It loads dotenv-extended on load with `errorOnMissing: true` and its default schema
    /// file: every key of the `.env.schema` must be set, or the load throws.
    pub dotenv_extended_strict: bool,
}

/// A name a relative import brings into scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub local: String,
    pub imported: String,
    pub spec: String,
}

/// The named bindings of the import whose specifier string is at `k`: `import { a, b as c }
/// from "./x"` (`from` before it) or `const { a, b: c } = require("./x")`.
fn named_bindings(toks: &[Token<'_>], k: usize, spec: &str) -> Vec<Binding> {
    let t = |i: usize| toks.get(i);
    // The `}` that closes the braces of the names.
    let close = if k >= 1 && t(k - 1).is_some_and(|p| p.is_ident("from")) {
        k.checked_sub(2).filter(|&c| t(c).is_some_and(|x| x.is("}")))
    } else if k >= 4
        && t(k - 1).is_some_and(|p| p.is("("))
        && t(k - 2).is_some_and(|p| p.is_ident("require"))
        && t(k - 3).is_some_and(|p| p.is("="))
    {
        Some(k - 4).filter(|&c| t(c).is_some_and(|x| x.is("}")))
    } else {
        None
    };
    let Some(close) = close else { return Vec::new() };
    let Some(open) = (0..close).rev().take(400).find(|&i| t(i).is_some_and(|x| x.is("{"))) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut i = open + 1;
    while i < close {
        // `type X` in TypeScript's `import { type X }` is a type, not a value.
        if t(i).is_some_and(|x| x.is_ident("type")) && t(i + 1).and_then(Token::ident).is_some() {
            i += 1;
        }
        let Some(imported) = t(i).and_then(Token::ident) else {
            i += 1;
            continue;
        };
        let renamed = t(i + 1).is_some_and(|x| x.is_ident("as") || x.is(":"));
        let local = if renamed { t(i + 2).and_then(Token::ident).unwrap_or(imported) } else { imported };
        out.push(Binding { local: local.to_string(), imported: imported.to_string(), spec: spec.to_string() });
        i += if renamed { 3 } else { 1 };
        while i < close && !t(i).is_some_and(|x| x.is(",")) {
            i += 1;
        }
        i += 1;
    }
    out
}

/// A top-level function (`function f() {…}`, `const f = (…) => {…}`): the reads that fail without
/// the key and the calls of the statements of its body itself (not those nested in a block).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct JsFunction {
    pub name: String,
    pub reads: Vec<JsRead>,
    pub calls: Vec<String>,
}

/// The top-level functions: (name, the `{` of the body, its `}`).
fn function_bodies(toks: &[Token<'_>], depths: &[usize]) -> Vec<(String, usize, usize)> {
    let t = |k: usize| toks.get(k);
    let mut out = Vec::new();
    for (k, x) in toks.iter().enumerate() {
        if depths.get(k).copied().unwrap_or(1) != 0 {
            continue;
        }
        // `function name(`, or `const name = [async] (` / `= [async] function (`.
        let (name, open) = if x.is_ident("function") {
            let n = if t(k + 1).is_some_and(|y| y.is("*")) { k + 2 } else { k + 1 };
            match (t(n).and_then(Token::ident), t(n + 1).is_some_and(|y| y.is("("))) {
                (Some(name), true) => (name, n + 1),
                _ => continue,
            }
        } else if (x.is_ident("const") || x.is_ident("let") || x.is_ident("var")) && t(k + 2).is_some_and(|y| y.is("="))
        {
            let Some(name) = t(k + 1).and_then(Token::ident) else { continue };
            let mut j = k + 3;
            if t(j).is_some_and(|y| y.is_ident("async")) {
                j += 1;
            }
            if t(j).is_some_and(|y| y.is_ident("function")) {
                j += 1;
            }
            if !t(j).is_some_and(|y| y.is("(")) {
                continue;
            }
            (name, j)
        } else {
            continue;
        };
        let mut after = closing(toks, open) + 1;
        // A return type (`): Promise<void> {`) or an arrow.
        while let Some(y) = t(after) {
            if y.is("{") || y.is(";") || after > open + 400 {
                break;
            }
            after += 1;
        }
        if !t(after).is_some_and(|y| y.is("{")) {
            continue;
        }
        out.push((name.to_string(), after, closing(toks, after)));
    }
    out
}

/// For each token, how many function or block bodies (a `{` that follows `)`, `=>`, or a
/// keyword such as `else`, `try`, `class X`; not an object literal) it sits inside.
fn block_depths(toks: &[Token<'_>]) -> Vec<usize> {
    let mut stack: Vec<bool> = Vec::new();
    let mut out = Vec::with_capacity(toks.len());
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("{") | Tok::Punct("${") => {
                out.push(stack.iter().filter(|b| **b).count());
                let prev = k.checked_sub(1).and_then(|p| toks.get(p));
                let object = t.is("${")
                    || prev.is_none_or(|p| {
                        matches!(p.tok, Tok::Punct("=" | "(" | "," | ":" | "[" | "?" | "||" | "??" | "&&" | "..."))
                            || p.is_ident("return")
                    });
                stack.push(!object);
                continue;
            }
            Tok::Punct("}") | Tok::Punct("}$") => {
                stack.pop();
            }
            _ => {}
        }
        out.push(stack.iter().filter(|b| **b).count());
    }
    out
}

pub fn parse(file: FileId, text: &str) -> JsFile {
    let toks = lex::lex(text, Syntax::Js);
    let depths = block_depths(&toks);
    let blocks: Vec<bool> = depths.iter().map(|d| *d > 0).collect();
    let t = |k: usize| toks.get(k);
    let mut out = JsFile::default();
    let bodies = function_bodies(&toks, &depths);
    let mut functions: Vec<JsFunction> =
        bodies.iter().map(|(name, _, _)| JsFunction { name: name.clone(), ..JsFunction::default() }).collect();
    // The function whose body itself holds token `k` (depth 1 inside it).
    let body_of =
        |k: usize| bodies.iter().position(|(_, open, close)| *open < k && k < *close && depths.get(k) == Some(&1));
    for (k, x) in toks.iter().enumerate() {
        let plain_call = x.ident().is_some_and(|w| {
            !matches!(
                w,
                "if" | "for" | "while" | "switch" | "catch" | "return" | "typeof" | "await" | "async" | "function"
            )
        }) && t(k + 1).is_some_and(|y| y.is("("))
            && !k
                .checked_sub(1)
                .and_then(&t)
                .is_some_and(|p| p.is(".") || p.is("?.") || p.is_ident("function") || p.is_ident("new"));
        if plain_call && let Some(name) = x.ident() {
            match body_of(k).and_then(|b| functions.get_mut(b)) {
                Some(f) => f.calls.push(name.to_string()),
                None if depths.get(k) == Some(&0) => out.calls.push(name.to_string()),
                None => {}
            }
        }
        // import … from "./x"; import "./x"; export … from "./x"; require("./x"); import("./x")
        if let Some(spec) = x.string() {
            let prev = k.checked_sub(1).and_then(&t);
            let from = prev.is_some_and(|p| p.is_ident("from") || p.is_ident("import"));
            let call = prev.is_some_and(|p| p.is("("))
                && k >= 2
                && t(k - 2).is_some_and(|p| p.is_ident("require") || p.is_ident("import"))
                && t(k + 1).is_some_and(|n| n.is(")"));
            if (from || call) && (spec.starts_with("./") || spec.starts_with("../")) {
                out.imports.push(spec.to_string());
                out.bindings.extend(named_bindings(&toks, k, spec));
            }
            continue;
        }
        if !x.is_ident("process")
            || !t(k + 1).is_some_and(|y| y.is("."))
            || !t(k + 2).is_some_and(|y| y.is_ident("env"))
        {
            continue;
        }
        // The key token and the index after the read.
        let (key_tok, key, after) = if t(k + 3).is_some_and(|y| y.is(".")) {
            let Some(kt) = t(k + 4) else { continue };
            let Some(key) = kt.ident() else { continue };
            (kt, key.to_string(), k + 5)
        } else if t(k + 3).is_some_and(|y| y.is("[")) && t(k + 5).is_some_and(|y| y.is("]")) {
            let Some(kt) = t(k + 4) else { continue };
            let Some(key) = kt.string() else { continue };
            (kt, key.to_string(), k + 6)
        } else {
            continue;
        };
        if !is_key(&key) || t(after).is_some_and(|y| y.is("=")) {
            continue;
        }
        let top = !blocks.get(k).copied().unwrap_or(true);
        // `const v = process.env.A || process.env.B;` then `if (!v) throw …`.
        let guarded = guarded_chain(&toks, k, after);
        let alternatives = guarded.clone().unwrap_or_default();
        let why = match guarded {
            Some(alts) if alts.is_empty() => Some("read here and the module throws or exits when it is empty"),
            Some(_) => Some(
                "read here with only other keys as its fallback, and the module throws or exits when all are empty",
            ),
            None => usage(&toks, k, after),
        };
        let (required, why_here) = match why {
            Some(why) if top => (true, why),
            _ => (false, "read here with a fallback or a check"),
        };
        let span = Span::new(file, key_tok.start..key_tok.end);
        if let (Some(f), Some(why)) = (body_of(k).and_then(|b| functions.get_mut(b)), why) {
            let alternatives = alternatives.clone();
            f.reads.push(JsRead { key: Spanned::new(key.clone(), span), required: true, why, alternatives });
        }
        out.reads.push(JsRead { key: Spanned::new(key, span), required, why: why_here, alternatives });
    }
    schema_reads(file, &toks, &blocks, &mut out.reads);
    out.dotenv_extended_strict = dotenv_extended_strict(&toks, &blocks);
    out.functions = functions;
    out
}

/// The t3-env packages whose `createEnv({ server, shared, client })` validates `process.env`.
const T3_ENV_MODULES: &[&str] = &["@t3-oss/env-core", "@t3-oss/env-nextjs", "@t3-oss/env-nuxt"];

/// `require("dotenv-extended").load({ errorOnMissing: true })` (or `.config`) on load, with no
/// `schema:` option naming another file than `.env.schema`.
fn dotenv_extended_strict(toks: &[Token<'_>], blocks: &[bool]) -> bool {
    if !imports_module(toks, "dotenv-extended") {
        return false;
    }
    let t = |k: usize| toks.get(k);
    let option = |k: usize, name: &str| t(k).is_some_and(|x| x.is_ident(name)) && t(k + 1).is_some_and(|x| x.is(":"));
    let strict = (0..toks.len()).any(|k| {
        option(k, "errorOnMissing")
            && t(k + 2).is_some_and(|x| x.is_ident("true"))
            && !blocks.get(k).copied().unwrap_or(true)
    });
    let other_schema = (0..toks.len()).any(|k| {
        option(k, "schema")
            && t(k + 2).and_then(Token::string).is_none_or(|s| s.trim_start_matches("./") != ".env.schema")
    });
    strict && !other_schema
}

/// Whether the file imports `module` (`import … from "m"`, `require("m")`).
fn imports_module(toks: &[Token<'_>], module: &str) -> bool {
    toks.iter().enumerate().any(|(k, x)| {
        x.string() == Some(module)
            && k.checked_sub(1)
                .and_then(|p| toks.get(p))
                .is_some_and(|p| p.is_ident("from") || p.is("(") || p.is_ident("import"))
    })
}

/// The entries of the object literal whose `{` is at `open`: key token and value range.
fn object_entries(toks: &[Token<'_>], open: usize) -> Vec<(usize, std::ops::Range<usize>)> {
    let close = closing(toks, open);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = open + 1;
    for k in open + 1..=close {
        let Some(x) = toks.get(k) else { break };
        let end = k == close;
        match x.tok {
            Tok::Punct("(" | "[" | "{" | "${") if !end => depth += 1,
            Tok::Punct(")" | "]" | "}" | "}$") if !end => depth = depth.saturating_sub(1),
            Tok::Punct(",") if depth == 0 => {}
            _ if end => {}
            _ => continue,
        }
        if (depth == 0 && x.is(",")) || end {
            if toks.get(from + 1).is_some_and(|c| c.is(":")) {
                out.push((from, from + 2..k));
            }
            from = k + 1;
        }
    }
    out
}

/// `process.env` at `k`.
fn is_process_env(toks: &[Token<'_>], k: usize) -> bool {
    toks.get(k).is_some_and(|x| x.is_ident("process"))
        && toks.get(k + 1).is_some_and(|x| x.is("."))
        && toks.get(k + 2).is_some_and(|x| x.is_ident("env"))
}

/// The keys of the schema libraries: envalid `cleanEnv(process.env, { K: str() })` (required
/// without `default` or `devDefault`), zod `z.object({ K: z.string() })` parsed from
/// `process.env` (required without `.optional()`, `.default()`, `.nullish()`, `.catch()`),
/// env-var `env.get("K").required()`; t3-env `createEnv({ server: {…}, shared: {…} })` with zod
/// validators (required without `.optional()`, `.default()`, `.nullish()`, `.catch()`, and only
/// when the schema has no `skipValidation` other than `false`; its `client` keys are inlined into
/// the frontend bundle at build time and never required of the server). Only a schema applied on
/// load (outside a function or block) makes a key required.
fn schema_reads(file: FileId, toks: &[Token<'_>], blocks: &[bool], out: &mut Vec<JsRead>) {
    let t = |k: usize| toks.get(k);
    let top = |k: usize| !blocks.get(k).copied().unwrap_or(true);
    let key_of = |k: usize| -> Option<Spanned<String>> {
        let x = t(k)?;
        let key = x.ident().or_else(|| x.string())?;
        is_key(key).then(|| Spanned::new(key.to_string(), Span::new(file, x.start..x.end)))
    };
    let mut push = |key: Spanned<String>, required: bool, why: &'static str| {
        let why = if required { why } else { "declared with a default or as optional" };
        out.push(JsRead { key, required, why, alternatives: Vec::new() });
    };
    if imports_module(toks, "envalid") {
        for k in 0..toks.len() {
            if !t(k).is_some_and(|x| x.is_ident("cleanEnv")) || !t(k + 1).is_some_and(|x| x.is("(")) {
                continue;
            }
            if !is_process_env(toks, k + 2)
                || !t(k + 5).is_some_and(|x| x.is(","))
                || !t(k + 6).is_some_and(|x| x.is("{"))
            {
                continue;
            }
            for (key, value) in object_entries(toks, k + 6) {
                let Some(key) = key_of(key) else { continue };
                // `str()`, `envalid.str({ default: … })`.
                let mut v = value.start;
                if t(v + 1).is_some_and(|x| x.is(".")) {
                    v += 2;
                }
                let known = ["str", "bool", "num", "email", "host", "port", "url", "json"];
                if !t(v).and_then(Token::ident).is_some_and(|f| known.contains(&f))
                    || !t(v + 1).is_some_and(|x| x.is("("))
                {
                    continue;
                }
                let args = v + 1..closing(toks, v + 1);
                let defaulted = args.clone().any(|j| {
                    t(j).is_some_and(|x| x.is_ident("default") || x.is_ident("devDefault"))
                        && t(j + 1).is_some_and(|x| x.is(":"))
                });
                push(
                    key,
                    top(k) && !defaulted,
                    "declared in an envalid `cleanEnv` schema without a default: the module exits on load without it",
                );
            }
        }
    }
    if imports_module(toks, "zod") {
        // `const Schema = z.object({…})`: the name and the object's `{`.
        let mut schemas: Vec<(&str, usize)> = Vec::new();
        let object_at = |k: usize| {
            t(k).is_some_and(|x| x.is_ident("z"))
                && t(k + 1).is_some_and(|x| x.is("."))
                && t(k + 2).is_some_and(|x| x.is_ident("object"))
                && t(k + 3).is_some_and(|x| x.is("("))
                && t(k + 4).is_some_and(|x| x.is("{"))
        };
        for k in 2..toks.len() {
            if object_at(k) && t(k - 1).is_some_and(|x| x.is("=")) {
                if let Some(name) = t(k - 2).and_then(Token::ident) {
                    // `.partial()` after the object makes every key optional: not a schema of required keys.
                    let after = closing(toks, k + 3);
                    if !(t(after + 1).is_some_and(|x| x.is(".")) && t(after + 2).is_some_and(|x| x.is_ident("partial")))
                    {
                        schemas.push((name, k + 4));
                    }
                }
            }
        }
        for k in 0..toks.len() {
            // `X.parse(process.env)`.
            if !t(k).is_some_and(|x| x.is_ident("parse"))
                || !k.checked_sub(1).and_then(&t).is_some_and(|x| x.is("."))
                || !t(k + 1).is_some_and(|x| x.is("("))
                || !is_process_env(toks, k + 2)
                || !t(k + 5).is_some_and(|x| x.is(")"))
            {
                continue;
            }
            let Some(before) = k.checked_sub(2) else { continue };
            let object = match t(before) {
                Some(x) if x.is(")") => {
                    // `z.object({…}).parse(process.env)`.
                    (0..before).rev().find(|&o| object_at(o) && closing(toks, o + 3) == before).map(|o| o + 4)
                }
                Some(x) => x.ident().and_then(|n| schemas.iter().find(|(s, _)| *s == n).map(|(_, o)| *o)),
                None => None,
            };
            let Some(open) = object else { continue };
            for (key, value) in object_entries(toks, open) {
                let Some(key) = key_of(key) else { continue };
                if !t(value.start).is_some_and(|x| x.is_ident("z")) {
                    continue;
                }
                let optional = value.clone().any(|j| {
                    t(j).and_then(Token::ident)
                        .is_some_and(|w| matches!(w, "optional" | "default" | "nullish" | "catch"))
                });
                push(
                    key,
                    top(k) && !optional,
                    "declared in a zod schema parsed from `process.env`: the module throws on load without it",
                );
            }
        }
    }
    if T3_ENV_MODULES.iter().any(|m| imports_module(toks, m)) {
        for k in 0..toks.len() {
            if !t(k).is_some_and(|x| x.is_ident("createEnv"))
                || !t(k + 1).is_some_and(|x| x.is("("))
                || !t(k + 2).is_some_and(|x| x.is("{"))
            {
                continue;
            }
            let entries = object_entries(toks, k + 2);
            let name = |key: usize| t(key).and_then(|x| x.ident().or_else(|| x.string()));
            // `skipValidation: !!process.env.SKIP_ENV_VALIDATION`: a run may skip the schema.
            let skippable = entries.iter().any(|(key, value)| {
                name(*key) == Some("skipValidation")
                    && !(value.len() == 1 && t(value.start).is_some_and(|x| x.is_ident("false")))
            });
            for (key, value) in &entries {
                let section = name(*key);
                if !matches!(section, Some("server" | "shared" | "client"))
                    || !t(value.start).is_some_and(|x| x.is("{"))
                {
                    continue;
                }
                for (k2, v2) in object_entries(toks, value.start) {
                    let Some(key) = key_of(k2) else { continue };
                    // Only a zod validator is read; another expression (a condition) is optional.
                    let optional = !t(v2.start).is_some_and(|x| x.is_ident("z"))
                        || v2.clone().any(|j| {
                            t(j).and_then(Token::ident)
                                .is_some_and(|w| matches!(w, "optional" | "default" | "nullish" | "catch"))
                        });
                    // A client key is inlined into the frontend bundle at build time.
                    let client = section == Some("client");
                    push(
                        key,
                        top(k) && !optional && !skippable && !client,
                        "declared in a t3-env `createEnv` schema without `.optional()` or a default: the module throws on load without it",
                    );
                }
            }
        }
    }
    if imports_module(toks, "env-var") {
        // `const env = require("env-var")`, `import env from "env-var"`, `import * as env from …`.
        let names: Vec<&str> = (0..toks.len())
            .filter(|&k| t(k).and_then(Token::string) == Some("env-var"))
            .filter_map(|k| {
                let back =
                    if t(k.wrapping_sub(1)).is_some_and(|x| x.is("(")) { k.checked_sub(4)? } else { k.checked_sub(2)? };
                t(back).and_then(Token::ident)
            })
            .collect();
        for k in 0..toks.len() {
            let Some(x) = t(k).and_then(Token::ident) else { continue };
            if !names.contains(&x)
                || !t(k + 1).is_some_and(|y| y.is("."))
                || !t(k + 2).is_some_and(|y| y.is_ident("get"))
            {
                continue;
            }
            if !t(k + 3).is_some_and(|y| y.is("(")) || !t(k + 5).is_some_and(|y| y.is(")")) {
                continue;
            }
            let Some(key) = t(k + 4).and_then(Token::string).filter(|s| is_key(s)) else { continue };
            let Some(kt) = t(k + 4) else { continue };
            // The chain after `get("K")`: `.required()`, `.default(…)`.
            let mut j = k + 6;
            let (mut required, mut defaulted) = (false, false);
            while t(j).is_some_and(|y| y.is(".")) && t(j + 2).is_some_and(|y| y.is("(")) {
                let close = closing(toks, j + 2);
                match t(j + 1).and_then(Token::ident) {
                    Some("required") => required = close == j + 3 || t(j + 3).is_some_and(|y| y.is_ident("true")),
                    Some("default") => defaulted = true,
                    _ => {}
                }
                j = close + 1;
            }
            let span = Span::new(file, kt.start..kt.end);
            push(
                Spanned::new(key.to_string(), span),
                top(k) && required && !defaulted,
                "read with env-var's `.required()`: the module throws on load without it",
            );
        }
    }
}

/// The key of `process.env.K` / `process.env["K"]` at `k`, and the index after it.
fn env_key_at<'a>(toks: &'a [Token<'_>], k: usize) -> Option<(&'a str, usize)> {
    if !is_process_env(toks, k) {
        return None;
    }
    let t = |i: usize| toks.get(i);
    if t(k + 3).is_some_and(|y| y.is(".")) {
        return Some((t(k + 4)?.ident()?, k + 5));
    }
    if t(k + 3).is_some_and(|y| y.is("[")) && t(k + 5).is_some_and(|y| y.is("]")) {
        return Some((t(k + 4)?.string()?, k + 6));
    }
    None
}

/// For the first read of `const v = process.env.A || process.env.B;` (`??` too, any number of
/// keys, nothing else) followed at once by `if (!v)` that throws or exits: the other keys of
/// the chain. `None` when the read at `k` … `after` is not such a one.
fn guarded_chain(toks: &[Token<'_>], k: usize, after: usize) -> Option<Vec<String>> {
    let t = |i: usize| toks.get(i);
    let name = t(k.checked_sub(2)?)?.ident()?;
    if !t(k - 1).is_some_and(|p| p.is("="))
        || !t(k.checked_sub(3)?).is_some_and(|p| p.is_ident("const") || p.is_ident("let") || p.is_ident("var"))
    {
        return None;
    }
    let mut alternatives = Vec::new();
    let mut j = after;
    while t(j).is_some_and(|y| y.is("||") || y.is("??")) {
        let (key, next) = env_key_at(toks, j + 1)?;
        if !is_key(key) {
            return None;
        }
        alternatives.push(key.to_string());
        j = next;
    }
    if t(j).is_some_and(|y| y.is(";")) {
        j += 1;
    }
    // `if (!v) throw …` / `if (!v) { …process.exit(1) }`.
    if !t(j).is_some_and(|y| y.is_ident("if"))
        || !t(j + 1).is_some_and(|y| y.is("("))
        || !t(j + 2).is_some_and(|y| y.is("!"))
        || !t(j + 3).is_some_and(|y| y.is_ident(name))
        || !t(j + 4).is_some_and(|y| y.is(")"))
    {
        return None;
    }
    aborts(toks, j + 5).then_some(alternatives)
}

/// Whether the statement or block starting at `body` (an `if`'s) throws or calls
/// `process.exit`; a statement without braces is taken as its next few tokens.
fn aborts(toks: &[Token<'_>], body: usize) -> bool {
    let t = |i: usize| toks.get(i);
    let end = if t(body).is_some_and(|y| y.is("{")) { closing(toks, body) } else { body + 8 };
    (body..end.min(toks.len())).any(|i| {
        t(i).is_some_and(|y| y.is_ident("throw"))
            || (t(i).is_some_and(|y| y.is_ident("process")) && t(i + 2).is_some_and(|y| y.is_ident("exit")))
    })
}

/// Why a read at `k` (`process`) … `after` cannot do without the key, if it cannot.
fn usage(toks: &[Token<'_>], k: usize, after: usize) -> Option<&'static str> {
    let t = |i: usize| toks.get(i);
    let next = t(after);
    if next.is_some_and(|y| y.is("||") || y.is("??") || y.is("?.") || y.is("?") || y.is("==") || y.is("===")) {
        return None;
    }
    if next.is_some_and(|y| y.is(".")) && t(after + 2).is_some_and(|y| y.is("(")) {
        return Some("read here and a method is called on it: the import throws without it");
    }
    // `new URL(process.env.K)`.
    if k >= 3
        && t(k - 1).is_some_and(|p| p.is("("))
        && t(k - 2).is_some_and(|p| p.is_ident("URL"))
        && t(k - 3).is_some_and(|p| p.is_ident("new"))
    {
        return Some("read here and passed to `new URL(…)`: the import throws without it");
    }
    // `if (!process.env.K) throw …` / `process.exit(…)`.
    if k >= 3
        && t(k - 1).is_some_and(|p| p.is("!"))
        && t(k - 2).is_some_and(|p| p.is("("))
        && t(k - 3).is_some_and(|p| p.is_ident("if"))
        && next.is_some_and(|y| y.is(")"))
    {
        return aborts(toks, after + 1).then_some("checked here and the module throws or exits without it");
    }
    // Inside `${…}` of a template literal whose text makes a path or a URL.
    // The read must stand alone in its `${…}`: the opening is the token before it (looked at
    // first, so that a file of many reads is not scanned backwards once per read).
    let open = k.checked_sub(1).filter(|&p| t(p).is_some_and(|y| y.is("${")))?;
    if closing(toks, open) < after || next.is_some_and(|y| !y.is("}$")) {
        return None;
    }
    let start = (0..open).rev().find(|&i| t(i).is_some_and(|y| y.is("`")))?;
    let end = (after..toks.len()).find(|&i| t(i).is_some_and(|y| y.is("`")))?;
    let path_like = (start..end).filter_map(|i| t(i).and_then(Token::string)).any(|s| s.contains('/'));
    path_like.then_some("read here in a template literal that builds a path or URL: `undefined` ends up in it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_libraries() {
        let envalid = r#"import { cleanEnv, str, port, url } from "envalid";
export const env = cleanEnv(process.env, {
  DATABASE_URL: url(),
  PORT: port({ default: 3000 }),
  SESSION_SECRET: str({ desc: "signs cookies" }),
  MAIL_FROM: str({ devDefault: "dev@example.org" }),
  "QUEUE_NAME": str(),
});
function later() {
  return cleanEnv(process.env, { LATER_KEY: str() });
}
"#;
        assert_eq!(
            reads(envalid),
            [
                ("DATABASE_URL".to_string(), true),
                ("PORT".to_string(), false),
                ("SESSION_SECRET".to_string(), true),
                ("MAIL_FROM".to_string(), false),
                ("QUEUE_NAME".to_string(), true),
                ("LATER_KEY".to_string(), false),
            ]
        );
        let zod = r#"import { z } from "zod";
const EnvSchema = z.object({
  API_URL: z.string().url(),
  LOG_LEVEL: z.enum(["debug", "info"]).default("info"),
  SENTRY_DSN: z.string().optional(),
  WORKERS: z.coerce.number(),
});
export const env = EnvSchema.parse(process.env);
const loose = z.object({ LOOSE_KEY: z.string() }).partial();
const other = z.object({ INLINE_KEY: z.string() }).parse(process.env);
const safe = z.object({ SAFE_KEY: z.string() }).safeParse(process.env);
"#;
        assert_eq!(
            reads(zod),
            [
                ("API_URL".to_string(), true),
                ("LOG_LEVEL".to_string(), false),
                ("SENTRY_DSN".to_string(), false),
                ("WORKERS".to_string(), true),
                ("INLINE_KEY".to_string(), true),
            ]
        );
        let envvar = r#"const env = require("env-var");
const token = env.get("BOT_TOKEN").required().asString();
const port = env.get("BOT_PORT").default("8080").required().asPortNumber();
const debug = env.get("BOT_DEBUG").asBool();
const maybe = env.get("BOT_CHANNEL").required(false).asString();
"#;
        assert_eq!(
            reads(envvar),
            [
                ("BOT_TOKEN".to_string(), true),
                ("BOT_PORT".to_string(), false),
                ("BOT_DEBUG".to_string(), false),
                ("BOT_CHANNEL".to_string(), false),
            ]
        );
        let t3 = r#"import { createEnv } from "@t3-oss/env-nextjs";
import { z } from "zod";

export const env = createEnv({
  server: {
    DATABASE_URL: z.string().url(),
    AUTH_SECRET: process.env.NODE_ENV === "production" ? z.string() : z.string().optional(),
    REDIS_URL: z.string().default("redis://cache:6379"),
  },
  shared: { "APP_REGION": z.enum(["eu", "us"]) },
  client: { NEXT_PUBLIC_SITE_URL: z.string().url() },
  runtimeEnv: { DATABASE_URL: process.env.DATABASE_URL },
  emptyStringAsUndefined: true,
});
"#;
        // The plain reads first (`process.env.X` in a condition or `runtimeEnv`: optional).
        let expected = [
            ("NODE_ENV", false),
            ("DATABASE_URL", false),
            ("DATABASE_URL", true),
            ("AUTH_SECRET", false),
            ("REDIS_URL", false),
            ("APP_REGION", true),
            ("NEXT_PUBLIC_SITE_URL", false),
        ];
        assert_eq!(reads(t3), expected.map(|(k, r)| (k.to_string(), r)));
        let skippable = t3.replace("emptyStringAsUndefined: true", "skipValidation: !!process.env.SKIP_ENV_VALIDATION");
        assert!(reads(&skippable).iter().filter(|(k, _)| k != "SKIP_ENV_VALIDATION").all(|(_, r)| !r));
        let strict = t3.replace("emptyStringAsUndefined: true", "skipValidation: false");
        assert_eq!(reads(&strict).iter().filter(|(_, r)| *r).count(), 2);
        let strict = |text: &str| parse(FileId(0), text).dotenv_extended_strict;
        assert!(strict("require('dotenv-extended').load({ errorOnMissing: true, includeProcessEnv: true });\n"));
        assert!(strict(
            "import dee from 'dotenv-extended';\ndee.load({ schema: './.env.schema', errorOnMissing: true });\n"
        ));
        assert!(!strict("require('dotenv-extended').load();\n"));
        assert!(!strict("require('dotenv-extended').load({ errorOnMissing: !process.env.CI });\n"));
        assert!(!strict("require('dotenv-extended').load({ schema: '.env.required', errorOnMissing: true });\n"));
        assert!(!strict("function boot() { require('dotenv-extended').load({ errorOnMissing: true }); }\n"));
        // A schema library never imported: no schema.
        assert!(reads("const e = cleanEnv(process.env, { X_KEY: str() });\n").is_empty());
    }

    fn reads(text: &str) -> Vec<(String, bool)> {
        parse(FileId(0), text).reads.into_iter().map(|r| (r.key.value, r.required)).collect()
    }

    #[test]
    fn a_chain_of_keys_checked_together_requires_one_of_them() {
        let src = r#"const token = process.env.BOT_TOKEN ?? process.env["LEGACY_BOT_TOKEN"];
if (!token) {
  throw new Error("set BOT_TOKEN");
}
const region = process.env.REGION || process.env.AWS_REGION;
const dsn = process.env.DSN || process.env.SENTRY_DSN || "none";
if (!dsn) process.exit(1);
const secret = process.env.SESSION_SECRET;
if (!secret) throw new Error("no secret");
"#;
        let f = parse(FileId(0), src);
        let got: Vec<(&str, bool, Vec<String>)> =
            f.reads.iter().map(|r| (r.key.value.as_str(), r.required, r.alternatives.clone())).collect();
        assert_eq!(
            got,
            [
                ("BOT_TOKEN", true, vec!["LEGACY_BOT_TOKEN".to_string()]),
                ("LEGACY_BOT_TOKEN", false, vec![]),
                ("REGION", false, vec![]),
                ("AWS_REGION", false, vec![]),
                ("DSN", false, vec![]),
                ("SENTRY_DSN", false, vec![]),
                ("SESSION_SECRET", true, vec![]),
            ]
        );
    }

    #[test]
    fn function_bodies_keep_their_reads_and_calls() {
        let src = r#"
async function main(): Promise<void> {
  const url = `${process.env.API_URL}/v1`;
  if (ready) {
    const x = process.env.NESTED.split(",");
  }
  await start(url);
}
const handler = async (req) => {
  return process.env.ONLY_HANDLER.trim();
};
export function unused() {}
main();
"#;
        let f = parse(FileId(0), src);
        let names: Vec<&str> = f.functions.iter().map(|x| x.name.as_str()).collect();
        assert_eq!(names, ["main", "handler", "unused"]);
        let keys: Vec<&str> = f.functions[0].reads.iter().map(|r| r.key.value.as_str()).collect();
        assert_eq!(keys, ["API_URL"]);
        assert_eq!(f.functions[0].calls, ["start"]);
        assert_eq!(f.calls, ["main"]);
        assert!(f.reads.iter().all(|r| !r.required));
    }

    #[test]
    fn reads_and_imports() {
        let src = r#"import { db } from "./db";
import "../polyfills.js";
const express = require("express");
const cfg = require("./config");
const root = `${process.env.ROOT_PATH}/exports`;
const hosts = process.env.ALLOWED_HOSTS.split(",");
const api = new URL(process.env.API_URL);
if (!process.env.JWT_SECRET) {
  throw new Error("JWT_SECRET is required");
}
const port = process.env.PORT || 3000;
const region = process.env["AWS_REGION"] ?? "eu-west-1";
const label = `env: ${process.env.APP_ENV}`;
const mode = process.env.NODE_ENV === "production";
// const x = process.env.COMMENTED.split(",");
function handler() {
  return `${process.env.AT_CALL_TIME}/x`;
}
const conf = { bucket: `${process.env.BUCKET}/uploads` };
"#;
        assert_eq!(
            reads(src),
            [
                ("ROOT_PATH".to_string(), true),
                ("ALLOWED_HOSTS".to_string(), true),
                ("API_URL".to_string(), true),
                ("JWT_SECRET".to_string(), true),
                ("PORT".to_string(), false),
                ("AWS_REGION".to_string(), false),
                ("APP_ENV".to_string(), false),
                ("NODE_ENV".to_string(), false),
                ("AT_CALL_TIME".to_string(), false),
                ("BUCKET".to_string(), true),
            ]
        );
        assert_eq!(parse(FileId(0), src).imports, ["./db", "../polyfills.js", "./config"]);
    }
}
