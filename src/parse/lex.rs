//! A small lexer for Rust, Python and JavaScript/TypeScript: identifiers, string literals
//! (decoded enough for env keys and import paths), punctuation and the rest, with byte spans.
//! Comments are dropped, so no fact is ever read from a comment or from inside a string.
//!
//! A JavaScript template literal is split: its text parts are `Tok::Str`, each `${…}` is a
//! `Punct("${")` … `Punct("}$")` pair holding the tokens of its expression, and the whole literal
//! is framed by `Punct("`")` tokens.

use std::borrow::Cow;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Syntax {
    Rust,
    Python,
    Js,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok<'a> {
    Ident(&'a str),
    Str(Cow<'a, str>),
    Punct(&'static str),
    Other,
}

#[derive(Clone, Debug)]
pub struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

impl Token<'_> {
    pub fn is(&self, p: &str) -> bool {
        matches!(self.tok, Tok::Punct(q) if q == p)
    }

    pub fn ident(&self) -> Option<&str> {
        match self.tok {
            Tok::Ident(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_ident(&self, name: &str) -> bool {
        self.ident() == Some(name)
    }

    pub fn string(&self) -> Option<&str> {
        match &self.tok {
            Tok::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Punctuation of two or three bytes, longest first.
const LONG_PUNCTS: &[&str] =
    &["===", "!==", "...", "**=", "::", "=>", "->", "==", "!=", "<=", ">=", "&&", "||", "??", "?.", "+=", "-=", ":="];
const PUNCTS: &[&str] = &[
    "(", ")", "{", "}", "[", "]", ",", ";", ".", ":", "=", "!", "<", ">", "&", "*", "+", "-", "/", "|", "%", "^", "?",
    "@", "#", "~",
];

fn punct_at(text: &str, i: usize) -> Option<&'static str> {
    let rest = text.get(i..)?;
    LONG_PUNCTS.iter().chain(PUNCTS).copied().find(|p| rest.starts_with(p))
}

fn ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c == b'$' || c >= 0x80
}

fn ident_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c >= 0x80
}

/// Decodes the common escapes of a quoted literal's body (others are kept as written).
fn unescape(body: &str) -> Cow<'_, str> {
    if !body.contains('\\') {
        return Cow::Borrowed(body);
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    Cow::Owned(out)
}

/// Where a quoted literal opened at `i` (the quote byte) ends, and its body's range: the
/// closing quote is the first unescaped `quote` (a newline ends a literal that may not span
/// lines).
fn quoted(b: &[u8], i: usize, quote: u8, multiline: bool) -> (usize, usize) {
    let mut j = i + 1;
    while let Some(&c) = b.get(j) {
        if c == b'\\' {
            j += 2;
        } else if c == quote {
            return (j, j + 1);
        } else if c == b'\n' && !multiline {
            return (j, j);
        } else {
            j += 1;
        }
    }
    (b.len(), b.len())
}

/// Tokenizes source text of one syntax. Never fails: what it cannot tell is `Tok::Other`.
pub fn lex<'a>(text: &'a str, syntax: Syntax) -> Vec<Token<'a>> {
    let b = text.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut out: Vec<Token<'a>> = Vec::with_capacity(n / 5 + 8);
    // Open `${` of template literals: the brace depth inside each.
    let mut templates: Vec<usize> = Vec::new();
    let mut i = 0;
    // A template literal's text from `i` (after "`" or "}"): its parts up to "${" or the closing "`".
    let template_text = |i: usize, out: &mut Vec<Token<'a>>, templates: &mut Vec<usize>| -> usize {
        let mut j = i;
        while j < n {
            match at(j) {
                b'\\' => j += 2,
                b'`' => {
                    let body = text.get(i..j).unwrap_or("");
                    out.push(Token { tok: Tok::Str(unescape(body)), start: i, end: j });
                    out.push(Token { tok: Tok::Punct("`"), start: j, end: j + 1 });
                    return j + 1;
                }
                b'$' if at(j + 1) == b'{' => {
                    let body = text.get(i..j).unwrap_or("");
                    out.push(Token { tok: Tok::Str(unescape(body)), start: i, end: j });
                    out.push(Token { tok: Tok::Punct("${"), start: j, end: j + 2 });
                    templates.push(0);
                    return j + 2;
                }
                _ => j += 1,
            }
        }
        n
    };
    while i < n {
        let c = at(i);
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        // Comments.
        if syntax == Syntax::Python && c == b'#' {
            i = b.get(i..).and_then(|r| r.iter().position(|&x| x == b'\n')).map_or(n, |p| i + p);
            continue;
        }
        if syntax != Syntax::Python && c == b'/' && at(i + 1) == b'/' {
            i = b.get(i..).and_then(|r| r.iter().position(|&x| x == b'\n')).map_or(n, |p| i + p);
            continue;
        }
        if syntax != Syntax::Python && c == b'/' && at(i + 1) == b'*' {
            // Rust block comments nest.
            let mut depth = 0usize;
            let mut j = i;
            while j < n {
                if at(j) == b'/' && at(j + 1) == b'*' {
                    depth += 1;
                    j += 2;
                } else if at(j) == b'*' && at(j + 1) == b'/' {
                    depth = depth.saturating_sub(1);
                    j += 2;
                    if depth == 0 || syntax == Syntax::Js {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            i = j;
            continue;
        }
        // String literals, with their prefixes.
        if ident_start(c) || c == b'"' || c == b'\'' || c == b'`' {
            let mut j = i;
            while j < n && ident_char(at(j)) {
                j += 1;
            }
            let word = text.get(i..j).unwrap_or("");
            let q = at(j);
            let lower = word.to_ascii_lowercase();
            let prefix = match syntax {
                Syntax::Rust => matches!(word, "" | "b" | "r" | "br" | "c" | "cr") && (q == b'"' || q == b'#'),
                Syntax::Python => {
                    matches!(lower.as_str(), "" | "r" | "b" | "u" | "f" | "rb" | "br" | "fr" | "rf")
                        && (q == b'"' || q == b'\'')
                }
                Syntax::Js => word.is_empty() && (q == b'"' || q == b'\'' || q == b'`'),
            };
            if prefix {
                if syntax == Syntax::Js && q == b'`' {
                    out.push(Token { tok: Tok::Punct("`"), start: i, end: j + 1 });
                    i = template_text(j + 1, &mut out, &mut templates);
                    continue;
                }
                if syntax == Syntax::Rust && word.contains('r') {
                    // Raw string: r#"…"#.
                    let hashes = b.get(j..).map_or(0, |r| r.iter().take_while(|&&x| x == b'#').count());
                    if at(j + hashes) == b'"' {
                        let close: String = std::iter::once('"').chain(std::iter::repeat_n('#', hashes)).collect();
                        let body_start = j + hashes + 1;
                        let end = text.get(body_start..).and_then(|r| r.find(&close)).map_or(n, |p| body_start + p);
                        let body = text.get(body_start..end).unwrap_or("");
                        i = (end + close.len()).min(n);
                        out.push(Token { tok: Tok::Str(Cow::Borrowed(body)), start, end: i });
                        continue;
                    }
                } else if syntax == Syntax::Rust && q == b'#' {
                    // An identifier followed by `#`: not a string.
                } else if syntax == Syntax::Python && at(j + 1) == q && at(j + 2) == q {
                    let close = if q == b'"' { "\"\"\"" } else { "'''" };
                    let body_start = j + 3;
                    let end = text.get(body_start..).and_then(|r| r.find(close)).map_or(n, |p| body_start + p);
                    let body = text.get(body_start..end).unwrap_or("");
                    i = (end + 3).min(n);
                    out.push(Token { tok: Tok::Str(Cow::Borrowed(body)), start, end: i });
                    continue;
                } else if syntax == Syntax::Rust && q == b'\'' {
                    // A char literal or a lifetime: handled below.
                } else {
                    let raw = lower.contains('r');
                    let (body_end, end) = if raw && syntax == Syntax::Python {
                        let close = b.get(j + 1..).and_then(|r| r.iter().position(|&x| x == q || x == b'\n'));
                        close.map_or((n, n), |p| (j + 1 + p, j + 2 + p))
                    } else {
                        quoted(b, j, q, syntax == Syntax::Rust)
                    };
                    let body = text.get(j + 1..body_end).unwrap_or("");
                    let tok = if raw { Tok::Str(Cow::Borrowed(body)) } else { Tok::Str(unescape(body)) };
                    i = end.min(n).max(j + 1);
                    out.push(Token { tok, start, end: i });
                    continue;
                }
            }
            if syntax == Syntax::Rust && word.is_empty() && c == b'\'' {
                // `'x'`, `'\n'`, `'\u{1F600}'` are chars; `'a` is a lifetime or a label.
                let char_end = if at(i + 1) == b'\\' {
                    b.get(i + 2..).and_then(|r| r.iter().position(|&x| x == b'\'')).map(|p| i + 3 + p)
                } else {
                    let ch_len = text.get(i + 1..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
                    (at(i + 1 + ch_len) == b'\'').then_some(i + 2 + ch_len)
                };
                match char_end {
                    Some(e) => {
                        i = e.min(n);
                        out.push(Token { tok: Tok::Other, start, end: i });
                    }
                    None => {
                        i += 1;
                        while i < n && ident_char(at(i)) {
                            i += 1;
                        }
                        out.push(Token { tok: Tok::Other, start, end: i });
                    }
                }
                continue;
            }
            if !word.is_empty() {
                i = j;
                out.push(Token { tok: Tok::Ident(word), start, end: j });
                continue;
            }
        }
        if c.is_ascii_digit() {
            while i < n && (ident_char(at(i)) || at(i) == b'.' && at(i + 1).is_ascii_digit()) {
                i += 1;
            }
            out.push(Token { tok: Tok::Other, start, end: i });
            continue;
        }
        if syntax == Syntax::Js && c == b'/' {
            // A regular expression literal where an operand is expected.
            let operand_before = out.last().is_some_and(|t| match &t.tok {
                Tok::Ident(w) => !matches!(*w, "return" | "typeof" | "case" | "in" | "of" | "new" | "delete" | "void"),
                Tok::Str(_) | Tok::Other => true,
                Tok::Punct(p) => matches!(*p, ")" | "]" | "}" | "`"),
            });
            if !operand_before {
                let mut j = i + 1;
                let mut class = false;
                while j < n && at(j) != b'\n' {
                    match at(j) {
                        b'\\' => j += 1,
                        b'[' => class = true,
                        b']' => class = false,
                        b'/' if !class => break,
                        _ => {}
                    }
                    j += 1;
                }
                j += 1;
                while j < n && ident_char(at(j)) {
                    j += 1;
                }
                i = j.min(n);
                out.push(Token { tok: Tok::Other, start, end: i });
                continue;
            }
        }
        if syntax == Syntax::Js && !templates.is_empty() && (c == b'{' || c == b'}') {
            if let Some(depth) = templates.last_mut() {
                if c == b'{' {
                    *depth += 1;
                } else if *depth == 0 {
                    templates.pop();
                    out.push(Token { tok: Tok::Punct("}$"), start, end: i + 1 });
                    i = template_text(i + 1, &mut out, &mut templates);
                    continue;
                } else {
                    *depth -= 1;
                }
            }
        }
        match punct_at(text, i) {
            Some(p) => {
                i += p.len();
                out.push(Token { tok: Tok::Punct(p), start, end: i });
            }
            None => {
                let len = text.get(i..).and_then(|r| r.chars().next()).map_or(1, char::len_utf8);
                i += len;
                out.push(Token { tok: Tok::Other, start, end: i });
            }
        }
    }
    out
}

/// The index of the token closing the bracket opened at `open` (`(`, `[`, `{`), or the end.
pub fn closing(toks: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, t) in toks.iter().enumerate().skip(open) {
        match t.tok {
            Tok::Punct("(" | "[" | "{" | "${") => depth += 1,
            Tok::Punct(")" | "]" | "}" | "}$") => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    toks.len()
}

/// The closing token of every bracket of one token list, found in one pass: [`closing`] for
/// many brackets of one file, without scanning to the end again for each unclosed one (a
/// truncated file would make that quadratic).
pub struct Brackets<'t, 'a> {
    toks: &'t [Token<'a>],
    close: Vec<usize>,
}

impl<'t, 'a> Brackets<'t, 'a> {
    pub fn new(toks: &'t [Token<'a>]) -> Self {
        let mut close = vec![toks.len(); toks.len()];
        let mut open = Vec::new();
        for (k, t) in toks.iter().enumerate() {
            match t.tok {
                Tok::Punct("(" | "[" | "{" | "${") => open.push(k),
                Tok::Punct(")" | "]" | "}" | "}$") => {
                    if let Some(c) = open.pop().and_then(|o| close.get_mut(o)) {
                        *c = k;
                    }
                }
                _ => {}
            }
        }
        Brackets { toks, close }
    }

    /// The tokens.
    pub fn toks(&self) -> &'t [Token<'a>] {
        self.toks
    }

    /// What [`closing`] gives for `open`.
    pub fn closing(&self, open: usize) -> usize {
        match self.toks.get(open).map(|t| &t.tok) {
            Some(Tok::Punct("(" | "[" | "{" | "${")) => self.close.get(open).copied().unwrap_or(self.toks.len()),
            _ => closing(self.toks, open),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn brackets_close_as_closing_does() {
        for (text, syntax) in [
            ("f(a, [b, {c: (d)}], e) ) ( g(h", Syntax::Rust),
            ("x.add_parser(\nx.add_parser(\n)", Syntax::Python),
            ("const s = `a${b(c)}d${e[`; f(", Syntax::Js),
            ("]])) (( [ { } ) ] (", Syntax::Rust),
        ] {
            let toks = lex(text, syntax);
            let b = Brackets::new(&toks);
            for k in 0..=toks.len() + 1 {
                assert_eq!(b.closing(k), closing(&toks, k), "{text:?} at token {k}");
            }
        }
    }

    fn strings(text: &str, syntax: Syntax) -> Vec<String> {
        lex(text, syntax).iter().filter_map(|t| t.string().map(str::to_string)).collect()
    }

    #[test]
    fn comments_and_strings_hide_code() {
        let rust =
            "// env::var(\"A\")\n/* /* nested */ env::var(\"B\") */ let s = r#\"env::var(\"C\")\"#; 'x'; fn f<'a>() {}";
        assert_eq!(strings(rust, Syntax::Rust), ["env::var(\"C\")"]);
        let idents: Vec<_> = lex(rust, Syntax::Rust).iter().filter_map(|t| t.ident().map(str::to_string)).collect();
        assert_eq!(idents, ["let", "s", "fn", "f"]);
        let py = "# os.environ['A']\nx = '''os.environ[\"B\"]'''\ny = r'\\d' + f\"{z}\"";
        assert_eq!(strings(py, Syntax::Python), ["os.environ[\"B\"]", "\\d", "{z}"]);
        let js = "const p = `${process.env.ROOT}/x/${a ? `${b}` : {c: 1}.c}`; const r = /\"/g; // '\n";
        let toks = lex(js, Syntax::Js);
        assert!(toks.iter().any(|t| t.is_ident("ROOT")));
        assert!(toks.iter().any(|t| t.is_ident("c")));
        assert_eq!(toks.iter().filter(|t| t.is("`")).count(), 4);
        assert_eq!(strings(js, Syntax::Js), ["", "/x/", "", "", ""]);
    }

    #[test]
    fn never_panics_on_cut_input() {
        for text in ["r#\"", "'", "\"\\", "`${", "/*", "'''", "b'", "'\\u{", "/[/"] {
            for s in [Syntax::Rust, Syntax::Python, Syntax::Js] {
                let _ = lex(text, s);
            }
        }
    }
}
