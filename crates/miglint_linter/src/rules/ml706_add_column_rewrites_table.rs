//! `add_column` that makes PostgreSQL write every row: a volatile server
//! default (`gen_random_uuid()`, `clock_timestamp()`, `random()`,
//! `nextval(...)`), a STORED generated column, an identity column, or —
//! before PostgreSQL 11 — any non-NULL default. Measured on PostgreSQL 15
//! by the table's file node (tests/truth/cases/ml706_*, rules/ML706.md).

use miglint_sql::DdlChange;

use super::ml7xx_context::{OnlineFile, applies, online_rule, upper_words};
use crate::prelude::*;

pub struct AddColumnRewritesTable;

static META: RuleMeta = RuleMeta {
    code: "ML706",
    name: "add-column-rewrites-table",
    summary: "adding a column with a volatile default, a STORED generated or an identity column rewrites the whole table under an ACCESS EXCLUSIVE lock",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

/// Volatile functions seen in server defaults (PostgreSQL's `provolatile = 'v'`).
const VOLATILE: &[&str] = &[
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "clock_timestamp",
    "timeofday",
    "random",
    "nextval",
];

online_rule!(AddColumnRewritesTable, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    let pg = file.postgresql_version;
    for (i, op) in file.module.ops.iter().enumerate() {
        if op.name != "add_column" || !applies(file, op) {
            continue;
        }
        let Some(table) = op.table() else { continue };
        if file.is_new(i) {
            continue;
        }
        for column in op.columns() {
            let Some((range, why)) = rewrite_reason(&column, pg) else {
                continue;
            };
            let name = column.name().map_or_else(|| String::from("?"), |n| n.value);
            out.push(diag(range, &table.value, &name, &why));
        }
    }
    for exec in file.sql {
        if !applies(file, &file.module.ops[exec.op]) {
            continue;
        }
        for (k, stmt) in exec.statements.iter().enumerate() {
            for change in stmt.ddl().unwrap_or(&[]) {
                let DdlChange::AddColumn { table, column } = change else {
                    continue;
                };
                let Some(why) =
                    literal_rewrite_reason(&column.type_name, stmt.text(&exec.lit.value))
                else {
                    continue;
                };
                if !file.stmt_is_new(exec.op, k) {
                    out.push(diag(
                        exec.file_range(stmt.range.clone()),
                        table,
                        &column.name,
                        why,
                    ));
                }
            }
        }
    }
}

fn diag(range: TextRange, table: &str, column: &str, why: &str) -> Diagnostic {
    META.diag(
        range,
        format!(
            "adding `{table}.{column}` {why} rewrites existing table `{table}` under an ACCESS \
             EXCLUSIVE lock: reads and writes wait until every row is written"
        ),
    )
    .with_help(
        "add the column without the default (or with a constant one), fill it in batches, then \
         set the default with `alter_column(server_default=...)`, which only affects new rows",
    )
}

/// A literal `ADD COLUMN`: a serial type (a `nextval` default), an identity
/// column (both measured: `ml706_serial_column_rewrites`,
/// `ml706_identity_column_rewrites`) or a STORED generated column.
fn literal_rewrite_reason(type_name: &str, sql: &str) -> Option<&'static str> {
    let ty = type_name.to_ascii_uppercase();
    if matches!(
        ty.as_str(),
        "SERIAL" | "BIGSERIAL" | "SMALLSERIAL" | "SERIAL4" | "SERIAL8" | "SERIAL2"
    ) {
        return Some("as a serial column (a `nextval` default, volatile)");
    }
    let text = upper_words(sql);
    if text.contains(" AS IDENTITY") {
        return Some("as an identity column");
    }
    if text.contains(" GENERATED ALWAYS AS (") && text.contains(" STORED") {
        return Some("as a STORED generated column");
    }
    None
}

fn rewrite_reason(column: &Column<'_>, pg: u32) -> Option<(TextRange, String)> {
    for arg in &column.call.args {
        let (Some(name), Some(call)) = (arg.call_name(), arg.as_call()) else {
            continue;
        };
        match last_segment(&name) {
            "Identity" => return Some((arg.range, String::from("as an identity column"))),
            "Computed" => {
                let persisted = call
                    .kwarg("persisted")
                    .map(|k| k.value.bool_value())
                    .or_else(|| call.args.get(1).map(Expr::bool_value));
                // SQLAlchemy renders STORED for persisted=True, and for an
                // unset flag before PostgreSQL 18 (virtual from 18 on)
                let stored = match persisted {
                    Some(Some(true)) => true,
                    None => pg < 18,
                    _ => false,
                };
                if stored {
                    return Some((arg.range, String::from("as a STORED generated column")));
                }
            }
            _ => {}
        }
    }
    let kw = column.server_default()?;
    let volatile = |text: &str| {
        let lower = text.to_ascii_lowercase();
        VOLATILE
            .iter()
            .find(|f| {
                lower.match_indices(*f).any(|(at, _)| {
                    let before = lower[..at].chars().next_back();
                    let after = lower[at + f.len()..].trim_start().starts_with('(');
                    after && !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
                })
            })
            .copied()
    };
    let found = match classify_default(&kw.value) {
        DefaultValue::Text(lit) if !lit.dynamic => volatile(&lit.value),
        DefaultValue::Func(f) => VOLATILE.iter().find(|v| **v == f).copied(),
        _ => None,
    };
    if let Some(f) = found {
        return Some((
            kw.range(),
            format!("with the volatile default `{f}()` (evaluated for every row)"),
        ));
    }
    if pg < 11
        && !matches!(
            classify_default(&kw.value),
            DefaultValue::None | DefaultValue::Other
        )
    {
        return Some((
            kw.range(),
            format!(
                "with a default (before PostgreSQL 11 every default is written into each row; postgresql-version = {pg})"
            ),
        ));
    }
    None
}
