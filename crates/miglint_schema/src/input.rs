//! What the model reads of one revision: its file, its Python model, its
//! analyzed literal SQL, its targets and its parents.

use std::path::Path;

use miglint_diagnostics::{DialectSet, SourceFile};
use miglint_python::{Module, StrLit};
use miglint_sql::SqlStatement;

/// One revision file, as the model reads it.
pub struct RevisionInput<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    /// The file `source` is the text of, when the caller has one: a kept
    /// model compares its key ([`SourceFile::key`], made once per file or
    /// given by the reader) instead of hashing `source` at every update.
    pub file: Option<&'a SourceFile>,
    pub module: &'a Module,
    /// The literal SQL of its `execute` ops, analyzed once by the caller.
    pub sql: Vec<SqlOf<'a>>,
    /// The project's targets for this file.
    pub targets: DialectSet,
    /// The revisions its `down_revision` names (indices into the inputs);
    /// `None` when some parent is not known (not a literal, not linted).
    pub parents: Option<Vec<usize>>,
}

/// The analyzed literal SQL of one `execute` op.
#[derive(Clone, Copy)]
pub struct SqlOf<'a> {
    pub op: usize,
    pub lit: &'a StrLit,
    pub statements: &'a [SqlStatement],
}
