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

use miglint_python::{Call, Column as PyColumn, Expr, ExprKind, Keyword};

use crate::data;
use crate::names::{literal_name, same};
use crate::rev::Rev;
use crate::state::{
    Column, Constraint, ConstraintKind, EnumType, ForeignKeyRef, Index, Origin, key,
};

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
                && let ExprKind::Attribute(a) = &call.func.kind
                && a.attr == "with_variant"
            {
                e = match (self.single_dialect(), call.args.first()) {
                    (Some(d), Some(variant)) if variant_names(call).contains(&d) => variant,
                    _ => &a.value,
                };
                continue;
            }
            let last = e.call_last().or_else(|| e.dotted_last())?;
            return Some(last.to_string());
        }
        None
    }

    /// A column of the model from a `sa.Column(...)` call.
    pub(crate) fn column(&mut self, table: &str, c: &PyColumn<'_>, o: Origin) -> Option<Column> {
        let name = c.name()?.value;
        let pk = c.primary_key();
        let nullable = match c.kwarg("nullable") {
            None => Some(!pk),
            Some(k) => k.value.bool_value(),
        };
        let enum_type = self.enum_name(c);
        if let Some(e) = &enum_type {
            self.enum_user(e, table, &name);
        }
        let type_name = c.type_expr().and_then(|t| self.type_name_of(t));
        Some(Column {
            type_name,
            enum_type,
            nullable,
            primary_key: pk,
            server_default: c.server_default().is_some(),
            server_default_value: c.server_default().and_then(|k| default_value(&k.value)),
            python_default: c.kwarg("default").is_some_and(|k| !k.value.is_none()),
            origin: o,
            nullable_since: (nullable != Some(false)).then_some(o),
            backfilled: None,
            maybe_backfilled: None,
            changed: None,
            null_written: None,
            defined: true,
            name,
        })
    }

    /// The enum call of a column's type (`sa.Enum(...)`, `postgresql.ENUM`,
    /// or a module-level name bound to one).
    fn enum_call<'c>(&'c self, c: &PyColumn<'c>) -> Option<&'c Call> {
        let t = data::resolve(self.input.module, c.type_expr()?);
        let call = t.as_call()?;
        let callee = call.func.dotted_last()?;
        matches!(callee, "Enum" | "ENUM").then_some(call)
    }

    fn enum_name(&self, c: &PyColumn<'_>) -> Option<String> {
        let call = self.enum_call(c)?;
        call.kwarg("name")?.value.str_value().map(str::to_string)
    }

    /// The native enum type `create_table` creates for this column (on
    /// PostgreSQL), unless `create_type=False` / `native_enum=False`.
    pub(crate) fn native_enum(&self, c: &PyColumn<'_>) -> Option<EnumType> {
        if !self.pg() {
            return None;
        }
        let call = self.enum_call(c)?;
        let is_false = |k: &str| {
            call.kwarg(k)
                .is_some_and(|kw| kw.value.bool_value() != Some(true))
        };
        if is_false("create_type") || is_false("native_enum") || call.kwarg("schema").is_some() {
            return None;
        }
        let name = call.kwarg("name")?;
        let values: Option<imbl::Vector<String>> = call
            .args
            .iter()
            .map(|a| a.str_value().map(str::to_string))
            .collect();
        Some(EnumType {
            name: name.value.str_value()?.to_string(),
            values,
            origin: self.origin(name.value.range),
            stamp: 0,
        })
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
            let Some(callee) = call.func.dotted_last() else {
                continue;
            };
            let kind = match callee {
                "ForeignKey" => ConstraintKind::ForeignKey,
                "CheckConstraint" => ConstraintKind::Check,
                _ => continue,
            };
            cons.push(Constraint {
                name: constraint_name(call, kind),
                conv: false,
                kind,
                columns: if kind == ConstraintKind::Check {
                    Vec::new()
                } else {
                    vec![name.clone()]
                },
                origin: o,
                references: if kind == ConstraintKind::ForeignKey {
                    column_fk(call)
                } else {
                    None
                },
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
                conv: false,
                kind: ConstraintKind::Unique,
                columns: vec![name],
                origin: o,
                references: None,
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
    let e = call
        .kwarg("name")
        .map(|k| &k.value)
        .or_else(|| match kind {
            ConstraintKind::Check => call.args.get(1),
            _ => None,
        })?;
    literal_name(e).map(str::to_string)
}

/// The columns of an index's column list: names, and the column of
/// `sa.column("x")` under `.desc()` / `.asc()` / `.nulls_last()` (what
/// the database stores is the column; the order is a property of the
/// index). Expressions miglint cannot name are left out.
pub(crate) fn index_columns(e: &Expr) -> Vec<String> {
    let (ExprKind::List(items) | ExprKind::Tuple(items)) = &e.kind else {
        return Vec::new();
    };
    items.iter().filter_map(index_column).collect()
}

/// A `sa.Index("name", "a", sa.column("b").desc(), unique=True)` among
/// the items of a `create_table`.
pub(crate) fn table_index(table: &str, call: &Call, o: Origin) -> Option<Index> {
    let name = literal_name(call.args.first()?)?.to_string();
    Some(Index {
        name,
        table: key(table),
        columns: call.args[1..].iter().filter_map(index_column).collect(),
        unique: call.kwarg("unique").and_then(|k| k.value.bool_value()) == Some(true),
        origin: o,
    })
}

fn index_column(e: &Expr) -> Option<String> {
    if let Some(s) = e.str_value() {
        return Some(s.to_string());
    }
    // sa.text("col DESC"): one column, with its order
    if let Some(call) = e.as_call()
        && call.func.dotted_last().is_some_and(|f| f == "text")
    {
        let sql = call.args.first()?.str_value()?;
        let mut words = sql.split_whitespace();
        let col = words.next()?;
        let rest: Vec<String> = words.map(str::to_ascii_uppercase).collect();
        let plain = col.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        let order = matches!(
            rest.iter()
                .map(String::as_str)
                .collect::<Vec<_>>()
                .as_slice(),
            [] | ["ASC"] | ["DESC"]
        );
        return (plain && order).then(|| col.to_string());
    }
    let mut e = e;
    for _ in 0..MAX_DEPTH {
        let call = e.as_call()?;
        match &call.func.kind {
            ExprKind::Attribute(a)
                if matches!(
                    a.attr.as_str(),
                    "desc" | "asc" | "nulls_first" | "nulls_last" | "nullsfirst" | "nullslast"
                ) && call.args.is_empty() =>
            {
                e = &a.value;
            }
            _ => {
                let callee = call.func.dotted_last()?;
                return (callee == "column")
                    .then(|| call.args.first()?.str_value().map(str::to_string))
                    .flatten();
            }
        }
    }
    None
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;

/// `"table.column"` → (table, column); a schema-qualified or unreadable
/// target is `None`.
pub(crate) fn fk_target(s: &str) -> Option<(String, String)> {
    let mut parts = s.split('.');
    let (t, c) = (parts.next()?, parts.next()?);
    (parts.next().is_none() && !t.is_empty() && !c.is_empty())
        .then(|| (t.to_string(), c.to_string()))
}

/// A string keyword that may be absent or `None`; `Err` when it is not a
/// literal.
fn opt_str<'e>(kwargs: &'e [Keyword], k: &str) -> Result<Option<&'e str>, ()> {
    match kwargs.iter().find(|kw| kw.name == k) {
        None => Ok(None),
        Some(kw) if kw.value.is_none() => Ok(None),
        Some(kw) => kw.value.str_value().map(Some).ok_or(()),
    }
}

/// The compared options of a `ForeignKey(...)` / `ForeignKeyConstraint(...)`
/// / `create_foreign_key(...)`: `onupdate`, `ondelete`, the deferral.
/// `None` when one is not a literal, or the referent is in another schema.
pub(crate) fn fk_options(
    kwargs: &[Keyword],
) -> Option<(Option<String>, Option<String>, &'static str)> {
    let call = kwargs;
    let onupdate = opt_str(call, "onupdate").ok()?;
    let ondelete = opt_str(call, "ondelete").ok()?;
    let initially = opt_str(call, "initially").ok()?;
    let deferrable = match kwargs.iter().find(|kw| kw.name == "deferrable") {
        None => false,
        Some(kw) if kw.value.is_none() => false,
        Some(kw) => kw.value.bool_value()?,
    };
    if opt_str(call, "referent_schema").ok()?.is_some()
        || opt_str(call, "source_schema").ok()?.is_some()
    {
        return None;
    }
    Some((
        ForeignKeyRef::action(onupdate),
        ForeignKeyRef::action(ondelete),
        ForeignKeyRef::deferral(deferrable, initially),
    ))
}

/// The referent of a column's `ForeignKey("table.column", ...)`.
pub(crate) fn column_fk(call: &Call) -> Option<ForeignKeyRef> {
    let target = call
        .args
        .first()
        .or_else(|| call.kwarg("column").map(|k| &k.value))?
        .str_value()?;
    let (table, column) = fk_target(target)?;
    let (onupdate, ondelete, deferral) = fk_options(&call.kwargs)?;
    Some(ForeignKeyRef {
        table,
        columns: vec![column],
        onupdate,
        ondelete,
        deferral,
    })
}

/// The referent of a `ForeignKeyConstraint(["a"], ["table.id"], ...)`:
/// every referred column a `"table.column"` literal of one table, as many
/// as the local columns.
pub(crate) fn constraint_fk(call: &Call, local: usize) -> Option<ForeignKeyRef> {
    let refs = call
        .args
        .get(1)
        .or_else(|| call.kwarg("refcolumns").map(|k| &k.value))?;
    let (ExprKind::List(items) | ExprKind::Tuple(items)) = &refs.kind else {
        return None;
    };
    let mut table: Option<String> = None;
    let mut columns = Vec::new();
    for i in items {
        let (t, c) = fk_target(i.str_value()?)?;
        if table.as_ref().is_some_and(|x| !same(x, &t)) {
            return None;
        }
        table = Some(t);
        columns.push(c);
    }
    if columns.len() != local || local == 0 {
        return None;
    }
    let (onupdate, ondelete, deferral) = fk_options(&call.kwargs)?;
    Some(ForeignKeyRef {
        table: table?,
        columns,
        onupdate,
        ondelete,
        deferral,
    })
}

/// A `server_default=` constant ([`miglint_python::sqla::types::default_constant`]).
pub(crate) fn default_value(e: &Expr) -> Option<String> {
    use miglint_python::DefaultValue;
    use miglint_python::sqla::types::default_constant;
    match miglint_python::classify_default(e) {
        DefaultValue::PlainString(s) => default_constant(&s.value, false),
        DefaultValue::Text(s) => default_constant(&s.value, true),
        _ => None,
    }
}
