use clap::Parser;
use deploylint::cli::{CheckArgs, Cli, ColorChoice, Command, Format, RulesFormat};
use deploylint::config::{FailOn, Flavor};
use deploylint::{RunError, checks, render};
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

/// mimalloc: a run allocates many small, short-lived values from several threads at once,
/// where it measured clearly faster than the system allocator (see the README's design notes).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => check(&cli.check),
        Some(Command::Check(args)) => check(&args),
        Some(Command::Rules { format }) => {
            print(&rules(format));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Explain { rule }) => explain(&rule),
        Some(Command::Init { path, force }) => init(&path, force),
        Some(Command::Model { path, config, threads, .. }) => {
            set_threads(threads).and_then(|()| model(&path, config.as_deref()))
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn print(text: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`deploylint | head`) is not an error worth a panic.
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Sizes the one thread pool of the run (the walk takes its count from it too).
fn set_threads(threads: Option<usize>) -> Result<(), RunError> {
    match threads {
        None | Some(0) => Ok(()),
        Some(n) => rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
            .map_err(|e| RunError(format!("cannot start {n} threads: {e}"))),
    }
}

fn check(args: &CheckArgs) -> Result<ExitCode, RunError> {
    set_threads(args.threads)?;
    let root = args.path.clone().unwrap_or_else(|| ".".into());
    deploylint::check_root(&root)?;
    let mut cfg = deploylint::load_config(&root, args.config.as_deref())?;
    deploylint::config::resolve_selectors(&mut cfg, &args.select, &args.ignore).map_err(|e| RunError(e.to_string()))?;
    if let Some(f) = &args.fail_on {
        cfg.fail_on = FailOn::parse(f)
            .ok_or_else(|| RunError(format!("`--fail-on` takes `error`, `warning`, `info` or `never`, not `{f}`")))?;
    }
    if let Some(f) = &args.compose_flavor {
        cfg.compose = Some(
            Flavor::parse(f).ok_or_else(|| RunError(format!("`--compose-flavor` takes `v1` or `v2`, not `{f}`")))?,
        );
    }
    cfg.exclude.extend(args.exclude.iter().cloned());
    cfg.server_env_files.extend(args.env_file.iter().cloned());
    let fail_on = cfg.fail_on;
    let again = args.fix.then(|| cfg.clone());
    let (mut model, mut diags) = deploylint::lint(&root, cfg)?;
    if let Some(cfg) = again {
        let fixed = deploylint::fix::apply(&root, &model.sources, &diags)?;
        if fixed.edits > 0 {
            eprintln!("deploylint: fixed {} finding(s) in {} file(s)", fixed.edits, fixed.files);
            // What is left, as the files now are.
            (model, diags) = deploylint::lint(&root, cfg)?;
        }
    }
    if let Some(path) = &args.write_baseline {
        std::fs::write(path, deploylint::baseline::write(&model.sources, &diags))
            .map_err(|e| RunError(format!("cannot write baseline `{}`: {e}", path.display())))?;
        eprintln!("deploylint: {} finding(s) recorded in `{}`", diags.len(), path.display());
        return Ok(ExitCode::SUCCESS);
    }
    let mut baselined = 0;
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path)
            .map_err(|e| RunError(format!("cannot read baseline `{}`: {e}", path.display())))?;
        let known = deploylint::baseline::read(&text).map_err(|e| RunError(format!("`{}`: {e}", path.display())))?;
        baselined = deploylint::baseline::apply(&model.sources, &mut diags, &known);
    }
    let text = if args.statistics { statistics(&diags, args.quiet) } else { report(args, &model, &diags, baselined) };
    match &args.output_file {
        Some(path) => {
            std::fs::write(path, &text).map_err(|e| RunError(format!("cannot write `{}`: {e}", path.display())))?
        }
        None => print(&text),
    }
    let failed = match fail_on {
        FailOn::Never => false,
        FailOn::At(level) => diags.iter().any(|d| d.severity >= level),
    };
    // The process ends here: freeing the model piece by piece would only cost time.
    std::mem::forget(model);
    Ok(if failed { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// `--statistics`: how many findings each rule made, most first (then by code).
fn statistics(diags: &[deploylint::diagnostic::Diagnostic], quiet: bool) -> String {
    let mut counts: std::collections::BTreeMap<(&str, &str), usize> = std::collections::BTreeMap::new();
    for d in diags {
        *counts.entry((d.code, d.name)).or_default() += 1;
    }
    let mut rows: Vec<_> = counts.into_iter().collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = String::new();
    for ((code, name), n) in rows {
        out.push_str(&format!("{n:>5}  {code}  {name}\n"));
    }
    if !quiet {
        out.push_str(&render::summary(diags));
        out.push('\n');
    }
    out
}

/// The findings in the chosen format.
fn report(
    args: &CheckArgs,
    model: &deploylint::model::Model,
    diags: &[deploylint::diagnostic::Diagnostic],
    baselined: usize,
) -> String {
    match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let mut text = render::human::render(&model.sources, diags, color);
            // The last line is the summary.
            let summary_len = render::summary(diags).len() + 1;
            if args.quiet {
                text.truncate(text.len().saturating_sub(summary_len));
            } else if baselined > 0 && text.ends_with('\n') {
                text.pop();
                text.push_str(&format!(" ({baselined} baselined)\n"));
            }
            text
        }
        Format::Concise => render::concise::render(&model.sources, diags),
        Format::Json => render::json::render_with_baselined(&model.sources, diags, baselined),
        Format::Sarif => render::sarif::render(&model.sources, diags),
        Format::Github => render::github::render(&model.sources, diags),
        Format::Gitlab => render::gitlab::render(&model.sources, diags),
        Format::Rdjson => render::rdjson::render(&model.sources, diags),
        Format::Junit => render::junit::render(&model.sources, diags),
    }
}

fn rules(format: RulesFormat) -> String {
    match format {
        RulesFormat::Human => {
            let mut s = String::new();
            for r in checks::RULES {
                s.push_str(&format!("{:<7} {:<28} {:<8} {}\n", r.code, r.name, r.severity.as_str(), r.summary));
            }
            s
        }
        RulesFormat::Json => {
            let list: Vec<serde_json::Value> = checks::RULES
                .iter()
                .map(|r| serde_json::json!({"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}))
                .collect();
            let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
            s.push('\n');
            s
        }
    }
}

fn explain(rule: &str) -> Result<ExitCode, RunError> {
    match checks::find_rule(rule) {
        Some(r) => {
            print(r.doc);
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let names = checks::RULES.iter().flat_map(|r| [r.code, r.name]);
            let hint =
                deploylint::config::suggest(rule, names).map_or(String::new(), |h| format!("; did you mean `{h}`?"));
            Err(RunError(format!("no rule `{rule}`{hint} (`deploylint rules` lists them)")))
        }
    }
}

fn init(root: &Path, force: bool) -> Result<ExitCode, RunError> {
    let written = deploylint::init::run(root, force)?;
    // What was done goes to stderr, as `--write-baseline` says it.
    eprintln!("deploylint: wrote `{}`", deploylint::source::path_text(&written));
    Ok(ExitCode::SUCCESS)
}

fn model(root: &Path, config: Option<&Path>) -> Result<ExitCode, RunError> {
    deploylint::check_root(root)?;
    let cfg = deploylint::load_config(root, config)?;
    let model = deploylint::build_model(root, cfg)?;
    print(&render::model_json(&model));
    Ok(ExitCode::SUCCESS)
}
