//! An `UPDATE` that assigns the same column twice, or an `INSERT` that lists
//! a column twice: PostgreSQL rejects the statement (`multiple assignments
//! to same column`, `column ... specified more than once`), so the
//! migration fails on every run (tests/truth/cases/ml606_*).

use std::collections::HashSet;

use miglint_sql::StmtKind;

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

/// The column list of `INSERT INTO name (a, b, ...)`, normalised like
/// table names (unquoted lowercased, quoted exact); `None` when the text
/// has no plain column list.
fn insert_columns(text: &str) -> Option<Vec<String>> {
    let upper = text.to_ascii_uppercase();
    let into = upper.find("INTO")? + 4;
    let open = into + text[into..].find('(')?;
    // only a table name between INTO and the parenthesis
    let name = text[into..open].trim();
    if name.is_empty() || name.contains(char::is_whitespace) && !name.starts_with('"') {
        return None;
    }
    let close = open + text[open..].find(')')?;
    let inner = &text[open + 1..close];
    if inner.contains('(') {
        return None;
    }
    let mut out = Vec::new();
    for part in inner.split(',') {
        let p = part.trim();
        let col = if let Some(q) = p.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            q.to_string()
        } else if !p.is_empty() && p.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            p.to_ascii_lowercase()
        } else {
            return None;
        };
        out.push(col);
    }
    Some(out)
}
