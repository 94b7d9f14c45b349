//! `ADD CONSTRAINT ... UNIQUE` (and `PRIMARY KEY`) on an existing table
//! builds its index while holding ACCESS EXCLUSIVE (measured on PostgreSQL
//! 15, tests/truth/cases/ml707_*). The online way: `CREATE UNIQUE INDEX
//! CONCURRENTLY`, then `ADD CONSTRAINT ... UNIQUE USING INDEX`.

use super::ml7xx_context::{OnlineFile, applies, online_rule};
use crate::prelude::*;

pub struct UniqueConstraintOnExistingTable;

static META: RuleMeta = RuleMeta {
    code: "ML707",
    name: "unique-constraint-on-existing-table",
    summary: "a unique or primary-key constraint added to an existing table builds its index under an ACCESS EXCLUSIVE lock",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "build the index first with `op.create_index(..., unique=True, \
    postgresql_concurrently=True)` inside `autocommit_block()`, then attach it: `op.execute(\"ALTER \
    TABLE t ADD CONSTRAINT name UNIQUE USING INDEX index_name\")`";

online_rule!(UniqueConstraintOnExistingTable, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    for (i, op) in file.module.ops.iter().enumerate() {
        let what = match op.name.as_str() {
            "create_unique_constraint" => "a unique constraint",
            "create_primary_key" => "a primary key",
            _ => continue,
        };
        if !applies(file, op) {
            continue;
        }
        let Some(table) = op.table() else { continue };
        if !file.is_new(i) {
            out.push(diag(op.name_range, what, &table.value));
        }
    }
    for alter in file.literal_alters(DialectSet::single(Dialect::Postgresql)) {
        let text = &alter.text;
        if !text.contains(" ADD CONSTRAINT ")
            || text.contains("USING INDEX")
            || text.contains(" ADD COLUMN ")
        {
            continue;
        }
        let what = if text.contains(" UNIQUE") {
            "a unique constraint"
        } else if text.contains(" PRIMARY KEY") {
            "a primary key"
        } else {
            continue;
        };
        if !file.stmt_is_new(alter.op, alter.stmt) {
            out.push(diag(alter.range, what, alter.table));
        }
    }
}

fn diag(range: TextRange, what: &str, table: &str) -> Diagnostic {
    META.diag(
        range,
        format!(
            "adding {what} to existing table `{table}` builds its index while holding an ACCESS \
             EXCLUSIVE lock: reads and writes wait until the index is built"
        ),
    )
    .with_help(HELP)
}
