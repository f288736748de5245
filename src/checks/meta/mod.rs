//! Rules about the artifacts themselves: files that do not parse or were not read.
pub mod file_skipped;
pub mod parse_error;
pub mod suppression_unused;
