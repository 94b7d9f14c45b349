use miglint_sql::StmtKind;

use crate::prelude::*;

pub struct CreateWithoutIfNotExists;

static META: RuleMeta = RuleMeta {
    code: "ML302",
    name: "create-without-if-not-exists",
    summary: "raw `CREATE TABLE`/`CREATE INDEX` without `IF NOT EXISTS` fails when the migration is re-run",
    severity: Severity::Info,
    default_enabled: false,
    dialects: DialectSet::ALL,
};

impl Rule for CreateWithoutIfNotExists {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for exec in file.sql {
            let op = &file.module.ops[exec.op];
            let reaching = file.reaching(op);
            if !matches!(
                file.module.func_kind(op),
                FuncKind::Upgrade | FuncKind::Downgrade
            ) {
                continue;
            }
            for stmt in &exec.statements {
                let (what, name) = match &stmt.kind {
                    StmtKind::CreateTable {
                        if_not_exists: false,
                        table,
                    } => ("CREATE TABLE", table),
                    StmtKind::CreateIndex {
                        if_not_exists: false,
                        name,
                        ..
                    } => ("CREATE INDEX", name),
                    _ => continue,
                };
                let obj = name
                    .as_deref()
                    .map_or_else(String::new, |n| format!(" \"{n}\""));
                let message = format!(
                    "`{what}`{obj} without `IF NOT EXISTS` fails with \"already exists\" when the \
                     migration runs again after a failure that left it in place (SQLite keeps \
                     the DDL that ran before the revision's first INSERT/UPDATE/DELETE, MariaDB \
                     keeps every DDL statement)"
                );
                let help = if what == "CREATE INDEX" && reaching.contains(Dialect::Mysql) {
                    "write `CREATE INDEX IF NOT EXISTS` where every target accepts it \
                     (PostgreSQL, SQLite, MariaDB; MySQL 8 does not), or guard the statement with \
                     `sa.inspect(op.get_bind()).get_indexes(...)`"
                } else if what == "CREATE INDEX" {
                    "write `CREATE INDEX IF NOT EXISTS` (PostgreSQL >= 9.5 and SQLite accept it)"
                } else {
                    "write `CREATE TABLE IF NOT EXISTS` (PostgreSQL, SQLite and MySQL/MariaDB \
                     accept it)"
                };
                out.push(
                    META.diag(exec.file_range(stmt.range.clone()), message)
                        .with_help(help),
                );
            }
        }
    }
}
