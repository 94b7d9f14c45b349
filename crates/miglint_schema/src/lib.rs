//! miglint's semantic model: replays the ops of every revision, in graph
//! order, per environment and per target dialect, into a schema state
//! ([`Schema`]), and records for every op of `upgrade()`/`downgrade()` what
//! the state said about its table and column right before it ([`OpFacts`]).
//! Rules ask those facts instead of scanning ops themselves.
//!
//! The phases are split (see STYLE.md, addendum §1): the model is built
//! once, before any rule runs, from the front ends' output (the Python
//! model and the analyzed SQL), and rules only read it.
//!
//! Linear time: one pass per revision and dialect over its ops, indexed
//! state (hash maps), the graph order given by the caller (computed once).
//! A state is moved along a chain of revisions and cloned only at branch
//! points; a `downgrade()` is replayed on an undo log and rolled back.
//!
//! Uncertainty is a value, not an absence: what miglint cannot read
//! (dynamic names, loops, helpers from other modules, unparsed SQL) marks
//! the table (or, for an unknown table name, the whole schema) uncertain
//! from that op on, with the op that caused it, and rules stay silent on
//! such facts.

mod apply;
mod apply_sql;
mod checkpoint;
mod columns;
mod data;
mod enum_calls;
mod enums_left;
pub mod names;
mod objects;
mod replay;
mod reversal;
mod state;

use std::path::Path;

use miglint_diagnostics::{Dialect, DialectSet};
use miglint_python::{Module, StrLit};
use miglint_sql::SqlStatement;

pub use checkpoint::{KeptModel, Update};
/// The table a table expression names (`sa.table("t", ...)`, or a
/// module-level name bound to one).
pub use data::table_name as table_of_expr;
pub use objects::{ObjectFact, ObjectKind};
pub use reversal::NotReverted;
pub use state::{
    Column, Constraint, ConstraintKind, EnumType, ForeignKeyRef, Index, Key, Origin, Schema, Table,
    key,
};

/// One revision file, as the model reads it.
pub struct RevisionInput<'a> {
    pub path: &'a Path,
    pub source: &'a str,
    pub module: &'a Module,
    /// The literal SQL of its `execute` ops, analyzed once by the caller.
    pub sql: Vec<SqlOf<'a>>,
    /// The project's targets for this file.
    pub targets: DialectSet,
    /// The revisions its `down_revision` names (indices into the inputs);
    /// `None` when some parent is not known (not a literal, not linted).
    pub parents: Option<Vec<usize>>,
}

/// The analyzed literal SQL of one `execute` op.
#[derive(Clone, Copy)]
pub struct SqlOf<'a> {
    pub op: usize,
    pub lit: &'a StrLit,
    pub statements: &'a [SqlStatement],
}

/// Whether an object exists at a point of the replay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Presence {
    Present,
    Absent,
    /// Something miglint cannot read may have created, dropped or changed it.
    #[default]
    Uncertain,
}

/// What the state says about a table right before an op.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TableFacts {
    pub presence: Presence,
    /// The op that created it (a new, empty table).
    pub created: Option<Origin>,
    /// The op that created it or renamed it to this name.
    pub named: Option<Origin>,
    /// The last op that emptied it.
    pub emptied: Option<Origin>,
    /// The latest op that made it (or the whole schema) uncertain.
    pub uncertain: Option<Origin>,
    /// The latest call of a project helper that names the table (see
    /// `Table::helper_named`).
    pub helper_named: Option<Origin>,
}

impl TableFacts {
    /// Whether function `func` of file `file` made the table new before
    /// this point: it created it or emptied it (an unreadable change there
    /// says nothing about its rows, so it does not count), or may have,
    /// through a project helper called with the table's name
    /// (`create_table("t", ...)` imported from the project). Nobody else
    /// is using its rows, so its locks and scans cost little (the
    /// online-safety family, ML7xx, which stays quiet when unsure).
    pub fn new_in(&self, file: usize, func: usize) -> bool {
        [self.created, self.emptied, self.helper_named]
            .into_iter()
            .flatten()
            .any(|o| o.in_function(file, func))
    }
}

/// What the state says about a column right before an op.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ColumnFacts {
    pub presence: Presence,
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub server_default: bool,
    pub enum_type: Option<String>,
    /// The op that added it.
    pub added: Option<Origin>,
    /// The latest write of the column after it last became nullable.
    pub backfilled: Option<Origin>,
    /// A write miglint cannot read that may have filled it.
    pub maybe_backfilled: Option<Origin>,
    /// Nullable since the op that created its table (`create_table` /
    /// `CREATE TABLE` in a replayed revision), never added to a table that
    /// had rows nor relaxed since: a NULL in it comes only from what the
    /// application (or an INSERT, see `null_written`) stored.
    pub nullable_since_creation: bool,
    /// An INSERT of the migrations that may have left it NULL since it
    /// last became nullable.
    pub null_written: Option<Origin>,
}

/// The facts recorded for one op (or one statement of an `execute`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OpFacts {
    /// The op's table, when it names one.
    pub table: Option<TableFacts>,
    /// The op's column (`add_column`, `alter_column`, `drop_column`)
    /// (boxed, like the other rarer facts: the model keeps one `OpFacts`
    /// per op and dialect of a project).
    pub column: Option<Box<ColumnFacts>>,
    /// For `create_table`: native enum types its columns would create that
    /// already exist, with the op that created them.
    pub existing_enums: Vec<(String, Origin)>,
    /// For an `execute` of literal SQL: the facts of the table each
    /// statement names, right before that statement.
    pub statements: Vec<Option<TableFacts>>,
    /// For each statement: the facts of the column a `SET NOT NULL` names,
    /// right before that statement.
    pub statement_columns: Vec<Option<ColumnFacts>>,
    /// The object the op drops or alters (or whose table it needs), when
    /// it certainly does not exist right before the op.
    pub missing: Option<Box<ObjectFact>>,
    /// The object the op creates, when it certainly exists already.
    pub existing: Option<Box<ObjectFact>>,
    /// For an `execute` of literal SQL: per DDL change of its statements
    /// (with the statement's span in the file), the object it drops or
    /// alters that certainly does not exist, or creates that certainly
    /// exists, right before it.
    pub sql_objects: Vec<SqlObject>,
    /// In a `downgrade()`: native enum types this op drops the last user
    /// of, which the revision's `upgrade()` created implicitly (in a
    /// `create_table`) and the downgrade does not drop, with their origin.
    pub enums_left: Vec<(String, Origin)>,
    /// Inside a `batch_alter_table` that SQLite runs by recreating the
    /// table (`recreate="always"`, or an op other than add_column /
    /// create_index / drop_index in the batch).
    pub batch_recreates_on_sqlite: bool,
    /// In an `upgrade()`: what this op creates or drops that the paired
    /// `downgrade()` leaves as the upgrade left it (ML403).
    pub not_reverted: Vec<NotReverted>,
}

/// An existence fact of one statement of literal SQL.
#[derive(Debug, Clone, PartialEq)]
pub struct SqlObject {
    pub range: miglint_diagnostics::TextRange,
    pub missing: Option<ObjectFact>,
    pub existing: Option<ObjectFact>,
}

/// One replay: an environment for a set of dialects.
struct Replay {
    set: DialectSet,
    /// The environment's first replay (the others keep only the facts
    /// that differ from its).
    first: bool,
    /// Per file of the environment: per op.
    facts: Vec<(usize, Vec<OpFacts>)>,
    /// The enum types' users the replay recorded.
    users: replay::EnumUsers,
}

/// The model of a project: per file and dialect, the facts of every op.
pub struct SchemaModel {
    replays: Vec<Replay>,
    /// Per input file: the replay index per dialect, and the position of
    /// the file in that replay's `facts`.
    slots: Vec<[Option<(u32, u32)>; 3]>,
    /// Per input: its parents (empty when unknown).
    parents: Vec<Vec<usize>>,
    /// Every (table, column) that some revision gives a native enum type,
    /// by enum key.
    enum_users: std::collections::HashMap<Key, Vec<(Key, Key)>>,
}

const fn dialect_index(d: Dialect) -> usize {
    match d {
        Dialect::Postgresql => 0,
        Dialect::Sqlite => 1,
        Dialect::Mysql => 2,
    }
}

impl SchemaModel {
    /// Replays every environment. `envs` lists each environment's
    /// revisions (indices into `inputs`) in a topological order (parents
    /// first).
    pub fn build(inputs: &[RevisionInput<'_>], envs: &[Vec<usize>]) -> SchemaModel {
        let jobs = checkpoint::jobs(inputs, envs);
        let plans = jobs.iter().map(|_| checkpoint::Plan::Fresh(None)).collect();
        let runs = checkpoint::run_jobs(inputs, envs, &jobs, plans);
        SchemaModel::assemble(inputs, runs.into_iter().map(|(r, _)| r).collect())
    }

    /// The model of finished replays (in job order, each environment's
    /// first dialect first).
    fn assemble(inputs: &[RevisionInput<'_>], replays: Vec<Replay>) -> SchemaModel {
        let mut model = SchemaModel {
            replays: Vec::new(),
            slots: vec![[None; 3]; inputs.len()],
            parents: inputs
                .iter()
                .map(|i| i.parents.clone().unwrap_or_default())
                .collect(),
            enum_users: Default::default(),
        };
        for input in inputs {
            for (t, c, e) in data::binding_enum_users(input.module) {
                let v = model.enum_users.entry(key(&e)).or_default();
                if !v.contains(&(key(&t), key(&c))) {
                    v.push((key(&t), key(&c)));
                }
            }
        }
        let mut base = 0u32;
        for replay in replays {
            let r = model.replays.len() as u32;
            if replay.first {
                base = r;
            }
            for (pos, (file, ops)) in replay.facts.iter().enumerate() {
                let mut slot = (r, pos as u32);
                // emptied by the replay: the same as the first's (a file
                // with no op has an empty list on both)
                if !replay.first && ops.is_empty() {
                    slot = (base, pos as u32);
                }
                for d in replay.set.iter() {
                    model.slots[*file][dialect_index(d)] = Some(slot);
                }
            }
            for (k, v) in &replay.users {
                model
                    .enum_users
                    .entry(k.clone())
                    .or_default()
                    .extend(v.iter().cloned());
            }
            model.replays.push(replay);
        }
        model
    }

    /// The facts of op `op` of file `file` for dialect `d`; `None` when the
    /// file was not replayed for `d` or the op is outside
    /// `upgrade()`/`downgrade()`.
    pub fn facts(&self, file: usize, op: usize, d: Dialect) -> Option<&OpFacts> {
        let (r, pos) = self.slots.get(file)?[dialect_index(d)]?;
        // (the replay of another dialect when the facts were the same)
        let replay = &self.replays[r as usize];
        replay.facts[pos as usize].1.get(op)
    }

    /// The facts of an op for every dialect of `dialects` it was replayed for.
    pub fn facts_for(
        &self,
        file: usize,
        op: usize,
        dialects: DialectSet,
    ) -> impl Iterator<Item = (Dialect, &OpFacts)> {
        dialects
            .iter()
            .filter_map(move |d| self.facts(file, op, d).map(|f| (d, f)))
    }

    /// The facts of the table of op `op` of `file` on dialect `d`, right
    /// before it; with `stmt`, of that statement of a literal `execute`.
    /// `None` when the op (or statement) names no table miglint can read.
    pub fn table_facts(
        &self,
        file: usize,
        op: usize,
        stmt: Option<usize>,
        d: Dialect,
    ) -> Option<&TableFacts> {
        let facts = self.facts(file, op, d)?;
        match stmt {
            None => facts.table.as_ref(),
            Some(k) => facts.statements.get(k)?.as_ref(),
        }
    }

    /// The revisions `file`'s `down_revision` names (empty when unknown).
    pub fn parents(&self, file: usize) -> &[usize] {
        self.parents.get(file).map_or(&[], Vec::as_slice)
    }

    /// Whether some revision gives column `column` of `table` the native
    /// enum type `enum_name`.
    pub fn enum_column(&self, enum_name: &str, table: &str, column: &str) -> bool {
        self.enum_users
            .get(&key(enum_name))
            .is_some_and(|v| v.iter().any(|(t, c)| *t == key(table) && *c == key(column)))
    }

    /// The tables that have a column of native enum type `enum_name`.
    pub fn enum_users(&self, enum_name: &str) -> &[(Key, Key)] {
        self.enum_users
            .get(&key(enum_name))
            .map_or(&[], Vec::as_slice)
    }
}

/// The schema after revision `at` (an index into `inputs`; `None`: after
/// the last revision of `order`), replayed for dialect `d`.
pub fn schema_at(
    inputs: &[RevisionInput<'_>],
    order: &[usize],
    d: Dialect,
    at: Option<usize>,
) -> Schema {
    let stop = at.or_else(|| order.last().copied());
    replay::replay_env(inputs, order, DialectSet::single(d), stop, None)
        .1
        .unwrap_or_default()
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod checkpoint_tests;
