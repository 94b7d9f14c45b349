//! What a revision's pass reads of its file's text and module alone (no
//! schema state): the table and column an op names, the names the file
//! imports, and the calls its functions make. Below `prep.rs` (which reads
//! them per file) and `rev.rs`/`replay.rs` (which use them).

use miglint_python::{Column as PyColumn, Expr, ExprKind, Module, Op};

use crate::data;
use crate::names::literal_name;

/// How an op names its table.
#[derive(Clone, Copy)]
pub(crate) enum TableRef<'a> {
    /// (borrowed from the module: the facts, the change and the guards of
    /// one op ask it in turn, and no copy is made)
    Known(&'a str),
    /// Not a literal (a variable, a loop): any table.
    Dynamic,
    /// The op has no table.
    None,
}

/// Ops that change the schema (a dynamic table name there makes the whole
/// schema uncertain).
const DDL_OPS: &[&str] = &[
    "create_table",
    "drop_table",
    "rename_table",
    "add_column",
    "drop_column",
    "alter_column",
    "create_index",
    "drop_index",
    "create_unique_constraint",
    "create_foreign_key",
    "create_check_constraint",
    "create_primary_key",
    "create_exclude_constraint",
    "drop_constraint",
];

/// The table `op` works on: a literal, or a module-level name bound to a
/// string.
pub(crate) fn read_table_name<'a>(m: &'a Module, op: &'a Op) -> TableRef<'a> {
    if let Some(t) = op.table_str() {
        return TableRef::Known(t);
    }
    if matches!(
        op.name.as_str(),
        "execute" | "exec_driver_sql" | "bulk_insert"
    ) || !DDL_OPS.contains(&op.name.as_str())
    {
        return TableRef::None;
    }
    if op.in_batch() {
        return TableRef::Dynamic;
    }
    let expr = match op.name.as_str() {
        "create_index"
        | "create_unique_constraint"
        | "create_check_constraint"
        | "create_primary_key"
        | "drop_constraint"
        | "create_exclude_constraint" => op.arg_or_kw(1, "table_name"),
        "create_foreign_key" => op.arg_or_kw(1, "source_table"),
        "drop_index" => match op.kwarg("table_name").map(|k| &k.value).or(op.args.get(1)) {
            Some(e) => Some(e),
            // `drop_index("ix")`: the index names its table
            None => return TableRef::None,
        },
        "rename_table" => op.arg_or_kw(0, "old_table_name"),
        _ => op.arg_or_kw(0, "table_name"),
    };
    match expr {
        Some(e) => match module_str(m, e) {
            Some(s) => TableRef::Known(s),
            None => TableRef::Dynamic,
        },
        None => TableRef::Dynamic,
    }
}

/// A literal name, or a module-level name bound to a string, with the
/// module's lifetime.
fn module_str<'a>(m: &'a Module, e: &'a Expr) -> Option<&'a str> {
    if let Some(s) = literal_name(e) {
        return Some(s);
    }
    match &e.kind {
        ExprKind::Name(n) => m.binding(n)?.str_value(),
        _ => None,
    }
}

/// The column `op` works on (add/drop/alter_column).
pub(crate) fn read_column_name<'a>(m: &'a Module, op: &'a Op) -> Option<&'a str> {
    match op.name.as_str() {
        "add_column" => {
            let e = op
                .args
                .iter()
                .chain(op.kwarg("column").map(|k| &k.value))
                .nth(if op.in_batch() { 0 } else { 1 })?;
            let e = data::resolve(m, e);
            // (`PyColumn::name`, borrowed)
            let call = PyColumn::from_expr(e)?.call;
            call.args
                .first()
                .or_else(|| call.kwarg("name").map(|k| &k.value))?
                .str_value()
        }
        "drop_column" | "alter_column" => op
            .arg_or_kw(usize::from(!op.in_batch()), "column_name")
            .and_then(|e| module_str(m, e)),
        _ => None,
    }
}

/// Whether a function (`text`) calls something imported from a module
/// that is not Alembic, SQLAlchemy or the standard library (a project's
/// migration helpers: `from app.migrations.utils import create_table`),
/// whose schema changes miglint cannot see; `names` are the file's
/// [`imported_names`].
pub(crate) fn calls_any(names: &[&str], text: &str) -> bool {
    names.iter().any(|n| {
        crate::names::find_word(text, n).is_some()
            && (text.contains(&format!("{n}(")) || text.contains(&format!("{n}.")))
    })
}

/// Modules whose imports are no project helpers (see [`imported_names`]).
const SAFE: &[&str] = &[
    "alembic",
    "sqlalchemy",
    "sa",
    "typing",
    "datetime",
    "uuid",
    "json",
    "enum",
    "logging",
    "os",
    "re",
    "sys",
    "time",
    "decimal",
    "collections",
    "functools",
    "itertools",
    "textwrap",
    "dataclasses",
    "__future__",
    "sqlalchemy_utils",
    "sqlmodel",
    "math",
    "random",
    "string",
    "hashlib",
    "base64",
    "secrets",
    "pathlib",
    "copy",
    "warnings",
    "contextlib",
    "typing_extensions",
    "zoneinfo",
    "pytz",
];

/// The local names a file imports from modules that are not Alembic,
/// SQLAlchemy or the standard library (see `calls_any`); read once
/// per revision.
pub(crate) fn imported_names(source: &str) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    // only a line that starts with `from ` or `import ` names anything (with
    // the lines its parenthesized list goes on over): the other lines are
    // stepped over, newline to newline, not read
    let mut at = 0;
    while let Some(rest) = source.get(at..).filter(|r| !r.is_empty()) {
        if rest.starts_with("from ") || rest.starts_with("import ") {
            let mut lines = Lines { text: source, at };
            let Some(line) = lines.next() else { break };
            import_line(line, &mut lines, &mut names);
            at = lines.at;
        } else {
            match newline(rest) {
                Some(n) => at += n + 1,
                None => break,
            }
        }
    }
    names
}

/// The offset of the first `\n` of `text` (a byte loop: the lines are
/// short, and `str::find` costs more per call than it saves per byte).
fn newline(text: &str) -> Option<usize> {
    text.bytes().position(|b| b == b'\n')
}

/// [`str::lines`] from offset `at` of `text`, with the offset reached.
struct Lines<'t> {
    text: &'t str,
    at: usize,
}

impl<'t> Iterator for Lines<'t> {
    type Item = &'t str;

    fn next(&mut self) -> Option<&'t str> {
        let rest = self.text.get(self.at..).filter(|r| !r.is_empty())?;
        // (as `str::lines`: a `\r` only before a `\n` ends the line)
        let (line, len) = match newline(rest) {
            Some(n) => (rest[..n].strip_suffix('\r').unwrap_or(&rest[..n]), n + 1),
            None => (rest, rest.len()),
        };
        self.at += len;
        Some(line)
    }
}

/// Reads one line of [`imported_names`] (and the lines a parenthesized
/// list goes on over, from `lines`).
fn import_line<'t>(line: &'t str, lines: &mut Lines<'t>, names: &mut Vec<&'t str>) {
    let (module, imported) = if let Some(rest) = line.strip_prefix("from ") {
        match rest.split_once(" import ") {
            Some((m, i)) => (m.trim(), i),
            None => return,
        }
    } else if let Some(rest) = line.strip_prefix("import ") {
        for part in rest.split('#').next().unwrap_or("").split(',') {
            let module = part.split_whitespace().next().unwrap_or("");
            let top = module.split('.').next().unwrap_or("");
            let local = part.rsplit(" as ").next().unwrap_or(part).trim();
            let local = local.split('.').next().unwrap_or(local);
            if !SAFE.contains(&top) && !local.is_empty() {
                names.push(local);
            }
        }
        return;
    } else {
        return;
    };
    let top = module
        .trim_start_matches('.')
        .split('.')
        .next()
        .unwrap_or("");
    // (the lines of a parenthesized list are read, even from a module
    // whose names do not count)
    let mut more: Vec<&str> = Vec::new();
    if imported.trim_start().starts_with('(') && !imported.contains(')') {
        for line in lines.by_ref() {
            more.push(line);
            if line.contains(')') {
                break;
            }
        }
    }
    if SAFE.contains(&top) && !module.starts_with('.') {
        return;
    }
    for part in std::iter::once(imported)
        .chain(more)
        .flat_map(|p| p.split('#').next().unwrap_or("").split(','))
    {
        let part = part.trim().trim_matches(|c| c == '(' || c == ')').trim();
        let local = part.rsplit(" as ").next().unwrap_or(part).trim();
        let local = local.split('.').next().unwrap_or(local);
        if !local.is_empty()
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            names.push(local);
        }
    }
}

/// Whether a function creates or drops objects outside ops: a metadata's
/// `create_all`/`drop_all`, or `.create(`/`.drop(` of something that is
/// not an enum type (a `Table`, an `Index`).
/// `creates_or_drops`: the text has `.create(` or `.drop(`.
pub(crate) fn schema_calls(text: &str, creates_or_drops: bool) -> bool {
    // (one scan for what both have first: most functions have neither)
    if text.contains("_all(") && (text.contains("create_all(") || text.contains("drop_all(")) {
        return true;
    }
    if !creates_or_drops {
        return false;
    }
    text.lines().any(|line| {
        (line.contains(".create(") || line.contains(".drop("))
            && !line.to_ascii_lowercase().contains("enum")
    })
}

#[cfg(test)]
mod imported_names_tests {
    use super::imported_names;

    #[test]
    fn only_unsafe_modules_at_line_start() {
        let src = "\"\"\"doc: import nothing\"\"\"\nfrom alembic import op\n\
                   import sqlalchemy as sa\nfrom sqlalchemy import (\n    Table,\n)\n\
                   from app.utils import (\n    make_table,  # helper\n    other as alias,\n)\n\
                   import app.helpers as h, os\n    from indented import nope\n\
                   x = 'import y'\nfrom .local import thing\r\nimport\tz";
        assert_eq!(imported_names(src), ["make_table", "alias", "h", "thing"]);
        assert!(imported_names("").is_empty());
        assert_eq!(imported_names("import helpers"), ["helpers"]);
    }
}
