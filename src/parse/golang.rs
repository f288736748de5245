//! Go source facts from a token-aware scan (a small lexer, no type checking): the package name,
//! the imports, `os.Getenv`/`os.LookupEnv` calls with a string-literal key (and whether the
//! empty or absent case is handled nearby), and a `-task` style flag switched over string
//! literals. Nothing inside a comment or a string literal is ever a fact.

use crate::source::{FileId, Span, Spanned};

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// Borrowed from the text: scanning allocates only for string literals.
    Ident(&'a str),
    Str(String),
    Punct(&'static str),
    Other,
}

#[derive(Clone, Debug)]
struct Token<'a> {
    tok: Tok<'a>,
    start: usize,
    end: usize,
}

const PUNCTS: &[&str] = &[
    ":=", "==", "!=", "<=", ">=", "&&", "||", "...", "(", ")", "{", "}", "[", "]", ",", ";", ".", ":", "=", "!", "<",
    ">", "&", "*", "+", "-", "/", "|", "%", "^",
];

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
    two.or_else(|| PUNCTS.iter().copied().find(|p| p.len() == 1 && p.as_bytes()[0] == c))
}

/// Tokenizes Go source. Comments are dropped (their text goes to `comments`).
fn lex<'a>(text: &'a str, comments: &mut Vec<(usize, String)>) -> Vec<Token<'a>> {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    let mut out = Vec::new();
    while i < n {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c == b'/' && b.get(i + 1) == Some(&b'/') {
            let end = b[i..].iter().position(|&x| x == b'\n').map_or(n, |p| i + p);
            comments.push((i, text.get(i..end).unwrap_or("").to_string()));
            i = end;
        } else if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let end = text.get(i + 2..).and_then(|s| s.find("*/")).map_or(n, |p| i + 2 + p + 2);
            i = end;
        } else if c == b'"' || c == b'`' || c == b'\'' {
            let start = i;
            let mut value = String::new();
            i += 1;
            while i < n && b[i] != c {
                if c != b'`' && b[i] == b'\\' {
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
                if c != b'`' && b[i] == b'\n' {
                    break;
                }
                let ch = text.get(i..).and_then(|s| s.chars().next()).unwrap_or(' ');
                value.push(ch);
                i += ch.len_utf8();
            }
            i = (i + 1).min(n);
            let tok = if c == b'\'' { Tok::Other } else { Tok::Str(value) };
            out.push(Token { tok, start, end: i });
        } else if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let start = i;
            while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
                i += 1;
            }
            // Stay on a char boundary.
            while i < n && !text.is_char_boundary(i) {
                i += 1;
            }
            out.push(Token { tok: Tok::Ident(text.get(start..i).unwrap_or("")), start, end: i });
        } else if c.is_ascii_digit() {
            let start = i;
            while i < n && (b[i].is_ascii_alphanumeric() || b[i] == b'.' || b[i] == b'_') {
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

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub path: Spanned<String>,
    pub alias: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub key: Spanned<String>,
    /// `true` when the code has a fallback for an empty or absent value (a presence check, a
    /// comparison with `""` that does not abort, `LookupEnv`, `cmp.Or`).
    pub optional: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoFile {
    pub package: Option<Spanned<String>>,
    pub imports: Vec<Import>,
    pub env_reads: Vec<EnvRead>,
    /// The name of a flag switched over string literals, and those literals.
    pub task_flag: Option<Spanned<String>>,
    pub tasks: Vec<Spanned<String>>,
    /// `// Code generated … DO NOT EDIT.`
    pub generated: bool,
    /// `//go:build ignore` (never compiled).
    pub build_ignored: bool,
}

fn ident<'a>(t: Option<&Token<'a>>) -> Option<&'a str> {
    match t.map(|t| &t.tok) {
        Some(Tok::Ident(s)) => Some(*s),
        _ => None,
    }
}

fn is_punct(t: Option<&Token<'_>>, p: &str) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Punct(q)) if *q == p)
}

fn is_empty_str(t: Option<&Token<'_>>) -> bool {
    matches!(t.map(|t| &t.tok), Some(Tok::Str(s)) if s.is_empty())
}

/// Index of the token closing the brace opened at `open`.
fn matching_brace(toks: &[Token<'_>], open: usize) -> usize {
    let mut depth = 0usize;
    for (i, t) in toks.iter().enumerate().skip(open) {
        if is_punct(Some(t), "{") {
            depth += 1;
        } else if is_punct(Some(t), "}") {
            depth = depth.saturating_sub(1);
            if depth == 0 {
                return i;
            }
        }
    }
    toks.len()
}

/// Whether the block after a comparison at `at` aborts (then the key is required after all).
fn block_aborts(toks: &[Token<'_>], from: usize) -> bool {
    let Some(open) = toks.iter().skip(from).take(8).position(|t| is_punct(Some(t), "{")).map(|p| from + p) else {
        return false;
    };
    let close = matching_brace(toks, open);
    toks.get(open..close).unwrap_or(&[]).iter().any(|t| match &t.tok {
        Tok::Ident(s) => matches!(*s, "panic" | "Exit" | "Errorf" | "New") || s.starts_with("Fatal"),
        _ => false,
    })
}

/// Looks in the tokens after `from` for a comparison of `name` (or `.name`) with `""` or a
/// `len(name)` test, and decides whether the empty case has a fallback.
fn empty_case_handled(toks: &[Token<'_>], from: usize, name: &str, field: bool) -> bool {
    let end = (from + 120).min(toks.len());
    let mut i = from;
    while i < end {
        let matches_name =
            ident(toks.get(i)) == Some(name) && (!field || is_punct(i.checked_sub(1).and_then(|p| toks.get(p)), "."));
        if matches_name {
            let cmp_after =
                (is_punct(toks.get(i + 1), "==") || is_punct(toks.get(i + 1), "!=")) && is_empty_str(toks.get(i + 2));
            let len_test = ident(i.checked_sub(2).and_then(|p| toks.get(p))) == Some("len");
            if cmp_after || len_test {
                return !block_aborts(toks, i);
            }
        }
        i += 1;
    }
    false
}

pub fn parse(file: FileId, text: &str) -> GoFile {
    let mut comments = Vec::new();
    let toks = lex(text, &mut comments);
    let mut out = GoFile::default();
    let first_code = toks.first().map_or(text.len(), |t| t.start);
    for (at, c) in &comments {
        // `//go:build ignore` / `tools`: a file never compiled into a binary.
        let never = |w: &str| matches!(w.trim_matches(['(', ')']), "ignore" | "tools");
        if *at < first_code && c.starts_with("//go:build") && c.split_whitespace().skip(1).any(never) {
            out.build_ignored = true;
        }
        if c.starts_with("// Code generated") && c.trim_end().ends_with("DO NOT EDIT.") {
            out.generated = true;
        }
    }
    let sp = |t: &Token<'_>| Span::new(file, t.start..t.end);
    let mut os_names: Vec<String> = Vec::new();
    let mut flag_names: Vec<String> = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        match &t.tok {
            Tok::Ident(k) if *k == "package" && out.package.is_none() => {
                if let Some(name) = ident(toks.get(i + 1)) {
                    out.package = Some(Spanned::new(name.to_string(), sp(t).to(sp(&toks[i + 1]))));
                }
            }
            Tok::Ident(k) if *k == "import" => {
                let mut j = i + 1;
                let grouped = is_punct(toks.get(j), "(");
                if grouped {
                    j += 1;
                }
                loop {
                    let mut alias = None;
                    match toks.get(j).map(|t| &t.tok) {
                        Some(Tok::Ident(a)) => {
                            alias = Some(a.to_string());
                            j += 1;
                        }
                        Some(Tok::Punct(".")) | Some(Tok::Punct("_")) => {
                            alias = Some(".".into());
                            j += 1;
                        }
                        _ => {}
                    }
                    if let Some(Token { tok: Tok::Str(path), .. }) = toks.get(j) {
                        let path = path.clone();
                        let name = alias.clone().unwrap_or_else(|| path.rsplit('/').next().unwrap_or("").to_string());
                        if path == "os" {
                            os_names.push(name.clone());
                        }
                        if path == "flag" {
                            flag_names.push(name);
                        }
                        out.imports.push(Import { path: Spanned::new(path, sp(&toks[j])), alias });
                        j += 1;
                    } else {
                        break;
                    }
                    if is_punct(toks.get(j), ";") {
                        j += 1;
                    }
                    if !grouped || is_punct(toks.get(j), ")") {
                        break;
                    }
                }
                i = j;
                continue;
            }
            Tok::Ident(pkg) if os_names.iter().any(|n| n == pkg) && is_punct(toks.get(i + 1), ".") => {
                let func = ident(toks.get(i + 2));
                if matches!(func, Some("Getenv" | "LookupEnv"))
                    && is_punct(toks.get(i + 3), "(")
                    && is_punct(toks.get(i + 5), ")")
                {
                    if let Some(Token { tok: Tok::Str(key), .. }) = toks.get(i + 4) {
                        let lit = &toks[i + 4];
                        let optional = func == Some("LookupEnv") || read_is_optional(&toks, i);
                        out.env_reads.push(EnvRead { key: Spanned::new(key.clone(), sp(lit)), optional });
                    }
                }
            }
            Tok::Ident(pkg) if flag_names.iter().any(|n| n == pkg) && is_punct(toks.get(i + 1), ".") => {
                // `v := flag.String("task", …)` or `flag.StringVar(&v, "task", …)`.
                let func = ident(toks.get(i + 2)).unwrap_or("");
                if func == "String" || func == "StringVar" {
                    let (var, lit_at) = if func == "String" {
                        let var = (is_punct(i.checked_sub(1).and_then(|p| toks.get(p)), ":=")
                            || is_punct(i.checked_sub(1).and_then(|p| toks.get(p)), "="))
                        .then(|| ident(i.checked_sub(2).and_then(|p| toks.get(p))))
                        .flatten();
                        (var, i + 4)
                    } else {
                        (ident(toks.get(i + 5)), i + 7)
                    };
                    if let (Some(var), Some(Token { tok: Tok::Str(name), .. })) = (var, toks.get(lit_at)) {
                        if out.task_flag.is_none() && switch_over(&toks, var).is_some() {
                            let cases = switch_over(&toks, var).unwrap_or_default();
                            out.task_flag = Some(Spanned::new(name.clone(), sp(&toks[lit_at])));
                            out.tasks =
                                cases.into_iter().map(|k| Spanned::new(string_of(&toks[k]), sp(&toks[k]))).collect();
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    out
}

fn string_of(t: &Token<'_>) -> String {
    match &t.tok {
        Tok::Str(s) => s.clone(),
        _ => String::new(),
    }
}

/// The `case` string literals of a `switch` whose tag mentions `var` (token indexes).
fn switch_over(toks: &[Token<'_>], var: &str) -> Option<Vec<usize>> {
    for (i, t) in toks.iter().enumerate() {
        if ident(Some(t)) != Some("switch") {
            continue;
        }
        let open = toks.iter().skip(i + 1).take(8).position(|t| is_punct(Some(t), "{")).map(|p| i + 1 + p)?;
        if !toks.get(i + 1..open).unwrap_or(&[]).iter().any(|t| ident(Some(t)) == Some(var)) {
            continue;
        }
        let close = matching_brace(toks, open);
        let mut out = Vec::new();
        let mut depth = 0usize;
        let mut j = open;
        while j < close {
            let t = &toks[j];
            if is_punct(Some(t), "{") {
                depth += 1;
            } else if is_punct(Some(t), "}") {
                depth = depth.saturating_sub(1);
            } else if depth == 1 && ident(Some(t)) == Some("case") {
                let mut k = j + 1;
                while k < close && !is_punct(toks.get(k), ":") {
                    if matches!(toks[k].tok, Tok::Str(_)) {
                        out.push(k);
                    }
                    k += 1;
                }
                j = k;
            }
            j += 1;
        }
        return Some(out);
    }
    None
}

/// Decides whether the `os.Getenv` call starting at token `at` has a fallback nearby.
fn read_is_optional(toks: &[Token<'_>], at: usize) -> bool {
    let close = at + 5;
    // Compared right away: `if os.Getenv("K") == "" {…}`.
    if (is_punct(toks.get(close + 1), "==") || is_punct(toks.get(close + 1), "!=")) && is_empty_str(toks.get(close + 2))
    {
        return !block_aborts(toks, close);
    }
    // Compared with a value: a switch, not a setting (`if os.Getenv("DEBUG") == "1"`).
    if (is_punct(toks.get(close + 1), "==") || is_punct(toks.get(close + 1), "!="))
        && matches!(toks.get(close + 2).map(|t| &t.tok), Some(Tok::Str(_)))
    {
        return true;
    }
    // `cmp.Or(os.Getenv("K"), "default")`, and functions that read a flag out of the value.
    if is_punct(at.checked_sub(1).and_then(|p| toks.get(p)), "(")
        && matches!(
            ident(at.checked_sub(2).and_then(|p| toks.get(p))),
            Some("Or" | "ParseBool" | "EqualFold" | "ToLower" | "ToUpper" | "HasPrefix" | "Contains")
        )
    {
        return true;
    }
    let prev = at.checked_sub(1).and_then(|p| toks.get(p));
    let name_tok = at.checked_sub(2).and_then(|p| toks.get(p));
    // `v := os.Getenv("K")` / `v = …`, then `if v == "" {…}` nearby.
    if is_punct(prev, ":=") || is_punct(prev, "=") {
        if let Some(name) = ident(name_tok) {
            return empty_case_handled(toks, close, name, false);
        }
    }
    // `Field: os.Getenv("K")` in a composite literal, then `if cfg.Field == ""`.
    if is_punct(prev, ":") {
        if let Some(name) = ident(name_tok) {
            return empty_case_handled(toks, close, name, true);
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(src: &str) -> Vec<(String, bool)> {
        parse(FileId(0), src).env_reads.into_iter().map(|r| (r.key.value, r.optional)).collect()
    }

    #[test]
    fn finds_package_imports_and_env_reads() {
        let src = r#"package main
import (
    "fmt"
    xos "os"
)
// os.Getenv("IN_COMMENT")
var s = `xos.Getenv("IN_RAW")`
func main() {
    a := xos.Getenv("REQUIRED")
    b := xos.Getenv("WITH_DEFAULT")
    if b == "" { b = "x" }
    c := xos.Getenv("FATAL_IF_EMPTY")
    if c == "" { log.Fatal("missing") }
    _, ok := xos.LookupEnv("LOOKED_UP")
    if xos.Getenv("DEBUG") == "1" { fmt.Println("debug") }
    verbose, _ := strconv.ParseBool(xos.Getenv("VERBOSE"))
    fmt.Println(a, b, c, ok, verbose, xos.Getenv("A" + "B"))
}
"#;
        let f = parse(FileId(0), src);
        assert_eq!(f.package.as_ref().map(|p| p.value.as_str()), Some("main"));
        assert_eq!(f.imports.len(), 2);
        assert_eq!(
            reads(src),
            vec![
                ("REQUIRED".into(), false),
                ("WITH_DEFAULT".into(), true),
                ("FATAL_IF_EMPTY".into(), false),
                ("LOOKED_UP".into(), true),
                ("DEBUG".into(), true),
                ("VERBOSE".into(), true)
            ]
        );
    }

    #[test]
    fn finds_task_switch() {
        let src = r#"package main
import "flag"
func main() {
    task := flag.String("task", "", "task to run")
    flag.Parse()
    switch *task {
    case "a":
        run()
    case "b", "c":
        switch x { case "nested": }
    default:
    }
}
"#;
        let f = parse(FileId(0), src);
        assert_eq!(f.task_flag.map(|t| t.value).as_deref(), Some("task"));
        let tasks: Vec<_> = f.tasks.into_iter().map(|t| t.value).collect();
        assert_eq!(tasks, ["a", "b", "c"]);
    }
}
