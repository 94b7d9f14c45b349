//! DDL that needs an ACCESS EXCLUSIVE lock on an existing table, with no
//! `lock_timeout` (or `statement_timeout`) set before it, neither in the
//! revision nor in the `env.py` that runs every revision. Behind a running
//! query the DDL waits, and every later query of the table queues behind the
//! DDL (measured on PostgreSQL 15, tests/truth/cases/ml702_*).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use miglint_sql::{SqlStatement, StmtKind};

use super::ml7xx_context::{NewTables, applies, kw_true, upper_words};
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

    /// A project rule so that an `env.py` among the linted files is read
    /// from memory (others are read from disk, once per folder).
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let linted_envs: HashMap<&Path, bool> = project
            .files
            .iter()
            .filter(|f| f.path.file_name().is_some_and(|n| n == "env.py"))
            .filter_map(|f| Some((f.path.parent()?, mentions_timeout(f.source))))
            .collect();
        let mut on_disk: HashMap<PathBuf, Option<bool>> = HashMap::new();
        for (index, f) in project.files.iter().enumerate() {
            if !f.is_revision() {
                continue;
            }
            let file = project.file_context(index);
            let Some((range, what, table)) = first_access_exclusive(&file) else {
                continue;
            };
            let before = &f.source[..range.as_usize().start.min(f.source.len())];
            if mentions_timeout(before) || env_sets_timeout(f.path, &linted_envs, &mut on_disk) {
                continue;
            }
            let diag = META
                .diag(
                    range,
                    format!(
                        "{what} takes an ACCESS EXCLUSIVE lock on existing table `{table}` with \
                         no `lock_timeout` set before it (in this revision or env.py): behind a \
                         running query it waits, and every later query of `{table}` waits \
                         behind it"
                    ),
                )
                .with_help(HELP);
            out.push((index, diag));
        }
    }
}

fn mentions_timeout(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    TIMEOUTS.iter().any(|t| lower.contains(t))
}

/// The first op (or literal statement) of `upgrade()` that takes ACCESS
/// EXCLUSIVE on a table the revision did not create: its range, a label and
/// the table.
fn first_access_exclusive(file: &FileContext<'_>) -> Option<(TextRange, String, String)> {
    let new = NewTables::of(file);
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
            if !new.is_new(file, i, &table.value) {
                return Some((op.name_range, format!("`{}`", op.name), table.value));
            }
        } else if let Some(stmts) = sql_by_op.get(&i) {
            let exec = file.sql.iter().find(|e| e.op == i)?;
            for stmt in stmts.iter() {
                if let Some(table) = raw_access_exclusive(stmt, &exec.lit.value)
                    && !new.is_new(file, i, &table)
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

/// Whether the `env.py` nearest above the revision (its folder or up to
/// three levels up: `versions/`, `migrations/`, `alembic/`) mentions
/// `lock_timeout` or `statement_timeout`: a linted one from memory, else
/// read from disk once per folder.
fn env_sets_timeout(
    revision: &Path,
    linted: &HashMap<&Path, bool>,
    on_disk: &mut HashMap<PathBuf, Option<bool>>,
) -> bool {
    let dir = revision.parent().unwrap_or(Path::new(""));
    for d in dir.ancestors().take(4) {
        if let Some(&known) = linted.get(d) {
            return known;
        }
        let env = *on_disk.entry(d.to_path_buf()).or_insert_with(|| {
            // the CLI's reader: a FIFO or a symlink to /dev/zero named
            // env.py must not hang the run or fill the memory
            miglint_config::read_capped(&d.join("env.py"), miglint_config::DEFAULT_MAX_FILE_SIZE)
                .ok()
                .map(|bytes| mentions_timeout(&String::from_utf8_lossy(&bytes)))
        });
        if let Some(known) = env {
            return known;
        }
    }
    false
}
