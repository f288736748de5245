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
            YamlData::Mapping(map) => {
                let mut entries: Vec<(YNode, YNode)> = Vec::new();
                let mut merged: Vec<(YNode, YNode)> = Vec::new();
                for (k, v) in map {
                    let k = convert(k, file, ci, text, depth + 1);
                    let v = convert(v, file, ci, text, depth + 1);
                    if k.as_str() == Some("<<") {
                        // `<<: *a` or `<<: [*a, *b]`: earlier sources win over later ones, and
                        // keys written in the mapping win over all of them.
                        let sources: Vec<&YNode> = match &v.value {
                            YValue::Seq(s) => s.iter().collect(),
                            _ => vec![&v],
                        };
                        for src in sources {
                            for (mk, mv) in src.as_map() {
                                if !merged.iter().any(|(k2, _)| k2.as_str() == mk.as_str()) {
                                    merged.push((mk.clone(), mv.clone()));
                                }
                            }
                        }
                    } else {
                        entries.push((k, v));
                    }
                }
                for (mk, mv) in merged {
                    if !entries.iter().any(|(k2, _)| k2.as_str() == mk.as_str()) {
                        entries.push((mk, mv));
                    }
                }
                YValue::Map(entries)
            }
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
}
