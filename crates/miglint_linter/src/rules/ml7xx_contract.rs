//! The "contract" changes of a revision (expand/contract): renames and
//! drops of tables and columns, and changes that take a guarantee away
//! from running code (`DROP NOT NULL`, dropping the default of a NOT NULL
//! column). The application code of the previous release keeps running
//! during a rolling deploy and still uses the old names and guarantees.
//! One pass, shared by ML708-ML713; each rule keeps the kinds it reports.
//!
//! A change to a table created earlier in the same function, or to a column
//! added there, is no contract change (nobody uses it yet). An emptied table
//! is: the running code still names it and its columns.

use std::collections::HashMap;

use miglint_sql::DdlChange;

use super::ml7xx_context::{OnlineFile, applies_on, kw_true};
use crate::prelude::*;

/// One contract change.
pub(crate) enum Change {
    RenameColumn {
        table: String,
        from: String,
        to: String,
    },
    RenameTable {
        from: String,
        to: String,
    },
    DropColumn {
        table: String,
        column: String,
    },
    DropTable {
        table: String,
    },
    DropNotNull {
        table: String,
        column: String,
    },
    DropDefault {
        table: String,
        column: String,
    },
}

/// A change and where to report it.
pub(crate) struct Found {
    pub change: Change,
    pub range: TextRange,
}

/// The column argument of `alter_column` / `drop_column` (first in a batch).
pub(crate) fn column_arg(op: &Op) -> Option<&str> {
    let at = if op.in_batch() { 0 } else { 1 };
    op.arg_or_kw(at, "column_name").and_then(Expr::str_value)
}

/// Every contract change of the file's `upgrade()` on `dialects`, in order,
/// except a rename or drop of a name that another op of the same function
/// gives: later (a table rebuilt under its name, a column swapped for one of
/// a new type: the running code still finds what it names) or earlier (a
/// temporary name the running code never knew).
pub(crate) fn contract_changes(file: &OnlineFile<'_, '_>, dialects: DialectSet) -> Vec<Found> {
    let mut out: Vec<(usize, Found)> = Vec::new();
    // the names the literal SQL gives (the ops' names are read below, only
    // when a change takes a name away)
    let mut literal_named: Vec<(usize, Name)> = Vec::new();
    let applying = || {
        file.module
            .ops
            .iter()
            .enumerate()
            .filter(|(_, op)| applies_on(file, op, dialects))
    };
    for (i, op) in applying() {
        if op.name == "execute" {
            let mut found = Vec::new();
            literal_changes(file, i, &mut found, &mut literal_named);
            out.extend(found.into_iter().map(|f| (i, f)));
        } else if let Some(f) = op_change(file, i, op) {
            out.push((i, f));
        }
    }
    if out.is_empty() {
        return Vec::new();
    }
    // columns given a default or NOT NULL earlier in a function: dropping
    // that default later in it takes nothing the running code knew. By
    // name: the first op that does.
    if out
        .iter()
        .any(|(_, f)| matches!(f.change, Change::DropDefault { .. }))
    {
        let mut set_first: HashMap<(usize, Name), usize> = HashMap::new();
        for (i, op) in applying() {
            if op.name != "execute"
                && let Some(n) = sets_default_or_not_null(op)
            {
                set_first.entry((op.func, n)).or_insert(i);
            }
        }
        let ops = &file.module.ops;
        out.retain(|(i, f)| match &f.change {
            Change::DropDefault { table, column } => set_first
                .get(&(ops[*i].func, column_name(table, column)))
                .is_none_or(|first| first >= i),
            _ => true,
        });
    }
    if !out.iter().any(|(_, f)| f.change.old_name().is_some()) {
        return out.into_iter().map(|(_, f)| f).collect();
    }
    // every name given in a function, with the op that gives it (`None`:
    // more than one op does)
    let func = |i: usize| file.module.ops[i].func;
    let mut named: HashMap<(usize, Name), Option<usize>> = HashMap::new();
    let mut give = |i: usize, n: Name| {
        named
            .entry((func(i), n))
            .and_modify(|by| {
                if *by != Some(i) {
                    *by = None;
                }
            })
            .or_insert(Some(i));
    };
    for (i, op) in applying() {
        if op.name != "execute" {
            for n in op_names(op) {
                give(i, n);
            }
        }
    }
    for (i, n) in literal_named {
        give(i, n);
    }
    out.into_iter()
        .filter(|(i, f)| {
            let Some(old) = f.change.old_name() else {
                return true;
            };
            // another op of the function gives the name
            named.get(&(func(*i), old)).is_none_or(|by| *by == Some(*i))
        })
        .map(|(_, f)| f)
        .collect()
}

/// The column an `alter_column` gives a server default or NOT NULL.
fn sets_default_or_not_null(op: &Op) -> Option<Name> {
    if op.name != "alter_column" {
        return None;
    }
    let default = op
        .kwarg("server_default")
        .is_some_and(|k| !k.value.is_none());
    let not_null = op.kwarg("nullable").and_then(|k| k.value.bool_value()) == Some(false);
    if !(default || not_null) {
        return None;
    }
    Some(column_name(&op.table()?.value, column_arg(op)?))
}

/// A table or column name, lowercased.
#[derive(PartialEq, Eq, Hash)]
enum Name {
    Table(String),
    Column(String, String),
}

fn table_name(t: &str) -> Name {
    Name::Table(t.to_ascii_lowercase())
}

fn column_name(t: &str, c: &str) -> Name {
    Name::Column(t.to_ascii_lowercase(), c.to_ascii_lowercase())
}

impl Change {
    /// The name a rename or drop takes away.
    fn old_name(&self) -> Option<Name> {
        match self {
            Change::RenameColumn { table, from, .. } => Some(column_name(table, from)),
            Change::DropColumn { table, column } => Some(column_name(table, column)),
            Change::RenameTable { from, .. } => Some(table_name(from)),
            Change::DropTable { table } => Some(table_name(table)),
            Change::DropNotNull { .. } | Change::DropDefault { .. } => None,
        }
    }
}

/// The names an op gives (creates, adds, renames to).
fn op_names(op: &Op) -> impl Iterator<Item = Name> + '_ {
    let table = op.table().map(|t| t.value);
    let mut out = Vec::new();
    match op.name.as_str() {
        "create_table" => out.extend(table.map(|t| table_name(&t))),
        "rename_table" => out.extend(
            op.arg_or_kw(1, "new_table_name")
                .and_then(Expr::str_value)
                .map(table_name),
        ),
        "add_column" => {
            if let Some(t) = &table {
                out.extend(
                    op.columns()
                        .filter_map(|c| c.name())
                        .map(|n| column_name(t, &n.value)),
                );
            }
        }
        "alter_column" => {
            if let (Some(t), Some(to)) = (
                &table,
                op.kwarg("new_column_name")
                    .and_then(|k| k.value.str_value()),
            ) {
                out.push(column_name(t, to));
            }
        }
        _ => {}
    }
    out.into_iter()
}

fn op_change(file: &OnlineFile<'_, '_>, i: usize, op: &Op) -> Option<Found> {
    match op.name.as_str() {
        "rename_table" => {
            let from = op.arg_or_kw(0, "old_table_name")?.str_value()?;
            let to = op.arg_or_kw(1, "new_table_name")?.str_value()?;
            (!file.is_created(i, None)).then(|| Found {
                change: Change::RenameTable {
                    from: from.to_string(),
                    to: to.to_string(),
                },
                range: op.name_range,
            })
        }
        "drop_table" => {
            let table = op.table()?;
            (!file.is_created(i, None)).then_some(Found {
                change: Change::DropTable { table: table.value },
                range: op.name_range,
            })
        }
        "drop_column" => {
            let table = op.table()?.value;
            let column = column_arg(op)?.to_string();
            (!file.is_created(i, None) && !file.column_is_new(i)).then_some(Found {
                change: Change::DropColumn { table, column },
                range: op.name_range,
            })
        }
        "alter_column" => alter_change(file, i, op),
        _ => None,
    }
}

/// `alter_column`: a rename (`new_column_name=`), `nullable=True` on a
/// column known NOT NULL, `server_default=None` on a NOT NULL column known
/// to have a default.
fn alter_change(file: &OnlineFile<'_, '_>, i: usize, op: &Op) -> Option<Found> {
    let table = op.table()?.value;
    let column = column_arg(op)?.to_string();
    if file.is_created(i, None) || file.column_is_new(i) {
        return None;
    }
    if let Some(k) = op.kwarg("new_column_name")
        && let Some(to) = k.value.str_value()
        && !names_equal(to, &column)
    {
        return Some(Found {
            change: Change::RenameColumn {
                table,
                from: column,
                to: to.to_string(),
            },
            range: k.range(),
        });
    }
    let existing_not_null = op
        .kwarg("existing_nullable")
        .and_then(|k| k.value.bool_value())
        == Some(false);
    let known_not_null = existing_not_null
        || file
            .column_facts(i)
            .any(|c| c.nullable == Some(false) || c.primary_key);
    if kw_true(op, "nullable") && known_not_null && !already_nullable(file, i) {
        let k = op.kwarg("nullable")?;
        return Some(Found {
            change: Change::DropNotNull { table, column },
            range: k.range(),
        });
    }
    if let Some(k) = op.kwarg("server_default")
        && k.value.is_none()
        && op.kwarg("nullable").and_then(|n| n.value.bool_value()) != Some(true)
        && known_not_null
        && file.column_facts(i).any(|c| c.server_default)
    {
        return Some(Found {
            change: Change::DropDefault { table, column },
            range: k.range(),
        });
    }
    None
}

/// The model says the column is nullable already on some dialect (so the
/// change takes nothing away there).
fn already_nullable(file: &OnlineFile<'_, '_>, i: usize) -> bool {
    file.column_facts(i)
        .any(|c| c.nullable == Some(true) && !c.primary_key)
}

fn names_equal(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// The contract changes of the literal SQL of `execute` op `i`.
fn literal_changes(
    file: &OnlineFile<'_, '_>,
    i: usize,
    out: &mut Vec<Found>,
    named: &mut Vec<(usize, Name)>,
) {
    let Some(exec) = file.exec(i) else { return };
    for (k, stmt) in exec.statements.iter().enumerate() {
        let Some(changes) = stmt.ddl() else { continue };
        for c in changes {
            named.extend(
                match c {
                    DdlChange::CreateTable { table, .. } => Some(table_name(table)),
                    DdlChange::RenameTable { to, .. } => Some(table_name(to)),
                    DdlChange::AddColumn { table, column } => {
                        Some(column_name(table, &column.name))
                    }
                    DdlChange::RenameColumn { table, to, .. } => Some(column_name(table, to)),
                    _ => None,
                }
                .map(|n| (i, n)),
            );
        }
        if file.is_created(i, Some(k)) {
            continue;
        }
        let range = exec.file_range(stmt.range.clone());
        for c in changes {
            let change = match c {
                DdlChange::RenameColumn { table, from, to } => Change::RenameColumn {
                    table: table.clone(),
                    from: from.clone(),
                    to: to.clone(),
                },
                DdlChange::RenameTable { from, to } => Change::RenameTable {
                    from: from.clone(),
                    to: to.clone(),
                },
                DdlChange::DropColumn { table, column } => Change::DropColumn {
                    table: table.clone(),
                    column: column.clone(),
                },
                DdlChange::DropTable { table, .. } => Change::DropTable {
                    table: table.clone(),
                },
                DdlChange::SetNotNull {
                    table,
                    column,
                    not_null: false,
                } => Change::DropNotNull {
                    table: table.clone(),
                    column: column.clone(),
                },
                _ => continue,
            };
            out.push(Found { change, range });
        }
    }
}

/// Every revision's contract changes (see [`contract_changes`], on every
/// dialect), by index into `project.files`: made once, read by each of
/// ML708-ML713.
struct ContractChanges(Vec<Vec<Found>>);

impl ContractChanges {
    fn of(project: &Project<'_>) -> ContractChanges {
        let mut all: Vec<Vec<Found>> = (0..project.files.len()).map(|_| Vec::new()).collect();
        super::ml7xx_context::each_online_file(project, |file| {
            all[file.index] = contract_changes(file, DialectSet::ALL);
        });
        ContractChanges(all)
    }
}

/// Runs a contract rule: every change `message` answers for becomes a
/// finding of `meta` with `help`.
pub(crate) fn report(
    project: &Project<'_>,
    out: &mut Vec<(usize, Diagnostic)>,
    meta: &'static RuleMeta,
    help: &'static str,
    message: impl Fn(&Change) -> Option<String>,
) {
    debug_assert_eq!(
        meta.dialects,
        DialectSet::ALL,
        "the changes are on every dialect"
    );
    let changes = project.shared(ContractChanges::of);
    for (index, found) in changes.0.iter().enumerate() {
        for f in found {
            if let Some(m) = message(&f.change) {
                out.push((index, meta.diag(f.range, m).with_help(help)));
            }
        }
    }
}
