//! `deploylint.toml` (or `.deploylint.toml`): every key optional; an unknown key or a bad value
//! is an error that points at the key (file:line:column) with a "did you mean".

use crate::diagnostic::Severity;
use std::collections::BTreeMap;
use std::fmt;
use toml::de::{DeTable, DeValue};

/// The compose tool the server has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Flavor {
    /// The standalone `docker-compose` (v1).
    V1,
    /// The `docker compose` plugin (v2).
    V2,
}

impl Flavor {
    pub fn parse(s: &str) -> Option<Flavor> {
        match s.to_ascii_lowercase().as_str() {
            "v1" | "docker-compose" => Some(Flavor::V1),
            "v2" | "docker compose" => Some(Flavor::V2),
            _ => None,
        }
    }
    pub fn command(self) -> &'static str {
        match self {
            Flavor::V1 => "docker-compose",
            Flavor::V2 => "docker compose",
        }
    }
}

/// A severity setting: a level, or `off`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    On(Severity),
}

/// Where `--fail-on` draws the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FailOn {
    Never,
    At(Severity),
}

impl FailOn {
    /// `error`, `warning`, `info` or `never`, in any case, like the other enums.
    pub fn parse(s: &str) -> Option<FailOn> {
        let lower = s.to_ascii_lowercase();
        match lower.as_str() {
            "never" => Some(FailOn::Never),
            other => parse_severity(other).map(FailOn::At),
        }
    }
}

fn parse_severity(s: &str) -> Option<Severity> {
    match s {
        "error" => Some(Severity::Error),
        "warning" => Some(Severity::Warning),
        "info" => Some(Severity::Info),
        _ => None,
    }
}

/// A rule selector (`ALL`, a code, a name, a code prefix) and where it was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub text: String,
    /// Line and column in the config file; `None` on the command line or by default.
    pub at: Option<(usize, usize)>,
}

impl Selector {
    pub fn new(text: impl Into<String>) -> Selector {
        Selector { text: text.into(), at: None }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// The config file read, as shown in messages (`None` when there was none).
    pub path: Option<String>,
    pub select: Vec<Selector>,
    pub ignore: Vec<Selector>,
    pub fail_on: FailOn,
    pub severity: BTreeMap<String, Level>,
    pub compose: Option<Flavor>,
    pub compose_version: Option<String>,
    /// `[server] openssh-version`: the OpenSSH release (major, minor) of the machine that runs
    /// the deploy scripts.
    pub openssh_version: Option<(u32, u32)>,
    pub compose_files: Vec<String>,
    pub env_files: Vec<String>,
    pub crontabs: Vec<String>,
    pub binaries_ignore: Vec<String>,
    pub env_optional: Vec<String>,
    pub env_provided: Vec<String>,
    pub batch_binary: Option<String>,
    pub task_flag: Option<String>,
    pub exclude: Vec<String>,
    /// Real env files given on the command line (`--env-file`): each stands for the
    /// repository's env file of the same name.
    pub server_env_files: Vec<std::path::PathBuf>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            path: None,
            select: vec![Selector::new("ALL")],
            ignore: Vec::new(),
            fail_on: FailOn::At(Severity::Warning),
            severity: BTreeMap::new(),
            compose: None,
            compose_version: None,
            openssh_version: None,
            compose_files: Vec::new(),
            env_files: Vec::new(),
            crontabs: Vec::new(),
            binaries_ignore: Vec::new(),
            env_optional: Vec::new(),
            env_provided: Vec::new(),
            server_env_files: Vec::new(),
            batch_binary: None,
            task_flag: None,
            exclude: Vec::new(),
        }
    }
}

/// A config error, with the place when there is one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
        }
    }
}

/// The known tables and their keys.
const SCHEMA: &[(&str, &[&str])] = &[
    ("lint", &["select", "ignore", "fail-on", "severity", "exclude"]),
    ("server", &["compose", "compose-version", "openssh-version"]),
    ("deploy", &["compose-files", "env-files", "crontabs"]),
    ("binaries", &["ignore"]),
    ("env", &["optional", "provided-by-platform"]),
    ("batch", &["binary", "task-flag"]),
];

/// The closest candidate within two edits, for "did you mean".
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    closest(word, candidates, false, |d| d <= 2 || (d <= 4 && word.len() > 8))
}

/// An env key that may be a misspelling of `key`, for "did you mean": the same in another case,
/// or (for keys of five or more characters) one edit away in any case (`DBHOST`, `db_host`,
/// `DB_HOTS` for `DB_HOST`).
pub fn suggest_key<'a>(key: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let others = candidates.into_iter().filter(|c| *c != key);
    closest(key, others, true, |d| d == 0 || (d == 1 && key.chars().count() >= 5))
}

/// The candidate nearest to `word` (fewest edits, then first in order) that `within` accepts.
fn closest<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    fold_case: bool,
    within: impl Fn(usize) -> bool,
) -> Option<&'a str> {
    let fold = |s: &str| if fold_case { s.to_uppercase() } else { s.to_string() };
    let w = fold(word);
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(&w, &fold(c)), c))
        .filter(|(d, _)| within(*d))
        .min()
        .map(|(_, c)| c)
}

struct Reader<'a> {
    path: &'a str,
    text: &'a str,
}

impl Reader<'_> {
    fn err(&self, span: std::ops::Range<usize>, message: String) -> ConfigError {
        let before = self.text.get(..span.start).unwrap_or("");
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        ConfigError { path: self.path.to_string(), line, column, message }
    }

    fn string(&self, v: &toml::Spanned<DeValue<'_>>, key: &str) -> Result<String, ConfigError> {
        v.get_ref().as_str().map(str::to_string).ok_or_else(|| self.err(v.span(), format!("`{key}` must be a string")))
    }

    /// A list of rule selectors, each with its place.
    fn selectors(&self, v: &toml::Spanned<DeValue<'_>>, key: &str) -> Result<Vec<Selector>, ConfigError> {
        let Some(arr) = v.get_ref().as_array() else {
            return Err(self.err(v.span(), format!("`{key}` must be a list of strings")));
        };
        arr.iter()
            .map(|item| {
                let text = self.string(item, key)?;
                let place = self.err(item.span(), String::new());
                Ok(Selector { text, at: Some((place.line, place.column)) })
            })
            .collect()
    }

    fn strings(&self, v: &toml::Spanned<DeValue<'_>>, key: &str) -> Result<Vec<String>, ConfigError> {
        let Some(arr) = v.get_ref().as_array() else {
            return Err(self.err(v.span(), format!("`{key}` must be a list of strings")));
        };
        arr.iter().map(|item| self.string(item, key)).collect()
    }
}

/// Reads the config text. `path` is only used in error messages.
pub fn parse(path: &str, text: &str) -> Result<Config, ConfigError> {
    let r = Reader { path, text };
    let root = DeTable::parse(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        r.err(span, e.message().trim().to_string())
    })?;
    let mut cfg = Config { path: Some(path.to_string()), ..Config::default() };
    for (table_key, table_val) in root.get_ref() {
        let tname = table_key.get_ref().as_ref();
        let Some((_, keys)) = SCHEMA.iter().find(|(t, _)| *t == tname) else {
            let hint = suggest(tname, SCHEMA.iter().map(|(t, _)| *t))
                .map_or(String::new(), |s| format!("; did you mean `[{s}]`?"));
            return Err(r.err(table_key.span(), format!("unknown table `{tname}`{hint}")));
        };
        let Some(table) = table_val.get_ref().as_table() else {
            return Err(r.err(table_val.span(), format!("`{tname}` must be a table")));
        };
        for (k, v) in table {
            let key = k.get_ref().as_ref();
            if !keys.contains(&key) {
                let hint =
                    suggest(key, keys.iter().copied()).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                return Err(r.err(k.span(), format!("unknown key `{key}` in `[{tname}]`{hint}")));
            }
            match (tname, key) {
                ("lint", "select") => cfg.select = r.selectors(v, key)?,
                ("lint", "ignore") => cfg.ignore = r.selectors(v, key)?,
                ("lint", "exclude") => cfg.exclude = r.strings(v, key)?,
                ("lint", "fail-on") => {
                    let s = r.string(v, key)?;
                    cfg.fail_on = FailOn::parse(&s).ok_or_else(|| {
                        r.err(v.span(), format!("`fail-on` must be `error`, `warning`, `info` or `never`, not `{s}`"))
                    })?;
                }
                ("lint", "severity") => {
                    let Some(t) = v.get_ref().as_table() else {
                        return Err(r.err(v.span(), "`severity` must be a table".into()));
                    };
                    for (rk, rv) in t {
                        let rule = rk.get_ref().as_ref();
                        if crate::checks::find_rule(rule).is_none() {
                            let names = crate::checks::RULES.iter().flat_map(|r| [r.code, r.name]);
                            let hint = suggest(rule, names).map_or(String::new(), |s| format!("; did you mean `{s}`?"));
                            return Err(r.err(rk.span(), format!("unknown rule `{rule}`{hint}")));
                        }
                        let s = r.string(rv, rule)?;
                        let level = if s == "off" {
                            Level::Off
                        } else {
                            Level::On(parse_severity(&s).ok_or_else(|| {
                                r.err(
                                    rv.span(),
                                    format!("a severity is `error`, `warning`, `info` or `off`, not `{s}`"),
                                )
                            })?)
                        };
                        cfg.severity.insert(rule.to_string(), level);
                    }
                }
                ("server", "compose") => {
                    let s = r.string(v, key)?;
                    cfg.compose = Some(Flavor::parse(&s).ok_or_else(|| {
                        r.err(
                            v.span(),
                            format!("`compose` must be `v1` (`docker-compose`) or `v2` (`docker compose`), not `{s}`"),
                        )
                    })?);
                }
                ("server", "compose-version") => cfg.compose_version = Some(r.string(v, key)?),
                ("server", "openssh-version") => {
                    let s = r.string(v, key)?;
                    cfg.openssh_version = Some(parse_openssh_version(&s).ok_or_else(|| {
                        r.err(
                            v.span(),
                            format!("`openssh-version` must be a release such as `9.6` or `8.4p1`, not `{s}`"),
                        )
                    })?);
                }
                ("deploy", "compose-files") => cfg.compose_files = r.strings(v, key)?,
                ("deploy", "env-files") => cfg.env_files = r.strings(v, key)?,
                ("deploy", "crontabs") => cfg.crontabs = r.strings(v, key)?,
                ("binaries", "ignore") => cfg.binaries_ignore = r.strings(v, key)?,
                ("env", "optional") => cfg.env_optional = r.strings(v, key)?,
                ("env", "provided-by-platform") => cfg.env_provided = r.strings(v, key)?,
                ("batch", "binary") => cfg.batch_binary = Some(r.string(v, key)?),
                ("batch", "task-flag") => cfg.task_flag = Some(r.string(v, key)?),
                _ => {}
            }
        }
    }
    resolve_selectors(&mut cfg, &[], &[])?;
    Ok(cfg)
}

/// An OpenSSH release as `ssh -V` or the release notes write it (`8.4`, `9.6p1`,
/// `OpenSSH_9.6p1`): its major and minor numbers.
fn parse_openssh_version(s: &str) -> Option<(u32, u32)> {
    let s = s.trim();
    let s = s.strip_prefix("OpenSSH_").unwrap_or(s);
    let (major, rest) = s.split_once('.')?;
    let minor_end = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
    let (minor, tail) = rest.split_at(minor_end);
    let patch_ok = tail.is_empty()
        || tail.strip_prefix('p').is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    if major.is_empty() || !major.bytes().all(|b| b.is_ascii_digit()) || minor.is_empty() || !patch_ok {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// Resolves the rule selectors of the config file and of the command line (`--select`,
/// `--ignore`, which replace the file's lists when given): every one must name a rule. A bad
/// entry of the file is reported at its place, one of the command line by its flag.
pub fn resolve_selectors(cfg: &mut Config, select: &[String], ignore: &[String]) -> Result<(), ConfigError> {
    let unknown = |text: &str, place: &str| {
        let names = crate::checks::RULES.iter().flat_map(|r| [r.code, r.name]);
        let hint = suggest(text, names).map_or(String::new(), |h| format!("; did you mean `{h}`?"));
        format!("unknown rule selector `{text}` in {place}{hint}")
    };
    let path = cfg.path.clone().unwrap_or_default();
    for (key, list) in [("select", &cfg.select), ("ignore", &cfg.ignore)] {
        if let Some(bad) = list.iter().find(|s| !crate::checks::selector_is_known(&s.text)) {
            let (line, column) = bad.at.unwrap_or((0, 0));
            let message = unknown(&bad.text, &format!("`[lint] {key}`"));
            return Err(ConfigError { path: path.clone(), line, column, message });
        }
    }
    for (flag, list) in [("--select", select), ("--ignore", ignore)] {
        if let Some(bad) = list.iter().find(|s| !crate::checks::selector_is_known(s)) {
            let message = unknown(bad, &format!("`{flag}`"));
            return Err(ConfigError { path: String::new(), line: 0, column: 0, message });
        }
    }
    if !select.is_empty() {
        cfg.select = select.iter().map(Selector::new).collect();
    }
    if !ignore.is_empty() {
        cfg.ignore = ignore.iter().map(Selector::new).collect();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_env_keys() {
        let env = ["DBHOST", "DB_PORT", "db_user", "REDIS_URI", "IP"];
        assert_eq!(suggest_key("DB_HOST", env), Some("DBHOST"));
        assert_eq!(suggest_key("DB_USER", env), Some("db_user"));
        assert_eq!(suggest_key("REDIS_URL", env), Some("REDIS_URI"));
        assert_eq!(suggest_key("DB_PORT", env), None);
        assert_eq!(suggest_key("ID", env), None);
        assert_eq!(suggest_key("SMTP_HOST", env), None);
    }

    #[test]
    fn reads_every_section() {
        let cfg = parse(
            "deploylint.toml",
            "[lint]\nfail-on = \"error\"\n[lint.severity]\nDPL101 = \"off\"\n[server]\ncompose = \"Docker-Compose\"\n[binaries]\nignore = [\"cmd/seed\"]\n",
        );
        let cfg = cfg.unwrap_or_default();
        assert_eq!(cfg.fail_on, FailOn::At(Severity::Error));
        assert_eq!(cfg.compose, Some(Flavor::V1));
        assert_eq!(cfg.severity.get("DPL101"), Some(&Level::Off));
        assert_eq!(cfg.binaries_ignore, ["cmd/seed"]);
    }

    #[test]
    fn unknown_keys_point_at_the_key_with_a_suggestion() {
        let e = parse("d.toml", "[server]\ncompse = \"v1\"\n").err();
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "d.toml:2:1: unknown key `compse` in `[server]`; did you mean `compose`?");
        let e =
            parse("d.toml", "[server]\nopenssh-versoin = \"9.6\"\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "d.toml:2:1: unknown key `openssh-versoin` in `[server]`; did you mean `openssh-version`?");
        let e = parse("d.toml", "[server]\nopenssh-version = \"9\"\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "d.toml:2:19: `openssh-version` must be a release such as `9.6` or `8.4p1`, not `9`");
        let c = parse("d.toml", "[server]\nopenssh-version = \"OpenSSH_8.4p1\"\n");
        assert_eq!(c.ok().and_then(|c| c.openssh_version), Some((8, 4)));
        assert_eq!(parse_openssh_version("9.10"), Some((9, 10)));
        assert_eq!(parse_openssh_version("8.x"), None);
        let e = parse("d.toml", "[servr]\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("did you mean `[server]`"), "{e}");
    }

    #[test]
    fn selectors_of_both_places_are_resolved_alike() {
        let e = parse("deploylint.toml", "[lint]\nselect = [\"DPL1\", \"binary-not-biult\"]\n").err();
        let e = e.map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(
            e,
            "deploylint.toml:2:19: unknown rule selector `binary-not-biult` in `[lint] select`; did you mean `binary-not-built`?"
        );
        let e = parse("d.toml", "[lint]\nignore = [\"typo\"]\n").err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.starts_with("d.toml:2:11: unknown rule selector `typo`"), "{e}");
        let mut cfg = parse("d.toml", "[lint]\nselect = [\"DPL2\"]\n").unwrap_or_default();
        let e = resolve_selectors(&mut cfg, &["DPL9".to_string()], &[]).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("unknown rule selector `DPL9` in `--select`"));
        assert!(resolve_selectors(&mut cfg, &["DPL1".to_string()], &["DPL104".to_string()]).is_ok());
        assert_eq!(cfg.select, [Selector::new("DPL1")]);
        assert_eq!(cfg.ignore, [Selector::new("DPL104")]);
    }

    #[test]
    fn bad_values_are_errors() {
        assert!(parse("d", "[server]\ncompose = \"v3\"\n").is_err());
        assert!(parse("d", "[lint]\nfail-on = \"sometimes\"\n").is_err());
        assert!(parse("d", "[lint.severity]\nDPL999 = \"off\"\n").is_err());
    }
}
