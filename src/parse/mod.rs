//! Parsers: text in, syntax with spans out. One module per artifact; no policy here.
//!
//! A parser reports two kinds of trouble: a [`ParseError`] where the artifact's own tool would
//! reject the file (DPL001), and an [`Unfollowed`] construct that is valid but that the parser
//! cannot follow (DPL003, info; the checks that needed it stay silent).

pub mod bake;
pub mod cargo;
pub mod ci;
pub mod compose;
pub mod crontab;
pub mod dockerfile;
pub mod dockerignore;
pub mod envfile;
pub mod envschema;
pub mod golang;
pub mod interpolation;
pub mod justfile;
pub mod lex;
pub mod makefile;
pub mod markdown;
pub mod node;
pub mod ofelia;
pub mod pycli;
pub mod python;
pub mod release;
pub mod rustcli;
pub mod rustsrc;
pub mod shell;
pub mod systemd;
pub mod yaml;

use crate::source::Span;

/// The artifact's own tool would reject the file here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub span: Span,
    pub message: String,
}

/// A valid construct the parser cannot follow; the message reads after the file name
/// (`was not read: a binary file`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unfollowed {
    pub span: Span,
    pub message: String,
}
