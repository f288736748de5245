//! What each compose flavor and version accepts: the rows of `data/compose-features.tsv`
//! (subcommands, options and compose-file keys that not every docker-compose or docker compose
//! knows, each with the first version that accepts it and a source), and the features a
//! compose call or a compose file uses.

use super::commands::ComposeCall;
use crate::config::Flavor;
use crate::source::{Span, Spanned};
use std::sync::OnceLock;

/// The table, as data.
pub const TABLE: &str = include_str!("../../data/compose-features.tsv");

/// A release: `2.20.3`; `2.17` is `2.17.0`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// `2.20.3`, `v2.17`, `1.29.2-1` (a Debian revision), `1` .
    pub fn parse(s: &str) -> Option<Version> {
        let s = s.trim().trim_start_matches(['v', 'V']);
        let core = s.split(['-', '+', ' ']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>());
        let major = parts.next()?.ok()?;
        let minor = parts.next().transpose().ok()?.unwrap_or(0);
        let patch = parts.next().transpose().ok()?.unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeatureKind {
    Command,
    Option,
    Key,
}

/// One row of the table.
#[derive(Clone, Debug)]
pub struct Feature {
    pub kind: FeatureKind,
    /// As written in the table: `cp`, `up --wait`, `--dry-run`, `services.*.develop`.
    pub feature: String,
    /// The first version of each flavor that accepts it (`None`: no version does).
    pub v1: Option<Version>,
    pub v2: Option<Version>,
    pub source: String,
}

impl Feature {
    /// The first version of `flavor` that accepts it.
    pub fn since(&self, flavor: Flavor) -> Option<Version> {
        match flavor {
            Flavor::V1 => self.v1,
            Flavor::V2 => self.v2,
        }
    }

    /// Whether `flavor` at `version` (any version of it when unknown) accepts it: with no
    /// version, only a feature no version of the flavor has is refused.
    pub fn supported(&self, flavor: Flavor, version: Option<Version>) -> bool {
        match (self.since(flavor), version) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(since), Some(v)) => v >= since,
        }
    }

    /// How the feature is named to a user: `` `up --wait` ``, the key `develop`.
    pub fn describe(&self) -> String {
        match self.kind {
            FeatureKind::Command => format!("`{}`", self.feature),
            FeatureKind::Option => format!("`{}`", self.feature),
            FeatureKind::Key => {
                let shown = self.feature.trim_start_matches("services.*.").replace(".[]", "[]");
                let shown = shown.replace(".*.", ".<name>.");
                format!("the compose-file key `{shown}`")
            }
        }
    }
}

/// Reads the table; a malformed row is a bug in the data, caught by the tests.
pub fn parse_table(text: &str) -> Result<Vec<Feature>, String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() || line.starts_with("kind\t") {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let [kind, feature, v1, v2, source] = cols.as_slice() else {
            return Err(format!("line {}: {} columns, not 5", n + 1, cols.len()));
        };
        let kind = match *kind {
            "command" => FeatureKind::Command,
            "option" => FeatureKind::Option,
            "key" => FeatureKind::Key,
            k => return Err(format!("line {}: unknown kind `{k}`", n + 1)),
        };
        let version = |v: &str| match v {
            "-" => Ok(None),
            v => Version::parse(v).map(Some).ok_or_else(|| format!("line {}: bad version `{v}`", n + 1)),
        };
        if source.trim().is_empty() {
            return Err(format!("line {}: no source", n + 1));
        }
        out.push(Feature {
            kind,
            feature: feature.to_string(),
            v1: version(v1)?,
            v2: version(v2)?,
            source: source.to_string(),
        });
    }
    Ok(out)
}

/// The table, read once.
pub fn table() -> &'static [Feature] {
    static T: OnceLock<Vec<Feature>> = OnceLock::new();
    T.get_or_init(|| parse_table(TABLE).unwrap_or_default())
}

/// The option name of a word: `--pull=always` → `--pull`.
fn option_name(t: &str) -> &str {
    t.split_once('=').map_or(t, |(n, _)| n)
}

/// The features of the table a compose call uses, each with where it is written.
pub fn call_features(call: &ComposeCall) -> Vec<(&'static Feature, Span)> {
    let mut out = Vec::new();
    let sub = call.subcommand.as_ref();
    for f in table() {
        match f.kind {
            FeatureKind::Command => {
                if let Some(s) = sub.filter(|s| s.value == f.feature) {
                    out.push((f, s.span));
                }
            }
            FeatureKind::Option => {
                let (want_sub, flag) = match f.feature.split_once(' ') {
                    Some((s, flag)) => (Some(s), flag),
                    None => (None, f.feature.as_str()),
                };
                let words = match want_sub {
                    None => &call.options[..],
                    Some(s) if sub.is_some_and(|x| x.value == s) => &call.args[..],
                    Some(_) => continue,
                };
                // Options come before `--` and the service's own command (`run web ls --pull`).
                let mut seen_positional = false;
                for w in words {
                    if w.text == "--" {
                        break;
                    }
                    if !w.text.starts_with('-') {
                        if want_sub == Some("run") || want_sub == Some("exec") {
                            if seen_positional {
                                break;
                            }
                            seen_positional = true;
                        }
                        continue;
                    }
                    if option_name(&w.text) == flag {
                        out.push((f, w.span));
                        break;
                    }
                }
            }
            FeatureKind::Key => {}
        }
    }
    out
}

/// Whether a key path (`services.web.develop`) matches a pattern (`services.*.develop`); a
/// deeper path matches too (the key is there).
fn key_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('.');
    let mut k = path.split('.');
    loop {
        match (p.next(), k.next()) {
            (None, _) => return true,
            (Some(_), None) => return false,
            (Some(a), Some(b)) => {
                if a != "*" && a != b {
                    return false;
                }
            }
        }
    }
}

/// The features of the table a compose file uses (from its key paths), each at the first key
/// that uses it per place.
pub fn file_features(keys: &[Spanned<String>]) -> Vec<(&'static Feature, Span)> {
    let mut out = Vec::new();
    for f in table().iter().filter(|f| f.kind == FeatureKind::Key) {
        let depth = f.feature.split('.').count();
        for k in keys {
            // The key itself, not each key under it.
            if k.value.split('.').count() == depth && key_matches(&f.feature, &k.value) {
                out.push((f, k.span));
            }
        }
    }
    out
}

impl super::Model {
    /// The compose the server has: the declared flavor (else the one the declared version's
    /// major number names) and version.
    pub fn server_compose(&self) -> Option<(Flavor, Option<Version>)> {
        let version = self.config.compose_version.as_deref().and_then(Version::parse);
        let flavor = self.config.compose.or(match version {
            Some(Version(1, ..)) => Some(Flavor::V1),
            Some(Version(2.., ..)) => Some(Flavor::V2),
            _ => None,
        })?;
        // A version of the other flavor says nothing about this one.
        let version = version.filter(|v| (v.0 == 1) == (flavor == Flavor::V1));
        Some((flavor, version))
    }

    /// The compose files the server runs: those `[deploy] compose-files` lists, and those the
    /// compose calls that act on the server name (by `-f`, else by the default names).
    pub fn server_compose_files(&self) -> Vec<crate::source::FileId> {
        use crate::source::{Kind as SourceKind, file_name};
        let composes: Vec<(crate::source::FileId, &str)> = self
            .sources
            .iter()
            .filter(|(_, f)| f.kind == SourceKind::Compose)
            .map(|(id, f)| (id, f.path.as_str()))
            .collect();
        let mut out = Vec::new();
        for &(id, path) in &composes {
            let same_name = composes.iter().filter(|(_, p)| file_name(p) == file_name(path)).count();
            let listed = self.config.compose_files.iter().any(|l| {
                let l = l.trim_start_matches("./");
                l == path || (file_name(l) == file_name(path) && same_name == 1)
            });
            let run = || {
                self.commands.iter().any(|c| {
                    let super::commands::Kind::Compose(call) = &c.kind else { return false };
                    self.acts_on_server(c, call)
                        && super::interpolation::call_names(call, self.sources.path(c.file), path, same_name)
                })
            };
            if listed || run() {
                out.push(id);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::commands::{Kind, classify};
    use crate::parse::shell;
    use crate::source::FileId;

    #[test]
    fn the_table_reads() {
        let t = parse_table(TABLE);
        assert!(t.as_ref().is_ok_and(|t| t.len() >= 40), "{t:?}");
        assert!(parse_table("command\tcp\t-\tx.y\tsrc\n").is_err());
        assert!(parse_table("command\tcp\t-\n").is_err());
    }

    #[test]
    fn versions() {
        assert_eq!(Version::parse("2.17"), Some(Version(2, 17, 0)));
        assert_eq!(Version::parse("v2.20.3"), Some(Version(2, 20, 3)));
        assert_eq!(Version::parse("1.29.2-1"), Some(Version(1, 29, 2)));
        assert_eq!(Version::parse("x"), None);
    }

    fn features(line: &str) -> Vec<String> {
        let cmd = shell::parse(FileId(0), line, 0).into_iter().next().map(|c| c.words).unwrap_or_default();
        let Kind::Compose(call) = classify(&cmd) else { return vec![] };
        call_features(&call).into_iter().map(|(f, _)| f.feature.clone()).collect()
    }

    #[test]
    fn a_call_uses_the_features_it_names() {
        assert_eq!(features("docker-compose -f p.yml up -d --wait web"), ["up --wait"]);
        assert_eq!(features("docker compose --progress=plain up --pull always"), ["--progress", "up --pull"]);
        assert_eq!(features("docker-compose cp web:/a ."), ["cp"]);
        assert!(features("docker-compose run --rm web migrate --wait").is_empty());
        assert!(features("docker-compose up --wait-timeout 3").iter().all(|f| f != "up --wait"));
        let wait = table().iter().find(|f| f.feature == "up --wait-timeout");
        assert!(wait.is_some_and(|f| !f.supported(Flavor::V2, Version::parse("2.16"))
            && f.supported(Flavor::V2, Version::parse("2.17.0"))
            && f.supported(Flavor::V2, None)
            && !f.supported(Flavor::V1, None)));
    }

    #[test]
    fn keys_match_at_their_own_depth() {
        let k = |s: &str| Spanned::new(s.to_string(), Span::new(FileId(0), 0..1));
        let keys = [k("name"), k("services.web.develop"), k("services.web.develop.watch"), k("x-name.develop")];
        let found: Vec<_> = file_features(&keys).into_iter().map(|(f, _)| f.feature.as_str()).collect();
        assert_eq!(found, ["name", "services.*.develop"]);
    }
}
