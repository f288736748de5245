//! Whether the code copes without the value of an `os.Getenv` read: a default, a presence
//! check, or an early return that makes the rest of the setting optional.

use super::lex::Toks;
use std::ops::Range;

/// What a read tells about itself and the reads around it.
#[derive(Debug, Default)]
pub(super) struct ReadFacts {
    pub optional: bool,
    /// The code aborts when the value is empty (`log.Fatal`, `panic`, an error).
    pub aborts: bool,
    /// An empty check of this value returns early without an error (`if key == "" { return
    /// nil }`): the reads after it, and those of the same composite literal, are taken only
    /// when this key is set.
    pub gate: Option<Gate>,
}

#[derive(Debug)]
pub(super) struct Gate {
    /// The last token of the early-return block.
    pub after: usize,
    /// The composite literal holding the read (`Config{Driver: os.Getenv(…), …}`).
    pub literal: Option<Range<usize>>,
}

/// The block after the comparison at `from`: whether it aborts (`log.Fatal`, `panic`,
/// `os.Exit`, an error made with `errors.New`/`fmt.Errorf`), whether it returns, where it ends.
struct Block {
    aborts: bool,
    returns: bool,
    close: usize,
}

/// Whether the identifier at `k` names a call that aborts: `panic`, `os.Exit`, `log.Fatal*`,
/// or makes an error (`errors.New`, `fmt.Errorf`).
fn abort_call(t: Toks<'_, '_>, k: usize) -> bool {
    t.ident(k).is_some_and(|s| matches!(s, "panic" | "Exit" | "Errorf" | "New") || s.starts_with("Fatal"))
}

/// Whether the statement that starts at `k` aborts: `panic(…)`, `log.Fatal(…)`, `os.Exit(…)`,
/// or `return …, fmt.Errorf(…)`.
fn statement_aborts(t: Toks<'_, '_>, k: usize) -> bool {
    if abort_call(t, k) || (t.is(k + 1, ".") && abort_call(t, k + 2)) {
        return true;
    }
    if !t.is_kw(k, "return") {
        return false;
    }
    // The returned values, up to the end of the block (a `return` is the block's last statement).
    let mut depth = 0usize;
    let mut j = k + 1;
    while j < t.len() && j < k + 64 {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
        } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            if depth == 0 {
                break;
            }
            depth -= 1;
        } else if depth == 0 && abort_call(t, j) && t.is(j + 1, "(") {
            return true;
        }
        j += 1;
    }
    false
}

fn block_after(t: Toks<'_, '_>, from: usize) -> Option<Block> {
    let open = (from..(from + 8).min(t.len())).find(|&k| t.is(k, "{"))?;
    let close = t.closing(open).unwrap_or(t.len());
    // Only an abort on the block's own path counts: one inside a nested block is the error
    // path of something else the block does (`if err != nil { log.Fatal(err) }` after
    // generating a default).
    let mut depth = 0usize;
    let mut aborts = false;
    for k in open..close {
        if t.is(k, "{") {
            depth += 1;
        } else if t.is(k, "}") {
            depth = depth.saturating_sub(1);
        } else if depth == 1 && abort_call(t, k) {
            aborts = true;
        }
    }
    let returns = (open..close).any(|k| t.is_kw(k, "return"));
    Some(Block { aborts, returns, close })
}

/// Decides from the comparison with `""` at `cmp` (the token after the value): `==` with a
/// block that does not abort is a fallback (and a gate when it returns); `!=` leaves the empty
/// case to the code after the block, a fallback unless an `else` aborts.
fn judge(t: Toks<'_, '_>, cmp: usize, literal: Option<Range<usize>>) -> ReadFacts {
    let Some(b) = block_after(t, cmp) else {
        return ReadFacts { optional: true, aborts: false, gate: None };
    };
    if t.is(cmp, "==") {
        let gate = (!b.aborts && b.returns).then_some(Gate { after: b.close, literal });
        return ReadFacts { optional: !b.aborts, aborts: b.aborts, gate };
    }
    let else_aborts = t.is_kw(b.close + 1, "else") && block_after(t, b.close + 1).is_some_and(|e| e.aborts);
    // `if v != "" { return v }` then an abort: the empty case aborts.
    let then_aborts = !t.is_kw(b.close + 1, "else") && b.returns && statement_aborts(t, b.close + 1);
    let aborts = else_aborts || then_aborts;
    ReadFacts { optional: !aborts, aborts, gate: None }
}

/// Whether an `os.LookupEnv` call whose `os` token is at `at` has its `ok` checked with an
/// abort on the missing side: `v, ok := os.LookupEnv(k); if !ok { log.Fatal(…) }`, or `if v, ok
/// := os.LookupEnv(k); ok { return v }` followed by an abort.
pub(super) fn lookup_aborts(t: Toks<'_, '_>, at: usize) -> bool {
    let Some(assign) = at.checked_sub(1).filter(|&p| t.is(p, ":=") || t.is(p, "=")) else { return false };
    let Some(ok) = assign.checked_sub(1).and_then(|p| t.ident(p)) else { return false };
    if !assign.checked_sub(2).is_some_and(|p| t.is(p, ",")) {
        return false;
    }
    let end = (at + 120).min(t.len());
    for i in at + 5..end {
        if t.ident(i) != Some(ok) || t.is(i.saturating_sub(1), ".") {
            continue;
        }
        // `!ok {` / `!ok ||`: the block runs when the key is unset.
        if i.checked_sub(1).is_some_and(|p| t.is(p, "!")) {
            return block_after(t, i + 1).is_some_and(|b| b.aborts);
        }
        // `; ok {`: the block runs when the key is set; what follows it when not.
        if t.is(i + 1, "{") {
            return block_after(t, i + 1).is_some_and(|b| {
                let else_aborts = t.is_kw(b.close + 1, "else") && block_after(t, b.close + 1).is_some_and(|e| e.aborts);
                else_aborts || (b.returns && statement_aborts(t, b.close + 1))
            });
        }
        return false;
    }
    false
}

/// Looks in the tokens after `from` for a comparison of `name` (or `.name`) with `""` or a
/// `len(name)` test: the comparison operator's index.
fn empty_check(t: Toks<'_, '_>, from: usize, name: &str, field: bool) -> Option<usize> {
    let end = (from + 120).min(t.len());
    for i in from..end {
        let matches_name = t.ident(i) == Some(name) && (!field || i.checked_sub(1).is_some_and(|p| t.is(p, ".")));
        if !matches_name {
            continue;
        }
        if (t.is(i + 1, "==") || t.is(i + 1, "!=")) && t.is_empty_str(i + 2) {
            return Some(i + 1);
        }
        // `len(name) == 0`, `len(name) > 0`.
        if i.checked_sub(2).is_some_and(|p| t.ident(p) == Some("len")) && t.is(i + 1, ")") {
            return Some(i + 2);
        }
    }
    None
}

/// Functions that read a switch or a default out of a value rather than use it as a setting.
const FLAG_READERS: &[&str] = &["Or", "ParseBool", "EqualFold", "ToLower", "ToUpper", "HasPrefix", "Contains"];

/// The braces of the composite literal around token `at` (looked for in the 4,096 tokens
/// before it: a literal of settings is never longer).
fn enclosing_braces(t: Toks<'_, '_>, at: usize) -> Option<Range<usize>> {
    let mut depth = 0usize;
    let mut k = at;
    let floor = at.saturating_sub(4096);
    while let Some(p) = k.checked_sub(1).filter(|&p| p >= floor) {
        k = p;
        if t.is(k, ")") || t.is(k, "]") || t.is(k, "}") {
            depth += 1;
        } else if t.is(k, "(") || t.is(k, "[") {
            depth = depth.checked_sub(1)?;
        } else if t.is(k, "{") {
            if depth == 0 {
                return Some(k..t.closing(k)?);
            }
            depth -= 1;
        }
    }
    None
}

/// Whether the expression at `at` is an argument of a call of `Or` (`cmp.Or(a, os.Getenv("K"))`),
/// its `(` looked for in the 64 tokens before it.
fn or_argument(t: Toks<'_, '_>, at: usize) -> bool {
    let mut depth = 0usize;
    let mut k = at;
    while let Some(p) = k.checked_sub(1).filter(|&p| p + 64 >= at) {
        k = p;
        if t.is(k, ")") || t.is(k, "]") || t.is(k, "}") {
            depth += 1;
        } else if t.is(k, "[") || t.is(k, "{") {
            if depth == 0 {
                return false;
            }
            depth -= 1;
        } else if t.is(k, "(") {
            if depth == 0 {
                return k.checked_sub(1).is_some_and(|f| t.ident(f) == Some("Or"));
            }
            depth -= 1;
        }
    }
    false
}

/// The facts of the `os.Getenv` call (or the call of a wrapper) that starts at token `at` and
/// whose `)` is at `close`.
pub(super) fn read_facts(t: Toks<'_, '_>, at: usize, close: usize) -> ReadFacts {
    // Compared right away: `if os.Getenv("K") == "" {…}`.
    if (t.is(close + 1, "==") || t.is(close + 1, "!=")) && t.is_empty_str(close + 2) {
        return judge(t, close + 1, None);
    }
    // Compared with a value: a switch, not a setting (`if os.Getenv("DEBUG") == "1"`).
    if (t.is(close + 1, "==") || t.is(close + 1, "!=")) && t.str(close + 2).is_some() {
        return ReadFacts { optional: true, aborts: false, gate: None };
    }
    // Any argument of `cmp.Or(…)`: the first one set wins.
    if or_argument(t, at) {
        return ReadFacts { optional: true, aborts: false, gate: None };
    }
    // Out through the calls that wrap it (`strings.TrimSpace(os.Getenv("K"))`): a wrapper that
    // reads a flag or a default out of it makes it optional; else the whole call is the value.
    let mut start = at;
    let mut end = close;
    while let Some(open) = start.checked_sub(1).filter(|&p| t.is(p, "(")) {
        let Some(func) = open.checked_sub(1).and_then(|p| t.ident(p)) else { break };
        if FLAG_READERS.contains(&func) {
            return ReadFacts { optional: true, aborts: false, gate: None };
        }
        let Some(call_close) = t.closing(open) else { break };
        // `strings.TrimSpace(` or `trim(`: the call starts at its qualifier.
        start = open - 1;
        if start >= 2 && t.is(start - 1, ".") && t.ident(start - 2).is_some() {
            start -= 2;
        }
        end = call_close;
    }
    let prev = start.checked_sub(1);
    let Some(name) = start.checked_sub(2).and_then(|p| t.ident(p)) else { return ReadFacts::default() };
    // `v := os.Getenv("K")` / `v = …`, then `if v == "" {…}` nearby.
    if prev.is_some_and(|p| t.is(p, ":=") || t.is(p, "=")) {
        return empty_check(t, end, name, false).map_or_else(ReadFacts::default, |cmp| judge(t, cmp, None));
    }
    // `Field: os.Getenv("K")` in a composite literal, then `if cfg.Field == ""`.
    if prev.is_some_and(|p| t.is(p, ":")) {
        let literal = enclosing_braces(t, start);
        return empty_check(t, end, name, true).map_or_else(ReadFacts::default, |cmp| judge(t, cmp, literal));
    }
    ReadFacts::default()
}

/// Fields compared with `""` (`x.Field == ""`, `x.Field != ""`) where the code copes with the
/// empty value: no abort on the empty side.
pub(super) fn empty_checked_fields(t: Toks<'_, '_>) -> Vec<String> {
    let mut out = Vec::new();
    for i in 1..t.len() {
        if !t.is(i - 1, ".") {
            continue;
        }
        let Some(name) = t.ident(i) else { continue };
        if (t.is(i + 1, "==") || t.is(i + 1, "!=")) && t.is_empty_str(i + 2) && judge(t, i + 1, None).optional {
            out.push(name.to_string());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// `os.Getenv("K")` at `j` (any qualifier for `os`): its key.
fn getenv_at<'t>(t: Toks<'t, '_>, j: usize) -> Option<&'t str> {
    (t.name(j).is_some()
        && t.is(j + 1, ".")
        && t.ident(j + 2) == Some("Getenv")
        && t.is(j + 3, "(")
        && t.is(j + 5, ")"))
    .then(|| t.str(j + 4))
    .flatten()
}

/// The other keys of a read that only other keys stand in for, when the code fails without
/// all of them, for the first read of such a chain (its `os` at `at`, its `)` at `close`):
/// - `v := cmp.Or(os.Getenv("A"), os.Getenv("B"))` then `if v == "" {` with an abort;
/// - `v := os.Getenv("A")` then `if v == "" { v = os.Getenv("B") }` with no `else`, and no
///   later empty check of `v` that copes (one that aborts, or none: the value is used as is).
///
/// `None` for any other read.
pub(super) fn alternatives(t: Toks<'_, '_>, at: usize, close: usize) -> Option<Vec<String>> {
    let assigned = |start: usize| -> Option<&str> {
        let op = start.checked_sub(1)?;
        (t.is(op, ":=") || t.is(op, "=")).then(|| t.name(op.checked_sub(1)?)).flatten()
    };
    if at >= 2 && t.is(at - 1, "(") && t.ident(at - 2) == Some("Or") {
        let open = at - 1;
        let call_close = t.closing(open)?;
        let mut keys = Vec::new();
        let mut j = open + 1;
        loop {
            keys.push(getenv_at(t, j)?.to_string());
            j += 6;
            if !t.is(j, ",") {
                break;
            }
            j += 1;
        }
        if j != call_close || keys.len() < 2 {
            return None;
        }
        let start = if open >= 4 && t.is(open - 2, ".") { open - 3 } else { open - 1 };
        let name = assigned(start)?;
        let cmp = empty_check(t, call_close, name, false)?;
        return (t.is(cmp, "==") && judge(t, cmp, None).aborts).then(|| keys.split_off(1));
    }
    let name = assigned(at)?;
    let mut j = close + 1;
    if t.is(j, ";") {
        j += 1;
    }
    let check = t.is_kw(j, "if") && t.ident(j + 1) == Some(name) && t.is(j + 2, "==") && t.is_empty_str(j + 3);
    let b = j + 4;
    let fallback = t.is(b, "{") && t.ident(b + 1) == Some(name) && t.is(b + 2, "=") && t.is(b + 9, "}");
    if !check || !fallback || t.is_kw(b + 10, "else") {
        return None;
    }
    let other = getenv_at(t, b + 3)?.to_string();
    match empty_check(t, b + 9, name, false) {
        None => Some(vec![other]),
        Some(cmp) => (t.is(cmp, "==") && judge(t, cmp, None).aborts).then(|| vec![other]),
    }
}
