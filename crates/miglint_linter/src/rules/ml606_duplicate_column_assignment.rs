//! An `UPDATE` that assigns the same column twice, or an `INSERT` that lists
//! a column twice: PostgreSQL rejects the statement (`multiple assignments
//! to same column`, `column ... specified more than once`), so the
//! migration fails on every run (tests/truth/cases/ml606_*).

use std::collections::HashSet;

use miglint_sql::{StmtKind, insert_columns};

use crate::prelude::*;

pub struct DuplicateColumnAssignment;

static META: RuleMeta = RuleMeta {
    code: "ML606",
    name: "duplicate-column-assignment",
    summary: "an UPDATE that assigns a column twice, or an INSERT that lists a column twice, fails on PostgreSQL",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql),
};

impl Rule for DuplicateColumnAssignment {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for exec in file.sql {
            let op = &file.module.ops[exec.op];
            if !file.reaching(op).contains(Dialect::Postgresql) {
                continue;
            }
            for stmt in &exec.statements {
                let (columns, error) = match &stmt.kind {
                    StmtKind::Update { .. } => match stmt.update_info() {
                        Some(u) => (u.set_columns.clone(), "multiple assignments to same column"),
                        None => continue,
                    },
                    StmtKind::Insert { .. } => match insert_columns(stmt.text(&exec.lit.value)) {
                        Some(c) => (c, "specified more than once"),
                        None => continue,
                    },
                    _ => continue,
                };
                let Some(dup) = first_duplicate(&columns) else {
                    continue;
                };
                let message = if error.starts_with("multiple") {
                    format!(
                        "this UPDATE assigns `{dup}` twice; PostgreSQL rejects it: `multiple \
                         assignments to same column \"{dup}\"`"
                    )
                } else {
                    format!(
                        "this INSERT lists `{dup}` twice; PostgreSQL rejects it: `column \
                         \"{dup}\" specified more than once`"
                    )
                };
                out.push(
                    META.diag(exec.file_range(stmt.range.clone()), message)
                        .with_help("assign each column once"),
                );
            }
        }
    }
}

fn first_duplicate(columns: &[String]) -> Option<&str> {
    let mut seen = HashSet::new();
    columns
        .iter()
        .find(|c| !seen.insert(c.as_str()))
        .map(String::as_str)
}
