//! `docker buildx bake` files in HCL (`docker-bake.hcl`): the `context`, `dockerfile` and
//! `target` string attributes of each `target "name" { … }` block. Only literal strings; an
//! attribute with an interpolation (`"${VAR}"`) is left out.

use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BakeTarget {
    /// The build context as written (`None`: the default, `.`).
    pub context: Option<String>,
    /// The Dockerfile, relative to the context (`None`: `Dockerfile`).
    pub dockerfile: Option<String>,
    pub target: Option<Spanned<String>>,
    /// The `target "name"` line.
    pub span: Span,
    /// `context`, `dockerfile` or `target` is an interpolation: the build is not known.
    pub unresolved: bool,
}

/// A literal string attribute `key = "value"` on one line.
fn attribute<'a>(line: &'a str, key: &str) -> Option<(&'a str, usize)> {
    let rest = line.trim_start().strip_prefix(key)?.trim_start().strip_prefix('=')?.trim();
    let value = rest.strip_prefix('"')?.split('"').next()?;
    let at = line.find(value)?;
    (!value.contains("${")).then_some((value, at))
}

pub fn parse(file: FileId, text: &str) -> Vec<BakeTarget> {
    let mut out = Vec::new();
    let mut current: Option<BakeTarget> = None;
    let mut depth = 0usize;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let t = line.trim();
        if depth == 0 && t.starts_with("target ") && t.ends_with('{') {
            current = Some(BakeTarget { span: Span::new(file, start..start + t.len()), ..BakeTarget::default() });
        }
        // Attributes of the block itself, not of nested maps (`args = { … }`).
        if depth == 1 {
            if let Some(c) = current.as_mut() {
                let interpolated = |k: &str| {
                    let rest = t.strip_prefix(k).map(str::trim_start);
                    rest.is_some_and(|r| r.starts_with('=') && !r.starts_with("==") && attribute(line, k).is_none())
                };
                c.unresolved |= ["context", "dockerfile", "target"].iter().any(|k| interpolated(k));
                if let Some((v, _)) = attribute(line, "context") {
                    c.context = Some(v.to_string());
                }
                if let Some((v, _)) = attribute(line, "dockerfile") {
                    c.dockerfile = Some(v.to_string());
                }
                if let Some((v, at)) = attribute(line, "target") {
                    c.target = Some(Spanned::new(v.to_string(), Span::new(file, start + at..start + at + v.len())));
                }
            }
        }
        depth += t.matches('{').count();
        depth = depth.saturating_sub(t.matches('}').count());
        if depth == 0 {
            out.extend(current.take());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets() {
        let text = "variable \"TAG\" {\n  default = \"x\"\n}\ntarget \"api\" {\n  context = \".\"\n  dockerfile = \"build/api/Dockerfile\"\n  target = \"runtime\"\n  args = {\n    context = \"no\"\n  }\n}\ntarget \"web\" {\n  context = \"${WEB}\"\n}\n";
        let t = parse(FileId(0), text);
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].context.as_deref(), Some("."));
        assert_eq!(t[0].dockerfile.as_deref(), Some("build/api/Dockerfile"));
        let target = t[0].target.as_ref().map(|s| &text[s.span.start..s.span.end]);
        assert_eq!(target, Some("runtime"));
        assert!(!t[0].unresolved);
        assert!(t[1].unresolved);
    }
}
