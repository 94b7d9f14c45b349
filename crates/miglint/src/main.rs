use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

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
    /// Print the schema the migrations build, as miglint replays it (text, json or sql).
    Schema(miglint::schema_cmd::SchemaArgs),
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => check(args),
        Command::Rule { code } => explain(&code),
        Command::Rules { format } => list_rules(format),
        Command::Graph(args) => miglint::graph_cmd::main(args),
        Command::Schema(args) => miglint::schema_cmd::main(args),
    };
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
    let cwd = std::env::current_dir()?;
    let settings = match run::load_options(&cwd, args.config.as_deref()).and_then(run::settings) {
        Ok(s) => s,
        Err(e) => {
            run::render_error(&e);
            return Ok(ExitCode::from(2));
        }
    };
    let mut outcome = run::check(settings, &args.paths);
    if args.fix {
        let fixed = run::apply_fixes(&outcome.reports)?;
        if fixed > 0 {
            eprintln!(
                "miglint: fixed {fixed} finding{}",
                if fixed == 1 { "" } else { "s" }
            );
            // re-lint the fixed files: report what is left
            let settings =
                match run::load_options(&cwd, args.config.as_deref()).and_then(run::settings) {
                    Ok(s) => s,
                    Err(e) => {
                        run::render_error(&e);
                        return Ok(ExitCode::from(2));
                    }
                };
            outcome = run::check(settings, &args.paths);
        }
    }
    for w in &outcome.warnings {
        eprintln!("miglint: warning: {w}");
    }
    for m in &outcome.missing {
        eprintln!("miglint: error: {}: no such file or directory", m.display());
    }

    let color = output::auto_color(io::stdout().is_terminal());
    let rules = run::rule_infos();
    let ctx = EmitContext {
        rules: &rules,
        color,
        version: env!("CARGO_PKG_VERSION"),
    };
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.statistics {
        if args.output_format == OutputFormat::Json {
            output::write_statistics_json(&mut out, &outcome.reports)?;
        } else {
            output::write_statistics(&mut out, &outcome.reports)?;
        }
    } else {
        output::emit(args.output_format, &mut out, &outcome.reports, &ctx)?;
    }
    let mut summary = Summary::from_reports(&outcome.reports);
    summary.targets = outcome.targets.clone();
    summary.elapsed = start.elapsed();
    if args.output_format.is_human_readable() && !args.quiet {
        output::write_summary(&mut out, &summary, color)?;
    }
    out.flush()?;

    let failing = summary.errors > 0 || (args.strict && summary.warnings > 0);
    Ok(if !outcome.missing.is_empty() {
        ExitCode::from(2)
    } else if failing && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn explain(code: &str) -> io::Result<ExitCode> {
    let rule = registry::rule_by_code(code).or_else(|| registry::rule_by_name(code));
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
