//! Markdown runbooks: the fenced code blocks, with their info string and the span of their
//! content, so that shell blocks can be parsed where they stand.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeBlock {
    /// The first word of the info string, lowercased (`bash`, `sh`, `crontab`, …).
    pub lang: String,
    /// Byte range of the content (from the line after the opening fence).
    pub start: usize,
    pub end: usize,
    /// Byte offset of the opening fence line.
    pub fence: usize,
}

/// The byte offsets of the ATX headings (`# …` to `###### …`) outside fenced blocks: where a
/// runbook's sections start.
pub fn headings(text: &str) -> Vec<usize> {
    let blocks = code_blocks(text);
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let at = offset;
        offset += line.len();
        let t = line.trim_start_matches(' ');
        let level = t.chars().take_while(|c| *c == '#').count();
        let heading = (1..=6).contains(&level)
            && line.len() - t.len() <= 3
            && t.get(level..).is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t', '\n', '\r']));
        if heading && !blocks.iter().any(|b| b.fence <= at && at < b.end) {
            out.push(at);
        }
    }
    out
}

/// Finds the fenced blocks (``` and ~~~, indented up to 3 spaces). An unclosed block runs to
/// the end of the document, as CommonMark says.
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let mut out = Vec::new();
    let mut open: Option<(char, usize, String, usize, usize)> = None; // (fence char, len, lang, content start, fence)
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = body.len() - body.trim_start_matches(' ').len();
        let t = &body[indent..];
        let fence_char = t.chars().next().filter(|c| *c == '`' || *c == '~');
        let fence_len = fence_char.map_or(0, |c| t.chars().take_while(|x| *x == c).count());
        match &open {
            None => {
                if indent <= 3 && fence_len >= 3 {
                    if let Some(c) = fence_char {
                        let info = t[fence_len..].trim();
                        let lang = info.split([' ', '{', ',']).next().unwrap_or("").to_ascii_lowercase();
                        open = Some((c, fence_len, lang, offset, line_start));
                    }
                }
            }
            Some((c, len, lang, start, fence)) => {
                if indent <= 3 && fence_char == Some(*c) && fence_len >= *len && t[fence_len..].trim().is_empty() {
                    out.push(CodeBlock { lang: lang.clone(), start: *start, end: line_start, fence: *fence });
                    open = None;
                }
            }
        }
    }
    if let Some((_, _, lang, start, fence)) = open {
        out.push(CodeBlock { lang, start, end: text.len(), fence });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_outside_code_blocks_start_sections() {
        let text = "# Ops\n\n## Rollback\n\n```bash\n# not a heading\ndocker compose up\n```\n####### seven\n#tag\n### Three\n";
        let at: Vec<&str> =
            headings(text).into_iter().map(|i| text.get(i..).and_then(|t| t.lines().next()).unwrap_or("")).collect();
        assert_eq!(at, ["# Ops", "## Rollback", "### Three"]);
    }

    #[test]
    fn finds_blocks() {
        let t = "# x\n```bash\nls\n```\ntext\n~~~ sh {.x}\npwd\n~~~\n```\nopen";
        let b = code_blocks(t);
        assert_eq!(b.len(), 3);
        assert_eq!(b[0].lang, "bash");
        assert_eq!(&t[b[0].start..b[0].end], "ls\n");
        assert_eq!(b[1].lang, "sh");
        assert_eq!(&t[b[2].start..b[2].end], "open");
    }
}
