//! MySQL/MariaDB: an `ALTER TABLE` that InnoDB can only run with
//! `ALGORITHM=COPY`, which refuses `LOCK=NONE`: writes to the table wait
//! while every row is copied. Checked by hand on MariaDB 10.11.19 (no MariaDB
//! server in the truth suite; rules/ML717.md lists the statements).

use miglint_sql::StmtKind;

use super::ml7xx_context::{OnlineFile, applies_on, each_file, upper_words};
use super::ml705_type_change_rewrite::{Ty, show, ty};
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
    change tool (pt-online-schema-change, gh-ost); widening a VARCHAR is done in place";

impl Rule for MysqlAlterCopiesTable {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        each_file(project, out, check);
    }
}

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let mysql = DialectSet::single(Dialect::Mysql);
    for (i, op) in file.module.ops.iter().enumerate() {
        if !applies_on(file, op, mysql) {
            continue;
        }
        if op.name == "alter_column" {
            let (Some(kw), Some(old)) = (op.kwarg("type_"), op.kwarg("existing_type")) else {
                continue;
            };
            let (Some(to), Some(from)) = (ty(&kw.value), ty(&old.value)) else {
                continue;
            };
            let Some(table) = op.table() else { continue };
            if !copies(&from, &to) || file.is_new(i) {
                continue;
            }
            let column = super::ml7xx_contract::column_arg(op).unwrap_or("?");
            out.push(diag(
                kw.range(),
                &format!(
                    "changing `{}.{column}` from {} to {}",
                    table.value,
                    show(&from),
                    show(&to)
                ),
                &table.value,
            ));
        } else if let Some(exec) = file.exec(i) {
            for (k, stmt) in exec.statements.iter().enumerate() {
                let StmtKind::AlterTable { table: Some(table) } = &stmt.kind else {
                    continue;
                };
                let text = upper_words(stmt.text(&exec.lit.value));
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
                if text.contains("ALGORITHM") || file.stmt_is_new(i, k) {
                    continue;
                }
                out.push(diag(exec.file_range(stmt.range.clone()), what, table));
            }
        }
    }
}

/// Measured on MariaDB 10.11.19 (`ALGORITHM=INPLACE, LOCK=NONE` refused with
/// "Cannot change column type. Try ALGORITHM=COPY"): every change between
/// known types but a VARCHAR widening.
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
