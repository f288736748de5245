//! Commands run outside containers, with the directories they may run in, and the binaries
//! they build by name: `go build`/`go install`/`go run`/`ko build` and `cargo build --bin|-p`
//! in Makefiles (their variables and `$@` expanded), scripts, runbooks and CI steps, and the
//! builds of release tools' configs (goreleaser, ko, promu). A binary built this way may ship
//! without any Dockerfile, or be a tool run on a workstation: either way, never the odd one out.

use super::Model;
use super::code::go::{GoModel, glob_match};
use super::commands::{self, Origin};
use super::images::run::{go_args, go_binary_name, import_path_name};
use crate::parse::makefile::{Makefile, UNKNOWN};
use crate::parse::release::ReleaseBuild;
use crate::parse::shell::{self, SimpleCommand, unwrap_command};
use crate::source::{FileId, Span, file_name, join_rel, parent_dir};
use std::collections::BTreeMap;

/// A command run outside containers.
#[derive(Clone, Debug)]
pub struct HostCommand {
    pub origin: Origin,
    pub file: FileId,
    pub cmd: SimpleCommand,
    /// Index of the command's name in `cmd.words` (after `sudo`, `env`, …).
    pub name_at: usize,
    /// Repo-relative directories it may run in (a script may be run from its directory or from
    /// the root; `cd` is followed).
    pub cwds: Vec<String>,
}

impl HostCommand {
    /// The words from the command's name on.
    pub fn words(&self) -> &[shell::Word] {
        self.cmd.words.get(self.name_at..).unwrap_or(&[])
    }
}

/// A build of this repository's binaries outside Docker.
#[derive(Clone, Debug)]
pub struct HostBuild {
    /// The binaries built: Go main package directories, Rust binary sources.
    pub dirs: Vec<String>,
    /// The output's file name as the build gives it (`-o bin/api-server`, goreleaser
    /// `binary:`); unknown parts left as written (`$(GOOS)`, `{{ .Os }}`).
    pub output: Option<String>,
    pub span: Span,
}

/// Where a command in `file` starts: scripts from their directory or the root, CI steps and
/// runbooks from the root, Makefile recipes from the Makefile's directory.
fn start_dirs(origin: Origin, path: &str) -> Vec<String> {
    let dir = parent_dir(path).to_string();
    let mut out = match origin {
        Origin::Makefile => vec![dir],
        Origin::Ci => vec![String::new()],
        Origin::Script => vec![dir, String::new()],
        Origin::Runbook | Origin::Crontab => vec![String::new(), dir],
    };
    out.dedup();
    out
}

/// The directories after `cd ARG` from each of `cwds`; `None` when the argument cannot be
/// followed (an absolute path on a server, a variable).
fn cd(cwds: &[String], arg: &str, script_dir: &str) -> Option<Vec<String>> {
    // `cd "$(dirname "$0")/.."`: relative to the script itself.
    if arg.contains("dirname") && (arg.contains("$0") || arg.contains("BASH_SOURCE")) {
        let rest = arg.rsplit_once(')').map_or("", |(_, r)| r).trim_start_matches(['"', '/']);
        return join_rel(script_dir, rest).map(|d| vec![d]);
    }
    if arg.contains('$') || arg.starts_with('/') || arg.starts_with('~') || arg == "-" {
        return None;
    }
    let out: Vec<String> = cwds.iter().filter_map(|c| join_rel(c, arg)).collect();
    (!out.is_empty()).then_some(out)
}

/// Follows the `cd`s of a sequence of commands (one script, one recipe line, one CI step).
fn push_with_cwds(
    origin: Origin,
    file: FileId,
    path: &str,
    cmds: Vec<(SimpleCommand, usize)>,
    out: &mut Vec<HostCommand>,
) {
    let start = start_dirs(origin, path);
    let mut cwds = start.clone();
    for (cmd, name_at) in cmds {
        let name = cmd.words.get(name_at).map(|w| w.text.as_str());
        if matches!(name, Some("cd" | "pushd")) {
            let arg = cmd.words.get(name_at + 1).map(|w| w.text.as_str());
            cwds = match arg {
                None => start.clone(),
                // A `cd` deploylint cannot follow: any of the usual places.
                Some(a) => cd(&cwds, a, parent_dir(path)).unwrap_or_else(|| start.clone()),
            };
            continue;
        }
        out.push(HostCommand { origin, file, cmd, name_at, cwds: cwds.clone() });
    }
}

/// The commands of a Makefile's recipes, expanded once per target with the file's variables,
/// `$(call …)` and the automatic variables (`$@`, `$(@D)`, `$(@F)`, `$*`, `$<`, `$^`). Spans
/// cover the recipe line, since the expanded text is not the file's.
fn makefile_commands(file: FileId, path: &str, mk: &Makefile, out: &mut Vec<HostCommand>) {
    for rule in mk.rules.iter().filter(|r| !r.recipe.is_empty()) {
        let none = BTreeMap::new();
        let targets: Vec<String> = rule
            .targets
            .iter()
            .flat_map(|t| mk.expand_lenient(t, &none, 0).split_whitespace().map(str::to_string).collect::<Vec<_>>())
            .take(64)
            .collect();
        let prereqs: Vec<String> =
            rule.prereqs.iter().map(|p| mk.expand_lenient(p, &none, 0)).filter(|p| !p.is_empty()).collect();
        let mut seen: Vec<String> = Vec::new();
        for target in &targets {
            let mut auto: BTreeMap<String, String> = BTreeMap::new();
            // A pattern rule's target and stem are not known here.
            let known = |v: &str| if target.contains('%') { UNKNOWN.to_string() } else { v.to_string() };
            let dir = if parent_dir(target).is_empty() { "." } else { parent_dir(target) };
            auto.insert("@".into(), known(target));
            auto.insert("@D".into(), known(dir));
            auto.insert("@F".into(), known(file_name(target)));
            auto.insert("*".into(), UNKNOWN.into());
            auto.insert("<".into(), prereqs.first().cloned().unwrap_or_default());
            auto.insert("^".into(), prereqs.join(" "));
            auto.insert("MAKE".into(), "make".into());
            for (line, at) in &rule.recipe {
                let expanded = mk.expand_lenient(line, &auto, 0);
                if seen.contains(&expanded) {
                    continue;
                }
                seen.push(expanded.clone());
                let whole = Span::new(file, *at..*at + line.len());
                let cmds = shell::parse(file, &expanded, 0)
                    .into_iter()
                    .map(|mut c| {
                        for w in c.words.iter_mut().chain(c.assignments.iter_mut()) {
                            w.span = whole;
                            w.quoted_inner = None;
                        }
                        c.span = whole;
                        let (at, _) = unwrap_command(&c.words);
                        (c, at)
                    })
                    .collect();
                push_with_cwds(Origin::Makefile, file, path, cmds, out);
            }
        }
    }
}

/// The commands of a justfile's recipes (indented lines under a `name …:` header), each line
/// from the justfile's directory. `{{…}}` interpolations are unknown parts.
fn justfile_commands(file: FileId, path: &str, text: &str, out: &mut Vec<HostCommand>) {
    for (line, at) in crate::parse::justfile::recipe_lines(text) {
        let cmds = shell::parse(file, &line, at)
            .into_iter()
            .map(|c| {
                let (at, _) = unwrap_command(&c.words);
                (c, at)
            })
            .collect();
        push_with_cwds(Origin::Makefile, file, path, cmds, out);
    }
}

/// Every command run outside containers, in file order.
pub fn host_commands(m: &Model) -> Vec<HostCommand> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = m.commands.get(i) {
        let group: Vec<&commands::Command> =
            m.commands.get(i..).unwrap_or(&[]).iter().take_while(|d| d.group == c.group && d.file == c.file).collect();
        i += group.len().max(1);
        if c.origin == Origin::Makefile {
            continue;
        }
        let cmds = group.iter().map(|d| (d.cmd.clone(), d.name_at)).collect();
        push_with_cwds(c.origin, c.file, m.sources.path(c.file), cmds, &mut out);
    }
    for (path, mk) in &m.makefiles {
        if let Some(file) = m.sources.find(path) {
            makefile_commands(file, path, mk, &mut out);
        }
    }
    for (file, f) in m.sources.iter().filter(|(_, f)| f.kind == crate::source::Kind::Justfile) {
        justfile_commands(file, &f.path, &f.text, &mut out);
    }
    out
}

/// A path segment holding an unknown part (`$VAR`, `$(X)`, `{{ .Os }}`) matches any segment.
fn as_glob(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.contains('$') || seg.contains("{{") { "*" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// The main package directories a package argument names from `cwd`; empty for patterns
/// (`./...`), other modules and versions.
fn go_packages(go: &GoModel, cwd: &str, pkg: &str) -> Vec<String> {
    if pkg.contains('@') || pkg.contains("...") {
        return Vec::new();
    }
    let mains = || go.packages.values().filter(|p| p.is_main).map(|p| p.dir.clone());
    let local = pkg.starts_with('.') || pkg.ends_with(".go");
    let dir = if local {
        let p = if pkg.ends_with(".go") { parent_dir(pkg) } else { pkg };
        match join_rel(cwd, p) {
            Some(d) => d,
            None => return Vec::new(),
        }
    } else {
        // An import path of one of the repository's modules.
        match go.modules.iter().find_map(|m| {
            let rest = pkg.strip_prefix(&m.path)?;
            (rest.is_empty() || rest.starts_with('/')).then(|| join_rel(&m.dir, rest.trim_start_matches('/')))?
        }) {
            Some(d) => d,
            None => return Vec::new(),
        }
    };
    if dir.contains('$') || dir.contains("{{") {
        let pattern = as_glob(&dir);
        return mains().filter(|d| glob_match(&pattern, d)).collect();
    }
    mains().filter(|d| *d == dir).collect()
}

/// The Rust binaries `cargo build|install` names with `--bin NAME` or `-p PACKAGE`.
fn cargo_binaries(m: &Model, words: &[shell::Word]) -> Vec<(String, Span)> {
    let mut out = Vec::new();
    let mut i = 1;
    while let Some(w) = words.get(i) {
        let (flag, inline) = match w.text.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (w.text.as_str(), None),
        };
        if matches!(flag, "--bin" | "-p" | "--package") {
            let value = inline.or_else(|| {
                i += 1;
                words.get(i).map(|v| v.text.clone())
            });
            if let Some(v) = value {
                for p in &m.code.rust.packages {
                    for b in &p.bins {
                        let named = if flag == "--bin" { glob_match(&as_glob(&v), &b.name) } else { p.name == v };
                        if named {
                            out.push((b.src.clone(), w.span));
                        }
                    }
                }
            }
        }
        i += 1;
    }
    out
}

/// The binaries one host command builds by name.
fn builds_of(m: &Model, c: &HostCommand) -> Vec<HostBuild> {
    let words = c.words();
    let span = words.first().map_or(c.cmd.span, |w| w.span.to(c.cmd.span));
    let mut out = Vec::new();
    match words.first().map(|w| w.text.as_str()) {
        Some("go") => {
            let args = go_args(words);
            if !matches!(args.sub, "build" | "install" | "run") {
                return out;
            }
            let pkgs: Vec<&str> =
                if args.pkgs.is_empty() { vec!["."] } else { args.pkgs.iter().map(|w| w.text.as_str()).collect() };
            let one_output = args.out.as_deref().filter(|o| !o.ends_with('/') && pkgs.len() == 1);
            for p in pkgs {
                let mut dirs: Vec<String> = Vec::new();
                for cwd in &c.cwds {
                    let cwd = match &args.dir {
                        Some(d) => join_rel(cwd, d).unwrap_or_default(),
                        None => cwd.clone(),
                    };
                    dirs.extend(go_packages(&m.code.go, &cwd, p));
                }
                dirs.sort();
                dirs.dedup();
                if dirs.is_empty() {
                    continue;
                }
                let output = match one_output {
                    Some(o) => Some(file_name(o).to_string()),
                    None => dirs.first().map(|d| go_binary_name(&m.code.go, d)),
                };
                out.push(HostBuild { dirs, output, span });
            }
        }
        Some("ko") if words.get(1).is_some_and(|w| matches!(w.text.as_str(), "build" | "publish")) => {
            for w in words.iter().skip(2).filter(|w| !w.text.starts_with('-')) {
                let p = w.text.trim_start_matches("ko://");
                let mut dirs: Vec<String> = c.cwds.iter().flat_map(|cwd| go_packages(&m.code.go, cwd, p)).collect();
                dirs.sort();
                dirs.dedup();
                if !dirs.is_empty() {
                    out.push(HostBuild { output: Some(import_path_name(p)), dirs, span });
                }
            }
        }
        Some("cargo") => {
            let sub = words.iter().skip(1).find(|w| !w.text.starts_with('+') && w.text != "auditable");
            if sub.is_some_and(|s| matches!(s.text.as_str(), "build" | "b" | "install" | "run" | "r")) {
                for (src, sp) in cargo_binaries(m, words) {
                    let output = m.code.binaries.iter().find(|b| b.dir == src).map(|b| b.name.clone());
                    out.push(HostBuild { dirs: vec![src], output, span: sp });
                }
            }
        }
        _ => {}
    }
    out
}

/// The builds a release config makes. A config that cannot be read builds anything under its
/// directory.
fn release_builds(m: &Model, file: FileId, builds: Option<&[ReleaseBuild]>) -> Vec<HostBuild> {
    let dir = parent_dir(m.sources.path(file));
    let Some(builds) = builds else {
        let dirs = m.code.binaries.iter().filter(|b| b.dir.starts_with(dir)).map(|b| b.dir.clone()).collect();
        return vec![HostBuild { dirs, output: None, span: Span::new(file, 0..0) }];
    };
    builds
        .iter()
        .filter_map(|b| {
            let cwd = join_rel(dir, &b.dir)?;
            let dirs = go_packages(&m.code.go, &cwd, &b.main);
            let output = b.binary.clone().or_else(|| dirs.first().map(|d| go_binary_name(&m.code.go, d)));
            (!dirs.is_empty()).then_some(HostBuild { dirs, output, span: b.span })
        })
        .collect()
}

/// Every build of this repository's binaries outside Docker.
pub fn host_builds(m: &Model, cmds: &[HostCommand]) -> Vec<HostBuild> {
    let mut out: Vec<HostBuild> = cmds.iter().flat_map(|c| builds_of(m, c)).collect();
    for (file, builds) in &m.release_configs {
        out.extend(release_builds(m, *file, builds.as_deref()));
    }
    out
}

/// Whether a file name as a build writes it (`api-$(GOOS)`, `{{ .ProjectName }}`) can be `name`.
pub fn name_matches(written: &str, name: &str) -> bool {
    if !written.contains('$') && !written.contains("{{") {
        return written == name;
    }
    // Unknown parts match anything; a whole-unknown name matches nothing.
    let mut pattern = String::new();
    let mut rest = written;
    while !rest.is_empty() {
        let next = [rest.find('$'), rest.find("{{")].into_iter().flatten().min();
        match next {
            None => {
                pattern.push_str(rest);
                break;
            }
            Some(i) => {
                pattern.push_str(&rest[..i]);
                pattern.push('*');
                let after = &rest[i..];
                let skip = if let Some(a) = after.strip_prefix("{{") {
                    a.find("}}").map_or(after.len(), |e| e + 4)
                } else if after.starts_with("${") || after.starts_with("$(") {
                    let close = if after.starts_with("${") { '}' } else { ')' };
                    after.find(close).map_or(after.len(), |e| e + 1)
                } else {
                    1 + after[1..].bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count()
                };
                rest = &after[skip.min(after.len())..];
            }
        }
    }
    let literal = pattern.chars().filter(|c| *c != '*').count();
    literal > 0 && glob_match(&pattern, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_unknown_parts() {
        assert!(name_matches("api-$(GOOS)-$(GOARCH)", "api-linux-amd64"));
        assert!(name_matches("{{ .ProjectName }}-server", "shop-server"));
        assert!(name_matches("api", "api"));
        assert!(!name_matches("$(BIN)", "api"));
        assert!(!name_matches("api-$(GOOS)", "worker-linux"));
    }

    #[test]
    fn justfile_recipes_are_commands() {
        let text = "version := \"1.0\"\n\nbuild-cli:\n    go build -o bin/{{version}}/shopctl ./cmd/shopctl\n\nlint:\n\t@golangci-lint run\n";
        let mut out = Vec::new();
        justfile_commands(FileId(0), "justfile", text, &mut out);
        let names: Vec<&str> = out.iter().filter_map(|c| c.words().first()).map(|w| w.text.as_str()).collect();
        assert_eq!(names, ["go", "golangci-lint"]);
        let last = out[0].words().last().map(|w| &text[w.span.start..w.span.end]);
        assert_eq!(last, Some("./cmd/shopctl"));
    }

    #[test]
    fn cd_is_followed() {
        let start = vec![String::from("scripts"), String::new()];
        assert_eq!(cd(&start, "..", "scripts"), Some(vec![String::new()]));
        assert_eq!(cd(&start, "$(dirname \"$0\")/..", "deploy/ci"), Some(vec![String::from("deploy")]));
        assert_eq!(cd(&start, "/srv/app", "scripts"), None);
    }
}
