//! What the online-safety family (ML7xx) asks about a file, in one place:
//! whether an op runs on a live PostgreSQL table at all (upgrade, reaching
//! PostgreSQL), and whether its table is new here.
//!
//! "Is this table new?" is a question for the semantic model
//! ([`miglint_schema`]): created, emptied (or made uncertain) earlier in the
//! same function, so nobody else reads its rows and its locks cost nothing.
//! The rules are project rules so that they can ask it; [`each_file`] runs
//! a rule's per-file check over every revision.

use std::ops::Deref;

use miglint_schema::SchemaModel;

use crate::prelude::*;
use crate::rule::RuleMeta;

/// Whether a rule belongs to the online-safety family (`online = true`).
pub fn is_online_rule(meta: &RuleMeta) -> bool {
    meta.code.starts_with("ML7")
}

/// Whether the family looks at this op: it runs in `upgrade()` on
/// PostgreSQL. (A downgrade is an emergency path, not a rolling deploy.)
pub(crate) fn applies(file: &FileContext<'_>, op: &Op) -> bool {
    applies_on(file, op, DialectSet::single(Dialect::Postgresql))
}

/// [`applies`] for a rule about `dialects`: the op runs in `upgrade()` on
/// one of them.
pub(crate) fn applies_on(file: &FileContext<'_>, op: &Op, dialects: DialectSet) -> bool {
    file.module.func_kind(op) == FuncKind::Upgrade
        && !file.reaching(op).intersect(dialects).is_empty()
}

/// One revision as the family sees it: its [`FileContext`] and the model.
pub(crate) struct OnlineFile<'p, 'a> {
    pub file: FileContext<'a>,
    /// Index into `project.files`.
    pub index: usize,
    model: &'p SchemaModel,
}

impl<'a> Deref for OnlineFile<'_, 'a> {
    type Target = FileContext<'a>;
    fn deref(&self) -> &FileContext<'a> {
        &self.file
    }
}

impl OnlineFile<'_, '_> {
    /// Whether the table of op `op` is new right before it (see the module
    /// doc). Quiet when the model has no facts for it: a table it cannot
    /// name, a file it did not replay (a duplicate revision).
    pub(crate) fn is_new(&self, op: usize) -> bool {
        self.new_at(op, None)
    }

    /// [`OnlineFile::is_new`] for statement `stmt` of the literal SQL of
    /// `execute` op `op`.
    pub(crate) fn stmt_is_new(&self, op: usize, stmt: usize) -> bool {
        self.new_at(op, Some(stmt))
    }

    /// Whether the table of op `op` (statement `stmt` of an `execute`) was
    /// created earlier in the same function: unlike [`OnlineFile::is_new`],
    /// an emptied table does not count (the running code still uses its
    /// name and columns). Quiet (true) when the model cannot name it.
    pub(crate) fn is_created(&self, op: usize, stmt: Option<usize>) -> bool {
        let func = self.module.ops[op].func;
        self.table_fact(op, stmt, |t| {
            t.created.is_some_and(|c| c.in_function(self.index, func))
        })
    }

    /// Whether the column of op `op` (`alter_column`, `drop_column`) was
    /// added earlier in the same function, on some dialect the op reaches.
    pub(crate) fn column_is_new(&self, op: usize) -> bool {
        let o = &self.module.ops[op];
        self.model
            .facts_for(self.index, op, self.reaching(o))
            .any(|(_, f)| {
                f.column
                    .as_ref()
                    .and_then(|c| c.added)
                    .is_some_and(|a| a.in_function(self.index, o.func))
            })
    }

    /// The model's facts of the column of op `op`, on each dialect it reaches.
    pub(crate) fn column_facts(
        &self,
        op: usize,
    ) -> impl Iterator<Item = &miglint_schema::ColumnFacts> {
        let o = &self.module.ops[op];
        self.model
            .facts_for(self.index, op, self.reaching(o))
            .filter_map(|(_, f)| f.column.as_deref())
    }

    fn new_at(&self, op: usize, stmt: Option<usize>) -> bool {
        let func = self.module.ops[op].func;
        self.table_fact(op, stmt, |t| t.new_in(self.index, func))
    }

    /// Whether `fact` holds for the table of op `op` (statement `stmt`) on
    /// some dialect the op reaches; no facts there counts as true (quiet).
    fn table_fact(
        &self,
        op: usize,
        stmt: Option<usize>,
        fact: impl Fn(&miglint_schema::TableFacts) -> bool,
    ) -> bool {
        let mut reaching = self.reaching(&self.module.ops[op]).iter().peekable();
        if reaching.peek().is_none() {
            return true;
        }
        reaching.any(|d| {
            self.model
                .table_facts(self.index, op, stmt, d)
                .is_none_or(&fact)
        })
    }

    /// Every literal `ALTER TABLE` statement (naming its table) of the
    /// `upgrade()` ops that reach one of `dialects`, with its text
    /// uppercased and whitespace collapsed (see [`upper_words`]).
    pub(crate) fn literal_alters(&self, dialects: DialectSet) -> Vec<LiteralAlter<'_>> {
        let mut out = Vec::new();
        for exec in self.sql {
            if !applies_on(self, &self.module.ops[exec.op], dialects) {
                continue;
            }
            for (k, stmt) in exec.statements.iter().enumerate() {
                if let miglint_sql::StmtKind::AlterTable { table: Some(table) } = &stmt.kind {
                    out.push(LiteralAlter {
                        op: exec.op,
                        stmt: k,
                        table,
                        text: upper_words(stmt.text(&exec.lit.value)),
                        range: exec.file_range(stmt.range.clone()),
                    });
                }
            }
        }
        out
    }
}

/// One literal `ALTER TABLE` statement (see [`OnlineFile::literal_alters`]).
pub(crate) struct LiteralAlter<'a> {
    /// The `execute` op, and the statement's index in its SQL.
    pub op: usize,
    pub stmt: usize,
    pub table: &'a str,
    /// Uppercased, whitespace collapsed.
    pub text: String,
    pub range: TextRange,
}

/// The `Rule` impl of an online rule whose per-file check is `$check`
/// (a project rule, so that the check can ask the semantic model).
macro_rules! online_rule {
    ($rule:ty, $meta:ident, $check:path) => {
        impl Rule for $rule {
            fn meta(&self) -> &'static RuleMeta {
                &$meta
            }

            fn uses_model(&self) -> bool {
                true
            }

            fn check_project(&self, project: &Project<'_>, out: &mut Vec<(usize, Diagnostic)>) {
                super::ml7xx_context::each_file(project, out, $check);
            }
        }
    };
}
pub(crate) use online_rule;

/// Runs `check` on every revision of the project, collecting its findings
/// under the file's index.
pub(crate) fn each_file(
    project: &Project<'_>,
    out: &mut Vec<(usize, Diagnostic)>,
    check: impl Fn(&OnlineFile<'_, '_>, &mut Vec<Diagnostic>),
) {
    let mut found = Vec::new();
    each_online_file(project, |file| {
        check(file, &mut found);
        out.extend(found.drain(..).map(|d| (file.index, d)));
    });
}

/// Runs `visit` on every revision of the project, as the family sees it.
pub(crate) fn each_online_file(project: &Project<'_>, mut visit: impl FnMut(&OnlineFile<'_, '_>)) {
    let model = project.schema();
    for (index, f) in project.files.iter().enumerate() {
        if !f.is_revision() {
            continue;
        }
        let file = OnlineFile {
            file: project.file_context(index),
            index,
            model,
        };
        visit(&file);
    }
}

/// Literal keyword `name=True`.
pub(crate) fn kw_true(op: &Op, name: &str) -> bool {
    op.kwarg(name).and_then(|k| k.value.bool_value()) == Some(true)
}

/// The statement text, uppercased with runs of whitespace collapsed, for
/// keyword tests on raw SQL (`ADD CONSTRAINT`, `NOT VALID`).
pub(crate) fn upper_words(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.make_ascii_uppercase();
    out
}
