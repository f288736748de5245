//! Helpers shared by the integration tests that build repositories on disk.
// Each test crate compiles this module and uses a part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A fresh scratch directory under cargo's target tmp dir.
pub fn scratch(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("scratch dir");
    d
}

/// Copies a directory tree (a fixture) into `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("file type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Whether docker-compose (the real v1, a test oracle) is installed: `None`, with a note, when
/// it is not, unless DEPLOYLINT_REQUIRE_DOCKER_COMPOSE is set (CI sets it where it installed
/// the package), which makes its absence a failure.
pub fn docker_compose() -> Option<()> {
    let ok = std::process::Command::new("docker-compose").arg("version").output().is_ok_and(|o| o.status.success());
    if ok {
        return Some(());
    }
    assert!(
        std::env::var_os("DEPLOYLINT_REQUIRE_DOCKER_COMPOSE").is_none(),
        "docker-compose is required (DEPLOYLINT_REQUIRE_DOCKER_COMPOSE) but not installed"
    );
    eprintln!("note: docker-compose is not installed; oracle skipped");
    None
}
