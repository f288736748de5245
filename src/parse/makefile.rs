//! Makefiles: variables (`X = v`, `X := v`, `X ?= v`, `X += v`) and rules with their recipe
//! lines (tab-indented, `@`/`-`/`+` prefixes dropped, `\` continuations kept for the shell
//! parser), each with its byte offset.

use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MakeRule {
    pub targets: Vec<String>,
    pub prereqs: Vec<String>,
    /// Recipe lines: (text, byte offset of the text in the file).
    pub recipe: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Makefile {
    pub vars: BTreeMap<String, String>,
    pub rules: Vec<MakeRule>,
}

impl Makefile {
    /// The rule that makes `target` (explicit rules first, then `%` pattern rules), and the stem
    /// a pattern matched.
    pub fn rule_for(&self, target: &str) -> Option<(&MakeRule, Option<String>)> {
        // Targets are written with variables (`$(CMDS):`): compare them expanded.
        let none = BTreeMap::new();
        let targets = |r: &MakeRule| -> Vec<String> {
            r.targets
                .iter()
                .flat_map(|t| {
                    self.expand(t, &none, 0)
                        .unwrap_or_else(|| t.clone())
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        // An explicit rule wins (the one with a recipe, else one that only lists prerequisites).
        let explicit = || self.rules.iter().filter(|r| targets(r).iter().any(|t| t == target));
        if let Some(r) = explicit().find(|r| !r.recipe.is_empty()).or_else(|| explicit().next()) {
            return Some((r, None));
        }
        self.rules.iter().find_map(|r| {
            targets(r).iter().find_map(|t| {
                let (pre, post) = t.split_once('%')?;
                let stem = target.strip_prefix(pre)?.strip_suffix(post)?;
                (!stem.is_empty()).then(|| (r, Some(stem.to_string())))
            })
        })
    }

    /// The default goal: the first rule whose target is not special (`.PHONY`) or a pattern.
    pub fn default_goal(&self) -> Option<&str> {
        self.rules
            .iter()
            .flat_map(|r| r.targets.iter())
            .find(|t| !t.starts_with('.') && !t.contains('%'))
            .map(String::as_str)
    }

    /// Expands `$(X)`, `${X}`, `$X` with the file's variables and `extra` (automatic ones such as
    /// `$@` and `$*`); `None` when something is unknown (a function, an undefined variable).
    pub fn expand(&self, s: &str, extra: &BTreeMap<String, String>, depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        let mut out = String::new();
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '$' {
                out.push(c);
                continue;
            }
            let &(_, n) = chars.peek()?;
            match n {
                '$' => {
                    chars.next();
                    out.push('$');
                }
                '(' | '{' => {
                    let close = if n == '(' { ')' } else { '}' };
                    let rest = &s[i + 2..];
                    let end = rest.find(close)?;
                    let name = &rest[..end];
                    if name.contains([' ', ',', '(']) {
                        return None;
                    }
                    let value = extra.get(name).or_else(|| self.vars.get(name))?;
                    out.push_str(&self.expand(value, extra, depth + 1)?);
                    for _ in 0..end + 2 {
                        chars.next();
                    }
                }
                _ => {
                    chars.next();
                    let value = extra.get(&n.to_string()).or_else(|| self.vars.get(&n.to_string()))?;
                    out.push_str(&self.expand(value, extra, depth + 1)?);
                }
            }
        }
        Some(out)
    }
}

/// What [`Makefile::expand_lenient`] puts where a value cannot be known: a shell variable, so
/// that whoever reads the command sees an unresolved part.
pub const UNKNOWN: &str = "${MAKE_UNKNOWN}";

impl Makefile {
    /// Expands like [`Makefile::expand`], and `$(call F,a,b)` with its arguments; what cannot be
    /// known (an undefined variable, another function) becomes [`UNKNOWN`] instead of failing.
    pub fn expand_lenient(&self, s: &str, extra: &BTreeMap<String, String>, depth: usize) -> String {
        if depth > 16 {
            return UNKNOWN.to_string();
        }
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            out.push_str(&rest[..i]);
            let after = &rest[i + 1..];
            let Some(n) = after.chars().next() else {
                rest = after;
                break;
            };
            if n == '$' {
                out.push('$');
                rest = &after[1..];
                continue;
            }
            if n != '(' && n != '{' {
                let key = n.to_string();
                let value = extra.get(&key).or_else(|| self.vars.get(&key));
                out.push_str(&value.map_or_else(|| UNKNOWN.to_string(), |v| self.expand_lenient(v, extra, depth + 1)));
                rest = &after[n.len_utf8()..];
                continue;
            }
            let (open, close) = if n == '(' { ('(', ')') } else { ('{', '}') };
            // The matching close, counting nested references.
            let mut level = 0;
            let mut end = None;
            for (j, c) in after.char_indices() {
                if c == open {
                    level += 1;
                } else if c == close {
                    level -= 1;
                    if level == 0 {
                        end = Some(j);
                        break;
                    }
                }
            }
            let Some(end) = end else {
                out.push_str(UNKNOWN);
                rest = "";
                break;
            };
            let inner = &after[1..end];
            rest = &after[end + 1..];
            if let Some(call) = inner.strip_prefix("call ") {
                let mut parts = call.split(',');
                let name = parts.next().unwrap_or("").trim();
                let mut args = extra.clone();
                for (k, a) in parts.enumerate() {
                    args.insert((k + 1).to_string(), self.expand_lenient(a, extra, depth + 1));
                }
                match self.vars.get(name) {
                    Some(v) => out.push_str(&self.expand_lenient(v, &args, depth + 1)),
                    None => out.push_str(UNKNOWN),
                }
                continue;
            }
            if inner.contains([' ', ',', ':', '(', '{', '$']) {
                out.push_str(UNKNOWN);
                continue;
            }
            match extra.get(inner).or_else(|| self.vars.get(inner)) {
                Some(v) => out.push_str(&self.expand_lenient(v, extra, depth + 1)),
                None => out.push_str(UNKNOWN),
            }
        }
        out.push_str(rest);
        out
    }
}

pub fn parse(text: &str) -> Makefile {
    let mut mk = Makefile::default();
    let mut offset = 0;
    let mut in_rule = false;
    let mut continued: Option<(String, usize)> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some((mut acc, at)) = continued.take() {
            acc.push('\n');
            acc.push_str(body);
            if body.ends_with('\\') {
                continued = Some((acc, at));
            } else if let Some(r) = mk.rules.last_mut() {
                r.recipe.push((acc, at));
            }
            continue;
        }
        // A tab-indented line outside a rule is not a recipe (`\tX := y` inside `ifeq`).
        if let Some(cmd) = body.strip_prefix('\t').filter(|_| in_rule) {
            let trimmed = cmd.trim_start_matches(['@', '-', '+', ' ']);
            let at = start + 1 + (cmd.len() - trimmed.len());
            if trimmed.ends_with('\\') {
                continued = Some((trimmed.to_string(), at));
            } else if let Some(r) = mk.rules.last_mut() {
                r.recipe.push((trimmed.to_string(), at));
            }
            continue;
        }
        let t = body.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        // Variable assignments.
        let assign =
            ["?=", ":=", "::=", "+=", "="].iter().filter_map(|op| t.find(op).map(|p| (p, *op))).min_by_key(|(p, _)| *p);
        let colon = t.find(':');
        if let Some((p, op)) = assign {
            if colon.is_none_or(|c| c >= p || op.starts_with(':')) {
                let name = t[..p].trim().trim_start_matches("export ").trim().to_string();
                let value = t[p + op.len()..].trim().to_string();
                match op {
                    "?=" => {
                        mk.vars.entry(name).or_insert(value);
                    }
                    "+=" => {
                        let e = mk.vars.entry(name).or_default();
                        if !e.is_empty() {
                            e.push(' ');
                        }
                        e.push_str(&value);
                    }
                    _ => {
                        mk.vars.insert(name, value);
                    }
                }
                in_rule = false;
                continue;
            }
        }
        if let Some(c) = colon {
            let targets = t[..c].split_whitespace().map(str::to_string).collect();
            let rest = t[c + 1..].trim_start_matches(':');
            let (prereqs, inline) = match rest.split_once(';') {
                Some((p, cmd)) => (p, Some(cmd.trim())),
                None => (rest, None),
            };
            let mut rule = MakeRule {
                targets,
                prereqs: prereqs.split_whitespace().map(str::to_string).collect(),
                recipe: Vec::new(),
            };
            if let Some(cmd) = inline.filter(|c| !c.is_empty()) {
                let at = start + body.find(cmd).unwrap_or(0);
                rule.recipe.push((cmd.to_string(), at));
            }
            mk.rules.push(rule);
            in_rule = true;
        } else {
            in_rule = false;
        }
    }
    mk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_expansion_keeps_what_it_knows() {
        let mk = parse("GO ?= go\nBUILD = CGO_ENABLED=0 $(GO) build -tags $(1)\n");
        let mut auto = BTreeMap::new();
        auto.insert("@".to_string(), "cmd/api/api".to_string());
        auto.insert("@D".to_string(), "cmd/api".to_string());
        let got = mk.expand_lenient("$(call BUILD,netgo) $(FLAGS) -o $@ ./$(@D) $(shell date)", &auto, 0);
        assert_eq!(got, format!("CGO_ENABLED=0 go build -tags netgo {UNKNOWN} -o cmd/api/api ./cmd/api {UNKNOWN}"));
    }

    #[test]
    fn reads_variables_rules_and_recipes() {
        let text = "BIN ?= bin\nCMDS := api worker\n.PHONY: build\nbuild: $(CMDS)\n\n%:\n\t@go build -o $(BIN)/$@ ./cmd/$@\n\nimage:\n\tdocker build \\\n\t  --target runtime .\n";
        let mk = parse(text);
        assert_eq!(mk.vars.get("BIN").map(String::as_str), Some("bin"));
        assert_eq!(mk.default_goal(), Some("build"));
        let empty = MakeRule::default();
        let (rule, stem) = mk.rule_for("api").unwrap_or((&empty, None));
        assert_eq!(stem.as_deref(), Some("api"));
        let (line, at) = &rule.recipe[0];
        assert_eq!(&text[*at..*at + 8], "go build");
        let mut extra = BTreeMap::new();
        extra.insert("@".to_string(), "api".to_string());
        assert_eq!(mk.expand(line, &extra, 0).as_deref(), Some("go build -o bin/api ./cmd/api"));
        assert_eq!(mk.rule_for("image").map(|(r, _)| r.recipe.len()), Some(1));
        assert_eq!(mk.expand("$(shell date)", &extra, 0), None);
    }
}
