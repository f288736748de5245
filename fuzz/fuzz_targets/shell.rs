//! Shell command-line parser: no panic, every span (words, quoted insides, redirect targets,
//! remote commands inside `ssh host "…"`) inside the text and on character boundaries.
#![no_main]

use deploylint::parse::shell;
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans, assert_span};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let cmds = shell::parse(FileId(0), text, 0);
    assert_debug_spans(&cmds, text, "shell");
    for c in &cmds {
        assert_span(text, c.span.start, c.span.end, "shell command");
        let (skip, _) = shell::unwrap_command(&c.words);
        assert!(skip <= c.words.len(), "unwrap_command skipped past the words");
    }
});
