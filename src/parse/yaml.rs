//! YAML with a byte span on every key and value, anchors resolved (by saphyr) and `<<` merge
//! keys applied here. saphyr counts characters; spans are converted to bytes once, here.

use super::ParseError;
use crate::source::{FileId, Span};
use saphyr::{LoadableYamlNode, MarkedYaml, Scalar, YamlData};

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

/// Character index → byte offset.
struct CharIndex {
    /// Byte offset of every character when the text is not ASCII.
    offsets: Option<Vec<usize>>,
    len: usize,
}

impl CharIndex {
    fn new(text: &str) -> CharIndex {
        let offsets = (!text.is_ascii()).then(|| text.char_indices().map(|(i, _)| i).collect());
        CharIndex { offsets, len: text.len() }
    }
    fn byte(&self, char_index: usize) -> usize {
        match &self.offsets {
            None => char_index.min(self.len),
            Some(o) => o.get(char_index).copied().unwrap_or(self.len),
        }
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

/// Parses the first document of a YAML file.
pub fn parse(file: FileId, text: &str) -> Result<Option<YNode>, ParseError> {
    let ci = CharIndex::new(text);
    match MarkedYaml::load_from_str(text) {
        Ok(docs) => Ok(docs.first().map(|d| convert(d, file, &ci, text, 0))),
        Err(e) => {
            let at = ci.byte(e.marker().index());
            let end = text.get(at..).and_then(|s| s.chars().next()).map_or(at, |c| at + c.len_utf8());
            Err(ParseError { span: Span::new(file, at..end), message: e.info().to_string() })
        }
    }
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
