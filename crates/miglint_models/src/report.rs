//! What a drift comparison found ([`crate::compare`] and its foreign-key
//! part), in alembic's vocabulary.

use std::path::PathBuf;

use miglint_diagnostics::Dialect;
use miglint_schema::Origin;

/// The kinds of differences, named as alembic names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DriftOp {
    AddTable,
    RemoveTable,
    AddColumn,
    RemoveColumn,
    ModifyNullable,
    ModifyType,
    ModifyDefault,
    AddIndex,
    RemoveIndex,
    AddConstraint,
    RemoveConstraint,
    AddFk,
    RemoveFk,
}

impl DriftOp {
    pub fn as_str(self) -> &'static str {
        match self {
            DriftOp::AddTable => "add_table",
            DriftOp::RemoveTable => "remove_table",
            DriftOp::AddColumn => "add_column",
            DriftOp::RemoveColumn => "remove_column",
            DriftOp::ModifyNullable => "modify_nullable",
            DriftOp::ModifyType => "modify_type",
            DriftOp::ModifyDefault => "modify_default",
            DriftOp::AddIndex => "add_index",
            DriftOp::RemoveIndex => "remove_index",
            DriftOp::AddConstraint => "add_constraint",
            DriftOp::RemoveConstraint => "remove_constraint",
            DriftOp::AddFk => "add_fk",
            DriftOp::RemoveFk => "remove_fk",
        }
    }
}

/// One difference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftItem {
    pub op: DriftOp,
    pub table: String,
    pub column: Option<String>,
    /// The index or constraint name, when it has one.
    pub name: Option<String>,
    pub dialect: Dialect,
    /// Where the models declare it (or its table).
    pub model: Option<(PathBuf, u32)>,
    /// The revision that produced the schema state compared.
    pub origin: Option<Origin>,
    /// Details for the text output (`NOT NULL → NULL`, `string → integer`).
    pub detail: Option<String>,
}

/// What was left out of the comparison, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// `None`: a whole kind of item (every `remove_table`, ...).
    pub table: Option<String>,
    /// The model declaration that made it uncertain.
    pub model: Option<(PathBuf, u32)>,
    pub why: String,
}

#[derive(Debug, Clone, Default)]
pub struct DriftReport {
    pub items: Vec<DriftItem>,
    pub skipped: Vec<Skipped>,
}
