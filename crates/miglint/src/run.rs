//! The check driver: configuration → discovery → parallel per-file lint →
//! project phase → sorted reports. Shared by `miglint check` and tests.

use std::path::{Path, PathBuf};

use miglint_config::{ConfigError, DiscoverError, Options, discover};
use miglint_diagnostics::FileReport;
use miglint_linter::{Linter, LinterSettings, ParsedFile, RULES};
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
    let parsed = parse_all(&linter, &discovery.files);
    // targets are decided per environment from every parsed file, before any
    // rule runs
    let file_settings = linter.resolve(&parsed);
    let pairs: Vec<_> = parsed.into_iter().zip(file_settings).collect();
    let results = if pairs.len() < PARALLEL_THRESHOLD {
        pairs.into_iter().map(|(p, s)| linter.check(p, s)).collect()
    } else {
        pairs
            .into_par_iter()
            .map(|(p, s)| linter.check(p, s))
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

/// Reads, decodes and parses every file (in parallel above a few files).
pub fn parse_all(linter: &Linter, files: &[PathBuf]) -> Vec<ParsedFile> {
    let parse_one = |parser: &mut PythonParser, path: &PathBuf| match std::fs::read(path) {
        Ok(bytes) => linter.parse_bytes(parser, path, &bytes),
        Err(e) => linter.parse_unreadable(path, &format!("it cannot be read ({e})")),
    };
    if files.len() < PARALLEL_THRESHOLD {
        let mut parser = PythonParser::new();
        files.iter().map(|p| parse_one(&mut parser, p)).collect()
    } else {
        files
            .par_iter()
            .map_init(PythonParser::new, parse_one)
            .collect()
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
    use miglint_diagnostics::Applicability;
    let mut applied = 0;
    for report in reports {
        let mut fixes: Vec<&miglint_diagnostics::Fix> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .filter(|f| f.applicability == Applicability::Safe && !f.edits.is_empty())
            .collect();
        if fixes.is_empty() {
            continue;
        }
        fixes.sort_by_key(|f| f.edits.iter().map(|e| e.range.start()).min());
        let mut edits = Vec::new();
        let mut last_end = 0u32;
        for fix in fixes {
            let mut own: Vec<_> = fix.edits.iter().collect();
            own.sort_by_key(|e| e.range.start());
            if own.first().is_some_and(|e| e.range.start() < last_end) {
                continue;
            }
            last_end = own.iter().map(|e| e.range.end()).max().unwrap_or(last_end);
            edits.extend(own);
            applied += 1;
        }
        let text = &report.source.text;
        let mut out = String::with_capacity(text.len());
        let mut pos = 0usize;
        for edit in edits {
            let r = edit.range.as_usize();
            out.push_str(&text[pos..r.start]);
            out.push_str(&edit.content);
            pos = r.end;
        }
        out.push_str(&text[pos..]);
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
