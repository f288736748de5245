//! Release tools' configs, which build binaries outside Docker: goreleaser (`builds:` with
//! `main:`, `dir:` and `binary:`), ko (`builds:` with `main:` and `dir:`) and promu
//! (`build.binaries:` with `name:` and `path:`). Only what names a package and an output.

use super::yaml::{self, YNode};
use crate::source::{FileId, Span, file_name};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseBuild {
    /// The package as written (`./cmd/api`, `./cmd/api/main.go`, `.`), relative to `dir`.
    pub main: String,
    /// The directory the tool builds from, relative to the config's directory.
    pub dir: String,
    /// The output name the config gives (template parts as written), if it gives one.
    pub binary: Option<String>,
    pub span: Span,
}

/// What a release config builds; `None` when the file cannot be read as YAML (then what it
/// builds is unknown).
pub fn parse(file: FileId, path: &str, text: &str) -> Option<Vec<ReleaseBuild>> {
    let root = yaml::parse(file, text).ok()?;
    let Some(root) = root else { return Some(Vec::new()) };
    let s = |n: Option<&YNode>| n.and_then(YNode::as_str).map(str::to_string);
    let mut out = Vec::new();
    if file_name(path) == ".promu.yml" {
        let binaries = root.get("build").and_then(|b| b.get("binaries"));
        match binaries {
            Some(list) => {
                for b in list.as_seq() {
                    out.push(ReleaseBuild {
                        main: s(b.get("path")).unwrap_or_else(|| ".".into()),
                        dir: ".".into(),
                        binary: s(b.get("name")),
                        span: b.span,
                    });
                }
            }
            // Without a list, promu builds the repository's root package.
            None => out.push(ReleaseBuild { main: ".".into(), dir: ".".into(), binary: None, span: root.span }),
        }
        return Some(out);
    }
    // goreleaser and ko: `builds:`, each with `main:` (default `.`) and `dir:` (default `.`).
    for b in root.get("builds").map(YNode::as_seq).unwrap_or(&[]) {
        if s(b.get("skip")).as_deref() == Some("true") {
            continue;
        }
        // A goreleaser build of another language (`builder: rust`, `zig`, …) names no Go package.
        if s(b.get("builder")).is_some_and(|t| t != "go") {
            continue;
        }
        out.push(ReleaseBuild {
            main: s(b.get("main")).unwrap_or_else(|| ".".into()),
            dir: s(b.get("dir")).unwrap_or_else(|| ".".into()),
            binary: s(b.get("binary")),
            span: b.get("main").map_or(b.span, |m| m.span),
        });
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_goreleaser_ko_and_promu() {
        let g = "project_name: shop\nbuilds:\n  - id: api\n    main: ./cmd/api\n    binary: shop-api\n  - id: cli\n    dir: tools\n  - id: off\n    main: ./cmd/x\n    skip: true\n";
        let b = parse(FileId(0), ".goreleaser.yaml", g).unwrap_or_default();
        assert_eq!(b.len(), 2);
        assert_eq!((b[0].main.as_str(), b[0].binary.as_deref()), ("./cmd/api", Some("shop-api")));
        assert_eq!((b[1].main.as_str(), b[1].dir.as_str(), b[1].binary.as_deref()), (".", "tools", None));
        let p = "build:\n  binaries:\n    - name: agent\n      path: ./cmd/agent\n";
        let b = parse(FileId(0), ".promu.yml", p).unwrap_or_default();
        assert_eq!((b[0].main.as_str(), b[0].binary.as_deref()), ("./cmd/agent", Some("agent")));
        assert_eq!(parse(FileId(0), ".promu.yml", "go:\n  version: 1.22\n").map(|b| b.len()), Some(1));
        assert!(parse(FileId(0), ".ko.yaml", "builds: [\n").is_none());
    }
}
