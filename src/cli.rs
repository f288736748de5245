//! Command-line definitions.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "deploylint",
    version,
    about = "Preflight linter for deploy artifacts: code, Dockerfiles, compose, env files, crontabs and scripts, read together",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint a repository (the default).
    Check(Box<CheckArgs>),
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
        format: RulesFormat,
    },
    /// Print the documentation of a rule, by code or name.
    Explain {
        /// A code (`DPL101`) or a name (`binary-not-built`).
        rule: String,
    },
    /// Write a commented `deploylint.toml` from what deploylint finds in the repository.
    Init {
        /// The repository whose root gets the file.
        #[arg(default_value = ".")]
        path: PathBuf,
        /// Replace an existing `deploylint.toml` (or `.deploylint.toml`).
        #[arg(long)]
        force: bool,
    },
    /// Print the deploy model deploylint built (never any env value).
    Model {
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value_t = ModelFormat::Json)]
        format: ModelFormat,
        #[arg(long)]
        config: Option<PathBuf>,
        /// Threads for the walk and the parse (0: `RAYON_NUM_THREADS`, else one per CPU).
        #[arg(long, short = 'j', value_name = "N")]
        threads: Option<usize>,
    },
}

#[derive(Args, Debug, Default, Clone)]
pub struct CheckArgs {
    /// The repository to lint.
    pub path: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity (`error`, `warning`, `info`, `never`).
    #[arg(long)]
    pub fail_on: Option<String>,
    /// Rules to run: codes, names or prefixes (`DPL1`), comma-separated; replaces `[lint] select`.
    #[arg(long, value_delimiter = ',')]
    pub select: Vec<String>,
    /// Rules not to run; replaces `[lint] ignore`.
    #[arg(long, value_delimiter = ',')]
    pub ignore: Vec<String>,
    /// The config file (default: `deploylint.toml` or `.deploylint.toml` at the root of PATH).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The compose flavor the server has: `v1` (`docker-compose`) or `v2` (`docker compose`).
    #[arg(long)]
    pub compose_flavor: Option<String>,
    /// A real env file to check in place of the repository's (the server's own `.env.prod`,
    /// right before a deploy): it stands for the env file of the same name. Its values are
    /// never printed.
    #[arg(long = "env-file", value_name = "PATH")]
    pub env_file: Vec<PathBuf>,
    /// Print the findings and nothing else (no summary line).
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Print how many findings each rule made instead of the findings.
    #[arg(long, conflicts_with = "write_baseline")]
    pub statistics: bool,
    /// Write the output to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output_file: Option<PathBuf>,
    /// Apply the fixes findings carry (DPL201: the server's compose flavor) to the files in
    /// place, then report what is left.
    #[arg(long, conflicts_with = "write_baseline")]
    pub fix: bool,
    /// Hide the findings recorded in this baseline file; only new ones are reported.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record today's findings in this baseline file (and exit 0).
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub write_baseline: Option<PathBuf>,
    /// Globs of paths to leave out (gitignore syntax), in addition to `[lint] exclude`.
    #[arg(long, value_delimiter = ',')]
    pub exclude: Vec<String>,
    /// Threads for the walk, the parse and the checks (0: `RAYON_NUM_THREADS`, else one per
    /// CPU); the output is the same at any count.
    #[arg(long, short = 'j', value_name = "N")]
    pub threads: Option<usize>,
    /// Colour in the human format: `auto` (when stdout is a terminal and `NO_COLOR` is unset),
    /// `always`, `never`.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ColorChoice {
    #[default]
    Auto,
    Always,
    Never,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    #[default]
    Human,
    Concise,
    Json,
    /// SARIF 2.1.0 (GitHub code scanning and other SARIF viewers).
    Sarif,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// GitLab Code Quality report.
    Gitlab,
    /// reviewdog Diagnostic JSON.
    Rdjson,
    /// JUnit XML.
    Junit,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RulesFormat {
    #[default]
    Human,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ModelFormat {
    #[default]
    Json,
}
