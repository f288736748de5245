//! `.dockerignore`: the patterns that keep files out of the build context. Patterns are
//! anchored at the context root; `!` re-includes; the last matching pattern wins; excluding a
//! directory excludes what is under it.

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DockerIgnore {
    /// (re-include?, pattern), in file order.
    pub patterns: Vec<(bool, String)>,
}

pub fn parse(text: &str) -> DockerIgnore {
    let patterns = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (negate, p) = match l.strip_prefix('!') {
                Some(rest) => (true, rest.trim()),
                None => (false, l),
            };
            let p = p.trim_start_matches("./").trim_start_matches('/').trim_end_matches('/');
            (negate, p.to_string())
        })
        .filter(|(_, p)| !p.is_empty())
        .collect();
    DockerIgnore { patterns }
}

impl DockerIgnore {
    /// Whether the context-relative path is left out of the build context.
    pub fn excludes(&self, rel: &str) -> bool {
        let mut excluded = false;
        for (negate, p) in &self.patterns {
            // A pattern matches the path or one of its parent directories.
            let mut cur = rel;
            let matched = loop {
                if crate::model::code::glob_match(p, cur) {
                    break true;
                }
                match cur.rfind('/') {
                    Some(i) => cur = &cur[..i],
                    None => break false,
                }
            };
            if matched {
                excluded = !negate;
            }
        }
        excluded
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn excludes_with_exceptions() {
        let d = parse("# comment\n.git\nbin/\n*.md\n!README.md\n**/*.log\n");
        assert!(d.excludes("bin/server"));
        assert!(d.excludes("CHANGES.md"));
        assert!(!d.excludes("README.md"));
        assert!(d.excludes("logs/app/x.log"));
        assert!(!d.excludes("cmd/server/main.go"));
    }
}
