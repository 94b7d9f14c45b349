use std::path::Path;

use miglint_config::AlembicVersion;
use miglint_diagnostics::{Diagnostic, DialectSet, Severity, TextRange};
use miglint_python::{Module, Op, StrLit};
use miglint_sql::SqlStatement;

/// A rule's contract: code, name, default severity, whether it is on by
/// default, and the dialects it concerns. The long documentation is the
/// Markdown page `rules/<CODE>.md`, compiled in by the registry.
#[derive(Debug)]
pub struct RuleMeta {
    pub code: &'static str,
    /// kebab-case
    pub name: &'static str,
    /// One line, for `miglint rules`, SARIF and the generated table.
    pub summary: &'static str,
    pub severity: Severity,
    /// `false` for opt-in rules (enable with `select`/`extend-select`).
    pub default_enabled: bool,
    pub dialects: DialectSet,
}

impl RuleMeta {
    /// A diagnostic of this rule (severity re-graded later from config). A
    /// rule that concerns one dialect reports failures on that dialect
    /// ([`Diagnostic::fails_on`]); a rule concerning several sets the failing
    /// ones itself with `.fails_on(...)`.
    pub fn diag(&'static self, range: TextRange, message: impl Into<String>) -> Diagnostic {
        let d = Diagnostic::new(self.code, self.name, self.severity, range, message);
        if self.dialects.iter().count() == 1 {
            d.fails_on(self.dialects)
        } else {
            d
        }
    }
}

/// A lint rule: a pure function of the migration model of one file
/// ([`Rule::check_file`]). Rules never see suppressions or config
/// selection; the engine applies those.
pub trait Rule: Sync + Send {
    fn meta(&self) -> &'static RuleMeta;

    fn check_file(&self, _file: &FileContext<'_>, _out: &mut Vec<Diagnostic>) {}

    /// Project-level rules (the revision graph): run once over every file
    /// after the per-file phase; each finding names the file it belongs to
    /// (an index into `project.files`).
    fn check_project(&self, _project: &Project<'_>, _out: &mut Vec<(usize, Diagnostic)>) {}
}

/// One linted file as project rules see it.
pub struct ProjectFile<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'a Module,
    /// The same analysis per-file rules saw (no second parse).
    pub sql: &'a [ExecSql<'a>],
    pub targets: DialectSet,
    /// The migrations run with no transaction around them.
    pub no_transaction: bool,
}

impl ProjectFile<'_> {
    /// Whether the file looks like a revision script at all (it assigns
    /// `revision` or `down_revision`, or defines `upgrade`). `env.py` and
    /// helper modules in a linted folder are not.
    pub fn is_revision(&self) -> bool {
        let ids = &self.module.ids;
        ids.revision.is_some()
            || ids.down_revision.is_some()
            || self.module.functions.iter().any(|f| f.name == "upgrade")
    }
}

/// Every linted file, sorted by path.
pub struct Project<'a> {
    pub files: Vec<ProjectFile<'a>>,
    pub alembic_version: Option<AlembicVersion>,
    /// `external-revisions` from the config: ids and labels declared in
    /// version locations outside the linted files.
    pub external_revisions: Vec<String>,
    /// The revision graphs, built on first use and shared by the rules.
    environments: std::sync::OnceLock<Vec<crate::graph::Environment<'a>>>,
}

impl<'a> Project<'a> {
    pub fn new(files: Vec<ProjectFile<'a>>, alembic_version: Option<AlembicVersion>) -> Self {
        Project {
            files,
            alembic_version,
            external_revisions: Vec::new(),
            environments: std::sync::OnceLock::new(),
        }
    }

    /// Declares ids that live outside the linted files (see
    /// [`Project::external_revisions`]).
    #[must_use]
    pub fn with_external_revisions(mut self, ids: Vec<String>) -> Self {
        self.external_revisions = ids;
        self
    }

    /// Whether `name` is declared outside the linted files.
    pub fn is_external(&self, name: &str) -> bool {
        self.external_revisions.iter().any(|x| x == name)
    }

    /// The migration environments and their revision graphs (see
    /// [`crate::graph::environments`]), computed once per run.
    pub fn environments(&self) -> &[crate::graph::Environment<'a>] {
        self.environments
            .get_or_init(|| crate::graph::environments(&self.files))
    }
}

/// The literal SQL of one `execute` op, split and parsed once per file.
#[derive(Debug)]
pub struct ExecSql<'a> {
    /// Index into `module.ops`.
    pub op: usize,
    pub lit: &'a StrLit,
    pub statements: Vec<SqlStatement>,
}

impl ExecSql<'_> {
    /// The file range of a statement (or any range of the decoded SQL).
    pub fn file_range(&self, sql_range: std::ops::Range<usize>) -> TextRange {
        self.lit.source_range(sql_range)
    }
}

/// Everything a per-file rule may look at.
pub struct FileContext<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'a Module,
    /// The literal SQL of the file's execute ops, analyzed once per file.
    pub sql: &'a [ExecSql<'a>],
    /// The project's target dialects for this file (after `[[overrides]]`).
    pub targets: DialectSet,
    /// The migrations run with no transaction around them
    /// (`isolation_level="AUTOCOMMIT"` in env.py, `transactional-ddl = false`).
    pub no_transaction: bool,
    pub alembic_version: Option<AlembicVersion>,
    /// The PostgreSQL major version (`postgresql-version`, default 15).
    pub postgresql_version: u32,
}

impl FileContext<'_> {
    /// The targets on which `op` can run (its dialect guards ∩ targets).
    pub fn reaching(&self, op: &Op) -> DialectSet {
        op.dialects.intersect(self.targets)
    }
}
