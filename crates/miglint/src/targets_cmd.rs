//! `miglint targets`: which dialects each migration environment targets,
//! and the evidence (like ruff's `--show-settings`, for the one setting that
//! changes what is an error). The files are found, parsed and grouped exactly
//! as `miglint check` does, so what it prints is what `check` uses.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use miglint_config::{DiscoverError, discover, display_cwd};
use miglint_linter::{Linter, ResolvedEnv};

use crate::run;

/// Arguments of `miglint targets`.
#[derive(Debug, clap::Args)]
pub struct TargetsArgs {
    /// Files or directories (default: discovered like `miglint check`).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub output_format: TargetsFormat,
    /// Use this configuration file instead of the nearest lint.toml / pyproject.toml.
    #[arg(long)]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TargetsFormat {
    Text,
    Json,
}

/// The `miglint targets` command. Exit 2 on a configuration error or a
/// missing path, else 0.
pub fn main(args: TargetsArgs) -> io::Result<ExitCode> {
    let cwd = std::env::current_dir()?;
    let settings = match run::settings_or_exit(&cwd, args.config.as_deref()) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let discovery = discover(&cwd, &args.paths, &settings.options);
    let mut failed = false;
    for e in &discovery.errors {
        match e {
            DiscoverError::Missing(p) => {
                eprintln!("miglint: error: {}: no such file or directory", p.display());
                failed = true;
            }
            other => eprintln!("miglint: warning: {other}"),
        }
    }
    let linter = Linter::new(settings);
    let parsed = run::parse_all(&linter, &discovery.files);
    linter.resolve(&parsed);
    let envs = linter.settings.environments();
    let root = linter.settings.options.root.clone();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    match args.output_format {
        TargetsFormat::Text => write_text(&mut out, &envs, &root, &linter)?,
        TargetsFormat::Json => write_json(&mut out, &envs, &root)?,
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn env_name(e: &ResolvedEnv, root: &Path) -> Option<String> {
    e.dir
        .as_ref()
        .map(|d| display_cwd(d, root).display().to_string())
}

fn write_text(
    out: &mut dyn Write,
    envs: &[ResolvedEnv],
    root: &Path,
    linter: &Linter,
) -> io::Result<()> {
    if envs.is_empty() {
        writeln!(out, "no migration files found")?;
        return Ok(());
    }
    for (i, e) in envs.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        let files = if e.files == 1 { "file" } else { "files" };
        match env_name(e, root) {
            Some(name) => writeln!(out, "{name} ({} {files})", e.files)?,
            None => writeln!(out, "declared targets ({} {files})", e.files)?,
        }
        for ev in &e.targets.evidence {
            let status = if ev.assumed {
                "assumed"
            } else if e.targets.is_declared() {
                "declared"
            } else {
                "confirmed"
            };
            writeln!(
                out,
                "  {:<11} {:<10} {}",
                ev.dialect.as_str(),
                status,
                ev.source
            )?;
        }
        for note in &e.targets.notes {
            writeln!(out, "  note: {note}")?;
        }
        if let Some(why) = &e.targets.no_transaction {
            writeln!(out, "  no transaction: {why}")?;
        }
    }
    if envs.iter().any(|e| !e.targets.assumed.is_empty()) {
        let place = match linter.settings.options.config_path() {
            Some(_) => linter.settings.options.origin_name(),
            None => String::from("lint.toml or [tool.miglint]"),
        };
        writeln!(
            out,
            "\nAn assumed target rests on weak evidence: a finding only on assumed targets is \
             graded down (an error becomes a warning). Declare the targets with `dialects = \
             [...]` in {place}."
        )?;
    }
    Ok(())
}

fn write_json(out: &mut dyn Write, envs: &[ResolvedEnv], root: &Path) -> io::Result<()> {
    let list: Vec<_> = envs
        .iter()
        .map(|e| {
            serde_json::json!({
                "environment": env_name(e, root),
                "files": e.files,
                "targets": e.targets.evidence.iter().map(|ev| serde_json::json!({
                    "dialect": ev.dialect.as_str(),
                    "assumed": ev.assumed,
                    "evidence": ev.source,
                })).collect::<Vec<_>>(),
                "notes": e.targets.notes,
                "no_transaction": e.targets.no_transaction,
            })
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &list)?;
    writeln!(out)
}
