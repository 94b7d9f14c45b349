//! What the model records for rules: per op, the facts the state gave
//! right before it ([`OpFacts`]), and how they are read off a state.

use miglint_diagnostics::TextRange;

use crate::state::{Origin, Schema};

/// Whether an object exists at a point of the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Presence {
    Present,
    Absent,
    /// Something miglint cannot read may have created, dropped or changed it.
    #[default]
    Uncertain,
}

/// What the state says about a table right before an op.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct TableFacts {
    pub presence: Presence,
    /// The op that created it (a new, empty table).
    pub created: Option<Origin>,
    /// The op that created it or renamed it to this name.
    pub named: Option<Origin>,
    /// The last op that emptied it.
    pub emptied: Option<Origin>,
    /// The latest op that made it (or the whole schema) uncertain.
    pub uncertain: Option<Origin>,
    /// The latest call of a project helper that names the table (see
    /// `Table::helper_named`).
    pub helper_named: Option<Origin>,
}

impl TableFacts {
    /// Whether function `func` of file `file` made the table new before
    /// this point: it created it or emptied it (an unreadable change there
    /// says nothing about its rows, so it does not count), or may have,
    /// through a project helper called with the table's name
    /// (`create_table("t", ...)` imported from the project). Nobody else
    /// is using its rows, so its locks and scans cost little (the
    /// online-safety family, ML7xx, which stays quiet when unsure).
    pub fn new_in(&self, file: usize, func: usize) -> bool {
        [self.created, self.emptied, self.helper_named]
            .into_iter()
            .flatten()
            .any(|o| o.in_function(file, func))
    }
}

/// What the state says about a column right before an op.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ColumnFacts {
    pub presence: Presence,
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub server_default: bool,
    pub enum_type: Option<String>,
    /// The op that added it.
    pub added: Option<Origin>,
    /// The latest write of the column after it last became nullable.
    pub backfilled: Option<Origin>,
    /// A write miglint cannot read that may have filled it.
    pub maybe_backfilled: Option<Origin>,
    /// Nullable since the op that created its table (`create_table` /
    /// `CREATE TABLE` in a replayed revision), never added to a table that
    /// had rows nor relaxed since: a NULL in it comes only from what the
    /// application (or an INSERT, see `null_written`) stored.
    pub nullable_since_creation: bool,
    /// An INSERT of the migrations that may have left it NULL since it
    /// last became nullable.
    pub null_written: Option<Origin>,
}

/// The facts recorded for one op (or one statement of an `execute`).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct OpFacts {
    /// The op's table, when it names one.
    pub table: Option<TableFacts>,
    /// The op's column (`add_column`, `alter_column`, `drop_column`)
    /// (boxed, like the other rarer facts: the model keeps one `OpFacts`
    /// per op and dialect of a project).
    pub column: Option<Box<ColumnFacts>>,
    /// For `create_table`: native enum types its columns would create that
    /// already exist, with the op that created them.
    pub existing_enums: List<(String, Origin)>,
    /// For an `execute` of literal SQL: the facts of the table each
    /// statement names, right before that statement.
    pub statements: List<Option<TableFacts>>,
    /// For each statement: the facts of the column a `SET NOT NULL` names,
    /// right before that statement.
    pub statement_columns: List<Option<ColumnFacts>>,
    /// The object the op drops or alters (or whose table it needs), when
    /// it certainly does not exist right before the op.
    pub missing: Option<Box<ObjectFact>>,
    /// The object the op creates, when it certainly exists already.
    pub existing: Option<Box<ObjectFact>>,
    /// For an `execute` of literal SQL: per DDL change of its statements
    /// (with the statement's span in the file), the object it drops or
    /// alters that certainly does not exist, or creates that certainly
    /// exists, right before it.
    pub sql_objects: List<SqlObject>,
    /// In a `downgrade()`: native enum types this op drops the last user
    /// of, which the revision's `upgrade()` created implicitly (in a
    /// `create_table`) and the downgrade does not drop, with their origin.
    pub enums_left: List<(String, Origin)>,
    /// Inside a `batch_alter_table` that SQLite runs by recreating the
    /// table (`recreate="always"`, or an op other than add_column /
    /// create_index / drop_index in the batch).
    pub batch_recreates_on_sqlite: bool,
    /// In an `upgrade()`: what this op creates or drops that the paired
    /// `downgrade()` leaves as the upgrade left it (ML403).
    pub not_reverted: List<NotReverted>,
}

/// A list of facts most ops leave empty (the lists of [`OpFacts`]): one
/// pointer inline, so that the common op's facts stay small (the model
/// keeps one `OpFacts` per op and dialect, and moves each into place).
/// Reads as a slice.
#[allow(
    clippy::box_collection,
    reason = "one pointer inline (a `Vec` is three), for a list that is most often absent"
)]
#[derive(serde::Serialize, serde::Deserialize)]
pub struct List<T>(Option<Box<Vec<T>>>);

impl<T> List<T> {
    pub fn push(&mut self, item: T) {
        self.0.get_or_insert_with(Box::default).push(item);
    }
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List(None)
    }
}

impl<T> From<Vec<T>> for List<T> {
    fn from(v: Vec<T>) -> Self {
        List((!v.is_empty()).then(|| Box::new(v)))
    }
}

impl<T> std::ops::Deref for List<T> {
    type Target = [T];

    fn deref(&self) -> &[T] {
        self.0.as_deref().map_or(&[], Vec::as_slice)
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: Clone> Clone for List<T> {
    fn clone(&self) -> Self {
        List(self.0.clone())
    }
}

impl<T: PartialEq> PartialEq for List<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for List<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// An existence fact of one statement of literal SQL.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SqlObject {
    pub range: miglint_diagnostics::TextRange,
    pub missing: Option<ObjectFact>,
    pub existing: Option<ObjectFact>,
}

/// What kind of object an existence fact is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ObjectKind {
    Table,
    Column,
    Index,
    Constraint,
    /// A PostgreSQL enum type.
    Type,
}

impl ObjectKind {
    pub fn noun(self) -> &'static str {
        match self {
            ObjectKind::Table => "table",
            ObjectKind::Column => "column",
            ObjectKind::Index => "index",
            ObjectKind::Constraint => "constraint",
            ObjectKind::Type => "type",
        }
    }
}

/// An object an op names, with the op that created it (for an existing
/// one) or dropped it (for a missing one; `None`: no replayed op ever
/// created it on a table whose every object is known).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectFact {
    pub kind: ObjectKind,
    pub name: String,
    /// The table it belongs to (for columns, indexes and constraints).
    pub table: Option<String>,
    pub origin: Option<Origin>,
    /// For a missing column/index/constraint with no dropping op: the op
    /// that created its table.
    pub table_origin: Option<Origin>,
}

impl ObjectFact {
    /// A fact about `name` (of `table`), made by `origin`.
    pub(crate) fn new(
        kind: ObjectKind,
        name: &str,
        table: Option<&str>,
        origin: Option<Origin>,
    ) -> Self {
        ObjectFact {
            kind,
            name: name.to_string(),
            table: table.map(str::to_string),
            origin,
            table_origin: None,
        }
    }
}

/// An object an `upgrade()` creates or drops that its paired `downgrade()`
/// leaves as the upgrade left it: after `alembic downgrade`, the next
/// `alembic upgrade` meets it again ("already exists" / "does not exist").
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct NotReverted {
    /// A table, a column or an index.
    pub kind: ObjectKind,
    /// Created (else dropped) by the upgrade.
    pub created: bool,
    /// The table of a column or index, when named.
    pub table: Option<String>,
    pub name: String,
    /// The span of its name in the upgrade (of the statement, for SQL).
    pub range: TextRange,
    /// The `downgrade()` (a function index of the file).
    pub downgrade: usize,
}

pub(crate) fn table_facts(state: &Schema, table: &str) -> TableFacts {
    match state.table(table) {
        Some(t) => TableFacts {
            presence: Presence::Present,
            created: (!t.placeholder && !t.renamed).then_some(t.origin),
            named: (!t.placeholder).then_some(t.origin),
            emptied: t.emptied,
            uncertain: t
                .uncertain
                .or(if t.placeholder { state.unknown } else { None }),
            helper_named: t.helper_named,
        },
        None => TableFacts {
            presence: if state.unknown.is_some() {
                Presence::Uncertain
            } else {
                Presence::Absent
            },
            uncertain: state.unknown,
            ..TableFacts::default()
        },
    }
}

pub(crate) fn column_facts(state: &Schema, table: &str, column: &str) -> ColumnFacts {
    let Some(t) = state.table(table) else {
        return ColumnFacts::default();
    };
    match t.column(column) {
        Some(c) => ColumnFacts {
            presence: Presence::Present,
            nullable: c.nullable,
            primary_key: c.primary_key,
            server_default: c.server_default,
            enum_type: c.enum_type.clone(),
            added: Some(c.origin),
            backfilled: c.backfilled,
            maybe_backfilled: c.maybe_backfilled,
            nullable_since_creation: !t.placeholder
                && !t.renamed
                && c.origin == t.origin
                && c.nullable_since == Some(c.origin),
            null_written: c.null_written,
        },
        None => ColumnFacts {
            presence: if t.uncertain.is_some() || t.placeholder {
                Presence::Uncertain
            } else {
                Presence::Absent
            },
            ..ColumnFacts::default()
        },
    }
}
