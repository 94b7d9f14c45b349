use crate::prelude::*;
use crate::rules::ml2xx_facts::{Facts, RevisionGraph, file_context, same};

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

    /// A project rule so that it can look at earlier revisions: an
    /// `alter_column(nullable=False)` of a column that the revision history
    /// already made NOT NULL only restates it (a type change, a rename).
    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let graph = RevisionGraph::new(project);
        for (fi, pf) in project.files.iter().enumerate() {
            let file = file_context(pf, project.alembic_version);
            for c in candidates(&file) {
                let op = &pf.module.ops[c.op];
                match was_not_null(project, &graph, fi, op, c.op, &c.table, &c.column) {
                    Some(true) => continue,
                    // A type change or rename must restate nullability on
                    // MySQL (MODIFY), so `nullable=False` there usually keeps
                    // NOT NULL; without history saying otherwise, trust it.
                    None if op.kwarg("type_").is_some()
                        || op.kwarg("new_column_name").is_some() =>
                    {
                        continue;
                    }
                    _ => {}
                }
                out.push((fi, c.diagnostic));
            }
        }
    }
}

struct Candidate {
    op: usize,
    table: String,
    column: String,
    diagnostic: Diagnostic,
}

/// The per-file part: `alter_column(nullable=False)` with nothing earlier
/// in the function that leaves the column without NULLs.
fn candidates(file: &FileContext<'_>) -> Vec<Candidate> {
    let facts = Facts::new(file);
    let mut out = Vec::new();
    for (i, op) in file.module.ops.iter().enumerate() {
        if op.name != "alter_column" || !facts.in_migration_func(op) {
            continue;
        }
        let Some(nullable) = op.kwarg("nullable") else {
            continue;
        };
        if nullable.value.bool_value() != Some(false) {
            continue;
        }
        // Already NOT NULL: the call restates it (renames, type changes).
        if op
            .kwarg("existing_nullable")
            .and_then(|k| k.value.bool_value())
            == Some(false)
        {
            continue;
        }
        // Outside batch, SQLite rejects any ALTER COLUMN whatever the
        // data (ML106); the NULL rows matter there only in batch mode.
        let mut reaching = file.reaching(op);
        if !op.in_batch() {
            reaching = reaching.intersect(DialectSet::single(Dialect::Sqlite).complement());
        }
        if reaching.is_empty() {
            continue;
        }
        let col_index = usize::from(!op.in_batch());
        let Some((cname, col_range)) = op
            .arg_or_kw(col_index, "column_name")
            .and_then(|e| e.str_value().map(|s| (s, e.range)))
        else {
            continue;
        };
        let Some(table) = op.table() else {
            continue;
        };
        let tname = table.value.as_str();
        if facts.created_before(op.func, i, tname).is_some()
            || facts.backfilled_before(op.func, i, tname, cname)
        {
            continue;
        }
        if let Some((_, true)) = facts.added_before(op.func, i, tname, cname) {
            continue;
        }
        out.push(Candidate {
            op: i,
            table: tname.to_string(),
            column: cname.to_string(),
            diagnostic: diagnostic(file, op, nullable, cname, col_range, tname, reaching),
        });
    }
    out
}

/// What the history says about `table.column` right before op `i` of file
/// `fi`: `Some(true)` when the latest change before it made the column NOT
/// NULL, `Some(false)` when nullable, `None` when unknown. Looks at the
/// earlier ops of the same function, then (for a downgrade) the file's own
/// upgrade, then the ancestors' upgrades, nearest first, following table
/// and column renames backwards.
fn was_not_null(
    project: &Project<'_>,
    graph: &RevisionGraph,
    fi: usize,
    op: &Op,
    i: usize,
    table: &str,
    column: &str,
) -> Option<bool> {
    let mut names = (table.to_string(), column.to_string());
    let m = project.files[fi].module;
    let same_func = m.ops[..i].iter().filter(|o| o.func == op.func);
    if let Some(state) = latest_state(same_func, &mut names) {
        return state;
    }
    if m.func_kind(op) == FuncKind::Downgrade {
        let own = m.ops.iter().filter(|o| m.func_kind(o) == FuncKind::Upgrade);
        if let Some(state) = latest_state(own, &mut names) {
            return state;
        }
    }
    for a in graph.ancestors(fi) {
        let am = project.files[a].module;
        let ops = am
            .ops
            .iter()
            .filter(|o| am.func_kind(o) == FuncKind::Upgrade);
        if let Some(state) = latest_state(ops, &mut names) {
            return state;
        }
    }
    None
}

/// The last op of `ops` (in source order) that decides the nullability of
/// the column `names` = (table, column): `Some(Some(not_null))`, or
/// `Some(None)` when the trail ends (dropped, not literal); `None` when no
/// op decides it. Renames met on the way update `names` to the older names.
fn latest_state<'o>(
    ops: impl DoubleEndedIterator<Item = &'o Op>,
    names: &mut (String, String),
) -> Option<Option<bool>> {
    for op in ops.rev() {
        let (table, column) = (names.0.clone(), names.1.clone());
        let on_table = op.table().is_some_and(|t| same(&t.value, &table));
        let col_arg = op
            .arg_or_kw(usize::from(!op.in_batch()), "column_name")
            .and_then(|e| e.str_value());
        match op.name.as_str() {
            "alter_column" if on_table => {
                let renamed_to = op
                    .kwarg("new_column_name")
                    .and_then(|k| k.value.str_value());
                let this_column = match renamed_to {
                    Some(new) if same(new, &column) => match col_arg {
                        Some(old) => {
                            names.1 = old.to_string();
                            true
                        }
                        None => return Some(None),
                    },
                    Some(_) => false,
                    None => col_arg.is_some_and(|c| same(c, &column)),
                };
                if !this_column {
                    continue;
                }
                let literal = |k: &str| op.kwarg(k).and_then(|k| k.value.bool_value());
                if let Some(n) = literal("nullable").or_else(|| literal("existing_nullable")) {
                    return Some(Some(!n));
                }
            }
            "add_column" | "create_table" if on_table => {
                if let Some(col) = op
                    .columns()
                    .find(|c| c.name().is_some_and(|n| same(&n.value, &column)))
                {
                    let not_null = col.nullable() == Some(false) || col.primary_key();
                    return Some(Some(not_null));
                }
            }
            "drop_column" if on_table && col_arg.is_some_and(|c| same(c, &column)) => {
                return Some(None);
            }
            "drop_table" if on_table => return Some(None),
            "rename_table" => {
                let old = op
                    .arg_or_kw(0, "old_table_name")
                    .and_then(|e| e.str_value());
                let new = op
                    .arg_or_kw(1, "new_table_name")
                    .and_then(|e| e.str_value());
                match (old, new) {
                    (Some(old), Some(new)) if same(new, &table) => names.0 = old.to_string(),
                    (Some(old), _) if same(old, &table) => return Some(None),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    None
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
         nothing earlier in this migration backfills it: {}",
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
