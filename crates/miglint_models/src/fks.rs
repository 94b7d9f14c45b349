//! Foreign keys, compared as alembic's autogenerate compares them
//! (`_compare_foreign_keys`, alembic 1.20): by signature (local columns,
//! referred table and columns, `onupdate`, `ondelete`, deferral), never
//! by name; a signature only the database has is a `remove_fk`, one only
//! the models have an `add_fk`. PostgreSQL and SQLite both reflect the
//! options, so they are part of the signature on both.

use miglint_diagnostics::Dialect;
use miglint_schema::{ConstraintKind, Origin, key};

use crate::ModelTable;
use crate::report::{DriftItem, DriftOp, DriftReport, Skipped};

/// (local columns, referred table, referred columns, onupdate, ondelete,
/// deferral), lowercased.
type Sig = (
    Vec<String>,
    String,
    Vec<String>,
    Option<String>,
    Option<String>,
    &'static str,
);

fn keys(v: &[String]) -> Vec<String> {
    v.iter().map(|x| key(x)).collect()
}

pub(crate) fn compare_fks(
    r: &mut DriftReport,
    m: &ModelTable,
    s: &miglint_schema::Table,
    dialect: Dialect,
) {
    let db: Vec<&miglint_schema::Constraint> = s
        .constraints
        .iter()
        .filter(|c| c.kind == ConstraintKind::ForeignKey)
        .collect();
    let why = m.fks_uncertain.clone().or_else(|| {
        if s.fks_unknown
            || s.constraints
                .iter()
                .any(|c| c.kind == ConstraintKind::Unknown)
        {
            Some("a migration changes them in a way miglint cannot read".into())
        } else if db.iter().any(|c| c.references.is_none()) {
            Some("a migration creates one miglint cannot read".into())
        } else {
            None
        }
    });
    if let Some(why) = why {
        if !m.foreign_keys.is_empty() || !db.is_empty() {
            r.skipped.push(Skipped {
                table: None,
                model: Some((m.path.clone(), m.line)),
                why: format!("the foreign keys of table {}: {why}", m.name),
            });
        }
        return;
    }
    let mut db_sigs: Vec<(Sig, Option<String>, Origin)> = Vec::new();
    for c in &db {
        let Some(f) = &c.references else { continue };
        let sig = (
            keys(&c.columns),
            key(&f.table),
            keys(&f.columns),
            f.onupdate.clone(),
            f.ondelete.clone(),
            f.deferral,
        );
        if !db_sigs.iter().any(|(x, _, _)| *x == sig) {
            db_sigs.push((sig, c.name.clone(), c.origin));
        }
    }
    let mut model_sigs: Vec<(Sig, u32)> = Vec::new();
    for f in &m.foreign_keys {
        let sig = (
            keys(&f.columns),
            key(&f.ref_table),
            keys(&f.ref_columns),
            f.onupdate.clone(),
            f.ondelete.clone(),
            f.deferral,
        );
        if !model_sigs.iter().any(|(x, _)| *x == sig) {
            model_sigs.push((sig, f.line));
        }
    }
    let detail = |sig: &Sig| {
        let mut d = format!("({}) → {}({})", sig.0.join(", "), sig.1, sig.2.join(", "));
        if let Some(x) = &sig.3 {
            d.push_str(&format!(" ON UPDATE {}", x.to_ascii_uppercase()));
        }
        if let Some(x) = &sig.4 {
            d.push_str(&format!(" ON DELETE {}", x.to_ascii_uppercase()));
        }
        if sig.5 != "not deferrable" {
            d.push_str(&format!(
                " {}",
                sig.5.replace('_', " ").to_ascii_uppercase()
            ));
        }
        d
    };
    for (sig, name, origin) in &db_sigs {
        if !model_sigs.iter().any(|(x, _)| x == sig) {
            r.items.push(DriftItem {
                op: DriftOp::RemoveFk,
                table: m.name.clone(),
                column: None,
                name: name.clone(),
                dialect,
                model: Some((m.path.clone(), m.line)),
                origin: Some(*origin),
                detail: Some(detail(sig)),
            });
        }
    }
    for (sig, line) in &model_sigs {
        if !db_sigs.iter().any(|(x, _, _)| x == sig) {
            r.items.push(DriftItem {
                op: DriftOp::AddFk,
                table: m.name.clone(),
                column: None,
                name: None,
                dialect,
                model: Some((m.path.clone(), *line)),
                origin: Some(s.origin),
                detail: Some(detail(sig)),
            });
        }
    }
}
