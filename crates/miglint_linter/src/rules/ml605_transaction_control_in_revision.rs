//! `COMMIT`, `ROLLBACK` or `BEGIN` sent through `op.execute(...)` inside a
//! revision, outside `autocommit_block()`: alembic runs the migration in a
//! transaction it manages, and these statements end or pretend to start it
//! behind its back. Measured on PostgreSQL 15 (tests/truth/cases/ml605_*):
//! `ROLLBACK` undoes everything before it and the migration fails; `COMMIT`
//! makes the revision non-atomic (a later failure leaves it half applied and
//! unrecorded).

use miglint_sql::StmtKind;

use crate::prelude::*;

pub struct TransactionControlInRevision;

static META: RuleMeta = RuleMeta {
    code: "ML605",
    name: "transaction-control-in-revision",
    summary: "`COMMIT`/`ROLLBACK`/`BEGIN` in `op.execute` ends or fakes alembic's transaction: ROLLBACK undoes the migration, COMMIT makes it non-atomic",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

const HELP: &str = "to run statements outside the migration's transaction use `with \
    op.get_context().autocommit_block():`; otherwise leave transaction control to alembic";

impl Rule for TransactionControlInRevision {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for exec in file.sql {
            let op = &file.module.ops[exec.op];
            if op.in_autocommit
                || !file.reaching(op).contains(Dialect::Postgresql)
                || file.module.func_kind(op) == FuncKind::Other
            {
                continue;
            }
            for stmt in &exec.statements {
                let range = exec.file_range(stmt.range.clone());
                let diag = match stmt.kind {
                    StmtKind::Rollback => META.diag(
                        range,
                        "`ROLLBACK` undoes everything the migration did before it, behind \
                         alembic's back; on PostgreSQL the run then fails (a first revision \
                         loses `alembic_version` itself) or records a revision whose earlier \
                         operations are gone",
                    ),
                    StmtKind::Commit => {
                        let mut d = META.diag(
                            range,
                            "`COMMIT` ends alembic's transaction in the middle of the migration: \
                             what ran before it stays even if a later operation fails, the \
                             revision is then not recorded, and a rerun repeats those operations",
                        );
                        d.severity = Severity::Warning;
                        d
                    }
                    StmtKind::Begin => {
                        let mut d = META.diag(
                            range,
                            "`BEGIN` inside alembic's transaction starts nothing: PostgreSQL \
                             only warns that a transaction is already in progress \
                             (documented), so the statements after it are not isolated",
                        );
                        d.severity = Severity::Warning;
                        d
                    }
                    _ => continue,
                };
                out.push(diag.with_help(HELP));
            }
        }
    }
}
