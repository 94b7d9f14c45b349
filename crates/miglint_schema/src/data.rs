//! Data facts from Python: Core `update`/`delete` constructs, the tables
//! their variables name, and the text markers of ORM writes.

use miglint_python::{Expr, ExprKind, Module};

/// What a Core `update` construct writes.
pub(crate) struct CoreUpdate {
    /// The table expression (`t` of `t.update()` / `sa.update(t)`).
    pub table: Option<Expr>,
    /// The `values(col=...)` keywords; `None` when not literal (a dict, a
    /// variable) or absent.
    pub columns: Option<Vec<String>>,
}

/// `t.update()...values(...)` / `sa.update(t)...values(...)` /
/// `update(t).values(...)`: walks the method chain.
pub(crate) fn core_update(e: &Expr) -> Option<CoreUpdate> {
    let mut cur = e;
    let mut columns: Option<Vec<String>> = None;
    let mut saw_values = false;
    loop {
        let call = cur.as_call()?;
        match &call.func.kind {
            ExprKind::Attribute(a) => {
                let (value, attr) = (&a.value, &a.attr);
                if attr == "values" && !saw_values {
                    saw_values = true;
                    columns = (call.args.is_empty())
                        .then(|| call.kwargs.iter().map(|k| k.name.to_string()).collect());
                }
                if attr == "update" {
                    let sa_fn = value
                        .dotted()
                        .is_some_and(|d| matches!(d.as_str(), "sa" | "sqlalchemy" | "sql"));
                    let table = if sa_fn {
                        call.args.first().cloned()
                    } else {
                        Some(value.clone())
                    };
                    return Some(CoreUpdate {
                        table,
                        columns: if saw_values { columns } else { None },
                    });
                }
                // the chain goes on through calls (`t.update().where(...)`)
                value.as_call()?;
                cur = value;
            }
            ExprKind::Name(n) if n == "update" => {
                return Some(CoreUpdate {
                    table: call.args.first().cloned(),
                    columns: if saw_values { columns } else { None },
                });
            }
            _ => return None,
        }
    }
}

/// For a Core delete without `.where(...)`: `Some(table expr)` for
/// `var.delete()`, `sa.delete(var)` (`Some(None)` when there is no table
/// expression); `None` when it is not such a delete.
pub(crate) fn core_delete_all(e: &Expr) -> Option<Option<Expr>> {
    let call = e.as_call()?;
    match &call.func.kind {
        ExprKind::Attribute(a) if a.attr == "delete" => {
            let value = &a.value;
            if value
                .dotted()
                .is_some_and(|d| matches!(d.as_str(), "sa" | "sqlalchemy" | "sql"))
            {
                return Some(call.args.first().cloned());
            }
            Some(Some(value.clone()))
        }
        ExprKind::Name(n) if n == "delete" => Some(call.args.first().cloned()),
        _ => None,
    }
}

/// The table name a table expression stands for: `sa.table("t", ...)`
/// inline, or a module-level name bound to one (`t = sa.table("t", ...)`,
/// `sa.Table("t", meta, ...)`).
pub fn table_name(module: &Module, e: &Expr) -> Option<String> {
    let e = match &e.kind {
        ExprKind::Name(n) => module.binding(n)?,
        _ => e,
    };
    let call = e.as_call()?;
    let callee = call.func.dotted_last()?;
    if !matches!(callee, "table" | "Table") {
        return None;
    }
    call.args.first()?.str_value().map(str::to_string)
}

/// The (table, column, enum type) triples of module-level table
/// declarations: `t = sa.table("t", sa.column("c", sa.Enum(..., name="e")))`.
pub(crate) fn binding_enum_users(module: &Module) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for b in &module.bindings {
        let Some(table) = table_name(module, &b.value) else {
            continue;
        };
        let Some(call) = b.value.as_call() else {
            continue;
        };
        for a in call.args.iter().skip(1) {
            let Some(col) = a.as_call() else { continue };
            if !col
                .func
                .dotted_last()
                .is_some_and(|d| matches!(d, "column" | "Column"))
            {
                continue;
            }
            let Some(cname) = col.args.first().and_then(|e| e.str_value()) else {
                continue;
            };
            for t in col.args.iter().skip(1) {
                let t = resolve(module, t);
                let Some(tc) = t.as_call() else { continue };
                if !tc
                    .func
                    .dotted_last()
                    .is_some_and(|d| matches!(d, "Enum" | "ENUM"))
                {
                    continue;
                }
                if let Some(n) = tc.kwarg("name").and_then(|k| k.value.str_value()) {
                    out.push((table.clone(), cname.to_string(), n.to_string()));
                }
            }
        }
    }
    out
}

/// Resolves a module-level name to the expression bound to it (once).
pub(crate) fn resolve<'m>(module: &'m Module, e: &'m Expr) -> &'m Expr {
    match &e.kind {
        ExprKind::Name(n) => module.binding(n).unwrap_or(e),
        _ => e,
    }
}

/// The columns `sql` tests with `col IS NULL` (lowercased, unqualified).
pub(crate) fn null_tested(sql: &str) -> Vec<String> {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    words
        .windows(3)
        .filter(|w| w[1] == "is" && w[2] == "null")
        .filter_map(|w| {
            let name = w[0].rsplit('.').next()?.trim_matches(['"', '`']);
            (!name.is_empty()).then(|| name.to_string())
        })
        .collect()
}

/// The ORM/Core writes in `text` that miglint does not model as ops
/// (`session.query(M).filter(...).update(...)`, `.delete(`,
/// `bulk_update_mappings`): for each, the byte range of the statement
/// around it (up to 300 bytes before the call, to the end of its line), in
/// which a column a write fills is named.
pub(crate) fn opaque_writes(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    // (every pattern has `update` or `delete(` in it: two searches rule
    // out the four in most functions)
    if !text.contains("update") && !text.contains("delete(") {
        return out;
    }
    for m in [".update(", " update(", "bulk_update_mappings", ".delete("] {
        for (at, _) in text.match_indices(m) {
            let mut start = at.saturating_sub(300);
            while !text.is_char_boundary(start) {
                start += 1;
            }
            let end = text[at..].find('\n').map_or(text.len(), |n| at + n);
            out.push((start, end));
        }
    }
    out
}

/// `.query(Cls` in `text`: the ORM classes a function loads, with the
/// offset of each query.
pub(crate) fn orm_queries(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.match_indices(".query(").filter_map(|(at, m)| {
        let rest = text[at + m.len()..].trim_start();
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        (end > 0).then(|| (at, &rest[..end]))
    })
}

/// Attribute assignments that start a line, `obj.attr = ...` (not `==`,
/// not a dotted chain): how ORM code writes a column of a loaded object.
/// Each as (offset, attr).
pub(crate) fn attribute_writes(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.trim_start();
        let Some((target, rest)) = body.split_once('=') else {
            continue;
        };
        if rest.starts_with('=') {
            continue;
        }
        let Some((obj, attr)) = target.trim_end().split_once('.') else {
            continue;
        };
        let ident = |s: &str| {
            !s.is_empty()
                && !s.starts_with(|c: char| c.is_ascii_digit())
                && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        };
        if ident(obj) && ident(attr) {
            out.push((start + line.len() - body.len(), attr));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use miglint_python::PythonParser;

    use super::*;

    fn first_arg(src: &str) -> Expr {
        let m = PythonParser::new().parse(src);
        m.ops[0].args[0].clone()
    }

    #[test]
    fn core_statements() {
        let cols = |src: &str| core_update(&first_arg(src)).map(|u| u.columns);
        assert_eq!(
            cols(
                "def upgrade():\n    op.execute(t.update().where(t.c.a.is_(None)).values(a=1, b=2))\n"
            ),
            Some(Some(vec!["a".to_string(), "b".to_string()]))
        );
        assert_eq!(
            cols("def upgrade():\n    op.execute(sa.update(t).values(x=0))\n"),
            Some(Some(vec!["x".to_string()]))
        );
        assert_eq!(
            cols("def upgrade():\n    op.execute(t.update().values({'x': 0}))\n"),
            Some(None)
        );
        assert_eq!(
            cols("def upgrade():\n    op.execute(t.insert().values(x=0))\n"),
            None
        );
        let t = core_update(&first_arg(
            "def upgrade():\n    op.execute(sa.update(jobs).values(x=0))\n",
        ))
        .and_then(|u| u.table)
        .and_then(|t| t.dotted());
        assert_eq!(t.as_deref(), Some("jobs"));
        let del = |src: &str| core_delete_all(&first_arg(src)).map(|t| t.and_then(|e| e.dotted()));
        assert_eq!(
            del("def upgrade():\n    op.execute(jobs.delete())\n"),
            Some(Some("jobs".into()))
        );
        assert_eq!(
            del("def upgrade():\n    op.execute(sa.delete(jobs))\n"),
            Some(Some("jobs".into()))
        );
        assert_eq!(
            del("def upgrade():\n    op.execute(jobs.delete().where(jobs.c.id == 1))\n"),
            None
        );
    }

    #[test]
    fn table_vars() {
        let m = PythonParser::new().parse(
            "users = sa.table(\n    'users', sa.column('id'))\nother_t = Table(\"other\", meta)\n",
        );
        let name = |n: &str| Expr {
            kind: ExprKind::Name(n.into()),
            range: miglint_diagnostics::TextRange::empty(0),
        };
        assert_eq!(table_name(&m, &name("users")).as_deref(), Some("users"));
        assert_eq!(table_name(&m, &name("other_t")).as_deref(), Some("other"));
        assert_eq!(table_name(&m, &name("missing")), None);
    }

    #[test]
    fn orm_attribute_writes() {
        let text = "    rows = s.query( Flag ).all()\n    for r in rows:\n        r.label = 'x'\n        \
                    r.a.b = 1\n        if r.kind == 2:\n            r.kind = 3\n";
        let q: Vec<&str> = orm_queries(text).map(|(_, c)| c).collect();
        assert_eq!(q, ["Flag"]);
        let w: Vec<&str> = attribute_writes(text).into_iter().map(|(_, a)| a).collect();
        assert_eq!(w, ["label", "kind"]);
    }

    #[test]
    fn null_tests() {
        assert_eq!(
            null_tested("DELETE FROM t WHERE (t.\"a\" IS NULL) OR b is null"),
            ["a", "b"]
        );
    }
}
