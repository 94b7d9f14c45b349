//! The drift comparison: the models against the schema the migrations
//! build, in alembic's vocabulary (`alembic check` / autogenerate's diff
//! ops), for one dialect.

use miglint_diagnostics::Dialect;
use miglint_schema::{ConstraintKind, Origin, Schema, key};

use crate::report::{DriftItem, DriftOp, DriftReport, Skipped};
use crate::types::family;
use crate::{ModelTable, Models};

/// Tables alembic never compares.
fn ignored_table(name: &str) -> bool {
    let k = key(name);
    k == "alembic_version" || k.starts_with("sqlite_")
}

/// Compares `models` with `schema` (the state at head for `dialect`).
pub fn compare(
    models: &Models,
    schema: &Schema,
    dialect: Dialect,
    compare_server_default: bool,
) -> DriftReport {
    let mut r = DriftReport::default();
    let item = |op, table: &str| DriftItem {
        op,
        table: table.to_string(),
        column: None,
        name: None,
        dialect,
        model: None,
        origin: None,
        detail: None,
    };
    let mut tables: Vec<&ModelTable> = models.tables.iter().collect();
    tables.sort_by_key(|a| key(&a.name));
    for m in &tables {
        if let Some(why) = &m.uncertain {
            r.skipped.push(Skipped {
                table: Some(m.name.clone()),
                model: Some((m.path.clone(), m.line)),
                why: why.clone(),
            });
            continue;
        }
        let Some(s) = schema.table(&m.name) else {
            if schema.unknown.is_some() {
                r.skipped.push(Skipped {
                    table: Some(m.name.clone()),
                    model: None,
                    why: "absent from the replayed schema, but some migration changes tables miglint cannot name".into(),
                });
                continue;
            }
            let mut it = item(DriftOp::AddTable, &m.name);
            it.model = Some((m.path.clone(), m.line));
            r.items.push(it);
            continue;
        };
        if s.uncertain.is_some() || s.placeholder {
            r.skipped.push(Skipped {
                table: Some(m.name.clone()),
                model: None,
                why: if s.placeholder {
                    "the migrations alter it but no replayed revision creates it".into()
                } else {
                    "a migration changes it in a way miglint cannot read".into()
                },
            });
            continue;
        }
        compare_table(
            &mut r,
            m,
            s,
            schema,
            dialect,
            compare_server_default,
            !models.unknown_indexes.is_empty(),
        );
    }
    // remove_table
    // (the tables in key order)
    let mut removable = Vec::new();
    for t in schema.tables.values() {
        if ignored_table(&t.name) || models.table(&t.name).is_some() {
            continue;
        }
        removable.push(t);
    }
    if !removable.is_empty() && !models.unknown.is_empty() {
        let u = &models.unknown[0];
        r.skipped.push(Skipped {
            table: None,
            model: Some((u.path.clone(), u.line)),
            why: format!(
                "{} table(s) of the migrations are not in the models, but the models declare a table miglint cannot name ({})",
                removable.len(),
                u.why
            ),
        });
    } else {
        for t in removable {
            if t.placeholder || t.uncertain.is_some() {
                continue;
            }
            let mut it = item(DriftOp::RemoveTable, &t.name);
            it.origin = Some(t.origin);
            r.items.push(it);
        }
    }
    r
}

fn compare_table(
    r: &mut DriftReport,
    m: &ModelTable,
    s: &miglint_schema::Table,
    schema: &Schema,
    dialect: Dialect,
    compare_server_default: bool,
    unknown_indexes: bool,
) {
    let at = |line: u32| Some((m.path.clone(), line));
    let base = |op: DriftOp| DriftItem {
        op,
        table: m.name.clone(),
        column: None,
        name: None,
        dialect,
        model: None,
        origin: None,
        detail: None,
    };
    for c in &m.columns {
        let Some(sc) = s.column(&c.name) else {
            let mut it = base(DriftOp::AddColumn);
            it.column = Some(c.name.clone());
            it.model = at(c.line);
            it.origin = Some(s.origin);
            r.items.push(it);
            continue;
        };
        let origin = Some(sc.changed.unwrap_or(sc.origin));
        let mut push = |op: DriftOp, detail: String| {
            let mut it = base(op);
            it.column = Some(c.name.clone());
            it.model = at(c.line);
            it.origin = origin;
            it.detail = Some(detail);
            r.items.push(it);
        };
        if let (Some(a), Some(b)) = (c.nullable, sc.nullable)
            && a != b
        {
            let w = |n: bool| if n { "NULL" } else { "NOT NULL" };
            push(
                DriftOp::ModifyNullable,
                format!("migrations: {}, models: {}", w(b), w(a)),
            );
        }
        let fam_m = c.type_name.as_deref().and_then(family);
        let fam_s = sc.type_name.as_deref().and_then(family);
        if let (Some(a), Some(b)) = (fam_m, fam_s)
            && a != b
            && sc.enum_type.is_none()
        {
            push(DriftOp::ModifyType, format!("migrations: {b}, models: {a}"));
        }
        if compare_server_default && let Some(detail) = default_differs(c, sc, fam_m.or(fam_s)) {
            push(DriftOp::ModifyDefault, detail);
        }
    }
    for sc in s.columns() {
        if m.column(&sc.name).is_none() {
            let mut it = base(DriftOp::RemoveColumn);
            it.column = Some(sc.name.clone());
            it.model = at(m.line);
            it.origin = Some(sc.origin);
            r.items.push(it);
        }
    }
    compare_indexes(r, m, s, schema, dialect, unknown_indexes);
    crate::fks::compare_fks(r, m, s, dialect);
}

fn same_cols(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
}

fn same_name(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// Indexes and unique constraints, matched as alembic does: by name when
/// both sides have one, else by columns.
fn compare_indexes(
    r: &mut DriftReport,
    m: &ModelTable,
    s: &miglint_schema::Table,
    schema: &Schema,
    dialect: Dialect,
    unknown_indexes: bool,
) {
    let tk = key(&s.name);
    let mut db_ix: Vec<&miglint_schema::Index> = schema
        .indexes
        .values()
        .filter(|ix| ix.table == tk)
        .collect();
    db_ix.sort_by_key(|a| key(&a.name));
    let db_uq: Vec<&miglint_schema::Constraint> = s
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::Unique)
        .collect();
    let mut ix_used = vec![false; db_ix.len()];
    let mut uq_used = vec![false; db_uq.len()];
    let base =
        |op: DriftOp, name: Option<String>, line: Option<u32>, origin: Option<Origin>| DriftItem {
            op,
            table: m.name.clone(),
            column: None,
            name,
            dialect,
            model: line.map(|l| (m.path.clone(), l)),
            origin,
            detail: None,
        };
    for mi in &m.indexes {
        let found = db_ix.iter().enumerate().find(|(k, d)| {
            !ix_used[*k]
                && match &mi.name {
                    Some(n) => same_name(n, &d.name),
                    None => {
                        !mi.columns.is_empty()
                            && same_cols(&mi.columns, &d.columns)
                            && mi.unique == d.unique
                    }
                }
        });
        match found {
            Some((k, d)) => {
                ix_used[k] = true;
                let differs = !mi.columns.is_empty()
                    && !d.columns.is_empty()
                    && (!same_cols(&mi.columns, &d.columns) || mi.unique != d.unique);
                if differs {
                    r.items.push(base(
                        DriftOp::RemoveIndex,
                        Some(d.name.clone()),
                        Some(mi.line),
                        Some(d.origin),
                    ));
                    r.items.push(base(
                        DriftOp::AddIndex,
                        mi.name.clone(),
                        Some(mi.line),
                        Some(s.origin),
                    ));
                }
            }
            None if mi.name.is_none() && mi.columns.is_empty() => {}
            None => r.items.push(base(
                DriftOp::AddIndex,
                mi.name.clone(),
                Some(mi.line),
                Some(s.origin),
            )),
        }
    }
    for mu in &m.uniques {
        let found = db_uq.iter().enumerate().find(|(k, d)| {
            !uq_used[*k]
                && match (&mu.name, &d.name) {
                    (Some(a), Some(b)) => same_name(a, b),
                    _ => same_cols(&mu.columns, &d.columns),
                }
        });
        match found {
            Some((k, _)) => uq_used[k] = true,
            None => r.items.push(base(
                DriftOp::AddConstraint,
                mu.name.clone(),
                Some(mu.line),
                Some(s.origin),
            )),
        }
    }
    if !unknown_indexes {
        for (k, d) in db_ix.iter().enumerate() {
            if !ix_used[k] {
                r.items.push(base(
                    DriftOp::RemoveIndex,
                    Some(d.name.clone()),
                    Some(m.line),
                    Some(d.origin),
                ));
            }
        }
    }
    for (k, d) in db_uq.iter().enumerate() {
        if !uq_used[k] {
            r.items.push(base(
                DriftOp::RemoveConstraint,
                d.name.clone(),
                Some(m.line),
                Some(d.origin),
            ));
        }
    }
}

/// `modify_default` as alembic's `compare_server_default` decides it, when
/// that is certain: one side has a server default and the other none, or
/// both are constants that differ on PostgreSQL and SQLite alike
/// ([`crate::types::defaults_differ`]). Two defaults miglint cannot
/// compare (an expression, a function) say nothing.
fn default_differs(
    c: &crate::ModelColumn,
    sc: &miglint_schema::Column,
    fam: Option<&str>,
) -> Option<String> {
    let w = |d: bool, v: &Option<String>| match (d, v) {
        (false, _) => "no server default".to_string(),
        (true, Some(v)) => format!("'{v}'"),
        (true, None) => "a server default".to_string(),
    };
    let differ = match (c.server_default, sc.server_default) {
        (false, false) => false,
        (true, true) => match (&c.server_default_value, &sc.server_default_value) {
            (Some(a), Some(b)) => crate::types::defaults_differ(a, b, fam)?,
            _ => return None,
        },
        _ => true,
    };
    differ.then(|| {
        format!(
            "migrations: {}, models: {}",
            w(sc.server_default, &sc.server_default_value),
            w(c.server_default, &c.server_default_value)
        )
    })
}
