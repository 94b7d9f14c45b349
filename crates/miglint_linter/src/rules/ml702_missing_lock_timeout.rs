//! DDL that needs an ACCESS EXCLUSIVE lock on an existing table, with no
//! `lock_timeout` (or `statement_timeout`) set before it, neither in the
//! revision nor in the `env.py` that runs every revision. Behind a running
//! query the DDL waits, and every later query of the table queues behind the
//! DDL (measured on PostgreSQL 15, tests/truth/cases/ml702_*).

use std::collections::HashMap;

use miglint_sql::{SqlStatement, StmtKind};

use super::ml7xx_context::{OnlineFile, applies, each_file, kw_true, upper_words};
use crate::prelude::*;

pub struct MissingLockTimeout;

static META: RuleMeta = RuleMeta {
    code: "ML702",
    name: "missing-lock-timeout",
    summary: "DDL that takes an ACCESS EXCLUSIVE lock on an existing table runs without `lock_timeout` set (in the revision or env.py): behind a long query it queues every other query of the table",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "set a bound first: `op.execute(\"SET LOCAL lock_timeout = '5s'\")` at the top of \
    `upgrade()`, or once for every revision in env.py (e.g. `connection.execute(text(\"SET \
    lock_timeout = '5s'\"))` before `run_migrations()`); retry the migration when it times out";

/// Ops that take ACCESS EXCLUSIVE on their table (PostgreSQL documentation,
/// ALTER TABLE / DROP / COMMENT; `create_foreign_key` takes SHARE ROW
/// EXCLUSIVE and `create_index` SHARE, so they are not here).
const ACCESS_EXCLUSIVE_OPS: &[&str] = &[
    "add_column",
    "drop_column",
    "alter_column",
    "rename_table",
    "drop_table",
    "create_check_constraint",
    "create_unique_constraint",
    "create_primary_key",
    "create_exclude_constraint",
    "drop_constraint",
    "drop_index",
];

/// `alter_column` keywords whose ALTER takes ACCESS EXCLUSIVE (a comment
/// alone is a `COMMENT ON COLUMN`, which takes a weaker lock).
const ACCESS_EXCLUSIVE_ALTERS: &[&str] =
    &["nullable", "type_", "server_default", "new_column_name"];

const TIMEOUTS: &[&str] = &["lock_timeout", "statement_timeout"];

impl Rule for MissingLockTimeout {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    /// A project rule: the semantic model says which tables are new, and
    /// the settings whether the environment's env.py sets a timeout (the
    /// configuration crate reads it; no rule reads files).
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        each_file(project, out, |file, out| {
            if project.files[file.index].env_sets_lock_timeout {
                return;
            }
            let Some((range, what, table)) = first_access_exclusive(file) else {
                return;
            };
            let before = &file.source[..range.as_usize().start.min(file.source.len())];
            if mentions_timeout(before) {
                return;
            }
            out.push(
                META.diag(
                    range,
                    format!(
                        "{what} takes an ACCESS EXCLUSIVE lock on existing table `{table}` with \
                         no `lock_timeout` set before it (in this revision or env.py): behind a \
                         running query it waits, and every later query of `{table}` waits \
                         behind it"
                    ),
                )
                .with_help(HELP),
            );
        });
    }
}

fn mentions_timeout(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    TIMEOUTS.iter().any(|t| lower.contains(t))
}

/// The first op (or literal statement) of `upgrade()` that takes ACCESS
/// EXCLUSIVE on a table the revision did not create (an emptied table still
/// counts: emptying it took no lock that keeps readers out, unless it was a
/// TRUNCATE, which is then the first such statement): its range, a label
/// and the table.
fn first_access_exclusive(file: &OnlineFile<'_, '_>) -> Option<(TextRange, String, String)> {
    let mut sql_by_op: HashMap<usize, &[SqlStatement]> = HashMap::new();
    for exec in file.sql {
        sql_by_op.insert(exec.op, &exec.statements);
    }
    for (i, op) in file.module.ops.iter().enumerate() {
        if !applies(file, op) {
            continue;
        }
        if ACCESS_EXCLUSIVE_OPS.contains(&op.name.as_str()) {
            if op.name == "drop_index" && kw_true(op, "postgresql_concurrently")
                || op.name == "alter_column"
                    && !ACCESS_EXCLUSIVE_ALTERS
                        .iter()
                        .any(|k| op.kwarg(k).is_some())
            {
                continue;
            }
            let Some(table) = op.table() else { continue };
            // created, not emptied: a `DELETE FROM t` holds only ROW EXCLUSIVE,
            // so the DDL after it still queues behind the readers of `t`
            if !file.is_created(i, None) {
                return Some((op.name_range, format!("`{}`", op.name), table.value));
            }
        } else if let Some(stmts) = sql_by_op.get(&i) {
            let exec = file.sql.iter().find(|e| e.op == i)?;
            for (k, stmt) in stmts.iter().enumerate() {
                if let Some(table) = raw_access_exclusive(stmt, &exec.lit.value)
                    && !file.is_created(i, Some(k))
                {
                    let label = format!("`{}`", stmt.kind.label());
                    return Some((exec.file_range(stmt.range.clone()), label, table));
                }
            }
        }
    }
    None
}

/// The table of a literal statement that takes ACCESS EXCLUSIVE, when the
/// statement says which. ALTER TABLE forms that take weaker locks (foreign
/// keys, VALIDATE, SET STATISTICS, attribute options, triggers) are skipped.
fn raw_access_exclusive(stmt: &SqlStatement, sql: &str) -> Option<String> {
    match &stmt.kind {
        StmtKind::DropTable { table, .. } | StmtKind::Truncate { table } => table.clone(),
        StmtKind::AlterTable { table: Some(t) } => {
            let text = upper_words(stmt.text(sql));
            let weaker = [
                "FOREIGN KEY",
                "REFERENCES",
                "VALIDATE CONSTRAINT",
                "SET STATISTICS",
                "SET (",
                "RESET (",
                "TRIGGER",
                "ATTACH PARTITION",
                "DETACH PARTITION",
                "CLUSTER ON",
                "WITHOUT CLUSTER",
            ];
            let strong = [
                " ADD COLUMN ",
                " DROP COLUMN ",
                " ALTER COLUMN ",
                " RENAME ",
                " DROP CONSTRAINT ",
                " ADD CONSTRAINT ",
            ];
            (strong.iter().any(|s| text.contains(s)) && !weaker.iter().any(|w| text.contains(w)))
                .then(|| t.clone())
        }
        _ => None,
    }
}
