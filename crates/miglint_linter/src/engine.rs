//! The two phases: per file (parallel; the caller owns the threads) and
//! per project (graph rules, then suppressions, per-file ignores and
//! severities over every file).

use std::path::Path;
use std::sync::Arc;

use miglint_diagnostics::{Diagnostic, Dialect, DialectSet, FileReport, Severity, SourceFile};
use miglint_python::{IdValue, Module, PythonParser, SqlSource};
use miglint_sql::SqlStatement;

use crate::registry::{RULES, rule_index};
use crate::rule::{ExecSql, FileContext, Project, ProjectFile};
use crate::selection::Selector;
use crate::settings::{FileSettings, LinterSettings, TargetInput};
use crate::suppress::{self, Suppression};

mod cached;
mod overlap;
mod parse;
mod schedule;
mod sql_memo;
pub use cached::{CachedCheck, CachedFile, decode_findings, encode_findings, source_text};
pub use overlap::Checked;
use overlap::{exec_views, take_sql};
use rayon::prelude::*;

/// A file with at least this many ops runs its per-file rules in parallel
/// (see [`Linter::check_rules_parallel`]); below it the rules of a file
/// take well under a millisecond, and files run in parallel instead.
const PARALLEL_RULES_OPS: usize = 2_000;

pub struct Linter {
    pub settings: LinterSettings,
    /// Rules that panicked (a bug in miglint): their findings for that
    /// file (or project) are missing, every other finding is kept.
    internal_errors: std::sync::atomic::AtomicUsize,
    /// The semantic model kept between project phases (an editor server
    /// runs the project phase after every edit; see [`Linter::keep_model`]).
    kept_model: Option<std::sync::Mutex<miglint_schema::KeptModel>>,
    /// The analysis of `execute` literals kept between checks of the same
    /// file (see [`Linter::keep_sql`]).
    sql_memo: Option<sql_memo::SqlMemo>,
    /// [`PARALLEL_RULES_OPS`] (a test runs a large file serially too).
    parallel_rules_ops: usize,
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
    /// The file was not parsed (see [`ParsedFile`]): `diagnostics` are all
    /// it gets, whatever its settings.
    stopped: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub settings: FileSettings,
    suppressions: Vec<Suppression>,
}

/// A file after the parse phase: decoded, parsed once, suppression
/// comments read. Target inference ([`Linter::resolve`]) looks at every
/// parsed file before any rule runs ([`Linter::check`]).
#[derive(Debug)]
pub struct ParsedFile {
    pub source: Arc<SourceFile>,
    /// The migration model (empty for unreadable files).
    pub module: Module,
    suppressions: Vec<Suppression>,
    /// The file was not parsed: it could not be read or decoded (ML905), or
    /// the parser guard refused it (ML901/ML905). These findings (none if
    /// their rule is off) are all it gets.
    stopped: Option<Vec<Diagnostic>>,
}

impl Linter {
    pub fn new(settings: LinterSettings) -> Self {
        Linter {
            settings,
            internal_errors: std::sync::atomic::AtomicUsize::new(0),
            kept_model: None,
            sql_memo: None,
            parallel_rules_ops: PARALLEL_RULES_OPS,
        }
    }

    /// Keeps the analysis of each file's `execute` literals between checks
    /// of that file (of the last few files checked): a literal whose text
    /// and dialects did not change is not tokenized and parsed again (for a
    /// caller that re-lints a file after each edit). Findings are the same.
    #[must_use]
    pub fn keep_sql(mut self) -> Self {
        self.sql_memo = Some(sql_memo::SqlMemo::default());
        self
    }

    /// Keeps the semantic model between project phases: the next one
    /// replays only the revisions from the first changed one on (for a
    /// caller that runs the project phase again after editing a file).
    #[must_use]
    pub fn keep_model(mut self) -> Self {
        self.kept_model = Some(std::sync::Mutex::new(miglint_schema::KeptModel::new()));
        self
    }

    /// What the kept model's last update did (see [`Linter::keep_model`]).
    pub fn kept_model_update(&self) -> Option<miglint_schema::Update> {
        let kept = self.kept_model.as_ref()?;
        kept.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .last_update()
    }

    /// The kept model itself (see [`Linter::keep_model`]), for a caller
    /// that keeps it between processes (the CLI's snapshot file).
    pub fn kept_model(&self) -> Option<&std::sync::Mutex<miglint_schema::KeptModel>> {
        self.kept_model.as_ref()
    }

    /// How many rule runs panicked so far (see [`Linter::guarded`]).
    pub fn internal_errors(&self) -> usize {
        self.internal_errors
            .load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Runs one rule; a panic (a bug in miglint, never the input's fault)
    /// costs that rule's findings on `what`, not the run: it is said on
    /// stderr and counted, so the CLI can exit 2 after reporting the rest.
    fn guarded(&self, code: &str, what: &Path, run: impl FnOnce()) {
        if std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).is_err() {
            self.internal_errors
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            eprintln!(
                "miglint: internal error: {code} failed on {}; its findings there are missing, \
                 every other finding is reported",
                what.display()
            );
        }
    }

    /// Decides every file's targets (per environment, from the
    /// configuration and what all the parsed files name).
    pub fn resolve(&self, files: &[ParsedFile]) -> Vec<FileSettings> {
        let inputs: Vec<TargetInput<'_>> = files
            .iter()
            .map(|f| TargetInput {
                path: &f.source.path,
                source: &f.source.text,
                module: &f.module,
            })
            .collect();
        self.settings.resolve(&inputs)
    }

    /// Lints raw bytes of a file on its own (all phases but the project one).
    pub fn lint_bytes(&self, parser: &mut PythonParser, path: &Path, bytes: &[u8]) -> FileResult {
        let parsed = self.parse_bytes(parser, path, bytes);
        self.check_alone(parsed)
    }

    /// A file that could not be read at all, on its own (see
    /// [`Linter::parse_unreadable`]).
    pub fn unreadable(&self, path: &Path, problem: &str) -> FileResult {
        self.check_alone(self.parse_unreadable(path, problem))
    }

    /// [`Linter::lint_bytes`] for decoded text.
    pub fn lint_source(&self, parser: &mut PythonParser, path: &Path, text: &str) -> FileResult {
        let parsed = self.parse_source(parser, path, text);
        self.check_alone(parsed)
    }

    fn check_alone(&self, parsed: ParsedFile) -> FileResult {
        let settings = self.resolve(std::slice::from_ref(&parsed)).remove(0);
        self.check(parsed, settings)
    }

    /// Runs every enabled per-file rule on a parsed file (SQL extracted
    /// once, for the dialects that reach each op).
    pub fn check(&self, parsed: ParsedFile, settings: FileSettings) -> FileResult {
        self.check_with(parsed, settings, true)
    }

    /// [`Linter::check`], with the rules run or not (`rules`): without, the
    /// file's SQL is analyzed and it has no findings yet (the overlap runs
    /// them later, see `engine/overlap.rs`). A file that was not parsed
    /// keeps its own findings either way.
    pub(crate) fn check_with(
        &self,
        parsed: ParsedFile,
        settings: FileSettings,
        rules: bool,
    ) -> FileResult {
        let ParsedFile {
            source,
            module,
            suppressions,
            stopped,
        } = parsed;
        let (sql, diagnostics, stopped) = match stopped {
            Some(diagnostics) => (Vec::new(), diagnostics, true),
            None => {
                let sql_views = match &self.sql_memo {
                    Some(memo) => memo.extract(&source.path, &module, settings.targets),
                    None => extract_sql(&module, settings.targets),
                };
                let mut diagnostics = Vec::new();
                if rules {
                    diagnostics = self.file_rules(&source, &module, &sql_views, &settings);
                    // kept until the end of the run: without spare capacity (issue 15)
                    shrink_diagnostics(&mut diagnostics);
                }
                // the analysis is kept (without borrows) for project rules
                let sql = sql_views
                    .into_iter()
                    .map(|e| (e.op, e.statements))
                    .collect();
                (sql, diagnostics, false)
            }
        };
        FileResult {
            source,
            module,
            sql,
            baselined: false,
            stopped,
            diagnostics,
            settings,
            suppressions,
        }
    }

    /// Every enabled per-file rule on one parsed file, over its analyzed
    /// SQL: in parallel across rules for a large file.
    fn file_rules(
        &self,
        source: &SourceFile,
        module: &Module,
        sql: &[ExecSql<'_>],
        settings: &FileSettings,
    ) -> Vec<Diagnostic> {
        let ctx = FileContext {
            path: &source.path,
            source: &source.text,
            module,
            sql,
            targets: settings.targets,
            no_transaction: settings.no_transaction,
            alembic_version: self.settings.alembic_version,
            postgresql_version: self.settings.postgresql_version,
            defaults: std::sync::OnceLock::new(),
        };
        if module.ops.len() >= self.parallel_rules_ops {
            self.check_rules_parallel(&ctx)
        } else {
            let mut diagnostics = Vec::new();
            for (i, rule) in RULES.iter().enumerate() {
                if self.settings.enabled[i] {
                    self.guarded(rule.meta().code, &source.path, || {
                        rule.check_file(&ctx, &mut diagnostics)
                    });
                }
            }
            diagnostics
        }
    }

    /// The per-file rules of a large file, one rayon task per rule: the
    /// findings are those of the serial loop, in the same order (each
    /// rule's own, in rule order), a panicking rule included (it keeps
    /// what it pushed before the panic).
    fn check_rules_parallel(&self, ctx: &FileContext<'_>) -> Vec<Diagnostic> {
        let enabled: Vec<usize> = (0..RULES.len())
            .filter(|&i| self.settings.enabled[i])
            .collect();
        let found: Vec<Vec<Diagnostic>> = enabled
            .par_iter()
            .map(|&i| {
                let rule = RULES[i];
                let mut out = Vec::new();
                self.guarded(rule.meta().code, ctx.path, || {
                    rule.check_file(ctx, &mut out)
                });
                // here, on the rule's task, not after the join on one thread
                shrink_diagnostics(&mut out);
                out
            })
            .collect();
        let mut diagnostics = Vec::with_capacity(found.iter().map(Vec::len).sum());
        for mut rule_found in found {
            diagnostics.append(&mut rule_found);
        }
        diagnostics
    }

    /// The project phase over all files, then suppressions, per-file
    /// ignores, ML904 and severities; returns sorted reports.
    pub fn finish(&self, mut results: Vec<FileResult>) -> Vec<FileReport> {
        results.sort_by(|a, b| miglint_diagnostics::path_cmp(&a.source.path, &b.source.path));
        let (found, model) = self.check_project(&mut results);
        self.finish_files(results, found, model)
    }

    /// Suppressions, per-file ignores, ML904 and severities over `results`
    /// (sorted by path) with the project phase's findings of each; every
    /// file is finished (and its parse freed) on the pool, in order, and
    /// the model is freed meanwhile.
    fn finish_files(
        &self,
        results: Vec<FileResult>,
        found: Vec<Vec<Diagnostic>>,
        model: Option<std::sync::Arc<miglint_schema::SchemaModel>>,
    ) -> Vec<FileReport> {
        let configured = self.configured_severities();
        let (_, reports) = rayon::join(
            || drop(model),
            || {
                results
                    .into_par_iter()
                    .zip(found)
                    // small pieces: no long serial tail (see `schedule`)
                    .with_max_len(16)
                    .map(|(mut r, found)| {
                        r.diagnostics.extend(found);
                        let report = self.finish_file(
                            r.source,
                            r.diagnostics,
                            &mut r.suppressions,
                            &r.settings,
                            r.baselined,
                            &configured,
                        );
                        // a large model is freed off the way to the output
                        if r.module.ops.len() >= self.parallel_rules_ops {
                            let module = r.module;
                            rayon::spawn(move || drop(module));
                        }
                        report
                    })
                    .collect()
            },
        );
        reports
    }

    /// [`Linter::finish`] for a caller that keeps the per-file results
    /// between runs (the editor server re-lints one file, then re-runs the
    /// project phase over every cached result). `results` must be sorted by
    /// path; they are left as they were. Only the files for which
    /// `wanted(index, project_findings)` holds are finished and returned,
    /// with their index.
    pub fn finish_cached(
        &self,
        results: &mut [FileResult],
        wanted: impl Fn(usize, &[Diagnostic]) -> bool,
    ) -> Vec<(usize, FileReport)> {
        let (found, model) = self.check_project(results);
        drop(model);
        let configured = self.configured_severities();
        results
            .iter()
            .zip(found)
            .enumerate()
            .filter(|(i, (_, found))| wanted(*i, found))
            .map(|(i, (r, found))| {
                let mut diagnostics = r.diagnostics.clone();
                diagnostics.extend(found);
                let mut suppressions = r.suppressions.clone();
                let report = self.finish_file(
                    r.source.clone(),
                    diagnostics,
                    &mut suppressions,
                    &r.settings,
                    r.baselined,
                    &configured,
                );
                (i, report)
            })
            .collect()
    }

    /// Per-file ignores, baseline, suppressions, ML904 and severities.
    fn finish_file(
        &self,
        source: Arc<SourceFile>,
        mut diagnostics: Vec<Diagnostic>,
        suppressions: &mut [Suppression],
        settings: &FileSettings,
        baselined: bool,
        configured: &[bool],
    ) -> FileReport {
        let ml904 = self.settings.is_enabled("ML904");
        diagnostics.retain(|d| !settings.ignores(d.code));
        if baselined {
            diagnostics.retain(|d| d.code.starts_with("ML5"));
        }
        suppress::apply(&mut diagnostics, suppressions, &source);
        if ml904 && !settings.ignores("ML904") {
            let ran = |sel: &Selector| {
                RULES.iter().enumerate().any(|(i, rule)| {
                    self.settings.enabled[i]
                        && sel.matches(rule.meta())
                        && !settings.ignores(rule.meta().code)
                })
            };
            let mut unused = suppress::unused(suppressions, &source.text, ran);
            // a file-level ignore of ML904 itself still applies
            suppress::apply(&mut unused, suppressions, &source);
            diagnostics.extend(unused);
        }
        // A rule may grade one finding below or above its default
        // (ML103); only a `[severity]` entry for the code re-grades.
        for d in &mut diagnostics {
            if let Some(i) = rule_index(d.code)
                && configured[i]
            {
                d.severity = self.settings.severity[i];
            }
            downgrade_if_assumed(d, settings);
        }
        // reports are kept until the output is written
        shrink_diagnostics(&mut diagnostics);
        let mut report = FileReport {
            source,
            diagnostics,
        };
        report.sort();
        report
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

    /// Runs the project rules; returns their findings by file, and the
    /// model if one was built (for the caller to free). The stored SQL
    /// analysis is lent to the rules and put back afterwards.
    fn check_project(
        &self,
        results: &mut [FileResult],
    ) -> (
        Vec<Vec<Diagnostic>>,
        Option<std::sync::Arc<miglint_schema::SchemaModel>>,
    ) {
        let stored = take_sql(results);
        let views = exec_views(results, stored);
        let (by_file, baselined, model) = self.project_findings(results, &views);
        let restored: Vec<Vec<(usize, Vec<SqlStatement>)>> = views
            .into_iter()
            .map(|v| v.into_iter().map(|e| (e.op, e.statements)).collect())
            .collect();
        for ((r, b), sql) in results.iter_mut().zip(baselined).zip(restored) {
            r.baselined = b;
            r.sql = sql;
        }
        (by_file, model)
    }

    /// The project rules over `results` and their SQL `views` (one list per
    /// file): their findings by file, whether each file is baselined, and
    /// the model if one was built.
    fn project_findings<'a>(
        &self,
        results: &'a [FileResult],
        views: &'a [Vec<ExecSql<'a>>],
    ) -> (
        Vec<Vec<Diagnostic>>,
        Vec<bool>,
        Option<std::sync::Arc<miglint_schema::SchemaModel>>,
    ) {
        let files = results
            .iter()
            .zip(views)
            .map(|(r, sql)| ProjectFile {
                path: &r.source.path,
                source: &r.source.text,
                file: Some(&r.source),
                module: &r.module,
                sql,
                targets: r.settings.targets,
                no_transaction: r.settings.no_transaction,
                env_sets_lock_timeout: r.settings.env_sets_lock_timeout,
            })
            .collect();
        let mut project = Project::new(files, self.settings.alembic_version)
            .with_external_revisions(
                self.settings
                    .options
                    .external_revisions
                    .iter()
                    .map(|s| s.get_ref().clone())
                    .collect(),
            );
        project.postgresql_version = self.settings.postgresql_version;
        let mut project = project.with_kept_model(self.kept_model.as_ref());
        let found = self.run_project_rules(&project);
        let baselined = self.baselined(&project);
        let model = project.take_schema();
        drop(project);
        let mut by_file = vec![Vec::new(); results.len()];
        for (file, diag) in found {
            if let Some(list) = by_file.get_mut(file) {
                list.push(diag);
            }
        }
        (by_file, baselined, model)
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
        // the distinct baselines (one per file when configured: a scan of
        // `wanted` per file would be quadratic)
        let baselines: std::collections::HashSet<&str> = wanted.iter().flatten().copied().collect();
        let mut marked = vec![false; n];
        for (i, f) in project.files.iter().enumerate() {
            let Some(IdValue::Str(id)) = f.module.ids.revision.as_ref().map(|r| &r.value) else {
                continue;
            };
            if baselines.contains(id.value.as_str()) {
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
    extract_sql_with(module, targets, miglint_sql::analyze)
}

/// [`extract_sql`] with `analyze` in place of [`miglint_sql::analyze`]
/// (which it must equal, see [`sql_memo::SqlMemo`]).
fn extract_sql_with(
    module: &Module,
    targets: DialectSet,
    mut analyze: impl FnMut(&str, DialectSet) -> Vec<SqlStatement>,
) -> Vec<ExecSql<'_>> {
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
                    statements: analyze(&lit.value, reaching),
                }),
                _ => None,
            }
        })
        .collect()
}

/// Gives back the spare capacity of the findings' list and texts (a
/// `format!`ted message or a list filled by pushes may hold up to twice its
/// length).
fn shrink_diagnostics(diagnostics: &mut Vec<Diagnostic>) {
    diagnostics.shrink_to_fit();
    for d in diagnostics {
        shrink_diagnostic(d);
    }
}

/// [`shrink_diagnostics`] for one finding.
fn shrink_diagnostic(d: &mut Diagnostic) {
    d.message.shrink_to_fit();
    d.labels.shrink_to_fit();
    for label in &mut d.labels {
        label.message.shrink_to_fit();
    }
    if let Some(std::borrow::Cow::Owned(help)) = &mut d.help {
        help.shrink_to_fit();
    }
}

/// A finding that happens only on assumed targets (see
/// [`Diagnostic::fails_on`]) is graded one step down (an error becomes a
/// warning, a warning an info) and says so.
fn downgrade_if_assumed(d: &mut Diagnostic, settings: &FileSettings) {
    let failing = d.fails_on.intersect(settings.targets);
    if d.severity == Severity::Info
        || failing.is_empty()
        || failing.intersect(settings.assumed) != failing
    {
        return;
    }
    let names: Vec<&str> = failing.iter().map(Dialect::display_name).collect();
    d.severity = match d.severity {
        Severity::Error => Severity::Warning,
        _ => Severity::Info,
    };
    d.message = format!(
        "{} (if this project runs on {}: an assumed target)",
        d.message,
        names.join(" or ")
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_rule_costs_its_findings_not_the_run() {
        let linter = Linter::new(LinterSettings::with_targets(DialectSet::ALL));
        let mut ran_after = false;
        linter.guarded("ML999", Path::new("versions/a.py"), || {
            panic!("a bug in a rule");
        });
        linter.guarded("ML101", Path::new("versions/a.py"), || ran_after = true);
        assert!(ran_after, "the next rule still runs");
        assert_eq!(linter.internal_errors(), 1);
    }

    /// A large file's rules run in parallel and give the serial loop's
    /// findings, in the same order.
    #[test]
    fn parallel_rules_give_the_serial_findings() {
        let mut source = String::from(
            "from alembic import op\nimport sqlalchemy as sa\n\nrevision = \"r1\"\ndown_revision = None\n\n\ndef upgrade():\n",
        );
        for i in 0..250 {
            for line in [
                format!(
                    "op.add_column(\"t{i}\", sa.Column(\"c{i}\", sa.Boolean(), server_default=\"0\", nullable=False))"
                ),
                format!("op.alter_column(\"t{i}\", \"c{i}\", nullable=False, type_=sa.String())"),
                format!("op.create_index(\"ix{i}\", \"t{i}\", [\"c{i}\"])"),
                format!("op.drop_column(\"t{i}\", \"d{i}\")"),
                format!(
                    "op.add_column(\"t{i}\", sa.Column(\"n{i}\", sa.Text(), server_default=\"\"))"
                ),
                format!(
                    "op.add_column(\"t{i}\", sa.Column(\"m{i}\", sa.DateTime(), server_default=\"now()\"))"
                ),
                format!("op.execute(\"ALTER TABL t{i}\")"),
                format!("op.execute(f\"UPDATE t{i} SET x = {{value}}\")"),
                format!(
                    "op.execute(\"ALTER TABLE t{i} ADD COLUMN e{i} INT NOT NULL\")  # miglint: ignore[ML703]"
                ),
            ] {
                source.push_str("    ");
                source.push_str(&line);
                source.push('\n');
            }
        }
        source.push_str("\n\ndef downgrade():\n    pass\n");
        let mut settings = LinterSettings::with_targets(DialectSet::ALL);
        settings.enabled = vec![true; RULES.len()];
        let mut linter = Linter::new(settings);
        let mut parser = PythonParser::new();
        let path = Path::new("versions/r1.py");
        let parallel = linter.lint_source(&mut parser, path, &source);
        assert!(parallel.module.ops.len() >= PARALLEL_RULES_OPS);
        linter.parallel_rules_ops = usize::MAX;
        let serial = linter.lint_source(&mut parser, path, &source);
        let codes: std::collections::BTreeSet<&str> =
            serial.diagnostics.iter().map(|d| d.code).collect();
        assert!(codes.len() >= 6, "{codes:?}");
        assert_eq!(parallel.diagnostics, serial.diagnostics);
    }
}
