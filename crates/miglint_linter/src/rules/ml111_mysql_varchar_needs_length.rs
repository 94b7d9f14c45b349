use miglint_python::Spanned;

use crate::prelude::*;
use crate::rules::ml1xx_alter::AlterColumn;

pub struct MysqlVarcharNeedsLength;

static META: RuleMeta = RuleMeta {
    code: "ML111",
    name: "mysql-varchar-needs-length",
    summary: "`sa.String()` / `sa.VARCHAR()` without a length when MySQL is targeted: SQLAlchemy cannot compile it for MySQL",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Mysql),
};

impl Rule for MysqlVarcharNeedsLength {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for op in &file.module.ops {
            if op.in_try || !file.reaching(op).contains(Dialect::Mysql) {
                continue;
            }
            match op.name.as_str() {
                "create_table" | "add_column" => {
                    for column in op.columns() {
                        if let Some(t) = column.type_expr() {
                            check(t, column.name(), Site::Column, out);
                        }
                    }
                }
                "alter_column" => {
                    let Some(alter) = AlterColumn::of(op) else {
                        continue;
                    };
                    let name = alter.column().and_then(|e| {
                        e.str_value().map(|s| Spanned {
                            value: s.to_string(),
                            range: e.range,
                        })
                    });
                    if let Some(t) = alter.type_ {
                        check(&t.value, name, Site::NewType, out);
                    } else if let Some(existing) = alter.existing_type
                        && alter.mysql_change().is_some()
                    {
                        check(&existing.value, name, Site::ExistingType, out);
                    }
                }
                _ => {}
            }
        }
    }
}

#[derive(Clone, Copy)]
enum Site {
    Column,
    NewType,
    /// `existing_type=` of an alter_column that MySQL runs as MODIFY/CHANGE.
    ExistingType,
}

fn check(expr: &Expr, column: Option<Spanned<String>>, site: Site, out: &mut Vec<Diagnostic>) {
    let Some(sql_type) = lengthless(expr) else {
        return;
    };
    let mut message = format!(
        "MySQL/MariaDB needs a length for {sql_type}: SQLAlchemy stops before any SQL with `CompileError: {sql_type} requires a length on dialect mysql`"
    );
    if let Site::ExistingType = site {
        message.push_str(" (alembic restates `existing_type` in the MODIFY/CHANGE it emits)");
    }
    let mut diag = META.diag(expr.range, message);
    if let Some(c) = column {
        diag = diag.with_label(c.range, format!("column \"{}\"", c.value));
    }
    let help = match site {
        Site::ExistingType => {
            "give `existing_type` the column's current length, e.g. `sa.String(length=255)`"
        }
        Site::Column | Site::NewType => {
            "give it a length that fits the data, e.g. `sa.String(255)`, or use `sa.Text()` for unbounded text; PostgreSQL and SQLite accept both"
        }
    };
    out.push(diag.with_help(help));
}

/// `VARCHAR` / `NVARCHAR` when `expr` is a string type without a length
/// (`sa.String()`, `sa.String`, `sa.VARCHAR(collation="x")`, `sa.Unicode()`).
fn lengthless(expr: &Expr) -> Option<&'static str> {
    let (name, call) = match &expr.kind {
        ExprKind::Call(c) => (c.func.dotted()?, Some(c)),
        ExprKind::Name(_) | ExprKind::Attribute { .. } => (expr.dotted()?, None),
        _ => return None,
    };
    let sql_type = match last_segment(&name) {
        "String" | "VARCHAR" | "Unicode" => "VARCHAR",
        "NVARCHAR" => "NVARCHAR",
        _ => return None,
    };
    if let Some(call) = call {
        let length = call
            .args
            .first()
            .or_else(|| call.kwarg("length").map(|k| &k.value));
        if length.is_some_and(|e| !e.is_none()) {
            return None;
        }
    }
    Some(sql_type)
}
