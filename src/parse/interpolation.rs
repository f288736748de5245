//! Compose variable interpolation in a value: `$$` (a literal `$`), `$VAR`, `${VAR}`,
//! `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `${VAR:+alt}` and
//! `${VAR+alt}`, with nested references in the default or alternative (compose v2).
//!
//! Only the references are returned, with their byte ranges in the value; a `$` that starts
//! none of these forms is left alone (each compose flavor has its own error for it).

/// What compose does with a reference when the variable is unset.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// `$VAR`, `${VAR}`: a blank.
    Plain,
    /// `${VAR:-d}` (also when empty) or `${VAR-d}`: the default.
    Default,
    /// `${VAR:?msg}` (`empty_fails`: also when empty) or `${VAR?msg}`: compose refuses to run.
    Required { empty_fails: bool, message: String },
    /// `${VAR:+x}` / `${VAR+x}`: `x` when set, else a blank; nothing is required.
    Alternative,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VarRef {
    pub name: String,
    pub kind: RefKind,
    /// The whole reference (`${VAR:?msg}`) in the value.
    pub range: std::ops::Range<usize>,
    /// Nested inside another reference's default or alternative: used only when the outer
    /// variable is unset (or set, for `:+`), so never certainly used.
    pub nested: bool,
}

fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_name_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The references in `value`, in order; nested ones after the one that holds them.
pub fn references(value: &str) -> Vec<VarRef> {
    let mut out = Vec::new();
    scan(value, 0, false, 0, &mut out);
    out
}

/// Nesting deeper than this is not followed (compose itself stops far earlier).
const MAX_DEPTH: usize = 8;

fn scan(value: &str, base: usize, nested: bool, depth: usize, out: &mut Vec<VarRef>) {
    let b = value.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b.get(i) != Some(&b'$') {
            i += 1;
            continue;
        }
        match b.get(i + 1).copied() {
            Some(b'$') => i += 2,
            Some(c) if is_name_start(c) => {
                let start = i + 1;
                let mut end = start;
                while b.get(end).copied().is_some_and(is_name_char) {
                    end += 1;
                }
                if let Some(name) = value.get(start..end) {
                    out.push(VarRef {
                        name: name.to_string(),
                        kind: RefKind::Plain,
                        range: base + i..base + end,
                        nested,
                    });
                }
                i = end;
            }
            Some(b'{') => {
                let Some(close) = closing_brace(b, i + 2) else {
                    // An unclosed `${`: no reference (compose reports the format itself).
                    return;
                };
                let inner = value.get(i + 2..close).unwrap_or("");
                let ib = inner.as_bytes();
                let mut n = 0;
                while ib.get(n).copied().is_some_and(is_name_char) {
                    n += 1;
                }
                let name = inner.get(..n).unwrap_or("");
                let rest = inner.get(n..).unwrap_or("");
                let (kind, tail_at) = if !ib.first().copied().is_some_and(is_name_start) {
                    (None, 0)
                } else if rest.is_empty() {
                    (Some(RefKind::Plain), 0)
                } else if let Some(t) = rest.strip_prefix(":-") {
                    (Some(RefKind::Default), inner.len() - t.len())
                } else if let Some(t) = rest.strip_prefix('-') {
                    (Some(RefKind::Default), inner.len() - t.len())
                } else if let Some(t) = rest.strip_prefix(":?") {
                    (Some(RefKind::Required { empty_fails: true, message: t.to_string() }), inner.len())
                } else if let Some(t) = rest.strip_prefix('?') {
                    (Some(RefKind::Required { empty_fails: false, message: t.to_string() }), inner.len())
                } else if let Some(t) = rest.strip_prefix(":+") {
                    (Some(RefKind::Alternative), inner.len() - t.len())
                } else if let Some(t) = rest.strip_prefix('+') {
                    (Some(RefKind::Alternative), inner.len() - t.len())
                } else {
                    (None, 0)
                };
                if let Some(kind) = kind {
                    let follows = matches!(kind, RefKind::Default | RefKind::Alternative);
                    out.push(VarRef { name: name.to_string(), kind, range: base + i..base + close + 1, nested });
                    if follows && depth < MAX_DEPTH {
                        let tail = inner.get(tail_at..).unwrap_or("");
                        scan(tail, base + i + 2 + tail_at, true, depth + 1, out);
                    }
                }
                i = close + 1;
            }
            _ => i += 1,
        }
    }
}

/// The `}` closing a `${` whose body starts at `from`, counting nested `${…}`.
fn closing_brace(b: &[u8], from: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut i = from;
    while let Some(&c) = b.get(i) {
        match c {
            b'$' if b.get(i + 1) == Some(&b'{') => {
                depth += 1;
                i += 2;
                continue;
            }
            b'}' if depth == 0 => return Some(i),
            b'}' => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(v: &str) -> Vec<(String, RefKind, bool)> {
        references(v).into_iter().map(|r| (r.name, r.kind, r.nested)).collect()
    }

    #[test]
    fn every_form_compose_knows() {
        let v = "$$HOME ${A} $B ${C:-x} ${D-y} ${E:?need E} ${F?} ${G:+on} ${H+z} $1 ${9} ${}";
        let got = kinds(v);
        let names: Vec<&str> = got.iter().map(|(n, _, _)| n.as_str()).collect();
        assert_eq!(names, ["A", "B", "C", "D", "E", "F", "G", "H"]);
        assert_eq!(got[0].1, RefKind::Plain);
        assert_eq!(got[1].1, RefKind::Plain);
        assert_eq!(got[2].1, RefKind::Default);
        assert_eq!(got[3].1, RefKind::Default);
        assert_eq!(got[4].1, RefKind::Required { empty_fails: true, message: "need E".into() });
        assert_eq!(got[5].1, RefKind::Required { empty_fails: false, message: String::new() });
        assert_eq!(got[6].1, RefKind::Alternative);
        assert_eq!(got[7].1, RefKind::Alternative);
    }

    #[test]
    fn ranges_cover_the_reference() {
        let v = "x=${TOKEN:?set it} y=$PLAIN";
        let r = references(v);
        assert_eq!(v.get(r[0].range.clone()), Some("${TOKEN:?set it}"));
        assert_eq!(v.get(r[1].range.clone()), Some("$PLAIN"));
    }

    #[test]
    fn nested_defaults_are_nested() {
        let v = "${A:-${B:-${C}}}";
        let got = kinds(v);
        assert_eq!(
            got,
            vec![
                ("A".into(), RefKind::Default, false),
                ("B".into(), RefKind::Default, true),
                ("C".into(), RefKind::Plain, true)
            ]
        );
        let r = references(v);
        assert_eq!(v.get(r[1].range.clone()), Some("${B:-${C}}"));
    }

    #[test]
    fn escaped_and_unclosed_are_not_references() {
        assert!(references("$${NOT} $$X").is_empty());
        assert!(references("${OPEN").is_empty());
        assert!(references("cost: 5$ and $").is_empty());
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_ranges_are_in_bounds(s in "\\PC{0,64}") {
            for r in references(&s) {
                proptest::prop_assert!(s.get(r.range.clone()).is_some());
            }
        }
    }
}
