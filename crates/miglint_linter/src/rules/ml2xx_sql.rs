//! ML201 and ML202 on literal SQL (`op.execute("ALTER TABLE ...")`): the
//! same questions to the semantic model as for the ops, per statement.
//! - ML201: `ADD COLUMN ... NOT NULL` without `DEFAULT` on a table that may
//!   have rows (PostgreSQL `column "c" of relation "t" contains null
//!   values`, SQLite `Cannot add a NOT NULL column with default value NULL`);
//! - ML202: `ALTER COLUMN c SET NOT NULL` (PostgreSQL) with no backfill of
//!   the column since it last became nullable.

use miglint_schema::{ColumnFacts, Origin, TableFacts};
use miglint_sql::DdlChange;

use crate::prelude::*;
use crate::rule::after_unknown_exit;

/// Whether the table cannot have rows here: created, emptied or made
/// uncertain earlier in this function.
fn no_rows(t: Option<&TableFacts>, fi: usize, func: usize) -> bool {
    let here = |o: Option<Origin>| o.is_some_and(|o| o.in_function(fi, func));
    t.is_some_and(|t| here(t.created) || here(t.emptied) || here(t.uncertain))
}

/// The statements of the `execute` ops of `upgrade()`/`downgrade()`, with
/// the facts of each for every dialect `keep` allows.
fn each_statement(
    project: &Project<'_>,
    keep: DialectSet,
    mut f: impl FnMut(usize, &Op, &ExecSql<'_>, usize, &[(Dialect, &miglint_schema::OpFacts)]),
) {
    let model = project.schema();
    for fi in 0..project.files.len() {
        let file = project.file_context(fi);
        for (i, op) in file.module.ops.iter().enumerate() {
            if !matches!(
                file.module.func_kind(op),
                FuncKind::Upgrade | FuncKind::Downgrade
            ) || op.conditional
                || op.in_try
            {
                continue;
            }
            let Some(sql) = file.exec(i) else { continue };
            let reaching = file.reaching(op).intersect(keep);
            let facts: Vec<_> = model.facts_for(fi, i, reaching).collect();
            if facts.is_empty() {
                continue;
            }
            for k in 0..sql.statements.len() {
                f(fi, op, sql, k, &facts);
            }
        }
    }
}

/// ML201 on literal SQL.
pub(crate) fn add_column_sql(
    project: &Project<'_>,
    meta: &'static RuleMeta,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let keep = DialectSet::single(Dialect::Postgresql).with(Dialect::Sqlite);
    each_statement(project, keep, |fi, op, sql, k, facts| {
        let stmt = &sql.statements[k];
        // uppercased on demand: most statements add no column
        let generated = || {
            stmt.text(&sql.lit.value)
                .to_ascii_uppercase()
                .contains("GENERATED")
        };
        for c in stmt.ddl().unwrap_or(&[]) {
            let DdlChange::AddColumn { table, column } = c else {
                continue;
            };
            let ty = column.type_name.to_ascii_uppercase();
            if !column.not_null
                || column.has_default
                || column.primary_key
                || ty.contains("SERIAL")
                || generated()
            {
                continue;
            }
            let mut fails = DialectSet::EMPTY;
            for (d, f) in facts {
                let t = f.statements.get(k).and_then(Option::as_ref);
                if !no_rows(t, fi, op.func) {
                    fails = fails.with(*d);
                }
            }
            if fails.is_empty() {
                continue;
            }
            let mut failures = Vec::new();
            if fails.contains(Dialect::Postgresql) {
                failures.push(format!(
                    "PostgreSQL `column \"{}\" of relation \"{table}\" contains null values`",
                    column.name
                ));
            }
            if fails.contains(Dialect::Sqlite) {
                failures.push(
                    "SQLite `Cannot add a NOT NULL column with default value NULL`".to_string(),
                );
            }
            let d = meta
                .diag(
                    sql.file_range(stmt.range.clone()),
                    format!(
                        "`ADD COLUMN {} ... NOT NULL` without a DEFAULT fails when \"{table}\" has \
                         rows: {}",
                        column.name,
                        failures.join(", ")
                    ),
                )
                .fails_on(fails)
                .with_help(format!(
                    "add a DEFAULT that suits the existing rows, or add the column as NULL, \
                     backfill it (`UPDATE {table} SET {c} = ... WHERE {c} IS NULL`), then set \
                     NOT NULL",
                    c = column.name
                ));
            out.push((fi, after_unknown_exit(d, op)));
        }
    });
}

/// ML202 on literal SQL.
pub(crate) fn set_not_null_sql(
    project: &Project<'_>,
    meta: &'static RuleMeta,
    out: &mut Vec<(usize, Diagnostic)>,
) {
    let model = project.schema();
    each_statement(
        project,
        DialectSet::single(Dialect::Postgresql),
        |fi, op, sql, k, facts| {
            let stmt = &sql.statements[k];
            let parents = model.parents(fi);
            let here = |o: Option<Origin>| o.is_some_and(|o| o.in_function(fi, op.func));
            let recent = |o: Option<Origin>| {
                o.is_some_and(|o| o.file as usize == fi || parents.contains(&(o.file as usize)))
            };
            for c in stmt.ddl().unwrap_or(&[]) {
                let DdlChange::SetNotNull {
                    table,
                    column,
                    not_null: true,
                } = c
                else {
                    continue;
                };
                let mut fails = DialectSet::EMPTY;
                for (d, f) in facts {
                    let t = f.statements.get(k).and_then(Option::as_ref);
                    let col: Option<&ColumnFacts> =
                        f.statement_columns.get(k).and_then(Option::as_ref);
                    let col_ok = col.is_some_and(|col| {
                        col.nullable == Some(false)
                            || col.primary_key
                            || recent(col.backfilled)
                            || recent(col.maybe_backfilled)
                            || (here(col.added) && col.server_default)
                    });
                    if !no_rows(t, fi, op.func) && !col_ok {
                        fails = fails.with(*d);
                    }
                }
                if fails.is_empty() {
                    continue;
                }
                let d = meta
                    .diag(
                        sql.file_range(stmt.range.clone()),
                        format!(
                            "`SET NOT NULL` on \"{table}\".\"{column}\" with no backfill of the \
                             column earlier in the migration: PostgreSQL fails with `column \
                             \"{column}\" of relation \"{table}\" contains null values` when a \
                             row has NULL there"
                        ),
                    )
                    .fails_on(fails)
                    .with_help(format!(
                        "backfill it first: `UPDATE {table} SET {column} = ... WHERE {column} IS \
                         NULL`"
                    ));
                out.push((fi, after_unknown_exit(d, op)));
            }
        },
    );
}
