//! Applying one op (an `op.*`/`batch_op.*` call, or the statements of an
//! `execute`) to the state.

use miglint_python::{Call, Column as PyColumn, Expr, ExprKind, Op, SqlSource, last_segment};
use miglint_sql::{DdlChange, DdlColumn, StmtKind};

use crate::columns;
use crate::data;
use crate::names::{find_word, literal_name, same};
use crate::replay::{Rev, TableRef, table_facts};
use crate::state::{Column, Constraint, ConstraintKind, EnumType, Index, Origin, Schema, Table};

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

impl Rev<'_, '_> {
    /// The table `op` works on: a literal, or a module-level name bound to
    /// a string.
    pub(crate) fn table_name(&self, op: &Op) -> TableRef {
        if let Some(t) = op.table() {
            return TableRef::Known(t.value);
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
            Some(e) => match self.str_of(e) {
                Some(s) => TableRef::Known(s),
                None => TableRef::Dynamic,
            },
            None => TableRef::Dynamic,
        }
    }

    /// A literal name, or a module-level name bound to a string.
    fn str_of(&self, e: &Expr) -> Option<String> {
        if let Some(s) = literal_name(e) {
            return Some(s.to_string());
        }
        match &e.kind {
            ExprKind::Name(n) => self
                .input
                .module
                .binding(n)?
                .str_value()
                .map(str::to_string),
            _ => None,
        }
    }

    /// The column `op` works on (add/drop/alter_column).
    pub(crate) fn column_name(&self, op: &Op) -> Option<String> {
        match op.name.as_str() {
            "add_column" => {
                let e = op
                    .args
                    .iter()
                    .chain(op.kwarg("column").map(|k| &k.value))
                    .nth(if op.in_batch() { 0 } else { 1 })?;
                let e = data::resolve(self.input.module, e);
                PyColumn::from_expr(e)?.name().map(|n| n.value)
            }
            "drop_column" | "alter_column" => op
                .arg_or_kw(usize::from(!op.in_batch()), "column_name")
                .and_then(|e| self.str_of(e)),
            _ => None,
        }
    }

    pub(crate) fn apply(&mut self, i: usize, op: &Op, state: &mut Schema) {
        let o = self.origin(op.range);
        if matches!(op.name.as_str(), "execute" | "exec_driver_sql") {
            self.execute(i, op, state);
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
            "create_table" => self.create_table(i, op, &table, state, o),
            "drop_table" => {
                state.remove_table(&table);
            }
            "rename_table" => {
                let Some(new) = op
                    .arg_or_kw(1, "new_table_name")
                    .and_then(|e| self.str_of(e))
                else {
                    state.set_unknown(o);
                    return;
                };
                rename_table(state, &table, &new, o);
            }
            "add_column" => {
                let col = op
                    .args
                    .iter()
                    .chain(op.kwarg("column").map(|k| &k.value))
                    .nth(if op.in_batch() { 0 } else { 1 })
                    .map(|e| data::resolve(self.input.module, e))
                    .and_then(PyColumn::from_expr);
                let Some((col, (cons, ix))) = col.and_then(|c| {
                    let objects = self.column_objects(&table, &c, o);
                    self.column(&table, &c, o).map(|col| (col, objects))
                }) else {
                    self.make_uncertain(state, &table, o);
                    return;
                };
                let t = table_for_change(state, &table, o);
                t.add_column(col);
                t.constraints.extend(cons);
                if let Some(ix) = ix {
                    state.put_index(ix);
                }
            }
            "drop_column" => match self.column_name(op) {
                Some(c) => {
                    if let Some(t) = state.table_mut(&table) {
                        t.drop_column(&c);
                    }
                    columns::drop_column_objects(state, &table, &c);
                }
                None => self.make_uncertain(state, &table, o),
            },
            "alter_column" => self.alter_column(op, &table, state, o),
            "create_index" => {
                let name = op.arg_or_kw(0, "index_name").and_then(|e| self.str_of(e));
                let cols_at = if op.in_batch() { 1 } else { 2 };
                let columns = op
                    .arg_or_kw(cols_at, "columns")
                    .map(columns::index_columns)
                    .unwrap_or_default();
                if let Some(name) = name {
                    state.put_index(Index {
                        name,
                        table: crate::state::key(&table),
                        columns,
                        unique: op.kwarg("unique").and_then(|k| k.value.bool_value()) == Some(true),
                        origin: o,
                    });
                }
            }
            "drop_index" => {
                if let Some(n) = op.arg_or_kw(0, "index_name").and_then(|e| self.str_of(e)) {
                    state.remove_index(&n);
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
                let name = op
                    .arg_or_kw(0, "constraint_name")
                    .and_then(|e| self.str_of(e));
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
                let t = table_for_change(state, &table, o);
                if kind == ConstraintKind::PrimaryKey {
                    for c in &columns {
                        if let Some(col) = t.column_mut(c) {
                            col.primary_key = true;
                            col.nullable = Some(false);
                        }
                    }
                }
                t.constraints.push(Constraint {
                    name,
                    kind,
                    columns,
                    origin: o,
                });
            }
            "drop_constraint" => {
                let name = op
                    .arg_or_kw(0, "constraint_name")
                    .and_then(|e| self.str_of(e));
                // a constraint miglint cannot name leaves the columns and
                // their data unchanged
                if let (Some(t), Some(n)) = (state.table_mut(&table), name) {
                    t.constraints
                        .retain(|c| !c.name.as_deref().is_some_and(|x| same(x, &n)));
                }
            }
            _ => {}
        }
    }

    fn create_table(&mut self, i: usize, op: &Op, table: &str, state: &mut Schema, o: Origin) {
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
        for e in items {
            if let Some(c) = PyColumn::from_expr(e) {
                let (cons, ix) = self.column_objects(table, &c, o);
                t.constraints.extend(cons);
                indexes.extend(ix);
                if let Some(col) = self.column(table, &c, o) {
                    if let Some(en) = self.native_enum(&c) {
                        match state.enums.get(&crate::state::key(&en.name)) {
                            Some(prev) => existing.push((prev.name.clone(), prev.origin)),
                            None => state.put_enum(en),
                        }
                    }
                    t.add_column(col);
                } else {
                    t.uncertain = Some(o);
                }
                continue;
            }
            match e.as_call().map(|c| (c, c.func.dotted())) {
                Some((call, Some(name))) => {
                    let kind = match last_segment(&name) {
                        "PrimaryKeyConstraint" => ConstraintKind::PrimaryKey,
                        "UniqueConstraint" => ConstraintKind::Unique,
                        "ForeignKeyConstraint" => ConstraintKind::ForeignKey,
                        "CheckConstraint" => ConstraintKind::Check,
                        "Index" => {
                            indexes.extend(columns::table_index(table, call, o));
                            continue;
                        }
                        _ => {
                            t.uncertain = Some(o);
                            continue;
                        }
                    };
                    let columns = constraint_columns(call, kind);
                    if kind == ConstraintKind::PrimaryKey {
                        for c in &columns {
                            if let Some(col) = t.column_mut(c) {
                                col.primary_key = true;
                                col.nullable = Some(false);
                            }
                        }
                    }
                    t.constraints.push(Constraint {
                        name: columns::constraint_name(call, kind),
                        kind,
                        columns,
                        origin: o,
                    });
                }
                _ => t.uncertain = Some(o),
            }
        }
        if self.record
            && let Some(f) = self.facts.get_mut(i)
        {
            f.existing_enums = existing;
        }
        state.put_table(t);
        for ix in indexes {
            state.put_index(ix);
        }
    }

    fn alter_column(&mut self, op: &Op, table: &str, state: &mut Schema, o: Origin) {
        let Some(col) = self.column_name(op) else {
            self.make_uncertain(state, table, o);
            return;
        };
        let lit = |k: &str| op.kwarg(k).map(|k| k.value.bool_value());
        let t = table_for_change(state, table, o);
        if t.column(&col).is_none() {
            t.add_column(Column {
                name: col.clone(),
                type_name: None,
                enum_type: None,
                nullable: lit("existing_nullable").flatten(),
                primary_key: false,
                server_default: false,
                python_default: false,
                origin: o,
                nullable_since: None,
                backfilled: None,
                maybe_backfilled: None,
                changed: None,
            });
        }
        let c = t.column_mut(&col).expect("added above");
        match lit("nullable") {
            Some(Some(n)) => {
                if n && c.nullable != Some(true) {
                    c.nullable_since = Some(o);
                    c.backfilled = None;
                    c.maybe_backfilled = None;
                }
                c.nullable = Some(n);
                c.changed = Some(o);
            }
            Some(None) => c.nullable = None,
            None => {}
        }
        if let Some(k) = op.kwarg("server_default") {
            c.server_default = !k.value.is_none();
        }
        c.changed = Some(o);
        if let Some(k) = op.kwarg("type_") {
            c.type_name = self.type_name_of(&k.value);
        }
        if let Some(new) = op.kwarg("new_column_name") {
            match self.str_of(&new.value) {
                Some(n) => {
                    t.rename_column(&col, &n);
                    columns::rename_column_objects(state, table, &col, &n);
                }
                None => t.uncertain = Some(o),
            }
        }
    }

    fn execute(&mut self, i: usize, op: &Op, state: &mut Schema) {
        let o = self.origin(op.range);
        if let Some(sql) = self.sql_by_op.get(&i).copied() {
            let mut per_stmt = Vec::new();
            for stmt in sql.statements {
                let so = self.origin(sql.lit.source_range(stmt.range.clone()));
                let named = stmt
                    .ddl()
                    .and_then(|d| d.first())
                    .and_then(ddl_table)
                    .or_else(|| stmt.table().map(str::to_string));
                per_stmt.push(named.map(|t| table_facts(state, &t)));
                self.statement(stmt, sql.lit.value.as_str(), state, so);
            }
            if self.record {
                self.facts[i].statements = per_stmt;
            }
            return;
        }
        let arg = op
            .arg_or_kw(0, "sqltext")
            .or_else(|| op.kwarg("statement").map(|k| &k.value));
        let Some(arg) = arg else { return };
        match miglint_python::sql_source(arg) {
            SqlSource::Construct(e) => self.construct(e, state, o),
            SqlSource::Literal(_) => {}
            SqlSource::Dynamic(_) => {
                // unreadable SQL: a write miglint cannot see; DDL on tables
                // it cannot name
                self.opaque_at = Some(
                    self.opaque_at
                        .map_or(op.range.start(), |a| a.min(op.range.start())),
                );
                let text = self.input.source.get(arg.range.as_usize()).unwrap_or("");
                let up = text.to_ascii_uppercase();
                if ["CREATE", "DROP", "ALTER", "RENAME"]
                    .iter()
                    .any(|w| find_word(&up, w).is_some())
                {
                    state.set_unknown(o);
                }
            }
        }
    }

    /// A Core construct: `t.update().values(...)`, `t.delete()`.
    fn construct(&mut self, e: &Expr, state: &mut Schema, o: Origin) {
        let m = self.input.module;
        if let Some(u) = data::core_update(e) {
            let table = u.table.as_ref().and_then(|t| data::table_name(m, t));
            match (table, u.columns) {
                (Some(t), Some(cols)) => {
                    for c in cols {
                        mark_backfilled(state, &t, &c, o);
                    }
                }
                _ => {
                    let at = o.range.start();
                    self.opaque_at = Some(self.opaque_at.map_or(at, |a| a.min(at)));
                }
            }
            return;
        }
        if let Some(t) = data::core_delete_all(e) {
            match t.as_ref().and_then(|t| data::table_name(m, t)) {
                Some(t) => table_for_change(state, &t, o).emptied = Some(o),
                None => {
                    let at = o.range.start();
                    self.opaque_at = Some(self.opaque_at.map_or(at, |a| a.min(at)));
                }
            }
        }
    }

    fn statement(
        &mut self,
        stmt: &miglint_sql::SqlStatement,
        sql: &str,
        state: &mut Schema,
        o: Origin,
    ) {
        if let Some(changes) = stmt.ddl() {
            for c in changes {
                self.ddl(c, state, o);
            }
            return;
        }
        match &stmt.kind {
            StmtKind::Update { .. } => {
                let Some(u) = stmt.update_info() else { return };
                let cols = u.set_columns.iter().chain(&u.where_is_null_columns);
                match &u.table {
                    Some(t) => {
                        for c in cols {
                            mark_backfilled(state, t, c, o);
                        }
                    }
                    None => {
                        let at = o.range.start();
                        self.opaque_at = Some(self.opaque_at.map_or(at, |a| a.min(at)));
                    }
                }
            }
            StmtKind::Delete { table } | StmtKind::Truncate { table } => {
                if let Some(t) = &stmt.deletes_all_rows_of {
                    table_for_change(state, t, o).emptied = Some(o);
                    return;
                }
                // `DELETE FROM t WHERE col IS NULL` leaves no NULL behind
                if let Some(t) = table {
                    for n in data::null_tested(stmt.text(sql)) {
                        mark_backfilled(state, t, &n, o);
                    }
                }
            }
            StmtKind::CreateTable { table, .. }
            | StmtKind::AlterTable { table }
            | StmtKind::DropTable { table, .. } => match table {
                Some(t) => self.make_uncertain(state, t, o),
                None => state.set_unknown(o),
            },
            StmtKind::AlterTypeAddValue {
                type_name: Some(t),
                value: Some(v),
            } => {
                if let Some(e) = state.enum_mut(t)
                    && let Some(vals) = &mut e.values
                {
                    vals.push(v.clone());
                }
            }
            StmtKind::Drop { object, .. } if object == "TYPE" => {
                for n in dropped_type_names(stmt.text(sql)) {
                    state.remove_enum(&n);
                }
            }
            _ => {}
        }
    }

    fn ddl(&mut self, c: &DdlChange, state: &mut Schema, o: Origin) {
        match c {
            DdlChange::CreateTable { table, columns, .. } => {
                let mut t = Table::new(table, o);
                for col in columns {
                    t.add_column(sql_column(col, o));
                }
                state.put_table(t);
            }
            DdlChange::DropTable { table, .. } => {
                state.remove_table(table);
            }
            DdlChange::RenameTable { from, to } => rename_table(state, from, to, o),
            DdlChange::AddColumn { table, column } => {
                table_for_change(state, table, o).add_column(sql_column(column, o));
            }
            DdlChange::DropColumn { table, column } => {
                if let Some(t) = state.table_mut(table) {
                    t.drop_column(column);
                }
            }
            DdlChange::RenameColumn { table, from, to } => {
                let t = table_for_change(state, table, o);
                if !t.rename_column(from, to) {
                    t.uncertain = Some(o);
                }
            }
            DdlChange::SetNotNull {
                table,
                column,
                not_null,
            } => {
                let t = table_for_change(state, table, o);
                match t.column_mut(column) {
                    Some(c) => {
                        if !*not_null && c.nullable != Some(true) {
                            c.nullable_since = Some(o);
                            c.backfilled = None;
                            c.maybe_backfilled = None;
                        }
                        c.nullable = Some(!*not_null);
                        c.changed = Some(o);
                    }
                    None => t.uncertain = Some(o),
                }
            }
            DdlChange::SetDefault {
                table,
                column,
                has_default,
            } => {
                if let Some(c) = table_for_change(state, table, o).column_mut(column) {
                    c.server_default = *has_default;
                }
            }
            DdlChange::RedefineColumn {
                table,
                from,
                column,
            } => {
                let t = table_for_change(state, table, o);
                t.drop_column(from);
                t.add_column(sql_column(column, o));
            }
            DdlChange::AddConstraint { table, name } => {
                table_for_change(state, table, o)
                    .constraints
                    .push(Constraint {
                        name: name.clone(),
                        kind: ConstraintKind::Unknown,
                        columns: Vec::new(),
                        origin: o,
                    });
            }
            DdlChange::DropConstraint { table, name } => {
                if let Some(t) = state.table_mut(table) {
                    t.constraints
                        .retain(|c| !c.name.as_deref().is_some_and(|x| same(x, name)));
                }
            }
            DdlChange::CreateIndex {
                name,
                table,
                unique,
            } => {
                if let Some(name) = name {
                    state.put_index(Index {
                        name: name.clone(),
                        table: crate::state::key(table),
                        columns: Vec::new(),
                        unique: *unique,
                        origin: o,
                    });
                }
            }
            DdlChange::DropIndex { name } => {
                state.remove_index(name);
            }
            DdlChange::CreateEnum { name, labels } => state.put_enum(EnumType {
                name: name.clone(),
                values: Some(labels.clone()),
                origin: o,
            }),
            DdlChange::DropType { name } => {
                state.remove_enum(name);
            }
            DdlChange::CreateView { name } => {
                state
                    .views
                    .insert(crate::state::key(name), (name.clone(), o));
            }
            DdlChange::DropView { name } => {
                state.views.remove(&crate::state::key(name));
            }
            DdlChange::CreateSequence { name } => {
                state
                    .sequences
                    .insert(crate::state::key(name), (name.clone(), o));
            }
            DdlChange::DropSequence { name } => {
                state.sequences.remove(&crate::state::key(name));
            }
            DdlChange::OtherAlter { table } => self.make_uncertain(state, table, o),
        }
    }
}

/// Records a write of `table.column` (a placeholder column when no
/// replayed op created it).
fn mark_backfilled(state: &mut Schema, table: &str, column: &str, o: Origin) {
    let t = table_for_change(state, table, o);
    if t.column(column).is_none() {
        t.add_column(Column {
            name: column.to_string(),
            type_name: None,
            enum_type: None,
            nullable: None,
            primary_key: false,
            server_default: false,
            python_default: false,
            origin: o,
            nullable_since: None,
            backfilled: None,
            maybe_backfilled: None,
            changed: None,
        });
    }
    if let Some(c) = t.column_mut(column) {
        c.backfilled = Some(o);
        c.changed = Some(o);
    }
}

/// The table a DDL change names first.
fn ddl_table(c: &DdlChange) -> Option<String> {
    match c {
        DdlChange::CreateTable { table, .. }
        | DdlChange::DropTable { table, .. }
        | DdlChange::AddColumn { table, .. }
        | DdlChange::DropColumn { table, .. }
        | DdlChange::RenameColumn { table, .. }
        | DdlChange::SetNotNull { table, .. }
        | DdlChange::SetDefault { table, .. }
        | DdlChange::RedefineColumn { table, .. }
        | DdlChange::AddConstraint { table, .. }
        | DdlChange::DropConstraint { table, .. }
        | DdlChange::CreateIndex { table, .. }
        | DdlChange::OtherAlter { table } => Some(table.clone()),
        DdlChange::RenameTable { from, .. } => Some(from.clone()),
        _ => None,
    }
}

fn sql_column(c: &DdlColumn, o: Origin) -> Column {
    let nullable = !c.not_null && !c.primary_key;
    Column {
        name: c.name.clone(),
        type_name: Some(c.type_name.clone()),
        enum_type: None,
        nullable: Some(nullable),
        primary_key: c.primary_key,
        server_default: c.has_default,
        python_default: false,
        origin: o,
        nullable_since: nullable.then_some(o),
        backfilled: None,
        maybe_backfilled: None,
        changed: None,
    }
}

/// The table to change; a placeholder when no replayed op created it.
fn table_for_change<'s>(state: &'s mut Schema, table: &str, o: Origin) -> &'s mut Table {
    if state.table(table).is_none() {
        let mut t = Table::new(table, o);
        t.placeholder = true;
        state.put_table(t);
    }
    state.table_mut(table).expect("present")
}

fn rename_table(state: &mut Schema, from: &str, to: &str, o: Origin) {
    match state.remove_table(from) {
        Some(mut t) => {
            t.name = to.to_string();
            t.origin = o;
            t.placeholder = false;
            t.renamed = true;
            state.put_table(t);
        }
        None => {
            let mut t = Table::new(to, o);
            t.uncertain = Some(o);
            t.renamed = true;
            state.put_table(t);
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

/// The names of `DROP TYPE [IF EXISTS] a, b [CASCADE]`, lowercased
/// (unquoted) and without schema.
pub(crate) fn dropped_type_names(stmt: &str) -> Vec<String> {
    let upper = stmt.to_ascii_uppercase();
    let Some(at) = find_word(&upper, "TYPE") else {
        return Vec::new();
    };
    let mut rest = stmt[at + 4..].trim_start();
    if rest.to_ascii_uppercase().starts_with("IF EXISTS") {
        rest = rest[9..].trim_start();
    }
    rest.split(',')
        .filter_map(|part| {
            let word = part.split_whitespace().next()?;
            let last = word.rsplit('.').next()?;
            let name = last.trim_matches('"');
            (!name.is_empty()).then(|| name.to_ascii_lowercase())
        })
        .collect()
}
