//! `Cargo.toml`: the package name, `[[bin]]` targets, `autobins`, and `[workspace]` members.

use super::ParseError;
use crate::source::{FileId, Span};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Manifest {
    pub package: Option<String>,
    /// `[[bin]]`: name and optional path.
    pub bins: Vec<(String, Option<String>)>,
    pub autobins: bool,
    /// `[workspace] members` (globs), when the manifest is a workspace root.
    pub members: Option<Vec<String>>,
    pub exclude: Vec<String>,
    /// The names of `[dependencies]` (a renamed one by its `package`).
    pub deps: Vec<String>,
}

pub fn parse(file: FileId, text: &str) -> Result<Manifest, ParseError> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        ParseError { span: Span::new(file, span), message: e.message().trim().to_string() }
    })?;
    let package = table.get("package").and_then(|p| p.get("name")).and_then(|n| n.as_str()).map(str::to_string);
    let autobins = table.get("package").and_then(|p| p.get("autobins")).and_then(|a| a.as_bool()).unwrap_or(true);
    let bins = table
        .get("bin")
        .and_then(|b| b.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|b| {
                    let name = b.get("name")?.as_str()?.to_string();
                    Some((name, b.get("path").and_then(|p| p.as_str()).map(str::to_string)))
                })
                .collect()
        })
        .unwrap_or_default();
    let strings = |v: Option<&toml::Value>| -> Vec<String> {
        v.and_then(|m| m.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default()
    };
    let workspace = table.get("workspace");
    let deps = table
        .get("dependencies")
        .and_then(|d| d.as_table())
        .map(|d| d.iter().map(|(k, v)| v.get("package").and_then(|p| p.as_str()).unwrap_or(k).to_string()).collect())
        .unwrap_or_default();
    Ok(Manifest {
        package,
        bins,
        autobins,
        members: workspace.map(|w| strings(w.get("members"))),
        exclude: strings(workspace.and_then(|w| w.get("exclude"))),
        deps,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_packages_bins_and_workspaces() {
        let m = parse(FileId(0), "[package]\nname = \"api\"\n[[bin]]\nname = \"admin\"\npath = \"src/admin.rs\"\n")
            .unwrap_or_default();
        assert_eq!(m.package.as_deref(), Some("api"));
        assert_eq!(m.bins, [("admin".to_string(), Some("src/admin.rs".to_string()))]);
        let w = parse(FileId(0), "[workspace]\nmembers = [\"crates/*\"]\n").unwrap_or_default();
        assert_eq!(w.members, Some(vec!["crates/*".to_string()]));
        assert!(parse(FileId(0), "[package\nname=").is_err());
    }
}
