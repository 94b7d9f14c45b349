//! Applying one op (an `op.*`/`batch_op.*` call, or the statements of an
//! `execute`) to the state.

use miglint_python::{Call, Column as PyColumn, Expr, ExprKind, Op, last_segment};

use crate::columns;
use crate::data;
use crate::names::same;
use crate::objects::is_conv;
use crate::rev::{Rev, TableRef};
use crate::state::{
    Column, Constraint, ConstraintKind, ForeignKeyRef, Index, Origin, Schema, Table,
};

impl<'a> Rev<'_, 'a> {
    pub(crate) fn apply(&mut self, i: usize, op: &'a Op, state: &mut Schema) {
        let o = self.origin(op.range);
        if matches!(op.name.as_str(), "execute" | "exec_driver_sql") {
            self.execute(i, op, state);
            return;
        }
        if op.name == "bulk_insert" {
            // the rows may leave any column out
            if let Some(t) = op
                .arg_or_kw(0, "table")
                .and_then(|e| data::table_name(self.input.module, e))
            {
                state.nulls_written(&t, None, o);
            }
            return;
        }
        let table = match self.table_name(op) {
            TableRef::Known(t) => t,
            TableRef::Dynamic => {
                state.set_unknown(o);
                return;
            }
            TableRef::None => {
                if op.name == "drop_index"
                    && let Some(n) = op.arg_or_kw(0, "index_name").and_then(|e| self.str_of(e))
                {
                    state.remove_index(&n);
                }
                return;
            }
        };
        match op.name.as_str() {
            "create_table" => self.create_table(i, op, table, state, o),
            "drop_table" => {
                state.drop_table(table, o);
            }
            "rename_table" => {
                let Some(new) = op
                    .arg_or_kw(1, "new_table_name")
                    .and_then(|e| self.str_of(e))
                else {
                    state.set_unknown(o);
                    return;
                };
                state.rename_table(table, &new, o);
            }
            "add_column" => {
                let col = op
                    .args
                    .iter()
                    .chain(op.kwarg("column").map(|k| &k.value))
                    .nth(if op.in_batch() { 0 } else { 1 })
                    .map(|e| data::resolve(self.input.module, e))
                    .and_then(PyColumn::from_expr);
                let Some((c, col, (cons, ix))) = col.and_then(|c| {
                    let objects = self.column_objects(table, &c, o);
                    self.column(table, &c, o).map(|col| (c, col, objects))
                }) else {
                    state.make_uncertain(table, o);
                    return;
                };
                let mysql = self.dialects.contains(miglint_diagnostics::Dialect::Mysql);
                let t = state.table_for_change(table, o);
                column_anon(t, &c, mysql);
                t.add_column(col);
                // SQLite cannot ALTER a constraint in: outside a batch,
                // alembic skips the column's foreign key (or refuses)
                if !op.in_batch()
                    && self.dialects.contains(miglint_diagnostics::Dialect::Sqlite)
                    && cons.iter().any(|c| c.kind == ConstraintKind::ForeignKey)
                {
                    t.fks_unknown = true;
                }
                t.constraints.extend(cons);
                if let Some(ix) = ix {
                    state.put_index(ix);
                }
            }
            "drop_column" => match self.column_name(op) {
                Some(c) => {
                    if let Some(t) = state.table_mut(table) {
                        t.remove_column(c);
                        t.column_dropped();
                    }
                    state.drop_column_objects(table, c);
                }
                None => state.make_uncertain(table, o),
            },
            "alter_column" => self.alter_column(op, table, state, o),
            "create_index" => {
                let name = op.arg_or_kw(0, "index_name").and_then(|e| self.str_of(e));
                let cols_at = if op.in_batch() { 1 } else { 2 };
                let columns = op
                    .arg_or_kw(cols_at, "columns")
                    .map(columns::index_columns)
                    .unwrap_or_default();
                match name {
                    Some(name) => state.put_index(Index {
                        name,
                        table: crate::state::key(table),
                        columns,
                        unique: op.kwarg("unique").and_then(|k| k.value.bool_value()) == Some(true),
                        origin: o,
                    }),
                    None => state.table_for_change(table, o).anon_index = true,
                }
            }
            "drop_index" => {
                if let Some(n) = op.arg_or_kw(0, "index_name").and_then(|e| self.str_of(e)) {
                    state.drop_index(&n, Some(table), o);
                }
            }
            "create_unique_constraint"
            | "create_foreign_key"
            | "create_check_constraint"
            | "create_primary_key" => {
                let kind = match op.name.as_str() {
                    "create_unique_constraint" => ConstraintKind::Unique,
                    "create_foreign_key" => ConstraintKind::ForeignKey,
                    "create_check_constraint" => ConstraintKind::Check,
                    _ => ConstraintKind::PrimaryKey,
                };
                let name_expr = op.arg_or_kw(0, "constraint_name");
                let name = name_expr.and_then(|e| self.str_of(e));
                let conv = name_expr.is_some_and(is_conv);
                // (a foreign key names its referent table first)
                let cols_at = usize::from(!op.in_batch())
                    + if kind == ConstraintKind::ForeignKey {
                        2
                    } else {
                        1
                    };
                let columns = match kind {
                    ConstraintKind::Check => Vec::new(),
                    _ => op
                        .arg_or_kw(
                            cols_at,
                            if kind == ConstraintKind::ForeignKey {
                                "local_cols"
                            } else {
                                "columns"
                            },
                        )
                        .map(string_list)
                        .unwrap_or_default(),
                };
                let t = state.table_for_change(table, o);
                if kind == ConstraintKind::PrimaryKey {
                    for c in &columns {
                        if let Some(col) = t.column_mut(c) {
                            col.primary_key = true;
                            col.nullable = Some(false);
                        }
                    }
                }
                if name.is_none() {
                    t.anonymous(kind);
                }
                if kind == ConstraintKind::ForeignKey
                    && self.dialects.contains(miglint_diagnostics::Dialect::Mysql)
                {
                    t.anon_index = true;
                }
                let references = if kind == ConstraintKind::ForeignKey {
                    let referent = op
                        .arg_or_kw(cols_at - 1, "referent_table")
                        .and_then(|e| self.str_of(e));
                    let remote = op
                        .arg_or_kw(cols_at + 1, "remote_cols")
                        .map(string_list)
                        .unwrap_or_default();
                    match (referent, columns::fk_options(&op.kwargs)) {
                        (Some(table), Some((onupdate, ondelete, deferral)))
                            if !remote.is_empty() && remote.len() == columns.len() =>
                        {
                            Some(ForeignKeyRef {
                                table,
                                columns: remote,
                                onupdate,
                                ondelete,
                                deferral,
                            })
                        }
                        _ => None,
                    }
                } else {
                    None
                };
                t.constraints.push(Constraint {
                    name,
                    conv,
                    kind,
                    columns,
                    origin: o,
                    references,
                });
            }
            "drop_constraint" => {
                let name = op
                    .arg_or_kw(0, "constraint_name")
                    .and_then(|e| self.str_of(e));
                // a constraint miglint cannot name leaves the columns and
                // their data unchanged
                if let Some(t) = state.table_mut(table) {
                    let before = t.constraints.len();
                    if let Some(n) = name {
                        t.constraints
                            .retain(|c| !c.name.as_deref().is_some_and(|x| same(x, &n)));
                    }
                    if t.constraints.len() == before {
                        t.unsure_constraints = true;
                        // `type_="unique"` / `"check"` / `"primary"`
                        // leaves the foreign keys alone
                        let kind = op.kwarg("type_").and_then(|k| k.value.str_value());
                        if kind.is_none_or(|k| k == "foreignkey") {
                            t.fks_unknown = true;
                        }
                    }
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, i: usize, op: &'a Op, table: &str, state: &mut Schema, o: Origin) {
        let mut t = Table::new(table, o);
        let m = self.input.module;
        let text = self.input.source.get(op.range.as_usize()).unwrap_or("");
        // `*columns`: the list is not in the model
        if text.contains('*') {
            t.uncertain = Some(o);
        }
        let mut items: Vec<&Expr> = Vec::new();
        for a in op.args.iter().skip(1) {
            let a = data::resolve(m, a);
            match &a.kind {
                ExprKind::List(v) | ExprKind::Tuple(v) => {
                    items.extend(v.iter().map(|x| data::resolve(m, x)))
                }
                _ => items.push(a),
            }
        }
        let mut existing = Vec::new();
        let mut indexes = Vec::new();
        let mysql = self.dialects.contains(miglint_diagnostics::Dialect::Mysql);
        for e in items {
            if let Some(c) = PyColumn::from_expr(e) {
                column_anon(&mut t, &c, mysql);
                let (cons, ix) = self.column_objects(table, &c, o);
                t.constraints.extend(cons);
                indexes.extend(ix);
                if let Some(col) = self.column(table, &c, o) {
                    if let Some(en) = self.native_enum(&c) {
                        match state.enums.get(&crate::state::key(&en.name)) {
                            Some(prev) => existing.push((prev.name.clone(), prev.origin)),
                            None => self.put_enum(state, en),
                        }
                    }
                    t.add_column(col);
                } else {
                    t.uncertain = Some(o);
                }
                continue;
            }
            match e.as_call().map(|c| (c, c.func.dotted_last())) {
                Some((call, Some(name))) => {
                    let kind = match name {
                        "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey,
                        "UniqueConstraint" => ConstraintKind::Unique,
                        "ForeignKeyConstraint" => ConstraintKind::ForeignKey,
                        "CheckConstraint" => ConstraintKind::Check,
                        "Index" => {
                            match columns::table_index(table, call, o) {
                                Some(ix) => indexes.push(ix),
                                None => t.anon_index = true,
                            }
                            continue;
                        }
                        _ => {
                            t.uncertain = Some(o);
                            continue;
                        }
                    };
                    let columns = constraint_columns(call, kind);
                    let name_expr = call.kwarg("name").map(|k| &k.value).or_else(|| match kind {
                        ConstraintKind::Check => call.args.get(1),
                        _ => None,
                    });
                    let name = columns::constraint_name(call, kind);
                    if name.is_none() {
                        t.anonymous(kind);
                    }
                    if mysql && kind == ConstraintKind::ForeignKey {
                        t.anon_index = true;
                    }
                    if kind == ConstraintKind::PrimaryKey {
                        for c in &columns {
                            if let Some(col) = t.column_mut(c) {
                                col.primary_key = true;
                                col.nullable = Some(false);
                            }
                        }
                    }
                    let references = if kind == ConstraintKind::ForeignKey {
                        columns::constraint_fk(call, columns.len())
                    } else {
                        None
                    };
                    t.constraints.push(Constraint {
                        name,
                        conv: name_expr.is_some_and(is_conv),
                        kind,
                        columns,
                        origin: o,
                        references,
                    });
                }
                _ => t.uncertain = Some(o),
            }
        }
        if self.record
            && let Some(f) = self.fact_mut(i)
        {
            f.existing_enums = existing.into();
        }
        t.complete = t.uncertain.is_none();
        state.put_table(t);
        for ix in indexes {
            state.put_index(ix);
        }
    }

    fn alter_column(&mut self, op: &'a Op, table: &str, state: &mut Schema, o: Origin) {
        let Some(col) = self.column_name(op) else {
            state.make_uncertain(table, o);
            return;
        };
        let lit = |k: &str| op.kwarg(k).map(|k| k.value.bool_value());
        let t = state.table_for_change(table, o);
        if t.column(col).is_none() {
            t.add_column(Column {
                nullable: lit("existing_nullable").flatten(),
                ..Column::named(col, o)
            });
        }
        let c = t.column_mut(col).expect("added above");
        match lit("nullable") {
            Some(Some(n)) => {
                if n && c.nullable != Some(true) {
                    c.backfilled = None;
                    c.maybe_backfilled = None;
                    c.null_written = None;
                }
                // an explicit relax, even of a column the history already
                // calls nullable, says the application may now store NULL
                if n {
                    c.nullable_since = Some(o);
                }
                c.nullable = Some(n);
                c.changed = Some(o);
            }
            Some(None) => c.nullable = None,
            None => {}
        }
        if let Some(k) = op.kwarg("server_default") {
            c.server_default = !k.value.is_none();
            c.server_default_value = columns::default_value(&k.value);
        }
        c.changed = Some(o);
        if let Some(k) = op.kwarg("type_") {
            c.type_name = self.type_name_of(&k.value);
        }
        if let Some(new) = op.kwarg("new_column_name") {
            match self.str_of(&new.value) {
                Some(n) => {
                    t.rename_column(col, &n);
                    state.rename_column_objects(table, col, &n);
                }
                None => t.uncertain = Some(o),
            }
        }
    }
}

fn string_list(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => items
            .iter()
            .filter_map(|i| i.str_value().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

fn constraint_columns(call: &Call, kind: ConstraintKind) -> Vec<String> {
    match kind {
        ConstraintKind::ForeignKey => call.args.first().map(string_list).unwrap_or_default(),
        ConstraintKind::Check => Vec::new(),
        _ => call
            .args
            .iter()
            .filter_map(|a| a.str_value().map(str::to_string))
            .collect(),
    }
}

/// The objects a column definition creates that miglint cannot name
/// (`index=True`, `unique=True`, `primary_key=True`, a `ForeignKey`, the
/// CHECK constraint of a `Boolean`/`Enum` type).
fn column_anon(t: &mut Table, c: &PyColumn<'_>, mysql: bool) {
    let on = |k: &str| {
        c.kwarg(k)
            .is_some_and(|kw| kw.value.bool_value() != Some(false))
    };
    if on("index") {
        t.anon_index = true;
    }
    if on("unique") {
        t.anon_index = true;
        t.anonymous(ConstraintKind::Unique);
    }
    if c.primary_key() {
        t.anonymous(ConstraintKind::PrimaryKey);
        if mysql {
            t.anon_index = true;
        }
    }
    let fk = c
        .call
        .args
        .iter()
        .any(|a| a.call_last().is_some_and(|n| n == "ForeignKey"));
    if fk {
        t.anonymous(ConstraintKind::ForeignKey);
        if mysql {
            t.anon_index = true;
        }
    }
    let ty = c.type_name().unwrap_or_default();
    if c.type_expr().is_none()
        || matches!(last_segment(&ty), "Boolean" | "Enum" | "ENUM" | "BOOLEAN")
    {
        t.anonymous(ConstraintKind::Check);
    }
}
