use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[cfg(all(target_os = "linux", feature = "jemalloc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use clap::{Parser, Subcommand};
use miglint::output::{self, EmitContext, OutputFormat, Summary};
use miglint::run;
use miglint_linter::{RULES, registry, rule_doc};

/// A fast, static linter for Alembic database migrations.
#[derive(Parser)]
#[command(name = "miglint", version, about, long_about = None, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint migration files (default: discovered from alembic.ini or versions/ folders).
    Check(CheckArgs),
    /// Explain a rule: print its documentation page.
    Rule {
        /// A rule code (ML101) or name (boolean-integer-default).
        code: String,
    },
    /// List every rule.
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: RulesFormat,
    },
    /// Print the revision graph (text like `alembic history`, mermaid, dot or json).
    Graph(miglint::graph_cmd::GraphArgs),
    /// Run the language server (LSP over stdin/stdout) for editors.
    Server,
    /// Show the target dialects of each migration environment and the evidence for them.
    Targets(miglint::targets_cmd::TargetsArgs),
    /// Print the schema the migrations build, as miglint replays it (text, json or sql).
    Schema(miglint::schema_cmd::SchemaArgs),
    /// Compare the SQLAlchemy models with the schema the migrations build (`alembic check`, statically).
    Drift(miglint::drift_cmd::DriftArgs),
    /// Remove the cache directory of the current project (`.miglint_cache`).
    Clean {
        /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
        #[arg(long)]
        config: Option<PathBuf>,
        /// The cache directory to remove (default: as `check` resolves it).
        #[arg(long, value_name = "DIR")]
        cache_dir: Option<PathBuf>,
    },
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RulesFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Files or directories to lint.
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "full")]
    output_format: OutputFormat,
    /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Exit 0 even when errors are found.
    #[arg(long)]
    exit_zero: bool,
    /// Warnings fail the run too (exit 1).
    #[arg(long)]
    strict: bool,
    /// Print the number of findings per rule instead of the findings.
    #[arg(long)]
    statistics: bool,
    /// Apply the safe fixes to the files, then report what is left.
    #[arg(long)]
    fix: bool,
    /// Do not print the summary line.
    #[arg(long, short)]
    quiet: bool,
    /// Report only revision files added or modified since the merge base
    /// with REF (git; untracked files count as added). Revision-graph rules
    /// still see every revision.
    #[arg(long, value_name = "REF")]
    diff_base: Option<String>,
    /// Report only revisions after REV in graph order (the command-line
    /// `baseline-revision`; graph rules still see every revision).
    #[arg(long, value_name = "REV")]
    since_revision: Option<String>,
    /// Exit 0 when no file was found to lint (by default that is exit 2).
    #[arg(long)]
    allow_empty: bool,
    /// Neither read nor write the cache (`.miglint_cache`).
    #[arg(long)]
    no_cache: bool,
    /// Keep the cache in DIR (default: `cache-dir` from the configuration,
    /// else `.miglint_cache` in the project root; also MIGLINT_CACHE_DIR).
    #[arg(long, value_name = "DIR")]
    cache_dir: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rule { code } => explain(&code),
        Command::Rules { format } => list_rules(format),
        Command::Graph(args) => miglint::graph_cmd::main(args),
        Command::Server => Ok(ExitCode::from(miglint_server::run() as u8)),
        Command::Targets(args) => miglint::targets_cmd::main(args),
        Command::Schema(args) => miglint::schema_cmd::main(args),
        Command::Drift(args) => miglint::drift_cmd::main(args),
        Command::Clean { config, cache_dir } => clean(config, cache_dir),
    };
    // cache writes still running (see `miglint::cache::in_background`)
    miglint::cache::finish_writes();
    match result {
        Ok(code) => code,
        // a closed pipe (`miglint check | head`) is a normal end
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("miglint: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn check(args: CheckArgs) -> io::Result<ExitCode> {
    let start = Instant::now();
    miglint::timing::start();
    if args.statistics
        && !args.output_format.is_human_readable()
        && args.output_format != OutputFormat::Json
    {
        eprintln!(
            "miglint: error: --statistics prints a table (full, concise) or JSON (json); it cannot be combined with --output-format {}",
            args.output_format
        );
        return Ok(ExitCode::from(2));
    }
    let cwd = std::env::current_dir()?;
    let scope = miglint::scope::Scope {
        diff_base: args.diff_base.clone(),
        since_revision: args.since_revision.clone(),
        cache: !args.no_cache,
        cache_dir: args.cache_dir.clone(),
    };
    let settings = match run::settings_or_exit(&cwd, args.config.as_deref()) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    miglint::timing::mark("config");
    let mut outcome = match miglint::scope::check(settings, &args.paths, &scope) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("miglint: error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.fix {
        let fixed = run::apply_fixes(&outcome.reports)?;
        if fixed > 0 {
            eprintln!(
                "miglint: fixed {fixed} finding{}",
                if fixed == 1 { "" } else { "s" }
            );
            // re-lint the fixed files: report what is left
            let settings = match run::settings_or_exit(&cwd, args.config.as_deref()) {
                Ok(s) => s,
                Err(code) => return Ok(code),
            };
            outcome = match miglint::scope::check(settings, &args.paths, &scope) {
                Ok(o) => o,
                Err(e) => {
                    eprintln!("miglint: error: {e}");
                    return Ok(ExitCode::from(2));
                }
            };
        }
    }
    for w in &outcome.warnings {
        eprintln!("miglint: warning: {}", output::escape_controls(w, false));
    }
    for m in &outcome.missing {
        let shown = m.display().to_string();
        let shown = output::escape_controls(&shown, false);
        eprintln!("miglint: error: {shown}: no such file or directory");
    }
    // (with --diff-base an empty report means nothing changed: success)
    if outcome.reports.is_empty()
        && outcome.missing.is_empty()
        && !args.allow_empty
        && args.diff_base.is_none()
    {
        let why = if args.paths.is_empty() {
            "no alembic.ini, `paths` or alembic*/versions folder found from the current directory"
        } else {
            "the paths given hold no *.py file"
        };
        eprintln!(
            "miglint: error: no files to lint ({why}); pass --allow-empty to accept an empty run"
        );
        return Ok(ExitCode::from(2));
    }

    let color = output::auto_color(io::stdout().is_terminal());
    let rules = run::rule_infos();
    let ctx = EmitContext {
        rules: &rules,
        color,
        version: env!("CARGO_PKG_VERSION"),
        strict: args.strict,
    };
    // machine formats name files relative to the repository root (the
    // reports are rebased in place: nothing below reads their paths else)
    if !args.output_format.is_human_readable() {
        let root = output::paths::report_root(&cwd);
        let reports = std::mem::take(&mut outcome.reports);
        outcome.reports = output::paths::rebase_reports(reports, &cwd, &root);
    }
    let shown = &outcome.reports;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.statistics {
        if args.output_format == OutputFormat::Json {
            output::write_statistics_json(&mut out, &outcome.reports)?;
        } else {
            output::write_statistics(&mut out, &outcome.reports)?;
        }
    } else {
        output::emit(args.output_format, &mut out, shown, &ctx)?;
    }
    let mut summary = Summary::from_reports(&outcome.reports);
    summary.targets = outcome.targets.clone();
    summary.elapsed = start.elapsed();
    if args.output_format.is_human_readable() && !args.quiet {
        output::write_summary(&mut out, &summary, color)?;
    }
    out.flush()?;
    drop(out);
    miglint::timing::mark("output");
    miglint::timing::report();

    let failing = summary.errors > 0 || (args.strict && summary.warnings > 0);
    let code = if !outcome.missing.is_empty() || outcome.internal_errors > 0 {
        ExitCode::from(2)
    } else if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    };
    // the process ends here: the OS takes the memory back at once, where
    // dropping every report (sources, diagnostics) would free it piece by
    // piece on this one thread
    std::mem::forget(outcome);
    Ok(code)
}

/// `miglint clean`: removes the cache directory `check` would use here.
fn clean(config: Option<PathBuf>, cache_dir: Option<PathBuf>) -> io::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let options = match run::load_options(&cwd, config.as_deref()) {
        Ok(o) => o,
        Err(e) => {
            run::render_error(&e);
            return Ok(ExitCode::from(2));
        }
    };
    let dir = miglint::cache::resolve_dir(cache_dir.as_deref(), &options);
    if !dir.exists() {
        return Ok(ExitCode::SUCCESS);
    }
    if miglint::cache::clean(&dir)? {
        eprintln!("miglint: removed {}", dir.display());
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "miglint: error: {} is not a miglint cache directory (no CACHEDIR.TAG written by miglint); not removed",
            dir.display()
        );
        Ok(ExitCode::from(2))
    }
}

fn explain(code: &str) -> io::Result<ExitCode> {
    // codes and names are case-insensitive (`ml101`, `Boolean-Integer-Default`)
    let rule = registry::rule_by_code(&code.to_ascii_uppercase())
        .or_else(|| registry::rule_by_name(&code.to_ascii_lowercase()));
    let Some(rule) = rule else {
        let hint = miglint_linter::selection::suggest(code)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        eprintln!("miglint: error: unknown rule `{code}`{hint}; `miglint rules` lists every rule");
        return Ok(ExitCode::from(2));
    };
    let m = rule.meta();
    let mut out = io::stdout().lock();
    let doc = rule_doc(m.code).unwrap_or_default();
    writeln!(out, "{doc}")?;
    writeln!(
        out,
        "Severity: {}. {}.",
        m.severity,
        if m.default_enabled {
            "On by default"
        } else {
            "Opt-in: enable with `extend-select`"
        }
    )?;
    Ok(ExitCode::SUCCESS)
}

fn list_rules(format: RulesFormat) -> io::Result<ExitCode> {
    let mut out = io::stdout().lock();
    match format {
        RulesFormat::Text => {
            for r in RULES {
                let m = r.meta();
                let on = if m.default_enabled { "" } else { " (opt-in)" };
                writeln!(
                    out,
                    "{}  {:<8} {}{on}\n       {}",
                    m.code,
                    m.severity.as_str(),
                    m.name,
                    m.summary
                )?;
            }
        }
        RulesFormat::Json => {
            let list: Vec<_> = RULES
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({
                        "code": m.code, "name": m.name, "summary": m.summary,
                        "severity": m.severity, "default_enabled": m.default_enabled,
                        "dialects": m.dialects.iter().map(|d| d.as_str()).collect::<Vec<_>>(),
                        "url": miglint_diagnostics::rule_url(m.code),
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut out, &list)?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
