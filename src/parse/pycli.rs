//! Subcommands a Python file declares: click and typer commands, argparse sub-parsers, and
//! Django management commands.
//!
//! - click: `@group.command()` / `@group.group()` (the function's name, `_` → `-`, and also
//!   with the `_command`/`_cmd`/`_group`/`_grp` suffix click 8.2 drops), or the name given
//!   (`@cli.command("sync")`, `name="sync"`); `group.add_command(fn, "name")` /
//!   `name="name"`; `@click.command()` / `@click.group()` name a command the same way.
//! - typer: `@app.command()` (the function's name, `_` → `-`) or `@app.command("name")`;
//!   `app.add_typer(sub, name="name")`.
//! - argparse: `subparsers.add_parser("name", aliases=[…])`.
//! - Django: `class Command(…)` in `<app>/management/commands/<name>.py` is the command
//!   `<name>` (a file whose name starts with `_` is none).

use super::lex::{self, Brackets, Syntax, Token};
use crate::source::{FileId, Span, Spanned, file_name, parent_dir};
use std::collections::{BTreeMap, BTreeSet};

/// The subcommands of one Python file.
#[derive(Clone, Debug, Default)]
pub struct PyCli {
    /// Names a command line accepts, each at the place that names it. A name may appear in
    /// two spellings (click before and after 8.2).
    pub commands: Vec<Spanned<String>>,
    /// The file is a Django management command: its name and the place of `class Command`.
    pub django_command: Option<Spanned<String>>,
}

/// The tokens from `from` to `to` that stand outside any bracket opened there (an argument
/// list's own tokens), each with its index; a bracket is passed over at once.
fn top_level<'b, 't, 'a>(
    b: &'b Brackets<'t, 'a>,
    from: usize,
    to: usize,
) -> impl Iterator<Item = (usize, &'t Token<'a>)> + 'b {
    let mut k = from;
    std::iter::from_fn(move || {
        let j = k;
        let t = b.toks().get(j).filter(|_| j < to)?;
        k = if t.is("(") || t.is("[") || t.is("{") { b.closing(j).saturating_add(1) } else { j + 1 };
        Some((j, t))
    })
}

/// The string literal passed first (positionally) or as `name=` to a call, whose arguments
/// start at `first` and end at `close`, with its span; `Err(())` when a name is given but is
/// no literal.
fn name_arg(
    file: FileId,
    text: &str,
    b: &Brackets<'_, '_>,
    first: usize,
    close: usize,
) -> Result<Option<Spanned<String>>, ()> {
    let toks = b.toks();
    let lit = |k: usize| -> Option<Spanned<String>> {
        let t = toks.get(k)?;
        let s = t.string()?;
        let quoted = text.get(t.start..t.end).is_some_and(|r| r.len() >= 2 && r.ends_with(['"', '\'']));
        let span = if quoted && t.end > t.start + 1 {
            let q = text.get(t.start..t.end).and_then(|r| r.find(['"', '\''])).unwrap_or(0);
            Span::new(file, t.start + q + 1..t.end - 1)
        } else {
            Span::new(file, t.start..t.end)
        };
        Some(Spanned::new(s.to_string(), span))
    };
    if first >= close {
        return Ok(None);
    }
    // The first positional argument, when it ends there.
    if toks.get(first + 1).is_some_and(|t| t.is(",") || t.is(")"))
        && toks.get(first).is_some_and(|t| t.string().is_some())
    {
        return Ok(lit(first));
    }
    for (k, t) in top_level(b, first, close) {
        if t.is_ident("name") && toks.get(k + 1).is_some_and(|x| x.is("=")) {
            return lit(k + 2).filter(|_| toks.get(k + 3).is_some_and(|x| x.is(",") || x.is(")"))).map(Some).ok_or(());
        }
    }
    Ok(None)
}

/// click's and typer's name for a command function: `_` → `-`, and click 8.2's, which also
/// drops a `_command`, `_cmd`, `_group` or `_grp` suffix.
fn function_names(name: &str) -> Vec<String> {
    let name = name.trim_matches('_');
    let mut out = vec![name.replace('_', "-")];
    for suffix in ["_command", "_cmd", "_group", "_grp"] {
        if let Some(stem) = name.strip_suffix(suffix).filter(|s| !s.is_empty()) {
            out.push(stem.replace('_', "-"));
        }
    }
    out
}

/// The subcommands `path` (its text `text`) declares.
pub fn parse(file: FileId, path: &str, text: &str) -> PyCli {
    let mut out = PyCli::default();
    let toks = lex::lex(text, Syntax::Python);
    let t = |k: usize| toks.get(k);
    let commands_dir = parent_dir(path);
    if file_name(commands_dir) == "commands" && file_name(parent_dir(commands_dir)) == "management" {
        let stem = file_name(path).strip_suffix(".py").unwrap_or("");
        if !stem.is_empty() && !stem.starts_with('_') {
            let class = (0..toks.len()).find(|&k| {
                t(k).is_some_and(|x| x.is_ident("class"))
                    && t(k + 1).is_some_and(|x| x.is_ident("Command"))
                    && t(k + 2).is_some_and(|x| x.is("(") || x.is(":"))
            });
            if let Some(k) = class {
                let span = t(k + 1).map_or(Span::new(file, 0..0), |x| Span::new(file, x.start..x.end));
                out.django_command = Some(Spanned::new(stem.to_string(), span));
            }
        }
    }
    if !toks.iter().any(|x| matches!(x.ident(), Some("click" | "typer" | "argparse" | "add_parser"))) {
        return out;
    }
    let b = Brackets::new(&toks);
    // Where `name=` stands, in order.
    let name_eq: Vec<usize> = (0..toks.len())
        .filter(|&j| t(j).is_some_and(|x| x.is_ident("name")) && t(j + 1).is_some_and(|x| x.is("=")))
        .collect();
    // Decorated commands: (the object, the function, its names), and the first of each function.
    let mut decorated: Vec<(String, String, Vec<Spanned<String>>)> = Vec::new();
    let mut by_function: BTreeMap<String, usize> = BTreeMap::new();
    for k in 0..toks.len() {
        let method = t(k + 1).and_then(Token::ident);
        if !t(k).is_some_and(|x| x.is(".")) || !t(k + 2).is_some_and(|x| x.is("(")) {
            continue;
        }
        let open = k + 2;
        match method {
            // `@x.command(…)` / `@x.group(…)` before a `def`.
            Some("command" | "group") => {
                let decorator = (1..=3).any(|b| k.checked_sub(b).and_then(&t).is_some_and(|x| x.is("@")));
                if !decorator {
                    continue;
                }
                let object = k.checked_sub(1).and_then(&t).and_then(Token::ident).unwrap_or("").to_string();
                let close = b.closing(open);
                // The function the decorators stand on.
                let mut j = close + 1;
                while t(j).is_some_and(|x| !x.is_ident("def")) && j < close + 200 {
                    j += 1;
                }
                let function = t(j + 1).filter(|x| x.ident().is_some());
                let names = match name_arg(file, text, &b, open + 1, close) {
                    Ok(Some(n)) => vec![n],
                    Ok(None) => function.map_or_else(Vec::new, |f| {
                        let span = Span::new(file, f.start..f.end);
                        function_names(f.ident().unwrap_or("")).into_iter().map(|n| Spanned::new(n, span)).collect()
                    }),
                    Err(()) => Vec::new(),
                };
                let fname = function.and_then(Token::ident).unwrap_or("").to_string();
                by_function.entry(fname.clone()).or_insert(decorated.len());
                decorated.push((object, fname, names));
            }
            Some("add_parser") => {
                let close = b.closing(open);
                if let Ok(Some(n)) = name_arg(file, text, &b, open + 1, close) {
                    out.commands.push(n);
                }
                // `aliases=[…]`
                for (j, x) in top_level(&b, open + 1, close) {
                    if x.is_ident("aliases") && t(j + 1).is_some_and(|x| x.is("=")) {
                        let end = if t(j + 2).is_some_and(|x| x.is("[") || x.is("(")) { b.closing(j + 2) } else { j };
                        for a in j + 3..end {
                            if let Some(s) = t(a).and_then(Token::string) {
                                let span = t(a).map_or(Span::new(file, 0..0), |x| Span::new(file, x.start..x.end));
                                out.commands.push(Spanned::new(s.to_string(), span));
                            }
                        }
                    }
                }
            }
            Some("add_command" | "add_typer") => {
                let close = b.closing(open);
                // `add_command(fn, "name")`, or `name="name"`; else the command's own name.
                let second = top_level(&b, open + 1, close).find(|(_, x)| x.is(",")).map(|(j, _)| j + 1);
                let named = match second {
                    Some(s) if t(s).is_some_and(|x| x.string().is_some()) => {
                        name_arg(file, text, &b, s, close).ok().flatten()
                    }
                    _ => None,
                };
                let named = named.or_else(|| {
                    name_eq.get(name_eq.partition_point(|&j| j < open)).copied().filter(|&j| j < close).and_then(|j| {
                        let x = t(j + 2)?;
                        let s = x.string()?;
                        Some(Spanned::new(s.to_string(), Span::new(file, x.start..x.end)))
                    })
                });
                // `add_command(fn)`: the name `fn`'s own decorator gives it.
                let first =
                    t(open + 1).and_then(Token::ident).filter(|_| t(open + 2).is_some_and(|x| x.is(",") || x.is(")")));
                let own = first.and_then(|f| by_function.get(f)).and_then(|&d| decorated.get(d)).map(|d| d.2.clone());
                match named {
                    Some(n) => out.commands.push(n),
                    None => out.commands.extend(own.unwrap_or_default()),
                }
            }
            _ => {}
        }
    }
    // `@click.command()` / `@click.group()` is a program of its own (its first argument is
    // no subcommand) until a group adds it; a typer app with one command and no callback
    // runs it without its name.
    let typer = toks.iter().any(|x| x.is_ident("typer"));
    let callbacks: BTreeSet<&str> = (0..toks.len())
        .filter(|&k| t(k + 1).is_some_and(|x| x.is(".")) && t(k + 2).is_some_and(|x| x.is_ident("callback")))
        .filter_map(|k| t(k).and_then(Token::ident))
        .collect();
    let mut per_object: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &decorated {
        *per_object.entry(d.0.as_str()).or_default() += 1;
    }
    for (object, _, names) in &decorated {
        let alone = typer && per_object.get(object.as_str()) == Some(&1) && !callbacks.contains(object.as_str());
        if object != "click" && object != "typer" && !alone {
            out.commands.extend(names.iter().cloned());
        }
    }
    out.commands.sort_by_key(|c| c.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(path: &str, src: &str) -> Vec<String> {
        parse(FileId(0), path, src).commands.into_iter().map(|c| c.value).collect()
    }

    #[test]
    fn click_and_typer_commands() {
        let src = r#"
import click

@click.group()
def cli():
    pass

@cli.command()
@click.option("--dry-run", is_flag=True)
def sync_users(dry_run):
    pass

@cli.command("purge")
def purge_sessions_cmd():
    pass

@cli.command(name='rollup', help="x")
def rollup():
    pass

cli.add_command(export_all, "export")
cli.add_command(import_all, name="import")
"#;
        assert_eq!(names("cli.py", src), ["sync-users", "purge", "rollup", "export", "import"]);
        let typer = "import typer\napp = typer.Typer()\n@app.command()\ndef reindex_search():\n    ...\n@app.command()\ndef prune():\n    ...\n";
        assert_eq!(names("tasks.py", typer), ["reindex-search", "prune"]);
        // One typer command runs without its name; with a callback it needs it.
        let one = "import typer\napp = typer.Typer()\n@app.command()\ndef reindex_search():\n    ...\n";
        assert!(names("tasks.py", one).is_empty());
        let called = format!("{one}@app.callback()\ndef main():\n    ...\n");
        assert_eq!(names("tasks.py", &called), ["reindex-search"]);
        let suffix = "import click\n@cli.command()\ndef mail_digest_cmd():\n    ...\n";
        assert_eq!(names("x.py", suffix), ["mail-digest-cmd", "mail-digest"]);
        // A standalone click command takes arguments, not subcommands, until a group adds it.
        let alone = "import click\n@click.command()\n@click.argument(\"kind\")\ndef export(kind):\n    ...\n";
        assert!(names("export.py", alone).is_empty());
        let added = format!("{alone}@click.group()\ndef cli():\n    ...\ncli.add_command(export)\n");
        assert_eq!(names("export.py", &added), ["export"]);
    }

    #[test]
    fn argparse_subparsers() {
        let src = r#"
import argparse
parser = argparse.ArgumentParser()
sub = parser.add_subparsers(dest="cmd")
p = sub.add_parser("expire-holds", help="x")
q = sub.add_parser(name="rebuild", aliases=["rb"])
"#;
        assert_eq!(names("jobs.py", src), ["expire-holds", "rebuild", "rb"]);
    }

    #[test]
    fn django_management_commands() {
        let src = "from django.core.management.base import BaseCommand\n\nclass Command(BaseCommand):\n    def handle(self, *a, **k):\n        pass\n";
        let c = parse(FileId(0), "shop/orders/management/commands/expire_carts.py", src);
        assert_eq!(c.django_command.map(|d| d.value).as_deref(), Some("expire_carts"));
        assert!(parse(FileId(0), "shop/orders/management/commands/_base.py", src).django_command.is_none());
        assert!(parse(FileId(0), "shop/orders/commands/expire_carts.py", src).django_command.is_none());
    }

    #[test]
    fn truncated_and_unclosed_sources() {
        // Cut inside a call: the name before the cut is read, the cut alias list too (the
        // lexer ends a string left open at the end of the file).
        let cut = "import argparse\nsub = p.add_subparsers()\nsub.add_parser(\"drain\", aliases=[\"dr\", \"d";
        assert_eq!(names("jobs.py", cut), ["drain", "dr", "d"]);
        assert!(names("cli.py", "import click\n@cli.command(name=").is_empty());
        assert!(names("cli.py", "import click\n@cli.command(").is_empty());
        // Calls left open thousands of times: each read once, quickly; an alias list belongs
        // to its own call only.
        let open = format!("import argparse\n{}", "sub.add_parser(\"tick\", aliases=[\"t\"], x=".repeat(20_000));
        let got = names("jobs.py", &open);
        assert_eq!(got.len(), 40_000);
        assert_eq!(got.iter().filter(|n| *n == "t").count(), 20_000);
        let added =
            format!("import click\n{}", "@cli.command()\ndef job():\n    pass\ncli.add_command(job, ".repeat(20_000));
        assert_eq!(names("cli.py", &added).len(), 40_000);
    }
}
