//! The schema state one replay builds: tables with their columns,
//! constraints and indexes, enum types, sequences and views, each fact with
//! the revision and span that produced it. Keys are ASCII-lowercased names
//! (SQL folds unquoted names; erring towards "same object" only ever makes
//! the rules quieter).
//!
//! Mutations go through methods that can record an undo log, so that a
//! `downgrade()` can be replayed on top of the state after its revision's
//! `upgrade()` and rolled back, without cloning the schema.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use miglint_diagnostics::TextRange;

use crate::shared::{Map, Shared};

use undo::{ColumnUndo, Saved, Undo};

#[path = "merge.rs"]
mod merge;
#[path = "undo.rs"]
mod undo;

/// Where a fact comes from: a revision file (index into the model's
/// inputs), the function of that file, and the span of the op. (Read
/// back by `grow.rs`, which may renumber its file.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Origin {
    pub file: u32,
    pub func: u32,
    pub range: TextRange,
}

impl Origin {
    /// Whether the fact was made by function `func` of file `file`.
    pub fn in_function(&self, file: usize, func: usize) -> bool {
        self.file as usize == file && self.func as usize == func
    }
}

/// A lowercased name.
pub type Key = String;

/// The model's maps: keyed by short names, hashed with a fast
/// fixed-seed hasher (foldhash; not SipHash: the keys come from the
/// project's own migrations, and a fixed seed keeps every iteration order
/// the same from run to run).
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;

/// A stamp that orders the events of every replay (creations, drops and
/// the points where the schema became uncertain): a fact stamped after the
/// latest uncertainty of its state is certain.
static STAMP: AtomicU64 = AtomicU64::new(1);

pub fn next_stamp() -> u64 {
    STAMP.fetch_add(1, Ordering::Relaxed)
}

/// The next stamp, not taken (a kept state written to disk records it).
pub(crate) fn stamp_now() -> u64 {
    STAMP.load(Ordering::Relaxed)
}

/// Every later stamp above `stamp` (a kept state read back from disk: its
/// stamps were taken by another process, and the events replayed after it
/// must come after them).
pub(crate) fn stamps_from(stamp: u64) {
    STAMP.fetch_max(stamp, Ordering::Relaxed);
}

pub fn key(name: &str) -> Key {
    name.to_ascii_lowercase()
}

/// [`key`] without a copy when `name` is already lowercase (a lookup).
fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(key(name))
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    /// The type as written (`sa.String(50)` → `String`), when known.
    pub type_name: Option<String>,
    /// The native enum type the column uses (its `name=`).
    pub enum_type: Option<String>,
    /// `None` when not known (not a literal).
    pub nullable: Option<bool>,
    pub primary_key: bool,
    pub server_default: bool,
    /// The server default as a constant, when miglint can compare it
    /// (`miglint_python::sqla::types::default_constant`).
    pub server_default_value: Option<String>,
    /// A Python-side `default=` (SQLAlchemy applies it when it inserts).
    pub python_default: bool,
    pub origin: Origin,
    /// The last op that made it nullable, added it nullable, or relaxed it
    /// explicitly (`alter_column(nullable=True)`, `DROP NOT NULL`).
    pub nullable_since: Option<Origin>,
    /// The last write of the column (an UPDATE, a delete of its NULL rows)
    /// after it last became nullable.
    pub backfilled: Option<Origin>,
    /// A write that may have filled it (unreadable SQL, an ORM update) ran
    /// after it last became nullable.
    pub maybe_backfilled: Option<Origin>,
    /// The last op that changed it (for joining the branches of a merge).
    pub changed: Option<Origin>,
    /// An INSERT (or `bulk_insert`) of the migrations that may have left it
    /// NULL, since it last became nullable.
    pub null_written: Option<Origin>,
    /// Created by a definition (`add_column`, a `create_table` column, SQL
    /// `ADD COLUMN`), not met first by an op that only names it.
    pub defined: bool,
}

impl Column {
    /// A column met first by an op that only names it (no replayed op
    /// defined it): nothing is known of it but its name.
    pub(crate) fn named(name: &str, origin: Origin) -> Column {
        Column {
            name: name.to_string(),
            type_name: None,
            enum_type: None,
            nullable: None,
            primary_key: false,
            server_default: false,
            server_default_value: None,
            python_default: false,
            origin,
            nullable_since: None,
            backfilled: None,
            maybe_backfilled: None,
            changed: None,
            null_written: None,
            defined: false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum ConstraintKind {
    PrimaryKey,
    Unique,
    ForeignKey,
    Check,
    Unknown,
}

impl ConstraintKind {
    /// The index into [`Table::anon`].
    pub fn slot(self) -> Option<usize> {
        match self {
            ConstraintKind::PrimaryKey => Some(0),
            ConstraintKind::Unique => Some(1),
            ConstraintKind::ForeignKey => Some(2),
            ConstraintKind::Check => Some(3),
            ConstraintKind::Unknown => None,
        }
    }
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Constraint {
    pub name: Option<String>,
    /// The name is wrapped in `op.f()`/`conv()` (naming conventions do not
    /// apply to it).
    pub conv: bool,
    pub kind: ConstraintKind,
    pub columns: Vec<String>,
    pub origin: Origin,
    /// A foreign key's referent and options, when every part is a literal
    /// (`None` for a foreign key miglint cannot describe, and for the
    /// other kinds).
    pub references: Option<ForeignKeyRef>,
}

/// What a foreign key refers to, with the options alembic's autogenerate
/// compares (its `_fk_constraint_sig`): the referred table and columns,
/// `onupdate`/`ondelete` (lowercased; `no action` is none) and the
/// deferral.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignKeyRef {
    pub table: String,
    pub columns: Vec<String>,
    pub onupdate: Option<String>,
    pub ondelete: Option<String>,
    /// `initially_deferrable`, `deferrable` or `not deferrable`.
    pub deferral: &'static str,
}

impl ForeignKeyRef {
    /// The normalised `onupdate`/`ondelete` value.
    pub fn action(v: Option<&str>) -> Option<String> {
        let v = v?.trim().to_ascii_lowercase();
        (!v.is_empty() && v != "no action").then_some(v)
    }

    /// The three values of [`ForeignKeyRef::deferral`], in this order
    /// (the model snapshot writes a deferral as its index here).
    pub(crate) const DEFERRALS: [&'static str; 3] =
        ["initially_deferrable", "deferrable", "not deferrable"];

    /// The three-state deferral of `deferrable=` and `initially=`.
    pub fn deferral(deferrable: bool, initially: Option<&str>) -> &'static str {
        if initially.is_some_and(|i| i.eq_ignore_ascii_case("deferred")) {
            Self::DEFERRALS[0]
        } else if deferrable {
            Self::DEFERRALS[1]
        } else {
            Self::DEFERRALS[2]
        }
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Index {
    pub name: String,
    pub table: Key,
    pub columns: Vec<String>,
    pub unique: bool,
    pub origin: Origin,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Table {
    pub name: String,
    /// Columns by creation number (a dropped one's number is not reused),
    /// so in creation order; `by_name` gives a name's number. Persistent
    /// maps of columns behind their own pointers: a copy of the table
    /// (copy on write, a fork, the undo log of a `downgrade()`) shares
    /// them, a change copies one path, and a merge visits only the columns
    /// the two sides do not share.
    columns: imbl::OrdMap<u32, Shared<Column>>,
    by_name: imbl::OrdMap<Arc<str>, u32>,
    /// The number the next new column gets.
    next: u32,
    pub constraints: Vec<Constraint>,
    /// The op that created it (or renamed it to this name).
    pub origin: Origin,
    /// Something miglint cannot read changed the table (a column list it
    /// cannot see, SQL it cannot parse): its columns are not all known.
    pub uncertain: Option<Origin>,
    /// The last op that deleted every row.
    pub emptied: Option<Origin>,
    /// No replayed op created it: an op met it first (its creation lies
    /// before the replayed history, or was not readable).
    pub placeholder: bool,
    /// `origin` is a rename (the table has the rows of its old self).
    pub renamed: bool,
    /// Every column is known: created by a readable `create_table` or
    /// `CREATE TABLE` (or renamed from such a table).
    pub complete: bool,
    /// When it was created (or renamed to this name) by a replayed op.
    pub stamp: u64,
    /// It may have indexes whose names miglint cannot know (`index=True`,
    /// `unique=True`, an unnamed index, MySQL's foreign-key indexes).
    pub anon_index: bool,
    /// Per [`ConstraintKind`] (primary key, unique, foreign key, check):
    /// it may have constraints of that kind whose names miglint cannot
    /// know (unnamed, or named by a naming convention).
    pub anon: [bool; 4],
    /// A drop of a constraint miglint could not match by name (a naming
    /// convention may have renamed the listed ones): which named
    /// constraints remain is not certain.
    pub unsure_constraints: bool,
    /// It may have foreign keys miglint cannot describe (inline SQL, a
    /// dropped constraint it could not match, a referent renamed under
    /// it): its foreign keys are not compared.
    pub fks_unknown: bool,
    /// The latest call of a function imported from a project module with
    /// the table's name as its first argument (`create_table("t", ...)`
    /// from the project's migration helpers): it may have created or
    /// rebuilt the table there.
    pub helper_named: Option<Origin>,
    /// While a `downgrade()` changes the table in place: how to undo its
    /// column changes (see [`Schema::table_mut`]).
    #[serde(skip)]
    log: Option<Vec<ColumnUndo>>,
}

impl Table {
    /// A column was dropped: the database may have dropped the indexes and
    /// constraints on it too (PostgreSQL does; MySQL keeps a multi-column
    /// index), so which ones remain is not certain.
    pub fn column_dropped(&mut self) {
        self.anon_index = true;
        self.anon = [true; 4];
        self.unsure_constraints = true;
    }
}

impl Table {
    pub fn new(name: &str, origin: Origin) -> Table {
        Table {
            name: name.to_string(),
            columns: imbl::OrdMap::new(),
            by_name: imbl::OrdMap::new(),
            next: 0,
            constraints: Vec::new(),
            origin,
            uncertain: None,
            emptied: None,
            placeholder: false,
            renamed: false,
            complete: false,
            stamp: next_stamp(),
            anon_index: false,
            anon: [false; 4],
            unsure_constraints: false,
            fks_unknown: false,
            helper_named: None,
            log: None,
        }
    }

    /// Marks a constraint of `kind` whose name miglint cannot know.
    pub fn anonymous(&mut self, kind: ConstraintKind) {
        match kind.slot() {
            Some(i) => self.anon[i] = true,
            None => self.anon = [true; 4],
        }
    }

    fn slot(&self, name: &str) -> Option<u32> {
        match self.by_name.get(name) {
            Some(&i) => Some(i),
            None if name.bytes().any(|b| b.is_ascii_uppercase()) => {
                self.by_name.get(key(name).as_str()).copied()
            }
            None => None,
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.get(&self.slot(name)?).map(|c| &**c)
    }

    pub fn column_mut(&mut self, name: &str) -> Option<&mut Column> {
        let i = self.slot(name)?;
        if let Some(log) = &mut self.log {
            log.push(ColumnUndo::Slot(i, self.columns.get(&i).cloned()));
        }
        self.columns.get_mut(&i).map(|c| &mut **c)
    }

    pub fn columns(&self) -> impl Iterator<Item = &Column> {
        self.columns.values().map(|c| &**c)
    }

    pub fn add_column(&mut self, c: Column) {
        if let Some(i) = self.slot(&c.name) {
            let old = self.columns.insert(i, Shared::new(c));
            if let Some(log) = &mut self.log {
                log.push(ColumnUndo::Slot(i, old));
            }
            return;
        }
        let k: Arc<str> = Arc::from(&*lower(&c.name));
        if let Some(log) = &mut self.log {
            log.push(ColumnUndo::Pushed);
            log.push(ColumnUndo::Name(k.clone(), None));
        }
        let i = self.next;
        self.next += 1;
        self.by_name.insert(k, i);
        self.columns.insert(i, Shared::new(c));
    }

    pub fn drop_column(&mut self, name: &str) -> Option<Column> {
        self.take_column(name).map(Shared::into_inner)
    }

    /// [`Table::drop_column`] without the dropped column.
    pub fn remove_column(&mut self, name: &str) -> bool {
        self.take_column(name).is_some()
    }

    fn take_column(&mut self, name: &str) -> Option<Shared<Column>> {
        let i = self.slot(name)?;
        let named = self.by_name.remove_with_key(&*lower(name));
        let c = self.columns.remove(&i);
        if let Some(log) = &mut self.log {
            log.push(ColumnUndo::Slot(i, c.clone()));
            if let Some((k, at)) = named {
                log.push(ColumnUndo::Name(k, Some(at)));
            }
        }
        c
    }

    pub fn rename_column(&mut self, from: &str, to: &str) -> bool {
        let Some(mut c) = self.drop_column(from) else {
            return false;
        };
        c.name = to.to_string();
        self.add_column(c);
        true
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct EnumType {
    pub name: String,
    /// `None` when the labels are not literal. A persistent vector: the
    /// states of a fork share it, and a label added on one side copies
    /// one chunk, not every label.
    pub values: Option<imbl::Vector<String>>,
    pub origin: Origin,
    /// When a replayed op created it (set by [`Schema::put_enum`]).
    pub stamp: u64,
}

/// The schema at one point of a replay.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Schema {
    /// Each table shared between the states of a fork until one side
    /// changes it (copy on write). Every map is persistent ([`Map`]): a
    /// fork copies none, a change copies one path of nodes, and a merge
    /// visits only what the two sides do not share.
    pub tables: Map<Shared<Table>>,
    pub indexes: Map<Index>,
    pub enums: Map<EnumType>,
    pub sequences: Map<(String, Origin)>,
    pub views: Map<(String, Origin)>,
    /// Something changed tables miglint cannot name (a dynamic table name,
    /// a loop, a missing parent revision): an absent table may exist.
    pub unknown: Option<Origin>,
    /// The stamp of the latest such change (0: none).
    pub unknown_stamp: u64,
    /// Tables and indexes a replayed op dropped (or renamed away), with the
    /// op and its stamp; a later creation removes the entry.
    /// (Never a key of `tables` or `indexes` at the same time: the merge
    /// relies on it.)
    pub dropped_tables: Map<(Origin, u64)>,
    pub dropped_indexes: Map<(Key, Origin, u64)>,
    /// Per table key: the names of the indexes put on it (a superset:
    /// entries are checked against `indexes` on use), so that dropping a
    /// table or a column looks at its own indexes, not at every index.
    index_names: Map<Vec<Key>>,
    /// (only while a `downgrade()` is replayed: never in a kept state)
    #[serde(skip)]
    undo: Option<Undo>,
}

impl Schema {
    /// Something may have created or dropped any object: no existence fact
    /// from before is certain (the facts of the other rules are unchanged).
    pub fn forget_existence(&mut self) {
        if let Some(u) = &mut self.undo
            && u.unknown.is_none()
        {
            u.unknown = Some((self.unknown, self.unknown_stamp));
        }
        self.unknown_stamp = next_stamp();
    }

    /// Table `name` may or may not exist, with objects miglint does not
    /// know: no existence fact about it is certain.
    pub fn forget_table(&mut self, name: &str) {
        let k = lower(name);
        if self.dropped_tables.contains_key(&*k) {
            self.save_dropped_table(&k);
            self.dropped_tables.remove(&*k);
        }
        if let Some(t) = self.table_mut(name) {
            t.stamp = 0;
        }
    }

    /// Whether table `t` is known for certain: created by a replayed op
    /// with readable columns, and nothing miglint cannot read touched it
    /// (or the schema) since.
    pub fn certain(&self, t: &Table) -> bool {
        t.uncertain.is_none() && !t.placeholder && t.stamp > self.unknown_stamp
    }

    /// The op that dropped table `name`, when it is certainly absent.
    /// The enum type `name` (exactly that name), when it certainly exists:
    /// a replayed op created it and nothing unreadable happened since.
    pub fn enum_certain(&self, name: &str) -> Option<&EnumType> {
        self.enums
            .get(&key(name))
            .filter(|e| e.name == name && e.stamp > self.unknown_stamp)
    }

    pub fn table_dropped(&self, name: &str) -> Option<Origin> {
        let k = lower(name);
        if self.tables.contains_key(&*k) {
            return None;
        }
        let (o, stamp) = self.dropped_tables.get(&*k)?;
        (*stamp > self.unknown_stamp).then_some(*o)
    }

    /// The op that dropped index `name` of a table that still exists and
    /// is certain, when the index is certainly absent.
    pub fn index_dropped(&self, name: &str) -> Option<(Key, Origin)> {
        let k = key(name);
        if self.indexes.contains_key(&k) {
            return None;
        }
        let (table, o, stamp) = self.dropped_indexes.get(&k)?;
        let t = self.tables.get(table)?;
        let ok = *stamp > self.unknown_stamp && t.uncertain.is_none() && !t.anon_index;
        ok.then(|| (table.clone(), *o))
    }

    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.get(&*lower(name)).map(|t| &**t)
    }

    /// The table, for a change (recorded in the undo log: a table not
    /// shared with another state is changed in place and logs its column
    /// changes; a shared one is copied, and the undo log keeps the old).
    pub fn table_mut(&mut self, name: &str) -> Option<&mut Table> {
        let k = lower(name);
        // whether the table is shared with another state (its path of map
        // nodes copied first: a table in a node two states share is shared)
        let mut unshared = || {
            self.tables
                .get_mut(&*k)
                .is_some_and(|t| Shared::unshared(t))
        };
        // (`None`: no undo log, or the table is saved whole already)
        let in_place = match self.undo.as_ref().map(|u| u.tables.get(&*k)) {
            Some(None) => unshared().then_some(true),
            // changed in place before: its log goes on (no copy of it)
            Some(Some(Saved::Head(_))) => unshared().then_some(false),
            _ => None,
        };
        if let Some(first) = in_place {
            // (present and not shared: tested above)
            let t = Shared::get_mut(self.tables.get_mut(&*k)?)?;
            debug_assert!(first || t.log.is_some(), "a table changed in place logs");
            if first {
                if let Some(u) = &mut self.undo {
                    u.tables.insert(k.into_owned(), Saved::Head(t.head()));
                }
                t.log = Some(Vec::new());
            }
            return Some(t);
        }
        self.save_table(&k);
        self.tables.get_mut(&*k).map(|t| &mut **t)
    }

    pub fn put_table(&mut self, t: Table) {
        let k = key(&t.name);
        self.save_table(&k);
        if self.dropped_tables.contains_key(&k) {
            self.save_dropped_table(&k);
            self.dropped_tables.remove(&k);
        }
        self.tables.insert(k, Shared::new(t));
    }

    /// Drops table `name` (known or not): it is certainly absent after.
    pub fn drop_table(&mut self, name: &str, o: Origin) -> Option<Table> {
        let k = key(name);
        let t = self.remove_table(name);
        self.save_dropped_table(&k);
        self.dropped_tables.insert(k, (o, next_stamp()));
        t
    }

    /// Drops index `name` of table `table`: it is certainly absent after.
    pub fn drop_index(&mut self, name: &str, table: Option<&str>, o: Origin) -> Option<Index> {
        let ix = self.remove_index(name);
        let table = ix.as_ref().map(|i| i.table.clone()).or(table.map(key));
        let k = key(name);
        self.save_dropped_index(&k);
        match table {
            Some(t) => {
                self.dropped_indexes.insert(k, (t, o, next_stamp()));
            }
            None => {
                self.dropped_indexes.remove(&k);
            }
        }
        ix
    }

    pub fn remove_table(&mut self, name: &str) -> Option<Table> {
        let k = key(name);
        self.save_table(&k);
        let t = self.tables.remove(&k).map(Shared::into_inner);
        // its indexes go with it, also when no replayed op created it
        for n in self.indexes_of(&k) {
            self.save_index(&n);
            self.indexes.remove(&n);
        }
        t
    }

    /// The keys of the indexes on table `table`.
    pub fn indexes_of(&self, table: &str) -> Vec<Key> {
        let k = key(table);
        self.index_names.get(&k).map_or_else(Vec::new, |names| {
            names
                .iter()
                .filter(|n| self.indexes.get(*n).is_some_and(|ix| ix.table == k))
                .cloned()
                .collect()
        })
    }

    pub fn put_index(&mut self, ix: Index) {
        let k = key(&ix.name);
        note_index(&mut self.index_names, &ix.table, &k);
        self.save_index(&k);
        if self.dropped_indexes.contains_key(&k) {
            self.save_dropped_index(&k);
            self.dropped_indexes.remove(&k);
        }
        self.indexes.insert(k, ix);
    }

    pub fn remove_index(&mut self, name: &str) -> Option<Index> {
        let k = key(name);
        self.save_index(&k);
        self.indexes.remove(&k)
    }

    pub fn put_enum(&mut self, mut e: EnumType) {
        e.stamp = next_stamp();
        let k = key(&e.name);
        self.save_enum(&k);
        self.enums.insert(k, e);
    }

    pub fn enum_mut(&mut self, name: &str) -> Option<&mut EnumType> {
        let k = key(name);
        self.save_enum(&k);
        self.enums.get_mut(&k)
    }

    pub fn remove_enum(&mut self, name: &str) -> Option<EnumType> {
        let k = key(name);
        self.save_enum(&k);
        self.enums.remove(&k)
    }

    pub fn set_unknown(&mut self, o: Origin) {
        if let Some(u) = &mut self.undo
            && u.unknown.is_none()
        {
            u.unknown = Some((self.unknown, self.unknown_stamp));
        }
        self.unknown = Some(o);
        self.unknown_stamp = next_stamp();
    }
}

/// Records that index `name` was put on table `table` (once).
fn note_index(names: &mut Map<Vec<Key>>, table: &str, name: &str) {
    if names
        .get(table)
        .is_some_and(|v| v.iter().any(|n| n == name))
    {
        return;
    }
    names
        .entry(table.to_string())
        .or_default()
        .push(name.to_string());
}
