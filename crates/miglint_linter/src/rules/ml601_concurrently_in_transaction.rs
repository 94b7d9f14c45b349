//! `CREATE INDEX CONCURRENTLY`, `DROP INDEX CONCURRENTLY`, `REINDEX ...
//! CONCURRENTLY` and `ALTER TABLE ... DETACH PARTITION ... CONCURRENTLY`
//! refuse to run inside a transaction block, and alembic runs every
//! migration inside one (TRUTH §9, §10) unless the op sits in
//! `autocommit_block()`. `REFRESH MATERIALIZED VIEW CONCURRENTLY` is not
//! one of them: PostgreSQL 15 runs it inside a transaction (checked with
//! alembic 1.20.1), so it is not reported.

use miglint_sql::{Feature, SqlStatement, StmtKind};

use crate::prelude::*;

pub struct ConcurrentlyInTransaction;

static META: RuleMeta = RuleMeta {
    code: "ML601",
    name: "concurrently-in-transaction",
    summary: "a `CONCURRENTLY` index operation outside `autocommit_block()` fails inside alembic's transaction on PostgreSQL",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "run it inside `with op.get_context().autocommit_block():`; a \
    `transaction_per_migration=True` env.py does not help, each migration is still one \
    transaction. Note that the block commits everything before it (ML602)";

impl Rule for ConcurrentlyInTransaction {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        if file.no_transaction {
            return; // env.py runs migrations with no transaction (or config says so)
        }
        for op in &file.module.ops {
            if op.in_autocommit
                || !file.reaching(op).contains(Dialect::Postgresql)
                || !matches!(op.name.as_str(), "create_index" | "drop_index")
            {
                continue;
            }
            let Some(kw) = op.kwarg("postgresql_concurrently") else {
                continue;
            };
            if kw.value.bool_value() != Some(true) {
                continue;
            }
            let stmt = if op.name == "create_index" {
                "CREATE INDEX"
            } else {
                "DROP INDEX"
            };
            out.push(
                META.diag(
                    kw.range(),
                    format!(
                        "PostgreSQL rejects this inside alembic's transaction: `{stmt} \
                         CONCURRENTLY cannot run inside a transaction block`"
                    ),
                )
                .with_label(op.name_range, "not inside `autocommit_block()`")
                .with_help(HELP),
            );
        }
        for exec in file.sql {
            let op = &file.module.ops[exec.op];
            if op.in_autocommit || !file.reaching(op).contains(Dialect::Postgresql) {
                continue;
            }
            for stmt in &exec.statements {
                let Some(what) = refused_in_transaction(stmt, &exec.lit.value) else {
                    continue;
                };
                let range = stmt
                    .features
                    .iter()
                    .find(|(f, _)| *f == Feature::Concurrently)
                    .map_or(stmt.range.clone(), |(_, r)| r.clone());
                out.push(
                    META.diag(
                        exec.file_range(range),
                        if what.ends_with("INDEX CONCURRENTLY") {
                            format!(
                                "PostgreSQL rejects this inside alembic's transaction: `{what} \
                                 cannot run inside a transaction block`"
                            )
                        } else {
                            format!(
                                "PostgreSQL documents that `{what}` cannot run inside a \
                                 transaction block, and alembic runs it inside one \
                                 (documentation-based, not measured)"
                            )
                        },
                    )
                    .with_help(HELP),
                );
            }
        }
    }
}

/// The statement label PostgreSQL's error names, for statements with
/// `CONCURRENTLY` that cannot run in a transaction block.
fn refused_in_transaction(stmt: &SqlStatement, sql: &str) -> Option<&'static str> {
    if !stmt.has_feature(&Feature::Concurrently) {
        return None;
    }
    match &stmt.kind {
        StmtKind::CreateIndex { .. } => Some("CREATE INDEX CONCURRENTLY"),
        StmtKind::DropIndex { .. } => Some("DROP INDEX CONCURRENTLY"),
        StmtKind::Reindex => Some("REINDEX CONCURRENTLY"),
        StmtKind::AlterTable { .. } => {
            let text = stmt.text(sql).to_ascii_uppercase();
            text.contains("DETACH")
                .then_some("ALTER TABLE ... DETACH CONCURRENTLY")
        }
        _ => None,
    }
}
