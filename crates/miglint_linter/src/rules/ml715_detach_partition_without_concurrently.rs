//! `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY` takes an
//! ACCESS EXCLUSIVE lock on the partitioned table (measured on PostgreSQL
//! 15, tests/truth/cases/ml715_*); `DETACH PARTITION ... CONCURRENTLY`
//! exists from PostgreSQL 14.

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies, each_file, upper_words};
use crate::prelude::*;

pub struct DetachPartitionWithoutConcurrently;

static META: RuleMeta = RuleMeta {
    code: "ML715",
    name: "detach-partition-without-concurrently",
    summary: "`DETACH PARTITION` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock on the partitioned table until the migration commits",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

impl Rule for DetachPartitionWithoutConcurrently {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        each_file(project, out, check);
    }
}

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let pg = file.postgresql_version;
    for exec in file.sql {
        if !applies(file, &file.module.ops[exec.op]) {
            continue;
        }
        for (k, stmt) in exec.statements.iter().enumerate() {
            let StmtKind::AlterTable { table: Some(table) } = &stmt.kind else {
                continue;
            };
            let text = upper_words(stmt.text(&exec.lit.value));
            if !text.contains(" DETACH PARTITION ")
                || text.contains("CONCURRENTLY")
                || text.contains(" FINALIZE")
                || file.stmt_is_new(exec.op, k)
            {
                continue;
            }
            let help = if pg >= 14 {
                String::from(
                    "use `DETACH PARTITION ... CONCURRENTLY` inside `with \
                     op.get_context().autocommit_block():` (it cannot run in a transaction, \
                     nor on a table with a default partition)",
                )
            } else {
                format!(
                    "PostgreSQL {pg} has no `DETACH PARTITION ... CONCURRENTLY` (14 and \
                     later): set `lock_timeout` and run it when the table is quiet"
                )
            };
            out.push(
                META.diag(
                    exec.file_range(stmt.range.clone()),
                    format!(
                        "`DETACH PARTITION` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock \
                         on partitioned table `{table}` until the migration commits: every read \
                         and write of it waits"
                    ),
                )
                .with_help(help),
            );
        }
    }
}
