//! String flags (`flag.String`, `flag.StringVar`) and the `switch` on each one's own variable.

use super::decls::Ctx;
use super::{FlagSwitch, StringFlag};
use crate::source::{Span, Spanned};
use std::ops::Range;

pub(super) fn string_flags(c: &Ctx<'_, '_, '_>, bodies: &[Range<usize>]) -> Vec<StringFlag> {
    let t = c.t;
    let sp = |i: usize| t.get(i).map_or(Span::default(), |tk| Span::new(c.file, tk.start..tk.end));
    let mut out = Vec::new();
    if c.imports.flag.is_empty() {
        return out;
    }
    for k in 0..t.len() {
        let Some(x) = t.ident(k) else { continue };
        if !c.imports.flag.iter().any(|f| f == x) || k.checked_sub(1).is_some_and(|p| t.is(p, ".")) {
            continue;
        }
        let func = t.ident(k + 2);
        if !t.is(k + 1, ".") || !matches!(func, Some("String" | "StringVar")) || !t.is(k + 3, "(") {
            continue;
        }
        // `v := flag.String("task", …)` / `v = …`, or `flag.StringVar(&v, "task", …)`.
        let (var, name_at, short_decl) = if func == Some("String") {
            let prev = k.checked_sub(1);
            let var =
                prev.filter(|&p| t.is(p, ":=") || t.is(p, "=")).and_then(|p| p.checked_sub(1)).and_then(|p| t.name(p));
            (var, k + 4, prev.is_some_and(|p| t.is(p, ":=")))
        } else {
            let var = (t.is(k + 4, "&") && t.is(k + 6, ",")).then(|| t.name(k + 5)).flatten();
            (var, k + 7, false)
        };
        let Some(name) = t.str(name_at) else { continue };
        let default = (t.is(name_at + 1, ",") && (t.is(name_at + 3, ",") || t.is(name_at + 3, ")")))
            .then(|| t.str(name_at + 2).map(str::to_string))
            .flatten();
        let switch = var.and_then(|v| {
            // A variable declared in the function is switched on there; a package-level one
            // anywhere in the file.
            let body = bodies.iter().find(|b| b.contains(&k));
            let scope = match body {
                Some(b) if short_decl || declares(c, b.clone(), v) => b.clone(),
                _ => 0..t.len(),
            };
            switch_on(c, scope, v)
        });
        out.push(StringFlag { name: Spanned::new(name.to_string(), sp(name_at)), default, switch });
    }
    out
}

/// Whether the code in `r` declares `v` (`var v`, `v :=`, `v, w :=`).
fn declares(c: &Ctx<'_, '_, '_>, r: Range<usize>, v: &str) -> bool {
    let t = c.t;
    r.clone().any(|m| {
        (t.is_kw(m, "var") && t.ident(m + 1) == Some(v))
            || (t.ident(m) == Some(v)
                && !m.checked_sub(1).is_some_and(|p| t.is(p, "."))
                && (t.is(m + 1, ":=") || (t.is(m + 1, ",") && (m + 2..m + 6).any(|q| t.is(q, ":=")))))
    })
}

/// The `switch v {` / `switch *v {` statements in `r`, and the `map[string]…` registries
/// indexed by the variable (`tasks[*v]`), merged.
fn switch_on(c: &Ctx<'_, '_, '_>, r: Range<usize>, v: &str) -> Option<FlagSwitch> {
    let t = c.t;
    let mut found: Option<FlagSwitch> = None;
    for m in r.clone() {
        let Some(reg) = t.ident(m) else { continue };
        let at = if t.is(m + 1, "[") && t.is(m + 2, "*") && t.ident(m + 3) == Some(v) && t.is(m + 4, "]") {
            true
        } else {
            t.is(m + 1, "[") && t.ident(m + 2) == Some(v) && t.is(m + 3, "]")
        };
        if !at || m.checked_sub(1).is_some_and(|p| t.is(p, ".")) {
            continue;
        }
        if let Some(keys) = registry(c, reg) {
            let sw = found.get_or_insert_with(FlagSwitch::default);
            for (k, span) in keys {
                if k.is_empty() {
                    sw.handles_empty = true;
                } else if !sw.cases.iter().any(|c| c.value == k) {
                    sw.cases.push(Spanned::new(k, span));
                }
            }
        }
    }
    for s in r.filter(|&s| t.is_kw(s, "switch")) {
        let open = if t.ident(s + 1) == Some(v) && t.is(s + 2, "{") {
            s + 2
        } else if t.is(s + 1, "*") && t.ident(s + 2) == Some(v) && t.is(s + 3, "{") {
            s + 3
        } else {
            continue;
        };
        let Some(close) = t.closing(open) else { continue };
        let sw = found.get_or_insert_with(FlagSwitch::default);
        let mut depth = 0usize;
        let mut j = open + 1;
        while j < close {
            if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
                depth += 1;
            } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && t.is_kw(j, "case") {
                j += 1;
                while j < close && !t.is(j, ":") {
                    if let (Some(lit), Some(tk)) = (t.str(j), t.get(j)) {
                        if lit.is_empty() {
                            sw.handles_empty = true;
                        } else {
                            let span = Span::new(c.file, tk.start..tk.end);
                            sw.cases.push(Spanned::new(lit.to_string(), span));
                        }
                    }
                    j += 1;
                }
            }
            j += 1;
        }
    }
    found
}

/// The string keys of the map literal the file assigns to `name` (`var name = map[string]F{…}`,
/// `name := map[string]F{…}`); `None` when there is none or a key is not a string literal.
fn registry(c: &Ctx<'_, '_, '_>, name: &str) -> Option<Vec<(String, Span)>> {
    let t = c.t;
    let k = (0..t.len()).find(|&k| {
        t.ident(k) == Some(name)
            && !k.checked_sub(1).is_some_and(|p| t.is(p, "."))
            && (t.is(k + 1, "=") || t.is(k + 1, ":="))
            && t.is_kw(k + 2, "map")
            && t.is(k + 3, "[")
            && t.ident(k + 4) == Some("string")
            && t.is(k + 5, "]")
    })?;
    // The value type: skip `func(…) error`, `interface{}`, `struct{…}` up to the literal's `{`.
    let mut j = k + 6;
    let open = loop {
        if j >= t.len() || j > k + 200 {
            return None;
        }
        if t.is(j, "(") || t.is(j, "[") {
            j = t.closing(j)? + 1;
        } else if (t.is_kw(j, "interface") || t.is_kw(j, "struct")) && t.is(j + 1, "{") {
            j = t.closing(j + 1)? + 1;
        } else if t.is(j, "{") {
            break j;
        } else {
            j += 1;
        }
    };
    let close = t.closing(open)?;
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut at_item = true;
    for j in open + 1..close {
        if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
            depth += 1;
        } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && t.is(j, ",") {
            at_item = true;
            continue;
        } else if depth == 0 && at_item {
            let (Some(key), true) = (t.str(j), t.is(j + 1, ":")) else { return None };
            out.push((key.to_string(), c.span(j)));
        }
        at_item = false;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use crate::source::FileId;

    type Flag = (String, Option<String>, Option<(Vec<String>, bool)>);

    fn flags(src: &str) -> Vec<Flag> {
        parse(FileId(0), src)
            .string_flags
            .into_iter()
            .map(|f| {
                let sw = f.switch.map(|s| (s.cases.into_iter().map(|c| c.value).collect(), s.handles_empty));
                (f.name.value, f.default, sw)
            })
            .collect()
    }

    #[test]
    fn a_task_switch() {
        let src = r#"package main
import "flag"
func main() {
    task := flag.String("task", "", "task to run")
    flag.Parse()
    switch *task {
    case "a":
        run()
    case "b", "c":
        switch x { case "nested": }
    default:
    }
}
"#;
        let tasks = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(flags(src), [("task".to_string(), Some(String::new()), Some((tasks, false)))]);
    }

    #[test]
    fn a_map_registry_indexed_by_the_flag() {
        let src = r#"package main
import "flag"
var jobs = map[string]func(ctx context.Context, db *sql.DB) error{
    "purge-carts": purgeCarts,
    "send-digest": func(ctx context.Context, db *sql.DB) error { return nil },
}
var other = map[string]int{"x": 1}
func main() {
    job := flag.String("job", "", "job to run")
    flag.Parse()
    run, ok := jobs[*job]
    _ = other["y"]
}
"#;
        let tasks = ["purge-carts", "send-digest"].map(String::from).to_vec();
        assert_eq!(flags(src), [("job".to_string(), Some(String::new()), Some((tasks, false)))]);
    }

    #[test]
    fn modes_defaults_and_other_variables() {
        let src = r#"package main
import "flag"
var job string
func init() {
    flag.StringVar(&job, "job", "", "job")
}
func main() {
    action := flag.String("action", "up", "up|down")
    format := flag.String("format", os.Getenv("FORMAT"), "output format")
    flag.Parse()
    switch *action {
    case "up":
    case "down":
    }
    switch strings.ToLower(*format) {
    case "json":
    }
    go func() {
        switch job {
        case "":
            serve()
        case "purge":
        }
    }()
}
func describe(action *string) {
    switch *action {
    case "other":
    }
}
"#;
        assert_eq!(
            flags(src),
            [
                ("job".to_string(), Some(String::new()), Some((vec!["purge".to_string()], true))),
                (
                    "action".to_string(),
                    Some("up".to_string()),
                    Some((vec!["up".to_string(), "down".to_string()], false))
                ),
                ("format".to_string(), None, None),
            ]
        );
    }
}
