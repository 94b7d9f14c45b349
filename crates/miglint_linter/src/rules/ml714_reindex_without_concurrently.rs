//! `REINDEX` without `CONCURRENTLY` blocks the table's writes, and the
//! reads that would use the index, while the index is rebuilt (lock
//! measured on PostgreSQL 15, tests/truth/cases/ml714_*). `REINDEX ...
//! CONCURRENTLY` exists from PostgreSQL 12.

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies, online_rule, upper_words};
use crate::prelude::*;

pub struct ReindexWithoutConcurrently;

static META: RuleMeta = RuleMeta {
    code: "ML714",
    name: "reindex-without-concurrently",
    summary: "`REINDEX` without `CONCURRENTLY` blocks writes to the table (and reads through the index) until the migration commits",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

online_rule!(ReindexWithoutConcurrently, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let pg = file.postgresql_version;
    for exec in file.sql {
        if !applies(file, &file.module.ops[exec.op]) {
            continue;
        }
        for stmt in &exec.statements {
            if !matches!(stmt.kind, StmtKind::Reindex) {
                continue;
            }
            let text = upper_words(stmt.text(&exec.lit.value));
            // `REINDEX (VERBOSE) TABLE CONCURRENTLY t`, `REINDEX (CONCURRENTLY) ...`
            if text.contains("CONCURRENTLY")
                || !(text.contains(" INDEX ") || text.contains(" TABLE "))
            {
                continue;
            }
            let help = if pg >= 12 {
                String::from(
                    "use `REINDEX ... CONCURRENTLY` inside `with \
                     op.get_context().autocommit_block():` (it cannot run in a transaction)",
                )
            } else {
                format!(
                    "PostgreSQL {pg} has no `REINDEX CONCURRENTLY` (12 and later): build a \
                     copy with `CREATE INDEX CONCURRENTLY`, drop the old one with `DROP INDEX \
                     CONCURRENTLY` and rename the copy"
                )
            };
            out.push(
                META.diag(
                    exec.file_range(stmt.range.clone()),
                    "`REINDEX` without `CONCURRENTLY` holds a SHARE lock on the table and an \
                     ACCESS EXCLUSIVE lock on each index it rebuilds until the migration commits: writes \
                     wait, and so do reads (the planner locks every index of the table)",
                )
                .with_help(help),
            );
        }
    }
}
