//! The linted files as project rules and the revision graph see them (a
//! leaf module: the graph and the rule contract both build on it).

use std::path::Path;

use miglint_diagnostics::{DialectSet, TextRange};
use miglint_python::{Module, StrLit};
use miglint_sql::SqlStatement;

/// One linted file as project rules see it.
pub struct ProjectFile<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    /// The file `source` is the text of, when the caller has one (its key
    /// is made once; see [`miglint_schema::RevisionInput::file`]).
    pub file: Option<&'a miglint_diagnostics::SourceFile>,
    pub module: &'a Module,
    /// The same analysis per-file rules saw (no second parse).
    pub sql: &'a [ExecSql<'a>],
    pub targets: DialectSet,
    /// The migrations run with no transaction around them.
    pub no_transaction: bool,
    /// Its environment's env.py sets `lock_timeout` or `statement_timeout`.
    pub env_sets_lock_timeout: bool,
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
