//! Applying the literal SQL of an `execute` op (and the Core constructs it
//! may carry) to the state.

use miglint_python::{Expr, Op, SqlSource};
use miglint_sql::{DdlChange, DdlColumn, StmtKind};

use crate::data;
use crate::facts::{SqlObject, column_facts, table_facts};
use crate::names::{find_word, same};
use crate::rev::Rev;
use crate::state::{Column, Constraint, ConstraintKind, EnumType, Index, Origin, Schema, Table};

impl<'a> Rev<'_, 'a> {
    pub(crate) fn execute(&mut self, i: usize, op: &'a Op, state: &mut Schema) {
        let o = self.origin(op.range);
        if let Some(sql) = self.sql_of(i) {
            let mut per_stmt = Vec::with_capacity(sql.statements.len());
            let mut per_col = Vec::with_capacity(sql.statements.len());
            for stmt in sql.statements {
                let so = self.origin(sql.lit.source_range(stmt.range.clone()));
                let text = stmt.text(sql.lit.value.as_str());
                // `DROP ... CASCADE` drops dependent columns and constraints
                // of other tables (an uppercase copy only for a DROP)
                let cascade = text
                    .trim_start()
                    .get(..4)
                    .is_some_and(|w| w.eq_ignore_ascii_case("DROP"))
                    && find_word(&text.to_ascii_uppercase(), "CASCADE").is_some();
                let named = stmt
                    .ddl()
                    .and_then(|d| d.first())
                    .and_then(ddl_table)
                    .or_else(|| stmt.table());
                per_stmt.push(named.map(|t| table_facts(state, t)));
                // the column a `SET NOT NULL` names
                per_col.push(stmt.ddl().and_then(|d| {
                    d.iter().find_map(|c| match c {
                        DdlChange::SetNotNull {
                            table,
                            column,
                            not_null: true,
                        } => Some(column_facts(state, table, column)),
                        _ => None,
                    })
                }));
                self.statement(stmt, sql.lit.value.as_str(), state, so);
                if cascade {
                    state.forget_existence();
                }
            }
            if self.record {
                let f = &mut self.facts[self.base + i];
                f.statements = per_stmt.into();
                f.statement_columns = per_col.into();
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
                self.dynamic_sql = true;
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
                        state.mark_backfilled(&t, &c, o);
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
                Some(t) => state.table_for_change(&t, o).emptied = Some(o),
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
                self.ddl(c, state, o, stmt.text(sql));
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
                            state.mark_backfilled(t, c, o);
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
                    state.table_for_change(t, o).emptied = Some(o);
                    return;
                }
                // `DELETE FROM t WHERE col IS NULL` leaves no NULL behind
                if let Some(t) = table {
                    for n in data::null_tested(stmt.text(sql)) {
                        state.mark_backfilled(t, &n, o);
                    }
                }
            }
            StmtKind::Insert { table: Some(t) }
            | StmtKind::InsertOrReplace { table: Some(t) }
            | StmtKind::InsertOrIgnore { table: Some(t) }
            | StmtKind::InsertIgnore { table: Some(t) }
            | StmtKind::Replace { table: Some(t) } => {
                // lowercased: the model keys names by their lowercase
                let listed = miglint_sql::insert_columns(stmt.text(sql))
                    .map(|v| v.iter().map(|c| c.to_ascii_lowercase()).collect::<Vec<_>>());
                state.nulls_written(t, listed.as_deref(), o);
            }
            StmtKind::CreateTable { table, .. }
            | StmtKind::AlterTable { table }
            | StmtKind::DropTable { table, .. } => match table {
                Some(t) => state.make_uncertain(t, o),
                None => state.set_unknown(o),
            },
            StmtKind::AlterTypeAddValue {
                type_name: Some(t),
                value: Some(v),
                ..
            } => {
                if let Some(e) = state.enum_mut(t)
                    && let Some(vals) = &mut e.values
                {
                    vals.push_back(v.clone());
                }
            }
            StmtKind::Drop { object, .. } if object == "TYPE" => {
                for n in dropped_type_names(stmt.text(sql)) {
                    state.remove_enum(&n);
                }
            }
            // DDL the model does not read: no existence fact is certain
            StmtKind::CreateIndex { table: Some(t), .. } => state.forget_table(t),
            StmtKind::CreateIndex { .. } | StmtKind::DropIndex { .. } => state.forget_existence(),
            StmtKind::Drop { object, .. }
                if !matches!(
                    object.as_str(),
                    "VIEW"
                        | "SEQUENCE"
                        | "MATERIALIZED VIEW"
                        | "FUNCTION"
                        | "TRIGGER"
                        | "PROCEDURE"
                ) =>
            {
                state.forget_existence()
            }
            StmtKind::Other(word)
                if ["ALTER", "CREATE", "DROP", "RENAME"]
                    .iter()
                    .any(|w| word.starts_with(w)) =>
            {
                state.forget_existence()
            }
            StmtKind::Do => {
                let up = stmt.text(sql).to_ascii_uppercase();
                if ["CREATE", "DROP", "ALTER", "RENAME"]
                    .iter()
                    .any(|w| find_word(&up, w).is_some())
                {
                    state.forget_existence();
                }
            }
            _ => {}
        }
    }

    fn ddl(&mut self, c: &DdlChange, state: &mut Schema, o: Origin, text: &str) {
        self.log_sql(self.cur_op, c, state, o);
        if self.record {
            let op = &self.input.module.ops[self.cur_op];
            let (mut missing, existing) = self.ddl_object_facts(op, c, text, state);
            if missing.as_ref().is_some_and(|m| m.origin.is_none()) && self.stamped_base() {
                missing = None;
            }
            if missing.is_some() || existing.is_some() {
                self.facts[self.base + self.cur_op]
                    .sql_objects
                    .push(SqlObject {
                        range: o.range,
                        missing,
                        existing,
                    });
            }
        }
        match c {
            DdlChange::CreateTable {
                table,
                columns,
                if_not_exists,
            } => {
                let mut t = Table::new(table, o);
                for col in columns {
                    t.add_column(sql_column(col, o));
                }
                // inline constraints and indexes are not read
                t.anon_index = true;
                t.anon = [true; 4];
                t.fks_unknown = true;
                t.complete = !*if_not_exists;
                if *if_not_exists {
                    t.stamp = 0;
                }
                state.put_table(t);
            }
            DdlChange::DropTable { table, .. } => {
                state.drop_table(table, o);
            }
            DdlChange::RenameTable { from, to } => state.rename_table(from, to, o),
            DdlChange::AddColumn { table, column } => {
                let t = state.table_for_change(table, o);
                t.add_column(sql_column(column, o));
                t.anon_index = true;
                t.anon = [true; 4];
                t.fks_unknown = true;
            }
            DdlChange::DropColumn { table, column } => {
                if let Some(t) = state.table_mut(table) {
                    t.remove_column(column);
                    t.column_dropped();
                    // the constraints on it are not removed here
                    t.fks_unknown = true;
                }
            }
            DdlChange::RenameColumn { table, from, to } => {
                let t = state.table_for_change(table, o);
                if !t.rename_column(from, to) {
                    t.uncertain = Some(o);
                }
                t.fks_unknown = true;
            }
            DdlChange::SetNotNull {
                table,
                column,
                not_null,
            } => {
                let t = state.table_for_change(table, o);
                match t.column_mut(column) {
                    Some(c) => {
                        if !*not_null && c.nullable != Some(true) {
                            c.backfilled = None;
                            c.maybe_backfilled = None;
                            c.null_written = None;
                        }
                        if !*not_null {
                            c.nullable_since = Some(o);
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
                if let Some(c) = state.table_for_change(table, o).column_mut(column) {
                    c.server_default = *has_default;
                    c.server_default_value = None;
                }
            }
            DdlChange::RedefineColumn {
                table,
                from,
                column,
            } => {
                let t = state.table_for_change(table, o);
                t.remove_column(from);
                t.add_column(sql_column(column, o));
                t.anon_index = true;
                t.anon = [true; 4];
                t.fks_unknown = true;
            }
            DdlChange::AddConstraint { table, name } => {
                let t = state.table_for_change(table, o);
                // its kind is not read; naming conventions do not apply
                t.anon = [true; 4];
                t.anon_index = true;
                t.constraints.push(Constraint {
                    name: name.clone(),
                    conv: true,
                    kind: ConstraintKind::Unknown,
                    columns: Vec::new(),
                    origin: o,
                    references: None,
                });
            }
            DdlChange::DropConstraint { table, name } => {
                if let Some(t) = state.table_mut(table) {
                    let before = t.constraints.len();
                    t.constraints
                        .retain(|c| !c.name.as_deref().is_some_and(|x| same(x, name)));
                    if t.constraints.len() == before {
                        t.unsure_constraints = true;
                        t.fks_unknown = true;
                    }
                }
            }
            DdlChange::CreateIndex {
                name,
                table,
                unique,
            } => match name {
                Some(name) => state.put_index(Index {
                    name: name.clone(),
                    table: crate::state::key(table),
                    columns: Vec::new(),
                    unique: *unique,
                    origin: o,
                }),
                None => state.table_for_change(table, o).anon_index = true,
            },
            DdlChange::DropIndex { name } => {
                state.drop_index(name, None, o);
            }
            DdlChange::CreateEnum { name, labels } => self.put_enum(
                state,
                EnumType {
                    name: name.clone(),
                    values: Some(labels.iter().cloned().collect()),
                    origin: o,
                    stamp: 0,
                },
            ),
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
            DdlChange::OtherAlter { table } => state.make_uncertain(table, o),
        }
    }
}

/// The table a DDL change names first.
fn ddl_table(c: &DdlChange) -> Option<&str> {
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
        | DdlChange::OtherAlter { table } => Some(table),
        DdlChange::RenameTable { from, .. } => Some(from),
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
        server_default_value: None,
        python_default: false,
        origin: o,
        nullable_since: nullable.then_some(o),
        backfilled: None,
        maybe_backfilled: None,
        changed: None,
        null_written: None,
        defined: true,
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
