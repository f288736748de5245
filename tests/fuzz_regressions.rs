//! Inputs the fuzz targets (`fuzz/`) found to break an invariant, minimized, each held to the
//! invariant it broke. They run on stable with `cargo test`; the fuzz targets need nightly.

use deploylint::parse::dockerfile::{self, Instr};
use deploylint::parse::envfile;
use deploylint::parse::shell;
use deploylint::parse::{compose, makefile};
use deploylint::source::{FileId, Kind, SourceFile};

/// A span must lie inside the text and start and end on character boundaries.
fn assert_span(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
}

/// Lints files held in memory (path, text), as the `pipeline` target does.
fn lint(files: &[(&str, &str)]) -> (deploylint::model::Model, Vec<deploylint::diagnostic::Diagnostic>) {
    let mut found = deploylint::discover::Discovered::default();
    for (path, text) in files {
        let kind = deploylint::discover::classify(path).unwrap_or(Kind::Shell);
        found.files.push(SourceFile::new(path.to_string(), kind, text.to_string(), false));
    }
    found.files.sort_by(|a, b| a.path.cmp(&b.path));
    deploylint::lint_discovered(found, deploylint::config::Config::default())
}

/// Every label of every diagnostic lies inside its file, on character boundaries.
fn assert_diagnostic_spans(model: &deploylint::model::Model, diags: &[deploylint::diagnostic::Diagnostic]) {
    for d in diags {
        for l in std::iter::once(&d.primary).chain(&d.related) {
            let text = model.sources.get(l.span.file).map(|f| f.text.as_str());
            let Some(text) = text else { panic!("{}: a label in no file", d.code) };
            assert_span(text, l.span.start, l.span.end);
        }
    }
}

/// `envfile` target: a backslash before a multi-byte character inside double quotes is no
/// escape; reading it as one stepped into the middle of the character (a panic on slicing).
#[test]
fn envfile_backslash_before_a_multibyte_character() {
    let text = "A=\"x\\é\"\nB=\"\\\u{feff}\\\\\"\nC=1\n";
    let f = envfile::parse(FileId(0), text);
    assert!(f.errors.is_empty(), "{:?}", f.errors);
    let keys: Vec<&str> = f.entries.iter().map(|e| e.key.value.as_str()).collect();
    assert_eq!(keys, ["A", "B", "C"]);
    let masked = envfile::mask(text);
    assert_eq!(masked.len(), text.len());
    for e in &f.entries {
        let v = e.value_span.unwrap_or_default();
        assert_span(text, v.start, v.end);
        assert!(masked[v.start..v.end].bytes().all(|b| b == b'*'), "{masked}");
    }
}

/// `dockerfile` target: `ARG` and `ENV` words were read from the library's value, whose line
/// continuations are removed, with offsets of the file, which still holds them: spans past the
/// word, inside a character. They are read from the file's text now, as `RUN` is.
#[test]
fn dockerfile_arg_and_env_spans_across_a_line_continuation() {
    let text = "FROM a\nARG C\\\n\u{feff}\nARG \"é\"=1 B=\\\n2\nENV E=\\\nx F=y\n";
    let df = match dockerfile::parse(FileId(0), text) {
        Ok(df) => df,
        Err(e) => panic!("{e:?}"),
    };
    let mut keys = Vec::new();
    for instr in df.stages.iter().flat_map(|s| &s.instrs) {
        let pairs: Vec<(&deploylint::source::Spanned<String>, Option<&str>)> = match instr {
            Instr::Arg(defs) => defs.iter().map(|(k, v)| (k, v.as_deref())).collect(),
            Instr::Env(defs) => defs.iter().map(|(k, v)| (k, Some(v.as_str()))).collect(),
            _ => continue,
        };
        for (k, v) in pairs {
            assert_span(text, k.span.start, k.span.end);
            keys.push((k.value.clone(), text[k.span.start..k.span.end].to_string(), v.map(str::to_string)));
        }
    }
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        keys,
        [
            ("C\u{feff}".to_string(), "C\\\n\u{feff}".to_string(), None),
            ("é".to_string(), "\"é\"=1".to_string(), some("1")),
            ("B".to_string(), "B".to_string(), some("2")),
            ("E".to_string(), "E".to_string(), some("x")),
            ("F".to_string(), "F".to_string(), some("y")),
        ]
    );
}

/// `shell` target: a wrapper missing its option's argument (`sudo -h`) made `unwrap_command`
/// return an index past the words, which a caller slicing `words[at..]` would panic on.
#[test]
fn shell_unwrap_command_stays_within_the_words() {
    for (text, at) in [("sudo -h", 2), ("sudo -u", 2), ("timeout", 1), ("timeout -s", 2), ("sudo -u root ls", 3)] {
        let cmds = shell::parse(FileId(0), text, 0);
        let words = cmds.first().map(|c| c.words.as_slice()).unwrap_or_default();
        assert_eq!(shell::unwrap_command(words).0, at, "{text}");
    }
}

/// `pipeline` target: the commands of a Makefile recipe run by `RUN make` were given the
/// Dockerfile's file and the Makefile's offsets (spans past the Dockerfile's end). They stand at
/// the `make` command now: expanded, their text is written nowhere.
#[test]
fn pipeline_make_recipe_commands_stand_at_the_make_command() {
    let dockerfile = "FROM golang AS build\nCOPY . .\nRUN make\nFROM alpine\n";
    let makefile = "# Builds the service binaries; the long comment puts the recipe past the\n# end of the Dockerfile.\nBIN := /out/api\nall:\n\tgo build -o $(BIN) ./cmd/api\n";
    let main = "package main\n\nfunc main() {}\n";
    let (model, diags) = lint(&[("Dockerfile", dockerfile), ("Makefile", makefile), ("cmd/api/main.go", main)]);
    assert_diagnostic_spans(&model, &diags);
    let built = diags.iter().find(|d| d.code == "DPL102");
    let Some(built) = built else { panic!("no DPL102 in {diags:?}") };
    let at = built.primary.span;
    assert_eq!(model.sources.path(at.file), "Dockerfile");
    assert_eq!(&dockerfile[at.start..at.end], "make");

    // The input the fuzzer found, minimized.
    let (model, diags) = lint(&[
        ("Dockerfile", "FROM g\nCOPY . .\nRUN make"),
        ("cmd/a/main.go", "\n"),
        ("Makefile", "=$\nc\ncon(CMDS):\n\tgo build"),
    ]);
    assert_diagnostic_spans(&model, &diags);
}

/// A script in a quoted word (`sh -c "…"`) is read at its place when written as is, and all on
/// the word when quote removal changed it (its offsets are then no file offsets).
#[test]
fn shell_script_words_keep_spans_in_the_file() {
    for text in ["sh -c 'go build -o /b ./x'", "sh -c \"go \\\"é\\\" build\"", "sh -c go\\ build\\ é"] {
        let cmds = shell::parse(FileId(0), text, 0);
        let word = cmds.first().and_then(|c| c.words.get(2));
        let Some(word) = word else { panic!("{text}: no script word") };
        for c in shell::parse_word(word) {
            for w in c.words.iter().chain(&c.assignments) {
                assert_span(text, w.span.start, w.span.end);
                if w.verbatim {
                    let raw = w.quoted_inner.unwrap_or(w.span);
                    assert_eq!(&text[raw.start..raw.end], w.text, "{text}");
                } else {
                    assert_eq!(w.span, word.span, "{text}");
                }
            }
        }
    }
}

/// Same class as the make recipe above, in other places that split text the file does not hold
/// as such. A compose `command:` scalar with YAML escapes (`\L` is one character of three
/// bytes) was split with the scalar's offsets: word spans past the end of the file.
#[test]
fn compose_command_words_of_an_escaped_scalar_stand_on_the_scalar() {
    let text = "services:\n  app:\n    command: \"\\L\\L\\L\\L\\L /app/é\"\n  b:\n    command: /app/batch -task=x\n";
    let c = match compose::parse(FileId(0), text) {
        Ok(c) => c,
        Err(e) => panic!("{e:?}"),
    };
    let spec = |i: usize| c.services.get(i).and_then(|s| s.command.as_ref());
    let Some(escaped) = spec(0) else { panic!("no command") };
    assert_eq!(escaped.words.len(), 2);
    for w in &escaped.words {
        assert_eq!(w.span, escaped.span);
    }
    // A plain scalar is written as is: each word at its place.
    let Some(plain) = spec(1) else { panic!("no command") };
    let shown: Vec<&str> = plain.words.iter().map(|w| &text[w.span.start..w.span.end]).collect();
    assert_eq!(shown, ["/app/batch", "-task=x"]);
}

/// A Makefile recipe continued over CRLF lines was joined without its `\r`s, so the offsets of
/// its later lines were off by one per line (spans inside a character, past the command).
#[test]
fn makefile_recipe_continued_over_crlf_lines_keeps_file_offsets() {
    let text = "deploy:\r\n\tssh h \\\r\n\t\"docker compose up é\" \\\r\n\t\t&& docker compose é\r\n";
    let mk = makefile::parse(text);
    let recipe = mk.rules.first().and_then(|r| r.recipe.first());
    let Some((line, at)) = recipe else { panic!("no recipe") };
    assert_eq!(&text[*at..*at + line.len()], line.as_str());
    for c in shell::parse(FileId(0), line, *at) {
        for w in &c.words {
            let raw = w.quoted_inner.unwrap_or(w.span);
            assert_eq!(&text[raw.start..raw.end], w.text);
        }
    }
    let (model, diags) = lint(&[("Makefile", text)]);
    assert_diagnostic_spans(&model, &diags);
}

/// Every `Span { .. start: N, end: M }` in a value's debug output.
fn debug_spans(debug: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for part in debug.split("Span {").skip(1) {
        let num = |key: &str| -> Option<usize> {
            let at = part.find(key)? + key.len();
            part[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
        };
        if let (Some(s), Some(e)) = (num("start: "), num("end: ")) {
            out.push((s, e));
        }
    }
    out
}

/// `dockerfile` target: a Dockerfile that still starts with a byte order mark (discovery strips
/// one; a second one stays) had the library's offsets counted from after it, so every span was
/// three bytes early, and one ended inside a character.
#[test]
fn dockerfile_spans_after_a_leading_byte_order_mark() {
    let text = "\u{feff}FROM golang:1.22 AS b\nRUN go build -o /out/migrat\u{1f600} .\nCOPY . /app/\u{1f600}\n";
    let df = match dockerfile::parse(FileId(0), text) {
        Ok(df) => df,
        Err(e) => panic!("{e:?}"),
    };
    let spans = debug_spans(&format!("{df:?}"));
    assert!(spans.len() > 3, "{df:?}");
    for (start, end) in spans {
        assert_span(text, start, end);
    }
}
