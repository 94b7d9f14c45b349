use crate::prelude::*;
use crate::rule::under_data_guard;
use crate::rules::ml1xx_alter::{AlterColumn, batch_call, call_head};

pub struct SqliteAlterOutsideBatch;

static META: RuleMeta = RuleMeta {
    code: "ML106",
    name: "sqlite-alter-outside-batch",
    summary: "`alter_column` or a constraint op outside `batch_alter_table` with SQLite targeted: SQLite has no ALTER COLUMN / ALTER of constraints",
    severity: Severity::Error,
    default_enabled: true,
    dialects: DialectSet::single(Dialect::Sqlite),
};

/// Ops that alembic's SQLite implementation refuses outside batch mode
/// (`add_constraint` / `drop_constraint` raise NotImplementedError).
const CONSTRAINT_OPS: &[&str] = &[
    "drop_constraint",
    "create_foreign_key",
    "create_unique_constraint",
    "create_check_constraint",
    "create_primary_key",
];

impl Rule for SqliteAlterOutsideBatch {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check_file(&self, file: &FileContext<'_>, out: &mut Vec<Diagnostic>) {
        // (table, column) of every `add_column`: a drop can only be of a
        // provably plain column if the file adds it (keeps the scan of
        // `plain_column` off the other drops)
        let added: Added<'_> = file
            .module
            .ops
            .iter()
            .filter(|o| o.name == "add_column")
            .filter_map(|o| Some((o.table_str()?, column_name(&o.columns().next()?)?)))
            .collect();
        let index = WordIndex::new(file);
        for op in &file.module.ops {
            if op.receiver != Receiver::Op
                || op.in_try
                || !file.reaching(op).contains(Dialect::Sqlite)
            {
                continue;
            }
            if let Some(alter) = AlterColumn::of(op) {
                if let Some(d) = alter_column(file, &alter) {
                    out.push(under_data_guard(d, op));
                }
            } else if CONSTRAINT_OPS.contains(&op.name.as_str()) {
                out.push(under_data_guard(constraint_op(file, op), op));
            } else if op.name == "drop_column" && !plain_column(file, &added, &index, op) {
                out.push(drop_column(file, op));
            }
        }
    }
}

/// (table, column) of every `add_column` of a file (looked up, never
/// iterated: the hasher's order does not show).
type Added<'f> = foldhash::HashSet<(&'f str, &'f str)>;

/// [`Column::name`] without a copy.
fn column_name<'a>(c: &Column<'a>) -> Option<&'a str> {
    let call: &'a miglint_python::Call = c.call;
    call.args
        .first()
        .or_else(|| call.kwarg("name").map(|k| &k.value))?
        .str_value()
}

fn alter_column(file: &FileContext<'_>, alter: &AlterColumn<'_>) -> Option<Diagnostic> {
    let changes = alter.sqlite_alters();
    let (first, rest) = changes.split_first()?;
    let message = if first.name == "comment" {
        String::from(
            "SQLite cannot change a column comment: outside `batch_alter_table` alembic fails on SQLite with `UnsupportedCompilationError: ... can't render element of type ColumnComment` (measured with alembic 1.20.1, SQLAlchemy 2.1.9)",
        )
    } else {
        let what = match first.name.as_str() {
            "nullable" => "change nullability",
            "server_default" => "change a server default",
            _ => "change a column type",
        };
        format!(
            "SQLite cannot {what} with ALTER: outside `batch_alter_table` alembic emits `ALTER TABLE ... ALTER COLUMN`, which fails with `near \"ALTER\": syntax error`"
        )
    };
    let mut diag = META.diag(first.range(), message).with_label(
        call_head(alter.op),
        "plain `op.alter_column`, not in batch mode",
    );
    for k in rest {
        let label = if k.name == "comment" {
            "also a comment change (fails on SQLite with `UnsupportedCompilationError`)"
        } else {
            "also an ALTER COLUMN"
        };
        diag = diag.with_label(k.range(), label);
    }
    let column = alter
        .column()
        .map_or("\"<column>\"", |e| &file.source[e.range.as_usize()]);
    Some(diag.with_help(format!(
        "run it in batch mode: `with {} as batch_op:` then `batch_op.alter_column({column}, ...)` \
         (batch mode copies the table on SQLite and emits plain ALTERs on the other databases)",
        batch_call(file, alter.op),
    )))
}

fn constraint_op(file: &FileContext<'_>, op: &Op) -> Diagnostic {
    META.diag(
        call_head(op),
        format!(
            "SQLite cannot ALTER constraints: outside `batch_alter_table`, `{}` fails with `NotImplementedError: No support for ALTER of constraints in SQLite dialect`",
            op.name
        ),
    )
    .with_help(format!(
        "run it in batch mode: `with {} as batch_op:` then `batch_op.{}(...)` without the table argument \
         (on SQLite batch mode copies the table; the constraint must have a name there)",
        batch_call(file, op),
        op.name
    ))
}

fn drop_column(file: &FileContext<'_>, op: &Op) -> Diagnostic {
    let column = op
        .arg_or_kw(1, "column_name")
        .and_then(Expr::str_value)
        .unwrap_or("<column>");
    let table = op
        .table()
        .map_or_else(|| String::from("<table>"), |t| t.value);
    let mut diag = META
        .diag(
            call_head(op),
            format!(
                "`drop_column` outside `batch_alter_table` only works on SQLite ≥ 3.35, and only for a column outside every index, UNIQUE/CHECK constraint and foreign key; otherwise SQLite refuses it (for a column in a UNIQUE constraint: `error in table {table} after drop column: no such column: {column}`)"
            ),
        )
        .with_help(format!(
            "if the column may be in a constraint or an index, or older SQLite versions must work, use `with {} as batch_op:` then `batch_op.drop_column(\"{column}\")` (a table CHECK that names the column must be dropped in the same batch first)",
            batch_call(file, op)
        ));
    diag.severity = Severity::Warning;
    diag
}

/// Whether the column a `drop_column` drops is provably a plain column,
/// which SQLite ≥ 3.35 drops natively: the file adds it with `add_column`
/// (before the drop) as a column without key, index, uniqueness, foreign
/// key or CHECK, and nothing else in the file (an index, a constraint,
/// SQL) names it, unless that index or constraint is dropped first. The
/// usual autogenerate pair: `add_column` in `upgrade()`, `drop_column` in
/// `downgrade()`.
fn plain_column(
    file: &FileContext<'_>,
    added: &Added<'_>,
    index: &WordIndex<'_>,
    drop: &Op,
) -> bool {
    let (Some(table), Some(column)) = (
        drop.table(),
        drop.arg_or_kw(1, "column_name").and_then(Expr::str_value),
    ) else {
        return false;
    };
    if !added.contains(&(table.value.as_str(), column)) {
        return false;
    }
    let same_table = |o: &Op| o.table().is_some_and(|t| t.value == table.value);
    // indexes and constraints dropped before the column in the same function
    let ops = &file.module.ops;
    let dropped: Vec<&str> = index
        .drops
        .iter()
        .map(|&i| &ops[i])
        .take_while(|o| o.range.start() < drop.range.start())
        .filter(|o| o.func == drop.func)
        .filter_map(object_name)
        .collect();
    let mut added_plain = false;
    // only the ops that can mention the column (see `WordIndex`)
    for o in index.candidates(column).map(|i| &ops[i]) {
        match o.name.as_str() {
            "drop_column" => {}
            "create_index"
            | "create_unique_constraint"
            | "create_foreign_key"
            | "create_check_constraint"
                if object_name(o).is_some_and(|n| dropped.contains(&n)) => {}
            "add_column" if !same_table(o) => {
                // a column of another table with the same name is no
                // reference; a foreign key to this column is
                let refers = o.columns().any(|c| {
                    c.call.args.iter().skip(1).any(|e| mentions(e, column))
                        || c.call.kwargs.iter().any(|k| mentions(&k.value, column))
                });
                if refers {
                    return false;
                }
            }
            "add_column" => {
                let Some(c) = o.columns().next() else {
                    return false;
                };
                if c.name().is_some_and(|n| n.value == column) {
                    if !is_plain(&c) {
                        return false;
                    }
                    // only an add that ran before the drop tells what the
                    // column is (upgrade adds it, downgrade drops it);
                    // re-adding a dropped column in downgrade says nothing
                    // about the indexes of earlier revisions
                    let module = file.module;
                    added_plain |= (module.func_kind(o) == FuncKind::Upgrade
                        && module.func_kind(drop) == FuncKind::Downgrade)
                        || (o.func == drop.func && o.range.start() < drop.range.start());
                }
            }
            _ => {
                if o.args
                    .iter()
                    .chain(o.kwargs.iter().map(|k| &k.value))
                    .any(|e| mentions(e, column))
                {
                    return false;
                }
            }
        }
    }
    added_plain
}

/// The index or constraint name of a create/drop op (`"ix_t_a"`, `op.f("ix_t_a")`).
fn object_name(o: &Op) -> Option<&str> {
    let e = o.args.first().or_else(|| {
        o.kwarg("index_name")
            .or_else(|| o.kwarg("constraint_name"))
            .map(|k| &k.value)
    })?;
    e.str_value().or_else(|| {
        let call = e.as_call()?;
        (call.func.dotted().is_some_and(|n| last_segment(&n) == "f"))
            .then(|| call.args.first()?.str_value())?
    })
}

fn is_plain(c: &Column<'_>) -> bool {
    let flag = |name: &str| {
        c.kwarg(name)
            .is_some_and(|k| k.value.bool_value() != Some(false) && !k.value.is_none())
    };
    if c.primary_key() || flag("unique") || flag("index") {
        return false;
    }
    // `sa.ForeignKey(...)`, `sa.Computed(...)`, `sa.CheckConstraint(...)` as arguments,
    // or a type that makes a CHECK (`create_constraint=True`)
    !c.call.args.iter().any(|a| {
        a.call_name().is_some_and(|n| {
            matches!(
                last_segment(&n),
                "ForeignKey" | "Computed" | "Identity" | "CheckConstraint"
            )
        }) || a
            .as_call()
            .is_some_and(|t| t.kwarg("create_constraint").is_some())
    })
}

/// Per file, built once: which ops a `plain_column` scan must look at for
/// a column, so that the scan is not a pass over every op per drop.
struct WordIndex<'f> {
    /// Whole words of the string literals in each op's arguments → ops
    /// (each op once per word, in source order).
    words: foldhash::HashMap<&'f str, Vec<usize>>,
    /// `add_column` ops without a readable column: they stop every scan.
    unreadable_adds: Vec<usize>,
    /// `drop_index` / `drop_constraint` ops, in source order.
    drops: Vec<usize>,
    /// Every op (for a column name that is not one word).
    all: usize,
}

impl<'f> WordIndex<'f> {
    fn new(file: &FileContext<'f>) -> WordIndex<'f> {
        let mut words: foldhash::HashMap<&'f str, Vec<usize>> = foldhash::HashMap::default();
        let mut unreadable_adds = Vec::new();
        let mut drops = Vec::new();
        for (i, o) in file.module.ops.iter().enumerate() {
            if matches!(o.name.as_str(), "drop_index" | "drop_constraint") {
                drops.push(i);
            }
            if o.name == "add_column" && o.columns().next().is_none() {
                unreadable_adds.push(i);
            }
            for e in o.args.iter().chain(o.kwargs.iter().map(|k| &k.value)) {
                collect_words(e, &mut |w| {
                    let ops = words.entry(w).or_default();
                    if ops.last() != Some(&i) {
                        ops.push(i);
                    }
                });
            }
        }
        WordIndex {
            words,
            unreadable_adds,
            drops,
            all: file.module.ops.len(),
        }
    }

    /// The ops (in source order) whose string literals may name `column`.
    fn candidates(&self, column: &str) -> impl Iterator<Item = usize> {
        let one_word =
            !column.is_empty() && column.chars().all(|c| c.is_alphanumeric() || c == '_');
        let mut v: Vec<usize> = if one_word {
            let mut v = self.words.get(column).cloned().unwrap_or_default();
            v.extend(&self.unreadable_adds);
            v
        } else {
            (0..self.all).collect()
        };
        v.sort_unstable();
        v.dedup();
        v.into_iter()
    }
}

/// The whole words (runs of alphanumerics and `_`) of the string literals
/// inside `e`, where [`mentions`] looks.
fn collect_words<'e>(e: &'e Expr, out: &mut impl FnMut(&'e str)) {
    match &e.kind {
        ExprKind::Str(s) => {
            for w in s.value.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
                if !w.is_empty() {
                    out(w);
                }
            }
        }
        ExprKind::Call(c) => {
            collect_words(&c.func, out);
            for a in c.args.iter().chain(c.kwargs.iter().map(|k| &k.value)) {
                collect_words(a, out);
            }
        }
        ExprKind::Tuple(v) | ExprKind::List(v) => v.iter().for_each(|a| collect_words(a, out)),
        ExprKind::Attribute(a) => collect_words(&a.value, out),
        ExprKind::BinOp { operands, .. } => {
            let [left, right] = &**operands;
            collect_words(left, out);
            collect_words(right, out);
        }
        _ => {}
    }
}

/// Whether a string literal inside `e` names `column` (as a whole word).
fn mentions(e: &Expr, column: &str) -> bool {
    match &e.kind {
        ExprKind::Str(s) => contains_word(&s.value, column),
        ExprKind::Call(c) => {
            mentions(&c.func, column)
                || c.args.iter().any(|a| mentions(a, column))
                || c.kwargs.iter().any(|k| mentions(&k.value, column))
        }
        ExprKind::Tuple(v) | ExprKind::List(v) => v.iter().any(|a| mentions(a, column)),
        ExprKind::Attribute(a) => mentions(&a.value, column),
        ExprKind::BinOp { operands, .. } => operands.iter().any(|o| mentions(o, column)),
        _ => false,
    }
}

fn contains_word(text: &str, word: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(ident)
            && !text[i + word.len()..].chars().next().is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    use super::contains_word;

    #[test]
    fn whole_word_mentions() {
        assert!(contains_word("amount >= 0", "amount"));
        assert!(contains_word("teams.id", "id"));
        assert!(!contains_word(
            "ix_flow_run__deployment_version",
            "deployment_version"
        ));
        assert!(!contains_word("user_id", "id"));
    }
}
