//! MySQL/MariaDB: an `ALTER TABLE` that InnoDB can only run with
//! `ALGORITHM=COPY`, which refuses `LOCK=NONE`: writes to the table wait
//! while every row is copied. Measured on MariaDB 10.11.19 by the truth suite
//! (cases `ml717_*`; rules/ML717.md lists the statements).

use super::ml7xx_context::{OnlineFile, applies_on, online_rule};
use super::ml705_type_change_rewrite::{Ty, show, type_change};
use crate::prelude::*;

pub struct MysqlAlterCopiesTable;

static META: RuleMeta = RuleMeta {
    code: "ML717",
    name: "mysql-alter-copies-table",
    summary: "MySQL/MariaDB: a column type or character set change copies the whole table (ALGORITHM=COPY), blocking its writes until done",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Mysql),
};

const HELP: &str = "add a new column of the new type, backfill it in batches, switch the code \
    over, then drop the old column (expand/contract), or run the change with an online schema \
    change tool (pt-online-schema-change, gh-ost)";

online_rule!(MysqlAlterCopiesTable, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let mysql = DialectSet::single(Dialect::Mysql);
    for (i, op) in file.module.ops.iter().enumerate() {
        if !applies_on(file, op, mysql) {
            continue;
        }
        let Some(c) = type_change(op) else { continue };
        if !copies(&c.from, &c.to) || file.is_new(i) {
            continue;
        }
        out.push(diag(
            c.kw.range(),
            &format!(
                "changing `{}.{}` from {} to {}",
                c.table,
                c.column,
                show(&c.from),
                show(&c.to)
            ),
            &c.table,
        ));
    }
    for alter in file.literal_alters(mysql) {
        let text = &alter.text;
        let what = if text.contains(" CONVERT TO CHARACTER SET ")
            || text.contains(" CONVERT TO CHARSET ")
        {
            "converting the table to another character set"
        } else if (text.contains(" MODIFY ") || text.contains(" CHANGE "))
            && (text.contains(" CHARACTER SET ") || text.contains(" CHARSET "))
        {
            "changing a column's character set"
        } else {
            continue;
        };
        if text.contains("ALGORITHM") || file.stmt_is_new(alter.op, alter.stmt) {
            continue;
        }
        out.push(diag(alter.range, what, alter.table));
    }
}

/// Measured on MariaDB 10.11.19 (`ALGORITHM=INPLACE, LOCK=NONE` refused with
/// "Cannot change column type. Try ALGORITHM=COPY"): every change between
/// known types but a VARCHAR widening, which is in place unless the column's
/// byte length crosses from 128..=255 to over 255; the bytes per character
/// (the character set) are unknown here, so every widening stays quiet.
fn copies(from: &Ty, to: &Ty) -> bool {
    match (from, to) {
        _ if from == to => false,
        (Ty::Varchar(Some(a)), Ty::Varchar(Some(b))) => b < a,
        (Ty::Varchar(_), Ty::Varchar(_)) => false,
        _ => true,
    }
}

fn diag(range: TextRange, what: &str, table: &str) -> Diagnostic {
    META.diag(
        range,
        format!(
            "{what} makes MySQL/MariaDB copy existing table `{table}` (ALGORITHM=COPY, which \
             cannot run with LOCK=NONE): writes to `{table}` wait until every row is copied"
        ),
    )
    .with_help(HELP)
}
