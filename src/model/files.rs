//! The paths the compose commands and compose files name, and whether they exist: `-f FILE`,
//! `--env-file FILE`, `env_file:`, `build.context` and `build.dockerfile` (DPL205).

use super::Model;
use super::commands::{Command, Kind, Origin};
use crate::source::{Kind as SourceKind, Span, file_name, join_rel, parent_dir};

/// A path a compose command or file names, resolved against the repository root.
#[derive(Clone, Debug)]
pub struct NamedPath {
    /// What names it: `-f`, `--env-file`, `env_file`, `build.context`, `build.dockerfile`.
    pub what: &'static str,
    /// As written.
    pub written: String,
    pub span: Span,
    /// The repository paths it may be (from the root, from the naming file's directory).
    pub candidates: Vec<String>,
    /// A directory (a build context), not a file.
    pub dir: bool,
    /// An env file: its template stands in for it when it is absent.
    pub env: bool,
}

/// Whether a path is the server's own: absolute, in a home directory, through a variable or a
/// command substitution, or remote (`host:path`, a URL).
fn on_server_or_unknown(p: &str) -> bool {
    p.is_empty()
        || p.starts_with('/')
        || p.starts_with('~')
        || p.contains('$')
        || p.contains('`')
        || p.contains("://")
        || p.starts_with("git@")
        || p == "-"
        || p.contains(['*', '?', '['])
}

impl Model {
    /// Whether `.gitignore` leaves a path out (a simple reading of its patterns, negations
    /// ignored: enough to stay silent on a file kept out of git on purpose).
    pub fn may_be_git_ignored(&self, path: &str) -> bool {
        let name = file_name(path);
        self.tree.gitignores.iter().any(|(base, text)| {
            let base = base.as_str();
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#') && !l.starts_with('!')).any(
                |pat| {
                    let anchored = pat.starts_with('/') || pat.trim_end_matches('/').contains('/');
                    let pat = pat.trim_start_matches('/').trim_end_matches('/');
                    let rel = if base.is_empty() {
                        Some(path)
                    } else {
                        path.strip_prefix(base).map(|r| r.trim_start_matches('/'))
                    };
                    let Some(rel) = rel else { return false };
                    let glob = super::code::go::glob_match;
                    if anchored {
                        glob(pat, rel) || rel.starts_with(&format!("{pat}/"))
                    } else {
                        glob(pat, name) || rel.split('/').any(|seg| glob(pat, seg))
                    }
                },
            )
        })
    }

    /// Whether a named path certainly exists nowhere: not at any of its candidates, no file of
    /// the repository has its name (a path written from another directory), `.gitignore` does
    /// not leave it out, and an env file has no template.
    pub fn certainly_missing(&self, p: &NamedPath) -> bool {
        let tree = &self.tree;
        if p.dir {
            return p
                .candidates
                .iter()
                .all(|c| !c.is_empty() && !tree.dirs.contains(c.as_str()) && !self.may_be_git_ignored(c))
                && !p.candidates.is_empty();
        }
        let name = file_name(&p.written);
        if p.candidates.is_empty() || name.is_empty() || name == "." || name == ".." {
            return false;
        }
        if p.candidates.iter().any(|c| tree.exists(c) != Some(false) || self.may_be_git_ignored(c)) {
            return false;
        }
        if self.sources.iter().any(|(_, f)| file_name(&f.path) == name)
            || tree.files.iter().any(|f| file_name(f) == name)
        {
            return false;
        }
        if p.env {
            // Env files are often kept on the server only: judged only where the repository
            // commits templates for its env files, and this one has none. Only `.env*` names:
            // the walk sees their templates (`.env.prod.example`), not those of `api.env`.
            let templates = self.env_sources.iter().any(|e| e.is_template);
            if !name.starts_with(".env") {
                return false;
            }
            return templates && !p.candidates.iter().any(|c| self.env_source_for(c).is_some());
        }
        // A repository without any compose file keeps them elsewhere: `-f` names a server file.
        p.what != "-f" || self.sources.iter().any(|(_, f)| f.kind == SourceKind::Compose)
    }

    /// The paths a compose command names (`-f`, `--env-file`) where they can be judged: not run
    /// on the server (a crontab, over ssh, after a `cd` to a server path) and not created by an
    /// earlier command of the same group.
    pub fn command_paths(&self, i: usize) -> Vec<NamedPath> {
        let Some(c) = self.commands.get(i) else { return Vec::new() };
        let Kind::Compose(call) = &c.kind else { return Vec::new() };
        if c.cmd.remote || c.origin == Origin::Crontab {
            return Vec::new();
        }
        let earlier: Vec<&Command> =
            self.commands.get(..i).unwrap_or(&[]).iter().filter(|d| d.file == c.file && d.group == c.group).collect();
        let server_cd = earlier.iter().any(|d| {
            let w: Vec<&str> = d.cmd.argv().skip(d.name_at).collect();
            matches!(w.first(), Some(&"cd" | &"pushd")) && w.get(1).is_none_or(|a| on_server_or_unknown(a))
        });
        if server_cd {
            return Vec::new();
        }
        let caller_dir = parent_dir(self.sources.path(c.file));
        let mut out = Vec::new();
        for (what, list, env) in [("-f", &call.files, false), ("--env-file", &call.env_files, true)] {
            for f in list {
                let v = f.value.trim_start_matches("./");
                if on_server_or_unknown(&f.value) {
                    continue;
                }
                // Written by the script before it runs compose: `envsubst < t > prod.yml`.
                let created = earlier.iter().any(|d| {
                    !matches!(d.kind, Kind::Compose(_))
                        && (d.cmd.words.iter().any(|w| file_name(&w.text) == file_name(v))
                            || d.cmd.redirects.iter().any(|r| file_name(&r.target.text) == file_name(v)))
                });
                if created {
                    continue;
                }
                let mut candidates: Vec<String> = vec![v.to_string()];
                candidates.extend(join_rel(caller_dir, v));
                candidates.dedup();
                out.push(NamedPath { what, written: f.value.clone(), span: f.span, candidates, dir: false, env });
            }
        }
        out
    }

    /// The paths a compose file's services name: `env_file:` (not those marked
    /// `required: false`), `build.context` and `build.dockerfile`, resolved against its
    /// directory.
    pub fn service_paths(&self, s: &super::Service) -> Vec<NamedPath> {
        let dir = parent_dir(&s.compose_path);
        let mut out = Vec::new();
        let optional_env = self.compose_keys.get(&s.compose).is_some_and(|keys| {
            let prefix = format!("services.{}.env_file.[].required", s.def.name.value);
            keys.iter().any(|k| k.value == prefix)
        });
        if !optional_env {
            for e in &s.def.env_files {
                if on_server_or_unknown(&e.value) {
                    continue;
                }
                let candidates = join_rel(dir, &e.value).into_iter().collect();
                out.push(NamedPath {
                    what: "env_file",
                    written: e.value.clone(),
                    span: e.span,
                    candidates,
                    dir: false,
                    env: true,
                });
            }
        }
        if let Some(b) = &s.def.build {
            let ctx = &b.context.value;
            if on_server_or_unknown(ctx) || ctx.ends_with(".git") || ctx.contains('#') || ctx.contains(':') {
                return out;
            }
            let Some(ctx_path) = join_rel(dir, ctx) else { return out };
            let context = NamedPath {
                what: "build.context",
                written: ctx.clone(),
                span: b.context.span,
                candidates: vec![ctx_path.clone()],
                dir: true,
                env: false,
            };
            let context_missing = self.certainly_missing(&context);
            out.push(context);
            if let Some(df) = &b.dockerfile {
                if !context_missing && !on_server_or_unknown(&df.value) {
                    let candidates = join_rel(&ctx_path, &df.value).into_iter().collect();
                    out.push(NamedPath {
                        what: "build.dockerfile",
                        written: df.value.clone(),
                        span: df.span,
                        candidates,
                        dir: false,
                        env: false,
                    });
                }
            }
        }
        out
    }
}
