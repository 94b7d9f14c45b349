use crate::prelude::*;
use crate::rule::after_unknown_exit;

pub struct NotNullWithoutBackfill;

static META: RuleMeta = RuleMeta {
    code: "ML202",
    name: "not-null-without-backfill",
    summary: "`alter_column(nullable=False)` with no backfill of the column earlier in the migration",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for NotNullWithoutBackfill {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn uses_model(&self) -> bool {
        true
    }

    /// A project rule: it asks the semantic model whether the column is
    /// already NOT NULL (the history says so, or it is a primary key),
    /// whether the table was created in this function, and whether the
    /// column was backfilled since it last became nullable, in this
    /// revision or the one before it.
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        super::ml2xx_sql::set_not_null_sql(project, &META, out);
        let model = project.schema();
        for fi in 0..project.files.len() {
            let file = project.file_context(fi);
            let parents = model.parents(fi);
            for (i, op) in file.module.ops.iter().enumerate() {
                let Some(c) = candidate(&file, op) else {
                    continue;
                };
                let mut reaching = c.reaching;
                // on every dialect that fails: nullable since its table was
                // created, and no INSERT of the migrations left it NULL
                let mut only_app_data = true;
                let here = |o: Option<miglint_schema::Origin>| {
                    o.is_some_and(|o| o.in_function(fi, op.func))
                };
                let recent = |o: Option<miglint_schema::Origin>| {
                    o.is_some_and(|o| o.file as usize == fi || parents.contains(&(o.file as usize)))
                };
                for (d, facts) in model.facts_for(fi, i, c.reaching) {
                    let table_ok = facts
                        .table
                        .as_ref()
                        .is_some_and(|t| here(t.created) || here(t.uncertain) || here(t.emptied));
                    let col_ok = facts.column.as_ref().is_some_and(|col| {
                        col.nullable == Some(false)
                            || col.primary_key
                            || recent(col.backfilled)
                            || recent(col.maybe_backfilled)
                            || (here(col.added) && col.server_default)
                            // A type change or rename must restate nullability
                            // on MySQL (MODIFY), so `nullable=False` there
                            // usually keeps NOT NULL; without history saying
                            // otherwise, trust it.
                            || (col.nullable.is_none()
                                && (op.kwarg("type_").is_some()
                                    || op.kwarg("new_column_name").is_some()))
                    });
                    if table_ok || col_ok {
                        reaching = reaching.intersect(DialectSet::single(d).complement());
                    } else if !facts.column.as_ref().is_some_and(|col| {
                        col.nullable_since_creation && col.null_written.is_none()
                    }) {
                        only_app_data = false;
                    }
                }
                if reaching.is_empty() {
                    continue;
                }
                // facts missing for a failing dialect: nothing known
                only_app_data &=
                    model.facts_for(fi, i, reaching).count() == reaching.iter().count();
                let d = diagnostic(
                    &file,
                    op,
                    c.nullable,
                    &c.column,
                    c.col_range,
                    &c.table,
                    reaching,
                );
                let d = if only_app_data {
                    application_nulls(d)
                } else {
                    d
                };
                out.push((fi, after_unknown_exit(d, op)));
            }
        }
    }
}

/// The column has been nullable since its table was created and no
/// migration wrote a row that leaves it NULL: a NULL there can only come
/// from the application, which miglint cannot see, so the failure is a
/// possibility, not a finding about the migrations: a warning.
fn application_nulls(mut d: Diagnostic) -> Diagnostic {
    if d.severity == Severity::Error {
        d.severity = Severity::Warning;
        d.message.push_str(
            " (the column has been nullable since its table was created and no migration \
             leaves it NULL: whether rows hold NULL depends on what the application stored)",
        );
    }
    d
}

struct Candidate<'o> {
    table: String,
    column: String,
    col_range: TextRange,
    nullable: &'o miglint_python::Keyword,
    reaching: DialectSet,
}

/// `alter_column(nullable=False)` of a literal column, in
/// `upgrade()`/`downgrade()`, that does not say it restates NOT NULL.
fn candidate<'o>(file: &FileContext<'_>, op: &'o Op) -> Option<Candidate<'o>> {
    if op.name != "alter_column"
        || !matches!(
            file.module.func_kind(op),
            FuncKind::Upgrade | FuncKind::Downgrade
        )
    {
        return None;
    }
    let nullable = op.kwarg("nullable")?;
    if nullable.value.bool_value() != Some(false) {
        return None;
    }
    // Already NOT NULL: the call restates it (renames, type changes).
    if op
        .kwarg("existing_nullable")
        .and_then(|k| k.value.bool_value())
        == Some(false)
    {
        return None;
    }
    // Outside batch, SQLite rejects any ALTER COLUMN whatever the
    // data (ML106); the NULL rows matter there only in batch mode.
    let mut reaching = file.reaching(op);
    if !op.in_batch() {
        reaching = reaching.intersect(DialectSet::single(Dialect::Sqlite).complement());
    }
    if reaching.is_empty() {
        return None;
    }
    let col_index = usize::from(!op.in_batch());
    let (cname, col_range) = op
        .arg_or_kw(col_index, "column_name")
        .and_then(|e| e.str_value().map(|s| (s, e.range)))?;
    let table = op.table()?;
    Some(Candidate {
        table: table.value,
        column: cname.to_string(),
        col_range,
        nullable,
        reaching,
    })
}

fn diagnostic(
    file: &FileContext<'_>,
    op: &Op,
    nullable: &miglint_python::Keyword,
    cname: &str,
    col_range: TextRange,
    tname: &str,
    reaching: DialectSet,
) -> Diagnostic {
    let mut failures = Vec::new();
    if reaching.contains(Dialect::Postgresql) {
        failures.push(format!(
            "PostgreSQL `column \"{cname}\" of relation \"{tname}\" contains null values`"
        ));
    }
    if reaching.contains(Dialect::Mysql) {
        failures.push(format!(
            "MariaDB `(1265, \"Data truncated for column '{cname}' at row 1\")` (MySQL not \
             measured)"
        ));
    }
    if reaching.contains(Dialect::Sqlite) {
        failures.push(format!(
            "SQLite `NOT NULL constraint failed: _alembic_tmp_{tname}.{cname}`"
        ));
    }
    let mut message = format!(
        "setting \"{cname}\" of \"{tname}\" to NOT NULL fails if any row still holds NULL, and \
         nothing earlier in this migration or the revision before it backfills it: {}",
        failures.join(", ")
    );
    let server_default = op.kwarg("server_default").filter(|k| !k.value.is_none());
    if server_default.is_some() {
        message.push_str(
            "; the `server_default` in this call applies to new rows only (documented \
             PostgreSQL behaviour), it does not fill existing NULLs",
        );
    }
    let batch_note = if file.targets.contains(Dialect::Sqlite) && !op.in_batch() {
        " (on SQLite, run the alter_column inside `batch_alter_table`)"
    } else {
        ""
    };
    let help = format!(
        "backfill first, in this migration: `op.execute(\"UPDATE {tname} SET {cname} = ... WHERE \
         {cname} IS NULL\")` before this call{batch_note}. If the column already is NOT NULL and \
         this call only restates it, say so with `existing_nullable=False`"
    );
    let mut d = META
        .diag(nullable.range(), message)
        .fails_on(reaching)
        .with_label(col_range, format!("column \"{cname}\" of \"{tname}\""))
        .with_help(help);
    if let Some(sd) = server_default {
        d = d.with_label(sd.range(), "sets the default for future rows only");
    }
    d
}
