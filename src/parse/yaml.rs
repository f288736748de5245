//! YAML with a byte span on every key and value, anchors resolved (by saphyr) and `<<` merge
//! keys applied here. saphyr counts characters; spans are converted to bytes once, here.
//!
//! One gap of saphyr 0.3 is worked around (test `flow_lines_may_sit_at_their_key_column`): it
//! holds the lines of a flow collection to the indentation of the block around it, so
//! `command: [` … `]` with the `]` under `command` is "invalid indentation". The readers of
//! compose files (PyYAML in compose v1, go-yaml in compose v2, both libyaml's scanner) do not
//! look at indentation inside flow collections. When saphyr stops on such a line, spaces are
//! inserted before it (leading blanks of a line in a flow collection carry no meaning) and the
//! text is read again; positions are mapped back to the original text.

use super::ParseError;
use crate::source::{FileId, Span};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};
use saphyr_parser::{Event, Parser, SpannedEventReceiver};

#[derive(Clone, Debug, PartialEq)]
pub enum YValue {
    Null,
    /// Any scalar, as text (`true`, `3`, `x`).
    Scalar(String),
    Seq(Vec<YNode>),
    Map(Vec<(YNode, YNode)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct YNode {
    pub value: YValue,
    pub span: Span,
}

impl YNode {
    pub fn get(&self, key: &str) -> Option<&YNode> {
        self.entry(key).map(|(_, v)| v)
    }
    pub fn entry(&self, key: &str) -> Option<(&YNode, &YNode)> {
        match &self.value {
            YValue::Map(m) => m.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(k, v)| (k, v)),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            YValue::Scalar(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_map(&self) -> &[(YNode, YNode)] {
        match &self.value {
            YValue::Map(m) => m,
            _ => &[],
        }
    }
    pub fn as_seq(&self) -> &[YNode] {
        match &self.value {
            YValue::Seq(s) => s,
            _ => &[],
        }
    }
}

/// Character index (of the text saphyr read) → byte offset (in the original text).
struct CharIndex {
    /// Byte offset of every character when the text is not ASCII.
    offsets: Option<Vec<usize>>,
    len: usize,
    /// Spaces inserted before saphyr read the text: (character index in the text read where
    /// they start, how many, how many were inserted before them), sorted.
    inserted: Vec<(usize, usize, usize)>,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        CharIndex { offsets, len: text.len(), inserted: Vec::new() }
    }
    fn byte(&self, char_index: usize) -> usize {
        let original = match self.inserted.partition_point(|(at, _, _)| *at <= char_index).checked_sub(1) {
            None => char_index,
            Some(i) => match self.inserted.get(i) {
                // Inside the inserted spaces: the start of the line they were inserted in.
                Some((at, n, before)) if char_index < at + n => at - before,
                Some((_, n, before)) => char_index - before - n,
                None => char_index,
            },
        };
        match &self.offsets {
            None => original.min(self.len),
            Some(o) => o.get(original).copied().unwrap_or(self.len),
        }
    }
    /// Records spaces inserted into the text read: (character index, count) pairs in the
    /// coordinates of that text before the insertion, sorted and at places not yet used.
    fn insert(&mut self, batch: &[(usize, usize)]) {
        // Merge the old entries and the batch by position (both sorted), then shift each by the
        // batch spaces before it.
        let mut all: Vec<(usize, usize, bool)> = self.inserted.iter().map(|(at, n, _)| (*at, *n, false)).collect();
        all.extend(batch.iter().map(|(at, n)| (*at, *n, true)));
        all.sort_unstable();
        let mut batch_before = 0;
        let mut before = 0;
        self.inserted = all
            .into_iter()
            .map(|(at, n, new)| {
                let entry = (at + batch_before, n, before);
                if new {
                    batch_before += n;
                }
                before += n;
                entry
            })
            .collect();
    }
}

fn scalar_text(s: &Scalar<'_>) -> Option<String> {
    match s {
        Scalar::Null => None,
        Scalar::Boolean(b) => Some(b.to_string()),
        Scalar::Integer(i) => Some(i.to_string()),
        Scalar::FloatingPoint(f) => Some(f.to_string()),
        Scalar::String(s) => Some(s.to_string()),
    }
}

fn convert(node: &MarkedYaml<'_>, file: FileId, ci: &CharIndex, text: &str, depth: usize) -> YNode {
    let mut start = ci.byte(node.span.start.index());
    let mut end = ci.byte(node.span.end.index());
    let value = if depth > 200 {
        YValue::Null
    } else {
        match &node.data {
            YamlData::Value(s) => scalar_text(s).map_or(YValue::Null, YValue::Scalar),
            YamlData::Representation(s, _, _) => YValue::Scalar(s.to_string()),
            YamlData::Tagged(_, inner) => return convert(inner, file, ci, text, depth + 1),
            YamlData::Sequence(items) => {
                YValue::Seq(items.iter().map(|n| convert(n, file, ci, text, depth + 1)).collect())
            }
            YamlData::Mapping(map) => merge_mapping(
                map.iter().map(|(k, v)| (convert(k, file, ci, text, depth + 1), convert(v, file, ci, text, depth + 1))),
            ),
            YamlData::Alias(_) | YamlData::BadValue => YValue::Null,
        }
    };
    // Trim trailing whitespace and newlines saphyr may include in block scalars' spans.
    if let Some(s) = text.get(start..end) {
        end = start + s.trim_end().len();
    }
    if end < start {
        start = end;
    }
    YNode { value, span: Span::new(file, start..end) }
}

/// How many times a text may be re-indented and read again (past it, saphyr's verdict stands).
const MAX_REREADS: usize = 64;

/// Records the open collections while saphyr's parser reads a text, to tell where it stopped.
#[derive(Default)]
struct OpenCollections {
    /// Per open collection: where its `[` or `{` is (character index, column) when it is a flow
    /// collection.
    stack: Vec<Option<(usize, usize)>>,
    /// Where the last event started (character index).
    last: usize,
}

impl<'input> SpannedEventReceiver<'input> for OpenCollections {
    fn on_event(&mut self, ev: Event<'input>, span: saphyr_parser::Span) {
        self.last = span.start.index();
        match ev {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                // A flow collection's span ends with its `[` or `{` (after any anchor or tag);
                // a block collection's span is empty.
                let flow = span.end.index() > span.start.index();
                let bracket = (span.end.index().saturating_sub(1), span.end.col().saturating_sub(1));
                self.stack.push(flow.then_some(bracket));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

/// Byte offset of a character index.
fn byte_at(text: &str, char_index: usize) -> usize {
    if text.is_ascii() {
        return char_index.min(text.len());
    }
    text.char_indices().nth(char_index).map_or(text.len(), |(i, _)| i)
}

/// The byte offset of the bracket that closes the flow collection opened at byte `open`, read
/// the way a YAML scanner reads flow content (quoted scalars, comments, nesting).
fn flow_end(text: &str, open: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut prev = b'\n';
    let mut i = open;
    while let Some(&c) = b.get(i) {
        match c {
            b'[' | b'{' => depth += 1,
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(i);
                }
            }
            b'#' if matches!(b.get(i.wrapping_sub(1)), Some(b' ' | b'\t' | b'\n')) => {
                i = text.get(i..)?.find('\n').map_or(b.len(), |p| i + p);
                continue;
            }
            // A quote opens a quoted scalar only where a token starts.
            b'"' | b'\'' if matches!(prev, b'[' | b'{' | b',' | b':' | b'?') => {
                let mut j = i + 1;
                loop {
                    match (b.get(j)?, b.get(j + 1)) {
                        (b'\\', _) if c == b'"' => j += 2,
                        (b'\'', Some(b'\'')) if c == b'\'' => j += 2,
                        (q, _) if *q == c => break,
                        _ => j += 1,
                    }
                }
                i = j;
            }
            _ => {}
        }
        if !c.is_ascii_whitespace() {
            prev = c;
        }
        i += 1;
    }
    None
}

/// When saphyr stopped at a line of a flow collection that is indented less than it wants:
/// the lines to re-indent, as (byte offset, character index, spaces to insert), in order.
/// Every line of the collection indented less than that is re-indented when the collection's
/// end can be read, else the line saphyr stopped at.
fn flow_lines_to_reindent(text: &str, e: &saphyr::ScanError) -> Option<Vec<(usize, usize, usize)>> {
    // saphyr's scanner checks indentation this way only inside flow collections (in block
    // context it closes the blocks the line leaves first).
    if !matches!(e.info(), "invalid indentation" | "invalid indentation in flow construct") {
        return None;
    }
    let mark = e.marker();
    let at = byte_at(text, mark.index());
    let line_start = text.get(..at)?.rfind('\n').map_or(0, |p| p + 1);
    // Only a line whose first token is where saphyr stopped, indented with spaces.
    if !text.get(line_start..at)?.bytes().all(|b| b == b' ') {
        return None;
    }
    let mut open = OpenCollections::default();
    if Parser::new_from_str(text).load(&mut open, true).is_ok() {
        return None;
    }
    // The lines of a flow collection may sit anywhere right of its `[` / `{`. saphyr reports a
    // collection once it knows it is no mapping key: when it has not yet, its bracket is on a
    // line between the last event and this one, none wider than the widest of them.
    let outermost = open.stack.iter().flatten().next().copied();
    let want = match outermost {
        Some((_, col)) => col + 1,
        None => {
            let from = byte_at(text, open.last.min(mark.index()));
            let from = text.get(..from)?.rfind('\n').map_or(0, |p| p + 1);
            text.get(from..line_start)?.lines().map(|l| l.chars().count()).max()?
        }
    };
    let col = mark.col();
    if col >= want {
        return None;
    }
    let this_line = vec![(line_start, mark.index().saturating_sub(col), want - col)];
    let Some(end) = outermost.and_then(|(open_at, _)| flow_end(text, byte_at(text, open_at))) else {
        return Some(this_line);
    };
    if end < at {
        return Some(this_line);
    }
    // From this line to the collection's end: every line with less indentation than wanted.
    let mut out = Vec::new();
    let ascii = text.is_ascii();
    let mut offset = line_start;
    let mut chars = mark.index().saturating_sub(col);
    for line in text.get(line_start..)?.split_inclusive('\n') {
        if offset > end {
            break;
        }
        let indent = line.bytes().take_while(|b| *b == b' ').count();
        let blank = line.trim().is_empty();
        if !blank && indent < want && !line[indent..].starts_with('\t') {
            out.push((offset, chars, want - indent));
        }
        offset += line.len();
        chars += if ascii { line.len() } else { line.chars().count() };
    }
    Some(out)
}

/// Re-indents the lines of a flow collection saphyr stopped at, if that is why it stopped.
fn reindent(current: &mut std::borrow::Cow<'_, str>, ci: &mut CharIndex, e: &saphyr::ScanError) -> bool {
    let Some(lines) = flow_lines_to_reindent(current, e) else {
        return false;
    };
    // Saphyr stopped again where spaces were inserted: they did not help.
    let used = |c: &usize| ci.inserted.binary_search_by_key(c, |(at, _, _)| *at).is_ok();
    if lines.is_empty() || lines.iter().any(|(_, c, _)| used(c)) {
        return false;
    }
    let mut text = String::with_capacity(current.len() + lines.iter().map(|(_, _, n)| n).sum::<usize>());
    let mut from = 0;
    for (byte, _, n) in &lines {
        text.push_str(current.get(from..*byte).unwrap_or(""));
        text.extend(std::iter::repeat_n(' ', *n));
        from = *byte;
    }
    text.push_str(current.get(from..).unwrap_or(""));
    *current = std::borrow::Cow::Owned(text);
    ci.insert(&lines.iter().map(|(_, c, n)| (*c, *n)).collect::<Vec<_>>());
    true
}

/// A mapping with its `<<` merge keys applied: `<<: *a` or `<<: [*a, *b]`; earlier sources win
/// over later ones, and keys written in the mapping win over all of them. Linear in the number of
/// keys (one set of the keys seen).
fn merge_mapping(pairs: impl Iterator<Item = (YNode, YNode)>) -> YValue {
    let mut entries: Vec<(YNode, YNode)> = Vec::new();
    let mut sources: Vec<YNode> = Vec::new();
    for (k, v) in pairs {
        if k.as_str() == Some("<<") {
            match v.value {
                YValue::Seq(s) => sources.extend(s),
                _ => sources.push(v),
            }
        } else {
            entries.push((k, v));
        }
    }
    if sources.is_empty() {
        return YValue::Map(entries);
    }
    // Keys are compared as text; every key that is not a scalar counts as the same one.
    let mut seen: std::collections::HashSet<Option<String>> =
        entries.iter().map(|(k, _)| k.as_str().map(str::to_string)).collect();
    for src in sources {
        let YValue::Map(pairs) = src.value else { continue };
        for (mk, mv) in pairs {
            if seen.insert(mk.as_str().map(str::to_string)) {
                entries.push((mk, mv));
            }
        }
    }
    YValue::Map(entries)
}

/// Parses every document of a YAML stream (`---` between them).
pub fn parse_all(file: FileId, text: &str) -> Result<Vec<YNode>, ParseError> {
    let ci = CharIndex::new(text);
    match MarkedYaml::load_from_str(text) {
        Ok(docs) => Ok(docs.iter().map(|d| convert(d, file, &ci, text, 0)).collect()),
        Err(e) => {
            let at = ci.byte(e.marker().index());
            Err(ParseError { span: Span::new(file, at..at), message: e.info().to_string() })
        }
    }
}

/// Parses the first document of a YAML file.
pub fn parse(file: FileId, text: &str) -> Result<Option<YNode>, ParseError> {
    let mut ci = CharIndex::new(text);
    let mut current = std::borrow::Cow::Borrowed(text);
    for reread in 0..=MAX_REREADS {
        let result = MarkedYaml::load_from_str(&current);
        let e = match result {
            Ok(docs) => return Ok(docs.first().map(|d| convert(d, file, &ci, text, 0))),
            Err(e) => e,
        };
        if reread == MAX_REREADS || !reindent(&mut current, &mut ci, &e) {
            let at = ci.byte(e.marker().index());
            let end = text.get(at..).and_then(|s| s.chars().next()).map_or(at, |c| at + c.len_utf8());
            return Err(ParseError { span: Span::new(file, at..end), message: e.info().to_string() });
        }
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_are_bytes_and_merges_apply() {
        let text = "# ü comment\nx-base: &base\n  image: a\n  restart: always\nservices:\n  api:\n    <<: *base\n    image: b\n";
        let root =
            parse(FileId(0), text).ok().flatten().unwrap_or(YNode { value: YValue::Null, span: Span::default() });
        let api = root.get("services").and_then(|s| s.get("api"));
        let image = api.and_then(|a| a.get("image"));
        assert_eq!(image.and_then(YNode::as_str), Some("b"));
        let restart = api.and_then(|a| a.get("restart"));
        assert_eq!(restart.and_then(YNode::as_str), Some("always"));
        let sp = image.map(|i| i.span).unwrap_or_default();
        assert_eq!(&text[sp.start..sp.end], "b");
    }

    #[test]
    fn errors_have_a_place() {
        let text = "services:\n  api:\n    image: x: y\n";
        let err = parse(FileId(0), text).err().map(|e| e.span.start);
        assert!(err.is_some_and(|at| at > 10));
    }

    fn root_of(text: &str) -> YNode {
        match parse(FileId(0), text) {
            Ok(Some(n)) => n,
            other => panic!("{other:?}"),
        }
    }

    /// Gap of saphyr 0.3.4: a flow collection's lines at (or left of) its key's column are
    /// "invalid indentation"; PyYAML, ruamel and go-yaml (the readers of compose files) accept them.
    #[test]
    fn flow_lines_may_sit_at_their_key_column() {
        let text = "services:\n  app:\n    command: [\n      \"sh\",\n      \"-c\"\n    ]\n    environment: {\n  A: \"1\"\n    }\n    image: ü-x\n";
        assert!(MarkedYaml::load_from_str(text).is_err(), "the saphyr gap is gone: drop the workaround");
        let root = root_of(text);
        let app = root.get("services").and_then(|s| s.get("app"));
        let command: Vec<_> = app.and_then(|a| a.get("command")).map(YNode::as_seq).unwrap_or(&[]).iter().collect();
        let words: Vec<_> = command.iter().filter_map(|w| w.as_str()).collect();
        assert_eq!(words, ["sh", "-c"]);
        // Spans still point into the original text, before and after the re-indented lines.
        let sp = command.get(1).map(|w| w.span).unwrap_or_default();
        assert_eq!(&text[sp.start..sp.end], "\"-c\"");
        let a = app.and_then(|a| a.get("environment")).and_then(|e| e.entry("A"));
        let ksp = a.map(|(k, _)| k.span).unwrap_or_default();
        assert_eq!(&text[ksp.start..ksp.end], "A");
        let image = app.and_then(|a| a.get("image")).map(|i| i.span).unwrap_or_default();
        assert_eq!(&text[image.start..image.end], "ü-x");
        // Nested and anchored collections, a top-level one, and a sequence entry's.
        let text = "a: &x [\n 1, [2,\n3]\n]\nb:\n  - [ 1,\n 2 ]\n  - {\n k: v }\n";
        let root = root_of(text);
        assert_eq!(root.get("a").map(|a| a.as_seq().len()), Some(2));
        assert_eq!(root.get("b").map(|b| b.as_seq().len()), Some(2));
    }

    /// A long collection at column 0 is re-indented in one read, not one line per read.
    #[test]
    fn a_whole_flow_collection_is_reindented_at_once() {
        let mut text = String::from("services:\n  app:\n    command: [\n");
        for i in 0..500 {
            text.push_str(&format!("\"arg-{i}\", # \"]\" in a comment\n'it''s ]',\n"));
        }
        text.push_str("]\n    image: x\n");
        let root = root_of(&text);
        let app = root.get("services").and_then(|s| s.get("app"));
        assert_eq!(app.and_then(|a| a.get("command")).map(|c| c.as_seq().len()), Some(1000));
        let image = app.and_then(|a| a.get("image")).map(|i| i.span).unwrap_or_default();
        assert_eq!(&text[image.start..image.end], "x");
        assert_eq!(flow_end("[a, \"]\", 'b'']', {c: [d]}] tail", 0), Some(25));
        assert_eq!(flow_end("[a, # ]\n b]", 0), Some(10));
        assert_eq!(flow_end("[it's, b]", 0), Some(8));
    }

    #[test]
    fn block_lines_keep_their_indentation_rules() {
        // A stray `]` after a block scalar, and a real error after a re-indented line.
        for (text, at) in [("a:\n  b: |\n    text\n]\n", "]"), ("a:\n  b: [\n  1\n  ]\n  c: x: y\n", ": y")] {
            let e = parse(FileId(0), text).err().map(|e| e.span.start);
            assert_eq!(e, text.find(at), "{text}");
        }
    }

    #[test]
    fn duplicate_keys_are_errors() {
        assert!(parse(FileId(0), "a: 1\na: 2\n").is_err());
    }

    #[test]
    fn merges_keep_precedence_and_are_linear() {
        let text = "a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n  x: 3\n";
        let root = parse(FileId(0), text).ok().flatten();
        let c = root.as_ref().and_then(|r| r.get("c"));
        let get = |k: &str| c.and_then(|c| c.get(k)).and_then(YNode::as_str).map(str::to_string);
        assert_eq!((get("x"), get("y"), get("z")), (Some("3".into()), Some("1".into()), Some("2".into())));
        assert_eq!(c.map(|c| c.as_map().len()), Some(3));
        // 50,000 merged keys, half of them also written in the mapping: quadratic took minutes.
        let n = 50_000;
        let merged: Vec<String> = (0..n).map(|i| format!("k{i}: m")).collect();
        let mut text = format!("s:\n  <<: {{{}}}\n", merged.join(", "));
        for i in (0..n).step_by(2) {
            text.push_str(&format!("  k{i}: w\n"));
        }
        let start = std::time::Instant::now();
        let root = parse(FileId(0), &text).ok().flatten();
        let s = root.as_ref().and_then(|r| r.get("s"));
        assert_eq!(s.map(|s| s.as_map().len()), Some(n));
        assert_eq!(s.and_then(|s| s.get("k0")).and_then(YNode::as_str), Some("w"));
        assert_eq!(s.and_then(|s| s.get("k1")).and_then(YNode::as_str), Some("m"));
        assert!(start.elapsed() < std::time::Duration::from_secs(10), "took {:?}", start.elapsed());
    }
}
