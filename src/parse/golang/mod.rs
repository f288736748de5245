//! Go source facts from a token-aware scan (a small lexer, no type checking): the package name,
//! the imports, and per function the `os.Getenv`/`os.LookupEnv` calls with a string-literal key
//! (and whether the code copes without the value), the functions it refers to, and the string
//! flags a `switch` selects on. Nothing inside a comment or a string literal is ever a fact.

mod clis;
mod decls;
mod env;
mod flags;
mod lex;
mod libs;
mod structs;

use crate::source::{FileId, Span, Spanned};
use lex::Toks;
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Import {
    pub path: Spanned<String>,
    pub alias: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvRead {
    pub key: Spanned<String>,
    /// `true` when the code copes without the value: a presence check, a comparison with `""`
    /// that does not abort (also through a wrapper such as `strings.TrimSpace`), `LookupEnv`,
    /// `cmp.Or`, or a read inside a branch (taken only when something else is set).
    pub optional: bool,
    /// Taken only when something else holds: inside a branch, or after an early return on
    /// another key's absence.
    pub conditional: bool,
    /// The struct field the value is stored in (`Host: os.Getenv("DB_HOST")`), whose emptiness
    /// other code may check.
    pub field: Option<String>,
    pub kind: ReadKind,
    /// Other keys the code falls back to, failing only without all of them (`cmp.Or(…)` then
    /// an abort, `if v == "" { v = os.Getenv("B") }`): one of them is required.
    pub alternatives: Vec<String>,
}

/// How a key is read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReadKind {
    /// `os.Getenv("K")` / `os.LookupEnv("K")`: required unless `optional`.
    Direct,
    /// A string literal passed as argument `arg` of a call (`getEnv("K", "x")`): a key only
    /// when the function is an env wrapper (one that passes that parameter to `os.Getenv`), with
    /// the wrapper's default semantics.
    Via { target: Use, arg: usize },
    /// A library's read (a urfave/cli flag's `EnvVars`, viper's `BindEnv`): required unless
    /// `optional`, for the reason given.
    Library(&'static str),
}

/// What an env wrapper does when the key its parameter names is unset.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum WrapKind {
    /// It aborts (`log.Fatal`, `panic`, an error): its keys are required.
    Required,
    /// It returns the value as `os.Getenv` does: the call site decides.
    PassThrough,
    /// It takes a default or copes with the empty value: its keys are optional.
    Optional,
}

/// A function that passes its parameter `param` to `os.Getenv` / `os.LookupEnv`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Wrapper {
    pub param: usize,
    pub kind: WrapKind,
}

/// The struct-tag library a struct is loaded with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TagLib {
    /// `github.com/kelseyhightower/envconfig`: `envconfig.Process(prefix, &cfg)`.
    Envconfig,
    /// `github.com/caarlos0/env`: `env.Parse(&cfg)`.
    CaarlosEnv,
}

/// A struct filled from the env by a tag library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructLoad {
    pub ty: TypeRef,
    pub lib: TagLib,
    /// The prefix of every key (`None` when it is not a string literal: the keys are unknown).
    pub prefix: Option<String>,
    /// caarlos0/env `Options{RequiredIfNoDef: true}`.
    pub required_if_no_default: bool,
    /// Inside a branch: taken only when something else holds.
    pub conditional: bool,
}

/// A field's type, as far as the tag libraries care.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FieldType {
    /// A predeclared type (`string`, `[]int`, `map[string]string`, `*bool`) or `time.Duration`.
    Leaf,
    /// A named type of the repository (a struct is followed into).
    Named(TypeRef),
    /// A pointer to a named type of the repository.
    Pointer(TypeRef),
    /// Anything else (another package's type, an inline struct).
    Unknown,
}

/// One `key:"value"` of a struct tag.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagItem {
    pub key: String,
    pub value: Spanned<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// `None` for an embedded field.
    pub name: Option<Spanned<String>>,
    pub ty: FieldType,
    pub tag: Vec<TagItem>,
}

impl Field {
    pub fn tag(&self, key: &str) -> Option<&Spanned<String>> {
        self.tag.iter().find(|t| t.key == key).map(|t| &t.value)
    }
}

/// `type Name struct { … }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StructDecl {
    pub name: String,
    pub fields: Vec<Field>,
}

/// A type named in the code, as far as a scan can tell.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum TypeRef {
    /// `T` (`pkg` is `None`: the package of the code that names it) or `pkg.T` (the import path).
    Named { pkg: Option<String>, name: String },
    /// The first result of the function `F` or `pkg.F` (resolved by the model).
    ResultOf { pkg: Option<String>, func: String },
}

/// A reference from code to something that may be a function.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Use {
    /// A bare identifier: a function of the same package when one has that name.
    Ident(String),
    /// `alias.Name`: `Name` of the imported package (its import path).
    Qualified { pkg: String, name: String },
    /// `x.Name` where the type of `x` is known: the method `Name` of that type.
    Method { ty: TypeRef, name: String },
}

/// What a stretch of code does: the keys it reads and what it refers to. Only what runs every
/// time the code runs: a reference inside a branch (`if`, `else`, `switch`/`select` cases) is
/// left out, and a read there is optional.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Body {
    pub env_reads: Vec<EnvRead>,
    /// Sorted, without duplicates.
    pub uses: Vec<Use>,
    /// Structs filled from the env here.
    pub struct_loads: Vec<StructLoad>,
    /// A function body that passes one of its parameters to `os.Getenv`.
    pub wrapper: Option<Wrapper>,
}

/// A function or method declaration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Func {
    pub name: Spanned<String>,
    /// The receiver's type name, for a method.
    pub receiver: Option<String>,
    /// The type of the first result, when it is a named type.
    pub result: Option<TypeRef>,
    pub body: Body,
    /// It passes a parameter to `os.Getenv` / `os.LookupEnv`.
    pub wrapper: Option<Wrapper>,
}

/// A `switch` on a string flag's own variable.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FlagSwitch {
    /// The non-empty string literals of its `case` clauses.
    pub cases: Vec<Spanned<String>>,
    /// A `case ""` is handled (running without the flag is a mode of its own).
    pub handles_empty: bool,
}

/// `flag.String("name", default, …)` / `flag.StringVar(&v, "name", default, …)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StringFlag {
    pub name: Spanned<String>,
    /// The default when it is a string literal (`Some("")` for an empty one), else `None`.
    pub default: Option<String>,
    /// The `switch` on the flag's variable, when there is one.
    pub switch: Option<FlagSwitch>,
}

/// A subcommand declared with a CLI library (cobra `Use:`, urfave/cli `Name:`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CliCommand {
    /// The first word of `Use:` / the `Name:`.
    pub name: Spanned<String>,
    pub aliases: Vec<String>,
    /// The variable the command is assigned to (`root := &cobra.Command{…}`).
    pub var: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CliCommands {
    pub commands: Vec<CliCommand>,
    /// A command's name is not a string literal: the set is not known in full.
    pub dynamic: bool,
    /// The variables run as a root command (cobra's `x.Execute()`, urfave/cli v3's `x.Run(…)`).
    pub executed: Vec<String>,
    /// A urfave/cli `App` literal: the file runs a command line.
    pub app: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoFile {
    pub package: Option<Spanned<String>>,
    pub imports: Vec<Import>,
    pub funcs: Vec<Func>,
    /// Code outside functions (package-level `var` initialisers): it runs whenever the package
    /// is part of a program.
    pub package_level: Body,
    /// The declarations were followed to the end of the file (the brackets balance).
    pub complete: bool,
    pub string_flags: Vec<StringFlag>,
    pub cli: CliCommands,
    /// `// Code generated … DO NOT EDIT.`
    pub generated: bool,
    /// `//go:build ignore` (never compiled).
    pub build_ignored: bool,
    /// Fields compared with `""` where the code copes with the empty value (`if c.Host == "" {
    /// …fallback… }`), anywhere in the file.
    pub empty_checked_fields: Vec<String>,
    /// The struct types declared at the top level.
    pub structs: Vec<StructDecl>,
}

impl GoFile {
    /// Every env read of the file.
    pub fn env_reads(&self) -> impl Iterator<Item = &EnvRead> {
        self.package_level.env_reads.iter().chain(self.funcs.iter().flat_map(|f| f.body.env_reads.iter()))
    }
}

/// The names the file's imports go by.
#[derive(Debug, Default)]
struct Imports {
    /// Alias (or last path element) → import path, for named imports of the repository's
    /// own packages (references to other packages are not kept).
    aliases: BTreeMap<String, String>,
    /// The names `os` and `flag` go by.
    os: Vec<String>,
    flag: Vec<String>,
    /// The names of the env libraries: kelseyhightower/envconfig, caarlos0/env, urfave/cli,
    /// spf13/viper.
    envconfig: Vec<String>,
    caarlos: Vec<String>,
    cli: Vec<String>,
    viper: Vec<String>,
    /// The name spf13/cobra goes by.
    cobra: Vec<String>,
}

pub fn parse(file: FileId, text: &str) -> GoFile {
    parse_with(file, text, &|_| true)
}

/// Parses a file, keeping the references to the packages `local` accepts (the repository's
/// own), which are the only ones followed.
pub fn parse_with(file: FileId, text: &str, local: &dyn Fn(&str) -> bool) -> GoFile {
    parse_scoped(file, text, local, true)
}

/// The import paths of the libraries that fill structs from env by their field tags.
pub const TAG_LIBRARIES: &[&str] = &["github.com/kelseyhightower/envconfig", "github.com/caarlos0/env"];

/// What a file's first lines say: its package clause, and whether a build constraint leaves it
/// out of every build.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageClause {
    pub package: Option<Spanned<String>>,
    pub build_ignored: bool,
}

/// Reads a file only up to its package clause: lexing stops at the package's name, so telling
/// which packages exist and which are main packages costs little on a large tree.
pub fn parse_package_clause(file: FileId, text: &str) -> PackageClause {
    let mut comments = Vec::new();
    let tokens = lex::lex_package_clause(text, &mut comments);
    package_clause(file, Toks(&tokens), &comments, text.len())
}

/// The package clause from a file's tokens (the whole file's, or those up to its package clause:
/// the same answer).
fn package_clause(file: FileId, t: Toks<'_, '_>, comments: &[(usize, &str)], text_len: usize) -> PackageClause {
    let mut out = PackageClause::default();
    let first_code = t.get(0).map_or(text_len, |tk| tk.start);
    // `//go:build ignore` / `tools`: a file never compiled into a binary.
    let never = |w: &str| matches!(w.trim_matches(['(', ')']), "ignore" | "tools");
    out.build_ignored = comments
        .iter()
        .any(|(at, c)| *at < first_code && c.starts_with("//go:build") && c.split_whitespace().skip(1).any(never));
    let sp = |i: usize| t.get(i).map_or(Span::default(), |tk| Span::new(file, tk.start..tk.end));
    if let Some(k) = (0..t.len()).find(|&k| t.is_kw(k, "package"))
        && let Some(name) = t.ident(k + 1)
    {
        out.package = Some(Spanned::new(name.to_string(), sp(k).to(sp(k + 1))));
    }
    out
}

/// [`parse_with`], keeping the struct declarations only when `structs` says a library that
/// reads struct tags (envconfig, caarlos0/env) is imported somewhere in the repository: a
/// repository that imports none has no use for them, and they are most of what a file keeps.
pub fn parse_scoped(file: FileId, text: &str, local: &dyn Fn(&str) -> bool, structs: bool) -> GoFile {
    let mut comments = Vec::new();
    let tokens = lex::lex(text, &mut comments);
    let t = Toks(&tokens);
    let mut imports = Imports::default();
    let clause = package_clause(file, t, &comments, text.len());
    let mut out = GoFile { package: clause.package, build_ignored: clause.build_ignored, ..GoFile::default() };
    for k in (0..t.len()).filter(|&k| t.is_kw(k, "import")) {
        read_imports(t, k, file, local, &mut out.imports, &mut imports);
    }
    out.generated =
        comments.iter().any(|(_, c)| c.starts_with("// Code generated") && c.trim_end().ends_with("DO NOT EDIT."));
    out.empty_checked_fields = env::empty_checked_fields(t);
    let ctx = decls::Ctx { t, file, text, imports: &imports, globals: &BTreeMap::new() };
    let globals = decls::globals(&ctx);
    let ctx = decls::Ctx { globals: &globals, ..ctx };
    if structs {
        out.structs = structs::decls(&ctx);
    }
    let scanned = decls::scan(&ctx);
    out.funcs = scanned.funcs;
    out.package_level = scanned.package_level;
    out.complete = scanned.complete;
    out.string_flags = flags::string_flags(&ctx, &scanned.bodies);
    out.cli = clis::commands(&ctx);
    // Many files are held at once: no spare capacity.
    out.funcs.shrink_to_fit();
    out.imports.shrink_to_fit();
    out
}

fn is_number(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Reads an `import` declaration at `k` (single or grouped).
fn read_imports(
    t: Toks<'_, '_>,
    k: usize,
    file: FileId,
    local: &dyn Fn(&str) -> bool,
    out: &mut Vec<Import>,
    names: &mut Imports,
) {
    let mut j = k + 1;
    let grouped = t.is(j, "(");
    if grouped {
        j += 1;
    }
    loop {
        let mut alias = None;
        if let Some(a) = t.ident(j) {
            alias = Some(a.to_string());
            j += 1;
        } else if t.is(j, ".") {
            alias = Some(".".to_string());
            j += 1;
        }
        let Some(path) = t.str(j) else { break };
        let path = path.to_string();
        let span = t.get(j).map_or(Span::default(), |tk| Span::new(file, tk.start..tk.end));
        let name = alias.clone().unwrap_or_else(|| path.rsplit('/').next().unwrap_or("").to_string());
        match path.as_str() {
            "os" => names.os.push(name.clone()),
            "flag" => names.flag.push(name.clone()),
            "github.com/kelseyhightower/envconfig" => names.envconfig.push(name.clone()),
            "github.com/spf13/viper" => names.viper.push(name.clone()),
            "github.com/spf13/cobra" => names.cobra.push(name.clone()),
            "github.com/urfave/cli" | "github.com/urfave/cli/v2" | "github.com/urfave/cli/v3" => {
                // `cli/v2` goes by `cli`.
                let n = if alias.is_none() { "cli".to_string() } else { name.clone() };
                names.cli.push(n);
            }
            p if p == "github.com/caarlos0/env"
                || p.strip_prefix("github.com/caarlos0/env/v").is_some_and(is_number) =>
            {
                let n = if alias.is_none() { "env".to_string() } else { name.clone() };
                names.caarlos.push(n);
            }
            _ => {}
        }
        if name != "." && name != "_" && local(&path) {
            names.aliases.insert(name, path.clone());
        }
        out.push(Import { path: Spanned::new(path, span), alias });
        j += 1;
        if t.is(j, ";") {
            j += 1;
        }
        if !grouped || t.is(j, ")") {
            break;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_package_clause_alone_tells_the_package_and_build_constraint() {
        let sources = [
            "package main\n\nimport \"os\"\n\nfunc main() { _ = os.Getenv(\"A\") }\n",
            "// Package lib.\npackage lib\n\nimport (\n\tx \"example.com/m/x\"\n)\n\nvar v = x.F()\n",
            "//go:build ignore\n\npackage main\n\nimport \"fmt\"\nfunc main() { fmt.Println(\"package x\") }\n",
            "// +build tools\n//go:build tools\n\n/* a block */ package tools; import _ \"a\"\n",
            "package main // trailing\n//go:build ignore\n",
            // No package clause before the declarations: read up to the one that comes.
            "func f() {}\nimport \"late\"\npackage q\n",
            "package ;\nvar x int\n",
            "package r",
            "",
            "// only a comment\n",
        ];
        for src in sources {
            let full = parse(FileId(3), src);
            let clause = parse_package_clause(FileId(3), src);
            assert_eq!(clause.package, full.package, "{src:?}");
            assert_eq!(clause.build_ignored, full.build_ignored, "{src:?}");
        }
    }

    #[test]
    fn struct_declarations_are_kept_only_when_asked() {
        let src = "package config\n\ntype Settings struct {\n\tDSN string `required:\"true\"`\n}\n";
        assert_eq!(parse(FileId(0), src).structs.len(), 1);
        assert!(parse_scoped(FileId(0), src, &|_| true, false).structs.is_empty());
    }

    fn reads(src: &str) -> Vec<(String, bool)> {
        let f = parse(FileId(0), src);
        f.env_reads().filter(|r| r.kind == ReadKind::Direct).map(|r| (r.key.value.clone(), r.optional)).collect()
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
        assert!(f.complete);
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
    fn a_fallback_through_a_wrapper_and_a_read_in_a_branch_are_optional() {
        let src = r#"package config
import ("os"; "strings"; "fmt")
func Load() (*Config, error) {
    region := strings.TrimSpace(os.Getenv("REGION"))
    if region == "" {
        region = "eu-west-1"
    }
    if raw := strings.ToUpper(strings.TrimSpace(os.Getenv("LEVEL"))); raw != "" {
        fmt.Println(raw)
    }
    dsn := strings.TrimSpace(os.Getenv("DSN"))
    if dsn == "" {
        return nil, fmt.Errorf("DSN is required")
    }
    token := strings.TrimSpace(os.Getenv("TOKEN"))
    if os.Getenv("STORAGE") == "s3" {
        bucket := os.Getenv("S3_BUCKET")
        fmt.Println(bucket)
    } else {
        dir := os.Getenv("DATA_DIR")
        fmt.Println(dir)
    }
    switch mode {
    case "smtp":
        host := os.Getenv("SMTP_HOST")
        fmt.Println(host)
    }
    return &Config{Token: token}, nil
}
"#;
        assert_eq!(
            reads(src),
            vec![
                ("REGION".into(), true),
                ("LEVEL".into(), true),
                ("DSN".into(), false),
                ("TOKEN".into(), false),
                ("STORAGE".into(), true),
                ("S3_BUCKET".into(), true),
                ("DATA_DIR".into(), true),
                ("SMTP_HOST".into(), true),
            ]
        );
    }

    #[test]
    fn fields_checked_for_emptiness_with_a_fallback_are_listed() {
        let src = "package x\nfunc (c C) ok() error {\n if c.Instance == \"\" { c.useHost() }\n if c.Token == \"\" { return errors.New(\"token\") }\n return nil\n}\n";
        assert_eq!(parse(FileId(0), src).empty_checked_fields, ["Instance"]);
    }

    #[test]
    fn an_abort_nested_in_a_fallback_is_its_own_error_path() {
        let src = r#"package main
import ("os"; "log")
func init() {
    if pem := os.Getenv("SIGNING_KEY"); pem != "" {
        load(pem)
    } else {
        k, err := generate()
        if err != nil {
            log.Fatalf("cannot generate a key: %v", err)
        }
        use(k)
    }
    if url := os.Getenv("UPSTREAM_URL"); url != "" {
        use(url)
    } else {
        log.Fatal("UPSTREAM_URL is required")
    }
}
"#;
        assert_eq!(reads(src), vec![("SIGNING_KEY".into(), true), ("UPSTREAM_URL".into(), false)]);
    }

    #[test]
    fn an_early_return_on_a_missing_key_makes_the_rest_of_the_setting_optional() {
        let src = r#"package storage
import ("fmt"; "os"; "strconv")
func FromEnv() (*Driver, error) {
    cfg := Config{
        Driver: os.Getenv("STORAGE_DRIVER"),
        Bucket: os.Getenv("STORAGE_BUCKET"),
    }
    if cfg.Driver == "" {
        return nil, nil
    }
    region := os.Getenv("STORAGE_REGION")
    return open(cfg, region)
}
func Limits() (int, error) {
    n := 10
    if raw := os.Getenv("MAX_UPLOADS"); raw != "" {
        v, err := strconv.Atoi(raw)
        if err != nil {
            return 0, fmt.Errorf("invalid MAX_UPLOADS: %w", err)
        }
        n = v
    }
    cfg := Config{Name: os.Getenv("STORE_NAME"), Zone: os.Getenv("STORE_ZONE")}
    if cfg.Name == "" {
        cfg.Name = "default"
    }
    return n, nil
}
"#;
        assert_eq!(
            reads(src),
            vec![
                ("STORAGE_DRIVER".into(), true),
                ("STORAGE_BUCKET".into(), true),
                ("STORAGE_REGION".into(), true),
                ("MAX_UPLOADS".into(), true),
                ("STORE_NAME".into(), true),
                ("STORE_ZONE".into(), false),
            ]
        );
    }

    #[test]
    fn a_function_literal_in_package_level_code_runs_only_when_called() {
        let src = r#"package cmd
import "os"
var Region = os.Getenv("REGION")
var serveCmd = &Command{
    Use: "serve",
    Run: func(args []string) {
        _ = os.Getenv("HTTP_ADDR")
    },
}
"#;
        assert_eq!(reads(src), vec![("REGION".into(), false), ("HTTP_ADDR".into(), true)]);
    }

    #[test]
    fn functions_their_uses_and_result_types() {
        let src = r#"package main
import (
    "example.com/shop/internal/config"
    pay "example.com/shop/internal/payment"
    "net/http"
)
var started = config.Stamp()
type Server struct { Load func() }
func (s *Server) routes(mux *http.ServeMux) {
    mux.HandleFunc("/pay", s.handlePay)
    helper()
}
func New(cfg *config.Config) (*Server, error) { return &Server{}, nil }
func main() {
    config := config.Load()
    srv, err := New(config)
    srv.routes(nil)
    client := pay.NewClient(config.Key)
    client.Charge()
    if err != nil {
        pay.Refund()
    }
    h := &Server{}
    h.routes(nil)
    go worker()
}
"#;
        let f = parse(FileId(0), src);
        assert!(f.complete);
        let names: Vec<_> = f.funcs.iter().map(|x| (x.name.value.as_str(), x.receiver.as_deref())).collect();
        assert_eq!(names, [("routes", Some("Server")), ("New", None), ("main", None)]);
        assert_eq!(f.funcs[1].result, Some(TypeRef::Named { pkg: None, name: "Server".into() }));
        let cfg = "example.com/shop/internal/config".to_string();
        let pay = "example.com/shop/internal/payment".to_string();
        assert_eq!(f.package_level.uses, [Use::Qualified { pkg: cfg.clone(), name: "Stamp".into() }]);
        let server = TypeRef::Named { pkg: None, name: "Server".into() };
        let mux = TypeRef::Named { pkg: Some("net/http".into()), name: "ServeMux".into() };
        assert_eq!(
            f.funcs[0].body.uses,
            [
                Use::Ident("helper".into()),
                Use::Method { ty: server.clone(), name: "handlePay".into() },
                Use::Method { ty: mux, name: "HandleFunc".into() },
            ]
        );
        let main = &f.funcs[2].body.uses;
        let want = [
            Use::Ident("New".into()),
            Use::Ident("worker".into()),
            Use::Qualified { pkg: cfg.clone(), name: "Load".into() },
            Use::Qualified { pkg: pay.clone(), name: "NewClient".into() },
            Use::Method { ty: server.clone(), name: "routes".into() },
            Use::Method { ty: TypeRef::ResultOf { pkg: None, func: "New".into() }, name: "routes".into() },
            Use::Method { ty: TypeRef::ResultOf { pkg: Some(cfg), func: "Load".into() }, name: "Key".into() },
            Use::Method {
                ty: TypeRef::ResultOf { pkg: Some(pay.clone()), func: "NewClient".into() },
                name: "Charge".into(),
            },
        ];
        let mut want = want.to_vec();
        want.sort();
        assert_eq!(main, &want);
        // `pay.Refund()` runs only on error: not a use on every run.
        assert!(!main.iter().any(|u| matches!(u, Use::Qualified { name, .. } if name == "Refund")));
    }

    #[test]
    fn env_wrappers_and_their_semantics() {
        let src = r#"package env
import ("errors"; "log"; "os")
// func Commented(key string) string { return os.Getenv(key) }
var text = "func InString(key string) string { return os.Getenv(key) }"
func Plain(key string) string { return os.Getenv(key) }
func WithDefault(key, def string) string {
    if v := os.Getenv(key); v != "" {
        return v
    }
    return def
}
func Fatal(key string) string {
    v := os.Getenv(key)
    if v == "" {
        log.Fatal("missing")
    }
    return v
}
func Errs(key string) (string, error) {
    if v := os.Getenv(key); v != "" {
        return v, nil
    }
    return "", errors.New("missing")
}
func Lookup(key string) string {
    v, ok := os.LookupEnv(key)
    if !ok {
        log.Fatalf("%s", key)
    }
    return v
}
func Soft(key string) string {
    v, ok := os.LookupEnv(key)
    if !ok {
        return "x"
    }
    return v
}
func Unnamed(string) string { return "" }
func Built(key string) string { return os.Getenv("APP_" + key) }
"#;
        let f = parse(FileId(0), src);
        let kinds: Vec<(&str, Option<WrapKind>)> =
            f.funcs.iter().map(|x| (x.name.value.as_str(), x.wrapper.map(|w| w.kind))).collect();
        assert_eq!(
            kinds,
            [
                ("Plain", Some(WrapKind::PassThrough)),
                ("WithDefault", Some(WrapKind::Optional)),
                ("Fatal", Some(WrapKind::Required)),
                ("Errs", Some(WrapKind::Required)),
                ("Lookup", Some(WrapKind::Required)),
                ("Soft", Some(WrapKind::Optional)),
                ("Unnamed", None),
                ("Built", None),
            ]
        );
    }

    #[test]
    fn unbalanced_code_is_incomplete() {
        let f = parse(FileId(0), "package main\nfunc main() {\n if x {\n}\n");
        assert!(!f.complete);
    }
}
