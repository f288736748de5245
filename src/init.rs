//! `deploylint init`: a commented `deploylint.toml` written from the model, never from a second
//! discovery. It declares what the repository itself shows: the compose flavor of the commands
//! that act on the server (or a question when they disagree), the production compose and env
//! files (by name, never a value), and the main packages no Dockerfile builds that nothing
//! needs shipped. Every key it writes is read back by the config parser before the file is
//! written.

use crate::RunError;
use crate::config::{self, Config, Flavor};
use crate::model::commands::{Command, ComposeCall, Kind as CommandKind};
use crate::model::shipping::{is_dev_path, siblings};
use crate::model::{Model, env};
use crate::source::{Kind, Span, file_name, join_rel};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The names a config is read from, in the order the loader tries them.
pub const CONFIG_NAMES: &[&str] = &["deploylint.toml", ".deploylint.toml"];

/// Words of a compose file's name that mark a development or test setup.
const DEV_NAME_WORDS: &[&str] = &[
    "dev",
    "develop",
    "development",
    "local",
    "test",
    "tests",
    "testing",
    "e2e",
    "ci",
    "example",
    "examples",
    "sample",
    "samples",
    "demo",
    "override",
    "debug",
];

/// At most this many places are named for one fact; the rest are counted.
const MAX_PLACES: usize = 5;

/// A value init lists, whether it writes it as a key or only in a comment, and why.
#[derive(Debug, Default)]
struct Listed {
    /// Written as an entry of the key (else commented out).
    active: bool,
    why: Vec<String>,
}

/// What init found, before it becomes text.
#[derive(Debug, Default)]
struct Plan {
    /// Flavors of the compose commands that act on the server, with their places.
    flavors: BTreeMap<Flavor, Vec<String>>,
    compose_files: BTreeMap<String, Listed>,
    env_files: BTreeMap<String, Listed>,
    crontabs: Vec<String>,
    /// `binaries.ignore` entries (binary directory or main file) and why each is listed or
    /// offered.
    ignore: BTreeMap<String, Listed>,
    /// Main packages no Dockerfile builds that are not listed, and why.
    not_ignored: Vec<(String, String)>,
    /// Main packages under development paths (never reported, not listed).
    dev_binaries: usize,
    /// Main packages no Dockerfile builds with no sibling a Dockerfile ships (not listed).
    alone: Vec<String>,
}

/// `file:line` of a span.
fn place(model: &Model, span: Span) -> String {
    let line = model.sources.get(span.file).map_or(1, |f| f.line_col(span.start).0);
    format!("{}:{line}", model.sources.path(span.file))
}

/// `a, b, c and 2 more`.
fn places(list: &[String]) -> String {
    let mut shown: Vec<&str> = list.iter().take(MAX_PLACES).map(String::as_str).collect();
    let more = list.len().saturating_sub(MAX_PLACES);
    let extra = format!("{more} more");
    if more > 0 {
        shown.push(&extra);
    }
    match shown.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => (*last).to_string(),
        None => String::new(),
    }
}

fn name_words(path: &str) -> Vec<String> {
    file_name(path)
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn named_for_production(path: &str) -> bool {
    file_name(path).to_ascii_lowercase().contains("prod")
}

/// The compose calls that act on the server, by the model's one answer.
fn server_calls(model: &Model) -> Vec<(&Command, &ComposeCall)> {
    model
        .commands
        .iter()
        .filter_map(|c| if let CommandKind::Compose(call) = &c.kind { Some((c, call)) } else { None })
        .filter(|(c, call)| model.acts_on_server(c, call))
        .collect()
}

/// A path as a command passes it, relative to the root, when it can be one: not absolute, no
/// variable, inside the root.
fn root_relative(written: &str) -> Option<String> {
    if written.starts_with(['/', '~']) || written.contains('$') || written.is_empty() {
        return None;
    }
    join_rel("", written).filter(|p| !p.is_empty())
}

/// The production compose files: outside examples, tests and docs, and not named for
/// development. One named for production or passed by `-f` to a command that acts on the server
/// is listed; any other is suggested in a comment, since listing it makes every command that
/// names it act on the server.
fn compose_files(model: &Model, plan: &mut Plan) {
    let calls = server_calls(model);
    let paths: BTreeSet<&str> =
        model.sources.iter().filter(|(_, f)| f.kind == Kind::Compose).map(|(_, f)| f.path.as_str()).collect();
    for path in paths {
        let dev = name_words(path).iter().any(|w| DEV_NAME_WORDS.contains(&w.as_str()));
        if !env::is_production_compose(path) || dev {
            continue;
        }
        let mut listed = Listed::default();
        if named_for_production(path) {
            listed.active = true;
            listed.why.push("named for production".into());
        }
        let mut uses: Vec<String> = calls
            .iter()
            .flat_map(|(_, call)| call.files.iter())
            .filter(|f| file_name(&f.value) == file_name(path))
            .map(|f| place(model, f.span))
            .collect();
        uses.sort_by_key(|p| natural(p));
        uses.dedup();
        if !uses.is_empty() {
            listed.active = true;
            listed.why.push(format!("passed by `-f` to the server in {}", places(&uses)));
        }
        if !listed.active {
            listed.why.push("outside examples, tests and docs: list it if production runs it".into());
        }
        plan.compose_files.insert(path.to_string(), listed);
    }
}

/// The production env files: those the listed compose files' services read (`env_file:`),
/// those passed by `--env-file` to the server, and real env files named for production. Names
/// only: no value of an env file is read here.
fn env_files(model: &Model, plan: &mut Plan) {
    let mut found: BTreeMap<String, Listed> = BTreeMap::new();
    // Env file → compose file → the services that read it.
    let mut read_by: BTreeMap<&str, BTreeMap<&str, Vec<&str>>> = BTreeMap::new();
    for s in model.services.iter().filter(|s| s.production) {
        let Some(compose) = plan.compose_files.get(&s.compose_path) else { continue };
        for r in &s.env_refs {
            found.entry(r.path.clone()).or_default().active |= compose.active;
            let services = read_by.entry(&r.path).or_default().entry(&s.compose_path).or_default();
            if !services.contains(&s.def.name.value.as_str()) {
                services.push(&s.def.name.value);
            }
        }
    }
    for (path, composes) in read_by {
        for (compose, services) in composes {
            let names: Vec<String> = services.iter().map(|s| format!("`{s}`")).collect();
            let why = format!("the `env_file` of {} in `{compose}`", places(&names));
            found.entry(path.to_string()).or_default().why.push(why);
        }
    }
    let mut passed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (_, call) in server_calls(model) {
        for f in &call.env_files {
            if let Some(p) = root_relative(&f.value) {
                passed.entry(p).or_default().push(place(model, f.span));
            }
        }
    }
    for (p, mut at) in passed {
        at.sort_by_key(|p| natural(p));
        at.dedup();
        let e = found.entry(p).or_default();
        e.active = true;
        e.why.push(format!("passed by `--env-file` to the server in {}", places(&at)));
    }
    for src in &model.env_sources {
        if !src.is_template && named_for_production(&src.path) && env::is_production_compose(&src.path) {
            found.entry(src.path.clone()).or_default();
        }
    }
    for (path, e) in &mut found {
        if named_for_production(path) && !env::is_template(path) {
            e.active = true;
            e.why.insert(0, "named for production".into());
        }
    }
    for (path, e) in &mut found {
        let present = model.env_sources.iter().find(|s| &s.path == path);
        let state = match present {
            Some(s) if s.is_template => "a template".to_string(),
            Some(s) if model.sources.get(s.file).is_some_and(|f| f.git_ignored) => "git-ignored".to_string(),
            Some(_) => "committed".to_string(),
            None => match model.env_source_for(path).and_then(|i| model.env_sources.get(i)) {
                Some(t) => format!("not in the repository: read from its template `{}` when absent", t.path),
                None => "not in the repository, and no template of it was found".to_string(),
            },
        };
        e.why.push(state);
    }
    plan.env_files = found;
}

/// What a build outside Docker is (the Makefile target, the release tool, the script), and the
/// file it is in.
fn host_build_kind(model: &Model, span: Span) -> (String, String) {
    let Some(file) = model.sources.get(span.file) else { return (String::new(), String::new()) };
    let what = match file.kind {
        Kind::Makefile => {
            let target = model.makefiles.get(&file.path).and_then(|mk| {
                mk.rules
                    .iter()
                    .find(|r| r.recipe.iter().any(|(line, start)| (*start..=*start + line.len()).contains(&span.start)))
                    .and_then(|r| r.targets.first())
            });
            match target {
                Some(t) => format!("the Makefile target `{t}`"),
                None => "a Makefile recipe".to_string(),
            }
        }
        Kind::Justfile => "a justfile recipe".to_string(),
        Kind::ReleaseConfig => "the release config".to_string(),
        Kind::GithubWorkflow | Kind::GitlabCi => "a CI step".to_string(),
        Kind::Markdown => "a runbook".to_string(),
        _ => "a script".to_string(),
    };
    (what, file.path.clone())
}

/// The builds outside Docker of binary `b`: one per kind and file, at its first line.
fn host_build_places(model: &Model, dir: &str) -> Vec<String> {
    let mut first: BTreeMap<(String, String), usize> = BTreeMap::new();
    for h in model.host_builds.iter().filter(|h| h.dirs.iter().any(|d| d == dir)) {
        let line = model.sources.get(h.span.file).map_or(1, |f| f.line_col(h.span.start).0);
        let at = first.entry(host_build_kind(model, h.span)).or_insert(line);
        *at = (*at).min(line);
    }
    first
        .into_iter()
        .map(|((what, path), line)| match what.as_str() {
            "the release config" => format!("the release config `{path}`"),
            _ => format!("{what} ({path}:{line})"),
        })
        .collect()
}

/// What the evidence of DPL101 says about binary `i`: `Err` when something runs it from an
/// image that lacks it (it must be built, never listed), `Ok` when it is only the odd one out
/// among siblings that all ship (a development tool looks the same: it is offered, commented
/// out), `None` when DPL101 does not report it.
fn should_ship(model: &Model, i: usize) -> Option<Result<String, String>> {
    let (_, evidence) = model.shipping.unshipped.iter().find(|(b, _)| *b == i)?;
    if let Some(run) = evidence.runs.first() {
        let image = model.images.get(run.image).map_or("", |img| img.path.as_str());
        let how = if run.executed { "executes" } else { "runs" };
        return Some(Err(format!(
            "{} {how} `{}` in an image of `{image}` that lacks it (DPL101): build it there instead",
            place(model, run.program.span),
            run.program.value
        )));
    }
    Some(Ok("DPL101 reports it: every sibling of it ships in a Dockerfile and nothing else builds it; \
             uncomment it if it does not ship, build it in a Dockerfile if it does"
        .into()))
}

/// `binaries.ignore`: the main packages no Dockerfile builds, beside a sibling one does, that
/// nothing needs shipped. Not listed: those the evidence says should ship (DPL101 reports them),
/// those something runs in a container, batch binaries (their tasks are checked against the
/// crontabs), and those whose listing would make a sibling the odd one out. Those with no
/// sibling a Dockerfile ships are named in a comment (only a run can make them a finding, and a
/// run would then be right); those under development paths are never reported, so only counted.
fn binaries(model: &mut Model, plan: &mut Plan) {
    let before: BTreeSet<usize> = model.shipping.unshipped.iter().map(|(i, _)| *i).collect();
    let mut chosen: BTreeMap<usize, String> = BTreeMap::new();
    let mut not: BTreeMap<usize, String> = BTreeMap::new();
    let mut alone: Vec<String> = Vec::new();
    let mut offered: BTreeMap<usize, String> = BTreeMap::new();
    for (i, b) in model.code.binaries.iter().enumerate() {
        let has_place = model.shipping.places.get(i).is_some_and(Option::is_some);
        if has_place || b.ignored {
            continue;
        }
        if is_dev_path(b) {
            plan.dev_binaries += 1;
            continue;
        }
        match should_ship(model, i) {
            Some(Err(why)) => {
                not.insert(i, why);
                continue;
            }
            Some(Ok(why)) => {
                offered.insert(i, why);
                continue;
            }
            None => {}
        }
        if let Some(run) = model.runs_naming(i).first() {
            let image = model.images.get(run.image).map_or("", |img| img.path.as_str());
            not.insert(
                i,
                format!(
                    "{} runs `{}` in an image of `{image}`: it may ship in a way deploylint cannot follow",
                    place(model, run.program.span),
                    run.program.value
                ),
            );
            continue;
        }
        if model.task_selectors.iter().any(|t| t.binary == Some(i) && !t.tasks.is_empty()) {
            not.insert(i, "a batch binary: its tasks are checked against the crontabs (DPL401)".into());
            continue;
        }
        let shipped_sibling = model.code.binaries.iter().enumerate().any(|(j, o)| {
            siblings(b, o) && !o.ignored && !is_dev_path(o) && model.shipping.places.get(j).is_some_and(Option::is_some)
        });
        if !shipped_sibling {
            alone.push(b.dir.clone());
            continue;
        }
        let built = host_build_places(model, &b.dir);
        let who =
            if b.dir.is_empty() { format!("`{}`, the main package at the root: ", b.name) } else { String::new() };
        let why = if built.is_empty() {
            format!("{who}built by no Dockerfile; built nowhere in this repository")
        } else {
            format!("{who}built by no Dockerfile; built by {}", places(&built))
        };
        chosen.insert(i, why);
    }
    // An entry must name its binary alone, and listing must not make another binary the odd
    // one out: the shipping facts are computed again with the entries ignored.
    let originally: Vec<bool> = model.code.binaries.iter().map(|b| b.ignored).collect();
    loop {
        let over: Vec<(usize, usize)> = chosen
            .keys()
            .filter_map(|&i| {
                let dir = model.code.binaries.get(i)?.dir.clone();
                (0..model.code.binaries.len()).find(|&j| j != i && model.ignore_names(&dir, j)).map(|j| (i, j))
            })
            .collect();
        for (i, j) in over {
            let other = model.code.binaries.get(j).map_or("", |b| b.dir.as_str());
            chosen.remove(&i);
            not.insert(i, format!("built by no Dockerfile, but its entry would also name `{other}`"));
        }
        for (i, b) in model.code.binaries.iter_mut().enumerate() {
            b.ignored = originally.get(i).copied().unwrap_or(false) || chosen.contains_key(&i);
        }
        model.shipping = crate::model::shipping::compute(model);
        let new: Vec<usize> =
            model.shipping.unshipped.iter().map(|(i, _)| *i).filter(|i| !before.contains(i)).collect();
        let blamed: Vec<(usize, usize)> = chosen
            .keys()
            .filter_map(|&i| {
                let b = model.code.binaries.get(i)?;
                new.iter().find(|&&n| model.code.binaries.get(n).is_some_and(|o| siblings(b, o))).map(|&n| (i, n))
            })
            .collect();
        if blamed.is_empty() {
            break;
        }
        for (i, n) in blamed {
            let other = model.code.binaries.get(n).map_or("", |b| b.dir.as_str());
            chosen.remove(&i);
            not.insert(
                i,
                format!("built by no Dockerfile, but listing it would leave its sibling `{other}` the odd one out"),
            );
        }
    }
    for (i, b) in model.code.binaries.iter_mut().enumerate() {
        b.ignored = originally.get(i).copied().unwrap_or(false);
    }
    model.shipping = crate::model::shipping::compute(model);
    let dir = |i: &usize| model.code.binaries.get(*i).map(|b| b.dir.clone());
    for (active, list) in [(true, &chosen), (false, &offered)] {
        for (i, why) in list {
            let Some(d) = dir(i) else { continue };
            plan.ignore.insert(d, Listed { active, why: vec![why.clone()] });
        }
    }
    plan.not_ignored = not.iter().filter_map(|(i, why)| Some((dir(i)?, why.clone()))).collect();
    plan.not_ignored.sort();
    alone.sort();
    plan.alone = alone;
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text fit for a TOML comment: one line, no control character, no secret-shaped value.
fn comment(s: &str) -> String {
    let scrubbed = crate::render::mask::scrub(s);
    scrubbed.chars().map(|c| if c.is_control() && c != '\t' { '?' } else { c }).collect()
}

fn push_comment(out: &mut String, text: &str) {
    out.push_str("# ");
    out.push_str(&comment(text));
    out.push('\n');
}

/// A list key: each active entry under its reasons, then the suggested ones commented out
/// inside it; the key itself commented out when there is neither.
fn push_list(out: &mut String, key: &str, items: &BTreeMap<String, Listed>, empty: &str) {
    if items.is_empty() {
        push_comment(out, empty);
        out.push_str(&format!("# {key} = []\n"));
        return;
    }
    out.push_str(&format!("{key} = [\n"));
    let ordered = items.iter().filter(|(_, l)| l.active).chain(items.iter().filter(|(_, l)| !l.active));
    for (v, l) in ordered {
        for why in &l.why {
            out.push_str(&format!("    # {}\n", comment(why)));
        }
        if l.active {
            out.push_str(&format!("    {},\n", quote(v)));
        } else {
            out.push_str(&format!("    # {},\n", comment(&quote(v))));
        }
    }
    out.push_str("]\n");
}

fn render(plan: &Plan) -> String {
    let mut out = String::new();
    out.push_str(
        "# deploylint.toml, written by `deploylint init` from what it found in this repository.\n\
         # Every key is optional. A commented-out line shows a setting you may want: review the\n\
         # file, then run `deploylint .` (`deploylint explain CODE` documents a rule).\n\n",
    );
    out.push_str(
        "[lint]\n\
         # select = [\"ALL\"]          # rules to run: codes, names or prefixes (\"DPL1\")\n\
         # ignore = []               # rules not to run\n\
         # fail-on = \"warning\"       # exit 1 at or above: error | warning | info | never\n\
         # exclude = []              # gitignore-style globs left out of discovery\n\
         # severity = { DPL401 = \"info\" }   # per rule: error | warning | info | off\n\n",
    );
    out.push_str("[server]\n");
    let used = |f: Flavor| plan.flavors.get(&f).map_or(0, Vec::len);
    let describe = |f: Flavor| {
        let at = plan.flavors.get(&f).map(|p| places(p)).unwrap_or_default();
        let n = used(f);
        format!("`{}` ({}) {n} time{}: {at}", f.command(), value(f), if n == 1 { "" } else { "s" })
    };
    match (used(Flavor::V1), used(Flavor::V2)) {
        (0, 0) => {
            push_comment(
                &mut out,
                "No compose command that acts on the server was found. Declare the flavor the server has:",
            );
            out.push_str("# compose = \"v1\"            # v1: the standalone `docker-compose`; v2: the `docker compose` plugin\n");
        }
        (v1, v2) if v1 == 0 || v2 == 0 => {
            let f = if v1 > 0 { Flavor::V1 } else { Flavor::V2 };
            push_comment(&mut out, &format!("Every compose command that acts on the server uses {}.", describe(f)));
            out.push_str(&format!("compose = {}\n", quote(value(f))));
        }
        (v1, v2) => {
            push_comment(&mut out, "Both compose flavors are used by commands that act on the server.");
            push_comment(
                &mut out,
                "Which one does the server have? Uncomment it: deploylint then reports every use of",
            );
            push_comment(&mut out, "the other (DPL201). Until then it reports the mix (DPL202).");
            push_comment(&mut out, &format!("  {}", describe(Flavor::V1)));
            push_comment(&mut out, &format!("  {}", describe(Flavor::V2)));
            if v1 == v2 {
                out.push_str("# compose = \"v1\"\n# compose = \"v2\"\n");
            } else {
                let most = if v1 > v2 { Flavor::V1 } else { Flavor::V2 };
                out.push_str(&format!("# compose = {}            # the flavor used most\n", quote(value(most))));
            }
        }
    }
    out.push_str("# compose-version = \"1.29.2\" # the version of that compose tool\n\n");
    out.push_str("[deploy]\n");
    push_list(&mut out, "compose-files", &plan.compose_files, "No production compose file was found.");
    push_list(&mut out, "env-files", &plan.env_files, "No production env file was found.");
    if plan.crontabs.is_empty() {
        out.push_str("# crontabs = []\n\n");
    } else {
        let list: Vec<String> = plan.crontabs.iter().map(|c| quote(c)).collect();
        out.push_str(&format!("# crontabs = [{}]  # found by name\n\n", comment(&list.join(", "))));
    }
    out.push_str("[binaries]\n");
    push_comment(&mut out, "Main packages no Dockerfile needs to build (development tools, or shipped another");
    push_comment(&mut out, "way): no finding is made about them.");
    push_list(&mut out, "ignore", &plan.ignore, "No main package needs listing.");
    for (dir, why) in &plan.not_ignored {
        push_comment(&mut out, &format!("Not listed: `{dir}`: {why}."));
    }
    if !plan.alone.is_empty() {
        let names: Vec<String> = plan.alone.iter().map(|d| format!("`{d}`")).collect();
        push_comment(
            &mut out,
            &format!("Not listed: {}: built by no Dockerfile, and no sibling ships in one either.", places(&names)),
        );
        push_comment(
            &mut out,
            "deploylint reports such a package only when something runs it from an image that lacks it.",
        );
    }
    if plan.dev_binaries > 0 {
        push_comment(
            &mut out,
            &format!(
                "Not listed: {} main package{} under development paths (tools/, examples/, test/, …), never reported.",
                plan.dev_binaries,
                if plan.dev_binaries == 1 { "" } else { "s" }
            ),
        );
    }
    out.push_str(
        "\n[env]\n\
         # optional = []              # keys the code may go without\n\
         # provided-by-platform = []  # keys the platform sets (such as PORT)\n\n\
         [batch]\n\
         # binary = \"batch\"           # the batch binary (default: discovered)\n\
         # task-flag = \"task\"         # its task selector flag (default: discovered)\n",
    );
    out
}

fn value(f: Flavor) -> &'static str {
    match f {
        Flavor::V1 => "v1",
        Flavor::V2 => "v2",
    }
}

/// The text of the `deploylint.toml` init writes for a model built with the default config,
/// read back by the config parser; an error when the parser would reject it or read something
/// else than what was meant.
pub fn generate(mut model: Model) -> Result<String, RunError> {
    let mut plan = Plan::default();
    compose_files(&model, &mut plan);
    env_files(&model, &mut plan);
    // The flavor is read with the listed files declared, as `check` will read it.
    let active = |m: &BTreeMap<String, Listed>| -> Vec<String> {
        m.iter().filter(|(_, l)| l.active).map(|(k, _)| k.clone()).collect()
    };
    model.config.compose_files = active(&plan.compose_files);
    model.config.env_files = active(&plan.env_files);
    for (_, call) in server_calls(&model) {
        plan.flavors.entry(call.flavor).or_default().push(place(&model, call.tool));
    }
    for list in plan.flavors.values_mut() {
        list.sort_by_key(|p| natural(p));
        list.dedup();
    }
    plan.crontabs = model
        .crontab_files
        .iter()
        .filter_map(|id| model.sources.get(*id))
        .filter(|f| f.kind == Kind::Crontab)
        .map(|f| f.path.clone())
        .collect();
    plan.crontabs.sort();
    binaries(&mut model, &mut plan);
    let text = render(&plan);
    let read = config::parse("deploylint.toml", &text)
        .map_err(|e| RunError(format!("init made a config the parser rejects ({e}); nothing was written")))?;
    let declared = match (plan.flavors.get(&Flavor::V1), plan.flavors.get(&Flavor::V2)) {
        (Some(_), None) => Some(Flavor::V1),
        (None, Some(_)) => Some(Flavor::V2),
        _ => None,
    };
    let meant = Config {
        path: Some("deploylint.toml".into()),
        compose: declared,
        compose_files: model.config.compose_files.clone(),
        env_files: model.config.env_files.clone(),
        binaries_ignore: plan.ignore.iter().filter(|(_, l)| l.active).map(|(d, _)| d.clone()).collect(),
        ..Config::default()
    };
    if read != meant {
        return Err(RunError("init made a config that reads differently than meant; nothing was written".into()));
    }
    Ok(text)
}

/// `path:line` ordered by path, then by line as a number.
fn natural(place: &str) -> (String, usize) {
    match place.rsplit_once(':') {
        Some((p, l)) => (p.to_string(), l.parse().unwrap_or(0)),
        None => (place.to_string(), 0),
    }
}

/// The config file init writes under `root`, refusing an existing one without `force`: with it,
/// the config the loader reads is replaced (`.deploylint.toml` when it is the only one there).
pub fn target(root: &Path, force: bool) -> Result<PathBuf, RunError> {
    let existing: Vec<PathBuf> =
        CONFIG_NAMES.iter().map(|n| root.join(n)).filter(|p| std::fs::symlink_metadata(p).is_ok()).collect();
    match existing.first() {
        None => Ok(root.join(CONFIG_NAMES[0])),
        Some(p) if force => Ok(p.clone()),
        Some(p) => Err(RunError(format!(
            "`{}` already exists; `deploylint init --force` replaces it",
            crate::source::path_text(p)
        ))),
    }
}

/// Writes `text` to `path` atomically: a temporary file in the same directory, then a rename
/// (a hard link without `force`, so a config that appeared meanwhile is not replaced).
pub fn write_atomically(path: &Path, text: &str, force: bool) -> Result<(), RunError> {
    use std::io::Write;
    let shown = crate::source::path_text(path);
    let dir = path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let temp = dir.join(format!(".deploylint.toml.{}.tmp", std::process::id()));
    let fail = |e: std::io::Error| RunError(format!("cannot write `{shown}`: {e}"));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new().write(true).create_new(true).open(&temp)?;
        f.write_all(text.as_bytes())?;
        f.sync_all()?;
        if force {
            return std::fs::rename(&temp, path);
        }
        match std::fs::hard_link(&temp, path) {
            Ok(()) => std::fs::remove_file(&temp),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(e),
            // A file system without hard links: the existence was checked just before.
            Err(_) => std::fs::rename(&temp, path),
        }
    })();
    match written {
        Ok(()) => Ok(()),
        Err(e) => {
            let _ = std::fs::remove_file(&temp);
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                Err(RunError(format!("`{shown}` already exists; `deploylint init --force` replaces it")))
            } else {
                Err(fail(e))
            }
        }
    }
}

/// `deploylint init ROOT`: the path written.
pub fn run(root: &Path, force: bool) -> Result<PathBuf, RunError> {
    crate::check_root(root)?;
    let path = target(root, force)?;
    let model = crate::build_model(root, Config::default())?;
    let text = generate(model)?;
    write_atomically(&path, &text, force)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_comments_stay_valid_toml() {
        let q = quote("a\"b\\c\nd\u{1b}");
        let text = format!("[binaries]\nignore = [{q}]  # {}\n", comment("x\ny\u{7f}z"));
        let cfg = config::parse("d.toml", &text).map(|c| c.binaries_ignore);
        assert_eq!(cfg, Ok(vec!["a\"b\\c\nd\u{1b}".to_string()]));
    }

    #[test]
    fn places_are_counted_past_the_limit() {
        let list: Vec<String> = (1..=7).map(|i| format!("f:{i}")).collect();
        assert_eq!(places(&list), "f:1, f:2, f:3, f:4, f:5 and 2 more");
        assert_eq!(places(&list[..2]), "f:1 and f:2");
        assert_eq!(places(&list[..1]), "f:1");
    }

    #[test]
    fn the_commented_defaults_are_keys_the_parser_accepts() {
        let text = render(&Plan::default());
        let uncommented: String = text
            .lines()
            .map(|l| {
                let l = l.strip_prefix("# ").unwrap_or(l);
                // The commented-out keys, and the table headers; prose is dropped.
                if l.starts_with('[') || l.split_once(" = ").is_some_and(|(k, _)| !k.contains(' ')) {
                    format!("{l}\n")
                } else {
                    String::new()
                }
            })
            .collect();
        let cfg = config::parse("d.toml", &uncommented);
        assert!(cfg.is_ok(), "{cfg:?}\n{uncommented}");
    }
}
