//! Makefiles: variables (`X = v`, `X := v`, `X ?= v`, `X += v`) and rules with their recipe
//! lines (tab-indented, `@`/`-`/`+` prefixes dropped, `\` continuations kept for the shell
//! parser), each with its byte offset.

use std::collections::{BTreeMap, HashMap};

/// The longest value an expansion may reach, in bytes; past it the value is unknown.
pub const MAX_EXPANSION: usize = 16 * 1024;
/// The most variable references one expansion may follow; past it the value is unknown.
pub const MAX_REFERENCES: usize = 10_000;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MakeRule {
    pub targets: Vec<String>,
    pub prereqs: Vec<String>,
    /// Recipe lines: (text, byte offset of the text in the file).
    pub recipe: Vec<(String, usize)>,
}

/// The most `%` pattern targets a lookup tries; a rule past them is not followed.
pub const MAX_PATTERNS: usize = 256;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Makefile {
    /// The variables. Set them with [`Makefile::with_overrides`] once rules were looked up.
    pub vars: BTreeMap<String, String>,
    pub rules: Vec<MakeRule>,
    /// Rules by expanded target, built on the first lookup.
    index: Index,
}

/// Explicit targets → (the first rule naming it, the first with a recipe); pattern targets in
/// order → (rule, text before `%`, text after).
#[derive(Clone, Debug, Default)]
struct Targets {
    explicit: HashMap<String, (usize, Option<usize>)>,
    patterns: Vec<(usize, String, String)>,
}

#[derive(Clone, Debug, Default)]
struct Index(std::sync::OnceLock<Targets>);

/// A cache: two Makefiles are equal by their text alone.
impl PartialEq for Index {
    fn eq(&self, _: &Index) -> bool {
        true
    }
}
impl Eq for Index {}

impl Makefile {
    /// The same Makefile with some variables set (`make VAR=value`).
    pub fn with_overrides(&self, overrides: BTreeMap<String, String>) -> Makefile {
        let mut vars = self.vars.clone();
        vars.extend(overrides);
        Makefile { vars, rules: self.rules.clone(), index: Index::default() }
    }

    /// Targets are written with variables (`$(CMDS):`): they are compared expanded, each once,
    /// all of them within one budget of references (past it a target is compared as written).
    fn index(&self) -> &Targets {
        self.index.0.get_or_init(|| {
            let none = BTreeMap::new();
            let mut budget = MAX_REFERENCES;
            let mut index = Targets::default();
            for (i, r) in self.rules.iter().enumerate() {
                for t in &r.targets {
                    let mut out = String::new();
                    let text = match self.expand_into(t, &none, 0, &mut budget, &mut out) {
                        Some(()) => out,
                        None => t.clone(),
                    };
                    for t in text.split_whitespace() {
                        let e = index.explicit.entry(t.to_string()).or_insert((i, None));
                        if e.1.is_none() && !r.recipe.is_empty() {
                            e.1 = Some(i);
                        }
                        if let Some((pre, post)) = t.split_once('%') {
                            if index.patterns.len() < MAX_PATTERNS {
                                index.patterns.push((i, pre.to_string(), post.to_string()));
                            }
                        }
                    }
                }
            }
            index
        })
    }

    /// The rule that makes `target` (explicit rules first, then `%` pattern rules), and the stem
    /// a pattern matched.
    pub fn rule_for(&self, target: &str) -> Option<(&MakeRule, Option<String>)> {
        let index = self.index();
        // An explicit rule wins (the one with a recipe, else one that only lists prerequisites).
        if let Some(&(first, with_recipe)) = index.explicit.get(target) {
            return self.rules.get(with_recipe.unwrap_or(first)).map(|r| (r, None));
        }
        index.patterns.iter().find_map(|(i, pre, post)| {
            let stem = target.strip_prefix(pre.as_str())?.strip_suffix(post.as_str())?;
            (!stem.is_empty()).then(|| self.rules.get(*i).map(|r| (r, Some(stem.to_string()))))?
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
    /// `$@` and `$*`); `None` when something is unknown (a function, an undefined variable), and
    /// when the expansion passes its bounds ([`MAX_EXPANSION`] bytes, [`MAX_REFERENCES`]
    /// references, 16 levels): variables that each reference the previous one several times grow
    /// exponentially, and such a value is unknown.
    pub fn expand(&self, s: &str, extra: &BTreeMap<String, String>, depth: usize) -> Option<String> {
        let mut out = String::new();
        let mut budget = MAX_REFERENCES;
        self.expand_into(s, extra, depth, &mut budget, &mut out)?;
        Some(out)
    }

    fn expand_into(
        &self,
        s: &str,
        extra: &BTreeMap<String, String>,
        depth: usize,
        budget: &mut usize,
        out: &mut String,
    ) -> Option<()> {
        if depth > 16 {
            return None;
        }
        let mut chars = s.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if out.len() > MAX_EXPANSION {
                return None;
            }
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
                    let rest = s.get(i + 2..)?;
                    let end = rest.find(close)?;
                    let name = &rest[..end];
                    if name.contains([' ', ',', '(']) {
                        return None;
                    }
                    let value = extra.get(name).or_else(|| self.vars.get(name))?;
                    *budget = budget.checked_sub(1)?;
                    self.expand_into(value, extra, depth + 1, budget, out)?;
                    // Past the closing bracket (byte offsets: a name may hold multi-byte characters).
                    let after = i + 2 + end + 1;
                    while chars.next_if(|&(j, _)| j < after).is_some() {}
                }
                _ => {
                    chars.next();
                    let value = extra.get(&n.to_string()).or_else(|| self.vars.get(&n.to_string()))?;
                    *budget = budget.checked_sub(1)?;
                    self.expand_into(value, extra, depth + 1, budget, out)?;
                }
            }
        }
        (out.len() <= MAX_EXPANSION).then_some(())
    }
}

/// What [`Makefile::expand_lenient`] puts where a value cannot be known: a shell variable, so
/// that whoever reads the command sees an unresolved part.
pub const UNKNOWN: &str = "${MAKE_UNKNOWN}";

impl Makefile {
    /// Expands like [`Makefile::expand`], and `$(call F,a,b)` with its arguments; what cannot be
    /// known (an undefined variable, another function) becomes [`UNKNOWN`] instead of failing.
    pub fn expand_lenient(&self, s: &str, extra: &BTreeMap<String, String>, depth: usize) -> String {
        let mut budget = MAX_REFERENCES;
        self.lenient(s, extra, depth, &mut budget)
    }

    /// [`Makefile::expand_lenient`] within a budget of references; a text past
    /// [`MAX_EXPANSION`] bytes, or past the budget, is [`UNKNOWN`].
    fn lenient(&self, s: &str, extra: &BTreeMap<String, String>, depth: usize, budget: &mut usize) -> String {
        if depth > 16 || *budget == 0 {
            return UNKNOWN.to_string();
        }
        *budget -= 1;
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find('$') {
            if out.len() > MAX_EXPANSION {
                return UNKNOWN.to_string();
            }
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
                out.push_str(&value.map_or_else(|| UNKNOWN.to_string(), |v| self.lenient(v, extra, depth + 1, budget)));
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
                    args.insert((k + 1).to_string(), self.lenient(a, extra, depth + 1, budget));
                }
                match self.vars.get(name) {
                    Some(v) => out.push_str(&self.lenient(v, &args, depth + 1, budget)),
                    None => out.push_str(UNKNOWN),
                }
                continue;
            }
            if inner.contains([' ', ',', ':', '(', '{', '$']) {
                out.push_str(UNKNOWN);
                continue;
            }
            match extra.get(inner).or_else(|| self.vars.get(inner)) {
                Some(v) => out.push_str(&self.lenient(v, extra, depth + 1, budget)),
                None => out.push_str(UNKNOWN),
            }
        }
        out.push_str(rest);
        if out.len() > MAX_EXPANSION { UNKNOWN.to_string() } else { out }
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
        // A tab-indented line outside a rule is not a recipe (`\tX := y` inside `ifeq`).
        if let Some(cmd) = body.strip_prefix('\t').filter(|_| in_rule) {
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
    fn lenient_expansion_is_bounded() {
        let mut text = String::from("V0 = ab\n");
        for i in 1..12 {
            text.push_str(&format!("V{i} = {}\n", format!("$(V{})", i - 1).repeat(10)));
        }
        let mk = parse(&text);
        let got = mk.expand_lenient("x $(V11)", &BTreeMap::new(), 0);
        assert!(got.len() <= MAX_EXPANSION + 64 && got.contains(UNKNOWN), "{} bytes", got.len());
    }

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

    #[test]
    fn expansion_is_bounded() {
        // Each variable names the previous one ten times: 2 * 10^13 bytes if followed.
        let mut text = String::from("V0 = xy\n");
        for i in 1..14 {
            text.push_str(&format!("V{i} = {}\n", format!("$(V{})", i - 1).repeat(10)));
        }
        // The same shape with empty values: no output, but 10^13 references.
        text.push_str("E0 =\n");
        for i in 1..14 {
            text.push_str(&format!("E{i} = {}\n", format!("$(E{})", i - 1).repeat(10)));
        }
        let mk = parse(&text);
        let none = BTreeMap::new();
        let start = std::time::Instant::now();
        assert_eq!(mk.expand("$(V13)", &none, 0), None);
        assert_eq!(mk.expand("$(E13)", &none, 0), None);
        // Within the bounds the values are known.
        assert_eq!(mk.expand("$(V2)", &none, 0).map(|v| v.len()), Some(200));
        assert_eq!(mk.expand("$(E3)", &none, 0).as_deref(), Some(""));
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "took {:?}", start.elapsed());
    }

    #[test]
    fn multi_byte_names_are_skipped_whole() {
        let mut mk = Makefile::default();
        mk.vars.insert("ÄÖ".into(), "v".into());
        assert_eq!(mk.expand("a$(ÄÖ)b", &BTreeMap::new(), 0).as_deref(), Some("avb"));
    }

    #[test]
    fn lookups_are_indexed_and_keep_precedence() {
        let mut text =
            String::from("all: a\na:\n\techo first\n$(NAME):\n\techo named\nNAME = x\n%.o:\n\techo pattern\n");
        for r in 0..20_000 {
            text.push_str(&format!("r{r}:\n\tcp a /out/r{r}\n"));
        }
        let mk = parse(&text);
        let recipe = |t: &str, mk: &Makefile| mk.rule_for(t).and_then(|(r, _)| r.recipe.first().map(|l| l.0.clone()));
        // `all: a` lists `a` without a recipe; the rule with the recipe wins.
        assert_eq!(recipe("a", &mk).as_deref(), Some("echo first"));
        assert_eq!(recipe("x", &mk).as_deref(), Some("echo named"));
        assert_eq!(mk.rule_for("main.o").and_then(|(_, stem)| stem).as_deref(), Some("main"));
        let start = std::time::Instant::now();
        for r in 0..20_000 {
            assert!(mk.rule_for(&format!("r{r}")).is_some());
        }
        assert!(start.elapsed() < std::time::Duration::from_secs(5), "took {:?}", start.elapsed());
        // `make NAME=y` looks targets up again with the new value.
        let over = mk.with_overrides(BTreeMap::from([("NAME".to_string(), "y".to_string())]));
        assert_eq!(recipe("y", &over).as_deref(), Some("echo named"));
        assert!(over.rule_for("x").is_none());
    }
}
