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

pub fn parse(text: &str) -> Makefile {
    let mut mk = Makefile::default();
    let mut offset = 0;
    let mut in_rule = false;
    // The offset of a recipe line that continues on the next line.
    let mut continued: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if let Some(at) = continued.take() {
            if body.ends_with('\\') {
                continued = Some(at);
            } else if let Some(r) = mk.rules.last_mut() {
                // As written, line breaks included, so that offsets in it are file offsets.
                r.recipe.push((text.get(at..start + body.len()).unwrap_or_default().to_string(), at));
            }
            continue;
        }
        if let Some(cmd) = body.strip_prefix('\t') {
            if !in_rule {
                continue;
            }
            let trimmed = cmd.trim_start_matches(['@', '-', '+', ' ']);
            let at = start + 1 + (cmd.len() - trimmed.len());
            if trimmed.ends_with('\\') {
                continued = Some(at);
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
