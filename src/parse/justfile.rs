//! Justfiles: the command lines of their recipes (indented lines under a `name …:` header).

/// Each recipe line, without its `@`/`-` prefix, and the byte offset where it starts. `{{…}}`
/// interpolations are replaced by an unknown variable of the same length (`{{version}}` →
/// `$__________`), so offsets stay right.
pub fn recipe_lines(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let mut in_recipe = false;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        if body.trim().is_empty() || body.trim_start().starts_with('#') {
            continue;
        }
        if !body.starts_with([' ', '\t']) {
            // A recipe header has a `:` that is not an assignment (`x := y`).
            in_recipe = body.contains(':') && !body.contains(":=") && !body.starts_with("set ");
            continue;
        }
        if !in_recipe {
            continue;
        }
        let cmd = body.trim_start().trim_start_matches(['@', '-']);
        let at = start + (body.len() - cmd.len());
        let mut masked = String::with_capacity(cmd.len());
        let mut rest = cmd;
        while let Some(i) = rest.find("{{") {
            masked.push_str(&rest[..i]);
            let end = rest[i..].find("}}").map_or(rest.len(), |e| i + e + 2);
            masked.push('$');
            masked.extend(std::iter::repeat_n('_', end - i - 1));
            rest = &rest[end..];
        }
        masked.push_str(rest);
        out.push((masked, at));
    }
    out
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
}
