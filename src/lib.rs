//! deploylint: a preflight linter that reads a service's code, Dockerfiles, compose files, env
//! files, crontabs and deploy scripts together and reports where they disagree.
//!
//! The data flows one way: [`discover`] → [`parse`] → [`model`] → [`checks`] →
//! [`diagnostic`] → [`render`].

pub mod baseline;
pub mod checks;
pub mod cli;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod fix;
pub mod init;
pub mod model;
pub mod parse;
pub mod render;
pub mod secret;
pub mod source;
pub mod suppress;

use config::{Config, Level};
use diagnostic::Diagnostic;
use std::path::Path;

/// Why a run could not happen (exit status 2).
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `root` is a directory that can be listed: a run that could read nothing must not
/// pass (exit status 2).
pub fn check_root(root: &Path) -> Result<(), RunError> {
    let shown = source::path_text(root);
    if !root.exists() {
        return Err(RunError(format!("`{shown}` does not exist")));
    }
    if !root.is_dir() {
        return Err(RunError(format!("`{shown}` is not a directory that can be read")));
    }
    std::fs::read_dir(root)
        .map(|_| ())
        .map_err(|e| RunError(format!("cannot read `{shown}`: {e}; nothing was checked")))
}

/// Reads the config for a root: `explicit`, else `deploylint.toml` or `.deploylint.toml` there.
pub fn load_config(root: &Path, explicit: Option<&Path>) -> Result<Config, RunError> {
    let candidates: Vec<std::path::PathBuf> = match explicit {
        Some(p) => vec![p.to_path_buf()],
        None => vec![root.join("deploylint.toml"), root.join(".deploylint.toml")],
    };
    for path in candidates {
        let shown = source::path_text(path.strip_prefix(root).unwrap_or(&path));
        // A config found at the root is read only when it is a regular file: a FIFO there must
        // not hang the run (`--config <(…)` is the user's own choice).
        if explicit.is_none() {
            match std::fs::metadata(&path) {
                Ok(m) if !m.is_file() => {
                    return Err(RunError(format!("cannot read config `{shown}`: not a regular file")));
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                _ => {}
            }
        }
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return config::parse(&shown, &text).map_err(|e| RunError(format!("invalid config: {e}")));
            }
            // A config file that is there but cannot be read (permissions, not UTF-8) is an
            // error, never a silent run with the defaults.
            Err(e) if explicit.is_some() || e.kind() != std::io::ErrorKind::NotFound => {
                return Err(RunError(format!("cannot read config `{}`: {e}", path.display())));
            }
            Err(_) => {}
        }
    }
    Ok(Config::default())
}

/// The rules a config enables, with their effective severity.
pub fn enabled_rules(cfg: &Config) -> Vec<(&'static checks::Rule, Option<diagnostic::Severity>)> {
    checks::RULES
        .iter()
        .copied()
        .filter(|r| {
            cfg.select.iter().any(|s| checks::selector_matches(&s.text, r))
                && !cfg.ignore.iter().any(|s| checks::selector_matches(&s.text, r))
        })
        .filter_map(|r| {
            let level = cfg
                .severity
                .iter()
                .find(|(k, _)| checks::find_rule(k).is_some_and(|x| x.code == r.code))
                .map(|(_, v)| *v);
            match level {
                Some(Level::Off) => None,
                Some(Level::On(s)) => Some((r, Some(s))),
                None => Some((r, None)),
            }
        })
        .collect()
}

/// Builds the model of a repository.
pub fn build_model(root: &Path, cfg: Config) -> Result<model::Model, RunError> {
    check_root(root)?;
    let shown = source::path_text(root);
    let mut found = discover::discover(root, &cfg.exclude).map_err(|e| match e.kind() {
        std::io::ErrorKind::InvalidInput => RunError(e.to_string()),
        _ => RunError(format!("cannot read `{shown}`: {e}; nothing was checked")),
    })?;
    // A real env file named on the command line is read as it is: a run that was asked to
    // check it and could not must not pass.
    for path in &cfg.server_env_files {
        let text = discover::read_given_file(path)
            .map_err(|why| RunError(format!("cannot read env file `{}`: {why}", source::path_text(path))))?;
        let file = source::SourceFile::new(source::path_text(path), source::Kind::EnvFile, text, true);
        found.files.push(file);
    }
    Ok(model::Model::build(found, cfg))
}

fn scrub_in_place(text: &mut String) {
    if let std::borrow::Cow::Owned(clean) = render::mask::scrub(text) {
        *text = clean;
    }
}

/// Lints a repository: the model and the sorted, deduplicated diagnostics.
pub fn lint(root: &Path, cfg: Config) -> Result<(model::Model, Vec<Diagnostic>), RunError> {
    let rules = enabled_rules(&cfg);
    let model = build_model(root, cfg)?;
    Ok(lint_model(model, &rules))
}

/// Lints files already read (a repository held in memory): what [`lint`] does after discovery.
pub fn lint_discovered(found: discover::Discovered, cfg: Config) -> (model::Model, Vec<Diagnostic>) {
    let rules = enabled_rules(&cfg);
    lint_model(model::Model::build(found, cfg), &rules)
}

fn lint_model(
    model: model::Model,
    rules: &[(&'static checks::Rule, Option<diagnostic::Severity>)],
) -> (model::Model, Vec<Diagnostic>) {
    let only: Vec<&'static checks::Rule> = rules.iter().map(|(r, _)| *r).collect();
    let mut diags = checks::run(&model, &only);
    // Every text a finding carries is scrubbed of secret-shaped values once, here, so no format
    // (nor a fingerprint) can see one.
    for d in &mut diags {
        scrub_in_place(&mut d.message);
        scrub_in_place(&mut d.primary.message);
        for l in &mut d.related {
            scrub_in_place(&mut l.message);
        }
        if let Some(h) = &mut d.help {
            scrub_in_place(h);
        }
    }
    for d in &mut diags {
        if let Some((_, Some(s))) = rules.iter().find(|(r, _)| r.code == d.code) {
            d.severity = *s;
        }
    }
    let unused = suppress::apply(&model.sources, &mut diags, &only);
    if let Some((rule, level)) = rules.iter().find(|(r, _)| r.code == checks::meta::suppression_unused::RULE.code) {
        for u in unused {
            diags.push(Diagnostic {
                code: rule.code,
                name: rule.name,
                severity: level.unwrap_or(rule.severity),
                message: u.message,
                primary: u.label,
                related: Vec::new(),
                help: Some("remove the comment, or name the rule of the finding it is meant for".into()),
                fix: None,
            });
        }
    }
    let key = |d: &Diagnostic| {
        let path = model.sources.path(d.primary.span.file).to_string();
        (path, d.primary.span.start, d.primary.span.end, d.code, d.message.clone())
    };
    diags.sort_by_cached_key(key);
    diags.dedup_by(|a, b| a.code == b.code && a.primary.span == b.primary.span && a.message == b.message);
    (model, diags)
}
