//! The containers and services a command can name: what `docker exec NAME` and `compose exec
//! SERVICE` find on the server, as far as the repository can tell.
//!
//! A container exists under its `container_name`, or under the name compose generates for a
//! service without one: `PROJECT_SERVICE_N` (v1) or `PROJECT-SERVICE-N` (v2). The project is
//! `-p`, `COMPOSE_PROJECT_NAME`, the top-level `name:` or the folder compose runs in, which may
//! be a copy of the repository under another name on the server: any project is accepted. A
//! container a command starts itself (`docker run --name`, `compose run --name`) exists too.
//! A name is unknown only when every compose file was read and none names it; even then a
//! finding needs a defined name it was meant to be (a typo, the other naming scheme, a service
//! name for a container name): a container started by another repository is no finding.

use super::Model;
use super::commands::{ExecTarget, Kind};
use crate::source::{Span, file_name, parent_dir};

/// A name a command gives to `docker exec` or `compose exec`, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// Defined, started by a command, or not certainly absent.
    Known,
    /// Certainly no container (or service) of that name, and the one it was likely meant to be.
    Unknown(Nearest),
}

/// The defined name nearest to an unknown one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Nearest {
    /// The name to write instead.
    pub name: String,
    /// Why that one (`container_name` of service `web`).
    pub why: String,
    /// Where it is defined.
    pub at: Span,
}

/// A container name as a pattern: literal parts and `*` for what a variable expands to.
fn pattern(s: &str) -> Vec<Option<String>> {
    let mut parts: Vec<Option<String>> = Vec::new();
    let mut lit = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' && c != '`' {
            lit.push(c);
            continue;
        }
        let close = match (c, chars.peek()) {
            ('`', _) => Some('`'),
            (_, Some('{')) => Some('}'),
            (_, Some('(')) => Some(')'),
            _ => None,
        };
        match close {
            Some(end) => {
                if c == '$' {
                    chars.next();
                }
                for d in chars.by_ref() {
                    if d == end {
                        break;
                    }
                }
            }
            None => {
                while chars.peek().is_some_and(|d| d.is_ascii_alphanumeric() || *d == '_') {
                    chars.next();
                }
            }
        }
        if !lit.is_empty() {
            parts.push(Some(std::mem::take(&mut lit)));
        }
        parts.push(None);
    }
    if !lit.is_empty() {
        parts.push(Some(lit));
    }
    parts
}

/// Whether `name` matches a pattern of [`pattern`].
fn matches(parts: &[Option<String>], name: &str) -> bool {
    match parts.split_first() {
        None => name.is_empty(),
        Some((Some(lit), rest)) => name.strip_prefix(lit.as_str()).is_some_and(|r| matches(rest, r)),
        Some((None, rest)) => (0..=name.len()).any(|i| name.get(i..).is_some_and(|r| matches(rest, r))),
    }
}

/// A name written as is: letters, digits, `_`, `.`, `-` (no variable, no placeholder such as
/// `<container>`), and no container ID.
pub fn is_literal_name(name: &str) -> bool {
    let hex_id = name.len() >= 12 && name.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
        && !hex_id
}

/// `PROJECT{sep}MIDDLE{sep}N` (or a swarm task `PROJECT_MIDDLE.N…`): the project, the
/// separator and the middle, for every way the name splits so.
fn generated_splits(name: &str) -> Vec<(&str, char, &str)> {
    let mut out = Vec::new();
    for sep in ['_', '-'] {
        // `P{sep}M{sep}N`, N all digits.
        if let Some((head, n)) = name.rsplit_once(sep) {
            if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) {
                for (i, _) in head.match_indices(sep) {
                    if let (Some(p), Some(m)) = (head.get(..i), head.get(i + 1..)) {
                        if !p.is_empty() && !m.is_empty() {
                            out.push((p, sep, m));
                        }
                    }
                }
            }
        }
    }
    // A swarm task: `STACK_SERVICE.SLOT.ID`.
    if let Some((head, _)) = name.split_once('.') {
        for (i, _) in head.match_indices('_') {
            if let (Some(p), Some(m)) = (head.get(..i), head.get(i + 1..)) {
                if !p.is_empty() && !m.is_empty() {
                    out.push((p, '_', m));
                }
            }
        }
    }
    out
}

impl Model {
    /// Whether every compose file the commands may use was read: none failed to parse or was
    /// skipped, and every `-f` file of a compose command is one of them.
    fn compose_files_all_read(&self) -> bool {
        let is_compose =
            |span: &Span| self.sources.get(span.file).is_some_and(|f| f.kind == crate::source::Kind::Compose);
        if self.parse_errors.iter().any(|e| is_compose(&e.span)) || self.unfollowed.iter().any(|u| is_compose(&u.span))
        {
            return false;
        }
        let names: Vec<&str> = self.services.iter().map(|s| file_name(&s.compose_path)).collect();
        self.commands.iter().all(|c| match &c.kind {
            Kind::Compose(call) => {
                call.files.iter().all(|f| is_literal_path(&f.value) && names.contains(&file_name(&f.value)))
            }
            _ => true,
        })
    }

    /// The names commands give containers they start (`docker run --name`, `docker create
    /// --name`, `compose run --name`), as patterns.
    fn started_container_names(&self) -> Vec<Vec<Option<String>>> {
        let mut out = Vec::new();
        for c in &self.commands {
            let words = c.cmd.words.get(c.name_at..).unwrap_or(&[]);
            let tool = words.first().map(|w| w.text.as_str());
            if !matches!(tool, Some("docker" | "docker-compose" | "podman")) {
                continue;
            }
            for (i, w) in words.iter().enumerate() {
                if let Some(v) = w.text.strip_prefix("--name=") {
                    out.push(pattern(v));
                } else if w.text == "--name" {
                    if let Some(v) = words.get(i + 1) {
                        out.push(pattern(&v.text));
                    }
                }
            }
        }
        out
    }

    /// The project a service's generated container names start with, when the repository says
    /// it (top-level `name:`, or the folder of a compose file below the root).
    fn project_of(&self, service: &super::Service) -> Option<String> {
        service.project.clone().or_else(|| {
            let dir = file_name(parent_dir(&service.compose_path));
            (!dir.is_empty()).then(|| dir.to_ascii_lowercase())
        })
    }

    /// Checks the container or service a `docker exec` / `compose exec` names.
    pub fn lookup_exec_target(&self, target: &ExecTarget) -> Lookup {
        let name = match target {
            ExecTarget::Container(n) | ExecTarget::Service(n) => n.value.as_str(),
        };
        if !is_literal_name(name) || self.services.is_empty() {
            return Lookup::Known;
        }
        let found = match target {
            ExecTarget::Container(_) => self.container_defined(name),
            ExecTarget::Service(_) => self.services.iter().any(|s| s.def.name.value == name),
        };
        if found || !self.compose_files_all_read() {
            return Lookup::Known;
        }
        let nearest = match target {
            ExecTarget::Container(_) => self.nearest_container(name),
            ExecTarget::Service(_) => self.nearest_service(name),
        };
        nearest.map_or(Lookup::Known, Lookup::Unknown)
    }

    /// Whether a container of that name exists: a `container_name`, a generated name, or one a
    /// command starts.
    fn container_defined(&self, name: &str) -> bool {
        let splits = generated_splits(name);
        self.services.iter().any(|s| match &s.def.container_name {
            Some(c) => matches(&pattern(&c.value), name),
            None => splits.iter().any(|(_, _, m)| *m == s.def.name.value),
        }) || self.started_container_names().iter().any(|p| matches(p, name))
    }

    /// The container a misnamed `docker exec` was meant to reach.
    fn nearest_container(&self, name: &str) -> Option<Nearest> {
        let fold = |s: &str| s.to_ascii_lowercase().replace('_', "-");
        let splits = generated_splits(name);
        let mut named: Vec<(&str, &super::Service, Span)> = Vec::new();
        for s in &self.services {
            if let Some(c) = s.def.container_name.as_ref().filter(|c| is_literal_name(&c.value)) {
                named.push((c.value.as_str(), s, c.span));
            }
        }
        // The service's own name, or a generated name whose service has a `container_name`.
        for s in &self.services {
            let service = s.def.name.value.as_str();
            let meant = name == service || splits.iter().any(|(_, _, m)| *m == service);
            if !meant {
                continue;
            }
            if let Some(c) = &s.def.container_name {
                return Some(Nearest {
                    name: c.value.clone(),
                    why: format!("the `container_name` of service `{service}` (`{}`)", s.compose_path),
                    at: c.span,
                });
            }
            let project = self.project_of(s).unwrap_or_else(|| "<project>".to_string());
            return Some(Nearest {
                name: format!("{project}-{service}-1"),
                why: format!(
                    "compose names the container of service `{service}` (`{}`) `{project}-{service}-1` (v2) or `{project}_{service}_1` (v1); `docker compose exec {service}` needs no name",
                    s.compose_path
                ),
                at: s.def.name.span,
            });
        }
        // The other separator, or another case, of a `container_name`.
        for (c, s, at) in &named {
            let same = fold(c) == fold(name) || splits.iter().any(|(p, _, m)| fold(&format!("{p}-{m}")) == fold(c));
            if same {
                return Some(Nearest {
                    name: c.to_string(),
                    why: format!("the `container_name` of service `{}` (`{}`)", s.def.name.value, s.compose_path),
                    at: *at,
                });
            }
        }
        // A typo of a `container_name`, or of the service in a generated name.
        if let Some(c) = crate::config::suggest(name, named.iter().map(|(c, _, _)| *c)) {
            let (c, s, at) = named.iter().find(|(n, _, _)| *n == c)?;
            return Some(Nearest {
                name: c.to_string(),
                why: format!("the `container_name` of service `{}` (`{}`)", s.def.name.value, s.compose_path),
                at: *at,
            });
        }
        let unnamed: Vec<&super::Service> = self.services.iter().filter(|s| s.def.container_name.is_none()).collect();
        for (p, sep, m) in &splits {
            let Some(meant) = crate::config::suggest(m, unnamed.iter().map(|s| s.def.name.value.as_str())) else {
                continue;
            };
            let s = unnamed.iter().find(|s| s.def.name.value == meant)?;
            let n = name.rsplit_once(*sep).map_or("1", |(_, n)| n);
            let n = if n.bytes().all(|b| b.is_ascii_digit()) { n } else { "1" };
            return Some(Nearest {
                name: format!("{p}{sep}{meant}{sep}{n}"),
                why: format!("the generated name of service `{meant}` (`{}`)", s.compose_path),
                at: s.def.name.span,
            });
        }
        None
    }

    /// The service a misnamed `compose exec` was meant to reach.
    fn nearest_service(&self, name: &str) -> Option<Nearest> {
        // A container name where compose takes a service name.
        for s in &self.services {
            let service = &s.def.name.value;
            let container = s.def.container_name.as_ref().is_some_and(|c| c.value == name)
                || generated_splits(name).iter().any(|(_, _, m)| m == service);
            if container {
                return Some(Nearest {
                    name: service.clone(),
                    why: format!(
                        "`{name}` names the container of service `{service}` (`{}`); compose takes the service name",
                        s.compose_path
                    ),
                    at: s.def.name.span,
                });
            }
        }
        let meant = crate::config::suggest(name, self.services.iter().map(|s| s.def.name.value.as_str()))?;
        let s = self.services.iter().find(|s| s.def.name.value == meant)?;
        Some(Nearest {
            name: meant.to_string(),
            why: format!("a service of `{}`", s.compose_path),
            at: s.def.name.span,
        })
    }
}

/// A path as written, without a variable.
fn is_literal_path(p: &str) -> bool {
    !p.is_empty() && !p.contains(['$', '`', '*', '?', '<', '>', '{'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_stand_for_variables() {
        assert!(matches(&pattern("${APP}_web"), "shop_web"));
        assert!(matches(&pattern("app-$ENV-db"), "app-prod-db"));
        assert!(matches(&pattern("worker"), "worker"));
        assert!(!matches(&pattern("worker"), "worker2"));
        assert!(!matches(&pattern("${APP}_web"), "shop_api"));
    }

    #[test]
    fn literal_names() {
        assert!(is_literal_name("app_web_1") && is_literal_name("db.primary"));
        for n in ["$APP", "<container>", "${C}", "-it", "3f4e2a1b9c0d", "app web", ""] {
            assert!(!is_literal_name(n), "{n}");
        }
    }

    #[test]
    fn generated_names_split_at_either_separator() {
        assert!(generated_splits("shop_web_1").contains(&("shop", '_', "web")));
        assert!(generated_splits("my-shop-web-api-2").contains(&("my-shop", '-', "web-api")));
        assert!(generated_splits("stack_web.1.k2v0").contains(&("stack", '_', "web")));
        assert!(generated_splits("web").is_empty());
    }
}
