//! The output is a function of the repository alone: byte-identical over 20 runs, and at any
//! thread count (1 to 4, set with `--threads`/`-j` and with `RAYON_NUM_THREADS`), in every format.

use std::path::PathBuf;
use std::process::Command;

const RUNS: usize = 20;

fn output(args: &[&str], env_threads: Option<usize>) -> Vec<u8> {
    let mut c = Command::new(env!("CARGO_BIN_EXE_deploylint"));
    c.args(args).env("NO_COLOR", "1").env_remove("RAYON_NUM_THREADS");
    if let Some(n) = env_threads {
        c.env("RAYON_NUM_THREADS", n.to_string());
    }
    let out = c.output().expect("the binary runs");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

#[test]
fn output_is_byte_identical_across_runs_and_thread_counts() {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    // The incident repository, and every fixture at once (300+ files, all rules, the bad-input
    // corpus's committed cases).
    for root in [fixtures.join("vrc-shift"), fixtures.clone()] {
        let root = root.to_string_lossy().into_owned();
        for format in ["human", "concise", "json", "model"] {
            let mut first: Option<Vec<u8>> = None;
            for i in 0..RUNS {
                let threads = 1 + i % 4;
                let n = threads.to_string();
                // Alternate the three ways of setting the count.
                let (flag, env) = match i % 3 {
                    0 => (vec!["--threads", n.as_str()], None),
                    1 => (vec!["-j", n.as_str()], None),
                    _ => (Vec::new(), Some(threads)),
                };
                let mut args: Vec<&str> = Vec::new();
                if format == "model" {
                    args.push("model");
                    args.extend(&flag);
                    args.push(&root);
                } else {
                    args.extend(&flag);
                    args.extend(["--format", format, root.as_str()]);
                }
                let out = output(&args, env);
                assert!(!out.is_empty(), "{args:?}: no output");
                match &first {
                    None => first = Some(out),
                    Some(f) => assert!(
                        *f == out,
                        "{format} output of `{root}` differs on run {i} ({threads} threads):\n{}",
                        String::from_utf8_lossy(&out)
                    ),
                }
            }
        }
    }
}
