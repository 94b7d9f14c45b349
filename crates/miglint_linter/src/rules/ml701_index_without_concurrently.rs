//! `CREATE INDEX` without `CONCURRENTLY` holds a SHARE lock on the table
//! for the whole build (writes wait, reads run), and `DROP INDEX` without it
//! takes ACCESS EXCLUSIVE on the table (reads wait too), until alembic
//! commits. Both measured on PostgreSQL 15 (tests/truth/cases/ml701_*).

use std::collections::HashSet;

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies, kw_true, online_rule};
use crate::prelude::*;

pub struct IndexWithoutConcurrently;

static META: RuleMeta = RuleMeta {
    code: "ML701",
    name: "index-without-concurrently",
    summary: "an index created or dropped without `CONCURRENTLY` on an existing table blocks its writes (create) or all access (drop) until the migration commits",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "pass `postgresql_concurrently=True` and run it inside `with \
    op.get_context().autocommit_block():` (a concurrent build cannot run in a transaction, ML601)";

online_rule!(IndexWithoutConcurrently, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    // indexes this file creates: dropping one of them again is no hazard
    let mut created: HashSet<(usize, String)> = HashSet::new();
    for (i, op) in file.module.ops.iter().enumerate() {
        if !applies(file, op) {
            continue;
        }
        let name = op.arg_or_kw(0, "index_name").and_then(Expr::str_value);
        match op.name.as_str() {
            "create_index" => {
                if let Some(n) = name {
                    created.insert((op.func, n.to_string()));
                }
                if kw_true(op, "postgresql_concurrently") {
                    continue;
                }
                let Some(table) = op.table() else { continue };
                if file.is_new(i) {
                    continue;
                }
                out.push(create_diag(op.name_range, &table.value));
            }
            "drop_index" => {
                if kw_true(op, "postgresql_concurrently")
                    || name.is_some_and(|n| created.contains(&(op.func, n.to_string())))
                {
                    continue;
                }
                let table = op.table();
                if table.is_some() && file.is_new(i) {
                    continue;
                }
                out.push(drop_diag(
                    op.name_range,
                    table.as_ref().map(|t| t.value.as_str()),
                ));
            }
            _ => {}
        }
    }
    for exec in file.sql {
        let op = &file.module.ops[exec.op];
        if !applies(file, op) {
            continue;
        }
        for (k, stmt) in exec.statements.iter().enumerate() {
            match &stmt.kind {
                StmtKind::CreateIndex {
                    concurrently: false,
                    table: Some(table),
                    name,
                    ..
                } => {
                    if let Some(n) = name {
                        created.insert((op.func, n.clone()));
                    }
                    if !file.stmt_is_new(exec.op, k) {
                        out.push(create_diag(exec.file_range(stmt.range.clone()), table));
                    }
                }
                StmtKind::DropIndex {
                    concurrently: false,
                    name: Some(n),
                    ..
                } if !created.contains(&(op.func, n.clone())) => {
                    out.push(drop_diag(exec.file_range(stmt.range.clone()), None));
                }
                _ => {}
            }
        }
    }
}

fn create_diag(range: TextRange, table: &str) -> Diagnostic {
    META.diag(
        range,
        format!(
            "`CREATE INDEX` without `CONCURRENTLY` holds a SHARE lock on existing table \
             `{table}` until the migration commits: its INSERT/UPDATE/DELETE wait while the \
             index builds (reads run)"
        ),
    )
    .with_help(HELP)
}

fn drop_diag(range: TextRange, table: Option<&str>) -> Diagnostic {
    let on = table.map_or_else(
        || String::from("its table"),
        |t| format!("existing table `{t}`"),
    );
    META.diag(
        range,
        format!(
            "`DROP INDEX` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock on {on} until \
             the migration commits: every read and write of it waits"
        ),
    )
    .with_help(HELP)
}
