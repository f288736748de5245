//! Compose files: the services and the keys deploylint reads (build, image, container_name,
//! command, entrypoint, working_dir, env_file, environment, profiles), each with its span.

use super::ParseError;
use super::interpolation::{RefKind, references};
use super::yaml::{self, YNode, YValue};
use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Build {
    /// Relative to the compose file's directory; `.` when not given.
    pub context: Spanned<String>,
    pub dockerfile: Option<Spanned<String>>,
    pub target: Option<Spanned<String>>,
    pub args: Vec<(String, Option<String>)>,
}

/// `command:` / `entrypoint:` as a string (shell-split by compose) or a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandSpec {
    pub words: Vec<Spanned<String>>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvSetting {
    pub key: Spanned<String>,
    /// Whether a value is given (`KEY=v`, `KEY: v`) rather than passed through (`KEY`).
    pub has_value: bool,
    /// Where the value is written (raw, quotes included; the anchor for an alias), for
    /// masking: the value node of `KEY: v`, what follows `KEY=` in a list item.
    pub value: Option<Span>,
    /// The value's shape, never the value: what compose makes of it depends on interpolation.
    pub shape: ValueShape,
}

/// What an `environment:` value is made of, without the value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ValueShape {
    /// A bare `KEY` (or `KEY:` with no value): compose passes the caller's variable through.
    PassThrough,
    /// Text without references: empty or not.
    Literal { empty: bool },
    /// Built with references: the ones compose certainly reads (not nested), and whether text
    /// outside them is non-empty (the value is then never empty).
    Interpolated { refs: Vec<(String, RefKind)>, text_outside: bool },
}

impl ValueShape {
    fn of(value: &str) -> ValueShape {
        let refs = references(value);
        if refs.is_empty() {
            return ValueShape::Literal { empty: value.is_empty() };
        }
        let mut outside = String::new();
        let mut at = 0;
        for r in refs.iter().filter(|r| !r.nested) {
            outside.push_str(value.get(at..r.range.start).unwrap_or(""));
            at = at.max(r.range.end);
        }
        outside.push_str(value.get(at..).unwrap_or(""));
        ValueShape::Interpolated {
            refs: refs.into_iter().filter(|r| !r.nested).map(|r| (r.name, r.kind)).collect(),
            text_outside: !outside.replace("$$", "$").is_empty(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Service {
    pub name: Spanned<String>,
    pub container_name: Option<Spanned<String>>,
    pub build: Option<Build>,
    pub image: Option<Spanned<String>>,
    pub command: Option<CommandSpec>,
    pub entrypoint: Option<CommandSpec>,
    /// `working_dir:`: overrides the image's WORKDIR.
    pub working_dir: Option<Spanned<String>>,
    pub env_files: Vec<Spanned<String>>,
    /// The `env_file:` entries of the long syntax with `required: false` (compose skips them
    /// when absent), as written.
    pub optional_env_files: Vec<String>,
    pub environment: Vec<EnvSetting>,
    pub profiles: Vec<String>,
    /// Bind mounts: (host path as written, path in the container). Named volumes are left out.
    pub binds: Vec<(String, String)>,
    /// The commands of the ofelia jobs its labels declare (`ofelia.job-exec.NAME.command`,
    /// `ofelia.job-run.NAME.command`): scheduled runs.
    pub ofelia: Vec<CommandSpec>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Compose {
    pub services: Vec<Service>,
    /// Top-level `name:`.
    pub project: Option<String>,
    /// The variable references compose interpolates, in file order (each place once).
    pub interpolations: Vec<Interpolation>,
    /// A service's `deploy:` holds keys only swarm reads (`update_config`, `rollback_config`,
    /// `placement`, `endpoint_mode`): the file is deployed as a stack (`docker stack deploy`,
    /// Portainer), which reads no `.env`.
    pub swarm: bool,
    /// Every key of the file as a `.`-separated path (`services.web.develop`, a list item as
    /// `[]`: `services.web.env_file.[].path`), with the key's span, a few levels deep: what a
    /// compose version may not know.
    pub keys: Vec<Spanned<String>>,
}

/// How deep [`Compose::keys`] goes.
const KEY_DEPTH: usize = 6;

fn collect_keys(node: &YNode, prefix: &str, depth: usize, out: &mut Vec<Spanned<String>>) {
    if depth >= KEY_DEPTH {
        return;
    }
    match &node.value {
        YValue::Map(entries) => {
            for (k, v) in entries {
                let Some(name) = k.as_str() else { continue };
                let path = if prefix.is_empty() { name.to_string() } else { format!("{prefix}.{name}") };
                collect_keys(v, &path, depth + 1, out);
                out.push(Spanned::new(path, k.span));
            }
        }
        YValue::Seq(items) => {
            let path = format!("{prefix}.[]");
            for i in items {
                collect_keys(i, &path, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// A `${VAR…}` / `$VAR` in a value of `services`, `networks`, `volumes`, `secrets` or
/// `configs`: the sections both compose flavors interpolate.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Interpolation {
    pub name: String,
    pub kind: RefKind,
    /// The reference as written; the whole value when the value is quoted, escaped or folded
    /// (its text then differs from what compose reads).
    pub span: Span,
    /// The service whose definition holds it, and the option under it (`environment`).
    pub service: Option<String>,
    pub option: Option<String>,
    /// Inside another reference's default or alternative: not certainly used.
    pub nested: bool,
}

/// The sections compose v1 interpolates (v2 interpolates the whole file).
const INTERPOLATED: &[&str] = &["services", "networks", "volumes", "secrets", "configs"];

fn collect_interpolations(text: &str, node: &YNode, at: (Option<&str>, Option<&str>), out: &mut Vec<Interpolation>) {
    let (service, option) = at;
    match &node.value {
        YValue::Scalar(s) if s.contains('$') => {
            let raw = text.get(node.span.start..node.span.end).unwrap_or("");
            // Where the value's text starts in the file, when it is written as it reads.
            let at = if raw == s {
                Some(node.span.start)
            } else if raw.len() >= 2 && raw.get(1..raw.len() - 1) == Some(s.as_str()) {
                Some(node.span.start + 1)
            } else {
                None
            };
            for r in references(s) {
                let span = match at {
                    Some(a) => Span::new(node.span.file, a + r.range.start..a + r.range.end),
                    None => node.span,
                };
                out.push(Interpolation {
                    name: r.name,
                    kind: r.kind,
                    span,
                    service: service.map(str::to_string),
                    option: option.map(str::to_string),
                    nested: r.nested,
                });
            }
        }
        YValue::Seq(items) => {
            for i in items {
                collect_interpolations(text, i, at, out);
            }
        }
        YValue::Map(entries) => {
            for (k, v) in entries {
                // The first key under a service names the option.
                let option = if service.is_some() && option.is_none() { k.as_str() } else { option };
                collect_interpolations(text, v, (service, option), out);
            }
        }
        _ => {}
    }
}

fn spanned(n: &YNode) -> Option<Spanned<String>> {
    n.as_str().map(|s| Spanned::new(s.to_string(), n.span))
}

fn command_spec(text: &str, n: &YNode) -> Option<CommandSpec> {
    match &n.value {
        YValue::Scalar(s) => {
            // Compose splits a string command like a shell. Word spans are exact when the scalar
            // is written as is (plain, one line); else (quoted, escaped, folded) they are the
            // scalar's.
            let words = if text.get(n.span.start..n.span.end) == Some(s.as_str()) {
                crate::parse::shell::parse(n.span.file, s, n.span.start)
            } else {
                crate::parse::shell::parse_detached(s, n.span)
            };
            let words = words
                .into_iter()
                .next()
                .map(|c| c.words.into_iter().map(|w| Spanned::new(w.text, w.span)).collect())
                .unwrap_or_default();
            Some(CommandSpec { words, span: n.span })
        }
        YValue::Seq(items) => Some(CommandSpec { words: items.iter().filter_map(spanned).collect(), span: n.span }),
        _ => None,
    }
}

fn service(text: &str, name: &YNode, body: &YNode) -> Option<Service> {
    let name = spanned(name)?;
    let build = body.get("build").and_then(|b| match &b.value {
        YValue::Scalar(s) => {
            Some(Build { context: Spanned::new(s.clone(), b.span), dockerfile: None, target: None, args: Vec::new() })
        }
        YValue::Map(_) => Some(Build {
            context: b.get("context").and_then(spanned).unwrap_or_else(|| Spanned::new(".".into(), b.span)),
            dockerfile: b.get("dockerfile").and_then(spanned),
            target: b.get("target").and_then(spanned),
            args: match b.get("args").map(|a| &a.value) {
                Some(YValue::Map(m)) => m
                    .iter()
                    .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str().map(str::to_string))))
                    .collect(),
                Some(YValue::Seq(s)) => s
                    .iter()
                    .filter_map(YNode::as_str)
                    .map(|kv| match kv.split_once('=') {
                        Some((k, v)) => (k.to_string(), Some(v.to_string())),
                        None => (kv.to_string(), None),
                    })
                    .collect(),
                _ => Vec::new(),
            },
        }),
        _ => None,
    });
    let env_files = match body.get("env_file") {
        Some(n) => match &n.value {
            YValue::Scalar(_) => spanned(n).into_iter().collect(),
            YValue::Seq(items) => {
                items.iter().filter_map(|i| spanned(i).or_else(|| i.get("path").and_then(spanned))).collect()
            }
            _ => Vec::new(),
        },
        None => Vec::new(),
    };
    let optional_env_files = body
        .get("env_file")
        .map(|n| {
            n.as_seq()
                .iter()
                .filter(|i| i.get("required").is_some_and(|r| matches!(r.as_str(), Some("false" | "False" | "no"))))
                .filter_map(|i| i.get("path").and_then(YNode::as_str).map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let environment = match body.get("environment").map(|e| &e.value) {
        Some(YValue::Map(m)) => m
            .iter()
            .filter_map(|(k, v)| {
                let key = spanned(k)?;
                let has_value = !matches!(v.value, YValue::Null);
                let shape = match &v.value {
                    YValue::Null => ValueShape::PassThrough,
                    _ => v.as_str().map_or(ValueShape::Literal { empty: false }, ValueShape::of),
                };
                Some(EnvSetting { key, has_value, value: has_value.then_some(v.span), shape })
            })
            .collect(),
        Some(YValue::Seq(items)) => items
            .iter()
            .filter_map(|i| {
                let s = i.as_str()?;
                let (k, has_value, shape) = match s.split_once('=') {
                    Some((k, v)) => (k, true, ValueShape::of(v)),
                    None => (s, false, ValueShape::PassThrough),
                };
                // The raw item is at least as long as the decoded one before the value.
                let value_at = (i.span.start + k.len() + 1).min(i.span.end);
                Some(EnvSetting {
                    key: Spanned::new(k.to_string(), Span::new(i.span.file, i.span.start..i.span.start + k.len())),
                    has_value,
                    value: has_value.then_some(Span::new(i.span.file, value_at..i.span.end)),
                    shape,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    Some(Service {
        name,
        container_name: body.get("container_name").and_then(spanned),
        build,
        image: body.get("image").and_then(spanned),
        command: body.get("command").and_then(|n| command_spec(text, n)),
        entrypoint: body.get("entrypoint").and_then(|n| command_spec(text, n)),
        working_dir: body.get("working_dir").and_then(spanned),
        env_files,
        optional_env_files,
        environment,
        binds: body.get("volumes").map(|v| v.as_seq().iter().filter_map(bind_mount).collect()).unwrap_or_default(),
        ofelia: body.get("labels").map(|l| ofelia_jobs(text, l)).unwrap_or_default(),
        profiles: body
            .get("profiles")
            .map(|p| p.as_seq().iter().filter_map(|x| x.as_str().map(str::to_string)).collect())
            .unwrap_or_default(),
    })
}

/// Whether a label key names an ofelia job's command.
fn ofelia_command(key: &str) -> bool {
    let parts: Vec<&str> = key.split('.').collect();
    matches!(parts.as_slice(), ["ofelia", "job-exec" | "job-run", _, "command"])
}

/// The ofelia job commands of a service's `labels:` (map or `KEY=VALUE` list).
fn ofelia_jobs(text: &str, labels: &YNode) -> Vec<CommandSpec> {
    match &labels.value {
        YValue::Map(m) => m
            .iter()
            .filter(|(k, _)| k.as_str().is_some_and(ofelia_command))
            .filter_map(|(_, v)| command_spec(text, v))
            .collect(),
        YValue::Seq(items) => items
            .iter()
            .filter_map(|i| {
                let (k, v) = i.as_str()?.split_once('=')?;
                if !ofelia_command(k) {
                    return None;
                }
                let words = crate::parse::shell::parse_detached(v, i.span).into_iter().next()?.words;
                Some(CommandSpec {
                    words: words.into_iter().map(|w| Spanned::new(w.text, w.span)).collect(),
                    span: i.span,
                })
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A bind mount of a `volumes:` entry: `./src:/dst[:mode]` or the long syntax with
/// `type: bind`. A named volume (`data:/var/lib/x`) is none.
fn bind_mount(n: &YNode) -> Option<(String, String)> {
    if let Some(s) = n.as_str() {
        let mut parts = s.splitn(3, ':');
        let (src, dst) = (parts.next()?, parts.next()?);
        let host = src.starts_with(['.', '/', '~']) || src.starts_with('$');
        return host.then(|| (src.to_string(), dst.to_string()));
    }
    if n.get("type").and_then(YNode::as_str) != Some("bind") {
        return None;
    }
    Some((n.get("source")?.as_str()?.to_string(), n.get("target")?.as_str()?.to_string()))
}

pub fn parse(file: FileId, text: &str) -> Result<Compose, ParseError> {
    let Some(root) = yaml::parse(file, text)? else {
        return Ok(Compose::default());
    };
    let mut out =
        Compose { project: root.get("name").and_then(YNode::as_str).map(str::to_string), ..Compose::default() };
    match root.entry("services") {
        None => {}
        Some((_, s)) if matches!(s.value, YValue::Map(_) | YValue::Null) => {
            for (name, body) in s.as_map() {
                if let Some(svc) = service(text, name, body) {
                    out.services.push(svc);
                }
                let swarm_keys = ["update_config", "rollback_config", "placement", "endpoint_mode"];
                out.swarm |= body.get("deploy").is_some_and(|d| swarm_keys.iter().any(|k| d.get(k).is_some()));
            }
        }
        Some((k, _)) => {
            return Err(ParseError { span: k.span, message: "`services` must be a mapping".to_string() });
        }
    }
    if !matches!(root.value, YValue::Map(_)) {
        return Err(ParseError { span: root.span, message: "a compose file must be a mapping".to_string() });
    }
    for (k, v) in root.as_map() {
        match k.as_str() {
            Some("services") => {
                for (name, body) in v.as_map() {
                    collect_interpolations(text, body, (name.as_str(), None), &mut out.interpolations);
                }
            }
            Some(section) if INTERPOLATED.contains(&section) => {
                collect_interpolations(text, v, (None, None), &mut out.interpolations);
            }
            _ => {}
        }
    }
    collect_keys(&root, "", 0, &mut out.keys);
    out.keys.sort_by_key(|k| (k.span.start, k.span.end));
    out.keys.dedup();
    // A `<<` merge repeats the merged values under each service: one entry per place and
    // service.
    let mut seen = std::collections::BTreeSet::new();
    out.interpolations.retain(|i| seen.insert((i.span.start, i.span.end, i.name.clone(), i.service.clone())));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(yaml: &str) -> Service {
        let text = format!("services:\n  app:\n    image: x\n{yaml}");
        parse(FileId(0), &text).ok().and_then(|c| c.services.into_iter().next()).unwrap_or_else(|| panic!("{text}"))
    }

    #[test]
    fn environment_values_keep_their_shape_only() {
        let s = service(
            "    environment:\n      A: \"\"\n      B: v\n      C:\n      D: ${X}\n      E: ${X}/db\n      F: $$X\n",
        );
        let shapes: Vec<(&str, &ValueShape)> = s.environment.iter().map(|e| (e.key.value.as_str(), &e.shape)).collect();
        assert_eq!(shapes[0], ("A", &ValueShape::Literal { empty: true }));
        assert_eq!(shapes[1], ("B", &ValueShape::Literal { empty: false }));
        assert_eq!(shapes[2], ("C", &ValueShape::PassThrough));
        assert_eq!(
            shapes[3],
            ("D", &ValueShape::Interpolated { refs: vec![("X".to_string(), RefKind::Plain)], text_outside: false })
        );
        assert!(matches!(shapes[4].1, ValueShape::Interpolated { text_outside: true, .. }));
        assert_eq!(shapes[5], ("F", &ValueShape::Literal { empty: false }));
        let l = service("    environment:\n      - A=\n      - B\n      - C=${Y:-d}\n");
        assert_eq!(l.environment[0].shape, ValueShape::Literal { empty: true });
        assert_eq!(l.environment[1].shape, ValueShape::PassThrough);
        assert!(
            matches!(&l.environment[2].shape, ValueShape::Interpolated { refs, .. } if refs[0].1 == RefKind::Default)
        );
    }

    #[test]
    fn optional_env_files_are_the_long_syntax_with_required_false() {
        let s = service(
            "    env_file:\n      - a.env\n      - path: b.env\n        required: false\n      - path: c.env\n",
        );
        let paths: Vec<&str> = s.env_files.iter().map(|e| e.value.as_str()).collect();
        assert_eq!(paths, ["a.env", "b.env", "c.env"]);
        assert_eq!(s.optional_env_files, ["b.env"]);
    }
}
