//! A small Go lexer: identifiers, string literals (decoded), punctuation and the rest. Comments
//! are dropped (their text is kept for `//go:build` and `// Code generated` lines).

#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Tok<'a> {
    /// Borrowed from the text: scanning allocates only for string literals with escapes.
    Ident(&'a str),
    Str(std::borrow::Cow<'a, str>),
    Punct(&'static str),
    Other,
}

#[derive(Clone, Debug)]
pub(super) struct Token<'a> {
    pub tok: Tok<'a>,
    pub start: usize,
    pub end: usize,
}

const PUNCTS: &[&str] = &[
    ":=", "==", "!=", "<=", ">=", "&&", "||", "...", "(", ")", "{", "}", "[", "]", ",", ";", ".", ":", "=", "!", "<",
    ">", "&", "*", "+", "-", "/", "|", "%", "^",
];

/// The bytes an identifier continues with: ASCII letters, digits, `_`, and every byte of a
/// non-ASCII character.
static IDENT_BYTE: [bool; 256] = {
    let mut t = [false; 256];
    let mut b = 0usize;
    while b < 256 {
        let c = b as u8;
        t[b] = c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        b += 1;
    }
    t
};

/// The punctuation token at `i`, longest first.
fn punct_at(b: &[u8], i: usize) -> Option<&'static str> {
    let c = *b.get(i)?;
    let n = b.get(i + 1).copied().unwrap_or(0);
    let two = match (c, n) {
        (b':', b'=') => Some(":="),
        (b'=', b'=') => Some("=="),
        (b'!', b'=') => Some("!="),
        (b'<', b'=') => Some("<="),
        (b'>', b'=') => Some(">="),
        (b'&', b'&') => Some("&&"),
        (b'|', b'|') => Some("||"),
        (b'.', b'.') if b.get(i + 2) == Some(&b'.') => Some("..."),
        _ => None,
    };
    two.or_else(|| PUNCTS.iter().copied().find(|p| p.len() == 1 && p.as_bytes().first() == Some(&c)))
}

/// Tokenizes Go source. Comments are dropped (their text goes to `comments`).
pub(super) fn lex<'a>(text: &'a str, comments: &mut Vec<(usize, &'a str)>) -> Vec<Token<'a>> {
    lex_to(text, comments, false)
}

/// The tokens up to a file's package clause: lexing stops at the name after the first
/// `package`, with every comment before it kept.
pub(super) fn lex_package_clause<'a>(text: &'a str, comments: &mut Vec<(usize, &'a str)>) -> Vec<Token<'a>> {
    lex_to(text, comments, true)
}

fn lex_to<'a>(text: &'a str, comments: &mut Vec<(usize, &'a str)>, clause: bool) -> Vec<Token<'a>> {
    let mut package = false;
    let b = text.as_bytes();
    let n = b.len();
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    let mut i = 0;
    // About one token per five bytes of Go: one allocation for most files.
    let mut out = Vec::with_capacity(if clause { 8 } else { n / 5 + 8 });
    while i < n {
        let c = at(i);
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && at(i + 1) == b'/' {
            let end = b.get(i..).and_then(|r| r.iter().position(|&x| x == b'\n')).map_or(n, |p| i + p);
            comments.push((i, text.get(i..end).unwrap_or("")));
            i = end;
        } else if c == b'/' && at(i + 1) == b'*' {
            i = text.get(i + 2..).and_then(|s| s.find("*/")).map_or(n, |p| i + 2 + p + 2);
        } else if c == b'"' || c == b'`' || c == b'\'' {
            let start = i;
            i += 1;
            // Most literals hold no escape: borrowed as they are.
            let plain = b.get(i..).and_then(|r| r.iter().position(|&x| x == c || x == b'\\' || x == b'\n'));
            if let Some(p) = plain
                && at(i + p) == c
            {
                let value = text.get(i..i + p).unwrap_or("");
                i += p + 1;
                let tok = if c == b'\'' { Tok::Other } else { Tok::Str(std::borrow::Cow::Borrowed(value)) };
                out.push(Token { tok, start, end: i });
                continue;
            }
            let mut value = String::new();
            while i < n && at(i) != c {
                if c != b'`' && at(i) == b'\\' {
                    let esc = b.get(i + 1).copied().unwrap_or(b'\\');
                    match esc {
                        b'n' => value.push('\n'),
                        b't' => value.push('\t'),
                        b'"' => value.push('"'),
                        b'\\' => value.push('\\'),
                        _ => {
                            value.push('\\');
                            value.push(esc as char);
                        }
                    }
                    i += 2;
                    continue;
                }
                if c != b'`' && at(i) == b'\n' {
                    break;
                }
                let ch = text.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
                value.push(ch);
                i += ch.len_utf8();
            }
            i = (i + 1).min(n);
            let tok = if c == b'\'' { Tok::Other } else { Tok::Str(std::borrow::Cow::Owned(value)) };
            out.push(Token { tok, start, end: i });
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while b.get(i).is_some_and(|&x| IDENT_BYTE[usize::from(x)]) {
                i += 1;
            }
            // Stay on a char boundary.
            while i < n && !text.is_char_boundary(i) {
                i += 1;
            }
            let word = text.get(start..i).unwrap_or("");
            out.push(Token { tok: Tok::Ident(word), start, end: i });
            if clause {
                if package {
                    break;
                }
                package = word == "package";
            }
        } else if c.is_ascii_digit() {
            let start = i;
            while i < n && (at(i).is_ascii_alphanumeric() || at(i) == b'.' || at(i) == b'_') {
                i += 1;
            }
            out.push(Token { tok: Tok::Other, start, end: i });
        } else if let Some(p) = punct_at(b, i) {
            out.push(Token { tok: Tok::Punct(p), start: i, end: i + p.len() });
            i += p.len();
        } else {
            let len = text.get(i..).and_then(|s| s.chars().next()).map_or(1, char::len_utf8);
            out.push(Token { tok: Tok::Other, start: i, end: i + len });
            i += len;
        }
    }
    out
}

/// Go's keywords: never the name of a function or a variable.
pub(super) fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "break"
            | "case"
            | "chan"
            | "const"
            | "continue"
            | "default"
            | "defer"
            | "else"
            | "fallthrough"
            | "for"
            | "func"
            | "go"
            | "goto"
            | "if"
            | "import"
            | "interface"
            | "map"
            | "package"
            | "range"
            | "return"
            | "select"
            | "struct"
            | "switch"
            | "type"
            | "var"
    )
}

/// The token list with the small queries the scanners need; every index is checked.
#[derive(Clone, Copy)]
pub(super) struct Toks<'t, 'a>(pub &'t [Token<'a>]);

impl<'t, 'a> Toks<'t, 'a> {
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn get(&self, i: usize) -> Option<&'t Token<'a>> {
        self.0.get(i)
    }

    pub fn ident(&self, i: usize) -> Option<&'a str> {
        match self.0.get(i).map(|t| &t.tok) {
            Some(Tok::Ident(s)) => Some(*s),
            _ => None,
        }
    }

    /// An identifier that is not a keyword.
    pub fn name(&self, i: usize) -> Option<&'a str> {
        self.ident(i).filter(|s| !is_keyword(s))
    }

    pub fn str(&self, i: usize) -> Option<&'t str> {
        match self.0.get(i).map(|t| &t.tok) {
            Some(Tok::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn is(&self, i: usize, p: &str) -> bool {
        matches!(self.0.get(i).map(|t| &t.tok), Some(Tok::Punct(q)) if *q == p)
    }

    pub fn is_kw(&self, i: usize, k: &str) -> bool {
        self.ident(i) == Some(k)
    }

    pub fn is_empty_str(&self, i: usize) -> bool {
        self.str(i).is_some_and(str::is_empty)
    }

    /// The index of the token closing the bracket opened at `open` (`(`, `[` or `{`), counting
    /// every kind of bracket; `None` when the brackets do not balance.
    pub fn closing(&self, open: usize) -> Option<usize> {
        let mut depth = 0usize;
        for (i, t) in self.0.iter().enumerate().skip(open) {
            match t.tok {
                Tok::Punct("(" | "[" | "{") => depth += 1,
                Tok::Punct(")" | "]" | "}") => {
                    depth = depth.checked_sub(1)?;
                    if depth == 0 {
                        return Some(i);
                    }
                }
                _ => {}
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(src: &str) -> Vec<(String, bool)> {
        let mut comments = Vec::new();
        lex(src, &mut comments)
            .into_iter()
            .filter_map(|t| match t.tok {
                Tok::Str(s) => Some((s.to_string(), matches!(s, std::borrow::Cow::Borrowed(_)))),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn plain_literals_are_borrowed_and_escaped_ones_decoded() {
        let src = "a := \"PLAIN\" + \"tab\\there\" + `raw\\n` + `two\nlines` + \"\" + \"open\n";
        assert_eq!(
            strs(src),
            vec![
                ("PLAIN".to_string(), true),
                ("tab\there".to_string(), false),
                ("raw\\n".to_string(), false),
                ("two\nlines".to_string(), false),
                (String::new(), true),
                ("open".to_string(), false),
            ]
        );
    }

    #[test]
    fn comments_are_kept_as_slices_of_the_text() {
        let mut comments = Vec::new();
        let toks = lex("// Code generated by x. DO NOT EDIT.\npackage a // tail\n", &mut comments);
        assert_eq!(comments, vec![(0, "// Code generated by x. DO NOT EDIT."), (47, "// tail")]);
        assert_eq!(toks.len(), 2);
    }
}
