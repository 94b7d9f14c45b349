//! `TRUNCATE ... CASCADE` also empties every table with a foreign key to
//! the named ones (recursively), each under an ACCESS EXCLUSIVE lock
//! (measured on PostgreSQL 15, tests/truth/cases/ml716_*).

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies, online_rule, upper_words};
use crate::prelude::*;

pub struct TruncateCascade;

static META: RuleMeta = RuleMeta {
    code: "ML716",
    name: "truncate-cascade",
    summary: "`TRUNCATE ... CASCADE` also empties every table that references the named ones, under an ACCESS EXCLUSIVE lock on each",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "name every table to empty (`TRUNCATE a, b`): without `CASCADE` PostgreSQL \
    refuses when another table still references them, instead of emptying it";

online_rule!(TruncateCascade, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    for exec in file.sql {
        if !applies(file, &file.module.ops[exec.op]) {
            continue;
        }
        for (k, stmt) in exec.statements.iter().enumerate() {
            let StmtKind::Truncate { table } = &stmt.kind else {
                continue;
            };
            let text = upper_words(stmt.text(&exec.lit.value));
            if !text.ends_with(" CASCADE") || file.stmt_is_new(exec.op, k) {
                continue;
            }
            let what = match table {
                Some(t) if !text.contains(',') => format!("`{t}`"),
                _ => String::from("the named tables"),
            };
            out.push(
                META.diag(
                    exec.file_range(stmt.range.clone()),
                    format!(
                        "`TRUNCATE ... CASCADE` also empties every table with a foreign key to \
                         {what} (and the tables referencing those), holding an ACCESS EXCLUSIVE \
                         lock on each until the migration commits: rows of tables this \
                         statement does not name are deleted"
                    ),
                )
                .with_help(HELP),
            );
        }
    }
}
