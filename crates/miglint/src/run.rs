//! The check driver: configuration → discovery → parallel per-file lint →
//! project phase → sorted reports. Shared by `miglint check` and tests.

use std::path::{Path, PathBuf};

use miglint_config::{ConfigError, DiscoverError, Options, discover};
use miglint_diagnostics::FileReport;
use miglint_linter::{Linter, LinterSettings, RULES};
use miglint_python::PythonParser;
use rayon::prelude::*;

use crate::output::RuleInfo;

/// Below this many files the work stays on the calling thread.
const PARALLEL_THRESHOLD: usize = 16;

pub struct CheckOutcome {
    pub reports: Vec<FileReport>,
    /// The targets used and why (for the summary).
    pub targets: String,
    /// Paths given on the command line that do not exist (exit 2).
    pub missing: Vec<PathBuf>,
    /// Non-fatal discovery problems, for stderr.
    pub warnings: Vec<String>,
}

/// Loads the configuration: `--config FILE`, else the nearest `lint.toml` /
/// `pyproject.toml [tool.miglint]` from `cwd`, else the embedded defaults.
pub fn load_options(cwd: &Path, config: Option<&Path>) -> Result<Options, ConfigError> {
    match config {
        Some(path) => miglint_config::load(path),
        None => Options::resolve(cwd),
    }
}

/// Resolves rule selection against the registry; unknown codes point into the TOML.
pub fn settings(options: Options) -> Result<LinterSettings, ConfigError> {
    let targets = options.targets();
    LinterSettings::from_options(options, targets)
}

/// Discovers and lints.
pub fn check(settings: LinterSettings, cli_paths: &[PathBuf]) -> CheckOutcome {
    let discovery = discover(&settings.options.root, cli_paths, &settings.options);
    let mut missing = Vec::new();
    let mut warnings = Vec::new();
    for e in discovery.errors {
        match e {
            DiscoverError::Missing(p) => missing.push(p),
            other => warnings.push(other.to_string()),
        }
    }
    let linter = Linter::new(settings);
    let lint_one = |parser: &mut PythonParser, path: &PathBuf| match std::fs::read(path) {
        Ok(bytes) => linter.lint_bytes(parser, path, &bytes),
        Err(e) => linter.unreadable(path, &format!("it cannot be read ({e})")),
    };
    let results = if discovery.files.len() < PARALLEL_THRESHOLD {
        let mut parser = PythonParser::new();
        discovery
            .files
            .iter()
            .map(|p| lint_one(&mut parser, p))
            .collect()
    } else {
        discovery
            .files
            .par_iter()
            .map_init(PythonParser::new, lint_one)
            .collect()
    };
    let reports = linter.finish(results);
    let targets = linter.settings.targets_summary();
    CheckOutcome {
        reports,
        targets,
        missing,
        warnings,
    }
}

/// The registry as the emitters see it.
pub fn rule_infos() -> Vec<RuleInfo> {
    RULES
        .iter()
        .map(|r| {
            let m = r.meta();
            RuleInfo {
                code: m.code,
                name: m.name,
                summary: m.summary,
                default_severity: m.severity,
            }
        })
        .collect()
}

/// Applies the safe fixes of `reports` to their files (edits that overlap an
/// earlier one are left for a later run). Returns how many fixes were applied.
pub fn apply_fixes(reports: &[FileReport]) -> std::io::Result<usize> {
    let mut applied = 0;
    for report in reports {
        let (edits, n) = miglint_diagnostics::safe_fix_edits(&report.diagnostics);
        if n == 0 {
            continue;
        }
        applied += n;
        let out = miglint_diagnostics::apply_edits(&report.source.text, edits);
        std::fs::write(&report.source.path, out)?;
    }
    Ok(applied)
}

/// Renders a configuration (or other miette) error to stderr, coloured when
/// stderr is a terminal and NO_COLOR is unset.
pub fn render_error(e: &dyn miette::Diagnostic) {
    use std::io::IsTerminal;
    let theme = if crate::output::auto_color(std::io::stderr().is_terminal()) {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme).with_links(false);
    let mut s = String::new();
    if handler.render_report(&mut s, e).is_err() {
        s = e.to_string();
    }
    eprintln!("{s}");
}
