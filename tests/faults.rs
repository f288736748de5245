//! Faults: what deploylint cannot read is a finding (or exit 2 for the root), never silence; no
//! input hangs it, blows up its memory, or makes it read outside the root. Every run here is
//! killed after [`LIMIT`] and the test then fails.
#![cfg(unix)]

use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The longest any one run may take (debug build, shared machine).
const LIMIT: Duration = Duration::from_secs(20);

/// A marker planted outside the linted root; no output may ever show it.
const OUTSIDE_MARKER: &str = "OUTSIDE-ROOT-MARKER-7f3a";

struct Run {
    stdout: Vec<u8>,
    stderr: String,
    code: i32,
}

impl Run {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.stdout).into_owned()
    }
}

/// Runs the binary, optionally as `nobody`; fails the test when it runs past [`LIMIT`].
fn run(args: &[&std::ffi::OsStr], as_nobody: bool) -> Run {
    let bin = env!("CARGO_BIN_EXE_deploylint");
    let mut c = if as_nobody {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    let mut child = c
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    // Read the pipes on their own threads so a large output cannot stall the child.
    let mut out_pipe = child.stdout.take().expect("stdout");
    let mut err_pipe = child.stderr.take().expect("stderr");
    let out_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out_pipe, &mut b);
        b
    });
    let err_reader = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err_pipe, &mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("deploylint {args:?} ran past {LIMIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Run {
        stdout: out_reader.join().unwrap_or_default(),
        stderr: String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned(),
        code: status.code().unwrap_or(-1),
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn tmp(name: &str) -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    make_writable(&d);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    open_to_all(&d);
    d
}

/// Lets `nobody` walk into the temp dirs (and their parents under the target dir).
fn open_to_all(dir: &Path) {
    let mut p = dir.to_path_buf();
    let top = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    loop {
        if let Ok(m) = std::fs::metadata(&p) {
            let mode = m.permissions().mode() | 0o755;
            let _ = std::fs::set_permissions(&p, std::fs::Permissions::from_mode(mode));
        }
        if p == top || !p.pop() {
            break;
        }
    }
}

/// Restores modes left at 000 by an earlier run, so the directory can be removed.
fn make_writable(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let _ = std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755));
        if let Ok(entries) = std::fs::read_dir(&d) {
            for e in entries.flatten() {
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    stack.push(e.path());
                } else if e.file_type().is_ok_and(|t| t.is_file()) {
                    let _ = std::fs::set_permissions(e.path(), std::fs::Permissions::from_mode(0o644));
                }
            }
        }
    }
}

fn write(path: &Path, bytes: &[u8]) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, bytes).expect("write");
}

fn mkfifo(path: &Path) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    let ok = Command::new("mkfifo").arg(path).status().is_ok_and(|s| s.success());
    assert!(ok, "mkfifo {}", path.display());
}

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

/// Whether this process runs as root (files it creates belong to uid 0).
fn is_root() -> bool {
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("uid-probe-{}-{n}", std::process::id()));
    let _ = std::fs::write(&probe, b"");
    let root = std::fs::metadata(&probe).is_ok_and(|m| m.uid() == 0);
    let _ = std::fs::remove_file(&probe);
    root
}

/// How permission bits can be made to count: `Some(false)` run directly (not root),
/// `Some(true)` run as `nobody` (root, with `setpriv`, and `nobody` can reach the binary and the
/// temp dirs), `None` they cannot.
fn permissions_apply() -> Option<bool> {
    if !is_root() {
        return Some(false);
    }
    static PROBES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = PROBES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let probe = tmp(&format!("nobody-probe-{}-{n}", std::process::id()));
    let ok = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", env!("CARGO_BIN_EXE_deploylint")])
        .arg(&probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let _ = std::fs::remove_dir_all(&probe);
    ok.then_some(true)
}

/// (code, path) of every finding of a json run, sorted.
fn findings(json: &str) -> Vec<(String, String)> {
    let v: serde_json::Value = serde_json::from_str(json).unwrap_or_else(|e| panic!("json output: {e}\n{json}"));
    let mut got: Vec<(String, String)> = v["findings"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| (f["code"].as_str().unwrap_or("").to_string(), f["path"].as_str().unwrap_or("").to_string()))
                .collect()
        })
        .unwrap_or_default();
    got.sort();
    got
}

/// `- `CODE` `path`` lines of one README section.
fn listed(section: &str) -> Vec<(String, String)> {
    section
        .lines()
        .filter_map(|l| {
            let l = l.trim().strip_prefix("- `")?;
            let (code, rest) = l.split_once("` `")?;
            let path = rest.split_once('`')?.0;
            Some((code.to_string(), path.to_string()))
        })
        .collect()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in std::fs::read_dir(from).expect("read fixture").flatten() {
        let target = to.join(e.file_name());
        if e.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::create_dir_all(&target).expect("dir");
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), &target).expect("copy");
        }
    }
}

/// Asserts that no byte of the output is a control character other than a line break (so no
/// escape sequence reaches a terminal, and each concise line is one finding).
fn assert_terminal_safe(what: &str, out: &[u8]) {
    let text = std::str::from_utf8(out).unwrap_or_else(|_| panic!("{what}: output is not UTF-8"));
    let bad: Vec<char> = text.chars().filter(|c| c.is_control() && *c != '\n').collect();
    assert!(bad.is_empty(), "{what}: control characters {bad:?} in output");
    assert!(!text.contains('\u{202e}'), "{what}: a bidirectional override in output");
}

#[test]
fn the_bad_input_corpus_gives_its_findings_within_the_bound() {
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/bad-input");
    let readme = std::fs::read_to_string(fixture.join("README.md")).expect("README");
    let (before, after) = readme.split_once("## Expected findings").expect("an Expected findings section");
    let built = before.split_once("## Built at run time").map(|(_, b)| b).expect("a Built at run time section");
    let mut want: Vec<(String, String)> = listed(after);
    want.extend(listed(built));

    let base = tmp("bad-input");
    let root = base.join("repo");
    let outside = base.join("outside");
    std::fs::create_dir_all(&root).expect("root");
    copy_dir(&fixture, &root);
    // Outside the root: a marker file, a FIFO, a directory with a FIFO crontab, and a FIFO
    // `.gitignore` above the root. Reading any of the FIFOs would hang the run.
    write(&outside.join("secret.env"), format!("TOKEN={OUTSIDE_MARKER}\n").as_bytes());
    write(&outside.join("Dockerfile"), format!("FROM {OUTSIDE_MARKER}\n").as_bytes());
    mkfifo(&outside.join("pipe"));
    mkfifo(&outside.join("deploy/crontab"));
    mkfifo(&base.join(".gitignore"));

    mkfifo(&root.join("fifo/.env"));
    mkfifo(&root.join("fifo/Dockerfile"));
    mkfifo(&root.join("fifo/.gitignore"));
    std::fs::create_dir_all(root.join("socket")).expect("dir");
    let _socket = std::os::unix::net::UnixListener::bind(root.join("socket/compose.yml")).expect("socket");
    std::fs::create_dir_all(root.join("loop")).expect("dir");
    std::os::unix::fs::symlink("x", root.join("loop/Dockerfile")).expect("symlink");
    std::os::unix::fs::symlink("Dockerfile", root.join("loop/x")).expect("symlink");
    std::fs::create_dir_all(root.join("outside")).expect("dir");
    std::os::unix::fs::symlink(outside.join("secret.env"), root.join("outside/.env")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("pipe"), root.join("outside/Dockerfile")).expect("symlink");
    std::os::unix::fs::symlink(outside.join("deploy"), root.join("outside/deploy")).expect("symlink");
    let binary = b"\x7fELF\0\0binary";
    for name in [&b"new\nline"[..], b"esc\x1b[2J", b"bad\xff", "rtl\u{202e}".as_bytes()] {
        write(&root.join("names").join(std::ffi::OsStr::from_bytes(name)).join("Dockerfile"), binary);
    }
    // A `<<:` merge of 100,000 inline keys.
    let keys: Vec<String> = (0..100_000).map(|i| format!("k{i}: v")).collect();
    write(
        &root.join("merge/compose.yml"),
        format!("services:\n  api:\n    image: alpine\n    <<: {{{}}}\n", keys.join(", ")).as_bytes(),
    );
    // `make build` with 20,000 prerequisites among 20,000 rules.
    let mut mk = format!(
        "build: {}\n\tcp run.sh /out/build\n",
        (0..20_000).map(|j| format!("in{j}.txt")).collect::<Vec<_>>().join(" ")
    );
    for r in 0..20_000 {
        mk.push_str(&format!("r{r}:\n\tcp run.sh /out/r{r}\n"));
    }
    write(&root.join("make-prereqs/Makefile"), mk.as_bytes());
    write(&root.join("make-prereqs/Dockerfile"), b"FROM alpine\nWORKDIR /src\nCOPY . .\nRUN make build\n");
    // A character device (like /dev/null) named like a crontab: only root may make one.
    std::fs::create_dir_all(root.join("device")).expect("dir");
    let device = Command::new("mknod")
        .arg(root.join("device/crontab"))
        .args(["c", "1", "3"])
        .status()
        .is_ok_and(|s| s.success());
    if device {
        want.push(("DPL003".into(), "device/crontab".into()));
    }
    write(&root.join("perm/.env"), b"KEY=1\n");
    write(&root.join("perm/locked/Dockerfile"), b"FROM alpine\n");
    chmod(&root.join("perm/.env"), 0o000);
    chmod(&root.join("perm/locked"), 0o000);
    let as_nobody = match permissions_apply() {
        Some(n) => n,
        None => {
            eprintln!(
                "running as root, and `nobody` cannot run deploylint here (no setpriv, or the checkout is closed to \
                 it): permission bits do not apply, perm/ cases left out"
            );
            want.retain(|(_, p)| !p.starts_with("perm/"));
            false
        }
    };
    want.sort();

    let mut outputs = Vec::new();
    for format in ["json", "concise", "human"] {
        let r = run(&[root.as_os_str(), os("--format"), os(format)], as_nobody);
        assert_eq!(r.code, 1, "{format}: exit status (DPL001 errors are in the corpus)\n{}", r.stderr);
        outputs.push((format, r));
    }
    let m = run(&[os("model"), root.as_os_str()], as_nobody);
    assert_eq!(m.code, 0, "model: {}", m.stderr);
    make_writable(&root);

    let json = outputs.first().map(|(_, r)| r.text()).unwrap_or_default();
    assert_eq!(findings(&json), want);
    let concise = outputs.get(1).map(|(_, r)| r.text()).unwrap_or_default();
    assert_eq!(concise.lines().count(), want.len(), "one concise line per finding:\n{concise}");
    // Past their bounds, values are unknown: the stages say why, and no check guessed.
    let model = m.text();
    for reason in [
        "WORKDIR `/srv/$A13` uses a variable deploylint cannot resolve",
        "a recipe line of `make build` deploylint cannot expand",
        "a recipe line of `make tool` deploylint cannot expand",
        "RUN commands past the 10000 deploylint follows in one image",
    ] {
        assert!(model.contains(reason), "the model does not say `{reason}`");
    }
    for (format, r) in outputs.iter().chain(std::iter::once(&("model", m))) {
        assert_terminal_safe(format, &r.stdout);
        assert!(!r.text().contains(OUTSIDE_MARKER), "{format}: a file outside the root was read");
    }
}

#[test]
fn an_unreadable_directory_is_dpl003_and_an_unreadable_root_exits_2() {
    let Some(as_nobody) = permissions_apply() else {
        // Root bypasses permission bits and cannot run deploylint as `nobody` here: the
        // walker-error path is covered by `discover::tests::walker_errors_are_skips_or_the_root_error`.
        eprintln!("skipped: running as root, and `nobody` cannot run deploylint here: permission bits do not apply");
        return;
    };
    let root = tmp("unreadable").join("repo");
    write(&root.join("ok/Dockerfile"), b"FROM alpine\n");
    write(&root.join("secret/Dockerfile"), b"FROM alpine\n");
    open_to_all(&root);
    chmod(&root.join("secret"), 0o000);
    let r = run(&[root.as_os_str(), os("--format"), os("json")], as_nobody);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(findings(&r.text()), vec![("DPL003".to_string(), "secret".to_string())]);
    assert!(r.text().contains("cannot be listed (permission denied)"), "{}", r.text());

    chmod(&root, 0o000);
    for args in [vec![root.as_os_str()], vec![os("model"), root.as_os_str()]] {
        let r = run(&args, as_nobody);
        assert_eq!(r.code, 2, "an unreadable root must not pass: {}", r.text());
        assert!(r.stderr.contains("cannot read") && r.stderr.contains("nothing was checked"), "{}", r.stderr);
        assert!(r.stdout.is_empty(), "{}", r.text());
    }
    chmod(&root, 0o755);
    make_writable(&root);
}

#[test]
fn a_config_that_cannot_be_read_exits_2_without_waiting() {
    let root = tmp("config-fifo");
    mkfifo(&root.join("deploylint.toml"));
    let r = run(&[root.as_os_str()], false);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("not a regular file"), "{}", r.stderr);
}

#[test]
fn paths_are_escaped_in_every_format() {
    let root = tmp("names").join("repo");
    let names: [&[u8]; 4] = [b"a\nb", b"c\x1b]0;title\x07d", b"e\xfe\xff", b"tab\tx"];
    for n in names {
        write(&root.join(std::ffi::OsStr::from_bytes(n)).join("Dockerfile"), b"\0binary");
    }
    let want = ["a\\nb/Dockerfile", "c\\x1b]0;title\\x07d/Dockerfile", "e\\xfe\\xff/Dockerfile", "tab\\tx/Dockerfile"];
    let json = run(&[root.as_os_str(), os("--format"), os("json")], false);
    let mut got: Vec<String> = findings(&json.text()).into_iter().map(|(_, p)| p).collect();
    got.sort();
    let mut sorted = want.to_vec();
    sorted.sort();
    assert_eq!(got, sorted);
    for format in ["concise", "human", "json"] {
        let r = run(&[root.as_os_str(), os("--format"), os(format)], false);
        assert_terminal_safe(format, &r.stdout);
        if format == "concise" {
            let lines: Vec<String> = r.text().lines().map(str::to_string).collect();
            assert_eq!(lines.len(), 4, "{}", r.text());
            for w in want {
                assert!(lines.iter().any(|l| l.starts_with(&format!("{w}:1:1: info[DPL003]"))), "{w} in {lines:?}");
            }
        }
    }
    // A root whose name holds an escape sequence is escaped in the error too.
    let missing = root.join(std::ffi::OsStr::from_bytes(b"gone\x1b[2J"));
    let r = run(&[missing.as_os_str()], false);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("gone\\x1b[2J") && !r.stderr.contains('\u{1b}'), "{}", r.stderr);
}

#[test]
fn file_text_in_snippets_and_messages_cannot_drive_the_terminal() {
    let root = tmp("content-escapes");
    write(&root.join("compose.yml"), b"services:\n  api: [\x1b[31m\xc2\x9b2J\n");
    write(
        &root.join("Dockerfile"),
        b"FROM golang AS build\nRUN go build -o /out/api ./cmd/api\x1b[2J\nFROM alpine\nCOPY --from=build /out/api /app/api\n",
    );
    write(&root.join("go.mod"), b"module example.com/x\n\ngo 1.22\n");
    write(&root.join("cmd/api/main.go"), b"package main\n\nfunc main() {}\n");
    for format in ["human", "concise", "json"] {
        let r = run(&[root.as_os_str(), os("--format"), os(format)], false);
        assert!(r.code == 1, "{format}: {}", r.stderr);
        assert_terminal_safe(format, &r.stdout);
    }
}
