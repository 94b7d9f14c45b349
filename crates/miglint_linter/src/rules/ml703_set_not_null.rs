//! `SET NOT NULL` on an existing table holds ACCESS EXCLUSIVE while
//! PostgreSQL scans every row (unless a valid `CHECK (col IS NOT NULL)`
//! proves it, PostgreSQL ≥ 12). Lock measured on PostgreSQL 15
//! (tests/truth/cases/ml703_*).

use super::ml7xx_context::{OnlineFile, applies, online_rule};
use super::ml7xx_not_null::NotNullChecks;
use crate::prelude::*;

pub struct SetNotNull;

static META: RuleMeta = RuleMeta {
    code: "ML703",
    name: "set-not-null-on-existing-table",
    summary: "`SET NOT NULL` on an existing table holds an ACCESS EXCLUSIVE lock while PostgreSQL scans every row",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

online_rule!(SetNotNull, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let pg = file.postgresql_version;
    let mut proofs = NotNullChecks::default();
    for (i, op) in file.module.ops.iter().enumerate() {
        if op.name != "alter_column" || !applies(file, op) {
            continue;
        }
        let Some(kw) = op.kwarg("nullable") else {
            continue;
        };
        if kw.value.bool_value() != Some(false) {
            continue;
        }
        let Some(table) = op.table() else { continue };
        let column = if op.in_batch() {
            op.arg_or_kw(0, "column_name")
        } else {
            op.arg_or_kw(1, "column_name")
        }
        .and_then(Expr::str_value);
        let Some(column) = column else { continue };
        if file.is_new(i) || proofs.proven_before(file, op.range, column, pg) {
            continue;
        }
        out.push(diag(kw.range(), &table.value, column, pg));
    }
    for alter in file.literal_alters(DialectSet::single(Dialect::Postgresql)) {
        let Some(column) = set_not_null_column(&alter.text) else {
            continue;
        };
        let at = file.module.ops[alter.op].range;
        if file.stmt_is_new(alter.op, alter.stmt) || proofs.proven_before(file, at, &column, pg) {
            continue;
        }
        out.push(diag(
            alter.range,
            alter.table,
            &column.to_ascii_lowercase(),
            pg,
        ));
    }
}

/// `ALTER COLUMN <c> SET NOT NULL` → `<c>` (uppercased text in, as written).
fn set_not_null_column(upper: &str) -> Option<String> {
    let at = upper.find(" SET NOT NULL")?;
    let before = &upper[..at];
    let col = before.rsplit(' ').next()?;
    before
        .trim_end_matches(col)
        .trim_end()
        .ends_with("ALTER COLUMN")
        .then(|| col.trim_matches('"').to_string())
        .or_else(|| {
            before
                .trim_end_matches(col)
                .trim_end()
                .ends_with(" ALTER")
                .then(|| col.trim_matches('"').to_string())
        })
}

fn diag(range: TextRange, table: &str, column: &str, pg: u32) -> Diagnostic {
    let (why, help) = if pg >= 12 {
        (
            format!(
                "PostgreSQL scans every row of `{table}` to check it, unless a valid `CHECK \
                 ({column} IS NOT NULL)` constraint proves it"
            ),
            format!(
                "add `CHECK ({column} IS NOT NULL) NOT VALID` (`op.create_check_constraint(..., \
                 postgresql_not_valid=True)`), `VALIDATE CONSTRAINT` it in a later revision (no \
                 ACCESS EXCLUSIVE lock), then `SET NOT NULL` (no scan, PostgreSQL ≥ 12) and drop \
                 the check"
            ),
        )
    } else {
        (
            format!(
                "PostgreSQL {pg} scans every row of `{table}` to check it (before PostgreSQL 12 \
                 no CHECK constraint avoids the scan)"
            ),
            String::from(
                "keep the column nullable and enforce it with a `CHECK (... IS NOT NULL) NOT \
                 VALID` constraint validated in a later revision, or run it when the table is idle",
            ),
        )
    };
    META.diag(
        range,
        format!(
            "`SET NOT NULL` on `{table}.{column}` holds an ACCESS EXCLUSIVE lock on existing \
             table `{table}` (reads and writes wait) while {why}"
        ),
    )
    .with_help(help)
}
