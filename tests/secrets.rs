//! No output, in any format, ever contains a value read from an env file.

use std::path::{Path, PathBuf};
use std::process::Command;

const SECRETS: &[&str] = &[
    "sk_live_FAKE_9f8e7d6c5b4a",
    "hunter2-FAKE-PASSWORD",
    "multi-line-FAKE-secret",
    "second-line-FAKE",
    "BROKEN-LINE-FAKE-VALUE",
    "unterminated-FAKE-value",
];

fn write(path: &Path, text: &str) {
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("dir");
    }
    std::fs::write(path, text).expect("write");
}

fn repo() -> PathBuf {
    let d = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("secrets-repo");
    let _ = std::fs::remove_dir_all(&d);
    write(&d.join(".gitignore"), ".env.prod\n");
    // Each line is built so that the value sits in a DPL001 snippet or next to a finding.
    write(
        &d.join(".env.prod"),
        &format!(
            "STRIPE_SECRET_KEY={}\nexport DB_PASSWORD='{}'\nCERT=\"{}\n{}\"\nBAD KEY={}\nTRAILING=\"{}\n",
            SECRETS[0], SECRETS[1], SECRETS[2], SECRETS[3], SECRETS[4], SECRETS[5]
        ),
    );
    write(&d.join("go.mod"), "module example.com/app\n\ngo 1.22\n");
    write(
        &d.join("cmd/server/main.go"),
        "package main\n\nimport \"os\"\n\nfunc main() {\n\tprintln(os.Getenv(\"STRIPE_SECRET_KEY\"), os.Getenv(\"MISSING_KEY\"))\n}\n",
    );
    write(
        &d.join("Dockerfile"),
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nFROM alpine\nCOPY --from=build /out/server /app/server\nCMD [\"/app/server\"]\n",
    );
    write(&d.join("docker-compose.yml"), "services:\n  app:\n    build: .\n    env_file: .env.prod\n");
    d
}

#[test]
fn no_format_prints_an_env_value() {
    let dir = repo();
    let runs: Vec<Vec<&str>> =
        vec![vec!["--format", "human"], vec!["--format", "concise"], vec!["--format", "json"], vec!["model"]];
    let mut saw_env_finding = false;
    for args in runs {
        let mut c = Command::new(env!("CARGO_BIN_EXE_deploylint"));
        if args[0] == "model" {
            c.arg("model").arg(&dir);
        } else {
            c.arg(&dir).args(&args);
        }
        let out = c.env("NO_COLOR", "1").output().expect("runs");
        let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
        for s in SECRETS {
            assert!(!text.contains(s), "{args:?} printed a secret value `{s}`:\n{text}");
        }
        saw_env_finding |= text.contains(".env.prod");
        if args == ["--format", "human"] {
            // The env file was shown, masked.
            assert!(text.contains("STRIPE_SECRET_KEY=*") || text.contains("TRAILING=*"), "{text}");
        }
    }
    assert!(saw_env_finding, "the test must make deploylint show the env file");
}
