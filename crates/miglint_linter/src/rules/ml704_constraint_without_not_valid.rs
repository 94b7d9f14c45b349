//! A foreign key or CHECK constraint added to an existing table without
//! `NOT VALID` checks every row under a lock: SHARE ROW EXCLUSIVE for a
//! foreign key (writes wait), ACCESS EXCLUSIVE for a CHECK (everything
//! waits). And `VALIDATE CONSTRAINT` in the same transaction as its
//! `NOT VALID` gains nothing: the ADD's lock is still held. Locks measured on
//! PostgreSQL 15 (tests/truth/cases/ml704_*).

use std::collections::HashSet;

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies, kw_true, online_rule, upper_words};
use crate::prelude::*;

pub struct ConstraintWithoutNotValid;

static META: RuleMeta = RuleMeta {
    code: "ML704",
    name: "constraint-without-not-valid",
    summary: "a foreign key or CHECK constraint added to an existing table without `NOT VALID` checks every row under a lock that blocks writes (and, for CHECK, reads)",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    ForeignKey,
    Check,
}

online_rule!(ConstraintWithoutNotValid, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    // (transaction, constraint name) added NOT VALID
    let mut not_valid: HashSet<(usize, String)> = HashSet::new();
    let mut txn = Transactions::default();
    // op index → the statements of a literal execute
    let mut sql_at = vec![None; file.module.ops.len()];
    for (k, exec) in file.sql.iter().enumerate() {
        sql_at[exec.op] = Some(k);
    }
    for (i, op) in file.module.ops.iter().enumerate() {
        if !applies(file, op) {
            continue;
        }
        let txn = txn.of(op);
        let kind = match op.name.as_str() {
            "create_foreign_key" => Some(Kind::ForeignKey),
            "create_check_constraint" => Some(Kind::Check),
            _ => None,
        };
        if let Some(kind) = kind {
            let Some(table) = op.table() else { continue };
            if kw_true(op, "postgresql_not_valid") {
                if let (Some(t), Some(name)) = (
                    txn,
                    op.arg_or_kw(0, "constraint_name").and_then(Expr::str_value),
                ) {
                    not_valid.insert((t, name.to_ascii_lowercase()));
                }
                continue;
            }
            if file.is_new(i) {
                continue;
            }
            out.push(add_diag(op.name_range, kind, &table.value));
            continue;
        }
        let Some(k) = sql_at[i] else { continue };
        let exec = &file.sql[k];
        for (k, stmt) in exec.statements.iter().enumerate() {
            let StmtKind::AlterTable { table: Some(table) } = &stmt.kind else {
                continue;
            };
            let text = upper_words(stmt.text(&exec.lit.value));
            if let Some(name) = word_after(&text, "VALIDATE CONSTRAINT ") {
                if txn.is_some_and(|t| not_valid.contains(&(t, name.to_ascii_lowercase()))) {
                    out.push(validate_diag(
                        exec.file_range(stmt.range.clone()),
                        &name.to_ascii_lowercase(),
                    ));
                }
                continue;
            }
            if !text.contains(" ADD ") {
                continue;
            }
            let kind = if text.contains("FOREIGN KEY") || text.contains(" REFERENCES ") {
                Kind::ForeignKey
            } else if text.contains(" CHECK ") || text.contains(" CHECK(") {
                Kind::Check
            } else {
                continue;
            };
            if text.contains(" ADD COLUMN ") {
                // a new column's constraint: its rows are all NULL or the default
                continue;
            }
            if text.contains("NOT VALID") {
                if let (Some(t), Some(name)) = (txn, word_after(&text, "ADD CONSTRAINT ")) {
                    not_valid.insert((t, name.to_ascii_lowercase()));
                }
                continue;
            }
            if file.stmt_is_new(i, k) {
                continue;
            }
            out.push(add_diag(exec.file_range(stmt.range.clone()), kind, table));
        }
    }
}

/// Numbers the migration's transactions: a new one per function, and after
/// each `autocommit_block()` (which commits what came before). Ops inside
/// the block run in autocommit mode: no transaction (`None`).
#[derive(Default)]
struct Transactions {
    current: usize,
    last: Option<(usize, bool)>,
}

impl Transactions {
    fn of(&mut self, op: &Op) -> Option<usize> {
        match self.last {
            Some((func, auto)) if func == op.func && (!auto || op.in_autocommit) => {}
            _ => self.current += 1,
        }
        self.last = Some((op.func, op.in_autocommit));
        (!op.in_autocommit).then_some(self.current)
    }
}

fn word_after(upper: &str, prefix: &str) -> Option<String> {
    let at = upper.find(prefix)? + prefix.len();
    let word = upper[at..].split([' ', ';']).next()?;
    (!word.is_empty()).then(|| word.trim_matches('"').to_string())
}

fn add_diag(range: TextRange, kind: Kind, table: &str) -> Diagnostic {
    let (what, lock, blocked, kwarg) = match kind {
        Kind::ForeignKey => (
            "a foreign key",
            "a SHARE ROW EXCLUSIVE lock on it and on the referenced table",
            "writes wait, reads run",
            "create_foreign_key(..., postgresql_not_valid=True)",
        ),
        Kind::Check => (
            "a CHECK constraint",
            "an ACCESS EXCLUSIVE lock on it",
            "reads and writes wait",
            "create_check_constraint(..., postgresql_not_valid=True)",
        ),
    };
    META.diag(
        range,
        format!(
            "adding {what} to existing table `{table}` without `NOT VALID` checks every row \
             while holding {lock} ({blocked})"
        ),
    )
    .with_help(format!(
        "add it with `op.{kwarg}` (`NOT VALID`: only new rows are checked), then `ALTER TABLE \
         ... VALIDATE CONSTRAINT` in a later revision, which takes only a SHARE UPDATE \
         EXCLUSIVE lock"
    ))
}

fn validate_diag(range: TextRange, name: &str) -> Diagnostic {
    META.diag(
        range,
        format!(
            "`VALIDATE CONSTRAINT {name}` runs in the same transaction that added it `NOT VALID`: \
             the lock taken by the ADD is still held while every row is checked, so `NOT VALID` \
             gains nothing"
        ),
    )
    .with_help(
        "validate it in a later revision (or after `op.get_context().autocommit_block()` commits \
         the ADD)",
    )
}
