//! JavaScript and TypeScript source facts: the relative modules a file imports and the env
//! keys it reads.
//!
//! `process.env.K` / `process.env["K"]` is required only when it runs on import (outside any
//! function or block body) and the code cannot do without it: a method is called on it
//! (`process.env.K.split(",")`), it is part of a template literal that builds a path or a URL
//! (`` `${process.env.ROOT}/data` ``), it is passed to `new URL(…)`, or the module throws or
//! exits when it is absent (`if (!process.env.K) throw …`). After `||`, `??`, `?.`, inside a
//! condition, or anywhere else, it is optional.

use super::lex::{self, Syntax, Tok, Token, closing};
use super::rustsrc::is_key;
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsRead {
    pub key: Spanned<String>,
    pub required: bool,
    pub why: &'static str,
}

#[derive(Clone, Debug, Default)]
pub struct JsFile {
    /// Relative specifiers (`./config`, `../lib/db.js`).
    pub imports: Vec<String>,
    pub reads: Vec<JsRead>,
}

/// For each token, whether it sits inside a function or block body (a `{` that follows `)`,
/// `=>`, or a keyword such as `else`, `try`, `class X`), rather than an object literal.
fn in_blocks(toks: &[Token<'_>]) -> Vec<bool> {
    let mut stack: Vec<bool> = Vec::new();
    let mut out = Vec::with_capacity(toks.len());
    for (k, t) in toks.iter().enumerate() {
        match t.tok {
            Tok::Punct("{") | Tok::Punct("${") => {
                out.push(stack.iter().any(|b| *b));
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
        out.push(stack.iter().any(|b| *b));
    }
    out
}

pub fn parse(file: FileId, text: &str) -> JsFile {
    let toks = lex::lex(text, Syntax::Js);
    let blocks = in_blocks(&toks);
    let t = |k: usize| toks.get(k);
    let mut out = JsFile::default();
    for (k, x) in toks.iter().enumerate() {
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
        let why = usage(&toks, k, after);
        let (required, why) = match why {
            Some(why) if top => (true, why),
            _ => (false, "read here with a fallback or a check"),
        };
        let span = Span::new(file, key_tok.start..key_tok.end);
        out.reads.push(JsRead { key: Spanned::new(key, span), required, why });
    }
    out
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
        let body = after + 1;
        let end = if t(body).is_some_and(|y| y.is("{")) { closing(toks, body) } else { body + 8 };
        let aborts = (body..end.min(toks.len())).any(|i| {
            t(i).is_some_and(|y| y.is_ident("throw"))
                || (t(i).is_some_and(|y| y.is_ident("process")) && t(i + 2).is_some_and(|y| y.is_ident("exit")))
        });
        return aborts.then_some("checked here and the module throws or exits without it");
    }
    // Inside `${…}` of a template literal whose text makes a path or a URL.
    let open = (0..k).rev().find(|&i| t(i).is_some_and(|y| y.is("${")))?;
    if closing(toks, open) < after || next.is_some_and(|y| !y.is("}$")) || !t(k - 1).is_some_and(|p| p.is("${")) {
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

    fn reads(text: &str) -> Vec<(String, bool)> {
        parse(FileId(0), text).reads.into_iter().map(|r| (r.key.value, r.required)).collect()
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
