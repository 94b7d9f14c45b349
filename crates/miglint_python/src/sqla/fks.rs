//! Foreign keys of the models: a column's `ForeignKey("table.column", ...)`
//! and `ForeignKeyConstraint([...], [...], ...)` in `__table_args__` or
//! `Table(...)`, read as alembic's autogenerate compares them (local
//! columns, referred table and columns, `onupdate`/`ondelete`, deferral;
//! never the name).

use tree_sitter::Node;

use super::syntax::{Args, bool_lit, dotted, line, str_lit, text};

/// A foreign key as declared; `target` is `None` when miglint cannot read
/// it (then the table's foreign keys are not compared).
#[derive(Debug, Clone)]
pub(crate) struct RawFk {
    pub columns: Vec<String>,
    pub target: Option<FkTarget>,
    pub line: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FkTarget {
    pub table: String,
    pub columns: Vec<String>,
    pub onupdate: Option<String>,
    pub ondelete: Option<String>,
    pub deferral: &'static str,
}

/// `"table.column"` → (table, column); a schema-qualified target is not
/// read.
fn split(s: &str) -> Option<(String, String)> {
    let mut parts = s.split('.');
    let (t, c) = (parts.next()?, parts.next()?);
    (parts.next().is_none() && !t.is_empty() && !c.is_empty())
        .then(|| (t.to_string(), c.to_string()))
}

/// A referred column: `"table.column"`, or `table_var.c.column` (the
/// variable's table is resolved later: returned as `(var, column)` with
/// `var` marked by a leading `@`).
fn target_ref(n: Node<'_>, src: &str) -> Option<(String, String)> {
    if let Some(s) = str_lit(n, src) {
        return split(&s);
    }
    let d = dotted(n, src)?;
    let parts: Vec<&str> = d.split('.').collect();
    match parts.as_slice() {
        [var, "c", col] => Some((format!("@{var}"), col.to_string())),
        _ => None,
    }
}

/// An optional string keyword (`None` literal or absent → `Ok(None)`).
fn opt_str(args: &Args<'_>, k: &str, src: &str) -> Result<Option<String>, ()> {
    match args.kw(k) {
        None => Ok(None),
        Some(v) if v.kind() == "none" => Ok(None),
        Some(v) => str_lit(v, src).map(Some).ok_or(()),
    }
}

fn action(v: Option<String>) -> Option<String> {
    let v = v?.trim().to_ascii_lowercase();
    (!v.is_empty() && v != "no action").then_some(v)
}

/// `onupdate`, `ondelete` and the deferral, as alembic's signature has
/// them; `None` when one is not a literal.
fn options(args: &Args<'_>, src: &str) -> Option<(Option<String>, Option<String>, &'static str)> {
    let onupdate = opt_str(args, "onupdate", src).ok()?;
    let ondelete = opt_str(args, "ondelete", src).ok()?;
    let initially = opt_str(args, "initially", src).ok()?;
    let deferrable = match args.kw("deferrable") {
        None => false,
        Some(v) if v.kind() == "none" => false,
        Some(v) => bool_lit(v)?,
    };
    let deferral = if initially
        .as_deref()
        .is_some_and(|i| i.eq_ignore_ascii_case("deferred"))
    {
        "initially_deferrable"
    } else if deferrable {
        "deferrable"
    } else {
        "not deferrable"
    };
    Some((action(onupdate), action(ondelete), deferral))
}

/// A column's `ForeignKey(...)` call; its local column is filled in by
/// the caller.
pub(crate) fn column_fk(call: Node<'_>, src: &str) -> RawFk {
    let args = Args::of(call, src);
    let target = (|| {
        if args.splat {
            return None;
        }
        let first = args.pos.first().copied().or_else(|| args.kw("column"))?;
        let (table, column) = target_ref(first, src)?;
        let (onupdate, ondelete, deferral) = options(&args, src)?;
        Some(FkTarget {
            table,
            columns: vec![column],
            onupdate,
            ondelete,
            deferral,
        })
    })();
    RawFk {
        columns: Vec::new(),
        target,
        line: line(call),
    }
}

/// The strings (or `Cls.attr` / `t.c.x` names) of a list literal.
fn name_list(n: Node<'_>, src: &str) -> Option<Vec<String>> {
    if !matches!(n.kind(), "list" | "tuple") {
        return None;
    }
    let mut c = n.walk();
    n.named_children(&mut c)
        .filter(|x| x.kind() != "comment")
        .map(|x| {
            str_lit(x, src).or_else(|| {
                (x.kind() == "attribute")
                    .then(|| x.child_by_field_name("attribute"))
                    .flatten()
                    .map(|a| text(a, src).to_string())
            })
        })
        .collect()
}

/// `ForeignKeyConstraint(columns, refcolumns, ...)`.
pub(crate) fn constraint_fk(call: Node<'_>, src: &str) -> RawFk {
    let args = Args::of(call, src);
    let local = args
        .pos
        .first()
        .copied()
        .or_else(|| args.kw("columns"))
        .and_then(|n| name_list(n, src));
    let target = (|| {
        if args.splat {
            return None;
        }
        let refs = args.pos.get(1).copied().or_else(|| args.kw("refcolumns"))?;
        if !matches!(refs.kind(), "list" | "tuple") {
            return None;
        }
        let mut c = refs.walk();
        let mut table: Option<String> = None;
        let mut columns = Vec::new();
        for r in refs
            .named_children(&mut c)
            .filter(|x| x.kind() != "comment")
        {
            let (t, col) = target_ref(r, src)?;
            if table.as_ref().is_some_and(|x| !x.eq_ignore_ascii_case(&t)) {
                return None;
            }
            table = Some(t);
            columns.push(col);
        }
        if local.as_ref().is_none_or(|l| l.len() != columns.len()) || columns.is_empty() {
            return None;
        }
        let (onupdate, ondelete, deferral) = options(&args, src)?;
        Some(FkTarget {
            table: table?,
            columns,
            onupdate,
            ondelete,
            deferral,
        })
    })();
    RawFk {
        columns: local.unwrap_or_default(),
        target,
        line: line(call),
    }
}
