//! `ALTER TABLE ... DETACH PARTITION` without `CONCURRENTLY` takes an
//! ACCESS EXCLUSIVE lock on the partitioned table (measured on PostgreSQL
//! 15, tests/truth/cases/ml715_*); `DETACH PARTITION ... CONCURRENTLY`
//! exists from PostgreSQL 14.

use super::ml7xx_context::{OnlineFile, online_rule};
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

online_rule!(DetachPartitionWithoutConcurrently, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let pg = file.postgresql_version;
    for alter in file.literal_alters(DialectSet::single(Dialect::Postgresql)) {
        let text = &alter.text;
        if !text.contains(" DETACH PARTITION ")
            || text.contains("CONCURRENTLY")
            || text.contains(" FINALIZE")
            || file.stmt_is_new(alter.op, alter.stmt)
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
                alter.range,
                format!(
                    "`DETACH PARTITION` without `CONCURRENTLY` takes an ACCESS EXCLUSIVE lock \
                         on partitioned table `{}` until the migration commits: every read \
                         and write of it waits",
                    alter.table
                ),
            )
            .with_help(help),
        );
    }
}
