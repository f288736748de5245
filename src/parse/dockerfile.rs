//! Dockerfiles, read by `parse-dockerfile` (spans on every token) and turned into stages of
//! instructions. RUN, ENTRYPOINT and CMD shell text is split into commands by the shell parser.
//!
//! Two gaps of the library are worked around here (each has a test below): a heredoc that does
//! not open the RUN command (`RUN python3 <<EOF`) makes it reject the whole file, so such
//! bodies are blanked before parsing and kept aside; and `ENV KEY` without a value, which
//! BuildKit rejects, is accepted by it, so it is checked here.

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
    let parsed = parse_dockerfile::parse(&blanked).map_err(|e| {
        let start = line_start_offset(text, e.line());
        let end = text[start..].find('\n').map_or(text.len(), |p| start + p);
        let span = Span::new(file, start..end);
        let message = format!("{e:#}");
        if uses_heredoc(text) && !message.contains("here-document") {
            // A heredoc form the parser cannot follow, not a file BuildKit rejects.
            Trouble::Unfollowed(Unfollowed {
                span,
                message: format!("was not fully followed: a heredoc form deploylint cannot follow ({message})"),
            })
        } else {
            Trouble::Invalid(ParseError { span, message: format!("{e:#}") })
        }
    })?;
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
                        None => {
                            return Err(Trouble::Invalid(ParseError {
                                span: Span::new(file, e.env.span.start..e.arguments.span.end),
                                message: "ENV must have two arguments".to_string(),
                            }));
                        }
                    },
                    Instruction::Entrypoint(e) => Instr::Entrypoint(exec_spec(file, text, &e.arguments)),
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

    /// A heredoc on a continuation line is beyond the library and the workaround: DPL003.
    #[test]
    fn an_unfollowed_heredoc_is_not_an_error() {
        let text = "FROM alpine\nRUN apk add python3 && \\\n    python3 <<EOF\nprint('x')\nEOF\n";
        assert!(matches!(parse(FileId(0), text), Err(Trouble::Unfollowed(_))));
    }
}
