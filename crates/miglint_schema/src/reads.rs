//! What a revision's pass reads of its file's module alone (no schema
//! state): the table and column an op names. Below `prep.rs` (which reads
//! them per file) and `rev.rs`/`replay.rs` (which use them). What the
//! functions do outside ops is the module's own
//! ([`miglint_python::OutsideOps`]).

use miglint_python::{Column as PyColumn, Expr, ExprKind, Module, Op};

use crate::data;
use crate::names::literal_name;

/// How an op names its table.
#[derive(Clone, Copy)]
pub(crate) enum TableRef<'a> {
    /// (borrowed from the module: the facts, the change and the guards of
    /// one op ask it in turn, and no copy is made)
    Known(&'a str),
    /// Not a literal (a variable, a loop): any table.
    Dynamic,
    /// The op has no table.
    None,
}

/// Ops that change the schema (a dynamic table name there makes the whole
/// schema uncertain).
const DDL_OPS: &[&str] = &[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_foreign_key",
    "create_check_constraint",
    "create_primary_key",
    "create_exclude_constraint",
    "drop_constraint",
];

/// The table `op` works on: a literal, or a module-level name bound to a
/// string.
pub(crate) fn read_table_name<'a>(m: &'a Module, op: &'a Op) -> TableRef<'a> {
    if let Some(t) = op.table_str() {
        return TableRef::Known(t);
    }
    if matches!(
        op.name.as_str(),
        "execute" | "exec_driver_sql" | "bulk_insert"
    ) || !DDL_OPS.contains(&op.name.as_str())
    {
        return TableRef::None;
    }
    if op.in_batch() {
        return TableRef::Dynamic;
    }
    let expr = match op.name.as_str() {
        "create_index"
        | "create_unique_constraint"
        | "create_check_constraint"
        | "create_primary_key"
        | "drop_constraint"
        | "create_exclude_constraint" => op.arg_or_kw(1, "table_name"),
        "create_foreign_key" => op.arg_or_kw(1, "source_table"),
        "drop_index" => match op.kwarg("table_name").map(|k| &k.value).or(op.args.get(1)) {
            Some(e) => Some(e),
            // `drop_index("ix")`: the index names its table
            None => return TableRef::None,
        },
        "rename_table" => op.arg_or_kw(0, "old_table_name"),
        _ => op.arg_or_kw(0, "table_name"),
    };
    match expr {
        Some(e) => match module_str(m, e) {
            Some(s) => TableRef::Known(s),
            None => TableRef::Dynamic,
        },
        None => TableRef::Dynamic,
    }
}

/// A literal name, or a module-level name bound to a string, with the
/// module's lifetime.
fn module_str<'a>(m: &'a Module, e: &'a Expr) -> Option<&'a str> {
    if let Some(s) = literal_name(e) {
        return Some(s);
    }
    match &e.kind {
        ExprKind::Name(n) => m.binding(n)?.str_value(),
        _ => None,
    }
}

/// The column `op` works on (add/drop/alter_column).
pub(crate) fn read_column_name<'a>(m: &'a Module, op: &'a Op) -> Option<&'a str> {
    match op.name.as_str() {
        "add_column" => {
            let e = op
                .args
                .iter()
                .chain(op.kwarg("column").map(|k| &k.value))
                .nth(if op.in_batch() { 0 } else { 1 })?;
            let e = data::resolve(m, e);
            // (`PyColumn::name`, borrowed)
            let call = PyColumn::from_expr(e)?.call;
            call.args
                .first()
                .or_else(|| call.kwarg("name").map(|k| &k.value))?
                .str_value()
        }
        "drop_column" | "alter_column" => op
            .arg_or_kw(usize::from(!op.in_batch()), "column_name")
            .and_then(|e| module_str(m, e)),
        _ => None,
    }
}
