//! What one migration function has already done at a given op: tables it
//! created or emptied, columns it added or backfilled. Shared by the data
//! safety, idempotency, reversibility and transaction rules (ML2xx-ML4xx,
//! ML6xx).
//!
//! Every question is asked about the ops of **one function** (`upgrade()`,
//! `downgrade()`, ...) strictly before a given op index, in source order.
//! Names are compared ASCII case-insensitively (SQL folds unquoted names;
//! erring towards "same table" only ever removes findings).

use std::collections::{HashMap, HashSet, VecDeque};

use miglint_sql::{SqlStatement, StmtKind};

use crate::prelude::*;

/// Per-file lookups over `FileContext::sql` and the ops.
pub(crate) struct Facts<'f, 'a> {
    pub file: &'f FileContext<'a>,
    sql_by_op: HashMap<usize, &'f ExecSql<'a>>,
}

/// The SQL text of an `execute`, as far as it is known statically.
pub(crate) enum SqlText<'a> {
    /// Literal SQL, analyzed by the engine.
    Literal,
    /// An f-string: its text with the `{...}` parts left in (only fit
    /// for keyword-level inspection).
    FString(&'a StrLit),
    /// A Core construct (`t.update().values(...)`).
    Construct(&'a Expr),
    /// A variable, `%`/`.format`/`+`: unknown.
    Unknown,
}

impl<'f, 'a> Facts<'f, 'a> {
    pub fn new(file: &'f FileContext<'a>) -> Self {
        Facts {
            file,
            sql_by_op: file.sql.iter().map(|e| (e.op, e)).collect(),
        }
    }

    pub fn ops(&self) -> &'a [Op] {
        &self.file.module.ops
    }

    /// The analyzed literal SQL of op `i`, if it is an `execute` of a literal.
    pub fn exec(&self, i: usize) -> Option<&'f ExecSql<'a>> {
        self.sql_by_op.get(&i).copied()
    }

    /// The literal statements of op `i` (empty for anything else).
    pub fn statements(&self, i: usize) -> &'f [SqlStatement] {
        self.exec(i).map_or(&[], |e| e.statements.as_slice())
    }

    /// Whether op `op` sits in `upgrade()`/`downgrade()` (or their
    /// `_<engine>` variants), not in a helper whose call site is unknown.
    pub fn in_migration_func(&self, op: &Op) -> bool {
        matches!(
            self.file.module.func_kind(op),
            FuncKind::Upgrade | FuncKind::Downgrade
        )
    }

    /// The indices of the ops of function `func` before op index `before`.
    pub fn before(&self, func: usize, before: usize) -> impl Iterator<Item = (usize, &'a Op)> {
        self.ops()[..before.min(self.ops().len())]
            .iter()
            .enumerate()
            .filter(move |(_, op)| op.func == func)
    }

    /// How the SQL of an `execute`-like op is known.
    pub fn sql_text(&self, i: usize) -> Option<SqlText<'a>> {
        let op = &self.ops()[i];
        if !matches!(op.name.as_str(), "execute" | "exec_driver_sql") {
            return None;
        }
        if self.exec(i).is_some() {
            return Some(SqlText::Literal);
        }
        let arg = op
            .arg_or_kw(0, "sqltext")
            .or_else(|| op.kwarg("statement").map(|k| &k.value))?;
        Some(match op.sql() {
            Some(SqlSource::Construct(e)) => SqlText::Construct(e),
            _ => match fstring(arg) {
                Some(s) => SqlText::FString(s),
                None => SqlText::Unknown,
            },
        })
    }

    /// The op that created table `table` in function `func` before op
    /// `before` (`create_table`, or a literal `CREATE TABLE`).
    pub fn created_before(&self, func: usize, before: usize, table: &str) -> Option<TextRange> {
        let names = self.aliases(func, before, table);
        let same = |a: &str, _: &str| names.iter().any(|n| same(a, n));
        self.before(func, before).find_map(|(i, op)| {
            if op.name == "create_table"
                && !op.in_batch()
                && op.table().is_some_and(|t| same(&t.value, table))
            {
                return Some(op.range);
            }
            self.statements(i).iter().find_map(|s| match &s.kind {
                StmtKind::CreateTable { table: Some(t), .. } if same(t, table) => {
                    Some(self.exec(i)?.file_range(s.range.clone()))
                }
                _ => None,
            })
        })
    }

    /// Whether function `func` empties `table` before op `before`:
    /// `DELETE FROM t` without `WHERE`, `TRUNCATE t`, or a Core
    /// `t.delete()` / `sa.delete(t)` without `.where(...)`. A Core delete
    /// whose table cannot be resolved counts for every table.
    pub fn emptied_before(&self, func: usize, before: usize, table: &str) -> bool {
        let names = self.aliases(func, before, table);
        let same = |a: &str, _: &str| names.iter().any(|n| same(a, n));
        self.before(func, before).any(|(i, _)| {
            if self.statements(i).iter().any(|s| {
                s.deletes_all_rows_of
                    .as_deref()
                    .is_some_and(|t| same(t, table))
            }) {
                return true;
            }
            match self.sql_text(i) {
                Some(SqlText::Construct(e)) => match core_delete_all(e) {
                    Some(Some(var)) => self
                        .table_var(&var)
                        .is_none_or(|resolved| same(&resolved, table)),
                    Some(None) => true,
                    None => false,
                },
                _ => false,
            }
        })
    }

    /// `table` and the names it had earlier in `func` before op `before`
    /// (`rename_table(old, new)`), so that a table emptied or created under
    /// its old name counts.
    pub fn aliases(&self, func: usize, before: usize, table: &str) -> Vec<String> {
        let mut names = vec![table.to_string()];
        let ops: Vec<&Op> = self.before(func, before).map(|(_, op)| op).collect();
        for op in ops.into_iter().rev() {
            if op.name != "rename_table" {
                continue;
            }
            let old = op.arg_or_kw(0, "old_table_name").and_then(Expr::str_value);
            let new = op.arg_or_kw(1, "new_table_name").and_then(Expr::str_value);
            if let (Some(old), Some(new)) = (old, new)
                && names.iter().any(|n| same(n, new))
            {
                names.push(old.to_string());
            }
        }
        names
    }

    /// The add_column op that added `column` to `table` in `func` before
    /// op `before`, with whether it had a server default.
    pub fn added_before(
        &self,
        func: usize,
        before: usize,
        table: &str,
        column: &str,
    ) -> Option<(&'a Op, bool)> {
        self.before(func, before).find_map(|(_, op)| {
            if op.name != "add_column" || !op.table().is_some_and(|t| same(&t.value, table)) {
                return None;
            }
            let col = op.columns().next()?;
            let name = col.name()?;
            same(&name.value, column).then(|| (op, col.server_default().is_some()))
        })
    }

    /// Whether function `func` writes `column` of `table` before op
    /// `before`: a literal `UPDATE t SET col = ...` or `... WHERE col IS
    /// NULL`, the same in an f-string, a Core `t.update().values(col=...)`
    /// / `sa.update(t).values(...)`, or (when the SQL cannot be read) an
    /// `execute` of a built statement while the column's name occurs in the
    /// function's code before `before`.
    pub fn backfilled_before(&self, func: usize, before: usize, table: &str, column: &str) -> bool {
        let f = &self.file.module.functions[func];
        let end = self
            .ops()
            .get(before)
            .map_or(f.range.end(), |op| op.range.start());
        let start = f.range.start().min(end);
        let mut text = self.file.source[start as usize..end as usize].to_string();
        // Helpers called before the op (`_move_offending_rows()`) count with
        // all their ops: their call order is not modelled.
        let helpers = self.called_helpers(&text, func);
        for &h in &helpers {
            let hf = &self.file.module.functions[h];
            text.push('\n');
            text.push_str(self.file.source.get(hf.range.as_usize()).unwrap_or(""));
        }
        let ops = self.before(func, before).map(|(i, _)| i).chain(
            self.ops()
                .iter()
                .enumerate()
                .filter(|(_, op)| helpers.contains(&op.func))
                .map(|(i, _)| i),
        );
        let mut opaque = false;
        for i in ops {
            let hit = self.statements(i).iter().any(|s| {
                let updated = s.update_info().is_some_and(|u| {
                    u.table.as_deref().is_none_or(|t| same(t, table))
                        && u.set_columns
                            .iter()
                            .chain(&u.where_is_null_columns)
                            .any(|c| same(c, column))
                });
                // `DELETE FROM t WHERE col IS NULL` leaves no NULL behind
                let deleted = matches!(&s.kind, StmtKind::Delete { table: t }
                    if t.as_deref().is_none_or(|t| same(t, table)))
                    && self
                        .exec(i)
                        .is_some_and(|e| is_null_test(s.text(&e.lit.value), column));
                updated || deleted
            });
            if hit {
                return true;
            }
            match self.sql_text(i) {
                Some(SqlText::FString(s)) => {
                    // keyword-level: `UPDATE <t or {..}> SET ... col ...`
                    let up = s.value.to_ascii_uppercase();
                    if let Some(at) = find_word(&up, "UPDATE")
                        && find_word(&up[at..], "SET").is_some()
                        && find_ident(&s.value[at..], column)
                    {
                        return true;
                    }
                    if find_word(&up, "DELETE").is_some() && is_null_test(&s.value, column) {
                        return true;
                    }
                }
                Some(SqlText::Construct(e)) => match core_update(e) {
                    Some(CoreUpdate {
                        columns: Some(cols),
                        ..
                    }) if cols.iter().any(|c| same(c, column)) => return true,
                    Some(CoreUpdate { columns: None, .. }) => opaque = true,
                    Some(_) => {}
                    None => opaque = true,
                },
                Some(SqlText::Unknown) => opaque = true,
                Some(SqlText::Literal) | None => {}
            }
        }
        // An ORM or Core `.update(...)` call that is no op (`session.query(
        // M).update({...})`, a statement built into a variable) also counts.
        opaque |= text.contains(".update(") || text.contains(" update(");
        // Something we cannot read ran first: accept it as the backfill when
        // the column is named in the code before this op.
        opaque && find_ident(&text, column)
    }

    /// The module's other functions called in `text` (helpers, including
    /// ones named `upgrade_*` that the extractor counts as upgrade variants).
    fn called_helpers(&self, text: &str, caller: usize) -> Vec<usize> {
        self.file
            .module
            .functions
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != caller)
            .filter(|(_, f)| {
                let call = format!("{}(", f.name);
                text.match_indices(&call).any(|(at, _)| {
                    at == 0
                        || !text.as_bytes()[at - 1].is_ascii_alphanumeric()
                            && text.as_bytes()[at - 1] != b'_'
                            && text.as_bytes()[at - 1] != b'.'
                })
            })
            .map(|(i, _)| i)
            .collect()
    }

    /// The table of `op`: the literal, or a module constant it names
    /// (`TABLE = "portforwardings"` ... `op.add_column(TABLE, ...)`).
    pub fn table_name(&self, op: &Op) -> Option<String> {
        if let Some(t) = op.table() {
            return Some(t.value);
        }
        if op.in_batch() {
            return None;
        }
        match &op.arg_or_kw(0, "table_name")?.kind {
            ExprKind::Name(n) => str_constant(self.file.source, n),
            _ => None,
        }
    }

    /// Resolves a variable bound to `sa.table("name", ...)` /
    /// `sa.Table("name", ...)` anywhere in the file (textually: the model
    /// does not track assignments).
    pub fn table_var(&self, var: &str) -> Option<String> {
        table_var(self.file.source, var)
    }
}

/// The revision order of the linted files: parents by `down_revision`
/// literals, a parent id declared by several files resolved to the file
/// nearest to the child in the directory tree (so per-dialect tracks that
/// reuse ids stay apart). Deliberately minimal: ML5xx owns the full graph.
pub(crate) struct RevisionGraph {
    parents: Vec<Vec<usize>>,
}

impl RevisionGraph {
    /// The `down_revision` edges of the project's revision graphs
    /// ([`Project::environments`]: the same id resolution as the ML5xx rules
    /// and `miglint graph`), indexed by project file.
    pub fn new(project: &Project<'_>) -> RevisionGraph {
        let mut parents = vec![Vec::new(); project.files.len()];
        for env in project.environments() {
            for node in &env.nodes {
                parents[node.file] = node.parents().map(|p| env.nodes[p].file).collect();
            }
        }
        RevisionGraph { parents }
    }

    /// The children of every revision (the inverse of `parents`).
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut children = vec![Vec::new(); self.parents.len()];
        for (child, parents) in self.parents.iter().enumerate() {
            for &p in parents {
                if !children[p].contains(&child) {
                    children[p].push(child);
                }
            }
        }
        children
    }

    /// Every ancestor of `i`, nearest first, without `i` itself.
    pub fn ancestors(&self, i: usize) -> Vec<usize> {
        let mut seen = HashSet::from([i]);
        let mut order = Vec::new();
        let mut queue: VecDeque<usize> = self.parents[i].iter().copied().collect();
        while let Some(p) = queue.pop_front() {
            if !seen.insert(p) {
                continue;
            }
            order.push(p);
            queue.extend(self.parents[p].iter().copied());
        }
        order
    }
}

/// A module-level `NAME = "value"` (at the start of a line), when assigned
/// exactly once.
fn str_constant(source: &str, name: &str) -> Option<String> {
    let mut found = None;
    for line in source.lines() {
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        let Some(value) = rest.trim_start().strip_prefix('=') else {
            continue;
        };
        let value = value.trim();
        let quote = value.chars().next()?;
        if (quote != '"' && quote != '\'') || value.len() < 2 || !value.ends_with(quote) {
            return None;
        }
        if found.is_some() {
            return None;
        }
        found = Some(value[1..value.len() - 1].to_string());
    }
    found
}

/// Whether `sql` tests `column IS NULL` (ASCII case-insensitive, any
/// spacing, optionally qualified or quoted).
fn is_null_test(sql: &str, column: &str) -> bool {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let col = column.to_ascii_lowercase();
    words.windows(3).any(|w| {
        let name = w[0]
            .rsplit('.')
            .next()
            .unwrap_or("")
            .trim_matches(['"', '`']);
        name == col && w[1] == "is" && w[2] == "null"
    })
}

/// ASCII case-insensitive name equality.
pub(crate) fn same(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// An f-string argument (possibly inside `sa.text(...)`), with its raw text.
fn fstring(e: &Expr) -> Option<&StrLit> {
    match &e.kind {
        ExprKind::Str(s) if s.dynamic => Some(s),
        ExprKind::Call(c) if c.func.dotted().is_some_and(|n| last_segment(&n) == "text") => {
            c.args.first().and_then(fstring)
        }
        _ => None,
    }
}

/// A literal name: a string, or `op.f("name")` / `batch_op.f(...)` /
/// `sa.quoted_name("name", ...)` / `conv("name")`.
pub(crate) fn literal_name(e: &Expr) -> Option<&str> {
    if let Some(s) = e.str_value() {
        return Some(s);
    }
    let call = e.as_call()?;
    let name = call.func.dotted()?;
    matches!(last_segment(&name), "f" | "quoted_name" | "conv")
        .then(|| call.args.first()?.str_value())
        .flatten()
}

/// The byte offset of `word` as a whole word in `haystack` (both uppercase
/// or both as-is).
pub(crate) fn find_word(haystack: &str, word: &str) -> Option<usize> {
    let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let bytes = haystack.as_bytes();
    let mut from = 0;
    while let Some(pos) = haystack[from..].find(word) {
        let at = from + pos;
        let end = at + word.len();
        let before_ok = at == 0 || !is_ident(bytes[at - 1]);
        let after_ok = end >= bytes.len() || !is_ident(bytes[end]);
        if before_ok && after_ok {
            return Some(at);
        }
        from = at + 1;
        if from >= haystack.len() {
            break;
        }
        while !haystack.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

/// Whether `ident` occurs as a whole identifier (ASCII case-insensitive).
pub(crate) fn find_ident(text: &str, ident: &str) -> bool {
    !ident.is_empty()
        && find_word(&text.to_ascii_lowercase(), &ident.to_ascii_lowercase()).is_some()
}

/// What a Core `update` construct writes.
struct CoreUpdate {
    /// The `values(col=...)` keywords; `None` when not literal (a dict, a
    /// variable).
    columns: Option<Vec<String>>,
}

/// `t.update()...values(...)` / `sa.update(t)...values(...)` /
/// `update(t).values(...)`: walks the method chain.
fn core_update(e: &Expr) -> Option<CoreUpdate> {
    let mut cur = e;
    let mut columns: Option<Vec<String>> = None;
    let mut saw_values = false;
    loop {
        let call = cur.as_call()?;
        match &call.func.kind {
            ExprKind::Attribute { value, attr } => {
                if attr == "values" && !saw_values {
                    saw_values = true;
                    columns = (call.args.is_empty())
                        .then(|| call.kwargs.iter().map(|k| k.name.clone()).collect());
                }
                if attr == "update" {
                    return Some(CoreUpdate {
                        columns: if saw_values { columns } else { None },
                    });
                }
                // the chain goes on through calls (`t.update().where(...)`)
                value.as_call()?;
                cur = value;
            }
            ExprKind::Name(n) if n == "update" => {
                return Some(CoreUpdate {
                    columns: if saw_values { columns } else { None },
                });
            }
            _ => return None,
        }
    }
}

/// For a Core delete without `.where(...)`: `Some(Some(var))` for
/// `var.delete()`, `sa.delete(var)`; `Some(None)` when the table expression
/// is not a plain name; `None` when it is not such a delete.
fn core_delete_all(e: &Expr) -> Option<Option<String>> {
    let call = e.as_call()?;
    let name_of = |x: &Expr| match &x.kind {
        ExprKind::Name(n) => Some(n.clone()),
        _ => None,
    };
    match &call.func.kind {
        // `t.delete()`
        ExprKind::Attribute { value, attr } if attr == "delete" => {
            if call.func.dotted().is_some_and(|d| {
                let segs: Vec<&str> = d.split('.').collect();
                segs.len() == 2 && matches!(segs[0], "sa" | "sqlalchemy")
            }) {
                // `sa.delete(t)`
                return Some(call.args.first().and_then(name_of));
            }
            Some(name_of(value))
        }
        ExprKind::Name(n) if n == "delete" => Some(call.args.first().and_then(name_of)),
        _ => None,
    }
}

fn table_var(source: &str, var: &str) -> Option<String> {
    let bytes = source.as_bytes();
    let mut from = 0;
    while let Some(pos) = source[from..].find(var) {
        let at = from + pos;
        from = at + var.len();
        if at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b'.')
        {
            continue;
        }
        let rest = source[from..].trim_start_matches([' ', '\t']);
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        if rest.starts_with('=') {
            continue;
        }
        let rest = rest.trim_start();
        // `sa.table(` / `table(` / `sa.Table(` / `sqlalchemy.sql.table(`
        let open = rest.find('(')?;
        let callee = &rest[..open];
        let last = callee.rsplit('.').next().unwrap_or(callee);
        if !matches!(last, "table" | "Table") || callee.contains(char::is_whitespace) {
            continue;
        }
        let args = rest[open + 1..].trim_start();
        let quote = args.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let end = args[1..].find(quote)?;
        return Some(args[1..1 + end].to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words() {
        assert_eq!(find_word("UPDATE T SET A", "SET"), Some(9));
        assert_eq!(find_word("UPDATE T SETA", "SET"), None);
        assert!(find_ident("SET include_deferred = {x}", "include_deferred"));
        assert!(!find_ident("SET include_deferred2 = 1", "include_deferred"));
    }

    #[test]
    fn table_vars() {
        let src = "users = sa.table(\n    'users', sa.column('id'))\nx = 1\nother_t = Table(\"other\", meta)\n";
        assert_eq!(table_var(src, "users").as_deref(), Some("users"));
        assert_eq!(table_var(src, "other_t").as_deref(), Some("other"));
        assert_eq!(table_var(src, "x"), None);
        assert_eq!(table_var(src, "missing"), None);
    }
}

/// Whether `op` runs only after a check that the object exists: it sits
/// in an `if`/`elif`/`else` chain whose condition inspects the schema
/// (`sa.inspect(...)`, `has_table`, `get_columns`, a `*exist*` helper, a
/// `"name" in <list>` test), or in a `try:` block. Read from the source
/// text by indentation, since the model keeps only dialect guards.
pub(crate) fn existence_guarded(source: &str, func: &miglint_python::Function, op: &Op) -> bool {
    if op.in_try {
        return true;
    }
    let start = op.range.start() as usize;
    let func_start = func.range.start() as usize;
    let Some(before) = source.get(func_start..start) else {
        return false;
    };
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let mut indent = indentation(&before[line_start..]);
    // The body's own level: once the walk is back at it with no open
    // if/elif/else chain, nothing above can guard the op (this keeps the
    // walk short; it reads lines lazily, bottom up).
    let body_indent = before
        .lines()
        .skip(1)
        .find(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
        .map_or(0, indentation);
    let mut lines = before[..line_start].lines().rev();
    // a chain header seen at the current level (for `else`/`elif`: its `if`)
    let mut in_chain = false;
    for line in lines.by_ref() {
        if !in_chain && indent <= body_indent {
            return false;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let level = indentation(line);
        if trimmed.starts_with("def ") || trimmed.starts_with("async def ") {
            if level < indent {
                return false;
            }
            continue;
        }
        let header = level < indent;
        let chain_sibling = in_chain && level == indent;
        if !header && !chain_sibling {
            continue;
        }
        if header {
            indent = level;
            in_chain = false;
        }
        if trimmed.starts_with("try:") && header {
            return true;
        }
        let cond = trimmed
            .strip_prefix("if ")
            .or_else(|| trimmed.strip_prefix("elif "));
        if let Some(cond) = cond {
            if is_existence_check(cond) {
                return true;
            }
            // an `elif` continues the chain up to its `if`
            in_chain = trimmed.starts_with("elif ");
        } else if trimmed.starts_with("else") {
            in_chain = true;
        }
    }
    false
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

fn is_existence_check(cond: &str) -> bool {
    let c = cond.to_ascii_lowercase();
    const MARKERS: &[&str] = &[
        "inspect",
        "has_table",
        "has_index",
        "has_column",
        "has_constraint",
        "get_columns",
        "get_indexes",
        "get_table_names",
        "get_unique_constraints",
        "get_foreign_keys",
        "get_check_constraints",
        "get_pk_constraint",
        "exist",
    ];
    if MARKERS.iter().any(|m| c.contains(m)) {
        return true;
    }
    // `"name" in columns` / `'ix' not in indexes`, but not a dialect test
    let tests_membership = [
        "\" in ",
        "' in ",
        "\" not in ",
        "' not in ",
        " in {",
        " in [",
    ]
    .iter()
    .any(|p| c.contains(p));
    tests_membership && !c.contains("dialect") && !c.contains("engine")
}

#[cfg(test)]
mod guard_tests {
    use miglint_python::PythonParser;

    use super::existence_guarded;

    fn guarded(src: &str) -> Vec<bool> {
        let m = PythonParser::new().parse(src);
        m.ops
            .iter()
            .map(|op| existence_guarded(src, &m.functions[op.func], op))
            .collect()
    }

    #[test]
    fn inspector_guards() {
        let src = r#"
def upgrade():
    insp = sa.inspect(op.get_bind())
    op.drop_table("a")
    if insp.has_table("b"):
        op.drop_table("b")
    cols = [c["name"] for c in insp.get_columns("t")]
    if "x" in cols:
        if True:
            op.drop_column("t", "x")
    if 'y' not in cols:
        op.add_column("t", sa.Column("y"))
    if op.get_bind().dialect.name == "sqlite":
        op.drop_table("c")
    if not table_exists("d"):
        pass
    else:
        op.drop_table("d")
    try:
        op.drop_index("ix")
    except Exception:
        pass
    op.drop_table("e")
"#;
        assert_eq!(
            guarded(src),
            [false, true, true, true, false, true, true, false]
        );
    }
}

/// A `FileContext` for one file of a project, over the analysis made in
/// the per-file phase.
pub(crate) fn file_context<'a>(
    file: &ProjectFile<'a>,
    alembic_version: Option<miglint_config::AlembicVersion>,
) -> FileContext<'a> {
    FileContext {
        path: file.path,
        source: file.source,
        module: file.module,
        sql: file.sql,
        targets: file.targets,
        no_transaction: file.no_transaction,
        alembic_version,
        postgresql_version: miglint_config::DEFAULT_POSTGRESQL_VERSION,
    }
}

#[cfg(test)]
mod core_tests {
    use miglint_python::PythonParser;

    use super::{core_delete_all, core_update, is_null_test, str_constant};

    fn first_arg(src: &str) -> miglint_python::Expr {
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
        let del = |src: &str| core_delete_all(&first_arg(src));
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
    fn text_helpers() {
        assert!(is_null_test(
            "delete from dag_run where logical_date is null",
            "logical_date"
        ));
        assert!(is_null_test("DELETE FROM t WHERE (t.\"a\" IS NULL)", "a"));
        assert!(!is_null_test("DELETE FROM t WHERE a IS NOT NULL", "a"));
        let src = "X = 'one'\nY = \"two\"\nY = 'again'\n";
        assert_eq!(str_constant(src, "X").as_deref(), Some("one"));
        assert_eq!(str_constant(src, "Y"), None);
    }
}
