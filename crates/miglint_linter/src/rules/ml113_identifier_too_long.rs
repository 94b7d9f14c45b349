//! An identifier longer than the target's limit: PostgreSQL 63 bytes,
//! MySQL 64 characters.
//!
//! Measured on PostgreSQL (tests/truth/cases/ml113_*): SQLAlchemy raises
//! `IdentifierError` for an explicit index or constraint name over the
//! limit; table and column names (and any name in raw SQL) are not checked
//! by SQLAlchemy and PostgreSQL truncates them to 63 bytes with a NOTICE
//! (a warning here: the migration passes, but the name in the database is
//! not the one written). Names wrapped in `op.f()`/`conv()` are truncated
//! by SQLAlchemy itself (with a hash suffix) and not reported. MySQL
//! rejects any identifier over 64 characters (documented).

use miglint_schema::names::literal_name;

use crate::prelude::*;

pub struct IdentifierTooLong;

static META: RuleMeta = RuleMeta {
    code: "ML113",
    name: "identifier-too-long",
    summary: "an identifier longer than the target's limit (PostgreSQL 63 bytes, MySQL 64 characters)",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Postgresql).with(Dialect::Mysql),
};

/// What kind of name: an index/constraint name goes through SQLAlchemy's
/// identifier check; a table/column name does not.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Constraint,
    Object,
    Sql,
}

impl Rule for IdentifierTooLong {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for (i, op) in file.module.ops.iter().enumerate() {
            let reaching = file.reaching(op);
            if !reaching.contains(Dialect::Postgresql) && !reaching.contains(Dialect::Mysql) {
                continue;
            }
            let mut names: Vec<(&Expr, Kind)> = Vec::new();
            collect(op, &mut names);
            for (e, kind) in names {
                // op.f()/conv(): SQLAlchemy truncates these itself
                if kind == Kind::Constraint && e.str_value().is_none() {
                    continue;
                }
                let Some(name) = literal_name(e) else {
                    continue;
                };
                if let Some(d) = check(name, e.range, kind, reaching) {
                    out.push(d);
                }
            }
            if let Some(sql) = file.exec(i) {
                for stmt in &sql.statements {
                    for c in stmt.ddl().unwrap_or(&[]) {
                        for n in ddl_names(c) {
                            let range = stmt
                                .text(&sql.lit.value)
                                .find(n)
                                .map(|at| {
                                    sql.file_range(
                                        stmt.range.start + at..stmt.range.start + at + n.len(),
                                    )
                                })
                                .unwrap_or(op.range);
                            if let Some(d) = check(n, range, Kind::Sql, reaching) {
                                out.push(d);
                            }
                        }
                    }
                }
            }
        }
    }
}

fn check(name: &str, range: TextRange, kind: Kind, reaching: DialectSet) -> Option<Diagnostic> {
    let pg = reaching.contains(Dialect::Postgresql) && name.len() > 63;
    let mysql = reaching.contains(Dialect::Mysql) && name.chars().count() > 64;
    if !pg && !mysql {
        return None;
    }
    let mut fails = DialectSet::EMPTY;
    // measured (an error); MySQL's limit is documented only (a warning)
    let mut measured = false;
    let mut parts = Vec::new();
    if pg {
        match kind {
            Kind::Constraint => {
                fails = fails.with(Dialect::Postgresql);
                measured = true;
                parts.push(format!(
                    "SQLAlchemy raises `IdentifierError: Identifier '{name}' exceeds maximum \
                     length of 63 characters` for PostgreSQL"
                ));
            }
            _ => parts.push(format!(
                "PostgreSQL silently truncates it to its first 63 bytes (`{}`)",
                truncate(name, 63)
            )),
        }
    }
    if mysql {
        fails = fails.with(Dialect::Mysql);
        parts.push(
            "MySQL rejects identifiers over 64 characters (error 1059, documented)".to_string(),
        );
    }
    let mut d = META
        .diag(
            range,
            format!(
                "identifier \"{name}\" is {} bytes long: {}",
                name.len(),
                parts.join("; ")
            ),
        )
        .fails_on(fails)
        .with_help(
            "shorten the name (keep it unique within its first 63 bytes), or wrap an index or \
             constraint name in `op.f()` to let SQLAlchemy truncate it with a hash suffix",
        );
    if !measured {
        d.severity = Severity::Warning;
    }
    Some(d)
}

fn truncate(name: &str, max: usize) -> &str {
    let mut end = max.min(name.len());
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    &name[..end]
}

/// The names an op gives to new objects or refers to.
fn collect<'o>(op: &'o Op, out: &mut Vec<(&'o Expr, Kind)>) {
    let batch = usize::from(op.in_batch());
    match op.name.as_str() {
        "create_table" => {
            if let Some(t) = op.args.first() {
                out.push((t, Kind::Object));
            }
            for a in op.args.iter().skip(1) {
                if let Some(c) = Column::from_expr(a) {
                    if let Some(n) = c.call.args.first() {
                        out.push((n, Kind::Object));
                    }
                    continue;
                }
                let Some(call) = a.as_call() else { continue };
                let callee = call.func.dotted().unwrap_or_default();
                match last_segment(&callee) {
                    "Index" => {
                        if let Some(n) = call.args.first() {
                            out.push((n, Kind::Constraint));
                        }
                    }
                    "PrimaryKeyConstraint"
                    | "UniqueConstraint"
                    | "ForeignKeyConstraint"
                    | "CheckConstraint" => {
                        if let Some(k) = call.kwarg("name") {
                            out.push((&k.value, Kind::Constraint));
                        }
                    }
                    _ => {}
                }
            }
        }
        "add_column" => {
            if let Some(c) = op.args.get(1 - batch).and_then(Column::from_expr)
                && let Some(n) = c.call.args.first()
            {
                out.push((n, Kind::Object));
            }
        }
        "rename_table" => {
            if let Some(n) = op.arg_or_kw(1, "new_table_name") {
                out.push((n, Kind::Object));
            }
        }
        "alter_column" => {
            if let Some(k) = op.kwarg("new_column_name") {
                out.push((&k.value, Kind::Object));
            }
        }
        "create_index"
        | "drop_index"
        | "create_unique_constraint"
        | "create_foreign_key"
        | "create_check_constraint"
        | "create_primary_key"
        | "create_exclude_constraint"
        | "drop_constraint" => {
            let key = if op.name.ends_with("index") {
                "index_name"
            } else {
                "constraint_name"
            };
            if let Some(n) = op.arg_or_kw(0, key) {
                out.push((n, Kind::Constraint));
            }
        }
        _ => {}
    }
}

/// The names a raw SQL DDL change creates.
fn ddl_names(c: &miglint_sql::DdlChange) -> Vec<&str> {
    use miglint_sql::DdlChange as D;
    match c {
        D::CreateTable { table, columns, .. } => std::iter::once(table.as_str())
            .chain(columns.iter().map(|c| c.name.as_str()))
            .collect(),
        D::AddColumn { column, .. } => vec![column.name.as_str()],
        D::RenameTable { to, .. } | D::RenameColumn { to, .. } => vec![to.as_str()],
        D::AddConstraint { name: Some(n), .. } | D::CreateIndex { name: Some(n), .. } => {
            vec![n.as_str()]
        }
        _ => vec![],
    }
}
