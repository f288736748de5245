//! Dockerfiles, read by `parse-dockerfile` (spans on every token) and turned into stages of
//! instructions. RUN, ENTRYPOINT and CMD shell text is split into commands by the shell parser.
//!
//! Gaps of the library are worked around here (each has a test below that fails when the gap
//! closes): a heredoc that does not open the RUN command (`RUN python3 <<EOF`) makes it reject
//! the whole file, so such bodies are blanked before parsing and kept aside; `ENTRYPOINT []`
//! (which clears the base image's entrypoint) is rejected, so it is read here; and what
//! BuildKit's instruction rules reject but the library accepts is checked here: unknown or
//! value-less flags, stage names, `ENV`/`LABEL` pairs, empty `VOLUME`s and `HEALTHCHECK`
//! durations. A Dockerfile for another frontend (`# syntax=` naming one that is not
//! `docker/dockerfile`) has rules deploylint does not know: what the library rejects there is
//! not followed (DPL003), never an error.

use super::shell::{self, SimpleCommand};
use super::{ParseError, Unfollowed};
use crate::source::{FileId, Span, Spanned};
use parse_dockerfile::{Command, Instruction, Source};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecSpec {
    pub words: Vec<Spanned<String>>,
    pub span: Span,
    pub shell_form: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub span: Span,
    /// The commands of the RUN (and of a shell heredoc body).
    pub commands: Vec<SimpleCommand>,
    /// A heredoc body that is not shell (`RUN python3 <<EOF`): its command is known, not its effect.
    pub foreign_heredoc: bool,
    /// `--mount=type=bind` of the build context: (source in the context, target in the stage).
    pub context_mounts: Vec<(String, String)>,
}

/// The context bind mounts of `RUN --mount=…` flags (`type=bind` is the default type; a mount
/// with `from=` binds another stage or image, not the context).
fn context_mounts(options: &[parse_dockerfile::Flag<'_>]) -> Vec<(String, String)> {
    options
        .iter()
        .filter(|f| f.name.value == "mount")
        .filter_map(|f| {
            let v = f.value.as_ref()?;
            let mut kind = "bind";
            let mut source = ".".to_string();
            let mut target = None;
            for part in v.value.split(',') {
                let (k, val) = part.split_once('=').unwrap_or((part, ""));
                match k {
                    "type" => kind = if val == "bind" { "bind" } else { "other" },
                    "source" | "src" => source = val.to_string(),
                    "target" | "dst" | "destination" => target = Some(val.to_string()),
                    "from" => return None,
                    _ => {}
                }
            }
            (kind == "bind").then_some((source, target?))
        })
        .collect()
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Copy {
    pub add: bool,
    pub from: Option<Spanned<String>>,
    pub sources: Vec<Spanned<String>>,
    pub dest: Spanned<String>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Instr {
    Run(Run),
    Copy(Copy),
    Workdir(Spanned<String>),
    /// `ENV` keys and their values.
    Env(Vec<(Spanned<String>, String)>),
    Arg(Vec<(Spanned<String>, Option<String>)>),
    Entrypoint(ExecSpec),
    Cmd(ExecSpec),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    pub index: usize,
    pub name: Option<Spanned<String>>,
    pub base: Spanned<String>,
    /// The `FROM` line.
    pub span: Span,
    pub instrs: Vec<Instr>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Dockerfile {
    /// `ARG`s before the first `FROM`.
    pub global_args: Vec<(Spanned<String>, Option<String>)>,
    pub stages: Vec<Stage>,
}

/// Blanks the bodies of heredocs that follow a command in RUN (`RUN python3 <<EOF`), which the
/// library cannot parse; returns the blanked text (same byte length) and, per blanked body, the
/// RUN line's start, the body range and whether the body is shell.
fn blank_late_heredocs(text: &str) -> (String, Vec<(usize, std::ops::Range<usize>, bool)>) {
    let mut out = text.as_bytes().to_vec();
    let mut bodies = Vec::new();
    let mut offset = 0;
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let line_start = offset;
        offset += line.len();
        i += 1;
        let t = line.trim_start();
        let Some(rest) = t.get(..4).filter(|k| k.eq_ignore_ascii_case("RUN ")).map(|_| &t[4..]) else {
            continue;
        };
        // Skip flags; a heredoc as the first word is handled by the library.
        let words: Vec<&str> = rest.split_whitespace().filter(|w| !w.starts_with("--")).collect();
        if words.first().is_none_or(|w| w.starts_with("<<")) {
            continue;
        }
        let Some(pos) = rest.find("<<") else { continue };
        let after = rest[pos + 2..].trim_start_matches('-');
        let delim: String = after
            .trim_start_matches(['\'', '"'])
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if delim.is_empty() {
            continue;
        }
        let is_shell =
            matches!(words.first().map(|w| crate::source::file_name(w)), Some("sh" | "bash" | "dash" | "ash"));
        let body_start = offset;
        while i < lines.len() {
            let l = lines[i];
            let l_start = offset;
            offset += l.len();
            i += 1;
            let ended = l.trim_end_matches(['\n', '\r']).trim_start_matches('\t') == delim;
            for b in out.iter_mut().take(l_start + l.len()).skip(l_start) {
                if *b != b'\n' {
                    *b = b' ';
                }
            }
            if ended {
                bodies.push((line_start, body_start..l_start, is_shell));
                break;
            }
        }
    }
    (String::from_utf8(out).unwrap_or_default(), bodies)
}

/// Blanks comment and empty lines inside a continued RUN (Docker drops them), keeping offsets.
fn clean_run_text(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for (n, line) in raw.split_inclusive('\n').enumerate() {
        let t = line.trim();
        if n > 0 && (t.is_empty() || t.starts_with('#')) {
            out.extend(std::iter::repeat_n(' ', line.len()));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn exec_spec(file: FileId, text: &str, cmd: &Command<'_>) -> ExecSpec {
    match cmd {
        Command::Exec(list) => ExecSpec {
            words: list
                .value
                .iter()
                .map(|w| Spanned::new(w.value.to_string(), Span::new(file, w.span.clone())))
                .collect(),
            span: Span::new(file, list.span.clone()),
            shell_form: false,
        },
        Command::Shell(s) => {
            let raw = text.get(s.span.clone()).unwrap_or("");
            let words = shell::parse(file, &clean_run_text(raw), s.span.start)
                .into_iter()
                .next()
                .map(|c| c.words.into_iter().map(|w| Spanned::new(w.text, w.span)).collect())
                .unwrap_or_default();
            ExecSpec { words, span: Span::new(file, s.span.clone()), shell_form: true }
        }
        _ => ExecSpec { words: Vec::new(), span: Span::default(), shell_form: true },
    }
}

/// Splits `A=1 B="x y"` / `A 1` into keys (with spans) and values; `None` when there is a key
/// and no value. Dockerfile values are committed build settings, not secrets.
fn env_pairs(file: FileId, raw: &str, at: usize) -> Option<Vec<(Spanned<String>, String)>> {
    let words = shell::parse(file, raw, at).into_iter().next().map(|c| {
        let mut all = c.assignments;
        all.extend(c.words);
        all
    });
    let words = words.unwrap_or_default();
    let first = words.first()?;
    if !first.text.contains('=') {
        // Legacy `ENV KEY value words`.
        if words.len() < 2 {
            return None;
        }
        let value = words.iter().skip(1).map(|w| w.text.as_str()).collect::<Vec<_>>().join(" ");
        return Some(vec![(Spanned::new(first.text.clone(), first.span), value)]);
    }
    Some(
        words
            .iter()
            .filter_map(|w| {
                let (k, v) = w.text.split_once('=')?;
                Some((Spanned::new(k.to_string(), key_span(raw, at, w, k)), v.to_string()))
            })
            .collect(),
    )
}

/// The span of the key `k` of an assignment word: its first bytes when the word starts with the
/// key as written, else the whole word (a quoted or continued key).
fn key_span(raw: &str, at: usize, w: &shell::Word, k: &str) -> Span {
    let start = w.span.start;
    let written = start.checked_sub(at).and_then(|s| raw.get(s..s + k.len()));
    if written == Some(k) { Span::new(w.span.file, start..start + k.len()) } else { w.span }
}

fn arg_defs(file: FileId, raw: &str, at: usize) -> Vec<(Spanned<String>, Option<String>)> {
    shell::parse(file, raw, at)
        .into_iter()
        .flat_map(|c| c.assignments.into_iter().chain(c.words))
        .map(|w| match w.text.split_once('=') {
            Some((k, v)) => (Spanned::new(k.to_string(), key_span(raw, at, &w, k)), Some(v.to_string())),
            None => (Spanned::new(w.text.clone(), w.span), None),
        })
        .collect()
}

/// Rewrites `ENTRYPOINT []` (and `[ ]`) to the same-length shell form `""`, which the library
/// accepts; returns the byte offsets of the rewritten brackets.
fn rewrite_empty_entrypoints(text: &mut [u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut offset = 0;
    let lines: Vec<(usize, usize)> = text
        .split_inclusive(|b| *b == b'\n')
        .map(|l| {
            let start = offset;
            offset += l.len();
            (start, l.len())
        })
        .collect();
    for (start, len) in lines {
        let Some(line) = text.get(start..start + len) else { continue };
        let indent = line.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let Some(rest) = line.get(indent..) else { continue };
        if rest.len() < 11 || !rest[..10].eq_ignore_ascii_case(b"ENTRYPOINT") || !rest[10].is_ascii_whitespace() {
            continue;
        }
        let args = &rest[10..];
        let trimmed: Vec<u8> = args.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
        if trimmed != b"[]" {
            continue;
        }
        let Some(open) = args.iter().position(|b| *b == b'[') else { continue };
        let Some(close) = args.iter().position(|b| *b == b']') else { continue };
        let at = start + indent + 10;
        for (i, b) in text.iter_mut().enumerate().take(at + close + 1).skip(at + open) {
            *b = if i - at - open < 2 { b'"' } else { b' ' };
        }
        out.push(at + open);
    }
    out
}

/// The flags BuildKit's instructions take (labs channel included), and which take a value.
const FLAGS: &[(&str, &[&str], &[&str])] = &[
    ("FROM", &["platform"], &["platform"]),
    ("RUN", &["mount", "network", "security", "device"], &["mount", "network", "security", "device"]),
    ("COPY", &["from", "chown", "chmod", "link", "parents", "exclude"], &["from", "chown", "chmod", "exclude"]),
    (
        "ADD",
        &["chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "parents", "unpack"],
        &["chown", "chmod", "checksum", "exclude"],
    ),
    (
        "HEALTHCHECK",
        &["interval", "timeout", "start-period", "start-interval", "retries"],
        &["interval", "timeout", "start-period", "start-interval", "retries"],
    ),
];

/// A Go duration (`time.ParseDuration`), in nanoseconds.
fn go_duration(s: &str) -> Option<f64> {
    let (neg, mut s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if s == "0" {
        return Some(0.0);
    }
    if s.is_empty() {
        return None;
    }
    let mut total = 0.0;
    while !s.is_empty() {
        let int_len = s.bytes().take_while(u8::is_ascii_digit).count();
        let (int, rest) = s.split_at(int_len);
        let (frac, rest) = match rest.strip_prefix('.') {
            Some(r) => {
                let n = r.bytes().take_while(u8::is_ascii_digit).count();
                r.split_at(n)
            }
            None => ("", rest),
        };
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let unit_len = rest.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(rest.len());
        let (unit, rest) = rest.split_at(unit_len);
        let scale = match unit {
            "ns" => 1.0,
            "us" | "\u{b5}s" | "\u{3bc}s" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return None,
        };
        let value: f64 = format!("{}.{}", if int.is_empty() { "0" } else { int }, frac).parse().ok()?;
        total += value * scale;
        s = rest;
    }
    // Go refuses durations beyond an int64 of nanoseconds.
    (total <= 9.223_372_036_854_775e18).then_some(if neg { -total } else { total })
}

/// A `KEY=value …` / legacy `KEY value` list as BuildKit reads ENV and LABEL.
fn check_name_values(what: &str, raw: &str) -> Result<(), String> {
    let words = shell::parse(FileId(0), raw, 0).into_iter().next().map(|c| {
        let mut all = c.assignments;
        all.extend(c.words);
        all
    });
    let words = words.unwrap_or_default();
    let Some(first) = words.first() else {
        return Err(format!("{what} requires at least one argument"));
    };
    if !first.text.contains('=') {
        return if words.len() < 2 { Err(format!("{what} must have two arguments")) } else { Ok(()) };
    }
    for w in &words {
        match w.text.split_once('=') {
            None => return Err(format!("{what}: `{}` is not of the form `name=value`", w.text)),
            Some(("", _)) => return Err(format!("{what} names can not be blank")),
            Some(_) => {}
        }
    }
    Ok(())
}

/// What BuildKit's instruction rules reject in an instruction the library accepted.
fn instruction_error(ins: &Instruction<'_>) -> Option<(std::ops::Range<usize>, String)> {
    let (what, options): (&str, &[parse_dockerfile::Flag<'_>]) = match ins {
        Instruction::From(f) => ("FROM", &f.options),
        Instruction::Run(r) => ("RUN", &r.options),
        Instruction::Copy(c) => ("COPY", &c.options),
        Instruction::Add(a) => ("ADD", &a.options),
        Instruction::Healthcheck(h) => ("HEALTHCHECK", &h.options),
        _ => ("", &[]),
    };
    if let Some((_, known, valued)) = FLAGS.iter().find(|(w, _, _)| *w == what) {
        for f in options {
            let name = f.name.value.as_ref();
            if !known.contains(&name) {
                let hint = crate::config::suggest(name, known.iter().copied())
                    .map_or(String::new(), |s| format!(" (did you mean `--{s}`?)"));
                return Some((f.span(), format!("unknown flag `--{name}` for {what}{hint}")));
            }
            if valued.contains(&name) && f.value.is_none() {
                return Some((f.span(), format!("missing a value on flag `--{name}`")));
            }
        }
    }
    match ins {
        Instruction::From(f) => {
            let (_, name) = f.as_.as_ref()?;
            let lower = name.value.to_ascii_lowercase();
            // A name holding `$` is left to BuildKit (deploylint does not expand it).
            let valid = lower.contains('$')
                || lower.starts_with(|c: char| c.is_ascii_lowercase())
                    && lower
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | '.'));
            (!valid).then(|| {
                (name.span.clone(), format!("invalid name for build stage `{}`: it must start with a letter and hold only letters, digits, `-`, `_` and `.`", name.value))
            })
        }
        Instruction::Env(e) => {
            check_name_values("ENV", &e.arguments.value).err().map(|m| (e.env.span.start..e.arguments.span.end, m))
        }
        Instruction::Label(l) => {
            check_name_values("LABEL", &l.arguments.value).err().map(|m| (l.label.span.start..l.arguments.span.end, m))
        }
        Instruction::Volume(v) => {
            let (paths, span): (Vec<&str>, _) = match &v.arguments {
                parse_dockerfile::JsonOrStringArray::Json(list) => {
                    (list.value.iter().map(|p| p.value.as_ref()).collect(), list.span.clone())
                }
                parse_dockerfile::JsonOrStringArray::String(list) => {
                    let span = list.first().map_or(v.volume.span.clone(), |f| {
                        f.span.start..list.last().map_or(f.span.end, |l| l.span.end)
                    });
                    (list.iter().map(|p| p.value.as_ref()).collect(), span)
                }
            };
            if paths.is_empty() {
                Some((span, "VOLUME requires at least one argument".to_string()))
            } else if paths.iter().any(|p| p.trim().is_empty()) {
                Some((span, "VOLUME specified can not be an empty string".to_string()))
            } else {
                None
            }
        }
        Instruction::Healthcheck(h) => h.options.iter().find_map(|f| {
            let name = f.name.value.as_ref();
            let value = f.value.as_ref()?;
            let v = value.value.as_ref();
            if name == "retries" {
                return match v.parse::<i64>() {
                    Ok(n) if n >= 0 => None,
                    Ok(_) => Some((f.span(), "`--retries` cannot be negative".to_string())),
                    Err(_) => Some((f.span(), format!("`--retries` takes a number, not `{v}`"))),
                };
            }
            match go_duration(v) {
                _ if v.is_empty() => None,
                None => Some((f.span(), format!("`--{name}` takes a duration such as `30s` or `1m30s`, not `{v}`"))),
                Some(d) if d != 0.0 && d < 1e6 => Some((f.span(), format!("`--{name}` cannot be less than 1ms"))),
                Some(_) => None,
            }
        }),
        Instruction::Onbuild(o) => instruction_error(&o.instruction),
        _ => None,
    }
}

/// Whether the `# syntax=` directive, if any, names Docker's own Dockerfile frontend.
fn docker_frontend(parsed_syntax: Option<&str>) -> bool {
    parsed_syntax.is_none_or(|s| {
        let image = s.trim().trim_start_matches("docker.io/");
        image.starts_with("docker/dockerfile:")
            || image.starts_with("docker/dockerfile@")
            || image == "docker/dockerfile"
            || image.starts_with("docker/dockerfile-upstream")
    })
}

/// The `# syntax=` directive of a Dockerfile, read as BuildKit does (leading comment lines).
fn syntax_directive(text: &str) -> Option<&str> {
    for line in text.lines() {
        let t = line.trim();
        let (key, value) = t.strip_prefix('#')?.split_once('=')?;
        if key.trim().eq_ignore_ascii_case("syntax") {
            return Some(value.trim());
        }
    }
    None
}

fn line_start_offset(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(text.len(), |(i, _)| i + 1)
}

/// Why a Dockerfile yields no stages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// BuildKit would reject it (DPL001).
    Invalid(ParseError),
    /// Valid as far as deploylint knows, but in a form it cannot follow (DPL003).
    Unfollowed(Unfollowed),
}

/// Whether a RUN, COPY or ADD uses a heredoc (`<<`), outside comments.
fn uses_heredoc(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start();
        !t.starts_with('#') && t.contains("<<")
    })
}

pub fn parse(file: FileId, text: &str) -> Result<Dockerfile, Trouble> {
    let (blanked, bodies) = blank_late_heredocs(text);
    let mut blanked = blanked.into_bytes();
    // A byte order mark still at the start (discovery strips one) is skipped by the library,
    // which then counts its offsets from after it: make it three spaces, so offsets stay ours.
    if blanked.starts_with("\u{feff}".as_bytes()) {
        blanked.iter_mut().take(3).for_each(|b| *b = b' ');
    }
    let empty_entrypoints = rewrite_empty_entrypoints(&mut blanked);
    let blanked = String::from_utf8(blanked).unwrap_or_default();
    let docker = docker_frontend(syntax_directive(text));
    let parsed = parse_dockerfile::parse(&blanked).map_err(|e| {
        let start = line_start_offset(text, e.line());
        let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
        let span = Span::new(file, start..end);
        let message = format!("{e:#}");
        if !docker {
            Trouble::Unfollowed(Unfollowed {
                span,
                message: format!("was not fully followed: it is written for another Dockerfile frontend ({message})"),
            })
        } else if uses_heredoc(text) && !message.contains("here-document") {
            // A heredoc form the parser cannot follow, not a file BuildKit rejects.
            Trouble::Unfollowed(Unfollowed {
                span,
                message: format!("was not fully followed: a heredoc form deploylint cannot follow ({message})"),
            })
        } else {
            Trouble::Invalid(ParseError { span, message: format!("{e:#}") })
        }
    })?;
    if docker {
        if let Some((span, message)) = parsed.instructions.iter().find_map(instruction_error) {
            return Err(Trouble::Invalid(ParseError { span: Span::new(file, span), message }));
        }
    }
    let mut out = Dockerfile::default();
    for ins in &parsed.instructions {
        let stage = out.stages.last_mut();
        match ins {
            Instruction::From(f) => {
                let index = out.stages.len();
                out.stages.push(Stage {
                    index,
                    name: f
                        .as_
                        .as_ref()
                        .map(|(_, n)| Spanned::new(n.value.to_string(), Span::new(file, n.span.clone()))),
                    base: Spanned::new(f.image.value.to_string(), Span::new(file, f.image.span.clone())),
                    span: Span::new(
                        file,
                        f.from.span.start..f.as_.as_ref().map_or(f.image.span.end, |(_, n)| n.span.end),
                    ),
                    instrs: Vec::new(),
                });
            }
            Instruction::Arg(a) => {
                // The raw text (continuations kept), so that word offsets are file offsets.
                let raw = blanked.get(a.arguments.span.clone()).unwrap_or("");
                let defs = arg_defs(file, &clean_run_text(raw), a.arguments.span.start);
                match stage {
                    Some(s) => s.instrs.push(Instr::Arg(defs)),
                    None => out.global_args.extend(defs),
                }
            }
            _ => {
                let Some(stage) = stage else { continue };
                let instr = match ins {
                    Instruction::Run(r) => {
                        let kw = r.run.span.clone();
                        let (mut commands, mut end) = match &r.arguments {
                            Command::Shell(s) => {
                                let raw = blanked.get(s.span.clone()).unwrap_or("");
                                (shell::parse(file, &clean_run_text(raw), s.span.start), s.span.end)
                            }
                            Command::Exec(list) => {
                                let words = list
                                    .value
                                    .iter()
                                    .map(|w| shell::Word {
                                        text: w.value.to_string(),
                                        span: Span::new(file, w.span.clone()),
                                        quoted_inner: None,
                                        verbatim: text.get(w.span.clone()) == Some(&*w.value),
                                    })
                                    .collect();
                                let span = Span::new(file, list.span.clone());
                                (
                                    vec![SimpleCommand {
                                        assignments: vec![],
                                        words,
                                        redirects: vec![],
                                        span,
                                        remote: false,
                                        output_used: false,
                                    }],
                                    list.span.end,
                                )
                            }
                            _ => (Vec::new(), kw.end),
                        };
                        for h in &r.here_docs {
                            commands.extend(shell::parse(file, &h.value, h.span.start));
                            end = end.max(h.span.end);
                        }
                        let mut foreign = false;
                        if let Some((_, body, is_shell)) = bodies.iter().find(|(line, _, _)| {
                            *line <= kw.start && kw.start < line + 512 && text[*line..kw.start].trim().is_empty()
                        }) {
                            if *is_shell {
                                commands.extend(shell::parse(file, text.get(body.clone()).unwrap_or(""), body.start));
                            } else {
                                foreign = true;
                            }
                            end = end.max(body.end);
                        }
                        Instr::Run(Run {
                            span: Span::new(file, kw.start..end),
                            commands,
                            foreign_heredoc: foreign,
                            context_mounts: context_mounts(&r.options),
                        })
                    }
                    Instruction::Copy(c) => copy_instr(file, false, &c.copy.span, &c.options, &c.src, &c.dest),
                    Instruction::Add(c) => copy_instr(file, true, &c.add.span, &c.options, &c.src, &c.dest),
                    Instruction::Workdir(w) => Instr::Workdir(Spanned::new(
                        w.arguments.value.to_string(),
                        Span::new(file, w.arguments.span.clone()),
                    )),
                    Instruction::Env(e) => match env_pairs(
                        file,
                        &clean_run_text(blanked.get(e.arguments.span.clone()).unwrap_or("")),
                        e.arguments.span.start,
                    ) {
                        Some(keys) => Instr::Env(keys),
                        None if docker => {
                            return Err(Trouble::Invalid(ParseError {
                                span: Span::new(file, e.env.span.start..e.arguments.span.end),
                                message: "ENV must have two arguments".to_string(),
                            }));
                        }
                        None => continue,
                    },
                    Instruction::Entrypoint(e) => match &e.arguments {
                        Command::Shell(s) if empty_entrypoints.contains(&s.span.start) => {
                            // `ENTRYPOINT []`: no entrypoint (the base image's is cleared).
                            let end = text[s.span.start..].find(']').map_or(s.span.end, |p| s.span.start + p + 1);
                            Instr::Entrypoint(ExecSpec {
                                words: Vec::new(),
                                span: Span::new(file, s.span.start..end),
                                shell_form: false,
                            })
                        }
                        _ => Instr::Entrypoint(exec_spec(file, text, &e.arguments)),
                    },
                    Instruction::Cmd(c) => Instr::Cmd(exec_spec(file, text, &c.arguments)),
                    _ => continue,
                };
                stage.instrs.push(instr);
            }
        }
    }
    Ok(out)
}

fn copy_instr(
    file: FileId,
    add: bool,
    kw: &std::ops::Range<usize>,
    options: &[parse_dockerfile::Flag<'_>],
    src: &[Source<'_>],
    dest: &parse_dockerfile::UnescapedString<'_>,
) -> Instr {
    let from = options
        .iter()
        .find(|f| f.name.value == "from")
        .and_then(|f| f.value.as_ref())
        .map(|v| Spanned::new(v.value.to_string(), Span::new(file, v.span.clone())));
    let sources = src
        .iter()
        .filter_map(|s| match s {
            Source::Path(p) => Some(Spanned::new(p.value.to_string(), Span::new(file, p.span.clone()))),
            _ => None,
        })
        .collect();
    Instr::Copy(Copy {
        add,
        from,
        sources,
        dest: Spanned::new(dest.value.to_string(), Span::new(file, dest.span.clone())),
        span: Span::new(file, kw.start..dest.span.end),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Dockerfile {
        match parse(FileId(0), text) {
            Ok(d) => d,
            Err(e) => panic!("{e:?}"),
        }
    }

    #[test]
    fn stages_builds_and_copies() {
        let d = ok(
            "FROM golang:1.22 AS builder\nWORKDIR /src\nRUN go build \\\n  # comment\n  -o /out/api ./cmd/api\nFROM alpine\nCOPY --from=builder /out/api /app/api\nENTRYPOINT [\"/app/api\"]\n",
        );
        assert_eq!(d.stages.len(), 2);
        let Some(Instr::Run(run)) = d.stages[0].instrs.get(1) else { panic!("no RUN") };
        let argv: Vec<_> = run.commands[0].argv().collect();
        assert_eq!(argv, ["go", "build", "-o", "/out/api", "./cmd/api"]);
        let Some(Instr::Copy(c)) = d.stages[1].instrs.first() else { panic!("no COPY") };
        assert_eq!(c.from.as_ref().map(|f| f.value.as_str()), Some("builder"));
    }

    /// Gap of parse-dockerfile 0.1.9: a heredoc after a command in RUN fails the whole file.
    #[test]
    fn heredoc_after_a_command_is_followed() {
        let text = "FROM python:3\nRUN python3 <<EOF\nimport os\nprint(os.getcwd())\nEOF\nRUN bash <<'SH'\ngo build -o /out/x ./cmd/x\nSH\nCMD [\"x\"]\n";
        assert!(parse_dockerfile::parse(text).is_err(), "the library gap is gone: drop the workaround");
        let d = ok(text);
        let runs: Vec<&Run> =
            d.stages[0].instrs.iter().filter_map(|i| if let Instr::Run(r) = i { Some(r) } else { None }).collect();
        assert_eq!(runs.len(), 2);
        assert!(runs[0].foreign_heredoc);
        assert!(runs[1].commands.iter().any(|c| c.argv().next() == Some("go")));
    }

    #[test]
    fn heredoc_first_is_parsed_by_the_library() {
        let d = ok("FROM alpine\nRUN <<EOF\nset -e\ngo build -o /out/y ./cmd/y\nEOF\n");
        let Some(Instr::Run(r)) = d.stages[0].instrs.first() else { panic!("no RUN") };
        assert!(r.commands.iter().any(|c| c.argv().any(|a| a == "./cmd/y")));
    }

    /// Gap of parse-dockerfile 0.1.9: `ENV KEY` with no value is accepted; BuildKit rejects it.
    #[test]
    fn env_without_value_is_an_error() {
        assert!(parse_dockerfile::parse("FROM a\nENV FOO\n").is_ok(), "the library gap is gone: drop the check");
        assert!(parse(FileId(0), "FROM a\nENV FOO\n").is_err());
        assert!(parse(FileId(0), "FROM a\nENV FOO=1 BAR=\"x y\"\nENV OLD style value\n").is_ok());
    }

    #[test]
    fn broken_files_are_errors_with_a_line() {
        let e = parse(FileId(0), "FROM a\nFOO bar\n").err();
        assert!(matches!(e, Some(Trouble::Invalid(ParseError { span, .. })) if span.start == 7));
    }

    /// Gap of parse-dockerfile 0.1.9: `ENTRYPOINT []` (it clears the base image's entrypoint) is
    /// rejected; BuildKit and hadolint accept it.
    #[test]
    fn an_empty_entrypoint_clears_it() {
        let text = "FROM a\nENTRYPOINT [ ]\nCMD [\"/app/server\"]\n";
        assert!(parse_dockerfile::parse(text).is_err(), "the library gap is gone: drop the workaround");
        let d = ok(text);
        let Some(Instr::Entrypoint(e)) = d.stages[0].instrs.first() else { panic!("no ENTRYPOINT") };
        assert!(e.words.is_empty() && !e.shell_form);
        assert_eq!(&text[e.span.start..e.span.end], "[ ]");
        assert!(matches!(d.stages[0].instrs.get(1), Some(Instr::Cmd(c)) if c.words.len() == 1));
        // Other empty instructions stay errors.
        assert!(parse(FileId(0), "FROM a\nSHELL []\n").is_err());
    }

    /// Gaps of parse-dockerfile 0.1.9: what BuildKit's instruction rules reject, the library
    /// accepts.
    #[test]
    fn buildkit_instruction_rules_are_checked() {
        let broken = [
            ("FROM a\nCOPY --frm=x a b\n", "unknown flag `--frm` for COPY (did you mean `--from`?)"),
            ("FROM a\nRUN --foo echo\n", "unknown flag `--foo` for RUN"),
            ("FROM a\nCOPY --from b c\n", "missing a value on flag `--from`"),
            ("FROM a AS 1bad\n", "invalid name for build stage"),
            ("FROM a\nLABEL key\n", "LABEL must have two arguments"),
            ("FROM a\nVOLUME []\n", "VOLUME requires at least one argument"),
            ("FROM a\nENV =x\n", "ENV names can not be blank"),
            ("FROM a\nENV A=1 B\n", "is not of the form"),
            ("FROM a\nHEALTHCHECK --interval=abc CMD true\n", "takes a duration"),
            ("FROM a\nHEALTHCHECK --timeout=10us CMD true\n", "cannot be less than 1ms"),
            ("FROM a\nONBUILD COPY --frm=x a b\n", "unknown flag"),
        ];
        for (text, want) in broken {
            assert!(parse_dockerfile::parse(text).is_ok(), "the library now rejects {text:?}: drop the check");
            let got = match parse(FileId(0), text) {
                Err(Trouble::Invalid(e)) => e.message,
                other => format!("{other:?}"),
            };
            assert!(got.contains(want), "{text:?}: {got}");
        }
        let valid = "FROM --platform=$BUILDPLATFORM golang AS Build-1.x\nCOPY --link --chmod=755 --from=b /a /b\n\
            RUN --mount=type=cache,target=/root/.cache --network=none go build\nADD --keep-git-dir=true --checksum=sha256:0 x y\n\
            LABEL a=b c=\"d e\"\nLABEL maintainer \"J D\"\nENV A=1 B=\nVOLUME /data\n\
            HEALTHCHECK --interval=1m30s --timeout=0 --start-period=.5s --retries=3 CMD true\nFROM scratch AS ${NAME}\n";
        assert!(parse(FileId(0), valid).is_ok(), "{:?}", parse(FileId(0), valid));
    }

    #[test]
    fn go_durations() {
        for (s, ns) in [("0", 0.0), ("30s", 30e9), ("1m30s", 90e9), ("1.5h", 5400e9), ("-2ms", -2e6), ("500us", 5e5)] {
            assert_eq!(go_duration(s), Some(ns), "{s}");
        }
        for s in ["", "10", "abc", "1x", ".s", "1s2"] {
            assert_eq!(go_duration(s), None, "{s}");
        }
    }

    /// Another frontend may read another syntax: what the library rejects is not followed.
    #[test]
    fn another_frontend_is_never_an_error() {
        let text = "# syntax=registry.example.com/custom-frontend:1\nFROM a\nFROB x\nCOPY --frm=x a b\n";
        assert!(matches!(parse(FileId(0), text), Err(Trouble::Unfollowed(_))));
        let text = "# syntax=registry.example.com/custom-frontend:1\nFROM a\nCOPY --frm=x a b\n";
        assert!(parse(FileId(0), text).is_ok());
        let text = "# syntax=docker/dockerfile:1.7-labs\nFROM a\nCOPY --frm=x a b\n";
        assert!(matches!(parse(FileId(0), text), Err(Trouble::Invalid(_))));
    }

    /// A heredoc on a continuation line is beyond the library and the workaround: DPL003.
    #[test]
    fn an_unfollowed_heredoc_is_not_an_error() {
        let text = "FROM alpine\nRUN apk add python3 && \\\n    python3 <<EOF\nprint('x')\nEOF\n";
        assert!(matches!(parse(FileId(0), text), Err(Trouble::Unfollowed(_))));
    }
}
