//! Inputs the fuzz targets (`fuzz/`) found to break an invariant, minimized, each held to the
//! invariant it broke. They run on stable with `cargo test`; the fuzz targets need nightly.

use deploylint::parse::dockerfile::{self, Instr};
use deploylint::parse::envfile;
use deploylint::parse::shell;
use deploylint::source::FileId;

/// A span must lie inside the text and start and end on character boundaries.
fn assert_span(text: &str, start: usize, end: usize) {
    assert!(start <= end && end <= text.len(), "span {start}..{end} outside {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "span {start}..{end} splits a character");
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
