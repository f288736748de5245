//! `--fix` rewrites DPL201 occurrences in place: only the tool's words change, every other
//! byte (line ends, comments, spacing, the file's mode) stays, a call through a variable is
//! left to the user, and a second run finds nothing to fix.

mod common;

use std::path::Path;
use std::process::{Command, Output};

fn run(root: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_deploylint"))
        .args(["--fix", "--format", "concise"])
        .arg(root)
        .output()
        .expect("deploylint runs")
}

const SCRIPT: &str = "#!/bin/sh\r\n\
set -eu\r\n\
# docker compose is named in this comment and stays\r\n\
docker compose -f docker-compose.prod.yml pull   # pull first\r\n\
ssh deploy@203.0.113.7 \"cd /srv/app && docker  compose -f docker-compose.prod.yml up -d\"\r\n\
DC=\"docker compose -f docker-compose.prod.yml\"\r\n\
$DC ps\r\n";

const FIXED: &str = "#!/bin/sh\r\n\
set -eu\r\n\
# docker compose is named in this comment and stays\r\n\
docker-compose -f docker-compose.prod.yml pull   # pull first\r\n\
ssh deploy@203.0.113.7 \"cd /srv/app && docker-compose -f docker-compose.prod.yml up -d\"\r\n\
DC=\"docker compose -f docker-compose.prod.yml\"\r\n\
$DC ps\r\n";

#[test]
fn fix_rewrites_the_flavor_in_place_and_is_idempotent() {
    let dir = common::scratch("fix-flavor");
    std::fs::create_dir_all(dir.join("deploy")).expect("mkdir");
    std::fs::write(dir.join("deploylint.toml"), "[server]\ncompose = \"v1\"\n").expect("write");
    std::fs::write(dir.join("docker-compose.prod.yml"), "services:\n  web:\n    image: nginx:1.27\n").expect("write");
    let script = dir.join("deploy/deploy.sh");
    std::fs::write(&script, SCRIPT).expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o750)).expect("chmod");
    }
    let first = run(&dir);
    assert_eq!(std::fs::read_to_string(&script).expect("read"), FIXED);
    let stderr = String::from_utf8_lossy(&first.stderr);
    assert!(stderr.contains("fixed 2 finding(s) in 1 file(s)"), "{stderr}");
    // What is left: the call through `$DC`, which the user rewrites.
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert_eq!(stdout.matches("DPL201").count(), 1, "{stdout}");
    assert!(stdout.contains("deploy/deploy.sh:7:1"), "{stdout}");
    assert_eq!(first.status.code(), Some(1));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&script).expect("stat").permissions().mode() & 0o777;
        assert_eq!(mode, 0o750);
    }
    // A second run changes nothing and says so by saying nothing.
    let second = run(&dir);
    assert_eq!(std::fs::read_to_string(&script).expect("read"), FIXED);
    assert!(!String::from_utf8_lossy(&second.stderr).contains("fixed"));
    assert_eq!(second.stdout, first.stdout);
    // No temporary file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.join("deploy"))
        .expect("ls")
        .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
        .collect();
    assert_eq!(names, ["deploy.sh"]);
}
