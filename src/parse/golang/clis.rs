//! Subcommands declared with a CLI library: cobra's `&cobra.Command{Use: "name …"}` and
//! urfave/cli's `cli.Command{Name: "name"}` (also the untyped elements of `[]*cli.Command{…}`).

use super::decls::Ctx;
use super::{CliCommand, CliCommands};
use crate::source::Spanned;

pub(super) fn commands(c: &Ctx<'_, '_, '_>) -> CliCommands {
    let t = c.t;
    let mut out = CliCommands::default();
    if c.imports.cobra.is_empty() && c.imports.cli.is_empty() {
        return out;
    }
    // Variables run as the root: cobra's `root.Execute()`, urfave/cli v3's `cmd.Run(ctx, args)`.
    for k in 0..t.len() {
        let run = match t.ident(k + 2) {
            Some("Execute" | "ExecuteC" | "ExecuteContext") => !c.imports.cobra.is_empty(),
            Some("Run") => !c.imports.cli.is_empty(),
            _ => false,
        };
        if run && t.is(k + 1, ".") && t.is(k + 3, "(") && !k.checked_sub(1).is_some_and(|p| t.is(p, ".")) {
            if let Some(v) = t.ident(k).filter(|v| !out.executed.iter().any(|e| e == v)) {
                out.executed.push(v.to_string());
            }
        }
    }
    for k in 0..t.len() {
        let Some(lib) = t.ident(k) else { continue };
        // urfave/cli: `cli.App{…}` (v1, v2) with `.Run(` on it; v3 runs a `cli.Command`.
        if c.imports.cli.iter().any(|n| n == lib)
            && t.is(k + 1, ".")
            && t.ident(k + 2) == Some("App")
            && t.is(k + 3, "{")
        {
            out.app = true;
        }
        let cobra = c.imports.cobra.iter().any(|n| n == lib);
        let cli = c.imports.cli.iter().any(|n| n == lib);
        if !(cobra || cli) || !t.is(k + 1, ".") || t.ident(k + 2) != Some("Command") {
            continue;
        }
        // `lib.Command{…}`, or `[]lib.Command{{…}, …}` / `[]*lib.Command{…}`.
        let slice = k.checked_sub(2).is_some_and(|p| t.is(p, "[") && t.is(p + 1, "]"))
            || k.checked_sub(3).is_some_and(|p| t.is(p, "[") && t.is(p + 1, "]") && t.is(p + 2, "*"));
        let Some(open) = Some(k + 3).filter(|&o| t.is(o, "{")) else { continue };
        let Some(close) = t.closing(open) else { continue };
        // The variable the literal is assigned to (`root := &cobra.Command{`).
        let assign = if k.checked_sub(1).is_some_and(|p| t.is(p, "&")) { k.checked_sub(2) } else { k.checked_sub(1) };
        let var =
            assign.filter(|&a| t.is(a, "=") || t.is(a, ":=")).and_then(|a| a.checked_sub(1)).and_then(|p| t.ident(p));
        let literals: Vec<(usize, usize)> = if slice {
            // The elements: `{…}` or `&lib.Command{…}` (the latter is found on its own).
            let mut v = Vec::new();
            let mut j = open + 1;
            while j < close {
                if t.is(j, "{") {
                    let Some(e) = t.closing(j) else { break };
                    if j.checked_sub(1).is_none_or(|p| t.ident(p) != Some("Command")) {
                        v.push((j, e));
                    }
                    j = e;
                } else if t.is(j, "(") || t.is(j, "[") {
                    j = t.closing(j).unwrap_or(close);
                }
                j += 1;
            }
            v
        } else {
            vec![(open, close)]
        };
        let key = if cobra { "Use" } else { "Name" };
        for (o, e) in literals {
            let mut cmd: Option<CliCommand> = None;
            let mut aliases = Vec::new();
            let mut depth = 0usize;
            for j in o + 1..e {
                if t.is(j, "(") || t.is(j, "[") || t.is(j, "{") {
                    depth += 1;
                } else if t.is(j, ")") || t.is(j, "]") || t.is(j, "}") {
                    depth = depth.saturating_sub(1);
                } else if depth == 0 && t.ident(j) == Some(key) && t.is(j + 1, ":") {
                    match t.str(j + 2).filter(|_| t.is(j + 3, ",") || t.is(j + 3, "}") || j + 3 == e) {
                        Some(s) => {
                            let word = s.split_whitespace().next().unwrap_or("");
                            let start = s.len() - s.trim_start().len();
                            let span = c.span(j + 2);
                            // The word inside the quotes.
                            let span = crate::source::Span::new(
                                span.file,
                                span.start + 1 + start..span.start + 1 + start + word.len(),
                            );
                            if !word.is_empty() {
                                let var = var.filter(|_| !slice).map(str::to_string);
                                cmd = Some(CliCommand {
                                    name: Spanned::new(word.to_string(), span),
                                    aliases: Vec::new(),
                                    var,
                                });
                            }
                        }
                        None => out.dynamic = true,
                    }
                } else if depth == 0 && t.ident(j) == Some("Aliases") && t.is(j + 1, ":") {
                    let mut q = j + 2;
                    while q < e && !t.is(q, "}") {
                        if let Some(a) = t.str(q) {
                            aliases.push(a.to_string());
                        }
                        q += 1;
                    }
                }
            }
            if let Some(mut cmd) = cmd {
                cmd.aliases = aliases;
                out.commands.push(cmd);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use crate::source::FileId;

    fn names(src: &str) -> (Vec<(String, Vec<String>, bool)>, bool) {
        let f = parse(FileId(0), src).cli;
        let executed = f.executed.clone();
        let root = |v: Option<String>| v.is_some_and(|v| executed.contains(&v));
        (f.commands.into_iter().map(|c| (c.name.value, c.aliases, root(c.var))).collect(), f.dynamic)
    }

    #[test]
    fn cobra_commands_and_the_root() {
        let src = r#"package cmd
import "github.com/spf13/cobra"
var rootCmd = &cobra.Command{Use: "ledger", Short: "x"}
var purgeCmd = &cobra.Command{
    Use:     "purge-sessions [flags]",
    Aliases: []string{"purge"},
    RunE: func(cmd *cobra.Command, args []string) error { return nil },
}
func Execute() { rootCmd.AddCommand(purgeCmd); _ = rootCmd.Execute() }
"#;
        let want = vec![
            ("ledger".to_string(), vec![], true),
            ("purge-sessions".to_string(), vec!["purge".to_string()], false),
        ];
        assert_eq!(names(src), (want, false));
    }

    #[test]
    fn urfave_commands_in_a_slice_and_a_dynamic_name() {
        let src = r#"package main
import "github.com/urfave/cli/v2"
func main() {
    app := &cli.App{
        Name: "ledger",
        Commands: []*cli.Command{
            {Name: "rollup", Action: rollup},
            {Name: "mail-digest", Aliases: []string{"digest"}, Flags: []cli.Flag{&cli.StringFlag{Name: "to"}}},
        },
    }
    extra := &cli.Command{Name: name}
    _ = app.Run(os.Args)
}
"#;
        let want =
            vec![("rollup".to_string(), vec![], false), ("mail-digest".to_string(), vec!["digest".to_string()], false)];
        assert_eq!(names(src), (want, true));
        assert!(parse(FileId(0), src).cli.app);
    }
}
