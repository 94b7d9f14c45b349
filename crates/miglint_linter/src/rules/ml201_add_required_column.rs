use crate::prelude::*;
use crate::rules::ml2xx_facts::Facts;

pub struct AddRequiredColumn;

static META: RuleMeta = RuleMeta {
    code: "ML201",
    name: "add-required-column",
    summary: "`add_column(..., nullable=False)` without a `server_default` fails on a table that has rows",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for AddRequiredColumn {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let facts = Facts::new(file);
        for (i, op) in file.module.ops.iter().enumerate() {
            if op.name != "add_column" || !facts.in_migration_func(op) {
                continue;
            }
            let reaching = file.reaching(op);
            if reaching.is_empty() {
                continue;
            }
            let Some(col) = op.columns().next() else {
                continue;
            };
            let Some(nullable) = col.kwarg("nullable") else {
                continue;
            };
            if nullable.value.bool_value() != Some(false)
                || col.primary_key()
                || col.server_default().is_some()
                || generates_values(&col)
            {
                continue;
            }
            let table = facts.table_name(op);
            if let Some(t) = &table
                && (facts.created_before(op.func, i, t).is_some()
                    || facts.emptied_before(op.func, i, t))
            {
                continue;
            }
            out.push(diagnostic(file, &col, nullable, table.as_deref(), reaching));
        }
    }
}

/// Columns whose values the database generates: identity, computed,
/// sequence-backed.
fn generates_values(col: &Column<'_>) -> bool {
    col.call.args.iter().any(|a| {
        a.call_name()
            .is_some_and(|n| matches!(last_segment(&n), "Identity" | "Computed" | "Sequence"))
    })
}

fn diagnostic(
    file: &FileContext<'_>,
    col: &Column<'_>,
    nullable: &miglint_python::Keyword,
    table: Option<&str>,
    reaching: DialectSet,
) -> Diagnostic {
    let col_name = col.name().map(|n| n.value);
    let cname = col_name.as_deref().unwrap_or("x");
    let tname = table.unwrap_or("t");
    let quoted_col = col_name.as_deref().map_or_else(
        || "NOT NULL column".to_string(),
        |c| format!("NOT NULL column \"{c}\""),
    );
    let on_table = table.map_or_else(|| "the table".to_string(), |t| format!("\"{t}\""));

    let mut failures = Vec::new();
    if reaching.contains(Dialect::Postgresql) {
        failures.push(format!(
            "PostgreSQL `column \"{cname}\" of relation \"{tname}\" contains null values`"
        ));
    }
    if reaching.contains(Dialect::Sqlite) {
        failures.push("SQLite `Cannot add a NOT NULL column with default value NULL`".to_string());
    }
    let mut message = if failures.is_empty() {
        format!(
            "adding {quoted_col} without a server default to {on_table}: MariaDB accepts it but \
             silently fills the existing rows with 0 or '' (measured on MariaDB 10.11; MySQL \
             not measured)"
        )
    } else {
        let mut m = format!(
            "adding {quoted_col} without a server default fails when {on_table} has rows: {}",
            failures.join(", ")
        );
        if reaching.contains(Dialect::Mysql) {
            m.push_str(
                "; MariaDB silently fills the existing rows with 0 or '' (MySQL not measured)",
            );
        }
        m
    };
    let python_default = col.kwarg("default");
    if python_default.is_some() {
        message.push_str(
            " (`default=` is applied by SQLAlchemy when it inserts, it is not a server default \
             and does not fill existing rows)",
        );
    }

    let batch_note = if file.targets.contains(Dialect::Sqlite) {
        ". On SQLite, run `alter_column` inside `batch_alter_table`"
    } else {
        ""
    };
    let help = format!(
        "give the column a `server_default` that suits the existing rows (for a Boolean, \
         `server_default=sa.false()`), and drop it afterwards with `alter_column(..., \
         server_default=None)` if new rows must set the value; or add the column with \
         `nullable=True`, backfill it with `op.execute(\"UPDATE {tname} SET {cname} = ... WHERE \
         {cname} IS NULL\")`, then `alter_column(\"{tname}\", \"{cname}\", existing_type=..., \
         nullable=False)`{batch_note}"
    );

    let mut d = META
        .diag(nullable.range(), message)
        .fails_on(reaching)
        .with_help(help);
    if let Some(name) = col.name() {
        let label = match table {
            Some(t) => format!("added to \"{t}\", which may already have rows"),
            None => "added to a table that may already have rows".to_string(),
        };
        d = d.with_label(name.range, label);
    }
    if let Some(def) = python_default {
        d = d.with_label(def.range(), "Python-side default: not used by the database");
    }
    d
}
