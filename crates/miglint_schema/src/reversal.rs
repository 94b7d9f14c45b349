//! Whether a `downgrade()` reverts its `upgrade()` (ML403's question),
//! answered on the replayed state: the upgrade logs the tables, columns and
//! indexes it creates or drops (the model's per-revision delta, with the
//! names it resolved); what is still as the upgrade left it once the
//! paired `downgrade()` has run on the state after the upgrade is not
//! reverted. Uncertain facts keep it silent: a downgrade that makes the
//! schema unknown (dynamic names, unreadable DDL, helpers from other
//! modules) or that touches a table through something miglint cannot read.

use miglint_diagnostics::TextRange;
use miglint_python::{BodyShape, Column as PyColumn, FuncKind, Op};
use miglint_sql::DdlChange;

use crate::data;
use crate::facts::{NotReverted, ObjectKind};
use crate::names::existence_guarded;
use crate::rev::{Change, Rev, TableRef};
use crate::state::{Origin, Schema, key};

impl<'a> Rev<'_, 'a> {
    fn in_upgrade(&self) -> bool {
        self.record
            && self.input.module.functions.get(self.func).map(|f| f.kind) == Some(FuncKind::Upgrade)
    }

    fn here(&self, o: &Origin) -> bool {
        o.in_function(self.file, self.func)
    }

    /// Logs the change of `op` (an `op.*`/`batch_op.*` call), before it runs.
    pub(crate) fn log_op(&mut self, i: usize, op: &'a Op, state: &Schema) {
        if !self.in_upgrade() {
            return;
        }
        // (the guard is read from the source text: only for an op that
        // logs a change or a rename below)
        let logs = matches!(
            op.name.as_str(),
            "create_table"
                | "drop_table"
                | "add_column"
                | "drop_column"
                | "create_index"
                | "drop_index"
        ) || (op.name == "alter_column" && op.kwarg("new_column_name").is_some());
        if !logs || self.guarded(op) {
            return;
        }
        let o = self.origin(op.range);
        let table = match self.table_name(op) {
            TableRef::Known(t) => Some(t.to_string()),
            _ => None,
        };
        let named = |k: usize, kw: &str| {
            let e = op.arg_or_kw(k, kw)?;
            Some((self.str_of(e)?, e.range))
        };
        let (kind, created, name) = match op.name.as_str() {
            "create_table" | "drop_table" if !op.in_batch() => (
                ObjectKind::Table,
                op.name == "create_table",
                named(0, "table_name"),
            ),
            "add_column" => {
                let col = op
                    .args
                    .iter()
                    .chain(op.kwarg("column").map(|k| &k.value))
                    .nth(if op.in_batch() { 0 } else { 1 })
                    .map(|e| data::resolve(self.input.module, e))
                    .and_then(PyColumn::from_expr)
                    .and_then(|c| c.name())
                    .map(|n| (n.value, n.range));
                (ObjectKind::Column, true, col)
            }
            "drop_column" => (
                ObjectKind::Column,
                false,
                named(usize::from(!op.in_batch()), "column_name"),
            ),
            "create_index" | "drop_index" => (
                ObjectKind::Index,
                op.name == "create_index",
                named(0, "index_name"),
            ),
            _ => (ObjectKind::Table, false, None),
        };
        // a rename: a column dropped later in this upgrade under its new
        // name is no net drop (the next upgrade renames it again)
        if op.name == "alter_column"
            && let (Some(t), Some(new)) = (&table, op.kwarg("new_column_name"))
            && let Some(n) = self.str_of(&new.value)
        {
            self.renamed.push((self.func, key(t), key(&n)));
        }
        let Some((name, range)) = name else { return };
        if kind != ObjectKind::Table && kind != ObjectKind::Index && table.is_none() {
            return;
        }
        let table = if kind == ObjectKind::Table {
            None
        } else {
            table
        };
        self.log(i, kind, created, table, name, range, o, state);
    }

    /// Logs a change of literal SQL DDL (a statement of op `i`), before it runs.
    pub(crate) fn log_sql(&mut self, i: usize, c: &DdlChange, state: &Schema, o: Origin) {
        if !self.in_upgrade() || self.guarded(&self.input.module.ops[i]) {
            return;
        }
        let (kind, created, table, name) = match c {
            DdlChange::CreateTable { table, .. } => (ObjectKind::Table, true, None, table),
            DdlChange::DropTable { table, .. } => (ObjectKind::Table, false, None, table),
            DdlChange::AddColumn { table, column } => {
                (ObjectKind::Column, true, Some(table.clone()), &column.name)
            }
            DdlChange::DropColumn { table, column } => {
                (ObjectKind::Column, false, Some(table.clone()), column)
            }
            DdlChange::CreateIndex {
                name: Some(n),
                table,
                ..
            } => (ObjectKind::Index, true, Some(table.clone()), n),
            DdlChange::DropIndex { name } => (ObjectKind::Index, false, None, name),
            DdlChange::RenameColumn { table, to, .. } => {
                self.renamed.push((self.func, key(table), key(to)));
                return;
            }
            _ => return,
        };
        self.log(i, kind, created, table, name.clone(), o.range, o, state);
    }

    fn guarded(&self, op: &Op) -> bool {
        let func = &self.input.module.functions[op.func];
        existence_guarded(self.input.source, func, op)
    }

    #[allow(clippy::too_many_arguments)]
    fn log(
        &mut self,
        op: usize,
        kind: ObjectKind,
        created: bool,
        table: Option<String>,
        name: String,
        range: TextRange,
        origin: Origin,
        state: &Schema,
    ) {
        // alembic's batch mode leftovers
        if name.starts_with("_alembic_tmp_") {
            return;
        }
        // dropping what this upgrade made (a temporary table, a renamed
        // column): no net change
        if !created
            && kind == ObjectKind::Column
            && let Some(t) = &table
            && self
                .renamed
                .iter()
                .any(|(f, rt, rc)| *f == self.func && *rt == key(t) && *rc == key(&name))
        {
            return;
        }
        if !created {
            let made_here = match kind {
                ObjectKind::Table => state.table(&name).map(|t| t.origin),
                ObjectKind::Column => table
                    .as_deref()
                    .and_then(|t| state.table(t))
                    .and_then(|t| t.column(&name))
                    .map(|c| c.origin),
                _ => state.indexes.get(&key(&name)).map(|ix| ix.origin),
            };
            if made_here.is_some_and(|o| self.here(&o)) {
                return;
            }
        }
        self.changes.push(Change {
            op,
            func: self.func,
            kind,
            created,
            table,
            name,
            range,
            origin,
        });
    }

    /// At the end of upgrade `f`: keeps the net changes (what the upgrade
    /// left as it made it, on tables it did not create itself).
    pub(crate) fn settle_upgrade(&mut self, f: usize, state: &Schema) {
        if !self.record {
            return;
        }
        let file = self.file;
        let created_here = |t: Option<&str>| {
            t.and_then(|t| state.table(t))
                .is_some_and(|t| !t.placeholder && t.origin.in_function(file, f))
        };
        self.changes.retain(|c| {
            if c.func != f {
                return true;
            }
            let t = c.table.as_deref();
            match (c.kind, c.created) {
                (ObjectKind::Table, true) => {
                    state.table(&c.name).is_some_and(|t| t.origin == c.origin)
                }
                (ObjectKind::Table, false) => state.table(&c.name).is_none(),
                (ObjectKind::Column, true) => {
                    !created_here(t)
                        && t.and_then(|t| state.table(t))
                            .and_then(|t| t.column(&c.name))
                            .is_some_and(|col| col.origin == c.origin)
                }
                (ObjectKind::Column, false) => {
                    !created_here(t)
                        && t.and_then(|t| state.table(t))
                            .is_none_or(|t| t.column(&c.name).is_none())
                }
                (_, true) => {
                    !created_here(t)
                        && state
                            .indexes
                            .get(&key(&c.name))
                            .is_some_and(|ix| ix.origin == c.origin)
                }
                (_, false) => !created_here(t) && !state.indexes.contains_key(&key(&c.name)),
            }
        });
    }

    /// At the end of downgrade `g` (before its rollback): records, on the
    /// upgrade's ops, what it left as the paired upgrade made it.
    /// `stamp`: the schema's unknown stamp before the downgrade ran.
    pub(crate) fn check_reversal(&mut self, g: usize, has_ops: bool, state: &Schema, stamp: u64) {
        let m = self.input.module;
        let down = &m.functions[g];
        // empty / NotImplementedError: ML402's; no op: code miglint does not model
        if !self.record || down.shape != BodyShape::Code || !has_ops {
            return;
        }
        // the downgrade did something miglint cannot read
        if state.unknown_stamp != stamp || self.dynamic_sql {
            return;
        }
        let engine = down.name.strip_prefix("downgrade");
        let Some(up) = m
            .functions
            .iter()
            .position(|f| f.kind == FuncKind::Upgrade && f.name.strip_prefix("upgrade") == engine)
        else {
            return;
        };
        let file = self.file;
        let by_down = |o: Option<Origin>| o.is_some_and(|o| o.in_function(file, g));
        let touched = state.undo_tables();
        let mut found = Vec::new();
        for c in self.changes.iter().filter(|c| c.func == up) {
            let table = c.table.as_deref().and_then(|t| state.table(t));
            // the downgrade changed the table through something unreadable
            if table.is_some_and(|t| by_down(t.uncertain)) {
                continue;
            }
            let recreated = table.is_some_and(|t| !t.placeholder && by_down(Some(t.origin)));
            let left = match (c.kind, c.created) {
                (ObjectKind::Table, true) => state
                    .table(&c.name)
                    .is_some_and(|t| t.origin == c.origin && !by_down(t.uncertain)),
                (ObjectKind::Table, false) => state.table(&c.name).is_none(),
                (ObjectKind::Column, true) => {
                    !recreated
                        && table
                            .and_then(|t| t.column(&c.name))
                            .is_some_and(|col| col.origin == c.origin)
                }
                (ObjectKind::Column, false) => match table {
                    Some(t) => !recreated && t.column(&c.name).is_none(),
                    // gone with its table, which the downgrade dropped
                    None => !c.table.as_deref().is_some_and(|t| {
                        state
                            .dropped_tables
                            .get(&key(t))
                            .is_some_and(|d| by_down(Some(d.0)))
                    }),
                },
                (_, true) => state.indexes.get(&key(&c.name)).is_some_and(|ix| {
                    ix.origin == c.origin
                        // its columns are not known: a dropped column may have taken it
                        && !(ix.columns.is_empty() && touched.contains(&ix.table))
                        && !state.table(&ix.table).is_some_and(|t| by_down(t.uncertain))
                }),
                (_, false) => {
                    let k = key(&c.name);
                    let table_key = c
                        .table
                        .as_deref()
                        .map(key)
                        .or_else(|| state.dropped_indexes.get(&k).map(|d| d.0.clone()));
                    // a table the downgrade (re)created or changed may have
                    // unnamed indexes again
                    let anon = |tk: &String| {
                        touched.contains(tk)
                            && state.tables.get(tk).is_some_and(|t| {
                                t.anon_index
                                    || by_down(t.uncertain)
                                    || (!t.placeholder && by_down(Some(t.origin)))
                            })
                    };
                    !state.indexes.contains_key(&k)
                        && match &table_key {
                            Some(tk) => !anon(tk),
                            None => !touched.iter().any(anon),
                        }
                }
            };
            if left {
                found.push((
                    c.op,
                    NotReverted {
                        kind: c.kind,
                        created: c.created,
                        table: c.table.clone(),
                        name: c.name.clone(),
                        range: c.range,
                        downgrade: g,
                    },
                ));
            }
        }
        for (op, n) in found {
            if let Some(f) = self.fact_mut(op) {
                f.not_reverted.push(n);
            }
        }
    }
}
