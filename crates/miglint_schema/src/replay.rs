//! The replay: the graph walk over an environment's revisions, and the
//! per-revision pass over its functions that records each op's facts.

use std::collections::HashMap;

use miglint_diagnostics::{Dialect, DialectSet, TextRange};
use miglint_python::{FuncKind, Op, Receiver};

use crate::state::{Key, Origin, Schema, key};
use crate::{ColumnFacts, OpFacts, Presence, RevisionInput, SqlOf, TableFacts, data};

pub(crate) type EnvFacts = Vec<(usize, Vec<OpFacts>)>;
pub(crate) type EnumUsers = HashMap<Key, Vec<(Key, Key)>>;

/// Replays the revisions of `order` for `dialects`. With `stop`, returns
/// the state right after that revision (and stops there).
pub(crate) fn replay_env(
    inputs: &[RevisionInput<'_>],
    order: &[usize],
    dialects: DialectSet,
    stop: Option<usize>,
    reference: Option<&EnvFacts>,
) -> ((EnvFacts, EnumUsers), Option<Schema>) {
    let mut cursor = Cursor::start(inputs, order);
    let mut facts: EnvFacts = Vec::with_capacity(order.len());
    let walk = Walk {
        inputs,
        order,
        dialects,
        stop,
        reference,
        capture: None,
    };
    let (stopped, _) = walk.run(&mut cursor, &mut facts);
    ((facts, cursor.users), stopped)
}

/// The replay state of one environment right before position `pos` of its
/// order: what the revisions before it left (see `checkpoint.rs`). The
/// facts of those revisions are not part of it (a replay's `EnvFacts` up
/// to `pos`).
#[derive(Clone)]
pub(crate) struct Cursor {
    pub pos: usize,
    /// By position: how many children of that revision are still to be
    /// replayed.
    remaining: Vec<usize>,
    /// By position: the state after that revision, while some child of it
    /// is still to be replayed.
    states: Vec<Option<Schema>>,
    /// The enum types' users recorded so far.
    pub users: EnumUsers,
}

impl Cursor {
    /// Before the first revision of `order`.
    pub fn start(inputs: &[RevisionInput<'_>], order: &[usize]) -> Cursor {
        let pos_of = positions(inputs, order);
        let mut remaining = vec![0usize; order.len()];
        for &f in order {
            for p in inputs[f].parents.iter().flatten() {
                if let Some(&pp) = pos_of.get(*p)
                    && pp != usize::MAX
                {
                    remaining[pp] += 1;
                }
            }
        }
        Cursor {
            pos: 0,
            remaining,
            states: vec![None; order.len()],
            users: EnumUsers::new(),
        }
    }
}

/// Position in `order` by input index (a vector: one lookup per parent;
/// `usize::MAX` for inputs outside it).
fn positions(inputs: &[RevisionInput<'_>], order: &[usize]) -> Vec<usize> {
    let mut pos_by_input = vec![usize::MAX; inputs.len()];
    for (k, &f) in order.iter().enumerate() {
        pos_by_input[f] = k;
    }
    pos_by_input
}

/// One walk over an environment's order, from a cursor to the end (or to
/// `stop`).
pub(crate) struct Walk<'w, 'i> {
    pub inputs: &'w [RevisionInput<'i>],
    pub order: &'w [usize],
    pub dialects: DialectSet,
    /// Return the state right after this revision (and stop there).
    pub stop: Option<usize>,
    /// The facts of another dialect's replay of this environment: facts
    /// equal to its at a position are kept there only.
    pub reference: Option<&'w EnvFacts>,
    /// A copy of the cursor is taken right before this position.
    pub capture: Option<usize>,
}

impl Walk<'_, '_> {
    /// Replays from `cursor.pos` on, appending to `facts` (which holds the
    /// facts of the positions before it); returns the state at `stop` and
    /// the cursor captured at `capture`.
    pub fn run(
        &self,
        cursor: &mut Cursor,
        facts: &mut EnvFacts,
    ) -> (Option<Schema>, Option<Cursor>) {
        let (inputs, order) = (self.inputs, self.order);
        let pos_by_input = positions(inputs, order);
        let pos_of = |f: usize| pos_by_input.get(f).copied().filter(|&k| k != usize::MAX);
        let mut captured = None;
        let Cursor {
            pos,
            remaining,
            states,
            users,
        } = cursor;
        while let Some(&file) = order.get(*pos) {
            if self.capture == Some(*pos) {
                captured = Some(Cursor {
                    pos: *pos,
                    remaining: remaining.clone(),
                    states: states.clone(),
                    users: users.clone(),
                });
            }
            *pos += 1;
            let input = &inputs[file];
            let start = Origin {
                file: file as u32,
                func: u32::MAX,
                range: TextRange::empty(0),
            };
            let mut state: Option<Schema> = None;
            let mut unknown = false;
            match &input.parents {
                None => unknown = true,
                Some(ps) => {
                    for p in ps {
                        let Some(pp) = pos_of(*p) else {
                            unknown = true;
                            continue;
                        };
                        let taken = if remaining[pp] == 1 {
                            states[pp].take()
                        } else {
                            states[pp].clone()
                        };
                        remaining[pp] = remaining[pp].saturating_sub(1);
                        match (&mut state, taken) {
                            (None, Some(t)) => state = Some(t),
                            (Some(s), Some(t)) => s.merge_from(&t, |o| {
                                (pos_of(o.file as usize).unwrap_or(0), o.range.start())
                            }),
                            (_, None) => unknown = true,
                        }
                    }
                }
            }
            let mut state = state.unwrap_or_default();
            if unknown {
                state.set_unknown(start);
            }
            let ops_facts =
                Rev::new(input, file, self.dialects, self.stop.is_none(), users).run(&mut state);
            if self.stop == Some(file) {
                return (Some(state), captured);
            }
            let Some(k) = pos_of(file) else { continue };
            if remaining[k] > 0 {
                states[k] = Some(state);
            }
            // the same facts as the reference replay's (another dialect of
            // this environment) at this position: kept there only (an empty
            // list here; see `SchemaModel::build`)
            let at = facts.len();
            let same = self
                .reference
                .and_then(|r| r.get(at))
                .is_some_and(|(f0, ops0)| *f0 == file && *ops0 == ops_facts);
            facts.push((file, if same { Vec::new() } else { ops_facts }));
        }
        (None, captured)
    }
}

/// One revision's pass.
pub(crate) struct Rev<'i, 'a> {
    pub input: &'i RevisionInput<'a>,
    pub file: usize,
    pub dialects: DialectSet,
    pub record: bool,
    pub users: &'i mut EnumUsers,
    pub sql_by_op: HashMap<usize, SqlOf<'a>>,
    pub facts: Vec<OpFacts>,
    /// The function being replayed.
    pub func: usize,
    /// Per function: offset of the first ORM/Core write miglint does not
    /// model, and the first offset of each identifier (lazily).
    pub opaque_at: Option<u32>,
    /// Per function: the statements around ORM/Core writes that are no op
    /// (`session.query(M).filter(M.c.is_(None)).delete()`), as file ranges.
    orm_writes: Vec<(u32, u32)>,
    idents: Option<HashMap<String, u32>>,
    /// Batches (by call range) that SQLite runs by recreating the table.
    recreates: HashMap<TextRange, bool>,
    /// The op being replayed.
    pub cur_op: usize,
    /// What the upgrades create and drop (ML403's delta, `reversal.rs`).
    pub changes: Vec<crate::reversal::Change>,
    /// The current function runs SQL built at run time.
    pub dynamic_sql: bool,
    /// Columns renamed by an upgrade: (function, table, new name).
    pub renamed: Vec<(usize, String, String)>,
    /// The names the file imports from other modules (`imported_names`).
    pub imported: Vec<&'a str>,
    /// The table and column names of the latest op asked (by address):
    /// the facts, the change and the guards of one op ask them in turn.
    pub table_memo: std::cell::RefCell<Option<(usize, TableRef)>>,
    pub column_memo: std::cell::RefCell<Option<(usize, Option<String>)>>,
}

impl<'i, 'a> Rev<'i, 'a> {
    fn new(
        input: &'i RevisionInput<'a>,
        file: usize,
        dialects: DialectSet,
        record: bool,
        users: &'i mut EnumUsers,
    ) -> Self {
        Rev {
            input,
            file,
            dialects,
            record,
            users,
            sql_by_op: input.sql.iter().map(|s| (s.op, *s)).collect(),
            facts: Vec::new(),
            func: 0,
            opaque_at: None,
            orm_writes: Vec::new(),
            idents: None,
            recreates: HashMap::new(),
            cur_op: 0,
            changes: Vec::new(),
            dynamic_sql: false,
            renamed: Vec::new(),
            imported: imported_names(input.source),
            table_memo: std::cell::RefCell::new(None),
            column_memo: std::cell::RefCell::new(None),
        }
    }

    pub fn origin(&self, range: TextRange) -> Origin {
        Origin {
            file: self.file as u32,
            func: self.func as u32,
            range,
        }
    }

    fn run(mut self, state: &mut Schema) -> Vec<OpFacts> {
        let m = self.input.module;
        if self.record {
            self.facts = vec![OpFacts::default(); m.ops.len()];
        }
        self.batches();
        // ops bucketed by function, once
        let mut by_func: Vec<Vec<usize>> = vec![Vec::new(); m.functions.len()];
        for (i, op) in m.ops.iter().enumerate() {
            if let Some(b) = by_func.get_mut(op.func) {
                b.push(i);
            }
        }
        for kind in [FuncKind::Upgrade, FuncKind::Downgrade] {
            for (f, func) in m.functions.iter().enumerate() {
                if func.kind != kind {
                    continue;
                }
                let stamp = state.unknown_stamp;
                if kind == FuncKind::Downgrade {
                    state.begin_undo();
                }
                self.func = f;
                self.opaque_at = None;
                self.dynamic_sql = false;
                self.idents = None;
                let mut calls = self.helper_calls(f, &by_func);
                let text = self.input.source.get(func.range.as_usize()).unwrap_or("");
                // ORM/Core writes outside ops: the statement around each
                self.orm_writes = data::opaque_writes(text)
                    .into_iter()
                    .map(|(a, b)| (func.range.start() + a as u32, func.range.start() + b as u32))
                    .collect();
                if text.contains(".create(") {
                    self.enum_creates(text, func.range.start(), state);
                }
                // ORM deletes of every row of a class mapped in the file,
                // latest first (a stack)
                let mut emptied: Vec<(u32, &str)> = if m.orm_tables.is_empty() {
                    Vec::new()
                } else {
                    data::orm_deletes_all(text)
                        .into_iter()
                        .rev()
                        .filter_map(|(at, class)| {
                            Some((func.range.start() + at as u32, m.orm_table(class)?))
                        })
                        .collect()
                };
                let calls_project = calls_any(&self.imported, text);
                if calls_project || schema_calls(text) {
                    state.forget_existence();
                }
                // project helpers called with a table's name, latest first
                let mut named: Vec<(u32, &str)> = if calls_project {
                    crate::names::named_calls(&self.imported, text)
                        .into_iter()
                        .rev()
                        .map(|(at, t)| (func.range.start() + at as u32, t))
                        .collect()
                } else {
                    Vec::new()
                };
                for &i in &by_func[f] {
                    let start = m.ops[i].range.start();
                    while let Some(&(at, h)) = calls.last()
                        && at < start
                    {
                        calls.pop();
                        self.helper(at, h, &by_func, state);
                    }
                    while let Some(&(at, table)) = emptied.last()
                        && at < start
                    {
                        emptied.pop();
                        self.orm_emptied(at, table, state);
                    }
                    while let Some(&(at, table)) = named.last()
                        && at < start
                    {
                        named.pop();
                        self.helper_named(at, table, state);
                    }
                    self.op(i, &m.ops[i], state);
                }
                while let Some((at, h)) = calls.pop() {
                    self.helper(at, h, &by_func, state);
                }
                while let Some((at, table)) = emptied.pop() {
                    self.orm_emptied(at, table, state);
                }
                if text.contains(".drop(") {
                    let mut gone: Vec<String> = state
                        .enums
                        .values()
                        .filter(|e| {
                            text.contains(&format!("\"{}\"", e.name))
                                || text.contains(&format!("'{}'", e.name))
                        })
                        .map(|e| e.name.clone())
                        .collect();
                    let (bound, calls, unresolved) = self.enum_drops(text);
                    if unresolved || calls > gone.len() {
                        // a type miglint cannot name may be gone
                        state.forget_existence();
                    }
                    gone.extend(bound);
                    for n in gone {
                        state.remove_enum(&n);
                    }
                }
                if kind == FuncKind::Upgrade {
                    self.settle_upgrade(f, state);
                }
                if kind == FuncKind::Downgrade {
                    self.check_reversal(f, !by_func[f].is_empty(), state, stamp);
                    self.enums_left(f, &by_func[f], state, stamp);
                    state.rollback();
                }
            }
        }
        self.facts
    }

    /// Helper functions (of kind Other, with ops) that function `f` calls,
    /// with the offset of the first call, latest first (a stack).
    fn helper_calls(&self, f: usize, by_func: &[Vec<usize>]) -> Vec<(u32, usize)> {
        let m = self.input.module;
        let func = &m.functions[f];
        let text = self.input.source.get(func.range.as_usize()).unwrap_or("");
        let mut calls = Vec::new();
        for (h, hf) in m.functions.iter().enumerate() {
            if h == f || hf.kind != FuncKind::Other || by_func[h].is_empty() {
                continue;
            }
            let call = format!("{}(", hf.name);
            let first = text.match_indices(&call).find(|(at, _)| {
                *at == 0 || {
                    let b = text.as_bytes()[at - 1];
                    !b.is_ascii_alphanumeric() && b != b'_' && b != b'.'
                }
            });
            if let Some((at, _)) = first {
                calls.push((func.range.start() + at as u32, h));
            }
        }
        calls.sort_unstable_by(|a, b| b.cmp(a));
        calls
    }

    /// A helper called at offset `at`: its call order is not modelled, so
    /// its schema changes make the tables it touches uncertain from the
    /// call on, and its writes count as writes miglint cannot read.
    fn helper(&mut self, at: u32, h: usize, by_func: &[Vec<usize>], state: &mut Schema) {
        let m = self.input.module;
        let o = self.origin(TextRange::empty(at));
        self.opaque_at = Some(self.opaque_at.map_or(at, |a| a.min(at)));
        for &i in &by_func[h] {
            let op = &m.ops[i];
            if op.name == "execute" || op.name == "exec_driver_sql" {
                continue;
            }
            match self.table_name(op) {
                TableRef::Known(t) => self.make_uncertain(state, &t, o),
                TableRef::Dynamic => state.set_unknown(o),
                TableRef::None => {}
            }
        }
    }

    /// `session.query(Cls).delete()` at offset `at`: every row of `Cls`'s
    /// table is gone.
    fn orm_emptied(&mut self, at: u32, table: &str, state: &mut Schema) {
        let o = self.origin(TextRange::new(at, at + ".delete(".len() as u32));
        crate::apply::table_for_change(state, table, o).emptied = Some(o);
    }

    /// Which batches recreate the table on SQLite.
    fn batches(&mut self) {
        let m = self.input.module;
        for op in &m.ops {
            let Receiver::Batch(b) = &op.receiver else {
                continue;
            };
            let text = self.input.source.get(b.range.as_usize()).unwrap_or("");
            let always = text.contains("recreate=\"always\"") || text.contains("recreate='always'");
            let never = text.contains("recreate=\"never\"") || text.contains("recreate='never'");
            let needs = match op.name.as_str() {
                "add_column" => op.columns().next().is_some_and(|c| {
                    c.server_default().is_some_and(|k| {
                        !matches!(
                            miglint_python::classify_default(&k.value),
                            miglint_python::DefaultValue::PlainString(_)
                        )
                    })
                }),
                "create_index" | "drop_index" => false,
                _ => true,
            };
            let e = self.recreates.entry(b.range).or_insert(false);
            *e = !never && (*e || always || needs);
        }
    }

    fn op(&mut self, i: usize, op: &Op, state: &mut Schema) {
        let reaching = op.dialects.intersect(self.input.targets);
        if reaching.intersect(self.dialects).is_empty() {
            return;
        }
        if self.record {
            let mut f = self.op_facts(op, state);
            if let Receiver::Batch(b) = &op.receiver {
                f.batch_recreates_on_sqlite =
                    self.recreates.get(&b.range).copied().unwrap_or(false);
            }
            self.facts[i] = f;
        }
        self.cur_op = i;
        self.log_op(i, op, state);
        self.apply(i, op, state);
        // an op that may not have run (or ran twice), or that skips itself
        // when its object exists: what it touched is uncertain after it
        let skips = |k: &str| {
            op.kwarg(k)
                .is_some_and(|kw| kw.value.bool_value() != Some(false))
        };
        // another schema: the model keys tables by name only
        if op.kwarg("schema").is_some_and(|k| !k.value.is_none())
            && let TableRef::Known(t) = self.table_name(op)
        {
            state.forget_table(&t);
        }
        if op.conditional || op.in_try || skips("if_not_exists") {
            let o = self.origin(op.range);
            match self.table_name(op) {
                TableRef::Known(t) => state.forget_table(&t),
                TableRef::Dynamic => state.set_unknown(o),
                TableRef::None if op.name == "drop_index" => state.forget_existence(),
                TableRef::None => {
                    let sql = self
                        .sql_by_op
                        .get(&i)
                        .map(|s| s.lit.value.to_ascii_uppercase());
                    let ddl = sql.is_none_or(|up| {
                        ["CREATE", "DROP", "ALTER", "RENAME"]
                            .iter()
                            .any(|w| crate::names::find_word(&up, w).is_some())
                    });
                    if matches!(op.name.as_str(), "execute" | "exec_driver_sql") && ddl {
                        state.forget_existence();
                    }
                }
            }
        }
    }

    /// The facts of `op`'s table and column before it runs.
    fn op_facts(&mut self, op: &Op, state: &Schema) -> OpFacts {
        let mut f = OpFacts::default();
        let (missing, existing) = self.object_facts(op, state);
        (f.missing, f.existing) = (missing.map(Box::new), existing.map(Box::new));
        if f.missing.as_ref().is_some_and(|m| m.origin.is_none()) && self.stamped_base() {
            f.missing = None;
        }
        let TableRef::Known(table) = self.table_name(op) else {
            return f;
        };
        f.table = Some(table_facts(state, &table));
        if let Some(col) = self.column_name(op) {
            let mut cf = column_facts(state, &table, &col);
            if cf.maybe_backfilled.is_none()
                && op.name == "alter_column"
                && let Some(at) = self.opaque_at
                && at < op.range.start()
                && self.ident_before(&col, op.range.start())
            {
                cf.maybe_backfilled = Some(self.origin(TextRange::empty(at)));
            }
            if cf.maybe_backfilled.is_none() && op.name == "alter_column" {
                let src = self.input.source;
                let hit = self.orm_writes.iter().find(|(a, b)| {
                    *a < op.range.start()
                        && src
                            .get(*a as usize..*b as usize)
                            .is_some_and(|w| crate::names::find_ident(w, &col))
                });
                if let Some(&(a, b)) = hit {
                    cf.maybe_backfilled = Some(self.origin(TextRange::new(a, b)));
                }
            }
            if cf.maybe_backfilled.is_none() && op.name == "alter_column" {
                cf.maybe_backfilled = self.orm_object_write(&table, &col, op.range.start());
            }
            f.column = Some(Box::new(cf));
        }
        f
    }

    /// An ORM write of `table.col` before offset `before` in the current
    /// function: it loads a class this file maps to `table`
    /// (`session.query(Cls)`) and assigns an attribute named `col` on an
    /// object (`row.col = ...`), as a loop over the loaded rows does.
    fn orm_object_write(&self, table: &str, col: &str, before: u32) -> Option<Origin> {
        let m = self.input.module;
        if m.orm_tables.is_empty() {
            return None;
        }
        let func = &m.functions[self.func];
        let base = func.range.start();
        let text = self.input.source.get(func.range.as_usize())?;
        let limit = before.checked_sub(base)? as usize;
        let text = text.get(..limit)?;
        data::orm_queries(text).find(|(_, class)| {
            m.orm_table(class)
                .is_some_and(|t| crate::names::same(t, table))
        })?;
        let (at, _) = data::attribute_writes(text)
            .into_iter()
            .find(|(_, attr)| crate::names::same(attr, col))?;
        Some(self.origin(TextRange::empty(base + at as u32)))
    }

    /// Whether identifier `ident` occurs in the current function before
    /// offset `before` (or in a helper it calls).
    fn ident_before(&mut self, ident: &str, before: u32) -> bool {
        let m = self.input.module;
        let func = &m.functions[self.func];
        let idents = self.idents.get_or_insert_with(|| {
            let mut map = HashMap::new();
            let src = self.input.source;
            let mut scan = |range: std::ops::Range<usize>, base: Option<u32>| {
                let text = src.get(range.clone()).unwrap_or("");
                let bytes = text.as_bytes();
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_' {
                        let s = i;
                        while i < bytes.len()
                            && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                        {
                            i += 1;
                        }
                        let at = base.unwrap_or(range.start as u32 + s as u32);
                        let e = map.entry(text[s..i].to_ascii_lowercase()).or_insert(at);
                        *e = (*e).min(at);
                    } else {
                        i += 1;
                    }
                }
            };
            scan(func.range.as_usize(), None);
            for hf in m.functions.iter().filter(|h| h.kind == FuncKind::Other) {
                scan(hf.range.as_usize(), Some(func.range.start()));
            }
            map
        });
        idents
            .get(&ident.to_ascii_lowercase())
            .is_some_and(|&at| at < before)
    }

    pub fn make_uncertain(&self, state: &mut Schema, table: &str, o: Origin) {
        match state.table_mut(table) {
            Some(t) => t.uncertain = Some(o),
            None => {
                let mut t = crate::state::Table::new(table, o);
                t.placeholder = true;
                t.uncertain = Some(o);
                state.put_table(t);
            }
        }
    }

    /// A project helper called at `at` with `table`'s name: it may have
    /// created or rebuilt the table (an unknown one stays unknown).
    fn helper_named(&self, at: u32, table: &str, state: &mut Schema) {
        let o = self.origin(TextRange::empty(at));
        if state.table(table).is_none() {
            self.make_uncertain(state, table, o);
        }
        if let Some(t) = state.table_mut(table) {
            t.helper_named = Some(o);
        }
    }

    /// Records an enum type's user (table, column).
    pub fn enum_user(&mut self, enum_name: &str, table: &str, column: &str) {
        let v = self.users.entry(key(enum_name)).or_default();
        let pair = (key(table), key(column));
        if !v.contains(&pair) {
            v.push(pair);
        }
    }

    pub fn pg(&self) -> bool {
        self.dialects.contains(Dialect::Postgresql)
    }
}

/// How an op names its table.
#[derive(Clone)]
pub(crate) enum TableRef {
    Known(String),
    /// Not a literal (a variable, a loop): any table.
    Dynamic,
    /// The op has no table.
    None,
}

pub(crate) fn table_facts(state: &Schema, table: &str) -> TableFacts {
    match state.table(table) {
        Some(t) => TableFacts {
            presence: Presence::Present,
            created: (!t.placeholder && !t.renamed).then_some(t.origin),
            named: (!t.placeholder).then_some(t.origin),
            emptied: t.emptied,
            uncertain: t
                .uncertain
                .or(if t.placeholder { state.unknown } else { None }),
            helper_named: t.helper_named,
        },
        None => TableFacts {
            presence: if state.unknown.is_some() {
                Presence::Uncertain
            } else {
                Presence::Absent
            },
            uncertain: state.unknown,
            ..TableFacts::default()
        },
    }
}

pub(crate) fn column_facts(state: &Schema, table: &str, column: &str) -> ColumnFacts {
    let Some(t) = state.table(table) else {
        return ColumnFacts::default();
    };
    match t.column(column) {
        Some(c) => ColumnFacts {
            presence: Presence::Present,
            nullable: c.nullable,
            primary_key: c.primary_key,
            server_default: c.server_default,
            enum_type: c.enum_type.clone(),
            added: Some(c.origin),
            backfilled: c.backfilled,
            maybe_backfilled: c.maybe_backfilled,
            nullable_since_creation: !t.placeholder
                && !t.renamed
                && c.origin == t.origin
                && c.nullable_since == Some(c.origin),
            null_written: c.null_written,
        },
        None => ColumnFacts {
            presence: if t.uncertain.is_some() || t.placeholder {
                Presence::Uncertain
            } else {
                Presence::Absent
            },
            ..ColumnFacts::default()
        },
    }
}

/// Whether a function creates or drops objects outside ops: a metadata's
/// `create_all`/`drop_all`, or `.create(`/`.drop(` of something that is
/// not an enum type (a `Table`, an `Index`).
fn schema_calls(text: &str) -> bool {
    if text.contains("create_all(") || text.contains("drop_all(") {
        return true;
    }
    text.lines().any(|line| {
        (line.contains(".create(") || line.contains(".drop("))
            && !line.to_ascii_lowercase().contains("enum")
    })
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

/// The local names a file imports from modules that are not Alembic,
/// SQLAlchemy or the standard library (see `calls_any`); read once
/// per revision.
pub(crate) fn imported_names(source: &str) -> Vec<&str> {
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
    let mut names: Vec<&str> = Vec::new();
    let mut lines = source.lines();
    while let Some(line) = lines.next() {
        let (module, imported) = if let Some(rest) = line.strip_prefix("from ") {
            match rest.split_once(" import ") {
                Some((m, i)) => (m.trim(), i),
                None => continue,
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
            continue;
        } else {
            continue;
        };
        let top = module
            .trim_start_matches('.')
            .split('.')
            .next()
            .unwrap_or("");
        let mut parts: Vec<&str> = vec![imported];
        if imported.trim_start().starts_with('(') && !imported.contains(')') {
            for more in lines.by_ref() {
                parts.push(more);
                if more.contains(')') {
                    break;
                }
            }
        }
        let skip = SAFE.contains(&top) && !module.starts_with('.');
        for part in parts
            .iter()
            .flat_map(|p| p.split('#').next().unwrap_or("").split(','))
            .filter(|_| !skip)
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
    names
}
