//! `alter_column(type_=...)` from a known `existing_type` to a type that
//! PostgreSQL cannot switch to in place rewrites the table (and rebuilds
//! its indexes) under ACCESS EXCLUSIVE. Which changes rewrite was measured
//! on PostgreSQL 15 by comparing the table's file node before and after
//! (tests/truth/cases/ml705_*, rules/ML705.md).

use miglint_python::Call;

use super::ml7xx_context::{OnlineFile, applies, online_rule};
use crate::prelude::*;

pub struct TypeChangeRewrite;

static META: RuleMeta = RuleMeta {
    code: "ML705",
    name: "type-change-rewrites-table",
    summary: "a column type change that PostgreSQL cannot do in place rewrites the whole table under an ACCESS EXCLUSIVE lock",
    severity: Severity::Warning,
    default_enabled: false,
    dialects: DialectSet::single(Dialect::Postgresql),
};

/// A column type as PostgreSQL stores it: base and modifiers.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ty {
    Int(u8),
    /// `varchar(n)`; `None` = unbounded
    Varchar(Option<i64>),
    Text,
    Char(Option<i64>),
    /// `numeric(p, s)`; `None` = unconstrained
    Numeric(Option<(i64, i64)>),
    Float,
    Bool,
    Date,
    /// (with time zone, precision)
    Timestamp(bool, Option<i64>),
    Json,
    Jsonb,
    Uuid,
}

online_rule!(TypeChangeRewrite, META, check);

fn check(file: &OnlineFile<'_, '_>, out: &mut Vec<Diagnostic>) {
    for (i, op) in file.module.ops.iter().enumerate() {
        if op.name != "alter_column" || !applies(file, op) {
            continue;
        }
        let Some(TypeChange {
            kw,
            from,
            to,
            table,
            column,
        }) = type_change(op)
        else {
            continue;
        };
        if !rewrites(&from, &to) || file.is_new(i) {
            continue;
        }
        out.push(
            META.diag(
                kw.range(),
                format!(
                    "changing `{}.{column}` from {} to {} rewrites existing table `{}` and \
                     its indexes under an ACCESS EXCLUSIVE lock: reads and writes wait until \
                     it is done",
                    table,
                    show(&from),
                    show(&to),
                    table
                ),
            )
            .with_help(
                "add a new column of the new type, backfill it in batches, switch the code \
                 over, then drop the old column (expand/contract); only widening a varchar, \
                 varchar to text and raising a numeric's precision are done in place",
            ),
        );
    }
}

/// An `alter_column(type_=..., existing_type=...)` between two types
/// miglint recognises, on a literal table (ML705, ML717).
pub(super) struct TypeChange<'a> {
    pub kw: &'a miglint_python::Keyword,
    pub from: Ty,
    pub to: Ty,
    pub table: String,
    pub column: &'a str,
}

pub(super) fn type_change(op: &Op) -> Option<TypeChange<'_>> {
    if op.name != "alter_column" {
        return None;
    }
    let kw = op.kwarg("type_")?;
    let from = ty(&op.kwarg("existing_type")?.value)?;
    Some(TypeChange {
        kw,
        from,
        to: ty(&kw.value)?,
        table: op.table()?.value,
        column: super::ml7xx_contract::column_arg(op).unwrap_or("?"),
    })
}

/// Measured on PostgreSQL 15.18 (file node compared before/after): these
/// changes keep the table; every other change between known types rewrites.
/// timestamp ↔ timestamptz depends on the session time zone: not judged;
/// neither are pairs that were not measured.
fn rewrites(from: &Ty, to: &Ty) -> bool {
    use Ty::*;
    match (from, to) {
        _ if from == to => false,
        (Varchar(a), Varchar(b)) => match (a, b) {
            (_, None) => false,
            (Some(a), Some(b)) => b < a,
            (None, Some(_)) => true,
        },
        (Varchar(_), Text) | (Text, Varchar(None)) => false,
        (Numeric(a), Numeric(b)) => match (a, b) {
            (_, None) => false,
            (Some((p1, s1)), Some((p2, s2))) => !(s1 == s2 && p2 >= p1),
            (None, Some(_)) => true,
        },
        (Timestamp(z1, p1), Timestamp(z2, p2)) => {
            z1 == z2
                && match (p1, p2) {
                    (_, None) => false,
                    (Some(a), Some(b)) => b < a,
                    (None, Some(_)) => false,
                }
        }
        // not measured: stay quiet
        (Float, Float) | (Char(_), Char(_)) => false,
        _ => true,
    }
}

pub(super) fn show(t: &Ty) -> String {
    match t {
        Ty::Int(2) => "smallint".into(),
        Ty::Int(4) => "integer".into(),
        Ty::Int(_) => "bigint".into(),
        Ty::Varchar(Some(n)) => format!("varchar({n})"),
        Ty::Varchar(None) => "varchar".into(),
        Ty::Text => "text".into(),
        Ty::Char(Some(n)) => format!("char({n})"),
        Ty::Char(None) => "char".into(),
        Ty::Numeric(Some((p, s))) => format!("numeric({p},{s})"),
        Ty::Numeric(None) => "numeric".into(),
        Ty::Float => "a float type".into(),
        Ty::Bool => "boolean".into(),
        Ty::Date => "date".into(),
        Ty::Timestamp(z, _) => if *z { "timestamptz" } else { "timestamp" }.into(),
        Ty::Json => "json".into(),
        Ty::Jsonb => "jsonb".into(),
        Ty::Uuid => "uuid".into(),
    }
}

/// An SQLAlchemy type expression (`sa.String(50)`, `sa.Text`,
/// `postgresql.JSONB()`), when recognised with literal arguments.
fn ty(expr: &Expr) -> Option<Ty> {
    let (name, call) = match &expr.kind {
        ExprKind::Call(call) => (call.func.dotted()?, Some(call.as_ref())),
        _ => (expr.dotted()?, None),
    };
    let int_arg = |i: usize, kw: &str| -> Result<Option<i64>, ()> {
        let Some(call) = call else { return Ok(None) };
        match call
            .kwarg(kw)
            .map(|k| &k.value)
            .or_else(|| call.args.get(i))
        {
            None => Ok(None),
            Some(Expr {
                kind: ExprKind::Int(Some(n)),
                ..
            }) => Ok(Some(*n)),
            Some(e) if e.is_none() => Ok(None),
            Some(_) => Err(()),
        }
    };
    let tz = |call: Option<&Call>| {
        call.and_then(|c| c.kwarg("timezone"))
            .map(|k| k.value.bool_value())
    };
    Some(match last_segment(&name) {
        "SmallInteger" | "SMALLINT" => Ty::Int(2),
        "Integer" | "INTEGER" | "INT" => Ty::Int(4),
        "BigInteger" | "BIGINT" => Ty::Int(8),
        "String" | "VARCHAR" | "Unicode" | "NVARCHAR" => Ty::Varchar(int_arg(0, "length").ok()?),
        "Text" | "TEXT" | "UnicodeText" => Ty::Text,
        "CHAR" | "NCHAR" => Ty::Char(int_arg(0, "length").ok()?),
        "Numeric" | "NUMERIC" | "DECIMAL" => {
            match (int_arg(0, "precision").ok()?, int_arg(1, "scale").ok()?) {
                (Some(p), s) => Ty::Numeric(Some((p, s.unwrap_or(0)))),
                (None, None) => Ty::Numeric(None),
                (None, Some(_)) => return None,
            }
        }
        "Float" | "FLOAT" | "REAL" | "DOUBLE_PRECISION" | "Double" | "DOUBLE" => Ty::Float,
        "Boolean" | "BOOLEAN" => Ty::Bool,
        "Date" | "DATE" => Ty::Date,
        "DateTime" | "TIMESTAMP" => {
            let zone = match tz(call) {
                None => false,
                Some(Some(b)) => b,
                Some(None) => return None,
            };
            Ty::Timestamp(zone, int_arg(usize::MAX, "precision").ok()?)
        }
        "JSON" => Ty::Json,
        "JSONB" => Ty::Jsonb,
        "UUID" | "Uuid" => Ty::Uuid,
        _ => return None,
    })
}
