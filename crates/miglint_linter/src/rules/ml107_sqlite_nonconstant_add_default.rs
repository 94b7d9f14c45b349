use crate::prelude::*;
use crate::rules::ml1xx_alter::{batch_call, call_head};

pub struct SqliteNonconstantAddDefault;

static META: RuleMeta = RuleMeta {
    code: "ML107",
    name: "sqlite-nonconstant-add-default",
    summary: "`add_column` with a non-constant `server_default` (`sa.func.now()`, `CURRENT_TIMESTAMP`) outside batch mode: SQLite refuses it on a table with rows",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Sqlite),
};

impl Rule for SqliteNonconstantAddDefault {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        for (i, op) in file.module.ops.iter().enumerate() {
            if op.name != "add_column"
                || op.receiver != Receiver::Op
                || op.in_try
                || !file.reaching(op).contains(Dialect::Sqlite)
            {
                continue;
            }
            let Some(column) = op.columns().next() else {
                continue;
            };
            let Some(default) = column.server_default() else {
                continue;
            };
            let Some(what) = non_constant(file, &default.value) else {
                continue;
            };
            if let Some(table) = op.table()
                && emptied_before(file, i, &table.value)
            {
                continue;
            }
            let mut diag = META.diag(
                default.value.range,
                format!(
                    "SQLite refuses this on a table that has rows: `Cannot add a column with non-constant default` ({what} is not a constant)"
                ),
            );
            if let Some(name) = column.name() {
                diag = diag.with_label(name.range, format!("column \"{}\"", name.value));
            }
            diag = diag.with_label(call_head(op), "plain `op.add_column`, not in batch mode");
            out.push(diag.with_help(format!(
                "add it in batch mode, which copies the table on SQLite and works on every database: \
                 `with {} as batch_op:` then `batch_op.add_column(...)`; or add it with a constant \
                 default (or nullable) and fill existing rows with an UPDATE",
                batch_call(file, op)
            )));
        }
    }
}

/// Why a `server_default` is not a constant for SQLite's `ADD COLUMN`
/// check, or `None` when it is a constant or miglint cannot tell.
fn non_constant(file: &FileContext<'_>, expr: &Expr) -> Option<String> {
    match classify_default(expr) {
        DefaultValue::Func(name) => {
            let src = &file.source[expr.range.as_usize()];
            Some(if src.len() <= 40 && !src.contains('\n') {
                format!("`{src}`")
            } else {
                format!("the SQL function `{name}()`")
            })
        }
        DefaultValue::Text(lit) => match text_kind(&lit.value) {
            TextKind::NonConstant(what) => Some(what),
            TextKind::Constant | TextKind::Unknown => None,
        },
        _ => None,
    }
}

#[derive(Debug, PartialEq)]
enum TextKind {
    Constant,
    NonConstant(String),
    Unknown,
}

/// Classifies the SQL of a `sa.text(...)` default the way SQLite's
/// `ADD COLUMN` does: literals (numbers, strings, blobs, NULL, TRUE/FALSE,
/// possibly signed or parenthesised) are constants; `CURRENT_TIMESTAMP`
/// and friends and function calls are not. Anything else is left alone.
fn text_kind(sql: &str) -> TextKind {
    let mut t = sql.trim();
    while let Some(inner) = t.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
        t = inner.trim();
    }
    if t.is_empty() {
        return TextKind::Unknown;
    }
    let upper = t.to_ascii_uppercase();
    let number = t.strip_prefix(['-', '+']).unwrap_or(t);
    if matches!(upper.as_str(), "NULL" | "TRUE" | "FALSE")
        || (!number.is_empty()
            && number.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && number.bytes().any(|b| b.is_ascii_digit()))
        || is_quoted(t)
        || ((upper.starts_with("X'")) && t.ends_with('\''))
    {
        return TextKind::Constant;
    }
    for kw in ["CURRENT_TIMESTAMP", "CURRENT_DATE", "CURRENT_TIME"] {
        if upper == kw {
            return TextKind::NonConstant(format!("`{kw}`"));
        }
    }
    if let Some(open) = t.find('(') {
        let name = t[..open].trim();
        if !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            && t.ends_with(')')
        {
            return TextKind::NonConstant(format!("the function `{name}()`"));
        }
    }
    TextKind::Unknown
}

/// `'abc'` / `'it''s'`: one SQL string literal.
fn is_quoted(t: &str) -> bool {
    let Some(inner) = t.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')) else {
        return false;
    };
    !inner.replace("''", "").contains('\'')
}

/// Whether `table` is known to be empty when op `index` runs: created, or
/// emptied by `DELETE FROM table` / `TRUNCATE`, earlier in the same function.
fn emptied_before(file: &FileContext<'_>, index: usize, table: &str) -> bool {
    let ops = &file.module.ops;
    let func = ops[index].func;
    let created = ops[..index].iter().any(|o| {
        o.func == func
            && o.name == "create_table"
            && o.table()
                .is_some_and(|t| t.value.eq_ignore_ascii_case(table))
    });
    created
        || file.sql.iter().any(|exec| {
            exec.op < index
                && ops[exec.op].func == func
                && exec.statements.iter().any(|s| {
                    s.deletes_all_rows_of
                        .as_deref()
                        .is_some_and(|t| unquote(t).eq_ignore_ascii_case(table))
                })
        })
}

fn unquote(name: &str) -> &str {
    let last = name.rsplit('.').next().unwrap_or(name);
    last.trim_matches(['"', '`', '[', ']'])
}

#[cfg(test)]
mod tests {
    use super::{TextKind, text_kind};

    #[test]
    fn text_defaults() {
        for c in [
            "0", "-1", "(1.5)", "'abc'", "'it''s'", "NULL", "true", "X'00'", "(('x'))",
        ] {
            assert_eq!(text_kind(c), TextKind::Constant, "{c}");
        }
        for n in [
            "CURRENT_TIMESTAMP",
            "(CURRENT_TIMESTAMP)",
            "current_date",
            "now()",
            "(datetime('now'))",
            "gen_random_uuid()",
        ] {
            assert!(matches!(text_kind(n), TextKind::NonConstant(_)), "{n}");
        }
        for u in ["", "'{}'::jsonb", "1 + 1", "'a' || 'b'", "some_column"] {
            assert_eq!(text_kind(u), TextKind::Unknown, "{u}");
        }
    }
}
