//! What of a file, a message or the model may be shown. Output goes to CI logs, which are often
//! public: what could be a secret is masked with `*`, byte for byte (line breaks kept), so
//! offsets, lines and spans stay valid.
//!
//! - An env file shows the key names of its well-formed assignments and nothing else
//!   ([`envfile::mask`]): values, comments, malformed lines and bare words are masked.
//! - A compose file's `environment:` values are masked, list and map forms, as the parser reads
//!   them (anchors and merges included) and, for a file it cannot read, as its lines look.
//! - A crontab's environment lines (`KEY=value`) and the assignments before a command
//!   (`PGPASSWORD=… pg_dump`) are masked, in crontab files and in runbooks' crontab blocks.
//! - In every file but env files (which show nothing of their values anyway), the value of a
//!   name that [looks secret](secret_name) is masked wherever it is assigned: `NAME=value`
//!   (shell, `ENV`, `ARG`, `--name=value` flags), `NAME: value` (YAML, JSON), `ENV NAME value`,
//!   and the password of a URL (`scheme://user:password@host`).
//!
//! Messages and the model's strings go through the last rule too ([`scrub`]). Characters that
//! would act on a terminal (the escape that starts a colour or cursor sequence, a lone `\r`) are
//! shown as `?`.

use crate::parse::{compose, crontab, envfile, markdown, shell};
use crate::source::{FileId, Kind};
use std::borrow::Cow;
use std::ops::Range;

pub use crate::secret::secret_name;

/// The text of a file as it may be shown.
pub fn file_text(kind: Kind, text: &str) -> String {
    if kind == Kind::EnvFile {
        return envfile::mask(text);
    }
    let mut ranges = Vec::new();
    // In source code `name: value` is a struct field or a label, not a setting.
    let code = matches!(
        kind,
        Kind::Go
            | Kind::GoMod
            | Kind::RustMain
            | Kind::Rust
            | Kind::Python
            | Kind::Js
            | Kind::PackageJson
            | Kind::CargoToml
    );
    secret_assignments(text, !code, &mut ranges);
    match kind {
        Kind::Compose => {
            compose_environment(text, &mut ranges);
            environment_blocks(text, &mut ranges);
        }
        Kind::Crontab => crontab_values(text, 0, &mut ranges),
        Kind::Markdown => {
            for b in markdown::code_blocks(text) {
                if matches!(b.lang.as_str(), "crontab" | "cron") {
                    crontab_values(text.get(b.start..b.end).unwrap_or(""), b.start, &mut ranges);
                }
            }
        }
        Kind::Dockerfile => legacy_env(text, &mut ranges),
        _ => {}
    }
    apply(text, ranges).into_owned()
}

/// A message, a label or a string of the model as it may be shown.
pub fn scrub(text: &str) -> Cow<'_, str> {
    let mut ranges = Vec::new();
    secret_assignments(text, true, &mut ranges);
    apply(text, ranges)
}

/// Whether a character would act on a terminal rather than show: control characters other than
/// tab and line breaks (an escape sequence starts with one), and a `\r` not before a `\n`.
fn acts_on_terminal(c: char, next: Option<char>) -> bool {
    c.is_control() && !matches!(c, '\n' | '\t') && !(c == '\r' && next == Some('\n'))
}

/// Replaces every character that meets a range by one `*` per byte, except line breaks, and
/// every character that would act on a terminal by one `?` per byte.
fn apply(text: &str, mut ranges: Vec<Range<usize>>) -> Cow<'_, str> {
    ranges.retain(|r| r.start < r.end);
    let controls = text.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\t'));
    if ranges.is_empty() && !controls {
        return Cow::Borrowed(text);
    }
    ranges.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut it = merged.iter().peekable();
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        while it.next_if(|r| r.end <= i).is_some() {}
        let next = chars.peek().map(|(_, n)| *n);
        if acts_on_terminal(c, next) {
            out.extend(std::iter::repeat_n('?', c.len_utf8()));
        } else if it.peek().is_some_and(|r| r.start < i + c.len_utf8()) && !matches!(c, '\n' | '\r') {
            out.extend(std::iter::repeat_n('*', c.len_utf8()));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// Where the value of a `NAME=value` starting at `from` ends: a shell word (quotes kept
/// together), or up to the closing `quote` when the whole assignment is quoted
/// (`"PASSWORD=a b"`); never past the line.
fn word_end(bytes: &[u8], from: usize, quote: Option<u8>) -> usize {
    let mut p = from;
    if let Some(q) = quote {
        while p < bytes.len() && bytes[p] != q && bytes[p] != b'\n' {
            p += 1;
        }
        return p;
    }
    let mut open: Option<u8> = None;
    while p < bytes.len() {
        let c = bytes[p];
        if c == b'\n' {
            break;
        }
        match open {
            Some(q) if c == q => open = None,
            Some(b'"') if c == b'\\' => p += 1,
            Some(_) => {}
            None => match c {
                b'\'' | b'"' => open = Some(c),
                b' ' | b'\t' | b'\r' | b';' | b'&' | b'|' | b'<' | b'>' | b'`' | b')' => break,
                b'\\' if bytes.get(p + 1).is_some_and(|n| *n == b'\n' || *n == b'\r') => break,
                b'\\' => p += 1,
                _ => {}
            },
        }
        p += 1;
    }
    p.min(bytes.len())
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes.get(from..).and_then(|r| r.iter().position(|&b| b == b'\n')).map_or(bytes.len(), |p| from + p)
}

fn indent_of(bytes: &[u8], line_start: usize) -> usize {
    bytes.get(line_start..).map_or(0, |r| r.iter().take_while(|b| **b == b' ' || **b == b'\t').count())
}

/// The values of secret-shaped names (`NAME=value`, and with `colon` `NAME: value` and
/// `"NAME": value`) and the passwords of URLs, anywhere in a text. One pass; each byte is
/// looked at a bounded number of times.
fn secret_assignments(text: &str, colon: bool, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        if b == b':' && bytes.get(i + 1..i + 3) == Some(b"//") {
            url_password(bytes, i + 3, out);
            i += 3;
            continue;
        }
        if !is_name_byte(b) || (i > 0 && is_name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < n && is_name_byte(bytes[i]) {
            i += 1;
        }
        let opening = start.checked_sub(1).and_then(|p| bytes.get(p)).copied().filter(|q| *q == b'"' || *q == b'\'');
        let mut j = i;
        let closed_name = opening.is_some_and(|q| bytes.get(j) == Some(&q));
        if closed_name {
            j += 1;
        }
        let Some(name) = text.get(start..i) else {
            continue;
        };
        match bytes.get(j) {
            Some(b'=') if !closed_name && secret_name(name) => {
                let end = word_end(bytes, j + 1, opening);
                out.push(j + 1..end);
                i = end.max(i);
            }
            Some(b':')
                if colon
                    && (closed_name || bytes.get(j + 1).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\r' | b'\n')))
                    && secret_name(name) =>
            {
                i = yaml_value(bytes, j + 1, start, out).max(i);
            }
            _ => {}
        }
    }
}

/// The value after `NAME:` at `from`: the rest of the line, or the lines of a block scalar
/// (`|`, `>`) indented more than the line of the name. Returns where scanning goes on.
fn yaml_value(bytes: &[u8], from: usize, name_at: usize, out: &mut Vec<Range<usize>>) -> usize {
    let eol = line_end(bytes, from);
    let value = bytes.get(from..eol).unwrap_or(&[]);
    let lead = value.iter().take_while(|b| **b == b' ' || **b == b'\t').count();
    let rest = &value[lead..];
    if rest.is_empty() || rest == b"\r" {
        return eol;
    }
    out.push(from + lead..eol);
    if !matches!(rest.first(), Some(b'|' | b'>')) {
        return eol;
    }
    let line_start = bytes[..name_at].iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
    let base = indent_of(bytes, line_start);
    let mut at = eol + 1;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = &bytes[at..end];
        let blank = line.iter().all(|b| b.is_ascii_whitespace());
        if !blank && indent_of(bytes, at) <= base {
            break;
        }
        out.push(at..end);
        at = end + 1;
    }
    at.min(bytes.len())
}

/// The password of `scheme://user:password@host` (the authority is scanned from `from`).
fn url_password(bytes: &[u8], from: usize, out: &mut Vec<Range<usize>>) {
    let mut colon = None;
    for (k, &b) in bytes.iter().enumerate().skip(from).take(512) {
        match b {
            b'@' => {
                if let Some(c) = colon {
                    out.push(c + 1..k);
                }
                return;
            }
            b':' if colon.is_none() => colon = Some(k),
            b'/' | b'?' | b'#' | b' ' | b'\t' | b'\r' | b'\n' | b'"' | b'\'' | b'`' | b'<' | b'>' => return,
            _ => {}
        }
    }
}

/// Values of `environment:` as the compose parser reads them (aliases point at their anchor).
fn compose_environment(text: &str, out: &mut Vec<Range<usize>>) {
    let Ok(c) = compose::parse(FileId(0), text) else {
        return;
    };
    for s in &c.services {
        out.extend(s.environment.iter().filter_map(|e| e.value).map(|v| v.start..v.end));
    }
}

/// Values of `environment:` blocks as the lines look: in a file the YAML parser rejects, this
/// is what keeps them masked. Every line indented under `environment:` (or a list item at its
/// indentation) has its value masked: after `=` in a list item, after `: ` in a mapping, the
/// whole line otherwise; a value on the `environment:` line itself is masked whole.
fn environment_blocks(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut block: Option<usize> = None;
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let indent = indent_of(bytes, at);
        let content_at = at + indent;
        let content = text.get(content_at..end).unwrap_or("").trim_end();
        if let Some(base) = block {
            let item = content.starts_with("- ") || content == "-";
            if content.is_empty() || content.starts_with('#') {
                at = end + 1;
                continue;
            }
            if indent > base || (indent == base && item) {
                let body_at = if item { content_at + 1 } else { content_at };
                let body = text.get(body_at..end).unwrap_or("");
                let value_at = if item {
                    // A bare name passes the caller's value through: it is a key, shown.
                    let name = body.trim();
                    let bare = !name.is_empty()
                        && name.bytes().all(is_name_byte)
                        && !name.starts_with(|c: char| c.is_ascii_digit() || c == '-')
                        && envfile::key_is_shown(name);
                    body.find('=').map(|p| body_at + p + 1).or(bare.then_some(end))
                } else {
                    body.find(": ").map(|p| body_at + p + 2).or_else(|| body.ends_with(':').then_some(end))
                };
                out.push(value_at.unwrap_or(body_at)..end);
                at = end + 1;
                continue;
            }
            block = None;
        }
        let key = content.strip_prefix("- ").unwrap_or(content);
        let key = key.trim_start_matches(['"', '\'']);
        if let Some(rest) = key.strip_prefix("environment") {
            let rest = rest.trim_start_matches(['"', '\'']);
            if let Some(value) = rest.strip_prefix(':') {
                let value = value.trim();
                if value.is_empty() || value.starts_with('#') {
                    block = Some(indent);
                } else {
                    // `value` is a slice of `text`: its offset is where it starts.
                    let value_at = (value.as_ptr() as usize).saturating_sub(text.as_ptr() as usize);
                    out.push(value_at..end);
                }
            }
        }
        at = end + 1;
    }
}

/// Values of a crontab's environment lines, and of the assignments before its commands (read
/// both as a user crontab and as a system one, whose commands follow a user name).
fn crontab_values(text: &str, base: usize, out: &mut Vec<Range<usize>>) {
    let user = crontab::parse(FileId(0), text, base);
    let system = crontab::parse_as(FileId(0), text, base, crontab::Format::System);
    out.extend(user.env_values.iter().map(|s| s.start..s.end));
    for e in user.entries.iter().chain(&system.entries) {
        let cmd = &e.command;
        let from = cmd.span.start.saturating_sub(base);
        let Some(body) = text.get(from..from + cmd.value.len()) else {
            continue;
        };
        for sc in shell::parse(FileId(0), body, cmd.span.start) {
            for a in &sc.assignments {
                let eq = a.text.find('=').map_or(0, |p| p + 1);
                out.push((a.span.start + eq).min(a.span.end)..a.span.end);
            }
        }
    }
}

/// `ENV NAME value words` (the form without `=`) with a secret-shaped name: the rest of the
/// instruction, continuation lines included.
fn legacy_env(text: &str, out: &mut Vec<Range<usize>>) {
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let end = line_end(bytes, at);
        let line = text.get(at..end).unwrap_or("");
        let t = line.trim_start();
        let is_env = t.get(..4).is_some_and(|k| k.eq_ignore_ascii_case("env ") || k.eq_ignore_ascii_case("env\t"));
        if is_env {
            let args = t[4..].trim_start();
            let name: String = args.chars().take_while(|c| !c.is_whitespace() && *c != '=').collect();
            let after = &args[name.len()..];
            if !after.starts_with('=') && !after.trim().is_empty() && secret_name(&name) {
                let value_at = end - after.trim_start().len();
                let mut stop = end;
                let mut next = end + 1;
                while text.get(..stop).is_some_and(|s| s.trim_end().ends_with('\\')) && next < bytes.len() {
                    stop = line_end(bytes, next);
                    next = stop + 1;
                }
                out.push(value_at..stop);
                at = next;
                continue;
            }
        }
        at = end + 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_names() {
        for n in [
            "DB_PASSWORD",
            "PGPASSWORD",
            "API_KEY",
            "GITHUB_TOKEN",
            "JWT_SECRET",
            "SENTRY_DSN",
            "--password",
            "db.pass",
        ] {
            assert!(secret_name(n), "{n}");
        }
        for n in ["PATH", "LOG_LEVEL", "SHELL", "MAILTO", "PORT", "keyboard", "task"] {
            assert!(!secret_name(n), "{n}");
        }
    }

    #[test]
    fn scrub_masks_secret_assignments_and_url_passwords() {
        let s = "run PGPASSWORD=hunter2 pg_dump --token='a b' \"API_KEY=x y\" LOG=info DB_PASSWORD: swordfish\n\
                 postgres://app:letmein@db/x https://h/?access_token=zzz&v=1 {\"secret\":\"shh\"}";
        let m = scrub(s);
        assert_eq!(m.len(), s.len());
        for secret in ["hunter2", "'a b'", "x y", "swordfish", "letmein", "zzz", "shh"] {
            assert!(!m.contains(secret), "{secret}: {m}");
        }
        for kept in ["pg_dump", "LOG=info", "app:", "@db/x", "&v=1", "PGPASSWORD=", "--token="] {
            assert!(m.contains(kept), "{kept}: {m}");
        }
        assert!(matches!(scrub("nothing here"), Cow::Borrowed(_)));
    }

    #[test]
    fn terminal_controls_are_neutralised() {
        let text = "echo \u{1b}[31mred\u{1b}[0m\u{9b}x\rover\r\nok\n";
        let m = file_text(Kind::Shell, text);
        assert_eq!(m, "echo ?[31mred?[0m??x?over\r\nok\n");
        assert_eq!(m.len(), text.len());
    }

    #[test]
    fn yaml_block_scalars_are_masked() {
        let s = "x:\n  PRIVATE_KEY: |\n    line-one\n\n    line-two\n  OTHER: 1\n";
        let m = scrub(s);
        assert!(!m.contains("line-one") && !m.contains("line-two") && m.contains("OTHER: 1"), "{m}");
    }

    #[test]
    fn compose_environment_is_masked_even_when_the_file_is_broken() {
        let good = "x-env: &env\n  FROM_ANCHOR: anchored-v\nservices:\n  app:\n    image: a\n    environment:\n      <<: *env\n      PLAIN: plain-v\n      QUOTED: \"quoted v\"\n  b:\n    image: b\n    environment:\n    - LIST=list-v\n    - \"QLIST=qlist v\"\n    - PASS_THROUGH\n  c:\n    environment: {FLOW: flow-v}\n";
        let broken = format!("{good}  d: [\n");
        for text in [good.to_string(), broken] {
            let m = file_text(Kind::Compose, &text);
            assert_eq!(m.len(), text.len());
            for v in ["plain-v", "quoted v", "list-v", "qlist v", "flow-v"] {
                assert!(!m.contains(v), "{v}: {m}");
            }
            assert!(m.contains("PLAIN: ") && m.contains("- LIST=") && m.contains("PASS_THROUGH"), "{m}");
        }
        // Through the anchor, only the parser knows.
        assert!(!file_text(Kind::Compose, good).contains("anchored-v"));
    }

    #[test]
    fn crontab_env_lines_and_command_assignments_are_masked() {
        let text = "MAILTO=ops@example.com\nSHELL=/bin/sh\n0 2 * * * PGPASSWORD=pw-one pg_dump db && X=pw-two run\n";
        let m = file_text(Kind::Crontab, text);
        for v in ["ops@example.com", "/bin/sh", "pw-one", "pw-two"] {
            assert!(!m.contains(v), "{v}: {m}");
        }
        assert!(m.contains("0 2 * * * PGPASSWORD=") && m.contains("pg_dump db && X="), "{m}");
        let md = format!("# Runbook\n\n```crontab\n{text}```\n");
        let m = file_text(Kind::Markdown, &md);
        assert!(!m.contains("pw-two") && !m.contains("/bin/sh"), "{m}");
        let m = file_text(Kind::Crontab, "0 2 * * * app DB_URL_ONE=pw-three backup && Y=pw-four run\n");
        assert!(!m.contains("pw-three") && !m.contains("pw-four") && m.contains("0 2 * * * app DB_URL_ONE="), "{m}");
    }

    #[test]
    fn dockerfile_secret_env_and_arg_values_are_masked() {
        let text = "FROM a\nARG API_TOKEN=tok-v\nARG VERSION=1.2\nENV DB_PASSWORD=\"pw v\" MODE=prod\nENV SECRET_KEY legacy v \\\n  more\nENV LEVEL debug\n";
        let m = file_text(Kind::Dockerfile, text);
        for v in ["tok-v", "pw v", "legacy", "more"] {
            assert!(!m.contains(v), "{v}: {m}");
        }
        for kept in ["VERSION=1.2", "MODE=prod", "ENV LEVEL debug", "ENV SECRET_KEY "] {
            assert!(m.contains(kept), "{kept}: {m}");
        }
    }
}
