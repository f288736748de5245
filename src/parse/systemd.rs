//! systemd unit files: the values of their `Key=` lines, as written.

/// The values of `Key=` lines of a unit file, with their offsets. A line ending in `\\` is
/// continued on the next one: the value runs on to the end of the last line it continues to,
/// as it is written (the shell tokenizer reads `\\` + line break as a continuation, so the
/// words keep their places). Comment lines inside a continued value are left as written.
pub fn directives<'t>(text: &'t str, key: &str) -> Vec<(&'t str, usize)> {
    let mut out = Vec::new();
    let mut lines = text.split_inclusive('\n').scan(0, |at, line| {
        let start = *at;
        *at += line.len();
        Some((start, line))
    });
    while let Some((start, line)) = lines.next() {
        let body = line.trim_end_matches(['\n', '\r']);
        let Some(rest) = body.trim_start().strip_prefix(key) else { continue };
        let Some(value) = rest.trim_start().strip_prefix('=') else { continue };
        let value = value.trim();
        if value.is_empty() {
            continue;
        }
        let mut vend = start + body.trim_end().len();
        let vstart = vend - value.len();
        let mut continued = value.ends_with('\\');
        while continued {
            let Some((next_start, next)) = lines.next() else { break };
            let next_body = next.trim_end_matches(['\n', '\r']).trim_end();
            vend = next_start + next_body.len();
            continued = next_body.ends_with('\\');
        }
        // A value left continued at the end of the file ends with its backslash.
        let Some(value) = text.get(vstart..vend).map(|v| v.trim_end_matches('\\').trim_end()) else { continue };
        if !value.is_empty() {
            out.push((value, vstart));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn continued_and_odd_lines() {
        // A continuation left open at the end of the file, and a key that only starts alike.
        assert_eq!(directives("ExecStart=/bin/a \\", "ExecStart"), vec![("/bin/a", 10)]);
        assert!(directives("ExecStartPre=/bin/a\n", "ExecStart").is_empty());
        // CRLF lines and a value in another script.
        assert_eq!(directives("ExecStart=/bin/é \\\r\n  x\r\n", "ExecStart"), vec![("/bin/é \\\r\n  x", 10)]);
    }
}
