//! Existence queries: whether the object an op drops, alters or creates
//! certainly exists (or certainly does not) right before it, on every path
//! of the replay. "Certainly" is narrow on purpose: a table a replayed op
//! created (or dropped) with nothing unreadable since; never a table no
//! revision created (the project may have begun before Alembic).

use miglint_python::Op;
use miglint_sql::DdlChange;

use crate::facts::{ObjectFact, ObjectKind};
use crate::names::{find_word, literal_name, same};
use crate::rev::{Rev, TableRef};
use crate::state::{ConstraintKind, Schema, Table, key};

fn truthy(op: &Op, k: &str) -> bool {
    op.kwarg(k)
        .is_some_and(|kw| kw.value.bool_value() != Some(false))
}

impl<'a> Rev<'_, 'a> {
    /// The (missing, existing) facts of `op` before it runs.
    pub(crate) fn object_facts(
        &self,
        op: &'a Op,
        state: &Schema,
    ) -> (Option<ObjectFact>, Option<ObjectFact>) {
        // an op that may not run, or that checks for itself
        if op.conditional
            || op.in_try
            || op.after_unknown_exit
            || (op.in_batch() && !self.batch_readable(op))
            || truthy(op, "if_exists")
            || truthy(op, "if_not_exists")
            || op.kwarg("schema").is_some_and(|k| !k.value.is_none())
        {
            return (None, None);
        }
        let TableRef::Known(table) = self.table_name(op) else {
            return (None, None);
        };
        let fact = ObjectFact::new;
        // every op but the creation of a table needs its table
        if op.name != "create_table"
            && let Some(o) = state.table_dropped(table)
        {
            return (Some(fact(ObjectKind::Table, table, None, Some(o))), None);
        }
        let t = state.table(table);
        // its objects are all known for certain
        let certain = t.filter(|t| state.certain(t));
        // what it has is certainly there (a placeholder's defined objects too)
        let present = t.filter(|t| t.uncertain.is_none() && t.stamp > state.unknown_stamp);
        let name_arg = |i: usize, kw: &str| op.arg_or_kw(i, kw).and_then(literal_name);
        match op.name.as_str() {
            "create_table" => {
                let ok = certain.is_some_and(|t| *t.name == *table);
                let e = ok.then(|| fact(ObjectKind::Table, table, None, certain.map(|t| t.origin)));
                (None, e)
            }
            "rename_table" => {
                let new = name_arg(1, "new_table_name");
                let e = new.and_then(|n| {
                    let t = state.table(n).filter(|t| state.certain(t) && t.name == n)?;
                    Some(fact(ObjectKind::Table, n, None, Some(t.origin)))
                });
                (None, e)
            }
            "add_column" => {
                let e = self.column_name(op).and_then(|c| {
                    let col = present?.column(c).filter(|x| x.defined && *x.name == *c)?;
                    Some(fact(ObjectKind::Column, c, Some(table), Some(col.origin)))
                });
                (None, e)
            }
            "drop_column" | "alter_column" => {
                let m = self.column_name(op).and_then(|c| {
                    let t = certain.filter(|t| t.complete && t.column(c).is_none())?;
                    Some(missing_in(t, ObjectKind::Column, c, table))
                });
                (m, None)
            }
            "create_index" => {
                let e = name_arg(0, "index_name").and_then(|n| {
                    present.filter(|t| !t.unsure_constraints)?;
                    let ix = state.indexes.get(&key(n))?;
                    (ix.table == key(table) && ix.name == n)
                        .then(|| fact(ObjectKind::Index, n, Some(table), Some(ix.origin)))
                });
                (None, e)
            }
            "drop_index" => {
                let m = name_arg(0, "index_name").and_then(|n| {
                    if state.indexes.contains_key(&key(n)) {
                        return None;
                    }
                    if let Some((tk, o)) = state.index_dropped(n) {
                        return (tk == key(table))
                            .then(|| fact(ObjectKind::Index, n, Some(table), Some(o)));
                    }
                    let t = certain.filter(|t| !t.anon_index && !has_constraint(t, n))?;
                    Some(missing_in(t, ObjectKind::Index, n, table))
                });
                (m, None)
            }
            "create_unique_constraint"
            | "create_foreign_key"
            | "create_check_constraint"
            | "create_primary_key" => {
                let n = op.arg_or_kw(0, "constraint_name");
                let conv = n.is_some_and(is_conv);
                let e = n.and_then(literal_name).and_then(|n| {
                    let c = present
                        .filter(|t| !t.unsure_constraints)?
                        .constraints
                        .iter()
                        .find(|c| c.name.as_deref() == Some(n) && c.conv == conv)?;
                    Some(fact(ObjectKind::Constraint, n, Some(table), Some(c.origin)))
                });
                (None, e)
            }
            "drop_constraint" => {
                let n = op.arg_or_kw(0, "constraint_name");
                let conv = n.is_some_and(is_conv);
                let kind = match op.kwarg("type_").and_then(|k| k.value.str_value()) {
                    Some("foreignkey") => ConstraintKind::ForeignKey,
                    Some("unique") => ConstraintKind::Unique,
                    Some("check") => ConstraintKind::Check,
                    Some("primary") => ConstraintKind::PrimaryKey,
                    Some(_) => return (None, None),
                    None => ConstraintKind::Unknown,
                };
                let m = n.and_then(literal_name).and_then(|n| {
                    let t = certain?;
                    let anon = match kind.slot() {
                        Some(i) => t.anon[i],
                        None => t.anon.iter().any(|a| *a),
                    };
                    let clash = t.constraints.iter().any(|c| {
                        c.name.as_deref().is_none_or(|x| same(x, n))
                            || (c.conv != conv
                                && (kind == ConstraintKind::Unknown || c.kind == kind))
                    });
                    if anon || clash || state.indexes.contains_key(&key(n)) {
                        return None;
                    }
                    Some(missing_in(t, ObjectKind::Constraint, n, table))
                });
                (m, None)
            }
            _ => (None, None),
        }
    }

    /// A `batch_op.*` call whose object the model follows: a column or an
    /// index op, in a batch on a literal table of the default schema.
    fn batch_readable(&self, op: &Op) -> bool {
        let miglint_python::Receiver::Batch(b) = &op.receiver else {
            return false;
        };
        let call = self.input.source.get(b.range.as_usize()).unwrap_or("");
        matches!(
            op.name.as_str(),
            "add_column" | "drop_column" | "alter_column" | "create_index" | "drop_index"
        ) && !call.contains("schema=")
    }

    /// The (missing, existing) facts of one change of literal SQL DDL
    /// (statement text `text`) of `op`, before it runs.
    pub(crate) fn ddl_object_facts(
        &self,
        op: &Op,
        c: &DdlChange,
        text: &str,
        state: &Schema,
    ) -> (Option<ObjectFact>, Option<ObjectFact>) {
        let up = text.to_ascii_uppercase();
        // may not run; checks for itself; another schema (names are
        // matched without their schema)
        if op.conditional
            || op.in_try
            || op.after_unknown_exit
            || find_word(&up, "EXISTS").is_some()
            || text.contains('.')
        {
            return (None, None);
        }
        let fact = ObjectFact::new;
        let table = match c {
            DdlChange::CreateTable { table, .. } => {
                let t = state
                    .table(table)
                    .filter(|t| state.certain(t) && t.name == *table);
                return (
                    None,
                    t.map(|t| fact(ObjectKind::Table, table, None, Some(t.origin))),
                );
            }
            DdlChange::CreateEnum { name, .. } => {
                let e = state.enum_certain(name);
                return (
                    None,
                    e.map(|e| fact(ObjectKind::Type, name, None, Some(e.origin))),
                );
            }
            DdlChange::DropIndex { name } => {
                if state.indexes.contains_key(&key(name)) {
                    return (None, None);
                }
                let m = state
                    .index_dropped(name)
                    .map(|(tk, o)| fact(ObjectKind::Index, name, Some(&tk), Some(o)));
                return (m, None);
            }
            DdlChange::DropTable {
                table,
                if_exists: false,
            }
            | DdlChange::AddColumn { table, .. }
            | DdlChange::DropColumn { table, .. }
            | DdlChange::CreateIndex { table, .. } => table,
            _ => return (None, None),
        };
        if let Some(o) = state.table_dropped(table) {
            return (Some(fact(ObjectKind::Table, table, None, Some(o))), None);
        }
        let t = state.table(table);
        let certain = t.filter(|t| state.certain(t));
        let present = t.filter(|t| t.uncertain.is_none() && t.stamp > state.unknown_stamp);
        match c {
            DdlChange::AddColumn { column, .. } => {
                let n = &column.name;
                let e = present
                    .and_then(|t| t.column(n))
                    .filter(|x| x.defined && x.name == *n)
                    .map(|x| fact(ObjectKind::Column, n, Some(table), Some(x.origin)));
                (None, e)
            }
            DdlChange::DropColumn { column, .. } => {
                let m = certain
                    .filter(|t| t.complete && t.column(column).is_none())
                    .map(|t| missing_in(t, ObjectKind::Column, column, table));
                (m, None)
            }
            DdlChange::CreateIndex { name: Some(n), .. } => {
                let e = present.filter(|t| !t.unsure_constraints).and_then(|_| {
                    let ix = state.indexes.get(&key(n))?;
                    (ix.table == key(table) && ix.name == *n)
                        .then(|| fact(ObjectKind::Index, n, Some(table), Some(ix.origin)))
                });
                (None, e)
            }
            _ => (None, None),
        }
    }

    /// In the `downgrade()` of a base revision, the database may have been
    /// stamped (a squashed or first revision over an existing database):
    /// objects no replayed op dropped may exist there.
    pub(crate) fn stamped_base(&self) -> bool {
        self.input.parents.as_ref().is_some_and(Vec::is_empty)
            && self.input.module.functions.get(self.func).map(|f| f.kind)
                == Some(miglint_python::FuncKind::Downgrade)
    }
}

fn missing_in(t: &Table, kind: ObjectKind, name: &str, table: &str) -> ObjectFact {
    ObjectFact {
        kind,
        name: name.to_string(),
        table: Some(table.to_string()),
        origin: None,
        table_origin: Some(t.origin),
    }
}

fn has_constraint(t: &Table, name: &str) -> bool {
    t.constraints
        .iter()
        .any(|c| c.name.as_deref().is_none_or(|x| same(x, name)))
}

/// Whether a name is wrapped in `op.f()`/`conv()`.
pub(crate) fn is_conv(e: &miglint_python::Expr) -> bool {
    e.as_call()
        .and_then(|c| c.func.dotted_last())
        .is_some_and(|d| matches!(d, "f" | "conv"))
}
