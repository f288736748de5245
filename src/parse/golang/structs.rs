//! Struct type declarations with their fields' types and tags, for the libraries that fill a
//! struct from the env by its tags.

use super::decls::{Ctx, predeclared, type_at};
use super::lex::Toks;
use super::{Field, FieldType, StructDecl, TagItem, TypeRef};
use crate::source::{Span, Spanned};
use std::ops::Range;

/// Whether token `k` sits directly inside a `type ( … )` group.
fn in_type_group(t: Toks<'_, '_>, k: usize) -> bool {
    let mut depth = 0usize;
    let mut j = k;
    while let Some(p) = j.checked_sub(1) {
        j = p;
        if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth += 1;
        } else if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            if depth == 0 {
                return t.is(j, "(") && j.checked_sub(1).is_some_and(|v| t.is_kw(v, "type"));
            }
            depth -= 1;
        }
    }
    false
}

/// Every `type Name struct { … }` of the file (also in `type ( … )` groups).
pub(super) fn decls(c: &Ctx<'_, '_, '_>) -> Vec<StructDecl> {
    let t = c.t;
    let mut out = Vec::new();
    for k in 1..t.len() {
        if !t.is_kw(k, "struct") || !t.is(k + 1, "{") {
            continue;
        }
        let Some(name) = t.name(k - 1) else { continue };
        let declared = k >= 2 && t.is_kw(k - 2, "type");
        let grouped =
            k >= 2 && (t.is(k - 2, "(") || c.line_break_after(k - 2) || t.is(k - 2, ";")) && in_type_group(t, k - 1);
        if !declared && !grouped {
            continue;
        }
        let Some(close) = t.closing(k + 1) else { continue };
        out.push(StructDecl { name: name.to_string(), fields: fields(c, k + 2..close) });
    }
    out
}

/// The fields of a struct body: one per line (or `;`), `A, B T` one per name.
fn fields(c: &Ctx<'_, '_, '_>, r: Range<usize>) -> Vec<Field> {
    let t = c.t;
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut depth = 0usize;
    let mut from = r.start;
    for j in r.clone() {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
        } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth = depth.saturating_sub(1);
        }
        if depth == 0 && (t.is(j, ";") || c.line_break_after(j) || j + 1 == r.end) {
            let end = if t.is(j, ";") { j } else { j + 1 };
            if from < end {
                lines.push(from..end);
            }
            from = j + 1;
        }
    }
    let mut out = Vec::new();
    for line in lines {
        let (mut line, tag) = match line.end.checked_sub(1).filter(|&e| e > line.start && t.str(e).is_some()) {
            Some(e) => (line.start..e, tag_items(c, e)),
            None => (line, Vec::new()),
        };
        // Names: `A, B T`.
        let mut names = Vec::new();
        let mut j = line.start;
        while let Some(n) = t.name(j) {
            if t.is(j + 1, ",") {
                names.push(Spanned::new(n.to_string(), c.span(j)));
                j += 2;
            } else {
                break;
            }
        }
        let embedded = names.is_empty() && is_embedded(t, line.clone());
        if !embedded {
            let Some(n) = t.name(j) else { continue };
            names.push(Spanned::new(n.to_string(), c.span(j)));
            line.start = j + 1;
        }
        let ty = field_type(c, line);
        if embedded {
            out.push(Field { name: None, ty, tag });
        } else {
            out.extend(names.into_iter().map(|n| Field { name: Some(n), ty: ty.clone(), tag: tag.clone() }));
        }
    }
    out
}

/// `T`, `*T`, `pkg.T`, `*pkg.T`: an embedded field.
fn is_embedded(t: Toks<'_, '_>, r: Range<usize>) -> bool {
    let s = if t.is(r.start, "*") { r.start + 1 } else { r.start };
    match r.end.saturating_sub(s) {
        1 => t.name(s).is_some(),
        3 => t.name(s).is_some() && t.is(s + 1, ".") && t.name(s + 2).is_some(),
        _ => false,
    }
}

fn field_type(c: &Ctx<'_, '_, '_>, r: Range<usize>) -> FieldType {
    let t = c.t;
    if r.is_empty() {
        return FieldType::Unknown;
    }
    if t.is(r.start, "*") {
        return match field_type(c, r.start + 1..r.end) {
            FieldType::Named(ty) => FieldType::Pointer(ty),
            FieldType::Leaf => FieldType::Leaf,
            _ => FieldType::Unknown,
        };
    }
    if t.is(r.start, "[") || t.is_kw(r.start, "map") {
        return FieldType::Leaf;
    }
    let Some(a) = t.name(r.start) else { return FieldType::Unknown };
    if r.len() == 1 && predeclared(a) {
        return FieldType::Leaf;
    }
    if r.len() == 3 && a == "time" && t.ident(r.start + 2) == Some("Duration") {
        return FieldType::Leaf;
    }
    match type_at(c, r.clone()) {
        Some(ty @ TypeRef::Named { .. }) if r.len() == 1 || r.len() == 3 => FieldType::Named(ty),
        _ => FieldType::Unknown,
    }
}

/// The `key:"value"` pairs of the tag literal at `k`. Values of a raw literal get their own span;
/// those of an interpreted one (escapes may move them) the literal's.
fn tag_items(c: &Ctx<'_, '_, '_>, k: usize) -> Vec<TagItem> {
    let t = c.t;
    let (Some(s), Some(tok)) = (t.str(k), t.get(k)) else { return Vec::new() };
    let raw = c.text.get(tok.start..tok.start + 1) == Some("`");
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        while b.get(i).is_some_and(|c| *c == b' ') {
            i += 1;
        }
        let key_start = i;
        while b.get(i).is_some_and(|c| *c > b' ' && *c != b':' && *c != b'"') {
            i += 1;
        }
        if i == key_start || b.get(i) != Some(&b':') || b.get(i + 1) != Some(&b'"') {
            break;
        }
        let key = s.get(key_start..i).unwrap_or("").to_string();
        let v_start = i + 2;
        let mut j = v_start;
        while j < b.len() && b.get(j) != Some(&b'"') {
            j += if b.get(j) == Some(&b'\\') { 2 } else { 1 };
        }
        let value = s.get(v_start..j.min(b.len())).unwrap_or("").to_string();
        let span =
            if raw { Span::new(c.file, tok.start + 1 + v_start..tok.start + 1 + j.min(b.len())) } else { c.span(k) };
        out.push(TagItem { key, value: Spanned::new(value, span) });
        i = j + 1;
    }
    out
}
