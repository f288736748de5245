//! Rules about images: every binary built, copied into the shipped stage, and every executed
//! path present there.
pub mod binary_not_built;
pub mod binary_not_copied;
pub mod build_target_unknown;
pub mod copy_source_missing;
pub mod exec_path_missing;

use crate::model::images::{Image, StageModel};
use crate::source::file_name;

/// `stage `name`` or `stage 2`.
pub fn stage_label(s: &StageModel) -> String {
    match &s.name {
        Some(n) => format!("stage `{n}`"),
        None => format!("stage {}", s.index),
    }
}

/// The names of the files a stage chain puts in place by builds and file copies.
pub fn contents(image: &Image, stage: usize) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for s in image.chain(stage) {
        names.extend(s.builds.iter().map(|b| file_name(&b.output).to_string()));
        names.extend(s.copies.iter().filter(|c| !c.dest_is_dir).map(|c| file_name(&c.dest).to_string()));
    }
    names.sort();
    names.dedup();
    names
}

/// `a, b, c` (or `nothing`).
pub fn list(names: &[String]) -> String {
    if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
}
