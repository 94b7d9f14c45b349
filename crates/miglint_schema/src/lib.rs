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
mod facts;
mod grow;
mod input;
mod jobs;
mod mutate;
pub mod names;
mod objects;
mod prep;
mod reads;
mod replay;
mod rev;
mod reversal;
mod shared;
mod snapshot;
mod state;

use miglint_diagnostics::{Dialect, DialectSet};

pub use checkpoint::{KeptModel, Update};
/// The table a table expression names (`sa.table("t", ...)`, or a
/// module-level name bound to one).
pub use data::table_name as table_of_expr;
pub use facts::{
    ColumnFacts, List, NotReverted, ObjectFact, ObjectKind, OpFacts, Presence, SqlObject,
    TableFacts,
};
pub use input::{RevisionInput, SqlOf};
pub use state::{
    Column, Constraint, ConstraintKind, EnumType, ForeignKeyRef, Index, Key, Origin, Schema, Table,
    key,
};

/// The model of a project: per file and dialect, the facts of every op.
pub struct SchemaModel {
    replays: Vec<jobs::Replay>,
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
        let jobs = jobs::jobs(inputs, envs);
        let plans = jobs.iter().map(|_| jobs::Plan::Fresh(None)).collect();
        let runs = jobs::run_jobs(inputs, envs, &jobs, plans);
        SchemaModel::assemble(inputs, runs.into_iter().map(|(r, _)| r).collect())
    }

    /// The model of finished replays (in job order, each environment's
    /// first dialect first).
    fn assemble(inputs: &[RevisionInput<'_>], replays: Vec<jobs::Replay>) -> SchemaModel {
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
                    model.slots[file][dialect_index(d)] = Some(slot);
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
        replay.facts.get(pos as usize)?.1.get(op)
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
