//! An object `upgrade()` creates or drops that `downgrade()` leaves as
//! the upgrade left it. The semantic model answers (see
//! `miglint_schema::reversal`): it replays the downgrade on the state after
//! the upgrade and reports, on the upgrade's ops, the tables, columns and
//! indexes still created (or still missing). Anything it cannot read in the
//! downgrade (a non-literal name, SQL built at run time, a helper's changes,
//! a downgrade with no op at all) keeps it silent; objects the upgrade both
//! creates and drops (or renames), and guarded ops, are not compared.

use std::collections::HashSet;

use miglint_schema::{NotReverted, ObjectKind};

use crate::prelude::*;

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

    fn uses_model(&self) -> bool {
        true
    }

    fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
        let model = project.schema();
        for (fi, f) in project.files.iter().enumerate() {
            let m = f.module;
            // per downgrade: (created, kind, name) already reported
            let mut reported: HashSet<(usize, bool, u8, String)> = HashSet::new();
            for (i, op) in m.ops.iter().enumerate() {
                if m.func_kind(op) != FuncKind::Upgrade {
                    continue;
                }
                // the union over the dialects the file was replayed for
                let mut found: Vec<(&NotReverted, DialectSet)> = Vec::new();
                for (d, facts) in model.facts_for(fi, i, f.targets) {
                    for n in &facts.not_reverted {
                        match found.iter_mut().find(|(x, _)| *x == n) {
                            Some((_, ds)) => *ds = ds.union(DialectSet::single(d)),
                            None => found.push((n, DialectSet::single(d))),
                        }
                    }
                }
                for (n, dialects) in found {
                    let k = (
                        n.downgrade,
                        n.created,
                        n.kind as u8,
                        n.name.to_ascii_lowercase(),
                    );
                    if !reported.insert(k) {
                        continue;
                    }
                    let down = &m.functions[n.downgrade];
                    out.push((fi, diagnostic(down, n, dialects)));
                }
            }
        }
    }
}

/// The diagnostic for `ch`, which holds on `dialects`.
fn diagnostic(
    down: &miglint_python::Function,
    ch: &NotReverted,
    dialects: DialectSet,
) -> Diagnostic {
    let on = ch
        .table
        .as_deref()
        .map_or_else(String::new, |t| format!(" of \"{t}\""));
    let n = &ch.name;
    let message = match (ch.kind, ch.created) {
        (ObjectKind::Table, true) => {
            let errs: Vec<String> = dialects
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
        (ObjectKind::Table, false) => format!(
            "`upgrade()` drops table \"{n}\" but `{}()` never recreates it: after `alembic \
             downgrade` the table is still missing, and the next `alembic \
             upgrade` fails on the drop (\"does not exist\")",
            down.name
        ),
        (ObjectKind::Column, true) => format!(
            "`upgrade()` adds column \"{n}\"{on} but `{}()` never drops it: after `alembic \
             downgrade` the column stays, and the next `alembic upgrade` fails adding it again \
             (\"already exists\")",
            down.name
        ),
        (ObjectKind::Column, false) => format!(
            "`upgrade()` drops column \"{n}\"{on} but `{}()` never adds it back: after `alembic \
             downgrade` the column is still missing, and the next `alembic \
             upgrade` fails on the drop (\"does not exist\")",
            down.name
        ),
        (_, true) => format!(
            "`upgrade()` creates index \"{n}\"{on} but `{}()` never drops it: after `alembic \
             downgrade` the index stays, and the next `alembic upgrade` fails creating it again \
             (\"already exists\")",
            down.name
        ),
        (_, false) => format!(
            "`upgrade()` drops index \"{n}\"{on} but `{}()` never recreates it: after `alembic \
             downgrade` the index is missing, and the next `alembic upgrade` fails on the drop \
             (\"does not exist\")",
            down.name
        ),
    };
    let help = match (ch.kind, ch.created) {
        (ObjectKind::Table, true) => format!("add `op.drop_table(\"{n}\")` to `{}()`", down.name),
        (ObjectKind::Table, false) => format!(
            "recreate the table in `{}()` with `op.create_table(\"{n}\", ...)`, or make the \
             downgrade raise `NotImplementedError` if the data cannot come back",
            down.name
        ),
        (ObjectKind::Column, true) => format!(
            "add `op.drop_column(\"{}\", \"{n}\")` to `{}()`",
            ch.table.as_deref().unwrap_or("t"),
            down.name
        ),
        (ObjectKind::Column, false) => format!(
            "add the column back in `{}()` with `op.add_column(\"{}\", sa.Column(\"{n}\", ...))`",
            down.name,
            ch.table.as_deref().unwrap_or("t")
        ),
        (_, true) => format!("add `op.drop_index(\"{n}\", ...)` to `{}()`", down.name),
        (_, false) => {
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
