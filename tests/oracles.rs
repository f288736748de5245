//! Our parsers against the readers the real tools use, where they are installed (each test
//! passes with a note when its reader is absent; CI installs them): PyYAML (compose v1's YAML
//! reader, libyaml's rules) for YAML, and BuildKit's own Dockerfile parser (the PyPI package
//! `dockerfile`, its Go parser) for the flags of each instruction.

use deploylint::parse::{dockerfile, yaml};
use deploylint::source::FileId;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Files under `fixtures/` whose name `keep` accepts, with their text. `fixtures/bad-input` is
/// left out: its inputs test bounds, where the readers differ on purpose (PyYAML shares aliased
/// nodes and reads a billion-laughs file; compose v2's go-yaml refuses excessive aliasing, as we
/// do).
fn fixture_files(keep: &dyn Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root().join("fixtures")];
    while let Some(dir) = stack.pop() {
        if dir.ends_with("bad-input") {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else { continue };
        for e in entries.flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&e.file_name().to_string_lossy()) {
                if let Ok(text) = std::fs::read_to_string(&path) {
                    out.push((path.strip_prefix(root()).unwrap_or(&path).display().to_string(), text));
                }
            }
        }
    }
    out.sort();
    out
}

/// Runs a Python program with `texts` as JSON on stdin; `None` when Python or the module is
/// not there.
fn python(module: &str, program: &str, texts: &[&str]) -> Option<serde_json::Value> {
    let probe = Command::new("python3").args(["-c", &format!("import {module}")]).output().ok()?;
    if !probe.status.success() {
        eprintln!("note: python3 module `{module}` is not installed; oracle skipped");
        return None;
    }
    let mut child =
        Command::new("python3").args(["-c", program]).stdin(Stdio::piped()).stdout(Stdio::piped()).spawn().ok()?;
    let input = serde_json::to_string(texts).ok()?;
    child.stdin.take()?.write_all(input.as_bytes()).ok()?;
    let out = child.wait_with_output().ok()?;
    assert!(out.status.success(), "the oracle program failed");
    serde_json::from_slice(&out.stdout).ok()
}

const YAML_PROBES: &[&str] = &[
    "services:\n  app:\n    command: [\n      \"sh\",\n      \"-c\"\n    ]\n",
    "services:\n  app:\n    environment: {\n  A: \"1\"\n    }\n",
    "a:\n  - [ 1,\n 2 ]\n  - {\n k: v }\n",
    "a: &x [\n 1, [2,\n3]\n]\nb: *x\n",
    "---\nx: 1\n---\ny: [\n1]\n",
    "services:\n  app:\n    command: [\n      \"a\",\n",
    "a:\n  b: |\n    text\n]\n",
    "a:\n  b: [\n  1\n  ]\n  c: x: y\n",
    "services:\n  app:\n    image: alpine: 3.19\n",
    "a: [1, 2\nb: 3\n",
    "s:\n  c: [\n\"x\", # ] here\n'it''s ]',\n]\n  d: 1\n",
    "s:\n  c: {\nk: [1,\n2],\n}\n  d: 1\n",
];

/// Our YAML verdict (accept or refuse) is PyYAML's, on every fixture YAML file and the probes
/// (duplicate keys aside: PyYAML keeps the last, the compose v2 reader refuses them, as we do).
#[test]
fn yaml_verdicts_agree_with_pyyaml() {
    let files = fixture_files(&|n| n.ends_with(".yml") || n.ends_with(".yaml"));
    let mut texts: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    texts.extend(YAML_PROBES.iter().map(|t| ("probe", *t)));
    let program = "import json, sys, yaml\nout = []\nfor t in json.load(sys.stdin):\n    try:\n        list(yaml.safe_load_all(t)); out.append(True)\n    except (yaml.YAMLError, RecursionError):\n        out.append(False)\nprint(json.dumps(out))\n";
    let Some(verdicts) = python("yaml", program, &texts.iter().map(|(_, t)| *t).collect::<Vec<_>>()) else {
        return;
    };
    let mut disagree = Vec::new();
    for ((name, text), theirs) in texts.iter().zip(verdicts.as_array().into_iter().flatten()) {
        let ours = yaml::parse(FileId(0), text).is_ok();
        if Some(ours) != theirs.as_bool() {
            disagree.push(format!("{name}: ours {ours}, PyYAML {theirs}\n{text}"));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n---\n"));
}

const DOCKERFILE_PROBES: &[&str] = &[
    "FROM a\nCOPY --frm=x a b\n",
    "FROM a\nRUN --foo echo\n",
    "FROM --platform=$BUILDPLATFORM a AS b\nCOPY --link --chmod=755 --from=b /a /b\nRUN --mount=type=cache,target=/c --network=none true\n",
    "FROM a\nADD --keep-git-dir=true --checksum=sha256:0 --unpack x y\n",
    "FROM a\nHEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD true\n",
    "FROM a\nHEALTHCHECK --intervall=30s CMD true\n",
    "FROM a\nENTRYPOINT []\nCMD [\"x\"]\n",
    "FROM a\nENTRYPOINT [ ]\n",
];

/// BuildKit's parser splits each instruction into flags and arguments. Every flag it finds that
/// BuildKit's instruction does not know is a DPL001 of ours naming that flag, and every flag we
/// call unknown is one it found; what its parser refuses, we refuse or do not follow; an
/// `ENTRYPOINT []` it reads as an empty list is an empty entrypoint of ours.
#[test]
fn dockerfile_flags_agree_with_buildkits_parser() {
    let files = fixture_files(&|n| n == "Dockerfile" || n.starts_with("Dockerfile.") || n.ends_with(".Dockerfile"));
    let files: Vec<_> = files
        .into_iter()
        .filter(|(p, _)| {
            deploylint::discover::classify(Path::new(p).file_name().map_or("", |n| n.to_str().unwrap_or(""))).is_some()
        })
        .collect();
    let mut texts: Vec<(&str, &str)> = files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect();
    texts.extend(DOCKERFILE_PROBES.iter().map(|t| ("probe", *t)));
    let program = "import json, sys, dockerfile\nout = []\nfor t in json.load(sys.stdin):\n    try:\n        out.append([[c.cmd.upper(), [f.split('=', 1)[0].lstrip('-') for f in c.flags], c.json, list(c.value)] for c in dockerfile.parse_string(t)])\n    except dockerfile.GoParseError:\n        out.append(None)\nprint(json.dumps(out))\n";
    let Some(parsed) = python("dockerfile", program, &texts.iter().map(|(_, t)| *t).collect::<Vec<_>>()) else {
        return;
    };
    let known: &[(&str, &[&str])] = &[
        ("FROM", &["platform"]),
        ("RUN", &["mount", "network", "security", "device"]),
        ("COPY", &["from", "chown", "chmod", "link", "parents", "exclude"]),
        ("ADD", &["chown", "chmod", "link", "keep-git-dir", "checksum", "exclude", "parents", "unpack"]),
        ("HEALTHCHECK", &["interval", "timeout", "start-period", "start-interval", "retries"]),
    ];
    let mut failures = Vec::new();
    for ((name, text), theirs) in texts.iter().zip(parsed.as_array().into_iter().flatten()) {
        let ours = dockerfile::parse(FileId(0), text);
        let Some(instructions) = theirs.as_array() else {
            if ours.is_ok() {
                failures.push(format!("{name}: BuildKit's parser refuses it, we accept it"));
            }
            continue;
        };
        let our_unknown = match &ours {
            Err(dockerfile::Trouble::Invalid(e)) if e.message.starts_with("unknown flag") => {
                e.message.split('`').nth(1).map(|f| f.trim_start_matches('-').to_string())
            }
            _ => None,
        };
        let mut their_unknown = Vec::new();
        let mut their_flags = Vec::new();
        for ins in instructions {
            let cmd = ins[0].as_str().unwrap_or("");
            let flags: Vec<&str> = ins[1].as_array().into_iter().flatten().filter_map(|f| f.as_str()).collect();
            their_flags.extend(flags.iter().map(|f| f.to_string()));
            if let Some((_, names)) = known.iter().find(|(c, _)| *c == cmd) {
                their_unknown.extend(flags.iter().filter(|f| !names.contains(f)).map(|f| f.to_string()));
            }
            let empty_json = ins[2].as_bool() == Some(true) && ins[3].as_array().is_some_and(|v| v.is_empty());
            if cmd == "ENTRYPOINT" && empty_json {
                let empty_ours = ours.as_ref().is_ok_and(|d| {
                    d.stages
                        .iter()
                        .flat_map(|s| &s.instrs)
                        .any(|i| matches!(i, dockerfile::Instr::Entrypoint(e) if e.words.is_empty()))
                });
                if !empty_ours {
                    failures.push(format!("{name}: `ENTRYPOINT []` is not an empty entrypoint of ours"));
                }
            }
        }
        match (&our_unknown, their_unknown.first()) {
            (Some(f), _) if !their_flags.contains(f) => {
                failures.push(format!("{name}: we call `--{f}` unknown; BuildKit's parser saw flags {their_flags:?}"));
            }
            (None, Some(f)) => {
                failures.push(format!("{name}: BuildKit's instruction does not know `--{f}`; we said nothing"))
            }
            _ => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
