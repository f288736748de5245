//! Top-level declarations and what each function body does: the keys it reads and the
//! functions and methods it refers to on every run.

use super::env::{Gate, lookup_aborts, read_facts};
use super::lex::{Tok, Toks};
use super::libs;
use super::{Body, EnvRead, Func, Imports, ReadKind, TypeRef, Use, WrapKind, Wrapper};
use crate::source::{FileId, Span, Spanned};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;

pub(super) struct Ctx<'c, 't, 'a> {
    pub t: Toks<'t, 'a>,
    pub file: FileId,
    pub text: &'a str,
    pub imports: &'c Imports,
    /// Package-level variables of a known type (`var cfg Config`).
    pub globals: &'c BTreeMap<String, TypeRef>,
}

impl Ctx<'_, '_, '_> {
    pub fn span(&self, i: usize) -> Span {
        self.t.get(i).map_or(Span::default(), |tk| Span::new(self.file, tk.start..tk.end))
    }

    /// Whether a line break separates token `i` from the token after it.
    pub fn line_break_after(&self, i: usize) -> bool {
        match (self.t.get(i), self.t.get(i + 1)) {
            (Some(a), Some(b)) => self.text.get(a.end..b.start).is_some_and(|g| g.contains('\n')),
            _ => true,
        }
    }
}

/// The package-level variables declared with a type a scan can tell (`var cfg Config`, `var
/// cfg = &Config{}`).
pub(super) fn globals(c: &Ctx<'_, '_, '_>) -> BTreeMap<String, TypeRef> {
    let t = c.t;
    let mut out = BTreeMap::new();
    let mut depth = 0usize;
    let mut k = 0;
    while k < t.len() {
        if depth == 0 && t.is_kw(k, "var") {
            if t.is(k + 1, "(") {
                let close = t.closing(k + 1).unwrap_or(t.len());
                let mut inner = 0usize;
                for j in k + 2..close {
                    if inner == 0 && (j == k + 2 || c.line_break_after(j - 1) || t.is(j - 1, ";")) {
                        global_at(c, j, &mut out);
                    }
                    match t.get(j).map(|x| &x.tok) {
                        Some(Tok::Punct("(" | "[" | "{")) => inner += 1,
                        Some(Tok::Punct(")" | "]" | "}")) => inner = inner.saturating_sub(1),
                        _ => {}
                    }
                }
                k = close + 1;
                continue;
            }
            global_at(c, k + 1, &mut out);
        }
        match t.get(k).map(|x| &x.tok) {
            Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
            Some(Tok::Punct(")" | "]" | "}")) => depth = depth.saturating_sub(1),
            _ => {}
        }
        k += 1;
    }
    out
}

/// `name Type` or `name = value` at `k`.
fn global_at(c: &Ctx<'_, '_, '_>, k: usize, out: &mut BTreeMap<String, TypeRef>) {
    let t = c.t;
    let Some(n) = t.name(k) else { return };
    let ty = if t.is(k + 1, "=") { infer(c, k + 2).0 } else { type_at(c, k + 1..t.len()) };
    if let Some(ty) = ty {
        out.insert(n.to_string(), ty);
    }
}

pub(super) struct Scanned {
    pub funcs: Vec<Func>,
    pub package_level: Body,
    pub complete: bool,
    /// The token ranges inside the braces of the function bodies, in order.
    pub bodies: Vec<Range<usize>>,
}

/// Predeclared identifiers: never a function of the package.
pub(super) fn predeclared(s: &str) -> bool {
    matches!(
        s,
        "_" | "nil"
            | "true"
            | "false"
            | "iota"
            | "append"
            | "cap"
            | "clear"
            | "close"
            | "complex"
            | "copy"
            | "delete"
            | "imag"
            | "len"
            | "make"
            | "max"
            | "min"
            | "new"
            | "panic"
            | "print"
            | "println"
            | "real"
            | "recover"
            | "any"
            | "bool"
            | "byte"
            | "comparable"
            | "complex64"
            | "complex128"
            | "error"
            | "float32"
            | "float64"
            | "int"
            | "int8"
            | "int16"
            | "int32"
            | "int64"
            | "rune"
            | "string"
            | "uint"
            | "uint8"
            | "uint16"
            | "uint32"
            | "uint64"
            | "uintptr"
    )
}

const DECL_KEYWORDS: &[&str] = &["func", "var", "const", "type", "import", "package"];

/// A function declaration's signature and body.
struct Sig {
    name: usize,
    receiver: Option<(Option<String>, String)>,
    params: Vec<(String, Option<TypeRef>)>,
    /// How many parameters it takes (named or not).
    arity: usize,
    result: Option<TypeRef>,
    /// The body's braces.
    body: Option<(usize, usize)>,
    /// The first token after the declaration.
    end: usize,
}

pub(super) fn scan(c: &Ctx<'_, '_, '_>) -> Scanned {
    let t = c.t;
    let mut out = Scanned { funcs: Vec::new(), package_level: Body::default(), complete: true, bodies: Vec::new() };
    let mut depth = 0usize;
    // The start of the `var`/`const` declaration being read (package-level code).
    let mut code_from: Option<usize> = None;
    let mut package_ranges = Vec::new();
    let mut i = 0;
    while i < t.len() {
        if depth == 0 {
            if let Some(kw) = DECL_KEYWORDS.iter().copied().find(|k| t.is_kw(i, k)) {
                let sig = if kw == "func" { signature(c, i) } else { None };
                if kw != "func" || sig.is_some() {
                    if let Some(from) = code_from.take() {
                        package_ranges.push(from..i);
                    }
                    if let Some(sig) = sig {
                        if sig.end > t.len() {
                            out.complete = false;
                        }
                        i = sig.end;
                        out.funcs.push(function(c, sig, &mut out.bodies, &mut out.complete));
                        continue;
                    }
                    if kw == "var" || kw == "const" {
                        code_from = Some(i + 1);
                    }
                    i += 1;
                    continue;
                }
            }
        }
        match t.get(i).map(|x| &x.tok) {
            Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
            Some(Tok::Punct(")" | "]" | "}")) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => out.complete = false,
            },
            _ => {}
        }
        i += 1;
    }
    if let Some(from) = code_from {
        package_ranges.push(from..t.len());
    }
    if depth != 0 {
        out.complete = false;
    }
    for r in package_ranges {
        let b = body(c, r, &[], 0, true);
        out.package_level.env_reads.extend(b.env_reads);
        out.package_level.uses.extend(b.uses);
        out.package_level.struct_loads.extend(b.struct_loads);
    }
    out.package_level.uses.sort();
    out.package_level.uses.dedup();
    out
}

fn function(c: &Ctx<'_, '_, '_>, sig: Sig, bodies: &mut Vec<Range<usize>>, complete: &mut bool) -> Func {
    let t = c.t;
    let span = t.get(sig.name).map_or(Span::default(), |tk| Span::new(c.file, tk.start..tk.end));
    let name = Spanned::new(t.ident(sig.name).unwrap_or("").to_string(), span);
    let mut params = sig.params;
    // A parameter's index, when every parameter has its own name.
    let indexed = params.len() == sig.arity;
    if let Some((Some(var), ty)) = &sig.receiver {
        params.push((var.clone(), Some(TypeRef::Named { pkg: None, name: ty.clone() })));
    }
    let arity = if indexed { sig.arity } else { 0 };
    let mut body = match sig.body {
        Some((open, close)) => {
            bodies.push(open + 1..close);
            body(c, open + 1..close, &params, arity, false)
        }
        None => {
            // A declaration without a body is implemented elsewhere (assembly, linkname).
            *complete &= sig.end <= t.len();
            Body::default()
        }
    };
    let wrapper = body.wrapper.take();
    Func { name, receiver: sig.receiver.map(|(_, ty)| ty), result: sig.result, body, wrapper }
}

/// Reads `func [(recv)] Name[[T]](params) results {` at `i`; `None` when it is no declaration
/// (a function type or literal at the top level of a `var`).
fn signature(c: &Ctx<'_, '_, '_>, i: usize) -> Option<Sig> {
    let t = c.t;
    let mut j = i + 1;
    let mut receiver = None;
    if t.is(j, "(") {
        let close = t.closing(j)?;
        receiver = Some(receiver_of(t, j + 1..close)?);
        j = close + 1;
    }
    let name = j;
    t.name(j)?;
    j += 1;
    if t.is(j, "[") {
        j = t.closing(j)? + 1;
    }
    if !t.is(j, "(") {
        return None;
    }
    let params_close = t.closing(j)?;
    let params = params_of(c, j + 1..params_close);
    let arity = split_commas(t, j + 1..params_close).len();
    let results_from = params_close + 1;
    let mut k = results_from;
    let mut body = None;
    while k < t.len() {
        if t.is(k, "{") {
            if matches!(k.checked_sub(1).and_then(|p| t.ident(p)), Some("struct" | "interface")) {
                k = t.closing(k).map_or(t.len(), |x| x + 1);
                continue;
            }
            body = Some(k);
            break;
        }
        if t.is(k, "(") || t.is(k, "[") {
            k = t.closing(k).map_or(t.len(), |x| x + 1);
            continue;
        }
        // A function-typed result (`func F() func() error {`).
        let func_result = t.is_kw(k, "func") && k == results_from;
        if t.is(k, ";") || (!func_result && DECL_KEYWORDS.iter().any(|kw| t.is_kw(k, kw))) {
            break;
        }
        k += 1;
    }
    let result = result_of(c, results_from..k);
    let (body, end) = match body {
        Some(open) => match t.closing(open) {
            Some(close) => (Some((open, close)), close + 1),
            None => (None, t.len() + 1),
        },
        None => (None, k),
    };
    Some(Sig { name, receiver, params, arity, result, body, end })
}

/// `(s *Server)`, `(Server)`, `(s *Stack[T])`: the receiver's name and type name.
fn receiver_of(t: Toks<'_, '_>, r: Range<usize>) -> Option<(Option<String>, String)> {
    let mut k = r.start;
    let mut var = None;
    if let Some(n) = t.name(k) {
        if t.is(k + 1, "*") || t.name(k + 1).is_some() {
            var = Some(n.to_string());
            k += 1;
        }
    }
    if t.is(k, "*") {
        k += 1;
    }
    if k >= r.end {
        return None;
    }
    Some((var, t.name(k)?.to_string()))
}

/// Splits a bracketed list at its top-level commas.
pub(super) fn split_commas(t: Toks<'_, '_>, r: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut from = r.start;
    for k in r.clone() {
        match t.get(k).map(|x| &x.tok) {
            Some(Tok::Punct("(" | "[" | "{")) => depth += 1,
            Some(Tok::Punct(")" | "]" | "}")) => depth = depth.saturating_sub(1),
            Some(Tok::Punct(",")) if depth == 0 => {
                out.push(from..k);
                from = k + 1;
            }
            _ => {}
        }
    }
    if from < r.end {
        out.push(from..r.end);
    }
    out
}

/// Whether a list element is `name Type` (not a bare type such as `pkg.T` or `T[int]`).
fn is_named(t: Toks<'_, '_>, part: &Range<usize>) -> bool {
    part.len() >= 2 && t.name(part.start).is_some() && !t.is(part.start + 1, ".") && !t.is(part.start + 1, "[")
}

/// The parameters with a name: `(a, b *T, c pkg.U)`.
fn params_of(c: &Ctx<'_, '_, '_>, r: Range<usize>) -> Vec<(String, Option<TypeRef>)> {
    let t = c.t;
    let parts = split_commas(t, r);
    if !parts.iter().any(|p| is_named(t, p)) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut pending: Vec<String> = Vec::new();
    for p in &parts {
        if p.len() == 1 {
            pending.extend(t.name(p.start).map(str::to_string));
            continue;
        }
        let ty = type_at(c, p.start + 1..p.end);
        for q in pending.drain(..) {
            out.push((q, ty.clone()));
        }
        if let Some(n) = t.name(p.start) {
            out.push((n.to_string(), ty));
        }
    }
    out
}

/// The type of the first result.
fn result_of(c: &Ctx<'_, '_, '_>, r: Range<usize>) -> Option<TypeRef> {
    let t = c.t;
    if r.is_empty() {
        return None;
    }
    if !t.is(r.start, "(") {
        return type_at(c, r);
    }
    let close = t.closing(r.start)?;
    let first = split_commas(t, r.start + 1..close).into_iter().next()?;
    if is_named(t, &first) { type_at(c, first.start + 1..first.end) } else { type_at(c, first) }
}

/// A named type at the start of `r`: `T`, `*T`, `pkg.T`.
pub(super) fn type_at(c: &Ctx<'_, '_, '_>, r: Range<usize>) -> Option<TypeRef> {
    let t = c.t;
    let mut k = r.start;
    while k < r.end && t.is(k, "*") {
        k += 1;
    }
    if k >= r.end {
        return None;
    }
    let a = t.name(k)?;
    if t.is(k + 1, ".") {
        let name = t.name(k + 2)?.to_string();
        let pkg = c.imports.aliases.get(a)?.clone();
        return Some(TypeRef::Named { pkg: Some(pkg), name });
    }
    (!predeclared(a)).then(|| TypeRef::Named { pkg: None, name: a.to_string() })
}

/// The type of the expression at `k` when a scan can tell (`&T{…}`, `pkg.T{…}`, `F(…)`,
/// `pkg.F(…)`, `new(T)`), and the first token after it.
fn infer(c: &Ctx<'_, '_, '_>, k: usize) -> (Option<TypeRef>, usize) {
    let t = c.t;
    let a = if t.is(k, "&") { k + 1 } else { k };
    let Some(x) = t.name(a) else { return (None, k) };
    // After a call: a chained selector or an index is another value.
    let after_call = |open: usize| -> Option<usize> {
        let close = t.closing(open)?;
        (!t.is(close + 1, ".") && !t.is(close + 1, "[")).then_some(close + 1)
    };
    if t.is(a + 1, ".") {
        let (Some(y), Some(pkg)) = (t.name(a + 2), c.imports.aliases.get(x)) else { return (None, k) };
        let named = || TypeRef::Named { pkg: Some(pkg.clone()), name: y.to_string() };
        if t.is(a + 3, "{") {
            return (Some(named()), t.closing(a + 3).map_or(k, |e| e + 1));
        }
        if t.is(a + 3, "(") {
            if let Some(end) = after_call(a + 3) {
                return (Some(TypeRef::ResultOf { pkg: Some(pkg.clone()), func: y.to_string() }), end);
            }
        }
        return (None, k);
    }
    if t.is(a + 1, "{") && !predeclared(x) {
        return (Some(TypeRef::Named { pkg: None, name: x.to_string() }), t.closing(a + 1).map_or(k, |e| e + 1));
    }
    if t.is(a + 1, "(") {
        let close = t.closing(a + 1).unwrap_or(k);
        if x == "new" {
            return (type_at(c, a + 2..close), close + 1);
        }
        if !predeclared(x) {
            if let Some(end) = after_call(a + 1) {
                return (Some(TypeRef::ResultOf { pkg: None, func: x.to_string() }), end);
            }
        }
    }
    (None, k)
}

/// The local names of a body: each declaration, from the token where it takes effect.
/// Names are borrowed from the text or the parameters: a body's locals allocate no string.
type Locals<'n> = BTreeMap<&'n str, Vec<(usize, Option<TypeRef>)>>;

/// The locals of a body, and the tokens that name them where they are declared.
fn locals_of<'n>(
    c: &Ctx<'_, '_, 'n>,
    r: Range<usize>,
    params: &'n [(String, Option<TypeRef>)],
) -> (Locals<'n>, BTreeSet<usize>) {
    let t = c.t;
    let mut locals: Locals<'n> = BTreeMap::new();
    let mut sites = BTreeSet::new();
    for (n, ty) in params {
        locals.entry(n.as_str()).or_default().push((r.start, ty.clone()));
    }
    for k in r.clone() {
        if t.is(k, ":=") {
            // `a, b := …`: the names, leftmost first.
            let mut names = Vec::new();
            let mut m = k;
            while let Some(n) = m.checked_sub(1).and_then(|p| t.name(p)) {
                names.push(n);
                sites.insert(m - 1);
                match m.checked_sub(2) {
                    Some(p) if t.is(p, ",") => m = p,
                    _ => break,
                }
            }
            names.reverse();
            let (ty, from) = infer(c, k + 1);
            for (idx, n) in names.into_iter().enumerate() {
                let ty = if idx == 0 { ty.clone() } else { None };
                locals.entry(n).or_default().push((from.max(k + 1), ty));
            }
        } else if t.is_kw(k, "var") {
            if let Some(n) = t.name(k + 1) {
                let ty = if t.is(k + 2, "=") { infer(c, k + 3).0 } else { type_at(c, k + 2..r.end) };
                locals.entry(n).or_default().push((k + 2, ty));
                sites.insert(k + 1);
            }
        }
    }
    (locals, sites)
}

/// The local named `x` at token `k`: `Some(type)` when `x` is a local there.
fn local_at(locals: &Locals, x: &str, k: usize) -> Option<Option<TypeRef>> {
    locals.get(x)?.iter().rev().find(|(from, _)| *from <= k).map(|(_, ty)| ty.clone())
}

/// What the code in `r` does on every run: its env reads (those in a branch optional) and
/// the functions it refers to outside branches. In package-level code a function literal is a
/// branch too: it runs only when something calls it (a CLI library, on one subcommand).
pub(super) fn body(
    c: &Ctx<'_, '_, '_>,
    r: Range<usize>,
    params: &[(String, Option<TypeRef>)],
    arity: usize,
    package_level: bool,
) -> Body {
    let t = c.t;
    let (locals, sites) = locals_of(c, r.clone(), params);
    let mut uses = Vec::new();
    // Each read with its token index, and the gates the reads set.
    let mut env_reads: Vec<(usize, EnvRead)> = Vec::new();
    let mut gates: Vec<Gate> = Vec::new();
    let mut struct_loads = Vec::new();
    let mut wrapper: Option<Wrapper> = None;
    // Open braces: whether each is a branch (`if`, `else`, `switch`, `select`).
    let mut blocks: Vec<bool> = Vec::new();
    // How many of the open braces are branches.
    let mut branches = 0usize;
    let mut pending: Option<(bool, usize)> = None;
    let mut parens = 0usize;
    let ty_of = |name: &str, at: usize| -> Option<TypeRef> {
        match local_at(&locals, name, at) {
            Some(ty) => ty,
            None => c.globals.get(name).cloned(),
        }
    };
    // `Field: os.Getenv("K")`: the field.
    let field_before = |k: usize| {
        k.checked_sub(1)
            .filter(|&p| t.is(p, ":"))
            .and_then(|p| p.checked_sub(1))
            .and_then(|p| t.ident(p))
            .map(str::to_string)
    };
    for k in r {
        match t.get(k).map(|x| &x.tok) {
            Some(Tok::Ident("if" | "else" | "switch" | "select")) => pending = Some((true, parens)),
            Some(Tok::Ident("func")) => pending = Some((package_level, parens)),
            Some(Tok::Ident("for")) => pending = Some((false, parens)),
            Some(Tok::Punct("(" | "[")) => parens += 1,
            Some(Tok::Punct(")" | "]")) => parens = parens.saturating_sub(1),
            Some(Tok::Punct("{")) => {
                let type_literal = matches!(k.checked_sub(1).and_then(|p| t.ident(p)), Some("struct" | "interface"));
                let branch = match pending {
                    Some((b, d)) if d == parens && !type_literal => {
                        pending = None;
                        b
                    }
                    _ => false,
                };
                blocks.push(branch);
                branches += usize::from(branch);
            }
            Some(Tok::Punct("}")) => {
                let closed_branch = blocks.pop() == Some(true);
                branches = branches.saturating_sub(usize::from(closed_branch));
            }
            _ => {}
        }
        let in_branch = branches > 0;
        let Some(x) = t.name(k) else { continue };
        if k.checked_sub(1).is_some_and(|p| t.is(p, ".")) || predeclared(x) {
            continue;
        }
        let local = local_at(&locals, x, k);
        if t.is(k + 1, ".") {
            let Some(y) = t.name(k + 2) else { continue };
            if local.is_none() && c.imports.os.iter().any(|o| o == x) {
                let lookup = y == "LookupEnv";
                if (y == "Getenv" || lookup) && t.is(k + 3, "(") && t.is(k + 5, ")") {
                    if let (Some(key), Some(lit)) = (t.str(k + 4), t.get(k + 4)) {
                        let span = Span::new(c.file, lit.start..lit.end);
                        let facts = read_facts(t, k, k + 5);
                        gates.extend(facts.gate);
                        let alternatives = if lookup { None } else { super::env::alternatives(t, k, k + 5) };
                        let optional = lookup || in_branch || (facts.optional && alternatives.is_none());
                        let key = Spanned::new(key.to_string(), span);
                        let field = field_before(k);
                        let alternatives = alternatives.unwrap_or_default();
                        let read = EnvRead {
                            key,
                            optional,
                            conditional: in_branch,
                            field,
                            kind: ReadKind::Direct,
                            alternatives,
                        };
                        env_reads.push((k, read));
                    } else if let Some(param) =
                        t.name(k + 4).and_then(|n| params.iter().take(arity).position(|(q, _)| q == n))
                    {
                        // `os.Getenv(key)` with `key` a parameter: an env wrapper.
                        let facts = read_facts(t, k, k + 5);
                        let aborts = if lookup { lookup_aborts(t, k) } else { facts.aborts };
                        let kind = if aborts && !in_branch {
                            WrapKind::Required
                        } else if lookup || in_branch || facts.optional || arity > 1 {
                            WrapKind::Optional
                        } else {
                            WrapKind::PassThrough
                        };
                        wrapper.get_or_insert(Wrapper { param, kind });
                    }
                }
            }
            if local.is_none() {
                struct_loads.extend(libs::struct_load(c, k, &ty_of, in_branch));
                env_reads.extend(libs::cli_flag(c, k, in_branch).into_iter().map(|r| (k, r)));
            }
            if local.is_some() || c.imports.viper.iter().any(|v| v == x) {
                env_reads.extend(libs::viper_bind(c, k).into_iter().map(|r| (k, r)));
            }
            // `pkg.F("K")`, `v.M("K")`: perhaps an env wrapper.
            let target = match &local {
                Some(Some(ty)) => Some(Use::Method { ty: ty.clone(), name: y.to_string() }),
                Some(None) => None,
                None => c.imports.aliases.get(x).map(|pkg| Use::Qualified { pkg: pkg.clone(), name: y.to_string() }),
            };
            if let Some(target) = target.filter(|_| t.is(k + 3, "(")) {
                env_reads.extend(libs::via_reads(c, k, k + 3, &target, in_branch, field_before(k)));
            }
            if in_branch {
                continue;
            }
            match local {
                Some(Some(ty)) => {
                    uses.push(Use::Method { ty, name: y.to_string() });
                }
                Some(None) => {}
                None => {
                    if let Some(pkg) = c.imports.aliases.get(x) {
                        uses.push(Use::Qualified { pkg: pkg.clone(), name: y.to_string() });
                    }
                }
            }
            continue;
        }
        // A local, a composite literal's type, a key, a label or a name being declared or
        // assigned is no function.
        let declared = k.checked_sub(1).is_some_and(|p| t.is_kw(p, "var") || t.is_kw(p, "const"));
        if local.is_none() && !declared && !sites.contains(&k) && t.is(k + 1, "(") {
            let target = Use::Ident(x.to_string());
            env_reads.extend(libs::via_reads(c, k, k + 1, &target, in_branch, field_before(k)));
        }
        if in_branch
            || local.is_some()
            || declared
            || sites.contains(&k)
            || [("{"), (":"), ("="), (":=")].iter().any(|p| t.is(k + 1, p))
        {
            continue;
        }
        uses.push(Use::Ident(x.to_string()));
    }
    // A read after an early return on another key's absence, or beside it in one composite
    // literal, is taken only when that key is set.
    for (k, read) in &mut env_reads {
        if gates.iter().any(|g| *k > g.after || g.literal.as_ref().is_some_and(|l| l.contains(k))) {
            read.optional = true;
            read.conditional = true;
        }
    }
    uses.sort();
    uses.dedup();
    uses.shrink_to_fit();
    let mut env_reads: Vec<EnvRead> = env_reads.into_iter().map(|(_, r)| r).collect();
    env_reads.shrink_to_fit();
    Body { env_reads, uses, struct_loads, wrapper }
}
