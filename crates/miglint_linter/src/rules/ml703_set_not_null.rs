//! `SET NOT NULL` on an existing table holds ACCESS EXCLUSIVE while
//! PostgreSQL scans every row (unless a valid `CHECK (col IS NOT NULL)`
//! proves it, PostgreSQL ≥ 12; written earlier in the revision or in one it
//! descends from). Lock measured on PostgreSQL 15 (tests/truth/cases/ml703_*).

use std::cell::RefCell;

use super::ml7xx_context::{OnlineFile, applies, each_file};
use super::ml7xx_not_null::{AncestorChecks, NotNullChecks, columns_checked};
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

impl Rule for SetNotNull {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let model = project.schema();
        let parents = |f: usize| model.parents(f);
        // built on the first SET NOT NULL that its own revision does not prove
        let ancestors: RefCell<Option<AncestorChecks<'_>>> = RefCell::new(None);
        let proven_earlier = |file: usize, column: &str| {
            let mut a = ancestors.borrow_mut();
            a.get_or_insert_with(|| AncestorChecks::new(upgrade_checks(project), &parents))
                .proven_in_ancestors(file, column)
        };
        each_file(project, out, |file, out| check(file, out, &proven_earlier));
    }
}

/// Per file, the columns its `upgrade()` (and the text before it) names in
/// `<col> IS NOT NULL`; None for a file that is not a revision.
fn upgrade_checks(project: &Project<'_>) -> Vec<Option<std::collections::HashSet<String>>> {
    project
        .files
        .iter()
        .map(|f| {
            if !f.is_revision() {
                return None;
            }
            let end = f
                .module
                .functions
                .iter()
                .filter(|func| func.kind == FuncKind::Upgrade)
                .map(|func| func.range.end() as usize)
                .max()?;
            Some(columns_checked(f.source, end))
        })
        .collect()
}

fn check(
    file: &OnlineFile<'_, '_>,
    out: &mut Vec<Diagnostic>,
    proven_earlier: &dyn Fn(usize, &str) -> bool,
) {
    let pg = file.postgresql_version;
    let mut proofs = NotNullChecks::default();
    let mut proven = |file: &OnlineFile<'_, '_>, at: TextRange, column: &str| {
        pg >= 12
            && (proofs.proven_before(file, at, column, pg) || proven_earlier(file.index, column))
    };
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
        if file.is_new(i) || proven(file, op.range, column) {
            continue;
        }
        out.push(diag(kw.range(), &table.value, column, pg));
    }
    for alter in file.literal_alters(DialectSet::single(Dialect::Postgresql)) {
        let Some(column) = set_not_null_column(&alter.text) else {
            continue;
        };
        let at = file.module.ops[alter.op].range;
        if file.stmt_is_new(alter.op, alter.stmt) || proven(file, at, &column) {
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
