use crate::prelude::*;
use crate::rule::after_unknown_exit;

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

    fn uses_model(&self) -> bool {
        true
    }

    /// A project rule: it asks the semantic model whether the table can
    /// have rows at this op (created or emptied earlier in the same
    /// function) and how SQLite runs the batch.
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        super::ml2xx_sql::add_column_sql(project, &META, out);
        let model = project.schema();
        for fi in 0..project.files.len() {
            let file = project.file_context(fi);
            for (i, op) in file.module.ops.iter().enumerate() {
                if op.name != "add_column"
                    || !matches!(
                        file.module.func_kind(op),
                        FuncKind::Upgrade | FuncKind::Downgrade
                    )
                {
                    continue;
                }
                let mut reaching = file.reaching(op);
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
                let python_default = col.kwarg("default").is_some_and(|k| !k.value.is_none());
                for (d, facts) in model.facts_for(fi, i, reaching) {
                    let here = |o: Option<miglint_schema::Origin>| {
                        o.is_some_and(|o| o.in_function(fi, op.func))
                    };
                    let no_rows = facts
                        .table
                        .as_ref()
                        .is_some_and(|t| here(t.created) || here(t.emptied) || here(t.uncertain));
                    // SQLite batch mode that recreates the table copies the
                    // rows with INSERT ... SELECT, which fills the new
                    // column from its Python-side default.
                    let filled =
                        d == Dialect::Sqlite && facts.batch_recreates_on_sqlite && python_default;
                    if no_rows || filled {
                        reaching = reaching.intersect(DialectSet::single(d).complement());
                    }
                }
                if reaching.is_empty() {
                    continue;
                }
                // a literal, or a module-level constant (`TABLE = "t"`)
                let table = op.table().map(|t| t.value).or_else(|| {
                    match &op.arg_or_kw(0, "table_name")?.kind {
                        ExprKind::Name(n) if !op.in_batch() => {
                            file.module.binding(n)?.str_value().map(str::to_string)
                        }
                        _ => None,
                    }
                });
                let d = diagnostic(
                    &file,
                    &col,
                    nullable,
                    table.as_deref(),
                    reaching,
                    op.in_batch(),
                );
                out.push((fi, after_unknown_exit(d, op)));
            }
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
    col_in_batch: bool,
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
             and does not fill existing rows",
        );
        if reaching.contains(Dialect::Sqlite) && col_in_batch {
            message.push_str(
                "; on SQLite only a batch that copies the table fills them from it, and this \
                 batch holds no op that forces the copy",
            );
        }
        message.push(')');
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
    if failures.is_empty() {
        // only MySQL/MariaDB reaches it: the run succeeds and the rows get
        // 0 or '' (measured on MariaDB 10.11), a data hazard, not a failure
        d.severity = Severity::Warning;
    }
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
