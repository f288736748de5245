//! Shell command lines: a tokenizer that knows quotes, escapes, line continuations, comments,
//! `$(…)`, redirections, heredocs and the control operators, and splits a script into simple
//! commands with the span of every word. Commands run remotely (`ssh host "…"`) are parsed
//! inside their quotes too. Only syntax: what a command means is decided by the model.

use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word after quote removal (`$VAR` left as written).
    pub text: String,
    /// The raw word in the file.
    pub span: Span,
    /// When the whole word is one quoted string: the raw text between the quotes.
    pub quoted_inner: Option<Span>,
    /// Whether `text` is written as is in the file, at `quoted_inner` (else at `span`): nothing
    /// was removed (quotes, escapes, line continuations) and the text was read from the file.
    pub verbatim: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Redirect {
    pub op: String,
    pub target: Word,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimpleCommand {
    /// `NAME=value` words before the command name.
    pub assignments: Vec<Word>,
    /// The command name and its arguments.
    pub words: Vec<Word>,
    pub redirects: Vec<Redirect>,
    /// From the first to the last word.
    pub span: Span,
    /// Parsed from inside `ssh host "…"`.
    pub remote: bool,
    /// What the command prints is read by another: it feeds a pipe (`ssh … | grep`), or runs
    /// in a command substitution (`$(ssh …)`) and does not redirect its output.
    pub output_used: bool,
}

impl SimpleCommand {
    pub fn argv(&self) -> impl Iterator<Item = &str> {
        self.words.iter().map(|w| w.text.as_str())
    }
}

#[derive(Debug, PartialEq)]
enum Tok {
    Word(Word),
    /// `;`, newline, `&&`, `||`, `&`, `(`, `)`.
    Sep,
    /// `|` or `|&`: the command before feeds the one after.
    Pipe,
    Redir(String),
}

struct Lexer<'a> {
    file: FileId,
    text: &'a str,
    bytes: &'a [u8],
    base: usize,
    pos: usize,
    pending_heredocs: Vec<(String, bool)>,
    /// The text inside each `$(…)` and `` `…` `` read so far (offsets in `text`).
    substitutions: Vec<(usize, usize)>,
}

fn is_assignment(text: &str) -> bool {
    let Some(eq) = text.find('=') else {
        return false;
    };
    let name = &text[..eq];
    !name.is_empty()
        && !name.as_bytes()[0].is_ascii_digit()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl<'a> Lexer<'a> {
    fn span(&self, start: usize, end: usize) -> Span {
        Span::new(self.file, self.base + start..self.base + end)
    }

    fn peek(&self, k: usize) -> Option<u8> {
        self.bytes.get(self.pos + k).copied()
    }

    /// Skips the bodies of heredocs announced on the line that just ended.
    fn skip_heredoc_bodies(&mut self) {
        for (delim, strip_tabs) in std::mem::take(&mut self.pending_heredocs) {
            loop {
                if self.pos >= self.bytes.len() {
                    return;
                }
                let end =
                    self.bytes[self.pos..].iter().position(|&b| b == b'\n').map_or(self.bytes.len(), |p| self.pos + p);
                let line = self.text.get(self.pos..end).unwrap_or("").trim_end_matches('\r');
                let line = if strip_tabs { line.trim_start_matches('\t') } else { line };
                self.pos = (end + 1).min(self.bytes.len());
                if line == delim {
                    break;
                }
            }
        }
    }

    fn next(&mut self) -> Option<Tok> {
        loop {
            let b = self.peek(0)?;
            match b {
                b' ' | b'\t' | b'\r' => self.pos += 1,
                b'\\' if self.peek(1) == Some(b'\n') => self.pos += 2,
                b'\\' if self.peek(1) == Some(b'\r') && self.peek(2) == Some(b'\n') => self.pos += 3,
                b'#' => {
                    while self.peek(0).is_some_and(|b| b != b'\n') {
                        self.pos += 1;
                    }
                }
                b'\n' => {
                    self.pos += 1;
                    self.skip_heredoc_bodies();
                    return Some(Tok::Sep);
                }
                b';' | b'(' | b')' => {
                    self.pos += 1;
                    if b == b';' && self.peek(0) == Some(b';') {
                        self.pos += 1;
                    }
                    return Some(Tok::Sep);
                }
                b'&' | b'|' => {
                    if b == b'&' && self.peek(1) == Some(b'>') {
                        self.pos += 2;
                        if self.peek(0) == Some(b'>') {
                            self.pos += 1;
                        }
                        return Some(Tok::Redir("&>".into()));
                    }
                    self.pos += 1;
                    if self.peek(0) == Some(b) {
                        self.pos += 1;
                        return Some(Tok::Sep);
                    }
                    if b == b'|' {
                        if self.peek(0) == Some(b'&') {
                            self.pos += 1;
                        }
                        return Some(Tok::Pipe);
                    }
                    return Some(Tok::Sep);
                }
                b'<' | b'>' => return Some(self.redirect()),
                _ => return Some(self.word()),
            }
        }
    }

    fn redirect(&mut self) -> Tok {
        let start = self.pos;
        let b = self.bytes[self.pos];
        self.pos += 1;
        if b == b'<' && self.peek(0) == Some(b'<') && self.peek(1) != Some(b'<') {
            self.pos += 1;
            let strip = self.peek(0) == Some(b'-');
            if strip {
                self.pos += 1;
            }
            while self.peek(0).is_some_and(|b| b == b' ' || b == b'\t') {
                self.pos += 1;
            }
            if let Tok::Word(w) = self.word() {
                let delim = w.text.clone();
                if !delim.is_empty() {
                    self.pending_heredocs.push((delim, strip));
                }
            }
            return Tok::Redir("<<".into());
        }
        while self.peek(0).is_some_and(|c| matches!(c, b'>' | b'<' | b'&' | b'|')) {
            self.pos += 1;
            if self.bytes[self.pos - 1] == b'&' {
                // `>&2`, `2>&1`: the descriptor follows.
                while self.peek(0).is_some_and(|c| c.is_ascii_digit() || c == b'-') {
                    self.pos += 1;
                }
                return Tok::Redir(self.text[start..self.pos].to_string());
            }
        }
        Tok::Redir(self.text[start..self.pos].to_string())
    }

    /// Notes the command substitution whose text starts at `start` and that ends right before
    /// `end` with `close` (when it is closed; `$((…))` is arithmetic, not a command).
    fn substitution(&mut self, start: usize, end: usize, close: u8) {
        let closed = end > start && self.bytes.get(end - 1) == Some(&close);
        if closed && self.bytes.get(start) != Some(&b'(') {
            self.substitutions.push((start, end - 1));
        }
    }

    fn skip_balanced(&mut self, open: u8, close: u8) {
        let mut depth = 0usize;
        while let Some(c) = self.peek(0) {
            self.pos += 1;
            match c {
                b'\\' => self.pos = (self.pos + 1).min(self.bytes.len()),
                b'\'' => {
                    while self.peek(0).is_some_and(|c| c != b'\'') {
                        self.pos += 1;
                    }
                    self.pos = (self.pos + 1).min(self.bytes.len());
                }
                c if c == open => depth += 1,
                c if c == close => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return;
                    }
                }
                _ => {}
            }
        }
    }

    fn word(&mut self) -> Tok {
        let start = self.pos;
        let mut text = String::new();
        let mut quoted_inner = None;
        let mut segments = 0;
        while let Some(c) = self.peek(0) {
            match c {
                b' ' | b'\t' | b'\n' | b';' | b'&' | b'|' | b'(' | b')' | b'<' | b'>' => {
                    if c == b'\r' {
                        break;
                    }
                    // `2>&1`: a digit word right before a redirection is its descriptor.
                    if (c == b'<' || c == b'>') && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                        return self.redirect();
                    }
                    break;
                }
                b'\r' => break,
                b'\\' => {
                    if self.peek(1) == Some(b'\n') {
                        self.pos += 2;
                        continue;
                    }
                    if let Some(ch) = self.text.get(self.pos + 1..).and_then(|s| s.chars().next()) {
                        text.push(ch);
                        self.pos += 1 + ch.len_utf8();
                    } else {
                        self.pos += 1;
                    }
                    segments += 1;
                }
                b'\'' => {
                    let inner_start = self.pos + 1;
                    let end = self.bytes[inner_start..]
                        .iter()
                        .position(|&b| b == b'\'')
                        .map_or(self.bytes.len(), |p| inner_start + p);
                    text.push_str(self.text.get(inner_start..end).unwrap_or(""));
                    quoted_inner = Some(self.span(inner_start, end));
                    self.pos = (end + 1).min(self.bytes.len());
                    segments += 1;
                }
                b'"' => {
                    let inner_start = self.pos + 1;
                    self.pos += 1;
                    while let Some(d) = self.peek(0) {
                        match d {
                            b'"' => break,
                            b'\\' => {
                                match self.peek(1) {
                                    Some(e @ (b'"' | b'\\' | b'$' | b'`')) => text.push(e as char),
                                    Some(b'\n') => {}
                                    Some(_) => text.push('\\'),
                                    None => {}
                                }
                                if let Some(n) = self.peek(1) {
                                    if !matches!(n, b'"' | b'\\' | b'$' | b'`' | b'\n') {
                                        let ch =
                                            self.text.get(self.pos + 1..).and_then(|s| s.chars().next()).unwrap_or(' ');
                                        text.push(ch);
                                        self.pos += ch.len_utf8() - 1;
                                    }
                                }
                                self.pos += 2;
                            }
                            b'$' if self.peek(1) == Some(b'(') => {
                                let s = self.pos;
                                self.pos += 1;
                                self.skip_balanced(b'(', b')');
                                self.substitution(s + 2, self.pos, b')');
                                text.push_str(self.text.get(s..self.pos).unwrap_or(""));
                            }
                            _ => {
                                let ch = self.text.get(self.pos..).and_then(|s| s.chars().next()).unwrap_or(' ');
                                text.push(ch);
                                self.pos += ch.len_utf8();
                            }
                        }
                    }
                    let end = self.pos.min(self.bytes.len());
                    quoted_inner = Some(self.span(inner_start, end));
                    self.pos = (self.pos + 1).min(self.bytes.len());
                    segments += 1;
                }
                b'$' if self.peek(1) == Some(b'(') => {
                    let s = self.pos;
                    self.pos += 1;
                    self.skip_balanced(b'(', b')');
                    self.substitution(s + 2, self.pos, b')');
                    text.push_str(self.text.get(s..self.pos).unwrap_or(""));
                    segments += 2;
                }
                b'`' => {
                    let s = self.pos;
                    self.pos += 1;
                    while self.peek(0).is_some_and(|c| c != b'`') {
                        self.pos += 1;
                    }
                    self.pos = (self.pos + 1).min(self.bytes.len());
                    self.substitution(s + 1, self.pos, b'`');
                    text.push_str(self.text.get(s..self.pos).unwrap_or(""));
                    segments += 2;
                }
                _ => {
                    let ch = self.text.get(self.pos..).and_then(|s| s.chars().next()).unwrap_or(' ');
                    text.push(ch);
                    self.pos += ch.len_utf8();
                    segments += 2;
                }
            }
        }
        if self.pos == start {
            // Defensive: never loop on a byte no branch consumed.
            self.pos += 1;
        }
        self.pos = self.pos.min(self.bytes.len());
        let quoted_inner = if segments == 1 { quoted_inner } else { None };
        let span = self.span(start, self.pos);
        // The lexer only removes bytes: the same length means the same text.
        let raw = quoted_inner.unwrap_or(span);
        let verbatim = raw.end - raw.start == text.len();
        Tok::Word(Word { text, span, quoted_inner, verbatim })
    }
}

/// Words that may open a command without being its name. `done`, `fi` and `esac` stay: they
/// close a block, and a loop's body ends at its `done`.
const KEYWORDS: &[&str] = &["if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "in"];

/// Splits `text`, written as is at byte `base` of `file`, into simple commands.
pub fn parse(file: FileId, text: &str, base: usize) -> Vec<SimpleCommand> {
    parse_inner(file, text, base, false, 0)
}

/// Splits text that is not written as such in the file (a recipe after variable expansion, a
/// word after quote removal) into simple commands. Offsets in it are no file offsets: every
/// span is `at`, the place the text came from.
pub fn parse_detached(text: &str, at: Span) -> Vec<SimpleCommand> {
    let mut cmds = parse(at.file, text, 0);
    for c in &mut cmds {
        c.span = at;
        let targets = c.redirects.iter_mut().map(|r| &mut r.target);
        for w in c.assignments.iter_mut().chain(c.words.iter_mut()).chain(targets) {
            w.span = at;
            w.quoted_inner = None;
            w.verbatim = false;
        }
    }
    cmds
}

/// The commands of a word that holds a script (`sh -c WORD`): at their place in the file when
/// the word is written as is, else all on the word.
pub fn parse_word(w: &Word) -> Vec<SimpleCommand> {
    if w.verbatim {
        parse(w.span.file, &w.text, w.quoted_inner.unwrap_or(w.span).start)
    } else {
        parse_detached(&w.text, w.span)
    }
}

fn parse_inner(file: FileId, text: &str, base: usize, remote: bool, depth: usize) -> Vec<SimpleCommand> {
    let mut lx = Lexer {
        file,
        text,
        bytes: text.as_bytes(),
        base,
        pos: 0,
        pending_heredocs: Vec::new(),
        substitutions: Vec::new(),
    };
    let mut out = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    let mut redirects = Vec::new();
    let mut pending_redirect: Option<String> = None;
    let flush = |cur: &mut Vec<Word>, redirects: &mut Vec<Redirect>, out: &mut Vec<SimpleCommand>| {
        let words = std::mem::take(cur);
        let redirects = std::mem::take(redirects);
        let mut it = words.into_iter().peekable();
        let mut assignments = Vec::new();
        while let Some(w) = it.peek() {
            if KEYWORDS.contains(&w.text.as_str()) && assignments.is_empty() {
                it.next();
            } else if is_assignment(&w.text) {
                assignments.extend(it.next());
            } else {
                break;
            }
        }
        let words: Vec<Word> = it.collect();
        let (Some(first), Some(last)) = (
            assignments.first().or(words.first()).map(|w| w.span),
            words.last().or(assignments.last()).map(|w| w.span),
        ) else {
            return;
        };
        out.push(SimpleCommand { assignments, words, redirects, span: first.to(last), remote, output_used: false });
    };
    while let Some(tok) = lx.next() {
        match tok {
            Tok::Word(w) => {
                if let Some(op) = pending_redirect.take() {
                    redirects.push(Redirect { op, target: w });
                } else {
                    cur.push(w);
                }
            }
            Tok::Redir(op) => {
                if op == "<<" {
                    continue;
                }
                if op.ends_with('&')
                    || op.chars().last().is_some_and(|c| c.is_ascii_digit() || c == '-') && op.contains('&')
                {
                    continue;
                }
                pending_redirect = Some(op);
            }
            Tok::Sep => {
                pending_redirect = None;
                flush(&mut cur, &mut redirects, &mut out);
            }
            Tok::Pipe => {
                pending_redirect = None;
                let before = out.len();
                flush(&mut cur, &mut redirects, &mut out);
                if out.len() > before {
                    if let Some(c) = out.last_mut() {
                        c.output_used = true;
                    }
                }
            }
        }
    }
    flush(&mut cur, &mut redirects, &mut out);
    if depth < 3 {
        // The commands of `$(…)` run here, and what they print is read.
        for (start, end) in std::mem::take(&mut lx.substitutions) {
            let inner_text = text.get(start..end).unwrap_or("");
            for mut c in parse_inner(file, inner_text, base + start, remote, depth + 1) {
                c.output_used |=
                    !c.redirects.iter().any(|r| matches!(r.op.as_str(), ">" | ">>" | ">|" | "1>" | "1>>" | "&>"));
                out.push(c);
            }
        }
        let remote: Vec<Span> = out.iter().filter_map(ssh_remote_command).collect();
        for span in remote {
            let inner_text = text.get(span.start - base..span.end - base).unwrap_or("");
            out.extend(parse_inner(file, inner_text, span.start, true, depth + 1));
        }
        out.sort_by_key(|c| (c.span.start, c.remote));
        // A substitution in a double-quoted remote command runs here (read once, not remote).
        out.dedup_by(|later, earlier| later.span == earlier.span);
    }
    out
}

/// The commands of a terminal transcript (a Markdown `console` block, or a shell block written
/// with prompts): the text of the lines that start with a `$ ` prompt (and of the lines they
/// continue with a trailing `\\`), the prompt blanked; every other line (the output) blanked.
/// Offsets are kept, so the result parses at the block's place. `None` when no line has a
/// prompt.
pub fn transcript_commands(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut continued = false;
    let mut any = false;
    for line in body.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let indent = content.len() - content.trim_start_matches([' ', '\t']).len();
        let rest = &content[indent..];
        let blank = |out: &mut String, s: &str| {
            for c in s.chars() {
                out.extend(std::iter::repeat_n(if c == '\n' { '\n' } else { ' ' }, c.len_utf8()));
            }
        };
        if continued {
            out.push_str(line);
        } else if let Some(cmd) = rest.strip_prefix("$ ").or_else(|| (rest == "$").then_some("")) {
            any = true;
            blank(&mut out, &content[..indent + rest.len() - cmd.len()]);
            out.push_str(&line[indent + rest.len() - cmd.len()..]);
        } else {
            blank(&mut out, line);
            continued = false;
            continue;
        }
        continued = content.ends_with('\\');
    }
    any.then_some(out)
}

/// ssh options that take an argument.
const SSH_ARG_OPTS: &[u8] = b"bcDEeFIiJLlmOopQRSWw";

/// Strips the wrappers that run a command without changing it (`sudo`, `env`, `setsid`, …).
/// Returns the index of the command's name in `words` (`words.len()` when there is none) and
/// whether `setsid` was among them.
pub fn unwrap_command(words: &[Word]) -> (usize, bool) {
    let mut i = 0;
    let mut setsid = false;
    while let Some(w) = words.get(i) {
        match w.text.as_str() {
            "sudo" => {
                i += 1;
                while words.get(i).is_some_and(|w| w.text.starts_with('-')) {
                    let takes = matches!(words[i].text.as_str(), "-u" | "-g" | "-C" | "-h" | "-p");
                    i += if takes { 2 } else { 1 };
                }
            }
            "env" => {
                i += 1;
                while words.get(i).is_some_and(|w| w.text.starts_with('-') || is_assignment(&w.text)) {
                    i += 1;
                }
            }
            "setsid" => {
                setsid = true;
                i += 1;
                while words.get(i).is_some_and(|w| w.text.starts_with('-')) {
                    i += 1;
                }
            }
            "nohup" | "time" | "exec" | "command" | "builtin" => i += 1,
            "timeout" => {
                i += 1;
                while words.get(i).is_some_and(|w| w.text.starts_with('-')) {
                    i += 1;
                }
                i += 1;
            }
            _ => break,
        }
    }
    // A wrapper whose option argument is missing (`sudo -u`) wraps no command.
    (i.min(words.len()), setsid)
}

/// For `ssh [opts] host CMD…`: the span of the remote command text (inside the quotes when the
/// command is one quoted word).
fn ssh_remote_command(cmd: &SimpleCommand) -> Option<Span> {
    let (start, _) = unwrap_command(&cmd.words);
    if cmd.words.get(start)?.text != "ssh" {
        return None;
    }
    let mut i = start + 1;
    let mut host_seen = false;
    while let Some(w) = cmd.words.get(i) {
        if !host_seen {
            let t = w.text.as_str();
            if t.starts_with('-') && t.len() >= 2 {
                let last = t.as_bytes()[t.len() - 1];
                i += if t.len() == 2 && SSH_ARG_OPTS.contains(&last) { 2 } else { 1 };
                continue;
            }
            host_seen = true;
            i += 1;
            continue;
        }
        break;
    }
    let first = cmd.words.get(i)?;
    let last = cmd.words.last()?;
    if i + 1 == cmd.words.len() {
        if let Some(inner) = first.quoted_inner {
            return Some(inner);
        }
    }
    Some(first.span.to(last.span))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argvs(text: &str) -> Vec<Vec<String>> {
        parse(FileId(0), text, 0).iter().map(|c| c.argv().map(str::to_string).collect()).collect()
    }

    #[test]
    fn splits_commands() {
        let t = "cd /srv && docker-compose -f a.yml up -d # start\necho \"a b\" 'c' | tee x >> log 2>&1\n";
        assert_eq!(
            argvs(t),
            vec![
                vec!["cd", "/srv"],
                vec!["docker-compose", "-f", "a.yml", "up", "-d"],
                vec!["echo", "a b", "c"],
                vec!["tee", "x"]
            ]
        );
    }

    #[test]
    fn continuations_assignments_and_redirects() {
        let t = "DISPLAY=:0 SSH_ASKPASS=/tmp/a.sh \\\n  scp f root@h:/tmp/\necho K=v >> .env.prod\n";
        let cmds = parse(FileId(0), t, 0);
        assert_eq!(cmds[0].assignments.len(), 2);
        assert_eq!(cmds[0].words[0].text, "scp");
        assert_eq!(cmds[1].redirects[0].op, ">>");
        assert_eq!(cmds[1].redirects[0].target.text, ".env.prod");
    }

    #[test]
    fn transcripts_keep_the_prompted_lines_in_place() {
        let t = "$ docker compose \\\n    up -d\nCreating app_web_1 ... done\n  $ ls\n";
        let script = transcript_commands(t).unwrap_or_default();
        assert_eq!(script.len(), t.len());
        assert_eq!(argvs(&script), vec![vec!["docker", "compose", "up", "-d"], vec!["ls"]]);
        let cmds = parse(FileId(0), &script, 0);
        assert_eq!(&t[cmds[0].words[0].span.start..cmds[0].words[0].span.end], "docker");
        assert_eq!(transcript_commands("docker compose up\n"), None);
    }

    #[test]
    fn heredoc_bodies_are_not_commands() {
        assert_eq!(argvs("cat <<'EOF' > f\ndocker compose up\nEOF\nls\n"), vec![vec!["cat"], vec!["ls"]]);
    }

    #[test]
    fn ssh_remote_commands_are_parsed_inside_quotes() {
        let t = "ssh -o X=y root@203.0.113.10 \"cd /srv/app && docker compose -f p.yml down\"\n";
        let cmds = parse(FileId(0), t, 0);
        let remote: Vec<_> = cmds.iter().filter(|c| c.remote).collect();
        assert_eq!(remote.len(), 2);
        assert_eq!(remote[1].words[0].text, "docker");
        let start = remote[1].words[0].span.start;
        assert_eq!(&t[start..start + 6], "docker");
    }
}
