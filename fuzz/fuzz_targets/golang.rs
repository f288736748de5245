//! Go source scanner (lexer and fact finder): no panic, every span inside the text and on
//! character boundaries; the package clause read alone agrees with the whole file's.
#![no_main]

use deploylint::parse::golang;
use deploylint::source::FileId;
use deploylint_fuzz::{as_text, assert_debug_spans};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some(text) = as_text(data) else { return };
    let go = golang::parse(FileId(0), text);
    assert_debug_spans(&go, text, "go");
    let clause = golang::parse_package_clause(FileId(0), text);
    assert_eq!(clause.package, go.package, "package clause");
    assert_eq!(clause.build_ignored, go.build_ignored, "build constraint");
});
