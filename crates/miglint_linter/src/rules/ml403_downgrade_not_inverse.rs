//! Compares the literal names an `upgrade()` creates or drops with what its
//! `downgrade()` drops or recreates. Conservative by construction: any
//! doubt about the downgrade (a non-literal name, SQL built at run time, a
//! downgrade with no recognisable op at all) skips the file; anything a
//! helper function does counts for the downgrade; objects both created and
//! dropped (or renamed) by the upgrade are skipped.

use std::collections::HashSet;

use miglint_sql::StmtKind;

use crate::prelude::*;
use miglint_schema::names::{existence_guarded, literal_name, same};

pub struct DowngradeNotInverse;

static META: RuleMeta = RuleMeta {
    code: "ML403",
    name: "downgrade-not-inverse",
    summary: "`upgrade()` creates or drops a table, column or index that `downgrade()` never drops or recreates",
    severity: Severity::Warning,
    default_enabled: true,
    dialects: DialectSet::ALL,
};

impl Rule for DowngradeNotInverse {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        let m = file.module;
        let facts = file;
        for down in m.functions.iter().filter(|f| f.kind == FuncKind::Downgrade) {
            if down.shape != BodyShape::Code {
                continue; // empty / NotImplementedError: ML402's business
            }
            let engine = down.name.strip_prefix("downgrade");
            let Some(up_index) = m.functions.iter().position(|f| {
                f.kind == FuncKind::Upgrade && f.name.strip_prefix("upgrade") == engine
            }) else {
                continue;
            };
            let down_index = m
                .functions
                .iter()
                .position(|f| std::ptr::eq(f, down))
                .expect("listed");
            let Some(inverse) = Evidence::collect(facts, |f| {
                f == down_index || m.functions[f].kind == FuncKind::Other
            }) else {
                continue;
            };
            if !m.ops.iter().any(|op| op.func == down_index) {
                continue; // the downgrade works through code miglint does not model
            }
            let changes = Changes::collect(facts, up_index);
            check(file, down, &changes, &inverse, out);
        }
    }
}

/// One object the upgrade creates or drops, with the span of its name.
#[derive(Debug, Clone)]
struct Change {
    kind: Kind,
    created: bool,
    table: Option<String>,
    name: String,
    /// For indexes: the literal column names.
    columns: Vec<String>,
    range: TextRange,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Table,
    Column,
    Index,
}

#[derive(Default)]
struct Changes {
    list: Vec<Change>,
    renamed_tables: Vec<String>,
    renamed_columns: Vec<(String, String)>,
}

impl Changes {
    fn collect(facts: &FileContext<'_>, func: usize) -> Changes {
        let mut c = Changes::default();
        for (i, op) in facts.module.ops.iter().enumerate() {
            if op.func != func || facts.reaching(op).is_empty() {
                continue;
            }
            // `if "x" not in columns: add_column(...)` / `if has_table: drop`:
            // the object may exist before (or not after) the revision either
            // way, so there is no inverse to expect.
            let f = &facts.module.functions[op.func];
            if existence_guarded(facts.source, f, op) {
                continue;
            }
            let table = op.table().map(|t| t.value);
            let batch = op.in_batch();
            let push = |c: &mut Changes, kind, created, name: Option<&Expr>, cols: Vec<String>| {
                if let Some(e) = name
                    && let Some(n) = literal_name(e)
                {
                    c.list.push(Change {
                        kind,
                        created,
                        table: table.clone(),
                        name: n.to_string(),
                        columns: cols,
                        range: e.range,
                    });
                }
            };
            match op.name.as_str() {
                "create_table" if !batch => push(
                    &mut c,
                    Kind::Table,
                    true,
                    op.arg_or_kw(0, "table_name"),
                    vec![],
                ),
                "drop_table" if !batch => push(
                    &mut c,
                    Kind::Table,
                    false,
                    op.arg_or_kw(0, "table_name"),
                    vec![],
                ),
                "add_column" => {
                    if table.is_some()
                        && let Some(col) = op.columns().next()
                        && let Some(name) = col.name()
                    {
                        c.list.push(Change {
                            kind: Kind::Column,
                            created: true,
                            table: table.clone(),
                            name: name.value,
                            columns: vec![],
                            range: name.range,
                        });
                    }
                }
                "drop_column" if table.is_some() => push(
                    &mut c,
                    Kind::Column,
                    false,
                    op.arg_or_kw(usize::from(!batch), "column_name"),
                    vec![],
                ),
                "create_index" => {
                    let cols_at = if batch { 1 } else { 2 };
                    let cols = op
                        .arg_or_kw(cols_at, "columns")
                        .map(string_list)
                        .unwrap_or_default();
                    push(
                        &mut c,
                        Kind::Index,
                        true,
                        op.arg_or_kw(0, "index_name"),
                        cols,
                    );
                }
                "drop_index" => push(
                    &mut c,
                    Kind::Index,
                    false,
                    op.arg_or_kw(0, "index_name"),
                    vec![],
                ),
                "rename_table" => {
                    for k in [0, 1] {
                        let key = if k == 0 {
                            "old_table_name"
                        } else {
                            "new_table_name"
                        };
                        if let Some(n) = op.arg_or_kw(k, key).and_then(literal_name) {
                            c.renamed_tables.push(n.to_string());
                        }
                    }
                }
                "alter_column" => {
                    if let (Some(t), Some(new)) = (&table, op.kwarg("new_column_name")) {
                        let old = op
                            .arg_or_kw(usize::from(!batch), "column_name")
                            .and_then(literal_name);
                        for n in old.into_iter().chain(literal_name(&new.value)) {
                            c.renamed_columns.push((t.clone(), n.to_string()));
                        }
                    }
                }
                "execute" | "exec_driver_sql" => {
                    if let Some(exec) = facts.exec(i) {
                        for s in &exec.statements {
                            let range = exec.file_range(s.range.clone());
                            if let Some((old, new)) = raw_table_rename(s, &exec.lit.value) {
                                c.renamed_tables.push(old);
                                c.renamed_tables.push(new);
                                continue;
                            }
                            let (kind, created, table, name) = match &s.kind {
                                StmtKind::CreateTable { table: Some(t), .. } => {
                                    (Kind::Table, true, None, t.clone())
                                }
                                StmtKind::DropTable { table: Some(t), .. } => {
                                    (Kind::Table, false, None, t.clone())
                                }
                                StmtKind::CreateIndex {
                                    name: Some(n),
                                    table,
                                    ..
                                } => (Kind::Index, true, table.clone(), n.clone()),
                                StmtKind::DropIndex { name: Some(n), .. } => {
                                    (Kind::Index, false, None, n.clone())
                                }
                                _ => continue,
                            };
                            c.list.push(Change {
                                kind,
                                created,
                                table,
                                name,
                                columns: vec![],
                                range,
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        c
    }

    /// Whether the upgrade both creates and drops this object (a temporary
    /// table, a recreated index) or renames it, or it is a leftover of
    /// alembic's batch mode (`_alembic_tmp_*`): no net change to compare.
    fn churned(&self, ch: &Change) -> bool {
        if ch.name.starts_with("_alembic_tmp_") {
            return true;
        }
        let both = self.list.iter().any(|o| {
            o.kind == ch.kind
                && o.created != ch.created
                && same(&o.name, &ch.name)
                && (ch.kind != Kind::Column || opt_same(&o.table, &ch.table))
        });
        let renamed = match ch.kind {
            Kind::Table => self.renamed_tables.iter().any(|t| same(t, &ch.name)),
            Kind::Column => {
                self.renamed_columns
                    .iter()
                    .any(|(t, c)| opt_same(&Some(t.clone()), &ch.table) && same(c, &ch.name))
                    || ch
                        .table
                        .as_deref()
                        .is_some_and(|t| self.renamed_tables.iter().any(|r| same(r, t)))
            }
            Kind::Index => false,
        };
        both || renamed
    }

    /// Whether the upgrade itself creates (or drops) the table of `ch`.
    fn table_changed(&self, ch: &Change, created: bool) -> bool {
        ch.table.as_deref().is_some_and(|t| {
            self.list
                .iter()
                .any(|o| o.kind == Kind::Table && o.created == created && same(&o.name, t))
        })
    }
}

/// `ALTER TABLE old RENAME TO new` (not `RENAME COLUMN`): the two names.
fn raw_table_rename(stmt: &miglint_sql::SqlStatement, sql: &str) -> Option<(String, String)> {
    let StmtKind::AlterTable { table: Some(old) } = &stmt.kind else {
        return None;
    };
    let text = stmt.text(sql);
    let upper = text.to_ascii_uppercase();
    let at = upper.find(" RENAME TO ")?;
    let new = text[at + " RENAME TO ".len()..]
        .split_whitespace()
        .next()?
        .rsplit('.')
        .next()?
        .trim_matches(['"', '`', ';'])
        .to_string();
    (!new.is_empty()).then(|| (old.clone(), new))
}

fn opt_same(a: &Option<String>, b: &Option<String>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => same(a, b),
        _ => true,
    }
}

fn string_list(e: &Expr) -> Vec<String> {
    match &e.kind {
        ExprKind::List(items) | ExprKind::Tuple(items) => items
            .iter()
            .filter_map(|i| i.str_value().map(str::to_string))
            .collect(),
        _ => vec![],
    }
}

/// What the downgrade (and any helper function) drops and creates.
#[derive(Default)]
struct Evidence {
    dropped_tables: HashSet<String>,
    created_tables: HashSet<String>,
    /// `(table, column)`, lowercased.
    dropped_columns: HashSet<(String, String)>,
    added_columns: HashSet<(String, String)>,
    dropped_indexes: HashSet<String>,
    created_indexes: HashSet<String>,
    /// Tables a raw `ALTER TABLE`, a rename, or an opaque batch touches:
    /// any column change on them counts as undone.
    altered_tables: HashSet<String>,
    any_create_table: bool,
}

impl Evidence {
    /// `None` when some op of the inspected functions has a name miglint
    /// cannot read (a loop over names, SQL built at run time).
    fn collect(facts: &FileContext<'_>, include: impl Fn(usize) -> bool) -> Option<Evidence> {
        let mut ev = Evidence::default();
        let low = |s: &str| s.to_ascii_lowercase();
        for (i, op) in facts.module.ops.iter().enumerate() {
            if !include(op.func) {
                continue;
            }
            let batch = op.in_batch();
            let table = op.table().map(|t| low(&t.value));
            let name_at = |idx: usize, kw: &str| -> Result<Option<String>, ()> {
                match op.arg_or_kw(idx, kw) {
                    Some(e) => literal_name(e).map(|n| Some(low(n))).ok_or(()),
                    None => Ok(None),
                }
            };
            match op.name.as_str() {
                "drop_table" | "create_table" if !batch => {
                    let t = name_at(0, "table_name").ok()?;
                    let Some(t) = t else { continue };
                    if op.name == "drop_table" {
                        ev.dropped_tables.insert(t);
                    } else {
                        ev.any_create_table = true;
                        ev.created_tables.insert(t);
                    }
                }
                "drop_column" => {
                    let t = table.clone()?;
                    let c = name_at(usize::from(!batch), "column_name").ok()??;
                    ev.dropped_columns.insert((t, c));
                }
                "add_column" => {
                    let t = table.clone()?;
                    let c = op.columns().next().and_then(|c| c.name())?;
                    ev.added_columns.insert((t, low(&c.value)));
                }
                "drop_index" | "drop_constraint" => {
                    if let Some(n) = name_at(
                        0,
                        if op.name == "drop_index" {
                            "index_name"
                        } else {
                            "constraint_name"
                        },
                    )
                    .ok()?
                    {
                        ev.dropped_indexes.insert(n);
                    }
                }
                "create_index" | "create_unique_constraint" => {
                    let kw = if op.name == "create_index" {
                        "index_name"
                    } else {
                        "constraint_name"
                    };
                    if let Some(n) = name_at(0, kw).ok()? {
                        ev.created_indexes.insert(n);
                    }
                }
                "rename_table" => {
                    for (k, kw) in [(0, "old_table_name"), (1, "new_table_name")] {
                        if let Some(n) = name_at(k, kw).ok()? {
                            ev.dropped_tables.insert(n.clone());
                            ev.created_tables.insert(n.clone());
                            ev.altered_tables.insert(n);
                        }
                    }
                }
                "alter_column" if op.kwarg("new_column_name").is_some() => {
                    ev.altered_tables.insert(table.clone()?);
                }
                "execute" | "exec_driver_sql" => match (facts.exec(i), op.sql()) {
                    (Some(exec), _) => {
                        for s in &exec.statements {
                            if let Some((old, new)) = raw_table_rename(s, &exec.lit.value) {
                                for n in [old, new] {
                                    let n = n.to_ascii_lowercase();
                                    ev.dropped_tables.insert(n.clone());
                                    ev.created_tables.insert(n.clone());
                                    ev.altered_tables.insert(n);
                                }
                                continue;
                            }
                            ev.raw(&s.kind);
                        }
                    }
                    // data work through Core constructs cannot drop or create
                    (None, Some(SqlSource::Construct(_))) => {}
                    _ => return None,
                },
                _ => {}
            }
        }
        Some(ev)
    }

    fn raw(&mut self, kind: &StmtKind) {
        let low = |s: &String| s.to_ascii_lowercase();
        match kind {
            StmtKind::DropTable { table: Some(t), .. } => {
                self.dropped_tables.insert(low(t));
            }
            StmtKind::CreateTable { table: Some(t), .. } => {
                self.any_create_table = true;
                self.created_tables.insert(low(t));
            }
            StmtKind::DropIndex { name: Some(n), .. } => {
                self.dropped_indexes.insert(low(n));
            }
            StmtKind::CreateIndex { name: Some(n), .. } => {
                self.created_indexes.insert(low(n));
            }
            StmtKind::AlterTable { table: Some(t) } => {
                self.altered_tables.insert(low(t));
            }
            _ => {}
        }
    }
}

fn check(
    file: &FileContext<'_>,
    down: &miglint_python::Function,
    changes: &Changes,
    ev: &Evidence,
    out: &mut Vec<Diagnostic>,
) {
    let low = |s: &str| s.to_ascii_lowercase();
    let mut reported: HashSet<(bool, String, String)> = HashSet::new();
    for ch in &changes.list {
        if changes.churned(ch) {
            continue;
        }
        let name = low(&ch.name);
        let table = ch.table.as_deref().map(low);
        let table_dropped = table
            .as_ref()
            .is_some_and(|t| ev.dropped_tables.contains(t));
        let table_created = table
            .as_ref()
            .is_some_and(|t| ev.created_tables.contains(t));
        let table_altered = table
            .as_ref()
            .is_some_and(|t| ev.altered_tables.contains(t));
        let undone = match (ch.kind, ch.created) {
            (Kind::Table, true) => ev.dropped_tables.contains(&name),
            (Kind::Table, false) => ev.created_tables.contains(&name),
            (Kind::Column, true) => {
                changes.table_changed(ch, true)
                    || table_dropped
                    || table_altered
                    || table
                        .as_ref()
                        .is_some_and(|t| ev.dropped_columns.contains(&(t.clone(), name.clone())))
            }
            (Kind::Column, false) => {
                changes.table_changed(ch, false)
                    || table_created
                    || table_altered
                    || table
                        .as_ref()
                        .is_some_and(|t| ev.added_columns.contains(&(t.clone(), name.clone())))
            }
            (Kind::Index, true) => {
                changes.table_changed(ch, true)
                    || ev.dropped_indexes.contains(&name)
                    || table_dropped
                    || table_altered
                    || table.as_ref().is_some_and(|t| {
                        ev.dropped_columns.iter().any(|(dt, dc)| {
                            dt == t
                                && (ch.columns.is_empty()
                                    || ch.columns.iter().any(|c| same(c, dc)))
                        })
                    })
                    // an index created on a table the upgrade's columns
                    // belong to: dropping those columns drops it
                    || ch.table.is_none() && !ev.dropped_columns.is_empty()
            }
            (Kind::Index, false) => {
                ev.created_indexes.contains(&name)
                    || table_created
                    || table_altered
                    || (table.is_none() && ev.any_create_table)
            }
        };
        if undone || !reported.insert((ch.created, format!("{:?}", ch.kind), name.clone())) {
            continue;
        }
        out.push(diagnostic(file, down, ch));
    }
}

fn diagnostic(file: &FileContext<'_>, down: &miglint_python::Function, ch: &Change) -> Diagnostic {
    let on = ch
        .table
        .as_deref()
        .map_or_else(String::new, |t| format!(" of \"{t}\""));
    let n = &ch.name;
    let message = match (ch.kind, ch.created) {
        (Kind::Table, true) => {
            let errs: Vec<String> = file
                .targets
                .iter()
                .map(|d| match d {
                    Dialect::Postgresql => format!("PostgreSQL `relation \"{n}\" already exists`"),
                    Dialect::Sqlite => format!("SQLite `table {n} already exists`"),
                    Dialect::Mysql => {
                        format!("MySQL/MariaDB `(1050, \"Table '{n}' already exists\")`")
                    }
                })
                .collect();
            format!(
                "`upgrade()` creates table \"{n}\" but `{}()` never drops it: after `alembic \
                 downgrade` the table stays, and the next `alembic upgrade` fails: {}",
                down.name,
                errs.join(", ")
            )
        }
        (Kind::Table, false) => format!(
            "`upgrade()` drops table \"{n}\" but `{}()` never recreates it: after `alembic \
             downgrade` the table is still missing, and the next `alembic \
             upgrade` fails on the drop (\"does not exist\")",
            down.name
        ),
        (Kind::Column, true) => format!(
            "`upgrade()` adds column \"{n}\"{on} but `{}()` never drops it: after `alembic \
             downgrade` the column stays, and the next `alembic upgrade` fails adding it again \
             (\"already exists\")",
            down.name
        ),
        (Kind::Column, false) => format!(
            "`upgrade()` drops column \"{n}\"{on} but `{}()` never adds it back: after `alembic \
             downgrade` the column is still missing, and the next `alembic \
             upgrade` fails on the drop (\"does not exist\")",
            down.name
        ),
        (Kind::Index, true) => format!(
            "`upgrade()` creates index \"{n}\"{on} but `{}()` never drops it: after `alembic \
             downgrade` the index stays, and the next `alembic upgrade` fails creating it again \
             (\"already exists\")",
            down.name
        ),
        (Kind::Index, false) => format!(
            "`upgrade()` drops index \"{n}\"{on} but `{}()` never recreates it: after `alembic \
             downgrade` the index is missing, and the next `alembic upgrade` fails on the drop \
             (\"does not exist\")",
            down.name
        ),
    };
    let help = match (ch.kind, ch.created) {
        (Kind::Table, true) => format!("add `op.drop_table(\"{n}\")` to `{}()`", down.name),
        (Kind::Table, false) => format!(
            "recreate the table in `{}()` with `op.create_table(\"{n}\", ...)`, or make the \
             downgrade raise `NotImplementedError` if the data cannot come back",
            down.name
        ),
        (Kind::Column, true) => format!(
            "add `op.drop_column(\"{}\", \"{n}\")` to `{}()`",
            ch.table.as_deref().unwrap_or("t"),
            down.name
        ),
        (Kind::Column, false) => format!(
            "add the column back in `{}()` with `op.add_column(\"{}\", sa.Column(\"{n}\", ...))`",
            down.name,
            ch.table.as_deref().unwrap_or("t")
        ),
        (Kind::Index, true) => format!("add `op.drop_index(\"{n}\", ...)` to `{}()`", down.name),
        (Kind::Index, false) => {
            format!(
                "recreate it in `{}()` with `op.create_index(\"{n}\", ...)`",
                down.name
            )
        }
    };
    let verb = if ch.created {
        "never undone"
    } else {
        "never restored"
    };
    META.diag(ch.range, message)
        .with_label(down.name_range, verb)
        .with_help(help)
}
