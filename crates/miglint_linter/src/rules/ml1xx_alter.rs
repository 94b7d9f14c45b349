//! Shared by the ML1xx rules about `alter_column` and SQLite/MySQL ALTER
//! limits (ML106, ML110, ML111): which keyword arguments of an
//! `alter_column` call really change the column, the way alembic's dialect
//! implementations decide which SQL to emit.

use miglint_python::Keyword;

use crate::prelude::*;

/// One `alter_column` call (`op.` or `batch_op.`), viewed.
pub(crate) struct AlterColumn<'a> {
    pub op: &'a Op,
    pub nullable: Option<&'a Keyword>,
    pub server_default: Option<&'a Keyword>,
    pub type_: Option<&'a Keyword>,
    pub new_column_name: Option<&'a Keyword>,
    pub comment: Option<&'a Keyword>,
    pub autoincrement: Option<&'a Keyword>,
    pub existing_type: Option<&'a Keyword>,
}

impl<'a> AlterColumn<'a> {
    pub fn of(op: &'a Op) -> Option<Self> {
        if op.name != "alter_column" {
            return None;
        }
        // A keyword is "set" when present and not alembic's "no change"
        // sentinel: `server_default=False`, `comment=False`, `None` for
        // the others (`server_default=None` drops the default: a change).
        let set = |name: &str, sentinel_false: bool| {
            op.kwarg(name).filter(|k| {
                if sentinel_false {
                    k.value.bool_value() != Some(false)
                } else {
                    !k.value.is_none()
                }
            })
        };
        Some(AlterColumn {
            op,
            nullable: set("nullable", false),
            server_default: set("server_default", true),
            type_: set("type_", false),
            new_column_name: set("new_column_name", false),
            comment: set("comment", true),
            autoincrement: set("autoincrement", false),
            existing_type: set("existing_type", false),
        })
    }

    /// The column name argument (`op.alter_column(table, column)`,
    /// `batch_op.alter_column(column)`).
    pub fn column(&self) -> Option<&'a Expr> {
        let index = usize::from(!self.op.in_batch());
        self.op.arg_or_kw(index, "column_name")
    }

    /// The column name when literal.
    pub fn column_name(&self) -> Option<&'a str> {
        self.column().and_then(Expr::str_value)
    }

    /// The changes that fail on SQLite outside batch mode, in source
    /// order: alembic's default implementation turns nullability, server
    /// default and type into `ALTER TABLE ... ALTER COLUMN` (which SQLite
    /// cannot parse), and a comment into a `ColumnComment` element that
    /// SQLite's DDL compiler cannot render (measured with alembic 1.20.1 +
    /// SQLAlchemy 2.1.9: `UnsupportedCompilationError`). A rename
    /// (`RENAME COLUMN`, SQLite ≥ 3.25) and `autoincrement` (only a
    /// warning outside MySQL) are not among them.
    pub fn sqlite_alters(&self) -> Vec<&'a Keyword> {
        let mut v: Vec<&Keyword> = [self.nullable, self.server_default, self.type_, self.comment]
            .into_iter()
            .flatten()
            .collect();
        v.sort_by_key(|k| k.name_range.start());
        v
    }

    /// The keyword that makes alembic's MySQL implementation emit `CHANGE`
    /// or `MODIFY` (which restate the whole column, so need its type),
    /// when neither `type_` nor `existing_type` gives the type. A change of
    /// `server_default` alone becomes `ALTER COLUMN ... SET DEFAULT`, which
    /// needs no type.
    pub fn mysql_untyped_change(&self) -> Option<&'a Keyword> {
        if self.type_.is_some() || self.existing_type.is_some() {
            return None;
        }
        self.mysql_change()
    }

    /// The first keyword (in source order) that makes alembic's MySQL
    /// implementation emit `CHANGE`/`MODIFY`, whatever the type arguments.
    pub fn mysql_change(&self) -> Option<&'a Keyword> {
        [
            self.new_column_name,
            self.nullable,
            self.type_,
            self.autoincrement,
            self.comment,
        ]
        .into_iter()
        .flatten()
        .min_by_key(|k| k.name_range.start())
    }
}

/// `op.alter_column`: from the start of the call to the end of the name.
pub(crate) fn call_head(op: &Op) -> TextRange {
    TextRange::new(op.range.start(), op.name_range.end())
}

/// The table argument of a plain `op.` call, literal or not (`users`,
/// `TABLE`), for suggestions that move the call into batch mode.
pub(crate) fn table_arg(op: &Op) -> Option<&Expr> {
    match op.name.as_str() {
        "create_unique_constraint"
        | "create_check_constraint"
        | "create_primary_key"
        | "drop_constraint" => op.arg_or_kw(1, "table_name"),
        "create_foreign_key" => op.arg_or_kw(1, "source_table"),
        _ => op.arg_or_kw(0, "table_name"),
    }
}

/// `op.batch_alter_table("users")` with the call's own table text.
pub(crate) fn batch_call(file: &FileContext<'_>, op: &Op) -> String {
    let table = table_arg(op)
        .map(|e| &file.source[e.range.as_usize()])
        .filter(|t| !t.contains('\n'))
        .unwrap_or("\"<table>\"");
    match op.kwarg("schema") {
        Some(k) => format!(
            "op.batch_alter_table({table}, schema={})",
            &file.source[k.value.range.as_usize()]
        ),
        None => format!("op.batch_alter_table({table})"),
    }
}

/// Whether `op` is inside `op.batch_alter_table(..., recreate="always")`:
/// alembic then rebuilds the table on every database (create a copy with
/// the changes applied to the reflected or `copy_from=` Table, copy the
/// rows, drop, rename), so no ALTER of the op is emitted anywhere.
pub(crate) fn in_recreating_batch(file: &FileContext<'_>, op: &Op) -> bool {
    let Receiver::Batch(b) = &op.receiver else {
        return false;
    };
    let call = file.source.get(b.range.as_usize()).unwrap_or("");
    call.match_indices("recreate").any(|(at, _)| {
        let rest = call[at + "recreate".len()..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            return false;
        };
        let rest = rest.trim_start();
        rest.starts_with("\"always\"") || rest.starts_with("'always'")
    })
}
