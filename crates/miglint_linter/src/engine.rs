//! The two phases: per file (parallel; the caller owns the threads) and
//! per project (graph rules, then suppressions, per-file ignores and
//! severities over every file).

use std::path::Path;
use std::sync::Arc;

use miglint_diagnostics::{Diagnostic, DialectSet, FileReport, SourceFile, TextRange};
use miglint_python::{IdValue, Module, PythonParser, SqlSource};
use miglint_sql::SqlStatement;

use crate::registry::{RULES, rule_index};
use crate::rule::{ExecSql, FileContext, Project, ProjectFile};
use crate::rules::ml905_unreadable_file;
use crate::selection::Selector;
use crate::settings::{FileSettings, LinterSettings};
use crate::suppress::{self, Suppression};

pub struct Linter {
    pub settings: LinterSettings,
}

/// The outcome of the per-file phase.
#[derive(Debug)]
pub struct FileResult {
    pub source: Arc<SourceFile>,
    /// The migration model (empty for unreadable files), for project rules.
    pub module: Module,
    /// The analyzed literal SQL of `module`'s execute ops (by op index), so
    /// that project rules do not analyze it again.
    sql: Vec<(usize, Vec<SqlStatement>)>,
    /// The revision is the configured `baseline-revision` or one of its
    /// ancestors: only revision-graph findings are kept for it.
    baselined: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub settings: FileSettings,
    suppressions: Vec<Suppression>,
}

impl Linter {
    pub fn new(settings: LinterSettings) -> Self {
        Linter { settings }
    }

    /// Lints raw bytes: decodes them (ML905 when that fails), then
    /// [`Linter::lint_source`].
    pub fn lint_bytes(&self, parser: &mut PythonParser, path: &Path, bytes: &[u8]) -> FileResult {
        match ml905_unreadable_file::decode(bytes) {
            Ok(text) => self.lint_source(parser, path, text),
            Err(problem) => self.unreadable_file(path, &problem),
        }
    }

    /// A file that could not be read at all (an I/O error): one ML905 finding.
    pub fn unreadable(&self, path: &Path, problem: &str) -> FileResult {
        self.unreadable_file(path, &ml905_unreadable_file::Unreadable::error(problem))
    }

    /// A file that could not be read or decoded: one ML905 finding.
    fn unreadable_file(
        &self,
        path: &Path,
        problem: &ml905_unreadable_file::Unreadable,
    ) -> FileResult {
        let source = Arc::new(SourceFile::new(path.to_path_buf(), ""));
        let mut diagnostics = Vec::new();
        if self.settings.is_enabled("ML905") {
            diagnostics.push(ml905_unreadable_file::diagnostic(problem));
        }
        FileResult {
            source,
            module: Module::default(),
            sql: Vec::new(),
            baselined: false,
            diagnostics,
            settings: self.settings.for_file(path),
            suppressions: Vec::new(),
        }
    }

    /// Parses once, extracts SQL once, runs every enabled per-file rule.
    pub fn lint_source(&self, parser: &mut PythonParser, path: &Path, text: &str) -> FileResult {
        let settings = self.settings.for_file(path);
        let module = parser.parse(text);
        let source = Arc::new(SourceFile::new(path.to_path_buf(), text));
        let sql_views = extract_sql(&module, settings.targets);
        let ctx = FileContext {
            path,
            source: text,
            module: &module,
            sql: &sql_views,
            targets: settings.targets,
            alembic_version: self.settings.alembic_version,
        };
        let mut diagnostics = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            if self.settings.enabled[i] {
                rule.check_file(&ctx, &mut diagnostics);
            }
        }
        // the analysis is kept (without borrows) for project rules
        let sql = sql_views
            .into_iter()
            .map(|e| (e.op, e.statements))
            .collect();
        let suppressions = suppress::parse(text, &module, &source.line_index);
        FileResult {
            source,
            module,
            sql,
            baselined: false,
            diagnostics,
            settings,
            suppressions,
        }
    }

    /// The project phase over all files, then suppressions, per-file
    /// ignores, ML904 and severities; returns sorted reports.
    pub fn finish(&self, mut results: Vec<FileResult>) -> Vec<FileReport> {
        results.sort_by(|a, b| a.source.path.cmp(&b.source.path));
        self.check_project(&mut results);
        let ml904 = self.settings.is_enabled("ML904");
        let configured = self.configured_severities();
        results
            .into_iter()
            .map(|mut r| {
                r.diagnostics.retain(|d| !r.settings.ignores(d.code));
                if r.baselined {
                    r.diagnostics.retain(|d| d.code.starts_with("ML5"));
                }
                suppress::apply(
                    &mut r.diagnostics,
                    &mut r.suppressions,
                    &r.source.line_index,
                );
                if ml904 && !r.settings.ignores("ML904") {
                    let ran = |sel: &Selector| {
                        RULES.iter().enumerate().any(|(i, rule)| {
                            self.settings.enabled[i]
                                && sel.matches(rule.meta())
                                && !r.settings.ignores(rule.meta().code)
                        })
                    };
                    let mut unused = suppress::unused(&r.suppressions, &r.source.text, ran);
                    // a file-level ignore of ML904 itself still applies
                    suppress::apply(&mut unused, &mut r.suppressions, &r.source.line_index);
                    r.diagnostics.extend(unused);
                }
                // A rule may grade one finding below or above its default
                // (ML103); only a `[severity]` entry for the code re-grades.
                for d in &mut r.diagnostics {
                    if let Some(i) = rule_index(d.code)
                        && configured[i]
                    {
                        d.severity = self.settings.severity[i];
                    }
                }
                let mut report = FileReport {
                    source: r.source,
                    diagnostics: r.diagnostics,
                };
                report.sort();
                report
            })
            .collect()
    }
}

impl Linter {
    /// By index into [`RULES`]: whether `[severity]` names the rule (by
    /// code, name, prefix or `ALL`).
    fn configured_severities(&self) -> Vec<bool> {
        let selectors: Vec<Selector> = self
            .settings
            .options
            .severity
            .iter()
            .filter_map(|(code, _)| Selector::parse(code.get_ref()))
            .collect();
        RULES
            .iter()
            .map(|rule| selectors.iter().any(|s| s.matches(rule.meta())))
            .collect()
    }

    fn check_project(&self, results: &mut [FileResult]) {
        let stored: Vec<Vec<(usize, Vec<SqlStatement>)>> = results
            .iter_mut()
            .map(|r| std::mem::take(&mut r.sql))
            .collect();
        let views: Vec<Vec<ExecSql<'_>>> = results
            .iter()
            .zip(stored)
            .map(|(r, sql)| {
                sql.into_iter()
                    .filter_map(|(op, statements)| match r.module.ops.get(op)?.sql()? {
                        SqlSource::Literal(lit) => Some(ExecSql {
                            op,
                            lit,
                            statements,
                        }),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let files = results
            .iter()
            .zip(&views)
            .map(|(r, sql)| ProjectFile {
                path: &r.source.path,
                source: &r.source.text,
                module: &r.module,
                sql,
                targets: r.settings.targets,
            })
            .collect();
        let project = Project::new(files, self.settings.alembic_version);
        let mut found = Vec::new();
        for (i, rule) in RULES.iter().enumerate() {
            if self.settings.enabled[i] {
                rule.check_project(&project, &mut found);
            }
        }
        let baselined = self.baselined(&project);
        drop(project);
        drop(views);
        for (file, diag) in found {
            if let Some(r) = results.get_mut(file) {
                r.diagnostics.push(diag);
            }
        }
        for (r, b) in results.iter_mut().zip(baselined) {
            r.baselined = b;
        }
    }

    /// By file: whether its revision is at or before its `baseline-revision`
    /// (the baseline itself and every ancestor of it).
    fn baselined(&self, project: &Project<'_>) -> Vec<bool> {
        let n = project.files.len();
        let mut out = vec![false; n];
        let wanted: Vec<Option<&str>> = project
            .files
            .iter()
            .map(|f| {
                self.settings
                    .options
                    .baseline_for(f.path)
                    .map(|b| b.get_ref().as_str())
            })
            .collect();
        if wanted.iter().all(Option::is_none) {
            return out;
        }
        let parents = project.parent_files();
        let mut marked = vec![false; n];
        for (i, f) in project.files.iter().enumerate() {
            let Some(IdValue::Str(id)) = f.module.ids.revision.as_ref().map(|r| &r.value) else {
                continue;
            };
            if wanted.iter().flatten().any(|b| *b == id.value) {
                marked[i] = true;
                for a in crate::rule::ancestors_of(&parents, i) {
                    marked[a] = true;
                }
            }
        }
        for i in 0..n {
            out[i] = marked[i] && wanted[i].is_some();
        }
        out
    }
}

/// The literal SQL of every `execute` op that can run on a target, split
/// and parsed for the dialects that reach it.
fn extract_sql(module: &Module, targets: DialectSet) -> Vec<ExecSql<'_>> {
    module
        .ops
        .iter()
        .enumerate()
        .filter_map(|(i, op)| {
            let reaching = op.dialects.intersect(targets);
            match op.sql()? {
                SqlSource::Literal(lit) if !reaching.is_empty() => Some(ExecSql {
                    op: i,
                    lit,
                    statements: miglint_sql::analyze(&lit.value, reaching),
                }),
                _ => None,
            }
        })
        .collect()
}

/// A range limited to its first line (for huge error nodes).
pub(crate) fn first_line(source: &str, r: TextRange) -> TextRange {
    let text = &source[r.as_usize()];
    match text.find('\n') {
        Some(n) if n > 0 => TextRange::new(r.start(), r.start() + n as u32),
        _ => r,
    }
}
