//! What a `sa.Column(...)` creates besides its column, as SQLAlchemy
//! emits it: the constraints of its `sa.ForeignKey(...)` and
//! `sa.CheckConstraint(...)` arguments, the unique constraint of
//! `unique=True` and the index of `index=True` (named by SQLAlchemy's
//! default convention `ix_<table>_<column>`; a unique index when both are
//! set); its type seen through `.with_variant(...)`; and what dropping or
//! renaming a column does to the constraints and indexes on it.
//!
//! Measured against real databases by the reality check of the truth suite
//! (tests/truth/reality/).

use miglint_python::{Call, Column as PyColumn, Expr, ExprKind, last_segment};

use crate::data;
use crate::names::{literal_name, same};
use crate::replay::Rev;
use crate::state::{Constraint, ConstraintKind, Index, Origin, Schema, key};

/// How deep `.with_variant(...)` chains and name bindings are followed.
const MAX_DEPTH: usize = 8;

impl Rev<'_, '_> {
    /// The name of a column type expression (`sa.String(50)` → `String`),
    /// through module-level bindings and `.with_variant(...)`: the variant
    /// when this replay is for the one dialect it names, else the base type.
    pub(crate) fn type_name_of(&self, t: &Expr) -> Option<String> {
        let mut e = t;
        for _ in 0..MAX_DEPTH {
            e = data::resolve(self.input.module, e);
            if let Some(call) = e.as_call()
                && let ExprKind::Attribute { value, attr } = &call.func.kind
                && attr == "with_variant"
            {
                e = match (self.single_dialect(), call.args.first()) {
                    (Some(d), Some(variant)) if variant_names(call).contains(&d) => {
                        variant
                    }
                    _ => value,
                };
                continue;
            }
            let dotted = e.call_name().or_else(|| e.dotted())?;
            return Some(last_segment(&dotted).to_string());
        }
        None
    }

    fn single_dialect(&self) -> Option<&'static str> {
        let mut it = self.dialects.iter();
        let d = it.next()?;
        it.next().is_none().then(|| d.as_str())
    }

    /// The constraints and the index a column of `table` creates with it.
    pub(crate) fn column_objects(
        &self,
        table: &str,
        c: &PyColumn<'_>,
        o: Origin,
    ) -> (Vec<Constraint>, Option<Index>) {
        let mut cons = Vec::new();
        let Some(name) = c.name().map(|n| n.value) else {
            return (cons, None);
        };
        for a in &c.call.args {
            let Some(call) = a.as_call() else { continue };
            let Some(callee) = call.func.dotted() else {
                continue;
            };
            let kind = match last_segment(&callee) {
                "ForeignKey" => ConstraintKind::ForeignKey,
                "CheckConstraint" => ConstraintKind::Check,
                _ => continue,
            };
            cons.push(Constraint {
                name: constraint_name(call, kind),
                kind,
                columns: if kind == ConstraintKind::Check {
                    Vec::new()
                } else {
                    vec![name.clone()]
                },
                origin: o,
            });
        }
        let flag = |k: &str| c.kwarg(k).and_then(|k| k.value.bool_value()) == Some(true);
        let (unique, index) = (flag("unique"), flag("index"));
        let ix = index.then(|| Index {
            name: format!("ix_{table}_{name}"),
            table: key(table),
            columns: vec![name.clone()],
            unique,
            origin: o,
        });
        if unique && !index {
            cons.push(Constraint {
                name: None,
                kind: ConstraintKind::Unique,
                columns: vec![name],
                origin: o,
            });
        }
        (cons, ix)
    }
}

/// The dialect names of `.with_variant(type, "postgresql")` (a name or a
/// list of names).
fn variant_names(call: &Call) -> Vec<&str> {
    let Some(e) = call
        .args
        .get(1)
        .or_else(|| call.kwarg("dialect_name").map(|k| &k.value))
    else {
        return Vec::new();
    };
    match &e.kind {
        ExprKind::List(v) | ExprKind::Tuple(v) => v.iter().filter_map(Expr::str_value).collect(),
        _ => e.str_value().into_iter().collect(),
    }
}

/// The literal name of a constraint call: `name=`, or the positional one
/// of `CheckConstraint(sqltext, name)` / `ForeignKey(column, _constraint,
/// use_alter, name)` (only `name=` there).
pub(crate) fn constraint_name(call: &Call, kind: ConstraintKind) -> Option<String> {
    let e = call.kwarg("name").map(|k| &k.value).or_else(|| match kind {
        ConstraintKind::Check => call.args.get(1),
        _ => None,
    })?;
    literal_name(e).map(str::to_string)
}

/// Dropping a column drops the constraints and indexes that involve it
/// (PostgreSQL's DROP COLUMN; SQLite's batch recreate copies only the
/// others).
pub(crate) fn drop_column_objects(state: &mut Schema, table: &str, column: &str) {
    if let Some(t) = state.table_mut(table) {
        t.constraints
            .retain(|c| !c.columns.iter().any(|x| same(x, column)));
    }
    let k = key(table);
    let gone: Vec<String> = state
        .indexes
        .values()
        .filter(|ix| ix.table == k && ix.columns.iter().any(|x| same(x, column)))
        .map(|ix| ix.name.clone())
        .collect();
    for n in gone {
        state.remove_index(&n);
    }
}

/// Renaming a column renames it in the constraints and indexes on it.
pub(crate) fn rename_column_objects(state: &mut Schema, table: &str, from: &str, to: &str) {
    let rename = |cols: &mut Vec<String>| {
        for c in cols.iter_mut() {
            if same(c, from) {
                *c = to.to_string();
            }
        }
    };
    if let Some(t) = state.table_mut(table) {
        for c in &mut t.constraints {
            rename(&mut c.columns);
        }
    }
    let k = key(table);
    let hit: Vec<String> = state
        .indexes
        .iter()
        .filter(|(_, ix)| ix.table == k && ix.columns.iter().any(|x| same(x, from)))
        .map(|(n, _)| n.clone())
        .collect();
    for n in hit {
        if let Some(mut ix) = state.indexes.get(&n).cloned() {
            rename(&mut ix.columns);
            state.put_index(ix);
        }
    }
}
