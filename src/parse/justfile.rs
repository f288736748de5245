//! Justfiles: their variables (`dc := "docker compose"`) and the command lines of their recipes
//! (indented lines under a `name …:` header).

use std::collections::BTreeMap;

/// A recipe: its name and its command lines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipe {
    pub name: String,
    /// Each line, without its `@`/`-` prefix, and the byte offset where it starts (see
    /// [`recipe_lines`] for how `{{…}}` is written).
    pub lines: Vec<(String, usize)>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Justfile {
    /// Variables assigned a string literal (`dc := "docker compose"`, `export x := 'y'`); one
    /// assigned anything else (a backtick, a concatenation, a function) is left out.
    pub vars: BTreeMap<String, String>,
    pub recipes: Vec<Recipe>,
}

impl Justfile {
    /// The value of the variable that a recipe line names with `$___NAME` (see
    /// [`recipe_lines`]).
    pub fn var_of_masked(&self, masked: &str) -> Option<&str> {
        let name = masked.strip_prefix("___")?.trim_start_matches('_');
        self.vars.get(name).map(String::as_str)
    }
}

fn is_name(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A justfile string literal and nothing after it but a comment.
fn literal(value: &str) -> Option<String> {
    let value = value.trim();
    let quote = value.chars().next().filter(|c| matches!(c, '"' | '\''))?;
    let rest = value.get(1..)?;
    let end = rest.find(quote)?;
    let (inner, after) = (rest.get(..end)?, rest.get(end + 1..)?.trim());
    let plain = !inner.contains('\\') && !inner.contains("{{");
    (plain && (after.is_empty() || after.starts_with('#'))).then(|| inner.to_string())
}

/// Reads a justfile: its variables and recipes.
pub fn parse(text: &str) -> Justfile {
    let mut out = Justfile::default();
    let mut recipe: Option<Recipe> = None;
    let mut params: Vec<String> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() || body.trim_start().starts_with('#') {
            continue;
        }
        if !body.starts_with([' ', '\t']) {
            out.recipes.extend(recipe.take());
            if let Some((name, value)) = body.split_once(":=") {
                let name = name.trim();
                let name = name.strip_prefix("export ").map_or(name, str::trim);
                if is_name(name) {
                    match literal(value) {
                        Some(v) => out.vars.insert(name.to_string(), v),
                        None => out.vars.remove(name),
                    };
                }
                continue;
            }
            // A recipe header has a `:` (`deploy env='prod': build`); `set x := y` has none.
            if let Some((head, _)) = body.split_once(':').filter(|_| !body.starts_with("set ")) {
                let mut words = head.split_whitespace();
                let name = words.next().unwrap_or("").trim_start_matches('@').to_string();
                params = words
                    .map(|w| w.trim_start_matches(['+', '*', '$']).split('=').next().unwrap_or("").to_string())
                    .collect();
                recipe = Some(Recipe { name, lines: Vec::new() });
            }
            continue;
        }
        let Some(r) = recipe.as_mut() else { continue };
        let cmd = body.trim_start().trim_start_matches(['@', '-']);
        let at = start + (body.len() - cmd.len());
        r.lines.push((mask(cmd, &params), at));
    }
    out.recipes.extend(recipe);
    out
}

/// Writes each `{{…}}` as a shell variable of the same length, so offsets stay right: a
/// variable of the justfile (`{{dc}}`, `{{ dc }}`) as `$___dc` (underscores before its name,
/// three at least), anything else (an expression, a recipe parameter) as `$_____`.
fn mask(cmd: &str, params: &[String]) -> String {
    let mut masked = String::with_capacity(cmd.len());
    let mut rest = cmd;
    while let Some(i) = rest.find("{{") {
        masked.push_str(rest.get(..i).unwrap_or(""));
        let end = rest.get(i..).and_then(|r| r.find("}}")).map_or(rest.len(), |e| i + e + 2);
        let inner = rest.get(i + 2..end.saturating_sub(2).max(i + 2)).unwrap_or("").trim();
        let len = end - i;
        masked.push('$');
        if is_name(inner) && !inner.contains('-') && !params.iter().any(|p| p == inner) && len > inner.len() + 3 {
            masked.extend(std::iter::repeat_n('_', len - 1 - inner.len()));
            masked.push_str(inner);
        } else {
            masked.extend(std::iter::repeat_n('_', len - 1));
        }
        rest = rest.get(end..).unwrap_or("");
    }
    masked.push_str(rest);
    masked
}

/// Each recipe line, without its `@`/`-` prefix, and the byte offset where it starts.
pub fn recipe_lines(text: &str) -> Vec<(String, usize)> {
    parse(text).recipes.into_iter().flat_map(|r| r.lines).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipe_lines_keep_their_offsets() {
        let t = "set dotenv-load\nv := \"1\"\ndeploy env:\n    @docker compose -f {{env}}.yml up -d\n";
        let lines = recipe_lines(t);
        assert_eq!(lines.len(), 1);
        let (line, at) = &lines[0];
        assert_eq!(line, "docker compose -f $______.yml up -d");
        assert_eq!(&t[*at..*at + 6], "docker");
    }

    #[test]
    fn variables_and_recipes() {
        let t = "dc := \"docker compose\"\nexport tag := 'v1' # pinned\nnow := `date`\n\ndeploy: build\n    {{dc}} pull\n    {{ dc }} up -d {{tag}}-x {{now}}\nbuild:\n    go build ./...\n";
        let j = parse(t);
        assert_eq!(j.vars.get("dc").map(String::as_str), Some("docker compose"));
        assert_eq!(j.vars.get("tag").map(String::as_str), Some("v1"));
        assert!(!j.vars.contains_key("now"));
        let names: Vec<&str> = j.recipes.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(names, ["deploy", "build"]);
        let deploy: Vec<&str> = j.recipes[0].lines.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(deploy, ["$___dc pull", "$_____dc up -d $___tag-x $___now"]);
        for (line, at) in &j.recipes[0].lines {
            assert_eq!(t.get(*at..*at + line.len()).map(str::len), Some(line.len()));
        }
        assert_eq!(j.var_of_masked("_____dc"), Some("docker compose"));
        assert_eq!(j.var_of_masked("____now"), None);
        assert_eq!(j.var_of_masked("dc"), None);
    }
}
